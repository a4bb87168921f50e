// The documents that tell clients what the server is and serves, all built from the resource
// registry: /version; discovery, aggregated (apidiscovery.k8s.io/v2 or v2beta1, when the Accept
// header asks for it) or legacy (/api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>); and the
// OpenAPI v3 index and documents that api/openapi.cpp generates.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.hpp"

namespace kactor::net {

std::string version_json();

// ---- Order: which group and version come first -----------------------------------------------

// API groups in kube-apiserver's order: by its group priorities (apps, events.k8s.io, ...,
// autoscaling, batch, ...), then by name; unknown groups last, as custom resources are.
std::vector<std::string> in_kube_group_order(std::vector<std::string> groups);
// The served API groups (without the core group), in that order.
std::vector<std::string> served_groups();
// A served group's versions, preferred first ("" is the core group).
std::vector<std::string> served_versions(const std::string& group);
// Kubernetes' version order: GA before beta before alpha, higher numbers first, then other
// strings by name. Negative when `a` comes first.
int compare_kube_versions(std::string_view a, std::string_view b);

// ---- Legacy discovery --------------------------------------------------------------------------

std::string api_versions_json(const std::string& server_address);
std::string api_group_list_json();
std::optional<std::string> api_group_json(const std::string& group);
std::optional<std::string> api_resource_list_json(const std::string& group,
                                                  const std::string& version);

// ---- Aggregated discovery ---------------------------------------------------------------------

enum class discovery_format { legacy, aggregated_v2, aggregated_v2beta1 };

// The first media type of the Accept header (by q, then order) that kactor serves for /api and
// /apis: an apidiscovery.k8s.io APIGroupDiscoveryList, or plain JSON for the legacy documents.
discovery_format negotiate_discovery_format(std::string_view accept);
// "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" (legacy: JSON).
std::string discovery_content_type(discovery_format format);
// The APIGroupDiscoveryList of /api (the core group) or /apis, encoded once per format.
const std::string& aggregated_discovery_json(bool core_group, discovery_format format);

// ---- Responses ---------------------------------------------------------------------------------

// GET /api (core_group) or /apis: aggregated or legacy, as the Accept header asks.
response root_discovery_response(bool core_group, std::string_view accept,
                                 const std::string& server_address);
// GET /openapi/v3.
response openapi_index_response();
// GET /openapi/v3/<path>[?hash=...]: the document; a stale hash redirects to the current one, the
// current hash makes the response cacheable for a year (its URL changes with its content).
response openapi_document_response(std::string_view path, const std::optional<std::string>& hash,
                                   std::chrono::system_clock::time_point now);

}  // namespace kactor::net
