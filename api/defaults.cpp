// Defaulting as kube-apiserver 1.32 applies it (pkg/apis/core/v1/defaults.go,
// pkg/apis/apps/v1/defaults.go, the generated +default markers, and the create-time values of
// the registry strategies and admission plugins named in defaults.hpp).
#include "api/defaults.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include <boost/container/small_vector.hpp>

#include "api/base64.hpp"
#include "api/name_table.hpp"
#include "api/schema.hpp"
#include "api/validation.hpp"

namespace kactor::api {
namespace {

using json::value;

constexpr std::string_view kCore = "k8s.io.api.core.v1.";
constexpr std::string_view kApps = "k8s.io.api.apps.v1.";
const std::string kObjectMeta = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta";

// ---- Inserting members where Go's encoder writes them (struct field order) -----------------

using rank_table = name_table<int>;

void add_ranks(const schema::message_type& type,
               std::vector<std::pair<std::string_view, int>>& ranks, int& rank) {
  for (const schema::field& f : type.fields()) {
    if (f.inlined) {
      if (f.type()) add_ranks(*f.type(), ranks, rank);
      continue;
    }
    ranks.emplace_back(f.name, rank++);
  }
}

// Field positions of every message, computed once: defaulting runs on every write.
const rank_table* ranks_of(std::string_view type_name) {
  static const auto tables = [] {
    std::unordered_map<std::string_view, rank_table> all;
    for (const schema::message_type& m : schema::all_messages()) {
      std::vector<std::pair<std::string_view, int>> ranks;
      int rank = 0;
      add_ranks(m, ranks, rank);
      all.emplace(m.full_name, rank_table(ranks));
    }
    return all;
  }();
  auto it = tables.find(type_name);
  return it == tables.end() ? nullptr : &it->second;
}

// A message's field positions, looked up once per call site (see core<"Container">()).
class field_order {
 public:
  explicit field_order(std::string_view full_name) : ranks_(ranks_of(full_name)) {}

  // The position of `key` among the fields of the message; -1 when unknown.
  int rank(std::string_view key) const {
    const int* rank = ranks_ ? ranks_->find(key) : nullptr;
    return rank ? *rank : -1;
  }

 private:
  const rank_table* ranks_;
};

// A string literal usable as a template argument.
template <size_t N>
struct literal {
  constexpr literal(const char (&text)[N]) { std::copy_n(text, N, chars); }
  constexpr std::string_view view() const { return {chars, N - 1}; }
  char chars[N];
};

template <literal Name>
const field_order& core() {
  static const field_order order(std::string(kCore) + std::string(Name.view()));
  return order;
}

template <literal Name>
const field_order& apps() {
  static const field_order order(std::string(kApps) + std::string(Name.view()));
  return order;
}

const field_order& object_meta() {
  static const field_order order(kObjectMeta);
  return order;
}

bool is_set(const value& obj, std::string_view key) {
  const value* v = obj.find(key);
  return v && !v->is_null();
}

// Sets defaults on one object: a member that is absent or null gets the default, and a new
// member goes before the first member that Go writes after it. Each member is ranked once,
// however many defaults the object gains, so the object's members must change only through
// this while it is in use. Defaults are only turned into values when they are used.
class object_defaults {
 public:
  object_defaults(value& obj, const field_order& type) : obj_(obj), type_(type) {
    if (!obj_.is_object()) obj_ = value::make_object();
  }

  value& object() { return obj_; }

  // Returns the member.
  template <typename Default>
  value& set(std::string_view key, Default&& fallback) {
    if (value* existing = obj_.find(key)) {
      if (existing->is_null()) *existing = value(std::forward<Default>(fallback));
      return *existing;
    }
    json::object& members = obj_.as_object();
    const size_t pos = insert_position(type_.rank(key));
    return members
        .insert(members.begin() + static_cast<std::ptrdiff_t>(pos),
                json::member{std::string(key), value(std::forward<Default>(fallback))})
        ->val;
  }

 private:
  size_t insert_position(int rank) {
    const json::object& members = obj_.as_object();
    if (ranks_.empty()) {
      for (const json::member& m : members) ranks_.push_back(type_.rank(m.key));
    }
    size_t pos = members.size();
    if (rank >= 0)
      pos = std::find_if(ranks_.begin(), ranks_.end(), [rank](int r) { return r > rank; }) -
            ranks_.begin();
    ranks_.insert(ranks_.begin() + static_cast<std::ptrdiff_t>(pos), rank);
    return pos;
  }

  value& obj_;
  const field_order& type_;
  // Of the members, in order; filled at the first insertion. Inline for the objects of a pod.
  boost::container::small_vector<int, 40> ranks_;
};

// One default (see object_defaults), ranking members only until the new one's place.
template <typename Default>
value& set_default(value& obj, const field_order& type, std::string_view key, Default&& fallback) {
  if (!obj.is_object()) obj = value::make_object();
  if (value* existing = obj.find(key)) {
    if (existing->is_null()) *existing = value(std::forward<Default>(fallback));
    return *existing;
  }
  json::object& members = obj.as_object();
  const int rank = type.rank(key);
  auto pos = members.end();
  if (rank >= 0) {
    pos = std::find_if(members.begin(), members.end(),
                       [&](const json::member& m) { return type.rank(m.key) > rank; });
  }
  return members
      .insert(pos, json::member{std::string(key), value(std::forward<Default>(fallback))})
      ->val;
}

// Sets obj[key] = v, in place when present, else where Go writes it.
void assign(value& obj, const field_order& type, std::string_view key, const value& v) {
  set_default(obj, type, key, v) = v;
}

// The member as an object to default further (nullptr when absent, null or not an object).
value* object_member(value& obj, std::string_view key) {
  value* v = obj.is_object() ? obj.find(key) : nullptr;
  return v && v->is_object() ? v : nullptr;
}

template <typename F>
void for_each_item(value& obj, std::string_view key, F f) {
  value* list = obj.is_object() ? obj.find(key) : nullptr;
  if (!list || !list->is_array()) return;
  for (value& item : list->as_array())
    if (item.is_object()) f(item);
}

bool is_empty_map(const value& obj, std::string_view key) {
  const value* v = obj.find(key);
  return !v || !v->is_object() || v->as_object().empty();
}

void sort_keys(value& obj) {
  if (!obj.is_object()) return;
  auto& members = obj.as_object();
  std::stable_sort(members.begin(), members.end(),
                   [](const json::member& a, const json::member& b) { return a.key < b.key; });
}

// ---- Image references (github.com/distribution/reference) ----------------------------------

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_word(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_';
}

// [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
bool valid_path_component(std::string_view s) {
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && is_lower_alnum(s[i])) ++i;
    if (i == start) return false;
    if (i == s.size()) return true;
    size_t sep = i;
    while (i < s.size() && !is_lower_alnum(s[i])) ++i;
    std::string_view separator = s.substr(sep, i - sep);
    bool dashes = std::all_of(separator.begin(), separator.end(), [](char c) { return c == '-'; });
    if (separator != "." && separator != "_" && separator != "__" && !dashes) return false;
  }
}

// host[:port]: dot-separated components of [a-zA-Z0-9-] (no leading/trailing '-'), or [IPv6].
bool valid_domain(std::string_view s) {
  if (s.starts_with("[")) {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    s = s.substr(close + 1);
    return s.empty() ||
           (s.size() > 1 && s[0] == ':' &&
            std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; }));
  }
  size_t colon = s.find(':');
  std::string_view host = s.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
  }
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot - start);
    auto ok_char = [](char c) { return is_word(c) && c != '_'; };
    if (part.empty() || !ok_char(part.front()) || !ok_char(part.back())) return false;
    if (!std::all_of(part.begin(), part.end(), [&](char c) { return ok_char(c) || c == '-'; }))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// [\w][\w.-]{0,127}
bool valid_tag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !is_word(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

bool valid_digest(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algorithm = s.substr(0, colon), hex = s.substr(colon + 1);
  size_t want = algorithm == "sha256"   ? 64
                : algorithm == "sha384" ? 96
                : algorithm == "sha512" ? 128
                                        : 0;
  return want != 0 && hex.size() == want && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The docker reference grammar, after the normalization ParseNormalizedNamed applies.
bool valid_repository(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t slash = name.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = name.substr(0, slash);
    bool has_upper =
        std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    bool is_domain =
        first.find_first_of(".:") != std::string_view::npos || first == "localhost" || has_upper;
    if (is_domain) {
      if (!valid_domain(first)) return false;
      name = name.substr(slash + 1);
    }
  }
  size_t start = 0;
  while (true) {
    size_t next = name.find('/', start);
    if (!valid_path_component(name.substr(start, next - start))) return false;
    if (next == std::string_view::npos) return true;
    start = next + 1;
  }
}

// ---- Containers, probes, volumes -----------------------------------------------------------

void default_field_ref(value& ref) {
  set_default(ref, core<"ObjectFieldSelector">(), "apiVersion", "v1");
}

void default_resource_field_ref(value& ref) {
  set_default(ref, core<"ResourceFieldSelector">(), "divisor", "0");
}

void default_http_get(value& http) {
  object_defaults defaults(http, core<"HTTPGetAction">());
  value& path = defaults.set("path", "/");
  if (path.is_string() && path.as_string().empty()) path = "/";
  value& scheme = defaults.set("scheme", "HTTP");
  if (scheme.is_string() && scheme.as_string().empty()) scheme = "HTTP";
}

// SetDefaults_Probe, plus the handler defaults (HTTPGetAction, GRPCAction.service).
void default_probe(value& probe) {
  object_defaults defaults(probe, core<"Probe">());
  for (auto [key, fallback] : {std::pair<std::string_view, int>{"timeoutSeconds", 1},
                               {"periodSeconds", 10},
                               {"successThreshold", 1},
                               {"failureThreshold", 3}}) {
    value& v = defaults.set(key, fallback);
    if (v.is_int() && v.as_int() == 0) v = fallback;
  }
  if (value* http = object_member(probe, "httpGet")) default_http_get(*http);
  if (value* grpc = object_member(probe, "grpc"))
    set_default(*grpc, core<"GRPCAction">(), "service", "");
}

void default_lifecycle(value& lifecycle) {
  for (std::string_view hook : {"postStart", "preStop"}) {
    value* handler = object_member(lifecycle, hook);
    if (!handler) continue;
    if (value* http = object_member(*handler, "httpGet")) default_http_get(*http);
  }
}

void default_env(value& container) {
  for_each_item(container, "env", [](value& env) {
    value* from = object_member(env, "valueFrom");
    if (!from) return;
    if (value* ref = object_member(*from, "fieldRef")) default_field_ref(*ref);
    if (value* ref = object_member(*from, "resourceFieldRef")) default_resource_field_ref(*ref);
  });
}

// SetDefaults_Container (also used for init and ephemeral containers).
void default_container(value& c) {
  object_defaults defaults(c, core<"Container">());
  for_each_item(c, "ports",
                [](value& port) { set_default(port, core<"ContainerPort">(), "protocol", "TCP"); });
  default_env(c);
  defaults.set("resources", value::make_object());
  for (std::string_view probe : {"livenessProbe", "readinessProbe", "startupProbe"})
    if (value* p = object_member(c, probe)) default_probe(*p);
  if (value* lifecycle = object_member(c, "lifecycle")) default_lifecycle(*lifecycle);
  defaults.set("terminationMessagePath", "/dev/termination-log");
  defaults.set("terminationMessagePolicy", "File");
  if (!is_set(c, "imagePullPolicy"))
    defaults.set("imagePullPolicy", default_image_pull_policy(c.get_string("image")));
}

void default_downward_items(value& source) {
  for_each_item(source, "items", [](value& item) {
    if (value* ref = object_member(item, "fieldRef")) default_field_ref(*ref);
    if (value* ref = object_member(item, "resourceFieldRef")) default_resource_field_ref(*ref);
  });
}

void default_projected(value& projected) {
  set_default(projected, core<"ProjectedVolumeSource">(), "defaultMode", 420);
  for_each_item(projected, "sources", [](value& source) {
    if (value* api = object_member(source, "downwardAPI")) default_downward_items(*api);
    if (value* token = object_member(source, "serviceAccountToken"))
      set_default(*token, core<"ServiceAccountTokenProjection">(), "expirationSeconds", 3600);
  });
}

void default_volume_sources(value& volume) {
  if (value* s = object_member(volume, "secret"))
    set_default(*s, core<"SecretVolumeSource">(), "defaultMode", 420);
  if (value* s = object_member(volume, "configMap"))
    set_default(*s, core<"ConfigMapVolumeSource">(), "defaultMode", 420);
  if (value* s = object_member(volume, "downwardAPI")) {
    set_default(*s, core<"DownwardAPIVolumeSource">(), "defaultMode", 420);
    default_downward_items(*s);
  }
  if (value* s = object_member(volume, "projected")) default_projected(*s);
  if (value* s = object_member(volume, "hostPath"))
    set_default(*s, core<"HostPathVolumeSource">(), "type", "");
  if (value* s = object_member(volume, "iscsi"))
    set_default(*s, core<"ISCSIVolumeSource">(), "iscsiInterface", "default");
  if (value* s = object_member(volume, "rbd")) {
    const field_order& type = core<"RBDVolumeSource">();
    set_default(*s, type, "pool", "rbd");
    set_default(*s, type, "user", "admin");
    set_default(*s, type, "keyring", "/etc/ceph/keyring");
  }
  if (value* s = object_member(volume, "azureDisk")) {
    const field_order& type = core<"AzureDiskVolumeSource">();
    set_default(*s, type, "cachingMode", "ReadWrite");
    set_default(*s, type, "fsType", "ext4");
    set_default(*s, type, "readOnly", false);
    set_default(*s, type, "kind", "Shared");
  }
  if (value* s = object_member(volume, "scaleIO")) {
    set_default(*s, core<"ScaleIOVolumeSource">(), "storageMode", "ThinProvisioned");
    set_default(*s, core<"ScaleIOVolumeSource">(), "fsType", "xfs");
  }
  if (value* s = object_member(volume, "ephemeral"))
    if (value* tmpl = object_member(*s, "volumeClaimTemplate"))
      if (value* spec = object_member(*tmpl, "spec"))
        set_default(*spec, core<"PersistentVolumeClaimSpec">(), "volumeMode", "Filesystem");
}

// SetDefaults_Volume: a volume without a source is an emptyDir.
void default_volume(value& volume) {
  static const schema::message_type* sources =
      schema::find_message(std::string(kCore) + "VolumeSource");
  const json::object& members = volume.as_object();
  bool has_source = std::any_of(members.begin(), members.end(), [](const json::member& m) {
    return !m.val.is_null() && sources->find_field(m.key);
  });
  if (!has_source) set_default(volume, core<"Volume">(), "emptyDir", value::make_object());
  default_volume_sources(volume);
}

// ---- Pods ----------------------------------------------------------------------------------

// SetDefaults_Pod: containers' requests default to their limits.
void default_requests_from_limits(value& container) {
  value* resources = object_member(container, "resources");
  if (!resources || !object_member(*resources, "limits")) return;
  value& requests =
      set_default(*resources, core<"ResourceRequirements">(), "requests", value::make_object());
  if (!requests.is_object()) return;
  // Looked up after set_default, which may have moved the members.
  const value& limits = *resources->find("limits");
  bool added = false;
  for (const auto& [name, quantity] : limits.as_object()) {
    if (requests.find(name)) continue;
    requests.set(name, quantity);
    added = true;
  }
  if (added) sort_keys(requests);
}

// defaultHostNetworkPorts: with hostNetwork, hostPort follows containerPort.
void default_host_network_ports(value& container) {
  for_each_item(container, "ports", [](value& port) {
    const value* host = port.find("hostPort");
    if (host && host->is_int() && host->as_int() != 0) return;
    const value* container_port = port.find("containerPort");
    if (container_port && container_port->is_int())
      assign(port, core<"ContainerPort">(), "hostPort", container_port->as_int());
  });
}

// The Priority admission plugin: the priority of the pod's class (built-in classes only;
// without a class, no global default class exists) and its preemption policy.
void default_priority(object_defaults& spec) {
  std::string_view cls = spec.object().get_string("priorityClassName");
  int64_t priority = cls == "system-node-critical"      ? 2000001000
                     : cls == "system-cluster-critical" ? 2000000000
                                                        : 0;
  spec.set("priority", priority);
  spec.set("preemptionPolicy", "PreemptLowerPriority");
}

// The DefaultTolerationSeconds admission plugin (on by default in kube-apiserver): a pod that
// does not tolerate the NoExecute taints of a not-ready or unreachable node tolerates them for
// 300 s, so the node lifecycle controller evicts it five minutes after its node goes away.
void default_toleration_seconds(object_defaults& spec) {
  constexpr std::string_view k_node_taints[] = {"node.kubernetes.io/not-ready",
                                                "node.kubernetes.io/unreachable"};
  value& tolerations = spec.set("tolerations", json::array{});
  if (!tolerations.is_array()) return;  // validation reports it
  auto tolerates = [&tolerations](std::string_view taint) {
    return std::any_of(
        tolerations.as_array().begin(), tolerations.as_array().end(), [taint](const value& t) {
          std::string_view key = t.get_string("key");
          std::string_view effect = t.get_string("effect");
          return (key.empty() || key == taint) && (effect.empty() || effect == "NoExecute");
        });
  };
  for (std::string_view taint : k_node_taints) {
    if (tolerates(taint)) continue;
    json::object toleration;
    toleration.reserve(4);
    toleration.push_back({"key", taint});
    toleration.push_back({"operator", "Exists"});
    toleration.push_back({"effect", "NoExecute"});
    toleration.push_back({"tolerationSeconds", 300});
    tolerations.as_array().emplace_back(std::move(toleration));
  }
}

// SetDefaults_PodSpec and the defaults of what it holds.
void default_pod_spec_members(object_defaults& defaults) {
  value& spec = defaults.object();
  for_each_item(spec, "volumes", default_volume);
  for_each_item(spec, "initContainers", default_container);
  for_each_item(spec, "containers", default_container);
  for_each_item(spec, "ephemeralContainers", default_container);
  for (auto [key, fallback] :
       {std::pair<std::string_view, std::string_view>{"restartPolicy", "Always"},
        {"dnsPolicy", "ClusterFirst"},
        {"schedulerName", "default-scheduler"}}) {
    value& v = defaults.set(key, fallback);
    if (v.is_string() && v.as_string().empty()) v = fallback;
  }
  defaults.set("terminationGracePeriodSeconds", 30);
  defaults.set("securityContext", value::make_object());
}

// ---- Pod templates of workloads ------------------------------------------------------------

void default_pod_template(value& tmpl) {
  value& meta = set_default(tmpl, core<"PodTemplateSpec">(), "metadata", value::make_object());
  // metav1.Time has no omitempty effect: Go writes an unset creationTimestamp as null.
  set_default(meta, object_meta(), "creationTimestamp", nullptr);
  default_pod_spec(set_default(tmpl, core<"PodTemplateSpec">(), "spec", value::make_object()));
}

value* template_of(value& obj) {
  value* spec = object_member(obj, "spec");
  return spec ? object_member(*spec, "template") : nullptr;
}

const value* template_labels(value& obj) {
  value* tmpl = template_of(obj);
  value* meta = tmpl ? object_member(*tmpl, "metadata") : nullptr;
  value* labels = meta ? object_member(*meta, "labels") : nullptr;
  return labels;
}

// ---- Services ------------------------------------------------------------------------------

std::string ip_family_of(std::string_view ip) {
  return ip.find(':') != std::string_view::npos && is_valid_ip(ip) ? "IPv6" : "IPv4";
}

// The registry's initIPFamilyFields for a single-stack IPv4 cluster.
void default_ip_families(value& spec) {
  const field_order& type = core<"ServiceSpec">();
  if (spec.get_string("type") == "ExternalName") return;
  auto list_size = [&](std::string_view key) {
    const value* v = spec.find(key);
    return v && v->is_array() ? v->as_array().size() : 0;
  };
  const value* selector = spec.find("selector");
  bool has_selector = selector && selector->is_object() && !selector->as_object().empty();
  bool headless_without_selector = spec.get_string("clusterIP") == "None" && !has_selector;
  bool dual = list_size("clusterIPs") == 2 || list_size("ipFamilies") == 2;
  bool has_families = list_size("ipFamilies") > 0;
  std::string ip(spec.get_string("clusterIP"));
  set_default(spec, type, "ipFamilyPolicy",
              dual || headless_without_selector ? "RequireDualStack" : "SingleStack");
  if (has_families) return;
  json::array families;
  families.emplace_back(ip.empty() || ip == "None" ? "IPv4" : ip_family_of(ip));
  assign(spec, type, "ipFamilies", value(std::move(families)));
}

}  // namespace

std::string default_image_pull_policy(std::string_view image) {
  std::string_view name = image, digest;
  if (size_t at = image.find('@'); at != std::string_view::npos) {
    name = image.substr(0, at);
    digest = image.substr(at + 1);
    if (!valid_digest(digest)) return "IfNotPresent";
  }
  std::string_view tag;
  size_t colon = name.rfind(':');
  size_t slash = name.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    tag = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (!valid_tag(tag)) return "IfNotPresent";
  }
  bool hex_id = name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                });
  if (hex_id || !valid_repository(name)) return "IfNotPresent";
  if (tag.empty() && digest.empty()) tag = "latest";
  return tag == "latest" ? "Always" : "IfNotPresent";
}

void default_pod_spec(json::value& spec) {
  object_defaults defaults(spec, core<"PodSpec">());
  default_pod_spec_members(defaults);
}

void set_defaults_pod(json::value& obj) {
  object_defaults spec_defaults(set_default(obj, core<"Pod">(), "spec", value::make_object()),
                                core<"PodSpec">());
  default_pod_spec_members(spec_defaults);
  value& spec = spec_defaults.object();
  for_each_item(spec, "containers", default_requests_from_limits);
  for_each_item(spec, "initContainers", default_requests_from_limits);
  spec_defaults.set("enableServiceLinks", true);
  const value* host_network = spec.find("hostNetwork");
  if (host_network && host_network->is_bool() && host_network->as_bool()) {
    for_each_item(spec, "containers", default_host_network_ports);
    for_each_item(spec, "initContainers", default_host_network_ports);
  }
  default_priority(spec_defaults);
  default_toleration_seconds(spec_defaults);
}

void initial_pod_status(json::value& pod) {
  json::object status;
  status.reserve(2);
  status.push_back({"phase", "Pending"});
  status.push_back({"qosClass", pod_qos_class(pod)});
  set_default(pod, core<"Pod">(), "status", value::make_object()) = value(std::move(status));
}

void set_defaults_namespace(json::value& obj) {
  value& meta = set_default(obj, core<"Namespace">(), "metadata", value::make_object());
  std::string name(meta.get_string("name"));
  if (!name.empty())
    set_default(meta, object_meta(), "labels", value::make_object())
        .set("kubernetes.io/metadata.name", name);
  // The create strategy's finalizer: only for objects not stored yet (no uid), so that a
  // finalize request that clears the list is not undone.
  bool stored = !meta.get_string("uid").empty();
  value& spec = set_default(obj, core<"Namespace">(), "spec", value::make_object());
  if (!stored) {
    value& finalizers = set_default(spec, core<"NamespaceSpec">(), "finalizers", json::array{});
    if (finalizers.is_array() &&
        std::none_of(finalizers.as_array().begin(), finalizers.as_array().end(),
                     [](const value& f) { return f.is_string() && f.as_string() == "kubernetes"; }))
      finalizers.as_array().emplace_back("kubernetes");
  }
  value& status = set_default(obj, core<"Namespace">(), "status", value::make_object());
  set_default(status, core<"NamespaceStatus">(), "phase", "Active");
}

void set_defaults_node(json::value& obj) {
  value* status = object_member(obj, "status");
  if (!status || is_set(*status, "allocatable")) return;
  if (value* capacity = object_member(*status, "capacity"))
    set_default(*status, core<"NodeStatus">(), "allocatable", *capacity);
}

void set_defaults_service(json::value& obj) {
  value& spec = set_default(obj, core<"Service">(), "spec", value::make_object());
  const field_order& type = core<"ServiceSpec">();
  value& affinity = set_default(spec, type, "sessionAffinity", "None");
  if (affinity.is_string() && affinity.as_string().empty()) affinity = "None";
  if (affinity == value("None")) spec.erase("sessionAffinityConfig");
  value& service_type = set_default(spec, type, "type", "ClusterIP");
  if (service_type.is_string() && service_type.as_string().empty()) service_type = "ClusterIP";
  for_each_item(spec, "ports", [](value& port) {
    set_default(port, core<"ServicePort">(), "protocol", "TCP");
    const value* target = port.find("targetPort");
    bool unset = !target || target->is_null() || (target->is_int() && target->as_int() == 0) ||
                 (target->is_string() && target->as_string().empty());
    const value* number = port.find("port");
    if (unset && number && number->is_int())
      assign(port, core<"ServicePort">(), "targetPort", number->as_int());
  });
  if (spec.get_string("sessionAffinity") == "ClientIP") {
    value& config = set_default(spec, type, "sessionAffinityConfig", value::make_object());
    value& client_ip =
        set_default(config, core<"SessionAffinityConfig">(), "clientIP", value::make_object());
    set_default(client_ip, core<"ClientIPConfig">(), "timeoutSeconds", 10800);
  }
  const std::string kind(spec.get_string("type"));
  const value* external_ips = spec.find("externalIPs");
  bool externally_accessible = kind == "NodePort" || kind == "LoadBalancer" ||
                               (kind == "ClusterIP" && external_ips && external_ips->is_array() &&
                                !external_ips->as_array().empty());
  if (externally_accessible) set_default(spec, type, "externalTrafficPolicy", "Cluster");
  if (kind == "NodePort" || kind == "LoadBalancer" || kind == "ClusterIP")
    set_default(spec, type, "internalTrafficPolicy", "Cluster");
  if (kind == "LoadBalancer") set_default(spec, type, "allocateLoadBalancerNodePorts", true);
  default_ip_families(spec);
}

void set_defaults_endpoints(json::value& obj) {
  for_each_item(obj, "subsets", [](value& subset) {
    for_each_item(subset, "ports", [](value& port) {
      set_default(port, core<"EndpointPort">(), "protocol", "TCP");
    });
  });
}

void set_defaults_secret(json::value& obj) {
  const field_order& type = core<"Secret">();
  // Converting from v1 merges stringData into data (stringData wins) and drops it.
  if (const value* string_data_member = object_member(obj, "stringData")) {
    const value string_data = *string_data_member;
    value& data = set_default(obj, type, "data", value::make_object());
    for (const auto& [key, v] : string_data.as_object())
      if (v.is_string()) data.set(key, base64_encode(v.as_string()));
    sort_keys(data);
    obj.erase("stringData");
  } else if (const value* s = obj.find("stringData"); s && s->is_null()) {
    obj.erase("stringData");
  }
  value& secret_type = set_default(obj, type, "type", "Opaque");
  if (secret_type.is_string() && secret_type.as_string().empty()) secret_type = "Opaque";
}

void set_defaults_event(json::value& obj) {
  // Not defaults in Go but fields its encoder always writes: non-omitempty strings and structs,
  // and metav1.Time/MicroTime values (null when unset).
  const field_order& type = core<"Event">();
  set_default(obj, type, "involvedObject", value::make_object());
  set_default(obj, type, "source", value::make_object());
  for (std::string_view key : {"firstTimestamp", "lastTimestamp", "eventTime"})
    set_default(obj, type, key, nullptr);
  set_default(obj, type, "reportingComponent", "");
  set_default(obj, type, "reportingInstance", "");
}

void set_defaults_replication_controller(json::value& obj) {
  const field_order& type = core<"ReplicationController">();
  set_default(obj, type, "spec", value::make_object());
  // The template's labels become the selector and the object's labels when those are empty.
  if (const value* labels = template_labels(obj); labels && !labels->as_object().empty()) {
    const value copy = *labels;
    value& spec = *obj.find("spec");
    if (is_empty_map(spec, "selector"))
      assign(spec, core<"ReplicationControllerSpec">(), "selector", copy);
    value& meta = set_default(obj, type, "metadata", value::make_object());
    if (is_empty_map(meta, "labels")) assign(meta, object_meta(), "labels", copy);
  }
  set_default(*obj.find("spec"), core<"ReplicationControllerSpec">(), "replicas", 1);
  if (value* tmpl = template_of(obj)) default_pod_template(*tmpl);
}

void set_defaults_replica_set(json::value& obj) {
  value& spec = set_default(obj, apps<"ReplicaSet">(), "spec", value::make_object());
  set_default(spec, apps<"ReplicaSetSpec">(), "replicas", 1);
  default_pod_template(
      set_default(spec, apps<"ReplicaSetSpec">(), "template", value::make_object()));
}

void set_defaults_deployment(json::value& obj) {
  value& spec = set_default(obj, apps<"Deployment">(), "spec", value::make_object());
  const field_order& type = apps<"DeploymentSpec">();
  set_default(spec, type, "replicas", 1);
  value& strategy = set_default(spec, type, "strategy", value::make_object());
  value& strategy_type =
      set_default(strategy, apps<"DeploymentStrategy">(), "type", "RollingUpdate");
  if (strategy_type.is_string() && strategy_type.as_string().empty())
    strategy_type = "RollingUpdate";
  if (strategy.get_string("type") == "RollingUpdate") {
    value& rolling =
        set_default(strategy, apps<"DeploymentStrategy">(), "rollingUpdate", value::make_object());
    set_default(rolling, apps<"RollingUpdateDeployment">(), "maxUnavailable", "25%");
    set_default(rolling, apps<"RollingUpdateDeployment">(), "maxSurge", "25%");
  }
  set_default(spec, type, "revisionHistoryLimit", 10);
  set_default(spec, type, "progressDeadlineSeconds", 600);
  default_pod_template(set_default(spec, type, "template", value::make_object()));
}

}  // namespace kactor::api
