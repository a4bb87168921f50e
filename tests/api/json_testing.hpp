// JSON helpers shared by the api tests.
#pragma once

#include <gtest/gtest.h>

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

}  // namespace kactor::api::json_testing
