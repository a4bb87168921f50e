#!/usr/bin/env python3
"""Generates api/schema_gen.inc, kactor's type description table, from Kubernetes 1.32's protos.

kactor is Kubernetes 1.32 (/version says minor 32), so its type model has exactly the messages
and fields of the generated.proto files of k8s.io/api and k8s.io/apimachinery v0.32.9 for the
packages in PACKAGES: nothing a later Kubernetes added (Container.restartPolicyRules is 1.34),
nothing it removed (core/v1 PodStatusResult is still there). Those facts are checked in as
scripts/k8s_1_32_fields.json, so regenerating needs nothing outside the repository:

    python3 scripts/gen_schema.py

To re-derive scripts/k8s_1_32_fields.json from the protos first (git directories of k8s.io/api
and k8s.io/apimachinery, e.g. from `fetch github:kubernetes/api`; only the tag is read):

    python3 scripts/gen_schema.py --protos API_GIT_DIR APIMACHINERY_GIT_DIR [--tag v0.32.9]

Either way, when the reference table ../shared/reference/k8s_proto_schema.json (relative to the
repository root; --reference PATH names another) is present, the script prints how the model
differs from it (that table was read from a Kubernetes newer than 1.32). Nothing of it is used.

The fields file maps each protobuf message to {field number: {"n": name, "t": type, "r":
repeated}} or {"n": name, "map": [key type, value type]}, fields in declaration order (the
reference's format). It carries no JSON-only facts, so the few of those that the JSON codec
needs are kept by hand below (each table says where it comes from: the Go structs in k8s.io/api
and k8s.io/apimachinery v0.32.x).

Output: a constexpr array of fields (declaration order per message) and a constexpr array of
messages sorted by full name, both meant to be #included by api/schema.cpp inside
namespace kactor::api::schema. The output is deterministic for a given fields file.
"""

import argparse
import json
import os
import re
import subprocess

RELEASE = "1.32"
DEFAULT_TAG = "v0.32.9"  # k8s.io/api and k8s.io/apimachinery tag v0.32.x is Kubernetes 1.32.x

# The protobuf packages of the type model: (package, repository, directory of generated.proto).
PACKAGES = [
    ("k8s.io.api.apps.v1", "api", "apps/v1"),
    ("k8s.io.api.authentication.v1", "api", "authentication/v1"),
    ("k8s.io.api.autoscaling.v1", "api", "autoscaling/v1"),
    ("k8s.io.api.autoscaling.v2", "api", "autoscaling/v2"),
    ("k8s.io.api.batch.v1", "api", "batch/v1"),
    ("k8s.io.api.coordination.v1", "api", "coordination/v1"),
    ("k8s.io.api.core.v1", "api", "core/v1"),
    ("k8s.io.api.discovery.v1", "api", "discovery/v1"),
    ("k8s.io.api.events.v1", "api", "events/v1"),
    ("k8s.io.api.networking.v1", "api", "networking/v1"),
    ("k8s.io.api.policy.v1", "api", "policy/v1"),
    ("k8s.io.api.rbac.v1", "api", "rbac/v1"),
    ("k8s.io.api.storage.v1", "api", "storage/v1"),
    ("k8s.io.apimachinery.pkg.api.resource", "apimachinery", "pkg/api/resource"),
    ("k8s.io.apimachinery.pkg.apis.meta.v1", "apimachinery", "pkg/apis/meta/v1"),
    ("k8s.io.apimachinery.pkg.runtime", "apimachinery", "pkg/runtime"),
    ("k8s.io.apimachinery.pkg.util.intstr", "apimachinery", "pkg/util/intstr"),
]

SCALARS = {"string": "string", "int32": "int32", "int64": "int64", "bool": "boolean", "bytes": "bytes"}

# Messages whose JSON form is not an object of their protobuf fields (custom Go (un)marshalers).
SPECIAL_MESSAGES = {
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "int_or_string",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "time",
    "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "micro_time",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "raw",
    "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "fields_v1",
}

# Go anonymous (embedded) struct fields: their fields appear inline in the JSON object.
INLINE_FIELDS = {
    ("k8s.io.api.core.v1.Volume", "volumeSource"),
    ("k8s.io.api.core.v1.PersistentVolumeSpec", "persistentVolumeSource"),
    ("k8s.io.api.core.v1.Probe", "handler"),
    ("k8s.io.api.core.v1.EphemeralContainer", "ephemeralContainerCommon"),
    ("k8s.io.api.core.v1.SecretProjection", "localObjectReference"),
    ("k8s.io.api.core.v1.ConfigMapVolumeSource", "localObjectReference"),
    ("k8s.io.api.core.v1.ConfigMapProjection", "localObjectReference"),
    ("k8s.io.api.core.v1.ConfigMapKeySelector", "localObjectReference"),
    ("k8s.io.api.core.v1.SecretKeySelector", "localObjectReference"),
    ("k8s.io.api.core.v1.ConfigMapEnvSource", "localObjectReference"),
    ("k8s.io.api.core.v1.SecretEnvSource", "localObjectReference"),
    ("k8s.io.api.networking.v1.IngressRule", "ingressRuleValue"),
    ("k8s.io.apimachinery.pkg.runtime.Unknown", "typeMeta"),
}

# Fields whose protobuf name differs from the JSON name: (message, proto name) -> JSON name.
JSON_NAMES = {
    ("k8s.io.api.networking.v1.IngressClassParametersReference", "aPIGroup"): "apiGroup",
    ("k8s.io.api.authentication.v1.BoundObjectReference", "uID"): "uid",
}

# Kinds (Go structs embedding metav1.TypeMeta) that have no metadata field. Messages with an
# ObjectMeta/ListMeta `metadata` field are kinds unless listed in NOT_KINDS.
KINDS_WITHOUT_METADATA = {
    "k8s.io.api.core.v1.NodeProxyOptions",
    "k8s.io.api.core.v1.PodAttachOptions",
    "k8s.io.api.core.v1.PodExecOptions",
    "k8s.io.api.core.v1.PodLogOptions",
    "k8s.io.api.core.v1.PodPortForwardOptions",
    "k8s.io.api.core.v1.PodProxyOptions",
    "k8s.io.api.core.v1.ServiceProxyOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.APIGroup",
    "k8s.io.apimachinery.pkg.apis.meta.v1.APIGroupList",
    "k8s.io.apimachinery.pkg.apis.meta.v1.APIResourceList",
    "k8s.io.apimachinery.pkg.apis.meta.v1.APIVersions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.ApplyOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.CreateOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.GetOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.ListOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.PatchOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.TableOptions",
    "k8s.io.apimachinery.pkg.apis.meta.v1.UpdateOptions",
}
NOT_KINDS = {
    "k8s.io.api.core.v1.PodTemplateSpec",
    "k8s.io.api.core.v1.PersistentVolumeClaimTemplate",
    "k8s.io.api.batch.v1.JobTemplateSpec",
}
META_TYPES = {
    "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta",
}

# Go named types of scalar, scalar-list and map fields (reflect.Type.String() as encoding/json
# prints it in "cannot unmarshal" errors). Fields not listed use the plain Go type of their kind.
GO_NAMED_TYPES = {
    "k8s.io.api.apps.v1.DaemonSetCondition": {"type": "v1.DaemonSetConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.apps.v1.DaemonSetUpdateStrategy": {"type": "v1.DaemonSetUpdateStrategyType"},
    "k8s.io.api.apps.v1.DeploymentCondition": {"type": "v1.DeploymentConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.apps.v1.DeploymentStrategy": {"type": "v1.DeploymentStrategyType"},
    "k8s.io.api.apps.v1.ReplicaSetCondition": {"type": "v1.ReplicaSetConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.apps.v1.StatefulSetCondition": {"type": "v1.StatefulSetConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy": {"whenDeleted": "v1.PersistentVolumeClaimRetentionPolicyType", "whenScaled": "v1.PersistentVolumeClaimRetentionPolicyType"},
    "k8s.io.api.apps.v1.StatefulSetSpec": {"podManagementPolicy": "v1.PodManagementPolicyType"},
    "k8s.io.api.apps.v1.StatefulSetUpdateStrategy": {"type": "v1.StatefulSetUpdateStrategyType"},
    "k8s.io.api.authentication.v1.BoundObjectReference": {"uid": "types.UID"},
    "k8s.io.api.autoscaling.v1.ContainerResourceMetricSource": {"name": "v1.ResourceName"},
    "k8s.io.api.autoscaling.v1.ContainerResourceMetricStatus": {"name": "v1.ResourceName"},
    "k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerCondition": {"type": "v1.HorizontalPodAutoscalerConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.autoscaling.v1.MetricSpec": {"type": "v1.MetricSourceType"},
    "k8s.io.api.autoscaling.v1.MetricStatus": {"type": "v1.MetricSourceType"},
    "k8s.io.api.autoscaling.v1.ResourceMetricSource": {"name": "v1.ResourceName"},
    "k8s.io.api.autoscaling.v1.ResourceMetricStatus": {"name": "v1.ResourceName"},
    "k8s.io.api.autoscaling.v2.ContainerResourceMetricSource": {"name": "v1.ResourceName"},
    "k8s.io.api.autoscaling.v2.ContainerResourceMetricStatus": {"name": "v1.ResourceName"},
    "k8s.io.api.autoscaling.v2.HPAScalingPolicy": {"type": "v2.HPAScalingPolicyType"},
    "k8s.io.api.autoscaling.v2.HPAScalingRules": {"selectPolicy": "v2.ScalingPolicySelect"},
    "k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerCondition": {"type": "v2.HorizontalPodAutoscalerConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.autoscaling.v2.MetricSpec": {"type": "v2.MetricSourceType"},
    "k8s.io.api.autoscaling.v2.MetricStatus": {"type": "v2.MetricSourceType"},
    "k8s.io.api.autoscaling.v2.MetricTarget": {"type": "v2.MetricTargetType"},
    "k8s.io.api.autoscaling.v2.ResourceMetricSource": {"name": "v1.ResourceName"},
    "k8s.io.api.autoscaling.v2.ResourceMetricStatus": {"name": "v1.ResourceName"},
    "k8s.io.api.batch.v1.CronJobSpec": {"concurrencyPolicy": "v1.ConcurrencyPolicy"},
    "k8s.io.api.batch.v1.JobCondition": {"type": "v1.JobConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.batch.v1.JobSpec": {"completionMode": "v1.CompletionMode", "podReplacementPolicy": "v1.PodReplacementPolicy"},
    "k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement": {"operator": "v1.PodFailurePolicyOnExitCodesOperator"},
    "k8s.io.api.batch.v1.PodFailurePolicyOnPodConditionsPattern": {"type": "v1.PodConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.batch.v1.PodFailurePolicyRule": {"action": "v1.PodFailurePolicyAction"},
    "k8s.io.api.batch.v1.UncountedTerminatedPods": {"succeeded": "[]types.UID", "failed": "[]types.UID"},
    "k8s.io.api.coordination.v1.LeaseSpec": {"strategy": "v1.CoordinatedLeaseStrategy"},
    "k8s.io.api.core.v1.AppArmorProfile": {"type": "v1.AppArmorProfileType"},
    "k8s.io.api.core.v1.AttachedVolume": {"name": "v1.UniqueVolumeName"},
    "k8s.io.api.core.v1.AzureDiskVolumeSource": {"cachingMode": "v1.AzureDataDiskCachingMode", "kind": "v1.AzureDataDiskKind"},
    "k8s.io.api.core.v1.Capabilities": {"add": "[]v1.Capability", "drop": "[]v1.Capability"},
    "k8s.io.api.core.v1.ComponentCondition": {"type": "v1.ComponentConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.core.v1.ConfigMapNodeConfigSource": {"uid": "types.UID"},
    "k8s.io.api.core.v1.Container": {"restartPolicy": "v1.ContainerRestartPolicy", "terminationMessagePolicy": "v1.TerminationMessagePolicy", "imagePullPolicy": "v1.PullPolicy"},
    "k8s.io.api.core.v1.ContainerPort": {"protocol": "v1.Protocol"},
    "k8s.io.api.core.v1.ContainerResizePolicy": {"resourceName": "v1.ResourceName", "restartPolicy": "v1.ResourceResizeRestartPolicy"},
    "k8s.io.api.core.v1.ContainerStatus": {"allocatedResources": "v1.ResourceList"},
    "k8s.io.api.core.v1.EmptyDirVolumeSource": {"medium": "v1.StorageMedium"},
    "k8s.io.api.core.v1.EndpointPort": {"protocol": "v1.Protocol"},
    "k8s.io.api.core.v1.EphemeralContainerCommon": {"restartPolicy": "v1.ContainerRestartPolicy", "terminationMessagePolicy": "v1.TerminationMessagePolicy", "imagePullPolicy": "v1.PullPolicy"},
    "k8s.io.api.core.v1.HTTPGetAction": {"scheme": "v1.URIScheme"},
    "k8s.io.api.core.v1.HostPathVolumeSource": {"type": "v1.HostPathType"},
    "k8s.io.api.core.v1.ImageVolumeSource": {"pullPolicy": "v1.PullPolicy"},
    "k8s.io.api.core.v1.LimitRangeItem": {"type": "v1.LimitType", "max": "v1.ResourceList", "min": "v1.ResourceList", "default": "v1.ResourceList", "defaultRequest": "v1.ResourceList", "maxLimitRequestRatio": "v1.ResourceList"},
    "k8s.io.api.core.v1.LoadBalancerIngress": {"ipMode": "v1.LoadBalancerIPMode"},
    "k8s.io.api.core.v1.ModifyVolumeStatus": {"status": "v1.PersistentVolumeClaimModifyVolumeStatus"},
    "k8s.io.api.core.v1.NamespaceCondition": {"type": "v1.NamespaceConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.core.v1.NamespaceSpec": {"finalizers": "[]v1.FinalizerName"},
    "k8s.io.api.core.v1.NamespaceStatus": {"phase": "v1.NamespacePhase"},
    "k8s.io.api.core.v1.NodeAddress": {"type": "v1.NodeAddressType"},
    "k8s.io.api.core.v1.NodeCondition": {"type": "v1.NodeConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.core.v1.NodeSelectorRequirement": {"operator": "v1.NodeSelectorOperator"},
    "k8s.io.api.core.v1.NodeStatus": {"capacity": "v1.ResourceList", "allocatable": "v1.ResourceList", "phase": "v1.NodePhase", "volumesInUse": "[]v1.UniqueVolumeName"},
    "k8s.io.api.core.v1.ObjectReference": {"uid": "types.UID"},
    "k8s.io.api.core.v1.PersistentVolumeClaimCondition": {"type": "v1.PersistentVolumeClaimConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.core.v1.PersistentVolumeClaimSpec": {"accessModes": "[]v1.PersistentVolumeAccessMode", "volumeMode": "v1.PersistentVolumeMode"},
    "k8s.io.api.core.v1.PersistentVolumeClaimStatus": {"phase": "v1.PersistentVolumeClaimPhase", "accessModes": "[]v1.PersistentVolumeAccessMode", "capacity": "v1.ResourceList", "allocatedResources": "v1.ResourceList", "allocatedResourceStatuses": "map[v1.ResourceName]v1.ClaimResourceStatus"},
    "k8s.io.api.core.v1.PersistentVolumeSpec": {"capacity": "v1.ResourceList", "accessModes": "[]v1.PersistentVolumeAccessMode", "persistentVolumeReclaimPolicy": "v1.PersistentVolumeReclaimPolicy", "volumeMode": "v1.PersistentVolumeMode"},
    "k8s.io.api.core.v1.PersistentVolumeStatus": {"phase": "v1.PersistentVolumePhase"},
    "k8s.io.api.core.v1.PodCondition": {"type": "v1.PodConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.core.v1.PodOS": {"name": "v1.OSName"},
    "k8s.io.api.core.v1.PodReadinessGate": {"conditionType": "v1.PodConditionType"},
    "k8s.io.api.core.v1.PodSecurityContext": {"supplementalGroupsPolicy": "v1.SupplementalGroupsPolicy", "fsGroupChangePolicy": "v1.PodFSGroupChangePolicy", "seLinuxChangePolicy": "v1.PodSELinuxChangePolicy"},
    "k8s.io.api.core.v1.PodSpec": {"restartPolicy": "v1.RestartPolicy", "dnsPolicy": "v1.DNSPolicy", "preemptionPolicy": "v1.PreemptionPolicy", "overhead": "v1.ResourceList"},
    "k8s.io.api.core.v1.PodStatus": {"phase": "v1.PodPhase", "qosClass": "v1.PodQOSClass", "resize": "v1.PodResizeStatus"},
    "k8s.io.api.core.v1.PortStatus": {"protocol": "v1.Protocol"},
    "k8s.io.api.core.v1.Preconditions": {"uid": "types.UID"},
    "k8s.io.api.core.v1.ReplicationControllerCondition": {"type": "v1.ReplicationControllerConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.core.v1.ResourceHealth": {"resourceID": "v1.ResourceID", "health": "v1.ResourceHealthStatus"},
    "k8s.io.api.core.v1.ResourceQuotaSpec": {"hard": "v1.ResourceList", "scopes": "[]v1.ResourceQuotaScope"},
    "k8s.io.api.core.v1.ResourceQuotaStatus": {"hard": "v1.ResourceList", "used": "v1.ResourceList"},
    "k8s.io.api.core.v1.ResourceRequirements": {"limits": "v1.ResourceList", "requests": "v1.ResourceList"},
    "k8s.io.api.core.v1.ResourceStatus": {"name": "v1.ResourceName"},
    "k8s.io.api.core.v1.ScopedResourceSelectorRequirement": {"scopeName": "v1.ResourceQuotaScope", "operator": "v1.ScopeSelectorOperator"},
    "k8s.io.api.core.v1.SeccompProfile": {"type": "v1.SeccompProfileType"},
    "k8s.io.api.core.v1.Secret": {"type": "v1.SecretType"},
    "k8s.io.api.core.v1.SecurityContext": {"procMount": "v1.ProcMountType"},
    "k8s.io.api.core.v1.ServicePort": {"protocol": "v1.Protocol"},
    "k8s.io.api.core.v1.ServiceSpec": {"type": "v1.ServiceType", "sessionAffinity": "v1.ServiceAffinity", "externalTrafficPolicy": "v1.ServiceExternalTrafficPolicy", "ipFamilies": "[]v1.IPFamily", "ipFamilyPolicy": "v1.IPFamilyPolicy", "internalTrafficPolicy": "v1.ServiceInternalTrafficPolicy"},
    "k8s.io.api.core.v1.Taint": {"effect": "v1.TaintEffect"},
    "k8s.io.api.core.v1.Toleration": {"operator": "v1.TolerationOperator", "effect": "v1.TaintEffect"},
    "k8s.io.api.core.v1.TopologySpreadConstraint": {"whenUnsatisfiable": "v1.UnsatisfiableConstraintAction", "nodeAffinityPolicy": "v1.NodeInclusionPolicy", "nodeTaintsPolicy": "v1.NodeInclusionPolicy"},
    "k8s.io.api.core.v1.VolumeMount": {"recursiveReadOnly": "v1.RecursiveReadOnlyMode", "mountPropagation": "v1.MountPropagationMode"},
    "k8s.io.api.core.v1.VolumeMountStatus": {"recursiveReadOnly": "v1.RecursiveReadOnlyMode"},
    "k8s.io.api.core.v1.VolumeResourceRequirements": {"limits": "v1.ResourceList", "requests": "v1.ResourceList"},
    "k8s.io.api.discovery.v1.EndpointPort": {"protocol": "v1.Protocol"},
    "k8s.io.api.discovery.v1.EndpointSlice": {"addressType": "v1.AddressType"},
    "k8s.io.api.networking.v1.HTTPIngressPath": {"pathType": "v1.PathType"},
    "k8s.io.api.networking.v1.IngressPortStatus": {"protocol": "v1.Protocol"},
    "k8s.io.api.networking.v1.NetworkPolicyPort": {"protocol": "v1.Protocol"},
    "k8s.io.api.networking.v1.NetworkPolicySpec": {"policyTypes": "[]v1.PolicyType"},
    "k8s.io.api.policy.v1.PodDisruptionBudgetSpec": {"unhealthyPodEvictionPolicy": "v1.UnhealthyPodEvictionPolicyType"},
    "k8s.io.api.storage.v1.CSIDriverSpec": {"volumeLifecycleModes": "[]v1.VolumeLifecycleMode", "fsGroupPolicy": "v1.FSGroupPolicy"},
    "k8s.io.api.storage.v1.StorageClass": {"reclaimPolicy": "v1.PersistentVolumeReclaimPolicy", "volumeBindingMode": "v1.VolumeBindingMode"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.Condition": {"status": "v1.ConditionStatus"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions": {"propagationPolicy": "v1.DeletionPropagation"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement": {"operator": "v1.FieldSelectorOperator"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement": {"operator": "v1.LabelSelectorOperator"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.ListOptions": {"resourceVersionMatch": "v1.ResourceVersionMatch"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": {"operation": "v1.ManagedFieldsOperationType"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"uid": "types.UID"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference": {"uid": "types.UID"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.Preconditions": {"uid": "types.UID"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.Status": {"reason": "v1.StatusReason"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.StatusCause": {"reason": "v1.CauseType"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.StatusDetails": {"uid": "types.UID"},
    "k8s.io.apimachinery.pkg.apis.meta.v1.TableOptions": {"includeObject": "v1.IncludeObjectPolicy"},
}


def is_list_wrapper(fields):
    """A Go named slice of scalars (type Verbs []string): protobuf {repeated items = 1}, JSON array."""
    if len(fields) != 1:
        return False
    (only,) = fields.values()
    return only.get("n") == "items" and only.get("r") and only.get("t") in SCALARS


def is_kind(name, fields):
    if name in KINDS_WITHOUT_METADATA:
        return True
    if name in NOT_KINDS:
        return False
    return any(f.get("n") == "metadata" and f.get("t") in META_TYPES for f in fields.values())


def cpp_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- Kubernetes 1.32's field tables, read from generated.proto ------------------------------

FIELDS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "k8s_1_32_fields.json")

# generated.proto (go-to-protobuf output) uses a small part of proto2: top-level messages of
# optional, repeated and map fields. Anything else stops the script rather than being guessed at.
COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STATEMENT = re.compile(r"[^;{}]*[;{}]")
MESSAGE = re.compile(r"message\s+(\w+)\s*\{$")
FIELD = re.compile(r"(optional|repeated)\s+(\.?[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;$")
MAP_FIELD = re.compile(r"map\s*<\s*(\.?[\w.]+)\s*,\s*(\.?[\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;$")
PACKAGE = re.compile(r"package\s+([\w.]+)\s*;$")
IGNORED = re.compile(r"(syntax|import|option)\b[^{}]*;$")


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True,
                          text=True).stdout


def parse_proto(text, path):
    """{message full name: {number: spec}} of one generated.proto, fields in declaration order."""
    package, current, messages = None, None, {}

    def resolve(type_name):
        if type_name.startswith("."):
            return type_name[1:]
        if type_name in SCALARS:
            return type_name
        if type_name[0].islower() and "." not in type_name:
            raise SystemExit(f"{path}: unsupported scalar type {type_name}")
        return f"{package}.{type_name}"

    for match in STATEMENT.finditer(COMMENTS.sub("", text)):
        statement = " ".join(match.group(0).split())
        if statement == "}" and current:
            current = None
        elif (m := MESSAGE.match(statement)) and package and not current:
            current = f"{package}.{m.group(1)}"
            messages[current] = {}
        elif (m := FIELD.match(statement)) and current:
            label, type_name, name, number = m.groups()
            messages[current][number] = {"n": name, "t": resolve(type_name), "r": label == "repeated"}
        elif (m := MAP_FIELD.match(statement)) and current:
            key_type, value_type, name, number = m.groups()
            messages[current][number] = {"n": name, "map": [resolve(key_type), resolve(value_type)]}
        elif (m := PACKAGE.match(statement)) and not package:
            package = m.group(1)
        elif not IGNORED.match(statement) or current:
            raise SystemExit(f"{path}: unexpected statement: {statement}")
    return package, messages


def read_protos(git_dirs, tag):
    """The fields file's content: every message of PACKAGES' generated.proto at `tag`."""
    source, messages = {}, {}
    for repository, git_dir in git_dirs.items():
        commit = git(git_dir, "rev-parse", f"{tag}^{{commit}}").strip()
        source[f"k8s.io/{repository}"] = {"tag": tag, "commit": commit}
    for package, repository, directory in PACKAGES:
        path = f"k8s.io/{repository}@{tag}:{directory}/generated.proto"
        text = git(git_dirs[repository], "show", f"{tag}:{directory}/generated.proto")
        declared, found = parse_proto(text, path)
        if declared != package:
            raise SystemExit(f"{path} declares package {declared}, expected {package}")
        messages.update(found)
    return {"release": RELEASE, "source": source, "messages": dict(sorted(messages.items()))}


def write_fields_file(table, path):
    """JSON with one message per line, so that a later regeneration diffs line by line."""
    lines = ["{",
             f'"release": {json.dumps(table["release"])},',
             f'"source": {json.dumps(table["source"], sort_keys=True)},',
             '"messages": {']
    entries = [f"{json.dumps(name)}: {json.dumps(fields)}" for name, fields in table["messages"].items()]
    lines.append(",\n".join(entries))
    lines += ["}", "}"]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def compare_with_reference(messages, reference):
    """Lines describing how the 1.32 model differs from a newer reference table."""
    lines = []
    for name in sorted(set(reference) - set(messages)):
        lines.append(f"  message only in the reference: {name}")
    for name in sorted(set(messages) - set(reference)):
        lines.append(f"  message only in {RELEASE}: {name}")
    dropped = 0
    for name in sorted(set(messages) & set(reference)):
        ours, theirs = messages[name], reference[name]
        for number, spec in theirs.items():
            if number not in ours:
                dropped += 1
                lines.append(f"  field only in the reference: {name}.{spec['n']} = {number}")
            elif ours[number] != spec:
                lines.append(f"  field differs: {name} {number}: {RELEASE} {ours[number]}, reference {spec}")
        for number, spec in ours.items():
            if number not in theirs:
                lines.append(f"  field only in {RELEASE}: {name}.{spec['n']} = {number}")
        if [n for n in ours if n in theirs] != [n for n in theirs if n in ours]:
            lines.append(f"  field order differs: {name}")
    summary = (f"{len(set(reference) - set(messages))} messages and {dropped} fields of the reference "
               f"are not in {RELEASE}; {len(set(messages) - set(reference))} messages are only in {RELEASE}")
    return [summary] + lines


class Generator:
    def __init__(self, schema):
        self.schema = schema
        self.names = sorted(schema)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.unresolved = set()

    def kind_of(self, type_name):
        """(value kind, message index) for a protobuf type name."""
        if type_name in SCALARS:
            return SCALARS[type_name], -1
        if type_name not in self.index:
            self.unresolved.add(type_name)
            return "raw", -1  # not described: main() refuses to write the table
        return SPECIAL_MESSAGES.get(type_name, "message"), self.index[type_name]

    def field_row(self, message, number, spec, owner):
        proto_name = spec["n"]
        name = JSON_NAMES.get((message, proto_name), proto_name)
        go_type = GO_NAMED_TYPES.get(message, {}).get(name, "")
        inlined = (message, proto_name) in INLINE_FIELDS
        if "map" in spec:
            key_type, value_type = spec["map"]
            key_kind, _ = self.kind_of(key_type)
            value_kind, type_index = self.kind_of(value_type)
            kind, repeated = "map", False
        else:
            kind, type_index = self.kind_of(spec["t"])
            key_kind, value_kind, repeated = "none", "none", bool(spec.get("r"))
        if inlined and kind != "message":
            raise SystemExit(f"inline field {message}.{proto_name} is not a message")
        return (
            f"    {{{cpp_string(name)}, {number}, K::{kind}, {str(repeated).lower()}, "
            f"{str(inlined).lower()}, K::{key_kind}, K::{value_kind}, {type_index}, {owner}, "
            f"{cpp_string(go_type)}}},"
        )

    def render(self, source):
        field_lines, message_lines, first = [], [], 0
        for owner, name in enumerate(self.names):
            fields = self.schema[name]
            field_lines.append(f"    // {owner}: {name}")
            for number, spec in fields.items():
                field_lines.append(self.field_row(name, int(number), spec, owner))
            package, short = name.rsplit(".", 1)
            go_package = package.rsplit(".", 1)[1]
            message_lines.append(
                f"    {{{cpp_string(name)}, {cpp_string(short)}, {cpp_string(go_package)}, "
                f"{first}, {len(fields)}, {str(is_kind(name, fields)).lower()}, "
                f"{str(is_list_wrapper(fields)).lower()}}},"
            )
            first += len(fields)
        self.check_overlays(first)
        origin = ", ".join(f"{repository} {s['tag']} ({s['commit'][:12]})" for repository, s in sorted(source.items()))
        header = [
            "// GENERATED FILE - DO NOT EDIT.",
            "// Generated by scripts/gen_schema.py from scripts/k8s_1_32_fields.json: the messages of",
            f"// Kubernetes {RELEASE}, read from the generated.proto files of",
            f"//   {origin}.",
            "// Regenerate from the repository root with:",
            "//   python3 scripts/gen_schema.py",
            f"// {len(self.names)} messages, {first} fields. Included by api/schema.cpp.",
        ]
        body = [
            "",
            f"inline constexpr int kGeneratedMessageCount = {len(self.names)};",
            f"inline constexpr int kGeneratedFieldCount = {first};",
            "",
            "// {json name, proto number, kind, repeated, inlined, map key kind, map value kind,",
            "//  message type index, owner message index, Go named type}",
            "inline constexpr field kGeneratedFields[] = {",
            *field_lines,
            "};",
            "",
            "// {full name, name, Go package, first field, field count, has TypeMeta, list wrapper}",
            "// Sorted by full name.",
            "inline constexpr message_type kGeneratedMessages[] = {",
            *message_lines,
            "};",
        ]
        return "\n".join(header + body) + "\n"

    def check_overlays(self, field_count):
        if field_count >= 65535 or len(self.names) >= 32767:
            raise SystemExit("table too large for its index types")
        for message, proto_name in list(INLINE_FIELDS) + list(JSON_NAMES):
            if not any(f.get("n") == proto_name for f in self.schema.get(message, {}).values()):
                raise SystemExit(f"overlay names unknown field {message}.{proto_name}")
        for message, fields in GO_NAMED_TYPES.items():
            json_names = {JSON_NAMES.get((message, f["n"]), f["n"]) for f in self.schema.get(message, {}).values()}
            missing = set(fields) - json_names
            if missing:
                raise SystemExit(f"GO_NAMED_TYPES names unknown fields of {message}: {sorted(missing)}")


def main():
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--protos", nargs=2, metavar=("API_GIT_DIR", "APIMACHINERY_GIT_DIR"),
                        help=f"re-derive {os.path.relpath(FIELDS_FILE, repo_root)} from these repositories first")
    parser.add_argument("--tag", default=DEFAULT_TAG, help=f"with --protos: the tag to read (default {DEFAULT_TAG})")
    parser.add_argument("--reference", default=os.path.join(repo_root, "..", "shared", "reference", "k8s_proto_schema.json"),
                        help="a (newer) field table to compare the model with, if it exists")
    args = parser.parse_args()

    if args.protos:
        table = read_protos({"api": args.protos[0], "apimachinery": args.protos[1]}, args.tag)
        write_fields_file(table, FIELDS_FILE)
        print(f"wrote {os.path.relpath(FIELDS_FILE, repo_root)}: {len(table['messages'])} messages")
    with open(FIELDS_FILE, encoding="utf-8") as f:
        table = json.load(f)
    if table.get("release") != RELEASE:
        raise SystemExit(f"{FIELDS_FILE} describes Kubernetes {table.get('release')}, not {RELEASE}")

    generator = Generator(table["messages"])
    output = generator.render(table["source"])
    if generator.unresolved:
        raise SystemExit(f"types referenced but not described: {sorted(generator.unresolved)}")
    target = os.path.join(repo_root, "api", "schema_gen.inc")
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        f.write(output)
    print(f"wrote {os.path.relpath(target, repo_root)}: {len(generator.names)} messages")

    if os.path.exists(args.reference):
        with open(args.reference, encoding="utf-8") as f:
            reference = json.load(f)
        print(f"compared with {args.reference}:")
        print("\n".join(compare_with_reference(table["messages"], reference)))


if __name__ == "__main__":
    main()
