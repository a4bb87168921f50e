// Merge patches, patch media types and options, and Go's value formatting used in patch errors.
#include "api/patch.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>

namespace kactor::api {

namespace {

std::string_view media_type_of(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media;
}

// unicode.IsPrint for the characters a field manager name is likely to hold: ASCII controls,
// DEL and the C1 controls are not printable.
bool is_printable(unsigned char c) {
  return c >= 0x20 && c != 0x7f;
}

std::string unicode_point(unsigned char c) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  return buffer;
}

api_error invalid_patch_options(std::vector<status_cause> causes) {
  return invalid("PatchOptions", "meta.k8s.io", "", std::move(causes));
}

// A value of an added member, with the nulls of its objects removed (evanphx's pruneNulls).
json::value without_nulls(json::value v) {
  if (v.is_object()) {
    json::object& members = v.as_object();
    std::erase_if(members, [](const json::member& m) { return m.val.is_null(); });
    for (json::member& m : members) m.val = without_nulls(std::move(m.val));
  } else if (v.is_array()) {
    for (json::value& item : v.as_array())
      if (!item.is_null()) item = without_nulls(std::move(item));
  }
  return v;
}

void merge_members(json::value& doc, const json::value& patch);

// evanphx's merge(cur, patch): objects merge; a value replacing a non-object is pruned, one
// replacing an object is taken as it is.
json::value merged_value(json::value current, const json::value& patch) {
  if (!current.is_object()) return without_nulls(patch);
  if (!patch.is_object()) return patch;
  merge_members(current, patch);
  return current;
}

void merge_members(json::value& doc, const json::value& patch) {
  for (const json::member& m : patch.as_object()) {
    if (m.val.is_null()) {
      doc.erase(m.key);
      continue;
    }
    json::value* current = doc.find(m.key);
    if (current == nullptr || current->is_null()) {
      doc.set(m.key, without_nulls(m.val));
      continue;
    }
    *current = merged_value(std::move(*current), m.val);
  }
}

// Go's strconv.FormatFloat(f, 'g', -1, 64), which is what "%v" prints for a float64: the
// shortest digits, in exponent form below 1e-4 and from 1e+06 on.
std::string go_float(double d) {
  if (d != d) return "NaN";
  if (d == std::numeric_limits<double>::infinity()) return "+Inf";
  if (d == -std::numeric_limits<double>::infinity()) return "-Inf";
  char buffer[64];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific).ptr;
  std::string sci(buffer, end);  // -d.ddde+XX
  const size_t e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  if (exponent < -4 || exponent >= 6) {
    std::string mantissa = sci.substr(0, e);
    std::string exp_digits = std::to_string(exponent < 0 ? -exponent : exponent);
    if (exp_digits.size() < 2) exp_digits.insert(0, "0");
    return mantissa + "e" + (exponent < 0 ? "-" : "+") + exp_digits;
  }
  end = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::fixed).ptr;
  return std::string(buffer, end);
}

void append_go_format(const json::value& v, std::string& out);

void append_go_map(const json::object& members, std::string& out) {
  std::vector<const json::member*> sorted;
  for (const json::member& m : members) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const json::member* a, const json::member* b) { return a->key < b->key; });
  out += "map[";
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i) out += ' ';
    out += sorted[i]->key;
    out += ':';
    append_go_format(sorted[i]->val, out);
  }
  out += ']';
}

void append_go_format(const json::value& v, std::string& out) {
  switch (v.type()) {
    case json::kind::null:
      out += "<nil>";
      return;
    case json::kind::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case json::kind::integer:
      out += std::to_string(v.as_int());
      return;
    case json::kind::number:
      out += go_float(v.as_double());
      return;
    case json::kind::string:
      out += v.as_string();
      return;
    case json::kind::array:
      out += '[';
      for (size_t i = 0; i < v.as_array().size(); ++i) {
        if (i) out += ' ';
        append_go_format(v.as_array()[i], out);
      }
      out += ']';
      return;
    case json::kind::object:
      append_go_map(v.as_object(), out);
      return;
  }
}

}  // namespace

std::optional<patch_kind> patch_kind_of(std::string_view content_type) {
  const std::string_view media = media_type_of(content_type);
  if (media == "application/json-patch+json") return patch_kind::json;
  if (media == "application/merge-patch+json") return patch_kind::merge;
  if (media == "application/strategic-merge-patch+json") return patch_kind::strategic;
  if (media == "application/apply-patch+yaml") return patch_kind::apply;
  return std::nullopt;
}

std::optional<api_error> validate_patch_options(patch_kind kind, std::string_view field_manager,
                                                bool force_given) {
  std::vector<status_cause> causes;
  if (kind == patch_kind::apply && field_manager.empty())
    causes.push_back(
        {"FieldValueRequired", "Required value: is required for apply patch", "fieldManager"});
  if (kind != patch_kind::apply && force_given)
    causes.push_back(forbidden_field("force", "may not be specified for non-apply patch"));
  // kube also reports each unprintable character of an overlong manager, each cause quoting
  // the whole value: quadratic in the value's size. Too long is reason enough here.
  const bool too_long_manager = field_manager.size() > 128;
  if (too_long_manager) causes.push_back(too_long("fieldManager", 128));
  for (size_t i = 0; i < field_manager.size() && !too_long_manager; ++i) {
    const auto c = static_cast<unsigned char>(field_manager[i]);
    if (is_printable(c)) continue;
    causes.push_back(invalid_value(
        "fieldManager", go_quote(field_manager),
        "invalid character " + unicode_point(c) + " (at position " + std::to_string(i) + ")"));
  }
  if (causes.empty()) return std::nullopt;
  return invalid_patch_options(std::move(causes));
}

json::value merge_patch(const json::value& target, const json::value& patch) {
  if (!patch.is_object()) return patch;
  json::value result = target.is_object() ? target : json::value::make_object();
  for (const auto& m : patch.as_object()) {
    if (m.val.is_null()) {
      result.erase(m.key);
      continue;
    }
    const json::value* existing = result.find(m.key);
    result.set(m.key, merge_patch(existing ? *existing : json::value(), m.val));
  }
  return result;
}

std::optional<api_error> apply_merge_patch(const json::value& doc, const json::value& patch,
                                           json::value& out) {
  if (patch.is_array()) {
    out = without_nulls(patch);
    return std::nullopt;
  }
  if (!patch.is_object()) return bad_request("Invalid JSON Patch");
  out = doc.is_object() ? doc : json::value::make_object();
  merge_members(out, patch);
  return std::nullopt;
}

std::string go_format(const json::value& v) {
  std::string out;
  append_go_format(v, out);
  return out;
}

}  // namespace kactor::api
