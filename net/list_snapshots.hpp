// The store snapshots that paged lists continue from, by revision. A continue token names the
// revision of its list's first page; later pages read the snapshot kept here, so the pages
// together show the collection at that one revision. A snapshot is dropped `ttl` after its last
// use, and the least recently used goes first when `capacity` are kept: LMDB cannot reuse the
// pages written after an open snapshot. Not thread-safe; the caller locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "store/backend.hpp"

namespace kactor::net {

class list_snapshots {
 public:
  using clock = std::chrono::steady_clock;
  list_snapshots(clock::duration ttl, size_t capacity) : ttl_(ttl), capacity_(capacity) {}

  // Keeps `snapshot` for its revision; one already kept for that revision stays instead.
  void keep(std::shared_ptr<store::read_snapshot> snapshot, clock::time_point now);
  // The snapshot kept for `revision`, now counted as used; nullptr when there is none.
  std::shared_ptr<store::read_snapshot> find(uint64_t revision, clock::time_point now);
  // Drops the snapshots unused for `ttl`. Returns when the next of the rest falls due, if any.
  std::optional<clock::time_point> expire(clock::time_point now);
  size_t size() const { return kept_.size(); }

 private:
  struct entry {
    std::shared_ptr<store::read_snapshot> snapshot;
    clock::time_point last_used;
  };
  std::vector<entry>::iterator least_recently_used();  // kept_ must not be empty

  clock::duration ttl_;
  size_t capacity_;
  std::vector<entry> kept_;  // a handful at most: a linear search is the fastest
};

}  // namespace kactor::net
