#include "tradectl/url.h"

#include <cctype>
#include <charconv>

namespace td::tradectl {

std::string Endpoint::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  if (!default_port) h += ":" + port;
  return h;
}

std::string Endpoint::authority() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
}

std::optional<Endpoint> parse_url(std::string_view url, std::string& error) {
  Endpoint ep;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    ep.tls = true;
    rest = url.substr(8);
  } else {
    error = "URL must start with http:// or https://";
    return std::nullopt;
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    error = "URL must not have a query or fragment";
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    error = "URL must not carry user info (use a token file)";
    return std::nullopt;
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 address";
      return std::nullopt;
    }
    ep.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        error = "unexpected characters after the IPv6 address";
        return std::nullopt;
      }
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
    }
    ep.host = std::string(authority);
  }
  if (ep.host.empty()) {
    error = "URL has no host";
    return std::nullopt;
  }
  if (port.empty()) {
    ep.port = ep.tls ? "443" : "80";
  } else {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535) {
      error = "bad port '" + std::string(port) + "'";
      return std::nullopt;
    }
    ep.port = std::to_string(value);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  ep.prefix = std::string(path);
  return ep;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string query_string(const QueryParams& params) {
  std::string q;
  for (const auto& [name, value] : params) {
    if (!value) continue;
    q += q.empty() ? '?' : '&';
    q += percent_encode(name);
    q += '=';
    q += percent_encode(*value);
  }
  return q;
}

}  // namespace td::tradectl
