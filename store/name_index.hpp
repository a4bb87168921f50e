// The store's keys in memory, in key order, each with the slots its values were given in LMDB's
// `values` database (see lmdb_objects.hpp). Kept in memory rather than in an LMDB tree because a
// new key with a generated name lands on a random leaf of such a tree, and each create then
// dirtied, copied and wrote back a 4 KiB page of it.
//
// Entries are only ever added by the store's single writer, and they may run ahead of what a
// reader's snapshot holds: a key lists every slot that some open snapshot may still hold for it
// (a deleted object's slot stays listed until no snapshot can see it), and a reader takes the one
// slot its snapshot has. No slot is handed out twice while the store is open, so at most one of
// a key's slots is in any snapshot. Thread-safe: readers share a lock, the writer takes it alone
// for each change.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kactor::store {

// A key's slots in the order they were added, the first inline: nearly every key has one.
// Slot numbers start at 1.
class slot_list {
 public:
  slot_list() = default;
  slot_list(std::initializer_list<uint64_t> slots) {
    for (uint64_t slot : slots) add(slot);
  }
  bool empty() const { return first_ == 0; }
  size_t size() const { return empty() ? 0 : 1 + more_.size(); }
  uint64_t operator[](size_t i) const { return i == 0 ? first_ : more_[i - 1]; }
  void add(uint64_t slot);  // once: a slot already listed is not added again
  void remove(uint64_t slot);
  friend bool operator==(const slot_list&, const slot_list&) = default;

 private:
  uint64_t first_ = 0;
  std::vector<uint64_t> more_;
};

// A run of consecutive entries copied out of the index, so that a reader walks them without
// holding the index's lock.
class index_chunk {
 public:
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::string_view key(size_t i) const {
    return {keys_.data() + entries_[i].key_at, entries_[i].key_size};
  }
  const slot_list& slots(size_t i) const { return entries_[i].slots; }

  void clear() {
    keys_.clear();
    entries_.clear();
  }
  void push_back(std::string_view key, const slot_list& slots) {
    entries_.push_back({keys_.size(), key.size(), slots});
    keys_.append(key);
  }

 private:
  struct entry {
    size_t key_at;
    size_t key_size;
    slot_list slots;
  };
  std::string keys_;
  std::vector<entry> entries_;
};

class name_index {
 public:
  void clear();
  size_t size() const;
  // Records that `key`'s value is (also) in `slot`. Returns the key as the index holds it, valid
  // while `slot` is listed.
  std::string_view add(std::string_view key, uint64_t slot);
  // Drops `slot` from `key`, and the key once it has no slot left.
  void forget(std::string_view key, uint64_t slot);
  // The slots recorded for `key` (none when it is unknown).
  slot_list slots_of(std::string_view key) const;
  // The same without the lock, only for the thread that makes every change.
  const slot_list* writer_slots_of(std::string_view key) const;
  // Replaces `out` with up to `max` entries from the first key at or after `from` (strictly
  // after it when `after`), in key order.
  void read(std::string_view from, bool after, size_t max, index_chunk& out) const;

 private:
  using ordered = std::map<std::string, slot_list, std::less<>>;
  bool after_last(std::string_view key) const;
  ordered::iterator insert_position(std::string_view key);

  mutable std::shared_mutex mutex_;
  ordered entries_;
  // The same entries by key: a lookup then costs a probe or two rather than a walk down the tree.
  absl::flat_hash_map<std::string_view, ordered::iterator> by_key_;
  ordered::iterator last_added_ = entries_.end();
};

}  // namespace kactor::store
