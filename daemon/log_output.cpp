#include "daemon/log_output.h"

namespace td::daemon {

LogOutput::LogOutput(std::FILE* out, spdlog::details::thread_pool* pool) : out_(out), pool_(pool) {}

void LogOutput::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  std::fwrite(line.data(), 1, line.size(), out_);
  if (pool_ == nullptr || pool_->queue_size() == 0) std::fflush(out_);
}

void LogOutput::flush_() {
  std::fflush(out_);
}

}  // namespace td::daemon
