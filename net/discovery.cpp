#include "net/discovery.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "api/json.hpp"
#include "api/openapi.hpp"
#include "api/resources.hpp"
#include "api/status.hpp"

namespace kactor::net {
namespace {

// kube-apiserver's group priorities (the aggregator's APIService priorities), highest first;
// groups of equal priority go by name.
constexpr std::pair<std::string_view, int> kGroupPriorities[] = {
    {"apiregistration.k8s.io", 18000},
    {"apps", 17800},
    {"events.k8s.io", 17750},
    {"authentication.k8s.io", 17700},
    {"authorization.k8s.io", 17600},
    {"autoscaling", 17500},
    {"batch", 17400},
    {"certificates.k8s.io", 17300},
    {"networking.k8s.io", 17200},
    {"policy", 17100},
    {"rbac.authorization.k8s.io", 17000},
    {"storage.k8s.io", 16800},
    {"admissionregistration.k8s.io", 16700},
    {"apiextensions.k8s.io", 16700},
    {"scheduling.k8s.io", 16600},
    {"coordination.k8s.io", 16500},
    {"node.k8s.io", 16300},
    {"discovery.k8s.io", 16200},
    {"flowcontrol.apiserver.k8s.io", 16100},
    {"resource.k8s.io", 15900},
    {"internal.apiserver.k8s.io", 15800},
    {"storagemigration.k8s.io", 15700},
};

int group_priority(std::string_view group) {
  for (const auto& [name, priority] : kGroupPriorities)
    if (name == group) return priority;
  return 1000;  // what kube-apiserver gives CustomResourceDefinitions
}

json::value string_array(const std::vector<std::string>& items) {
  json::value a = json::value::make_array();
  for (const auto& s : items) a.as_array().emplace_back(s);
  return a;
}

bool served(const api::resource_info& r, const std::string& group, const std::string& version) {
  return r.group == group && r.version == version;
}

// The registry entries of a group/version, by resource name as kube-apiserver lists them.
std::vector<const api::resource_info*> resources_of(const std::string& group,
                                                    const std::string& version) {
  std::vector<const api::resource_info*> out;
  for (const auto& r : api::all_resources())
    if (served(r, group, version)) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->plural < b->plural; });
  return out;
}

std::vector<const api::subresource_info*> subresources_of(const api::resource_info& r) {
  std::vector<const api::subresource_info*> out;
  for (const auto& s : r.subresources) out.push_back(&s);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

// ---- Legacy documents -------------------------------------------------------------------------

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
  auto names = served_versions(group);
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

// ---- Aggregated documents ---------------------------------------------------------------------

json::value response_kind(std::string_view group, std::string_view version, std::string_view kind) {
  json::value k = json::value::make_object();
  k.set("group", group);
  k.set("version", version);
  k.set("kind", kind);
  return k;
}

json::value aggregated_subresource(const api::resource_info& r, const api::subresource_info& s) {
  const bool same_group = s.group.empty() && s.version.empty();
  json::value e = json::value::make_object();
  e.set("subresource", s.name);
  e.set("responseKind", response_kind(same_group ? r.group : s.group,
                                      s.version.empty() ? r.version : s.version, s.kind));
  e.set("verbs", string_array(s.verbs));
  return e;
}

json::value aggregated_resource(const api::resource_info& r) {
  json::value e = json::value::make_object();
  e.set("resource", r.plural);
  e.set("responseKind", response_kind(r.group, r.version, r.kind));
  e.set("scope", r.namespaced ? "Namespaced" : "Cluster");
  e.set("singularResource", r.singular);
  e.set("verbs", string_array(r.verbs));
  if (!r.short_names.empty()) e.set("shortNames", string_array(r.short_names));
  if (!r.categories.empty()) e.set("categories", string_array(r.categories));
  if (!r.subresources.empty()) {
    json::value subs = json::value::make_array();
    for (const auto* s : subresources_of(r))
      subs.as_array().push_back(aggregated_subresource(r, *s));
    e.set("subresources", std::move(subs));
  }
  return e;
}

json::value aggregated_version(const std::string& group, const std::string& version) {
  json::value resources = json::value::make_array();
  for (const auto* r : resources_of(group, version))
    resources.as_array().push_back(aggregated_resource(*r));
  json::value v = json::value::make_object();
  v.set("version", version);
  v.set("resources", std::move(resources));
  v.set("freshness", "Current");
  return v;
}

json::value aggregated_group(const std::string& group) {
  json::value metadata = json::value::make_object();
  if (!group.empty()) metadata.set("name", group);
  metadata.set("creationTimestamp", nullptr);
  json::value versions = json::value::make_array();
  for (const auto& v : served_versions(group))
    versions.as_array().push_back(aggregated_version(group, v));
  json::value g = json::value::make_object();
  g.set("metadata", std::move(metadata));
  g.set("versions", std::move(versions));
  return g;
}

std::string_view discovery_version(discovery_format format) {
  return format == discovery_format::aggregated_v2beta1 ? "v2beta1" : "v2";
}

std::string build_aggregated(bool core_group, discovery_format format) {
  json::value items = json::value::make_array();
  if (core_group)
    items.as_array().push_back(aggregated_group(""));
  else
    for (const auto& g : served_groups()) items.as_array().push_back(aggregated_group(g));
  json::value doc = json::value::make_object();
  doc.set("kind", "APIGroupDiscoveryList");
  doc.set("apiVersion", "apidiscovery.k8s.io/" + std::string(discovery_version(format)));
  doc.set("metadata", json::value::make_object());
  doc.set("items", std::move(items));
  return json::dump(doc);
}

// ---- Accept negotiation -----------------------------------------------------------------------

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = s.find(sep);
    parts.push_back(trim(s.substr(0, at)));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

struct media_range {
  std::string_view type;  // "application/json", "*/*"
  std::string_view group, version, as;
  double quality = 1;
};

media_range parse_media_range(std::string_view text) {
  auto parts = split(text, ';');
  media_range m{parts[0]};
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t eq = parts[i].find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(parts[i].substr(0, eq)), value = trim(parts[i].substr(eq + 1));
    if (key == "g") m.group = value;
    if (key == "v") m.version = value;
    if (key == "as") m.as = value;
    if (key == "q") {
      std::string q(value);
      m.quality = std::strtod(q.c_str(), nullptr);
    }
  }
  return m;
}

std::optional<discovery_format> format_of(const media_range& m) {
  if (m.quality <= 0) return std::nullopt;
  if (m.type != "application/json" && m.type != "application/*" && m.type != "*/*")
    return std::nullopt;
  if (m.as.empty() && m.group.empty()) return discovery_format::legacy;
  if (m.group != "apidiscovery.k8s.io" || m.as != "APIGroupDiscoveryList") return std::nullopt;
  if (m.version == "v2") return discovery_format::aggregated_v2;
  if (m.version == "v2beta1") return discovery_format::aggregated_v2beta1;
  return std::nullopt;
}

// ---- HTTP helpers -----------------------------------------------------------------------------

response json_response(std::string body, std::string content_type = "application/json") {
  response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

// RFC 1123 in GMT, as HTTP dates are written: "Mon, 02 Jan 2006 15:04:05 GMT".
std::string http_date(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out;
}

// "v1beta2" -> {1, 1 (beta), 2}; a non-Kubernetes version string gives nullopt.
struct kube_version {
  int major = 0;
  int stability = 2;  // 2 GA, 1 beta, 0 alpha
  int minor = 0;
};

std::optional<int> leading_number(std::string_view& s) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return n;
}

std::optional<kube_version> parse_kube_version(std::string_view s) {
  if (!s.starts_with('v')) return std::nullopt;
  s.remove_prefix(1);
  auto major = leading_number(s);
  if (!major || *major == 0) return std::nullopt;
  kube_version v{*major};
  if (s.empty()) return v;
  for (auto [name, stability] : {std::pair{"alpha", 0}, {"beta", 1}}) {
    std::string_view word = name;
    if (!s.starts_with(word)) continue;
    s.remove_prefix(word.size());
    auto minor = leading_number(s);
    if (!minor || !s.empty()) return std::nullopt;
    return kube_version{*major, stability, *minor};
  }
  return std::nullopt;
}

}  // namespace

std::string version_json() {
  json::value v = json::value::make_object();
  v.set("major", "1");
  v.set("minor", "32");
  v.set("gitVersion", api::openapi::kGitVersion);
  v.set("gitCommit", "0000000000000000000000000000000000000000");
  v.set("gitTreeState", "clean");
  v.set("buildDate", "2026-11-27T00:00:00Z");
  v.set("goVersion", "n/a (C++20)");
  v.set("compiler", "gcc");
  v.set("platform", "linux/amd64");
  return json::dump(v);
}

int compare_kube_versions(std::string_view a, std::string_view b) {
  auto va = parse_kube_version(a), vb = parse_kube_version(b);
  if (va && vb) {
    if (va->stability != vb->stability) return vb->stability - va->stability;
    if (va->major != vb->major) return vb->major - va->major;
    return vb->minor - va->minor;
  }
  if (va || vb) return va ? -1 : 1;
  return a.compare(b);
}

std::vector<std::string> in_kube_group_order(std::vector<std::string> groups) {
  std::sort(groups.begin(), groups.end(), [](const std::string& a, const std::string& b) {
    int pa = group_priority(a), pb = group_priority(b);
    return pa != pb ? pa > pb : a < b;
  });
  return groups;
}

std::vector<std::string> served_groups() {
  std::vector<std::string> groups;
  for (const auto& r : api::all_resources())
    if (!r.group.empty() && std::find(groups.begin(), groups.end(), r.group) == groups.end())
      groups.push_back(r.group);
  return in_kube_group_order(std::move(groups));
}

std::vector<std::string> served_versions(const std::string& group) {
  std::vector<std::string> versions;
  for (const auto& r : api::all_resources())
    if (r.group == group &&
        std::find(versions.begin(), versions.end(), r.version) == versions.end())
      versions.push_back(r.version);
  std::sort(versions.begin(), versions.end(), [](const std::string& a, const std::string& b) {
    return compare_kube_versions(a, b) < 0;
  });
  return versions;
}

std::string api_versions_json(const std::string& server_address) {
  json::value doc = json::value::make_object();
  doc.set("kind", "APIVersions");
  doc.set("versions", string_array(served_versions("")));
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
  for (const auto& g : served_groups()) groups.as_array().push_back(group_object(g));
  doc.set("groups", std::move(groups));
  return json::dump(doc);
}

std::optional<std::string> api_group_json(const std::string& group) {
  if (group.empty() || served_versions(group).empty()) return std::nullopt;
  json::value doc = group_object(group);
  json::value out = json::value::make_object();
  out.set("kind", "APIGroup");
  out.set("apiVersion", "v1");
  for (auto& m : doc.as_object()) out.set(m.key, std::move(m.val));
  return json::dump(out);
}

std::optional<std::string> api_resource_list_json(const std::string& group,
                                                  const std::string& version) {
  auto served_resources = resources_of(group, version);
  if (served_resources.empty()) return std::nullopt;
  std::vector<std::pair<std::string, json::value>> entries;
  for (const auto* r : served_resources) {
    entries.emplace_back(r->plural, resource_entry(*r));
    for (const auto& s : r->subresources)
      entries.emplace_back(r->plural + "/" + s.name, subresource_entry(*r, s));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  json::value resources = json::value::make_array();
  for (auto& [name, entry] : entries) resources.as_array().push_back(std::move(entry));
  json::value doc = json::value::make_object();
  doc.set("kind", "APIResourceList");
  doc.set("apiVersion", "v1");
  doc.set("groupVersion", group.empty() ? version : group + "/" + version);
  doc.set("resources", std::move(resources));
  return json::dump(doc);
}

discovery_format negotiate_discovery_format(std::string_view accept) {
  std::vector<media_range> ranges;
  for (auto part : split(accept, ','))
    if (!part.empty()) ranges.push_back(parse_media_range(part));
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const auto& a, const auto& b) { return a.quality > b.quality; });
  for (const auto& m : ranges)
    if (auto format = format_of(m)) return *format;
  return discovery_format::legacy;
}

std::string discovery_content_type(discovery_format format) {
  if (format == discovery_format::legacy) return "application/json";
  return "application/json;g=apidiscovery.k8s.io;v=" + std::string(discovery_version(format)) +
         ";as=APIGroupDiscoveryList";
}

const std::string& aggregated_discovery_json(bool core_group, discovery_format format) {
  static const std::string documents[2][2] = {
      {build_aggregated(false, discovery_format::aggregated_v2),
       build_aggregated(false, discovery_format::aggregated_v2beta1)},
      {build_aggregated(true, discovery_format::aggregated_v2),
       build_aggregated(true, discovery_format::aggregated_v2beta1)}};
  return documents[core_group][format == discovery_format::aggregated_v2beta1];
}

response root_discovery_response(bool core_group, std::string_view accept,
                                 const std::string& server_address) {
  const discovery_format format = negotiate_discovery_format(accept);
  response r;
  if (format == discovery_format::legacy)
    r = json_response(core_group ? api_versions_json(server_address) : api_group_list_json());
  else
    r = json_response(aggregated_discovery_json(core_group, format),
                      discovery_content_type(format));
  r.headers.emplace_back("Vary", "Accept");
  return r;
}

response openapi_index_response() {
  return json_response(api::openapi::served_index_json());
}

response openapi_document_response(std::string_view path, const std::optional<std::string>& hash,
                                   std::chrono::system_clock::time_point now) {
  const api::openapi::encoded_document* doc = api::openapi::find_served_document(path);
  if (!doc) {
    response r = json_response(api::status_json(api::path_not_found()));
    r.status = 404;
    return r;
  }
  if (hash && !hash->empty() && *hash != doc->hash) {
    const std::string location = "/openapi/v3/" + doc->path + "?hash=" + doc->hash;
    response r = json_response("<a href=\"" + location + "\">Moved Permanently</a>.\n",
                               "text/html; charset=utf-8");
    r.status = 301;
    r.headers.emplace_back("Location", location);
    return r;
  }
  response r = json_response(doc->json);
  r.headers.emplace_back("Vary", "Accept");
  if (hash && !hash->empty()) {
    r.headers.emplace_back("ETag", "\"" + doc->hash + "\"");
    r.headers.emplace_back("Cache-Control", "public, immutable");
    r.headers.emplace_back("Date", http_date(now));
    r.headers.emplace_back("Expires", http_date(now + std::chrono::hours(24 * 365)));
  }
  return r;
}

}  // namespace kactor::net
