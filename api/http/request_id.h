#pragma once
// X-Request-Id: every response carries one (api-v1.md). A client's id is
// echoed when it is sane; otherwise the server makes one.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace td::api::http {

// 1..128 characters of [A-Za-z0-9._-]: safe to echo, to log and to store.
bool is_valid_request_id(std::string_view id);

// Ids unique within the process and, with overwhelming probability, across
// restarts: "<8 random hex chars>-<counter in hex>", e.g. "3f9a0c1e-2a".
// Thread-safe.
class RequestIdGenerator {
 public:
  RequestIdGenerator();
  std::string next();

 private:
  std::string prefix_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace td::api::http
