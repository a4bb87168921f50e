// The memory returner: its rule, and the actor over a fake allocator.
#include "actors/memory_returner.hpp"

#include <gtest/gtest.h>
#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <thread>

namespace {

using namespace kactor::actors;
using namespace std::chrono_literals;

const memory_return_rule rule{1000, 256 * 1024};

TEST(MemoryReturnRule, ReturnsTheUnusedPagesOfAQuietServer) {
  EXPECT_TRUE(rule.should_return({5000, 0}, {5000, 1 << 20}));
  EXPECT_TRUE(rule.should_return({5000, 0}, {6000, 256 * 1024}));
}

TEST(MemoryReturnRule, LeavesABusyServerAlone) {
  EXPECT_FALSE(rule.should_return({5000, 0}, {6001, 1 << 20}));
  EXPECT_FALSE(rule.should_return({0, 0}, {200'000, 64 << 20}));
}

TEST(MemoryReturnRule, LeavesSmallLeftoversAlone) {
  EXPECT_FALSE(rule.should_return({5000, 0}, {5000, 256 * 1024 - 1}));
}

// Stands in for jemalloc: `busy` makes every read count 5,000 more operations; give_back
// empties the unused pages.
struct fake_allocator {
  std::atomic<bool> busy{true};
  std::atomic<uint64_t> operations{0};
  std::atomic<uint64_t> unused{8 << 20};
  std::atomic<int> reads{0};
  std::atomic<int> returns{0};

  allocator_hooks hooks() {
    return {[this] {
              if (busy) operations += 5000;
              ++reads;
              return allocator_state{operations.load(), unused.load()};
            },
            [this] {
              unused = 0;
              ++returns;
            }};
  }
};

// Waits (bounded) until `done` holds.
template <typename Fn>
bool eventually(Fn done) {
  for (int i = 0; i < 5000 && !done(); ++i) std::this_thread::sleep_for(1ms);
  return done();
}

TEST(MemoryReturner, ReturnsPagesOnlyOnceTheServerIsQuiet) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  fake_allocator allocator;
  auto returner = spawn_memory_returner(system, allocator.hooks(), 1ms, rule);

  ASSERT_TRUE(eventually([&] { return allocator.reads >= 20; }));
  EXPECT_EQ(allocator.returns, 0) << "returned pages while the allocator was busy";

  allocator.busy = false;
  ASSERT_TRUE(eventually([&] { return allocator.returns >= 1; }));
  const int reads_then = allocator.reads;
  ASSERT_TRUE(eventually([&] { return allocator.reads >= reads_then + 20; }));
  EXPECT_EQ(allocator.returns, 1) << "returned again with nothing left to return";
  EXPECT_EQ(allocator.unused, 0u);

  stop_memory_returner(returner);
  system.await_all_actors_done();
}

}  // namespace
