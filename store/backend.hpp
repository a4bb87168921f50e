// The storage engine behind the store actor. LMDB is the embedded default; etcd 3 will be a
// second implementation for several masters. Keys are `<group>/<plural>/<namespace>/<name>`
// (`core` for the core group; no namespace segment for cluster-scoped kinds). Values are the
// object's JSON bytes with metadata.resourceVersion already set.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kactor::store {

struct kv {
  std::string key;
  std::string value;
};

struct range_result {
  std::vector<kv> items;
  uint64_t revision = 0;  // the store revision of the snapshot the range was read from
  bool more = false;      // items remain after the last returned key
  size_t remaining = 0;   // how many remain (only when more)
};

// Items of a range seen in place in the store, without copies: the views are valid only while
// the callback that receives them runs.
struct item_view {
  std::string_view key;
  std::string_view value;
};
struct range_view {
  std::vector<item_view> items;
  std::shared_ptr<const void> storage;  // holds bytes the views point to, besides the snapshot
  uint64_t revision = 0;
  bool more = false;     // keys with the prefix follow the last item taken
  size_t remaining = 0;  // how many (only when more)
};
// Decides, while a range is read, whether an item is taken into it.
using item_filter = std::function<bool(std::string_view key, std::string_view value)>;

// A consistent view of the store at one revision that stays open across requests: the pages of a
// paged list read from it. Reads from several threads take turns. The backend may expire a
// snapshot (LMDB must close every transaction to grow its map); its reads then fail.
// A snapshot must not outlive its backend.
class read_snapshot {
 public:
  virtual ~read_snapshot() = default;
  virtual uint64_t revision() const = 0;
  // The keys with `prefix` after `start_after` in key order, each taken when `take` says so, up to
  // `limit` taken items (0: no limit), handed to `use` in place: nothing is copied, and the views
  // stay valid until `use` returns. False when the snapshot has expired (`use` not called).
  virtual bool view_range(std::string_view prefix, std::string_view start_after, size_t limit,
                          const item_filter& take,
                          const std::function<void(const range_view&)>& use) = 0;
};

// One write transaction's mutations, applied atomically together with the new revision.
struct mutation {
  enum class op { put, erase };
  op operation = op::put;
  std::string key;
  std::string value;
};

class backend {
 public:
  virtual ~backend() = default;

  // Reads: safe from any thread, each a consistent snapshot.
  virtual std::optional<std::string> get(std::string_view key, uint64_t* revision = nullptr) = 0;
  // Keys with `prefix`, in key order, strictly after `start_after` (empty: from the start),
  // at most `limit` items (0: no limit).
  virtual range_result range(std::string_view prefix, std::string_view start_after,
                             size_t limit) = 0;
  virtual uint64_t revision() = 0;
  // A snapshot of the current state, for several reads that must agree with each other.
  virtual std::shared_ptr<read_snapshot> snapshot() = 0;

  // Writes: only ever called by the store actor (the single writer).
  // A write session sees its own uncommitted mutations in `get_for_write`; `commit` makes them
  // durable (fsync) together with the revision counter. Returns false with `error` on failure,
  // in which case nothing of the session is applied.
  virtual void begin_write() = 0;
  virtual std::optional<std::string> get_for_write(std::string_view key) = 0;
  // Keys under prefix as seen by the write session (for namespace deletion etc.).
  virtual std::vector<std::string> keys_for_write(std::string_view prefix) = 0;
  virtual void apply(mutation m) = 0;
  virtual bool commit(uint64_t new_revision, std::string& error) = 0;
  virtual void abort_write() = 0;
  // A backend may leave committed batches out of its own storage for a while (they are durable
  // in its log and readers see them): `unsettled` says so, and `settle` stores them. The writer
  // calls it when no batch has come for a moment, outside a write session.
  virtual bool unsettled() const { return false; }
  virtual void settle() {}

  // Why the store can serve nothing more until the server restarts (a commit it could not make
  // durable, or one that LMDB failed after the log took it), or empty. Safe from any thread.
  virtual std::string failure() const { return {}; }
};

struct lmdb_options {
  std::string path;                   // directory
  size_t map_size = size_t{8} << 30;  // 8 GiB, sparse
  bool sync = true;                   // every commit durable before it is acknowledged
  // With sync: a commit is made durable by one append to a write-ahead log (one fdatasync),
  // and LMDB's file is synced at checkpoints, every `checkpoint_ms` (see lmdb_checkpoint.hpp).
  // Without the log, LMDB syncs every commit itself (two syncs, and more while the file grows).
  bool write_ahead_log = true;
  unsigned checkpoint_ms = 50;
  // With the log: LMDB commits the batches the log has made durable at most this often while
  // they keep coming (readers see them meanwhile); 0 commits every batch.
  unsigned settle_ms = 20;
  size_t log_segment_bytes = size_t{16} << 20;
  // Tests only: stands in for the log's fdatasync (see write_ahead_log::sync_function).
  std::function<int(int fd)> log_sync;
};
// Throws std::runtime_error with a clear message when the environment cannot be opened.
std::unique_ptr<backend> open_lmdb(const lmdb_options& options);

}  // namespace kactor::store
