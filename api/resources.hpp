// The registry of every kind kactor serves. Adding a kind is one `resource_info` entry in
// resources.cpp: routing, discovery, storage keys, defaulting and validation all read it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"
#include "api/status.hpp"

namespace kactor::api {

struct subresource_info {
  std::string name;                  // "status", "scale", "binding", ...
  std::string group, version, kind;  // response kind ("" group/version = same as parent)
  std::vector<std::string> verbs;
};

struct resource_info {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string kind;      // "Pod"
  std::string plural;    // "pods"
  std::string singular;  // "pod"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;
  std::vector<subresource_info> subresources;
  std::string schema_type;  // message in the type model, "k8s.io.api.core.v1.Pod"
  // Objects whose `spec` changes bump metadata.generation (all kinds with a spec).
  bool has_spec = false;
  // Deployments also bump generation when metadata.annotations change (kube's strategy does).
  bool annotations_bump_generation = false;
  // Objects with a status that ordinary PUT/PATCH must not change (only via /status).
  bool has_status_subresource = false;

  // Server-set state of a new object, e.g. a Pod's initial status (per kind; may be empty).
  std::function<void(json::value& obj)> prepare_for_create;
  // Fills Kubernetes' defaults in place (per kind; may be empty).
  std::function<void(json::value& obj)> set_defaults;
  // Appends field errors (per kind; ObjectMeta is validated for every kind by the caller).
  std::function<void(const json::value& obj, std::vector<status_cause>& causes)> validate;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string list_kind() const { return kind + "List"; }
  // "pods", "deployments.apps": the name used in NotFound/AlreadyExists messages and store keys.
  std::string group_resource() const { return group.empty() ? plural : plural + "." + group; }
  bool has_subresource(std::string_view name) const;
};

const std::vector<resource_info>& all_resources();
const resource_info* find_resource(std::string_view group, std::string_view version,
                                   std::string_view plural);
const resource_info* find_resource_by_kind(std::string_view group, std::string_view kind);

}  // namespace kactor::api
