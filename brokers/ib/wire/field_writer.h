#pragma once
// Writes a message's fields (fact sheet 1.6). Why a writer with the same
// method names as FieldReader: each message's field list is written once, as
// a function template over the two (wire/*_fields.h), so the encoder and the
// decoder cannot drift apart.
//
// Encoding: ints and Decimals as plain decimal text (never an exponent),
// bools as 1/0, unset optionals as an empty field, each field followed by one
// NUL. The first problem (a NUL inside a text, an unsupported group) is kept
// and reported by finish(); later calls do nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/status.h"

namespace td::ib::wire {

class FieldWriter {
 public:
  FieldWriter(int server_version, std::string_view message)
      : version_(server_version), message_(message) {}

  int version() const { return version_; }

  void text(std::string_view name, std::string_view v);
  void int32(std::string_view name, int32_t v) { integer(v); }
  void int64(std::string_view name, int64_t v) { integer(v); }
  void opt_int32(std::string_view name, const std::optional<int32_t>& v);
  void opt_int64(std::string_view name, const std::optional<int64_t>& v);
  void flag(std::string_view name, bool v) { raw(v ? "1" : "0"); }
  void opt_flag(std::string_view name, const std::optional<bool>& v);
  // IB "decimal" (quantities) and IB "double" (prices, money): the same text.
  void decimal(std::string_view name, const Decimal& v) { raw(v.to_string()); }
  void opt_decimal(std::string_view name, const std::optional<Decimal>& v);
  void dbl(std::string_view name, const Decimal& v) { decimal(name, v); }
  void opt_dbl(std::string_view name, const std::optional<Decimal>& v) { opt_decimal(name, v); }
  // A field with a fixed value: a message version, a deprecated field.
  void expect(std::string_view name, std::string_view literal) { raw(literal); }
  void ignore(std::string_view name, std::string_view literal) { raw(literal); }
  // The element count of a repeated group; the caller then writes each element.
  template <class T>
  void count(std::string_view name, const std::vector<T>& v) {
    integer(static_cast<int64_t>(v.size()));
  }
  // A flag saying whether an optional group follows.
  template <class T>
  void presence(std::string_view name, const std::optional<T>& v) {
    flag(name, v.has_value());
  }
  // A conditional group the codec does not implement was asked for.
  void unsupported(std::string_view what);

  // The payload (message id included), or the first error.
  Result<std::string> finish() &&;

 private:
  void integer(int64_t v);
  void raw(std::string_view v);

  int version_;
  std::string_view message_;
  std::string out_;
  int index_ = 0;
  std::optional<Error> error_;
};

}  // namespace td::ib::wire
