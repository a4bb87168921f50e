// The generic path this must agree with: decode_object (api/admission.cpp), set_defaults_pod and
// initial_pod_status (api/defaults.cpp), validate_object_meta and validate_pod
// (api/validation.cpp), extract_facts (api/selectors.cpp) and prepare_object (store/write.cpp).
// tests/store/pod_create_test.cpp holds the two to the same output over mutated pods.
#include "api/pod_create.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <simdjson.h>
#include <boost/container/small_vector.hpp>

#include "api/admission.hpp"
#include "api/defaults.hpp"
#include "api/json.hpp"
#include "api/name_table.hpp"
#include "api/schema.hpp"
#include "api/validation.hpp"

namespace kactor::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using json_object = simdjson::dom::object;
using json_array = simdjson::dom::array;

template <typename T, size_t N = 8>
using small_list = boost::container::small_vector<T, N>;

// Thrown to leave the body to the generic path.
struct not_fast {};

[[noreturn]] void give_up() {
  throw not_fast{};
}

void require(bool ok) {
  if (!ok) give_up();
}

constexpr int64_t kInt32Max = 2147483647;
constexpr int64_t kInt64Max = INT64_MAX;
// Lists the fast path checks for duplicates pairwise (containers, volumes, mounts, port names)
// are left to the generic path past this length, which keeps each check short.
constexpr size_t kMostListed = 64;

// ---- Values of the types the schema gives them ---------------------------------------------

std::string_view text(element e) {
  require(e.type() == element_type::STRING);
  return e.get_string().value_unsafe();
}

std::string_view nonempty_text(element e) {
  std::string_view s = text(e);
  require(!s.empty());
  return s;
}

std::string_view one_of(element e, std::initializer_list<std::string_view> allowed) {
  std::string_view s = text(e);
  require(std::find(allowed.begin(), allowed.end(), s) != allowed.end());
  return s;
}

int64_t integer(element e, int64_t lowest, int64_t highest) {
  require(e.type() == element_type::INT64);
  const int64_t v = e.get_int64().value_unsafe();
  require(v >= lowest && v <= highest);
  return v;
}

bool boolean(element e) {
  require(e.type() == element_type::BOOL);
  return e.get_bool().value_unsafe();
}

json_object object(element e) {
  require(e.type() == element_type::OBJECT);
  return e.get_object().value_unsafe();
}

json_array array(element e) {
  require(e.type() == element_type::ARRAY);
  return e.get_array().value_unsafe();
}

bool valid(const std::vector<std::string>& problems) {
  return problems.empty();
}

// Adds `name` to `names`, refusing a duplicate.
template <typename List>
void add_unique(List& names, std::string_view name) {
  require(names.size() < kMostListed && std::find(names.begin(), names.end(), name) == names.end());
  names.push_back(name);
}

// ---- Writing -------------------------------------------------------------------------------

void write_int(std::string& out, int64_t v) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

void write_bool(std::string& out, bool v) {
  out += v ? "true" : "false";
}

void write_strings(std::string& out, json_array items) {
  out += '[';
  bool first = true;
  for (element item : items) {
    if (!first) out += ',';
    first = false;
    json::append_quoted(out, text(item));
  }
  out += ']';
}

using string_pairs = small_list<std::pair<std::string_view, std::string_view>>;

void write_string_map(std::string& out, const string_pairs& entries) {
  out += '{';
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ',';
    json::append_quoted(out, entries[i].first);
    out += ':';
    json::append_quoted(out, entries[i].second);
  }
  out += '}';
}

// A JSON map of strings, refused with a duplicate key (the generic path reports those).
string_pairs read_string_map(element e) {
  string_pairs entries;
  for (auto [key, v] : object(e)) {
    require(entries.size() < kMostListed);
    for (const auto& seen : entries) require(seen.first != key);
    entries.emplace_back(key, text(v));
  }
  return entries;
}

// Members of one message: each name the fast path handles, its id and its position in Go's
// field order, the rank by which the generic defaulting inserts a missing member.
template <typename Id>
class known_members {
 public:
  struct entry {
    Id id;
    int rank;
    uint64_t bit;            // in a mask of the members seen
    std::string_view field;  // "\"name\":", what the member's text starts with
    bool nullable;           // may be null (the visitor sees it); others may not
  };

  known_members(std::string_view message,
                std::initializer_list<std::pair<std::string_view, Id>> ids,
                std::initializer_list<Id> nullable = {}) {
    const schema::message_type* type = schema::find_message(message);
    std::vector<std::pair<std::string_view, entry>> entries;
    fields_.reserve(ids.size());  // entries point into it
    uint64_t bit = 1;
    for (const auto& [name, id] : ids) {
      std::optional<int> rank = type ? type->json_position(name) : std::nullopt;
      if (!rank) throw std::logic_error("pod_create: no field " + std::string(name));
      const std::string& field = fields_.emplace_back("\"" + std::string(name) + "\":");
      const bool null_ok = std::find(nullable.begin(), nullable.end(), id) != nullable.end();
      entries.emplace_back(name, entry{id, *rank, bit, field, null_ok});
      by_id_[static_cast<size_t>(id)] = entries.back().second;
      bit <<= 1;
    }
    table_ = name_table<entry>(entries);
  }

  // The member `name`; gives up on a name it does not know.
  const entry& operator[](std::string_view name) const {
    const entry* e = table_.find(name);
    require(e != nullptr);
    return *e;
  }

  const entry& of(Id id) const { return by_id_[static_cast<size_t>(id)]; }

 private:
  std::vector<std::string> fields_;
  name_table<entry> table_;
  std::array<entry, static_cast<size_t>(Id::count)> by_id_{};
};

// Writes one JSON object: the body's members in their order, then the defaults it lacked. Each
// default lands where the generic defaulting inserts it: before the first member that Go
// writes after it (object_defaults in defaults.cpp).
class object_writer {
 public:
  explicit object_writer(std::string& out) : out_(out) { out_ += '{'; }

  // Starts a member with its `"key":`; its value is written next.
  void member(int rank, std::string_view field) {
    members_.push_back({rank, out_.size()});
    if (members_.size() > 1) out_ += ',';
    out_ += field;
  }

  // The members started from now on are defaults.
  void defaults_follow() { first_default_ = members_.size(); }

  void close() {
    if (!written_in_order()) reorder(stored_order());
    out_ += '}';
  }

 private:
  struct placed {
    int rank;
    size_t begin;  // of the member's text in out_, its separating comma included
  };

  // Whether the members are already in their stored order: no default ranks below a member
  // before it, which is the usual case.
  bool written_in_order() const {
    const size_t body = std::min(first_default_, members_.size());
    int highest = INT32_MIN;
    for (size_t i = 0; i < members_.size(); ++i) {
      if (i >= body && members_[i].rank < highest) return false;
      highest = std::max(highest, members_[i].rank);
    }
    return true;
  }

  small_list<size_t, 32> stored_order() const {
    const size_t body = std::min(first_default_, members_.size());
    small_list<size_t, 32> defaults;
    for (size_t i = body; i < members_.size(); ++i) defaults.push_back(i);
    std::sort(defaults.begin(), defaults.end(),
              [this](size_t a, size_t b) { return members_[a].rank < members_[b].rank; });
    small_list<size_t, 32> order;
    size_t next_default = 0;
    for (size_t i = 0; i < body; ++i) {
      while (next_default < defaults.size() &&
             members_[defaults[next_default]].rank < members_[i].rank)
        order.push_back(defaults[next_default++]);
      order.push_back(i);
    }
    while (next_default < defaults.size()) order.push_back(defaults[next_default++]);
    return order;
  }

  // Rewrites the members from the first one out of place.
  void reorder(const small_list<size_t, 32>& order) {
    size_t kept = 0;
    while (kept < order.size() && order[kept] == kept) ++kept;
    thread_local std::string scratch;
    scratch.clear();
    for (size_t n = kept; n < order.size(); ++n) {
      const size_t i = order[n];
      size_t begin = members_[i].begin + (i > 0 ? 1 : 0);  // past its comma
      size_t end = i + 1 < members_.size() ? members_[i + 1].begin : out_.size();
      if (n > 0) scratch += ',';
      scratch.append(out_, begin, end - begin);
    }
    out_.resize(members_[kept].begin);
    out_ += scratch;
  }

  std::string& out_;
  size_t first_default_ = SIZE_MAX;
  small_list<placed, 32> members_;
};

// Walks an object's members through `members`, refusing unknown and repeated ones, and nulls
// where `members` does not allow them. With `out`, writes each key before `visit` writes its
// value. Returns the mask of the members seen.
template <typename Id, typename Visit>
uint64_t walk(json_object obj, const known_members<Id>& members, object_writer* out, Visit visit) {
  uint64_t seen = 0;
  for (auto [key, v] : obj) {
    const auto& m = members[key];
    require((seen & m.bit) == 0 && (m.nullable || v.type() != element_type::NULL_VALUE));
    seen |= m.bit;
    if (out) out->member(m.rank, m.field);
    visit(m.id, v);
  }
  return seen;
}

// ---- The messages --------------------------------------------------------------------------

const std::string kCore = "k8s.io.api.core.v1.";

enum class meta_key { name, generate_name, ns, creation_timestamp, labels, annotations, count };
enum class spec_key {
  volumes,
  containers,
  restart_policy,
  grace_period,
  active_deadline,
  dns_policy,
  node_selector,
  service_account_name,
  automount_token,
  node_name,
  security_context,
  hostname,
  subdomain,
  scheduler_name,
  tolerations,
  priority_class_name,
  priority,
  enable_service_links,
  preemption_policy,
  count
};
enum class container_key {
  name,
  image,
  command,
  args,
  working_dir,
  ports,
  env,
  resources,
  volume_mounts,
  liveness_probe,
  readiness_probe,
  startup_probe,
  termination_message_path,
  termination_message_policy,
  image_pull_policy,
  stdin,
  stdin_once,
  tty,
  count
};
enum class port_key { name, container_port, protocol, count };
enum class env_key { name, value, count };
enum class resources_key { limits, requests, count };
enum class mount_key { name, read_only, mount_path, count };
enum class probe_key {
  exec,
  http_get,
  tcp_socket,
  initial_delay,
  timeout,
  period,
  success_threshold,
  failure_threshold,
  count
};
enum class exec_key { command, count };
enum class http_get_key { path, port, scheme, count };
enum class tcp_socket_key { port, count };
enum class volume_key { name, config_map, secret, empty_dir, count };
enum class source_key { name, default_mode, optional, count };  // configMap, secret
enum class empty_dir_key { medium, count };
enum class toleration_key { key, op, value, effect, seconds, count };

enum class probe_kind { liveness, readiness, startup };

const known_members<meta_key>& meta_members() {
  using k = meta_key;
  static const known_members<k> m("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                                  {{"name", k::name},
                                   {"generateName", k::generate_name},
                                   {"namespace", k::ns},
                                   {"creationTimestamp", k::creation_timestamp},
                                   {"labels", k::labels},
                                   {"annotations", k::annotations}},
                                  {k::creation_timestamp});
  return m;
}

const known_members<spec_key>& spec_members() {
  using k = spec_key;
  static const known_members<k> m(kCore + "PodSpec",
                                  {{"volumes", k::volumes},
                                   {"containers", k::containers},
                                   {"restartPolicy", k::restart_policy},
                                   {"terminationGracePeriodSeconds", k::grace_period},
                                   {"activeDeadlineSeconds", k::active_deadline},
                                   {"dnsPolicy", k::dns_policy},
                                   {"nodeSelector", k::node_selector},
                                   {"serviceAccountName", k::service_account_name},
                                   {"automountServiceAccountToken", k::automount_token},
                                   {"nodeName", k::node_name},
                                   {"securityContext", k::security_context},
                                   {"hostname", k::hostname},
                                   {"subdomain", k::subdomain},
                                   {"schedulerName", k::scheduler_name},
                                   {"tolerations", k::tolerations},
                                   {"priorityClassName", k::priority_class_name},
                                   {"priority", k::priority},
                                   {"enableServiceLinks", k::enable_service_links},
                                   {"preemptionPolicy", k::preemption_policy}});
  return m;
}

const known_members<container_key>& container_members() {
  using k = container_key;
  static const known_members<k> m(kCore + "Container",
                                  {{"name", k::name},
                                   {"image", k::image},
                                   {"command", k::command},
                                   {"args", k::args},
                                   {"workingDir", k::working_dir},
                                   {"ports", k::ports},
                                   {"env", k::env},
                                   {"resources", k::resources},
                                   {"volumeMounts", k::volume_mounts},
                                   {"livenessProbe", k::liveness_probe},
                                   {"readinessProbe", k::readiness_probe},
                                   {"startupProbe", k::startup_probe},
                                   {"terminationMessagePath", k::termination_message_path},
                                   {"terminationMessagePolicy", k::termination_message_policy},
                                   {"imagePullPolicy", k::image_pull_policy},
                                   {"stdin", k::stdin},
                                   {"stdinOnce", k::stdin_once},
                                   {"tty", k::tty}});
  return m;
}

const known_members<port_key>& port_members() {
  using k = port_key;
  static const known_members<k> m(
      kCore + "ContainerPort",
      {{"name", k::name}, {"containerPort", k::container_port}, {"protocol", k::protocol}});
  return m;
}

const known_members<env_key>& env_members() {
  static const known_members<env_key> m(kCore + "EnvVar",
                                        {{"name", env_key::name}, {"value", env_key::value}});
  return m;
}

const known_members<resources_key>& resources_members() {
  static const known_members<resources_key> m(
      kCore + "ResourceRequirements",
      {{"limits", resources_key::limits}, {"requests", resources_key::requests}});
  return m;
}

const known_members<mount_key>& mount_members() {
  using k = mount_key;
  static const known_members<k> m(
      kCore + "VolumeMount",
      {{"name", k::name}, {"readOnly", k::read_only}, {"mountPath", k::mount_path}});
  return m;
}

const known_members<probe_key>& probe_members() {
  using k = probe_key;
  static const known_members<k> m(kCore + "Probe", {{"exec", k::exec},
                                                    {"httpGet", k::http_get},
                                                    {"tcpSocket", k::tcp_socket},
                                                    {"initialDelaySeconds", k::initial_delay},
                                                    {"timeoutSeconds", k::timeout},
                                                    {"periodSeconds", k::period},
                                                    {"successThreshold", k::success_threshold},
                                                    {"failureThreshold", k::failure_threshold}});
  return m;
}

const known_members<exec_key>& exec_members() {
  static const known_members<exec_key> m(kCore + "ExecAction", {{"command", exec_key::command}});
  return m;
}

const known_members<http_get_key>& http_get_members() {
  using k = http_get_key;
  static const known_members<k> m(kCore + "HTTPGetAction",
                                  {{"path", k::path}, {"port", k::port}, {"scheme", k::scheme}});
  return m;
}

const known_members<tcp_socket_key>& tcp_socket_members() {
  static const known_members<tcp_socket_key> m(kCore + "TCPSocketAction",
                                               {{"port", tcp_socket_key::port}});
  return m;
}

const known_members<volume_key>& volume_members() {
  using k = volume_key;
  static const known_members<k> m(kCore + "Volume", {{"name", k::name},
                                                     {"configMap", k::config_map},
                                                     {"secret", k::secret},
                                                     {"emptyDir", k::empty_dir}});
  return m;
}

const known_members<source_key>& config_map_members() {
  using k = source_key;
  static const known_members<k> m(
      kCore + "ConfigMapVolumeSource",
      {{"name", k::name}, {"defaultMode", k::default_mode}, {"optional", k::optional}});
  return m;
}

const known_members<source_key>& secret_members() {
  using k = source_key;
  static const known_members<k> m(
      kCore + "SecretVolumeSource",
      {{"secretName", k::name}, {"defaultMode", k::default_mode}, {"optional", k::optional}});
  return m;
}

const known_members<empty_dir_key>& empty_dir_members() {
  static const known_members<empty_dir_key> m(kCore + "EmptyDirVolumeSource",
                                              {{"medium", empty_dir_key::medium}});
  return m;
}

const known_members<toleration_key>& toleration_members() {
  using k = toleration_key;
  static const known_members<k> m(kCore + "Toleration", {{"key", k::key},
                                                         {"operator", k::op},
                                                         {"value", k::value},
                                                         {"effect", k::effect},
                                                         {"tolerationSeconds", k::seconds}});
  return m;
}

// Starts a default member `id` of `members` unless the body had it.
template <typename Id>
bool add_default(object_writer& out, const known_members<Id>& members, uint64_t seen, Id id) {
  const auto& m = members.of(id);
  if (seen & m.bit) return false;
  out.member(m.rank, m.field);
  return true;
}

// ---- Resource quantities

struct quantity_entry {
  std::string_view resource;
  std::string_view text;
  schema::quantity value;
};
using quantity_list = small_list<quantity_entry, 4>;

// A container's limits or requests: cpu, memory or ephemeral-storage, in canonical spelling,
// not negative.
quantity_list read_quantities(element e) {
  quantity_list entries;
  for (auto [resource, v] : object(e)) {
    require(resource == "cpu" || resource == "memory" || resource == "ephemeral-storage");
    for (const auto& seen : entries) require(seen.resource != resource);
    quantity_entry entry{resource, text(v), {}};
    require(schema::parse_quantity(entry.text, &entry.value));
    const std::string& canonical = entry.value.text;
    require(canonical.empty() ? entry.text == entry.value.to_string() : entry.text == canonical);
    require(!entry.value.negative);
    entries.push_back(std::move(entry));
  }
  return entries;
}

void write_quantities(std::string& out, const quantity_list& entries) {
  out += '{';
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ',';
    json::append_quoted(out, entries[i].resource);
    out += ':';
    json::append_quoted(out, entries[i].text);
  }
  out += '}';
}

// ---- The pod -------------------------------------------------------------------------------

class pod_reader {
 public:
  explicit pod_reader(std::string_view url_ns) : ns_(url_ns) {}

  admitted_pod read(json_object root) {
    enum class top { api_version, kind, metadata, spec, status, count };
    static const known_members<top> members(kCore + "Pod", {{"apiVersion", top::api_version},
                                                            {"kind", top::kind},
                                                            {"metadata", top::metadata},
                                                            {"spec", top::spec},
                                                            {"status", top::status}});
    pod_.rest.reserve(2048);
    bool status_first = false;  // the new status takes the place of the body's
    const uint64_t seen = walk(root, members, nullptr, [&](top id, element v) {
      switch (id) {
        case top::api_version:
          require(text(v) == "v1");
          break;
        case top::kind:
          require(text(v) == "Pod");
          break;
        case top::metadata:
          metadata(object(v));
          break;
        case top::spec:
          pod_.rest += "\"spec\":";
          spec(object(v));
          break;
        case top::status:  // kubectl sends {}; a status with content is checked the generic way
          require(object(v).size() == 0);
          status_first = pod_.rest.empty();
          break;
        case top::count:
          break;
      }
    });
    require((seen & members.of(top::metadata).bit) && (seen & members.of(top::spec).bit));
    std::string status = "\"status\":{\"phase\":\"Pending\",\"qosClass\":\"";
    status += qos_.qos_class();
    status += "\"}";
    if (status_first) {
      pod_.rest.insert(0, status + ",");
    } else {
      pod_.rest += ',';
      pod_.rest += status;
    }
    for (std::string_view volume : mounted_volumes_)
      require(std::find(volumes_.begin(), volumes_.end(), volume) != volumes_.end());
    spec_facts();
    return std::move(pod_);
  }

 private:
  // ---- metadata

  void metadata(json_object meta) {
    std::string_view name, generate_name;
    bool has_generate_name = false;
    std::optional<element> labels, annotations;
    walk(meta, meta_members(), nullptr, [&](meta_key id, element v) {
      switch (id) {
        case meta_key::name:
          name = text(v);
          break;
        case meta_key::generate_name:
          generate_name = text(v);
          has_generate_name = true;
          break;
        case meta_key::ns:
          require(text(v).empty() || text(v) == ns_);
          break;
        case meta_key::creation_timestamp:  // the store sets it; kubectl sends null
          require(v.type() == element_type::NULL_VALUE);
          break;
        case meta_key::labels:
          labels = v;
          break;
        case meta_key::annotations:
          annotations = v;
          break;
        case meta_key::count:
          break;
      }
    });
    require(!ns_.empty() && valid(validate_name(ns_, name_rule::dns1123_label, false)));
    if (!generate_name.empty())
      require(valid(validate_name(generate_name, name_rule::dns1123_subdomain, true)));
    pod_.name = name.empty() && !generate_name.empty() ? name_from_generate_name(generate_name)
                                                       : std::string(name);
    require(!pod_.name.empty() &&
            valid(validate_name(pod_.name, name_rule::dns1123_subdomain, false)));
    if (has_generate_name) {
      pod_.generate_name = "\"generateName\":";
      json::append_quoted(pod_.generate_name, generate_name);
    }
    string_pairs label_list, annotation_list;
    if (labels) label_list = read_labels(*labels);
    if (annotations) annotation_list = read_annotations(*annotations);
    pod_.metadata_tail.reserve(encoded_size(label_list) + encoded_size(annotation_list) + 32);
    if (labels) append_tail("labels", label_list);
    if (annotations) append_tail("annotations", annotation_list);
  }

  string_pairs read_labels(element v) {
    string_pairs labels = read_string_map(v);
    size_t bytes = 0;
    for (const auto& [key, value] : labels) {
      require(valid(is_qualified_name(key)) && valid(is_valid_label_value(value)));
      bytes += key.size() + value.size();
    }
    pod_.facts.labels.reserve(labels.size(), bytes);
    for (const auto& [key, value] : labels) pod_.facts.labels.insert_or_assign(key, value);
    return labels;
  }

  static string_pairs read_annotations(element v) {
    constexpr size_t kMostBytes = 128 * 1024;  // half of what validation allows in all
    string_pairs annotations = read_string_map(v);
    size_t bytes = 0;
    for (const auto& [key, value] : annotations) {
      require(valid(is_qualified_name(key)));  // then valid lowercased too, as checked
      bytes += key.size() + value.size();
    }
    require(bytes <= kMostBytes);
    return annotations;
  }

  // The length of a map's JSON when nothing in it needs escaping.
  static size_t encoded_size(const string_pairs& entries) {
    size_t bytes = 16;
    for (const auto& [key, value] : entries) bytes += key.size() + value.size() + 6;
    return bytes;
  }

  void append_tail(std::string_view key, const string_pairs& entries) {
    std::string& tail = pod_.metadata_tail;
    if (!tail.empty()) tail += ',';
    tail += '"';
    tail += key;
    tail += "\":";
    write_string_map(tail, entries);
  }

  // ---- spec

  void spec(json_object spec) {
    std::string& out = pod_.rest;
    const auto& members = spec_members();
    object_writer writer(out);
    const uint64_t seen =
        walk(spec, members, &writer, [&](spec_key id, element v) { spec_member(id, v, out); });
    require(seen & members.of(spec_key::containers).bit);
    writer.defaults_follow();
    auto set = [&](spec_key id, std::string_view literal) {
      if (add_default(writer, members, seen, id)) out += literal;
    };
    set(spec_key::restart_policy, "\"Always\"");
    set(spec_key::dns_policy, "\"ClusterFirst\"");
    set(spec_key::scheduler_name, "\"default-scheduler\"");
    set(spec_key::grace_period, "30");
    set(spec_key::security_context, "{}");
    set(spec_key::enable_service_links, "true");
    set(spec_key::priority, "0");
    set(spec_key::preemption_policy, "\"PreemptLowerPriority\"");
    if (add_default(writer, members, seen, spec_key::tolerations)) tolerations(std::nullopt, out);
    if (restart_policy_.empty()) restart_policy_ = "Always";
    if (scheduler_name_.empty()) scheduler_name_ = "default-scheduler";
    writer.close();
  }

  void spec_member(spec_key id, element v, std::string& out) {
    switch (id) {
      case spec_key::volumes:
        return for_each_item(v, out, [this](element item, std::string& o) { volume(item, o); });
      case spec_key::containers:
        require(array(v).size() > 0);
        return for_each_item(v, out, [this](element item, std::string& o) { container(item, o); });
      case spec_key::restart_policy:
        restart_policy_ = one_of(v, {"Always", "OnFailure", "Never"});
        return json::append_quoted(out, restart_policy_);
      case spec_key::grace_period:
        return write_int(out, integer(v, 0, kInt64Max));
      case spec_key::active_deadline:
        return write_int(out, integer(v, 1, kInt32Max));
      case spec_key::dns_policy:
        return json::append_quoted(
            out, one_of(v, {"ClusterFirst", "ClusterFirstWithHostNet", "Default"}));
      case spec_key::node_selector:
        return node_selector(v, out);
      case spec_key::service_account_name:
        service_account_name_ = subdomain_or_empty(v);
        return json::append_quoted(out, *service_account_name_);
      case spec_key::node_name:
        node_name_ = subdomain_or_empty(v);
        return json::append_quoted(out, *node_name_);
      case spec_key::automount_token:
      case spec_key::enable_service_links:
        return write_bool(out, boolean(v));
      case spec_key::security_context:
        require(object(v).size() == 0);
        out += "{}";
        return;
      case spec_key::hostname:
      case spec_key::subdomain: {
        std::string_view label = text(v);
        require(label.empty() || valid(is_dns1123_label(label)));
        return json::append_quoted(out, label);
      }
      case spec_key::scheduler_name:
        scheduler_name_ = nonempty_text(v);
        return json::append_quoted(out, scheduler_name_);
      case spec_key::tolerations:
        return tolerations(v, out);
      case spec_key::priority_class_name:  // the Priority admission plugin's class lookup
      case spec_key::priority:
      case spec_key::preemption_policy:
      case spec_key::count:
        give_up();
    }
  }

  static std::string_view subdomain_or_empty(element v) {
    std::string_view name = text(v);
    require(name.empty() || valid(is_dns1123_subdomain(name)));
    return name;
  }

  template <typename F>
  static void for_each_item(element v, std::string& out, F write_item) {
    out += '[';
    bool first = true;
    for (element item : array(v)) {
      if (!first) out += ',';
      first = false;
      write_item(item, out);
    }
    out += ']';
  }

  void node_selector(element v, std::string& out) {
    const string_pairs selector = read_string_map(v);
    for (const auto& [key, value] : selector)
      require(valid(is_qualified_name(key)) && valid(is_valid_label_value(value)));
    write_string_map(out, selector);
  }

  void spec_facts() {
    fact_map& f = pod_.facts.fields;
    f.reserve(8, 256);
    f.insert_or_assign("metadata.name", pod_.name);
    f.insert_or_assign("metadata.namespace", ns_);
    f.insert_or_assign("spec.hostNetwork", "false");
    if (node_name_) f.insert_or_assign("spec.nodeName", *node_name_);
    f.insert_or_assign("spec.restartPolicy", restart_policy_);
    f.insert_or_assign("spec.schedulerName", scheduler_name_);
    if (service_account_name_)
      f.insert_or_assign("spec.serviceAccountName", *service_account_name_);
    f.insert_or_assign("status.phase", "Pending");
  }

  // ---- tolerations, with the DefaultTolerationSeconds admission plugin's

  void tolerations(std::optional<element> v, std::string& out) {
    constexpr std::string_view kNodeTaints[] = {"node.kubernetes.io/not-ready",
                                                "node.kubernetes.io/unreachable"};
    std::array<bool, 2> tolerated{};
    out += '[';
    bool first = true;
    if (v) {
      for (element item : array(*v)) {
        if (!first) out += ',';
        first = false;
        auto [key, effect] = toleration(item, out);
        for (size_t i = 0; i < 2; ++i)
          tolerated[i] = tolerated[i] || ((key.empty() || key == kNodeTaints[i]) &&
                                          (effect.empty() || effect == "NoExecute"));
      }
    }
    for (size_t i = 0; i < 2; ++i) {
      if (tolerated[i]) continue;
      if (!first) out += ',';
      first = false;
      out += R"({"key":")";
      out += kNodeTaints[i];
      out += R"(","operator":"Exists","effect":"NoExecute","tolerationSeconds":300})";
    }
    out += ']';
  }

  // Writes one toleration; returns its key and effect.
  static std::pair<std::string_view, std::string_view> toleration(element item, std::string& out) {
    std::string_view key, op, value, effect;
    bool has_seconds = false;
    object_writer writer(out);
    walk(object(item), toleration_members(), &writer, [&](toleration_key id, element v) {
      if (id == toleration_key::seconds) {
        has_seconds = true;
        return write_int(out, integer(v, INT64_MIN, kInt64Max));
      }
      std::string_view s = text(v);
      (id == toleration_key::key     ? key
       : id == toleration_key::op    ? op
       : id == toleration_key::value ? value
                                     : effect) = s;
      json::append_quoted(out, s);
    });
    writer.close();
    if (!key.empty()) require(valid(is_qualified_name(key)));
    require(!key.empty() || op == "Exists");
    require(!has_seconds || effect == "NoExecute");
    if (op == "Exists") {
      require(value.empty());
    } else {
      require((op.empty() || op == "Equal") && valid(is_valid_label_value(value)));
    }
    require(effect.empty() || effect == "NoSchedule" || effect == "PreferNoSchedule" ||
            effect == "NoExecute");
    return {key, effect};
  }

  // ---- volumes

  void volume(element item, std::string& out) {
    const auto& members = volume_members();
    std::string_view name;
    int sources = 0;
    object_writer writer(out);
    const uint64_t seen = walk(object(item), members, &writer, [&](volume_key id, element v) {
      if (id == volume_key::name) {
        name = text(v);
        return json::append_quoted(out, name);
      }
      ++sources;
      if (id == volume_key::config_map) return named_source(v, config_map_members(), out);
      if (id == volume_key::secret) return named_source(v, secret_members(), out);
      empty_dir_source(v, out);
    });
    require(sources <= 1 && !name.empty() && valid(is_dns1123_label(name)));
    add_unique(volumes_, name);
    writer.defaults_follow();
    if (sources == 0 && add_default(writer, members, seen, volume_key::empty_dir)) out += "{}";
    writer.close();
  }

  // A configMap or secret source: its name (required), defaultMode (default 0644) and optional.
  static void named_source(element v, const known_members<source_key>& members, std::string& out) {
    object_writer writer(out);
    const uint64_t seen = walk(object(v), members, &writer, [&](source_key id, element m) {
      if (id == source_key::name) return json::append_quoted(out, nonempty_text(m));
      if (id == source_key::default_mode) return write_int(out, integer(m, 0, 0777));
      write_bool(out, boolean(m));
    });
    require(seen & members.of(source_key::name).bit);
    writer.defaults_follow();
    if (add_default(writer, members, seen, source_key::default_mode)) out += "420";
    writer.close();
  }

  static void empty_dir_source(element v, std::string& out) {
    object_writer writer(out);
    walk(object(v), empty_dir_members(), &writer,
         [&](empty_dir_key, element m) { json::append_quoted(out, text(m)); });
    writer.close();
  }

  // ---- containers

  void container(element item, std::string& out) {
    const auto& members = container_members();
    std::string_view name, image;
    small_list<std::string_view> mount_paths;
    object_writer writer(out);
    const uint64_t seen = walk(object(item), members, &writer, [&](container_key id, element v) {
      switch (id) {
        case container_key::name:
          name = text(v);
          return json::append_quoted(out, name);
        case container_key::image:
          image = nonempty_text(v);
          return json::append_quoted(out, image);
        case container_key::command:
        case container_key::args:
          return write_strings(out, array(v));
        case container_key::working_dir:
          return json::append_quoted(out, text(v));
        case container_key::ports:
          return ports(v, out);
        case container_key::env:
          return for_each_item(v, out, env_var);
        case container_key::resources:
          return resources(v, out);
        case container_key::volume_mounts:
          return for_each_item(
              v, out, [&](element mount, std::string& o) { volume_mount(mount, mount_paths, o); });
        case container_key::liveness_probe:
          return probe(v, probe_kind::liveness, out);
        case container_key::readiness_probe:
          return probe(v, probe_kind::readiness, out);
        case container_key::startup_probe:
          return probe(v, probe_kind::startup, out);
        case container_key::termination_message_path:
          return json::append_quoted(out, nonempty_text(v));
        case container_key::termination_message_policy:
          return json::append_quoted(out, one_of(v, {"File", "FallbackToLogsOnError"}));
        case container_key::image_pull_policy:
          return json::append_quoted(out, one_of(v, {"Always", "IfNotPresent", "Never"}));
        case container_key::stdin:
        case container_key::stdin_once:
        case container_key::tty:
          return write_bool(out, boolean(v));
        case container_key::count:
          return;
      }
    });
    require(!image.empty() && !name.empty() && valid(is_dns1123_label(name)));
    add_unique(container_names_, name);
    writer.defaults_follow();
    if (add_default(writer, members, seen, container_key::resources)) out += "{}";
    if (!(seen & members.of(container_key::resources).bit)) qos_.end_container();
    if (add_default(writer, members, seen, container_key::termination_message_path))
      out += "\"/dev/termination-log\"";
    if (add_default(writer, members, seen, container_key::termination_message_policy))
      out += "\"File\"";
    if (add_default(writer, members, seen, container_key::image_pull_policy))
      json::append_quoted(out, default_image_pull_policy(image));
    writer.close();
  }

  static void ports(element v, std::string& out) {
    small_list<std::string_view> names;
    for_each_item(v, out, [&names](element item, std::string& o) {
      const auto& members = port_members();
      int64_t number = 0;
      object_writer writer(o);
      const uint64_t seen = walk(object(item), members, &writer, [&](port_key id, element m) {
        if (id == port_key::name) {
          std::string_view name = text(m);
          if (!name.empty()) {
            require(valid(is_valid_port_name(name)));
            add_unique(names, name);
          }
          return json::append_quoted(o, name);
        }
        if (id == port_key::container_port) {
          number = integer(m, 1, 65535);
          return write_int(o, number);
        }
        json::append_quoted(o, one_of(m, {"TCP", "UDP", "SCTP"}));
      });
      require(number != 0);
      writer.defaults_follow();
      if (add_default(writer, members, seen, port_key::protocol)) o += "\"TCP\"";
      writer.close();
    });
  }

  static void env_var(element item, std::string& out) {
    std::string_view name;
    object_writer writer(out);
    walk(object(item), env_members(), &writer, [&](env_key id, element v) {
      std::string_view s = text(v);
      if (id == env_key::name) name = s;
      json::append_quoted(out, s);
    });
    require(!name.empty() && valid(is_relaxed_env_var_name(name)));
    writer.close();
  }

  void volume_mount(element item, small_list<std::string_view>& mount_paths, std::string& out) {
    std::string_view name, path;
    object_writer writer(out);
    walk(object(item), mount_members(), &writer, [&](mount_key id, element v) {
      if (id == mount_key::read_only) return write_bool(out, boolean(v));
      std::string_view s = nonempty_text(v);
      (id == mount_key::name ? name : path) = s;
      json::append_quoted(out, s);
    });
    require(!name.empty() && !path.empty());
    add_unique(mount_paths, path);
    require(mounted_volumes_.size() < kMostListed);
    mounted_volumes_.push_back(name);
    writer.close();
  }

  // The container's requests default to its limits (SetDefaults_Pod); both feed the QoS class.
  void resources(element v, std::string& out) {
    const auto& members = resources_members();
    std::optional<quantity_list> limits, requests;
    const uint64_t seen = walk(object(v), members, nullptr, [&](resources_key id, element m) {
      (id == resources_key::limits ? limits : requests) = read_quantities(m);
    });
    if (limits && requests) {
      for (const quantity_entry& request : *requests)
        for (const quantity_entry& limit : *limits)
          if (limit.resource == request.resource)
            require(schema::compare(request.value, limit.value) <= 0);
    }
    const bool requests_default = limits && !requests;
    if (limits) {
      if (!requests) requests.emplace();
      bool added = false;
      for (const quantity_entry& limit : *limits) {
        auto same = [&](const quantity_entry& r) { return r.resource == limit.resource; };
        if (std::any_of(requests->begin(), requests->end(), same)) continue;
        requests->push_back(limit);
        added = true;
      }
      if (added)
        std::stable_sort(requests->begin(), requests->end(),
                         [](const auto& a, const auto& b) { return a.resource < b.resource; });
    }
    object_writer writer(out);
    for (auto field : object(v)) {
      const auto& member = members[field.key];
      writer.member(member.rank, member.field);
      write_quantities(out, member.id == resources_key::limits ? *limits : *requests);
    }
    writer.defaults_follow();
    if (requests_default && add_default(writer, members, seen, resources_key::requests))
      write_quantities(out, *requests);
    writer.close();
    if (requests)
      for (const quantity_entry& q : *requests) qos_.add_request(q.resource, q.text);
    if (limits)
      for (const quantity_entry& q : *limits) qos_.add_limit(q.resource, q.text);
    qos_.end_container();
  }

  // ---- probes

  static void probe(element v, probe_kind kind, std::string& out) {
    const auto& members = probe_members();
    int handlers = 0;
    object_writer writer(out);
    const uint64_t seen = walk(object(v), members, &writer, [&](probe_key id, element m) {
      switch (id) {
        case probe_key::exec:
          ++handlers;
          return exec_action(m, out);
        case probe_key::http_get:
          ++handlers;
          return http_get_action(m, out);
        case probe_key::tcp_socket:
          ++handlers;
          return tcp_socket_action(m, out);
        case probe_key::initial_delay:
          return write_int(out, integer(m, 0, kInt32Max));
        case probe_key::success_threshold:
          if (kind != probe_kind::readiness) return write_int(out, integer(m, 1, 1));
          [[fallthrough]];
        case probe_key::timeout:
        case probe_key::period:
        case probe_key::failure_threshold:
          return write_int(out, integer(m, 1, kInt32Max));
        case probe_key::count:
          return;
      }
    });
    require(handlers == 1);
    writer.defaults_follow();
    auto set = [&](probe_key id, std::string_view literal) {
      if (add_default(writer, members, seen, id)) out += literal;
    };
    set(probe_key::timeout, "1");
    set(probe_key::period, "10");
    set(probe_key::success_threshold, "1");
    set(probe_key::failure_threshold, "3");
    writer.close();
  }

  static void exec_action(element v, std::string& out) {
    object_writer writer(out);
    bool has_command = false;
    walk(object(v), exec_members(), &writer, [&](exec_key, element m) {
      require(array(m).size() > 0);
      has_command = true;
      write_strings(out, array(m));
    });
    require(has_command);
    writer.close();
  }

  // An IntOrString port: a number in 1-65535 or an IANA service name.
  static void write_port(element v, std::string& out) {
    if (v.type() == element_type::STRING) {
      require(valid(is_valid_port_name(text(v))));
      return json::append_quoted(out, text(v));
    }
    write_int(out, integer(v, 1, 65535));
  }

  static void http_get_action(element v, std::string& out) {
    const auto& members = http_get_members();
    object_writer writer(out);
    const uint64_t seen = walk(object(v), members, &writer, [&](http_get_key id, element m) {
      if (id == http_get_key::path) return json::append_quoted(out, nonempty_text(m));
      if (id == http_get_key::port) return write_port(m, out);
      json::append_quoted(out, one_of(m, {"HTTP", "HTTPS"}));
    });
    require(seen & members.of(http_get_key::port).bit);
    writer.defaults_follow();
    if (add_default(writer, members, seen, http_get_key::path)) out += "\"/\"";
    if (add_default(writer, members, seen, http_get_key::scheme)) out += "\"HTTP\"";
    writer.close();
  }

  static void tcp_socket_action(element v, std::string& out) {
    object_writer writer(out);
    const uint64_t seen = walk(object(v), tcp_socket_members(), &writer,
                               [&](tcp_socket_key, element m) { write_port(m, out); });
    require(seen != 0);
    writer.close();
  }

  std::string_view ns_;
  admitted_pod pod_;
  qos_tally qos_;
  small_list<std::string_view> volumes_, mounted_volumes_, container_names_;
  std::string_view restart_policy_, scheduler_name_;
  std::optional<std::string_view> node_name_, service_account_name_;
};

}  // namespace

std::optional<admitted_pod> admit_pod_create(std::string_view json_body, std::string_view url_ns) {
  thread_local simdjson::dom::parser parser;
  constexpr size_t kLargestBody = 64 * 1024;  // larger pods are rare; the parser keeps its size
  if (json_body.size() > kLargestBody) return std::nullopt;
  element root;
  if (parser.parse(json_body.data(), json_body.size(), true).get(root)) return std::nullopt;
  if (root.type() != element_type::OBJECT) return std::nullopt;
  try {
    return pod_reader(url_ns).read(root.get_object().value_unsafe());
  } catch (const not_fast&) {
    return std::nullopt;
  }
}

}  // namespace kactor::api
