// Sinks run while the hub's mutex is held: that is what makes replay and registration one
// atomic step (no event can be published between them) and keeps delivery in revision order.
// Consequently a sink must not call back into the hub (subscribe, unsubscribe, publish,
// latest_revision, watcher_count): the mutex is not recursive and it would deadlock. To end a
// subscription from inside a sink, return false.
#include "store/watch_hub.hpp"

#include <algorithm>
#include <stdexcept>

namespace kactor::store {
namespace {

bool matches(const watch_event& event, const std::string& prefix) {
  return event.key.starts_with(prefix);
}

}  // namespace

watch_hub::watch_hub(size_t capacity, uint64_t start_revision)
    : capacity_(capacity), compacted_revision_(start_revision), latest_revision_(start_revision) {}

watch_hub::subscription watch_hub::subscribe(std::string key_prefix, uint64_t from_revision,
                                             sink s) {
  std::lock_guard lock(mutex_);
  if (from_revision != 0 && from_revision < compacted_revision_)
    return {.ok = false, .id = 0, .oldest_available = compacted_revision_};
  if (from_revision != 0) {
    auto first = std::upper_bound(
        ring_.begin(), ring_.end(), from_revision,
        [](uint64_t revision, const watch_event_ptr& e) { return revision < e->revision; });
    for (auto it = first; it != ring_.end(); ++it) {
      if (!matches(**it, key_prefix)) continue;
      if (!s(*it)) return {.ok = true, .id = 0, .oldest_available = 0};
    }
  }
  uint64_t id = next_id_++;
  watchers_.emplace(id, watcher{std::move(key_prefix), std::move(s)});
  return {.ok = true, .id = id, .oldest_available = 0};
}

void watch_hub::unsubscribe(uint64_t id) {
  std::lock_guard lock(mutex_);
  watchers_.erase(id);
}

void watch_hub::publish(const std::vector<watch_event_ptr>& events) {
  std::lock_guard lock(mutex_);
  for (const auto& event : events) {
    if (event->revision < latest_revision_)
      throw std::logic_error("watch_hub: event revision " + std::to_string(event->revision) +
                             " published after " + std::to_string(latest_revision_));
    latest_revision_ = event->revision;
    if (capacity_ == 0) {
      compacted_revision_ = event->revision;
    } else {
      ring_.push_back(event);
      if (ring_.size() > capacity_) {
        compacted_revision_ = ring_.front()->revision;
        ring_.pop_front();
      }
    }
    for (auto it = watchers_.begin(); it != watchers_.end();) {
      if (matches(*event, it->second.prefix) && !it->second.deliver(event))
        it = watchers_.erase(it);
      else
        ++it;
    }
  }
}

uint64_t watch_hub::latest_revision() const {
  std::lock_guard lock(mutex_);
  return latest_revision_;
}

size_t watch_hub::watcher_count() const {
  std::lock_guard lock(mutex_);
  return watchers_.size();
}

}  // namespace kactor::store
