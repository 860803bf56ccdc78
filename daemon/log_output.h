#pragma once
// Where the daemon's log lines go: stdout, written by spdlog's logging
// thread (main.cpp makes the logger asynchronous, so the engine thread only
// queues). Why not spdlog's stdout sinks: they flush after every line, one
// write(2) per line, and the engine logs several lines per order. This sink
// lets stdio buffer and flushes whenever the logging queue is empty, so a
// burst leaves in a few writes while a quiet daemon's lines still appear at
// once (journald, tests that wait for a line).
#include <spdlog/async_logger.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/base_sink.h>

#include <cstdio>

namespace td::daemon {

class LogOutput final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  // `pool`: the async logger's; its queue being empty means "flush now".
  // Not owned: the pool owns (through its queued messages) the logger and
  // this sink, and only its own threads call the sink; holding it here
  // would keep it from ever being joined (nullptr: flush every line).
  LogOutput(std::FILE* out, spdlog::details::thread_pool* pool);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  std::FILE* out_;
  spdlog::details::thread_pool* pool_;
};

}  // namespace td::daemon
