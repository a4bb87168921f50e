// The documents that tell clients what the server is and serves, built from the resource
// registry: /version and legacy discovery (/api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>).
#pragma once

#include <optional>
#include <string>

namespace kactor::net {

std::string version_json();
std::string api_versions_json(const std::string& server_address);
std::string api_group_list_json();
std::optional<std::string> api_group_json(const std::string& group);
std::optional<std::string> api_resource_list_json(const std::string& group,
                                                  const std::string& version);

}  // namespace kactor::net
