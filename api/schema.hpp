// kactor's type model: one description per Kubernetes type, generated from the protobuf schema
// (api/schema_gen.inc, see scripts/gen_schema.py) and walked by every codec: JSON type checking
// and strict field validation here; protobuf decoding, strategic-merge-patch merge keys and
// OpenAPI generation elsewhere. Objects stay generic json::value DOMs; this describes them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"

namespace kactor::api::schema {

// How a value is written in JSON (and which protobuf encoding it has).
enum class value_kind : uint8_t {
  none,  // no value (map key/value kinds of a non-map field)
  string,
  int32,
  int64,
  boolean,
  bytes,          // []byte: base64 string in JSON
  message,        // JSON object of the message's fields
  map,            // JSON object; see field::map_key / field::map_value
  quantity,       // resource.Quantity: "100m", "1Gi" (a JSON number is accepted too)
  int_or_string,  // intstr.IntOrString: 80 or "http"
  time,           // metav1.Time: RFC 3339 string, second precision on output
  micro_time,     // metav1.MicroTime: RFC 3339 with exactly six fractional digits
  raw,            // runtime.RawExtension (or a type the schema does not describe): any JSON
  fields_v1,      // metav1.FieldsV1 (managedFields): a JSON object
};
std::string_view to_string(value_kind kind);

struct message_type;

struct field {
  std::string_view name;  // JSON name (equal to the protobuf name but for two legacy fields)
  int32_t number;         // protobuf field number
  value_kind kind;
  bool repeated;             // a JSON array of `kind` values (never set for maps)
  bool inlined;              // Go embedded struct: its fields appear directly in this object
  value_kind map_key;        // maps only: always string today
  value_kind map_value;      // maps only
  int16_t type_index;        // message of `kind` (or of map values) when that is a message; else -1
  uint16_t owner_index;      // the message declaring this field
  std::string_view go_type;  // Go named type ("v1.PullPolicy") when it is not the kind's default

  bool is_map() const { return kind == value_kind::map; }
  // The kind of each element: the map value kind for maps, else `kind`.
  value_kind element_kind() const { return is_map() ? map_value : kind; }
  // The protobuf message of the value (also set for quantity, time, ... and map values).
  const message_type* type() const;
  const message_type& owner() const;
};

struct message_type {
  std::string_view full_name;   // "k8s.io.api.core.v1.Pod"
  std::string_view name;        // "Pod": the Go struct name
  std::string_view go_package;  // "v1": the Go package name, as Go prints types ("v1.Pod")
  uint16_t first_field;
  uint16_t field_count;
  // Embeds metav1.TypeMeta: accepts `apiVersion` and `kind` (find_field returns them).
  bool has_type_meta;
  // A Go named slice of scalars (authentication ExtraValue, metav1.Verbs): protobuf
  // {repeated items = 1}, JSON a plain array.
  bool list_wrapper;

  // Protobuf fields in declaration order (which is also Go's JSON output order).
  std::span<const field> fields() const;
  // By JSON name, looking through inlined fields, plus apiVersion/kind for kinds. Exact,
  // case-sensitive match, as kube-apiserver's decoder does.
  const field* find_field(std::string_view json_name) const;
  const field* find_field_by_number(int number) const;
  std::string go_type_name() const;  // "v1.PodSpec"
  // Where a member goes in Go's JSON output of this message: kind (-2) and apiVersion (-1) of
  // a kind first, then the fields in declaration order, inlined structs' fields in place.
  // nullopt for a key the message does not have.
  std::optional<int> json_position(std::string_view json_name) const;
};

std::span<const message_type> all_messages();
// By full protobuf name; nullptr when unknown.
const message_type* find_message(std::string_view full_name);
// metav1.TypeMeta, whose fields `apiVersion` and `kind` every kind accepts.
const message_type& type_meta();

// The Go type of a field's value as encoding/json prints it: "int32", "[]v1.Container",
// "map[string]string", "v1.ResourceList"; element_go_type gives the type of one list element
// or map value ("v1.Container", "string").
std::string go_type(const field& f);
std::string element_go_type(const field& f);

// ---- Strategic merge patch metadata (Go's patchStrategy / patchMergeKey tags) ---------------

enum class patch_strategy : uint8_t {
  none = 0,
  merge = 1,        // lists merge item by item (by merge key; primitive lists as sets)
  retain_keys = 2,  // fields not in the patch are cleared (union types: volumes, strategy)
  merge_retain_keys = 3,
  replace = 4,  // the value is replaced whole
};
inline bool has(patch_strategy s, patch_strategy flag) {
  return (static_cast<uint8_t>(s) & static_cast<uint8_t>(flag)) != 0;
}
// "merge", "retainKeys", "merge,retainKeys", "replace" or "".
std::string_view to_string(patch_strategy s);

// Empty when the list has no merge key (atomic, or a set of primitives like finalizers).
std::string_view merge_key(const field& f);
patch_strategy strategy(const field& f);

// The hand-written overlay behind merge_key/strategy (api/merge_keys.cpp), keyed by message
// and JSON field name, for consumers that list it (OpenAPI x-kubernetes-patch-* extensions).
struct patch_rule {
  std::string_view message;  // full name
  std::string_view field;
  std::string_view merge_key;
  patch_strategy strategy;
};
std::span<const patch_rule> patch_rules();

// ---- Quantities (k8s.io/apimachinery/pkg/api/resource) --------------------------------------

enum class quantity_format : uint8_t { decimal_si, binary_si, decimal_exponent };

struct quantity {
  bool negative = false;
  std::string digits = "0";  // magnitude without leading zeros; value = digits * 10^exponent
  int32_t exponent = 0;
  quantity_format format = quantity_format::decimal_si;
  std::string text;  // the input when Kubernetes keeps it as the canonical form

  bool is_zero() const { return digits.size() == 1 && digits[0] == '0'; }
  // The form Kubernetes writes back: "500m" for "0.5", "1Gi" for "1024Mi", "1k" for "1000".
  std::string to_string() const;
  // The value scaled to 10^scale, rounded up (away from zero): milli_value is scaled(-3).
  // false when it does not fit in int64.
  bool scaled(int32_t scale, int64_t& out) const;
};

// Parses as resource.ParseQuantity does: [+-]digits[.digits][suffix], suffix one of
// n u m "" k M G T P E | Ki Mi Gi Ti Pi Ei | e<int> E<int>. Values below 1n round up to 1n.
// On failure `error` (when given) receives Kubernetes' message, e.g. "quantities must match
// the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'". `*out` is only
// written on success, and `text` must not point into it.
bool parse_quantity(std::string_view text, quantity* out = nullptr, std::string* error = nullptr);
// Compares values (not formats): negative, zero or positive like a <=> b.
int compare(const quantity& a, const quantity& b);

// ---- Timestamps (metav1.Time and metav1.MicroTime) -----------------------------------------

struct timestamp {
  int64_t seconds = 0;  // since the Unix epoch, UTC
  int32_t nanos = 0;
};

// Parse as Go's time.Parse with time.RFC3339 (Time) or "2006-01-02T15:04:05.000000Z07:00"
// (MicroTime) does, with Go's error text: `parsing time "x" as "2006-01-02T15:04:05Z07:00":
// cannot parse "x" as "2006"`.
bool parse_time(std::string_view text, timestamp* out = nullptr, std::string* error = nullptr);
bool parse_micro_time(std::string_view text, timestamp* out = nullptr,
                      std::string* error = nullptr);
// The forms Kubernetes writes: "2024-05-01T10:00:00Z" and "2024-05-01T10:00:00.123456Z" (UTC).
std::string format_time(const timestamp& t);
std::string format_micro_time(const timestamp& t);

// ---- Checking decoded objects against the schema -------------------------------------------

// kube-apiserver's fieldValidation: Ignore, Warn, Strict.
enum class check_mode { ignore, warn, strict };

struct check_report {
  // Failures kube-apiserver's decoder reports as BadRequest in every mode, e.g. `json: cannot
  // unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of
  // type int32`; in strict mode also `unknown field "spec.containers[0].foo"`.
  std::vector<std::string> errors;
  // Warn mode: `unknown field "spec.foo"`, one per unknown field (kubectl prints them).
  std::vector<std::string> warnings;
  // Paths of unknown fields in document order, in warn and strict modes: spec.containers[0].foo.
  std::vector<std::string> unknown_fields;
  // The one decoding error Go's decoder returns (empty if none): it reports the first error
  // of a custom decoder (Quantity, IntOrString, Time) if any, else the first type error.
  std::string decode_error;
  // Whether normalize_object (default options) could change the object: it has unknown fields,
  // nulls it drops or fills, or quantities, times or bytes not in canonical form. When false,
  // normalizing is a no-op and may be skipped.
  bool needs_normalization = false;

  bool ok() const { return errors.empty(); }
  // The message kube-apiserver puts after `Pod in version "v1" cannot be handled as a Pod: `:
  // the decode error, else (strict) `strict decoding error: unknown field "a", unknown field
  // "b"`. Empty when ok().
  std::string message() const;
};

// Walks `obj` as a JSON body of type `type`. null is accepted everywhere (Go's zero value);
// apiVersion and kind are accepted at the top level and on nested kinds.
check_report check_object(const json::value& obj, const message_type& type,
                          check_mode mode = check_mode::strict);

struct normalize_options {
  bool drop_unknown_fields = true;   // Go's structs have nowhere to keep them
  bool drop_nulls = true;            // null members (but Time ones, which Go writes as null)
  bool canonical_quantities = true;  // numbers and "0.5" become "500m", as read back
  bool canonical_times = true;       // UTC, Time to seconds, MicroTime to microseconds
  bool canonical_bytes = true;       // base64 re-encoded (drops line breaks)
};

// Rewrites a checked object (check_object found no errors) into the form Kubernetes stores and
// returns. Values that do not check are left as they are. Objects only, never patches: null
// has a meaning there.
void normalize_object(json::value& obj, const message_type& type,
                      const normalize_options& options = {});

}  // namespace kactor::api::schema
