#include "store/name_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kactor::store {
namespace {

std::vector<std::string> keys_of(const index_chunk& chunk) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < chunk.size(); ++i) keys.emplace_back(chunk.key(i));
  return keys;
}

TEST(NameIndex, ReadsKeysInOrderFromAKey) {
  name_index index;
  for (const char* key : {"pods/c", "pods/a", "svc/a", "pods/b"}) index.add(key, 1);
  index_chunk chunk;
  index.read("pods/", false, 10, chunk);
  EXPECT_EQ(keys_of(chunk), (std::vector<std::string>{"pods/a", "pods/b", "pods/c", "svc/a"}));
  index.read("pods/b", false, 2, chunk);
  EXPECT_EQ(keys_of(chunk), (std::vector<std::string>{"pods/b", "pods/c"}));
  index.read("pods/b", true, 10, chunk);
  EXPECT_EQ(keys_of(chunk), (std::vector<std::string>{"pods/c", "svc/a"}));
  index.read("svc/b", false, 10, chunk);
  EXPECT_TRUE(chunk.empty());
}

TEST(NameIndex, AKeyKeepsEachSlotOnceUntilItIsForgotten) {
  name_index index;
  index.add("pods/a", 4);
  index.add("pods/a", 9);
  index.add("pods/a", 9);
  EXPECT_EQ(index.slots_of("pods/a"), (slot_list{4, 9}));
  index.forget("pods/a", 4);
  EXPECT_EQ(index.slots_of("pods/a"), (slot_list{9}));
  index.forget("pods/a", 9);
  EXPECT_TRUE(index.slots_of("pods/a").empty());
  EXPECT_EQ(index.size(), 0u);
  index.forget("pods/missing", 1);  // nothing to do
}

TEST(NameIndex, AChunkCarriesTheSlots) {
  name_index index;
  index.add("b", 2);
  index.add("a", 1);
  index.add("a", 3);
  index_chunk chunk;
  index.read("", false, 10, chunk);
  ASSERT_EQ(chunk.size(), 2u);
  EXPECT_EQ(chunk.slots(0), (slot_list{1, 3}));
  EXPECT_EQ(chunk.slots(1), (slot_list{2}));
}

TEST(NameIndex, NumberedNamesAddedInNumberOrderReadInKeyOrder) {
  name_index index;
  std::vector<std::string> keys;
  for (int i = 0; i < 1200; ++i) keys.push_back("web-" + std::to_string(i * 7 % 1200));
  for (size_t i = 0; i < keys.size(); ++i) index.add(keys[i], i + 1);
  index.forget("web-7", 2);
  index.add("web-7", 5000);
  std::sort(keys.begin(), keys.end());
  index_chunk chunk;
  index.read("", false, 5000, chunk);
  EXPECT_EQ(keys_of(chunk), keys);
  EXPECT_EQ(index.slots_of("web-7"), (slot_list{5000}));
}

}  // namespace
}  // namespace kactor::store
