// The LMDB storage engine itself, for the store's own wrappers (the write-ahead log in
// wal_backend.cpp). Everything else reaches it through `open_lmdb` in backend.hpp.
#pragma once

#include <lmdb.h>

#include <functional>
#include <shared_mutex>

#include "store/backend.hpp"

namespace kactor::store {

class lmdb_backend final : public backend {
 public:
  explicit lmdb_backend(const lmdb_options& options);
  ~lmdb_backend() override;
  lmdb_backend(const lmdb_backend&) = delete;
  lmdb_backend& operator=(const lmdb_backend&) = delete;

  std::optional<std::string> get(std::string_view key, uint64_t* revision) override;
  range_result range(std::string_view prefix, std::string_view start_after, size_t limit) override;
  uint64_t revision() override;

  // Calls `visit` with each key under `prefix` after `start_after`, in key order, in one
  // snapshot, until it returns false. The views die with the call. Returns the snapshot's
  // revision.
  using visitor = std::function<bool(std::string_view key, std::string_view value)>;
  uint64_t scan(std::string_view prefix, std::string_view start_after, const visitor& visit);
  // Keys must be 1 to this many bytes long.
  size_t max_key_size() const { return max_key_size_; }

  void begin_write() override;
  std::optional<std::string> get_for_write(std::string_view key) override;
  std::vector<std::string> keys_for_write(std::string_view prefix) override;
  void apply(const mutation& m) override;
  bool commit(uint64_t new_revision, std::string& error) override;
  void abort_write() override;

 private:
  void open_environment(const lmdb_options& options);
  void open_databases();
  bool storable_key(std::string_view key) const {
    return !key.empty() && key.size() <= max_key_size_;
  }
  uint64_t read_revision(MDB_txn* txn) const;

  void require_session(const char* operation) const;
  bool session_usable() const { return write_txn_ != nullptr && session_error_.empty(); }
  int write_one(const mutation& m);
  int restart_in_larger_map();
  int grow_map();
  int commit_transaction(uint64_t new_revision);
  void commit_session(uint64_t new_revision);
  void fail_session(std::string message);
  void end_session();

  std::string path_;
  MDB_env* env_ = nullptr;
  MDB_dbi objects_ = 0;
  MDB_dbi meta_ = 0;
  size_t max_key_size_ = 0;
  size_t map_size_ = 0;
  // Shared by every live read transaction; exclusive while the map is remapped.
  std::shared_mutex map_mutex_;

  // The write session (single writer).
  bool in_session_ = false;
  MDB_txn* write_txn_ = nullptr;
  std::vector<mutation> session_log_;  // replayed after growing the map
  std::string session_error_;          // first failure; the session then only awaits its end
};

// The LMDB engine behind a write-ahead log (wal_backend.cpp); `options.sync` must be true.
std::unique_ptr<backend> open_logged_lmdb(const lmdb_options& options);

}  // namespace kactor::store
