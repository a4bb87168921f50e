// The autoscaling/v1 Scale subresource of scalable kinds (Deployment, ReplicaSet,
// ReplicationController): the view kubectl scale and the HPA read and write.
#pragma once

#include <optional>

#include "api/admission.hpp"
#include "api/json.hpp"
#include "api/resources.hpp"
#include "api/status.hpp"

namespace kactor::api {

// The Scale of a stored object: its identity, spec.replicas, status.replicas and the selector
// in its string form ("app=web").
json::value scale_of(const resource_info& info, const json::value& obj);

// Reads the body of a PUT to a scale subresource into `out` as JSON: JSON, YAML or protobuf by
// its Content-Type (415 for others, 400 when it does not parse). apply_scale checks the rest.
std::optional<api_error> decode_scale_body(std::string_view content_type, std::string_view body,
                                           json::value& out);

// Checks a Scale sent for `obj` against the type model (400) and kube's Scale validation (422)
// and writes its spec.replicas into `obj`. Unknown fields under Warn go to `warnings`.
std::optional<api_error> apply_scale(const json::value& scale, field_validation mode,
                                     json::value& obj, std::vector<std::string>& warnings);

}  // namespace kactor::api
