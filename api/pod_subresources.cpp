#include "api/pod_subresources.hpp"

namespace kactor::api {
namespace {

std::string metadata_name(const json::value& obj) {
  const json::value* name = obj.at({"metadata", "name"});
  return name && name->is_string() ? name->as_string() : std::string();
}

bool is_set(const json::value* v) {
  return v && !v->is_null() && !(v->is_string() && v->as_string().empty());
}

// Replaces the condition of the same type, or appends it.
void set_condition(json::value& pod, json::value condition) {
  json::value& conditions = pod["status"]["conditions"];
  if (!conditions.is_array()) conditions = json::value::make_array();
  const std::string type(condition.get_string("type"));
  for (auto& c : conditions.as_array()) {
    if (c.is_object() && c.get_string("type") == type) {
      c = std::move(condition);
      return;
    }
  }
  conditions.as_array().push_back(std::move(condition));
}

}  // namespace

const resource_info& binding_body_info() {
  static const resource_info info{.group = "",
                                  .version = "v1",
                                  .kind = "Binding",
                                  .plural = "bindings",
                                  .singular = "binding",
                                  .schema_type = "k8s.io.api.core.v1.Binding"};
  return info;
}

const resource_info& eviction_body_info() {
  static const resource_info info{.group = "policy",
                                  .version = "v1",
                                  .kind = "Eviction",
                                  .plural = "evictions",
                                  .singular = "eviction",
                                  .schema_type = "k8s.io.api.policy.v1.Eviction"};
  return info;
}

std::optional<api_error> check_binding(const json::value& binding, const std::string& pod_name) {
  if (metadata_name(binding) != pod_name)
    return bad_request("name in URL does not match name in Binding object");
  std::vector<status_cause> causes;
  const json::value* target = binding.find("target");
  std::string kind(target ? target->get_string("kind") : "");
  if (!kind.empty() && kind != "Node")
    causes.push_back(unsupported_value("target.kind", go_quote(kind), {"Node", "<empty>"}));
  if (!target || target->get_string("name").empty())
    causes.push_back(required_field("target.name"));
  if (!causes.empty()) return invalid("Binding", "", pod_name, std::move(causes));
  return std::nullopt;
}

std::optional<api_error> bind_pod(const json::value& binding, const std::string& now,
                                  json::value& pod) {
  const std::string name = metadata_name(pod);
  if (is_set(pod.at({"metadata", "deletionTimestamp"})))
    return conflict("pods", "", name,
                    "pod " + name + " is being deleted, cannot be assigned to a host");
  if (const json::value* node = pod.at({"spec", "nodeName"}); is_set(node))
    return conflict("pods", "", name,
                    "pod " + name + " is already assigned to node " + go_quote(node->as_string()));
  pod["spec"].set("nodeName", std::string(binding.at({"target"})->get_string("name")));
  if (const json::value* annotations = binding.at({"metadata", "annotations"});
      annotations && annotations->is_object()) {
    json::value& target = pod["metadata"]["annotations"];
    for (const auto& a : annotations->as_object()) target.set(a.key, a.val);
  }
  json::value condition = json::value::make_object();
  condition.set("type", "PodScheduled");
  condition.set("status", "True");
  condition.set("lastProbeTime", nullptr);
  condition.set("lastTransitionTime", now);
  set_condition(pod, std::move(condition));
  return std::nullopt;
}

std::optional<api_error> check_eviction(const json::value& eviction, const std::string& pod_name) {
  if (metadata_name(eviction) != pod_name)
    return bad_request("name in URL does not match name in Eviction object");
  return std::nullopt;
}

std::string created_status_json() {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201})";
}

}  // namespace kactor::api
