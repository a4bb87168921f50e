// The store snapshots that paged lists continue from, by revision. A continue token names the
// revision of its list's first page; later pages read the snapshot kept here, so the pages
// together show the collection at that one revision. A snapshot is dropped `ttl` after its last
// use, once the store has moved more than `max_lag` revisions past it, and the least recently
// used goes first when `capacity` are kept: LMDB cannot reuse the pages freed after an open
// snapshot, so under heavy writes an old snapshot makes the data file grow. Not thread-safe; the
// caller locks.
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
  list_snapshots(clock::duration ttl, size_t capacity, uint64_t max_lag)
      : ttl_(ttl), capacity_(capacity), max_lag_(max_lag) {}

  // Keeps `snapshot` for its revision; one already kept for that revision stays instead.
  void keep(std::shared_ptr<store::read_snapshot> snapshot, clock::time_point now);
  // The snapshot kept for `revision`, now counted as used; nullptr when there is none or the
  // store's `current` revision is too far past it (it is dropped then).
  std::shared_ptr<store::read_snapshot> find(uint64_t revision, clock::time_point now,
                                             uint64_t current);
  // Drops the snapshots unused for `ttl` and those too far behind `current`. Returns when the
  // next of the rest falls due by time, if any are left.
  std::optional<clock::time_point> expire(clock::time_point now, uint64_t current);
  size_t size() const { return kept_.size(); }

 private:
  struct entry {
    std::shared_ptr<store::read_snapshot> snapshot;
    clock::time_point last_used;
  };
  std::vector<entry>::iterator least_recently_used();  // kept_ must not be empty

  bool too_old(const entry& e, uint64_t current) const {
    return current > e.snapshot->revision() && current - e.snapshot->revision() > max_lag_;
  }

  clock::duration ttl_;
  size_t capacity_;
  uint64_t max_lag_;
  std::vector<entry> kept_;  // a handful at most: a linear search is the fastest
};

}  // namespace kactor::net
