#include <gtest/gtest.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/backend.hpp"
#include "tests/store/store_testing.hpp"

namespace kactor::store {
namespace {

using store_testing::erase;
using store_testing::put;
using store_testing::temp_dir;

void write_all(backend& db, uint64_t revision, const std::vector<mutation>& mutations) {
  db.begin_write();
  for (const auto& m : mutations) db.apply(m);
  std::string error;
  ASSERT_TRUE(db.commit(revision, error)) << error;
}

// A snapshot's range, copied out of its views; nullopt when the snapshot has expired.
std::optional<range_result> copy_range(read_snapshot& snapshot, std::string_view prefix,
                                       std::string_view start_after, size_t limit) {
  range_result out;
  bool read = snapshot.view_range(prefix, start_after, limit, nullptr, [&](const range_view& v) {
    for (const auto& item : v.items)
      out.items.push_back({std::string(item.key), std::string(item.value)});
    out.revision = v.revision;
    out.more = v.more;
    out.remaining = v.remaining;
  });
  if (!read) return std::nullopt;
  return out;
}

std::vector<std::string> keys_of(const range_result& r) {
  std::vector<std::string> keys;
  for (const auto& item : r.items) keys.push_back(item.key);
  return keys;
}

class LmdbBackend : public ::testing::Test {
 protected:
  std::unique_ptr<backend> open(size_t map_size = size_t{64} << 20) {
    return open_lmdb({.path = dir.path() + "/db", .map_size = map_size, .sync = false});
  }
  temp_dir dir;
};

TEST_F(LmdbBackend, EmptyStoreHasRevisionZeroAndNoObjects) {
  auto db = open();
  EXPECT_EQ(db->revision(), 0u);
  uint64_t revision = 99;
  EXPECT_FALSE(db->get("core/pods/a/x", &revision));
  EXPECT_EQ(revision, 0u);
  auto r = db->range("core/pods/", "", 0);
  EXPECT_TRUE(r.items.empty());
  EXPECT_FALSE(r.more);
}

TEST_F(LmdbBackend, PutGetEraseWithRevision) {
  auto db = open();
  write_all(*db, 1, {put("core/pods/a/x", R"({"x":1})"), put("core/pods/a/y", R"({"y":1})")});
  uint64_t revision = 0;
  EXPECT_EQ(db->get("core/pods/a/x", &revision), R"({"x":1})");
  EXPECT_EQ(revision, 1u);
  EXPECT_EQ(db->revision(), 1u);

  write_all(*db, 2, {put("core/pods/a/x", R"({"x":2})"), erase("core/pods/a/y")});
  EXPECT_EQ(db->get("core/pods/a/x"), R"({"x":2})");
  EXPECT_FALSE(db->get("core/pods/a/y"));
  EXPECT_EQ(db->revision(), 2u);
}

TEST_F(LmdbBackend, ErasingAMissingKeyIsFine) {
  auto db = open();
  write_all(*db, 1, {erase("core/pods/a/none")});
  EXPECT_EQ(db->revision(), 1u);
}

TEST_F(LmdbBackend, WriteSessionSeesItsOwnMutationsOthersDoNot) {
  auto db = open();
  write_all(*db, 1, {put("core/pods/a/old", "1")});
  db->begin_write();
  db->apply(put("core/pods/a/new", "2"));
  db->apply(erase("core/pods/a/old"));
  EXPECT_EQ(db->get_for_write("core/pods/a/new"), "2");
  EXPECT_FALSE(db->get_for_write("core/pods/a/old"));
  EXPECT_EQ(db->keys_for_write("core/pods/a/"), std::vector<std::string>{"core/pods/a/new"});
  // Readers still see the last committed snapshot.
  EXPECT_EQ(db->get("core/pods/a/old"), "1");
  EXPECT_FALSE(db->get("core/pods/a/new"));
  std::string error;
  ASSERT_TRUE(db->commit(2, error)) << error;
  EXPECT_EQ(db->get("core/pods/a/new"), "2");
  EXPECT_FALSE(db->get("core/pods/a/old"));
}

TEST_F(LmdbBackend, AbortLeavesNothing) {
  auto db = open();
  write_all(*db, 1, {put("core/pods/a/x", "1")});
  db->begin_write();
  db->apply(put("core/pods/a/y", "2"));
  db->apply(erase("core/pods/a/x"));
  db->abort_write();
  EXPECT_EQ(db->get("core/pods/a/x"), "1");
  EXPECT_FALSE(db->get("core/pods/a/y"));
  EXPECT_EQ(db->revision(), 1u);
  // A new session can start after an abort.
  write_all(*db, 2, {put("core/pods/a/z", "3")});
  EXPECT_EQ(db->get("core/pods/a/z"), "3");
}

TEST_F(LmdbBackend, SessionMisuseThrows) {
  auto db = open();
  EXPECT_THROW(db->apply(put("k", "v")), std::logic_error);
  EXPECT_THROW(db->get_for_write("k"), std::logic_error);
  std::string error;
  EXPECT_THROW(db->commit(1, error), std::logic_error);
  db->begin_write();
  EXPECT_THROW(db->begin_write(), std::logic_error);
  db->abort_write();
  db->abort_write();  // no session: nothing to do
}

TEST_F(LmdbBackend, CommitBelowStoredRevisionFailsAndAppliesNothing) {
  auto db = open();
  write_all(*db, 5, {put("a", "1")});
  db->begin_write();
  db->apply(put("b", "2"));
  std::string error;
  EXPECT_FALSE(db->commit(4, error));
  EXPECT_NE(error.find("below the stored revision 5"), std::string::npos) << error;
  EXPECT_FALSE(db->get("b"));
  EXPECT_EQ(db->revision(), 5u);
}

TEST_F(LmdbBackend, OversizedKeyFailsTheWholeSession) {
  auto db = open();
  db->begin_write();
  db->apply(put("core/pods/a/ok", "1"));
  std::string long_key(2000, 'k');
  db->apply(put(long_key, "2"));
  db->apply(put("core/pods/a/later", "3"));
  std::string error;
  EXPECT_FALSE(db->commit(1, error));
  EXPECT_NE(error.find("longer than"), std::string::npos) << error;
  EXPECT_FALSE(db->get("core/pods/a/ok"));
  EXPECT_FALSE(db->get(long_key));
  EXPECT_EQ(db->revision(), 0u);
}

TEST_F(LmdbBackend, RangeIsAPrefixScanInKeyOrder) {
  auto db = open();
  write_all(*db, 3,
            {put("core/pods/b/2", "b2"), put("core/pods/a/1", "a1"), put("core/pods/b/1", "b1"),
             put("core/podtemplates/a/1", "t"), put("core/pods/ab/1", "ab1"),
             put("apps/deployments/a/1", "d")});
  auto all = db->range("core/pods/", "", 0);
  EXPECT_EQ(keys_of(all), (std::vector<std::string>{"core/pods/a/1", "core/pods/ab/1",
                                                    "core/pods/b/1", "core/pods/b/2"}));
  EXPECT_EQ(all.items[0].value, "a1");
  EXPECT_EQ(all.revision, 3u);
  EXPECT_FALSE(all.more);
  EXPECT_EQ(all.remaining, 0u);

  EXPECT_EQ(keys_of(db->range("core/pods/a/", "", 0)), std::vector<std::string>{"core/pods/a/1"});
  EXPECT_EQ(db->range("", "", 0).items.size(), 6u);
  EXPECT_TRUE(db->range("core/services/", "", 0).items.empty());
}

TEST_F(LmdbBackend, RangePagesWithStartAfterLimitAndRemaining) {
  auto db = open();
  std::vector<mutation> puts;
  for (int i = 0; i < 10; ++i) puts.push_back(put("core/pods/ns/p" + std::to_string(i), "v"));
  puts.push_back(put("core/pods/zz/other", "v"));
  write_all(*db, 1, puts);

  auto first = db->range("core/pods/ns/", "", 4);
  EXPECT_EQ(keys_of(first), (std::vector<std::string>{"core/pods/ns/p0", "core/pods/ns/p1",
                                                      "core/pods/ns/p2", "core/pods/ns/p3"}));
  EXPECT_TRUE(first.more);
  EXPECT_EQ(first.remaining, 6u);

  auto second = db->range("core/pods/ns/", first.items.back().key, 4);
  EXPECT_EQ(second.items.front().key, "core/pods/ns/p4");
  EXPECT_EQ(second.remaining, 2u);

  auto last = db->range("core/pods/ns/", second.items.back().key, 4);
  EXPECT_EQ(keys_of(last), (std::vector<std::string>{"core/pods/ns/p8", "core/pods/ns/p9"}));
  EXPECT_FALSE(last.more);
  EXPECT_EQ(last.remaining, 0u);

  // Exactly `limit` left: no more.
  auto exact = db->range("core/pods/ns/", "core/pods/ns/p5", 4);
  EXPECT_EQ(exact.items.size(), 4u);
  EXPECT_FALSE(exact.more);

  // start_after need not exist, may precede the prefix, or lie past its end.
  EXPECT_EQ(db->range("core/pods/ns/", "core/pods/ns/p45", 1).items.front().key, "core/pods/ns/p5");
  EXPECT_EQ(db->range("core/pods/ns/", "core/a", 1).items.front().key, "core/pods/ns/p0");
  EXPECT_TRUE(db->range("core/pods/ns/", "core/pods/ns/zzz", 0).items.empty());
  EXPECT_TRUE(db->range("core/pods/ns/", std::string(3000, 'z'), 0).items.empty());
}

TEST_F(LmdbBackend, DataAndRevisionSurviveReopen) {
  {
    auto db = open_lmdb({.path = dir.path() + "/db", .map_size = size_t{64} << 20});
    write_all(*db, 41, {put("core/namespaces/default", "ns")});
    write_all(*db, 42, {put("core/pods/default/x", "pod")});
    db->begin_write();
    db->apply(put("core/pods/default/uncommitted", "lost"));
    // destroyed with an open session: aborted
  }
  auto db = open();
  EXPECT_EQ(db->revision(), 42u);
  EXPECT_EQ(db->get("core/pods/default/x"), "pod");
  EXPECT_EQ(db->get("core/namespaces/default"), "ns");
  EXPECT_FALSE(db->get("core/pods/default/uncommitted"));
}

// The objects under their keys in one "objects" database, as the first layout kept them.
void write_first_layout(const std::string& path, uint64_t revision,
                        const std::vector<std::pair<std::string, std::string>>& objects) {
  std::filesystem::create_directories(path);
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 4);
  ASSERT_EQ(mdb_env_open(env, path.c_str(), MDB_NOTLS, 0600), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi objects_db = 0, meta_db = 0;
  ASSERT_EQ(mdb_dbi_open(txn, "objects", MDB_CREATE, &objects_db), 0);
  ASSERT_EQ(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta_db), 0);
  auto put_text = [&](MDB_dbi dbi, const std::string& key, const std::string& value) {
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    return mdb_put(txn, dbi, &k, &v, 0);
  };
  for (const auto& [key, value] : objects) ASSERT_EQ(put_text(objects_db, key, value), 0);
  ASSERT_EQ(put_text(meta_db, "revision", std::to_string(revision)), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

class FirstLayout : public ::testing::TestWithParam<bool> {
 protected:
  std::unique_ptr<backend> open() {
    return open_lmdb(
        {.path = dir.path() + "/db", .map_size = size_t{64} << 20, .write_ahead_log = GetParam()});
  }
  temp_dir dir;
};

TEST_P(FirstLayout, AStoreOfTheFirstLayoutOpensWithItsObjectsAndRevision) {
  write_first_layout(dir.path() + "/db", 7,
                     {{"core/namespaces/default", "ns"},
                      {"core/pods/default/b", "pod b"},
                      {"core/pods/default/a", "pod a"}});
  {
    auto db = open();
    EXPECT_EQ(db->revision(), 7u);
    EXPECT_EQ(db->get("core/pods/default/a"), "pod a");
    EXPECT_EQ(keys_of(db->range("core/pods/default/", "", 0)),
              (std::vector<std::string>{"core/pods/default/a", "core/pods/default/b"}));
    write_all(*db, 8, {put("core/pods/default/c", "pod c"), erase("core/pods/default/b")});
  }
  auto db = open();
  EXPECT_EQ(db->revision(), 8u);
  EXPECT_EQ(keys_of(db->range("core/", "", 0)),
            (std::vector<std::string>{"core/namespaces/default", "core/pods/default/a",
                                      "core/pods/default/c"}));
  EXPECT_EQ(db->get("core/pods/default/c"), "pod c");
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutTheLog, FirstLayout, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Logged" : "Unlogged"; });

TEST_F(LmdbBackend, OneServerPerDataDirectory) {
  {
    auto first = open();
    try {
      open();
      FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("in use by another kactor server"), std::string::npos)
          << e.what();
    }
    write_all(*first, 1, {put("k", "v")});  // the first is unharmed
  }
  auto again = open();  // released with the first
  EXPECT_EQ(again->get("k"), "v");
}

TEST_F(LmdbBackend, CreatesMissingDirectories) {
  std::string nested = dir.path() + "/a/b/c";
  auto db = open_lmdb({.path = nested, .map_size = size_t{1} << 20, .sync = false});
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_TRUE(std::filesystem::exists(nested + "/data.mdb"));
}

TEST_F(LmdbBackend, OpenErrorsNameThePath) {
  std::string file = dir.path() + "/plain-file";
  std::ofstream(file) << "not a directory";
  try {
    open_lmdb({.path = file});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
  }
}

TEST_F(LmdbBackend, UnwritableDirectoryThrowsWithStrerror) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  std::string locked = dir.path() + "/locked";
  std::filesystem::create_directory(locked);
  chmod(locked.c_str(), 0500);
  try {
    open_lmdb({.path = locked});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(locked), std::string::npos) << what;
    EXPECT_NE(what.find("Permission denied"), std::string::npos) << what;
  }
}

TEST_F(LmdbBackend, LmdbOpenErrorsCarryPathAndStrerror) {
  std::string db_dir = dir.path() + "/db";
  std::filesystem::create_directories(db_dir + "/data.mdb");  // a directory where a file belongs
  try {
    open_lmdb({.path = db_dir});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(db_dir), std::string::npos) << what;
    EXPECT_NE(what.find("Is a directory"), std::string::npos) << what;
  }
}

TEST_F(LmdbBackend, MapFullGrowsTheMapTransparently) {
  auto db = open(size_t{256} << 10);  // 256 KiB
  std::string value(1000, 'v');
  // One session larger than the whole initial map.
  db->begin_write();
  for (int i = 0; i < 600; ++i) db->apply(put("core/configmaps/a/" + std::to_string(i), value));
  EXPECT_EQ(db->get_for_write("core/configmaps/a/0"), value);
  std::string error;
  ASSERT_TRUE(db->commit(1, error)) << error;
  // And many small sessions.
  for (int i = 0; i < 300; ++i)
    write_all(*db, 2 + i, {put("core/configmaps/b/" + std::to_string(i), value)});
  EXPECT_EQ(db->range("core/configmaps/a/", "", 0).items.size(), 600u);
  EXPECT_EQ(db->range("core/configmaps/b/", "", 0).items.size(), 300u);
  EXPECT_EQ(db->revision(), 301u);
  EXPECT_GT(std::filesystem::file_size(dir.path() + "/db/data.mdb"), size_t{256} << 10);
}

TEST_F(LmdbBackend, SnapshotKeepsItsRevisionWhileWritesGoOn) {
  auto db = open();
  write_all(*db, 1, {put("core/configmaps/a/x", "x1"), put("core/configmaps/a/y", "y1")});
  auto snapshot = db->snapshot();
  ASSERT_EQ(snapshot->revision(), 1u);
  write_all(*db, 2,
            {put("core/configmaps/a/x", "x2"), erase("core/configmaps/a/y"),
             put("core/configmaps/a/z", "z2")});

  auto old = copy_range(*snapshot, "core/configmaps/a/", "", 0);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->revision, 1u);
  EXPECT_EQ(keys_of(*old),
            (std::vector<std::string>{"core/configmaps/a/x", "core/configmaps/a/y"}));
  EXPECT_EQ(old->items[0].value, "x1");
  auto rest = copy_range(*snapshot, "core/configmaps/a/", "core/configmaps/a/x", 1);
  ASSERT_TRUE(rest);
  EXPECT_EQ(keys_of(*rest), std::vector<std::string>{"core/configmaps/a/y"});
  EXPECT_FALSE(rest->more);

  auto now = db->range("core/configmaps/a/", "", 0);
  EXPECT_EQ(now.revision, 2u);
  EXPECT_EQ(keys_of(now), (std::vector<std::string>{"core/configmaps/a/x", "core/configmaps/a/z"}));
}

TEST_F(LmdbBackend, SnapshotsServeSeveralThreadsInTurn) {
  auto db = open();
  std::vector<mutation> puts;
  for (int i = 0; i < 200; ++i)
    puts.push_back(put("core/configmaps/a/" + std::to_string(1000 + i), "v"));
  write_all(*db, 1, puts);
  auto snapshot = db->snapshot();
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto r = copy_range(*snapshot, "core/configmaps/a/", "", 0);
        if (!r || r->items.size() != 200 || r->revision != 1) ++wrong;
      }
    });
  for (int i = 0; i < 50; ++i)
    write_all(*db, 2 + i, {erase("core/configmaps/a/" + std::to_string(1000 + i))});
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong, 0);
}

TEST_F(LmdbBackend, GrowingTheMapExpiresOpenSnapshots) {
  auto db = open(size_t{256} << 10);  // 256 KiB
  write_all(*db, 1, {put("core/configmaps/a/x", "x")});
  auto snapshot = db->snapshot();
  ASSERT_TRUE(copy_range(*snapshot, "core/configmaps/a/", "", 0));
  std::string value(1000, 'v');
  db->begin_write();
  for (int i = 0; i < 600; ++i) db->apply(put("core/configmaps/b/" + std::to_string(i), value));
  std::string error;
  ASSERT_TRUE(db->commit(2, error)) << error;
  EXPECT_FALSE(copy_range(*snapshot, "core/configmaps/a/", "", 0))
      << "the map grew: the snapshot expired";
  EXPECT_EQ(snapshot->revision(), 1u);
  auto fresh = db->snapshot();
  ASSERT_TRUE(copy_range(*fresh, "core/configmaps/b/", "", 0));
  EXPECT_EQ(copy_range(*fresh, "core/configmaps/b/", "", 0)->items.size(), 600u);
}

TEST_F(LmdbBackend, ViewRangeTakesFilteredItemsInPlaceUpToTheLimit) {
  auto db = open();
  std::vector<mutation> puts;
  for (int i = 0; i < 8; ++i)
    puts.push_back(put("core/pods/ns/p" + std::to_string(i), i % 2 ? "odd" : "even"));
  puts.push_back(put("core/pods/other/p", "even"));
  write_all(*db, 4, puts);
  auto snapshot = db->snapshot();
  auto odd = [](std::string_view, std::string_view value) { return value == "odd"; };

  std::vector<std::string> seen;
  range_view page;
  ASSERT_TRUE(snapshot->view_range("core/pods/ns/", "", 2, odd, [&](const range_view& v) {
    for (const auto& item : v.items)
      seen.push_back(std::string(item.key) + "=" + std::string(item.value));
    page.revision = v.revision;
    page.more = v.more;
    page.remaining = v.remaining;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"core/pods/ns/p1=odd", "core/pods/ns/p3=odd"}));
  EXPECT_EQ(page.revision, 4u);
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.remaining, 4u) << "every key after the last one taken, taken or not";

  seen.clear();
  ASSERT_TRUE(
      snapshot->view_range("core/pods/ns/", "core/pods/ns/p3", 2, odd, [&](const range_view& v) {
        for (const auto& item : v.items) seen.push_back(std::string(item.key));
        page.more = v.more;
      }));
  EXPECT_EQ(seen, (std::vector<std::string>{"core/pods/ns/p5", "core/pods/ns/p7"}));
  EXPECT_FALSE(page.more) << "the limit is reached on the last key";

  size_t all = 0;
  ASSERT_TRUE(snapshot->view_range("core/pods/", "", 0, nullptr,
                                   [&](const range_view& v) { all = v.items.size(); }));
  EXPECT_EQ(all, 9u);
}

TEST_F(LmdbBackend, ViewRangeOfAnExpiredSnapshotCallsNothing) {
  auto db = open(size_t{256} << 10);  // 256 KiB
  write_all(*db, 1, {put("core/configmaps/a/x", "x")});
  auto snapshot = db->snapshot();
  std::string value(1000, 'v');
  db->begin_write();
  for (int i = 0; i < 600; ++i) db->apply(put("core/configmaps/b/" + std::to_string(i), value));
  std::string error;
  ASSERT_TRUE(db->commit(2, error)) << error;
  bool used = false;
  EXPECT_FALSE(snapshot->view_range("core/configmaps/", "", 0, nullptr,
                                    [&](const range_view&) { used = true; }));
  EXPECT_FALSE(used);
}

TEST_F(LmdbBackend, DroppedSnapshotsGiveTheirReaderSlotsBack) {
  auto db = open();
  write_all(*db, 1, {put("core/configmaps/a/x", "x")});
  auto kept = db->snapshot();
  for (int i = 0; i < 2000; ++i) {  // more than LMDB's reader slots
    auto snapshot = db->snapshot();
    ASSERT_TRUE(copy_range(*snapshot, "core/configmaps/a/", "", 0)) << i;
  }
  write_all(*db, 2, {put("core/configmaps/a/y", "y")});
  EXPECT_EQ(db->snapshot()->revision(), 2u);
  EXPECT_EQ(copy_range(*kept, "core/configmaps/a/", "", 0)->items.size(), 1u);
}

// Every committed revision r writes "counter" = r and "item/<r>": a snapshot is consistent when
// the revision, the counter and the number of items all agree.
TEST_F(LmdbBackend, ConcurrentReadersSeeConsistentSnapshotsWhileWriting) {
  auto db = open(size_t{256} << 10);  // small, so the map also grows under the readers
  constexpr uint64_t writes = 1500;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  auto reader = [&] {
    uint64_t last_seen = 0;
    while (!done.load()) {
      uint64_t revision = 0;
      auto counter = db->get("counter", &revision);
      if (revision < last_seen || (counter && *counter != std::to_string(revision))) ++failures;
      last_seen = revision;
      auto items = db->range("item/", "", 0);
      if (items.items.size() != items.revision) ++failures;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back(reader);
  std::string padding(300, 'p');
  for (uint64_t r = 1; r <= writes; ++r)
    write_all(*db, r,
              {put("counter", std::to_string(r)), put("item/" + std::to_string(r), padding)});
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(db->revision(), writes);
  EXPECT_EQ(db->range("item/", "", 0).items.size(), writes);
}

// Objects deleted and created again under the same keys, with readers and an old snapshot
// watching: every view holds each key exactly once, and the snapshot keeps its objects.
TEST_F(LmdbBackend, KeysDeletedAndCreatedAgainReadConsistently) {
  auto db = open();
  constexpr int keys = 50;
  std::vector<mutation> first;
  for (int k = 0; k < keys; ++k) first.push_back(put("item/" + std::to_string(k), "0"));
  write_all(*db, 1, first);
  auto snapshot = db->snapshot();
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  auto reader = [&] {
    while (!done.load()) {
      auto items = db->range("item/", "", 0);
      std::set<std::string> seen;
      for (const auto& item : items.items) seen.insert(item.key);
      if (items.items.size() != keys || seen.size() != keys) ++failures;
      if (!db->get("item/7")) ++failures;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) readers.emplace_back(reader);
  for (uint64_t r = 2; r <= 600; ++r) {
    const std::string key = "item/" + std::to_string(r % keys);
    write_all(*db, r, {erase(key), put(key, std::to_string(r))});
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto old = copy_range(*snapshot, "item/", "", 0);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->items.size(), size_t{keys});
  for (const auto& item : old->items) EXPECT_EQ(item.value, "0");
  EXPECT_EQ(db->get("item/7"), "557");
}

}  // namespace
}  // namespace kactor::store
