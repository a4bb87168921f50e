// LMDB implementation of the storage backend.
//
// Layout: the objects in "index" and "values" (see lmdb_objects.hpp); "meta" holds "revision"
// (decimal ASCII), written in the same transaction as the objects so the revision is durable
// together with the data it describes.
//
// Threads: the environment is opened with MDB_NOTLS, so any thread (or migrating CAF actor) can
// read. Every read is one short read-only transaction (plus the pending writes that go with it);
// the revision it reports comes from the same snapshot as its data. Writes come from one thread at
// a time (the store actor).
//
// Snapshots (`snapshot()`) keep a read transaction open between reads, for the pages of a paged
// list. While one is open LMDB cannot reuse the pages written after it, so callers hold them
// briefly; growing the map closes them all (they expire).
//
// Durability: with the write-ahead log, a batch's record is written to the log and its
// writeback started, then the log is synced. LMDB commits (without syncing) only every
// settle_ms or k_max_unsettled_bytes: the batches in between stay in its open write transaction
// (`unsettled_`), and readers see them through the pending writes of their snapshot's
// generation (begin_view, view_scan). When a batch does commit LMDB, it does so before its sync,
// so that the device writes the record while LMDB copies its pages; for that moment LMDB shows a
// commit that is not yet durable, so every read transaction checks its snapshot against the last
// durable one and waits for the sync when it is ahead (await_durable). A sync that fails leaves
// the store broken, its last batch unreadable, until a restart recovers from the log.
//
// Map size: when a write session runs out of map space (MDB_MAP_FULL), the session's transaction
// is aborted, the map is doubled and the unsettled batches and the session's mutations so far
// are replayed into a fresh transaction. This is invisible to the caller: the single writer
// guarantees that the replay starts from the same state the session's reads saw. Remapping requires
// that no transaction is live, so read transactions hold `map_mutex_` shared and growth holds it
// exclusively. After `k_max_map_growths` doublings in one session the session fails with a clear
// error instead.
#include <fcntl.h>
#include <lmdb.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/backend.hpp"
#include "store/lmdb_checkpoint.hpp"
#include "store/lmdb_objects.hpp"
#include "store/pending_writes.hpp"
#include "store/wal.hpp"

namespace kactor::store {
namespace {

constexpr const char* k_meta_db = "meta";
constexpr std::string_view k_revision_key = "revision";
constexpr unsigned k_max_dbs = k_object_dbs + 1;
constexpr size_t k_keys_worth_unmapping = 10000;
constexpr unsigned k_max_readers = 512;
constexpr int k_max_map_growths = 8;
// With the log, LMDB commits the batches since its last commit (which the log has made durable)
// every lmdb_options::settle_ms, or once they hold this many bytes; readers see them in the
// meantime through pending_writes. Committing every batch cost a commit's fixed page writes
// (~40 KB for a single pod) per batch: with 1 to 4 writers, settling cuts the server's CPU per
// create by a fifth and its p99 by half. The bytes bound keeps each commit small under load: at
// 512 KiB the big commits stalled the batches behind them (p99 doubled at 64 in flight).
constexpr size_t k_max_unsettled_bytes = size_t{128} << 10;
// A batch this large commits LMDB at once: its commit's fixed cost is shared by enough writes,
// and settling it later made the single writer's cycle longer (-7% creates/s at 64 in flight).
constexpr size_t k_max_deferred_batch = 16;
constexpr mdb_mode_t k_file_mode = 0600;  // the store holds Secrets
constexpr int k_log_failed = -1;          // commit_transaction: the log refused the batch
constexpr int k_log_sync_failed = -2;  // commit_transaction: LMDB committed, the log's sync failed

MDB_val to_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view to_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

std::string lmdb_error(std::string_view what, int rc) {
  return "lmdb: " + std::string(what) + ": " + mdb_strerror(rc);
}

// A read-only transaction, aborted when it goes out of scope.
class read_txn {
 public:
  explicit read_txn(MDB_env* env) {
    if (int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn_))
      throw std::runtime_error(lmdb_error("cannot begin read transaction", rc));
  }
  explicit read_txn(MDB_txn* txn) : txn_(txn) {}  // adopts it
  ~read_txn() { mdb_txn_abort(txn_); }
  read_txn(const read_txn&) = delete;
  read_txn& operator=(const read_txn&) = delete;
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
};

// What a reader sees: its LMDB snapshot, the pending writes of that snapshot's generation at or
// below `visible`, and the revision of the two together.
struct read_view {
  MDB_txn* txn = nullptr;
  const pending_writes* pending = nullptr;
  uint64_t visible = 0;
  uint64_t revision = 0;
};

void check_cursor_end(int rc, std::string_view what) {
  if (rc != 0 && rc != MDB_NOTFOUND) throw std::runtime_error(lmdb_error(what, rc));
}

// The read transaction of a snapshot; null once the snapshot has expired. A transaction serves
// one thread at a time.
struct snapshot_txn {
  std::mutex mutex;
  MDB_txn* txn = nullptr;
  std::shared_ptr<const pending_writes> pending;
  uint64_t visible = 0;  // pending writes at or below it are part of the snapshot

  void close() {
    std::lock_guard lock(mutex);
    if (txn) mdb_txn_abort(txn);
    txn = nullptr;
    pending.reset();
  }
};

class lmdb_backend final : public backend {
 public:
  explicit lmdb_backend(const lmdb_options& options);
  ~lmdb_backend() override;
  lmdb_backend(const lmdb_backend&) = delete;
  lmdb_backend& operator=(const lmdb_backend&) = delete;

  std::optional<std::string> get(std::string_view key, uint64_t* revision) override;
  void settle() override;
  bool unsettled() const override { return unsettled_bytes_.load(std::memory_order_relaxed) != 0; }
  range_result range(std::string_view prefix, std::string_view start_after, size_t limit) override;
  uint64_t revision() override;
  std::shared_ptr<read_snapshot> snapshot() override;
  bool view_range_in(snapshot_txn& snapshot, std::string_view prefix, std::string_view start_after,
                     size_t limit, const item_filter& take,
                     const std::function<void(const range_view&)>& use);

  void begin_write() override;
  std::optional<std::string> get_for_write(std::string_view key) override;
  std::vector<std::string> keys_for_write(std::string_view prefix) override;
  void apply(mutation m) override;
  bool commit(uint64_t new_revision, std::string& error) override;
  void abort_write() override;
  std::string failure() const override;

 private:
  void lock_directory();
  void open_environment(const lmdb_options& options, bool logged);
  void open_databases();
  void unmap_data_pages() const;
  int create_databases();
  std::vector<wal_record> prepare_recovery(const lmdb_options& options);
  void finish_recovery(std::vector<wal_record> records, const lmdb_options& options, bool logged);
  void checkpoint_now();
  void take_checkpoint();
  void checkpoint_loop();
  void stop_checkpointer();
  void release_pin();
  bool storable_key(std::string_view key) const {
    return !key.empty() && key.size() <= max_key_size_;
  }
  uint64_t read_revision(MDB_txn* txn) const;
  void await_durable(MDB_txn* txn);
  void publish_durable(uint64_t txnid);
  void mark_broken(std::string why);
  // Begins `txn` and takes the pending writes that go with it.
  std::shared_ptr<const pending_writes> begin_view(MDB_txn** txn, uint64_t& visible);
  read_view make_view(MDB_txn* txn, const std::shared_ptr<const pending_writes>& pending,
                      uint64_t visible);
  range_result scan(const read_view& view, std::string_view prefix, std::string_view start_after,
                    size_t limit) const;
  range_view view_scan(const read_view& view, std::string_view prefix, std::string_view start_after,
                       size_t limit, const item_filter& take) const;
  void expire_snapshots();

  void require_session(const char* operation) const;
  bool session_usable() const { return write_txn_ != nullptr && session_error_.empty(); }
  int write_one(const mutation& m);
  int restart_in_larger_map();
  int grow_map();
  int commit_transaction(uint64_t new_revision);
  int commit_lmdb(uint64_t& txnid);
  int replay_unsettled();
  // Aborts the write transaction; the slots its puts listed are forgotten.
  void abort_write_txn();
  int put_revision(uint64_t revision);
  bool settle_due() const;
  void commit_session(uint64_t new_revision);
  void fail_session(std::string message);
  void end_session();

  std::string path_;
  int lock_fd_ = -1;  // holds an exclusive flock on <path>/kactor.lock
  MDB_env* env_ = nullptr;
  object_tables objects_;
  MDB_dbi meta_ = 0;
  size_t max_key_size_ = 0;
  size_t map_size_ = 0;
  // Shared by every live read transaction; exclusive while the map is remapped.
  std::shared_mutex map_mutex_;
  // The open snapshots, so that growing the map can close them.
  std::mutex snapshots_mutex_;
  std::vector<std::weak_ptr<snapshot_txn>> snapshots_;

  // The write session (single writer).
  bool in_session_ = false;
  MDB_txn* write_txn_ = nullptr;
  std::vector<mutation> session_log_;  // replayed after growing the map
  std::string session_error_;          // first failure; the session then only awaits its end
  bool session_logged_ = false;        // the session's batch is in the write-ahead log
  std::string log_error_;              // why the log refused the session's batch

  // The batches in write_txn_ that LMDB has not committed yet (durable in the log), replayed
  // into a new transaction when a later session fails or the map grows; see
  // k_max_unsettled_bytes.
  std::vector<mutation> unsettled_;
  std::atomic<size_t> unsettled_bytes_{0};  // atomic for unsettled(), asked from any thread
  std::chrono::steady_clock::time_point last_lmdb_commit_;
  std::chrono::milliseconds settle_interval_{0};
  // Readers take their LMDB snapshot and the pending writes under it shared; an LMDB commit
  // and the switch to a new generation of pending writes happen under it exclusively.
  std::shared_mutex view_mutex_;
  std::shared_ptr<pending_writes> pending_ = std::make_shared<pending_writes>();
  std::atomic<uint64_t> visible_revision_{0};  // the newest durable batch
  std::atomic<uint64_t> settled_revision_{0};  // the newest batch LMDB has committed
  uint64_t lmdb_revision_ = 0;                 // the revision write_txn_ holds
  uint64_t unsettled_revision_ = 0;            // the last unsettled batch's

  // The write-ahead log mode (see lmdb_options and lmdb_checkpoint.hpp). The environment then
  // commits without syncing; a checkpoint syncs it and pins the checkpointed transaction.
  std::unique_ptr<write_ahead_log> log_;
  bool logging_ = false;  // commits append to the log (off while recovering)
  std::string checkpoint_path_;
  uint32_t page_size_ = 0;
  std::string broken_;           // why no write may follow (see mark_broken); the writer's own copy
  std::mutex commit_mutex_;      // around mdb_txn_commit, so a checkpoint sees a whole commit
  std::mutex checkpoint_mutex_;  // one checkpoint at a time (the checkpointer or a map growth)
  MDB_txn* pin_ = nullptr;       // the last checkpoint's transaction, held open
  // The newest LMDB transaction that is durable (see await_durable).
  std::atomic<uint64_t> durable_txnid_{0};
  mutable std::mutex durable_mutex_;
  std::condition_variable durable_changed_;
  std::string failure_;  // broken_, for readers and failure() (under durable_mutex_)
  std::atomic<uint64_t> committed_revision_{0};
  std::atomic<uint64_t> checkpointed_revision_{0};
  std::chrono::milliseconds checkpoint_interval_{50};
  std::thread checkpointer_;
  std::mutex stop_mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
};

lmdb_backend::lmdb_backend(const lmdb_options& options) : path_(options.path) {
  std::error_code ec;
  std::filesystem::create_directories(path_, ec);
  if (ec)
    throw std::runtime_error("lmdb: cannot create directory '" + path_ + "': " + ec.message());
  lock_directory();
  if (int rc = mdb_env_create(&env_)) {
    ::close(lock_fd_);
    throw std::runtime_error(lmdb_error("cannot create environment for '" + path_ + "'", rc));
  }
  try {
    bool logged = options.sync && options.write_ahead_log;
    checkpoint_path_ = path_ + "/checkpoint";
    // A store last run with the log is recovered from it whatever the mode now.
    bool recover = logged || std::filesystem::exists(checkpoint_path_, ec);
    std::vector<wal_record> records;
    if (recover) records = prepare_recovery(options);
    open_environment(options, logged);
    open_databases();
    // The conversion's commit freed the first layout's pages: they must not be written over
    // before a checkpoint names the converted store.
    if (recover && objects_.converted() != 0) checkpoint_now();
    if (recover) finish_recovery(std::move(records), options, logged);
  } catch (...) {
    stop_checkpointer();
    release_pin();
    mdb_env_close(env_);
    ::close(lock_fd_);
    throw;
  }
}

// One server per data directory: a second single writer would reuse revisions, and its
// recovery would rewrite the meta pages under the first.
void lmdb_backend::lock_directory() {
  const std::string lock_file = path_ + "/kactor.lock";
  lock_fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, k_file_mode);
  if (lock_fd_ < 0)
    throw std::runtime_error("lmdb: cannot open '" + lock_file + "': " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(lock_fd_);
    if (error == EWOULDBLOCK)
      throw std::runtime_error("lmdb: the data directory '" + path_ +
                               "' is in use by another kactor server");
    throw std::runtime_error("lmdb: cannot lock '" + lock_file + "': " + std::strerror(error));
  }
}

lmdb_backend::~lmdb_backend() {
  stop_checkpointer();
  if (logging_ && broken_.empty() && !in_session_) {
    settle();
    try {
      checkpoint_now();  // so that the next start has nothing to replay
    } catch (const std::exception&) {
      // The log still holds every commit since the last checkpoint.
    }
  }
  expire_snapshots();
  if (write_txn_) mdb_txn_abort(write_txn_);
  release_pin();
  mdb_env_close(env_);
  ::close(lock_fd_);  // releases the directory
}

// Opens the log and, when the last run did not end at a checkpoint, puts the checkpoint's meta
// page back so that LMDB opens at the checkpoint. Returns the records to replay over it.
std::vector<wal_record> lmdb_backend::prepare_recovery(const lmdb_options& options) {
  log_ = std::make_unique<write_ahead_log>(path_ + "/wal", options.log_segment_bytes,
                                           options.log_sync);
  auto checkpoint = read_checkpoint_file(checkpoint_path_);
  // No checkpoint: a new store, or one whose every commit LMDB synced itself.
  if (!checkpoint) return log_->read_after(0);
  const std::string data_file = path_ + "/data.mdb";
  // 0: neither meta page is intact, which the restore repairs.
  uint64_t newest = newest_meta_txnid(data_file, checkpoint->page_size);
  if (newest != 0 && newest < checkpoint->txnid)
    throw std::runtime_error("lmdb: '" + data_file + "' is older than its checkpoint");
  if (newest != checkpoint->txnid) restore_meta(data_file, *checkpoint);
  return log_->read_after(checkpoint->revision);
}

// Replays the log's records above LMDB's revision and checkpoints. Then either starts the
// checkpointer or, when the log is no longer wanted, syncs LMDB and removes the log.
void lmdb_backend::finish_recovery(std::vector<wal_record> records, const lmdb_options& options,
                                   bool logged) {
  uint64_t stored = revision();
  uint64_t last = stored;
  begin_write();
  for (auto& record : records) {
    if (record.revision <= last) continue;
    for (auto& m : record.mutations) apply(std::move(m));
    last = record.revision;
  }
  if (last != stored) {
    std::string error;
    if (!commit(last, error)) throw std::runtime_error("lmdb: cannot replay the log: " + error);
  } else {
    abort_write();
  }
  if (!logged) {
    if (int rc = mdb_env_sync(env_, 1)) throw std::runtime_error(lmdb_error("cannot sync", rc));
    log_.reset();
    std::filesystem::remove(checkpoint_path_);
    std::filesystem::remove_all(path_ + "/wal");
    return;
  }
  checkpoint_now();
  committed_revision_ = last;
  logging_ = true;
  checkpoint_interval_ = std::chrono::milliseconds(options.checkpoint_ms);
  settle_interval_ = std::chrono::milliseconds(options.settle_ms);
  checkpointer_ = std::thread([this] { checkpoint_loop(); });
}

void lmdb_backend::checkpoint_now() {
  std::lock_guard serial(checkpoint_mutex_);
  take_checkpoint();
}

// Pins LMDB's latest transaction, syncs the file and records the checkpoint; the previous pin
// goes once the new checkpoint is durable. Needs checkpoint_mutex_.
void lmdb_backend::take_checkpoint() {
  MDB_txn* pin = nullptr;
  lmdb_checkpoint checkpoint;
  {
    std::shared_lock map(map_mutex_);
    std::lock_guard commits(commit_mutex_);
    if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &pin))
      throw std::runtime_error(lmdb_error("cannot begin the checkpoint's transaction", rc));
    checkpoint.txnid = mdb_txn_id(pin);
    checkpoint.page_size = page_size_;
    int fd = -1;
    mdb_env_get_fd(env_, &fd);
    auto meta = capture_meta(fd, page_size_, checkpoint.txnid);
    try {
      await_durable(pin);
      checkpoint.revision = read_revision(pin);
    } catch (...) {
      mdb_txn_abort(pin);
      throw;
    }
    if (!meta) {
      mdb_txn_abort(pin);
      throw std::runtime_error("lmdb: the meta page of transaction " +
                               std::to_string(checkpoint.txnid) +
                               " is not where LMDB 0.9 keeps it");
    }
    checkpoint.meta = std::move(*meta);
  }
  try {
    if (int rc = mdb_env_sync(env_, 1)) throw std::runtime_error(lmdb_error("cannot sync", rc));
    write_checkpoint_file(checkpoint_path_, checkpoint);
  } catch (...) {
    mdb_txn_abort(pin);
    throw;
  }
  release_pin();
  pin_ = pin;
  checkpointed_revision_ = checkpoint.revision;
}

void lmdb_backend::release_pin() {
  if (pin_) mdb_txn_abort(pin_);
  pin_ = nullptr;
}

// Between checkpoints, the pages written so far are sent to the disk every 2 ms (without
// waiting), so that a checkpoint's sync has little left to write and the log's syncs do not
// queue behind a large writeback: with one writer, kicks every 5 ms left a p99 of ~1.1 ms,
// every 2 ms ~0.75 ms, at no cost in CPU or rate up to 256 writers (bench/README.md).
void lmdb_backend::checkpoint_loop() {
  const auto kick = std::min(checkpoint_interval_, std::chrono::milliseconds(2));
  auto next_checkpoint = std::chrono::steady_clock::now() + checkpoint_interval_;
  int fd = -1;
  mdb_env_get_fd(env_, &fd);
  std::string checkpoint_error;
  auto wait = kick;
  std::unique_lock lock(stop_mutex_);
  while (!stop_requested_.wait_for(lock, wait, [this] { return stopping_; })) {
    // An idle store is looked at once per checkpoint interval, a busy one every kick.
    bool clean = committed_revision_.load() == checkpointed_revision_.load();
    wait = clean ? checkpoint_interval_ : kick;
    if (clean) continue;
    lock.unlock();
    if (std::chrono::steady_clock::now() < next_checkpoint) {
      ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    } else {
      try {
        checkpoint_now();
        if (!checkpoint_error.empty()) spdlog::info("store: checkpoints succeed again");
        checkpoint_error.clear();
      } catch (const std::exception& e) {
        // Commits stay durable in the log, which keeps its segments until a checkpoint succeeds.
        if (checkpoint_error != e.what())
          spdlog::error(
              "store: checkpoint failed, the write-ahead log grows until one succeeds: {}",
              e.what());
        checkpoint_error = e.what();
      }
      next_checkpoint = std::chrono::steady_clock::now() + checkpoint_interval_;
    }
    lock.lock();
  }
}

void lmdb_backend::stop_checkpointer() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

void lmdb_backend::open_environment(const lmdb_options& options, bool logged) {
  auto fail = [this](std::string_view what, int rc) {
    throw std::runtime_error(lmdb_error(std::string(what) + " '" + path_ + "'", rc));
  };
  if (int rc = mdb_env_set_maxdbs(env_, k_max_dbs)) fail("cannot configure", rc);
  if (int rc = mdb_env_set_maxreaders(env_, k_max_readers)) fail("cannot configure", rc);
  if (int rc = mdb_env_set_mapsize(env_, options.map_size)) fail("cannot set map size of", rc);
  unsigned flags = MDB_NOTLS | (options.sync && !logged ? 0 : MDB_NOSYNC);
  if (int rc = mdb_env_open(env_, path_.c_str(), flags, k_file_mode))
    fail("cannot open environment at", rc);
  int stale_readers = 0;
  mdb_reader_check(env_, &stale_readers);  // slots left behind by crashed processes
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  map_size_ = info.me_mapsize;  // an existing environment may already be larger
  max_key_size_ = static_cast<size_t>(mdb_env_get_maxkeysize(env_));
  MDB_stat stat{};
  mdb_env_stat(env_, &stat);
  page_size_ = stat.ms_psize;
}

// Converting a store of the first layout needs room for both layouts at once: the map grows as
// a write session's would.
void lmdb_backend::open_databases() {
  int rc = create_databases();
  for (int growths = 0; rc == MDB_MAP_FULL && growths < k_max_map_growths; ++growths) {
    if ((rc = mdb_env_set_mapsize(env_, map_size_ * 2))) break;
    map_size_ *= 2;
    rc = create_databases();
  }
  if (rc) throw std::runtime_error(lmdb_error("cannot open the databases in '" + path_ + "'", rc));
  if (size_t converted = objects_.converted()) {
    spdlog::info("store: moved {} objects of '{}' into the keys and values layout", converted,
                 path_);
    if ((rc = mdb_env_sync(env_, 1))) throw std::runtime_error(lmdb_error("cannot sync", rc));
  }
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  if (objects_.index().size() > k_keys_worth_unmapping) unmap_data_pages();
  publish_durable(info.me_last_txnid);  // everything LMDB holds when it opens
}

// Loading the keys touched pages all over LMDB's file, and the kernel mapped the cached pages
// around each of them too: they stay in the page cache, but need not stay in this process's
// memory. LMDB does not tell where its map is; /proc/self/maps does.
void lmdb_backend::unmap_data_pages() const {
  std::ifstream maps("/proc/self/maps");
  const std::string file = std::filesystem::weakly_canonical(path_ + "/data.mdb").string();
  for (std::string line; std::getline(maps, line);) {
    if (!line.ends_with(" " + file)) continue;
    uintptr_t start = 0;
    uintptr_t end = 0;
    const char* text = line.c_str();
    auto dash = std::from_chars(text, text + line.size(), start, 16);
    if (dash.ec != std::errc() || *dash.ptr != '-') continue;
    if (std::from_chars(dash.ptr + 1, text + line.size(), end, 16).ec != std::errc()) continue;
    ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  }
}

int lmdb_backend::create_databases() {
  MDB_txn* txn = nullptr;
  if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn)) return rc;
  int rc = mdb_dbi_open(txn, k_meta_db, MDB_CREATE, &meta_);
  if (rc == 0) rc = objects_.open(txn);
  if (rc) {
    mdb_txn_abort(txn);
    return rc;
  }
  return mdb_txn_commit(txn);
}

// A reader's snapshot may include the one commit whose log record is still being synced (see
// the comment at the top); it is served once that commit is durable, never before.
void lmdb_backend::await_durable(MDB_txn* txn) {
  const uint64_t id = mdb_txn_id(txn);
  if (id <= durable_txnid_.load(std::memory_order_acquire)) return;
  std::unique_lock lock(durable_mutex_);
  durable_changed_.wait(lock, [&] { return id <= durable_txnid_.load() || !failure_.empty(); });
  if (id > durable_txnid_.load()) throw std::runtime_error(failure_);
}

void lmdb_backend::publish_durable(uint64_t txnid) {
  {
    std::lock_guard lock(durable_mutex_);
    durable_txnid_.store(txnid, std::memory_order_release);
  }
  durable_changed_.notify_all();
}

// Only a restart recovers the store: no write may follow, and a reader whose snapshot holds the
// commit that could not be made durable fails instead of waiting for it.
void lmdb_backend::mark_broken(std::string why) {
  broken_ = why;
  {
    std::lock_guard lock(durable_mutex_);
    failure_ = std::move(why);
  }
  durable_changed_.notify_all();
}

std::string lmdb_backend::failure() const {
  std::lock_guard lock(durable_mutex_);
  return failure_;
}

uint64_t lmdb_backend::read_revision(MDB_txn* txn) const {
  MDB_val key = to_val(k_revision_key);
  MDB_val value;
  int rc = mdb_get(txn, meta_, &key, &value);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc) throw std::runtime_error(lmdb_error("cannot read the revision", rc));
  std::string_view text = to_view(value);
  uint64_t revision = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), revision);
  if (ec != std::errc() || end != text.data() + text.size())
    throw std::runtime_error("lmdb: corrupt revision record in '" + path_ + "'");
  return revision;
}

namespace {
const pending_writes k_nothing_pending;

void begin_read(MDB_env* env, MDB_txn** txn) {
  if (int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, txn)) {
    *txn = nullptr;
    throw std::runtime_error(lmdb_error("cannot begin read transaction", rc));
  }
}
}  // namespace

// Null when LMDB had committed every durable batch before the snapshot began, which needs no
// lock (LMDB's commits take in every batch before them). Otherwise the snapshot is taken together
// with its generation's pending writes.
std::shared_ptr<const pending_writes> lmdb_backend::begin_view(MDB_txn** txn, uint64_t& visible) {
  visible = visible_revision_.load(std::memory_order_acquire);
  if (settled_revision_.load(std::memory_order_acquire) >= visible) {
    begin_read(env_, txn);
    return nullptr;
  }
  std::shared_lock view(view_mutex_);
  begin_read(env_, txn);
  visible = visible_revision_.load(std::memory_order_acquire);
  return pending_;
}

// A snapshot holding the commit still being synced waits for it; that commit's revision is then
// above every pending write of the snapshot's generation.
read_view lmdb_backend::make_view(MDB_txn* txn,
                                  const std::shared_ptr<const pending_writes>& pending,
                                  uint64_t visible) {
  await_durable(txn);
  read_view view{txn, pending ? pending.get() : &k_nothing_pending, visible, 0};
  view.revision = std::max(read_revision(txn), visible);
  return view;
}

std::optional<std::string> lmdb_backend::get(std::string_view key, uint64_t* revision) {
  std::shared_lock lock(map_mutex_);
  MDB_txn* raw = nullptr;
  uint64_t visible = 0;
  auto pending = begin_view(&raw, visible);
  read_txn txn(raw);
  await_durable(txn.get());
  if (revision) *revision = std::max(read_revision(txn.get()), visible);
  if (!storable_key(key)) return std::nullopt;
  std::optional<pending_writes::value_ptr> written;
  if (pending) written = pending->find(key, visible);
  if (written) return *written ? std::optional<std::string>(**written) : std::nullopt;
  MDB_val v;
  int rc = objects_.get(txn.get(), key, v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc) throw std::runtime_error(lmdb_error("cannot read '" + std::string(key) + "'", rc));
  return std::string(to_view(v));
}

range_result lmdb_backend::range(std::string_view prefix, std::string_view start_after,
                                 size_t limit) {
  std::shared_lock lock(map_mutex_);
  MDB_txn* raw = nullptr;
  uint64_t visible = 0;
  auto pending = begin_view(&raw, visible);
  read_txn txn(raw);
  return scan(make_view(txn.get(), pending, visible), prefix, start_after, limit);
}

range_result lmdb_backend::scan(const read_view& view, std::string_view prefix,
                                std::string_view start_after, size_t limit) const {
  range_view found = view_scan(view, prefix, start_after, limit, nullptr);
  range_result result;
  result.items.reserve(found.items.size());
  for (const auto& item : found.items)
    result.items.push_back({std::string(item.key), std::string(item.value)});
  result.revision = found.revision;
  result.more = found.more;
  result.remaining = found.remaining;
  return result;
}

// The LMDB keys and the pending writes merged in key order: a pending write replaces the key's
// LMDB value, and a pending deletion hides it. `take` null: every item is taken.
range_view lmdb_backend::view_scan(const read_view& view, std::string_view prefix,
                                   std::string_view start_after, size_t limit,
                                   const item_filter& take) const {
  range_view result;
  result.revision = view.revision;
  const auto written = view.pending->range(prefix, start_after, view.visible);
  size_t next_written = 0;
  object_cursor c(view.txn, objects_);
  // LMDB rejects seek keys longer than its key limit; seeking to a truncated start_after lands
  // at or before the right place and the loop below skips the rest.
  std::string_view from = std::max(prefix, start_after);
  int rc = c.seek(from.substr(0, max_key_size_));
  while (rc == 0 && !start_after.empty() && c.key() <= start_after) rc = c.next();
  for (;;) {
    const bool stored = rc == 0 && c.key().starts_with(prefix);
    const bool pending = next_written < written.size();
    if (!stored && !pending) break;
    item_view item;
    const bool from_pending = pending && (!stored || written[next_written].key <= c.key());
    if (from_pending) {
      const auto& w = written[next_written++];
      if (stored && w.key == c.key()) rc = c.next();
      if (!w.value) continue;
      item = {w.key, *w.value};
    } else {
      item.key = c.key();
    }
    if (result.more) {  // counting the rest only: values are not copied
      ++result.remaining;
    } else if (limit != 0 && result.items.size() == limit) {
      result.more = true;
      result.remaining = 1;
    } else {
      if (!from_pending) item.value = c.value();
      if (!take || take(item.key, item.value)) result.items.push_back(item);
    }
    if (!from_pending) rc = c.next();
  }
  check_cursor_end(rc, "cannot scan '" + std::string(prefix) + "'");
  result.storage = c.keys();
  return result;
}

uint64_t lmdb_backend::revision() {
  std::shared_lock lock(map_mutex_);
  MDB_txn* raw = nullptr;
  uint64_t visible = 0;
  auto pending = begin_view(&raw, visible);
  read_txn txn(raw);
  return make_view(txn.get(), pending, visible).revision;
}

class lmdb_snapshot final : public read_snapshot {
 public:
  lmdb_snapshot(lmdb_backend& backend, std::shared_ptr<snapshot_txn> txn, uint64_t revision)
      : backend_(backend), txn_(std::move(txn)), revision_(revision) {}
  ~lmdb_snapshot() override { txn_->close(); }
  lmdb_snapshot(const lmdb_snapshot&) = delete;
  lmdb_snapshot& operator=(const lmdb_snapshot&) = delete;

  uint64_t revision() const override { return revision_; }
  bool view_range(std::string_view prefix, std::string_view start_after, size_t limit,
                  const item_filter& take,
                  const std::function<void(const range_view&)>& use) override {
    return backend_.view_range_in(*txn_, prefix, start_after, limit, take, use);
  }

 private:
  lmdb_backend& backend_;
  std::shared_ptr<snapshot_txn> txn_;
  uint64_t revision_;
};

std::shared_ptr<read_snapshot> lmdb_backend::snapshot() {
  std::shared_lock lock(map_mutex_);
  auto txn = std::make_shared<snapshot_txn>();
  txn->pending = begin_view(&txn->txn, txn->visible);
  uint64_t revision = 0;
  try {
    revision = make_view(txn->txn, txn->pending, txn->visible).revision;
  } catch (...) {
    txn->close();
    throw;
  }
  {
    std::lock_guard registry(snapshots_mutex_);
    std::erase_if(snapshots_, [](const auto& weak) { return weak.expired(); });
    snapshots_.push_back(txn);
  }
  return std::make_shared<lmdb_snapshot>(*this, std::move(txn), revision);
}

// The transaction stays in turn and the map cannot move while `use` runs: its views point into it.
bool lmdb_backend::view_range_in(snapshot_txn& snapshot, std::string_view prefix,
                                 std::string_view start_after, size_t limit,
                                 const item_filter& take,
                                 const std::function<void(const range_view&)>& use) {
  std::shared_lock lock(map_mutex_);
  std::lock_guard turn(snapshot.mutex);
  if (!snapshot.txn) return false;
  read_view view{snapshot.txn, snapshot.pending ? snapshot.pending.get() : &k_nothing_pending,
                 snapshot.visible, 0};
  view.revision = std::max(read_revision(snapshot.txn), snapshot.visible);
  use(view_scan(view, prefix, start_after, limit, take));
  return true;
}

// Closes every open snapshot's transaction; their reads return nullopt from now on.
void lmdb_backend::expire_snapshots() {
  std::lock_guard registry(snapshots_mutex_);
  for (const auto& weak : snapshots_)
    if (auto txn = weak.lock()) txn->close();
  snapshots_.clear();
}

void lmdb_backend::require_session(const char* operation) const {
  if (!in_session_)
    throw std::logic_error(std::string("lmdb: ") + operation + " outside a write session");
}

void lmdb_backend::begin_write() {
  if (in_session_) throw std::logic_error("lmdb: begin_write while a write session is open");
  in_session_ = true;
  session_log_.clear();
  session_error_.clear();
  session_logged_ = false;
  if (!broken_.empty()) return fail_session(broken_);
  if (write_txn_) return;  // the transaction of the unsettled batches goes on
  if (int rc = mdb_txn_begin(env_, nullptr, 0, &write_txn_)) {
    write_txn_ = nullptr;
    fail_session(lmdb_error("cannot begin write transaction", rc));
  }
}

std::optional<std::string> lmdb_backend::get_for_write(std::string_view key) {
  require_session("get_for_write");
  if (!session_usable() || !storable_key(key)) return std::nullopt;
  MDB_val v;
  int rc = objects_.writer_get(write_txn_, key, v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc) {
    fail_session(lmdb_error("cannot read '" + std::string(key) + "'", rc));
    return std::nullopt;
  }
  return std::string(to_view(v));
}

std::vector<std::string> lmdb_backend::keys_for_write(std::string_view prefix) {
  require_session("keys_for_write");
  std::vector<std::string> keys;
  if (!session_usable()) return keys;
  try {
    object_cursor c(write_txn_, objects_);
    int rc = c.seek(prefix.substr(0, max_key_size_));
    for (; rc == 0 && c.key().starts_with(prefix); rc = c.next()) keys.emplace_back(c.key());
    check_cursor_end(rc, "cannot scan '" + std::string(prefix) + "'");
  } catch (const std::runtime_error& e) {
    fail_session(e.what());
    keys.clear();
  }
  return keys;
}

int lmdb_backend::write_one(const mutation& m) {
  if (!storable_key(m.key)) return MDB_BAD_VALSIZE;
  if (m.operation == mutation::op::erase) return objects_.erase(write_txn_, m.key);
  return objects_.put(write_txn_, m.key, m.value);
}

void lmdb_backend::apply(mutation m) {
  require_session("apply");
  if (!session_usable()) return;
  session_log_.push_back(std::move(m));
  int rc = write_one(session_log_.back());
  for (int growths = 0; rc == MDB_MAP_FULL && growths < k_max_map_growths; ++growths)
    rc = restart_in_larger_map();
  if (rc == 0) return;
  std::string key = session_log_.back().key;
  if (rc == MDB_BAD_VALSIZE)
    fail_session("lmdb: key '" + key + "' is empty or longer than " +
                 std::to_string(max_key_size_) + " bytes");
  else
    fail_session(lmdb_error("cannot write '" + key + "'", rc));
}

// With the log, the latest commit is checkpointed first: the pin must go while the map moves,
// and is taken again on the same transaction before anything else is committed.
int lmdb_backend::grow_map() {
  std::unique_lock<std::mutex> serial;
  if (logging_) {
    serial = std::unique_lock(checkpoint_mutex_);
    try {
      take_checkpoint();
    } catch (const std::exception&) {
      return MDB_PANIC;
    }
  }
  int rc = 0;
  {
    std::unique_lock lock(map_mutex_);  // waits for every live read transaction to end
    expire_snapshots();                 // and closes those kept open between reads
    release_pin();
    size_t bigger = map_size_ * 2;
    rc = mdb_env_set_mapsize(env_, bigger);
    if (rc == 0) map_size_ = bigger;
  }
  if (logging_ && mdb_txn_begin(env_, nullptr, MDB_RDONLY, &pin_) != 0) {
    pin_ = nullptr;
    mark_broken("lmdb: cannot hold the checkpoint after growing the map; restart the server");
    return MDB_PANIC;
  }
  return rc;
}

void lmdb_backend::abort_write_txn() {
  if (write_txn_) mdb_txn_abort(write_txn_);
  write_txn_ = nullptr;
  objects_.transaction_aborted();
}

// Aborts the session's transaction, doubles the map and replays the session's mutations.
int lmdb_backend::restart_in_larger_map() {
  abort_write_txn();
  if (int rc = grow_map()) return rc;
  if (int rc = replay_unsettled()) return rc;
  for (const auto& m : session_log_)
    if (int rc = write_one(m)) return rc;
  return 0;
}

// A new write transaction holding the unsettled batches (and none of the current session's).
int lmdb_backend::replay_unsettled() {
  abort_write_txn();
  if (int rc = mdb_txn_begin(env_, nullptr, 0, &write_txn_)) {
    write_txn_ = nullptr;
    return rc;
  }
  for (const auto& m : unsettled_)
    if (int rc = write_one(m)) return rc;
  return unsettled_.empty() ? 0 : put_revision(unsettled_revision_);
}

// The store revision, in the same transaction as the objects it describes.
int lmdb_backend::put_revision(uint64_t revision) {
  std::string text = std::to_string(revision);
  MDB_val key = to_val(k_revision_key);
  MDB_val value = to_val(text);
  if (int rc = mdb_put(write_txn_, meta_, &key, &value, 0)) return rc;
  lmdb_revision_ = revision;
  return 0;
}

bool lmdb_backend::settle_due() const {
  return std::chrono::steady_clock::now() - last_lmdb_commit_ >= settle_interval_ ||
         unsettled_bytes_ >= k_max_unsettled_bytes;
}

// Commits write_txn_ and starts a new generation of pending writes, both while no reader is
// taking its view. mdb_txn_commit frees the transaction even when it fails.
int lmdb_backend::commit_lmdb(uint64_t& txnid) {
  txnid = mdb_txn_id(write_txn_);
  int rc = 0;
  {
    std::unique_lock view(view_mutex_);
    std::lock_guard commits(commit_mutex_);
    rc = mdb_txn_commit(write_txn_);
    if (rc == 0) pending_ = std::make_shared<pending_writes>();
  }
  write_txn_ = nullptr;
  if (rc) {
    objects_.transaction_aborted();
    return rc;
  }
  objects_.transaction_committed();
  objects_.collect(env_);
  unsettled_.clear();
  unsettled_bytes_ = 0;
  last_lmdb_commit_ = std::chrono::steady_clock::now();
  committed_revision_ = lmdb_revision_;
  settled_revision_.store(lmdb_revision_, std::memory_order_release);
  return 0;
}

// Writes the revision, appends the batch to the log (once per session) and makes it durable.
// With the log, LMDB commits only when a settle is due; the batch is otherwise left in
// write_txn_ and shown to readers as pending writes once the log has synced it.
int lmdb_backend::commit_transaction(uint64_t new_revision) {
  if (int rc = put_revision(new_revision)) return rc;
  if (logging_ && !session_logged_) {
    if (!log_->write(new_revision, session_log_, log_error_)) return k_log_failed;
    session_logged_ = true;
  }
  const bool defer = logging_ && session_log_.size() < k_max_deferred_batch && !settle_due();
  uint64_t txnid = 0;
  if (!defer) {
    if (int rc = commit_lmdb(txnid)) return rc;
  }
  if (logging_ && !log_->sync(log_error_)) return k_log_sync_failed;
  if (defer) {
    pending_->add(new_revision, session_log_);
    for (auto& m : session_log_) {
      unsettled_bytes_ += m.key.size() + m.value.size();
      unsettled_.push_back(std::move(m));
    }
    unsettled_revision_ = new_revision;
  } else {
    publish_durable(txnid);
  }
  session_log_.clear();
  visible_revision_.store(new_revision, std::memory_order_release);
  return 0;
}

void lmdb_backend::settle() {
  if (in_session_ || !write_txn_ || unsettled_.empty() || !broken_.empty()) return;
  uint64_t txnid = 0;
  int rc = commit_lmdb(txnid);
  for (int growths = 0; rc == MDB_MAP_FULL && growths < k_max_map_growths; ++growths) {
    rc = restart_in_larger_map();
    if (rc == 0) rc = commit_lmdb(txnid);
  }
  if (rc) {
    mark_broken(lmdb_error("cannot commit the writes the log holds", rc) +
                "; restart the server to recover them");
    return;
  }
  publish_durable(txnid);  // the log made all of it durable already
  if (logging_) log_->release(checkpointed_revision_.load());
}

void lmdb_backend::commit_session(uint64_t new_revision) {
  uint64_t current = read_revision(write_txn_);
  if (new_revision < current) {
    fail_session("lmdb: commit with revision " + std::to_string(new_revision) +
                 " below the stored revision " + std::to_string(current));
    return;
  }
  int rc = commit_transaction(new_revision);
  for (int growths = 0; rc == MDB_MAP_FULL && growths < k_max_map_growths; ++growths) {
    rc = restart_in_larger_map();
    if (rc == 0) rc = commit_transaction(new_revision);
  }
  if (rc == k_log_failed) return fail_session("lmdb: " + log_error_);
  if (rc == k_log_sync_failed) {
    mark_broken("lmdb: revision " + std::to_string(new_revision) +
                " is in LMDB but not durable: " + log_error_ + "; restart the server to recover");
    return fail_session(broken_);
  }
  if (rc) {
    std::string error = lmdb_error("cannot commit revision " + std::to_string(new_revision), rc);
    if (session_logged_ && broken_.empty())
      mark_broken(error + " after the write-ahead log took it; restart the server to recover it");
    return fail_session(std::move(error));
  }
  if (logging_) log_->release(checkpointed_revision_.load());
}

bool lmdb_backend::commit(uint64_t new_revision, std::string& error) {
  require_session("commit");
  if (session_usable()) {
    try {
      commit_session(new_revision);
    } catch (const std::exception& e) {
      fail_session(e.what());
    }
  }
  bool ok = session_error_.empty();
  if (!ok) error = session_error_;
  end_session();
  return ok;
}

void lmdb_backend::abort_write() {
  if (in_session_) end_session();
}

// Undoes the session's mutations: the transaction is rebuilt from the unsettled batches, which
// the log holds and readers already see.
void lmdb_backend::fail_session(std::string message) {
  if (session_error_.empty()) session_error_ = std::move(message);
  session_log_.clear();
  abort_write_txn();
  if (unsettled_.empty() || !broken_.empty()) return;
  if (int rc = replay_unsettled()) {
    abort_write_txn();
    mark_broken(lmdb_error("cannot take up the writes the log holds again", rc) +
                "; restart the server to recover them");
  }
}

void lmdb_backend::end_session() {
  if (!session_log_.empty()) {
    fail_session("lmdb: write session ended without a commit");
  } else if (write_txn_ && unsettled_.empty()) {
    abort_write_txn();
  }
  session_log_.clear();
  session_error_.clear();
  in_session_ = false;
}

}  // namespace

std::unique_ptr<backend> open_lmdb(const lmdb_options& options) {
  return std::make_unique<lmdb_backend>(options);
}

}  // namespace kactor::store
