#include "store/watch_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kactor::store {
namespace {

watch_event_ptr event(uint64_t revision, std::string key = "core/pods/a/x") {
  auto e = std::make_shared<watch_event>();
  e->kind = watch_event::type::modified;
  e->revision = revision;
  e->key = std::move(key);
  e->line =
      std::make_shared<const std::string>(encode_watch_line("MODIFIED", "{}", &e->object_begin));
  return e;
}

std::vector<watch_event_ptr> events(uint64_t from, uint64_t to) {
  std::vector<watch_event_ptr> out;
  for (uint64_t r = from; r <= to; ++r) out.push_back(event(r));
  return out;
}

// Records the revisions a watcher receives.
struct recorder {
  std::vector<uint64_t> revisions;
  std::vector<std::string> keys;
  watch_hub::sink sink() {
    return [this](const watch_event_ptr& e) {
      revisions.push_back(e->revision);
      keys.push_back(e->key);
      return true;
    };
  }
};

TEST(WatchHub, StartsAtTheStoreRevision) {
  watch_hub hub(10, 7);
  EXPECT_EQ(hub.latest_revision(), 7u);
  EXPECT_EQ(hub.watcher_count(), 0u);
}

TEST(WatchHub, FromZeroStreamsOnlyLiveEvents) {
  watch_hub hub(10, 0);
  hub.publish(events(1, 3));
  recorder r;
  auto sub = hub.subscribe("core/pods/", 0, r.sink());
  ASSERT_TRUE(sub.ok);
  EXPECT_NE(sub.id, 0u);
  EXPECT_TRUE(r.revisions.empty());
  hub.publish(events(4, 5));
  EXPECT_EQ(r.revisions, (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(hub.latest_revision(), 5u);
}

TEST(WatchHub, ReplaysRetainedEventsAfterTheRevisionThenStreams) {
  watch_hub hub(10, 0);
  hub.publish(events(1, 5));
  recorder r;
  ASSERT_TRUE(hub.subscribe("core/pods/", 2, r.sink()).ok);
  EXPECT_EQ(r.revisions, (std::vector<uint64_t>{3, 4, 5}));
  hub.publish({event(6)});
  EXPECT_EQ(r.revisions, (std::vector<uint64_t>{3, 4, 5, 6}));

  recorder current;
  ASSERT_TRUE(hub.subscribe("core/pods/", 6, current.sink()).ok);  // up to date: nothing to replay
  EXPECT_TRUE(current.revisions.empty());
}

TEST(WatchHub, BelowTheRingIsExpired) {
  watch_hub hub(3, 0);
  hub.publish(events(1, 5));  // keeps 3, 4, 5
  recorder r;
  auto expired = hub.subscribe("", 1, r.sink());
  EXPECT_FALSE(expired.ok);
  EXPECT_EQ(expired.oldest_available, 2u);
  EXPECT_EQ(hub.watcher_count(), 0u);
  EXPECT_TRUE(r.revisions.empty());

  auto oldest = hub.subscribe("", 2, r.sink());
  ASSERT_TRUE(oldest.ok);
  EXPECT_EQ(r.revisions, (std::vector<uint64_t>{3, 4, 5}));
}

TEST(WatchHub, NoHistoryBeforeTheStartRevision) {
  watch_hub hub(10, 100);
  recorder r;
  auto before = hub.subscribe("", 50, r.sink());
  EXPECT_FALSE(before.ok);
  EXPECT_EQ(before.oldest_available, 100u);
  EXPECT_TRUE(hub.subscribe("", 100, r.sink()).ok);
  hub.publish({event(101)});
  EXPECT_EQ(r.revisions, std::vector<uint64_t>{101});
}

TEST(WatchHub, ZeroCapacityKeepsNoHistory) {
  watch_hub hub(0, 0);
  hub.publish(events(1, 2));
  recorder r;
  EXPECT_FALSE(hub.subscribe("", 1, r.sink()).ok);
  EXPECT_TRUE(hub.subscribe("", 2, r.sink()).ok);
  hub.publish({event(3)});
  EXPECT_EQ(r.revisions, std::vector<uint64_t>{3});
}

TEST(WatchHub, FiltersByKeyPrefix) {
  watch_hub hub(10, 0);
  hub.publish({event(1, "core/pods/a/x"), event(2, "core/pods/b/y"),
               event(3, "apps/deployments/a/d"), event(4, "core/podtemplates/a/t")});
  recorder replay_b, replay_all;
  ASSERT_TRUE(hub.subscribe("core/pods/b/", 1, replay_b.sink()).ok);
  EXPECT_EQ(replay_b.keys, std::vector<std::string>{"core/pods/b/y"});
  ASSERT_TRUE(hub.subscribe("", 2, replay_all.sink()).ok);
  EXPECT_EQ(replay_all.revisions, (std::vector<uint64_t>{3, 4}));

  recorder ns_a, all_pods;
  hub.subscribe("core/pods/a/", 0, ns_a.sink());
  hub.subscribe("core/pods/", 0, all_pods.sink());
  hub.publish(
      {event(5, "core/pods/a/z"), event(6, "core/pods/ab/w"), event(7, "core/podtemplates/a/t")});
  EXPECT_EQ(ns_a.revisions, std::vector<uint64_t>{5});
  EXPECT_EQ(all_pods.revisions, (std::vector<uint64_t>{5, 6}));
  EXPECT_EQ(replay_all.revisions, (std::vector<uint64_t>{3, 4, 5, 6, 7}));
}

TEST(WatchHub, SeveralEventsMayShareARevision) {
  watch_hub hub(10, 0);
  hub.publish({event(1, "core/pods/ns/a"), event(2, "core/pods/ns/a"), event(2, "core/pods/ns/b"),
               event(2, "core/namespaces/ns")});
  recorder after_one, after_two;
  hub.subscribe("core/pods/", 1, after_one.sink());
  hub.subscribe("core/pods/", 2, after_two.sink());
  EXPECT_EQ(after_one.keys, (std::vector<std::string>{"core/pods/ns/a", "core/pods/ns/b"}));
  EXPECT_TRUE(after_two.keys.empty());
}

TEST(WatchHub, SinkReturningFalseUnsubscribes) {
  watch_hub hub(10, 0);
  int calls = 0;
  auto sub = hub.subscribe("", 0, [&](const watch_event_ptr&) { return ++calls < 2; });
  ASSERT_TRUE(sub.ok);
  EXPECT_EQ(hub.watcher_count(), 1u);
  hub.publish(events(1, 3));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(hub.watcher_count(), 0u);
  hub.publish(events(4, 4));
  EXPECT_EQ(calls, 2);
}

TEST(WatchHub, SinkReturningFalseDuringReplayRegistersNothing) {
  watch_hub hub(10, 0);
  hub.publish(events(1, 3));
  int calls = 0;
  auto sub = hub.subscribe("", 1, [&](const watch_event_ptr&) { return ++calls < 1; });
  EXPECT_TRUE(sub.ok);
  EXPECT_EQ(sub.id, 0u);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(hub.watcher_count(), 0u);
}

TEST(WatchHub, UnsubscribeStopsDelivery) {
  watch_hub hub(10, 0);
  recorder a, b;
  auto sa = hub.subscribe("", 0, a.sink());
  hub.subscribe("", 0, b.sink());
  EXPECT_EQ(hub.watcher_count(), 2u);
  hub.publish({event(1)});
  hub.unsubscribe(sa.id);
  hub.unsubscribe(12345);  // unknown: ignored
  EXPECT_EQ(hub.watcher_count(), 1u);
  hub.publish({event(2)});
  EXPECT_EQ(a.revisions, std::vector<uint64_t>{1});
  EXPECT_EQ(b.revisions, (std::vector<uint64_t>{1, 2}));
}

TEST(WatchHub, RejectsEventsOutOfOrder) {
  watch_hub hub(10, 5);
  EXPECT_THROW(hub.publish({event(4)}), std::logic_error);
}

// Subscribers join at arbitrary moments while a publisher streams revisions 1, 2, ... Each must
// see exactly from+1, from+2, ..., last: nothing lost or repeated between replay and live delivery.
TEST(WatchHub, ReplayAndLiveHaveNoGapsOrDuplicatesUnderAConcurrentPublisher) {
  constexpr size_t subscribers = 300;
  watch_hub hub(256, 0);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> last{0};
  std::thread publisher([&] {
    uint64_t r = 1;
    while (!stop.load()) {
      uint64_t batch_end = r + r % 4;  // batches of 1..4 events
      hub.publish(events(r, batch_end));
      r = batch_end + 1;
      std::this_thread::yield();
    }
    last = r - 1;
  });

  struct watcher_log {
    uint64_t from = 0;
    std::vector<uint64_t> seen;  // written under the hub's lock, read after the join
  };
  std::vector<std::unique_ptr<watcher_log>> logs;
  // From revision 0 a watch starts live, not from the first event: join once there are events.
  while (hub.latest_revision() == 0) std::this_thread::yield();
  while (logs.size() < subscribers) {
    uint64_t latest = hub.latest_revision();
    auto log = std::make_unique<watcher_log>();
    log->from = latest > 100 ? latest - 100 : latest;  // mostly replay, then live
    watcher_log* target = log.get();
    auto sub = hub.subscribe("core/pods/", log->from, [target](const watch_event_ptr& e) {
      target->seen.push_back(e->revision);
      return true;
    });
    if (sub.ok) logs.push_back(std::move(log));  // else compacted meanwhile: try again
    std::this_thread::yield();
  }
  while (hub.latest_revision() < 2000) std::this_thread::yield();  // live delivery after the joins
  stop = true;
  publisher.join();

  for (const auto& log : logs) {
    ASSERT_EQ(log->seen.size(), last - log->from) << "from " << log->from;
    for (size_t i = 0; i < log->seen.size(); ++i)
      ASSERT_EQ(log->seen[i], log->from + 1 + i) << "from " << log->from;
  }
}

}  // namespace
}  // namespace kactor::store
