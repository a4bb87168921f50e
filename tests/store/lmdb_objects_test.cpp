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

TEST_F(ObjectTables, ListingKeysNeedsNoValue) {
  object_tables tables = open_tables();
  MDB_txn* txn = begin();
  ASSERT_EQ(tables.put(txn, "a", "a"), 0);
  ASSERT_EQ(tables.put(txn, "b", "b"), 0);
  // A damaged index entry fails only the read of its value.
  MDB_val key{1, const_cast<char*>("b")}, not_a_slot{3, const_cast<char*>("xyz")};
  ASSERT_EQ(mdb_put(txn, tables.index(), &key, &not_a_slot, 0), 0);
  std::vector<std::string> keys;
  object_cursor c(txn, tables);
  for (int rc = c.seek({}); rc == 0; rc = c.next()) keys.emplace_back(c.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(c.seek("b"), 0);
  EXPECT_THROW(c.value(), std::runtime_error);
  MDB_val v{};
  EXPECT_EQ(tables.get(txn, "b", v), MDB_CORRUPTED);
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
