#include "api/json/decimal_field.h"

#include "api/json/parse.h"

namespace td::api {

namespace {
std::string message(DecimalError e) {
  switch (e) {
    case DecimalError::kEmpty:
      return "must not be empty";
    case DecimalError::kSyntax:
      return "not a decimal number";
    case DecimalError::kPrecision:
      return "more than 8 decimal places";
    case DecimalError::kOverflow:
      return "out of range (at most 92233720368.54775807 in absolute value)";
    case DecimalError::kDivisionByZero:
      break;
  }
  return "not a decimal number";
}
}  // namespace

tl::expected<Decimal, std::string> decimal_from_json(const nlohmann::json& v) {
  std::string text;
  if (v.is_string()) {
    text = v.get_ref<const std::string&>();
  } else if (auto n = number_text(v)) {
    text = std::move(*n);
  } else if (v.is_number_float()) {
    return tl::unexpected(std::string("a binary floating-point number cannot be read exactly"));
  } else {
    return tl::unexpected(
        std::string("must be a decimal (a string such as \"150.25\" or a number)"));
  }
  auto d = Decimal::parse(text);
  if (!d) return tl::unexpected(message(d.error()));
  return *d;
}

nlohmann::json decimal_to_json(Decimal d) {
  return d.to_string();
}

nlohmann::json decimal_to_json(const std::optional<Decimal>& d) {
  if (!d) return nullptr;
  return d->to_string();
}

}  // namespace td::api
