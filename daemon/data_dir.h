#pragma once
// The data directory: created on first start, and locked (flock) while a
// daemon uses it, so that two daemons never share one state and offline
// tools (`tradingd rearm`) never change state under a running daemon.
#include <string>

#include "core/status.h"

namespace td::daemon {

class DataDirLock {
 public:
  // Creates the directory (0700) if needed and takes its lock.
  static Result<DataDirLock> acquire(const std::string& dir);
  DataDirLock(DataDirLock&& o) noexcept : fd_(o.fd_), dir_(std::move(o.dir_)) { o.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&&) = delete;
  ~DataDirLock();
  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  DataDirLock(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) {}
  int fd_;
  std::string dir_;
};

}  // namespace td::daemon
