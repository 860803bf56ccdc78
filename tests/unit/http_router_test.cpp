// api/http: the plain pieces of the transport (headers, request ids, the
// transport's own problem responses), without sockets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "api/http/problem.h"
#include "api/http/request_id.h"
#include "api/http/router.h"

namespace td::api::http {
namespace {

TEST(HttpHeaders, LookupIsCaseInsensitiveAndKeepsOrder) {
  Headers h;
  h.add("Content-Type", "application/json");
  h.add("X-Thing", "1");
  h.add("x-thing", "2");
  ASSERT_NE(h.find("content-type"), nullptr);
  EXPECT_EQ(*h.find("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(h.get("X-THING"), "1");  // the first of a repeated name
  EXPECT_EQ(h.get("missing", "none"), "none");
  EXPECT_FALSE(h.contains("missing"));
  EXPECT_EQ(h.size(), 3u);

  h.set("X-Thing", "3");  // replaces both
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("x-thing"), "3");
  h.erase("CONTENT-type");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->first, "X-Thing");
}

TEST(HttpHeaders, IequalsComparesAsciiOnly) {
  EXPECT_TRUE(iequals("Host", "hOST"));
  EXPECT_FALSE(iequals("Host", "Hosts"));
  EXPECT_FALSE(iequals("a", "\xc3\xa0"));
}

TEST(HttpRequest, PathAndQuery) {
  HttpRequest r;
  r.target = "/api/v1/orders?status=open&limit=5";
  EXPECT_EQ(r.path(), "/api/v1/orders");
  EXPECT_EQ(r.query(), "status=open&limit=5");
  r.target = "/healthz";
  EXPECT_EQ(r.path(), "/healthz");
  EXPECT_EQ(r.query(), "");
}

TEST(HttpResponse, Helpers) {
  auto j = HttpResponse::json(201, R"({"id":"1"})");
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.headers.get("content-type"), "application/json");
  auto t = HttpResponse::text(200, "ok", "text/html");
  EXPECT_EQ(t.headers.get("Content-Type"), "text/html");
  EXPECT_EQ(t.body, "ok");
}

TEST(HttpRequestId, Validation) {
  EXPECT_TRUE(is_valid_request_id("abc-123.X_y"));
  EXPECT_TRUE(is_valid_request_id(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_request_id(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_request_id(""));
  EXPECT_FALSE(is_valid_request_id("has space"));
  EXPECT_FALSE(is_valid_request_id("a/b"));
  EXPECT_FALSE(is_valid_request_id("line\r\nbreak"));
  EXPECT_FALSE(is_valid_request_id("caf\xc3\xa9"));
}

TEST(HttpRequestId, GeneratedIdsAreValidAndUnique) {
  RequestIdGenerator gen;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = gen.next();
    EXPECT_TRUE(is_valid_request_id(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

TEST(HttpProblem, BodyAndContentType) {
  auto r = problem_response(413, "payload-too-large", "Payload too large",
                            "the body is larger than 65536 bytes", "/api/v1/orders");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"type":"/problems/payload-too-large",)"
                                  R"("title":"Payload too large","status":413,)"
                                  R"("detail":"the body is larger than 65536 bytes",)"
                                  R"("instance":"/api/v1/orders"})"));
  auto no_instance = problem_response(400, "bad-request", "Bad request", "x");
  EXPECT_EQ(no_instance.body.find("instance"), std::string::npos);
}

// Whatever a client sent ends up in valid JSON (control bytes, invalid UTF-8).
TEST(HttpProblem, AlwaysValidJson) {
  const std::string nasty =
      std::string("a\"b\\c\n\x01\x7f", 9) + std::string("\0", 1) + "\xff\xc3\xed\xa0\x80";
  auto r = problem_response(400, "bad-request", "Bad request", nasty, nasty);
  EXPECT_TRUE(nlohmann::json::accept(r.body)) << r.body;
}

}  // namespace
}  // namespace td::api::http
