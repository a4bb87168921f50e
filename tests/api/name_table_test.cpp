#include "api/name_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kactor::api {
namespace {

// Names of every length up to 40 that differ from each other in a single byte, at every
// position: the cases where comparing two words instead of all bytes could go wrong.
std::vector<std::string> near_identical_names() {
  std::vector<std::string> names;
  for (size_t length = 0; length <= 40; ++length) {
    names.push_back(std::string(length, 'a'));
    for (size_t position = 0; position < length; ++position) {
      std::string name(length, 'a');
      name[position] = 'b';
      names.push_back(name);
    }
  }
  return names;
}

TEST(NameFingerprint, EqualOnlyForEqualShortNames) {
  const std::vector<std::string> names = near_identical_names();
  for (const std::string& a : names) {
    for (const std::string& b : names) {
      if (a.size() > 16 || b.size() > 16) continue;
      EXPECT_EQ(name_fingerprint(a) == name_fingerprint(b), a == b) << a << " / " << b;
    }
  }
}

TEST(NameTable, FindsEveryNameAndNothingElse) {
  const std::vector<std::string> names = near_identical_names();
  std::vector<std::pair<std::string_view, int>> entries;
  for (size_t i = 0; i < names.size(); i += 2) entries.emplace_back(names[i], static_cast<int>(i));
  const name_table<int> table(entries);
  for (size_t i = 0; i < names.size(); ++i) {
    const int* found = table.find(names[i]);
    if (i % 2 == 0) {
      ASSERT_NE(found, nullptr) << names[i];
      EXPECT_EQ(*found, static_cast<int>(i));
    } else {
      EXPECT_EQ(found, nullptr) << names[i];
    }
  }
}

TEST(NameTable, FirstEntryOfANameWins) {
  const name_table<int> table(
      std::vector<std::pair<std::string_view, int>>{{"name", 1}, {"image", 2}, {"name", 3}});
  ASSERT_NE(table.find("name"), nullptr);
  EXPECT_EQ(*table.find("name"), 1);
  EXPECT_EQ(*table.find("image"), 2);
}

TEST(NameTable, EmptyTableAndEmptyName) {
  const name_table<int> empty;
  EXPECT_EQ(empty.find("x"), nullptr);
  EXPECT_EQ(empty.find(""), nullptr);
  const name_table<int> table(std::vector<std::pair<std::string_view, int>>{{"a", 1}});
  EXPECT_EQ(table.find(""), nullptr);
  const name_table<int> with_empty(std::vector<std::pair<std::string_view, int>>{{"", 7}});
  ASSERT_NE(with_empty.find(""), nullptr);
  EXPECT_EQ(*with_empty.find(""), 7);
  EXPECT_EQ(with_empty.find("a"), nullptr);
}

}  // namespace
}  // namespace kactor::api
