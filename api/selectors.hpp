// Label and field selectors (the `labelSelector` and `fieldSelector` query parameters), parsed
// once and matched against the facts extracted from an object.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json.hpp"

namespace kactor::api {

// A small string-to-string map kept as a vector sorted by key: one allocation instead of a node
// per entry. Iterates in key order, like std::map.
class fact_map {
 public:
  using value_type = std::pair<std::string, std::string>;
  using const_iterator = std::vector<value_type>::const_iterator;

  fact_map() = default;
  // Later entries win over earlier ones with the same key.
  fact_map(std::initializer_list<value_type> entries);

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void reserve(size_t n) { entries_.reserve(n); }

  // The entry with `key`, or end().
  const_iterator find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != end(); }
  // The value at `key`; throws std::out_of_range when there is none.
  const std::string& at(std::string_view key) const;
  void insert_or_assign(std::string key, std::string value);

  friend bool operator==(const fact_map&, const fact_map&) = default;

 private:
  // The index of the first entry whose key is not less than `key`.
  size_t lower_bound(std::string_view key) const;

  std::vector<value_type> entries_;
};

// What selectors can look at, extracted from an object once (e.g. once per watch event, shared
// by every watcher).
struct object_facts {
  fact_map labels;
  // Field-selector values by field path: metadata.name, metadata.namespace, spec.nodeName,
  // status.phase, involvedObject.kind/namespace/name/uid/apiVersion/resourceVersion/fieldPath,
  // reason, type, source, spec.schedulerName, spec.restartPolicy, status.podIP, ...
  fact_map fields;
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
  bool matches(const fact_map& labels) const;
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
  bool matches(const fact_map& fields) const;
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
