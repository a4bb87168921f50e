// The writes that the write-ahead log has made durable but LMDB has not committed yet, as etcd
// keeps the writes its B-tree has not committed in a read buffer. The LMDB backend commits every
// few milliseconds instead of once per batch; a reader sees its LMDB snapshot with the pending
// writes of that snapshot's generation on top, up to the revision it started at.
//
// One writer adds, any number of readers look up at the same time. Writes are only added, never
// removed: a generation is dropped whole, by the last reader that holds it, once LMDB holds them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/backend.hpp"

namespace kactor::store {

class pending_writes {
 public:
  using value_ptr = std::shared_ptr<const std::string>;  // null: the key was deleted

  struct entry {
    std::string_view key;  // valid as long as the pending_writes
    value_ptr value;
  };

  // The writer: records a durable batch committed at `revision` (above every earlier one).
  void add(uint64_t revision, const std::vector<mutation>& mutations);

  // The key's latest pending write at or below `revision`; nullopt when there is none (the
  // reader's LMDB snapshot has the key's state).
  std::optional<value_ptr> find(std::string_view key, uint64_t revision) const;

  // The latest pending write at or below `revision` of each key with `prefix` after
  // `start_after`, in key order, deletions included.
  std::vector<entry> range(std::string_view prefix, std::string_view start_after,
                           uint64_t revision) const;

  size_t bytes() const;  // of keys and values added so far

 private:
  struct version {
    uint64_t revision = 0;
    value_ptr value;
  };
  static const version* latest_at(const std::vector<version>& versions, uint64_t revision);

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::vector<version>, std::less<>> keys_;
  size_t bytes_ = 0;
  // Lets the readers of an empty generation (most reads, between LMDB commits under light
  // load) skip the lock: a write a reader may see was added before its revision was published.
  std::atomic<bool> empty_{true};
};

}  // namespace kactor::store
