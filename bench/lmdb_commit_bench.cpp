// What the disk path of a create costs without the server: LMDB alone, configured as the store
// configures it (MDB_NOTLS, the store's object layout: store/lmdb_objects.hpp), committing
// batches of puts of a stored pod's size. For each case it prints the CPU (user + system, this
// process) and the wall time per commit and per put, so the fixed cost of a synced commit and
// the cost of each put can be told apart, with keys in sequence (bench-<n>) or scattered
// (hashed, like generated names). The `keyed` cases put the JSON under the key itself, as the
// store's first layout did.
// Usage: lmdb_commit_bench [commits per case]   (default 1000)
#include <lmdb.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/lmdb_objects.hpp"

namespace {

namespace fs = std::filesystem;

// About the size of api_bench's pod as stored (with defaults, status and metadata).
constexpr size_t k_value_bytes = 1700;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + mdb_strerror(rc));
}

// A fresh environment in its own temporary directory, removed again at the end.
class environment {
 public:
  environment(unsigned flags, bool keyed) : keyed_(keyed) {
    std::string pattern = (fs::temp_directory_path() / "lmdb_commit_bench.XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    check(mdb_env_create(&env_), "mdb_env_create");
    check(mdb_env_set_mapsize(env_, size_t{8} << 30), "mdb_env_set_mapsize");
    check(mdb_env_set_maxdbs(env_, 4), "mdb_env_set_maxdbs");
    check(mdb_env_open(env_, dir_.c_str(), MDB_NOTLS | flags, 0600), "mdb_env_open");
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin");
    if (keyed)
      check(mdb_dbi_open(txn, "objects", MDB_CREATE, &dbi_), "mdb_dbi_open");
    else
      check(tables_.open(txn), "object_tables::open");
    check(mdb_txn_commit(txn), "mdb_txn_commit");
  }
  ~environment() {
    mdb_env_close(env_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;

  // One transaction of `count` puts, keys from `first` on.
  void commit_batch(uint64_t first, int count, bool scattered, const std::string& value) {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin");
    for (int i = 0; i < count; ++i) {
      std::string key = key_for(first + uint64_t(i), scattered);
      MDB_val k{key.size(), key.data()};
      MDB_val v{value.size(), const_cast<char*>(value.data())};
      int rc = keyed_ ? mdb_put(txn, dbi_, &k, &v, 0) : tables_.put(txn, key, value);
      if (rc) {
        mdb_txn_abort(txn);
        check(rc, "mdb_put");
      }
    }
    check(mdb_txn_commit(txn), "mdb_txn_commit");
  }

 private:
  static std::string key_for(uint64_t n, bool scattered) {
    char key[64];
    if (scattered)
      std::snprintf(key, sizeof key, "core/pods/default/bench-%016llx",
                    static_cast<unsigned long long>((n + 1) * 0x9E3779B97F4A7C15ULL));
    else
      std::snprintf(key, sizeof key, "core/pods/default/bench-%llu",
                    static_cast<unsigned long long>(n));
    return key;
  }

  std::string dir_;
  MDB_env* env_ = nullptr;
  bool keyed_;
  MDB_dbi dbi_ = 0;
  kactor::store::object_tables tables_;
};

struct test_case {
  const char* sync_name;  // also the metric prefix
  unsigned flags;
  int batch;
  bool scattered;
  bool keyed = false;
};

void run(const test_case& c, int commits) {
  environment env(c.flags, c.keyed);
  const std::string value(k_value_bytes, 'x');
  const double cpu_start = cpu_seconds();
  const auto wall_start = std::chrono::steady_clock::now();
  for (int i = 0; i < commits; ++i)
    env.commit_batch(uint64_t(i) * c.batch, c.batch, c.scattered, value);
  const std::chrono::duration<double, std::micro> wall =
      std::chrono::steady_clock::now() - wall_start;
  const double cpu_us = (cpu_seconds() - cpu_start) * 1e6;
  const char* keys = c.scattered ? "random" : "sequential";
  const char* layout = c.keyed ? "keyed" : "";
  std::printf(
      "%-10s batch %2d, %-10s keys%s%s: %7.1f us cpu per commit, %6.1f us cpu per put, "
      "%7.1f us wall per commit\n",
      c.sync_name, c.batch, keys, c.keyed ? ", " : "", layout, cpu_us / commits,
      cpu_us / (double(commits) * c.batch), wall.count() / commits);
  std::printf("RESULT lmdb_%s_b%d_%s%s%s_cpu_per_commit %.1f us\n", c.sync_name, c.batch, keys,
              c.keyed ? "_" : "", layout, cpu_us / commits);
}

}  // namespace

int main(int argc, char** argv) {
  const int commits = argc > 1 ? std::atoi(argv[1]) : 1000;
  if (commits <= 0) {
    std::fprintf(stderr, "usage: lmdb_commit_bench [commits per case > 0]\n");
    return 2;
  }
  const std::vector<test_case> cases = {
      {"sync", 0, 1, false},
      {"sync", 0, 16, false},
      {"sync", 0, 64, false},
      {"sync", 0, 16, true},
      {"nometasync", MDB_NOMETASYNC, 16, false},
      {"nosync", MDB_NOSYNC, 16, false},
      {"nosync", MDB_NOSYNC, 16, true},
      {"nosync", MDB_NOSYNC, 64, false},
      {"nosync", MDB_NOSYNC, 64, false, true},
      {"nosync", MDB_NOSYNC, 64, true},
      {"nosync", MDB_NOSYNC, 64, true, true},
  };
  try {
    for (const auto& c : cases) run(c, commits);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lmdb_commit_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
