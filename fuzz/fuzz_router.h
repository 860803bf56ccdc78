#pragma once
// The router behind the HTTP fuzz target (fuzz_http_request.cpp): the real
// control API router (td::api::ApiRouter) over a paper world assembled as in
// the route tests (tests/unit/api_routes_test.cpp): a SimScheduler, the
// simulated broker with SPY and QQQ, the engine, the risk manager, the
// snapshot publisher, one sma_cross strategy, and a token store with one
// token per role whose clear text (below) is in fuzz_http_request.dict, so
// the fuzzer reaches the authenticated routes.
//
// Single-threaded: the backend's `post` runs the engine work inline on the
// fuzzer's thread, so every reply has been given when handle() returns (the
// router never posts from inside posted work). `drain` then moves simulated
// time on by a second, so orders are acknowledged and filled between
// requests, and publishes the snapshot.
//
// `begin_input` is called at the start of every input: it rebuilds the world
// (fresh engine, no orders, nothing in the audit log), so memory stays
// bounded however long the fuzzer runs and each input replays the same way
// on its own (a crasher reproduces without the inputs that ran before it).
#include <functional>
#include <memory>
#include <string_view>

#include "api/http/router.h"

namespace td::fuzz {

// The bearer tokens of the fuzz world (clear text; the store keeps hashes).
inline constexpr std::string_view kFuzzViewerToken = "td_fuzz_viewer_0000000000000000000000000000000";
inline constexpr std::string_view kFuzzTraderToken = "td_fuzz_trader_0000000000000000000000000000000";
inline constexpr std::string_view kFuzzAdminToken = "td_fuzz_admin_00000000000000000000000000000000";

struct FuzzRouter {
  std::unique_ptr<api::http::Router> router;
  // Runs the work the router left (simulated time, the snapshot) after a
  // request; empty when there is none.
  std::function<void()> drain;
  // Called at the start of each input; empty when nothing is to be done.
  std::function<void()> begin_input;
};

FuzzRouter make_fuzz_router();

}  // namespace td::fuzz
