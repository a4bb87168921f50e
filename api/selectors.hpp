// Label and field selectors (the `labelSelector` and `fieldSelector` query parameters), parsed
// once and matched against the facts extracted from an object.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"

namespace kactor::api {

// What selectors can look at, extracted from an object once (e.g. once per watch event, shared
// by every watcher).
struct object_facts {
  std::map<std::string, std::string, std::less<>> labels;
  // Field-selector values by field path: metadata.name, metadata.namespace, spec.nodeName,
  // status.phase, involvedObject.kind/namespace/name/uid/apiVersion/resourceVersion/fieldPath,
  // reason, type, source, spec.schedulerName, spec.restartPolicy, status.podIP, ...
  std::map<std::string, std::string, std::less<>> fields;
};
object_facts extract_facts(const json::value& obj);

struct label_requirement {
  enum class op { equals, not_equals, in, not_in, exists, does_not_exist };
  std::string key;
  op operation = op::equals;
  std::vector<std::string> values;
};

class label_selector {
 public:
  bool empty() const { return requirements_.empty(); }
  bool matches(const std::map<std::string, std::string, std::less<>>& labels) const;
  const std::vector<label_requirement>& requirements() const { return requirements_; }
  void add(label_requirement r) { requirements_.push_back(std::move(r)); }

 private:
  std::vector<label_requirement> requirements_;
};

struct field_requirement {
  std::string field;
  bool negated = false;  // "!="
  std::string value;
};

class field_selector {
 public:
  bool empty() const { return requirements_.empty(); }
  bool matches(const std::map<std::string, std::string, std::less<>>& fields) const;
  const std::vector<field_requirement>& requirements() const { return requirements_; }
  void add(field_requirement r) { requirements_.push_back(std::move(r)); }

 private:
  std::vector<field_requirement> requirements_;
};

// Parse the query-parameter syntax. On failure return std::nullopt and set `error` to the
// message kube-apiserver gives (used in a 400 BadRequest).
std::optional<label_selector> parse_label_selector(std::string_view text, std::string& error);
// `kind` is the resource's Kind: only the fields Kubernetes supports for that kind are accepted
// (metadata.name and metadata.namespace for all; spec.nodeName, status.phase... for Pod;
// involvedObject.* ... for Event; etc.); others are 400 `field label not supported: x`.
std::optional<field_selector> parse_field_selector(std::string_view text, std::string_view kind,
                                                   std::string& error);

// The label selector of a LabelSelector object (matchLabels + matchExpressions), as used in
// Deployment/ReplicaSet specs. Errors are appended as messages.
std::optional<label_selector> from_label_selector_object(const json::value& sel,
                                                         std::string& error);
// The canonical string form ("app=web,tier in (a,b)").
std::string to_string(const label_selector& sel);

}  // namespace kactor::api
