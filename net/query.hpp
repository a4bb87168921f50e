// Query strings and percent-decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kactor::net {

// Decodes %XX escapes (and '+' as space when form is true). std::nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s, bool form = false);

class query_params {
 public:
  // Returns false (with the offending text in `error`) for undecodable escapes.
  bool parse(std::string_view raw, std::string& error);
  // The first value of `key`, if present.
  std::optional<std::string> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
  // True for "true", "1" (Go's strconv.ParseBool truths).
  bool flag(std::string_view key) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace kactor::net
