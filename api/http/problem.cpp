#include "api/http/problem.h"

#include "api/problem.h"

namespace td::api::http {

HttpResponse problem_response(int status, std::string_view slug, std::string_view title,
                              std::string_view detail, std::string_view instance) {
  Problem p;
  p.status = status;
  p.slug = std::string(slug);
  p.title = std::string(title);
  p.detail = std::string(detail);
  p.instance = std::string(instance);
  HttpResponse r = HttpResponse::json(status, to_json_text(p));
  r.headers.set("Content-Type", std::string(kProblemContentType));
  return r;
}

}  // namespace td::api::http
