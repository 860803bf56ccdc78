#pragma once
// The routes the daemon serves until the control API's router lands
// (issue 4): GET /healthz, and problem+json 404 for everything else. It
// reads no trading state, so it never waits on the engine.
#include "api/http/router.h"

namespace td::daemon {

class HealthRouter final : public api::http::Router {
 public:
  void handle(api::http::HttpRequest req, api::http::Reply reply) override;
};

}  // namespace td::daemon
