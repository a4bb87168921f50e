// A small JSON document model for Kubernetes objects: ordered objects (keys keep the order in
// which they were written, as Kubernetes' own encoder does), 64-bit integers kept apart from
// doubles, value semantics. Parsing uses simdjson; encoding is a single pass into one string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kactor::json {

class value;
struct member;
using array = std::vector<value>;
using object = std::vector<member>;

enum class kind { null, boolean, integer, number, string, array, object };

class value {
 public:
  value() = default;
  value(std::nullptr_t) {}
  value(bool b) : v_(b) {}
  value(int i) : v_(int64_t{i}) {}
  value(int64_t i) : v_(i) {}
  value(uint32_t i) : v_(int64_t{i}) {}
  value(double d) : v_(d) {}
  value(const char* s) : v_(std::string(s)) {}
  value(std::string s) : v_(std::move(s)) {}
  value(std::string_view s) : v_(std::in_place_type<std::string>, s) {}
  value(array a);
  value(object o);

  static value make_object();
  static value make_array();

  kind type() const { return static_cast<kind>(v_.index()); }
  bool is_null() const { return type() == kind::null; }
  bool is_bool() const { return type() == kind::boolean; }
  bool is_int() const { return type() == kind::integer; }
  bool is_number() const { return type() == kind::integer || type() == kind::number; }
  bool is_string() const { return type() == kind::string; }
  bool is_array() const { return type() == kind::array; }
  bool is_object() const { return type() == kind::object; }

  // Accessors assume the matching type (checked with the is_* functions first).
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const;  // integer or number
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  const array& as_array() const { return std::get<array>(v_); }
  array& as_array() { return std::get<array>(v_); }
  const object& as_object() const { return std::get<object>(v_); }
  object& as_object() { return std::get<object>(v_); }

  // Object access. find() returns nullptr when this is not an object or the key is absent.
  const value* find(std::string_view key) const;
  value* find(std::string_view key);
  // Follows a path of keys through nested objects: at({"metadata", "name"}).
  const value* at(std::initializer_list<std::string_view> path) const;
  // Returns the member, appending a null one if absent; turns a null value into an object.
  value& operator[](std::string_view key);
  // Sets key to v, replacing an existing member in place or appending a new one.
  void set(std::string_view key, value v);
  bool erase(std::string_view key);

  // String of a member when it is a string, else the fallback.
  std::string_view get_string(std::string_view key, std::string_view fallback = {}) const;

  // Deep equality; object members compare regardless of order.
  friend bool operator==(const value& a, const value& b);

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, array, object> v_;
};

struct member {
  std::string key;
  value val;
};

// Parses exactly one JSON document (trailing content other than whitespace is an error).
// Errors carry a human-readable message suitable for a Kubernetes BadRequest.
struct parse_options {
  bool reject_duplicate_keys = false;  // when false, the last duplicate wins (as Go does)
  size_t max_depth = 256;
  // Reserve room in each object for as many members again as it has: for documents that gain
  // defaults next, so that their members are not moved to a bigger vector one default at a time.
  bool room_to_grow = false;
};
struct parse_result {
  bool ok = false;
  std::string error;                        // set when !ok
  std::vector<std::string> duplicate_keys;  // dotted paths of duplicates seen (reported, not fatal)
};
parse_result parse(std::string_view text, value& out, const parse_options& options = {});

// Parses one YAML document (or JSON, which is YAML) into the same model. Plain scalars become
// bool/int/float/null by YAML 1.1 core rules, quoted scalars stay strings.
parse_result parse_yaml(std::string_view text, value& out);

// What Go's encoding/json calls the kind of a JSON value in its errors: "null", "bool",
// "number", "string", "array" or "object" ("json: cannot unmarshal array into ...").
std::string_view go_kind_name(const value& v);

// Compact encoding, appended to out.
void dump_to(const value& v, std::string& out);
std::string dump(const value& v);
// Appends s as a quoted JSON string with escapes.
void append_quoted(std::string& out, std::string_view s);

}  // namespace kactor::json
