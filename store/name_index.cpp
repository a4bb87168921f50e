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
  by_key_.clear();
  entries_.clear();
  last_added_ = entries_.end();
}

size_t name_index::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

// New names in creation order mostly come after every key: they are neither looked up nor
// walked down the tree to.
bool name_index::after_last(std::string_view key) const {
  return entries_.empty() || entries_.rbegin()->first < key;
}

std::string_view name_index::add(std::string_view key, uint64_t slot) {
  std::unique_lock lock(mutex_);
  const bool last = after_last(key);
  if (!last) {
    if (auto found = by_key_.find(key); found != by_key_.end()) {
      found->second->second.add(slot);
      return found->second->first;
    }
  }
  auto it = entries_.emplace_hint(last ? entries_.end() : insert_position(key), key, slot_list{});
  it->second.add(slot);
  by_key_.emplace(it->first, it);
  last_added_ = it;
  return it->first;
}

// Names with a growing number (web-9, web-10, ...) are added next to the one added before far
// more often than not, even where their key order is not their number's.
name_index::ordered::iterator name_index::insert_position(std::string_view key) {
  if (last_added_ != entries_.end() && last_added_->first < key) {
    auto next = std::next(last_added_);
    if (next == entries_.end() || key < next->first) return next;
  }
  return entries_.lower_bound(key);
}

void name_index::forget(std::string_view key, uint64_t slot) {
  std::unique_lock lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return;
  const ordered::iterator it = found->second;
  it->second.remove(slot);
  if (!it->second.empty()) return;
  by_key_.erase(found);
  if (it == last_added_) last_added_ = entries_.end();
  entries_.erase(it);
}

slot_list name_index::slots_of(std::string_view key) const {
  std::shared_lock lock(mutex_);
  const slot_list* slots = writer_slots_of(key);
  return slots ? *slots : slot_list{};
}

const slot_list* name_index::writer_slots_of(std::string_view key) const {
  if (after_last(key)) return nullptr;
  auto found = by_key_.find(key);
  return found == by_key_.end() ? nullptr : &found->second->second;
}

void name_index::read(std::string_view from, bool after, size_t max, index_chunk& out) const {
  out.clear();
  std::shared_lock lock(mutex_);
  auto it = after ? entries_.upper_bound(from) : entries_.lower_bound(from);
  for (; it != entries_.end() && out.size() < max; ++it) out.push_back(it->first, it->second);
}

}  // namespace kactor::store
