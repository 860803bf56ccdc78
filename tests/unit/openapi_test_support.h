#pragma once
// Helpers of the OpenAPI tests (openapi_*_test.cpp): the embedded document,
// "$ref" resolution, and a small JSON Schema checker for the keywords the
// document's schemas use. The full check against the OAS 3.1 schema is the
// python ctest openapi_validates_oas31; this checker lets C++ tests hold the
// real output of api/json/mapping.h against the schemas, so the document
// and the code cannot drift apart silently. An unsupported keyword is an
// error, never skipped.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
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

// Every problem of `value` against `schema` (empty: valid).
inline void check_schema(const json& schema_in, const json& value, const std::string& where,
                         std::vector<std::string>& errors) {
  static const std::set<std::string> kAnnotations = {"description", "examples", "format",
                                                     "default",     "title",    "$comment"};
  if (schema_in.is_boolean()) {
    if (!schema_in.get<bool>()) errors.push_back(where + ": false schema");
    return;
  }
  for (const auto& [key, arg] : schema_in.items()) {
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
          !std::regex_search(value.get<std::string>(), std::regex(arg.get<std::string>())))
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

}  // namespace td::api::openapi_test
