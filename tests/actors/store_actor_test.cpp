// The store actor in a real actor system over a real LMDB: group commit, replies after the
// commit, events to the watch hub in revision order, and draining on shutdown.
#include <gtest/gtest.h>
#include <caf/all.hpp>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "actors/store_actor.hpp"
#include "store/backend.hpp"
#include "store/watch_hub.hpp"

namespace {

using namespace kactor;

// Wraps the LMDB backend: counts commits and can hold the first one until released, so that
// writes pile up in the actor's mailbox meanwhile (what concurrent clients cause in production).
class gated_backend : public store::backend {
 public:
  explicit gated_backend(std::unique_ptr<store::backend> inner) : inner_(std::move(inner)) {}

  std::optional<std::string> get(std::string_view key, uint64_t* revision) override {
    return inner_->get(key, revision);
  }
  store::range_result range(std::string_view prefix, std::string_view start_after,
                            size_t limit) override {
    return inner_->range(prefix, start_after, limit);
  }
  uint64_t revision() override { return inner_->revision(); }
  std::shared_ptr<store::read_snapshot> snapshot() override { return inner_->snapshot(); }
  void begin_write() override { inner_->begin_write(); }
  std::optional<std::string> get_for_write(std::string_view key) override {
    return inner_->get_for_write(key);
  }
  std::vector<std::string> keys_for_write(std::string_view prefix) override {
    return inner_->keys_for_write(prefix);
  }
  void apply(store::mutation m) override { inner_->apply(std::move(m)); }
  bool commit(uint64_t new_revision, std::string& error) override {
    {
      std::unique_lock lock(mutex_);
      released_.wait(lock, [this] { return open_; });
    }
    ++commits;
    return inner_->commit(new_revision, error);
  }
  void abort_write() override { inner_->abort_write(); }
  bool unsettled() const override { return inner_->unsettled(); }
  void settle() override {
    ++settles;
    inner_->settle();
  }

  void hold() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    released_.notify_all();
  }

  std::atomic<int> commits{0};
  std::atomic<int> settles{0};

 private:
  std::unique_ptr<store::backend> inner_;
  std::mutex mutex_;
  std::condition_variable released_;
  bool open_ = true;
};

class StoreActorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kactor-store-actor-XXXXXX";
    dir_ = mkdtemp(pattern);
    backend_ = std::make_unique<gated_backend>(store::open_lmdb(store_options()));
    hub_ = std::make_unique<store::watch_hub>(100000, backend_->revision());
    // The system keeps a reference to its config: it must outlive the system.
    config_.set("scheduler.max-threads", 2);
    system_ = std::make_unique<caf::actor_system>(config_);
    store_ = actors::spawn_store_actor(*system_, *backend_, *hub_, actor_options());
    client_ = std::make_unique<actors::store_client>(store_);
  }

  virtual store::lmdb_options store_options() const { return {.path = dir_, .sync = false}; }
  virtual actors::store_actor_options actor_options() const { return {}; }

  void TearDown() override {
    actors::stop_store_actor(store_);
    store_ = nullptr;
    client_.reset();
    system_->await_all_actors_done();
    system_.reset();
    hub_.reset();
    backend_.reset();
    std::filesystem::remove_all(dir_);
  }

  store::write_request create(const std::string& plural, const std::string& ns,
                              const std::string& name, const std::string& body) {
    store::write_request w;
    w.verb = store::write_verb::create;
    w.plural = plural;
    w.ns = ns;
    w.name = name;
    w.body = body;
    return w;
  }

  store::write_request config_map(const std::string& name) {
    return create("configmaps", "default", name,
                  R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
                      R"(","namespace":"default"},"data":{"k":"v"}})");
  }

  // Submits and waits for the result.
  store::write_result submit_and_wait(store::write_request w) {
    std::promise<store::write_result> done;
    auto result = done.get_future();
    client_->submit(std::move(w), [&done](store::write_result r) { done.set_value(std::move(r)); });
    return result.get();
  }

  void create_default_namespace() {
    auto r = submit_and_wait(
        create("namespaces", "", "default",
               R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}})"));
    ASSERT_TRUE(r.ok) << r.error.message;
  }

  std::string dir_;
  std::unique_ptr<gated_backend> backend_;
  std::unique_ptr<store::watch_hub> hub_;
  caf::actor_system_config config_;
  std::unique_ptr<caf::actor_system> system_;
  caf::actor store_;
  std::unique_ptr<actors::store_client> client_;
};

// Collects results from many threads and lets the test wait for all of them.
struct result_sink {
  std::mutex mutex;
  std::condition_variable all_done;
  std::vector<store::write_result> results;
  std::vector<uint64_t> committed_when_replied;
  size_t expected = 0;

  void add(store::write_result r, uint64_t committed) {
    std::lock_guard lock(mutex);
    results.push_back(std::move(r));
    committed_when_replied.push_back(committed);
    if (results.size() == expected) all_done.notify_all();
  }
  bool wait() {
    std::unique_lock lock(mutex);
    return all_done.wait_for(lock, std::chrono::seconds(60),
                             [this] { return results.size() == expected; });
  }
};

TEST_F(StoreActorTest, ConcurrentWritesShareTransactionsAndReplyAfterCommit) {
  create_default_namespace();
  const int commits_before = backend_->commits;
  constexpr int kThreads = 4, kPerThread = 500;
  result_sink sink;
  sink.expected = kThreads * kPerThread;

  backend_->hold();  // the first batch's commit waits until every write is queued
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        client_->submit(
            config_map("cm-" + std::to_string(t) + "-" + std::to_string(i)),
            [&](store::write_result r) { sink.add(std::move(r), backend_->revision()); });
    });
  for (auto& c : clients) c.join();
  backend_->release();
  ASSERT_TRUE(sink.wait());

  std::vector<uint64_t> revisions;
  for (size_t i = 0; i < sink.results.size(); ++i) {
    const auto& r = sink.results[i];
    ASSERT_TRUE(r.ok) << r.error.message;
    EXPECT_GE(sink.committed_when_replied[i], r.revision) << "replied before its commit";
    revisions.push_back(r.revision);
  }
  std::sort(revisions.begin(), revisions.end());
  for (size_t i = 1; i < revisions.size(); ++i) ASSERT_EQ(revisions[i], revisions[i - 1] + 1);
  // 2000 writes; at most one batch of them was taken before the gate, the rest in 1024-sized
  // batches after it.
  EXPECT_LE(backend_->commits - commits_before, 4);
  EXPECT_EQ(backend_->revision(), revisions.back());
}

TEST_F(StoreActorTest, EventsReachTheHubInRevisionOrder) {
  create_default_namespace();
  std::mutex mutex;
  std::vector<uint64_t> seen;
  auto sub = hub_->subscribe("core/configmaps/", 0, [&](const store::watch_event_ptr& ev) {
    std::lock_guard lock(mutex);
    seen.push_back(ev->revision);
    EXPECT_NE(ev->line, nullptr);
    return true;
  });
  ASSERT_TRUE(sub.ok);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(submit_and_wait(config_map("e" + std::to_string(i))).ok);
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 50u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[i - 1] + 1);
}

TEST_F(StoreActorTest, FailedWritesTakeNoRevision) {
  create_default_namespace();
  auto first = submit_and_wait(config_map("same"));
  ASSERT_TRUE(first.ok);
  auto again = submit_and_wait(config_map("same"));
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.error.reason, "AlreadyExists");
  auto next = submit_and_wait(config_map("other"));
  ASSERT_TRUE(next.ok);
  EXPECT_EQ(next.revision, first.revision + 1);
}

TEST_F(StoreActorTest, ShutdownFinishesQueuedWrites) {
  create_default_namespace();
  result_sink sink;
  sink.expected = 100;
  backend_->hold();
  for (int i = 0; i < 100; ++i)
    client_->submit(config_map("s" + std::to_string(i)),
                    [&](store::write_result r) { sink.add(std::move(r), 0); });
  actors::stop_store_actor(store_);
  backend_->release();
  ASSERT_TRUE(sink.wait());
  for (const auto& r : sink.results) EXPECT_TRUE(r.ok) << r.error.message;
  uint64_t rev = 0;
  EXPECT_TRUE(backend_->get("core/configmaps/default/s99", &rev).has_value());
}

// With the write-ahead log, LMDB takes batches in only now and then (here: never on its own);
// the store asks it to once writes stop.
class SettlingStoreActorTest : public StoreActorTest {
 protected:
  store::lmdb_options store_options() const override {
    return {.path = dir_, .sync = true, .write_ahead_log = true, .settle_ms = 3600 * 1000};
  }
};

TEST_F(SettlingStoreActorTest, TheBackendSettlesOnceWritesStop) {
  create_default_namespace();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(submit_and_wait(config_map("c" + std::to_string(i))).ok);
  uint64_t revision = 0;
  EXPECT_TRUE(backend_->get("core/configmaps/default/c19", &revision).has_value());
  for (int waited = 0; backend_->unsettled() && waited < 500; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(backend_->unsettled());
  EXPECT_GE(backend_->settles.load(), 1);
  EXPECT_TRUE(backend_->get("core/configmaps/default/c19", &revision).has_value());
  EXPECT_EQ(revision, backend_->revision());
}

// A writer that stays awake after each reply of a serial client (from the first write on, for
// 20 ms) still serves every write in order, joins concurrent ones into batches, and stops.
class PollingStoreActorTest : public StoreActorTest {
 protected:
  actors::store_actor_options actor_options() const override {
    actors::store_actor_options options;
    options.serial_poll = {.window = std::chrono::milliseconds(20),
                           .serial_after = std::chrono::milliseconds(0)};
    return options;
  }
};

TEST_F(PollingStoreActorTest, WritesAreServedWhileTheWriterPollsAndItStillStops) {
  create_default_namespace();
  uint64_t last = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = submit_and_wait(config_map("serial" + std::to_string(i)));
    ASSERT_TRUE(r.ok) << r.error.message;
    if (last != 0) {
      EXPECT_EQ(r.revision, last + 1);
    }
    last = r.revision;
  }
  const int commits_before = backend_->commits.load();
  result_sink sink;
  sink.expected = 40;
  backend_->hold();  // the first write's commit waits, the others queue behind it
  for (int i = 0; i < 40; ++i)
    client_->submit(config_map("burst" + std::to_string(i)),
                    [&](store::write_result r) { sink.add(std::move(r), 0); });
  backend_->release();
  ASSERT_TRUE(sink.wait());
  for (const auto& r : sink.results) EXPECT_TRUE(r.ok) << r.error.message;
  EXPECT_LE(backend_->commits.load() - commits_before, 2);
  submit_and_wait(config_map("last"));  // TearDown stops the writer while it polls
}

}  // namespace
