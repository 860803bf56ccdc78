#pragma once
// Helpers of the OpenAPI tests (openapi_*_test.cpp): the embedded document,
// "$ref" resolution, and a small JSON Schema checker for the keywords the
// document's schemas use. The full check against the OAS 3.1 schema is the
// python ctest openapi_validates_oas31; this checker lets C++ tests hold the
// real output of api/json/mapping.h against the schemas, so the document
// and the code cannot drift apart silently. An unsupported keyword is an
// error, never skipped.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <string>
#include <vector>

#include "api/openapi/openapi.h"

namespace td::api::openapi_test {

using nlohmann::json;

inline const json& doc() {
  static const json d = json::parse(openapi_json());
  return d;
}

// Follows "$ref" (local "#/..." pointers only) until a node without one.
inline const json& resolve(const json& node) {
  const json* n = &node;
  for (int hops = 0; n->is_object() && n->contains("$ref"); ++hops) {
    const std::string& ref = (*n)["$ref"].get_ref<const std::string&>();
    if (hops > 16 || ref.rfind("#/", 0) != 0) throw std::runtime_error("bad $ref " + ref);
    n = &doc().at(json::json_pointer(ref.substr(1)));
  }
  return *n;
}

inline const json& component_schema(const std::string& name) {
  return doc().at("components").at("schemas").at(name);
}

inline bool has_type(const json& v, const std::string& t) {
  if (t == "null") return v.is_null();
  if (t == "boolean") return v.is_boolean();
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "number") return v.is_number();
  if (t == "integer")
    return v.is_number_integer() ||
           (v.is_number_float() && v.get<double>() == static_cast<double>(v.get<int64_t>()));
  throw std::runtime_error("unknown type " + t);
}

// Patterns are compiled once (the fuzzer checks every answer).
inline const std::regex& cached_regex(const std::string& pattern) {
  static std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern)).first;
  return it->second;
}

// Every problem of `value` against `schema` (empty: valid).
inline void check_schema(const json& schema_in, const json& value, const std::string& where,
                         std::vector<std::string>& errors) {
  static const std::set<std::string> kAnnotations = {"description", "examples", "format",
                                                     "default",     "title",    "$comment"};
  if (schema_in.is_boolean()) {
    if (!schema_in.get<bool>()) errors.push_back(where + ": false schema");
    return;
  }
  for (const auto& item : schema_in.items()) {
    const std::string& key = item.key();
    const json& arg = item.value();
    if (kAnnotations.count(key)) continue;
    auto fail = [&](const std::string& what) { errors.push_back(where + ": " + key + " " + what); };
    if (key == "$ref") {
      check_schema(resolve(schema_in), value, where, errors);
    } else if (key == "type") {
      bool ok = false;
      if (arg.is_string()) ok = has_type(value, arg);
      for (const auto& t : arg.is_array() ? arg : json::array())
        ok = ok || has_type(value, t.get<std::string>());
      if (!ok) fail(arg.dump() + ": got " + value.dump());
    } else if (key == "enum") {
      if (std::find(arg.begin(), arg.end(), value) == arg.end()) fail(": got " + value.dump());
    } else if (key == "const") {
      if (arg != value) fail(": got " + value.dump());
    } else if (key == "pattern") {
      if (value.is_string() &&
          !std::regex_search(value.get<std::string>(), cached_regex(arg.get<std::string>())))
        fail(arg.get<std::string>() + ": got " + value.dump());
    } else if (key == "minimum" || key == "maximum") {
      if (value.is_number()) {
        const double v = value.get<double>(), m = arg.get<double>();
        if (key == "minimum" ? v < m : v > m) fail(arg.dump() + ": got " + value.dump());
      }
    } else if (key == "minLength" || key == "maxLength") {
      if (value.is_string()) {
        const size_t n = value.get_ref<const std::string&>().size();
        if (key == "minLength" ? n < arg.get<size_t>() : n > arg.get<size_t>()) fail("");
      }
    } else if (key == "minItems") {
      if (value.is_array() && value.size() < arg.get<size_t>()) fail("");
    } else if (key == "minProperties") {
      if (value.is_object() && value.size() < arg.get<size_t>()) fail("");
    } else if (key == "uniqueItems") {
      if (value.is_array() && arg.get<bool>()) {
        std::set<std::string> seen;
        for (const auto& e : value)
          if (!seen.insert(e.dump()).second) fail(": duplicate " + e.dump());
      }
    } else if (key == "required") {
      if (value.is_object())
        for (const auto& k : arg)
          if (!value.contains(k.get<std::string>())) fail(": missing " + k.get<std::string>());
    } else if (key == "properties") {
      if (value.is_object())
        for (const auto& [k, s] : arg.items())
          if (value.contains(k)) check_schema(s, value[k], where + "." + k, errors);
    } else if (key == "additionalProperties") {
      if (value.is_object()) {
        const json props = schema_in.value("properties", json::object());
        for (const auto& [k, v] : value.items()) {
          if (props.contains(k)) continue;
          if (arg.is_boolean() && !arg.get<bool>())
            errors.push_back(where + ": unexpected member " + k);
          else
            check_schema(arg, v, where + "." + k, errors);
        }
      }
    } else if (key == "propertyNames") {
      if (value.is_object())
        for (const auto& [k, v] : value.items()) check_schema(arg, k, where + "[key]", errors);
    } else if (key == "items") {
      if (value.is_array())
        for (size_t i = 0; i < value.size(); ++i)
          check_schema(arg, value[i], where + "[" + std::to_string(i) + "]", errors);
    } else if (key == "allOf") {
      for (const auto& s : arg) check_schema(s, value, where, errors);
    } else if (key == "oneOf" || key == "anyOf") {
      int matches = 0;
      std::vector<std::string> all;
      for (const auto& s : arg) {
        std::vector<std::string> e;
        check_schema(s, value, where, e);
        if (e.empty()) ++matches;
        all.insert(all.end(), e.begin(), e.end());
      }
      if (key == "oneOf" ? matches != 1 : matches == 0)
        fail("matched " + std::to_string(matches) + " (" +
             (all.empty() ? std::string() : all.front()) + ")");
    } else if (key == "if" || key == "then" || key == "else") {
      if (key != "if") continue;
      std::vector<std::string> e;
      check_schema(arg, value, where, e);
      const char* branch = e.empty() ? "then" : "else";
      if (schema_in.contains(branch)) check_schema(schema_in[branch], value, where, errors);
    } else {
      fail("is not supported by this checker");
    }
  }
}

inline std::vector<std::string> schema_errors(const std::string& component, const json& value) {
  std::vector<std::string> errors;
  check_schema(component_schema(component), value, component, errors);
  return errors;
}

// ---------------------------------------------------------------------------
// Response conformance: does an HTTP response agree with the document for
// the operation the request reached? Used by every route test
// (api_routes_test.cpp, ApiRoutesTest::call) so that the document and the
// router cannot drift apart.

// What the check needs of a response, without any HTTP library's types.
struct ResponseView {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;

  // The first value of a header (case-insensitive name), or nullptr.
  const std::string* header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (n.size() == name.size() &&
          std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          }))
        return &v;
    return nullptr;
  }
};

// Path segments, empty ones skipped (as the router splits a path).
inline std::vector<std::string> path_segments(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = std::min(path.find('/', i), path.size());
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// Whether a path segment can be a parameter's value: its percent escapes
// are well formed and it decodes to something without NUL (as the router
// decodes it; otherwise the segment matches no template: 404).
inline bool decodes_as_parameter(std::string_view seg) {
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == '\0') return false;
    if (seg[i] != '%') continue;
    if (i + 2 >= seg.size()) return false;
    if (!hex(seg[i + 1]) || !hex(seg[i + 2])) return false;
    if (seg[i + 1] == '0' && seg[i + 2] == '0') return false;
    i += 2;
  }
  return !seg.empty();
}

// The document's path template for a request path, or "" when none matches.
// A literal segment beats a parameter ("/queue/pause" is not "/queue/{id}"),
// as in the router.
inline std::string match_path(std::string_view path) {
  const auto segments = path_segments(path);
  std::string best;
  int best_literals = -1;
  for (const auto& [tmpl, item] : doc().at("paths").items()) {
    const auto t = path_segments(tmpl);
    if (t.size() != segments.size()) continue;
    int literals = 0;
    bool ok = true;
    for (size_t i = 0; i < t.size() && ok; ++i) {
      if (t[i].size() > 2 && t[i].front() == '{' && t[i].back() == '}') {
        ok = decodes_as_parameter(segments[i]);
        continue;
      }
      ok = t[i] == segments[i];
      literals += ok;
    }
    if (ok && literals > best_literals) {
      best = tmpl;
      best_literals = literals;
    }
  }
  return best;
}

inline std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A media type compared as written: lower case, no blanks around ';' and '='.
inline std::string normalize_media_type(std::string_view t) {
  std::string out;
  for (char c : lower_ascii(t))
    if (c != ' ' && c != '\t') out += c;
  return out;
}

// Everything wrong with `r` as the answer to `method target` (empty: it
// conforms). `request_id` is the X-Request-Id the client sent ("" if none).
// Checked:
// - the request reached a documented operation (HEAD: the GET operation,
//   no body), or it is a 404 for an undocumented path, or a 405 whose Allow
//   lists exactly the path's documented methods;
// - the status is listed for the operation (exactly, or NXX, or default);
// - Content-Type is one the response lists (exactly: parameters too), or
//   there is no body when it lists none;
// - a JSON body validates against the listed schema; a problem+json body's
//   `status` is the HTTP status, its `instance` the request path, and its
//   type one the response documents among its examples (when it has any);
// - the headers the response marks required are present; X-Request-Id
//   echoes the client's.
inline std::vector<std::string> response_errors(std::string_view method, std::string_view target,
                                                const ResponseView& r,
                                                std::string_view request_id = {}) {
  std::vector<std::string> errors;
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string what = std::string(method) + " " + std::string(target) + " -> " +
                           std::to_string(r.status) + ": ";
  auto fail = [&](const std::string& e) { errors.push_back(what + e); };
  const bool head = method == "HEAD";
  const std::string* content_type = r.header("Content-Type");

  const std::string* rid = r.header("X-Request-Id");
  if (!rid || rid->empty())
    fail("no X-Request-Id");
  else if (!request_id.empty() && *rid != request_id)
    fail("X-Request-Id " + *rid + " does not echo " + std::string(request_id));

  const json* response = nullptr;  // the documented response (resolved)
  const std::string tmpl = match_path(path);
  if (tmpl.empty()) {
    if (r.status != 404) fail("an undocumented path must be 404");
    response = &resolve(doc().at("components").at("responses").at("NotFound"));
  } else {
    const json& item = doc().at("paths").at(tmpl);
    // Methods are case-sensitive (RFC 9110): "GEt" is no operation's.
    std::string m = lower_ascii(method);
    if (std::any_of(method.begin(), method.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }))
      m = "(" + std::string(method) + ")";
    if (m == "head" && !item.contains("head")) m = "get";
    if (!item.contains(m)) {
      // 405 with Allow: the path's documented methods.
      if (r.status != 405) fail("an undocumented method on " + tmpl + " must be 405");
      std::set<std::string> documented, allowed;
      for (const auto& [k, v] : item.items()) documented.insert(lower_ascii(k));
      const std::string* allow = r.header("Allow");
      for (const auto& a : allow ? path_segments(std::regex_replace(*allow, std::regex(",\\s*"), "/"))
                                 : std::vector<std::string>{})
        allowed.insert(lower_ascii(a));
      if (allowed != documented) fail("Allow " + (allow ? *allow : "(none)") + " for " + tmpl);
      if (!content_type || normalize_media_type(*content_type) != "application/problem+json") {
        fail("405 is application/problem+json");
      } else if (!head) {
        std::vector<std::string> e;
        if (!json::accept(r.body))
          e.push_back("body is not JSON");
        else
          check_schema(component_schema("Problem"), json::parse(r.body), "body", e);
        for (const auto& x : e) fail(x);
      }
      return errors;
    }
    const json& responses = item.at(m).at("responses");
    const std::string code = std::to_string(r.status);
    const std::string range = std::string(1, code[0]) + "XX";
    if (responses.contains(code))
      response = &resolve(responses.at(code));
    else if (responses.contains(range))
      response = &resolve(responses.at(range));
    else if (responses.contains("default"))
      response = &resolve(responses.at("default"));
    if (!response) {
      fail("status " + code + " is not documented for " + m + " " + tmpl +
           (r.body.empty() ? std::string() : ": " + r.body.substr(0, 300)));
      return errors;
    }
  }

  // Headers the document requires.
  const json headers = response->value("headers", json::object());
  for (const auto& [name, h] : headers.items())
    if (resolve(h).value("required", false) && !r.header(name)) fail("no " + name + " header");

  const json content = response->value("content", json::object());
  if (content.empty()) {
    if (!r.body.empty()) fail("a body where the document lists no content");
    return errors;
  }
  if (!content_type) {
    fail("no Content-Type");
    return errors;
  }
  const json* media = nullptr;
  std::string media_name;
  for (const auto& [k, v] : content.items())
    if (normalize_media_type(k) == normalize_media_type(*content_type)) {
      media = &v;
      media_name = k;
    }
  if (!media) {
    std::string listed;
    for (const auto& [k, v] : content.items()) listed += (listed.empty() ? "" : ", ") + k;
    fail("Content-Type " + *content_type + " is not listed (" + listed + ")");
    return errors;
  }
  if (head) {
    if (!r.body.empty()) fail("HEAD answered with a body");
    return errors;
  }
  const bool is_json = media_name == "application/json" ||
                       (media_name.size() > 5 && media_name.ends_with("+json"));
  if (!is_json || !media->contains("schema")) return errors;
  json body;
  try {
    body = json::parse(r.body);
  } catch (const json::exception& e) {
    fail(std::string("body is not JSON: ") + e.what());
    return errors;
  }
  std::vector<std::string> schema_errors;
  check_schema(media->at("schema"), body, "body", schema_errors);
  for (const auto& e : schema_errors) fail(e);

  if (media_name == "application/problem+json" && body.is_object()) {
    if (body.value("status", 0) != r.status) fail("problem status is not the HTTP status");
    // The request path; the router cuts it at 256 bytes and JSON replaces
    // invalid UTF-8, so only a short, valid path is compared.
    bool plain_path = path.size() <= 256;
    try {
      (void)json(std::string(path)).dump();
    } catch (const json::exception&) {
      plain_path = false;
    }
    if (plain_path && body.contains("instance") && body["instance"] != std::string(path))
      fail("problem instance " + body["instance"].dump() + " is not the request path");
    if (media->contains("examples") && body.contains("type") && body["type"].is_string()) {
      const std::string type = body["type"];
      bool documented = false;
      for (const auto& [name, ex] : media->at("examples").items())
        documented = documented || resolve(ex).value("value", json::object()).value("type", "") == type;
      if (!documented) fail("problem type " + type + " is not among the response's examples");
    }
  }
  return errors;
}

}  // namespace td::api::openapi_test
