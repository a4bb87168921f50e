#include "net/list_snapshots.hpp"

#include <algorithm>

namespace kactor::net {

void list_snapshots::keep(std::shared_ptr<store::read_snapshot> snapshot, clock::time_point now) {
  if (capacity_ == 0 || !snapshot) return;
  if (find(snapshot->revision(), now)) return;
  if (kept_.size() == capacity_) kept_.erase(least_recently_used());
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
  return least_recently_used()->last_used + ttl_;
}

std::vector<list_snapshots::entry>::iterator list_snapshots::least_recently_used() {
  return std::min_element(kept_.begin(), kept_.end(),
                          [](const entry& a, const entry& b) { return a.last_used < b.last_used; });
}

}  // namespace kactor::net
