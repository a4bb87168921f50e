#include "store/write.hpp"

#include <algorithm>

namespace kactor::store {
namespace {

const std::string& group_segment(const std::string& group) {
  static const std::string core = "core";
  return group.empty() ? core : group;
}

void append_member(std::string& out, const json::member& m) {
  if (!out.empty()) out += ',';
  json::append_quoted(out, m.key);
  out += ':';
  json::dump_to(m.val, out);
}

bool is_known_metadata(std::string_view key) {
  return std::find(k_metadata_order.begin(), k_metadata_order.end(), key) != k_metadata_order.end();
}

// Encodes the members of `meta` that the store keeps: generateName on its own, and the tail
// after creationTimestamp in the stored order (the known members by k_metadata_order, then the
// unknown ones as they came). The members the store stamps are left out.
void split_metadata(const json::value& meta, prepared_object& prepared) {
  if (!meta.is_object()) return;
  const json::object& members = meta.as_object();
  auto append_named = [&members](std::string& out, std::string_view name) {
    auto it = std::find_if(members.begin(), members.end(),
                           [name](const json::member& m) { return m.key == name; });
    if (it != members.end()) append_member(out, *it);
  };
  append_named(prepared.generate_name, "generateName");
  constexpr size_t k_first_tail_field = 10;
  static_assert(k_metadata_order[k_first_tail_field] == "labels");
  for (size_t i = k_first_tail_field; i < k_metadata_order.size(); ++i)
    append_named(prepared.metadata_tail, k_metadata_order[i]);
  for (const auto& m : members)
    if (!is_known_metadata(m.key)) append_member(prepared.metadata_tail, m);
}

}  // namespace

std::string object_key(const std::string& group, const std::string& plural, const std::string& ns,
                       const std::string& name) {
  std::string key = group_segment(group);
  key.append("/").append(plural).append("/");
  if (!ns.empty()) key.append(ns).append("/");
  key.append(name);
  return key;
}

std::string cluster_ip_key(std::string_view ip) {
  return "~index/clusterips/" + std::string(ip);
}

std::string collection_prefix(const std::string& group, const std::string& plural,
                              const std::string& ns) {
  std::string prefix = group_segment(group);
  prefix.append("/").append(plural).append("/");
  if (!ns.empty()) prefix.append(ns).append("/");
  return prefix;
}

prepared_object prepare_object(json::value obj) {
  prepared_object prepared;
  prepared.facts = std::make_shared<const api::object_facts>(api::extract_facts(obj));
  if (!obj.is_object()) return prepared;
  for (auto& m : obj.as_object()) {
    if (m.key == "kind" || m.key == "apiVersion") {
      if (m.val.is_string())
        (m.key == "kind" ? prepared.kind : prepared.api_version) = std::move(m.val.as_string());
    } else if (m.key == "metadata") {
      split_metadata(m.val, prepared);
    } else {
      append_member(prepared.rest, m);
    }
  }
  return prepared;
}

json::value joined_object(prepared_object prepared) {
  json::value obj;
  if (!json::parse("{" + prepared.rest + "}", obj).ok) obj = json::value::make_object();
  if (!prepared.kind.empty()) obj.set("kind", std::move(prepared.kind));
  if (!prepared.api_version.empty()) obj.set("apiVersion", std::move(prepared.api_version));
  std::string meta_text = "{" + prepared.generate_name;
  if (!prepared.generate_name.empty() && !prepared.metadata_tail.empty()) meta_text += ',';
  meta_text += prepared.metadata_tail + "}";
  json::value meta;
  if (!json::parse(meta_text, meta).ok) meta = json::value::make_object();
  obj.set("metadata", std::move(meta));
  return obj;
}

}  // namespace kactor::store
