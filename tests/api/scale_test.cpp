#include "api/scale.hpp"

#include <gtest/gtest.h>

#include "api/pod_subresources.hpp"
#include "tests/api/json_testing.hpp"

namespace kactor::api {
namespace {

using json_testing::expect_json;

json::value parse(std::string_view text) {
  return json_testing::parsed(text);
}

const resource_info& kind(std::string_view group, std::string_view plural) {
  return *find_resource(group, "v1", plural);
}

TEST(ScaleOf, DeploymentCarriesIdentityReplicasAndSelectorString) {
  auto deploy = parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"default","uid":"u1","resourceVersion":"7",
                "creationTimestamp":"2024-01-01T00:00:00Z","labels":{"app":"web"},"generation":3},
    "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},
            "matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]}},
    "status":{"replicas":2}})");
  expect_json(scale_of(kind("apps", "deployments"), deploy), R"json({"kind":"Scale",
    "apiVersion":"autoscaling/v1","metadata":{"name":"web","namespace":"default","uid":"u1",
    "resourceVersion":"7","creationTimestamp":"2024-01-01T00:00:00Z"},
    "spec":{"replicas":3},"status":{"replicas":2,"selector":"app=web,tier in (a,b)"}})json");
}

TEST(ScaleOf, ZeroReplicasAndMissingStatusFollowGoOmitempty) {
  auto rc =
      parse(R"({"metadata":{"name":"db"},"spec":{"replicas":0,"selector":{"b":"2","a":"1"}}})");
  expect_json(scale_of(kind("", "replicationcontrollers"), rc), R"({"kind":"Scale",
    "apiVersion":"autoscaling/v1","metadata":{"name":"db"},"spec":{},
    "status":{"replicas":0,"selector":"a=1,b=2"}})");
}

TEST(ApplyScale, WritesReplicasIntoTheObject) {
  auto obj = parse(R"({"metadata":{"name":"web"},"spec":{"replicas":1,"paused":true}})");
  std::vector<std::string> warnings;
  auto error =
      apply_scale(parse(R"({"spec":{"replicas":4}})"), field_validation::strict, obj, warnings);
  ASSERT_FALSE(error);
  expect_json(obj, R"({"metadata":{"name":"web"},"spec":{"replicas":4,"paused":true}})");
}

TEST(ApplyScale, NegativeReplicasAreInvalid) {
  auto obj = parse(R"({"metadata":{"name":"web"},"spec":{"replicas":1}})");
  std::vector<std::string> warnings;
  auto error =
      apply_scale(parse(R"({"spec":{"replicas":-1}})"), field_validation::strict, obj, warnings);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 422);
  EXPECT_EQ(error->message,
            "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be "
            "greater than or equal to 0");
  EXPECT_EQ(obj.at({"spec", "replicas"})->as_int(), 1);
}

TEST(ApplyScale, WrongTypesAndUnknownFieldsAreBadRequests) {
  auto obj = parse(R"({"metadata":{"name":"web"},"spec":{"replicas":1}})");
  std::vector<std::string> warnings;
  auto error =
      apply_scale(parse(R"({"spec":{"replicas":"two"}})"), field_validation::strict, obj, warnings);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 400);
  EXPECT_NE(error->message.find("Scale in version \"v1\" cannot be handled as a Scale"),
            std::string::npos);
  error = apply_scale(parse(R"({"spec":{"replicas":2,"extra":1}})"), field_validation::strict, obj,
                      warnings);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("unknown field \"spec.extra\""), std::string::npos);
  error = apply_scale(parse(R"({"spec":{"replicas":2,"extra":1}})"), field_validation::warn, obj,
                      warnings);
  EXPECT_FALSE(error);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(BindPod, AssignsNodeAnnotationsAndScheduledCondition) {
  auto pod = parse(R"({"metadata":{"name":"p"},"spec":{"containers":[]},
    "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False"}]}})");
  auto binding = parse(R"({"metadata":{"name":"p","annotations":{"a":"b"}},
    "target":{"kind":"Node","name":"n1"}})");
  ASSERT_FALSE(check_binding(binding, "p"));
  ASSERT_FALSE(bind_pod(binding, "2024-01-01T00:00:00Z", pod));
  expect_json(pod, R"({"metadata":{"name":"p","annotations":{"a":"b"}},
    "spec":{"containers":[],"nodeName":"n1"},
    "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True",
      "lastProbeTime":null,"lastTransitionTime":"2024-01-01T00:00:00Z"}]}})");
}

TEST(BindPod, AlreadyAssignedOrDeletingIsConflict) {
  auto binding = parse(R"({"metadata":{"name":"p"},"target":{"name":"n2"}})");
  auto pod = parse(R"({"metadata":{"name":"p"},"spec":{"nodeName":"n1"}})");
  auto error = bind_pod(binding, "t", pod);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 409);
  EXPECT_EQ(error->message,
            "Operation cannot be fulfilled on pods \"p\": pod p is already assigned to node "
            "\"n1\"");
  auto deleting = parse(R"({"metadata":{"name":"p","deletionTimestamp":"x"},"spec":{}})");
  error = bind_pod(binding, "t", deleting);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 409);
}

TEST(CheckBinding, NameMismatchAndTargetErrors) {
  auto error = check_binding(parse(R"({"metadata":{"name":"q"},"target":{"name":"n"}})"), "p");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 400);
  error = check_binding(parse(R"({"metadata":{"name":"p"},"target":{"kind":"Pod"}})"), "p");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 422);
  ASSERT_EQ(error->causes.size(), 2u);
  EXPECT_EQ(error->causes[0].field, "target.kind");
  EXPECT_EQ(error->causes[1].field, "target.name");
}

TEST(DecodeScaleBody, ReadsJsonYamlAndProtobuf) {
  json::value out;
  ASSERT_FALSE(decode_scale_body("application/json", R"({"spec":{"replicas":3}})", out));
  expect_json(out, R"({"spec":{"replicas":3}})");
  ASSERT_FALSE(decode_scale_body("application/yaml", "spec:\n  replicas: 4\n", out));
  expect_json(out, R"({"spec":{"replicas":4}})");
  // "k8s\0" + runtime.Unknown{typeMeta{"autoscaling/v1", "Scale"}, raw: Scale{spec{replicas: 5}}}
  const std::string protobuf = std::string("k8s\0", 4) +
                               "\x0a\x17\x0a\x0e"
                               "autoscaling/v1"
                               "\x12\x05"
                               "Scale"
                               "\x12\x04\x12\x02\x08\x05";
  ASSERT_FALSE(decode_scale_body("application/vnd.kubernetes.protobuf", protobuf, out));
  EXPECT_EQ(out.at({"spec", "replicas"})->as_int(), 5);
  EXPECT_EQ(out.get_string("kind"), "Scale");
}

TEST(DecodeScaleBody, OtherMediaTypesAre415AndBrokenBodies400) {
  json::value out;
  auto error = decode_scale_body("text/plain", "replicas=3", out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 415);
  error = decode_scale_body("application/json", R"({"spec":)", out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 400);
  EXPECT_EQ(error->message.rfind("couldn't get version/kind; json parse error: ", 0), 0u);
  error = decode_scale_body("application/yaml", "spec: [1, 2", out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 400);
}

TEST(CheckEviction, NameMustMatchTheUrl) {
  EXPECT_FALSE(check_eviction(parse(R"({"metadata":{"name":"p"}})"), "p"));
  auto error = check_eviction(parse(R"({"metadata":{"name":"q"}})"), "p");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 400);
}

}  // namespace
}  // namespace kactor::api
