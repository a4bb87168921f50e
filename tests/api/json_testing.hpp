// JSON helpers shared by the api tests.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "api/json.hpp"

namespace kactor::api::json_testing {

// A document from JSON text; a parse failure fails the test.
inline json::value parsed(std::string_view text) {
  json::value v;
  auto result = json::parse(text, v);
  EXPECT_TRUE(result.ok) << result.error << "\n" << text;
  return v;
}

// Compares as JSON (member order ignored), printing both sides on failure.
inline void expect_json(const json::value& actual, std::string_view expected) {
  EXPECT_EQ(actual, parsed(expected))
      << "actual:   " << json::dump(actual) << "\nexpected: " << expected;
}

// `text` with one to three random single-character deletions or insertions (drawn from
// `alphabet`): the inputs of the parsers' "never crash" tests.
inline std::string mutated(std::string text, std::string_view alphabet, std::mt19937& random) {
  for (int edit = 0; edit < 1 + static_cast<int>(random() % 3); ++edit) {
    const size_t position = random() % text.size();
    if (random() % 2 == 0) {
      text.erase(position, 1);
    } else {
      text.insert(position, 1, alphabet[random() % alphabet.size()]);
    }
  }
  return text;
}

}  // namespace kactor::api::json_testing
