// Patches applied to stored objects.
#pragma once

#include "api/json.hpp"

namespace kactor::api {

// RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces.
json::value merge_patch(const json::value& target, const json::value& patch);

}  // namespace kactor::api
