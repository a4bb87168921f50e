#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "api/patch.hpp"
#include "tests/api/json_testing.hpp"

namespace kactor::api {
namespace {

using json_testing::parsed;

// Applies `ops` to `doc` and returns the compact result, or "error <code>".
std::string patched(std::string_view doc, std::string_view ops,
                    schema::check_mode mode = schema::check_mode::warn) {
  json::value out;
  if (auto e = apply_json_patch(parsed(doc), parsed(ops), out, mode))
    return "error " + std::to_string(e->code);
  return json::dump(out);
}

std::optional<api_error> failure(std::string_view doc, std::string_view ops,
                                 schema::check_mode mode = schema::check_mode::warn) {
  json::value out;
  return apply_json_patch(parsed(doc), parsed(ops), out, mode);
}

TEST(JsonPatch, AddSetsMembersAndInsertsElements) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":{"c":[1]}}])"),
            R"({"a":1,"b":{"c":[1]}})");
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/a","value":2}])"), R"({"a":2})");
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/0","value":0}])"),
            R"({"l":[0,1,2]})");
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/2","value":3}])"),
            R"({"l":[1,2,3]})");
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/-","value":3}])"),
            R"({"l":[1,2,3]})");
}

TEST(JsonPatch, AddWithoutValueAddsNull) {
  EXPECT_EQ(patched(R"({})", R"([{"op":"add","path":"/a"}])"), R"({"a":null})");
}

TEST(JsonPatch, NegativeIndexesCountFromTheEnd) {
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/-1","value":9}])"),
            R"({"l":[1,2,9]})");
  EXPECT_EQ(patched(R"({"l":[1,2,3]})", R"([{"op":"remove","path":"/l/-1"}])"), R"({"l":[1,2]})");
  EXPECT_EQ(patched(R"({"l":[1,2,3]})", R"([{"op":"replace","path":"/l/-3","value":0}])"),
            R"({"l":[0,2,3]})");
  EXPECT_EQ(patched(R"({"l":[1]})", R"([{"op":"remove","path":"/l/-2"}])"), "error 422");
}

TEST(JsonPatch, IndexesOutOfRangeOrMalformedFail) {
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/3","value":3}])"), "error 422");
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/x","value":3}])"), "error 422");
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"remove","path":"/l/2"}])"), "error 422");
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"replace","path":"/l/-","value":0}])"),
            "error 422");
}

TEST(JsonPatch, PointerEscapes) {
  EXPECT_EQ(patched(R"({"metadata":{"annotations":{"a/b":"1","c~d":"2"}}})",
                    R"([{"op":"remove","path":"/metadata/annotations/a~1b"},)"
                    R"({"op":"replace","path":"/metadata/annotations/c~0d","value":"3"}])"),
            R"({"metadata":{"annotations":{"c~d":"3"}}})");
  EXPECT_EQ(patched(R"({})", R"([{"op":"add","path":"/~01","value":1}])"), R"({"~1":1})");
}

TEST(JsonPatch, RemoveOfAMissingKeyFails) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"remove","path":"/b"}])"), "error 422");
  EXPECT_EQ(patched(R"({"a":null})", R"([{"op":"remove","path":"/a"}])"), "{}");
}

TEST(JsonPatch, ReplaceOfAMissingObjectKeyAddsIt) {
  EXPECT_EQ(patched(R"({"spec":{}})", R"([{"op":"replace","path":"/spec/paused","value":true}])"),
            R"({"spec":{"paused":true}})");
}

TEST(JsonPatch, PathsThroughMissingOrNullValuesFail) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/x/y","value":1}])"), "error 422");
  EXPECT_EQ(patched(R"({"a":null})", R"([{"op":"add","path":"/a/y","value":1}])"), "error 422");
  EXPECT_EQ(patched(R"({"a":"s"})", R"([{"op":"add","path":"/a/y","value":1}])"), "error 422");
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"","value":{}}])"), "error 422");
}

TEST(JsonPatch, ReplaceOfTheWholeDocument) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"replace","path":"","value":{"b":2}}])"), R"({"b":2})");
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"replace","path":"","value":3}])"), "error 422");
}

TEST(JsonPatch, MoveAndCopy) {
  EXPECT_EQ(patched(R"({"a":{"b":1},"c":{}})", R"([{"op":"move","from":"/a/b","path":"/c/d"}])"),
            R"({"a":{},"c":{"d":1}})");
  EXPECT_EQ(patched(R"({"l":[1,2,3]})", R"([{"op":"move","from":"/l/0","path":"/l/-"}])"),
            R"({"l":[2,3,1]})");
  EXPECT_EQ(patched(R"({"a":[1]})", R"([{"op":"copy","from":"/a","path":"/b"}])"),
            R"({"a":[1],"b":[1]})");
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"move","from":"/x","path":"/b"}])"), "error 422");
}

TEST(JsonPatch, CopyFromAMissingKeyCopiesNull) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/b"}])"),
            R"({"a":1,"b":null})");
}

TEST(JsonPatch, TestComparesStructurally) {
  const char* doc = R"({"spec":{"replicas":2,"selector":{"app":"web","tier":"x"}}})";
  EXPECT_EQ(patched(doc, R"([{"op":"test","path":"/spec/replicas","value":2}])"),
            json::dump(parsed(doc)));
  EXPECT_EQ(
      patched(doc, R"([{"op":"test","path":"/spec/selector","value":{"tier":"x","app":"web"}}])"),
      json::dump(parsed(doc)));
  EXPECT_EQ(patched(doc, R"([{"op":"test","path":"/spec/replicas","value":3}])"), "error 422");
  EXPECT_EQ(patched(doc, R"([{"op":"test","path":"/spec/replicas","value":2.0}])"), "error 422");
  EXPECT_EQ(patched(doc, R"([{"op":"test","path":"/spec/replicas","value":"2"}])"), "error 422");
}

TEST(JsonPatch, TestOfAMissingValueMatchesNullOrNothing) {
  EXPECT_EQ(patched(R"({})", R"([{"op":"test","path":"/a","value":null}])"), "{}");
  EXPECT_EQ(patched(R"({})", R"([{"op":"test","path":"/a"}])"), "{}");
  EXPECT_EQ(patched(R"({})", R"([{"op":"test","path":"/a","value":1}])"), "error 422");
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"test","path":"/a"}])"), "error 422");
}

TEST(JsonPatch, FailedTestIsKubesGenericInvalid) {
  auto e = failure(R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 422);
  EXPECT_EQ(e->reason, "Invalid");
  EXPECT_EQ(e->message, "the server rejected our request due to an error in our request");
  EXPECT_TRUE(e->causes.empty());
}

TEST(JsonPatch, OperationsApplyInOrder) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":2},)"
                                  R"({"op":"test","path":"/b","value":2},)"
                                  R"({"op":"move","from":"/b","path":"/c"}])"),
            R"({"a":1,"c":2})");
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":2},)"
                                  R"({"op":"test","path":"/b","value":3}])"),
            "error 422");
}

TEST(JsonPatch, UnknownOrMissingOpFails) {
  EXPECT_EQ(patched(R"({})", R"([{"op":"frobnicate","path":"/a"}])"), "error 422");
  EXPECT_EQ(patched(R"({})", R"([{"path":"/a","value":1}])"), "error 422");
  EXPECT_EQ(patched(R"({})", R"([{"op":"add","value":1}])"), "error 422");
  EXPECT_EQ(patched(R"({})", R"([null])"), "error 422");
}

TEST(JsonPatch, NullBodyIsAnEmptyPatch) {
  EXPECT_EQ(patched(R"({"a":1})", "null"), R"({"a":1})");
  EXPECT_EQ(patched(R"({"a":1})", "[]"), R"({"a":1})");
}

TEST(JsonPatch, BodyThatIsNotAListIsBadRequest) {
  auto e = failure("{}", R"({"op":"add"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 400);
  EXPECT_EQ(e->reason, "BadRequest");
  EXPECT_EQ(e->message,
            "error decoding patch: json: cannot unmarshal object into Go value of type "
            "[]handlers.jsonPatchOp");
  e = failure("{}", R"({"op":"add"})", schema::check_mode::ignore);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  e = failure("{}", R"(["add"])", schema::check_mode::ignore);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "json: cannot unmarshal string into Go value of type jsonpatch.Operation");
}

TEST(JsonPatch, OperationFieldsOfTheWrongTypeAreBadRequest) {
  auto e = failure("{}", R"([{"op":"add","path":"/a","value":1},{"op":1,"path":"/b"}])");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 400);
  EXPECT_EQ(e->message,
            "error decoding patch: json: cannot unmarshal number into Go struct field "
            "jsonPatchOp.op of type string");
}

TEST(JsonPatch, UnknownOperationFieldsAreStrictErrors) {
  json::value out;
  std::vector<std::string> strict;
  auto e = apply_json_patch(parsed(R"({})"),
                            parsed(R"([{"op":"add","path":"/a","value":1,"valu":2},)"
                                   R"({"op":"remove","path":"/a","Op":"x"}])"),
                            out, schema::check_mode::strict, &strict);
  EXPECT_FALSE(e);
  EXPECT_EQ(strict, (std::vector<std::string>{R"(json patch unknown field "[0].valu")",
                                              R"(json patch unknown field "[1].Op")"}));
  EXPECT_EQ(json::dump(out), "{}");
}

TEST(JsonPatch, TooManyOperations) {
  std::string ops = "[";
  for (int i = 0; i < 10001; ++i) ops += std::string(i ? "," : "") + R"({"op":"test","path":"/a"})";
  ops += "]";
  auto e = failure("{}", ops);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 413);
  EXPECT_EQ(e->message,
            "Request entity too large: The allowed maximum operations in a JSON patch is 10000, "
            "got 10001");
}

// kubectl rollout undo: replace the pod template and the annotations.
TEST(JsonPatch, RolloutUndo) {
  const char* deployment =
      R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"2"}},)"
      R"("spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"web"}},)"
      R"("spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}})";
  const char* undo =
      R"([{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":{"app":"web"}},)"
      R"("spec":{"containers":[{"name":"c","image":"nginx:1"}]}}},)"
      R"({"op":"replace","path":"/metadata/annotations","value":{)"
      R"("deployment.kubernetes.io/revision":"1"}}])";
  EXPECT_EQ(patched(deployment, undo),
            R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"1"}},)"
            R"("spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"web"}},)"
            R"("spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}})");
}

}  // namespace
}  // namespace kactor::api
