// A field path kept as steps while a document is walked, and spelled out only when something is
// reported: spec.containers[0].env[1].name
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kactor::json {

struct path_step {
  std::string_view key;
  size_t index = 0;
  bool is_index = false;
};

// Deeper than Kubernetes objects usually nest: walks reserve this many steps up front.
constexpr size_t k_usual_path_depth = 16;

inline std::string dotted_path(const std::vector<path_step>& steps) {
  std::string out;
  for (const path_step& step : steps) {
    if (step.is_index) {
      out += '[';
      out += std::to_string(step.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += step.key;
    }
  }
  return out;
}

}  // namespace kactor::json
