#!/usr/bin/env python3
"""Generates api/schema_gen.inc, kactor's type description table, from k8s_proto_schema.json.

Usage (from anywhere):
    python3 scripts/gen_schema.py [path/to/k8s_proto_schema.json]

The default input is ../shared/reference/k8s_proto_schema.json relative to the repository root.
The reference file maps each protobuf message to {field number: {"n": name, "t": type, "r":
repeated}} or {"n": name, "map": [key type, value type]}. It carries no JSON-only facts, so the
few of those that the JSON codec needs are kept by hand below (each table says where it comes
from: the Go structs in k8s.io/api and k8s.io/apimachinery).

Output: a constexpr array of fields (declaration order per message) and a constexpr array of
messages sorted by full name, both meant to be #included by api/schema.cpp inside
namespace kactor::api::schema. The output is deterministic for a given input.
"""

import json
import os
import sys

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
    "k8s.io.api.core.v1.ContainerRestartRule": {"action": "v1.ContainerRestartRuleAction"},
    "k8s.io.api.core.v1.ContainerRestartRuleOnExitCodes": {"operator": "v1.ContainerRestartRuleOnExitCodesOperator"},
    "k8s.io.api.core.v1.ContainerStatus": {"allocatedResources": "v1.ResourceList", "stopSignal": "v1.Signal"},
    "k8s.io.api.core.v1.EmptyDirVolumeSource": {"medium": "v1.StorageMedium"},
    "k8s.io.api.core.v1.EndpointPort": {"protocol": "v1.Protocol"},
    "k8s.io.api.core.v1.EphemeralContainerCommon": {"restartPolicy": "v1.ContainerRestartPolicy", "terminationMessagePolicy": "v1.TerminationMessagePolicy", "imagePullPolicy": "v1.PullPolicy"},
    "k8s.io.api.core.v1.GRPCAction": {"mode": "v1.GRPCProbeMode"},
    "k8s.io.api.core.v1.HTTPGetAction": {"scheme": "v1.URIScheme", "protocol": "v1.HTTPProtocol"},
    "k8s.io.api.core.v1.HostPathVolumeSource": {"type": "v1.HostPathType"},
    "k8s.io.api.core.v1.ImageVolumeSource": {"pullPolicy": "v1.PullPolicy"},
    "k8s.io.api.core.v1.Lifecycle": {"stopSignal": "v1.Signal"},
    "k8s.io.api.core.v1.LimitRangeItem": {"type": "v1.LimitType", "max": "v1.ResourceList", "min": "v1.ResourceList", "default": "v1.ResourceList", "defaultRequest": "v1.ResourceList", "maxLimitRequestRatio": "v1.ResourceList"},
    "k8s.io.api.core.v1.LoadBalancerIngress": {"ipMode": "v1.LoadBalancerIPMode"},
    "k8s.io.api.core.v1.ModifyVolumeStatus": {"status": "v1.PersistentVolumeClaimModifyVolumeStatus"},
    "k8s.io.api.core.v1.NamespaceCondition": {"type": "v1.NamespaceConditionType", "status": "v1.ConditionStatus"},
    "k8s.io.api.core.v1.NamespaceSpec": {"finalizers": "[]v1.FinalizerName"},
    "k8s.io.api.core.v1.NamespaceStatus": {"phase": "v1.NamespacePhase"},
    "k8s.io.api.core.v1.NodeAddress": {"type": "v1.NodeAddressType"},
    "k8s.io.api.core.v1.NodeAllocatableMappedResources": {"name": "v1.ResourceName"},
    "k8s.io.api.core.v1.NodeAllocatableOverheadResources": {"name": "v1.ResourceName"},
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
    "k8s.io.api.core.v1.PodStatus": {"phase": "v1.PodPhase", "qosClass": "v1.PodQOSClass", "resize": "v1.PodResizeStatus", "allocatedResources": "v1.ResourceList"},
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
    "k8s.io.api.core.v1.VolumeHealthCondition": {"status": "v1.VolumeHealthStatusType"},
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
    "k8s.io.api.storage.v1.StorageHealthCondition": {"status": "v1.StorageHealthStatusType", "accessMode": "v1.PersistentVolumeAccessMode", "volumeMode": "v1.PersistentVolumeMode"},
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
            return "raw", -1  # not described by the reference: accepted as opaque JSON
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

    def render(self, source_name):
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
        header = [
            "// GENERATED FILE - DO NOT EDIT.",
            f"// Generated by scripts/gen_schema.py from {source_name}.",
            "// Regenerate from the repository root with:",
            "//   python3 scripts/gen_schema.py [path/to/k8s_proto_schema.json]",
            f"// {len(self.names)} messages, {first} fields. Included by api/schema.cpp.",
        ]
        if self.unresolved:
            header.append("// Types referenced but not described (checked as opaque JSON):")
            header += [f"//   {t}" for t in sorted(self.unresolved)]
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
    default_input = os.path.join(repo_root, "..", "shared", "reference", "k8s_proto_schema.json")
    source = sys.argv[1] if len(sys.argv) > 1 else default_input
    with open(source, encoding="utf-8") as f:
        schema = json.load(f)
    output = Generator(schema).render(os.path.basename(source))
    target = os.path.join(repo_root, "api", "schema_gen.inc")
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        f.write(output)
    print(f"wrote {os.path.relpath(target, repo_root)}")


if __name__ == "__main__":
    main()
