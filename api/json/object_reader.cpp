#include "api/json/object_reader.h"

#include <charconv>

#include "api/json/decimal_field.h"
#include "api/json/parse.h"

namespace td::api {

using nlohmann::json;

ObjectReader::ObjectReader(const json& obj, std::vector<FieldError>& errors, std::string prefix)
    : errors_(errors), prefix_(std::move(prefix)) {
  if (obj.is_object()) {
    obj_ = &obj;
  } else {
    errors_.push_back({prefix_, "must be a JSON object"});
  }
}

std::string ObjectReader::field_name(std::string_view key) const {
  if (prefix_.empty()) return std::string(key);
  return prefix_ + "." + std::string(key);
}

void ObjectReader::error(std::string_view key, std::string message) {
  errors_.push_back({field_name(key), std::move(message)});
}

const json* ObjectReader::get(std::string_view key, Need need) {
  if (!obj_) return nullptr;
  known_.emplace(key);
  auto it = obj_->find(std::string(key));
  if (it == obj_->end() || it->is_null()) {
    if (need == Need::kRequired)
      error(key, "required");
    else if (need == Need::kNonNull && it != obj_->end())
      error(key, "must not be null");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> ObjectReader::string(std::string_view key, Need need) {
  const json* v = get(key, need);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    error(key, "must be a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<bool> ObjectReader::boolean(std::string_view key, Need need) {
  const json* v = get(key, need);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    error(key, "must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<Decimal> ObjectReader::decimal(std::string_view key, Need need) {
  const json* v = get(key, need);
  if (!v) return std::nullopt;
  auto d = decimal_from_json(*v);
  if (!d) {
    error(key, std::move(d.error()));
    return std::nullopt;
  }
  return *d;
}

namespace {
// A JSON integer's text: optional '-', digits.
std::optional<int64_t> parse_int(const std::string& text, bool& whole) {
  whole = !text.empty();
  for (size_t i = 0; i < text.size(); ++i)
    if (!((text[i] >= '0' && text[i] <= '9') || (i == 0 && text[i] == '-'))) whole = false;
  if (!whole) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}
}  // namespace

std::optional<int64_t> ObjectReader::integer(std::string_view key, int64_t min, int64_t max,
                                             Need need) {
  const json* v = get(key, need);
  if (!v) return std::nullopt;
  auto text = number_text(*v);
  if (!text) {
    error(key, "must be an integer");
    return std::nullopt;
  }
  bool whole = false;
  auto n = parse_int(*text, whole);
  if (!whole) {
    error(key, "must be a whole number");
    return std::nullopt;
  }
  if (!n || *n < min || *n > max) {
    error(key, "must be within " + std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<Timestamp> ObjectReader::time(std::string_view key, Need need) {
  const json* v = get(key, need);
  if (!v) return std::nullopt;
  const std::string* s = v->is_string() ? &v->get_ref<const std::string&>() : nullptr;
  // parse_time also reads Unix seconds ("1700000000"); the API speaks RFC 3339 only.
  std::optional<Timestamp> t;
  if (s && s->find_first_of("Tt") != std::string::npos) t = parse_time(*s);
  if (!t) {
    error(key, "must be an RFC 3339 time such as \"2026-11-21T14:30:00Z\"");
    return std::nullopt;
  }
  return t;
}

std::optional<Duration> ObjectReader::duration(std::string_view key, Need need) {
  const json* v = get(key, need);
  if (!v) return std::nullopt;
  std::optional<Duration> d;
  if (v->is_string()) {
    d = parse_duration(v->get_ref<const std::string&>());
  } else if (auto text = number_text(*v)) {
    bool whole = false;
    if (parse_int(*text, whole)) d = parse_duration(*text);  // whole seconds
  }
  if (!d) {
    error(key,
          "must be a duration such as \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\" or a whole "
          "number of seconds (>= 0)");
    return std::nullopt;
  }
  return d;
}

void ObjectReader::finish() {
  if (!obj_) return;
  for (const auto& [k, v] : obj_->items())
    if (!known_.contains(k)) error(k, "unknown field");
}

}  // namespace td::api
