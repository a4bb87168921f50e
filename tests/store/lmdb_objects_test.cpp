#include "store/lmdb_objects.hpp"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tests/store/store_testing.hpp"

namespace kactor::store {
namespace {

using store_testing::temp_dir;

std::string text(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

void check(int rc) {
  if (rc) throw std::runtime_error(mdb_strerror(rc));
}

// An LMDB environment in a temporary directory, opened as the store opens it.
class ObjectTables : public ::testing::Test {
 protected:
  ObjectTables() {
    check(mdb_env_create(&env_));
    check(mdb_env_set_maxdbs(env_, k_object_dbs + 1));
    check(mdb_env_set_mapsize(env_, size_t{16} << 20));
    check(mdb_env_open(env_, dir_.path().c_str(), MDB_NOTLS | MDB_NOSYNC, 0600));
  }
  ~ObjectTables() override {
    if (txn_) mdb_txn_abort(txn_);
    mdb_env_close(env_);
  }

  MDB_txn* begin(unsigned flags = 0) {
    check(mdb_txn_begin(env_, nullptr, flags, &txn_));
    return txn_;
  }
  void commit() {
    check(mdb_txn_commit(txn_));
    txn_ = nullptr;
  }
  // Opens the tables in a transaction of their own, as the store does when it starts.
  object_tables open_tables() {
    object_tables tables;
    check(tables.open(begin()));
    commit();
    return tables;
  }

  // The values database in slot order.
  std::vector<std::string> values_in_slot_order(const object_tables& tables) {
    std::vector<std::string> values;
    MDB_cursor* c = nullptr;
    check(mdb_cursor_open(txn_, tables.values(), &c));
    MDB_val k{}, v{};
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
      values.push_back(text(v));
    mdb_cursor_close(c);
    return values;
  }

  std::vector<std::pair<std::string, std::string>> scan(const object_tables& tables,
                                                        std::string_view from = {}) {
    std::vector<std::pair<std::string, std::string>> items;
    object_cursor c(txn_, tables);
    for (int rc = c.seek(from); rc == 0; rc = c.next())
      items.emplace_back(std::string(c.key()), std::string(c.value()));
    return items;
  }

  std::string get(const object_tables& tables, std::string_view key) {
    MDB_val v{};
    int rc = tables.get(txn_, key, v);
    if (rc == MDB_NOTFOUND) return "<none>";
    check(rc);
    return text(v);
  }

  temp_dir dir_;
  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
};

TEST_F(ObjectTables, NewObjectsAreStoredInCreationOrderWhateverTheirKeys) {
  object_tables tables = open_tables();
  MDB_txn* txn = begin();
  for (const char* key : {"pods/c", "pods/a", "pods/b"})
    ASSERT_EQ(tables.put(txn, key, std::string("json of ") + key), 0);
  EXPECT_EQ(values_in_slot_order(tables),
            (std::vector<std::string>{"json of pods/c", "json of pods/a", "json of pods/b"}));
  EXPECT_EQ(scan(tables),
            (std::vector<std::pair<std::string, std::string>>{{"pods/a", "json of pods/a"},
                                                              {"pods/b", "json of pods/b"},
                                                              {"pods/c", "json of pods/c"}}));
}

TEST_F(ObjectTables, AnUpdateRewritesTheValueInItsSlot) {
  object_tables tables = open_tables();
  MDB_txn* txn = begin();
  ASSERT_EQ(tables.put(txn, "pods/a", "a1"), 0);
  ASSERT_EQ(tables.put(txn, "pods/b", "b1"), 0);
  ASSERT_EQ(tables.put(txn, "pods/a", "a2, longer than before"), 0);
  EXPECT_EQ(values_in_slot_order(tables),
            (std::vector<std::string>{"a2, longer than before", "b1"}));
  EXPECT_EQ(get(tables, "pods/a"), "a2, longer than before");
}

TEST_F(ObjectTables, EraseRemovesTheKeyAndItsValue) {
  object_tables tables = open_tables();
  MDB_txn* txn = begin();
  ASSERT_EQ(tables.put(txn, "pods/a", "a"), 0);
  ASSERT_EQ(tables.put(txn, "pods/b", "b"), 0);
  ASSERT_EQ(tables.erase(txn, "pods/a"), 0);
  EXPECT_EQ(tables.erase(txn, "pods/missing"), 0);
  EXPECT_EQ(get(tables, "pods/a"), "<none>");
  EXPECT_EQ(values_in_slot_order(tables), (std::vector<std::string>{"b"}));
  EXPECT_EQ(scan(tables), (std::vector<std::pair<std::string, std::string>>{{"pods/b", "b"}}));
}

TEST_F(ObjectTables, SlotsGoOnAboveTheStoredOnesAfterAReopen) {
  object_tables first = open_tables();
  begin();
  ASSERT_EQ(first.put(txn_, "pods/a", "a"), 0);
  ASSERT_EQ(first.put(txn_, "pods/b", "b"), 0);
  commit();
  object_tables again = open_tables();
  begin();
  ASSERT_EQ(again.put(txn_, "pods/0", "0"), 0);  // appended: a slot below would be refused
  EXPECT_EQ(values_in_slot_order(again), (std::vector<std::string>{"a", "b", "0"}));
  EXPECT_EQ(get(again, "pods/0"), "0");
}

TEST_F(ObjectTables, TheCursorReadsValuesInAndOutOfSlotOrder) {
  object_tables tables = open_tables();
  MDB_txn* txn = begin();
  // Key order a..f; slot order d, a, b, f, c, e; then b and e rewritten in place.
  for (const char* key : {"d", "a", "b", "f", "c", "e"}) ASSERT_EQ(tables.put(txn, key, key), 0);
  ASSERT_EQ(tables.put(txn, "b", "b2"), 0);
  ASSERT_EQ(tables.put(txn, "e", "e2"), 0);
  EXPECT_EQ(scan(tables),
            (std::vector<std::pair<std::string, std::string>>{
                {"a", "a"}, {"b", "b2"}, {"c", "c"}, {"d", "d"}, {"e", "e2"}, {"f", "f"}}));
  EXPECT_EQ(scan(tables, "c"), (std::vector<std::pair<std::string, std::string>>{
                                   {"c", "c"}, {"d", "d"}, {"e", "e2"}, {"f", "f"}}));
}

TEST_F(ObjectTables, TheKeysAreLoadedWhenTheStoreOpens) {
  object_tables first = open_tables();
  begin();
  for (const char* key : {"pods/c", "pods/a", "pods/b"}) ASSERT_EQ(first.put(txn_, key, key), 0);
  ASSERT_EQ(first.erase(txn_, "pods/a"), 0);
  commit();
  object_tables again = open_tables();
  EXPECT_EQ(again.index().size(), 2u);
  begin(MDB_RDONLY);
  EXPECT_EQ(scan(again), (std::vector<std::pair<std::string, std::string>>{{"pods/b", "pods/b"},
                                                                           {"pods/c", "pods/c"}}));
}

// A snapshot taken before an erasure still reads the object; the key's slot is forgotten only
// once no open snapshot can hold it.
TEST_F(ObjectTables, AnErasedSlotStaysReadableToOlderSnapshots) {
  object_tables tables = open_tables();
  begin();
  ASSERT_EQ(tables.put(txn_, "pods/a", "a1"), 0);
  commit();
  MDB_txn* before = nullptr;
  check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &before));
  begin();
  ASSERT_EQ(tables.erase(txn_, "pods/a"), 0);
  ASSERT_EQ(tables.put(txn_, "pods/a", "a2"), 0);  // created again: a new slot
  commit();
  tables.collect(env_);
  MDB_val v{};
  ASSERT_EQ(tables.get(before, "pods/a", v), 0);
  EXPECT_EQ(text(v), "a1");
  EXPECT_EQ(tables.index().slots_of("pods/a").size(), 2u);
  begin(MDB_RDONLY);
  EXPECT_EQ(get(tables, "pods/a"), "a2");
  mdb_txn_abort(txn_);
  txn_ = nullptr;
  mdb_txn_abort(before);
  tables.collect(env_);
  EXPECT_EQ(tables.index().slots_of("pods/a").size(), 1u);
}

TEST_F(ObjectTables, AnAbortedErasureKeepsTheSlot) {
  object_tables tables = open_tables();
  begin();
  ASSERT_EQ(tables.put(txn_, "pods/a", "a"), 0);
  commit();
  begin();
  ASSERT_EQ(tables.erase(txn_, "pods/a"), 0);
  mdb_txn_abort(txn_);
  txn_ = nullptr;
  begin();
  ASSERT_EQ(tables.put(txn_, "pods/b", "b"), 0);  // the aborted transaction's id, committed
  commit();
  tables.collect(env_);
  tables.collect(env_);
  begin(MDB_RDONLY);
  EXPECT_EQ(get(tables, "pods/a"), "a");
  EXPECT_EQ(scan(tables),
            (std::vector<std::pair<std::string, std::string>>{{"pods/a", "a"}, {"pods/b", "b"}}));
}

// A create whose transaction is aborted (the map was full, or its session failed) leaves no
// trace in the index, however often that happens; one that commits keeps its slot.
TEST_F(ObjectTables, AnAbortedCreateForgetsItsSlot) {
  object_tables tables = open_tables();
  begin();
  ASSERT_EQ(tables.put(txn_, "pods/a", "a"), 0);
  commit();
  tables.transaction_committed();
  for (int attempt = 0; attempt < 3; ++attempt) {
    begin();
    ASSERT_EQ(tables.put(txn_, "pods/b", "b"), 0);
    ASSERT_EQ(tables.erase(txn_, "pods/a"), 0);
    ASSERT_EQ(tables.put(txn_, "pods/a", "a again"), 0);  // a second slot for pods/a
    mdb_txn_abort(txn_);
    txn_ = nullptr;
    tables.transaction_aborted();
    EXPECT_EQ(tables.index().size(), 1u);
    EXPECT_EQ(tables.index().slots_of("pods/a").size(), 1u);
    EXPECT_TRUE(tables.index().slots_of("pods/b").empty());
  }
  begin();
  ASSERT_EQ(tables.put(txn_, "pods/b", "b"), 0);
  commit();
  tables.transaction_committed();
  tables.collect(env_);
  tables.transaction_aborted();  // nothing left to forget: the commit kept its slots
  begin(MDB_RDONLY);
  EXPECT_EQ(scan(tables),
            (std::vector<std::pair<std::string, std::string>>{{"pods/a", "a"}, {"pods/b", "b"}}));
  EXPECT_EQ(tables.index().slots_of("pods/b").size(), 1u);
}

TEST_F(ObjectTables, ACursorReadsPastManyKeysAndSkipsThoseItsSnapshotLacks) {
  object_tables tables = open_tables();
  begin();
  std::vector<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 2000; ++i) {
    std::string key = "pods/" + std::to_string(100000 + i);
    ASSERT_EQ(tables.put(txn_, key, "v" + key), 0);
    if (i % 7 != 3) expected.emplace_back(key, "v" + key);
  }
  for (int i = 3; i < 2000; i += 7)
    ASSERT_EQ(tables.erase(txn_, "pods/" + std::to_string(100000 + i)), 0);
  commit();
  begin();
  ASSERT_EQ(tables.put(txn_, "pods/100500x", "uncommitted"), 0);
  MDB_txn* writer = txn_;
  txn_ = nullptr;
  begin(MDB_RDONLY);
  EXPECT_EQ(scan(tables), expected);
  EXPECT_EQ(scan(tables, "pods/101990").size(), 8u);  // 101991 and 101998 erased
  mdb_txn_abort(writer);
}

TEST_F(ObjectTables, AStoreOfTheIndexLayoutIsConvertedWhenItOpens) {
  MDB_txn* txn = begin();
  MDB_dbi index = 0;
  MDB_dbi values = 0;
  ASSERT_EQ(mdb_dbi_open(txn, k_index_db, MDB_CREATE, &index), 0);
  ASSERT_EQ(mdb_dbi_open(txn, k_values_db, MDB_CREATE, &values), 0);
  uint64_t slot = 0;
  for (const char* key : {"core/pods/default/b", "core/pods/default/a"}) {
    uint64_t big_endian = __builtin_bswap64(++slot);
    MDB_val k{std::strlen(key), const_cast<char*>(key)}, s{sizeof big_endian, &big_endian};
    ASSERT_EQ(mdb_put(txn, index, &k, &s, 0), 0);
    ASSERT_EQ(mdb_put(txn, values, &s, &k, 0), 0);
  }
  commit();

  object_tables tables = open_tables();
  EXPECT_EQ(tables.converted(), 2u);
  begin();
  MDB_dbi gone = 0;
  EXPECT_EQ(mdb_dbi_open(txn_, k_index_db, 0, &gone), MDB_NOTFOUND);
  EXPECT_EQ(scan(tables), (std::vector<std::pair<std::string, std::string>>{
                              {"core/pods/default/a", "core/pods/default/a"},
                              {"core/pods/default/b", "core/pods/default/b"}}));
  ASSERT_EQ(tables.put(txn_, "core/pods/default/c", "c"), 0);
  EXPECT_EQ(values_in_slot_order(tables),
            (std::vector<std::string>{"core/pods/default/b", "core/pods/default/a", "c"}));
  commit();
  EXPECT_EQ(open_tables().converted(), 0u);
}

TEST_F(ObjectTables, AStoreOfTheFirstLayoutIsConvertedWhenItOpens) {
  MDB_txn* txn = begin();
  MDB_dbi first = 0;
  ASSERT_EQ(mdb_dbi_open(txn, k_first_layout_db, MDB_CREATE, &first), 0);
  for (const char* key : {"core/pods/default/b", "core/pods/default/a", "core/namespaces/x"}) {
    MDB_val k{std::strlen(key), const_cast<char*>(key)}, v = k;
    ASSERT_EQ(mdb_put(txn, first, &k, &v, 0), 0);
  }
  commit();

  object_tables tables = open_tables();
  EXPECT_EQ(tables.converted(), 3u);
  begin(MDB_RDONLY);
  MDB_dbi gone = 0;
  EXPECT_EQ(mdb_dbi_open(txn_, k_first_layout_db, 0, &gone), MDB_NOTFOUND);
  EXPECT_EQ(scan(tables), (std::vector<std::pair<std::string, std::string>>{
                              {"core/namespaces/x", "core/namespaces/x"},
                              {"core/pods/default/a", "core/pods/default/a"},
                              {"core/pods/default/b", "core/pods/default/b"}}));
  mdb_txn_abort(txn_);
  txn_ = nullptr;
  EXPECT_EQ(open_tables().converted(), 0u);
}

}  // namespace
}  // namespace kactor::store
