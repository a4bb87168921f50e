#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/backend.hpp"
#include "store/lmdb_checkpoint.hpp"
#include "store/wal.hpp"
#include "tests/store/store_testing.hpp"

namespace kactor::store {
namespace {

namespace fs = std::filesystem;

using store_testing::erase;
using store_testing::put;
using store_testing::temp_dir;

void append(write_ahead_log& log, uint64_t revision, const std::vector<mutation>& mutations) {
  std::string error;
  ASSERT_TRUE(log.write(revision, mutations, error) && log.sync(error)) << error;
}

std::vector<uint64_t> revisions_of(const std::vector<wal_record>& records) {
  std::vector<uint64_t> out;
  for (const auto& r : records) out.push_back(r.revision);
  return out;
}

std::vector<fs::path> segment_files(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Zeroes the last `bytes` bytes of the records in a segment (whose unused rest is zeros), as a
// write cut short by a crash leaves them.
void tear_last_record(const fs::path& file, size_t bytes) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t end = content.find_last_not_of('\0') + 1;
  f.seekp(static_cast<std::streamoff>(end - bytes));
  f.write(std::string(bytes, '\0').data(), static_cast<std::streamsize>(bytes));
}

TEST(WriteAheadLog, NewSegmentsAreWrittenWholeBeforeUse) {
  temp_dir dir;
  write_ahead_log log(dir.path(), 1 << 20);
  append(log, 1, {put("a", "1")});
  EXPECT_EQ(fs::file_size(segment_files(dir.path()).back()), size_t{1} << 20);
}

TEST(WriteAheadLog, RecordsReadBackInOrderWithTheirMutations) {
  temp_dir dir;
  {
    write_ahead_log log(dir.path(), 1 << 20);
    append(log, 3, {put("core/pods/a/x", "{\"x\":1}"), erase("core/pods/a/y")});
    append(log, 7, {put("core/pods/a/z", std::string(5000, 'z'))});
  }
  write_ahead_log log(dir.path(), 1 << 20);
  auto records = log.read_after(0);
  ASSERT_EQ(revisions_of(records), (std::vector<uint64_t>{3, 7}));
  ASSERT_EQ(records[0].mutations.size(), 2u);
  EXPECT_EQ(records[0].mutations[0].key, "core/pods/a/x");
  EXPECT_EQ(records[0].mutations[0].value, "{\"x\":1}");
  EXPECT_EQ(records[0].mutations[1].operation, mutation::op::erase);
  EXPECT_EQ(records[0].mutations[1].key, "core/pods/a/y");
  EXPECT_EQ(records[1].mutations[0].value, std::string(5000, 'z'));
}

TEST(WriteAheadLog, ReadAfterSkipsRevisionsSavedElsewhere) {
  temp_dir dir;
  {
    write_ahead_log log(dir.path(), 1 << 20);
    for (uint64_t r = 1; r <= 5; ++r) append(log, r, {put("k" + std::to_string(r), "v")});
  }
  write_ahead_log log(dir.path(), 1 << 20);
  EXPECT_EQ(revisions_of(log.read_after(3)), (std::vector<uint64_t>{4, 5}));
}

TEST(WriteAheadLog, ATornTailEndsTheLog) {
  temp_dir dir;
  {
    write_ahead_log log(dir.path(), 1 << 20);
    append(log, 1, {put("a", "1")});
    append(log, 2, {put("b", std::string(100, 'b'))});
  }
  tear_last_record(segment_files(dir.path()).back(), 10);
  write_ahead_log log(dir.path(), 1 << 20);
  EXPECT_EQ(revisions_of(log.read_after(0)), std::vector<uint64_t>{1});
}

TEST(WriteAheadLog, ADamagedRecordEndsTheLog) {
  temp_dir dir;
  {
    write_ahead_log log(dir.path(), 1 << 20);
    append(log, 1, {put("a", "1")});
    append(log, 2, {put("b", "second")});
    append(log, 3, {put("c", "3")});
  }
  auto file = segment_files(dir.path()).back();
  std::string first = encode_wal_record(1, 1, {put("a", "1")});
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(first.size()) + 40);  // inside the second payload
    f.put('X');
  }
  write_ahead_log log(dir.path(), 1 << 20);
  EXPECT_EQ(revisions_of(log.read_after(0)), std::vector<uint64_t>{1});
}

TEST(WriteAheadLog, SegmentsRotateAndReleasedOnesAreRecycled) {
  temp_dir dir;
  const std::string value(1000, 'v');
  {
    write_ahead_log log(dir.path(), 4096);  // about three records per segment
    for (uint64_t r = 1; r <= 30; ++r) append(log, r, {put("k" + std::to_string(r), value)});
    EXPECT_GE(log.segment_count(), 8u);
    log.release(24);
    // The segment being written and at most two spares beside what 25..30 need.
    EXPECT_LE(log.segment_count(), 6u);
    size_t files = segment_files(dir.path()).size();
    for (uint64_t r = 31; r <= 36; ++r) append(log, r, {put("k" + std::to_string(r), value)});
    // The new records went into recycled files.
    EXPECT_LE(segment_files(dir.path()).size(), files + 1);
  }
  write_ahead_log log(dir.path(), 4096);
  // Stale records in recycled files belong to other segments and are never read back.
  auto records = log.read_after(24);
  std::vector<uint64_t> expected;
  for (uint64_t r = 25; r <= 36; ++r) expected.push_back(r);
  EXPECT_EQ(revisions_of(records), expected);
}

TEST(WriteAheadLog, RecordsOfAnotherSegmentNumberAreStale) {
  temp_dir dir;
  {
    write_ahead_log log(dir.path(), 1 << 20);
    append(log, 1, {put("a", "1")});
  }
  // A record written for segment 9 inside segment 1 (as a recycled file holds them).
  auto file = segment_files(dir.path()).back();
  {
    std::ofstream f(file, std::ios::app | std::ios::binary);
    f << encode_wal_record(9, 2, {put("b", "2")});
  }
  write_ahead_log log(dir.path(), 1 << 20);
  EXPECT_EQ(revisions_of(log.read_after(0)), std::vector<uint64_t>{1});
}

TEST(WriteAheadLog, ARecordCountsOnlyOnceSynced) {
  temp_dir dir;
  bool fail_sync = false;
  {
    write_ahead_log log(dir.path(), 1 << 20, [&fail_sync](int fd) {
      if (!fail_sync) return ::fdatasync(fd);
      errno = EIO;
      return -1;
    });
    append(log, 1, {put("a", "1")});
    std::string error;
    ASSERT_TRUE(log.write(2, {put("b", "2")}, error)) << error;
    EXPECT_THROW(log.write(3, {put("c", "3")}, error), std::logic_error);
    fail_sync = true;
    EXPECT_FALSE(log.sync(error));
    EXPECT_NE(error.find("cannot sync a record"), std::string::npos) << error;
    fail_sync = false;
    // The voided record's place is written over by the next one.
    append(log, 2, {put("c", "3")});
  }
  write_ahead_log log(dir.path(), 1 << 20);
  auto records = log.read_after(0);
  ASSERT_EQ(revisions_of(records), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(records[1].mutations[0].key, "c");
}

// The logged LMDB backend after a crash: a child process writes and exits without any
// destructor (no final checkpoint), as kill -9 would leave it.
bool commit(backend& db, uint64_t revision, std::vector<mutation> mutations) {
  db.begin_write();
  for (auto& m : mutations) db.apply(std::move(m));
  std::string error;
  return db.commit(revision, error);
}

class LoggedLmdb : public ::testing::Test {
 protected:
  lmdb_options options(bool logged = true) const {
    return {.path = dir.path() + "/db",
            .map_size = size_t{64} << 20,
            .sync = true,
            .write_ahead_log = logged,
            .checkpoint_ms = 3600 * 1000};
  }

  // Runs `commits` in a child process on a store opened with `opts`; the child then exits
  // without closing the store (no final checkpoint), as kill -9 would leave it.
  static void commit_then_die(const lmdb_options& opts,
                              const std::function<bool(backend&)>& commits) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto db = open_lmdb(opts);
      _exit(commits(*db) ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  // Commits revisions 1..count (key "core/configmaps/ns/<r>") in a child that then dies.
  void write_then_die(uint64_t count) {
    commit_then_die(options(), [count](backend& db) {
      for (uint64_t r = 1; r <= count; ++r)
        if (!commit(db, r,
                    {put("core/configmaps/ns/" + std::to_string(r), "value-" + std::to_string(r))}))
          return false;
      return true;
    });
  }

  temp_dir dir;
};

TEST_F(LoggedLmdb, EveryCommittedWriteSurvivesACrashAndIsCheckpointedOnStart) {
  write_then_die(50);
  {
    auto db = open_lmdb(options());
    EXPECT_EQ(db->revision(), 50u);
    EXPECT_EQ(db->get("core/configmaps/ns/50"), "value-50");
    EXPECT_EQ(db->range("core/configmaps/ns/", "", 0).items.size(), 50u);
  }
  // Recovery saved the log's records in LMDB itself.
  auto plain = open_lmdb(options(false));
  EXPECT_EQ(plain->revision(), 50u);
  EXPECT_EQ(plain->range("core/configmaps/ns/", "", 0).items.size(), 50u);
}

TEST_F(LoggedLmdb, ATornLastRecordLosesOnlyThatCommit) {
  write_then_die(10);
  tear_last_record(segment_files(dir.path() + "/db/wal").back(), 3);
  auto db = open_lmdb(options());
  EXPECT_EQ(db->revision(), 9u);
  EXPECT_FALSE(db->get("core/configmaps/ns/10"));
  EXPECT_EQ(db->get("core/configmaps/ns/9"), "value-9");
  // Writing continues above the recovered revision, in a new segment.
  db->begin_write();
  db->apply(put("core/configmaps/ns/10", "again"));
  std::string error;
  ASSERT_TRUE(db->commit(10, error)) << error;
  EXPECT_EQ(db->get("core/configmaps/ns/10"), "again");
}

TEST_F(LoggedLmdb, ErasesAndOverwritesReplayInOrder) {
  commit_then_die(options(), [](backend& db) {
    return commit(db, 1, {put("a", "1"), put("b", "1")}) &&
           commit(db, 2, {erase("a"), put("b", "2")}) && commit(db, 3, {put("a", "3")}) &&
           commit(db, 4, {erase("b")});
  });
  auto db = open_lmdb(options());
  EXPECT_EQ(db->get("a"), "3");
  EXPECT_FALSE(db->get("b"));
  EXPECT_EQ(db->revision(), 4u);
}

std::string read_all(const fs::path& file) {
  std::ifstream f(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void write_all(const fs::path& file, const std::string& bytes) {
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A power loss after a checkpoint: the disk holds the checkpoint's file, and of each page
// written since, either its new content, or (as an unfinished write) garbage, or nothing. The
// worst case puts garbage in every such page, LMDB's two meta pages included. Recovery must
// find every acknowledged write: the checkpoint's pages were never reused (the checkpoint was
// pinned) and the log replays the rest.
TEST_F(LoggedLmdb, APowerLossAfterACheckpointLosesNoAcknowledgedWrite) {
  const fs::path data_file = dir.path() + "/db/data.mdb";
  auto key = [](uint64_t n) { return "core/configmaps/ns/" + std::to_string(n); };
  for (bool garbage : {true, false}) {
    SCOPED_TRACE(garbage ? "pages written after the checkpoint are garbage"
                         : "no page written after the checkpoint reached the disk");
    fs::remove_all(dir.path() + "/db");
    {
      auto db = open_lmdb(options());
      for (uint64_t r = 1; r <= 20; ++r) ASSERT_TRUE(commit(*db, r, {put(key(r), "first")}));
    }  // a clean close checkpoints revision 20
    const std::string checkpointed = read_all(data_file);
    // Rewrites every key many times (freeing the checkpoint's pages) and adds new ones.
    commit_then_die(options(), [&key](backend& db) {
      for (uint64_t r = 21; r <= 400; ++r)
        if (!commit(db, r, {put(key(r % 20 + 1), "v" + std::to_string(r)), put(key(r), "new")}))
          return false;
      return true;
    });

    std::string lost = checkpointed;
    if (garbage) {
      const std::string after = read_all(data_file);
      const size_t page = 4096;
      lost.resize(after.size(), '\0');
      uint64_t noise = 0x9E3779B97F4A7C15u;
      for (size_t at = 0; at < after.size(); at += page) {
        size_t n = std::min(page, after.size() - at);
        if (after.compare(at, n, checkpointed, std::min(at, checkpointed.size()), n) == 0) continue;
        for (size_t i = 0; i < n; ++i) {
          noise = noise * 6364136223846793005u + 1442695040888963407u;
          lost[at + i] = static_cast<char>(noise >> 56);
        }
      }
    }
    write_all(data_file, lost);

    auto db = open_lmdb(options());
    EXPECT_EQ(db->revision(), 400u);
    for (uint64_t n = 1; n <= 20; ++n) {
      uint64_t last = 400;
      while (last % 20 + 1 != n) --last;  // the last rewrite of key n
      EXPECT_EQ(db->get(key(n)), "v" + std::to_string(last)) << key(n);
    }
    for (uint64_t r = 21; r <= 400; ++r) EXPECT_EQ(db->get(key(r)), "new") << key(r);
    // And it keeps writing above the recovered revision.
    EXPECT_TRUE(commit(*db, 401, {put(key(1), "after")}));
    EXPECT_EQ(db->get(key(1)), "after");
  }
}

// What the checkpoints assume of LMDB's file format, checked against the installed LMDB.
TEST_F(LoggedLmdb, MetaPagesLookAsCheckpointsExpect) {
  {
    auto db = open_lmdb(options(false));
    for (uint64_t r = 1; r <= 3; ++r) {
      db->begin_write();
      db->apply(put("k" + std::to_string(r), "v"));
      std::string error;
      ASSERT_TRUE(db->commit(r, error)) << error;
    }
  }
  const std::string data_file = dir.path() + "/db/data.mdb";
  std::string bytes = read_all(data_file);
  for (uint64_t slot = 0; slot < 2; ++slot)
    EXPECT_EQ(bytes.substr(slot * 4096, 16), meta_page_header(slot)) << "slot " << slot;
  uint64_t newest = newest_meta_txnid(data_file, 4096);
  EXPECT_GE(newest, 3u);
  int fd = ::open(data_file.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(capture_meta(fd, 4096, newest));
  EXPECT_FALSE(capture_meta(fd, 4096, newest + 2));  // the slot holds another transaction
  ::close(fd);
}

TEST_F(LoggedLmdb, AStoreWrittenWithoutTheLogIsTakenOver) {
  ASSERT_TRUE(commit(*open_lmdb(options(false)), 1, {put("core/configmaps/ns/0", "before")}));
  commit_then_die(options(), [](backend& db) {
    for (uint64_t r = 2; r <= 30; ++r)
      if (!commit(db, r, {put("core/configmaps/ns/" + std::to_string(r), "logged")})) return false;
    return true;
  });
  auto db = open_lmdb(options());
  EXPECT_EQ(db->revision(), 30u);
  EXPECT_EQ(db->get("core/configmaps/ns/0"), "before");
  EXPECT_EQ(db->get("core/configmaps/ns/30"), "logged");
}

// Turning the log off (store.sync: false) after a crash still replays what the log holds, then
// leaves a plain LMDB store behind.
TEST_F(LoggedLmdb, ALogLeftByACrashIsReplayedEvenWithTheLogTurnedOff) {
  write_then_die(40);
  {
    lmdb_options plain = options(false);
    plain.sync = false;
    auto db = open_lmdb(plain);
    EXPECT_EQ(db->revision(), 40u);
    EXPECT_EQ(db->range("core/configmaps/ns/", "", 0).items.size(), 40u);
  }
  EXPECT_FALSE(fs::exists(dir.path() + "/db/checkpoint"));
  EXPECT_FALSE(fs::exists(dir.path() + "/db/wal"));
  auto db = open_lmdb(options(false));
  EXPECT_EQ(db->revision(), 40u);
}

// Growing the map checkpoints first (the pin must go while the map moves); the commits around
// the growths survive a crash.
TEST_F(LoggedLmdb, CommitsAcrossMapGrowthsSurviveACrash) {
  lmdb_options small = options();
  small.map_size = size_t{1} << 20;
  const std::string value(3000, 'x');
  commit_then_die(small, [&value](backend& db) {
    for (uint64_t r = 1; r <= 1000; ++r)
      if (!commit(db, r, {put("core/configmaps/ns/" + std::to_string(r), value)})) return false;
    return true;
  });
  auto db = open_lmdb(small);
  EXPECT_EQ(db->revision(), 1000u);
  EXPECT_EQ(db->range("core/configmaps/ns/", "", 0).items.size(), 1000u);
  EXPECT_EQ(db->get("core/configmaps/ns/1000"), value);
}

// Checkpoints every millisecond while one thread commits and others read and page through
// snapshots: every read sees a whole commit, and everything is there after a restart.
TEST_F(LoggedLmdb, CheckpointsRunBesideCommitsAndReads) {
  lmdb_options busy = options();
  busy.checkpoint_ms = 1;
  busy.map_size = size_t{1} << 20;  // growths too
  {
    auto db = open_lmdb(busy);
    std::atomic<bool> done{false};
    std::atomic<int> bad_reads{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
      readers.emplace_back([&] {
        while (!done) {
          uint64_t revision = 0;
          auto a = db->get("core/secrets/ns/a", &revision);
          // Both keys are written in every commit with the revision as value.
          if (a && *a != std::to_string(revision)) ++bad_reads;
          auto snapshot = db->snapshot();
          snapshot->view_range("core/secrets/ns/", "", 0, nullptr, [&](const range_view& view) {
            if (view.items.size() == 2 && view.items[0].value != view.items[1].value) ++bad_reads;
          });
        }
      });
    for (uint64_t r = 1; r <= 1500; ++r) {
      db->begin_write();
      db->apply(put("core/secrets/ns/a", std::to_string(r)));
      db->apply(put("core/secrets/ns/b", std::to_string(r)));
      db->apply(put("core/configmaps/ns/" + std::to_string(r), std::string(1000, 'v')));
      std::string error;
      ASSERT_TRUE(db->commit(r, error)) << error;
    }
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(bad_reads.load(), 0);
  }
  auto db = open_lmdb(busy);
  EXPECT_EQ(db->revision(), 1500u);
  EXPECT_EQ(db->get("core/secrets/ns/b"), "1500");
  EXPECT_EQ(db->range("core/configmaps/ns/", "", 0).items.size(), 1500u);
}

// LMDB commits while the log's record is being synced; nothing may read that commit before
// the sync returns.
TEST_F(LoggedLmdb, ReadersWaitUntilWhatTheySeeIsDurable) {
  std::mutex mutex;
  std::condition_variable changed;
  bool syncing = false, release = false;
  lmdb_options opts = options();
  opts.log_sync = [&](int fd) {
    std::unique_lock lock(mutex);
    syncing = true;
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
    return ::fdatasync(fd);
  };
  auto db = open_lmdb(opts);
  std::thread writer([&] { EXPECT_TRUE(commit(*db, 1, {put("core/configmaps/ns/a", "1")})); });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return syncing; });
  }
  std::atomic<bool> read_done{false};
  std::optional<std::string> seen;
  std::thread reader([&] {
    seen = db->get("core/configmaps/ns/a");
    read_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(read_done) << "a read returned a commit whose log record was not yet durable";
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  writer.join();
  reader.join();
  EXPECT_EQ(seen, "1");
}

// The log's syncs fail with EIO while `fail` is set.
lmdb_options failing_sync(lmdb_options opts, std::atomic<bool>& fail) {
  opts.log_sync = [&fail](int fd) {
    if (!fail) return ::fdatasync(fd);
    errno = EIO;
    return -1;
  };
  return opts;
}

TEST_F(LoggedLmdb, ACommitWhoseLogSyncFailedIsNeverReadAndIsGoneAfterRestart) {
  const std::string a = "core/configmaps/ns/a", b = "core/configmaps/ns/b";
  std::atomic<bool> fail_sync{false};
  lmdb_options opts = failing_sync(options(), fail_sync);
  opts.settle_ms = 0;  // LMDB commits every batch, the failed one too
  {
    auto db = open_lmdb(opts);
    ASSERT_TRUE(commit(*db, 1, {put(a, "1")}));
    EXPECT_EQ(db->failure(), "");
    fail_sync = true;
    db->begin_write();
    db->apply(put(b, "2"));
    std::string error;
    EXPECT_FALSE(db->commit(2, error));
    EXPECT_NE(error.find("revision 2 is in LMDB but not durable"), std::string::npos) << error;
    EXPECT_EQ(db->failure(), error);
    fail_sync = false;
    // LMDB holds revision 2, but no read may show it; and the store takes no more writes.
    EXPECT_THROW(db->get(a), std::runtime_error);
    EXPECT_THROW(db->revision(), std::runtime_error);
    EXPECT_THROW(db->snapshot(), std::runtime_error);
    db->begin_write();
    db->apply(put(b, "3"));
    EXPECT_FALSE(db->commit(3, error));
  }
  auto db = open_lmdb(options());
  EXPECT_EQ(db->revision(), 1u);
  EXPECT_EQ(db->get(a), "1");
  EXPECT_FALSE(db->get(b));
  EXPECT_TRUE(commit(*db, 2, {put(b, "again")}));
  EXPECT_EQ(db->get(b), "again");
}

// LMDB commits the first batch (nothing has been committed for a while), then holds the next
// ones back for the hour: reads must merge them over LMDB's keys.
lmdb_options unsettling(lmdb_options opts) {
  opts.settle_ms = 3600 * 1000;
  return opts;
}

std::vector<std::string> listed(backend& db, std::string_view start_after = "", size_t limit = 0) {
  std::vector<std::string> out;
  for (const auto& item : db.range("core/configmaps/ns/", start_after, limit).items)
    out.push_back(item.key.substr(19) + "=" + item.value);
  return out;
}

TEST_F(LoggedLmdb, ReadsSeeTheBatchesLmdbHasNotCommittedYet) {
  const std::string ns = "core/configmaps/ns/";
  auto db = open_lmdb(unsettling(options()));
  ASSERT_TRUE(commit(*db, 1, {put(ns + "a", "1"), put(ns + "b", "1"), put(ns + "e", "1")}));
  EXPECT_FALSE(db->unsettled());
  ASSERT_TRUE(commit(*db, 2, {erase(ns + "a"), put(ns + "c", "2")}));
  ASSERT_TRUE(commit(*db, 3, {put(ns + "b", "3"), put("core/secrets/ns/s", "3")}));
  EXPECT_TRUE(db->unsettled());

  uint64_t revision = 0;
  EXPECT_FALSE(db->get(ns + "a", &revision));
  EXPECT_EQ(revision, 3u);
  EXPECT_EQ(db->get(ns + "b"), "3");
  EXPECT_EQ(db->get(ns + "c"), "2");
  EXPECT_EQ(db->revision(), 3u);
  EXPECT_EQ(listed(*db), (std::vector<std::string>{"b=3", "c=2", "e=1"}));
  EXPECT_EQ(listed(*db, ns + "b"), (std::vector<std::string>{"c=2", "e=1"}));
  auto page = db->range(ns, "", 1);
  EXPECT_EQ(page.items.size(), 1u);
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.remaining, 2u);
  EXPECT_EQ(page.revision, 3u);

  // A snapshot keeps what it saw, through later batches and LMDB's commit of them.
  auto snapshot = db->snapshot();
  ASSERT_TRUE(commit(*db, 4, {put(ns + "d", "4"), erase(ns + "e")}));
  EXPECT_EQ(listed(*db), (std::vector<std::string>{"b=3", "c=2", "d=4"}));
  db->settle();
  EXPECT_FALSE(db->unsettled());
  EXPECT_EQ(listed(*db), (std::vector<std::string>{"b=3", "c=2", "d=4"}));
  EXPECT_EQ(db->revision(), 4u);
  std::vector<std::string> seen;
  ASSERT_TRUE(snapshot->view_range(ns, "", 0, nullptr, [&](const range_view& view) {
    EXPECT_EQ(view.revision, 3u);
    for (const auto& item : view.items)
      seen.push_back(std::string(item.key.substr(19)) + "=" + std::string(item.value));
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"b=3", "c=2", "e=1"}));
}

// Each revision adds one key, so a consistent read shows exactly as many keys as its revision,
// whichever mix of LMDB commit and pending writes it was served from.
TEST_F(LoggedLmdb, ReadsStayConsistentWhileLmdbSettles) {
  lmdb_options opts = options();
  opts.settle_ms = 1;
  auto db = open_lmdb(opts);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, inconsistent{0};
  std::thread reader([&] {
    while (!done) {
      auto listed = db->range("core/configmaps/ns/", "", 0);
      if (listed.items.size() != listed.revision) ++inconsistent;
      auto snapshot = db->snapshot();
      snapshot->view_range("core/configmaps/ns/", "", 0, nullptr, [&](const range_view& view) {
        if (view.items.size() != snapshot->revision()) ++inconsistent;
      });
      ++reads;
    }
  });
  for (uint64_t r = 1; r <= 1500; ++r)
    ASSERT_TRUE(commit(*db, r, {put("core/configmaps/ns/" + std::to_string(r), "v")}));
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(db->range("core/configmaps/ns/", "", 0).items.size(), 1500u);
}

TEST_F(LoggedLmdb, AFailedSessionUndoesOnlyItself) {
  const std::string ns = "core/configmaps/ns/";
  {
    auto db = open_lmdb(unsettling(options()));
    ASSERT_TRUE(commit(*db, 1, {put(ns + "a", "1")}));
    ASSERT_TRUE(commit(*db, 2, {put(ns + "b", "2")}));
    db->begin_write();
    db->apply(put(ns + "c", "3"));
    db->apply(put("", "a key LMDB refuses"));
    std::string error;
    EXPECT_FALSE(db->commit(3, error));
    EXPECT_EQ(db->failure(), "");
    db->begin_write();
    db->apply(put(ns + "d", "3"));
    db->abort_write();  // a session that ends without a commit leaves nothing either
    EXPECT_EQ(listed(*db), (std::vector<std::string>{"a=1", "b=2"}));
    ASSERT_TRUE(commit(*db, 3, {put(ns + "e", "3")}));
    EXPECT_EQ(listed(*db), (std::vector<std::string>{"a=1", "b=2", "e=3"}));
  }
  auto db = open_lmdb(options(false));  // a clean shutdown settled everything into LMDB
  EXPECT_EQ(listed(*db), (std::vector<std::string>{"a=1", "b=2", "e=3"}));
  EXPECT_EQ(db->revision(), 3u);
}

TEST_F(LoggedLmdb, LmdbKeepsTheRevisionOfTheBatchesAFailedSessionLeaves) {
  const std::string ns = "core/configmaps/ns/";
  {
    auto db = open_lmdb(unsettling(options()));
    ASSERT_TRUE(commit(*db, 1, {put(ns + "a", "1")}));
    ASSERT_TRUE(commit(*db, 2, {put(ns + "b", "2")}));
    EXPECT_FALSE(commit(*db, 3, {put("", "a key LMDB refuses")}));
  }  // settles and checkpoints
  // What LMDB itself holds, without the log to replay.
  fs::remove_all(dir.path() + "/db/wal");
  fs::remove(dir.path() + "/db/checkpoint");
  auto db = open_lmdb(options(false));
  EXPECT_EQ(db->revision(), 2u);
  EXPECT_EQ(listed(*db), (std::vector<std::string>{"a=1", "b=2"}));
}

TEST_F(LoggedLmdb, UnsettledBatchesSurviveACrash) {
  const std::string ns = "core/configmaps/ns/";
  commit_then_die(unsettling(options()), [&](backend& db) {
    for (uint64_t r = 1; r <= 20; ++r)
      if (!commit(db, r, {put(ns + std::to_string(r % 7), std::to_string(r))})) return false;
    return db.unsettled();
  });
  auto db = open_lmdb(options());
  EXPECT_EQ(db->revision(), 20u);
  EXPECT_EQ(listed(*db),
            (std::vector<std::string>{"0=14", "1=15", "2=16", "3=17", "4=18", "5=19", "6=20"}));
}

TEST_F(LoggedLmdb, AnUnsettledBatchWhoseLogSyncFailedIsNeverRead) {
  const std::string a = "core/configmaps/ns/a", b = "core/configmaps/ns/b";
  std::atomic<bool> fail_sync{false};
  lmdb_options opts = failing_sync(unsettling(options()), fail_sync);
  {
    auto db = open_lmdb(opts);
    ASSERT_TRUE(commit(*db, 1, {put(a, "1")}));
    ASSERT_TRUE(commit(*db, 2, {put(a, "2")}));
    fail_sync = true;
    std::string error;
    db->begin_write();
    db->apply(put(b, "3"));
    EXPECT_FALSE(db->commit(3, error));
    EXPECT_EQ(db->failure(), error);
    fail_sync = false;
    // Not in LMDB: reads go on showing the durable state; writes are refused.
    EXPECT_EQ(db->get(a), "2");
    EXPECT_FALSE(db->get(b));
    EXPECT_EQ(db->revision(), 2u);
    EXPECT_FALSE(commit(*db, 3, {put(b, "again")}));
  }
  auto db = open_lmdb(options());
  EXPECT_EQ(db->revision(), 2u);
  EXPECT_EQ(db->get(a), "2");
  EXPECT_FALSE(db->get(b));
}

TEST_F(LoggedLmdb, ACleanShutdownLeavesEverythingInLmdb) {
  {
    auto db = open_lmdb(options());
    db->begin_write();
    db->apply(put("k", "v"));
    std::string error;
    ASSERT_TRUE(db->commit(1, error)) << error;
  }
  auto plain = open_lmdb(options(false));
  EXPECT_EQ(plain->get("k"), "v");
  EXPECT_EQ(plain->revision(), 1u);
}

}  // namespace
}  // namespace kactor::store
