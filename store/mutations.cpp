#include "store/mutations.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include "api/resources.hpp"
#include "api/selectors.hpp"

namespace kactor::store {
namespace {

using json::value;
using event_type = watch_event::type;
using facts_ptr = std::shared_ptr<const api::object_facts>;

constexpr std::array<std::string_view, 3> k_top_level_order = {"kind", "apiVersion", "metadata"};

// Metadata an update cannot change: always taken from the stored object.
// clang-format off
constexpr std::array<std::string_view, 7> k_immutable_metadata = {
    "name", "namespace", "uid", "generation", "creationTimestamp", "deletionTimestamp",
    "deletionGracePeriodSeconds"};
// clang-format on

// Whether the members named in `order` come first, in that order, before all others.
bool is_in_order(const json::object& members, std::span<const std::string_view> order) {
  size_t next = 0;  // members named order[next..] may still follow; order.size(): none may
  for (const auto& m : members) {
    auto it = std::find(order.begin(), order.end(), m.key);
    if (it == order.end()) {
      next = order.size();
      continue;
    }
    auto position = static_cast<size_t>(it - order.begin());
    if (next == order.size() || position < next) return false;
    next = position + 1;
  }
  return true;
}

json::object in_order(json::object members, std::span<const std::string_view> order) {
  if (is_in_order(members, order)) return members;
  json::object sorted;
  sorted.reserve(members.size());
  for (std::string_view name : order) {
    auto it = std::find_if(members.begin(), members.end(),
                           [name](const json::member& m) { return m.key == name; });
    if (it == members.end()) continue;
    sorted.push_back(std::move(*it));
    members.erase(it);
  }
  for (auto& m : members) sorted.push_back(std::move(m));
  return sorted;
}

value& metadata_of(value& obj) {
  value& meta = obj["metadata"];
  if (!meta.is_object()) meta = value::make_object();
  return meta;
}

void normalize_layout(value& obj) {
  value& meta = metadata_of(obj);
  meta = value(in_order(std::move(meta.as_object()), k_metadata_order));
  obj = value(in_order(std::move(obj.as_object()), k_top_level_order));
}

std::string meta_string(const value& obj, std::string_view field) {
  const value* v = obj.at({"metadata", field});
  return v && v->is_string() ? v->as_string() : std::string();
}

void copy_meta_field(const value& from, value& to, std::string_view field) {
  const value* v = from.at({"metadata", field});
  if (v)
    metadata_of(to).set(field, *v);
  else
    metadata_of(to).erase(field);
}

void copy_field(const value& from, value& to, std::string_view field) {
  const value* v = from.find(field);
  if (v)
    to.set(field, *v);
  else
    to.erase(field);
}

bool same_field(const value& a, const value& b, std::string_view field) {
  const value* x = a.find(field);
  const value* y = b.find(field);
  if (!x || !y) return x == y;
  return *x == *y;
}

// On the metadata object itself; "" removes it.
void set_metadata_resource_version(value& meta, const std::string& rv) {
  if (rv.empty())
    meta.erase("resourceVersion");
  else
    meta.set("resourceVersion", rv);
}

void set_resource_version(value& obj, const std::string& rv) {
  set_metadata_resource_version(metadata_of(obj), rv);
}

uint64_t resource_version(const value& obj) {
  std::string text = meta_string(obj, "resourceVersion");
  uint64_t rv = 0;
  std::from_chars(text.data(), text.data() + text.size(), rv);
  return rv;
}

int64_t generation(const value& obj) {
  const value* v = obj.at({"metadata", "generation"});
  return v && v->is_int() ? v->as_int() : 0;
}

bool being_deleted(const value& obj) {
  const value* v = obj.at({"metadata", "deletionTimestamp"});
  return v && !v->is_null();
}

std::vector<std::string> finalizers(const value& obj) {
  std::vector<std::string> names;
  const value* v = obj.at({"metadata", "finalizers"});
  if (!v || !v->is_array()) return names;
  for (const auto& f : v->as_array())
    if (f.is_string()) names.push_back(f.as_string());
  return names;
}

bool parse_object(std::string_view text, value& out) {
  return json::parse(text, out).ok && out.is_object();
}

// Whether a stored Namespace is being deleted or Terminating.
bool namespace_closing(std::string_view bytes) {
  // Most namespaces are open: without either word they cannot be closing, no need to parse.
  if (bytes.find("\"deletionTimestamp\"") == std::string_view::npos &&
      bytes.find("Terminating") == std::string_view::npos)
    return false;
  value ns;
  if (!parse_object(bytes, ns)) return false;
  const value* phase = ns.at({"status", "phase"});
  const bool terminating = phase && phase->is_string() && phase->as_string() == "Terminating";
  return being_deleted(ns) || terminating;
}

// The request's object: the parsed one a local writer handed over, else its body parsed.
bool take_object(const write_request& req, value& out) {
  if (!req.object) return parse_object(req.body, out);
  out = std::move(*req.object);
  return out.is_object();
}

// Go's %#v of a []string, as kube-apiserver prints it in validation messages.
std::string go_string_slice(const std::vector<std::string>& items) {
  std::string out = "[]string{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    json::append_quoted(out, items[i]);
  }
  return out + "}";
}

// The cluster IPs a Service holds: spec.clusterIP and spec.clusterIPs, without "None".
std::vector<std::string> cluster_ips_of(const value& svc) {
  std::vector<std::string> ips;
  auto add = [&ips](const value* v) {
    if (!v || !v->is_string()) return;
    const std::string& ip = v->as_string();
    if (!ip.empty() && ip != "None" && std::find(ips.begin(), ips.end(), ip) == ips.end())
      ips.push_back(ip);
  };
  const value* spec = svc.find("spec");
  if (!spec) return ips;
  add(spec->find("clusterIP"));
  if (const value* list = spec->find("clusterIPs"); list && list->is_array())
    for (const auto& ip : list->as_array()) add(&ip);
  return ips;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

facts_ptr facts_of(const value& obj) {
  return std::make_shared<const api::object_facts>(api::extract_facts(obj));
}

watch_event_ptr make_event(event_type type, uint64_t revision, const std::string& key,
                           std::string_view object, facts_ptr facts, facts_ptr prev_facts,
                           std::shared_ptr<const std::string> prev_object = nullptr) {
  auto event = std::make_shared<watch_event>();
  event->prev_object = std::move(prev_object);
  event->kind = type;
  event->revision = revision;
  event->key = key;
  event->line = std::make_shared<const std::string>(
      encode_watch_line(event_type_name(type), object, &event->object_begin));
  event->facts = std::move(facts);
  event->prev_facts = std::move(prev_facts);
  return event;
}

write_outcome failure(api::api_error error) {
  write_outcome out;
  out.result.error = std::move(error);
  return out;
}

// Decides one request. Each verb reads the current state, checks, and ends in one of
// put (ADDED/MODIFIED), erase (DELETED, possibly cascading) or unchanged (a no-op).
class planner {
 public:
  planner(const write_request& req, backend& session, const write_context& ctx,
          const api::resource_info& info)
      : req_(req),
        session_(session),
        ctx_(ctx),
        info_(info),
        key_(object_key(req.group, req.plural, info.namespaced ? req.ns : "", req.name)) {}

  write_outcome run() {
    switch (req_.verb) {
      case write_verb::create:
        return create();
      case write_verb::update:
        return update(false);
      case write_verb::update_status:
        return update(true);
      case write_verb::update_whole:
        return update(false);
      case write_verb::remove:
        return remove();
    }
    return failure(api::internal_error("unknown write verb"));
  }

 private:
  write_outcome create();
  write_outcome update(bool status_only);
  write_outcome remove();

  std::optional<api::api_error> check_namespace_open() const;
  std::optional<api::api_error> load_current(value& current, std::string& bytes) const;
  std::optional<api::api_error> check_update_preconditions(const value& current,
                                                           const value& body) const;
  std::optional<api::api_error> check_delete_preconditions(const value& current) const;
  std::optional<api::api_error> check_no_new_finalizers(const value& current,
                                                        const value& next) const;
  value apply_update(value body, const value& current) const;
  void fill_type(value& obj) const;
  std::string written_rv(const value& current) const;
  bool is_namespace() const { return info_.group.empty() && info_.plural == "namespaces"; }
  bool is_service() const { return info_.group.empty() && info_.plural == "services"; }
  std::optional<api::api_error> track_cluster_ips(const value& next, const value* previous,
                                                  std::vector<mutation>& out) const;
  void free_cluster_ips(const std::string& key, const std::vector<std::string>& ips,
                        std::vector<mutation>& out) const;

  write_outcome create_prepared(prepared_object prepared) const;
  bool facts_hold(const prepared_object& prepared) const;
  void stamp_created(value& meta) const;
  write_outcome put(event_type type, value obj, const value* previous) const;
  write_outcome written(event_type type, std::string bytes, facts_ptr facts, const value* previous,
                        std::vector<mutation> ip_records) const;
  bool annotations_changed(const value& current, const value& next) const;
  write_outcome erase(value last) const;
  write_outcome unchanged(std::string bytes) const;
  void erase_namespace_contents(const std::string& ns, write_outcome& out) const;
  void erase_one(const std::string& key, value last, write_outcome& out) const;

  const write_request& req_;
  backend& session_;
  const write_context& ctx_;
  const api::resource_info& info_;
  std::string key_;
};

write_outcome planner::create() {
  if (info_.namespaced) {
    if (auto error = check_namespace_open()) return failure(std::move(*error));
  }
  if (session_.get_for_write(key_))
    return failure(api::already_exists(req_.plural, req_.group, req_.name));
  value obj;
  if (req_.prepared) {
    // A Service's addresses are claimed from its spec, which only the full document shows.
    if (!is_service()) return create_prepared(std::move(*req_.prepared));
    obj = joined_object(std::move(*req_.prepared));
  } else if (!take_object(req_, obj)) {
    return failure(api::bad_request("the object to create is not a JSON object"));
  }
  fill_type(obj);
  stamp_created(metadata_of(obj));
  return put(event_type::added, std::move(obj), nullptr);
}

// The bytes are those put() would write for the joined object: type, then metadata (what
// stamp_created sets, in k_metadata_order, around the client's members), then the rest in its
// order.
write_outcome planner::create_prepared(prepared_object prepared) const {
  std::string bytes;
  bytes.reserve(prepared.rest.size() + prepared.metadata_tail.size() + 256);
  bytes.append(R"({"kind":)");
  json::append_quoted(bytes, prepared.kind.empty() ? info_.kind : prepared.kind);
  bytes.append(R"(,"apiVersion":)");
  json::append_quoted(bytes,
                      prepared.api_version.empty() ? info_.api_version() : prepared.api_version);
  bytes.append(R"(,"metadata":{"name":)");
  json::append_quoted(bytes, req_.name);
  if (!prepared.generate_name.empty()) bytes.append(",").append(prepared.generate_name);
  if (info_.namespaced) {
    bytes.append(R"(,"namespace":)");
    json::append_quoted(bytes, req_.ns);
  }
  bytes.append(R"(,"uid":)");
  json::append_quoted(bytes, ctx_.new_uid());
  if (std::string rv = written_rv(value()); !rv.empty()) {
    bytes.append(R"(,"resourceVersion":)");
    json::append_quoted(bytes, rv);
  }
  if (info_.has_spec) bytes.append(R"(,"generation":1)");
  bytes.append(R"(,"creationTimestamp":)");
  json::append_quoted(bytes, ctx_.now);
  if (!prepared.metadata_tail.empty()) bytes.append(",").append(prepared.metadata_tail);
  bytes.push_back('}');
  if (!prepared.rest.empty()) bytes.append(",").append(prepared.rest);
  bytes.push_back('}');
  facts_ptr facts = facts_hold(prepared) ? std::move(prepared.facts) : nullptr;
  if (!facts && !req_.dry_run) {
    value stored;
    json::parse(bytes, stored);
    facts = facts_of(stored);
  }
  return written(event_type::added, std::move(bytes), std::move(facts), nullptr, {});
}

// Whether the facts the API layer took still describe the object once the store has set its
// type, name and namespace.
bool planner::facts_hold(const prepared_object& prepared) const {
  if (!prepared.facts || prepared.kind != info_.kind) return false;
  const auto& fields = prepared.facts->fields;
  auto field = [&fields](std::string_view path) -> std::optional<std::string_view> {
    auto it = fields.find(path);
    if (it == fields.end()) return std::nullopt;
    return it->second;
  };
  const auto expected_ns =
      info_.namespaced ? std::optional<std::string_view>(req_.ns) : std::nullopt;
  return field("metadata.name") == std::string_view(req_.name) &&
         field("metadata.namespace") == expected_ns;
}

// The metadata the server owns on a new object.
void planner::stamp_created(value& meta) const {
  meta.set("name", req_.name);
  if (info_.namespaced)
    meta.set("namespace", req_.ns);
  else
    meta.erase("namespace");
  meta.set("uid", ctx_.new_uid());
  meta.set("creationTimestamp", ctx_.now);
  for (auto field : {"selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"})
    meta.erase(field);
  if (info_.has_spec)
    meta.set("generation", int64_t{1});
  else
    meta.erase("generation");
  set_metadata_resource_version(meta, written_rv(value()));
}

write_outcome planner::update(bool status_only) {
  value current;
  std::string current_bytes;
  if (auto error = load_current(current, current_bytes)) return failure(std::move(*error));
  value body;
  if (!take_object(req_, body))
    return failure(api::bad_request("the object to update is not a JSON object"));
  if (auto error = check_update_preconditions(current, body)) return failure(std::move(*error));

  value next = current;
  if (status_only)
    copy_field(body, next, "status");
  else
    next = apply_update(std::move(body), current);
  if (auto error = check_no_new_finalizers(current, next)) return failure(std::move(*error));

  if (being_deleted(next) && finalizers(next).empty()) return erase(std::move(next));
  if (next == current) return unchanged(std::move(current_bytes));
  set_resource_version(next, written_rv(current));
  return put(event_type::modified, std::move(next), &current);
}

write_outcome planner::remove() {
  value current;
  std::string current_bytes;
  if (auto error = load_current(current, current_bytes)) return failure(std::move(*error));
  if (auto error = check_delete_preconditions(current)) return failure(std::move(*error));
  if (finalizers(current).empty()) return erase(std::move(current));
  if (being_deleted(current)) return unchanged(std::move(current_bytes));

  value next = current;
  value& meta = metadata_of(next);
  meta.set("deletionTimestamp", ctx_.now);
  meta.set("deletionGracePeriodSeconds", int64_t{0});
  if (is_namespace()) next["status"].set("phase", "Terminating");
  set_resource_version(next, written_rv(current));
  return put(event_type::modified, std::move(next), &current);
}

std::optional<api::api_error> planner::check_namespace_open() const {
  if (req_.ns.empty())
    return api::bad_request("a namespace is required to create " + info_.group_resource());
  if (ctx_.open_namespaces && ctx_.open_namespaces->contains(req_.ns)) return std::nullopt;
  auto bytes = session_.get_for_write(object_key("", "namespaces", "", req_.ns));
  if (!bytes) return api::not_found("namespaces", "", req_.ns);
  if (!namespace_closing(*bytes)) {
    if (ctx_.open_namespaces) ctx_.open_namespaces->emplace(req_.ns);
    return std::nullopt;
  }
  api::api_error error = api::forbidden(
      info_.group_resource() + " \"" + req_.name + "\" is forbidden: unable to create new " +
      "content in namespace " + req_.ns + " because it is being terminated");
  error.name = req_.name;
  error.group = req_.group;
  error.kind = req_.plural;
  error.causes.push_back({"NamespaceTerminating", "namespace " + req_.ns + " is being terminated",
                          "metadata.namespace"});
  return error;
}

std::optional<api::api_error> planner::load_current(value& current, std::string& bytes) const {
  auto stored = session_.get_for_write(key_);
  if (!stored) return api::not_found(req_.plural, req_.group, req_.name);
  bytes = std::move(*stored);
  if (!parse_object(bytes, current))
    return api::internal_error("stored object " + key_ + " is not a JSON object");
  return std::nullopt;
}

std::optional<api::api_error> planner::check_update_preconditions(const value& current,
                                                                  const value& body) const {
  std::string uid = meta_string(body, "uid");
  if (uid.empty()) uid = req_.precondition_uid;
  std::string current_uid = meta_string(current, "uid");
  if (!uid.empty() && uid != current_uid)
    return api::conflict(req_.plural, req_.group, req_.name,
                         "Precondition failed: UID in precondition: " + uid +
                             ", UID in object meta: " + current_uid);
  if (req_.precondition_rv != 0 && req_.precondition_rv != resource_version(current))
    return api::stale_conflict(req_.plural, req_.group, req_.name);
  return std::nullopt;
}

std::optional<api::api_error> planner::check_delete_preconditions(const value& current) const {
  std::string current_uid = meta_string(current, "uid");
  if (!req_.precondition_uid.empty() && req_.precondition_uid != current_uid)
    return api::conflict(req_.plural, req_.group, req_.name,
                         "Precondition failed: UID in precondition: " + req_.precondition_uid +
                             ", UID in object meta: " + current_uid);
  uint64_t current_rv = resource_version(current);
  if (req_.precondition_rv != 0 && req_.precondition_rv != current_rv)
    return api::conflict(req_.plural, req_.group, req_.name,
                         "Precondition failed: ResourceVersion in precondition: " +
                             std::to_string(req_.precondition_rv) +
                             ", ResourceVersion in object meta: " + std::to_string(current_rv));
  return std::nullopt;
}

// Once an object is being deleted, finalizers may only be removed (ValidateObjectMetaUpdate).
std::optional<api::api_error> planner::check_no_new_finalizers(const value& current,
                                                               const value& next) const {
  if (!being_deleted(current)) return std::nullopt;
  std::vector<std::string> old_names = finalizers(current);
  std::vector<std::string> added;
  for (auto& name : finalizers(next))
    if (std::find(old_names.begin(), old_names.end(), name) == old_names.end())
      added.push_back(std::move(name));
  if (added.empty()) return std::nullopt;
  return api::invalid(
      info_.kind, req_.group, req_.name,
      {api::forbidden_field("metadata.finalizers",
                            "no new finalizers can be added if the object is being deleted, "
                            "found new finalizers " +
                                go_string_slice(added))});
}

// The stored state after a PUT/PATCH of the main resource: the body, with the server-owned
// metadata of the current object, its status when /status owns it, and generation bumped when
// the spec changed. resourceVersion is the current one (set by the caller if anything changed).
value planner::apply_update(value body, const value& current) const {
  value next = std::move(body);
  fill_type(next);
  for (std::string_view field : k_immutable_metadata) copy_meta_field(current, next, field);
  copy_meta_field(current, next, "resourceVersion");
  metadata_of(next).erase("selfLink");
  if (info_.has_status_subresource && req_.verb != write_verb::update_whole)
    copy_field(current, next, "status");
  if (info_.has_spec && (!same_field(current, next, "spec") || annotations_changed(current, next)))
    metadata_of(next).set("generation", generation(current) + 1);
  return next;
}

bool planner::annotations_changed(const value& current, const value& next) const {
  if (!info_.annotations_bump_generation) return false;
  const value* before = current.at({"metadata", "annotations"});
  const value* after = next.at({"metadata", "annotations"});
  auto empty = [](const value* v) {
    return !v || v->is_null() || (v->is_object() && v->as_object().empty());
  };
  if (empty(before) || empty(after)) return empty(before) != empty(after);
  return !(*before == *after);
}

void planner::fill_type(value& obj) const {
  if (obj.get_string("apiVersion").empty()) obj.set("apiVersion", info_.api_version());
  if (obj.get_string("kind").empty()) obj.set("kind", info_.kind);
}

// The resourceVersion a changed object gets: this write's revision, or for a dry run (nothing
// is written) the current one ("" for a create).
std::string planner::written_rv(const value& current) const {
  if (req_.dry_run) return meta_string(current, "resourceVersion");
  return std::to_string(ctx_.revision);
}

write_outcome planner::put(event_type type, value obj, const value* previous) const {
  std::vector<mutation> ip_records;
  if (auto error = track_cluster_ips(obj, previous, ip_records)) return failure(std::move(*error));
  normalize_layout(obj);
  facts_ptr facts = req_.dry_run ? nullptr : facts_of(obj);
  return written(type, json::dump(obj), std::move(facts), previous, std::move(ip_records));
}

// The outcome of writing `bytes` over `previous` (nullptr for a create).
write_outcome planner::written(event_type type, std::string bytes, facts_ptr facts,
                               const value* previous, std::vector<mutation> ip_records) const {
  write_outcome out;
  out.result.ok = true;
  if (req_.dry_run) {
    out.result.object = std::move(bytes);
    return out;
  }
  out.result.revision = ctx_.revision;
  facts_ptr prev_facts = previous ? facts_of(*previous) : nullptr;
  std::shared_ptr<const std::string> prev_object;
  if (previous) {
    value before = *previous;
    metadata_of(before).set("resourceVersion", std::to_string(ctx_.revision));
    prev_object = std::make_shared<const std::string>(json::dump(before));
  }
  out.events.push_back(make_event(type, ctx_.revision, key_, bytes, std::move(facts),
                                  std::move(prev_facts), std::move(prev_object)));
  out.result.object = bytes;
  out.mutations.push_back({mutation::op::put, key_, std::move(bytes)});
  for (auto& m : ip_records) out.mutations.push_back(std::move(m));
  return out;
}

// Removes the target for good; a Namespace takes every object in it along (until a namespace
// controller takes this over).
write_outcome planner::erase(value last) const {
  write_outcome out;
  out.result.ok = true;
  out.result.removed = true;
  if (req_.dry_run) {
    normalize_layout(last);
    out.result.object = json::dump(last);
    return out;
  }
  if (is_namespace()) erase_namespace_contents(req_.name, out);
  erase_one(key_, std::move(last), out);
  out.result.object = std::string(out.events.back()->object());
  out.result.revision = ctx_.revision;
  return out;
}

void planner::erase_namespace_contents(const std::string& ns, write_outcome& out) const {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& resource : api::all_resources()) {
    if (!resource.namespaced || !seen.emplace(resource.group, resource.plural).second) continue;
    for (const auto& key :
         session_.keys_for_write(collection_prefix(resource.group, resource.plural, ns))) {
      value obj;
      auto bytes = session_.get_for_write(key);
      if (bytes && parse_object(*bytes, obj))
        erase_one(key, std::move(obj), out);
      else
        out.mutations.push_back({mutation::op::erase, key, {}});
    }
  }
}

// A Service keeps its cluster IPs to itself: one record per IP, claimed when the IP first
// appears in the Service and freed when it leaves it (or the Service goes).
std::optional<api::api_error> planner::track_cluster_ips(const value& next, const value* previous,
                                                         std::vector<mutation>& out) const {
  if (!is_service()) return std::nullopt;
  const auto wanted = cluster_ips_of(next);
  const auto held = previous ? cluster_ips_of(*previous) : std::vector<std::string>{};
  for (const auto& ip : wanted) {
    if (contains(held, ip)) continue;
    auto owner = session_.get_for_write(cluster_ip_key(ip));
    if (owner && *owner != key_)
      return api::invalid("Service", "", req_.name,
                          {api::invalid_value("spec.clusterIPs", "[\"" + ip + "\"]",
                                              "failed to allocate IP " + ip +
                                                  ": provided IP is already allocated")});
    out.push_back({mutation::op::put, cluster_ip_key(ip), key_});
  }
  std::vector<std::string> dropped;
  for (const auto& ip : held)
    if (!contains(wanted, ip)) dropped.push_back(ip);
  free_cluster_ips(key_, dropped, out);
  return std::nullopt;
}

void planner::free_cluster_ips(const std::string& key, const std::vector<std::string>& ips,
                               std::vector<mutation>& out) const {
  for (const auto& ip : ips)
    if (session_.get_for_write(cluster_ip_key(ip)) == key)
      out.push_back({mutation::op::erase, cluster_ip_key(ip), {}});
}

// DELETED carries the last state at the revision of the deletion.
void planner::erase_one(const std::string& key, value last, write_outcome& out) const {
  if (key.starts_with(collection_prefix("", "services", "")))
    free_cluster_ips(key, cluster_ips_of(last), out.mutations);
  set_resource_version(last, std::to_string(ctx_.revision));
  normalize_layout(last);
  out.mutations.push_back({mutation::op::erase, key, {}});
  out.events.push_back(make_event(event_type::deleted, ctx_.revision, key, json::dump(last),
                                  facts_of(last), nullptr));
}

write_outcome planner::unchanged(std::string bytes) const {
  write_outcome out;
  out.result.ok = true;
  out.result.object = std::move(bytes);
  return out;
}

}  // namespace

write_outcome prepare_write(const write_request& req, backend& session, const write_context& ctx) {
  if (req.name.empty()) return failure(api::bad_request("resource name may not be empty"));
  const api::resource_info* info = api::find_resource(req.group, "", req.plural);
  if (!info) return failure(api::path_not_found());
  if (ctx.open_namespaces && info->kind == "Namespace") ctx.open_namespaces->clear();
  return planner(req, session, ctx, *info).run();
}

}  // namespace kactor::store
