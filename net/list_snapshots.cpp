#include "net/list_snapshots.hpp"

#include <algorithm>

namespace kactor::net {

void list_snapshots::keep(std::shared_ptr<store::read_snapshot> snapshot, clock::time_point now) {
  if (capacity_ == 0 || !snapshot) return;
  if (find(snapshot->revision(), now, snapshot->revision())) return;
  if (kept_.size() == capacity_) kept_.erase(least_recently_used());
  kept_.push_back({std::move(snapshot), now});
}

std::shared_ptr<store::read_snapshot> list_snapshots::find(uint64_t revision, clock::time_point now,
                                                           uint64_t current) {
  for (auto it = kept_.begin(); it != kept_.end(); ++it) {
    if (it->snapshot->revision() != revision) continue;
    if (too_old(*it, current)) {
      kept_.erase(it);
      return nullptr;
    }
    it->last_used = now;
    return it->snapshot;
  }
  return nullptr;
}

std::optional<list_snapshots::clock::time_point> list_snapshots::expire(clock::time_point now,
                                                                        uint64_t current) {
  std::erase_if(kept_,
                [&](const entry& e) { return now - e.last_used >= ttl_ || too_old(e, current); });
  if (kept_.empty()) return std::nullopt;
  return least_recently_used()->last_used + ttl_;
}

std::vector<list_snapshots::entry>::iterator list_snapshots::least_recently_used() {
  return std::min_element(kept_.begin(), kept_.end(),
                          [](const entry& a, const entry& b) { return a.last_used < b.last_used; });
}

}  // namespace kactor::net
