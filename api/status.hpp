// Kubernetes `Status` errors: every failure the API returns is one of these, encoded as a
// meta/v1 Status object whose `code` equals the HTTP status.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kactor::api {

struct status_cause {
  std::string reason;  // FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, ...
  std::string message;
  std::string field;
};

struct api_error {
  int code = 500;
  std::string reason;  // NotFound, AlreadyExists, Conflict, Invalid, BadRequest, ...
  std::string message;
  // details (all optional)
  std::string name;
  std::string group;
  std::string kind;  // resource plural for NotFound/AlreadyExists, Kind for Invalid
  std::string uid;
  std::vector<status_cause> causes;
  int retry_after_seconds = 0;
  std::string continue_token;  // metadata.continue: where an expired paged list can go on from
};

// The Status JSON object for an error.
std::string status_json(const api_error& e);
// {"kind":"Status",...,"status":"Success"} for successful deletes.
std::string success_status_json(const std::string& name, const std::string& group,
                                const std::string& kind, const std::string& uid);

// `resource` is the plural ("pods"), `group` is "" for the core group. Messages follow
// kube-apiserver: `pods "x" not found`, `deployments.apps "web" already exists`.
api_error not_found(const std::string& resource, const std::string& group, const std::string& name);
api_error already_exists(const std::string& resource, const std::string& group,
                         const std::string& name);
api_error conflict(const std::string& resource, const std::string& group, const std::string& name,
                   const std::string& why);
// The usual optimistic-concurrency conflict ("the object has been modified; ...").
api_error stale_conflict(const std::string& resource, const std::string& group,
                         const std::string& name);
// `kind` is the Kind ("Pod"): `Pod "x" is invalid: spec.containers: Required value`.
api_error invalid(const std::string& kind, const std::string& group, const std::string& name,
                  std::vector<status_cause> causes);
api_error bad_request(const std::string& message);
api_error gone_expired(const std::string& message);  // 410 Expired
// 410 Expired for a continue token whose snapshot is gone; `inconsistent_token` continues the
// list from the same place over the current state.
api_error continue_expired(const std::string& inconsistent_token);
api_error method_not_allowed(const std::string& message);
api_error unsupported_media_type(const std::string& content_type);
api_error not_acceptable(const std::string& message);
api_error request_entity_too_large(const std::string& message);
api_error request_timeout(const std::string& message);
api_error forbidden(const std::string& message);
api_error internal_error(const std::string& message);
api_error path_not_found();  // "the server could not find the requested resource"
api_error timeout(const std::string& message);  // 504 Timeout

// Go's strconv.Quote (%q), which Kubernetes uses to show names and values in messages; bytes
// from 0x80 up are copied as they are.
std::string go_quote(std::string_view s);

// Field-error helpers producing the causes kube-apiserver produces.
status_cause required_field(const std::string& field);
status_cause invalid_value(const std::string& field, const std::string& shown_value,
                           const std::string& detail);
status_cause unsupported_value(const std::string& field, const std::string& shown_value,
                               const std::vector<std::string>& supported);
status_cause duplicate_value(const std::string& field, const std::string& shown_value);
status_cause forbidden_field(const std::string& field, const std::string& detail);
status_cause too_long(const std::string& field, size_t max_len);

}  // namespace kactor::api
