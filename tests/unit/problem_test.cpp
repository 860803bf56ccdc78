// problem+json (api/problem.h): the shape of every row of api-v1.md's error
// table, and how engine errors and risk refusals map onto them.
#include "api/problem.h"

#include <gtest/gtest.h>

#include <string>

namespace td::api {
namespace {

using nlohmann::json;

json body(const Problem& p) {
  return json::parse(to_json_text(p));
}

TEST(Problem, ValidationErrorShape) {
  Problem p = validation_error({{"qty", "must be > 0"}, {"side", "required"}});
  p.instance = "/api/v1/orders";
  EXPECT_EQ(body(p), json::parse(R"({
    "type": "/problems/validation-error", "title": "Validation error", "status": 400,
    "detail": "qty: must be > 0; side: required", "instance": "/api/v1/orders",
    "errors": [{"field": "qty", "message": "must be > 0"},
               {"field": "side", "message": "required"}]})"));
  EXPECT_EQ(p.status, 400);

  // A body-level error has field "" and no "field: " prefix in the detail.
  p = validation_error({{"", "malformed JSON at byte offset 3: x"}});
  EXPECT_EQ(body(p)["detail"], "malformed JSON at byte offset 3: x");
  EXPECT_EQ(body(p)["errors"][0]["field"], "");

  // Many errors: the detail names the first five.
  std::vector<FieldError> many;
  for (int i = 0; i < 8; ++i) many.push_back({"f" + std::to_string(i), "bad"});
  EXPECT_EQ(body(validation_error(many))["detail"],
            "f0: bad; f1: bad; f2: bad; f3: bad; f4: bad; and 3 more");
  EXPECT_EQ(body(validation_error(many))["errors"].size(), 8u);
  EXPECT_EQ(body(validation_error({}, "custom"))["detail"], "custom");
}

TEST(Problem, EveryRowOfTheTable) {
  struct Row {
    Problem p;
    int status;
    const char* slug;
  };
  const Row rows[] = {
      {unauthorized(), 401, "unauthorized"},
      {forbidden(), 403, "forbidden"},
      {not_found(), 404, "not-found"},
      {idempotency_conflict(), 409, "idempotency-conflict"},
      {trading_halted("kill_switch_engaged", "the kill switch is engaged"), 409, "trading-halted"},
      {payload_too_large(), 413, "payload-too-large"},
      {unsupported_media_type(), 415, "unsupported-media-type"},
      {risk_rejected("max_order_notional", "notional 500000 > 100000"), 422, "risk-rejected"},
      {rate_limited(), 429, "rate-limited"},
      {reconciling(), 503, "reconciling"},
      {unavailable(), 503, "unavailable"},
      {invalid_state("order is filled"), 409, "invalid-state"},
      {internal_error(), 500, "internal-error"},
  };
  for (const Row& r : rows) {
    const json j = body(r.p);
    EXPECT_EQ(r.p.status, r.status) << r.slug;
    EXPECT_EQ(j["status"], r.status) << r.slug;
    EXPECT_EQ(j["type"], std::string("/problems/") + r.slug);
    ASSERT_TRUE(j["title"].is_string()) << r.slug;
    EXPECT_FALSE(j["title"].get<std::string>().empty()) << r.slug;
    ASSERT_TRUE(j["detail"].is_string()) << r.slug;
    EXPECT_FALSE(j.contains("errors")) << r.slug;
    EXPECT_FALSE(j.contains("instance")) << r.slug;  // the router sets it
  }
  EXPECT_EQ(body(payload_too_large(65536))["detail"], "the body is larger than 65536 bytes");
  EXPECT_EQ(body(trading_halted("reducing_only", "only reducing orders")),
            json::parse(R"({"type": "/problems/trading-halted", "title": "Trading halted",
              "status": 409, "detail": "only reducing orders", "check": "reducing_only"})"));
  EXPECT_EQ(body(risk_rejected("price_collar", "limit 500 is 10% from 450")),
            json::parse(R"({"type": "/problems/risk-rejected", "title": "Risk check failed",
              "status": 422, "detail": "limit 500 is 10% from 450", "check": "price_collar"})"));
  EXPECT_EQ(body(reconciling())["check"], "reconciling");
  EXPECT_FALSE(body(unauthorized()).contains("check"));
  EXPECT_EQ(std::string(kProblemContentType), "application/problem+json");
}

TEST(Problem, RiskDenials) {
  auto p = problem_for(RiskDenial{"kill_switch_engaged", "trading is halted", std::nullopt});
  EXPECT_EQ(p.status, 409);
  EXPECT_EQ(p.slug, "trading-halted");
  EXPECT_EQ(p.check, "kill_switch_engaged");
  EXPECT_EQ(p.detail, "trading is halted");

  p = problem_for(RiskDenial{"reducing_only", "state reducing", std::nullopt});
  EXPECT_EQ(p.status, 409);
  EXPECT_EQ(p.slug, "trading-halted");
  EXPECT_EQ(p.check, "reducing_only");

  for (const char* check : {"max_order_notional", "price_collar", "daily_loss_limit", "rate_limit",
                            "max_order_qty", "reduce_only", "trading_hours"}) {
    p = problem_for(RiskDenial{check, "no", std::nullopt});
    EXPECT_EQ(p.status, 422) << check;
    EXPECT_EQ(p.slug, "risk-rejected") << check;
    EXPECT_EQ(p.check, check);
  }
  p = problem_for(RiskDenial{"reconciling", "not yet", std::nullopt});
  EXPECT_EQ(p.status, 503);
  EXPECT_EQ(p.check, "reconciling");
}

TEST(Problem, EngineErrors) {
  auto p = problem_for(Error{ErrorCode::kInvalidArgument, "symbol: unknown instrument XYZ"});
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(p.slug, "validation-error");
  EXPECT_EQ(p.errors, (std::vector<FieldError>{{"symbol", "unknown instrument XYZ"}}));
  EXPECT_EQ(p.detail, "symbol: unknown instrument XYZ");

  p = problem_for(Error{ErrorCode::kInvalidArgument, "order 7: fill of 5 exceeds remaining 1"});
  EXPECT_EQ(p.errors, (std::vector<FieldError>{{"", "order 7: fill of 5 exceeds remaining 1"}}));

  p = problem_for(Error{ErrorCode::kNotFound, "no order 12"});
  EXPECT_EQ(p.status, 404);
  EXPECT_EQ(p.slug, "not-found");
  EXPECT_EQ(p.detail, "no order 12");

  p = problem_for(Error{ErrorCode::kConflict, "client_order_id 'a' was used for another order"});
  EXPECT_EQ(p.status, 409);
  EXPECT_EQ(p.slug, "idempotency-conflict");

  p = problem_for(Error{ErrorCode::kIllegalTransition, "order is filled"});
  EXPECT_EQ(p.status, 409);
  EXPECT_EQ(p.slug, "invalid-state");

  p = problem_for(Error{ErrorCode::kRejected, "kill_switch_engaged: trading is halted"});
  EXPECT_EQ(p.status, 409);
  EXPECT_EQ(p.slug, "trading-halted");
  EXPECT_EQ(p.check, "kill_switch_engaged");
  EXPECT_EQ(p.detail, "trading is halted");

  p = problem_for(Error{ErrorCode::kRejected, "max_order_qty: 500 > 100"});
  EXPECT_EQ(p.status, 422);
  EXPECT_EQ(p.slug, "risk-rejected");
  EXPECT_EQ(p.check, "max_order_qty");
  EXPECT_EQ(p.detail, "500 > 100");

  p = problem_for(Error{ErrorCode::kRejected, "Broker said no"});
  EXPECT_EQ(p.status, 422);
  EXPECT_EQ(p.check, std::nullopt);
  EXPECT_EQ(p.detail, "Broker said no");

  p = problem_for(Error{ErrorCode::kUnavailable, "store is down"});
  EXPECT_EQ(p.status, 503);
  EXPECT_EQ(p.slug, "unavailable");

  p = problem_for(Error{ErrorCode::kInternal, "bug"});
  EXPECT_EQ(p.status, 500);
  EXPECT_EQ(p.slug, "internal-error");
}

TEST(Problem, TextIsAlwaysValidJson) {
  Problem p = validation_error({{"sym\xff", "bad \xc3"}});
  p.instance = "/api/v1/orders/\xfe";
  std::string text;
  ASSERT_NO_THROW(text = to_json_text(p));
  EXPECT_NO_THROW(json::parse(text));
}

}  // namespace
}  // namespace td::api
