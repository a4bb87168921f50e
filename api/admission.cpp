#include "api/admission.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>

#include "api/protobuf.hpp"
#include "api/schema.hpp"
#include "api/validation.hpp"

namespace kactor::api {
namespace {

// The media type of a Content-Type: without parameters and surrounding spaces.
std::string_view media_type(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media;
}

// Whether `text`, lowercased, is `lower`.
bool lowercases_to(std::string_view text, std::string_view lower) {
  return text.size() == lower.size() &&
         std::equal(text.begin(), text.end(), lower.begin(), [](char c, char l) {
           return static_cast<char>(std::tolower(static_cast<unsigned char>(c))) == l;
         });
}

// `Pod in version "v1" cannot be handled as a Pod: <why>`.
api_error cannot_handle(const resource_info& info, const std::string& why) {
  return bad_request(info.kind + " in version \"" + info.version + "\" cannot be handled as a " +
                     info.kind + ": " + why);
}

// Sets v to the string s, leaving it alone when it already is s (as is usual here).
void set_string(json::value& v, const std::string& s) {
  if (!v.is_string() || v.as_string() != s) v = s;
}

std::optional<api_error> check_type_meta(const resource_info& info, json::value& obj) {
  const json::value* api_version = obj.find("apiVersion");
  const json::value* kind = obj.find("kind");
  const std::string expected = info.api_version();
  if (api_version && api_version->is_string() && !api_version->as_string().empty() &&
      api_version->as_string() != expected)
    return bad_request("the API version in the data (" + api_version->as_string() +
                       ") does not match the expected API version (" + expected + ")");
  if (kind && kind->is_string() && !kind->as_string().empty() && kind->as_string() != info.kind)
    return bad_request(kind->as_string() + " in version \"" + info.version +
                       "\" cannot be handled as a " + info.kind +
                       ": the kind in the data does not match the kind of the URL");
  // Kubernetes defaults a missing apiVersion/kind from the URL; both lead the stored object.
  json::object& members = obj.as_object();
  if (members.size() >= 2 && members[0].key == "apiVersion" && members[1].key == "kind") {
    set_string(members[0].val, expected);  // already in place, as clients usually write them
    set_string(members[1].val, info.kind);
    return std::nullopt;
  }
  json::value typed = json::value::make_object();
  typed.as_object().reserve(obj.as_object().size() + 2);
  typed.set("apiVersion", expected);
  typed.set("kind", info.kind);
  for (auto& m : obj.as_object())
    if (m.key != "apiVersion" && m.key != "kind") typed.as_object().push_back(std::move(m));
  obj = std::move(typed);
  return std::nullopt;
}

// `needs_normalization`, when given, learns whether normalize_object could change the object.
std::optional<api_error> check_against_schema(const resource_info& info, const json::value& obj,
                                              field_validation mode,
                                              const std::vector<std::string>& duplicates,
                                              std::vector<std::string>& warnings,
                                              bool* needs_normalization = nullptr) {
  const schema::message_type* type = schema::find_message(info.schema_type);
  if (!type) return internal_error("no schema for " + info.schema_type);
  auto report = schema::check_object(obj, *type, to_check_mode(mode));
  if (!report.ok()) return cannot_handle(info, report.message());
  if (needs_normalization) *needs_normalization = report.needs_normalization;
  warnings.insert(warnings.end(), report.warnings.begin(), report.warnings.end());
  for (const auto& path : duplicates) {
    std::string text = "duplicate field \"" + path + "\"";
    if (mode == field_validation::strict)
      return cannot_handle(info, "strict decoding error: " + text);
    if (mode == field_validation::warn) warnings.push_back(text);
  }
  return std::nullopt;
}

std::optional<api_error> reconcile_namespace(const resource_info& info, json::value& meta,
                                             const std::string& url_ns) {
  if (!info.namespaced) {
    meta.erase("namespace");
    return std::nullopt;
  }
  const json::value* ns = meta.find("namespace");
  if (ns && ns->is_string() && !ns->as_string().empty() && ns->as_string() != url_ns)
    return bad_request(
        "the namespace of the provided object does not match the namespace sent on the request");
  meta.set("namespace", url_ns);
  return std::nullopt;
}

std::optional<api_error> reconcile_name(json::value& meta, const std::string& url_name,
                                        write_kind kind) {
  const json::value* name = meta.find("name");
  const bool has_name = name && name->is_string() && !name->as_string().empty();
  if (kind == write_kind::update) {
    if (has_name && name->as_string() != url_name)
      return bad_request("the name of the object (" + name->as_string() +
                         ") does not match the name on the URL (" + url_name + ")");
    meta.set("name", url_name);
    return std::nullopt;
  }
  const json::value* generate = meta.find("generateName");
  if (!has_name && generate && generate->is_string() && !generate->as_string().empty())
    meta.set("name", name_from_generate_name(generate->as_string()));
  return std::nullopt;
}

}  // namespace

std::string name_from_generate_name(std::string_view prefix) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string name(prefix);
  for (int i = 0; i < 5; ++i) name.push_back(kAlphabet[pick(rng)]);
  return name;
}

schema::check_mode to_check_mode(field_validation mode) {
  switch (mode) {
    case field_validation::strict:
      return schema::check_mode::strict;
    case field_validation::warn:
      return schema::check_mode::warn;
    case field_validation::ignore:
      break;
  }
  return schema::check_mode::ignore;
}

std::optional<field_validation> parse_field_validation(std::string_view text) {
  if (text.empty() || text == "Warn") return field_validation::warn;
  if (text == "Strict") return field_validation::strict;
  if (text == "Ignore") return field_validation::ignore;
  return std::nullopt;
}

body_format body_format_of(std::string_view content_type) {
  const std::string_view media = media_type(content_type);
  auto is = [media](std::string_view lower) { return lowercases_to(media, lower); };
  if (media.empty() || is("application/json") || is("*/*")) return body_format::json;
  if (is("application/yaml") || is("application/x-yaml") || is("text/yaml"))
    return body_format::yaml;
  if (is("application/vnd.kubernetes.protobuf")) return body_format::protobuf;
  return body_format::unsupported;
}

std::optional<api_error> read_body(const resource_info& info, std::string_view content_type,
                                   std::string_view body, json::value& out,
                                   std::vector<std::string>* duplicate_keys) {
  const body_format format = body_format_of(content_type);
  if (format == body_format::unsupported) return unsupported_media_type(std::string(content_type));
  if (format == body_format::protobuf) return decode_protobuf_object(info, body, out);
  json::parse_result parsed = format == body_format::yaml
                                  ? json::parse_yaml(body, out)
                                  : json::parse(body, out, {.room_to_grow = true});
  if (!parsed.ok) {
    if (format == body_format::yaml) return bad_request(parsed.error);
    return bad_request("couldn't get version/kind; json parse error: " + parsed.error);
  }
  if (!out.is_object())
    return bad_request("couldn't get version/kind; json parse error: json: cannot unmarshal " +
                       std::string(out.is_array()    ? "array"
                                   : out.is_string() ? "string"
                                   : out.is_null()   ? "null"
                                                     : "number") +
                       " into Go value of type struct { APIVersion string; Kind string }");
  if (duplicate_keys) *duplicate_keys = std::move(parsed.duplicate_keys);
  return std::nullopt;
}

std::optional<api_error> decode_object(const resource_info& info, std::string_view content_type,
                                       std::string_view body, field_validation mode,
                                       json::value& out, std::vector<std::string>& warnings) {
  std::vector<std::string> duplicate_keys;
  if (auto e = read_body(info, content_type, body, out, &duplicate_keys)) return e;
  if (auto e = check_type_meta(info, out)) return e;
  bool normalize = true;
  if (auto e = check_against_schema(info, out, mode, duplicate_keys, warnings, &normalize))
    return e;
  if (normalize) schema::normalize_object(out, *schema::find_message(info.schema_type));
  return std::nullopt;
}

std::optional<api_error> check_patched_object(const resource_info& info, const json::value& obj,
                                              field_validation mode,
                                              std::vector<std::string>& warnings) {
  if (!obj.is_object()) return bad_request("the patch did not produce an object");
  json::value copy = obj;
  if (auto e = check_type_meta(info, copy)) return e;
  const schema::message_type* type = schema::find_message(info.schema_type);
  auto report = schema::check_object(copy, *type, schema::check_mode::ignore);
  // As kube-apiserver: a patched object that does not decode is Invalid on the field `patch`.
  if (!report.decode_error.empty())
    return invalid("", "", "",
                   {invalid_value("patch", go_quote(json::dump(obj)), report.decode_error)});
  return check_against_schema(info, copy, mode, {}, warnings);
}

std::optional<api_error> admit_object(const resource_info& info, json::value& obj,
                                      const std::string& url_ns, const std::string& url_name,
                                      write_kind kind) {
  json::value& meta = obj["metadata"];
  if (meta.is_null()) meta = json::value::make_object();
  if (!meta.is_object()) return bad_request("metadata must be an object");
  if (auto e = reconcile_namespace(info, meta, url_ns)) return e;
  if (auto e = reconcile_name(meta, url_name, kind)) return e;
  if (kind == write_kind::create) {
    const json::value* rv = meta.find("resourceVersion");
    if (rv && rv->is_string() && !rv->as_string().empty())
      return bad_request("resourceVersion should not be set on objects to be created");
  }
  if (info.set_defaults) info.set_defaults(obj);
  if (kind == write_kind::create && info.prepare_for_create) info.prepare_for_create(obj);
  std::vector<status_cause> causes =
      validate_object_meta(*obj.find("metadata"), info.namespaced, name_rule_for_kind(info.kind));
  if (info.validate) info.validate(obj, causes);
  if (!causes.empty()) {
    std::string name(obj.find("metadata")->get_string("name"));
    return invalid(info.kind, info.group, name, std::move(causes));
  }
  return std::nullopt;
}

std::optional<uint64_t> object_resource_version(const json::value& obj) {
  const json::value* rv = obj.at({"metadata", "resourceVersion"});
  if (!rv || rv->is_null()) return uint64_t{0};
  if (!rv->is_string()) return std::nullopt;
  const std::string& s = rv->as_string();
  if (s.empty()) return uint64_t{0};
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace kactor::api
