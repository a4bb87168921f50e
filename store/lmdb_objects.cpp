#include "store/lmdb_objects.hpp"

#include <cstring>
#include <stdexcept>

namespace kactor::store {
namespace {

constexpr size_t k_slot_bytes = sizeof(uint64_t);

MDB_val to_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

// Big-endian, so that LMDB's byte order of the keys is the order of the numbers.
struct slot_key {
  explicit slot_key(uint64_t slot) : bytes(__builtin_bswap64(slot)) {}
  MDB_val val() { return MDB_val{k_slot_bytes, &bytes}; }
  uint64_t bytes;
};

// The slot an index entry names; false when the entry is not a slot.
bool read_slot(const MDB_val& entry, uint64_t& slot) {
  if (entry.mv_size != k_slot_bytes) return false;
  uint64_t big_endian = 0;
  std::memcpy(&big_endian, entry.mv_data, k_slot_bytes);
  slot = __builtin_bswap64(big_endian);
  return true;
}

int next_free_slot(MDB_txn* txn, MDB_dbi values, uint64_t& next) {
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_cursor_open(txn, values, &cursor)) return rc;
  MDB_val key{};
  MDB_val value{};
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST);
  uint64_t last = 0;
  if (rc == 0 && !read_slot(key, last)) rc = MDB_CORRUPTED;
  mdb_cursor_close(cursor);
  if (rc == MDB_NOTFOUND) rc = 0;  // no value yet: slots start at 1
  if (rc == 0) next = last + 1;
  return rc;
}

}  // namespace

int object_tables::open(MDB_txn* txn) {
  if (int rc = mdb_dbi_open(txn, k_index_db, MDB_CREATE, &index_)) return rc;
  if (int rc = mdb_dbi_open(txn, k_values_db, MDB_CREATE, &values_)) return rc;
  if (int rc = next_free_slot(txn, values_, next_slot_)) return rc;
  return convert_first_layout(txn);
}

int object_tables::convert_first_layout(MDB_txn* txn) {
  MDB_dbi first = 0;
  int rc = mdb_dbi_open(txn, k_first_layout_db, 0, &first);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc) return rc;
  MDB_cursor* cursor = nullptr;
  if ((rc = mdb_cursor_open(txn, first, &cursor))) return rc;
  MDB_val key{};
  MDB_val value{};
  size_t converted = 0;
  for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    const std::string_view k(static_cast<const char*>(key.mv_data), key.mv_size);
    const std::string_view v(static_cast<const char*>(value.mv_data), value.mv_size);
    if ((rc = put(txn, k, v))) break;
    ++converted;
  }
  mdb_cursor_close(cursor);
  if (rc != MDB_NOTFOUND) return rc;
  if ((rc = mdb_drop(txn, first, 1))) return rc;
  converted_ = converted;
  return 0;
}

int object_tables::get(MDB_txn* txn, std::string_view key, MDB_val& value) const {
  MDB_val k = to_val(key);
  MDB_val entry{};
  if (int rc = mdb_get(txn, index_, &k, &entry)) return rc;
  uint64_t slot = 0;
  if (!read_slot(entry, slot)) return MDB_CORRUPTED;
  slot_key s(slot);
  MDB_val sk = s.val();
  int rc = mdb_get(txn, values_, &sk, &value);
  return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
}

int object_tables::put(MDB_txn* txn, std::string_view key, std::string_view value) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  MDB_val entry{};
  int rc = mdb_get(txn, index_, &k, &entry);
  if (rc == 0) {
    uint64_t slot = 0;
    if (!read_slot(entry, slot)) return MDB_CORRUPTED;
    slot_key s(slot);
    MDB_val sk = s.val();
    return mdb_put(txn, values_, &sk, &v, 0);
  }
  if (rc != MDB_NOTFOUND) return rc;
  slot_key s(next_slot_);
  MDB_val sk = s.val();
  if ((rc = mdb_put(txn, values_, &sk, &v, MDB_APPEND))) return rc;
  ++next_slot_;
  return mdb_put(txn, index_, &k, &sk, 0);
}

int object_tables::erase(MDB_txn* txn, std::string_view key) {
  MDB_val k = to_val(key);
  MDB_val entry{};
  int rc = mdb_get(txn, index_, &k, &entry);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc) return rc;
  uint64_t slot = 0;
  if (!read_slot(entry, slot)) return MDB_CORRUPTED;
  if ((rc = mdb_del(txn, index_, &k, nullptr))) return rc;
  slot_key s(slot);
  MDB_val sk = s.val();
  rc = mdb_del(txn, values_, &sk, nullptr);
  return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
}

object_cursor::object_cursor(MDB_txn* txn, const object_tables& tables) {
  int rc = mdb_cursor_open(txn, tables.index(), &index_);
  if (rc == 0) rc = mdb_cursor_open(txn, tables.values(), &values_);
  if (rc) {
    if (index_) mdb_cursor_close(index_);
    throw std::runtime_error(std::string("lmdb: cannot open cursor: ") + mdb_strerror(rc));
  }
}

object_cursor::~object_cursor() {
  mdb_cursor_close(values_);
  mdb_cursor_close(index_);
}

int object_cursor::seek(std::string_view from) {
  key_ = to_val(from);
  return mdb_cursor_get(index_, &key_, &slot_, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
}

int object_cursor::next() {
  return mdb_cursor_get(index_, &key_, &slot_, MDB_NEXT);
}

std::string_view object_cursor::key() const {
  return {static_cast<const char*>(key_.mv_data), key_.mv_size};
}

// Objects listed in key order were mostly created in that order too: their slots follow each
// other, and the value wanted is most often the one after the values cursor's.
std::string_view object_cursor::value() {
  uint64_t slot = 0;
  int rc = read_slot(slot_, slot) ? 0 : MDB_CORRUPTED;
  MDB_val value{};
  if (rc == 0 && slot == values_slot_ + 1) {
    MDB_val next{};
    uint64_t next_slot = 0;
    if (mdb_cursor_get(values_, &next, &value, MDB_NEXT) == 0 && read_slot(next, next_slot) &&
        next_slot == slot) {
      values_slot_ = slot;
      return {static_cast<const char*>(value.mv_data), value.mv_size};
    }
  }
  if (rc == 0) {
    slot_key s(slot);
    MDB_val sk = s.val();
    rc = mdb_cursor_get(values_, &sk, &value, MDB_SET);
  }
  values_slot_ = rc == 0 ? slot : 0;
  if (rc)
    throw std::runtime_error("lmdb: cannot read the value of '" + std::string(key()) +
                             "': " + mdb_strerror(rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc));
  return {static_cast<const char*>(value.mv_data), value.mv_size};
}

}  // namespace kactor::store
