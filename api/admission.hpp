// Turning a request body into an object the store may keep: decoding (JSON or YAML), type and
// unknown-field checks against the type model, URL consistency, defaulting and validation.
// Pure functions; every failure is the Status kube-apiserver would return.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"
#include "api/resources.hpp"
#include "api/status.hpp"

namespace kactor::api {

enum class field_validation { ignore, warn, strict };

namespace schema {
enum class check_mode;
}
schema::check_mode to_check_mode(field_validation mode);

// Parses the fieldValidation query value ("" means the server default, Warn).
std::optional<field_validation> parse_field_validation(std::string_view text);

// Media types accepted for bodies: application/json, application/yaml (and */*+json variants).
enum class body_format { json, yaml, protobuf, unsupported };
body_format body_format_of(std::string_view content_type);

// Reads a body of `info`'s kind into `out` by its Content-Type (JSON, YAML or protobuf) without
// checking it against the type model: 415 for other media types, 400 when it does not parse or
// is not an object. The dotted paths of duplicate keys go to `duplicate_keys` when given.
std::optional<api_error> read_body(const resource_info& info, std::string_view content_type,
                                   std::string_view body, json::value& out,
                                   std::vector<std::string>* duplicate_keys = nullptr);

// Decodes a whole object of `info`'s kind. Fails with 400 (malformed, wrong types, unknown
// fields under Strict, apiVersion/kind that do not match the URL) or 415 (media type).
// Unknown fields under Warn are appended to `warnings`.
std::optional<api_error> decode_object(const resource_info& info, std::string_view content_type,
                                       std::string_view body, field_validation mode,
                                       json::value& out, std::vector<std::string>& warnings);

// Re-checks an object built by a patch against the type model (types and unknown fields).
std::optional<api_error> check_patched_object(const resource_info& info, const json::value& obj,
                                              field_validation mode,
                                              std::vector<std::string>& warnings);

enum class write_kind { create, update };

// URL consistency (namespace and name), generateName, defaulting and validation. `url_ns` is ""
// for cluster-scoped kinds; `url_name` is "" on create.
std::optional<api_error> admit_object(const resource_info& info, json::value& obj,
                                      const std::string& url_ns, const std::string& url_name,
                                      write_kind kind);

// A name for an object created with metadata.generateName `prefix`: the prefix and five random
// characters.
std::string name_from_generate_name(std::string_view prefix);

// metadata.resourceVersion of an object as a number (0 when absent or empty); std::nullopt when
// present but not a valid resource version.
std::optional<uint64_t> object_resource_version(const json::value& obj);

}  // namespace kactor::api
