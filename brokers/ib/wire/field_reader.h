#pragma once
// Reads a message's fields (fact sheet 1.6); the twin of FieldWriter, driven
// by the same field lists (wire/*_fields.h). Why errors are sticky: a field
// list reads dozens of fields in a row; the first problem is kept (naming
// the message, the field's position and its name) and every later call does
// nothing, so the list needs no check after each field and still never reads
// past the payload.
//
// Decoding: a payload is NUL-terminated fields (the last one too). Unset
// values become empty optionals: "" and 2147483647 for ints,
// 9223372036854775807 for longs, "" and DBL_MAX for doubles (Java's
// 1.7976931348623157E308, Python's 1.7976931348623157e+308), and for IB
// decimals also 2147483647, 9223372036854775807 and -9223372036854775808. A required number that is
// empty, unset or not a number is an error. IB "double" text (Java's Double.toString: "196.52",
// "1.0E-4") is read exactly into a Decimal, rounded half-even at 1e-8 when it has more digits
// (averages such as avgFillPrice); IB "decimal" text (quantities) must fit 1e-8 exactly.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/status.h"

namespace td::ib::wire {

class FieldReader {
 public:
  // `payload` (one frame's payload) must outlive the reader.
  FieldReader(std::string_view payload, int server_version);

  int version() const { return version_; }
  // The message name used in errors ("openOrder").
  void set_message(std::string_view name) { message_ = name; }

  // The first field, the message id.
  Result<int> message_id();

  void text(std::string_view name, std::string& v);
  void int32(std::string_view name, int32_t& v);
  void int64(std::string_view name, int64_t& v);
  void opt_int32(std::string_view name, std::optional<int32_t>& v);
  void opt_int64(std::string_view name, std::optional<int64_t>& v);
  void flag(std::string_view name, bool& v);  // "" is false, any other integer != 0 true
  void opt_flag(std::string_view name, std::optional<bool>& v);
  void decimal(std::string_view name, Decimal& v);
  void opt_decimal(std::string_view name, std::optional<Decimal>& v);
  void dbl(std::string_view name, Decimal& v);
  void opt_dbl(std::string_view name, std::optional<Decimal>& v);
  // A field that must hold `literal` (a message version the layout depends on).
  void expect(std::string_view name, std::string_view literal);
  // A field whose value does not matter (a version read and ignored, a
  // deprecated field).
  void ignore(std::string_view name, std::string_view literal);
  template <class T>
  void count(std::string_view name, std::vector<T>& v) {
    v.clear();
    if (auto n = read_count(name)) v.resize(*n);
  }
  template <class T>
  void presence(std::string_view name, std::optional<T>& v) {
    bool present = false;
    flag(name, present);
    if (present)
      v.emplace();
    else
      v.reset();
  }
  void unsupported(std::string_view what);

  // The next field as it is (nullopt, with the error kept, when none is left).
  std::optional<std::string_view> next(std::string_view name);

  size_t remaining() const { return total_ - index_; }
  Status status() const;

 private:
  void fail(std::string_view name, size_t index, std::string_view problem);
  std::optional<int64_t> integer(std::string_view name, int64_t lo, int64_t hi);
  std::optional<size_t> read_count(std::string_view name);
  std::optional<Decimal> number(std::string_view name, bool exact);
  bool take_unset(std::string_view name, std::initializer_list<std::string_view> unset);
  template <class T>
  void read_optional(std::string_view name, std::optional<T>& v,
                     std::initializer_list<std::string_view> unset,
                     void (FieldReader::*read)(std::string_view, T&));

  std::string_view payload_;
  int version_;
  std::string_view message_ = "IB message";
  size_t pos_ = 0;    // offset of the next field
  size_t index_ = 0;  // its position (0 = message id)
  size_t total_ = 0;  // fields in the payload
  std::optional<Error> error_;
};

}  // namespace td::ib::wire
