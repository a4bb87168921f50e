#include "api/patch.hpp"
#include "tests/api/json_testing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace kactor::api {
namespace {

using json_testing::parsed;

std::string merged(std::string_view doc, std::string_view patch) {
  json::value out;
  if (auto e = apply_merge_patch(parsed(doc), parsed(patch), out))
    return "error " + std::to_string(e->code) + ": " + e->message;
  return json::dump(out);
}

TEST(MergePatch, MergesObjectsAndDeletesNulls) {
  EXPECT_EQ(merged(R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
                   R"({"metadata":{"labels":{"a":null,"c":"3"}}})"),
            R"({"metadata":{"labels":{"b":"2","c":"3"}}})");
  EXPECT_EQ(merged(R"({"spec":{"replicas":1}})", R"({"spec":{"replicas":5}})"),
            R"({"spec":{"replicas":5}})");
}

TEST(MergePatch, ListsAreReplaced) {
  EXPECT_EQ(merged(R"({"l":[1,2,3]})", R"({"l":[4]})"), R"({"l":[4]})");
}

TEST(MergePatch, NullsInsideAddedValuesArePruned) {
  EXPECT_EQ(merged(R"({})", R"({"a":{"b":null,"c":{"d":null,"e":1}}})"), R"({"a":{"c":{"e":1}}})");
  EXPECT_EQ(merged(R"({"l":[]})", R"({"l":[{"a":null,"b":1},null]})"), R"({"l":[{"b":1},null]})");
  // A value replacing an object is taken as it is.
  EXPECT_EQ(merged(R"({"o":{"x":1}})", R"({"o":[{"a":null}]})"), R"({"o":[{"a":null}]})");
}

TEST(MergePatch, PatchMustBeAnObject) {
  EXPECT_EQ(merged(R"({"a":1})", "null"), "error 400: Invalid JSON Patch");
  EXPECT_EQ(merged(R"({"a":1})", R"("x")"), "error 400: Invalid JSON Patch");
  EXPECT_EQ(merged(R"({"a":1})", "[1,{\"b\":null}]"), R"([1,{}])");
}

TEST(MergePatch, PlainMergeKeepsNullsOfNewValuesOut) {
  EXPECT_EQ(json::dump(merge_patch(parsed(R"({"a":1})"), parsed(R"({"b":{"c":null}})"))),
            R"({"a":1,"b":{}})");
}

TEST(PatchKind, FromContentType) {
  EXPECT_EQ(patch_kind_of("application/json-patch+json"), patch_kind::json);
  EXPECT_EQ(patch_kind_of("application/merge-patch+json; charset=utf-8"), patch_kind::merge);
  EXPECT_EQ(patch_kind_of("application/strategic-merge-patch+json"), patch_kind::strategic);
  EXPECT_EQ(patch_kind_of("application/apply-patch+yaml"), patch_kind::apply);
  EXPECT_EQ(patch_kind_of("application/json"), std::nullopt);
}

TEST(PatchOptions, ApplyNeedsAFieldManager) {
  auto e = validate_patch_options(patch_kind::apply, "", false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 422);
  EXPECT_EQ(e->reason, "Invalid");
  EXPECT_EQ(e->message,
            R"(PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required )"
            "for apply patch");
  EXPECT_EQ(e->kind, "PatchOptions");
  EXPECT_EQ(e->group, "meta.k8s.io");
  ASSERT_EQ(e->causes.size(), 1u);
  EXPECT_EQ(e->causes[0].reason, "FieldValueRequired");
  EXPECT_EQ(e->causes[0].field, "fieldManager");
  EXPECT_FALSE(validate_patch_options(patch_kind::apply, "kubectl", true));
}

TEST(PatchOptions, ForceOnlyForApply) {
  auto e = validate_patch_options(patch_kind::merge, "", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            R"(PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified )"
            "for non-apply patch");
  EXPECT_FALSE(validate_patch_options(patch_kind::strategic, "kubectl-set", false));
}

TEST(PatchOptions, FieldManagerLengthAndCharacters) {
  auto e = validate_patch_options(patch_kind::merge, std::string(129, 'm'), false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, R"(PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may )"
                        "not be more than 128 bytes");
  // An overlong manager is not also checked character by character (kube would add a cause
  // quoting the whole value for each one).
  e = validate_patch_options(patch_kind::merge, std::string(20000, '\x01'), false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, R"(PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may )"
                        "not be more than 128 bytes");
  e = validate_patch_options(patch_kind::merge, "a\tb", false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, R"(PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: )"
                        R"("a\tb": invalid character U+0009 (at position 1))");
}

}  // namespace
}  // namespace kactor::api
