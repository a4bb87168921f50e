#include "net/list_snapshots.hpp"

#include <algorithm>

namespace kactor::net {

void list_snapshots::keep(std::shared_ptr<store::read_snapshot> snapshot, clock::time_point now) {
  if (capacity_ == 0 || !snapshot) return;
  if (find(snapshot->revision(), now)) return;
  if (kept_.size() == capacity_) {
    auto least_recent =
        std::min_element(kept_.begin(), kept_.end(),
                         [](const auto& a, const auto& b) { return a.last_used < b.last_used; });
    kept_.erase(least_recent);
  }
  kept_.push_back({std::move(snapshot), now});
}

std::shared_ptr<store::read_snapshot> list_snapshots::find(uint64_t revision,
                                                           clock::time_point now) {
  for (auto& e : kept_) {
    if (e.snapshot->revision() != revision) continue;
    e.last_used = now;
    return e.snapshot;
  }
  return nullptr;
}

std::optional<list_snapshots::clock::time_point> list_snapshots::expire(clock::time_point now) {
  std::erase_if(kept_, [&](const entry& e) { return now - e.last_used >= ttl_; });
  if (kept_.empty()) return std::nullopt;
  auto oldest = std::min_element(kept_.begin(), kept_.end(), [](const auto& a, const auto& b) {
    return a.last_used < b.last_used;
  });
  return oldest->last_used + ttl_;
}

}  // namespace kactor::net
