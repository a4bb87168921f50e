#include "api/patch.hpp"

namespace kactor::api {

json::value merge_patch(const json::value& target, const json::value& patch) {
  if (!patch.is_object()) return patch;
  json::value result = target.is_object() ? target : json::value::make_object();
  for (const auto& m : patch.as_object()) {
    if (m.val.is_null()) {
      result.erase(m.key);
      continue;
    }
    const json::value* existing = result.find(m.key);
    result.set(m.key, merge_patch(existing ? *existing : json::value(), m.val));
  }
  return result;
}

}  // namespace kactor::api
