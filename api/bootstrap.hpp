// The objects a new cluster starts with: the four standard namespaces and the `kubernetes`
// Service (with its Endpoints) that stands for the API server itself.
#pragma once

#include <string>
#include <vector>

#include "api/json.hpp"
#include "api/resources.hpp"

namespace kactor::api {

struct bootstrap_object {
  const resource_info* resource;
  json::value object;  // admitted (defaulted and validated) already
};

std::vector<bootstrap_object> bootstrap_objects(const std::string& api_host,
                                                unsigned short api_port);

}  // namespace kactor::api
