// The OpenAPI document (api/openapi/openapi.json) against the route table,
// the one list of what the daemon serves (api/routes/route_table.h): every
// route is documented with its access, nothing else is, and every operation
// lists the answers it can give. Also: every "$ref" resolves, and every
// component is used.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "api/routes/route_table.h"
#include "openapi_test_support.h"

namespace td::api {
namespace {

using nlohmann::json;
using openapi_test::doc;
using openapi_test::resolve;

const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                        "options", "head", "patch", "trace"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The operation of a route, or nullptr.
const json* operation(std::string_view method, std::string_view path) {
  const json& paths = doc().at("paths");
  auto p = paths.find(std::string(path));
  if (p == paths.end()) return nullptr;
  auto op = p->find(lower(method));
  return op == p->end() ? nullptr : &*op;
}

// The operation's parameters (resolved) with `in` == where.
std::set<std::string> parameters(const json& op, const std::string& where) {
  std::set<std::string> out;
  for (const json& p : op.value("parameters", json::array())) {
    const json& r = resolve(p);
    if (r.at("in") == where) out.insert(r.at("name").get<std::string>());
  }
  return out;
}

TEST(OpenApiDocument, IsOpenApi31WithBearerScheme) {
  EXPECT_EQ(doc().at("openapi"), "3.1.0");
  EXPECT_FALSE(doc().at("info").at("title").get<std::string>().empty());
  const json& scheme = doc().at("components").at("securitySchemes").at("bearerAuth");
  EXPECT_EQ(scheme.at("type"), "http");
  EXPECT_EQ(scheme.at("scheme"), "bearer");
  // The embedded bytes are the file's, whole.
  EXPECT_EQ(openapi_json().front(), '{');
  EXPECT_EQ(openapi_json().back(), '\n');
}

TEST(OpenApiRouteInventory, EveryRouteIsDocumentedWithItsAccess) {
  std::set<std::string> operation_ids;
  for (const RouteInfo& r : route_table()) {
    SCOPED_TRACE(std::string(r.method) + " " + std::string(r.path));
    const json* op = operation(r.method, r.path);
    ASSERT_NE(op, nullptr) << "not in openapi.json";
    EXPECT_EQ(op->at("x-tradingd-access"), to_string(r.access));
    EXPECT_EQ(op->at("x-tradingd-mutating"), r.mutating);
    const std::string id = op->at("operationId").get<std::string>();
    EXPECT_FALSE(id.empty());
    EXPECT_TRUE(operation_ids.insert(id).second) << "duplicate operationId " << id;
    EXPECT_FALSE(op->value("summary", "").empty());

    // Security consistent with the access: public operations need nothing;
    // the others need the bearer token. Only /metrics (public when so
    // configured) and the stream (a browser authenticates in its first
    // message) also list the anonymous alternative {}.
    ASSERT_TRUE(op->contains("security")) << "every operation states its security";
    const json& security = op->at("security");
    if (r.access == Access::kPublic) {
      EXPECT_EQ(security, json::array());
    } else {
      const json bearer = {{"bearerAuth", json::array()}};
      EXPECT_NE(std::find(security.begin(), security.end(), bearer), security.end());
      const bool anonymous_ok = r.access == Access::kMetrics || r.path == "/api/v1/stream";
      for (const json& alternative : security) {
        if (alternative == bearer) continue;
        EXPECT_TRUE(anonymous_ok && alternative == json::object()) << alternative.dump();
      }
    }
  }
}

TEST(OpenApiRouteInventory, EveryDocumentedOperationIsARoute) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const RouteInfo& r : route_table()) routes.insert({lower(r.method), std::string(r.path)});
  size_t documented = 0;
  for (const auto& [path, item] : doc().at("paths").items()) {
    for (const auto& [key, op] : item.items()) {
      ASSERT_TRUE(kMethods.count(key))
          << path << ": path item member " << key << " (only operations are used)";
      EXPECT_TRUE(routes.count({key, path})) << key << " " << path << " is not in route_table()";
      ++documented;
    }
  }
  EXPECT_EQ(documented, route_table().size());
}

TEST(OpenApiRouteInventory, OperationsListTheAnswersTheyCanGive) {
  static const std::regex kTemplate(R"(\{([^}]+)\})");
  for (const RouteInfo& r : route_table()) {
    const std::string route = std::string(r.method) + " " + std::string(r.path);
    SCOPED_TRACE(route);
    const json* op = operation(r.method, r.path);
    ASSERT_NE(op, nullptr);
    const json& responses = op->at("responses");
    auto lists = [&](const char* code) { return responses.contains(code); };

    // Path parameters: exactly the template's, required.
    std::set<std::string> in_template;
    const std::string path(r.path);
    for (std::sregex_iterator it(path.begin(), path.end(), kTemplate), end; it != end; ++it)
      in_template.insert((*it)[1]);
    EXPECT_EQ(parameters(*op, "path"), in_template);
    for (const json& p : op->value("parameters", json::array()))
      if (resolve(p).at("in") == "path") {
        EXPECT_EQ(resolve(p).at("required"), true);
      }

    const bool has_body = op->contains("requestBody");
    const bool has_query = !parameters(*op, "query").empty();
    bool has_success = false;
    for (const auto& [code, resp] : responses.items())
      has_success = has_success || (code.size() == 3 && (code[0] == '1' || code[0] == '2'));
    EXPECT_TRUE(has_success);
    if (r.access != Access::kPublic) {
      EXPECT_TRUE(lists("401"));
      EXPECT_TRUE(lists("403"));
    } else {
      EXPECT_FALSE(lists("401"));
      EXPECT_FALSE(lists("403"));
    }
    if (has_body || has_query) {
      EXPECT_TRUE(lists("400"));
    }
    if (has_body) {
      EXPECT_TRUE(lists("413"));
      EXPECT_TRUE(lists("415"));
      const json& content = resolve(op->at("requestBody")).at("content");
      EXPECT_TRUE(content.contains("application/json"));
      // Request schemas refuse unknown members (api-v1.md: typos never pass).
      const json& schema = resolve(content.at("application/json").at("schema"));
      EXPECT_EQ(schema.at("additionalProperties"), false);
    }
    if (!in_template.empty()) {
      EXPECT_TRUE(lists("404"));
    }
    EXPECT_TRUE(lists("429"));

    // Errors are problem+json (GET /readyz's 503 is its readiness body).
    for (const auto& [code, resp] : responses.items()) {
      if (code[0] != '4' && code[0] != '5') continue;
      if (r.path == "/readyz" && code == "503") continue;
      const json& content = resolve(resp).at("content");
      ASSERT_TRUE(content.contains("application/problem+json")) << code;
      EXPECT_EQ(content.at("application/problem+json").at("schema").at("$ref"),
                "#/components/schemas/Problem");
    }
  }
}

TEST(OpenApiRouteInventory, MutatingRoutesWithRefusalsListThem) {
  // The contract's refusals, where they apply (api-v1.md's error table).
  auto codes = [](const char* method, const char* path) {
    std::set<std::string> out;
    for (const auto& [code, resp] : operation(method, path)->at("responses").items())
      out.insert(code);
    return out;
  };
  const auto submit = codes("POST", "/api/v1/orders");
  for (const char* c :
       {"201", "200", "400", "401", "403", "409", "413", "415", "422", "429", "503"})
    EXPECT_TRUE(submit.count(c)) << c;
  EXPECT_TRUE(codes("PATCH", "/api/v1/orders/{id}").count("202"));
  EXPECT_TRUE(codes("DELETE", "/api/v1/orders/{id}").count("409"));
  EXPECT_TRUE(codes("POST", "/api/v1/flatten").count("202"));
  EXPECT_TRUE(codes("DELETE", "/api/v1/kill-switch").count("409"));
  EXPECT_TRUE(codes("GET", "/api/v1/stream").count("101"));
  EXPECT_TRUE(codes("GET", "/readyz").count("503"));
}

// The check every route test runs on every answer (api_routes_test.cpp:
// ApiRoutesTest::call): it passes what the document says and catches each
// kind of drift.
openapi_test::ResponseView answer(int status, std::string content_type, std::string body,
                                  std::string request_id = "rid-1") {
  openapi_test::ResponseView r;
  r.status = status;
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", std::move(content_type));
  if (!request_id.empty()) r.headers.emplace_back("X-Request-Id", std::move(request_id));
  r.body = std::move(body);
  return r;
}
openapi_test::ResponseView problem(int status, const std::string& slug, const std::string& path) {
  return answer(status, "application/problem+json",
                json{{"type", "/problems/" + slug}, {"title", "T"}, {"status", status},
                     {"instance", path}}
                    .dump());
}
size_t errors(std::string_view method, std::string_view target,
              const openapi_test::ResponseView& r, std::string_view rid = {}) {
  return openapi_test::response_errors(method, target, r, rid).size();
}

TEST(OpenApiConformance, ADocumentedAnswerPasses) {
  EXPECT_EQ(errors("GET", "/healthz", answer(200, "application/json", R"({"status":"ok"})")), 0u);
  EXPECT_EQ(errors("GET", "/healthz", answer(200, "application/json", R"({"status":"ok"})"),
                   "rid-1"),
            0u);
  EXPECT_EQ(errors("HEAD", "/healthz", answer(200, "application/json", "")), 0u);
  EXPECT_EQ(errors("GET", "/api/v1/orders/7", problem(404, "not-found", "/api/v1/orders/7")), 0u);
  EXPECT_EQ(errors("GET", "/nowhere", problem(404, "not-found", "/nowhere")), 0u);
  // A parameter segment that does not decode matches no template (found by
  // fuzz_http_request): 404, not the 405 of /queue/{id}; a method in
  // another case is no operation's (405).
  EXPECT_EQ(errors("POST", "/api/v1/queue/pa%se", problem(404, "not-found", "/api/v1/queue/pa%se")),
            0u);
  auto other_case = answer(405, "application/problem+json",
                           R"({"type":"/problems/method-not-allowed","title":"T","status":405})");
  other_case.headers.emplace_back("Allow", "GET");
  EXPECT_EQ(errors("GEt", "/healthz", other_case), 0u);
  EXPECT_EQ(errors("DELETE", "/api/v1/orders",
                   answer(202, "application/json", R"({"cancelled":["1","2"]})")),
            0u);
  auto r = problem(401, "unauthorized", "/api/v1/status");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  EXPECT_EQ(errors("GET", "/api/v1/status?x=1", r), 0u);
  auto m = answer(405, "application/problem+json",
                  R"({"type":"/problems/method-not-allowed","title":"T","status":405})");
  m.headers.emplace_back("Allow", "POST");
  EXPECT_EQ(errors("DELETE", "/api/v1/queue/pause", m), 0u);
  EXPECT_EQ(errors("GET", "/metrics",
                   answer(200, "text/plain; version=0.0.4; charset=utf-8", "tradingd_up 1\n")),
            0u);
}

TEST(OpenApiConformance, EachKindOfDriftIsCaught) {
  const std::string ok = R"({"status":"ok"})";
  // A status the operation does not list; a documented path answering 404
  // where it has no parameter is still checked against its own list.
  EXPECT_GT(errors("GET", "/healthz", answer(418, "application/json", ok)), 0u);
  EXPECT_GT(errors("GET", "/api/v1/kill-switch", problem(404, "not-found", "/api/v1/kill-switch")),
            0u);
  // An undocumented path that is not a 404.
  EXPECT_GT(errors("GET", "/nowhere", answer(200, "application/json", ok)), 0u);
  // Content type: another one, none, or a parameter short.
  EXPECT_GT(errors("GET", "/healthz", answer(200, "text/plain", ok)), 0u);
  EXPECT_GT(errors("GET", "/healthz", answer(200, "", ok)), 0u);
  EXPECT_GT(errors("GET", "/metrics", answer(200, "text/plain; version=0.0.4", "x 1\n")), 0u);
  EXPECT_GT(errors("GET", "/api/v1/orders/7", answer(404, "application/json",
                                                     problem(404, "not-found", "/x").body)),
            0u);
  // The body: not JSON, a member too many, one missing, a wrong type.
  EXPECT_GT(errors("GET", "/healthz", answer(200, "application/json", "ok")), 0u);
  EXPECT_GT(errors("GET", "/healthz", answer(200, "application/json", R"({"status":"ok","x":1})")),
            0u);
  EXPECT_GT(errors("DELETE", "/api/v1/orders", answer(202, "application/json", "{}")), 0u);
  EXPECT_GT(errors("DELETE", "/api/v1/orders",
                   answer(202, "application/json", R"({"cancelled":[1]})")),
            0u);
  // X-Request-Id: missing, or not the client's.
  EXPECT_GT(errors("GET", "/healthz", answer(200, "application/json", ok, "")), 0u);
  EXPECT_GT(errors("GET", "/healthz", answer(200, "application/json", ok, "other"), "rid-1"), 0u);
  // A required header (401: WWW-Authenticate).
  EXPECT_GT(errors("GET", "/api/v1/status", problem(401, "unauthorized", "/api/v1/status")), 0u);
  // problem+json: status, instance, a type the response does not document.
  auto p = problem(404, "not-found", "/api/v1/orders/7");
  p.body = R"({"type":"/problems/not-found","title":"T","status":400})";
  EXPECT_GT(errors("GET", "/api/v1/orders/7", p), 0u);
  EXPECT_GT(errors("GET", "/api/v1/orders/7", problem(404, "not-found", "/api/v1/orders/8")), 0u);
  EXPECT_GT(errors("DELETE", "/api/v1/orders/7",
                   problem(409, "trading-halted-ish", "/api/v1/orders/7")),
            0u);
  // 405: Allow must list exactly the path's methods.
  auto m = answer(405, "application/problem+json",
                  R"({"type":"/problems/method-not-allowed","title":"T","status":405})");
  m.headers.emplace_back("Allow", "DELETE, POST");
  EXPECT_GT(errors("DELETE", "/api/v1/queue/pause", m), 0u);
  // HEAD never has a body.
  EXPECT_GT(errors("HEAD", "/healthz", answer(200, "application/json", ok)), 0u);
}

// Every "$ref" in the document, with where it is.
void collect_refs(const json& node, const std::string& where,
                  std::vector<std::pair<std::string, std::string>>& out) {
  if (node.is_object()) {
    for (const auto& [k, v] : node.items()) {
      if (k == "$ref" && v.is_string())
        out.emplace_back(where, v.get<std::string>());
      else
        collect_refs(v, where + "/" + k, out);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i)
      collect_refs(node[i], where + "/" + std::to_string(i), out);
  }
}

TEST(OpenApiRefs, EveryRefResolvesAndEveryComponentIsUsed) {
  std::vector<std::pair<std::string, std::string>> refs;
  collect_refs(doc(), "", refs);
  ASSERT_GT(refs.size(), 100u);
  std::set<std::string> targets;
  for (const auto& [where, ref] : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << where << ": only local refs: " << ref;
    const json::json_pointer ptr(ref.substr(1));
    EXPECT_TRUE(doc().contains(ptr)) << where << ": " << ref << " does not resolve";
    targets.insert(ref);
  }
  for (const char* section : {"schemas", "responses", "parameters", "headers"}) {
    for (const auto& [name, v] : doc().at("components").at(section).items()) {
      const std::string ref = std::string("#/components/") + section + "/" + name;
      EXPECT_TRUE(targets.count(ref)) << ref << " is never used";
    }
  }
}

}  // namespace
}  // namespace td::api
