// OpenAPI v3 generation: schemas from the type model, paths from the registry.
#include <gtest/gtest.h>

#include <functional>

#include "api/openapi.hpp"

namespace {

namespace openapi = kactor::api::openapi;
namespace schema = kactor::api::schema;
using kactor::api::resource_info;
using kactor::json::value;

const schema::message_type& message(std::string_view name) {
  const schema::message_type* m = schema::find_message(name);
  EXPECT_NE(m, nullptr) << name;
  return *m;
}

value schema_of(std::string_view name) {
  return openapi::message_schema(message(name));
}

std::string dump(const value* v) {
  return v ? kactor::json::dump(*v) : "<absent>";
}

std::string ref(std::string_view name) {
  return R"({"$ref":"#/components/schemas/)" + std::string(name) + R"("})";
}

const value& document(std::string_view path) {
  const openapi::encoded_document* doc = openapi::find_served_document(path);
  EXPECT_NE(doc, nullptr) << path;
  static std::map<std::string, value, std::less<>> parsed;
  auto it = parsed.find(path);
  if (it == parsed.end()) {
    value v;
    EXPECT_TRUE(kactor::json::parse(doc->json, v).ok);
    it = parsed.emplace(std::string(path), std::move(v)).first;
  }
  return it->second;
}

const value* operation(std::string_view doc, std::string_view path, std::string_view method) {
  return document(doc).at({"paths", path, method});
}

std::vector<std::string> parameter_names(const value& op) {
  std::vector<std::string> names;
  if (const value* params = op.find("parameters"))
    for (const auto& p : params->as_array()) names.emplace_back(p.get_string("name"));
  return names;
}

TEST(OpenApiNames, SchemaNamesAndGroupVersionPaths) {
  EXPECT_EQ(openapi::schema_name(message("k8s.io.api.core.v1.Pod")), "io.k8s.api.core.v1.Pod");
  EXPECT_EQ(openapi::schema_name(message("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta")),
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_EQ(openapi::group_version_path("", "v1"), "api/v1");
  EXPECT_EQ(openapi::group_version_path("apps", "v1"), "apis/apps/v1");
  EXPECT_EQ(openapi::kind_message("autoscaling", "v1", "Scale")->full_name,
            "k8s.io.api.autoscaling.v1.Scale");
  EXPECT_EQ(openapi::kind_message("", "v1", "Binding")->full_name, "k8s.io.api.core.v1.Binding");
  EXPECT_EQ(openapi::kind_message("networking.k8s.io", "v1", "Ingress")->full_name,
            "k8s.io.api.networking.v1.Ingress");
}

TEST(OpenApiSchema, ContainerHasKubesTypesRequiredFieldsAndListExtensions) {
  value s = schema_of("k8s.io.api.core.v1.Container");
  EXPECT_EQ(dump(s.find("required")), R"(["name"])");
  EXPECT_EQ(s.get_string("type"), "object");
  EXPECT_EQ(dump(s.at({"properties", "name"})), R"({"type":"string"})");
  EXPECT_EQ(
      dump(s.at({"properties", "command"})),
      R"({"type":"array","items":{"type":"string","default":""},"x-kubernetes-list-type":"atomic"})");
  EXPECT_EQ(dump(s.at({"properties", "ports"})),
            R"({"type":"array","items":{"allOf":[)" + ref("io.k8s.api.core.v1.ContainerPort") +
                R"(],"default":{}},"x-kubernetes-list-map-keys":["containerPort","protocol"],)"
                R"("x-kubernetes-list-type":"map","x-kubernetes-patch-merge-key":"containerPort",)"
                R"("x-kubernetes-patch-strategy":"merge"})");
  EXPECT_EQ(dump(s.at({"properties", "resources"})),
            R"({"allOf":[)" + ref("io.k8s.api.core.v1.ResourceRequirements") + "]}");
  EXPECT_EQ(dump(s.at({"properties", "imagePullPolicy"})),
            R"({"type":"string","enum":["Always","IfNotPresent","Never"]})");
  EXPECT_EQ(dump(s.at({"properties", "stdin"})), R"({"type":"boolean"})");
  EXPECT_EQ(s.find("x-kubernetes-group-version-kind"), nullptr);
  EXPECT_EQ(s.find("apiVersion"), nullptr);
}

TEST(OpenApiSchema, IntegersMapsAndBytes) {
  value port = schema_of("k8s.io.api.core.v1.ContainerPort");
  EXPECT_EQ(dump(port.at({"properties", "containerPort"})),
            R"({"type":"integer","format":"int32"})");
  EXPECT_EQ(dump(port.at({"properties", "protocol"})),
            R"({"type":"string","enum":["SCTP","TCP","UDP"]})");
  value meta = schema_of("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_EQ(dump(meta.at({"properties", "generation"})), R"({"type":"integer","format":"int64"})");
  EXPECT_EQ(dump(meta.at({"properties", "labels"})),
            R"({"type":"object","additionalProperties":{"type":"string","default":""}})");
  EXPECT_EQ(dump(meta.at({"properties", "creationTimestamp"})),
            R"({"allOf":[)" + ref("io.k8s.apimachinery.pkg.apis.meta.v1.Time") + "]}");
  EXPECT_EQ(dump(meta.at({"properties", "finalizers"})),
            R"({"type":"array","items":{"type":"string","default":""},)"
            R"("x-kubernetes-list-type":"set","x-kubernetes-patch-strategy":"merge"})");
  value resources = schema_of("k8s.io.api.core.v1.ResourceRequirements");
  EXPECT_EQ(dump(resources.at({"properties", "limits"})),
            R"({"type":"object","additionalProperties":{"allOf":[)" +
                ref("io.k8s.apimachinery.pkg.api.resource.Quantity") + R"(],"default":{}}})");
  value secret = schema_of("k8s.io.api.core.v1.Secret");
  EXPECT_EQ(dump(secret.at({"properties", "data"})),
            R"({"type":"object","additionalProperties":{"type":"string","format":"byte"}})");
  value pod_spec = schema_of("k8s.io.api.core.v1.PodSpec");
  EXPECT_EQ(dump(pod_spec.at({"properties", "nodeSelector", "x-kubernetes-map-type"})),
            R"("atomic")");
  EXPECT_EQ(dump(pod_spec.find("required")), R"(["containers"])");
}

TEST(OpenApiSchema, ScalarTypesAreDescribedAsKubernetesDoes) {
  EXPECT_EQ(kactor::json::dump(schema_of("k8s.io.apimachinery.pkg.api.resource.Quantity")),
            R"({"oneOf":[{"type":"string"},{"type":"number"}]})");
  EXPECT_EQ(kactor::json::dump(schema_of("k8s.io.apimachinery.pkg.util.intstr.IntOrString")),
            R"({"format":"int-or-string","oneOf":[{"type":"integer"},{"type":"string"}]})");
  EXPECT_EQ(kactor::json::dump(schema_of("k8s.io.apimachinery.pkg.apis.meta.v1.Time")),
            R"({"type":"string","format":"date-time"})");
  EXPECT_EQ(kactor::json::dump(schema_of("k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1")),
            R"({"type":"object"})");
  value strategy = schema_of("k8s.io.api.apps.v1.RollingUpdateDeployment");
  EXPECT_EQ(dump(strategy.at({"properties", "maxSurge"})),
            R"({"allOf":[)" + ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString") + "]}");
}

TEST(OpenApiSchema, KindsCarryTypeMetaAndTheirGroupVersionKinds) {
  value pod = openapi::message_schema(message("k8s.io.api.core.v1.Pod"), {{"", "v1", "Pod"}});
  EXPECT_EQ(dump(pod.at({"properties", "apiVersion"})), R"({"type":"string"})");
  EXPECT_EQ(dump(pod.at({"properties", "kind"})), R"({"type":"string"})");
  EXPECT_EQ(dump(pod.find("x-kubernetes-group-version-kind")),
            R"([{"group":"","kind":"Pod","version":"v1"}])");
  EXPECT_FALSE(pod.get_string("description").empty());
  std::vector<std::string> keys;
  for (const auto& m : pod.find("properties")->as_object()) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"apiVersion", "kind", "metadata", "spec", "status"}));
}

TEST(OpenApiSchema, EmbeddedStructsArePromoted) {
  value ephemeral = schema_of("k8s.io.api.core.v1.EphemeralContainer");
  EXPECT_NE(ephemeral.at({"properties", "name"}), nullptr);
  EXPECT_NE(ephemeral.at({"properties", "targetContainerName"}), nullptr);
  EXPECT_EQ(ephemeral.at({"properties", "ephemeralContainerCommon"}), nullptr);
  EXPECT_EQ(dump(ephemeral.find("required")), R"(["name"])");
  value selector = schema_of("k8s.io.api.core.v1.ConfigMapKeySelector");
  EXPECT_NE(selector.at({"properties", "name"}), nullptr);
  EXPECT_EQ(dump(selector.find("required")), R"(["key"])");
  EXPECT_EQ(selector.get_string("x-kubernetes-map-type"), "atomic");
}

TEST(OpenApiDocument, CorePatchOperationsAdvertiseServerSideFieldValidation) {
  const value* patch = operation("api/v1", "/api/v1/namespaces/{namespace}/pods/{name}", "patch");
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(dump(patch->find("x-kubernetes-group-version-kind")),
            R"({"group":"","version":"v1","kind":"Pod"})");
  EXPECT_EQ(patch->get_string("x-kubernetes-action"), "patch");
  EXPECT_EQ(patch->get_string("operationId"), "patchCoreV1NamespacedPod");
  EXPECT_EQ(parameter_names(*patch),
            (std::vector<std::string>{"dryRun", "fieldManager", "fieldValidation", "force"}));
  const value* content = patch->at({"requestBody", "content"});
  ASSERT_NE(content, nullptr);
  EXPECT_NE(content->find("application/merge-patch+json"), nullptr);
  EXPECT_EQ(content->find("application/strategic-merge-patch+json"), nullptr);
}

TEST(OpenApiDocument, EveryServedKindHasTheOperationsKubectlLooksFor) {
  for (const resource_info& r : kactor::api::all_resources()) {
    std::string gv = openapi::group_version_path(r.group, r.version);
    std::string collection =
        "/" + gv + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.plural;
    for (auto [path, method] : {std::pair{collection, "get"},
                                {collection, "post"},
                                {collection + "/{name}", "get"},
                                {collection + "/{name}", "put"},
                                {collection + "/{name}", "patch"},
                                {collection + "/{name}", "delete"}}) {
      const value* op = operation(gv, path, method);
      ASSERT_NE(op, nullptr) << path << " " << method;
      EXPECT_EQ(dump(op->find("x-kubernetes-group-version-kind")),
                R"({"group":")" + r.group + R"(","version":")" + r.version + R"(","kind":")" +
                    r.kind + R"("})");
    }
    const value* patch = operation(gv, collection + "/{name}", "patch");
    auto names = parameter_names(*patch);
    EXPECT_NE(std::find(names.begin(), names.end(), "fieldValidation"), names.end()) << r.kind;
    const value* kind =
        document(gv).at({"components", "schemas", openapi::schema_name(message(r.schema_type))});
    ASSERT_NE(kind, nullptr) << r.kind;
    EXPECT_NE(kind->find("x-kubernetes-group-version-kind"), nullptr) << r.kind;
  }
}

TEST(OpenApiDocument, PathsFollowScopeAndListAcrossNamespaces) {
  const value* all = operation("api/v1", "/api/v1/pods", "get");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->get_string("operationId"), "listCoreV1PodForAllNamespaces");
  EXPECT_EQ(all->get_string("x-kubernetes-action"), "list");
  EXPECT_EQ(dump(all->at({"responses", "200", "content", "application/json", "schema"})),
            ref("io.k8s.api.core.v1.PodList"));
  const value* ns = operation("api/v1", "/api/v1/namespaces/{name}", "get");
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->get_string("operationId"), "readCoreV1Namespace");
  const value* params = document("api/v1").at({"paths", "/api/v1/namespaces/{name}", "parameters"});
  ASSERT_NE(params, nullptr);
  EXPECT_EQ(
      dump(params),
      R"([{"name":"name","in":"path","description":"The name of the object.","required":true,)"
      R"("schema":{"type":"string","uniqueItems":true}},{"name":"pretty","in":"query",)"
      R"("description":"If 'true', the output is pretty printed.",)"
      R"("schema":{"type":"string","uniqueItems":true}}])");
  const value* create =
      operation("apis/apps/v1", "/apis/apps/v1/namespaces/{namespace}/deployments", "post");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->get_string("operationId"), "createAppsV1NamespacedDeployment");
  EXPECT_EQ(dump(create->find("tags")), R"(["apps_v1"])");
  EXPECT_EQ(dump(create->at({"requestBody", "content", "*/*", "schema"})),
            ref("io.k8s.api.apps.v1.Deployment"));
}

TEST(OpenApiDocument, SubresourcesAnswerWithTheirOwnKinds) {
  std::vector<resource_info> registry(1);
  resource_info& r = registry[0];
  r = {.group = "apps",
       .version = "v1",
       .kind = "Deployment",
       .plural = "deployments",
       .singular = "deployment",
       .verbs = {"get", "list", "patch"},
       .subresources = {{"scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"}},
                        {"status", "", "", "Deployment", {"get"}}},
       .schema_type = "k8s.io.api.apps.v1.Deployment"};
  value doc = openapi::group_version_document("apps", "v1", registry);
  const value* scale =
      doc.at({"paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "patch"});
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(dump(scale->find("x-kubernetes-group-version-kind")),
            R"({"group":"autoscaling","version":"v1","kind":"Scale"})");
  EXPECT_EQ(scale->get_string("operationId"), "patchAppsV1NamespacedDeploymentScale");
  EXPECT_EQ(dump(doc.at({"components", "schemas", "io.k8s.api.autoscaling.v1.Scale",
                         "x-kubernetes-group-version-kind"})),
            R"([{"group":"autoscaling","kind":"Scale","version":"v1"}])");
  const value* status =
      doc.at({"paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"});
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->find("get"), nullptr);
  EXPECT_EQ(status->find("put"), nullptr);
  EXPECT_EQ(doc.at({"paths", "/apis/apps/v1/namespaces/{namespace}/deployments", "post"}), nullptr);
}

// Every $ref of a document names one of its components/schemas.
void expect_refs_resolve(const value& doc, const value& v) {
  if (v.is_array())
    for (const auto& item : v.as_array()) expect_refs_resolve(doc, item);
  if (!v.is_object()) return;
  for (const auto& m : v.as_object()) {
    if (m.key == "$ref") {
      std::string_view target = m.val.as_string();
      constexpr std::string_view prefix = "#/components/schemas/";
      ASSERT_TRUE(target.starts_with(prefix)) << target;
      EXPECT_NE(doc.at({"components", "schemas", target.substr(prefix.size())}), nullptr) << target;
    }
    expect_refs_resolve(doc, m.val);
  }
}

TEST(OpenApiDocument, EveryReferenceResolves) {
  for (const auto& d : openapi::served_documents())
    expect_refs_resolve(document(d.path), document(d.path));
  EXPECT_NE(document("api/v1").at({"components", "schemas", "io.k8s.api.core.v1.Container"}),
            nullptr);
  EXPECT_NE(document("apis/apps/v1")
                .at({"components", "schemas", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}),
            nullptr);
  EXPECT_EQ(document("apis/apps/v1").at({"components", "schemas", "io.k8s.api.core.v1.Service"}),
            nullptr);
}

TEST(OpenApiHash, Sha512InUpperCaseHex) {
  EXPECT_EQ(openapi::content_hash("abc"),
            "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
            "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F");
}

TEST(OpenApiIndex, PointsAtEveryDocumentByContentHash) {
  std::vector<openapi::encoded_document> docs = {{"apis/apps/v1", "{}", "B"},
                                                 {"api/v1", "{}", "A"}};
  EXPECT_EQ(openapi::index_json(docs),
            R"({"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=A"},)"
            R"("apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=B"}}})");
  for (const auto& d : openapi::served_documents()) {
    EXPECT_EQ(d.hash, openapi::content_hash(d.json));
    EXPECT_NE(openapi::served_index_json().find("/openapi/v3/" + d.path + "?hash=" + d.hash),
              std::string::npos);
  }
  EXPECT_NE(openapi::find_served_document("api/v1"), nullptr);
  EXPECT_NE(openapi::find_served_document("apis/apps/v1"), nullptr);
  EXPECT_EQ(openapi::find_served_document("apis/batch/v1"), nullptr);
}

}  // namespace
