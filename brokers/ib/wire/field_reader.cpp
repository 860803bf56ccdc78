#include "brokers/ib/wire/field_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "brokers/ib/wire/printable.h"

namespace td::ib::wire {
namespace {

constexpr std::string_view kUnsetInt = "2147483647";
constexpr std::string_view kUnsetLong = "9223372036854775807";
constexpr std::string_view kUnsetLongMin = "-9223372036854775808";

// DBL_MAX as Java (the server) and IB's Python client print it.
constexpr std::string_view kUnsetDouble = "1.7976931348623157E308";
constexpr std::string_view kUnsetDoublePython = "1.7976931348623157e+308";

}  // namespace

FieldReader::FieldReader(std::string_view payload, int server_version)
    : payload_(payload), version_(server_version) {
  total_ = static_cast<size_t>(std::count(payload.begin(), payload.end(), '\0'));
  if (payload.empty())
    error_ = Error{ErrorCode::kInvalidArgument, "IB message: empty payload"};
  else if (payload.back() != '\0')
    error_ = Error{ErrorCode::kInvalidArgument,
                   fmt::format("IB message: last field \"{}\" is not NUL-terminated",
                               printable(payload.substr(payload.rfind('\0') + 1)))};
}

void FieldReader::fail(std::string_view name, size_t index, std::string_view problem) {
  if (error_) return;
  error_ = Error{ErrorCode::kInvalidArgument,
                 fmt::format("{}: field {} ({}): {}", message_, index, name, problem)};
}

std::optional<std::string_view> FieldReader::next(std::string_view name) {
  if (error_) return std::nullopt;
  if (index_ >= total_) {
    fail(name, index_, fmt::format("missing (the message has {} fields)", total_));
    return std::nullopt;
  }
  const size_t end = payload_.find('\0', pos_);  // present: index_ < total_
  const std::string_view field = payload_.substr(pos_, end - pos_);
  pos_ = end + 1;
  ++index_;
  return field;
}

Result<int> FieldReader::message_id() {
  std::optional<int64_t> id = integer("message id", 0, std::numeric_limits<int32_t>::max());
  if (!id) return tl::unexpected(*error_);
  return static_cast<int>(*id);
}

std::optional<int64_t> FieldReader::integer(std::string_view name, int64_t lo, int64_t hi) {
  const auto f = next(name);
  if (!f) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(f->data(), f->data() + f->size(), v);
  if (f->empty() || ec == std::errc::invalid_argument || p != f->data() + f->size()) {
    fail(name, index_ - 1, fmt::format("\"{}\" is not an integer", printable(*f)));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || v < lo || v > hi) {
    fail(name, index_ - 1, fmt::format("{} is out of range", printable(*f)));
    return std::nullopt;
  }
  return v;
}

void FieldReader::text(std::string_view name, std::string& v) {
  if (const auto f = next(name)) v.assign(*f);
}

void FieldReader::int32(std::string_view name, int32_t& v) {
  if (const auto n =
          integer(name, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()))
    v = static_cast<int32_t>(*n);
}

void FieldReader::int64(std::string_view name, int64_t& v) {
  if (const auto n =
          integer(name, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()))
    v = *n;
}

bool FieldReader::take_unset(std::string_view name, std::initializer_list<std::string_view> unset) {
  if (error_ || index_ >= total_) {
    next(name);  // reports the missing field
    return true;
  }
  const std::string_view f = payload_.substr(pos_, payload_.find('\0', pos_) - pos_);
  if (!f.empty() && std::find(unset.begin(), unset.end(), f) == unset.end()) return false;
  next(name);
  return true;
}

// Empty (or an unset spelling): nullopt; anything else is read as a value.
template <class T>
void FieldReader::read_optional(std::string_view name, std::optional<T>& v,
                                std::initializer_list<std::string_view> unset,
                                void (FieldReader::*read)(std::string_view, T&)) {
  v.reset();
  if (take_unset(name, unset)) return;
  T x{};
  (this->*read)(name, x);
  if (!error_) v = x;
}

void FieldReader::opt_int32(std::string_view name, std::optional<int32_t>& v) {
  read_optional(name, v, {kUnsetInt}, &FieldReader::int32);
}

void FieldReader::opt_int64(std::string_view name, std::optional<int64_t>& v) {
  read_optional(name, v, {kUnsetLong}, &FieldReader::int64);
}

void FieldReader::flag(std::string_view name, bool& v) {
  v = false;
  if (take_unset(name, {})) return;
  if (const auto n =
          integer(name, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()))
    v = *n != 0;
}

void FieldReader::opt_flag(std::string_view name, std::optional<bool>& v) {
  read_optional(name, v, {}, &FieldReader::flag);
}

std::optional<Decimal> FieldReader::number(std::string_view name, bool exact) {
  const auto f = next(name);
  if (!f) return std::nullopt;
  if (f->empty()) {
    fail(name, index_ - 1, "empty where a number is required");
    return std::nullopt;
  }
  auto d = exact ? Decimal::parse(*f) : Decimal::parse(*f, Rounding::kHalfEven);
  if (!d) {
    fail(name, index_ - 1, fmt::format("\"{}\": {}", printable(*f), to_string(d.error())));
    return std::nullopt;
  }
  return *d;
}

void FieldReader::decimal(std::string_view name, Decimal& v) {
  if (const auto d = number(name, true)) v = *d;
}

void FieldReader::opt_decimal(std::string_view name, std::optional<Decimal>& v) {
  read_optional(name, v, {kUnsetInt, kUnsetLong, kUnsetLongMin, kUnsetDouble, kUnsetDoublePython},
                &FieldReader::decimal);
}

void FieldReader::dbl(std::string_view name, Decimal& v) {
  if (const auto d = number(name, false)) v = *d;
}

void FieldReader::opt_dbl(std::string_view name, std::optional<Decimal>& v) {
  read_optional(name, v, {kUnsetDouble, kUnsetDoublePython}, &FieldReader::dbl);
}

void FieldReader::expect(std::string_view name, std::string_view literal) {
  const auto f = next(name);
  if (f && *f != literal)
    fail(name, index_ - 1, fmt::format("\"{}\" where \"{}\" is expected", printable(*f), literal));
}

void FieldReader::ignore(std::string_view name, std::string_view literal) {
  next(name);
}

std::optional<size_t> FieldReader::read_count(std::string_view name) {
  const auto n =
      integer(name, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  if (!n) return std::nullopt;
  // Every element takes at least one field: a larger count cannot be honest
  // (and must not size an allocation).
  if (*n < 0 || static_cast<uint64_t>(*n) > remaining()) {
    fail(name, index_ - 1,
         fmt::format("count {} with {} fields left in the message", *n, remaining()));
    return std::nullopt;
  }
  return static_cast<size_t>(*n);
}

void FieldReader::unsupported(std::string_view what) {
  if (error_) return;
  error_ = Error{ErrorCode::kInvalidArgument,
                 fmt::format("{}: {} is not supported by this codec", message_, what)};
}

Status FieldReader::status() const {
  if (error_) return tl::unexpected(*error_);
  return {};
}

}  // namespace td::ib::wire
