// How the store's objects lie in LMDB: two databases. "values" holds each object's JSON under a
// slot number (8 bytes, big-endian) handed out in creation order, so a new object is appended at
// the end of that tree and its pages fill up whatever the order of the objects' keys. "index"
// maps each store key to its slot; an update rewrites the value in its slot.
//
// The first layout kept the JSON under the key itself ("objects"). LMDB splits a full leaf by
// moving its last node to the new page together with the new one, so objects created in key
// order (bench-1, bench-2, ..., a StatefulSet's pods) left one ~1.8 KB pod per 4 KiB page, and
// generated names dirtied a random page of the whole store per create. A store in that layout
// is converted when it opens (object_tables::open).
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace kactor::store {

// The databases' names, and the number of databases the environment must allow for them.
inline constexpr const char* k_index_db = "index";
inline constexpr const char* k_values_db = "values";
inline constexpr const char* k_first_layout_db = "objects";
inline constexpr unsigned k_object_dbs = 3;  // index, values and, while converting, objects

class object_tables {
 public:
  // Opens (creating) the databases in `txn`, a write transaction, and converts a store of the
  // first layout in it. Returns an LMDB error code (0 on success).
  int open(MDB_txn* txn);
  // How many objects open() converted from the first layout.
  size_t converted() const { return converted_; }

  // Reads from any transaction. get: 0 with the value, MDB_NOTFOUND, or another LMDB error.
  int get(MDB_txn* txn, std::string_view key, MDB_val& value) const;

  // Writes, from the single writer's transaction. erase of a missing key is not an error.
  int put(MDB_txn* txn, std::string_view key, std::string_view value);
  int erase(MDB_txn* txn, std::string_view key);

  MDB_dbi index() const { return index_; }
  MDB_dbi values() const { return values_; }

 private:
  int convert_first_layout(MDB_txn* txn);

  MDB_dbi index_ = 0;
  MDB_dbi values_ = 0;
  uint64_t next_slot_ = 1;  // above every slot of the last transaction that wrote one
  size_t converted_ = 0;
};

// A cursor over the index in key order that reads an object's value only when asked: counting
// or listing keys touches no value page. Errors other than the end of the keys throw
// std::runtime_error.
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
  std::string_view key() const;
  std::string_view value();

 private:
  MDB_cursor* index_ = nullptr;
  MDB_cursor* values_ = nullptr;
  MDB_val key_{};
  MDB_val slot_{};
  uint64_t values_slot_ = 0;  // where values_ stands (0: nowhere known)
};

}  // namespace kactor::store
