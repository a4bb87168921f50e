// Server-side apply and managedFields, following structured-merge-diff and the field manager
// stack of kube-apiserver (version check, last-applied handling, tracking from the first apply,
// manager identities, timestamps, stripped metadata, reset status fields).
#include "api/apply.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "api/patch.hpp"

namespace kactor::api {

namespace {

using json::value;

// ---- facts of k8s.io/api the type model does not carry ------------------------------------------

enum class list_kind : uint8_t { atomic, set, map };

struct list_rule {
  std::string_view message;
  std::string_view field;
  list_kind kind;
  std::string_view keys;  // comma separated
};

// +listType and +listMapKey markers that differ from what the strategic-merge tags imply (a
// merge key: a map keyed by it; merge without a key: a set; anything else: atomic).
constexpr list_rule kListRules[] = {
    {"k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement", "values", list_kind::set, ""},
    {"k8s.io.api.batch.v1.JobStatus", "conditions", list_kind::atomic, ""},
    {"k8s.io.api.batch.v1.UncountedTerminatedPods", "succeeded", list_kind::set, ""},
    {"k8s.io.api.batch.v1.UncountedTerminatedPods", "failed", list_kind::set, ""},
    {"k8s.io.api.core.v1.ResourceRequirements", "claims", list_kind::map, "name"},
    {"k8s.io.api.core.v1.Container", "ports", list_kind::map, "containerPort,protocol"},
    {"k8s.io.api.core.v1.ResourceStatus", "resources", list_kind::map, "resourceID"},
    {"k8s.io.api.core.v1.PodSpec", "topologySpreadConstraints", list_kind::map,
     "topologyKey,whenUnsatisfiable"},
    {"k8s.io.api.core.v1.EphemeralContainerCommon", "ports", list_kind::map,
     "containerPort,protocol"},
    {"k8s.io.api.core.v1.PodStatus", "hostIPs", list_kind::atomic, ""},
    {"k8s.io.api.core.v1.ServiceSpec", "ports", list_kind::map, "port,protocol"},
    {"k8s.io.api.discovery.v1.Endpoint", "addresses", list_kind::set, ""},
    {"k8s.io.api.storage.v1.CSIDriverSpec", "volumeLifecycleModes", list_kind::set, ""},
};

// Types marked +structType=atomic or +mapType=atomic: owned and replaced as a whole.
constexpr std::string_view kAtomicMessages[] = {
    "k8s.io.api.autoscaling.v1.CrossVersionObjectReference",
    "k8s.io.api.core.v1.SecretReference",
    "k8s.io.api.core.v1.ObjectFieldSelector",
    "k8s.io.api.core.v1.ResourceFieldSelector",
    "k8s.io.api.core.v1.ConfigMapKeySelector",
    "k8s.io.api.core.v1.SecretKeySelector",
    "k8s.io.api.core.v1.NodeSelector",
    "k8s.io.api.core.v1.NodeSelectorTerm",
    "k8s.io.api.core.v1.TopologySelectorTerm",
    "k8s.io.api.core.v1.EndpointAddress",
    "k8s.io.api.core.v1.EndpointPort",
    "k8s.io.api.core.v1.ObjectReference",
    "k8s.io.api.core.v1.LocalObjectReference",
    "k8s.io.api.core.v1.TypedLocalObjectReference",
    "k8s.io.api.core.v1.ScopeSelector",
    "k8s.io.api.discovery.v1.EndpointPort",
    "k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference",
    "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector",
    "k8s.io.api.networking.v1.ServiceBackendPort",
    "k8s.io.api.rbac.v1.Subject",
    "k8s.io.api.rbac.v1.RoleRef",
};

struct field_name {
  std::string_view message;
  std::string_view field;
};

// Map fields marked +mapType=atomic.
constexpr field_name kAtomicMaps[] = {
    {"k8s.io.api.core.v1.PodSpec", "nodeSelector"},
    {"k8s.io.api.core.v1.ReplicationControllerSpec", "selector"},
    {"k8s.io.api.core.v1.ServiceSpec", "selector"},
};

// Defaults of list-map key fields, which stand in for a key an element leaves out.
struct key_default {
  std::string_view message;
  std::string_view field;
  std::string_view value;  // a JSON string
};
constexpr key_default kKeyDefaults[] = {
    {"k8s.io.api.core.v1.ContainerPort", "protocol", "TCP"},
    {"k8s.io.api.core.v1.ServicePort", "protocol", "TCP"},
    {"k8s.io.api.core.v1.LocalObjectReference", "name", ""},
};

// Members of Go's zero value of a kind below `spec` (value structs, and pointers or lists without
// omitempty, which encode as null); kube compares a created object against that zero value.
struct zero_member {
  std::string_view message;
  std::string_view field;
  bool object;  // {} (else null)
};
constexpr zero_member kZeroMembers[] = {
    {"k8s.io.api.apps.v1.DaemonSet", "spec", true},
    {"k8s.io.api.apps.v1.DaemonSetSpec", "selector", false},
    {"k8s.io.api.apps.v1.DaemonSetSpec", "template", true},
    {"k8s.io.api.apps.v1.DaemonSetSpec", "updateStrategy", true},
    {"k8s.io.api.apps.v1.Deployment", "spec", true},
    {"k8s.io.api.apps.v1.DeploymentSpec", "selector", false},
    {"k8s.io.api.apps.v1.DeploymentSpec", "template", true},
    {"k8s.io.api.apps.v1.DeploymentSpec", "strategy", true},
    {"k8s.io.api.apps.v1.ReplicaSet", "spec", true},
    {"k8s.io.api.apps.v1.ReplicaSetSpec", "selector", false},
    {"k8s.io.api.apps.v1.ReplicaSetSpec", "template", true},
    {"k8s.io.api.apps.v1.StatefulSet", "spec", true},
    {"k8s.io.api.apps.v1.StatefulSetSpec", "selector", false},
    {"k8s.io.api.apps.v1.StatefulSetSpec", "template", true},
    {"k8s.io.api.apps.v1.StatefulSetSpec", "updateStrategy", true},
    {"k8s.io.api.core.v1.Event", "involvedObject", true},
    {"k8s.io.api.core.v1.Event", "source", true},
    {"k8s.io.api.core.v1.LimitRange", "spec", true},
    {"k8s.io.api.core.v1.LimitRangeSpec", "limits", false},
    {"k8s.io.api.core.v1.Namespace", "spec", true},
    {"k8s.io.api.core.v1.Node", "spec", true},
    {"k8s.io.api.core.v1.PersistentVolume", "spec", true},
    {"k8s.io.api.core.v1.PersistentVolumeClaim", "spec", true},
    {"k8s.io.api.core.v1.PersistentVolumeClaimSpec", "resources", true},
    {"k8s.io.api.core.v1.Pod", "spec", true},
    {"k8s.io.api.core.v1.PodSpec", "containers", false},
    {"k8s.io.api.core.v1.PodTemplate", "template", true},
    {"k8s.io.api.core.v1.PodTemplateSpec", "spec", true},
    {"k8s.io.api.core.v1.ReplicationController", "spec", true},
    {"k8s.io.api.core.v1.ResourceQuota", "spec", true},
    {"k8s.io.api.core.v1.Service", "spec", true},
};

constexpr std::string_view kObjectMeta = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta";

// ---- the type of a value ------------------------------------------------------------------------

struct list_info {
  list_kind kind = list_kind::atomic;
  std::vector<std::string> keys;
};

std::vector<std::string> split_keys(std::string_view keys) {
  std::vector<std::string> out;
  while (!keys.empty()) {
    const size_t comma = keys.find(',');
    out.emplace_back(keys.substr(0, comma));
    keys = comma == std::string_view::npos ? std::string_view() : keys.substr(comma + 1);
  }
  return out;
}

list_info derive_list_info(const schema::field& f) {
  for (const list_rule& rule : kListRules)
    if (rule.message == f.owner().full_name && rule.field == f.name)
      return {rule.kind, split_keys(rule.keys)};
  if (!schema::has(schema::strategy(f), schema::patch_strategy::merge)) return {};
  const std::string_view key = schema::merge_key(f);
  if (key.empty()) return {list_kind::set, {}};
  return {list_kind::map, {std::string(key)}};
}

const list_info& list_info_of(const schema::field& f) {
  static const auto table = [] {
    std::unordered_map<const schema::field*, list_info> out;
    for (const schema::message_type& m : schema::all_messages())
      for (const schema::field& field : m.fields())
        if (field.repeated) out.emplace(&field, derive_list_info(field));
    return out;
  }();
  static const list_info atomic;
  auto it = table.find(&f);
  return it == table.end() ? atomic : it->second;
}

bool is_atomic_message(const schema::message_type& m) {
  return std::find(std::begin(kAtomicMessages), std::end(kAtomicMessages), m.full_name) !=
         std::end(kAtomicMessages);
}

bool is_atomic_map(const schema::field& f) {
  return std::any_of(std::begin(kAtomicMaps), std::end(kAtomicMaps), [&](const field_name& n) {
    return n.message == f.owner().full_name && n.field == f.name;
  });
}

enum class shape : uint8_t { scalar, structure, map, list, untyped };

struct type_ref {
  shape kind = shape::untyped;
  bool atomic = false;
  const schema::message_type* message = nullptr;  // a structure, or the elements of a list/map
  const schema::field* field = nullptr;           // a list or map
};

type_ref structure_of(const schema::message_type& m) {
  return {shape::structure, is_atomic_message(m), &m, nullptr};
}

bool holds_raw_json(schema::value_kind kind) {
  return kind == schema::value_kind::raw || kind == schema::value_kind::fields_v1;
}

type_ref field_type(const schema::field& f) {
  const bool message_elements = f.element_kind() == schema::value_kind::message && f.type();
  const schema::message_type* elements = message_elements ? f.type() : nullptr;
  if (f.repeated) return {shape::list, list_info_of(f).kind == list_kind::atomic, elements, &f};
  if (f.is_map()) return {shape::map, is_atomic_map(f), elements, &f};
  if (elements) return structure_of(*elements);
  if (holds_raw_json(f.kind)) return {};
  return {shape::scalar};
}

// The type of list elements or map values.
type_ref element_type(const type_ref& t) {
  if (t.message) return structure_of(*t.message);
  if (t.field && holds_raw_json(t.field->element_kind())) return {};
  return {shape::scalar};
}

// The type of member `key` of an object of type `t`; `declared` tells whether a structure has
// that field.
type_ref member_type(const type_ref& t, std::string_view key, bool* declared = nullptr) {
  if (declared) *declared = false;
  if (t.kind == shape::map) return element_type(t);
  if (t.kind != shape::structure) return {};
  const schema::field* f = t.message->find_field(key);
  if (!f) return {};
  if (declared) *declared = true;
  return field_type(*f);
}

const list_info& list_of(const type_ref& t) {
  static const list_info atomic;
  return t.field ? list_info_of(*t.field) : atomic;
}

// How a walk treats a value of type `t`: a leaf, the elements of a list, or the members of an
// object. Values of unknown type are maps when they are objects (lists of them are atomic).
enum class node { leaf, list, object };

node node_of(const type_ref& t, const value& v) {
  if (t.kind == shape::untyped) return v.is_object() ? node::object : node::leaf;
  if (t.kind == shape::scalar || t.atomic) return node::leaf;
  if (t.kind == shape::list) return v.is_array() ? node::list : node::leaf;
  return v.is_object() ? node::object : node::leaf;
}

bool is_empty_container(const value* v) {
  if (!v || v->is_null()) return true;
  if (v->is_array()) return v->as_array().empty();
  if (v->is_object()) return v->as_object().empty();
  return false;
}

// The node of a pair of values, where null stands for an empty container of either kind. Two
// empty containers are a leaf: structured-merge-diff keeps the empty/null distinction that way.
node pair_node(const type_ref& t, const value* l, const value* r) {
  auto node_if_set = [&](const value* v) -> std::optional<node> {
    if (!v || v->is_null()) return std::nullopt;
    return node_of(t, *v);
  };
  const std::optional<node> nl = node_if_set(l);
  const std::optional<node> nr = node_if_set(r);
  if (nl && nr && *nl != *nr) return node::leaf;
  const node n = nl ? *nl : nr.value_or(node::leaf);
  if (n == node::leaf || (is_empty_container(l) && is_empty_container(r))) return node::leaf;
  return n;
}

// ---- path elements and field sets ---------------------------------------------------------------

// structured-merge-diff's value ordering: numbers, strings, booleans, lists, maps, null.
int value_rank(const value& v) {
  switch (v.type()) {
    case json::kind::integer:
    case json::kind::number:
      return 0;
    case json::kind::string:
      return 1;
    case json::kind::boolean:
      return 2;
    case json::kind::array:
      return 3;
    case json::kind::object:
      return 4;
    case json::kind::null:
      return 5;
  }
  return 5;
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_values(const value& a, const value& b) {
  if (int c = three_way(value_rank(a), value_rank(b))) return c;
  switch (a.type()) {
    case json::kind::integer:
    case json::kind::number:
      if (a.is_int() && b.is_int()) return three_way(a.as_int(), b.as_int());
      return three_way(a.as_double(), b.as_double());
    case json::kind::string:
      return three_way(a.as_string(), b.as_string());
    case json::kind::boolean:
      return three_way(a.as_bool(), b.as_bool());
    case json::kind::array: {
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i)
        if (int c = compare_values(x[i], y[i])) return c;
      return three_way(x.size(), y.size());
    }
    case json::kind::object:
      return three_way(json::dump(a), json::dump(b));
    case json::kind::null:
      return 0;
  }
  return 0;
}

struct path_element {
  enum class kind : uint8_t { field, key, value, index };
  kind k = kind::field;
  std::string name;  // field
  json::object key;  // key fields, sorted by name
  value val;         // value
  int64_t index = 0;

  static path_element field(std::string name) {
    path_element pe;
    pe.name = std::move(name);
    return pe;
  }
};

int compare(const path_element& a, const path_element& b) {
  if (a.k != b.k) return three_way(a.k, b.k);
  switch (a.k) {
    case path_element::kind::field:
      return three_way(a.name, b.name);
    case path_element::kind::key:
      for (size_t i = 0; i < a.key.size() && i < b.key.size(); ++i) {
        if (int c = three_way(a.key[i].key, b.key[i].key)) return c;
        if (int c = compare_values(a.key[i].val, b.key[i].val)) return c;
      }
      return three_way(a.key.size(), b.key.size());
    case path_element::kind::value:
      return compare_values(a.val, b.val);
    case path_element::kind::index:
      return three_way(a.index, b.index);
  }
  return 0;
}

struct element_less {
  bool operator()(const path_element& a, const path_element& b) const { return compare(a, b) < 0; }
};

using path = std::vector<path_element>;

// value.ToString of structured-merge-diff, used in paths shown to users.
std::string value_text(const value& v) {
  switch (v.type()) {
    case json::kind::null:
      return "null";
    case json::kind::string:
      return go_quote(v.as_string());
    case json::kind::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.as_array().size(); ++i)
        out += (i ? "," : "") + value_text(v.as_array()[i]);
      return out + "]";
    }
    case json::kind::object: {
      std::string out;
      for (const json::member& m : v.as_object()) out += m.key + "=" + value_text(m.val);
      return out;
    }
    default:
      return json::dump(v);
  }
}

std::string element_text(const path_element& pe) {
  switch (pe.k) {
    case path_element::kind::field:
      return "." + pe.name;
    case path_element::kind::key: {
      std::string out = "[";
      for (size_t i = 0; i < pe.key.size(); ++i)
        out += (i ? "," : "") + pe.key[i].key + "=" + value_text(pe.key[i].val);
      return out + "]";
    }
    case path_element::kind::value:
      return "[=" + value_text(pe.val) + "]";
    case path_element::kind::index:
      return "[" + std::to_string(pe.index) + "]";
  }
  return "";
}

std::string path_text(const path& p) {
  std::string out;
  for (const path_element& pe : p) out += element_text(pe);
  return out;
}

// "f:name", "k:{...}", "v:...", "i:0": the keys of fieldsV1.
std::string element_key(const path_element& pe) {
  switch (pe.k) {
    case path_element::kind::field:
      return "f:" + pe.name;
    case path_element::kind::key:
      return "k:" + json::dump(value(pe.key));
    case path_element::kind::value:
      return "v:" + json::dump(pe.val);
    case path_element::kind::index:
      return "i:" + std::to_string(pe.index);
  }
  return "";
}

std::optional<path_element> parse_element_key(std::string_view text) {
  if (text.size() < 2 || text[1] != ':') return std::nullopt;
  const std::string_view body = text.substr(2);
  path_element pe;
  switch (text[0]) {
    case 'f':
      pe.name = std::string(body);
      return pe;
    case 'k': {
      value key;
      if (!json::parse(body, key).ok || !key.is_object()) return std::nullopt;
      pe.k = path_element::kind::key;
      pe.key = key.as_object();
      std::sort(pe.key.begin(), pe.key.end(),
                [](const json::member& a, const json::member& b) { return a.key < b.key; });
      return pe;
    }
    case 'v':
      pe.k = path_element::kind::value;
      if (!json::parse(body, pe.val).ok) return std::nullopt;
      return pe;
    case 'i':
      pe.k = path_element::kind::index;
      try {
        pe.index = std::stoll(std::string(body));
      } catch (...) {
        return std::nullopt;
      }
      return pe;
    default:
      return std::nullopt;
  }
}

// A set of field paths as a tree: a node is in the set when `member` is true.
struct field_set {
  bool member = false;
  std::map<path_element, field_set, element_less> children;

  bool empty() const { return children.empty(); }

  void insert(const path& p) {
    field_set* node = this;
    for (const path_element& pe : p) node = &node->children[pe];
    node->member = true;
  }
  bool has(const path& p) const {
    const field_set* node = this;
    for (const path_element& pe : p) {
      auto it = node->children.find(pe);
      if (it == node->children.end()) return false;
      node = &it->second;
    }
    return node->member;
  }
  const field_set* child(const path_element& pe) const {
    auto it = children.find(pe);
    return it == children.end() ? nullptr : &it->second;
  }
};

bool has_content(const field_set& s) {
  return s.member || !s.children.empty();
}

field_set set_union(const field_set& a, const field_set& b) {
  field_set out = a;
  out.member = a.member || b.member;
  for (const auto& [pe, node] : b.children) {
    auto it = out.children.find(pe);
    out.children[pe] = it == out.children.end() ? node : set_union(it->second, node);
  }
  return out;
}

// Members of `a` not in `b`; with `recursive`, also everything below a member of `b`.
field_set set_difference(const field_set& a, const field_set& b, bool recursive = false) {
  field_set out;
  out.member = a.member && !b.member;
  for (const auto& [pe, node] : a.children) {
    const field_set* other = b.child(pe);
    if (other && recursive && other->member) continue;
    field_set rest = other ? set_difference(node, *other, recursive) : node;
    if (has_content(rest)) out.children.emplace(pe, std::move(rest));
  }
  return out;
}

field_set set_intersection(const field_set& a, const field_set& b) {
  field_set out;
  out.member = a.member && b.member;
  for (const auto& [pe, node] : a.children) {
    const field_set* other = b.child(pe);
    if (!other) continue;
    field_set both = set_intersection(node, *other);
    if (has_content(both)) out.children.emplace(pe, std::move(both));
  }
  return out;
}

// Every path of the set, as structured-merge-diff iterates them: a node's members first, then
// the paths below each child.
void for_each_path(const field_set& s, path& prefix, const std::function<void(const path&)>& f) {
  for (const auto& [pe, node] : s.children) {
    if (!node.member) continue;
    prefix.push_back(pe);
    f(prefix);
    prefix.pop_back();
  }
  for (const auto& [pe, node] : s.children) {
    if (node.children.empty()) continue;
    prefix.push_back(pe);
    for_each_path(node, prefix, f);
    prefix.pop_back();
  }
}

value fields_v1(const field_set& s) {
  value out = value::make_object();
  for (const auto& [pe, node] : s.children) {
    value inner = value::make_object();
    if (!node.children.empty()) {
      if (node.member) inner.set(".", value::make_object());
      value below = fields_v1(node);
      for (json::member& m : below.as_object()) inner.set(m.key, std::move(m.val));
    }
    out.set(element_key(pe), std::move(inner));
  }
  return out;
}

void read_fields_v1(const value& fields, field_set& node) {
  if (!fields.is_object()) return;
  for (const json::member& m : fields.as_object()) {
    if (m.key == ".") {
      node.member = true;
      continue;
    }
    auto pe = parse_element_key(m.key);
    if (!pe) continue;
    field_set& child = node.children[*pe];
    if (m.val.is_object() && m.val.as_object().empty())
      child.member = true;
    else
      read_fields_v1(m.val, child);
    if (!has_content(child)) node.children.erase(*pe);
  }
}

// EnsureNamedFieldsAreMembers: fields of structures with owned fields below them count as owned.
field_set with_named_fields(const field_set& s, const type_ref& t) {
  field_set out;
  out.member = s.member;
  for (const auto& [pe, node] : s.children) {
    type_ref child_type;
    bool declared = false;
    if (pe.k == path_element::kind::field)
      child_type = member_type(t, pe.name, &declared);
    else if (pe.k == path_element::kind::key)
      child_type = element_type(t);
    field_set inner = with_named_fields(node, child_type);
    if (declared && t.kind == shape::structure && !node.children.empty()) inner.member = true;
    out.children.emplace(pe, std::move(inner));
  }
  return out;
}

// ---- list items ---------------------------------------------------------------------------------

std::optional<value> key_default_of(const schema::message_type* m, std::string_view field) {
  if (!m) return std::nullopt;
  for (const key_default& d : kKeyDefaults)
    if (d.message == m->full_name && d.field == field) return value(d.value);
  return std::nullopt;
}

std::string go_string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + go_quote(items[i]);
  return out + "]";
}

// The path element naming a list item: its key fields, or its value for sets.
std::optional<path_element> item_element(const value& item, const type_ref& list,
                                         std::string* error = nullptr) {
  const list_info& info = list_of(list);
  path_element pe;
  if (info.keys.empty()) {
    pe.k = path_element::kind::value;
    pe.val = item;
    return pe;
  }
  auto fail = [&](std::string message) -> std::optional<path_element> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  if (item.is_null()) return fail("associative list with keys may not have a null element");
  if (!item.is_object()) return fail("associative list with keys may not have non-map elements");
  pe.k = path_element::kind::key;
  for (const std::string& name : info.keys) {
    if (const value* v = item.find(name))
      pe.key.push_back({name, *v});
    else if (auto d = key_default_of(list.message, name))
      pe.key.push_back({name, *d});
  }
  if (pe.key.empty())
    return fail("associative list with keys has an element that omits all key fields " +
                go_string_list(info.keys) +
                " (and doesn't have default values for any key fields)");
  std::sort(pe.key.begin(), pe.key.end(),
            [](const json::member& a, const json::member& b) { return a.key < b.key; });
  return pe;
}

struct indexed_item {
  path_element pe;
  const value* item;
};

// The items of a list with their path elements; later items repeating a key are left out.
std::vector<indexed_item> index_items(const value& list, const type_ref& t) {
  std::vector<indexed_item> out;
  std::set<path_element, element_less> seen;
  for (const value& item : list.as_array()) {
    auto pe = item_element(item, t);
    if (!pe || !seen.insert(*pe).second) continue;
    out.push_back({std::move(*pe), &item});
  }
  return out;
}

const value* find_item(const std::vector<indexed_item>& items, const path_element& pe) {
  for (const indexed_item& i : items)
    if (compare(i.pe, pe) == 0) return i.item;
  return nullptr;
}

// ---- validation of an applied configuration -----------------------------------------------------

struct validation_error {
  std::string where;
  std::string message;
};

void validate_value(const value& v, const type_ref& t, path& at,
                    std::vector<validation_error>& errors);

void validate_list(const value& v, const type_ref& t, path& at,
                   std::vector<validation_error>& errors) {
  const type_ref elements = element_type(t);
  std::set<path_element, element_less> seen;
  const auto& items = v.as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (t.atomic) {
      validate_value(items[i], elements, at, errors);
      continue;
    }
    std::string error;
    auto pe = item_element(items[i], t, &error);
    if (!pe) {
      errors.push_back({path_text(at), "element " + std::to_string(i) + ": " + error});
      continue;
    }
    if (!seen.insert(*pe).second) {
      errors.push_back({path_text(at), "duplicate entries for key " + element_text(*pe)});
      continue;
    }
    at.push_back(std::move(*pe));
    validate_value(items[i], elements, at, errors);
    at.pop_back();
  }
}

void validate_value(const value& v, const type_ref& t, path& at,
                    std::vector<validation_error>& errors) {
  if (v.is_null() || t.kind == shape::scalar || t.kind == shape::untyped) return;
  if (t.kind == shape::list) {
    if (!v.is_array()) {
      errors.push_back({path_text(at), "expected list, got " + go_format(v)});
      return;
    }
    validate_list(v, t, at, errors);
    return;
  }
  if (!v.is_object()) {
    errors.push_back({path_text(at), "expected map, got " + go_format(v)});
    return;
  }
  for (const json::member& m : v.as_object()) {
    bool declared = false;
    const type_ref child = member_type(t, m.key, &declared);
    at.push_back(path_element::field(m.key));
    if (t.kind == shape::structure && !declared)
      errors.push_back({path_text(at), "field not declared in schema"});
    else
      validate_value(m.val, child, at, errors);
    at.pop_back();
  }
}

std::string validation_text(const std::vector<validation_error>& errors) {
  auto one = [](const validation_error& e) {
    return e.where.empty() ? e.message : e.where + ": " + e.message;
  };
  if (errors.size() == 1) return one(errors.front());
  std::string out = "errors:";
  for (const validation_error& e : errors) out += "\n  " + one(e);
  return out;
}

// ---- the field set of a value (ToFieldSet) ------------------------------------------------------

void collect_fields(const value& v, const type_ref& t, path& at, field_set& out);

void collect_items(const value& v, const type_ref& t, path& at, field_set& out) {
  const type_ref elements = element_type(t);
  std::set<path_element, element_less> seen, repeated;
  for (const value& item : v.as_array()) {
    auto pe = item_element(item, t);
    if (pe && !seen.insert(*pe).second) repeated.insert(*pe);
  }
  for (const path_element& pe : repeated) {
    at.push_back(pe);
    out.insert(at);
    at.pop_back();
  }
  for (const value& item : v.as_array()) {
    auto pe = item_element(item, t);
    if (!pe || repeated.count(*pe)) continue;
    at.push_back(std::move(*pe));
    collect_fields(item, elements, at, out);
    out.insert(at);
    at.pop_back();
  }
}

void collect_members(const value& v, const type_ref& t, path& at, field_set& out) {
  for (const json::member& m : v.as_object()) {
    bool declared = false;
    const type_ref child = member_type(t, m.key, &declared);
    at.push_back(path_element::field(m.key));
    collect_fields(m.val, child, at, out);
    if (m.val.is_null() || (m.val.is_object() && m.val.as_object().empty()) || !declared)
      out.insert(at);
    at.pop_back();
  }
}

void collect_fields(const value& v, const type_ref& t, path& at, field_set& out) {
  switch (node_of(t, v)) {
    case node::leaf:
      out.insert(at);
      return;
    case node::list:
      collect_items(v, t, at, out);
      return;
    case node::object:
      collect_members(v, t, at, out);
      return;
  }
}

field_set fields_of(const value& v, const type_ref& t) {
  field_set out;
  path at;
  collect_fields(v, t, at, out);
  return out;
}

// ---- merge (the applied configuration over the live object) -------------------------------------

std::optional<int> member_rank(const type_ref& t, std::string_view key) {
  if (t.kind != shape::structure) return std::nullopt;
  return t.message->json_position(key);
}

void put_member(value& obj, const type_ref& t, const std::string& key, value v) {
  if (value* existing = obj.find(key)) {
    *existing = std::move(v);
    return;
  }
  json::object& members = obj.as_object();
  size_t at = members.size();
  if (t.kind == shape::map) {
    for (size_t i = 0; i < members.size() && at == members.size(); ++i)
      if (members[i].key > key) at = i;
  } else if (auto rank = member_rank(t, key)) {
    for (size_t i = 0; i < members.size() && at == members.size(); ++i) {
      auto other = member_rank(t, members[i].key);
      if (other && *other > *rank) at = i;
    }
  }
  members.insert(members.begin() + static_cast<ptrdiff_t>(at), json::member{key, std::move(v)});
}

value merge_values(const value* live, const value* config, const type_ref& t);

// Merged associative lists: shared items in the configuration's order, live-only items staying
// where they were relative to them, new items where the configuration puts them.
value merge_items(const value& live, const value& config, const type_ref& t) {
  static const value kEmpty = value::make_array();
  const type_ref elements = element_type(t);
  const std::vector<indexed_item> lhs = index_items(live.is_array() ? live : kEmpty, t);
  const std::vector<indexed_item> rhs = index_items(config.is_array() ? config : kEmpty, t);
  auto in_rhs = [&](const path_element& pe) { return find_item(rhs, pe) != nullptr; };
  std::vector<const path_element*> shared;
  for (const indexed_item& r : rhs)
    if (find_item(lhs, r.pe)) shared.push_back(&r.pe);
  size_t next_shared = 0;
  auto is_next_shared = [&](const path_element& pe) {
    return next_shared < shared.size() && compare(*shared[next_shared], pe) == 0;
  };
  std::set<path_element, element_less> merged;
  value out = value::make_array();
  auto emit = [&](const path_element& pe, const value* l, const value* r) {
    out.as_array().push_back(merge_values(l, r, elements));
    if (r) merged.insert(pe);
  };
  size_t li = 0, ri = 0;
  while (li < lhs.size() || ri < rhs.size()) {
    if (li < lhs.size() && ri < rhs.size()) {
      if (compare(lhs[li].pe, rhs[ri].pe) == 0) {
        emit(lhs[li].pe, lhs[li].item, rhs[ri].item);
        ++li, ++ri;
        ++next_shared;
        continue;
      }
      if (in_rhs(lhs[li].pe) && next_shared < shared.size() && !is_next_shared(lhs[li].pe)) {
        ++li;
        continue;
      }
    }
    if (li < lhs.size()) {
      if (!in_rhs(lhs[li].pe)) {
        emit(lhs[li].pe, lhs[li].item, nullptr);
        ++li;
        continue;
      }
      if (merged.count(lhs[li].pe)) ++li;
    }
    if (ri < rhs.size()) {
      const path_element& pe = rhs[ri].pe;
      emit(pe, find_item(lhs, pe), rhs[ri].item);
      ++ri;
      if (is_next_shared(pe)) ++next_shared;
    }
  }
  return out;
}

value merge_members(const value& live, const value& config, const type_ref& t) {
  if (is_empty_container(&live)) return config;
  value out = live;
  if (!config.is_object()) return out;
  for (const json::member& m : config.as_object()) {
    const type_ref child = member_type(t, m.key);
    put_member(out, t, m.key, merge_values(live.find(m.key), &m.val, child));
  }
  return out;
}

// Merge with the configuration winning every leaf it sets (structured-merge-diff's Merge).
value merge_values(const value* live, const value* config, const type_ref& t) {
  if (!config) return *live;
  if (!live) return *config;
  switch (pair_node(t, live, config)) {
    case node::leaf:
      return *config;
    case node::list:
      return merge_items(*live, *config, t);
    case node::object:
      return merge_members(*live, *config, t);
  }
  return *config;
}

// ---- comparison (what a write added, changed and removed) ---------------------------------------

struct comparison {
  field_set added, modified, removed;
};

void compare_values(const value* l, const value* r, const type_ref& t, path& at, comparison& out);

void compare_items(const value* l, const value* r, const type_ref& t, path& at, comparison& out) {
  static const value kEmpty = value::make_array();
  const std::vector<indexed_item> lhs = index_items(l && l->is_array() ? *l : kEmpty, t);
  const std::vector<indexed_item> rhs = index_items(r && r->is_array() ? *r : kEmpty, t);
  const type_ref elements = element_type(t);
  auto visit = [&](const path_element& pe) {
    at.push_back(pe);
    compare_values(find_item(lhs, pe), find_item(rhs, pe), elements, at, out);
    at.pop_back();
  };
  for (const indexed_item& i : lhs) visit(i.pe);
  for (const indexed_item& i : rhs)
    if (!find_item(lhs, i.pe)) visit(i.pe);
}

void compare_members(const value* l, const value* r, const type_ref& t, path& at, comparison& out) {
  auto visit = [&](const std::string& key) {
    at.push_back(path_element::field(key));
    const value* lv = l && l->is_object() ? l->find(key) : nullptr;
    const value* rv = r && r->is_object() ? r->find(key) : nullptr;
    compare_values(lv, rv, member_type(t, key), at, out);
    at.pop_back();
  };
  if (l && l->is_object())
    for (const json::member& m : l->as_object()) visit(m.key);
  if (r && r->is_object())
    for (const json::member& m : r->as_object())
      if (!(l && l->is_object() && l->find(m.key))) visit(m.key);
}

void compare_values(const value* l, const value* r, const type_ref& t, path& at, comparison& out) {
  const node n = pair_node(t, l, r);
  if (n == node::leaf) {
    if (!l)
      out.added.insert(at);
    else if (!r)
      out.removed.insert(at);
    else if (!(*l == *r))
      out.modified.insert(at);
    return;
  }
  if (n == node::list)
    compare_items(l, r, t, at, out);
  else
    compare_members(l, r, t, at, out);
  if (!l)
    out.added.insert(at);
  else if (!r)
    out.removed.insert(at);
}

comparison compare_objects(const value& before, const value& after, const type_ref& root) {
  comparison out;
  path at;
  compare_values(&before, &after, root, at, out);
  return out;
}

// ---- removal of owned fields --------------------------------------------------------------------

// RemoveItems: drops the members and items `s` holds. False when `v` became empty.
bool remove_fields(value& v, const field_set& s, const type_ref& t) {
  const node n = node_of(t, v);
  if (n == node::leaf || is_empty_container(&v)) return true;
  if (n == node::list) {
    const type_ref elements = element_type(t);
    json::array kept;
    for (value& item : v.as_array()) {
      auto pe = item_element(item, t);
      const field_set* node = pe ? s.child(*pe) : nullptr;
      if (node && node->member) continue;
      if (node && !node->children.empty() && !remove_fields(item, *node, elements)) continue;
      kept.push_back(std::move(item));
    }
    v.as_array() = std::move(kept);
    return !v.as_array().empty();
  }
  std::erase_if(v.as_object(), [&](json::member& m) {
    const field_set* node = s.child(path_element::field(m.key));
    if (!node) return false;
    if (node->member) return true;
    return !remove_fields(m.val, *node, member_type(t, m.key));
  });
  return !v.as_object().empty();
}

value without_fields(value v, const field_set& s, const type_ref& t) {
  remove_fields(v, s, t);
  return v;
}

// ---- managers -----------------------------------------------------------------------------------

struct manager_id {
  std::string manager;
  std::string operation;    // "Apply" or "Update"
  std::string api_version;  // part of the identity for updates only
  std::string subresource;
  auto operator<=>(const manager_id&) const = default;
};

struct managed_entry {
  field_set fields;
  std::string api_version;
  std::optional<std::string> time;
};

using managed_map = std::map<manager_id, managed_entry>;

// The name the field manager stack gives the write in progress.
const manager_id kCurrentOperation{"current-operation", "", "", ""};

bool is_apply(const manager_id& id) {
  return id.operation == "Apply";
}

manager_id writer_id(const field_writer& w, std::string_view operation, std::string manager) {
  if (manager.empty()) manager = "unknown";
  const bool apply = operation == "Apply";
  return {std::move(manager), std::string(operation), apply ? "" : w.api_version, w.subresource};
}

// DecodeManagedFields; nullopt when an entry is malformed.
std::optional<managed_map> decode_managed(const value* entries) {
  managed_map out;
  if (!entries || entries->is_null()) return out;
  if (!entries->is_array()) return std::nullopt;
  for (const value& e : entries->as_array()) {
    const std::string operation(e.get_string("operation"));
    const std::string api_version(e.get_string("apiVersion"));
    if ((operation != "Apply" && operation != "Update") || api_version.empty() ||
        e.get_string("fieldsType") != "FieldsV1")
      return std::nullopt;
    manager_id id{std::string(e.get_string("manager")), operation,
                  operation == "Apply" ? "" : api_version,
                  std::string(e.get_string("subresource"))};
    managed_entry entry;
    entry.api_version = api_version;
    if (const value* fields = e.find("fieldsV1")) read_fields_v1(*fields, entry.fields);
    if (const value* time = e.find("time"); time && time->is_string())
      entry.time = time->as_string();
    out[std::move(id)] = std::move(entry);
  }
  return out;
}

int64_t seconds_of(const std::optional<std::string>& time) {
  schema::timestamp t;
  return time && schema::parse_time(*time, &t) ? t.seconds : 0;
}

value encode_entry(const manager_id& id, const managed_entry& e) {
  value out = value::make_object();
  if (!id.manager.empty()) out.set("manager", id.manager);
  out.set("operation", id.operation);
  out.set("apiVersion", e.api_version);
  if (e.time) out.set("time", *e.time);
  out.set("fieldsType", "FieldsV1");
  out.set("fieldsV1", fields_v1(e.fields));
  if (!id.subresource.empty()) out.set("subresource", id.subresource);
  return out;
}

// The managedFields list, in kube's order: Apply before Update, then oldest first.
value encode_managed(const managed_map& managers) {
  std::vector<std::pair<const manager_id*, const managed_entry*>> entries;
  for (const auto& [id, e] : managers) entries.emplace_back(&id, &e);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto key = [](const auto& x) {
      return std::tuple(x.first->operation, seconds_of(x.second->time), x.first->manager,
                        x.second->api_version, x.first->subresource);
    };
    return key(a) < key(b);
  });
  value out = value::make_array();
  for (const auto& [id, e] : entries) out.as_array().push_back(encode_entry(*id, *e));
  return out;
}

void store_managed(value& obj, const managed_map& managers) {
  value* metadata = obj.find("metadata");
  if (managers.empty()) {
    if (metadata) metadata->erase("managedFields");
    return;
  }
  if (!metadata) metadata = &obj["metadata"];
  metadata->set("managedFields", encode_managed(managers));
}

void drop_managed_fields(value& obj) {
  if (value* metadata = obj.find("metadata")) metadata->erase("managedFields");
}

// Fields no manager owns: type meta and server-set metadata.
const field_set& stripped_fields() {
  static const field_set set = [] {
    field_set s;
    s.insert({path_element::field("apiVersion")});
    s.insert({path_element::field("kind")});
    s.insert({path_element::field("metadata")});
    for (const char* name : {"name", "namespace", "creationTimestamp", "selfLink", "uid",
                             "clusterName", "generation", "managedFields", "resourceVersion"})
      s.insert({path_element::field("metadata"), path_element::field(name)});
    return s;
  }();
  return set;
}

void strip(managed_map& managers, const manager_id& id) {
  auto it = managers.find(id);
  if (it == managers.end()) return;
  it->second.fields = set_difference(it->second.fields, stripped_fields());
  if (it->second.fields.empty()) managers.erase(it);
}

// The fields a write to the resource (or its status) resets, which nobody owns through it.
field_set reset_fields(const field_writer& w) {
  field_set s;
  s.insert({path_element::field(w.subresource == "status" ? "spec" : "status")});
  return s;
}

// ---- ownership changes (structured-merge-diff's Updater) ----------------------------------------

using conflict_map = std::map<manager_id, std::pair<std::string, field_set>>;  // api version, set

// update(): what `before` -> `after` takes from the other managers. With conflicts and no force,
// nothing changes and the conflicts are returned.
conflict_map reassign(const value& before, const value& after, const type_ref& root,
                      const field_set& reset, managed_map& managers, const manager_id& me,
                      bool force, comparison& changes) {
  changes = compare_objects(before, after, root);
  changes.added = set_difference(changes.added, reset, true);
  changes.modified = set_difference(changes.modified, reset, true);
  changes.removed = set_difference(changes.removed, reset, true);
  const field_set changed = set_union(changes.modified, changes.added);
  conflict_map conflicts;
  for (const auto& [id, entry] : managers) {
    if (id == me) continue;
    field_set taken = set_intersection(entry.fields, changed);
    if (!taken.empty()) conflicts[id] = {entry.api_version, std::move(taken)};
  }
  if (!force && !conflicts.empty()) return conflicts;
  for (auto& [id, entry] : managers) {
    if (id == me) continue;
    if (auto it = conflicts.find(id); it != conflicts.end())
      entry.fields = set_difference(entry.fields, it->second.second);
    entry.fields = set_difference(entry.fields, changes.removed);
  }
  std::erase_if(managers, [](const auto& m) { return m.second.fields.empty(); });
  return {};
}

constexpr size_t kMaxUpdateManagers = 10;

// capManagers: beyond ten update managers, the oldest merge into "ancient-changes".
void cap_update_managers(managed_map& managers) {
  std::vector<manager_id> updaters;
  for (const auto& [id, e] : managers)
    if (!is_apply(id)) updaters.push_back(id);
  if (updaters.size() <= kMaxUpdateManagers) return;
  std::sort(updaters.begin(), updaters.end(), [&](const manager_id& a, const manager_id& b) {
    return std::pair(seconds_of(managers[a].time), a) < std::pair(seconds_of(managers[b].time), b);
  });
  std::map<std::string, manager_id> first_by_version;
  size_t remaining = updaters.size();
  for (size_t i = 0; i < updaters.size() && remaining > kMaxUpdateManagers; ++i) {
    const managed_entry entry = managers[updaters[i]];
    const manager_id bucket{"ancient-changes", "Update", entry.api_version, ""};
    auto first = first_by_version.find(entry.api_version);
    if (first == first_by_version.end()) {
      first_by_version.emplace(entry.api_version, updaters[i]);
      continue;
    }
    if (!managers.count(bucket)) {
      managers[bucket] = managers[first->second];
      managers.erase(first->second);
    }
    managed_entry& merged = managers[bucket];
    merged.fields = set_union(entry.fields, merged.fields);
    merged.time = entry.time;
    managers.erase(updaters[i]);
    --remaining;
  }
}

// A non-apply write, as the field manager stack records it: the fields it changed go to the
// writer (merged with what it owned), others lose them, the writer's entry gets `now`.
void record_update(const value& before, const value& after, managed_map& managers,
                   const std::string& manager, const field_writer& w) {
  const type_ref root = structure_of(*w.type);
  const field_set reset = reset_fields(w);
  comparison changes;
  reassign(before, after, root, reset, managers, kCurrentOperation, true, changes);
  field_set owned = set_union(changes.modified, changes.added);
  owned = set_difference(set_difference(owned, reset, true), stripped_fields());
  if (!owned.empty()) {
    const manager_id me = writer_id(w, "Update", manager);
    managed_entry& entry = managers[me];
    entry.fields = set_union(owned, entry.fields);
    entry.api_version = w.api_version;
    entry.time = w.now;
  }
  cap_update_managers(managers);
}

// ---- apply --------------------------------------------------------------------------------------

// prune(): fields the manager applied last time and leaves out now go, unless someone owns them.
value prune(const value& merged, const managed_map& managers, const field_set& last,
            const type_ref& root) {
  if (last.empty()) return merged;
  const field_set last_named = with_named_fields(last, root);
  const value first = without_fields(merged, last_named, root);
  field_set owned;
  for (const auto& [id, entry] : managers) owned = set_union(owned, entry.fields);
  const field_set all = with_named_fields(fields_of(merged, root), root);
  const field_set kept = with_named_fields(fields_of(first, root), root);
  const field_set unowned = set_difference(all, set_union(kept, with_named_fields(owned, root)));
  const value second = without_fields(merged, unowned, root);
  const field_set survived = with_named_fields(fields_of(second, root), root);
  return without_fields(merged, set_intersection(set_difference(all, survived), last_named), root);
}

struct apply_outcome {
  value object;
  bool changed = false;
};

std::string manager_text(const manager_id& id, const std::string& api_version) {
  std::string out = go_quote(id.manager);
  if (!id.subresource.empty()) out += " with subresource " + go_quote(id.subresource);
  if (!is_apply(id)) out += " using " + api_version;
  return out;
}

api_error conflict_error(const conflict_map& conflicts) {
  api_error e;
  e.code = 409;
  e.reason = "Conflict";
  size_t count = 0;
  std::string listing;
  std::string single;
  for (const auto& [id, versioned] : conflicts) {
    const std::string who = manager_text(id, versioned.first);
    listing += std::string(listing.empty() ? "" : "\n") + "conflicts with " + who + ":";
    path prefix;
    for_each_path(versioned.second, prefix, [&](const path& p) {
      ++count;
      single = "conflict with " + who + ": " + path_text(p);
      listing += "\n- " + path_text(p);
      e.causes.push_back({"FieldManagerConflict", "conflict with " + who, path_text(p)});
    });
  }
  e.message = count == 1 ? "Apply failed with 1 conflict: " + single
                         : "Apply failed with " + std::to_string(count) + " conflicts: " + listing;
  return e;
}

// structured-merge-diff's Updater.Apply with the stripping and timestamps around it.
std::variant<apply_outcome, conflict_map> apply_fields(const value& live, const value& config,
                                                       managed_map& managers, const field_writer& w,
                                                       bool force) {
  const type_ref root = structure_of(*w.type);
  const manager_id me = writer_id(w, "Apply", w.manager);
  const field_set reset = reset_fields(w);
  value merged = merge_values(&live, &config, root);
  managed_entry& entry = managers[me];
  const field_set last = std::move(entry.fields);
  entry.fields = set_difference(fields_of(config, root), reset, true);
  entry.api_version = w.api_version;
  merged = prune(merged, managers, last, root);
  comparison changes;
  conflict_map conflicts = reassign(live, merged, root, reset, managers, me, force, changes);
  if (!conflicts.empty()) return conflicts;
  apply_outcome outcome;
  outcome.changed = !(merged == live);
  strip(managers, me);
  if (outcome.changed) {
    if (auto it = managers.find(me); it != managers.end()) it->second.time = w.now;
  }
  outcome.object = outcome.changed ? std::move(merged) : live;
  return outcome;
}

// "apps/v1, Kind=Deployment" as Go prints a GroupVersionKind.
std::string gvk_text(std::string_view api_version, std::string_view kind) {
  std::string_view group, version;
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    version = api_version;
  } else if (api_version.find('/', slash + 1) == std::string_view::npos) {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  return std::string(group) + "/" + std::string(version) + ", Kind=" + std::string(kind);
}

std::string gvk_text(const value& obj) {
  return gvk_text(obj.get_string("apiVersion"), obj.get_string("kind"));
}

std::string object_text(const value& obj) {
  const value* metadata = obj.find("metadata");
  const std::string ns(metadata ? metadata->get_string("namespace") : "");
  const std::string name(metadata ? metadata->get_string("name") : "");
  return ns + "/" + name + "; " + gvk_text(obj);
}

api_error passed_through(std::string message) {
  api_error e;
  e.code = 500;
  e.message = std::move(message);
  return e;
}

// Go's encoding/json: sorted keys, HTML characters escaped, and the encoder's newline.
void append_go_json(const value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<const json::member*> members;
    for (const json::member& m : v.as_object()) members.push_back(&m);
    std::sort(members.begin(), members.end(),
              [](const json::member* a, const json::member* b) { return a->key < b->key; });
    out += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i) out += ',';
      append_go_json(value(members[i]->key), out);
      out += ':';
      append_go_json(members[i]->val, out);
    }
    out += '}';
    return;
  }
  if (v.is_array()) {
    out += '[';
    for (size_t i = 0; i < v.as_array().size(); ++i) {
      if (i) out += ',';
      append_go_json(v.as_array()[i], out);
    }
    out += ']';
    return;
  }
  std::string text = json::dump(v);
  if (v.is_string()) {
    for (auto [from, to] : {std::pair{"<", "\\u003c"}, {">", "\\u003e"}, {"&", "\\u0026"}})
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 6))
        text.replace(at, 1, to);
  }
  out += text;
}

// The last-applied annotation kube writes for "kubectl": the configuration without it.
std::string last_applied_of(const value& config) {
  value copy = config;
  if (value* metadata = copy.find("metadata"))
    if (value* annotations = metadata->find("annotations"); annotations && annotations->is_object())
      annotations->erase(kLastAppliedAnnotation);
  std::string out;
  append_go_json(copy, out);
  return out + "\n";
}

const value* last_applied_annotation(const value& obj) {
  const value* text = obj.at({"metadata", "annotations"});
  text = text ? text->find(kLastAppliedAnnotation) : nullptr;
  return text && text->is_string() && !text->as_string().empty() ? text : nullptr;
}

// lastAppliedManager: the conflicts "kubectl" may override, fields whose last-applied value is
// still the live one.
std::optional<field_set> overridable_fields(const value& live, const field_writer& w) {
  const value* text = last_applied_annotation(live);
  value last_applied;
  if (!text || !json::parse(text->as_string(), last_applied).ok || !last_applied.is_object() ||
      last_applied.get_string("apiVersion") != w.api_version)
    return std::nullopt;
  const type_ref root = structure_of(*w.type);
  path at;
  std::vector<validation_error> errors;
  validate_value(last_applied, root, at, errors);
  if (!errors.empty()) return std::nullopt;
  const comparison changes = compare_objects(last_applied, live, root);
  field_set allowed = fields_of(last_applied, root);
  for (const field_set* changed : {&changes.modified, &changes.added, &changes.removed})
    allowed = set_difference(allowed, *changed);
  return allowed;
}

conflict_map conflicts_outside(const conflict_map& conflicts, const field_set& allowed) {
  conflict_map out;
  for (const auto& [id, versioned] : conflicts) {
    field_set rest = set_difference(versioned.second, allowed);
    if (!rest.empty()) out[id] = {versioned.first, std::move(rest)};
  }
  return out;
}

value zero_object(const schema::message_type& m) {
  value out = value::make_object();
  const schema::field* metadata = m.find_field("metadata");
  if (metadata && metadata->type() && metadata->type()->full_name == kObjectMeta) {
    value meta = value::make_object();
    meta.set("creationTimestamp", nullptr);
    out.set("metadata", std::move(meta));
  }
  for (const zero_member& z : kZeroMembers) {
    if (z.message != m.full_name) continue;
    const schema::field* f = m.find_field(z.field);
    if (!f) continue;
    out.set(z.field, z.object && f->type() ? zero_object(*f->type()) : value());
  }
  return out;
}

bool is_reset_request(const value* managed_fields) {
  if (!managed_fields || !managed_fields->is_array()) return false;
  const json::array& entries = managed_fields->as_array();
  return entries.empty() ||
         (entries.size() == 1 && entries[0].is_object() && entries[0].as_object().empty());
}

// The checks of an applied configuration before anything merges: the resource's kind and
// version, no managedFields, and a body that converts to the typed object.
std::optional<api_error> check_configuration(const value& config, const field_writer& w) {
  const value no_object = value::make_object();
  const value& shown = config.is_object() ? config : no_object;
  if (gvk_text(shown) != gvk_text(w.api_version, w.kind))
    return bad_request("invalid object type: " + gvk_text(shown));
  if (const value* mf = config.at({"metadata", "managedFields"}); mf && !mf->is_null())
    return bad_request("metadata.managedFields must be nil");
  path at;
  std::vector<validation_error> errors;
  validate_value(config, structure_of(*w.type), at, errors);
  if (errors.empty()) return std::nullopt;
  return passed_through("failed to create typed patch object (" + object_text(config) +
                        "): " + validation_text(errors));
}

// lastAppliedManager around the apply: "kubectl" retries with force when every conflict is a
// field its last-applied annotation agrees with.
std::variant<apply_outcome, api_error> apply_resolving_conflicts(const value& current,
                                                                 const value& config,
                                                                 managed_map& managers,
                                                                 const field_writer& w,
                                                                 bool force) {
  const managed_map before = managers;
  auto outcome = apply_fields(current, config, managers, w, force);
  const auto* conflicts = std::get_if<conflict_map>(&outcome);
  if (!conflicts) return std::get<apply_outcome>(std::move(outcome));
  if (w.manager != "kubectl") return conflict_error(*conflicts);
  const auto allowed = overridable_fields(current, w);
  if (!allowed) return conflict_error(*conflicts);
  const conflict_map remaining = conflicts_outside(*conflicts, *allowed);
  if (!remaining.empty()) return conflict_error(remaining);
  managers = before;
  return std::get<apply_outcome>(apply_fields(current, config, managers, w, true));
}

}  // namespace

std::optional<api_error> server_side_apply(const json::value* live, const json::value& config,
                                           const field_writer& writer, bool force, json::value& out,
                                           bool* changed) {
  if (auto e = check_configuration(config, writer)) return e;
  value current = live ? *live : value::make_object();
  auto managers = decode_managed(current.at({"metadata", "managedFields"}));
  if (!managers) return passed_through("failed to decode managed fields: invalid managedFields");
  drop_managed_fields(current);
  if (managers->empty() && live)
    record_update(zero_object(*writer.type), current, *managers, "before-first-apply", writer);
  auto result = apply_resolving_conflicts(current, config, *managers, writer, force);
  if (auto* e = std::get_if<api_error>(&result)) return *e;
  value& object = std::get<apply_outcome>(result).object;
  if (writer.manager == "kubectl" && last_applied_annotation(object))
    object["metadata"]["annotations"].set(kLastAppliedAnnotation, last_applied_of(config));
  if (changed) *changed = !(object == current);
  store_managed(object, *managers);
  out = std::move(object);
  return std::nullopt;
}

std::string manager_or_user_agent(std::string_view field_manager, std::string_view user_agent) {
  if (!field_manager.empty()) return std::string(field_manager);
  const std::string_view prefix = user_agent.substr(0, user_agent.find('/'));
  std::string out;
  for (char c : prefix) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) continue;
    if (out.size() + 1 > 128) break;
    out += c;
  }
  return out;
}

void track_update(const json::value* live, json::value& updated, const field_writer& writer) {
  const value* requested = updated.at({"metadata", "managedFields"});
  std::optional<managed_map> managers;
  if (writer.subresource.empty() && is_reset_request(requested)) {
    managers.emplace();
  } else {
    if (writer.subresource.empty()) managers = decode_managed(requested);
    if ((!managers || managers->empty()) && live)
      managers = decode_managed(live->at({"metadata", "managedFields"}));
    if (!managers) managers.emplace();
  }
  drop_managed_fields(updated);
  if (managers->empty() && live) return;
  value before = live ? *live : zero_object(*writer.type);
  drop_managed_fields(before);
  record_update(before, updated, *managers, writer.manager, writer);
  store_managed(updated, *managers);
}

}  // namespace kactor::api
