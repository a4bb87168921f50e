// Defaulting as kube-apiserver 1.32 applies it to core/v1 and apps/v1 objects: the SetDefaults_*
// functions of pkg/apis/{core,apps}/v1 (and the generated +default markers), plus the few values
// the create path always fills in (Namespace finalizer, Pod priority from the Priority admission
// plugin, Service IP families, and the always-serialized empty structs such as a container's
// `resources: {}`). Defaulted keys are inserted where Kubernetes' encoder would write them.
// Cluster IP and node port allocation are not defaults and happen elsewhere.
#pragma once

#include <string>
#include <string_view>

#include "api/json.hpp"

namespace kactor::api {

void set_defaults_namespace(json::value& obj);
void set_defaults_pod(json::value& obj);
void set_defaults_node(json::value& obj);
void set_defaults_service(json::value& obj);
void set_defaults_endpoints(json::value& obj);
void set_defaults_secret(json::value& obj);
void set_defaults_event(json::value& obj);
void set_defaults_replication_controller(json::value& obj);
void set_defaults_replica_set(json::value& obj);
void set_defaults_deployment(json::value& obj);

// SetDefaults_PodSpec and the defaults of everything a PodSpec holds (containers, probes,
// ports, volumes...): shared by Pods and the pod templates of workloads.
void default_pod_spec(json::value& spec);

// The status a Pod gets on create: phase Pending and its QoS class (replacing any status sent).
void initial_pod_status(json::value& pod);

// A container's default imagePullPolicy: "Always" for the tag "latest" or no tag (and no
// digest), else "IfNotPresent" (also for references that do not parse).
std::string default_image_pull_policy(std::string_view image);

}  // namespace kactor::api
