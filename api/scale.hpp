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

// Checks a Scale sent for `obj` against the type model (400) and kube's Scale validation (422)
// and writes its spec.replicas into `obj`. Unknown fields under Warn go to `warnings`.
std::optional<api_error> apply_scale(const json::value& scale, field_validation mode,
                                     json::value& obj, std::vector<std::string>& warnings);

}  // namespace kactor::api
