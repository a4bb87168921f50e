#include "api/schema.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/admission.hpp"
#include "api/resources.hpp"

namespace schema = kactor::api::schema;
namespace json = kactor::json;
using schema::check_mode;
using schema::value_kind;

namespace {

json::value parse_json(std::string_view text) {
  json::value out;
  json::parse_result result = json::parse(text, out);
  EXPECT_TRUE(result.ok) << result.error << "\n" << text;
  return out;
}

const schema::message_type& message(std::string_view full_name) {
  const schema::message_type* m = schema::find_message(full_name);
  EXPECT_NE(m, nullptr) << full_name;
  static const schema::message_type* fallback = schema::find_message("k8s.io.api.core.v1.Pod");
  return m ? *m : *fallback;
}

const schema::message_type& pod() {
  return message("k8s.io.api.core.v1.Pod");
}
const schema::message_type& deployment() {
  return message("k8s.io.api.apps.v1.Deployment");
}

const schema::field& field_of(std::string_view message_name, std::string_view field_name) {
  const schema::field* f = message(message_name).find_field(field_name);
  EXPECT_NE(f, nullptr) << message_name << "." << field_name;
  static const schema::field* fallback = pod().find_field("spec");
  return f ? *f : *fallback;
}

schema::check_report check(std::string_view text, const schema::message_type& type,
                           check_mode mode = check_mode::strict) {
  return schema::check_object(parse_json(text), type, mode);
}

// The one error a manifest produces, asserting there is exactly one.
std::string only_error(std::string_view text, const schema::message_type& type) {
  schema::check_report report = check(text, type);
  EXPECT_EQ(report.errors.size(), 1u) << text;
  return report.errors.empty() ? std::string() : report.errors.front();
}

std::string canonical(std::string_view text) {
  schema::quantity q;
  std::string error;
  EXPECT_TRUE(schema::parse_quantity(text, &q, &error)) << text << ": " << error;
  return q.to_string();
}

std::string quantity_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(schema::parse_quantity(text, nullptr, &error)) << text;
  return error;
}

schema::quantity quantity_of(std::string_view text) {
  schema::quantity q;
  EXPECT_TRUE(schema::parse_quantity(text, &q)) << text;
  return q;
}

std::string time_error(std::string_view text, bool micro = false) {
  std::string error;
  bool ok = micro ? schema::parse_micro_time(text, nullptr, &error)
                  : schema::parse_time(text, nullptr, &error);
  EXPECT_FALSE(ok) << text;
  return error;
}

constexpr std::string_view kFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

constexpr std::string_view kSuffix = "unable to parse quantity's suffix";

constexpr std::string_view kPod = R"({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "name": "web",
    "namespace": "default",
    "labels": {"app": "web", "tier": "frontend"},
    "annotations": {"example.com/note": "hello"},
    "creationTimestamp": null,
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                         "uid": "6f1c", "controller": true}],
    "finalizers": ["example.com/cleanup"]
  },
  "spec": {
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "containers": [{
      "name": "nginx",
      "image": "nginx:1.27",
      "command": ["nginx", "-g", "daemon off;"],
      "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
      "env": [{"name": "MODE", "value": "prod"},
              {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
              {"name": "CFG", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}}],
      "resources": {"limits": {"cpu": 1, "memory": "128Mi"}, "requests": {"cpu": "500m"}},
      "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
      "readinessProbe": {"tcpSocket": {"port": 80}},
      "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg", "readOnly": true}],
      "securityContext": {"runAsNonRoot": true, "runAsUser": 1000,
                          "capabilities": {"drop": ["ALL"]}}
    }],
    "volumes": [{"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420,
                                              "items": [{"key": "k", "path": "k"}]}},
                {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}],
    "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
      "nodeSelectorTerms": [{"matchExpressions": [
        {"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}}}
  },
  "status": {
    "phase": "Running",
    "conditions": [{"type": "Ready", "status": "True",
                    "lastTransitionTime": "2024-05-01T10:00:00Z", "lastProbeTime": null}],
    "podIPs": [{"ip": "10.0.0.5"}],
    "startTime": "2024-05-01T09:59:58+02:00"
  }
})";

constexpr std::string_view kDeployment = R"({
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"app": "web"}},
  "spec": {
    "replicas": 3,
    "revisionHistoryLimit": 10,
    "selector": {"matchLabels": {"app": "web"},
                 "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe"]}]},
    "strategy": {"type": "RollingUpdate",
                 "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
    "template": {
      "metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
      "spec": {
        "containers": [{"name": "web", "image": "nginx",
                        "ports": [{"containerPort": 8080}],
                        "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}],
        "imagePullSecrets": [{"name": "registry"}]
      }
    }
  },
  "status": {
    "observedGeneration": 2,
    "replicas": 3,
    "conditions": [{"type": "Available", "status": "True",
                    "lastUpdateTime": "2024-05-01T10:00:00Z", "reason": "MinimumReplicasAvailable"}]
  }
})";

// ---- The table ------------------------------------------------------------------------------

TEST(SchemaTable, ContainsEveryMessageOfKubernetes132) {
  EXPECT_EQ(schema::all_messages().size(), 460u);
  const auto messages = schema::all_messages();
  for (size_t i = 1; i < messages.size(); ++i) {
    EXPECT_LT(messages[i - 1].full_name, messages[i].full_name);
  }
  EXPECT_EQ(schema::find_message("k8s.io.api.core.v1.NoSuchKind"), nullptr);
  EXPECT_EQ(schema::find_message("Pod"), nullptr);
}

TEST(SchemaTable, HasTheServedKinds) {
  const char* kinds[] = {
      "k8s.io.api.core.v1.Namespace",
      "k8s.io.api.core.v1.Pod",
      "k8s.io.api.core.v1.Node",
      "k8s.io.api.core.v1.Service",
      "k8s.io.api.core.v1.Endpoints",
      "k8s.io.api.core.v1.ConfigMap",
      "k8s.io.api.core.v1.Secret",
      "k8s.io.api.core.v1.ServiceAccount",
      "k8s.io.api.core.v1.Event",
      "k8s.io.api.core.v1.ReplicationController",
      "k8s.io.api.core.v1.PersistentVolume",
      "k8s.io.api.core.v1.PersistentVolumeClaim",
      "k8s.io.api.apps.v1.ReplicaSet",
      "k8s.io.api.apps.v1.Deployment",
      "k8s.io.api.apps.v1.StatefulSet",
      "k8s.io.api.apps.v1.DaemonSet",
      "k8s.io.api.batch.v1.Job",
      "k8s.io.api.batch.v1.CronJob",
      "k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler",
      "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler",
      "k8s.io.apimachinery.pkg.apis.meta.v1.Status",
  };
  for (const char* name : kinds) {
    const schema::message_type* m = schema::find_message(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->full_name, name);
    EXPECT_TRUE(m->has_type_meta) << name;
    EXPECT_NE(m->find_field("metadata"), nullptr) << name;
    EXPECT_NE(m->find_field("apiVersion"), nullptr) << name;
    EXPECT_NE(m->find_field("kind"), nullptr) << name;
  }
  for (const char* name : {"k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                           "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta",
                           "k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference"}) {
    const schema::message_type* m = schema::find_message(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_FALSE(m->has_type_meta) << name;
    EXPECT_EQ(m->find_field("kind") != nullptr,
              std::string_view(name).ends_with("OwnerReference"));  // its own kind field
  }
}

namespace {

// find_field as a plain walk of the table: own fields, then promoted ones, then TypeMeta.
const schema::field* reference_find_field(const schema::message_type& m, std::string_view name) {
  for (const schema::field& f : m.fields())
    if (!f.inlined && f.name == name) return &f;
  for (const schema::field& f : m.fields())
    if (f.inlined)
      if (const schema::field* promoted = reference_find_field(*f.type(), name)) return promoted;
  if (!m.has_type_meta) return nullptr;
  return reference_find_field(
      *schema::find_message("k8s.io.apimachinery.pkg.apis.meta.v1.TypeMeta"), name);
}

}  // namespace

TEST(SchemaTable, FindFieldAgreesWithAWalkOfTheTable) {
  std::vector<std::string> names = {
      "",     "x",         "apiVersion", "kind",
      "Kind", "metadata ", "spec.",      "aVeryLongNameThatNoMessageHasAsAField"};
  for (const schema::message_type& m : schema::all_messages()) {
    for (const schema::field& f : m.fields()) {
      names.emplace_back(f.name);
      names.push_back(std::string(f.name) + "s");
      names.push_back(std::string(f.name).substr(1));
    }
  }
  for (const schema::message_type& m : schema::all_messages()) {
    for (const std::string& name : names) {
      ASSERT_EQ(m.find_field(name), reference_find_field(m, name)) << m.full_name << " " << name;
    }
  }
}

TEST(SchemaTable, DescribesFields) {
  const schema::message_type& container = message("k8s.io.api.core.v1.Container");
  EXPECT_EQ(container.name, "Container");
  EXPECT_EQ(container.go_type_name(), "v1.Container");
  EXPECT_EQ(container.fields().front().name, "name");  // declaration order

  const schema::field* ports = container.find_field("ports");
  ASSERT_NE(ports, nullptr);
  EXPECT_EQ(ports->number, 6);
  EXPECT_EQ(ports->kind, value_kind::message);
  EXPECT_TRUE(ports->repeated);
  EXPECT_EQ(ports->type()->full_name, "k8s.io.api.core.v1.ContainerPort");
  EXPECT_EQ(&ports->owner(), &container);
  EXPECT_EQ(container.find_field_by_number(6), ports);
  EXPECT_EQ(container.find_field_by_number(999), nullptr);
  EXPECT_EQ(container.find_field("Ports"), nullptr);  // case-sensitive, as kube-apiserver

  const schema::field& limits = field_of("k8s.io.api.core.v1.ResourceRequirements", "limits");
  EXPECT_TRUE(limits.is_map());
  EXPECT_EQ(limits.map_key, value_kind::string);
  EXPECT_EQ(limits.map_value, value_kind::quantity);
  EXPECT_EQ(limits.element_kind(), value_kind::quantity);

  EXPECT_EQ(field_of("k8s.io.api.core.v1.ServicePort", "targetPort").kind,
            value_kind::int_or_string);
  EXPECT_EQ(field_of("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp").kind,
            value_kind::time);
  EXPECT_EQ(field_of("k8s.io.api.core.v1.Event", "eventTime").kind, value_kind::micro_time);
  EXPECT_EQ(field_of("k8s.io.api.apps.v1.ControllerRevision", "data").kind, value_kind::raw);
  EXPECT_EQ(field_of("k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry", "fieldsV1").kind,
            value_kind::fields_v1);
  EXPECT_EQ(field_of("k8s.io.api.core.v1.Secret", "data").map_value, value_kind::bytes);
  EXPECT_EQ(field_of("k8s.io.api.core.v1.Pod", "metadata").type()->name, "ObjectMeta");
}

TEST(SchemaTable, InlinedEmbeddedStructsAndLegacyNames) {
  // Volume embeds VolumeSource, Probe embeds ProbeHandler, EphemeralContainer embeds
  // EphemeralContainerCommon: their fields are found on the outer message.
  const schema::field* config_map = message("k8s.io.api.core.v1.Volume").find_field("configMap");
  ASSERT_NE(config_map, nullptr);
  EXPECT_EQ(config_map->owner().name, "VolumeSource");
  EXPECT_EQ(message("k8s.io.api.core.v1.Volume").find_field("volumeSource"), nullptr);
  EXPECT_NE(message("k8s.io.api.core.v1.Probe").find_field("httpGet"), nullptr);
  EXPECT_NE(message("k8s.io.api.core.v1.EphemeralContainer").find_field("image"), nullptr);
  EXPECT_NE(message("k8s.io.api.core.v1.EphemeralContainer").find_field("targetContainerName"),
            nullptr);
  EXPECT_NE(message("k8s.io.api.core.v1.ConfigMapKeySelector").find_field("name"), nullptr);
  EXPECT_NE(message("k8s.io.api.networking.v1.IngressRule").find_field("http"), nullptr);

  // Protobuf names aPIGroup and uID are apiGroup and uid in JSON.
  const schema::field& api_group =
      field_of("k8s.io.api.networking.v1.IngressClassParametersReference", "apiGroup");
  EXPECT_EQ(api_group.number, 1);
  EXPECT_NE(message("k8s.io.api.authentication.v1.BoundObjectReference").find_field("uid"),
            nullptr);
}

TEST(SchemaTable, KindsAndListWrappers) {
  EXPECT_FALSE(message("k8s.io.api.core.v1.PodTemplateSpec").has_type_meta);
  EXPECT_FALSE(message("k8s.io.api.batch.v1.JobTemplateSpec").has_type_meta);
  EXPECT_TRUE(message("k8s.io.api.core.v1.PodList").has_type_meta);
  EXPECT_TRUE(message("k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions").has_type_meta);
  EXPECT_EQ(schema::type_meta().fields().size(), 2u);

  EXPECT_TRUE(message("k8s.io.api.authentication.v1.ExtraValue").list_wrapper);
  EXPECT_TRUE(message("k8s.io.apimachinery.pkg.apis.meta.v1.Verbs").list_wrapper);
  EXPECT_FALSE(message("k8s.io.api.core.v1.DownwardAPIProjection").list_wrapper);
}

TEST(SchemaTable, GoTypesAsEncodingJsonPrintsThem) {
  EXPECT_EQ(schema::go_type(field_of("k8s.io.api.core.v1.PodSpec", "containers")),
            "[]v1.Container");
  EXPECT_EQ(schema::element_go_type(field_of("k8s.io.api.core.v1.PodSpec", "containers")),
            "v1.Container");
  EXPECT_EQ(schema::go_type(field_of("k8s.io.api.core.v1.Container", "imagePullPolicy")),
            "v1.PullPolicy");
  EXPECT_EQ(schema::go_type(field_of("k8s.io.api.core.v1.ResourceRequirements", "limits")),
            "v1.ResourceList");
  EXPECT_EQ(schema::go_type(field_of("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", "labels")),
            "map[string]string");
  EXPECT_EQ(schema::go_type(field_of("k8s.io.api.core.v1.Secret", "data")), "map[string][]uint8");
  EXPECT_EQ(schema::go_type(field_of("k8s.io.api.core.v1.Container", "args")), "[]string");
  EXPECT_EQ(
      schema::go_type(field_of("k8s.io.api.core.v1.PersistentVolumeClaimSpec", "accessModes")),
      "[]v1.PersistentVolumeAccessMode");
  EXPECT_EQ(schema::element_go_type(
                field_of("k8s.io.api.core.v1.PersistentVolumeClaimSpec", "accessModes")),
            "v1.PersistentVolumeAccessMode");
  EXPECT_EQ(schema::go_type(
                field_of("k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerSpec", "minReplicas")),
            "int32");
}

// ---- Merge keys -----------------------------------------------------------------------------

TEST(SchemaMergeKeys, ListsMergeByTheirKubernetesKeys) {
  struct expectation {
    const char* message;
    const char* field;
    const char* key;
  };
  const expectation cases[] = {
      {"k8s.io.api.core.v1.PodSpec", "containers", "name"},
      {"k8s.io.api.core.v1.PodSpec", "initContainers", "name"},
      {"k8s.io.api.core.v1.PodSpec", "ephemeralContainers", "name"},
      {"k8s.io.api.core.v1.PodSpec", "volumes", "name"},
      {"k8s.io.api.core.v1.PodSpec", "imagePullSecrets", "name"},
      {"k8s.io.api.core.v1.PodSpec", "hostAliases", "ip"},
      {"k8s.io.api.core.v1.PodSpec", "topologySpreadConstraints", "topologyKey"},
      {"k8s.io.api.core.v1.PodSpec", "schedulingGates", "name"},
      {"k8s.io.api.core.v1.PodSpec", "resourceClaims", "name"},
      {"k8s.io.api.core.v1.Container", "env", "name"},
      {"k8s.io.api.core.v1.Container", "ports", "containerPort"},
      {"k8s.io.api.core.v1.Container", "volumeMounts", "mountPath"},
      {"k8s.io.api.core.v1.Container", "volumeDevices", "devicePath"},
      {"k8s.io.api.core.v1.ServiceSpec", "ports", "port"},
      {"k8s.io.api.core.v1.PodStatus", "conditions", "type"},
      {"k8s.io.api.core.v1.PodStatus", "podIPs", "ip"},
      {"k8s.io.api.core.v1.PodStatus", "hostIPs", "ip"},
      {"k8s.io.api.core.v1.NodeStatus", "conditions", "type"},
      {"k8s.io.api.core.v1.NodeStatus", "addresses", "type"},
      {"k8s.io.api.apps.v1.DeploymentStatus", "conditions", "type"},
      {"k8s.io.api.apps.v1.ReplicaSetStatus", "conditions", "type"},
      {"k8s.io.api.core.v1.ReplicationControllerStatus", "conditions", "type"},
      {"k8s.io.api.batch.v1.JobStatus", "conditions", "type"},
      {"k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ownerReferences", "uid"},
  };
  for (const expectation& c : cases) {
    const schema::field& f = field_of(c.message, c.field);
    EXPECT_EQ(schema::merge_key(f), c.key) << c.message << "." << c.field;
    EXPECT_TRUE(has(schema::strategy(f), schema::patch_strategy::merge))
        << c.message << "." << c.field;
  }
  // Fields promoted from EphemeralContainerCommon carry its tags.
  const schema::field* env = message("k8s.io.api.core.v1.EphemeralContainer").find_field("env");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(schema::merge_key(*env), "name");
}

TEST(SchemaMergeKeys, StrategiesWithoutKeysAndAtomicLists) {
  const schema::field& finalizers =
      field_of("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");
  EXPECT_EQ(schema::merge_key(finalizers), "");
  EXPECT_EQ(schema::strategy(finalizers), schema::patch_strategy::merge);

  const schema::field& volumes = field_of("k8s.io.api.core.v1.PodSpec", "volumes");
  EXPECT_EQ(schema::strategy(volumes), schema::patch_strategy::merge_retain_keys);
  EXPECT_EQ(schema::to_string(schema::strategy(volumes)), "merge,retainKeys");

  const schema::field& strategy = field_of("k8s.io.api.apps.v1.DeploymentSpec", "strategy");
  EXPECT_EQ(schema::strategy(strategy), schema::patch_strategy::retain_keys);
  EXPECT_FALSE(has(schema::strategy(strategy), schema::patch_strategy::merge));

  const schema::field& tolerations = field_of("k8s.io.api.core.v1.PodSpec", "tolerations");
  EXPECT_EQ(schema::merge_key(tolerations), "");
  EXPECT_EQ(schema::strategy(tolerations), schema::patch_strategy::none);
  EXPECT_EQ(schema::to_string(schema::patch_strategy::none), "");
}

TEST(SchemaMergeKeys, EveryRuleNamesARealField) {
  EXPECT_GE(schema::patch_rules().size(), 40u);
  for (const schema::patch_rule& rule : schema::patch_rules()) {
    const schema::message_type* m = schema::find_message(rule.message);
    ASSERT_NE(m, nullptr) << rule.message;
    const schema::field* f = m->find_field(rule.field);
    ASSERT_NE(f, nullptr) << rule.message << "." << rule.field;
    EXPECT_TRUE(f->repeated || f->kind == value_kind::message) << rule.field;
    EXPECT_EQ(schema::merge_key(*f), rule.merge_key);
    EXPECT_EQ(schema::strategy(*f), rule.strategy);
    if (!rule.merge_key.empty() && f->type()) {
      EXPECT_NE(f->type()->find_field(rule.merge_key), nullptr) << rule.merge_key;
    }
  }
}

// ---- check_object: valid manifests ----------------------------------------------------------

TEST(SchemaCheck, PodAndDeploymentManifestsPass) {
  for (auto [text, type] : {std::pair{kPod, &pod()}, std::pair{kDeployment, &deployment()}}) {
    schema::check_report report = check(text, *type);
    EXPECT_TRUE(report.ok()) << report.message();
    EXPECT_TRUE(report.errors.empty());
    EXPECT_TRUE(report.warnings.empty());
    EXPECT_TRUE(report.unknown_fields.empty());
    EXPECT_EQ(report.decode_error, "");
    EXPECT_EQ(report.message(), "");
  }
}

TEST(SchemaCheck, OtherKindsPass) {
  EXPECT_TRUE(check(R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                        "type": "Opaque", "data": {"a": "aGVsbG8=", "b": "aGVs\nbG8="},
                        "stringData": {"c": "plain"}})",
                    message("k8s.io.api.core.v1.Secret"))
                  .ok());
  EXPECT_TRUE(check(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                        "spec": {"type": "ClusterIP", "selector": {"app": "web"},
                                 "ports": [{"port": 80, "targetPort": "http"},
                                           {"port": 443, "targetPort": 8443}]}})",
                    message("k8s.io.api.core.v1.Service"))
                  .ok());
  EXPECT_TRUE(check(R"({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
                        "involvedObject": {"kind": "Pod", "name": "p"}, "count": 2,
                        "eventTime": "2024-05-01T10:00:00.123456Z",
                        "firstTimestamp": "2024-05-01T10:00:00Z"})",
                    message("k8s.io.api.core.v1.Event"))
                  .ok());
  EXPECT_TRUE(check(R"({"apiVersion": "v1", "kind": "Status", "status": "Failure",
                        "message": "nope", "reason": "NotFound", "code": 404,
                        "details": {"name": "x", "kind": "pods", "causes": [{"field": "a"}]}})",
                    message("k8s.io.apimachinery.pkg.apis.meta.v1.Status"))
                  .ok());
  EXPECT_TRUE(check(R"({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
                                 "minReplicas": 1, "maxReplicas": 5,
                                 "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                   "target": {"type": "Utilization", "averageUtilization": 80,
                                              "averageValue": "500m"}}}]}})",
                    message("k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler"))
                  .ok());
  EXPECT_TRUE(check(R"({"metadata": {"managedFields": [{"manager": "kubectl",
                        "operation": "Apply", "fieldsType": "FieldsV1",
                        "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
                        "data": {"anything": [1, "two", {"three": null}]}})",
                    message("k8s.io.api.apps.v1.ControllerRevision"))
                  .ok());
}

TEST(SchemaCheck, NullIsAcceptedEverywhere) {
  schema::check_report report = check(R"({"metadata": null, "spec": {"containers": [
      {"name": null, "ports": null, "resources": {"limits": {"cpu": null}},
       "livenessProbe": {"httpGet": {"port": null}}, "stdin": null}],
      "terminationGracePeriodSeconds": null}, "status": {"startTime": null}})",
                                      pod());
  EXPECT_TRUE(report.ok()) << report.message();
}

// ---- check_object: type errors --------------------------------------------------------------

TEST(SchemaCheck, WrongScalarTypesReadLikeGo) {
  EXPECT_EQ(only_error(R"({"spec": {"containers": [{"name": "a", "ports": [
                           {"containerPort": "80"}]}]}})",
                       pod()),
            "json: cannot unmarshal string into Go struct field "
            "ContainerPort.spec.containers.ports.containerPort of type int32");
  EXPECT_EQ(only_error(R"({"spec": {"template": {"spec": {"containers": [{"name": "a",
                           "ports": [{"containerPort": "80"}]}]}}}})",
                       deployment()),
            "json: cannot unmarshal string into Go struct field "
            "ContainerPort.spec.template.spec.containers.ports.containerPort of type int32");
  EXPECT_EQ(only_error(R"({"spec": {"hostNetwork": "true"}})", pod()),
            "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type "
            "bool");
  EXPECT_EQ(only_error(R"({"spec": {"containers": [{"name": 7}]}})", pod()),
            "json: cannot unmarshal number into Go struct field Container.spec.containers.name of "
            "type string");
  EXPECT_EQ(only_error(R"({"spec": {"containers": [{"imagePullPolicy": true}]}})", pod()),
            "json: cannot unmarshal bool into Go struct field "
            "Container.spec.containers.imagePullPolicy of type v1.PullPolicy");
  EXPECT_EQ(only_error(R"({"kind": 5})", pod()),
            "json: cannot unmarshal number into Go struct field Pod.kind of type string");
  EXPECT_EQ(only_error(R"({"metadata": {"generation": "1"}})", pod()),
            "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of "
            "type int64");
}

TEST(SchemaCheck, NumbersOutOfRangeOrFractional) {
  EXPECT_EQ(only_error(R"({"spec": {"replicas": 3000000000}})", deployment()),
            "json: cannot unmarshal number 3000000000 into Go struct field "
            "DeploymentSpec.spec.replicas of type int32");
  EXPECT_EQ(only_error(R"({"spec": {"replicas": 1.5}})", deployment()),
            "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas "
            "of type int32");
  EXPECT_TRUE(check(R"({"spec": {"activeDeadlineSeconds": 3000000000}})", pod()).ok());
}

TEST(SchemaCheck, WrongContainerTypes) {
  EXPECT_EQ(only_error(R"({"spec": {"containers": {"name": "a"}}})", pod()),
            "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type "
            "[]v1.Container");
  EXPECT_EQ(only_error(R"({"spec": {"containers": ["nginx"]}})", pod()),
            "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type "
            "v1.Container");
  EXPECT_EQ(only_error(R"({"spec": []})", pod()),
            "json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec");
  EXPECT_EQ(only_error(R"({"metadata": {"labels": ["a"]}})", pod()),
            "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type "
            "map[string]string");
  // Map keys are not part of Go's field path.
  EXPECT_EQ(only_error(R"({"metadata": {"labels": {"app": 1}}})", pod()),
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
            "string");
  EXPECT_EQ(only_error(R"({"spec": {"containers": [{"resources": {"limits": []}}]}})", pod()),
            "json: cannot unmarshal array into Go struct field "
            "ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList");
  EXPECT_EQ(only_error("[1, 2]", pod()),
            "json: cannot unmarshal array into Go value of type v1.Pod");
  EXPECT_EQ(
      only_error(R"({"resources": [{"name": "pods", "verbs": "get"}]})",
                 message("k8s.io.apimachinery.pkg.apis.meta.v1.APIResourceList")),
      "json: cannot unmarshal string into Go struct field APIResource.resources.verbs of type "
      "v1.Verbs");
}

TEST(SchemaCheck, CustomDecodersReportTheirOwnErrors) {
  EXPECT_EQ(
      only_error(R"({"spec": {"containers": [{"resources": {"limits": {"cpu": "12x"}}}]}})", pod()),
      kFormatWrong);
  EXPECT_EQ(
      only_error(R"({"spec": {"containers": [{"resources": {"limits": {"cpu": {}}}}]}})", pod()),
      kFormatWrong);
  EXPECT_EQ(
      only_error(R"({"spec": {"containers": [{"resources": {"limits": {"cpu": "1kk"}}}]}})", pod()),
      "unable to parse quantity's suffix");
  EXPECT_EQ(only_error(R"({"spec": {"ports": [{"port": 80, "targetPort": {"a": 1}}]}})",
                       message("k8s.io.api.core.v1.Service")),
            "json: cannot unmarshal object into Go struct field ServicePort.spec.ports.targetPort "
            "of type int32");
  EXPECT_EQ(only_error(R"({"spec": {"ports": [{"port": 80, "targetPort": 1.5}]}})",
                       message("k8s.io.api.core.v1.Service")),
            "json: cannot unmarshal number 1.5 into Go struct field "
            "ServicePort.spec.ports.targetPort of type int32");
  EXPECT_EQ(only_error(R"({"metadata": {"creationTimestamp": "yesterday"}})", pod()),
            "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\"yesterday\" as \"2006\"");
  EXPECT_EQ(only_error(R"({"metadata": {"creationTimestamp": 1714557600}})", pod()),
            "json: cannot unmarshal number into Go struct field "
            "ObjectMeta.metadata.creationTimestamp of type string");
  EXPECT_EQ(
      only_error(R"({"eventTime": "2024-05-01T10:00:00Z"})", message("k8s.io.api.core.v1.Event")),
      "parsing time \"2024-05-01T10:00:00Z\" as \"2006-01-02T15:04:05.000000Z07:00\": "
      "cannot parse \"Z\" as \".000000\"");
  EXPECT_EQ(only_error(R"({"metadata": {"managedFields": [{"fieldsV1": "f:spec"}]}})", pod()),
            "json: cannot unmarshal string into Go struct field "
            "ManagedFieldsEntry.metadata.managedFields.fieldsV1 of type v1.FieldsV1");
}

TEST(SchemaCheck, BytesMustBeBase64) {
  const auto& secret = message("k8s.io.api.core.v1.Secret");
  EXPECT_EQ(only_error(R"({"data": {"a": "not base64!"}})", secret),
            "illegal base64 data at input byte 3");
  EXPECT_EQ(only_error(R"({"data": {"a": "aGVsbG8"}})", secret),
            "illegal base64 data at input byte 4");
  EXPECT_EQ(only_error(R"({"data": {"a": "aGVsbG8=x"}})", secret),
            "illegal base64 data at input byte 8");
  EXPECT_EQ(only_error(R"({"data": {"a": 12}})", secret),
            "json: cannot unmarshal number into Go struct field Secret.data of type []uint8");
  EXPECT_EQ(only_error(R"({"data": "aGVsbG8="})", secret),
            "json: cannot unmarshal string into Go struct field Secret.data of type "
            "map[string][]uint8");
  EXPECT_TRUE(check(R"({"data": {"a": "", "b": [104, 105]}})", secret).ok());
}

TEST(SchemaCheck, DecodeErrorIsTheOneGoReturns) {
  // Go saves the first plain type error but stops at the first custom decoder error.
  schema::check_report report = check(R"({"spec": {"hostNetwork": 1, "containers": [
      {"resources": {"limits": {"cpu": "bad"}}}]}})",
                                      pod());
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_EQ(report.decode_error, kFormatWrong);
  EXPECT_EQ(report.message(), kFormatWrong);

  report = check(R"({"spec": {"hostNetwork": 1, "hostPID": "x"}})", pod());
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_EQ(report.decode_error, report.errors[0]);
  EXPECT_FALSE(report.ok());
}

// ---- check_object: unknown fields -----------------------------------------------------------

TEST(SchemaCheck, UnknownFieldsAtNestedPaths) {
  schema::check_report report = check(R"({
      "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labelz": {}},
      "spec": {"containers": [{"name": "a"},
                              {"name": "b", "foo": 1, "ports": [{"containerPort": 1, "bar": 2}],
                               "env": [{"name": "X", "valueFrom": {"fieldRef": {"baz": 1}}}]}],
               "volumes": [{"name": "v", "configMap": {"items": [{"key": "k", "qux": 1}]},
                            "volumeSource": {}}],
               "Containers": []}})",
                                      pod());
  const std::vector<std::string> expected = {
      "metadata.labelz",
      "spec.containers[1].foo",
      "spec.containers[1].ports[0].bar",
      "spec.containers[1].env[0].valueFrom.fieldRef.baz",
      "spec.volumes[0].configMap.items[0].qux",
      "spec.volumes[0].volumeSource",
      "spec.Containers",
  };
  EXPECT_EQ(report.unknown_fields, expected);
  ASSERT_EQ(report.errors.size(), expected.size());
  EXPECT_EQ(report.errors[1], R"(unknown field "spec.containers[1].foo")");
  EXPECT_EQ(report.decode_error, "");
  EXPECT_EQ(report.message().rfind(
                R"(strict decoding error: unknown field "metadata.labelz", unknown field )", 0),
            0u);
}

TEST(SchemaCheck, MapKeysAreNeverUnknown) {
  schema::check_report report =
      check(R"({"metadata": {"labels": {"anything": "x"}, "annotations": {"b/c": "d"}},
                "status": {"capacity": {"example.com/gpu": "2"}, "capacity2": {}}})",
            message("k8s.io.api.core.v1.Node"));
  EXPECT_EQ(report.unknown_fields, std::vector<std::string>{"status.capacity2"});
  report = check(R"({"status": {"user": {"extra": {"scopes": ["a", "b"]}, "nope": 1}}})",
                 message("k8s.io.api.authentication.v1.TokenReview"));
  EXPECT_EQ(report.unknown_fields, std::vector<std::string>{"status.user.nope"});
}

TEST(SchemaCheck, ApiVersionAndKindOnlyWhereGoHasTypeMeta) {
  // At the top level of any type, and on nested kinds (StatefulSet volumeClaimTemplates are
  // PersistentVolumeClaims); PodTemplateSpec has no TypeMeta.
  EXPECT_TRUE(check(R"({"apiVersion": "v1", "kind": "PodSpec", "containers": []})",
                    message("k8s.io.api.core.v1.PodSpec"))
                  .ok());
  schema::check_report report = check(R"({"apiVersion": "apps/v1", "kind": "StatefulSet",
      "spec": {"volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
               "metadata": {"name": "data"},
               "spec": {"accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}}}}],
               "template": {"kind": "PodTemplateSpec", "spec": {"containers": []}}}})",
                                      message("k8s.io.api.apps.v1.StatefulSet"));
  EXPECT_EQ(report.unknown_fields, std::vector<std::string>{"spec.template.kind"});
}

TEST(SchemaCheck, ModesDecideWhatUnknownFieldsBecome) {
  constexpr std::string_view kBody = R"({"spec": {"foo": 1, "containers": [{"bar": 2}]}})";
  schema::check_report strict = check(kBody, pod(), check_mode::strict);
  EXPECT_FALSE(strict.ok());
  EXPECT_EQ(
      strict.message(),
      R"(strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].bar")");

  schema::check_report warn = check(kBody, pod(), check_mode::warn);
  EXPECT_TRUE(warn.ok());
  EXPECT_EQ(warn.message(), "");
  EXPECT_EQ(warn.warnings, (std::vector<std::string>{R"(unknown field "spec.foo")",
                                                     R"(unknown field "spec.containers[0].bar")"}));
  EXPECT_EQ(warn.unknown_fields.size(), 2u);

  schema::check_report ignore = check(kBody, pod(), check_mode::ignore);
  EXPECT_TRUE(ignore.ok());
  EXPECT_TRUE(ignore.warnings.empty());
  EXPECT_TRUE(ignore.unknown_fields.empty());

  // Type errors fail the request in every mode.
  schema::check_report typed =
      check(R"({"spec": {"foo": 1, "hostIPC": 1}})", pod(), check_mode::ignore);
  EXPECT_FALSE(typed.ok());
  EXPECT_EQ(typed.errors.size(), 1u);
}

TEST(SchemaCheck, UnknownFieldPathsAreQuotedLikeGo) {
  schema::check_report report = check(R"({"metadata": {"we\"ird\n": 1}})", pod());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0], R"(unknown field "metadata.we\"ird\n")");
}

TEST(SchemaCheck, UnknownFieldsAreCappedAtOneHundred) {
  std::string body = R"({"spec": {)";
  for (int i = 0; i < 150; ++i) body += (i ? ", " : "") + ("\"f" + std::to_string(i) + "\": 1");
  body += "}}";
  EXPECT_EQ(check(body, pod()).unknown_fields.size(), 100u);
}

// ---- Quantities -----------------------------------------------------------------------------

TEST(SchemaQuantity, CanonicalFormsMatchKubernetes) {
  EXPECT_EQ(canonical("100m"), "100m");
  EXPECT_EQ(canonical("0.5"), "500m");
  EXPECT_EQ(canonical("1000m"), "1");
  EXPECT_EQ(canonical("1.5"), "1500m");
  EXPECT_EQ(canonical("1000"), "1k");
  EXPECT_EQ(canonical("1500"), "1500");
  EXPECT_EQ(canonical("128974848"), "128974848");
  EXPECT_EQ(canonical("129e6"), "129e6");
  EXPECT_EQ(canonical("129M"), "129M");
  EXPECT_EQ(canonical("1.5e3"), "1500");
  EXPECT_EQ(canonical("1e2"), "100");
  EXPECT_EQ(canonical("123Mi"), "123Mi");
  EXPECT_EQ(canonical("1024Mi"), "1Gi");
  EXPECT_EQ(canonical("2048Ki"), "2Mi");
  EXPECT_EQ(canonical("1.5Gi"), "1536Mi");
  EXPECT_EQ(canonical("0.5Ki"), "512");
  EXPECT_EQ(canonical("0.5Mi"), "512Ki");
  EXPECT_EQ(canonical("1Ki"), "1Ki");
  EXPECT_EQ(canonical("0"), "0");
  EXPECT_EQ(canonical("0m"), "0");
  EXPECT_EQ(canonical("-0"), "0");
  EXPECT_EQ(canonical("-0.5"), "-500m");
  EXPECT_EQ(canonical("+1"), "+1");    // kept as written: it already has a canonical shape
  EXPECT_EQ(canonical("0.1n"), "1n");  // rounded up to a nano
  EXPECT_EQ(canonical("1.0000000001"), "1000000001n");
  EXPECT_EQ(canonical("10E"), "10E");
  EXPECT_EQ(canonical("12345678901234567890123"), "12345678901234567890123");
  EXPECT_EQ(canonical("16Ei"), "9223372036854775807");  // binary values cap at max int64
}

TEST(SchemaQuantity, BinaryFormsOfLargeAndSmallValues) {
  // Below 10^18 the powers of 1024 are divided out in machine arithmetic, above digit by digit.
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"1024Ki", "1Mi"},
      {"1048576Ki", "1Gi"},
      {"1073741824Ki", "1Ti"},
      {"2048Gi", "2Ti"},
      {"1024Pi", "1Ei"},
      {"-2048Mi", "-2Gi"},
      {"1.5Mi", "1536Ki"},
      {"5000000000000Ki", "4882812500Mi"},
      {"999999999999999Ki", "999999999999999Ki"},
      {"8000000000000000Ki", "7812500000000Mi"},
      {"8Ei", "9223372036854775807"},
      {"4096Ei", "9223372036854775807"},
      {"3072Ki", "3Mi"},
      {"1023Ki", "1023Ki"},
      {"0Ki", "0"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(canonical(text), expected) << text;
}

TEST(SchemaQuantity, EverySuffixIsRecognised) {
  for (std::string_view suffix : {"n",  "u",  "m",  "",   "k",  "M",  "G",  "T",  "P",   "E",
                                  "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "e3", "E3", "e-2", "E+4"}) {
    EXPECT_TRUE(schema::parse_quantity("3" + std::string(suffix))) << suffix;
  }
  for (std::string_view suffix : {"K", "i", "e", "mi", "Mk", "kk", "ni", "EE", "Kii"})
    EXPECT_EQ(quantity_error("3" + std::string(suffix)), kSuffix) << suffix;
}

TEST(SchemaQuantity, RejectsWhatKubernetesRejects) {
  EXPECT_EQ(quantity_error("12x"), kFormatWrong);
  EXPECT_EQ(quantity_error(""), kFormatWrong);
  EXPECT_EQ(quantity_error("1 Gi"), kFormatWrong);
  EXPECT_EQ(quantity_error("1Gb"), kFormatWrong);
  EXPECT_EQ(quantity_error("abc"), kFormatWrong);
  EXPECT_EQ(quantity_error("1kk"), "unable to parse quantity's suffix");
  EXPECT_EQ(quantity_error("1e"), "unable to parse quantity's suffix");
  EXPECT_EQ(quantity_error("1iK"), "unable to parse quantity's suffix");
  EXPECT_TRUE(schema::parse_quantity("1e-3"));
  EXPECT_TRUE(schema::parse_quantity("1E+3"));
  EXPECT_TRUE(schema::parse_quantity("5Ei"));
}

TEST(SchemaQuantity, ComparesAndScalesValues) {
  EXPECT_EQ(schema::compare(quantity_of("1"), quantity_of("1000m")), 0);
  EXPECT_LT(schema::compare(quantity_of("500m"), quantity_of("1")), 0);
  EXPECT_GT(schema::compare(quantity_of("1Gi"), quantity_of("1G")), 0);
  EXPECT_LT(schema::compare(quantity_of("-1"), quantity_of("0")), 0);
  EXPECT_LT(schema::compare(quantity_of("-2"), quantity_of("-1")), 0);
  EXPECT_EQ(schema::compare(quantity_of("1e3"), quantity_of("1k")), 0);

  int64_t value = 0;
  EXPECT_TRUE(quantity_of("100m").scaled(-3, value));
  EXPECT_EQ(value, 100);
  EXPECT_TRUE(quantity_of("1.5").scaled(0, value));
  EXPECT_EQ(value, 2);  // rounded up
  EXPECT_TRUE(quantity_of("1Gi").scaled(0, value));
  EXPECT_EQ(value, 1073741824);
  EXPECT_TRUE(quantity_of("-1.5").scaled(0, value));
  EXPECT_EQ(value, -2);
  EXPECT_FALSE(quantity_of("100E").scaled(-3, value));
}

// ---- Timestamps -----------------------------------------------------------------------------

TEST(SchemaTime, ParsesRfc3339AsGoDoes) {
  schema::timestamp t;
  ASSERT_TRUE(schema::parse_time("2024-05-01T10:00:00Z", &t));
  EXPECT_EQ(t.seconds, 1714557600);
  ASSERT_TRUE(schema::parse_time("2024-05-01T12:00:00.5+02:00", &t));
  EXPECT_EQ(t.seconds, 1714557600);
  EXPECT_EQ(t.nanos, 500000000);
  EXPECT_EQ(schema::format_time(t), "2024-05-01T10:00:00Z");
  EXPECT_EQ(schema::format_micro_time(t), "2024-05-01T10:00:00.500000Z");
  ASSERT_TRUE(schema::parse_micro_time("1969-12-31T23:59:59.000001Z", &t));
  EXPECT_EQ(t.seconds, -1);
  EXPECT_EQ(t.nanos, 1000);
  EXPECT_EQ(schema::format_micro_time(t), "1969-12-31T23:59:59.000001Z");
  EXPECT_TRUE(schema::parse_time("2024-02-29T23:59:59-07:00"));
}

TEST(SchemaTime, ErrorsReadLikeGo) {
  EXPECT_EQ(time_error("2024-13-01T00:00:00Z"),
            "parsing time \"2024-13-01T00:00:00Z\": month out of range");
  EXPECT_EQ(time_error("2023-02-29T00:00:00Z"),
            "parsing time \"2023-02-29T00:00:00Z\": day out of range");
  EXPECT_EQ(time_error("2024-05-01T24:00:00Z"),
            "parsing time \"2024-05-01T24:00:00Z\": hour out of range");
  EXPECT_EQ(time_error("2024-05-01 10:00:00Z"),
            "parsing time \"2024-05-01 10:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\" 10:00:00Z\" as \"T\"");
  EXPECT_EQ(time_error("2024-05-01T10:00:00"),
            "parsing time \"2024-05-01T10:00:00\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\"\" as \"Z07:00\"");
  EXPECT_EQ(time_error("2024-05-01T10:00:00Zjunk"),
            "parsing time \"2024-05-01T10:00:00Zjunk\": extra text: \"junk\"");
  EXPECT_EQ(time_error("2024-5-01T10:00:00Z"),
            "parsing time \"2024-5-01T10:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\"5-01T10:00:00Z\" as \"01\"");
  EXPECT_EQ(time_error("2024-05-01T10:00:00.12Z", true),
            "parsing time \"2024-05-01T10:00:00.12Z\" as \"2006-01-02T15:04:05.000000Z07:00\": "
            "cannot parse \".12Z\" as \".000000\"");
}

// ---- normalize_object -----------------------------------------------------------------------

TEST(SchemaNormalize, RewritesToTheStoredForm) {
  json::value obj = parse_json(R"({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "p", "extra": 1, "labels": {"a": null},
                   "creationTimestamp": "2024-05-01T12:00:00.9+02:00", "generateName": null},
      "spec": {"containers": [{"name": "c", "foo": {},
                               "resources": {"limits": {"cpu": 1, "memory": "1024Mi"},
                                             "requests": {"cpu": 0.5, "memory": " 64Mi "}}}],
               "nodeName": null},
      "status": {"conditions": [{"type": "Ready", "lastProbeTime": null,
                                 "lastTransitionTime": "0001-01-01T00:00:00Z"}]}})");
  schema::normalize_object(obj, pod());
  json::value expected = parse_json(R"({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "p", "labels": {"a": ""},
                   "creationTimestamp": "2024-05-01T10:00:00Z"},
      "spec": {"containers": [{"name": "c",
                               "resources": {"limits": {"cpu": "1", "memory": "1Gi"},
                                             "requests": {"cpu": "500m", "memory": "64Mi"}}}]},
      "status": {"conditions": [{"type": "Ready", "lastProbeTime": null,
                                 "lastTransitionTime": null}]}})");
  EXPECT_EQ(json::dump(obj), json::dump(expected));
}

TEST(SchemaNormalize, BytesAndOptions) {
  json::value obj = parse_json(R"({"data": {"a": "aGVs\nbG8=", "b": "YR=="}, "x": 1})");
  schema::normalize_options keep;
  keep.drop_unknown_fields = false;
  keep.canonical_bytes = false;
  json::value copy = obj;
  schema::normalize_object(copy, message("k8s.io.api.core.v1.Secret"), keep);
  EXPECT_EQ(json::dump(copy), json::dump(obj));

  schema::normalize_object(obj, message("k8s.io.api.core.v1.Secret"));
  EXPECT_EQ(json::dump(obj), R"({"data":{"a":"aGVsbG8=","b":"YQ=="}})");
}

// Normalizing a document the checker passed as needing no normalization changes nothing.
void expect_normalizing_is_a_no_op_unless_flagged(const json::value& doc,
                                                  const schema::message_type& type) {
  for (check_mode mode : {check_mode::strict, check_mode::warn, check_mode::ignore}) {
    const schema::check_report report = schema::check_object(doc, type, mode);
    if (!report.ok() || report.needs_normalization) continue;
    json::value normalized = doc;
    schema::normalize_object(normalized, type);
    EXPECT_EQ(json::dump(normalized), json::dump(doc)) << json::dump(doc);
  }
}

TEST(SchemaNormalize, CheckFlagsEveryDocumentNormalizingWouldChange) {
  const std::string pod_head = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p")";
  const std::vector<std::string> changed = {
      pod_head + R"(,"extra":1}})",                                          // unknown field
      pod_head + R"(,"generateName":null}})",                                // null member
      pod_head + R"(,"labels":{"a":null}}})",                                // null map value
      pod_head + R"(,"creationTimestamp":"2024-05-01T12:00:00.9+02:00"}})",  // time not in UTC
      pod_head + R"(,"creationTimestamp":"0001-01-01T00:00:00Z"}})",         // zero time
      pod_head + R"(},"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":1}}}]}})",
      pod_head + R"(},"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"0.5"}}}]}})",
      pod_head + R"(},"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":" 1"}}}]}})",
      pod_head + R"(},"status":{"conditions":[{"type":"Ready","lastProbeTime":null,)"
                 R"("lastTransitionTime":"0001-01-01T00:00:00Z"}]}})",
  };
  for (const std::string& text : changed) {
    const json::value doc = parse_json(text);
    EXPECT_TRUE(schema::check_object(doc, pod(), check_mode::ignore).needs_normalization) << text;
    json::value normalized = doc;
    schema::normalize_object(normalized, pod());
    EXPECT_NE(json::dump(normalized), json::dump(doc)) << text;
  }
  const json::value secret = parse_json(R"({"data":{"a":"YQ=="}})");
  EXPECT_TRUE(schema::check_object(secret, message("k8s.io.api.core.v1.Secret"), check_mode::strict)
                  .needs_normalization);  // bytes are always re-encoded

  const std::vector<std::string> canonical = {
      pod_head + R"(,"creationTimestamp":null,"labels":{"a":"b"}}})",  // Time keeps its null
      pod_head + R"(,"creationTimestamp":"2024-05-01T10:00:00Z"}})",
      pod_head + R"(},"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"500m",)"
                 R"("memory":"1Gi"},"requests":{"cpu":"1","memory":"64Mi"}}}]},)"
                 R"("status":{"conditions":[{"type":"Ready","lastProbeTime":null}]}})",
  };
  for (const std::string& text : canonical) {
    const json::value doc = parse_json(text);
    EXPECT_FALSE(schema::check_object(doc, pod(), check_mode::strict).needs_normalization) << text;
    expect_normalizing_is_a_no_op_unless_flagged(doc, pod());
  }
}

struct typed_document {
  const kactor::api::resource_info* info;
  json::value doc;
};

// The JSON test bodies and the example manifests whose kinds kactor serves.
std::vector<typed_document> served_documents() {
  namespace fs = std::filesystem;
  std::vector<typed_document> docs;
  auto add = [&docs](const fs::path& path, bool yaml) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    json::value doc;
    if (!(yaml ? json::parse_yaml(text.str(), doc) : json::parse(text.str(), doc)).ok) return;
    const std::string api_version(doc.get_string("apiVersion"));
    const auto slash = api_version.find('/');
    const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    if (const auto* info = kactor::api::find_resource_by_kind(group, doc.get_string("kind")))
      docs.push_back({info, std::move(doc)});
  };
  const fs::path root(KACTOR_SOURCE_DIR);
  for (const auto& entry : fs::directory_iterator(root / "tests" / "api" / "testdata"))
    if (entry.path().extension() == ".json" && entry.path().filename() != "captures.json")
      add(entry.path(), false);
  for (const auto& entry : fs::recursive_directory_iterator(root / "examples"))
    if (entry.path().extension() == ".yaml") add(entry.path(), true);
  return docs;
}

TEST(SchemaNormalize, UnflaggedTestDocumentsAreAlreadyNormal) {
  const auto docs = served_documents();
  EXPECT_GE(docs.size(), 25u);
  for (const auto& [info, doc] : docs)
    expect_normalizing_is_a_no_op_unless_flagged(doc, message(info->schema_type));
}

void visit_nodes(json::value& v, const std::function<void(json::value&)>& fn) {
  fn(v);
  if (v.is_object())
    for (auto& m : v.as_object()) visit_nodes(m.val, fn);
  else if (v.is_array())
    for (auto& item : v.as_array()) visit_nodes(item, fn);
}

// decode_object skips normalizing when the check finds nothing to change. Whatever one value of
// a served document is turned into, what decode_object returns must already be normal.
TEST(SchemaNormalize, DecodedObjectsAreNormalWhateverTheInput) {
  const std::vector<std::function<void(json::value&)>> mutations = {
      [](json::value& n) { n = nullptr; },
      [](json::value& n) {
        if (n.is_object()) n.set("zzUnknown", 1);
      },
      [](json::value& n) {
        if (n.is_object()) n.set("labels", parse_json(R"({"a":null})"));
      },
      [](json::value& n) {
        if (n.is_object()) n.set("creationTimestamp", nullptr);
      },
      [](json::value& n) {
        if (n.is_array()) n.as_array().push_back(nullptr);
      },
      [](json::value& n) {
        if (n.is_int()) n = static_cast<double>(n.as_int());
      },
      [](json::value& n) {
        if (n.is_string() && !n.as_string().empty()) n = " " + n.as_string();
      },
  };
  const std::vector<std::string> strings = {"0.5",
                                            "1024Mi",
                                            "2024-05-01T12:00:00.5+02:00",
                                            "0001-01-01T00:00:00Z",
                                            "2024-05-01T10:00:00Z",
                                            "aGVs\nbG8="};
  int decoded = 0, normalized_by_decode = 0;
  auto expect_normal_decode = [&](const kactor::api::resource_info& info, const json::value& doc) {
    const schema::message_type& type = message(info.schema_type);
    const std::string body = json::dump(doc);
    for (auto mode : {kactor::api::field_validation::strict, kactor::api::field_validation::warn,
                      kactor::api::field_validation::ignore}) {
      json::value out;
      std::vector<std::string> warnings;
      if (kactor::api::decode_object(info, "application/json", body, mode, out, warnings)) continue;
      ++decoded;
      json::value again = out;
      schema::normalize_object(again, type);
      EXPECT_EQ(json::dump(again), json::dump(out)) << body;
      json::value raw = parse_json(body);
      json::value normal_raw = raw;
      schema::normalize_object(normal_raw, type);
      if (json::dump(normal_raw) != json::dump(raw)) ++normalized_by_decode;
    }
  };
  for (const auto& [info, doc] : served_documents()) {
    json::value counter = doc;
    int nodes = 0;
    visit_nodes(counter, [&nodes](json::value&) { ++nodes; });
    for (int target = 0; target < nodes; ++target) {
      auto mutate_node = [&](const std::function<void(json::value&)>& mutation) {
        json::value copy = doc;
        int seen = 0;
        visit_nodes(copy, [&](json::value& n) {
          if (seen++ == target) mutation(n);
        });
        expect_normal_decode(*info, copy);
      };
      for (const auto& mutation : mutations) mutate_node(mutation);
      for (const auto& text : strings)
        mutate_node([&text](json::value& n) {
          if (n.is_string()) n = json::value(text);
        });
    }
  }
  EXPECT_GT(decoded, 10000);
  EXPECT_GT(normalized_by_decode, 1000);  // inputs that were not normal and came out normal
}

}  // namespace
