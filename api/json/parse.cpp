#include "api/json/parse.h"

#include <utility>
#include <vector>

namespace td::api {

using nlohmann::json;

namespace {

constexpr size_t kMaxMessage = 200;

// Keeps an error message printable and short: the parser quotes what it read
// last, which may be invalid UTF-8 or a long string.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(std::min(s.size(), kMaxMessage + 3));
  for (char c : s) {
    if (out.size() >= kMaxMessage) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  return out;
}

// nlohmann's messages start with "[json.exception.parse_error.101] ".
std::string_view strip_exception_id(std::string_view what) {
  if (!what.empty() && what.front() == '[') {
    const size_t end = what.find("] ");
    if (end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return what;
}

// The SAX handler: builds the tree (numbers as lexeme nodes) and tracks the
// path of the value being read, to name it in errors.
class TreeBuilder {
 public:
  explicit TreeBuilder(size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(number_node(std::to_string(v))); }
  bool number_unsigned(json::number_unsigned_t v) { return put(number_node(std::to_string(v))); }
  bool number_float(json::number_float_t, const json::string_t& lexeme) {
    // The lexer writes the locale's decimal point into the lexeme: put '.' back.
    std::string text = lexeme;
    for (char& c : text)
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E')) c = '.';
    return put(number_node(text));
  }
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t& v) { return put(json::binary(std::move(v))); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& k) {
    Frame& f = frames_.back();
    if (f.node->contains(k)) errors_.push_back({path_with(k), "duplicate field"});
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    errors_.clear();
    std::string_view what = strip_exception_id(ex.what());
    if (ex.id == 406) {  // out_of_range.406: "number overflow parsing '1e400'"
      errors_.push_back({current_path(), "number out of range"});
      return false;
    }
    // position counts the bytes read, the offending one included.
    const size_t offset = position > 0 ? position - 1 : 0;
    errors_.push_back(
        {"", "malformed JSON at byte offset " + std::to_string(offset) + ": " + printable(what)});
    return false;
  }

  json& root() { return root_; }
  std::vector<FieldError>& errors() { return errors_; }

 private:
  struct Frame {
    json* node;
    std::string key;  // objects: the member being read
  };

  // Where the next value goes; the new node's address.
  json* place(json&& v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = frames_.back();
    if (f.node->is_array()) {
      f.node->push_back(std::move(v));
      return &f.node->back();
    }
    json& slot = (*f.node)[f.key];
    slot = std::move(v);
    return &slot;
  }
  bool put(json&& v) {
    place(std::move(v));
    return true;
  }
  bool open(json&& container) {
    if (frames_.size() >= max_depth_) {
      errors_.clear();
      errors_.push_back(
          {"", "malformed JSON: nested deeper than " + std::to_string(max_depth_) + " levels"});
      return false;
    }
    // A container's address stays valid while it is open: nothing is added
    // to its parent until it is closed (and std::map nodes never move).
    json* node = place(std::move(container));
    frames_.push_back(Frame{node, {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }

  // "a.b[2].c": the value being read (the next element of an open array).
  std::string current_path() const {
    std::string p;
    for (const Frame& f : frames_) {
      if (f.node->is_array()) {
        p += "[" + std::to_string(f.node->size()) + "]";
      } else {
        if (!p.empty()) p += '.';
        p += f.key;
      }
    }
    return p;
  }
  std::string path_with(const std::string& k) const {
    std::string p;
    for (size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.node->is_array()) {
        p += "[" + std::to_string(f.node->size() - 1) + "]";
      } else {
        if (!p.empty()) p += '.';
        p += f.key;
      }
    }
    if (!p.empty()) p += '.';
    return p + k;
  }

  size_t max_depth_;
  json root_;
  std::vector<Frame> frames_;
  std::vector<FieldError> errors_;
};

}  // namespace

Parsed<json> parse_json(std::string_view text, const ParseOptions& options) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so
  // `{...}\0garbage` would pass: a raw NUL is never valid JSON.
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos)
    return tl::unexpected(std::vector<FieldError>{
        {"", "malformed JSON at byte offset " + std::to_string(nul) + ": NUL byte"}});
  TreeBuilder builder(options.max_depth);
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const bool ok = json::sax_parse(begin, end, &builder, json::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (!ok && builder.errors().empty())
    builder.errors().push_back({"", "malformed JSON"});  // defensive: every failure says why
  if (!builder.errors().empty()) return tl::unexpected(std::move(builder.errors()));
  return std::move(builder.root());
}

json number_node(std::string_view lexeme) {
  return json::binary(json::binary_t::container_type(lexeme.begin(), lexeme.end()), kNumberSubtype);
}

namespace {
bool is_number_node(const json& v) {
  return v.is_binary() && v.get_binary().has_subtype() &&
         v.get_binary().subtype() == kNumberSubtype;
}
}  // namespace

bool is_number(const json& v) {
  return v.is_number() || is_number_node(v);
}

std::optional<std::string> number_text(const json& v) {
  if (is_number_node(v)) {
    const auto& bytes = v.get_binary();
    return std::string(bytes.begin(), bytes.end());
  }
  if (v.is_number_unsigned()) return std::to_string(v.get<json::number_unsigned_t>());
  if (v.is_number_integer()) return std::to_string(v.get<json::number_integer_t>());
  return std::nullopt;
}

json to_standard(const json& v) {
  if (is_number_node(v)) {
    const std::string text = *number_text(v);
    json n = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return n.is_discarded() ? json(nullptr) : n;
  }
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, e] : v.items()) out[k] = to_standard(e);
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const auto& e : v) out.push_back(to_standard(e));
    return out;
  }
  return v;
}

std::string dump_json(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace td::api
