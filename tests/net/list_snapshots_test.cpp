#include "net/list_snapshots.hpp"

#include <gtest/gtest.h>

namespace kactor::net {
namespace {

using namespace std::chrono_literals;
using clock = list_snapshots::clock;

class fake_snapshot : public store::read_snapshot {
 public:
  explicit fake_snapshot(uint64_t revision) : revision_(revision) {}
  uint64_t revision() const override { return revision_; }
  bool view_range(std::string_view, std::string_view, size_t, const store::item_filter&,
                  const std::function<void(const store::range_view&)>& use) override {
    use(store::range_view{.revision = revision_});
    return true;
  }

 private:
  uint64_t revision_;
};

std::shared_ptr<store::read_snapshot> at(uint64_t revision) {
  return std::make_shared<fake_snapshot>(revision);
}

TEST(ListSnapshots, FindsWhatItKeptByRevision) {
  list_snapshots cache(60s, 4, 1000);
  const auto t0 = clock::time_point{} + 1h;
  auto five = at(5);
  cache.keep(five, t0);
  cache.keep(at(7), t0);
  EXPECT_EQ(cache.find(5, t0, 10), five);
  EXPECT_EQ(cache.find(7, t0, 10)->revision(), 7u);
  EXPECT_EQ(cache.find(6, t0, 10), nullptr);
}

TEST(ListSnapshots, TheFirstSnapshotOfARevisionStays) {
  list_snapshots cache(60s, 4, 1000);
  const auto t0 = clock::time_point{} + 1h;
  auto first = at(5);
  cache.keep(first, t0);
  cache.keep(at(5), t0 + 1s);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find(5, t0 + 2s, 10), first);
}

TEST(ListSnapshots, ExpireDropsWhatWasNotUsedForTheTtl) {
  list_snapshots cache(60s, 4, 1000);
  const auto t0 = clock::time_point{} + 1h;
  cache.keep(at(5), t0);
  cache.keep(at(7), t0 + 10s);
  EXPECT_EQ(cache.expire(t0 + 30s, 10), t0 + 60s) << "the next one due is 5's";
  ASSERT_NE(cache.find(5, t0 + 50s, 10), nullptr) << "a use postpones the expiry";
  EXPECT_EQ(cache.expire(t0 + 70s, 10), t0 + 110s) << "7 expired; 5 was used at +50 s";
  EXPECT_EQ(cache.find(7, t0 + 70s, 10), nullptr);
  EXPECT_NE(cache.find(5, t0 + 70s, 10), nullptr);
  EXPECT_EQ(cache.expire(t0 + 130s + 1s, 10), std::nullopt);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ListSnapshots, AtCapacityTheLeastRecentlyUsedGoes) {
  list_snapshots cache(60s, 2, 1000);
  const auto t0 = clock::time_point{} + 1h;
  cache.keep(at(1), t0);
  cache.keep(at(2), t0 + 1s);
  ASSERT_NE(cache.find(1, t0 + 2s, 10), nullptr);  // 2 is now the least recently used
  cache.keep(at(3), t0 + 3s);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.find(1, t0 + 4s, 10), nullptr);
  EXPECT_EQ(cache.find(2, t0 + 4s, 10), nullptr);
  EXPECT_NE(cache.find(3, t0 + 4s, 10), nullptr);
}

TEST(ListSnapshots, ASnapshotTooFarBehindTheStoreIsDropped) {
  list_snapshots cache(60s, 4, 1000);
  const auto t0 = clock::time_point{} + 1h;
  cache.keep(at(5), t0);
  cache.keep(at(700), t0);
  cache.keep(at(900), t0);
  EXPECT_NE(cache.find(5, t0 + 1s, 1005), nullptr) << "exactly the most lag allowed";
  EXPECT_EQ(cache.find(5, t0 + 1s, 1006), nullptr);
  EXPECT_EQ(cache.size(), 2u) << "find dropped it";
  EXPECT_EQ(cache.expire(t0 + 2s, 1800), t0 + 60s) << "700 is too old now, 900 is not";
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.find(900, t0 + 3s, 1800), nullptr);
  EXPECT_EQ(cache.expire(t0 + 4s, 5000), std::nullopt);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ListSnapshots, NoCapacityKeepsNothing) {
  list_snapshots cache(60s, 0, 1000);
  cache.keep(at(1), clock::now());
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace kactor::net
