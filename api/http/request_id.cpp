#include "api/http/request_id.h"

#include <fmt/format.h>

#include <random>

namespace td::api::http {

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

RequestIdGenerator::RequestIdGenerator() {
  std::random_device rd;
  prefix_ = fmt::format("{:08x}", static_cast<uint32_t>(rd()));
}

std::string RequestIdGenerator::next() {
  return fmt::format("{}-{:x}", prefix_, counter_.fetch_add(1, std::memory_order_relaxed) + 1);
}

}  // namespace td::api::http
