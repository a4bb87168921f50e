#include "api/protobuf.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <span>
#include <unordered_set>
#include <vector>

#include "api/base64.hpp"

namespace kactor::api {
namespace {

using schema::field;
using schema::message_type;
using schema::value_kind;

struct keep_zero_field {
  std::string_view message;
  int32_t number;
};
#include "api/protobuf_keep_zero.inc"

// ---- Errors, worded as Go's generated (gogo-protobuf) decoders word them ----------------------

struct decode_failure {
  std::string message;
};

[[noreturn]] void fail(std::string message) {
  throw decode_failure{std::move(message)};
}

constexpr const char* kUnexpectedEof = "unexpected EOF";
constexpr const char* kIntegerOverflow = "proto: integer overflow";
constexpr const char* kNegativeLength = "proto: negative length found during unmarshaling";
constexpr const char* kUnexpectedEndOfGroup = "proto: unexpected end of group";
constexpr const char* kYearOutOfRange = "Time.MarshalJSON: year outside of range [0,9999]";

// The Go field name in "wrong wireType" errors: the JSON name capitalised, initialisms upper
// case; embedded structs (ObjectMeta, TypeMeta, VolumeSource) by their type name.
std::string go_field_name(const field& f) {
  const message_type* type = f.type();
  if (f.inlined || (f.name == "metadata" && type && type->name.ends_with("Meta")))
    return std::string(type->name);
  static constexpr std::string_view kInitialisms[] = {"api", "uid", "url", "ip", "tls", "dns"};
  std::string name(f.name);
  for (std::string_view initialism : kInitialisms) {
    if (!name.starts_with(initialism)) continue;
    if (name.size() > initialism.size() &&
        !std::isupper(static_cast<unsigned char>(name[initialism.size()])))
      continue;
    for (size_t i = 0; i < initialism.size(); ++i)
      name[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[i])));
    return name;
  }
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

// ---- The wire format ------------------------------------------------------------------------

enum wire_type : int {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

struct wire_tag {
  int32_t number;
  int type;
};

// Reads one message's bytes field by field.
class wire_reader {
 public:
  wire_reader(std::string_view data, std::string_view message_name)
      : data_(data), message_name_(message_name) {}

  bool done() const { return pos_ >= data_.size(); }

  wire_tag read_tag() {
    const uint64_t tag = read_varint();
    const auto number = static_cast<int32_t>(tag >> 3);
    const int type = static_cast<int>(tag & 7);
    if (type == kEndGroup)
      fail("proto: " + std::string(message_name_) + ": wiretype end group for non-group");
    if (number <= 0)
      fail("proto: " + std::string(message_name_) + ": illegal tag " + std::to_string(number) +
           " (wire type " + std::to_string(tag) + ")");
    return {number, type};
  }

  uint64_t read_varint() {
    uint64_t value = 0;
    for (int shift = 0;; shift += 7) {
      if (shift >= 64) fail(kIntegerOverflow);
      if (done()) fail(kUnexpectedEof);
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      value |= uint64_t{byte & 0x7fu} << shift;
      if (byte < 0x80) return value;
    }
  }

  std::string_view read_length_delimited() {
    const auto length = static_cast<int64_t>(read_varint());
    if (length < 0) fail(kNegativeLength);
    if (static_cast<uint64_t>(length) > data_.size() - pos_) fail(kUnexpectedEof);
    std::string_view payload = data_.substr(pos_, static_cast<size_t>(length));
    pos_ += payload.size();
    return payload;
  }

  // Skips the value of a field this reader's caller does not know, groups included.
  void skip(wire_tag tag) {
    int depth = 0;
    for (;;) {
      skip_value(tag.type, depth);
      if (depth == 0) return;
      tag = read_raw_tag();
    }
  }

 private:
  wire_tag read_raw_tag() {
    const uint64_t tag = read_varint();
    return {static_cast<int32_t>(tag >> 3), static_cast<int>(tag & 7)};
  }

  void skip_bytes(uint64_t count) {
    if (count > data_.size() - pos_) fail(kUnexpectedEof);
    pos_ += static_cast<size_t>(count);
  }

  void skip_value(int type, int& depth) {
    switch (type) {
      case kVarint:
        read_varint();
        return;
      case kFixed64:
        return skip_bytes(8);
      case kLengthDelimited:
        read_length_delimited();
        return;
      case kStartGroup:
        ++depth;
        return;
      case kEndGroup:
        if (depth == 0) fail(kUnexpectedEndOfGroup);
        --depth;
        return;
      case kFixed32:
        return skip_bytes(4);
      default:
        fail("proto: illegal wireType " + std::to_string(type));
    }
  }

  std::string_view data_;
  std::string_view message_name_;
  size_t pos_ = 0;
};

// ---- Collecting a message's values per field --------------------------------------------------

bool is_varint_kind(value_kind kind) {
  return kind == value_kind::int32 || kind == value_kind::int64 || kind == value_kind::boolean;
}

// The values one field received, in wire order: varints (packed ones expanded) or payloads.
struct field_slot {
  std::vector<uint64_t> numbers;
  std::vector<std::string_view> payloads;
};

void read_packed(std::string_view payload, const message_type& owner, field_slot& slot) {
  wire_reader packed(payload, owner.name);
  while (!packed.done()) slot.numbers.push_back(packed.read_varint());
}

void read_known_field(wire_reader& reader, wire_tag tag, const field& f, field_slot& slot) {
  const bool varint = !f.is_map() && is_varint_kind(f.kind);
  if (varint && tag.type == kVarint) {
    slot.numbers.push_back(reader.read_varint());
  } else if (varint && f.repeated && tag.type == kLengthDelimited) {
    read_packed(reader.read_length_delimited(), f.owner(), slot);
  } else if (!varint && tag.type == kLengthDelimited) {
    slot.payloads.push_back(reader.read_length_delimited());
  } else {
    fail("proto: wrong wireType = " + std::to_string(tag.type) + " for field " + go_field_name(f));
  }
}

// The wire values of one message (all its chunks merged, as protobuf merges repeated
// occurrences of a message), one slot per field of its type.
class field_values {
 public:
  field_values(const message_type& type, std::span<const std::string_view> chunks)
      : type_(type), slots_(type.field_count) {
    for (std::string_view chunk : chunks) read(chunk);
  }

  const field_slot& of(const field& f) const { return slots_[&f - type_.fields().data()]; }

  const field_slot* named(std::string_view name) const {
    for (const field& f : type_.fields())
      if (f.name == name) return &of(f);
    return nullptr;
  }
  std::optional<uint64_t> last_number(std::string_view name) const {
    const field_slot* slot = named(name);
    if (!slot || slot->numbers.empty()) return std::nullopt;
    return slot->numbers.back();
  }
  std::optional<std::string_view> last_payload(std::string_view name) const {
    const field_slot* slot = named(name);
    if (!slot || slot->payloads.empty()) return std::nullopt;
    return slot->payloads.back();
  }

 private:
  void read(std::string_view chunk) {
    wire_reader reader(chunk, type_.name);
    while (!reader.done()) {
      const wire_tag tag = reader.read_tag();
      const field* f = type_.find_field_by_number(tag.number);
      if (f)
        read_known_field(reader, tag, *f, slots_[f - type_.fields().data()]);
      else
        reader.skip(tag);
    }
  }

  const message_type& type_;
  std::vector<field_slot> slots_;
};

// ---- Values in JSON form --------------------------------------------------------------------

// Length of the valid UTF-8 sequence at the start of `s`, 0 when invalid (as Go decodes runes:
// no overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_sequence_length(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (lead < 0xc2 || lead > 0xf4 || s.size() < length) return 0;
  uint8_t low = 0x80, high = 0xbf;
  if (lead == 0xe0) low = 0xa0;
  if (lead == 0xed) high = 0x9f;
  if (lead == 0xf0) low = 0x90;
  if (lead == 0xf4) high = 0x8f;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  return length;
}

// Go's JSON encoder writes each byte that is not part of valid UTF-8 as U+FFFD.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const size_t length = utf8_sequence_length(s);
    out.append(length ? s.substr(0, length) : "\xef\xbf\xbd");
    s.remove_prefix(length ? length : 1);
  }
  return out;
}

json::value scalar_from_number(value_kind kind, uint64_t number) {
  if (kind == value_kind::boolean) return json::value(number != 0);
  if (kind == value_kind::int32) return json::value(int64_t{static_cast<int32_t>(number)});
  return json::value(static_cast<int64_t>(number));
}

json::value scalar_from_payload(value_kind kind, std::string_view payload) {
  if (kind == value_kind::bytes) return json::value(base64_encode(payload));
  return json::value(valid_utf8(payload));
}

bool is_zero(const json::value& v) {
  if (v.is_bool()) return !v.as_bool();
  if (v.is_int()) return v.as_int() == 0;
  return v.is_string() && v.as_string().empty();
}

bool keeps_zero(const field& f) {
  static const std::unordered_set<const field*> kept = [] {
    std::unordered_set<const field*> fields;
    for (const keep_zero_field& entry : kKeepZeroFields) {
      const message_type* type = schema::find_message(entry.message);
      if (const field* kept_field = type ? type->find_field_by_number(entry.number) : nullptr)
        fields.insert(kept_field);
    }
    return fields;
  }();
  return kept.contains(&f);
}

json::object decode_fields(const message_type& type, std::span<const std::string_view> chunks);

// metav1.Time / MicroTime: {seconds, nanos}; empty is the zero time (absent, JSON null). Time
// keeps whole seconds, MicroTime microseconds, as their Go decoders do.
std::optional<json::value> time_value(const message_type& type,
                                      std::span<const std::string_view> chunks, bool micro) {
  if (chunks.empty() || chunks.back().empty()) return std::nullopt;
  const field_values values(type, chunks.last(1));
  constexpr int64_t kYear1 = -62135596800;  // 0001-01-01T00:00:00Z, Go's zero time
  constexpr int64_t kYear10000 = 253402300800;
  constexpr int64_t kNanosPerSecond = 1000000000;
  int64_t seconds = static_cast<int64_t>(values.last_number("seconds").value_or(0));
  int64_t nanos = micro ? static_cast<int32_t>(values.last_number("nanos").value_or(0)) : 0;
  if (seconds < kYear1 - 3 || seconds > kYear10000 + 3) fail(kYearOutOfRange);
  nanos -= nanos % 1000;
  seconds += nanos / kNanosPerSecond - (nanos % kNanosPerSecond < 0);
  nanos = (nanos % kNanosPerSecond + kNanosPerSecond) % kNanosPerSecond;
  if (seconds == kYear1 && nanos == 0) return std::nullopt;
  if (seconds < kYear1 || seconds >= kYear10000) fail(kYearOutOfRange);
  const schema::timestamp t{seconds, static_cast<int32_t>(nanos)};
  return json::value(micro ? schema::format_micro_time(t) : schema::format_time(t));
}

// resource.Quantity: {string}, parsed (its decoder rejects what ParseQuantity rejects) and
// written in canonical form, as Go's JSON encoder writes it.
json::value quantity_value(const message_type& type, std::span<const std::string_view> chunks) {
  const field_values values(type, chunks);
  const auto text = values.last_payload("string");
  if (!text) return json::value("0");
  schema::quantity q;
  std::string error;
  if (!schema::parse_quantity(*text, &q, &error)) fail(error);
  return json::value(q.to_string());
}

// intstr.IntOrString: {type (0 int, 1 string), intVal, strVal}.
json::value int_or_string_value(const message_type& type,
                                std::span<const std::string_view> chunks) {
  const field_values values(type, chunks);
  const uint64_t kind = values.last_number("type").value_or(0);
  if (kind == 0)
    return scalar_from_number(value_kind::int32, values.last_number("intVal").value_or(0));
  if (kind == 1) return json::value(valid_utf8(values.last_payload("strVal").value_or("")));
  fail("impossible IntOrString.Type");
}

// runtime.RawExtension {raw} and metav1.FieldsV1 {Raw}: JSON bytes; none is absent.
std::optional<json::value> raw_json_value(const message_type& type,
                                          std::span<const std::string_view> chunks) {
  const field_values values(type, chunks);
  const field_slot& slot = values.of(type.fields().front());
  if (slot.payloads.empty() || slot.payloads.back().empty()) return std::nullopt;
  json::value parsed;
  const json::parse_result result = json::parse(slot.payloads.back(), parsed);
  if (!result.ok) fail(std::string(type.name) + " is not JSON: " + result.error);
  return parsed;
}

// A Go named slice of scalars ({repeated items = 1}): a plain JSON array.
json::value list_wrapper_value(const message_type& type, std::span<const std::string_view> chunks) {
  const field_values values(type, chunks);
  const field& items = type.fields().front();
  json::array out;
  for (uint64_t n : values.of(items).numbers) out.push_back(scalar_from_number(items.kind, n));
  for (std::string_view p : values.of(items).payloads)
    out.push_back(scalar_from_payload(items.kind, p));
  return json::value(std::move(out));
}

// The JSON value of a message-typed value, from all its chunks (none: the zero value).
std::optional<json::value> message_value(value_kind kind, const message_type* type,
                                         std::span<const std::string_view> chunks) {
  if (!type) return std::nullopt;  // a type the model does not describe
  switch (kind) {
    case value_kind::time:
    case value_kind::micro_time:
      return time_value(*type, chunks, kind == value_kind::micro_time);
    case value_kind::quantity:
      return quantity_value(*type, chunks);
    case value_kind::int_or_string:
      return int_or_string_value(*type, chunks);
    case value_kind::raw:
    case value_kind::fields_v1:
      return raw_json_value(*type, chunks);
    default:
      if (type->list_wrapper) return list_wrapper_value(*type, chunks);
      return json::value(decode_fields(*type, chunks));
  }
}

bool is_message_kind(value_kind kind) {
  return kind != value_kind::string && kind != value_kind::bytes && !is_varint_kind(kind);
}

// A map entry's value when the entry has none: Go's zero value of the map's value type.
json::value zero_map_value(const field& f) {
  if (is_message_kind(f.map_value))
    return message_value(f.map_value, f.type(), {}).value_or(nullptr);
  if (is_varint_kind(f.map_value)) return scalar_from_number(f.map_value, 0);
  return scalar_from_payload(f.map_value, "");
}

json::value map_entry_value(const field& f, wire_reader& entry, wire_tag tag) {
  const bool varint = is_varint_kind(f.map_value);
  if (tag.type != (varint ? kVarint : kLengthDelimited))
    fail("proto: wrong wireType = " + std::to_string(tag.type) + " for field " + go_field_name(f));
  if (varint) return scalar_from_number(f.map_value, entry.read_varint());
  const std::string_view payload = entry.read_length_delimited();
  if (!is_message_kind(f.map_value)) return scalar_from_payload(f.map_value, payload);
  return message_value(f.map_value, f.type(), std::span(&payload, 1)).value_or(nullptr);
}

// Map entries are messages {1: key, 2: value} (protobuf's map encoding). Go writes maps with
// sorted keys; a repeated key keeps its last value. (Keys are made valid UTF-8 before sorting,
// Go does it after: only keys that are not UTF-8 may sort differently.)
json::value map_value(const field& f, const field_slot& slot) {
  constexpr int32_t kKey = 1, kValue = 2;
  std::map<std::string, json::value> entries;
  for (std::string_view payload : slot.payloads) {
    wire_reader entry(payload, f.owner().name);
    std::string key;
    std::optional<json::value> value;
    while (!entry.done()) {
      const wire_tag tag = entry.read_tag();
      if (tag.number == kKey && tag.type == kLengthDelimited)
        key = entry.read_length_delimited();
      else if (tag.number == kKey)
        fail("proto: wrong wireType = " + std::to_string(tag.type) + " for field " +
             go_field_name(f));
      else if (tag.number == kValue)
        value = map_entry_value(f, entry, tag);
      else
        entry.skip(tag);
    }
    entries[valid_utf8(key)] = value ? std::move(*value) : zero_map_value(f);
  }
  json::object out;
  for (auto& [key, value] : entries) out.push_back({key, std::move(value)});
  return json::value(std::move(out));
}

json::value repeated_value(const field& f, const field_slot& slot) {
  json::array items;
  for (uint64_t n : slot.numbers) items.push_back(scalar_from_number(f.kind, n));
  for (std::string_view payload : slot.payloads) {
    if (is_message_kind(f.kind))
      items.push_back(message_value(f.kind, f.type(), std::span(&payload, 1)).value_or(nullptr));
    else
      items.push_back(scalar_from_payload(f.kind, payload));
  }
  return json::value(std::move(items));
}

std::optional<json::value> single_scalar_value(const field& f, const field_slot& slot) {
  json::value v;
  if (!slot.numbers.empty())
    v = scalar_from_number(f.kind, slot.numbers.back());
  else if (!slot.payloads.empty())
    v = scalar_from_payload(f.kind, slot.payloads.back());
  else
    return std::nullopt;
  if (is_zero(v) && !keeps_zero(f)) return std::nullopt;
  return v;
}

// The JSON value of one field, or nothing when JSON would not have the field.
std::optional<json::value> field_value(const field& f, const field_slot& slot) {
  if (slot.numbers.empty() && slot.payloads.empty()) return std::nullopt;
  if (f.is_map()) return map_value(f, slot);
  if (f.repeated) return repeated_value(f, slot);
  if (is_message_kind(f.kind)) return message_value(f.kind, f.type(), slot.payloads);
  return single_scalar_value(f, slot);
}

json::object decode_fields(const message_type& type, std::span<const std::string_view> chunks) {
  const field_values values(type, chunks);
  json::object out;
  for (const field& f : type.fields()) {
    const field_slot& slot = values.of(f);
    if (f.inlined) {
      for (json::member& m : decode_fields(*f.type(), slot.payloads)) out.push_back(std::move(m));
    } else if (auto v = field_value(f, slot)) {
      out.push_back({std::string(f.name), std::move(*v)});
    }
  }
  return out;
}

// ---- The envelope: "k8s\0" + runtime.Unknown --------------------------------------------------

constexpr std::string_view kMagic{"k8s\0", 4};

struct group_version_kind {
  std::string group, version, kind;
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

// schema.ParseGroupVersion as FromAPIVersionAndKind uses it: unparsable means empty.
group_version_kind parse_gvk(std::string_view api_version, std::string_view kind) {
  group_version_kind gvk{"", "", std::string(kind)};
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    gvk.version = api_version;
  } else if (api_version.find('/', slash + 1) == std::string_view::npos) {
    gvk.group = api_version.substr(0, slash);
    gvk.version = api_version.substr(slash + 1);
  }
  return gvk;
}

struct envelope {
  std::string api_version, kind;
  std::string_view raw;
};

// runtime.Unknown{typeMeta (inlined runtime.TypeMeta{apiVersion, kind}), raw, ...}.
envelope read_envelope(std::string_view data) {
  const message_type& unknown = *schema::find_message("k8s.io.apimachinery.pkg.runtime.Unknown");
  const field_values values(unknown, std::span(&data, 1));
  const field& type_meta_field = *std::find_if(unknown.fields().begin(), unknown.fields().end(),
                                               [](const field& f) { return f.inlined; });
  const field_values type_meta(*type_meta_field.type(), values.of(type_meta_field).payloads);
  return {std::string(type_meta.last_payload("apiVersion").value_or("")),
          std::string(type_meta.last_payload("kind").value_or("")),
          values.last_payload("raw").value_or("")};
}

// Go's %#v of runtime.TypeMeta, as missing kind/version errors print it.
std::string go_syntax(const envelope& e) {
  return "runtime.TypeMeta{APIVersion:" + go_quote(e.api_version) + ", Kind:" + go_quote(e.kind) +
         "}";
}

// hex of the first 30 bytes, as kube-apiserver summarises an unrecognised body.
std::string summarize(std::string_view body) {
  constexpr size_t kMax = 30;
  if (body.empty()) return "<empty>";
  if (body.front() == '{')
    return body.size() > kMax ? std::string(body.substr(0, kMax)) + " ..." : std::string(body);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : body.substr(0, kMax)) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return body.size() > kMax ? out + " ..." : out;
}

// The decoder's outcome: the error text and, once the envelope was read, the kind it names.
struct decode_outcome {
  std::string error;
  std::optional<group_version_kind> gvk;
};

std::string envelope_error(std::string_view body) {
  if (body.empty()) return "empty data";
  if (!body.starts_with(kMagic))
    return "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]";
  if (body.size() == kMagic.size()) return "empty body";
  return "";
}

// The kind an envelope names; as kube-apiserver's decoder does, a missing kind or apiVersion
// takes the request URL's (`defaults`).
group_version_kind kind_of(const envelope& e, const group_version_kind* defaults) {
  group_version_kind gvk = parse_gvk(e.api_version, e.kind);
  if (defaults && gvk.kind.empty()) gvk.kind = defaults->kind;
  if (defaults && gvk.version.empty()) {
    gvk.group = defaults->group;
    gvk.version = defaults->version;
  }
  return gvk;
}

const message_type& registered_type(const group_version_kind& gvk, const envelope& e) {
  if (gvk.kind.empty()) fail("Object 'Kind' is missing in '" + go_syntax(e) + "'");
  if (gvk.version.empty()) fail("Object 'apiVersion' is missing in '" + go_syntax(e) + "'");
  const message_type* type = protobuf_kind_type(gvk.api_version(), gvk.kind);
  if (!type)
    fail("no kind " + go_quote(gvk.kind) + " is registered for version " +
         go_quote(gvk.api_version()) + " in scheme \"pkg/api/legacyscheme/scheme.go:30\"");
  return *type;
}

decode_outcome decode(std::string_view body, const group_version_kind* defaults, json::value& out) {
  decode_outcome outcome{envelope_error(body), std::nullopt};
  if (!outcome.error.empty()) return outcome;
  try {
    const envelope e = read_envelope(body.substr(kMagic.size()));
    outcome.gvk = kind_of(e, defaults);
    const message_type& type = registered_type(*outcome.gvk, e);
    json::object object{{"apiVersion", outcome.gvk->api_version()}, {"kind", outcome.gvk->kind}};
    for (json::member& m : decode_fields(type, std::span(&e.raw, 1)))
      object.push_back(std::move(m));
    out = json::value(std::move(object));
  } catch (const decode_failure& failure) {
    outcome.error = failure.message;
  }
  return outcome;
}

// Protobuf packages are named after the group's first label ("rbac.authorization.k8s.io" ->
// rbac, "" -> core) but for these.
std::string protobuf_package(std::string_view group) {
  if (group.empty()) return "k8s.io.api.core";
  if (group == "meta.k8s.io") return "k8s.io.apimachinery.pkg.apis.meta";
  if (group == "internal.apiserver.k8s.io") return "k8s.io.api.apiserverinternal";
  return "k8s.io.api." + std::string(group.substr(0, group.find('.')));
}

}  // namespace

const message_type* protobuf_kind_type(std::string_view api_version, std::string_view kind) {
  const group_version_kind gvk = parse_gvk(api_version, kind);
  if (gvk.version.empty() || gvk.kind.empty()) return nullptr;
  const std::string name = protobuf_package(gvk.group) + "." + gvk.version + "." + gvk.kind;
  const message_type* type = schema::find_message(name);
  return type && type->has_type_meta ? type : nullptr;
}

std::string decode_protobuf_message(std::string_view data, const message_type& type,
                                    json::value& out) {
  try {
    out = json::value(decode_fields(type, std::span(&data, 1)));
    return "";
  } catch (const decode_failure& failure) {
    return failure.message;
  }
}

std::optional<api_error> decode_protobuf_object(std::string_view body, json::value& out) {
  decode_outcome outcome = decode(body, nullptr, out);
  if (outcome.error.empty()) return std::nullopt;
  return bad_request(outcome.error);
}

std::optional<api_error> decode_protobuf_object(const resource_info& info, std::string_view body,
                                                json::value& out) {
  const group_version_kind url{info.group, info.version, info.kind};
  decode_outcome outcome = decode(body, &url, out);
  if (outcome.error.empty()) return std::nullopt;
  if (outcome.gvk && !outcome.gvk->kind.empty())
    return bad_request(outcome.gvk->kind + " in version " + go_quote(outcome.gvk->version) +
                       " cannot be handled as a " + info.kind + ": " + outcome.error);
  return bad_request("the object provided is unrecognized (must be of type " + info.kind +
                     "): " + outcome.error + " (" + summarize(body) + ")");
}

}  // namespace kactor::api
