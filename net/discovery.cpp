#include "net/discovery.hpp"

#include <vector>

#include "api/json.hpp"
#include "api/resources.hpp"

namespace kactor::net {
namespace {

json::value string_array(const std::vector<std::string>& items) {
  json::value a = json::value::make_array();
  for (const auto& s : items) a.as_array().emplace_back(s);
  return a;
}

std::vector<std::string> group_versions(const std::string& group) {
  std::vector<std::string> versions;
  for (const auto& r : api::all_resources())
    if (r.group == group &&
        std::find(versions.begin(), versions.end(), r.version) == versions.end())
      versions.push_back(r.version);
  return versions;
}

json::value group_version(const std::string& group, const std::string& version) {
  json::value gv = json::value::make_object();
  gv.set("groupVersion", group + "/" + version);
  gv.set("version", version);
  return gv;
}

json::value group_object(const std::string& group) {
  json::value g = json::value::make_object();
  g.set("name", group);
  json::value versions = json::value::make_array();
  auto names = group_versions(group);
  for (const auto& v : names) versions.as_array().push_back(group_version(group, v));
  g.set("versions", std::move(versions));
  g.set("preferredVersion", group_version(group, names.front()));
  return g;
}

json::value resource_entry(const api::resource_info& r) {
  json::value e = json::value::make_object();
  e.set("name", r.plural);
  e.set("singularName", r.singular);
  e.set("namespaced", r.namespaced);
  e.set("kind", r.kind);
  e.set("verbs", string_array(r.verbs));
  if (!r.short_names.empty()) e.set("shortNames", string_array(r.short_names));
  if (!r.categories.empty()) e.set("categories", string_array(r.categories));
  return e;
}

json::value subresource_entry(const api::resource_info& r, const api::subresource_info& s) {
  json::value e = json::value::make_object();
  e.set("name", r.plural + "/" + s.name);
  e.set("singularName", "");
  e.set("namespaced", r.namespaced);
  if (!s.group.empty()) e.set("group", s.group);
  if (!s.version.empty()) e.set("version", s.version);
  e.set("kind", s.kind);
  e.set("verbs", string_array(s.verbs));
  return e;
}

}  // namespace

std::string version_json() {
  json::value v = json::value::make_object();
  v.set("major", "1");
  v.set("minor", "32");
  v.set("gitVersion", "v1.32.0-kactor");
  v.set("gitCommit", "0000000000000000000000000000000000000000");
  v.set("gitTreeState", "clean");
  v.set("buildDate", "2026-11-27T00:00:00Z");
  v.set("goVersion", "n/a (C++20)");
  v.set("compiler", "gcc");
  v.set("platform", "linux/amd64");
  return json::dump(v);
}

std::string api_versions_json(const std::string& server_address) {
  json::value doc = json::value::make_object();
  doc.set("kind", "APIVersions");
  doc.set("versions", string_array({"v1"}));
  json::value cidr = json::value::make_object();
  cidr.set("clientCIDR", "0.0.0.0/0");
  cidr.set("serverAddress", server_address);
  json::value cidrs = json::value::make_array();
  cidrs.as_array().push_back(std::move(cidr));
  doc.set("serverAddressByClientCIDRs", std::move(cidrs));
  return json::dump(doc);
}

std::string api_group_list_json() {
  json::value doc = json::value::make_object();
  doc.set("kind", "APIGroupList");
  doc.set("apiVersion", "v1");
  json::value groups = json::value::make_array();
  std::vector<std::string> seen;
  for (const auto& r : api::all_resources()) {
    if (r.group.empty() || std::find(seen.begin(), seen.end(), r.group) != seen.end()) continue;
    seen.push_back(r.group);
    groups.as_array().push_back(group_object(r.group));
  }
  doc.set("groups", std::move(groups));
  return json::dump(doc);
}

std::optional<std::string> api_group_json(const std::string& group) {
  if (group.empty() || group_versions(group).empty()) return std::nullopt;
  json::value doc = group_object(group);
  json::value out = json::value::make_object();
  out.set("kind", "APIGroup");
  out.set("apiVersion", "v1");
  for (auto& m : doc.as_object()) out.set(m.key, std::move(m.val));
  return json::dump(out);
}

std::optional<std::string> api_resource_list_json(const std::string& group,
                                                  const std::string& version) {
  json::value resources = json::value::make_array();
  for (const auto& r : api::all_resources()) {
    if (r.group != group || r.version != version) continue;
    resources.as_array().push_back(resource_entry(r));
    for (const auto& s : r.subresources) resources.as_array().push_back(subresource_entry(r, s));
  }
  if (resources.as_array().empty()) return std::nullopt;
  json::value doc = json::value::make_object();
  doc.set("kind", "APIResourceList");
  doc.set("apiVersion", "v1");
  doc.set("groupVersion", group.empty() ? version : group + "/" + version);
  doc.set("resources", std::move(resources));
  return json::dump(doc);
}

}  // namespace kactor::net
