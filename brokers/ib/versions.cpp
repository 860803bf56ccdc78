#include "brokers/ib/versions.h"

#include <fmt/format.h>

namespace td::ib {

Status check_server_version(int v) {
  if (v < kMinServerVersion)
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("IB server version {} is below the minimum {} (upgrade TWS/IB "
                                  "Gateway to 10.19 or later)",
                                  v, kMinServerVersion));
  if (v > kMaxServerVersion)
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("IB server version {} is above the maximum {} this client "
                                  "advertises",
                                  v, kMaxServerVersion));
  return {};
}

}  // namespace td::ib
