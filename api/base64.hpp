// Standard base64 (RFC 4648 §4, with padding), as Kubernetes uses for Secret data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kactor::api {

std::string base64_encode(std::string_view data);
// std::nullopt for anything that is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace kactor::api
