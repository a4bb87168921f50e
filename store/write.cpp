#include "store/write.hpp"

namespace kactor::store {
namespace {

const std::string& group_segment(const std::string& group) {
  static const std::string core = "core";
  return group.empty() ? core : group;
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
      prepared.metadata = std::move(m.val);
    } else {
      if (!prepared.rest.empty()) prepared.rest += ',';
      json::append_quoted(prepared.rest, m.key);
      prepared.rest += ':';
      json::dump_to(m.val, prepared.rest);
    }
  }
  return prepared;
}

json::value joined_object(prepared_object prepared) {
  json::value obj;
  if (!json::parse("{" + prepared.rest + "}", obj).ok) obj = json::value::make_object();
  if (!prepared.kind.empty()) obj.set("kind", std::move(prepared.kind));
  if (!prepared.api_version.empty()) obj.set("apiVersion", std::move(prepared.api_version));
  obj.set("metadata", std::move(prepared.metadata));
  return obj;
}

}  // namespace kactor::store
