#pragma once
// Turns engine events into the daemon's log lines (stdout, via spdlog).
// Lines carry the engine's (possibly simulated) time, not the wall clock, so
// two paper runs with one seed log identical order/fill lines; journald adds
// the wall-clock timestamps under systemd.
#include "core/engine.h"
#include "core/events.h"

namespace td::daemon {

class LogSink final : public EventSink {
 public:
  explicit LogSink(const Engine& engine) : engine_(engine) {}
  void on_event(const Event& e) override;
  // "pnl ..." summary line.
  void log_pnl() const;

 private:
  const Engine& engine_;
};

}  // namespace td::daemon
