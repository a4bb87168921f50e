#include "store/lmdb_objects.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>

namespace kactor::store {
namespace {

constexpr size_t k_slot_bytes = sizeof(uint64_t);

MDB_val to_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view to_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// Big-endian, so that LMDB's byte order of the keys is the order of the numbers.
struct slot_key {
  explicit slot_key(uint64_t slot) : bytes(__builtin_bswap64(slot)) {}
  MDB_val val() { return MDB_val{k_slot_bytes, &bytes}; }
  uint64_t bytes;
};

// The slot a database entry names; false when it is not a slot.
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

// Hands every entry of an older layout's database `name` to `move` (which returns an LMDB
// error code), then drops the database; `moved` grows by the entries moved. A missing database
// is not an error.
int drain_database(MDB_txn* txn, const char* name, size_t& moved,
                   const std::function<int(MDB_val& key, MDB_val& value)>& move) {
  MDB_dbi old = 0;
  int rc = mdb_dbi_open(txn, name, 0, &old);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc) return rc;
  MDB_cursor* cursor = nullptr;
  if ((rc = mdb_cursor_open(txn, old, &cursor))) return rc;
  MDB_val key{};
  MDB_val value{};
  size_t count = 0;
  for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    if ((rc = move(key, value))) break;
    ++count;
  }
  mdb_cursor_close(cursor);
  if (rc != MDB_NOTFOUND) return rc;
  if ((rc = mdb_drop(txn, old, 1))) return rc;
  moved += count;
  return 0;
}

// The oldest snapshot an open read transaction of `env` holds, from LMDB's reader table (lines
// of "pid thread txnid", "-" for a slot without a transaction); the maximum when there is none.
uint64_t oldest_reader(MDB_env* env) {
  uint64_t oldest = std::numeric_limits<uint64_t>::max();
  auto take = [](const char* line, void* ctx) -> int {
    std::string_view text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    const size_t space = text.rfind(' ');
    if (space == std::string_view::npos) return 0;
    const std::string_view field = text.substr(space + 1);
    uint64_t txnid = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), txnid);
    if (ec == std::errc() && end == field.data() + field.size()) {
      auto* result = static_cast<uint64_t*>(ctx);
      *result = std::min(*result, txnid);
    }
    return 0;
  };
  mdb_reader_list(env, take, &oldest);
  return oldest;
}

}  // namespace

object_tables::object_tables() : index_(std::make_unique<name_index>()) {}

int object_tables::open(MDB_txn* txn) {
  index_->clear();
  uncommitted_.clear();
  committed_.clear();
  added_.clear();
  converted_ = 0;
  if (int rc = mdb_dbi_open(txn, k_keys_db, MDB_CREATE, &keys_)) return rc;
  if (int rc = mdb_dbi_open(txn, k_values_db, MDB_CREATE, &values_)) return rc;
  if (int rc = next_free_slot(txn, values_, next_slot_)) return rc;
  if (int rc = convert_index_layout(txn)) return rc;
  if (int rc = load_keys(txn)) return rc;
  const int rc = convert_first_layout(txn);
  added_.clear();  // the caller commits these, or opens the tables again
  return rc;
}

// Each key of the second layout's tree goes into `keys` under its slot.
int object_tables::convert_index_layout(MDB_txn* txn) {
  return drain_database(txn, k_index_db, converted_, [&](MDB_val& key, MDB_val& entry) {
    uint64_t slot = 0;
    if (!read_slot(entry, slot)) return MDB_CORRUPTED;
    slot_key s(slot);
    MDB_val sk = s.val();
    return mdb_put(txn, keys_, &sk, &key, 0);
  });
}

int object_tables::load_keys(MDB_txn* txn) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, keys_, &cursor);
  if (rc) return rc;
  MDB_val slot_val{};
  MDB_val key{};
  for (rc = mdb_cursor_get(cursor, &slot_val, &key, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &slot_val, &key, MDB_NEXT)) {
    uint64_t slot = 0;
    if (!read_slot(slot_val, slot)) {
      rc = MDB_CORRUPTED;
      break;
    }
    index_->add(to_view(key), slot);
  }
  mdb_cursor_close(cursor);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

int object_tables::convert_first_layout(MDB_txn* txn) {
  return drain_database(txn, k_first_layout_db, converted_, [&](MDB_val& key, MDB_val& value) {
    return put(txn, to_view(key), to_view(value));
  });
}

int object_tables::get(MDB_txn* txn, std::string_view key, MDB_val& value) const {
  uint64_t slot = 0;
  return find(txn, index_->slots_of(key), slot, value);
}

int object_tables::writer_find(MDB_txn* txn, std::string_view key, uint64_t& slot,
                               MDB_val& value) const {
  const slot_list* slots = index_->writer_slots_of(key);
  return slots ? find(txn, *slots, slot, value) : MDB_NOTFOUND;
}

// The newest slot is the likeliest to be held, so the slots are tried from the last.
int object_tables::find(MDB_txn* txn, const slot_list& slots, uint64_t& slot,
                        MDB_val& value) const {
  for (size_t i = slots.size(); i-- > 0;) {
    slot_key s(slots[i]);
    MDB_val sk = s.val();
    int rc = mdb_get(txn, values_, &sk, &value);
    if (rc == MDB_NOTFOUND) continue;
    if (rc == 0) slot = slots[i];
    return rc;
  }
  return MDB_NOTFOUND;
}

int object_tables::put(MDB_txn* txn, std::string_view key, std::string_view value) {
  MDB_val v = to_val(value);
  uint64_t slot = 0;
  MDB_val current{};
  int rc = writer_find(txn, key, slot, current);
  if (rc == 0) {
    slot_key s(slot);
    MDB_val sk = s.val();
    return mdb_put(txn, values_, &sk, &v, 0);
  }
  if (rc != MDB_NOTFOUND) return rc;
  slot_key s(next_slot_);
  MDB_val sk = s.val();
  MDB_val k = to_val(key);
  if ((rc = mdb_put(txn, values_, &sk, &v, MDB_APPEND))) return rc;
  if ((rc = mdb_put(txn, keys_, &sk, &k, MDB_APPEND))) return rc;
  added_.emplace_back(index_->add(key, next_slot_), next_slot_);
  ++next_slot_;
  return 0;
}

// Slots are never handed out again while the store is open, so next_slot_ stays where it is.
void object_tables::transaction_aborted() {
  for (auto it = added_.rbegin(); it != added_.rend(); ++it) {
    const std::string key(it->first);  // the index frees its copy with the key's last slot
    index_->forget(key, it->second);
  }
  added_.clear();
}

int object_tables::erase(MDB_txn* txn, std::string_view key) {
  uint64_t slot = 0;
  MDB_val current{};
  int rc = writer_find(txn, key, slot, current);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc) return rc;
  slot_key s(slot);
  MDB_val sk = s.val();
  if ((rc = mdb_del(txn, values_, &sk, nullptr))) return rc;
  rc = mdb_del(txn, keys_, &sk, nullptr);
  if (rc) return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
  uncommitted_.push_back({std::string(key), slot, mdb_txn_id(txn)});
  return 0;
}

// An erasure whose transaction was aborted and not replayed leaves its slot in the commit that
// follows: that entry is dropped, and the slot stays the key's.
void object_tables::collect(MDB_env* env) {
  if (uncommitted_.empty() && committed_.empty()) return;
  MDB_txn* txn = nullptr;
  if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn)) return;
  const uint64_t seen = mdb_txn_id(txn);
  while (!uncommitted_.empty() && uncommitted_.front().txnid <= seen) {
    erased e = std::move(uncommitted_.front());
    uncommitted_.pop_front();
    slot_key s(e.slot);
    MDB_val sk = s.val();
    MDB_val value{};
    if (mdb_get(txn, values_, &sk, &value) != MDB_NOTFOUND) continue;
    e.txnid = seen;
    committed_.push_back(std::move(e));
  }
  mdb_txn_abort(txn);
  const uint64_t oldest = oldest_reader(env);
  while (!committed_.empty() && committed_.front().txnid <= oldest) {
    index_->forget(committed_.front().key, committed_.front().slot);
    committed_.pop_front();
  }
}

// ---- object_cursor ------------------------------------------------------------------------

namespace {
constexpr size_t k_first_chunk = 32;  // a small first read: many ranges take one or two keys
constexpr size_t k_chunk = 512;
}  // namespace

object_cursor::object_cursor(MDB_txn* txn, const object_tables& tables)
    : index_(tables.index()), chunks_(std::make_shared<std::deque<index_chunk>>()) {
  if (int rc = mdb_cursor_open(txn, tables.values(), &values_))
    throw std::runtime_error(std::string("lmdb: cannot open cursor: ") + mdb_strerror(rc));
}

object_cursor::~object_cursor() {
  mdb_cursor_close(values_);
}

int object_cursor::seek(std::string_view from) {
  chunk_size_ = k_first_chunk;
  index_.read(from, false, chunk_size_, chunks_->emplace_back());
  at_ = 0;
  return settle();
}

int object_cursor::next() {
  if (!chunks_->empty() && at_ < chunks_->back().size()) ++at_;
  return settle();
}

int object_cursor::settle() {
  for (;;) {
    const index_chunk& chunk = chunks_->back();
    if (at_ == chunk.size()) {
      if (chunk.size() < chunk_size_) return MDB_NOTFOUND;
      const std::string_view last = chunk.key(chunk.size() - 1);
      chunk_size_ = k_chunk;
      index_.read(last, true, chunk_size_, chunks_->emplace_back());
      at_ = 0;
      if (chunks_->back().empty()) return MDB_NOTFOUND;
      continue;
    }
    if (holds(chunk.slots(at_))) return 0;
    ++at_;
  }
}

// Objects listed in key order were mostly created in that order too: their slots follow each
// other, and the value wanted is most often the one after the values cursor's.
bool object_cursor::holds(const slot_list& slots) {
  for (size_t i = slots.size(); i-- > 0;) {
    const uint64_t slot = slots[i];
    MDB_val at{};
    MDB_val value{};
    if (slot == values_slot_ + 1 && values_slot_ != 0) {
      uint64_t next_slot = 0;
      if (mdb_cursor_get(values_, &at, &value, MDB_NEXT) == 0 && read_slot(at, next_slot) &&
          next_slot == slot) {
        values_slot_ = slot;
        value_ = to_view(value);
        return true;
      }
    }
    slot_key s(slot);
    at = s.val();
    int rc = mdb_cursor_get(values_, &at, &value, MDB_SET);
    if (rc == 0) {
      values_slot_ = slot;
      value_ = to_view(value);
      return true;
    }
    values_slot_ = 0;
    if (rc != MDB_NOTFOUND)
      throw std::runtime_error("lmdb: cannot read the value of '" + std::string(key()) +
                               "': " + mdb_strerror(rc));
  }
  return false;
}

}  // namespace kactor::store
