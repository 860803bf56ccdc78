#pragma once
// The router behind the HTTP fuzz target (fuzz_http_request.cpp): the one
// place to change when the real API router (api/routes/) is ready.
//
// make_fuzz_router() builds it once per fuzzing process. Today it returns a
// stub that dispatches on route_table() and runs each route's request-body
// parser (api/json/order_request.h), so the HTTP fuzzer reaches the JSON
// parsers through real request heads. To fuzz the real router, build it
// here (with a paper engine, a token store holding kFuzzTokens, whatever it
// needs) and return it; set `drain` when it answers through the engine's
// thread or a queue, so that every reply has been given when drain returns.
#include <functional>
#include <memory>

#include "api/http/router.h"

namespace td::fuzz {

struct FuzzRouter {
  std::unique_ptr<api::http::Router> router;
  // Runs the work the router posted until none is left; empty when the
  // router answers from handle() itself.
  std::function<void()> drain;
};

FuzzRouter make_fuzz_router();

}  // namespace td::fuzz
