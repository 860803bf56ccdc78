#include "daemon/ib_order_ids.h"

#include <charconv>
#include <sstream>

#include "core/file_io.h"

namespace td::daemon {

namespace {

template <class T>
bool parse_value(const std::string& line, const std::string& key, T& out) {
  if (line.rfind(key + "=", 0) != 0) return false;
  const char* b = line.data() + key.size() + 1;
  const char* e = line.data() + line.size();
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e && out >= 0;
}

}  // namespace

Result<IbIds> load_ib_ids(const std::string& path) {
  auto text = read_small_file(path, 4096);
  if (!text) return tl::unexpected(text.error());
  if (!*text) return IbIds{};
  IbIds ids;
  bool have_ib = false, have_order = false;
  std::istringstream in(**text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (parse_value(line, "ib_order_id", ids.ib_order_id))
      have_ib = true;
    else if (parse_value(line, "order_id", ids.order_id))
      have_order = true;
    else
      return make_error(ErrorCode::kInvalidArgument,
                        path + ": unreadable line '" + line +
                            "'; fix or restore the file (deleting it risks IB error 103)");
  }
  if (!have_ib || !have_order)
    return make_error(ErrorCode::kInvalidArgument,
                      path + ": ib_order_id and order_id are both required");
  return ids;
}

Status save_ib_ids(const std::string& path, const IbIds& ids) {
  return write_file_atomically(path, "ib_order_id=" + std::to_string(ids.ib_order_id) +
                                         "\norder_id=" + std::to_string(ids.order_id) + "\n");
}

}  // namespace td::daemon
