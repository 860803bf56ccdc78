#pragma once
// Strong types so an order id can never be passed where a fill id or a share
// count is expected; they cost nothing at run time.
#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace td {

template <class Tag>
class NumericId {
 public:
  constexpr NumericId() = default;
  constexpr explicit NumericId(uint64_t v) : v_(v) {}
  constexpr uint64_t value() const { return v_; }
  constexpr bool valid() const { return v_ != 0; }
  constexpr auto operator<=>(const NumericId&) const = default;
  std::string to_string() const { return std::to_string(v_); }

 private:
  uint64_t v_ = 0;
};

using OrderId = NumericId<struct OrderIdTag>;
using FillId = NumericId<struct FillIdTag>;

// Upper-case instrument symbol ("SPY", "MESZ6", "EUR.USD").
class Symbol {
 public:
  Symbol() = default;
  explicit Symbol(std::string s) : s_(std::move(s)) {}
  const std::string& str() const { return s_; }
  bool empty() const { return s_.empty(); }
  auto operator<=>(const Symbol&) const = default;
  // Inline and without a library call: strategies compare the symbol of
  // every bar (symbols are a few characters).
  bool operator==(const Symbol& o) const {
    const size_t n = s_.size();
    if (n != o.s_.size()) return false;
    const char* a = s_.data();
    const char* b = o.s_.data();
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }

 private:
  std::string s_;
};

}  // namespace td

template <class Tag>
struct std::hash<td::NumericId<Tag>> {
  size_t operator()(const td::NumericId<Tag>& id) const noexcept {
    return std::hash<uint64_t>()(id.value());
  }
};
template <>
struct std::hash<td::Symbol> {
  size_t operator()(const td::Symbol& s) const noexcept {
    return std::hash<std::string>()(s.str());
  }
};
template <class Tag>
struct fmt::formatter<td::NumericId<Tag>> : fmt::formatter<uint64_t> {
  auto format(const td::NumericId<Tag>& id, fmt::format_context& ctx) const {
    return fmt::formatter<uint64_t>::format(id.value(), ctx);
  }
};
template <>
struct fmt::formatter<td::Symbol> : fmt::formatter<std::string_view> {
  auto format(const td::Symbol& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.str(), ctx);
  }
};
