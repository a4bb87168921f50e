// Strategic-merge-patch metadata: the patchStrategy / patchMergeKey struct tags of
// k8s.io/api and k8s.io/apimachinery, which the protobuf schema does not carry.
#include <unordered_map>

#include "api/schema.hpp"

namespace kactor::api::schema {

namespace {

constexpr auto kMerge = patch_strategy::merge;
constexpr auto kMergeRetainKeys = patch_strategy::merge_retain_keys;

// Keep in the order of the Go sources (meta, core, apps, batch, autoscaling, networking, policy,
// storage) so the list is easy to compare with them.
constexpr patch_rule kRules[] = {
    {"k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ownerReferences", "uid", kMerge},
    {"k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers", "", kMerge},

    {"k8s.io.api.core.v1.PodSpec", "volumes", "name", kMergeRetainKeys},
    {"k8s.io.api.core.v1.PodSpec", "initContainers", "name", kMerge},
    {"k8s.io.api.core.v1.PodSpec", "containers", "name", kMerge},
    {"k8s.io.api.core.v1.PodSpec", "ephemeralContainers", "name", kMerge},
    {"k8s.io.api.core.v1.PodSpec", "imagePullSecrets", "name", kMerge},
    {"k8s.io.api.core.v1.PodSpec", "hostAliases", "ip", kMerge},
    {"k8s.io.api.core.v1.PodSpec", "topologySpreadConstraints", "topologyKey", kMerge},
    {"k8s.io.api.core.v1.PodSpec", "schedulingGates", "name", kMerge},
    {"k8s.io.api.core.v1.PodSpec", "resourceClaims", "name", kMergeRetainKeys},
    {"k8s.io.api.core.v1.Container", "ports", "containerPort", kMerge},
    {"k8s.io.api.core.v1.Container", "env", "name", kMerge},
    {"k8s.io.api.core.v1.Container", "volumeMounts", "mountPath", kMerge},
    {"k8s.io.api.core.v1.Container", "volumeDevices", "devicePath", kMerge},
    {"k8s.io.api.core.v1.EphemeralContainerCommon", "ports", "containerPort", kMerge},
    {"k8s.io.api.core.v1.EphemeralContainerCommon", "env", "name", kMerge},
    {"k8s.io.api.core.v1.EphemeralContainerCommon", "volumeMounts", "mountPath", kMerge},
    {"k8s.io.api.core.v1.EphemeralContainerCommon", "volumeDevices", "devicePath", kMerge},
    {"k8s.io.api.core.v1.ContainerStatus", "volumeMounts", "mountPath", kMerge},
    {"k8s.io.api.core.v1.ContainerStatus", "allocatedResourcesStatus", "name", kMerge},
    {"k8s.io.api.core.v1.PodStatus", "conditions", "type", kMerge},
    {"k8s.io.api.core.v1.PodStatus", "hostIPs", "ip", kMerge},
    {"k8s.io.api.core.v1.PodStatus", "podIPs", "ip", kMerge},
    {"k8s.io.api.core.v1.PodStatus", "resourceClaimStatuses", "name", kMergeRetainKeys},
    {"k8s.io.api.core.v1.PersistentVolumeClaimStatus", "conditions", "type", kMerge},
    {"k8s.io.api.core.v1.ReplicationControllerStatus", "conditions", "type", kMerge},
    {"k8s.io.api.core.v1.ServiceSpec", "ports", "port", kMerge},
    {"k8s.io.api.core.v1.ServiceStatus", "conditions", "type", kMerge},
    {"k8s.io.api.core.v1.ServiceAccount", "secrets", "name", kMerge},
    {"k8s.io.api.core.v1.NodeSpec", "podCIDRs", "", kMerge},
    {"k8s.io.api.core.v1.NodeStatus", "conditions", "type", kMerge},
    {"k8s.io.api.core.v1.NodeStatus", "addresses", "type", kMerge},
    {"k8s.io.api.core.v1.NamespaceStatus", "conditions", "type", kMerge},
    {"k8s.io.api.core.v1.ComponentStatus", "conditions", "type", kMerge},

    {"k8s.io.api.apps.v1.DeploymentSpec", "strategy", "", patch_strategy::retain_keys},
    {"k8s.io.api.apps.v1.DeploymentStatus", "conditions", "type", kMerge},
    {"k8s.io.api.apps.v1.ReplicaSetStatus", "conditions", "type", kMerge},
    {"k8s.io.api.apps.v1.StatefulSetStatus", "conditions", "type", kMerge},
    {"k8s.io.api.apps.v1.DaemonSetStatus", "conditions", "type", kMerge},

    {"k8s.io.api.batch.v1.JobStatus", "conditions", "type", kMerge},

    {"k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerStatus", "conditions", "type", kMerge},
    {"k8s.io.api.policy.v1.PodDisruptionBudgetSpec", "selector", "", patch_strategy::replace},
    {"k8s.io.api.policy.v1.PodDisruptionBudgetStatus", "conditions", "type", kMerge},
    {"k8s.io.api.storage.v1.CSINodeSpec", "drivers", "name", kMerge},
};

const std::unordered_map<const field*, const patch_rule*>& rules_by_field() {
  static const auto table = [] {
    std::unordered_map<const field*, const patch_rule*> out;
    for (const patch_rule& rule : kRules) {
      const message_type* message = find_message(rule.message);
      const field* f = message ? message->find_field(rule.field) : nullptr;
      if (f) out.emplace(f, &rule);
    }
    return out;
  }();
  return table;
}

const patch_rule* rule_for(const field& f) {
  const auto& table = rules_by_field();
  auto it = table.find(&f);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace

std::string_view to_string(patch_strategy s) {
  switch (s) {
    case patch_strategy::none:
      return "";
    case patch_strategy::merge:
      return "merge";
    case patch_strategy::retain_keys:
      return "retainKeys";
    case patch_strategy::merge_retain_keys:
      return "merge,retainKeys";
    case patch_strategy::replace:
      return "replace";
  }
  return "";
}

std::string_view merge_key(const field& f) {
  const patch_rule* rule = rule_for(f);
  return rule ? rule->merge_key : std::string_view();
}

patch_strategy strategy(const field& f) {
  const patch_rule* rule = rule_for(f);
  return rule ? rule->strategy : patch_strategy::none;
}

std::span<const patch_rule> patch_rules() {
  return kRules;
}

}  // namespace kactor::api::schema
