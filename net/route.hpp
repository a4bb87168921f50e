// Maps a request path onto what it names: a well-known endpoint, a discovery or OpenAPI
// document, or a resource (collection, object, subresource). Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

#include "api/resources.hpp"

namespace kactor::net {

struct route {
  enum class target {
    not_found,
    version,
    healthz,
    livez,
    readyz,
    api_versions,      // GET /api
    api_groups,        // GET /apis
    api_group,         // GET /apis/<group>
    resource_list,     // GET /api/v1, /apis/<group>/<version>
    openapi_index,     // GET /openapi/v3
    openapi_document,  // GET /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>
    collection,        // .../<plural> (namespaced with ns, or all namespaces / cluster-scoped)
    object,            // .../<plural>/<name>
    subresource,       // .../<plural>/<name>/<sub>
  };
  target kind = target::not_found;
  const api::resource_info* resource = nullptr;
  std::string group, version;  // for discovery targets
  std::string document;        // openapi_document: "api/v1", "apis/apps/v1"
  std::string ns;              // empty: all namespaces (collection) or cluster-scoped
  std::string name;
  std::string subresource;
  // Why a resource-shaped path was not found (unknown kind / subresource), for the 404 text.
  std::string not_found_detail;
};

route resolve_route(std::string_view path);

}  // namespace kactor::net
