#include "net/route.hpp"

#include <span>
#include <vector>

namespace kactor::net {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  parts.reserve(8);  // /api/v1/namespaces/<ns>/<plural>/<name>/<subresource> in one allocation
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool is_namespace_subresource(std::string_view s) {
  return s == "status" || s == "finalize";
}

route resource_route(std::string_view group, std::string_view version,
                     std::span<const std::string_view> rest) {
  route r;
  std::string ns;
  if (rest.size() >= 3 && rest[0] == "namespaces" && !is_namespace_subresource(rest[2])) {
    ns = std::string(rest[1]);
    rest = rest.subspan(2);
  }
  if (rest.empty() || rest.size() > 3) return r;
  const api::resource_info* info = api::find_resource(group, version, rest[0]);
  if (!info) {
    r.not_found_detail = "unknown resource";
    return r;
  }
  if (!ns.empty() && !info->namespaced) return r;
  if (ns.empty() && info->namespaced && rest.size() > 1) return r;
  r.resource = info;
  r.ns = std::move(ns);
  if (rest.size() == 1) {
    r.kind = route::target::collection;
    return r;
  }
  r.name = std::string(rest[1]);
  if (rest.size() == 2) {
    r.kind = route::target::object;
    return r;
  }
  if (!info->has_subresource(rest[2])) {
    r.resource = nullptr;
    r.not_found_detail = "unknown subresource";
    return r;
  }
  r.subresource = std::string(rest[2]);
  r.kind = route::target::subresource;
  return r;
}

route simple(route::target t) {
  route r;
  r.kind = t;
  return r;
}

// /openapi/v3 and /openapi/v3/<document path>; /openapi/v2 is not served.
route openapi_route(const std::vector<std::string_view>& parts) {
  if (parts.size() < 2 || parts[1] != "v3") return {};
  if (parts.size() == 2) return simple(route::target::openapi_index);
  route r = simple(route::target::openapi_document);
  for (size_t i = 2; i < parts.size(); ++i) {
    if (i > 2) r.document += '/';
    r.document += parts[i];
  }
  return r;
}

}  // namespace

route resolve_route(std::string_view path) {
  auto parts = split_path(path);
  if (parts.empty()) return {};
  if (parts.size() == 1) {
    if (parts[0] == "version") return simple(route::target::version);
    if (parts[0] == "healthz") return simple(route::target::healthz);
    if (parts[0] == "livez") return simple(route::target::livez);
    if (parts[0] == "readyz") return simple(route::target::readyz);
    if (parts[0] == "api") return simple(route::target::api_versions);
    if (parts[0] == "apis") return simple(route::target::api_groups);
    return {};
  }
  if (parts[0] == "openapi") return openapi_route(parts);
  if (parts[0] == "api") {
    if (parts[1] != "v1") return {};
    if (parts.size() == 2) {
      route r = simple(route::target::resource_list);
      r.version = "v1";
      return r;
    }
    return resource_route("", "v1", std::span(parts).subspan(2));
  }
  if (parts[0] != "apis") return {};
  if (parts.size() == 2) {
    route r = simple(route::target::api_group);
    r.group = std::string(parts[1]);
    return r;
  }
  if (parts.size() == 3) {
    route r = simple(route::target::resource_list);
    r.group = std::string(parts[1]);
    r.version = std::string(parts[2]);
    return r;
  }
  return resource_route(parts[1], parts[2], std::span(parts).subspan(3));
}

}  // namespace kactor::net
