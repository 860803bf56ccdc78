#pragma once
// How tradectl prints. JSON output is the server's own text re-indented
// lexically (never parsed into doubles and dumped again), so every number
// and every member order is exactly what the daemon sent. Tables are for
// humans: fixed column sets for lists, key/value lines for single objects.
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace td::tradectl {

using Json = nlohmann::ordered_json;

// True when `text` is one valid JSON value.
bool valid_json(std::string_view text);
// Re-indents valid JSON (2 spaces) or compacts it to one line, keeping every
// token as written. Undefined for invalid JSON (check valid_json first).
std::string pretty_json(std::string_view text);
std::string compact_json(std::string_view text);
// A JSON string literal for `s` (escaped as nlohmann does).
std::string json_quote(std::string_view s);

// One cell: strings raw, null "-", everything else compact JSON.
std::string cell(const Json& v);

struct Column {
  std::string header;
  std::string key;  // member of each row object
};
// Left-aligned columns separated by two spaces; a header line first (unless
// `header` is false).
void print_table(std::ostream& out, const std::vector<Column>& columns, const Json& rows,
                 bool header = true);
// "key  value" lines; nested objects as dotted keys, arrays of scalars joined
// by ",", arrays of objects as key[i].member.
void print_key_values(std::ostream& out, const Json& object);

// Fixed column sets of the list views.
const std::vector<Column>& order_columns();
const std::vector<Column>& queue_columns();
const std::vector<Column>& fill_columns();
const std::vector<Column>& position_columns();
const std::vector<Column>& strategy_columns();
const std::vector<Column>& event_columns();
const std::vector<Column>& pnl_point_columns();

// A failed response on stderr:
//   error 409 trading-halted (check kill_switch_engaged): <detail>
//     qty: must be > 0
//   request id: tc-...
// A body that is not problem+json is shown as its first line(s).
void print_problem(std::ostream& err, int status, std::string_view reason, std::string_view body,
                   std::string_view request_id);

}  // namespace td::tradectl
