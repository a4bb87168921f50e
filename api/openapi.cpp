#include "api/openapi.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace kactor::api::openapi {
namespace {

using schema::field;
using schema::message_type;
using schema::value_kind;

// ---- Facts the protobuf schema does not carry ------------------------------------------------
// Read from the Go sources of Kubernetes 1.32 (k8s.io/api, k8s.io/apimachinery): fields with
// neither omitempty nor +optional (kube-openapi lists them as required), +listType/+listMapKey,
// +mapType/+structType and +enum types with their constants. Messages are named relative to
// k8s.io.api. ("core.v1.Pod"), or meta.v1. for k8s.io.apimachinery.pkg.apis.meta.v1.

struct required_rule {
  std::string_view message;
  std::string_view fields;  // space-separated
};
struct list_rule {
  std::string_view message;
  std::string_view fields;  // space-separated
  std::string_view type;    // atomic, set or map
  std::string_view map_keys;
};
struct map_type_rule {
  std::string_view message, field, type;
};
struct enum_rule {
  std::string_view type;    // the Go type, "core.v1.PullPolicy"
  std::string_view values;  // comma-separated, sorted as Kubernetes lists them
};

constexpr required_rule kRequired[] = {
    {"core.v1.Volume", "name"},
    {"core.v1.PersistentVolumeClaimVolumeSource", "claimName"},
    {"core.v1.PersistentVolumeList", "items"},
    {"core.v1.PersistentVolumeClaimList", "items"},
    {"core.v1.TypedObjectReference", "kind name"},
    {"core.v1.ModifyVolumeStatus", "status"},
    {"core.v1.PersistentVolumeClaimCondition", "type status"},
    {"core.v1.HostPathVolumeSource", "path"},
    {"core.v1.GlusterfsVolumeSource", "endpoints path"},
    {"core.v1.GlusterfsPersistentVolumeSource", "endpoints path"},
    {"core.v1.RBDVolumeSource", "monitors image"},
    {"core.v1.RBDPersistentVolumeSource", "monitors image"},
    {"core.v1.CinderVolumeSource", "volumeID"},
    {"core.v1.CinderPersistentVolumeSource", "volumeID"},
    {"core.v1.CephFSVolumeSource", "monitors"},
    {"core.v1.CephFSPersistentVolumeSource", "monitors"},
    {"core.v1.GCEPersistentDiskVolumeSource", "pdName"},
    {"core.v1.QuobyteVolumeSource", "registry volume"},
    {"core.v1.FlexPersistentVolumeSource", "driver"},
    {"core.v1.FlexVolumeSource", "driver"},
    {"core.v1.AWSElasticBlockStoreVolumeSource", "volumeID"},
    {"core.v1.GitRepoVolumeSource", "repository"},
    {"core.v1.NFSVolumeSource", "server path"},
    {"core.v1.ISCSIVolumeSource", "targetPortal iqn lun"},
    {"core.v1.ISCSIPersistentVolumeSource", "targetPortal iqn lun"},
    {"core.v1.AzureFileVolumeSource", "secretName shareName"},
    {"core.v1.AzureFilePersistentVolumeSource", "secretName shareName"},
    {"core.v1.VsphereVirtualDiskVolumeSource", "volumePath"},
    {"core.v1.PhotonPersistentDiskVolumeSource", "pdID"},
    {"core.v1.AzureDiskVolumeSource", "diskName diskURI"},
    {"core.v1.PortworxVolumeSource", "volumeID"},
    {"core.v1.ScaleIOVolumeSource", "gateway system secretRef"},
    {"core.v1.ScaleIOPersistentVolumeSource", "gateway system secretRef"},
    {"core.v1.ServiceAccountTokenProjection", "path"},
    {"core.v1.ClusterTrustBundleProjection", "path"},
    {"core.v1.KeyToPath", "key path"},
    {"core.v1.LocalVolumeSource", "path"},
    {"core.v1.CSIPersistentVolumeSource", "driver volumeHandle"},
    {"core.v1.CSIVolumeSource", "driver"},
    {"core.v1.PersistentVolumeClaimTemplate", "spec"},
    {"core.v1.ContainerPort", "containerPort"},
    {"core.v1.VolumeMount", "name mountPath"},
    {"core.v1.VolumeDevice", "name devicePath"},
    {"core.v1.EnvVar", "name"},
    {"core.v1.ObjectFieldSelector", "fieldPath"},
    {"core.v1.ResourceFieldSelector", "resource"},
    {"core.v1.ConfigMapKeySelector", "key"},
    {"core.v1.SecretKeySelector", "key"},
    {"core.v1.HTTPHeader", "name value"},
    {"core.v1.HTTPGetAction", "port"},
    {"core.v1.TCPSocketAction", "port"},
    {"core.v1.GRPCAction", "port"},
    {"core.v1.SleepAction", "seconds"},
    {"core.v1.ContainerResizePolicy", "resourceName restartPolicy"},
    {"core.v1.ResourceClaim", "name"},
    {"core.v1.Container", "name"},
    {"core.v1.ContainerStateTerminated", "exitCode"},
    {"core.v1.ContainerStatus", "name ready restartCount image imageID"},
    {"core.v1.ResourceStatus", "name"},
    {"core.v1.ResourceHealth", "resourceID"},
    {"core.v1.LinuxContainerUser", "uid gid"},
    {"core.v1.PodCondition", "type status"},
    {"core.v1.VolumeMountStatus", "name mountPath"},
    {"core.v1.NodeSelector", "nodeSelectorTerms"},
    {"core.v1.NodeSelectorRequirement", "key operator"},
    {"core.v1.TopologySelectorLabelRequirement", "key values"},
    {"core.v1.WeightedPodAffinityTerm", "weight podAffinityTerm"},
    {"core.v1.PodAffinityTerm", "topologyKey"},
    {"core.v1.PreferredSchedulingTerm", "weight preference"},
    {"core.v1.Taint", "key effect"},
    {"core.v1.PodReadinessGate", "conditionType"},
    {"core.v1.PodSpec", "containers"},
    {"core.v1.PodResourceClaim", "name"},
    {"core.v1.PodResourceClaimStatus", "name"},
    {"core.v1.PodOS", "name"},
    {"core.v1.PodSchedulingGate", "name"},
    {"core.v1.TopologySpreadConstraint", "maxSkew topologyKey whenUnsatisfiable"},
    {"core.v1.HostAlias", "ip"},
    {"core.v1.SeccompProfile", "type"},
    {"core.v1.AppArmorProfile", "type"},
    {"core.v1.PodIP", "ip"},
    {"core.v1.HostIP", "ip"},
    {"core.v1.EphemeralContainerCommon", "name"},
    {"core.v1.PodList", "items"},
    {"core.v1.PodTemplateList", "items"},
    {"core.v1.ReplicationControllerStatus", "replicas"},
    {"core.v1.ReplicationControllerCondition", "type status"},
    {"core.v1.ReplicationControllerList", "items"},
    {"core.v1.ServicePort", "port"},
    {"core.v1.ServiceList", "items"},
    {"core.v1.ServiceAccountList", "items"},
    {"core.v1.EndpointAddress", "ip"},
    {"core.v1.EndpointPort", "port"},
    {"core.v1.EndpointsList", "items"},
    {"core.v1.ConfigMapNodeConfigSource", "namespace name kubeletConfigKey"},
    {"core.v1.DaemonEndpoint", "Port"},
    {"core.v1.NodeSystemInfo",
     "machineID systemUUID bootID kernelVersion osImage containerRuntimeVersion kubeletVersion "
     "kubeProxyVersion operatingSystem architecture"},
    {"core.v1.AttachedVolume", "name devicePath"},
    {"core.v1.PreferAvoidPodsEntry", "podSignature"},
    {"core.v1.NodeCondition", "type status"},
    {"core.v1.NodeAddress", "type address"},
    {"core.v1.NodeList", "items"},
    {"core.v1.NamespaceCondition", "type status"},
    {"core.v1.NamespaceList", "items"},
    {"core.v1.Binding", "target"},
    {"core.v1.PodExecOptions", "command"},
    {"core.v1.TypedLocalObjectReference", "kind name"},
    {"core.v1.Event", "metadata involvedObject"},
    {"core.v1.EventList", "items"},
    {"core.v1.LimitRangeItem", "type"},
    {"core.v1.LimitRangeSpec", "limits"},
    {"core.v1.LimitRangeList", "items"},
    {"core.v1.ScopedResourceSelectorRequirement", "scopeName operator"},
    {"core.v1.ResourceQuotaList", "items"},
    {"core.v1.SecretList", "items"},
    {"core.v1.ConfigMapList", "items"},
    {"core.v1.ComponentCondition", "type status"},
    {"core.v1.ComponentStatusList", "items"},
    {"core.v1.DownwardAPIVolumeFile", "path"},
    {"core.v1.RangeAllocation", "range data"},
    {"core.v1.Sysctl", "name value"},
    {"core.v1.PortStatus", "port protocol"},
    {"apps.v1.StatefulSetSpec", "selector template serviceName"},
    {"apps.v1.StatefulSetStatus", "replicas"},
    {"apps.v1.StatefulSetCondition", "type status"},
    {"apps.v1.StatefulSetList", "items"},
    {"apps.v1.DeploymentSpec", "selector template"},
    {"apps.v1.DeploymentCondition", "type status"},
    {"apps.v1.DeploymentList", "items"},
    {"apps.v1.DaemonSetSpec", "selector template"},
    {"apps.v1.DaemonSetStatus",
     "currentNumberScheduled numberMisscheduled desiredNumberScheduled numberReady"},
    {"apps.v1.DaemonSetCondition", "type status"},
    {"apps.v1.DaemonSetList", "items"},
    {"apps.v1.ReplicaSetList", "items"},
    {"apps.v1.ReplicaSetSpec", "selector"},
    {"apps.v1.ReplicaSetStatus", "replicas"},
    {"apps.v1.ReplicaSetCondition", "type status"},
    {"apps.v1.ControllerRevision", "revision"},
    {"apps.v1.ControllerRevisionList", "items"},
    {"meta.v1.OwnerReference", "apiVersion kind name uid"},
    {"meta.v1.ApplyOptions", "force fieldManager"},
    {"meta.v1.List", "items"},
    {"meta.v1.APIVersions", "versions serverAddressByClientCIDRs"},
    {"meta.v1.APIGroupList", "groups"},
    {"meta.v1.APIGroup", "name versions"},
    {"meta.v1.ServerAddressByClientCIDR", "clientCIDR serverAddress"},
    {"meta.v1.GroupVersionForDiscovery", "groupVersion version"},
    {"meta.v1.APIResource", "name singularName namespaced kind verbs"},
    {"meta.v1.APIResourceList", "groupVersion resources"},
    {"meta.v1.RootPaths", "paths"},
    {"meta.v1.LabelSelectorRequirement", "key operator"},
    {"meta.v1.FieldSelectorRequirement", "key operator"},
    {"meta.v1.PartialObjectMetadataList", "items"},
    {"meta.v1.Condition", "type status lastTransitionTime reason message"},
    {"autoscaling.v1.CrossVersionObjectReference", "kind name"},
    {"autoscaling.v1.HorizontalPodAutoscalerSpec", "scaleTargetRef maxReplicas"},
    {"autoscaling.v1.HorizontalPodAutoscalerStatus", "currentReplicas desiredReplicas"},
    {"autoscaling.v1.HorizontalPodAutoscalerList", "items"},
    {"autoscaling.v1.ScaleStatus", "replicas"},
    {"autoscaling.v1.MetricSpec", "type"},
    {"autoscaling.v1.ObjectMetricSource", "target metricName targetValue"},
    {"autoscaling.v1.PodsMetricSource", "metricName targetAverageValue"},
    {"autoscaling.v1.ResourceMetricSource", "name"},
    {"autoscaling.v1.ContainerResourceMetricSource", "name container"},
    {"autoscaling.v1.ExternalMetricSource", "metricName"},
    {"autoscaling.v1.MetricStatus", "type"},
    {"autoscaling.v1.HorizontalPodAutoscalerCondition", "type status"},
    {"autoscaling.v1.ObjectMetricStatus", "target metricName currentValue"},
    {"autoscaling.v1.PodsMetricStatus", "metricName currentAverageValue"},
    {"autoscaling.v1.ResourceMetricStatus", "name currentAverageValue"},
    {"autoscaling.v1.ContainerResourceMetricStatus", "name currentAverageValue container"},
    {"autoscaling.v1.ExternalMetricStatus", "metricName currentValue"},
    {"autoscaling.v2.HorizontalPodAutoscalerSpec", "scaleTargetRef maxReplicas"},
    {"autoscaling.v2.CrossVersionObjectReference", "kind name"},
    {"autoscaling.v2.MetricSpec", "type"},
    {"autoscaling.v2.HPAScalingPolicy", "type value periodSeconds"},
    {"autoscaling.v2.ObjectMetricSource", "describedObject target metric"},
    {"autoscaling.v2.PodsMetricSource", "metric target"},
    {"autoscaling.v2.ResourceMetricSource", "name target"},
    {"autoscaling.v2.ContainerResourceMetricSource", "name target container"},
    {"autoscaling.v2.ExternalMetricSource", "metric target"},
    {"autoscaling.v2.MetricIdentifier", "name"},
    {"autoscaling.v2.MetricTarget", "type"},
    {"autoscaling.v2.HorizontalPodAutoscalerStatus", "desiredReplicas"},
    {"autoscaling.v2.HorizontalPodAutoscalerCondition", "type status"},
    {"autoscaling.v2.MetricStatus", "type"},
    {"autoscaling.v2.ObjectMetricStatus", "metric current describedObject"},
    {"autoscaling.v2.PodsMetricStatus", "metric current"},
    {"autoscaling.v2.ResourceMetricStatus", "name current"},
    {"autoscaling.v2.ContainerResourceMetricStatus", "name current container"},
    {"autoscaling.v2.ExternalMetricStatus", "metric current"},
    {"autoscaling.v2.HorizontalPodAutoscalerList", "items"},
    {"batch.v1.JobList", "items"},
    {"batch.v1.PodFailurePolicyOnExitCodesRequirement", "operator values"},
    {"batch.v1.PodFailurePolicyOnPodConditionsPattern", "type status"},
    {"batch.v1.PodFailurePolicyRule", "action"},
    {"batch.v1.PodFailurePolicy", "rules"},
    {"batch.v1.SuccessPolicy", "rules"},
    {"batch.v1.JobSpec", "template"},
    {"batch.v1.JobCondition", "type status"},
    {"batch.v1.CronJobList", "items"},
    {"batch.v1.CronJobSpec", "schedule jobTemplate"},
    {"coordination.v1.LeaseList", "items"},
    {"discovery.v1.EndpointSlice", "addressType endpoints"},
    {"discovery.v1.Endpoint", "addresses"},
    {"discovery.v1.ForZone", "name"},
    {"discovery.v1.EndpointSliceList", "items"},
    {"policy.v1.PodDisruptionBudgetStatus",
     "disruptionsAllowed currentHealthy desiredHealthy expectedPods"},
    {"policy.v1.PodDisruptionBudgetList", "items"},
};

constexpr list_rule kListTypes[] = {
    {"core.v1.PersistentVolumeClaimStatus", "conditions", "map", "type"},
    {"core.v1.ResourceRequirements", "claims", "map", "name"},
    {"core.v1.Container", "ports", "map", "containerPort protocol"},
    {"core.v1.Container", "env", "map", "name"},
    {"core.v1.Container", "volumeMounts", "map", "mountPath"},
    {"core.v1.Container", "volumeDevices", "map", "devicePath"},
    {"core.v1.ContainerStatus", "volumeMounts", "map", "mountPath"},
    {"core.v1.ContainerStatus", "allocatedResourcesStatus", "map", "name"},
    {"core.v1.ResourceStatus", "resources", "map", "resourceID"},
    {"core.v1.PodSpec", "volumes", "map", "name"},
    {"core.v1.PodSpec", "initContainers", "map", "name"},
    {"core.v1.PodSpec", "containers", "map", "name"},
    {"core.v1.PodSpec", "ephemeralContainers", "map", "name"},
    {"core.v1.PodSpec", "imagePullSecrets", "map", "name"},
    {"core.v1.PodSpec", "hostAliases", "map", "ip"},
    {"core.v1.PodSpec", "topologySpreadConstraints", "map", "topologyKey whenUnsatisfiable"},
    {"core.v1.PodSpec", "schedulingGates", "map", "name"},
    {"core.v1.PodSpec", "resourceClaims", "map", "name"},
    {"core.v1.EphemeralContainerCommon", "ports", "map", "containerPort protocol"},
    {"core.v1.EphemeralContainerCommon", "env", "map", "name"},
    {"core.v1.EphemeralContainerCommon", "volumeMounts", "map", "mountPath"},
    {"core.v1.EphemeralContainerCommon", "volumeDevices", "map", "devicePath"},
    {"core.v1.PodStatus", "conditions", "map", "type"},
    {"core.v1.PodStatus", "podIPs", "map", "ip"},
    {"core.v1.PodStatus", "resourceClaimStatuses", "map", "name"},
    {"core.v1.ReplicationControllerStatus", "conditions", "map", "type"},
    {"core.v1.ServiceStatus", "conditions", "map", "type"},
    {"core.v1.ServiceSpec", "ports", "map", "port protocol"},
    {"core.v1.ServiceAccount", "secrets", "map", "name"},
    {"core.v1.NodeStatus", "conditions", "map", "type"},
    {"core.v1.NodeStatus", "addresses", "map", "type"},
    {"core.v1.NamespaceStatus", "conditions", "map", "type"},
    {"core.v1.ComponentStatus", "conditions", "map", "type"},
    {"apps.v1.StatefulSetStatus", "conditions", "map", "type"},
    {"apps.v1.DeploymentStatus", "conditions", "map", "type"},
    {"apps.v1.DaemonSetStatus", "conditions", "map", "type"},
    {"apps.v1.ReplicaSetStatus", "conditions", "map", "type"},
    {"meta.v1.ObjectMeta", "ownerReferences", "map", "uid"},
    {"autoscaling.v2.HorizontalPodAutoscalerStatus", "conditions", "map", "type"},
    {"policy.v1.PodDisruptionBudgetStatus", "conditions", "map", "type"},
    {"core.v1.PersistentVolumeSpec", "accessModes mountOptions", "atomic", ""},
    {"core.v1.PersistentVolumeClaimSpec", "accessModes", "atomic", ""},
    {"core.v1.PersistentVolumeClaimStatus", "accessModes", "atomic", ""},
    {"core.v1.RBDVolumeSource", "monitors", "atomic", ""},
    {"core.v1.RBDPersistentVolumeSource", "monitors", "atomic", ""},
    {"core.v1.CephFSVolumeSource", "monitors", "atomic", ""},
    {"core.v1.CephFSPersistentVolumeSource", "monitors", "atomic", ""},
    {"core.v1.SecretVolumeSource", "items", "atomic", ""},
    {"core.v1.SecretProjection", "items", "atomic", ""},
    {"core.v1.ISCSIVolumeSource", "portals", "atomic", ""},
    {"core.v1.ISCSIPersistentVolumeSource", "portals", "atomic", ""},
    {"core.v1.FCVolumeSource", "targetWWNs wwids", "atomic", ""},
    {"core.v1.ConfigMapVolumeSource", "items", "atomic", ""},
    {"core.v1.ConfigMapProjection", "items", "atomic", ""},
    {"core.v1.ProjectedVolumeSource", "sources", "atomic", ""},
    {"core.v1.HTTPGetAction", "httpHeaders", "atomic", ""},
    {"core.v1.ExecAction", "command", "atomic", ""},
    {"core.v1.Capabilities", "add drop", "atomic", ""},
    {"core.v1.Container", "command args envFrom resizePolicy", "atomic", ""},
    {"core.v1.LinuxContainerUser", "supplementalGroups", "atomic", ""},
    {"core.v1.NodeSelector", "nodeSelectorTerms", "atomic", ""},
    {"core.v1.NodeSelectorTerm", "matchExpressions matchFields", "atomic", ""},
    {"core.v1.NodeSelectorRequirement", "values", "atomic", ""},
    {"core.v1.TopologySelectorTerm", "matchLabelExpressions", "atomic", ""},
    {"core.v1.TopologySelectorLabelRequirement", "values", "atomic", ""},
    {"core.v1.PodAffinity",
     "requiredDuringSchedulingIgnoredDuringExecution "
     "preferredDuringSchedulingIgnoredDuringExecution",
     "atomic", ""},
    {"core.v1.PodAntiAffinity",
     "requiredDuringSchedulingIgnoredDuringExecution "
     "preferredDuringSchedulingIgnoredDuringExecution",
     "atomic", ""},
    {"core.v1.PodAffinityTerm", "namespaces matchLabelKeys mismatchLabelKeys", "atomic", ""},
    {"core.v1.NodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution", "atomic", ""},
    {"core.v1.PodSpec", "tolerations readinessGates", "atomic", ""},
    {"core.v1.TopologySpreadConstraint", "matchLabelKeys", "atomic", ""},
    {"core.v1.HostAlias", "hostnames", "atomic", ""},
    {"core.v1.PodSecurityContext", "supplementalGroups sysctls", "atomic", ""},
    {"core.v1.PodDNSConfig", "nameservers searches options", "atomic", ""},
    {"core.v1.EphemeralContainerCommon", "command args envFrom resizePolicy", "atomic", ""},
    {"core.v1.PodStatus",
     "hostIPs initContainerStatuses containerStatuses ephemeralContainerStatuses", "atomic", ""},
    {"core.v1.LoadBalancerStatus", "ingress", "atomic", ""},
    {"core.v1.LoadBalancerIngress", "ports", "atomic", ""},
    {"core.v1.ServiceSpec", "clusterIPs externalIPs loadBalancerSourceRanges ipFamilies", "atomic",
     ""},
    {"core.v1.ServiceAccount", "imagePullSecrets", "atomic", ""},
    {"core.v1.Endpoints", "subsets", "atomic", ""},
    {"core.v1.EndpointSubset", "addresses notReadyAddresses ports", "atomic", ""},
    {"core.v1.NodeSpec", "podCIDRs", "set", ""},
    {"core.v1.NodeSpec", "taints", "atomic", ""},
    {"core.v1.NodeStatus", "images volumesInUse volumesAttached runtimeHandlers", "atomic", ""},
    {"core.v1.AvoidPods", "preferAvoidPods", "atomic", ""},
    {"core.v1.ContainerImage", "names", "atomic", ""},
    {"core.v1.NamespaceSpec", "finalizers", "atomic", ""},
    {"core.v1.PodExecOptions", "command", "atomic", ""},
    {"core.v1.PodPortForwardOptions", "ports", "atomic", ""},
    {"core.v1.LimitRangeSpec", "limits", "atomic", ""},
    {"core.v1.ResourceQuotaSpec", "scopes", "atomic", ""},
    {"core.v1.ScopeSelector", "matchExpressions", "atomic", ""},
    {"core.v1.ScopedResourceSelectorRequirement", "values", "atomic", ""},
    {"core.v1.DownwardAPIVolumeSource", "items", "atomic", ""},
    {"core.v1.DownwardAPIProjection", "items", "atomic", ""},
    {"apps.v1.StatefulSetSpec", "volumeClaimTemplates", "atomic", ""},
    {"meta.v1.ObjectMeta", "finalizers", "set", ""},
    {"meta.v1.ObjectMeta", "managedFields", "atomic", ""},
    {"meta.v1.DeleteOptions", "dryRun", "atomic", ""},
    {"meta.v1.CreateOptions", "dryRun", "atomic", ""},
    {"meta.v1.PatchOptions", "dryRun", "atomic", ""},
    {"meta.v1.ApplyOptions", "dryRun", "atomic", ""},
    {"meta.v1.UpdateOptions", "dryRun", "atomic", ""},
    {"meta.v1.StatusDetails", "causes", "atomic", ""},
    {"meta.v1.APIVersions", "versions serverAddressByClientCIDRs", "atomic", ""},
    {"meta.v1.APIGroupList", "groups", "atomic", ""},
    {"meta.v1.APIGroup", "versions serverAddressByClientCIDRs", "atomic", ""},
    {"meta.v1.APIResource", "shortNames categories", "atomic", ""},
    {"meta.v1.APIResourceList", "resources", "atomic", ""},
    {"meta.v1.RootPaths", "paths", "atomic", ""},
    {"meta.v1.LabelSelector", "matchExpressions", "atomic", ""},
    {"meta.v1.LabelSelectorRequirement", "values", "atomic", ""},
    {"meta.v1.FieldSelectorRequirement", "values", "atomic", ""},
    {"autoscaling.v2.HorizontalPodAutoscalerSpec", "metrics", "atomic", ""},
    {"autoscaling.v2.HPAScalingRules", "policies", "atomic", ""},
    {"autoscaling.v2.HorizontalPodAutoscalerStatus", "currentMetrics", "atomic", ""},
    {"batch.v1.PodFailurePolicyOnExitCodesRequirement", "values", "set", ""},
    {"batch.v1.PodFailurePolicyRule", "onPodConditions", "atomic", ""},
    {"batch.v1.PodFailurePolicy", "rules", "atomic", ""},
    {"batch.v1.SuccessPolicy", "rules", "atomic", ""},
    {"batch.v1.JobStatus", "conditions", "atomic", ""},
    {"batch.v1.UncountedTerminatedPods", "succeeded failed", "set", ""},
    {"batch.v1.CronJobStatus", "active", "atomic", ""},
    {"discovery.v1.EndpointSlice", "endpoints ports", "atomic", ""},
    {"discovery.v1.Endpoint", "addresses", "set", ""},
    {"discovery.v1.EndpointHints", "forZones", "atomic", ""},
};

constexpr map_type_rule kMapTypes[] = {
    {"core.v1.PersistentVolumeSpec", "claimRef", "granular"},
    {"core.v1.PersistentVolumeClaimStatus", "allocatedResourceStatuses", "granular"},
    {"core.v1.PodSpec", "nodeSelector", "atomic"},
    {"core.v1.ReplicationControllerSpec", "selector", "atomic"},
    {"core.v1.ServiceSpec", "selector", "atomic"},
};

constexpr std::string_view kAtomicStructs[] = {
    "core.v1.SecretReference",
    "core.v1.ObjectFieldSelector",
    "core.v1.ResourceFieldSelector",
    "core.v1.ConfigMapKeySelector",
    "core.v1.SecretKeySelector",
    "core.v1.NodeSelector",
    "core.v1.NodeSelectorTerm",
    "core.v1.TopologySelectorTerm",
    "core.v1.EndpointAddress",
    "core.v1.EndpointPort",
    "core.v1.ObjectReference",
    "core.v1.LocalObjectReference",
    "core.v1.TypedLocalObjectReference",
    "core.v1.ScopeSelector",
    "meta.v1.OwnerReference",
    "meta.v1.LabelSelector",
    "autoscaling.v1.CrossVersionObjectReference",
    "discovery.v1.EndpointPort",
};

constexpr enum_rule kEnums[] = {
    {"core.v1.PersistentVolumeReclaimPolicy", "Delete,Recycle,Retain"},
    {"core.v1.PersistentVolumeMode", "Block,Filesystem"},
    {"core.v1.ClaimResourceStatus",
     "ControllerResizeInProgress,ControllerResizeInfeasible,NodeResizeInProgress,"
     "NodeResizeInfeasible,NodeResizePending"},
    {"core.v1.PersistentVolumeClaimModifyVolumeStatus", "InProgress,Infeasible,Pending"},
    {"core.v1.PersistentVolumeAccessMode",
     "ReadOnlyMany,ReadWriteMany,ReadWriteOnce,ReadWriteOncePod"},
    {"core.v1.PersistentVolumePhase", "Available,Bound,Failed,Pending,Released"},
    {"core.v1.PersistentVolumeClaimPhase", "Bound,Lost,Pending"},
    {"core.v1.HostPathType",
     ",BlockDevice,CharDevice,Directory,DirectoryOrCreate,File,FileOrCreate,Socket"},
    {"core.v1.Protocol", "SCTP,TCP,UDP"},
    {"core.v1.AzureDataDiskCachingMode", "None,ReadOnly,ReadWrite"},
    {"core.v1.AzureDataDiskKind", "Dedicated,Managed,Shared"},
    {"core.v1.MountPropagationMode", "Bidirectional,HostToContainer,None"},
    {"core.v1.URIScheme", "HTTP,HTTPS"},
    {"core.v1.PullPolicy", "Always,IfNotPresent,Never"},
    {"core.v1.PreemptionPolicy", "Never,PreemptLowerPriority"},
    {"core.v1.TerminationMessagePolicy", "FallbackToLogsOnError,File"},
    {"core.v1.PodPhase", "Failed,Pending,Running,Succeeded,Unknown"},
    {"core.v1.RestartPolicy", "Always,Never,OnFailure"},
    {"core.v1.DNSPolicy", "ClusterFirst,ClusterFirstWithHostNet,Default,None"},
    {"core.v1.NodeSelectorOperator", "DoesNotExist,Exists,Gt,In,Lt,NotIn"},
    {"core.v1.TaintEffect", "NoExecute,NoSchedule,PreferNoSchedule"},
    {"core.v1.TolerationOperator", "Equal,Exists"},
    {"core.v1.UnsatisfiableConstraintAction", "DoNotSchedule,ScheduleAnyway"},
    {"core.v1.NodeInclusionPolicy", "Honor,Ignore"},
    {"core.v1.PodFSGroupChangePolicy", "Always,OnRootMismatch"},
    {"core.v1.SupplementalGroupsPolicy", "Merge,Strict"},
    {"core.v1.SeccompProfileType", "Localhost,RuntimeDefault,Unconfined"},
    {"core.v1.AppArmorProfileType", "Localhost,RuntimeDefault,Unconfined"},
    {"core.v1.PodQOSClass", "BestEffort,Burstable,Guaranteed"},
    {"core.v1.ServiceAffinity", "ClientIP,None"},
    {"core.v1.ServiceType", "ClusterIP,ExternalName,LoadBalancer,NodePort"},
    {"core.v1.ServiceInternalTrafficPolicy", "Cluster,Local"},
    {"core.v1.ServiceExternalTrafficPolicy", "Cluster,Local"},
    {"core.v1.IPFamily", ",IPv4,IPv6"},
    {"core.v1.IPFamilyPolicy", "PreferDualStack,RequireDualStack,SingleStack"},
    {"core.v1.NodePhase", "Pending,Running,Terminated"},
    {"core.v1.NamespacePhase", "Active,Terminating"},
    {"core.v1.ResourceQuotaScope",
     "BestEffort,CrossNamespacePodAffinity,NotBestEffort,NotTerminating,PriorityClass,Terminating"},
    {"core.v1.ScopeSelectorOperator", "DoesNotExist,Exists,In,NotIn"},
    {"core.v1.ProcMountType", "Default,Unmasked"},
    {"apps.v1.PodManagementPolicyType", "OrderedReady,Parallel"},
    {"apps.v1.StatefulSetUpdateStrategyType", "OnDelete,RollingUpdate"},
    {"apps.v1.DeploymentStrategyType", "Recreate,RollingUpdate"},
    {"apps.v1.DaemonSetUpdateStrategyType", "OnDelete,RollingUpdate"},
    {"autoscaling.v1.MetricSourceType", "ContainerResource,External,Object,Pods,Resource"},
    {"batch.v1.CompletionMode", "Indexed,NonIndexed"},
    {"batch.v1.PodFailurePolicyAction", "Count,FailIndex,FailJob,Ignore"},
    {"batch.v1.PodFailurePolicyOnExitCodesOperator", "In,NotIn"},
    {"batch.v1.PodReplacementPolicy", "Failed,TerminatingOrFailed"},
    {"batch.v1.ConcurrencyPolicy", "Allow,Forbid,Replace"},
    {"policy.v1.UnhealthyPodEvictionPolicyType", "AlwaysAllow,IfHealthyBudget"},
};

// Short descriptions of our own for the kinds (Kubernetes' documentation is not copied here).
constexpr std::pair<std::string_view, std::string_view> kKindDescriptions[] = {
    {"core.v1.Pod", "A group of containers that run together on one node."},
    {"core.v1.Namespace", "A scope for the names of namespaced objects."},
    {"core.v1.Node", "A machine that runs pods."},
    {"core.v1.Service", "A stable name and virtual IP for the pods its selector matches."},
    {"core.v1.Endpoints", "The addresses and ports that implement a Service."},
    {"core.v1.ConfigMap", "Configuration data for pods, as keys and values."},
    {"core.v1.Secret", "Sensitive data for pods, as keys and base64-encoded values."},
    {"core.v1.ServiceAccount", "An identity for the processes that run in pods."},
    {"core.v1.Event", "A report of something that happened to an object."},
    {"core.v1.Binding", "Assigns a pod to a node."},
    {"core.v1.ReplicationController", "Keeps a number of copies of a pod running."},
    {"apps.v1.ReplicaSet", "Keeps a number of copies of a pod running, chosen by a selector."},
    {"apps.v1.Deployment", "Rolls out a pod template through ReplicaSets, with history."},
    {"autoscaling.v1.Scale", "The wanted and the observed number of replicas of a resource."},
    {"policy.v1.Eviction", "Asks to remove a pod while respecting disruption budgets."},
};

std::string full_message_name(std::string_view short_name) {
  constexpr std::string_view meta = "meta.v1.";
  if (short_name.starts_with(meta))
    return "k8s.io.apimachinery.pkg.apis.meta.v1." + std::string(short_name.substr(meta.size()));
  return "k8s.io.api." + std::string(short_name);
}

// Splits on `sep`; an empty text has no items, but empty items between separators are kept.
std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    out.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

struct field_facts {
  std::string list_type;
  std::vector<std::string> map_keys;
  std::string map_type;
};

struct message_facts {
  std::set<std::string, std::less<>> required;
  std::map<std::string, field_facts, std::less<>> fields;
  bool atomic = false;
};

using facts_table = std::unordered_map<std::string, message_facts>;

facts_table build_facts() {
  facts_table table;
  for (const auto& rule : kRequired)
    for (auto& name : split(rule.fields, ' '))
      table[full_message_name(rule.message)].required.insert(name);
  for (const auto& rule : kListTypes) {
    for (auto& name : split(rule.fields, ' ')) {
      field_facts& f = table[full_message_name(rule.message)].fields[name];
      f.list_type = rule.type;
      f.map_keys = split(rule.map_keys, ' ');
    }
  }
  for (const auto& rule : kMapTypes)
    table[full_message_name(rule.message)].fields[std::string(rule.field)].map_type = rule.type;
  for (auto name : kAtomicStructs) table[full_message_name(name)].atomic = true;
  return table;
}

const message_facts* facts_of(const message_type& m) {
  static const facts_table table = build_facts();
  auto it = table.find(std::string(m.full_name));
  return it == table.end() ? nullptr : &it->second;
}

const field_facts* facts_of(const message_facts* facts, const field& f) {
  if (!facts) return nullptr;
  auto it = facts->fields.find(f.name);
  return it == facts->fields.end() ? nullptr : &it->second;
}

// "k8s.io.api.core.v1.PullPolicy" for a field of a core/v1 message whose Go type is
// "v1.PullPolicy" or "[]v1.PullPolicy".
std::string qualified_go_type(const field& f) {
  std::string_view go = f.go_type;
  if (go.starts_with("[]")) go.remove_prefix(2);
  size_t dot = go.find('.');
  if (dot == std::string_view::npos) return {};
  std::string_view owner = f.owner().full_name;
  return std::string(owner.substr(0, owner.rfind('.') + 1)) + std::string(go.substr(dot + 1));
}

const std::vector<std::string>* enum_values(const field& f) {
  static const auto table = [] {
    std::unordered_map<std::string, std::vector<std::string>> t;
    for (const auto& rule : kEnums) t[full_message_name(rule.type)] = split(rule.values, ',');
    return t;
  }();
  if (f.go_type.empty()) return nullptr;
  auto it = table.find(qualified_go_type(f));
  return it == table.end() ? nullptr : &it->second;
}

std::string_view description_of(const message_type& m) {
  for (const auto& [name, text] : kKindDescriptions)
    if (full_message_name(name) == m.full_name) return text;
  return {};
}

// ---- JSON helpers ---------------------------------------------------------------------------

json::value object_of(json::object members) {
  return json::value(std::move(members));
}

json::value strings(const std::vector<std::string>& items) {
  json::value a = json::value::make_array();
  for (const auto& s : items) a.as_array().emplace_back(s);
  return a;
}

json::value typed(std::string_view type, std::string_view format = {}) {
  json::value s = object_of({{"type", type}});
  if (!format.empty()) s.set("format", format);
  return s;
}

json::value ref_to(const message_type& m) {
  return object_of({{"$ref", "#/components/schemas/" + schema_name(m)}});
}

json::value one_of(std::string_view first, std::string_view second) {
  json::value a = json::value::make_array();
  a.as_array().push_back(typed(first));
  a.as_array().push_back(typed(second));
  return a;
}

json::value gvk_object(const group_version_kind& gvk) {
  return object_of({{"group", gvk.group}, {"version", gvk.version}, {"kind", gvk.kind}});
}

// ---- Schemas --------------------------------------------------------------------------------

// Messages that Kubernetes describes as JSON scalars (custom marshalers), not as objects.
std::optional<json::value> scalar_message_schema(const message_type& m) {
  const std::string_view name = m.full_name;
  if (name == "k8s.io.apimachinery.pkg.api.resource.Quantity")
    return object_of({{"oneOf", one_of("string", "number")}});
  if (name == "k8s.io.apimachinery.pkg.util.intstr.IntOrString")
    return object_of({{"format", "int-or-string"}, {"oneOf", one_of("integer", "string")}});
  if (name == "k8s.io.apimachinery.pkg.apis.meta.v1.Time" ||
      name == "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime")
    return typed("string", "date-time");
  if (name == "k8s.io.apimachinery.pkg.apis.meta.v1.Duration") return typed("string");
  if (name == "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" ||
      name == "k8s.io.apimachinery.pkg.apis.meta.v1.Patch" ||
      name == "k8s.io.apimachinery.pkg.runtime.RawExtension")
    return typed("object");
  return std::nullopt;
}

json::value string_list() {
  return object_of(
      {{"type", "array"}, {"items", object_of({{"type", "string"}, {"default", ""}})}});
}

// One value of a field: the field itself, or (`element`) one item of its list or map, which
// Kubernetes gives the Go zero value as default.
json::value value_schema(const field& f, value_kind kind, bool element) {
  json::value s;
  switch (kind) {
    case value_kind::none:
      return json::value::make_object();
    case value_kind::string:
      s = typed("string");
      if (element) s.set("default", "");
      if (const auto* values = enum_values(f)) s.set("enum", strings(*values));
      return s;
    case value_kind::int32:
    case value_kind::int64:
      s = typed("integer", kind == value_kind::int32 ? "int32" : "int64");
      if (element) s.set("default", 0);
      return s;
    case value_kind::boolean:
      s = typed("boolean");
      if (element) s.set("default", false);
      return s;
    case value_kind::bytes:
      return typed("string", "byte");
    default:
      break;
  }
  const message_type* type = f.type();
  if (!type) return typed("object");
  if (type->list_wrapper) return string_list();
  json::value all_of = json::value::make_array();
  all_of.as_array().push_back(ref_to(*type));
  s = object_of({{"allOf", std::move(all_of)}});
  if (element) s.set("default", json::value::make_object());
  return s;
}

void add_field_extensions(const field& f, const field_facts* facts, json::value& s) {
  if (facts && !facts->map_keys.empty())
    s.set("x-kubernetes-list-map-keys", strings(facts->map_keys));
  if (facts && !facts->list_type.empty()) s.set("x-kubernetes-list-type", facts->list_type);
  if (facts && !facts->map_type.empty()) s.set("x-kubernetes-map-type", facts->map_type);
  if (auto key = schema::merge_key(f); !key.empty()) s.set("x-kubernetes-patch-merge-key", key);
  if (auto strategy = schema::strategy(f); strategy != schema::patch_strategy::none)
    s.set("x-kubernetes-patch-strategy", schema::to_string(strategy));
}

json::value field_schema(const field& f, const message_facts* facts) {
  json::value s;
  if (f.is_map())
    s = object_of(
        {{"type", "object"}, {"additionalProperties", value_schema(f, f.map_value, true)}});
  else if (f.repeated)
    s = object_of({{"type", "array"}, {"items", value_schema(f, f.kind, true)}});
  else
    s = value_schema(f, f.kind, false);
  add_field_extensions(f, facts_of(facts, f), s);
  return s;
}

struct properties {
  std::map<std::string, json::value> by_name;  // sorted, as Kubernetes writes them
  std::vector<std::string> required;
};

// The fields of `m`, with those of Go-embedded structs promoted (a struct's own fields win).
void collect_properties(const message_type& m, bool promoted, properties& out) {
  const message_facts* facts = facts_of(m);
  for (const field& f : m.fields()) {
    if (f.inlined) {
      collect_properties(*f.type(), true, out);
      continue;
    }
    std::string name(f.name);
    if (promoted && out.by_name.contains(name)) continue;
    out.by_name.insert_or_assign(name, field_schema(f, facts));
    if (facts && facts->required.contains(name)) out.required.push_back(name);
  }
}

json::value properties_object(properties& props) {
  json::value p = json::value::make_object();
  for (auto& [name, s] : props.by_name) p.as_object().push_back({name, std::move(s)});
  return p;
}

// Calls visit(t) for every message a field of `m` refers to (through embedded structs).
template <typename Visit>
void for_each_referenced(const message_type& m, Visit&& visit) {
  for (const field& f : m.fields()) {
    const message_type* type = f.type();
    if (!type) continue;
    if (f.inlined)
      for_each_referenced(*type, visit);
    else if (!type->list_wrapper)
      visit(*type);
  }
}

using schema_set = std::map<std::string, const message_type*>;  // by schema name

void reach(const message_type& m, schema_set& out) {
  if (!out.emplace(schema_name(m), &m).second) return;
  for_each_referenced(m, [&out](const message_type& t) { reach(t, out); });
}

// ---- Paths and operations -------------------------------------------------------------------

struct parameter {
  std::string_view name, type, description;
};

constexpr parameter kPretty = {"pretty", "string", "If 'true', the output is pretty printed."};
constexpr parameter kListParameters[] = {
    {"allowWatchBookmarks", "boolean", "Ask a watch for BOOKMARK events."},
    {"continue", "string", "The continue token of the previous page of a paginated list."},
    {"fieldSelector", "string", "Only objects whose fields match this selector."},
    {"labelSelector", "string", "Only objects whose labels match this selector."},
    {"limit", "integer", "The most objects to return in one page."},
    {"resourceVersion", "string", "The resourceVersion to read at or to watch from."},
    {"resourceVersionMatch", "string", "How resourceVersion applies: Exact or NotOlderThan."},
    {"sendInitialEvents", "boolean", "Start a watch with the current objects as ADDED events."},
    {"timeoutSeconds", "integer", "How long a list or watch call may last."},
    {"watch", "boolean", "Watch for changes instead of listing."},
};
constexpr parameter kDryRun = {"dryRun", "string",
                               "All: check and process the request without persisting it."};
constexpr parameter kFieldManager = {"fieldManager", "string",
                                     "The name of the actor making these changes."};
constexpr parameter kFieldValidation = {
    "fieldValidation", "string",
    "What the server does with unknown or duplicate fields in the object: Ignore, Warn "
    "(the default) or Strict (reject the request)."};
constexpr parameter kForce = {"force", "boolean", "Apply only: take over conflicting fields."};
constexpr parameter kDeleteParameters[] = {
    {"gracePeriodSeconds", "integer", "Seconds before the object is deleted."},
    {"ignoreStoreReadErrorWithClusterBreakingPotential", "boolean",
     "Delete an object that cannot be read from storage."},
    {"orphanDependents", "boolean", "Deprecated: use propagationPolicy."},
    {"propagationPolicy", "string",
     "Foreground, Background or Orphan: what happens to dependents."},
};

json::value query_parameter(const parameter& p) {
  return object_of({{"name", p.name},
                    {"in", "query"},
                    {"description", p.description},
                    {"schema", object_of({{"type", p.type}, {"uniqueItems", true}})}});
}

json::value path_parameter(std::string_view name, std::string_view description) {
  return object_of({{"name", name},
                    {"in", "path"},
                    {"description", description},
                    {"required", true},
                    {"schema", object_of({{"type", "string"}, {"uniqueItems", true}})}});
}

enum class verb { list, list_all, create, delete_collection, get, update, patch, remove };

json::value parameters_of(verb v) {
  json::value a = json::value::make_array();
  auto add = [&a](const parameter& p) { a.as_array().push_back(query_parameter(p)); };
  switch (v) {
    case verb::list:
    case verb::list_all:
      for (const auto& p : kListParameters) add(p);
      break;
    case verb::create:
    case verb::update:
      for (const auto* p : {&kDryRun, &kFieldManager, &kFieldValidation}) add(*p);
      break;
    case verb::patch:
      for (const auto* p : {&kDryRun, &kFieldManager, &kFieldValidation, &kForce}) add(*p);
      break;
    case verb::remove:
    case verb::delete_collection:
      add(kDryRun);
      for (const auto& p : kDeleteParameters) add(p);
      if (v == verb::delete_collection)
        for (const auto& p : kListParameters) add(p);
      break;
    case verb::get:
      break;
  }
  return a;
}

json::value content_of(const message_type& body, bool watchable) {
  json::value content = object_of({{"application/json", object_of({{"schema", ref_to(body)}})}});
  if (watchable)
    content.set("application/json;stream=watch", object_of({{"schema", ref_to(body)}}));
  return content;
}

json::value responses_of(verb v, const message_type& body) {
  auto ok = [&](std::string_view description) {
    return object_of({{"description", description},
                      {"content", content_of(body, v == verb::list || v == verb::list_all)}});
  };
  json::value r = object_of({{"200", ok("OK")}});
  if (v == verb::create || v == verb::update || v == verb::patch) r.set("201", ok("Created"));
  if (v == verb::create || v == verb::remove) r.set("202", ok("Accepted"));
  r.set("401", object_of({{"description", "Unauthorized"}}));
  return r;
}

// The patch types kactor takes. application/strategic-merge-patch+json is left out on purpose:
// when a PATCH operation lists it, kubectl apply computes its patch from these schemas instead of
// from its compiled-in types (KUBECTL_WIRE.md §5).
json::value patch_request_body(const message_type& patch) {
  json::value content = json::value::make_object();
  for (std::string_view type : {"application/json-patch+json", "application/merge-patch+json"})
    content.set(type, object_of({{"schema", ref_to(patch)}}));
  return object_of({{"content", std::move(content)}, {"required", true}});
}

struct well_known {
  const message_type* status = schema::find_message("k8s.io.apimachinery.pkg.apis.meta.v1.Status");
  const message_type* delete_options =
      schema::find_message("k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions");
  const message_type* patch = schema::find_message("k8s.io.apimachinery.pkg.apis.meta.v1.Patch");
  const message_type* resource_list =
      schema::find_message("k8s.io.apimachinery.pkg.apis.meta.v1.APIResourceList");
};

const well_known& meta_messages() {
  static const well_known messages;
  return messages;
}

std::string capitalized(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

// "rbac.authorization.k8s.io" -> {"rbac", "Authorization"}: the group's words without k8s.io.
std::vector<std::string> group_words(std::string_view group) {
  if (group.empty()) return {"core"};
  if (group.ends_with(".k8s.io")) group.remove_suffix(7);
  return split(group, '.');
}

// Names kube-openapi derives from a group/version: tag "rbacAuthorization_v1", operation infix
// "RbacAuthorizationV1".
struct gv_names {
  std::string base;  // "/api/v1", "/apis/apps/v1"
  std::string tag;
  std::string infix;
};

gv_names names_of(std::string_view group, std::string_view version) {
  gv_names n{"/" + group_version_path(group, version), "", ""};
  for (const auto& word : group_words(group)) {
    n.tag += n.tag.empty() ? word : capitalized(word);
    n.infix += capitalized(word);
  }
  n.tag += "_" + std::string(version);
  n.infix += capitalized(version);
  return n;
}

struct operation_target {
  const resource_info& resource;
  const subresource_info* subresource;  // nullptr for the resource itself
  group_version_kind gvk;
  const message_type& body;  // the kind read and written
};

std::string_view method_of(verb v) {
  switch (v) {
    case verb::list:
    case verb::list_all:
    case verb::get:
      return "get";
    case verb::create:
      return "post";
    case verb::update:
      return "put";
    case verb::patch:
      return "patch";
    case verb::remove:
    case verb::delete_collection:
      return "delete";
  }
  return "get";
}

std::string_view action_of(verb v) {
  switch (v) {
    case verb::list:
    case verb::list_all:
      return "list";
    case verb::create:
      return "post";
    case verb::update:
      return "put";
    case verb::delete_collection:
      return "deletecollection";
    default:
      return method_of(v);
  }
}

// The word kube-openapi starts an operation id with.
std::string_view id_verb(verb v) {
  switch (v) {
    case verb::list:
    case verb::list_all:
      return "list";
    case verb::create:
      return "create";
    case verb::get:
      return "read";
    case verb::update:
      return "replace";
    case verb::patch:
      return "patch";
    case verb::remove:
    case verb::delete_collection:
      return "delete";
  }
  return {};
}

std::string operation_id(verb v, const gv_names& names, const operation_target& t) {
  std::string id(id_verb(v));
  id += names.infix;
  if (v == verb::delete_collection) id += "Collection";
  if (t.resource.namespaced && v != verb::list_all) id += "Namespaced";
  id += t.resource.kind;
  if (t.subresource) id += capitalized(t.subresource->name);
  if (v == verb::list_all) id += "ForAllNamespaces";
  return id;
}

std::string operation_description(verb v, const operation_target& t) {
  const std::string& kind = t.resource.kind;
  const std::string object =
      t.subresource ? "the " + t.subresource->name + " of a " + kind : "a " + kind;
  switch (v) {
    case verb::list:
    case verb::list_all:
      return "list or watch " + kind + " objects";
    case verb::delete_collection:
      return "delete a collection of " + kind + " objects";
    case verb::create:
      return "create " + object;
    case verb::get:
      return "read " + object;
    case verb::update:
      return "replace " + object;
    case verb::patch:
      return "partially update " + object;
    case verb::remove:
      return "delete " + object;
  }
  return {};
}

const message_type& response_body(verb v, const operation_target& t) {
  if (v == verb::remove || v == verb::delete_collection) return *meta_messages().status;
  if (v == verb::list || v == verb::list_all) {
    const message_type* list = schema::find_message(std::string(t.body.full_name) + "List");
    return list ? *list : t.body;
  }
  return t.body;
}

const message_type* request_body(verb v, const operation_target& t) {
  switch (v) {
    case verb::create:
    case verb::update:
      return &t.body;
    case verb::remove:
    case verb::delete_collection:
      return meta_messages().delete_options;
    default:
      return nullptr;
  }
}

json::value operation(verb v, const gv_names& names, const operation_target& t) {
  json::value tags = strings({names.tag});
  json::value op = object_of({{"tags", std::move(tags)},
                              {"description", operation_description(v, t)},
                              {"operationId", operation_id(v, names, t)}});
  if (auto params = parameters_of(v); !params.as_array().empty()) op.set("parameters", params);
  if (v == verb::patch)
    op.set("requestBody", patch_request_body(*meta_messages().patch));
  else if (const message_type* body = request_body(v, t))
    op.set("requestBody",
           object_of({{"content", object_of({{"*/*", object_of({{"schema", ref_to(*body)}})}})},
                      {"required", v == verb::create || v == verb::update}}));
  op.set("responses", responses_of(v, response_body(v, t)));
  op.set("x-kubernetes-action", action_of(v));
  op.set("x-kubernetes-group-version-kind", gvk_object(t.gvk));
  return op;
}

struct path_item {
  std::vector<std::pair<verb, json::value>> operations;
  json::value parameters;
};

class paths_builder {
 public:
  explicit paths_builder(gv_names names) : names_(std::move(names)) {}

  void add_resource(const resource_info& r, const message_type& kind) {
    const operation_target target{r, nullptr, {r.group, r.version, r.kind}, kind};
    const std::string collection = collection_path(r);
    const std::string object = collection + "/{name}";
    add_if(r.verbs, "list", collection, verb::list, target);
    add_if(r.verbs, "create", collection, verb::create, target);
    add_if(r.verbs, "deletecollection", collection, verb::delete_collection, target);
    if (r.namespaced) add_if(r.verbs, "list", names_.base + "/" + r.plural, verb::list_all, target);
    add_if(r.verbs, "get", object, verb::get, target);
    add_if(r.verbs, "update", object, verb::update, target);
    add_if(r.verbs, "patch", object, verb::patch, target);
    add_if(r.verbs, "delete", object, verb::remove, target);
  }

  void add_subresource(const resource_info& r, const subresource_info& s,
                       const group_version_kind& gvk, const message_type& kind) {
    const operation_target target{r, &s, gvk, kind};
    const std::string path = collection_path(r) + "/{name}/" + s.name;
    add_if(s.verbs, "get", path, verb::get, target);
    add_if(s.verbs, "update", path, verb::update, target);
    add_if(s.verbs, "patch", path, verb::patch, target);
    add_if(s.verbs, "create", path, verb::create, target);
  }

  void add_resource_list(const message_type& resource_list) {
    json::value op = object_of({{"tags", strings({names_.tag})},
                                {"description", "get available resources"},
                                {"operationId", "get" + names_.infix + "APIResources"}});
    op.set("responses",
           object_of({{"200", object_of({{"description", "OK"},
                                         {"content", content_of(resource_list, false)}})},
                      {"401", object_of({{"description", "Unauthorized"}})}}));
    items_[names_.base + "/"].operations.emplace_back(verb::get, std::move(op));
  }

  json::value build() {
    json::value out = json::value::make_object();
    for (auto& [path, item] : items_) {
      std::stable_sort(
          item.operations.begin(), item.operations.end(),
          [](const auto& a, const auto& b) { return method_rank(a.first) < method_rank(b.first); });
      json::value p = json::value::make_object();
      for (auto& [v, op] : item.operations)
        p.as_object().push_back({std::string(method_of(v)), std::move(op)});
      if (!item.parameters.is_null()) p.set("parameters", std::move(item.parameters));
      out.as_object().push_back({path, std::move(p)});
    }
    return out;
  }

 private:
  static int method_rank(verb v) {
    static constexpr std::string_view order[] = {"get", "put", "post", "delete", "patch"};
    return static_cast<int>(std::find(std::begin(order), std::end(order), method_of(v)) -
                            std::begin(order));
  }

  std::string collection_path(const resource_info& r) const {
    return names_.base + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.plural;
  }

  void add_if(const std::vector<std::string>& verbs, std::string_view name, const std::string& path,
              verb v, const operation_target& target) {
    if (std::find(verbs.begin(), verbs.end(), name) == verbs.end()) return;
    path_item& item = items_[path];
    if (item.parameters.is_null()) item.parameters = path_parameters(path);
    item.operations.emplace_back(v, operation(v, names_, target));
  }

  static json::value path_parameters(std::string_view path) {
    json::value a = json::value::make_array();
    if (path.find("{name}") != std::string_view::npos)
      a.as_array().push_back(path_parameter("name", "The name of the object."));
    if (path.find("{namespace}") != std::string_view::npos)
      a.as_array().push_back(path_parameter("namespace", "The namespace of the object."));
    a.as_array().push_back(query_parameter(kPretty));
    return a;
  }

  gv_names names_;
  std::map<std::string, path_item> items_;
};

// ---- Documents ------------------------------------------------------------------------------

void add_kind(std::map<std::string, std::vector<group_version_kind>>& kinds, const message_type& m,
              group_version_kind gvk) {
  auto& list = kinds[schema_name(m)];
  for (const auto& k : list)
    if (k.group == gvk.group && k.version == gvk.version && k.kind == gvk.kind) return;
  list.push_back(std::move(gvk));
}

struct document_parts {
  paths_builder paths;
  schema_set schemas;
  std::map<std::string, std::vector<group_version_kind>> kinds;  // by schema name
};

void add_resource(const resource_info& r, document_parts& parts) {
  const message_type* kind = schema::find_message(r.schema_type);
  if (!kind) return;
  parts.paths.add_resource(r, *kind);
  reach(*kind, parts.schemas);
  add_kind(parts.kinds, *kind, {r.group, r.version, r.kind});
  if (const message_type* list = schema::find_message(r.schema_type + "List")) {
    reach(*list, parts.schemas);
    add_kind(parts.kinds, *list, {r.group, r.version, r.list_kind()});
  }
  for (const auto& s : r.subresources) {
    group_version_kind gvk{s.group.empty() && s.version.empty() ? r.group : s.group,
                           s.version.empty() ? r.version : s.version, s.kind};
    const message_type* body = kind_message(gvk.group, gvk.version, gvk.kind);
    if (!body) continue;
    parts.paths.add_subresource(r, s, gvk, *body);
    reach(*body, parts.schemas);
    add_kind(parts.kinds, *body, gvk);
  }
}

json::value schemas_object(const document_parts& parts) {
  static const std::vector<group_version_kind> none;
  json::value out = json::value::make_object();
  for (const auto& [name, m] : parts.schemas) {
    auto it = parts.kinds.find(name);
    out.as_object().push_back(
        {name, message_schema(*m, it == parts.kinds.end() ? none : it->second)});
  }
  return out;
}

}  // namespace

std::string group_version_path(std::string_view group, std::string_view version) {
  if (group.empty()) return "api/" + std::string(version);
  return "apis/" + std::string(group) + "/" + std::string(version);
}

std::string schema_name(const message_type& m) {
  constexpr std::string_view prefix = "k8s.io.";
  std::string_view name = m.full_name;
  if (!name.starts_with(prefix)) return std::string(name);
  return "io.k8s." + std::string(name.substr(prefix.size()));
}

const message_type* kind_message(std::string_view group, std::string_view version,
                                 std::string_view kind) {
  std::string package = group_words(group).front();
  if (group == "internal.apiserver.k8s.io") package = "apiserverinternal";
  return schema::find_message("k8s.io.api." + package + "." + std::string(version) + "." +
                              std::string(kind));
}

json::value message_schema(const message_type& m, const std::vector<group_version_kind>& kinds) {
  if (auto scalar = scalar_message_schema(m)) return *scalar;
  properties props;
  if (m.has_type_meta) {
    props.by_name.emplace("apiVersion", typed("string"));
    props.by_name.emplace("kind", typed("string"));
  }
  collect_properties(m, false, props);
  json::value s = json::value::make_object();
  if (auto description = description_of(m); !description.empty()) s.set("description", description);
  if (!props.by_name.empty()) s.set("properties", properties_object(props));
  if (!props.required.empty()) s.set("required", strings(props.required));
  s.set("type", "object");
  if (!kinds.empty()) {
    json::value list = json::value::make_array();
    for (const auto& k : kinds)
      list.as_array().push_back(
          object_of({{"group", k.group}, {"kind", k.kind}, {"version", k.version}}));
    s.set("x-kubernetes-group-version-kind", std::move(list));
  }
  if (const message_facts* facts = facts_of(m); facts && facts->atomic)
    s.set("x-kubernetes-map-type", "atomic");
  return s;
}

json::value group_version_document(std::string_view group, std::string_view version,
                                   const std::vector<resource_info>& registry) {
  document_parts parts{paths_builder(names_of(group, version)), {}, {}};
  const well_known& meta = meta_messages();
  for (const auto& r : registry)
    if (r.group == group && r.version == version) add_resource(r, parts);
  parts.paths.add_resource_list(*meta.resource_list);
  for (const message_type* m : {meta.status, meta.delete_options, meta.patch, meta.resource_list})
    reach(*m, parts.schemas);
  add_kind(parts.kinds, *meta.status, {"", "v1", "Status"});
  add_kind(parts.kinds, *meta.resource_list, {"", "v1", "APIResourceList"});
  add_kind(parts.kinds, *meta.delete_options, {"", "v1", "DeleteOptions"});
  add_kind(parts.kinds, *meta.delete_options,
           {std::string(group), std::string(version), "DeleteOptions"});

  json::value doc =
      object_of({{"openapi", "3.0.0"},
                 {"info", object_of({{"title", "Kubernetes"}, {"version", kGitVersion}})}});
  doc.set("paths", parts.paths.build());
  doc.set("components", object_of({{"schemas", schemas_object(parts)}}));
  return doc;
}

std::string content_hash(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha512(), nullptr);
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string index_json(const std::vector<encoded_document>& documents) {
  std::map<std::string, std::string> urls;
  for (const auto& d : documents) urls[d.path] = "/openapi/v3/" + d.path + "?hash=" + d.hash;
  json::value paths = json::value::make_object();
  for (auto& [path, url] : urls)
    paths.as_object().push_back({path, object_of({{"serverRelativeURL", std::move(url)}})});
  return json::dump(object_of({{"paths", std::move(paths)}}));
}

const std::vector<encoded_document>& served_documents() {
  static const std::vector<encoded_document> documents = [] {
    std::vector<encoded_document> out;
    for (const auto& r : all_resources()) {
      std::string path = group_version_path(r.group, r.version);
      if (std::any_of(out.begin(), out.end(), [&](const auto& d) { return d.path == path; }))
        continue;
      std::string body = json::dump(group_version_document(r.group, r.version, all_resources()));
      std::string hash = content_hash(body);
      out.push_back({std::move(path), std::move(body), std::move(hash)});
    }
    return out;
  }();
  return documents;
}

const encoded_document* find_served_document(std::string_view path) {
  for (const auto& d : served_documents())
    if (d.path == path) return &d;
  return nullptr;
}

const std::string& served_index_json() {
  static const std::string index = index_json(served_documents());
  return index;
}

}  // namespace kactor::api::openapi
