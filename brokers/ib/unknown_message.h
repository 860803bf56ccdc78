#pragma once
// A message the codec has no layout for. Why not an error: IB sends many
// messages tradingd does not use (news bulletins, farm notices by other ids,
// option computations), and a client must ignore unknown ids (fact sheet
// 1.2); keeping the fields lets a simulator send or log them too.
#include <string>
#include <vector>

namespace td::ib {

struct UnknownMessage {
  int id = 0;
  std::vector<std::string> fields;  // after the id
  bool operator==(const UnknownMessage&) const = default;
};

}  // namespace td::ib
