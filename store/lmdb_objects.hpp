// How the store's objects lie in LMDB: "values" holds each object's JSON under a slot number
// (8 bytes, big-endian) handed out in creation order, so a new object is appended at the end of
// that tree and its pages fill up whatever the order of the objects' keys; "keys" holds each
// slot's store key, appended alongside. An update rewrites the value in its slot. The keys in key
// order, which lists and lookups by key need, are kept in memory (name_index.hpp), loaded from
// "keys" when the store opens.
//
// Two older layouts are converted when the store opens (object_tables::open). The first kept the
// JSON under the key itself ("objects"): LMDB splits a full leaf by moving its last node to the
// new page together with the new one, so objects created in key order (bench-1, bench-2, ..., a
// StatefulSet's pods) left one ~1.8 KB pod per 4 KiB page. The second kept the key order in an
// LMDB tree ("index", key to slot): a generated name lands on a random leaf of it, and each
// create dirtied, copied and wrote back a 4 KiB page of it.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/name_index.hpp"

namespace kactor::store {

// The databases' names, and the number of databases the environment must allow for them.
inline constexpr const char* k_keys_db = "keys";
inline constexpr const char* k_values_db = "values";
inline constexpr const char* k_index_db = "index";  // the second layout's
inline constexpr const char* k_first_layout_db = "objects";
inline constexpr unsigned k_object_dbs = 4;  // keys, values and, while converting, an old one

class object_tables {
 public:
  object_tables();

  // Opens (creating) the databases in `txn`, a write transaction, converts a store of an older
  // layout in it, and loads the keys. Returns an LMDB error code (0 on success).
  int open(MDB_txn* txn);
  // How many objects open() converted from an older layout.
  size_t converted() const { return converted_; }

  // Reads from any transaction. get: 0 with the value, MDB_NOTFOUND, or another LMDB error.
  int get(MDB_txn* txn, std::string_view key, MDB_val& value) const;

  // The same from the single writer's transaction.
  int writer_get(MDB_txn* txn, std::string_view key, MDB_val& value) const {
    uint64_t slot = 0;
    return writer_find(txn, key, slot, value);
  }

  // Writes, from the single writer's transaction. erase of a missing key is not an error.
  // A put that creates a key, or gives a key a slot again, lists the new slot at once.
  int put(MDB_txn* txn, std::string_view key, std::string_view value);
  int erase(MDB_txn* txn, std::string_view key);
  // After the writer's transaction committed, or was aborted (or failed to commit): the slots
  // its puts listed stay, or are forgotten.
  void transaction_committed() { added_.clear(); }
  void transaction_aborted();
  // From the writer, with no write transaction open: forgets the slots of erased objects once
  // their erasure is committed and no open reader's snapshot is older than that.
  void collect(MDB_env* env);

  MDB_dbi keys() const { return keys_; }
  MDB_dbi values() const { return values_; }
  const name_index& index() const { return *index_; }

 private:
  struct erased {
    std::string key;
    uint64_t slot = 0;
    uint64_t txnid = 0;  // the write transaction that erased it, or the commit that showed it
  };

  int convert_first_layout(MDB_txn* txn);
  int convert_index_layout(MDB_txn* txn);
  int load_keys(MDB_txn* txn);
  // The one of `slots` that `txn` holds: 0 with its slot and value, or MDB_NOTFOUND.
  int find(MDB_txn* txn, const slot_list& slots, uint64_t& slot, MDB_val& value) const;
  // The same for `key`'s slots, from the writer.
  int writer_find(MDB_txn* txn, std::string_view key, uint64_t& slot, MDB_val& value) const;

  MDB_dbi keys_ = 0;
  MDB_dbi values_ = 0;
  std::unique_ptr<name_index> index_;
  uint64_t next_slot_ = 1;  // above every slot handed out since the store opened
  size_t converted_ = 0;
  std::deque<erased> uncommitted_;  // erased, in transaction order
  std::deque<erased> committed_;    // erased in a commit, in commit order
  // Slots listed by the open write transaction's puts, with their keys as the index holds them.
  std::vector<std::pair<std::string_view, uint64_t>> added_;
};

// A cursor in key order over the objects a transaction holds. Errors other than the end of the
// keys throw std::runtime_error.
class object_cursor {
 public:
  object_cursor(MDB_txn* txn, const object_tables& tables);
  ~object_cursor();
  object_cursor(const object_cursor&) = delete;
  object_cursor& operator=(const object_cursor&) = delete;

  // Positions at the first key >= `from` (the first key at all when `from` is empty).
  // 0, or MDB_NOTFOUND past the last key.
  int seek(std::string_view from);
  int next();
  // The views stay valid while the transaction is open and keys() is held.
  std::string_view key() const { return chunks_->back().key(at_); }
  std::string_view value() const { return value_; }
  // What the keys' views point into.
  std::shared_ptr<const void> keys() const { return chunks_; }

 private:
  int settle();  // moves on to the first entry from here whose object the transaction holds
  bool holds(const slot_list& slots);

  const name_index& index_;
  MDB_cursor* values_ = nullptr;
  // Every chunk read so far: views of the keys taken earlier in a scan stay valid.
  std::shared_ptr<std::deque<index_chunk>> chunks_;
  size_t at_ = 0;
  size_t chunk_size_ = 0;
  uint64_t values_slot_ = 0;  // where values_ stands (0: nowhere known)
  std::string_view value_;
};

}  // namespace kactor::store
