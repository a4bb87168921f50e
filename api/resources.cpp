#include "api/resources.hpp"

#include "api/defaults.hpp"
#include "api/validation.hpp"

namespace kactor::api {
namespace {

const std::vector<std::string> all_verbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

subresource_info status_of(const std::string& kind) {
  return {"status", "", "", kind, {"get", "patch", "update"}};
}

const subresource_info scale = {"scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"}};

std::vector<resource_info> build_registry() {
  std::vector<resource_info> r;
  auto add = [&r](resource_info info) {
    if (info.verbs.empty()) info.verbs = all_verbs;
    if (info.has_status_subresource)
      info.subresources.insert(info.subresources.begin(), status_of(info.kind));
    r.push_back(std::move(info));
  };
  const std::string core = "k8s.io.api.core.v1.";
  const std::string apps = "k8s.io.api.apps.v1.";

  add({.group = "",
       .version = "v1",
       .kind = "Namespace",
       .plural = "namespaces",
       .singular = "namespace",
       .namespaced = false,
       .short_names = {"ns"},
       .subresources = {{"finalize", "", "", "Namespace", {"update"}}},
       .schema_type = core + "Namespace",
       .has_spec = false,
       .has_status_subresource = true,
       .set_defaults = set_defaults_namespace,
       .validate = validate_namespace});
  add({.group = "",
       .version = "v1",
       .kind = "Pod",
       .plural = "pods",
       .singular = "pod",
       .short_names = {"po"},
       .categories = {"all"},
       .subresources = {{"binding", "", "v1", "Binding", {"create"}},
                        {"eviction", "policy", "v1", "Eviction", {"create"}}},
       .schema_type = core + "Pod",
       .has_spec = false,
       .has_status_subresource = true,
       .prepare_for_create = initial_pod_status,
       .set_defaults = set_defaults_pod,
       .validate = validate_pod});
  add({.group = "",
       .version = "v1",
       .kind = "Node",
       .plural = "nodes",
       .singular = "node",
       .namespaced = false,
       .short_names = {"no"},
       .schema_type = core + "Node",
       .has_spec = false,
       .has_status_subresource = true,
       .set_defaults = set_defaults_node,
       .validate = validate_node});
  add({.group = "",
       .version = "v1",
       .kind = "Service",
       .plural = "services",
       .singular = "service",
       .short_names = {"svc"},
       .categories = {"all"},
       .schema_type = core + "Service",
       .has_spec = false,
       .has_status_subresource = true,
       .set_defaults = set_defaults_service,
       .validate = validate_service});
  add({.group = "",
       .version = "v1",
       .kind = "Endpoints",
       .plural = "endpoints",
       .singular = "endpoints",
       .short_names = {"ep"},
       .schema_type = core + "Endpoints",
       .set_defaults = set_defaults_endpoints,
       .validate = validate_endpoints});
  add({.group = "",
       .version = "v1",
       .kind = "ConfigMap",
       .plural = "configmaps",
       .singular = "configmap",
       .short_names = {"cm"},
       .schema_type = core + "ConfigMap",
       .validate = validate_config_map});
  add({.group = "",
       .version = "v1",
       .kind = "Secret",
       .plural = "secrets",
       .singular = "secret",
       .schema_type = core + "Secret",
       .set_defaults = set_defaults_secret,
       .validate = validate_secret});
  add({.group = "",
       .version = "v1",
       .kind = "ServiceAccount",
       .plural = "serviceaccounts",
       .singular = "serviceaccount",
       .short_names = {"sa"},
       .schema_type = core + "ServiceAccount",
       .validate = validate_service_account});
  add({.group = "",
       .version = "v1",
       .kind = "Event",
       .plural = "events",
       .singular = "event",
       .short_names = {"ev"},
       .schema_type = core + "Event",
       .set_defaults = set_defaults_event,
       .validate = validate_event});
  add({.group = "",
       .version = "v1",
       .kind = "ReplicationController",
       .plural = "replicationcontrollers",
       .singular = "replicationcontroller",
       .short_names = {"rc"},
       .categories = {"all"},
       .subresources = {scale},
       .schema_type = core + "ReplicationController",
       .has_spec = true,
       .has_status_subresource = true,
       .set_defaults = set_defaults_replication_controller,
       .validate = validate_replication_controller});
  add({.group = "apps",
       .version = "v1",
       .kind = "ReplicaSet",
       .plural = "replicasets",
       .singular = "replicaset",
       .short_names = {"rs"},
       .categories = {"all"},
       .subresources = {scale},
       .schema_type = apps + "ReplicaSet",
       .has_spec = true,
       .has_status_subresource = true,
       .set_defaults = set_defaults_replica_set,
       .validate = validate_replica_set});
  add({.group = "apps",
       .version = "v1",
       .kind = "Deployment",
       .plural = "deployments",
       .singular = "deployment",
       .short_names = {"deploy"},
       .categories = {"all"},
       .subresources = {scale},
       .schema_type = apps + "Deployment",
       .has_spec = true,
       .annotations_bump_generation = true,
       .has_status_subresource = true,
       .set_defaults = set_defaults_deployment,
       .validate = validate_deployment});
  return r;
}

}  // namespace

bool resource_info::has_subresource(std::string_view name) const {
  for (const auto& s : subresources)
    if (s.name == name) return true;
  return false;
}

const std::vector<resource_info>& all_resources() {
  static const std::vector<resource_info> registry = build_registry();
  return registry;
}

const resource_info* find_resource(std::string_view group, std::string_view version,
                                   std::string_view plural) {
  for (const auto& r : all_resources())
    if (r.group == group && (version.empty() || r.version == version) && r.plural == plural)
      return &r;
  return nullptr;
}

const resource_info* find_resource_by_kind(std::string_view group, std::string_view kind) {
  for (const auto& r : all_resources())
    if (r.group == group && r.kind == kind) return &r;
  return nullptr;
}

}  // namespace kactor::api
