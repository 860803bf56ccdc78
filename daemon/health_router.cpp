#include "daemon/health_router.h"

#include "api/problem.h"

namespace td::daemon {

void HealthRouter::handle(api::http::HttpRequest req, api::http::Reply reply) {
  if (req.path() == "/healthz") {
    if (req.method != "GET" && req.method != "HEAD") {
      api::Problem p;
      p.status = 405;
      p.slug = "method-not-allowed";
      p.title = "Method not allowed";
      p.detail = "/healthz answers GET";
      p.instance = std::string(req.path());
      auto r = api::http::HttpResponse::json(405, api::to_json_text(p));
      r.headers.set("Content-Type", std::string(api::kProblemContentType));
      r.headers.set("Allow", "GET, HEAD");
      reply(std::move(r));
      return;
    }
    reply(api::http::HttpResponse::json(200, R"({"status":"ok"})"));
    return;
  }
  api::Problem p = api::not_found("no route " + std::string(req.path()));
  p.instance = std::string(req.path());
  auto r = api::http::HttpResponse::json(404, api::to_json_text(p));
  r.headers.set("Content-Type", std::string(api::kProblemContentType));
  reply(std::move(r));
}

}  // namespace td::daemon
