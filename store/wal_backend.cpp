// LMDB behind a write-ahead log: the way etcd pairs its WAL with bbolt.
//
// A commit appends the batch to the log (one sequential write, one fdatasync) and then shows it
// to readers through the "pending" map: every key written since LMDB's last checkpoint, with its
// value (null when erased) and revision. A checkpointer thread copies the pending map into one
// LMDB transaction, committed with LMDB's own full sync, then drops the entries it saved and lets
// the log recycle their segments. LMDB thus only ever holds whole, synced checkpoints, so a crash
// at any moment leaves it consistent; on start the log's records above LMDB's revision are
// checkpointed before anything else happens.
//
// Reads merge the pending map over an LMDB snapshot. The pair is consistent when the snapshot is
// not newer than the pending copy (a checkpoint can land between the two steps): otherwise the
// read starts again, and after a few tries holds the checkpoint lock, which keeps LMDB still.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <thread>

#include "store/lmdb_backend.hpp"
#include "store/wal.hpp"

namespace kactor::store {
namespace {

using value_ptr = std::shared_ptr<const std::string>;

struct pending_entry {
  value_ptr value;  // null: erased
  uint64_t revision = 0;
};
using pending_map = std::map<std::string, pending_entry, std::less<>>;
using pending_item = std::pair<std::string, pending_entry>;

constexpr int k_optimistic_reads = 4;
// Writers wait for the checkpointer once this many times checkpoint_keys are pending...
constexpr size_t k_pending_limit_factor = 8;
// ...and fail the commit if it made no room for this long (the checkpoints keep failing).
constexpr auto k_room_timeout = std::chrono::seconds(30);

class wal_backend final : public backend {
 public:
  explicit wal_backend(const lmdb_options& options);
  ~wal_backend() override;
  wal_backend(const wal_backend&) = delete;
  wal_backend& operator=(const wal_backend&) = delete;

  std::optional<std::string> get(std::string_view key, uint64_t* revision) override;
  range_result range(std::string_view prefix, std::string_view start_after, size_t limit) override;
  uint64_t revision() override;

  void begin_write() override;
  std::optional<std::string> get_for_write(std::string_view key) override;
  std::vector<std::string> keys_for_write(std::string_view prefix) override;
  void apply(const mutation& m) override;
  bool commit(uint64_t new_revision, std::string& error) override;
  void abort_write() override;

 private:
  void recover();
  void checkpoint_loop();
  bool checkpoint(std::string& error);
  std::vector<pending_item> pending_under(std::string_view prefix, std::string_view start_after,
                                          uint64_t& published) const;
  range_result merged_range(std::string_view prefix, std::string_view start_after, size_t limit,
                            bool& consistent);
  void require_session(const char* operation) const;
  void end_session();
  bool check_revision(uint64_t new_revision, std::string& error) const;
  void publish(uint64_t revision);
  bool wait_for_room(std::string& error);

  lmdb_options options_;
  lmdb_backend lmdb_;
  write_ahead_log log_;

  mutable std::shared_mutex mutex_;  // guards pending_, published_, stop_, checkpoint_error_
  pending_map pending_;
  uint64_t published_ = 0;  // the newest committed revision
  bool stop_ = false;
  std::string checkpoint_error_;
  std::condition_variable_any checkpoint_wanted_;
  std::condition_variable_any room_made_;
  std::atomic<uint64_t> checkpointed_{0};  // LMDB holds everything up to here
  // Held exclusively while a checkpoint commits; shared by reads that must not see LMDB move.
  std::shared_mutex checkpoint_mutex_;

  // The writer's session: its mutations in order, and the latest state of each key it wrote.
  bool in_session_ = false;
  std::string session_error_;  // the first bad mutation; the commit then fails
  std::vector<mutation> session_;
  std::map<std::string, value_ptr, std::less<>> session_state_;

  std::thread checkpointer_;
};

lmdb_options lmdb_part(lmdb_options options) {
  options.write_ahead_log = false;
  options.sync = true;
  return options;
}

wal_backend::wal_backend(const lmdb_options& options)
    : options_(options),
      lmdb_(lmdb_part(options)),
      log_(options.path + "/wal", options.wal_segment_bytes) {
  recover();
  checkpointer_ = std::thread([this] { checkpoint_loop(); });
}

wal_backend::~wal_backend() {
  {
    std::unique_lock lock(mutex_);
    stop_ = true;
  }
  checkpoint_wanted_.notify_all();
  checkpointer_.join();
  std::string error;
  checkpoint(error);  // what remains is in the log either way
}

// Replays the log records LMDB lacks and saves them in LMDB at once.
void wal_backend::recover() {
  uint64_t saved = lmdb_.revision();
  published_ = saved;
  for (auto& record : log_.read_after(saved)) {
    for (auto& m : record.mutations) {
      value_ptr value;
      if (m.operation == mutation::op::put)
        value = std::make_shared<const std::string>(std::move(m.value));
      pending_[m.key] = {std::move(value), record.revision};
    }
    published_ = record.revision;
  }
  checkpointed_ = saved;
  std::string error;
  if (!checkpoint(error)) throw std::runtime_error(error);
  log_.release(checkpointed_);
}

void wal_backend::checkpoint_loop() {
  const auto interval = std::chrono::milliseconds(options_.checkpoint_ms);
  std::unique_lock lock(mutex_);
  while (!stop_) {
    checkpoint_wanted_.wait_for(
        lock, interval, [this] { return stop_ || pending_.size() >= options_.checkpoint_keys; });
    if (stop_ || pending_.empty()) continue;
    lock.unlock();
    std::string error;
    bool ok = checkpoint(error);
    lock.lock();
    checkpoint_error_ = ok ? std::string() : error;
  }
}

// Saves every pending key in one synced LMDB transaction, then drops the saved entries.
bool wal_backend::checkpoint(std::string& error) {
  std::vector<pending_item> batch;
  uint64_t upto = 0;
  {
    std::shared_lock lock(mutex_);
    if (pending_.empty()) return true;
    batch.assign(pending_.begin(), pending_.end());
    upto = published_;
  }
  {
    std::unique_lock still(checkpoint_mutex_);
    lmdb_.begin_write();
    for (const auto& [key, entry] : batch)
      lmdb_.apply(entry.value ? mutation{mutation::op::put, key, *entry.value}
                              : mutation{mutation::op::erase, key, {}});
    if (!lmdb_.commit(upto, error)) return false;
  }
  {
    std::unique_lock lock(mutex_);
    for (const auto& [key, entry] : batch) {
      auto it = pending_.find(key);
      if (it != pending_.end() && it->second.revision <= upto) pending_.erase(it);
    }
  }
  checkpointed_ = upto;
  room_made_.notify_all();
  return true;
}

std::vector<pending_item> wal_backend::pending_under(std::string_view prefix,
                                                     std::string_view start_after,
                                                     uint64_t& published) const {
  std::shared_lock lock(mutex_);
  published = published_;
  std::vector<pending_item> items;
  auto it = start_after.empty() ? pending_.lower_bound(prefix) : pending_.upper_bound(start_after);
  if (!start_after.empty() && start_after < prefix) it = pending_.lower_bound(prefix);
  for (; it != pending_.end() && it->first.starts_with(prefix); ++it) items.push_back(*it);
  return items;
}

std::optional<std::string> wal_backend::get(std::string_view key, uint64_t* revision) {
  for (int attempt = 0;; ++attempt) {
    std::shared_lock still(checkpoint_mutex_, std::defer_lock);
    if (attempt >= k_optimistic_reads) still.lock();
    uint64_t published = 0;
    {
      std::shared_lock lock(mutex_);
      published = published_;
      if (auto it = pending_.find(key); it != pending_.end()) {
        if (revision) *revision = published;
        if (!it->second.value) return std::nullopt;
        return *it->second.value;
      }
    }
    uint64_t snapshot = 0;
    auto value = lmdb_.get(key, &snapshot);
    if (snapshot > published) continue;
    if (revision) *revision = published;
    return value;
  }
}

range_result wal_backend::range(std::string_view prefix, std::string_view start_after,
                                size_t limit) {
  for (int attempt = 0;; ++attempt) {
    std::shared_lock still(checkpoint_mutex_, std::defer_lock);
    if (attempt >= k_optimistic_reads) still.lock();
    bool consistent = false;
    auto result = merged_range(prefix, start_after, limit, consistent);
    if (consistent) return result;
  }
}

// Pending entries over an LMDB scan, both in key order; pending wins on equal keys.
range_result wal_backend::merged_range(std::string_view prefix, std::string_view start_after,
                                       size_t limit, bool& consistent) {
  uint64_t published = 0;
  auto pending = pending_under(prefix, start_after, published);
  range_result result;
  result.revision = published;
  auto emit = [&](std::string_view key, std::string_view value) {
    if (limit != 0 && result.items.size() == limit) {
      result.more = true;
      ++result.remaining;
    } else {
      result.items.push_back({std::string(key), std::string(value)});
    }
  };
  size_t next = 0;
  auto emit_pending_before = [&](std::string_view key) {
    for (; next < pending.size() && (key.empty() || pending[next].first < key); ++next)
      if (pending[next].second.value) emit(pending[next].first, *pending[next].second.value);
  };
  uint64_t snapshot =
      lmdb_.scan(prefix, start_after, [&](std::string_view key, std::string_view value) {
        emit_pending_before(key);
        if (next < pending.size() && pending[next].first == key) {
          if (pending[next].second.value) emit(key, *pending[next].second.value);
          ++next;
        } else {
          emit(key, value);
        }
        return true;
      });
  emit_pending_before({});
  consistent = snapshot <= published;
  return result;
}

uint64_t wal_backend::revision() {
  std::shared_lock lock(mutex_);
  return published_;
}

void wal_backend::require_session(const char* operation) const {
  if (!in_session_)
    throw std::logic_error(std::string("store: ") + operation + " outside a write session");
}

void wal_backend::begin_write() {
  if (in_session_) throw std::logic_error("store: begin_write while a write session is open");
  in_session_ = true;
}

void wal_backend::end_session() {
  in_session_ = false;
  session_error_.clear();
  session_.clear();
  session_state_.clear();
}

std::optional<std::string> wal_backend::get_for_write(std::string_view key) {
  require_session("get_for_write");
  if (auto it = session_state_.find(key); it != session_state_.end()) {
    if (!it->second) return std::nullopt;
    return *it->second;
  }
  {
    std::shared_lock lock(mutex_);
    if (auto it = pending_.find(key); it != pending_.end()) {
      if (!it->second.value) return std::nullopt;
      return *it->second.value;
    }
  }
  // Only this writer adds pending entries, and a checkpoint drops them after LMDB has them.
  return lmdb_.get(key, nullptr);
}

std::vector<std::string> wal_backend::keys_for_write(std::string_view prefix) {
  require_session("keys_for_write");
  std::map<std::string, bool, std::less<>> present;
  lmdb_.scan(prefix, {}, [&](std::string_view key, std::string_view) {
    present.emplace(std::string(key), true);
    return true;
  });
  uint64_t published = 0;
  for (const auto& [key, entry] : pending_under(prefix, {}, published))
    present[key] = entry.value != nullptr;
  for (auto it = session_state_.lower_bound(prefix);
       it != session_state_.end() && it->first.starts_with(prefix); ++it)
    present[it->first] = it->second != nullptr;
  std::vector<std::string> keys;
  for (auto& [key, exists] : present)
    if (exists) keys.push_back(key);
  return keys;
}

void wal_backend::apply(const mutation& m) {
  require_session("apply");
  if (!session_error_.empty()) return;
  if (m.key.empty() || m.key.size() > lmdb_.max_key_size()) {
    session_error_ = "store: key '" + m.key + "' is empty or longer than " +
                     std::to_string(lmdb_.max_key_size()) + " bytes";
    return;
  }
  session_.push_back(m);
  value_ptr value;
  if (m.operation == mutation::op::put) value = std::make_shared<const std::string>(m.value);
  session_state_[m.key] = std::move(value);
}

bool wal_backend::commit(uint64_t new_revision, std::string& error) {
  require_session("commit");
  bool ok = session_error_.empty() && check_revision(new_revision, error) && wait_for_room(error);
  if (!session_error_.empty()) error = session_error_;
  if (ok) {
    log_.release(checkpointed_);
    ok = log_.append(new_revision, session_, error);
  }
  if (ok) publish(new_revision);
  end_session();
  return ok;
}

void wal_backend::abort_write() {
  end_session();
}

bool wal_backend::check_revision(uint64_t new_revision, std::string& error) const {
  uint64_t current = 0;
  {
    std::shared_lock lock(mutex_);
    current = published_;
  }
  if (new_revision >= current) return true;
  error = "store: commit with revision " + std::to_string(new_revision) +
          " below the stored revision " + std::to_string(current);
  return false;
}

void wal_backend::publish(uint64_t revision) {
  bool wanted = false;
  {
    std::unique_lock lock(mutex_);
    for (auto& [key, value] : session_state_) pending_[key] = {std::move(value), revision};
    published_ = revision;
    wanted = pending_.size() >= options_.checkpoint_keys;
  }
  if (wanted) checkpoint_wanted_.notify_one();
}

// Bounds the pending map: a writer far ahead of the checkpoints waits for them.
bool wal_backend::wait_for_room(std::string& error) {
  const size_t limit = options_.checkpoint_keys * k_pending_limit_factor;
  std::unique_lock lock(mutex_);
  if (pending_.size() < limit) return true;
  checkpoint_wanted_.notify_one();
  if (room_made_.wait_for(lock, k_room_timeout, [&] { return pending_.size() < limit; }))
    return true;
  error = "store: checkpoints of the write-ahead log into LMDB are failing: " + checkpoint_error_;
  return false;
}

}  // namespace

std::unique_ptr<backend> open_logged_lmdb(const lmdb_options& options) {
  return std::make_unique<wal_backend>(options);
}

}  // namespace kactor::store
