// The write-ahead log that makes a commit durable with one sequential write and one fdatasync.
//
// Each record is one committed batch: its revision and its mutations in order. Records live in
// segment files `<seq>.wal` (16 hex digits) in one directory. A record is written whole with one
// pwrite (write()) and then synced (sync()). A record whose header, checksum or segment number
// does not match ends the log: a torn tail after a crash, or stale bytes of a recycled segment.
//
// A new segment is written whole (zeros) before its first record, and segments that only hold
// revisions already saved elsewhere (released) are renamed to the next sequence number and
// written over: either way its blocks are allocated and written, so syncing a record changes
// no file metadata. Not thread-safe: one writer (the store's writer) appends and releases.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "store/backend.hpp"

namespace kactor::store {

struct wal_record {
  uint64_t revision = 0;
  std::vector<mutation> mutations;
};

class write_ahead_log {
 public:
  // How a segment's writes are made durable: fdatasync, or a stand-in in tests. Returns 0 or
  // -1 with errno set.
  using sync_function = std::function<int(int fd)>;

  // Opens (creating) the log directory. A segment is rotated once it holds `segment_bytes`.
  write_ahead_log(std::string dir, size_t segment_bytes, sync_function sync = {});
  ~write_ahead_log();
  write_ahead_log(const write_ahead_log&) = delete;
  write_ahead_log& operator=(const write_ahead_log&) = delete;

  // Every intact record with a revision above `after`, in log order. Call once, before write().
  std::vector<wal_record> read_after(uint64_t after);

  // Appends one record in two steps, so that the caller can work while it reaches the disk:
  // write() puts the record in the segment and starts its writeback, sync() returns once it is
  // durable. False with `error` when either fails; the record then does not count and the next
  // write() goes over it. No write() may follow a write() without a sync() between them.
  bool write(uint64_t revision, const std::vector<mutation>& mutations, std::string& error);
  bool sync(std::string& error);

  // Every revision up to `revision` is durable elsewhere: segments holding only those are
  // recycled (the one being written stays).
  void release(uint64_t revision);

  size_t segment_count() const { return segments_.size() + spares_.size(); }

 private:
  struct segment {
    uint64_t seq = 0;
    uint64_t last_revision = 0;  // highest revision written into it (0: none)
  };

  std::string path_of(uint64_t seq) const;
  bool open_next_segment(std::string& error);
  void void_record();

  std::string dir_;
  size_t segment_bytes_;
  std::deque<segment> segments_;  // oldest first; the back one is being written
  std::vector<uint64_t> spares_;  // released segments, ready to be renamed and reused
  int fd_ = -1;                   // the back segment
  size_t offset_ = 0;             // end of its last intact record
  uint64_t next_seq_ = 1;
  sync_function sync_;
  size_t unsynced_bytes_ = 0;  // of the record written at offset_ and not yet synced
  uint64_t unsynced_revision_ = 0;
};

// The bytes of one record (exposed for tests that damage them).
std::string encode_wal_record(uint64_t segment_seq, uint64_t revision,
                              const std::vector<mutation>& mutations);

}  // namespace kactor::store
