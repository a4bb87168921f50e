// Label and field selectors (the `labelSelector` and `fieldSelector` query parameters), parsed
// once and matched against the facts extracted from an object.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json.hpp"

namespace kactor::api {

// A small string-to-string map sorted by key. Keys and values share one buffer, so a map costs
// two allocations however many entries it holds: facts are built for every write and freed when
// its watch event leaves the history. Iterates in key order, like std::map.
class fact_map {
 public:
  using value_type = std::pair<std::string_view, std::string_view>;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = fact_map::value_type;
    using difference_type = std::ptrdiff_t;
    using reference = value_type;
    using pointer = void;

    // What `it->first` and `it->second` read through.
    struct arrow {
      value_type entry;
      const value_type* operator->() const { return &entry; }
    };

    const_iterator() = default;
    value_type operator*() const { return map_->entry(index_); }
    arrow operator->() const { return {**this}; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const const_iterator&) const = default;

   private:
    friend class fact_map;
    const_iterator(const fact_map* map, size_t index) : map_(map), index_(index) {}
    const fact_map* map_ = nullptr;
    size_t index_ = 0;
  };

  fact_map() = default;
  // Later entries win over earlier ones with the same key.
  fact_map(std::initializer_list<value_type> entries);

  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, slots_.size()}; }
  size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  void reserve(size_t entries, size_t text_bytes) {
    slots_.reserve(entries);
    text_.reserve(text_bytes);
  }

  // The entry with `key`, or end().
  const_iterator find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != end(); }
  // The value at `key`; throws std::out_of_range when there is none.
  std::string_view at(std::string_view key) const;
  void insert_or_assign(std::string_view key, std::string_view value) {
    insert_or_assign(key, {}, value);
  }
  // The key is key_head followed by key_tail. No argument may view this map's own entries.
  void insert_or_assign(std::string_view key_head, std::string_view key_tail,
                        std::string_view value);

  friend bool operator==(const fact_map& a, const fact_map& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  struct slot {  // where an entry's key and value are in text_
    uint32_t key_at = 0;
    uint32_t key_size = 0;
    uint32_t value_at = 0;
    uint32_t value_size = 0;
  };

  std::string_view key_of(const slot& s) const { return {text_.data() + s.key_at, s.key_size}; }
  value_type entry(size_t index) const {
    const slot& s = slots_[index];
    return {key_of(s), {text_.data() + s.value_at, s.value_size}};
  }
  // The index of the first entry whose key is not less than `key`.
  size_t lower_bound(std::string_view key) const;

  std::string text_;  // keys and values; a replaced value's old bytes stay unused
  std::vector<slot> slots_;
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
