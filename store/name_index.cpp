#include "store/name_index.hpp"

#include <algorithm>
#include <mutex>

namespace kactor::store {

void slot_list::add(uint64_t slot) {
  if (empty()) {
    first_ = slot;
  } else if (slot != first_ && std::find(more_.begin(), more_.end(), slot) == more_.end()) {
    more_.push_back(slot);
  }
}

void slot_list::remove(uint64_t slot) {
  if (slot == first_) {
    first_ = more_.empty() ? 0 : more_.front();
    if (!more_.empty()) more_.erase(more_.begin());
  } else {
    more_.erase(std::remove(more_.begin(), more_.end(), slot), more_.end());
  }
}

void name_index::clear() {
  std::unique_lock lock(mutex_);
  entries_.clear();
}

size_t name_index::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

name_index::ordered::const_iterator name_index::locate(std::string_view key) const {
  if (entries_.empty() || entries_.rbegin()->first < key) return entries_.end();
  return entries_.find(key);
}

void name_index::add(std::string_view key, uint64_t slot) {
  std::unique_lock lock(mutex_);
  auto at = entries_.end();
  if (!entries_.empty() && !(entries_.rbegin()->first < key)) {
    at = entries_.lower_bound(key);
    if (at != entries_.end() && at->first == key) return at->second.add(slot);
  }
  entries_.emplace_hint(at, key, slot_list{})->second.add(slot);
}

void name_index::forget(std::string_view key, uint64_t slot) {
  std::unique_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  it->second.remove(slot);
  if (it->second.empty()) entries_.erase(it);
}

slot_list name_index::slots_of(std::string_view key) const {
  std::shared_lock lock(mutex_);
  auto it = locate(key);
  return it == entries_.end() ? slot_list{} : it->second;
}

void name_index::read(std::string_view from, bool after, size_t max, index_chunk& out) const {
  out.clear();
  std::shared_lock lock(mutex_);
  auto it = after ? entries_.upper_bound(from) : entries_.lower_bound(from);
  for (; it != entries_.end() && out.size() < max; ++it) out.push_back(it->first, it->second);
}

}  // namespace kactor::store
