#include "api/status.hpp"

#include <string_view>

#include "api/json.hpp"

namespace kactor::api {
namespace {

// `pods`, `deployments.apps`: a GroupResource or GroupKind as Kubernetes prints it.
std::string qualified(const std::string& name, const std::string& group) {
  return group.empty() ? name : name + "." + group;
}

api_error make_error(int code, std::string reason, std::string message) {
  api_error e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  return e;
}

api_error resource_error(int code, std::string reason, std::string message,
                         const std::string& resource, const std::string& group,
                         const std::string& name) {
  api_error e = make_error(code, std::move(reason), std::move(message));
  e.name = name;
  e.group = group;
  e.kind = resource;
  return e;
}

// `message` unless it already starts with `prefix`, in which case it is kept as is.
std::string with_prefix(std::string_view prefix, const std::string& message) {
  if (std::string_view(message).starts_with(prefix)) return message;
  return std::string(prefix) + message;
}

json::value cause_json(const status_cause& c) {
  json::value out = json::value::make_object();
  if (!c.reason.empty()) out.set("reason", c.reason);
  if (!c.message.empty()) out.set("message", c.message);
  if (!c.field.empty()) out.set("field", c.field);
  return out;
}

// StatusDetails with empty members omitted; null when every member is empty.
json::value details_json(const api_error& e) {
  json::value d = json::value::make_object();
  if (!e.name.empty()) d.set("name", e.name);
  if (!e.group.empty()) d.set("group", e.group);
  if (!e.kind.empty()) d.set("kind", e.kind);
  if (!e.uid.empty()) d.set("uid", e.uid);
  if (!e.causes.empty()) {
    json::value causes = json::value::make_array();
    for (const auto& c : e.causes) causes.as_array().push_back(cause_json(c));
    d.set("causes", std::move(causes));
  }
  if (e.retry_after_seconds > 0) d.set("retryAfterSeconds", e.retry_after_seconds);
  if (d.as_object().empty()) return nullptr;
  return d;
}

json::value status_skeleton(const char* status) {
  json::value s = json::value::make_object();
  s.set("kind", "Status");
  s.set("apiVersion", "v1");
  s.set("metadata", json::value::make_object());
  s.set("status", status);
  return s;
}

// One field error as field.Error.Error() prints it: `<field>: <message>`.
std::string cause_text(const status_cause& c) {
  return c.field.empty() ? c.message : c.field + ": " + c.message;
}

// utilerrors.NewAggregate(...).Error(): duplicates dropped, brackets when several remain.
std::string aggregate_text(const std::vector<status_cause>& causes) {
  std::vector<std::string> seen;
  for (const auto& c : causes) {
    std::string text = cause_text(c);
    bool duplicate = false;
    for (const auto& s : seen) duplicate = duplicate || s == text;
    if (!duplicate) seen.push_back(std::move(text));
  }
  if (seen.size() == 1) return seen.front();
  std::string out = "[";
  for (size_t i = 0; i < seen.size(); ++i) out += (i ? ", " : "") + seen[i];
  return out + "]";
}

status_cause make_cause(std::string reason, const std::string& field, std::string message) {
  return status_cause{std::move(reason), std::move(message), field};
}

}  // namespace

std::string status_json(const api_error& e) {
  json::value s = status_skeleton("Failure");
  if (!e.continue_token.empty()) s["metadata"].set("continue", e.continue_token);
  s.set("message", e.message);
  s.set("reason", e.reason);
  json::value details = details_json(e);
  if (!details.is_null()) s.set("details", std::move(details));
  s.set("code", e.code);
  return json::dump(s);
}

std::string success_status_json(const std::string& name, const std::string& group,
                                const std::string& kind, const std::string& uid) {
  api_error fields;
  fields.name = name;
  fields.group = group;
  fields.kind = kind;
  fields.uid = uid;
  json::value s = status_skeleton("Success");
  json::value details = details_json(fields);
  if (!details.is_null()) s.set("details", std::move(details));
  return json::dump(s);
}

api_error not_found(const std::string& resource, const std::string& group,
                    const std::string& name) {
  return resource_error(404, "NotFound",
                        qualified(resource, group) + " " + go_quote(name) + " not found", resource,
                        group, name);
}

api_error already_exists(const std::string& resource, const std::string& group,
                         const std::string& name) {
  return resource_error(409, "AlreadyExists",
                        qualified(resource, group) + " " + go_quote(name) + " already exists",
                        resource, group, name);
}

api_error conflict(const std::string& resource, const std::string& group, const std::string& name,
                   const std::string& why) {
  return resource_error(409, "Conflict",
                        "Operation cannot be fulfilled on " + qualified(resource, group) + " " +
                            go_quote(name) + ": " + why,
                        resource, group, name);
}

api_error stale_conflict(const std::string& resource, const std::string& group,
                         const std::string& name) {
  return conflict(resource, group, name,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

api_error invalid(const std::string& kind, const std::string& group, const std::string& name,
                  std::vector<status_cause> causes) {
  std::string message = qualified(kind, group) + " " + go_quote(name) + " is invalid";
  if (!causes.empty()) message += ": " + aggregate_text(causes);
  api_error e = resource_error(422, "Invalid", std::move(message), kind, group, name);
  e.causes = std::move(causes);
  return e;
}

api_error bad_request(const std::string& message) {
  return make_error(400, "BadRequest", message);
}

api_error gone_expired(const std::string& message) {
  return make_error(410, "Expired", message);
}

api_error continue_expired(const std::string& inconsistent_token) {
  api_error e = gone_expired(
      "The provided continue parameter is too old to display a consistent list result. You can "
      "start a new list without the continue parameter, or use the continue token in this "
      "response to retrieve the remainder of the results. Continuing with the provided token "
      "results in an inconsistent list - objects that were created, modified, or deleted between "
      "the time the first chunk was returned and now may show up in the list.");
  e.continue_token = inconsistent_token;
  return e;
}

api_error method_not_allowed(const std::string& message) {
  return make_error(405, "MethodNotAllowed", message);
}

api_error unsupported_media_type(const std::string& /*content_type*/) {
  return make_error(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types "
                    "include: application/json, application/yaml, "
                    "application/vnd.kubernetes.protobuf");
}

api_error not_acceptable(const std::string& message) {
  return make_error(406, "NotAcceptable", message);
}

api_error request_entity_too_large(const std::string& message) {
  return make_error(413, "RequestEntityTooLarge",
                    with_prefix("Request entity too large: ", message));
}

api_error request_timeout(const std::string& message) {
  return make_error(408, "Timeout", message);
}

api_error forbidden(const std::string& message) {
  return make_error(403, "Forbidden", message);
}

api_error internal_error(const std::string& message) {
  api_error e = make_error(500, "InternalError", with_prefix("Internal error occurred: ", message));
  e.causes.push_back(status_cause{"", message, ""});
  return e;
}

api_error path_not_found() {
  return make_error(404, "NotFound", "the server could not find the requested resource");
}

api_error timeout(const std::string& message) {
  return make_error(504, "Timeout", with_prefix("Timeout: ", message));
}

status_cause required_field(const std::string& field) {
  return make_cause("FieldValueRequired", field, "Required value");
}

status_cause invalid_value(const std::string& field, const std::string& shown_value,
                           const std::string& detail) {
  std::string message = "Invalid value: " + shown_value;
  if (!detail.empty()) message += ": " + detail;
  return make_cause("FieldValueInvalid", field, std::move(message));
}

status_cause unsupported_value(const std::string& field, const std::string& shown_value,
                               const std::vector<std::string>& supported) {
  std::string message = "Unsupported value: " + shown_value;
  for (size_t i = 0; i < supported.size(); ++i)
    message += (i ? ", " : ": supported values: ") + go_quote(supported[i]);
  return make_cause("FieldValueNotSupported", field, std::move(message));
}

status_cause duplicate_value(const std::string& field, const std::string& shown_value) {
  return make_cause("FieldValueDuplicate", field, "Duplicate value: " + shown_value);
}

status_cause forbidden_field(const std::string& field, const std::string& detail) {
  std::string message = "Forbidden";
  if (!detail.empty()) message += ": " + detail;
  return make_cause("FieldValueForbidden", field, std::move(message));
}

status_cause too_long(const std::string& field, size_t max_len) {
  return make_cause("FieldValueTooLong", field,
                    "Too long: may not be more than " + std::to_string(max_len) +
                        (max_len == 1 ? " byte" : " bytes"));
}

std::string go_quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x07 && c <= 0x0d) {
      out += '\\';
      out += "abtnvfr"[c - 0x07];
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace kactor::api
