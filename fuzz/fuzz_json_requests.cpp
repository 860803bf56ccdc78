// libFuzzer target: every request-body parser of the control API
// (api/json/order_request.h) and the exact JSON parser under them
// (api/json/parse.h). The first byte picks the parser ('0'..'7' in the seed
// corpus, any byte modulo 8); the rest is the body.
//
// Checked beyond "no crash, no ASan/UBSan report":
// - parse_json accepts only what nlohmann's own parser accepts (it is
//   stricter: depth, duplicates, numbers out of double range), and every
//   number node keeps a lexeme that decimal_from_json reads without throwing;
// - every refusal has at least one error, and its problem+json text is JSON;
// - an accepted order request maps back to an order object (to_json) and,
//   written out as a request again, parses to the same request (round trip);
// - an accepted risk-limits patch passes risk::validate, and the limits
//   written back as a patch parse to the same limits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/json/decimal_field.h"
#include "api/json/mapping.h"
#include "api/json/order_request.h"
#include "api/json/parse.h"
#include "api/problem.h"

namespace {

using nlohmann::json;
namespace api = td::api;

void check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "fuzz_json_requests: property violated: %s\n", what);
    abort();
  }
}

template <class T>
void check_refusal(const api::Parsed<T>& parsed) {
  if (parsed) return;
  check(!parsed.error().empty(), "a refusal names at least one error");
  const std::string text = api::to_json_text(api::validation_error(parsed.error()));
  check(json::accept(text), "problem+json text is valid JSON");
}

// The request as a client would write it (decimals as strings).
json order_request_json(const td::OrderRequest& r) {
  json j{{"symbol", r.symbol.str()},    {"side", td::to_string(r.side)},
         {"qty", r.qty.to_string()},    {"type", td::to_string(r.type)},
         {"tif", td::to_string(r.tif)}, {"outside_rth", r.outside_rth},
         {"reduce_only", r.reduce_only}};
  if (r.limit_price) j["limit_price"] = r.limit_price->to_string();
  if (r.stop_price) j["stop_price"] = r.stop_price->to_string();
  if (!r.client_order_id.empty()) j["client_order_id"] = r.client_order_id;
  if (r.submit_at) j["submit_at"] = td::format_rfc3339(*r.submit_at);
  return j;
}

void order_request(std::string_view body) {
  auto parsed = api::parse_order_request(body);
  check_refusal(parsed);
  if (!parsed) return;
  const td::OrderRequest& req = *parsed;
  check(req.qty.sign() > 0, "qty > 0");
  // Maps to an order object without throwing.
  const td::Order order(td::OrderId(1), req, td::Timestamp{});
  const json mapped = api::to_json(order);
  check(mapped.at("qty") == req.qty.to_string(), "mapped qty");
  // Round trip through the request's own JSON.
  const std::string again_text = order_request_json(req).dump();
  auto again = api::parse_order_request(again_text);
  check(again.has_value(), "a parsed order request written back parses");
  check(order_request_json(*again).dump() == again_text, "round trip is stable");
  check(again->qty == req.qty && again->limit_price == req.limit_price &&
            again->stop_price == req.stop_price,
        "decimals survive the round trip exactly");
}

void risk_limits_patch(std::string_view body) {
  td::risk::RiskLimits current;
  current.max_order_notional = td::Decimal::from_int(1'000'000);
  auto parsed = api::parse_risk_limits_patch(body, current);
  check_refusal(parsed);
  if (!parsed) return;
  check(td::risk::validate(*parsed).empty(), "accepted limits pass risk::validate");
  json limits = api::to_json(*parsed);
  limits.erase("trading_hours");  // read-only
  auto again = api::parse_risk_limits_patch(limits.dump(), td::risk::RiskLimits{});
  check(again.has_value(), "limits written back as a patch parse");
  json limits_again = api::to_json(*again);
  limits_again.erase("trading_hours");
  check(limits_again == limits, "risk limits round trip");
}

void visit_numbers(const json& v) {
  if (v.is_object()) {
    for (const auto& [k, e] : v.items()) visit_numbers(e);
  } else if (v.is_array()) {
    for (const auto& e : v) visit_numbers(e);
  } else if (api::is_number(v)) {
    check(api::number_text(v).has_value(), "a number node keeps its text");
    (void)api::decimal_from_json(v);  // a value or a message, never a throw
  }
}

void any_json(std::string_view text) {
  auto parsed = api::parse_json(text);
  check_refusal(parsed);
  if (!parsed) return;
  check(json::accept(text), "parse_json accepts only JSON");
  visit_numbers(*parsed);
  const json standard = api::to_standard(*parsed);
  check(json::accept(api::dump_json(standard)), "dump_json writes JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      order_request(body);
      break;
    case 1:
      check_refusal(api::parse_order_modification(body));
      break;
    case 2:
      check_refusal(api::parse_trading_state_request(body));
      break;
    case 3:
      check_refusal(api::parse_kill_switch_engage(body));
      break;
    case 4:
      check_refusal(api::parse_kill_switch_rearm(body));
      break;
    case 5:
      check_refusal(api::parse_flatten_request(body));
      break;
    case 6:
      risk_limits_patch(body);
      break;
    case 7:
      any_json(body);
      break;
  }
  return 0;
}
