// The pod subresources a scheduler and `kubectl drain` write: pods/binding (assign a pod to a
// node) and pods/eviction (a delete that disruption budgets may refuse).
#pragma once

#include <optional>
#include <string>

#include "api/json.hpp"
#include "api/resources.hpp"
#include "api/status.hpp"

namespace kactor::api {

// The body kinds of the two subresources, for decode_object.
const resource_info& binding_body_info();
const resource_info& eviction_body_info();

// Checks a decoded Binding posted to pods/<pod_name>/binding (400 name mismatch, 422 target).
std::optional<api_error> check_binding(const json::value& binding, const std::string& pod_name);

// Assigns `pod` to the Binding's node as kube-apiserver does: spec.nodeName, the Binding's
// annotations, and the PodScheduled condition. 409 Conflict when the pod is already assigned
// or being deleted. `now` is an RFC 3339 timestamp.
std::optional<api_error> bind_pod(const json::value& binding, const std::string& now,
                                  json::value& pod);

// Checks a decoded Eviction posted to pods/<pod_name>/eviction.
std::optional<api_error> check_eviction(const json::value& eviction, const std::string& pod_name);

// {"kind":"Status",...,"status":"Success","code":201}: the reply to both subresources.
std::string created_status_json();

}  // namespace kactor::api
