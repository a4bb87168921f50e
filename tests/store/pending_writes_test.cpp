#include "store/pending_writes.hpp"

#include <gtest/gtest.h>

#include "tests/store/store_testing.hpp"

namespace kactor::store {
namespace {

using store_testing::erase;
using store_testing::put;

std::vector<std::string> keys_of(const std::vector<pending_writes::entry>& entries) {
  std::vector<std::string> keys;
  for (const auto& e : entries) keys.emplace_back(e.key);
  return keys;
}

TEST(PendingWrites, FindsTheLatestWriteAtOrBelowTheRevision) {
  pending_writes pending;
  pending.add(5, {put("k", "five")});
  pending.add(7, {put("k", "seven")});
  pending.add(9, {erase("k")});
  EXPECT_FALSE(pending.find("k", 4));
  EXPECT_EQ(**pending.find("k", 5), "five");
  EXPECT_EQ(**pending.find("k", 8), "seven");
  auto deleted = pending.find("k", 9);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, nullptr);
  EXPECT_FALSE(pending.find("other", 9));
}

TEST(PendingWrites, ABatchThatWritesAKeyTwiceLeavesItsLastWrite) {
  pending_writes pending;
  pending.add(3, {put("k", "first"), put("k", "second")});
  EXPECT_EQ(**pending.find("k", 3), "second");
}

TEST(PendingWrites, RangeKeepsThePrefixAfterStartInKeyOrderWithDeletions) {
  pending_writes pending;
  pending.add(1, {put("a/2", "x"), put("a/1", "x"), put("b/1", "x")});
  pending.add(2, {erase("a/3"), put("a/0", "late")});
  EXPECT_EQ(keys_of(pending.range("a/", "", 1)), (std::vector<std::string>{"a/1", "a/2"}));
  auto all = pending.range("a/", "", 2);
  EXPECT_EQ(keys_of(all), (std::vector<std::string>{"a/0", "a/1", "a/2", "a/3"}));
  EXPECT_EQ(all[3].value, nullptr);
  EXPECT_EQ(keys_of(pending.range("a/", "a/1", 2)), (std::vector<std::string>{"a/2", "a/3"}));
  EXPECT_EQ(keys_of(pending.range("a/", "0", 2)).size(), 4u);  // a start before the prefix
  EXPECT_TRUE(pending.range("c/", "", 2).empty());
}

TEST(PendingWrites, CountsTheBytesAdded) {
  pending_writes pending;
  pending.add(1, {put("ab", "cde"), erase("f")});
  EXPECT_EQ(pending.bytes(), 6u);
}

}  // namespace
}  // namespace kactor::store
