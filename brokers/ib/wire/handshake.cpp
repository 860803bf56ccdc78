#include "brokers/ib/wire/handshake.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "brokers/ib/wire/printable.h"

namespace td::ib::wire {
namespace {

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

// A non-negative decimal int made only of digits; nullopt otherwise.
std::optional<int> parse_digits(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::string> encode_client_hello(const VersionRange& range) {
  if (range.min_version < 0 || range.max_version < range.min_version)
    return tl::unexpected(
        invalid(fmt::format("bad IB version range {}..{}", range.min_version, range.max_version)));
  if (range.options.find('\0') != std::string::npos)
    return tl::unexpected(invalid("IB connect options contain a NUL byte"));
  std::string text = fmt::format("v{}..{}", range.min_version, range.max_version);
  if (!range.options.empty()) text += " " + range.options;
  auto frame = make_frame(text);
  if (!frame) return frame;
  return std::string(kApiPrefix) + *frame;
}

Result<VersionRange> parse_version_range(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return tl::unexpected(invalid(fmt::format("IB client hello \"{}\": {}", printable(text), why)));
  };
  if (text.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (text.empty() || text[0] != 'v') return bad("expected v<min>..<max>");
  std::string_view range = text.substr(1);
  VersionRange out;
  if (const size_t sp = range.find(' '); sp != std::string_view::npos) {
    out.options = std::string(range.substr(sp + 1));
    range = range.substr(0, sp);
  }
  const size_t dots = range.find("..");
  if (dots == std::string_view::npos) return bad("expected v<min>..<max>");
  const auto lo = parse_digits(range.substr(0, dots));
  const auto hi = parse_digits(range.substr(dots + 2));
  if (!lo || !hi) return bad("versions must be decimal numbers");
  if (*lo > *hi) return bad("minimum version above maximum");
  out.min_version = *lo;
  out.max_version = *hi;
  return out;
}

Result<std::optional<ClientHello>> parse_client_hello(std::string_view bytes,
                                                      size_t max_frame_length) {
  const size_t have = std::min(bytes.size(), kApiPrefix.size());
  if (bytes.substr(0, have) != kApiPrefix.substr(0, have))
    return tl::unexpected(invalid(fmt::format("IB client hello: expected \"API\\x00\", got \"{}\"",
                                              printable(bytes.substr(0, have)))));
  const std::string_view rest = bytes.substr(have);
  if (have < kApiPrefix.size() || rest.size() < kLengthPrefixSize)
    return std::optional<ClientHello>();
  const uint32_t length = read_length_prefix(rest);
  if (length > max_frame_length)
    return tl::unexpected(
        invalid(fmt::format("IB client hello: frame length {} exceeds the maximum of {} bytes",
                            length, max_frame_length)));
  if (rest.size() - kLengthPrefixSize < length) return std::optional<ClientHello>();
  auto range = parse_version_range(rest.substr(kLengthPrefixSize, length));
  if (!range) return tl::unexpected(range.error());
  return std::optional<ClientHello>(
      ClientHello{std::move(*range), kApiPrefix.size() + kLengthPrefixSize + length});
}

Result<int> negotiate_version(const VersionRange& client, int server_min, int server_max) {
  const int version = std::min(client.max_version, server_max);
  if (version < client.min_version || version < server_min)
    return tl::unexpected(
        invalid(fmt::format("IB client versions {}..{} and server versions {}..{} do not overlap",
                            client.min_version, client.max_version, server_min, server_max)));
  return version;
}

Result<std::string> encode_server_hello(const ServerHello& hello) {
  if (hello.connection_time.find('\0') != std::string::npos)
    return tl::unexpected(invalid("IB connection time contains a NUL byte"));
  return make_frame(fmt::format("{}", hello.version) + '\0' + hello.connection_time + '\0');
}

Result<std::optional<ServerHello>> parse_server_hello(std::string_view payload) {
  if (payload.empty() || payload.back() != '\0' ||
      std::count(payload.begin(), payload.end(), '\0') != 2)
    return std::optional<ServerHello>();
  const size_t nul = payload.find('\0');
  const std::string_view version = payload.substr(0, nul);
  std::string_view time = payload.substr(nul + 1);
  time.remove_suffix(1);
  const bool negative = !version.empty() && version[0] == '-';
  const auto v = parse_digits(negative ? version.substr(1) : version);
  if (!v)
    return tl::unexpected(invalid(
        fmt::format("IB server hello: version \"{}\" is not a number", printable(version))));
  if (negative)
    return tl::unexpected(
        invalid(fmt::format("IB server hello: redirected to {}", printable(time))));
  return std::optional<ServerHello>(ServerHello{*v, std::string(time)});
}

}  // namespace td::ib::wire
