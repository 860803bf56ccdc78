#include "brokers/ib/wire/printable.h"

#include <fmt/format.h>

namespace td::ib::wire {

std::string printable(std::string_view bytes) {
  constexpr size_t kMax = 40;
  std::string out;
  for (char c : bytes.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '\\')
      out += c;
    else
      out += fmt::format("\\x{:02x}", u);
  }
  if (bytes.size() > kMax) out += "...";
  return out;
}

}  // namespace td::ib::wire
