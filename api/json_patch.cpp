// RFC 6902 JSON patch with the semantics of evanphx/json-patch v4, the library kube-apiserver
// applies application/json-patch+json with. Its quirks are kept on purpose: they are what
// kubectl and controllers see from a real server.
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "api/patch.hpp"

namespace kactor::api {

namespace {

constexpr size_t kMaxOperations = 10000;
constexpr size_t kMaxCopyBytes = 3 * 1024 * 1024;  // kube-apiserver's JSONPatchMaxCopyBytes

std::string cannot_unmarshal(const json::value& v, std::string_view into) {
  return "json: cannot unmarshal " + std::string(json::go_kind_name(v)) + " into " +
         std::string(into);
}

// ---- decoding the body, as kube-apiserver does before applying -----------------------------

constexpr std::string_view kOperationFields[] = {"op", "path", "from", "value"};

bool is_operation_field(std::string_view key) {
  return std::find(std::begin(kOperationFields), std::end(kOperationFields), key) !=
         std::end(kOperationFields);
}

// The first type error of decoding one operation into kube's jsonPatchOp struct.
std::optional<std::string> operation_type_error(const json::value& op) {
  if (op.is_null()) return std::nullopt;
  if (!op.is_object()) return cannot_unmarshal(op, "Go value of type handlers.jsonPatchOp");
  for (const json::member& m : op.as_object()) {
    if (m.key == "value" || !is_operation_field(m.key)) continue;
    if (m.val.is_null() || m.val.is_string()) continue;
    return cannot_unmarshal(m.val, "Go struct field jsonPatchOp." + m.key + " of type string");
  }
  return std::nullopt;
}

// kjson.UnmarshalStrict(body, &[]jsonPatchOp): decode errors first, then unknown fields.
std::optional<api_error> strict_decode(const json::value& operations,
                                       std::vector<std::string>* strict_errors) {
  if (operations.is_null()) return std::nullopt;
  if (!operations.is_array())
    return bad_request("error decoding patch: " +
                       cannot_unmarshal(operations, "Go value of type []handlers.jsonPatchOp"));
  for (const json::value& op : operations.as_array())
    if (auto error = operation_type_error(op))
      return bad_request("error decoding patch: " + *error);
  if (strict_errors == nullptr) return std::nullopt;
  const auto& ops = operations.as_array();
  for (size_t i = 0; i < ops.size() && strict_errors->size() < 100; ++i) {
    if (!ops[i].is_object()) continue;
    for (const json::member& m : ops[i].as_object())
      if (!is_operation_field(m.key))
        strict_errors->push_back("json patch unknown field \"[" + std::to_string(i) + "]." + m.key +
                                 "\"");
  }
  return std::nullopt;
}

// jsonpatch.DecodePatch(body): a list of objects (null ones allowed).
std::optional<api_error> lenient_decode(const json::value& operations) {
  if (operations.is_null()) return std::nullopt;
  if (!operations.is_array())
    return bad_request(cannot_unmarshal(operations, "Go value of type jsonpatch.Patch"));
  for (const json::value& op : operations.as_array())
    if (!op.is_null() && !op.is_object())
      return bad_request(cannot_unmarshal(op, "Go value of type jsonpatch.Operation"));
  return std::nullopt;
}

// ---- JSON pointers and containers ------------------------------------------------------------

// RFC 6901 unescaping: ~1 is '/', ~0 is '~'.
std::string unescape_token(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

// Go's strconv.Atoi, with its error text.
bool parse_index(std::string_view text, int64_t& out, std::string& error) {
  std::string_view digits = text;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  const bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (!all_digits) {
    error = "strconv.Atoi: parsing " + go_quote(text) + ": invalid syntax";
    return false;
  }
  const char* first = text.data() + (text.front() == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(first, text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    error = "strconv.Atoi: parsing " + go_quote(text) + ": value out of range";
    return false;
  }
  return true;
}

std::string invalid_index(int64_t index) {
  return "Unable to access invalid index: " + std::to_string(index) + ": invalid index referenced";
}

// The position `key` names in an array of `size` elements, for get, replace and remove.
bool existing_index(std::string_view key, size_t size, size_t& out, std::string& error) {
  int64_t index = 0;
  if (!parse_index(key, index, error)) return false;
  const auto length = static_cast<int64_t>(size);
  if (index < -length) {
    error = invalid_index(index);
    return false;
  }
  if (index < 0) index += length;
  if (index >= length) {
    error = invalid_index(index);
    return false;
  }
  out = static_cast<size_t>(index);
  return true;
}

// The member or element `key` of a container. A null result with no error is an absent object
// member; evanphx treats JSON null members the same way.
const json::value* child_of(const json::value& container, std::string_view key,
                            std::string& error) {
  if (container.is_object()) return container.find(key);
  size_t index = 0;
  if (!existing_index(key, container.as_array().size(), index, error)) return nullptr;
  return &container.as_array()[index];
}

json::value* child_of(json::value& container, std::string_view key, std::string& error) {
  return const_cast<json::value*>(child_of(std::as_const(container), key, error));
}

bool is_absent(const json::value* v) {
  return v == nullptr || v->is_null();
}

std::optional<std::string> add_to(json::value& container, const std::string& key, json::value v) {
  if (container.is_object()) {
    container.set(key, std::move(v));
    return std::nullopt;
  }
  json::array& items = container.as_array();
  if (key == "-") {
    items.push_back(std::move(v));
    return std::nullopt;
  }
  int64_t index = 0;
  std::string error;
  if (!parse_index(key, index, error))
    return "value was not a proper array index: '" + key + "': " + error;
  const auto size = static_cast<int64_t>(items.size()) + 1;
  if (index >= size || index < -size) return invalid_index(index);
  if (index < 0) index += size;
  items.insert(items.begin() + index, std::move(v));
  return std::nullopt;
}

std::optional<std::string> remove_from(json::value& container, const std::string& key) {
  if (container.is_object()) {
    if (container.erase(key)) return std::nullopt;
    return "Unable to remove nonexistent key: " + key + ": missing value";
  }
  size_t index = 0;
  std::string error;
  if (!existing_index(key, container.as_array().size(), index, error)) return error;
  container.as_array().erase(container.as_array().begin() + static_cast<ptrdiff_t>(index));
  return std::nullopt;
}

// Where a path points: the container holding it and the last token. `container` is null when
// the path does not resolve: fewer than two '/'-separated parts, or a step through a missing,
// null or scalar value.
struct location {
  json::value* container = nullptr;
  std::string key;
};

location locate(json::value& doc, std::string_view path) {
  const std::vector<std::string_view> parts = split_path(path);
  if (parts.size() < 2) return {};
  json::value* current = &doc;
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    std::string ignored;
    json::value* next = child_of(*current, unescape_token(parts[i]), ignored);
    if (next == nullptr || !(next->is_object() || next->is_array())) return {};
    current = next;
  }
  return {current, unescape_token(parts.back())};
}

// ---- operations --------------------------------------------------------------------------

// evanphx's equality for `test`: structural for objects and arrays; scalars compare as their
// encodings do, so 1 and 1.0 differ.
bool patch_equal(const json::value& a, const json::value& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    const auto& x = a.as_array();
    const auto& y = b.as_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!patch_equal(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.as_object().size() != b.as_object().size()) return false;
    for (const json::member& m : a.as_object()) {
      const json::value* other = b.find(m.key);
      if (other == nullptr || !patch_equal(m.val, *other)) return false;
    }
    return true;
  }
  return a == b;
}

class operation {
 public:
  explicit operation(const json::value& op) : op_(op) {}

  std::string kind() const {
    const json::value* v = member("op");
    return v && v->is_string() ? v->as_string() : "unknown";
  }
  // The "path" or "from" string; an error (Go's text) when absent, null or not a string.
  std::optional<std::string> pointer(std::string_view name, std::string& error) const {
    const json::value* v = member(name);
    if (v == nullptr || v->is_null()) {
      error = name == "path" ? "operation missing path field: missing value"
                             : "operation, missing from field: missing value";
      return std::nullopt;
    }
    if (!v->is_string()) {
      error = cannot_unmarshal(*v, "Go value of type string");
      return std::nullopt;
    }
    return v->as_string();
  }
  // The "value" member; nullptr when absent (null when given as null).
  const json::value* value() const { return member("value"); }
  json::value value_or_null() const { return value() ? *value() : json::value(); }

 private:
  const json::value* member(std::string_view name) const {
    return op_.is_object() ? op_.find(name) : nullptr;
  }
  const json::value& op_;
};

using op_result = std::optional<std::string>;

op_result apply_add(json::value& doc, const operation& op) {
  std::string error;
  auto path = op.pointer("path", error);
  if (!path) return "add operation failed to decode path: missing value";
  location at = locate(doc, *path);
  if (!at.container)
    return "add operation does not apply: doc is missing path: \"" + *path + "\": missing value";
  if (auto failed = add_to(*at.container, at.key, op.value_or_null()))
    return "error in add for path: '" + *path + "': " + *failed;
  return std::nullopt;
}

op_result apply_remove(json::value& doc, const operation& op) {
  std::string error;
  auto path = op.pointer("path", error);
  if (!path) return "remove operation failed to decode path: missing value";
  location at = locate(doc, *path);
  if (!at.container)
    return "remove operation does not apply: doc is missing path: \"" + *path + "\": missing value";
  if (auto failed = remove_from(*at.container, at.key))
    return "error in remove for path: '" + *path + "': " + *failed;
  return std::nullopt;
}

op_result replace_document(json::value& doc, const operation& op) {
  const json::value* v = op.value();
  if (v == nullptr || !(v->is_object() || v->is_array()))
    return "replace operation value must be object or array: %!w(<nil>)";
  doc = *v;
  return std::nullopt;
}

op_result apply_replace(json::value& doc, const operation& op) {
  std::string error;
  auto path = op.pointer("path", error);
  if (!path) return "replace operation failed to decode path: " + error;
  if (path->empty()) return replace_document(doc, op);
  location at = locate(doc, *path);
  if (!at.container)
    return "replace operation does not apply: doc is missing path: " + *path + ": missing value";
  if (at.container->is_object()) {
    at.container->set(at.key, op.value_or_null());
    return std::nullopt;
  }
  json::value* target = child_of(*at.container, at.key, error);
  if (target == nullptr)
    return "replace operation does not apply: doc is missing key: " + *path + ": missing value";
  *target = op.value_or_null();
  return std::nullopt;
}

op_result apply_move(json::value& doc, const operation& op) {
  std::string error;
  auto from = op.pointer("from", error);
  if (!from) return "move operation failed to decode from: " + error;
  location source = locate(doc, *from);
  if (!source.container)
    return "move operation does not apply: doc is missing from path: " + *from + ": missing value";
  const json::value* found = child_of(*source.container, source.key, error);
  if (!error.empty()) return "error in move for path: '" + source.key + "': " + error;
  json::value moved = found ? *found : json::value();
  if (auto failed = remove_from(*source.container, source.key))
    return "error in move for path: '" + source.key + "': " + *failed;
  auto path = op.pointer("path", error);
  if (!path) return "move operation failed to decode path: " + error;
  location target = locate(doc, *path);
  if (!target.container)
    return "move operation does not apply: doc is missing destination path: " + *path +
           ": missing value";
  if (auto failed = add_to(*target.container, target.key, std::move(moved)))
    return "error in move for path: '" + *path + "': " + *failed;
  return std::nullopt;
}

op_result test_failed(const std::string& path) {
  return "testing value " + path + " failed: test failed";
}

op_result apply_test(json::value& doc, const operation& op) {
  std::string error;
  auto path = op.pointer("path", error);
  if (!path) return "test operation failed to decode path: " + error;
  const json::value* expected = op.value();
  if (path->empty()) {
    if (expected && patch_equal(doc, *expected)) return std::nullopt;
    return test_failed(*path);
  }
  location at = locate(doc, *path);
  if (!at.container)
    return "test operation does not apply: is missing path: " + *path + ": missing value";
  const json::value* actual = child_of(*at.container, at.key, error);
  if (!error.empty()) return "error in test for path: '" + *path + "': " + error;
  if (is_absent(actual)) {
    if (is_absent(expected)) return std::nullopt;
    return test_failed(*path);
  }
  if (expected && patch_equal(*actual, *expected)) return std::nullopt;
  return test_failed(*path);
}

op_result apply_copy(json::value& doc, const operation& op, size_t& copied_bytes) {
  std::string error;
  auto from = op.pointer("from", error);
  if (!from) return "copy operation failed to decode from: " + error;
  location source = locate(doc, *from);
  if (!source.container)
    return "copy operation does not apply: doc is missing from path: " + *from + ": missing value";
  const json::value* found = child_of(*source.container, source.key, error);
  if (!error.empty()) return "error in copy for from: '" + *from + "': " + error;
  json::value copy = found ? *found : json::value();
  auto path = op.pointer("path", error);
  if (!path) return "copy operation failed to decode path: missing value";
  location target = locate(doc, *path);
  if (!target.container)
    return "copy operation does not apply: doc is missing destination path: " + *path +
           ": missing value";
  if (found) copied_bytes += json::dump(copy).size();
  if (copied_bytes > kMaxCopyBytes)
    return "Unable to complete the copy, the accumulated size increase of copy is " +
           std::to_string(copied_bytes) + ", exceeding the limit " + std::to_string(kMaxCopyBytes);
  if (auto failed = add_to(*target.container, target.key, std::move(copy)))
    return "error while adding value during copy: " + *failed;
  return std::nullopt;
}

op_result apply_operation(json::value& doc, const operation& op, size_t& copied_bytes) {
  const std::string kind = op.kind();
  if (kind == "add") return apply_add(doc, op);
  if (kind == "remove") return apply_remove(doc, op);
  if (kind == "replace") return apply_replace(doc, op);
  if (kind == "move") return apply_move(doc, op);
  if (kind == "test") return apply_test(doc, op);
  if (kind == "copy") return apply_copy(doc, op, copied_bytes);
  return "Unexpected kind: " + kind;
}

// kube-apiserver answers every failed operation with NewGenericServerResponse(422), which keeps
// none of the failure's text.
api_error operation_failed() {
  api_error e;
  e.code = 422;
  e.reason = "Invalid";
  e.message = "the server rejected our request due to an error in our request";
  return e;
}

}  // namespace

std::optional<api_error> apply_json_patch(const json::value& doc, const json::value& operations,
                                          json::value& out, schema::check_mode mode,
                                          std::vector<std::string>* strict_errors) {
  const bool strict = mode != schema::check_mode::ignore;
  if (auto e = strict ? strict_decode(operations, strict_errors) : lenient_decode(operations))
    return e;
  out = doc;
  if (operations.is_null()) return std::nullopt;
  const json::array& ops = operations.as_array();
  if (ops.size() > kMaxOperations)
    return request_entity_too_large("The allowed maximum operations in a JSON patch is " +
                                    std::to_string(kMaxOperations) + ", got " +
                                    std::to_string(ops.size()));
  size_t copied_bytes = 0;
  for (const json::value& op : ops) {
    if (apply_operation(out, operation(op), copied_bytes)) return operation_failed();
  }
  return std::nullopt;
}

}  // namespace kactor::api
