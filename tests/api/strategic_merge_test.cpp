#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "api/patch.hpp"
#include "tests/api/json_testing.hpp"

namespace kactor::api {
namespace {

using json_testing::parsed;

const schema::message_type& kind(std::string_view full_name) {
  const schema::message_type* m = schema::find_message(full_name);
  EXPECT_NE(m, nullptr) << full_name;
  return m ? *m : *schema::find_message("k8s.io.api.core.v1.Pod");
}

const schema::message_type& deployment() {
  return kind("k8s.io.api.apps.v1.Deployment");
}
const schema::message_type& pod() {
  return kind("k8s.io.api.core.v1.Pod");
}

// The compact result of the patch, or "error <code>: <message>".
std::string patched(const schema::message_type& type, std::string_view original,
                    std::string_view patch) {
  json::value out;
  if (auto e = strategic_merge_patch(parsed(original), parsed(patch), type, out))
    return "error " + std::to_string(e->code) + ": " + e->message;
  return json::dump(out);
}

std::string compact(std::string_view text) {
  return json::dump(parsed(text));
}

// A pod whose containers are named by `names` (each with an image of the same name).
std::string pod_with(std::initializer_list<std::string_view> names) {
  std::string out = R"({"spec":{"containers":[)";
  bool first = true;
  for (auto name : names) {
    out += std::string(first ? "" : ",") + R"({"name":")" + std::string(name) + R"(","image":")" +
           std::string(name) + R"("})";
    first = false;
  }
  return out + "]}}";
}

std::string container_names(const std::string& pod_json) {
  json::value v = parsed(pod_json);
  std::string out;
  const json::value* list = v.at({"spec", "containers"});
  if (!list) return "<none>";
  for (const auto& c : list->as_array())
    out += std::string(out.empty() ? "" : ",") + std::string(c.get_string("name"));
  return out;
}

const char* kDeployment =
    R"({"apiVersion":"apps/v1","kind":"Deployment",)"
    R"("metadata":{"name":"web","namespace":"default","annotations":{"a":"1"}},)"
    R"("spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},)"
    R"("template":{"metadata":{"labels":{"app":"web"}},)"
    R"("spec":{"containers":[{"name":"c","image":"nginx:1.25",)"
    R"("ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"A","value":"1"}]}]}},)"
    R"("strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},)"
    R"("revisionHistoryLimit":10}})";

// ---- the patches kubectl sends -----------------------------------------------------------

TEST(StrategicMerge, SetImage) {
  std::string out =
      patched(deployment(), kDeployment,
              R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"}],)"
              R"("containers":[{"image":"img:2","name":"c"}]}}}})");
  json::value expected = parsed(kDeployment);
  expected["spec"]["template"]["spec"]["containers"].as_array()[0].set("image", "img:2");
  EXPECT_EQ(out, json::dump(expected));
}

TEST(StrategicMerge, ApplyThreeWayDiff) {
  std::string out = patched(
      deployment(), kDeployment,
      R"({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},)"
      R"("spec":{"replicas":3,"template":{"spec":{"$setElementOrder/containers":[{"name":"c"}],)"
      R"("containers":[{"image":"nginx:1.26","name":"c"}]}}}})");
  json::value v = parsed(out);
  EXPECT_EQ(json::dump(*v.at({"metadata", "annotations"})),
            R"({"a":"1","kubectl.kubernetes.io/last-applied-configuration":"{}\n"})");
  EXPECT_EQ(v.at({"spec", "replicas"})->as_int(), 3);
  EXPECT_EQ(json::dump(*v.at({"spec", "template", "spec", "containers"})),
            R"([{"name":"c","image":"nginx:1.26","ports":[{"containerPort":80,"protocol":"TCP"}],)"
            R"("env":[{"name":"A","value":"1"}]}])");
  EXPECT_EQ(out.find("$setElementOrder"), std::string::npos);
}

TEST(StrategicMerge, ApplyAddsAContainerWhereSetElementOrderSays) {
  std::string out = patched(pod(), pod_with({"a", "b"}),
                            R"({"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"n"},)"
                            R"({"name":"b"}],"containers":[{"name":"n","image":"n"}]}})");
  EXPECT_EQ(container_names(out), "a,n,b");
}

TEST(StrategicMerge, RolloutPauseAndResume) {
  std::string paused = patched(deployment(), kDeployment, R"({"spec":{"paused":true}})");
  json::value v = parsed(paused);
  EXPECT_TRUE(v.at({"spec", "paused"})->as_bool());
  // A new member goes where Go's struct puts it: after revisionHistoryLimit.
  std::string keys;
  for (const auto& m : v.at({"spec"})->as_object()) keys += m.key + " ";
  EXPECT_EQ(keys, "replicas selector template strategy revisionHistoryLimit paused ");
  std::string resumed = patched(deployment(), paused, R"({"spec":{"paused":null}})");
  EXPECT_EQ(resumed, compact(kDeployment));
}

TEST(StrategicMerge, RolloutRestartAddsAnAnnotation) {
  std::string out = patched(
      deployment(), kDeployment,
      R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2024-05-01T10:00:00Z"}}}}})");
  json::value v = parsed(out);
  EXPECT_EQ(
      json::dump(*v.at({"spec", "template", "metadata"})),
      R"({"labels":{"app":"web"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2024-05-01T10:00:00Z"}})");
}

TEST(StrategicMerge, TaintsAreReplacedWhole) {
  const schema::message_type& node = kind("k8s.io.api.core.v1.Node");
  const char* original =
      R"({"metadata":{"name":"n1"},"spec":{"taints":[{"key":"a","effect":"NoSchedule"},)"
      R"({"key":"b","value":"x","effect":"NoExecute"}]}})";
  EXPECT_EQ(patched(node, original,
                    R"({"spec":{"taints":[{"effect":"NoSchedule","key":"key","value":"value"}]}})"),
            compact(R"({"metadata":{"name":"n1"},"spec":{"taints":[{"effect":"NoSchedule",)"
                    R"("key":"key","value":"value"}]}})"));
  EXPECT_EQ(patched(node, original, R"({"spec":{"taints":null}})"),
            compact(R"({"metadata":{"name":"n1"},"spec":{}})"));
}

TEST(StrategicMerge, DeleteAContainer) {
  EXPECT_EQ(container_names(patched(pod(), pod_with({"a", "b", "c"}),
                                    R"({"spec":{"containers":[{"name":"b","$patch":"delete"}]}})")),
            "a,c");
  // Deleting one that is not there changes nothing.
  EXPECT_EQ(container_names(patched(pod(), pod_with({"a"}),
                                    R"({"spec":{"containers":[{"name":"x","$patch":"delete"}]}})")),
            "a");
}

TEST(StrategicMerge, ApplyRemovesAContainer) {
  // kubectl apply after dropping container b from the manifest.
  EXPECT_EQ(
      container_names(patched(pod(), pod_with({"a", "b", "c"}),
                              R"({"spec":{"$setElementOrder/containers":[{"name":"a"},)"
                              R"({"name":"c"}],"containers":[{"$patch":"delete","name":"b"}]}})")),
      "a,c");
}

TEST(StrategicMerge, VolumesWithRetainKeys) {
  const char* original =
      R"({"spec":{"containers":[{"name":"c","image":"i"}],"volumes":[)"
      R"({"name":"data","emptyDir":{}},{"name":"conf","configMap":{"name":"old"}}]}})";
  // kubectl apply switching volume "data" from emptyDir to a configMap.
  std::string out = patched(
      pod(), original,
      R"({"spec":{"$setElementOrder/volumes":[{"name":"data"},{"name":"conf"}],)"
      R"("volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"name":"data"}]}})");
  EXPECT_EQ(
      json::dump(*parsed(out).at({"spec", "volumes"})),
      R"([{"name":"data","configMap":{"name":"cm"}},{"name":"conf","configMap":{"name":"old"}}])");
}

TEST(StrategicMerge, DeploymentStrategySwitchesToRecreate) {
  const char* expected_strategy = R"({"type":"Recreate"})";
  std::string out = patched(deployment(), kDeployment,
                            R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})");
  EXPECT_EQ(json::dump(*parsed(out).at({"spec", "strategy"})), expected_strategy);
  out = patched(
      deployment(), kDeployment,
      R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}})");
  EXPECT_EQ(json::dump(*parsed(out).at({"spec", "strategy"})), expected_strategy);
  // Without the directive the defaulted rollingUpdate stays.
  out = patched(deployment(), kDeployment, R"({"spec":{"strategy":{"type":"Recreate"}}})");
  EXPECT_NE(json::dump(*parsed(out).at({"spec", "strategy"})), expected_strategy);
}

// ---- merge lists ---------------------------------------------------------------------------

TEST(StrategicMerge, NewElementsWithoutOrderGoFirst) {
  EXPECT_EQ(container_names(patched(pod(), pod_with({"a", "b"}),
                                    R"({"spec":{"containers":[{"name":"n","image":"n"}]}})")),
            "n,a,b");
  EXPECT_EQ(container_names(patched(pod(), pod_with({"a", "b"}),
                                    R"({"spec":{"containers":[{"name":"b","image":"x"},)"
                                    R"({"name":"n","image":"n"}]}})")),
            "a,b,n");
}

TEST(StrategicMerge, SetElementOrderWithServerOnlyItems) {
  // apimachinery's "set elements order in a list with server-only items 2" and "3".
  EXPECT_EQ(container_names(patched(pod(), pod_with({"1", "2", "9", "3", "4"}),
                                    R"({"spec":{"$setElementOrder/containers":[{"name":"2"},)"
                                    R"({"name":"1"},{"name":"4"},{"name":"3"}]}})")),
            "2,1,9,4,3");
  EXPECT_EQ(container_names(patched(pod(), pod_with({"1", "2", "7", "9", "8", "3", "4"}),
                                    R"({"spec":{"$setElementOrder/containers":[{"name":"2"},)"
                                    R"({"name":"1"},{"name":"4"},{"name":"3"}]}})")),
            "2,1,7,9,8,4,3");
  EXPECT_EQ(container_names(patched(pod(), pod_with({"1", "3", "4", "2", "9"}),
                                    R"({"spec":{"$setElementOrder/containers":[{"name":"4"},)"
                                    R"({"name":"2"},{"name":"3"},{"name":"1"}]}})")),
            "4,2,3,1,9");
}

TEST(StrategicMerge, SetElementOrderWithDuplicateKeys) {
  // apimachinery's "behavior of set element order for a merging list with duplicate".
  const char* original =
      R"({"spec":{"containers":[{"name":"1"},{"name":"2","image":"dup1"},{"name":"3"},)"
      R"({"name":"2","image":"dup2"},{"name":"4"}]}})";
  EXPECT_EQ(patched(pod(), original,
                    R"({"spec":{"$setElementOrder/containers":[{"name":"2"},{"name":"1"},)"
                    R"({"name":"4"},{"name":"3"},{"name":"2"}]}})"),
            compact(R"({"spec":{"containers":[{"name":"2","image":"dup1"},)"
                    R"({"name":"2","image":"dup2"},{"name":"1"},{"name":"4"},{"name":"3"}]}})"));
}

TEST(StrategicMerge, LongListsSortLikeGo) {
  // More than 20 elements: Go's stable sort merges blocks with SymMerge.
  std::string patch = R"({"spec":{"$setElementOrder/containers":[)";
  for (int i = 29; i >= 0; --i)
    patch += std::string(i == 29 ? "" : ",") + R"({"name":"c)" + std::to_string(i) + R"("})";
  patch += "]}}";
  std::string expected;
  for (int i = 29; i >= 0; --i)
    expected += std::string(i == 29 ? "" : ",") + "c" + std::to_string(i);
  std::string original = R"({"spec":{"containers":[)";
  for (int i = 0; i < 30; ++i)
    original += std::string(i ? "," : "") + R"({"name":"c)" + std::to_string(i) + R"("})";
  original += "]}}";
  EXPECT_EQ(container_names(patched(pod(), original, patch)), expected);
}

TEST(StrategicMerge, ElementsMergeByTheirKeys) {
  std::string out = patched(
      deployment(), kDeployment,
      R"({"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"B","value":"2"},)"
      R"({"name":"A","value":null,"valueFrom":{"fieldRef":{"fieldPath":"x"}}}],)"
      R"("ports":[{"containerPort":80,"name":"http"}]}]}}}})");
  const json::value v = parsed(out);
  const json::value& c = v.at({"spec", "template", "spec", "containers"})->as_array()[0];
  EXPECT_EQ(
      json::dump(*c.find("env")),
      R"([{"name":"B","value":"2"},{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"x"}}}])");
  EXPECT_EQ(json::dump(*c.find("ports")),
            R"([{"name":"http","containerPort":80,"protocol":"TCP"}])");
}

TEST(StrategicMerge, ServicePortsMergeByPort) {
  const schema::message_type& service = kind("k8s.io.api.core.v1.Service");
  std::string out =
      patched(service, R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})",
              R"({"spec":{"ports":[{"port":443,"targetPort":8443}]}})");
  EXPECT_EQ(out, compact(R"({"spec":{"ports":[{"port":80,"targetPort":8080},)"
                         R"({"port":443,"targetPort":8443}]}})"));
}

TEST(StrategicMerge, ConditionsMergeByType) {
  std::string out = patched(pod(),
                            R"({"status":{"conditions":[{"type":"Ready","status":"False"},)"
                            R"({"type":"Initialized","status":"True"}]}})",
                            R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})");
  EXPECT_EQ(out, compact(R"({"status":{"conditions":[{"type":"Ready","status":"True"},)"
                         R"({"type":"Initialized","status":"True"}]}})"));
}

TEST(StrategicMerge, FinalizersMergeAsASet) {
  const char* original = R"({"metadata":{"finalizers":["a","b","c"]}})";
  EXPECT_EQ(patched(pod(), original, R"({"metadata":{"finalizers":["a","d"]}})"),
            compact(R"({"metadata":{"finalizers":["a","d","b","c"]}})"));
  EXPECT_EQ(patched(pod(), original, R"({"metadata":{"finalizers":["b"]}})"),
            compact(R"({"metadata":{"finalizers":["a","b","c"]}})"));
  EXPECT_EQ(
      patched(pod(), original, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","x"]}})"),
      compact(R"({"metadata":{"finalizers":["a","c"]}})"));
  EXPECT_EQ(patched(pod(), R"({"metadata":{}})",
                    R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})"),
            compact(R"({"metadata":{}})"));
}

TEST(StrategicMerge, PrimitiveListOrderFromSetElementOrder) {
  // apimachinery's "add and delete items in lists of scalars".
  EXPECT_EQ(patched(pod(), R"({"metadata":{"finalizers":["1","2","3","4"]}})",
                    R"({"metadata":{"$setElementOrder/finalizers":["1","2","4"],)"
                    R"("$deleteFromPrimitiveList/finalizers":["3"]}})"),
            compact(R"({"metadata":{"finalizers":["1","2","4"]}})"));
}

TEST(StrategicMerge, ListsWithoutStrategyAreReplaced) {
  std::string out = patched(pod(), R"({"spec":{"containers":[{"name":"c","args":["a","b"]}]}})",
                            R"({"spec":{"containers":[{"name":"c","args":["z"]}]}})");
  EXPECT_EQ(out, compact(R"({"spec":{"containers":[{"name":"c","args":["z"]}]}})"));
}

// ---- directives ------------------------------------------------------------------------------

TEST(StrategicMerge, ReplaceDirectiveOnAMap) {
  EXPECT_EQ(patched(pod(), R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
                    R"({"metadata":{"labels":{"$patch":"replace","c":"3"}}})"),
            compact(R"({"metadata":{"labels":{"c":"3"}}})"));
}

TEST(StrategicMerge, DeleteDirectiveOnAMapEmptiesIt) {
  EXPECT_EQ(patched(pod(), R"({"metadata":{"labels":{"a":"1"}}})",
                    R"({"metadata":{"labels":{"$patch":"delete"}}})"),
            compact(R"({"metadata":{"labels":{}}})"));
  // A directive map for a member the object does not have adds nothing.
  EXPECT_EQ(patched(pod(), R"({"metadata":{}})",
                    R"({"metadata":{"labels":{"$patch":"replace","a":"1"}}})"),
            compact(R"({"metadata":{}})"));
}

TEST(StrategicMerge, ReplaceDirectiveInsideAList) {
  EXPECT_EQ(container_names(patched(pod(), pod_with({"a", "b"}),
                                    R"({"spec":{"containers":[{"$patch":"replace"},)"
                                    R"({"name":"x","image":"x"}]}})")),
            "x");
}

TEST(StrategicMerge, NullDeletesAndUnmatchedNullsAreDropped) {
  EXPECT_EQ(patched(pod(), R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
                    R"({"metadata":{"labels":{"a":null,"z":null}}})"),
            compact(R"({"metadata":{"labels":{"b":"2"}}})"));
  EXPECT_EQ(patched(pod(), R"({"metadata":{}})", R"({"metadata":{"labels":{"a":"1","b":null}}})"),
            compact(R"({"metadata":{"labels":{"a":"1"}}})"));
}

TEST(StrategicMerge, NewMapKeysGoInSortedPosition) {
  EXPECT_EQ(patched(pod(), R"({"metadata":{"labels":{"a":"1","c":"3"}}})",
                    R"({"metadata":{"labels":{"b":"2"}}})"),
            compact(R"({"metadata":{"labels":{"a":"1","b":"2","c":"3"}}})"));
}

TEST(StrategicMerge, UnknownFieldsMergeAsMaps) {
  EXPECT_EQ(patched(pod(), R"({"spec":{"x-extra":{"a":1,"l":[1,2]}}})",
                    R"({"spec":{"x-extra":{"b":2,"l":[3]}}})"),
            compact(R"({"spec":{"x-extra":{"a":1,"l":[3],"b":2}}})"));
}

TEST(StrategicMerge, NullPatchChangesNothing) {
  EXPECT_EQ(patched(deployment(), kDeployment, "null"), compact(kDeployment));
  EXPECT_EQ(patched(deployment(), kDeployment, "{}"), compact(kDeployment));
}

// ---- errors ---------------------------------------------------------------------------------

TEST(StrategicMerge, PatchThatIsNotAnObjectIsBadRequest) {
  EXPECT_EQ(
      patched(pod(), "{}", "[]"),
      "error 400: json: cannot unmarshal array into Go value of type map[string]interface {}");
}

TEST(StrategicMerge, UnknownDirectiveIsPassedThrough) {
  json::value out;
  auto e = strategic_merge_patch(parsed(pod_with({"c"})),
                                 parsed(R"({"spec":{"containers":[{"name":"c","$patch":"foo"}]}})"),
                                 pod(), out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 500);
  EXPECT_EQ(e->reason, "");
  EXPECT_EQ(e->message, "unknown patch type: foo in map: map[$patch:foo name:c]");
  EXPECT_EQ(patched(pod(), R"({"metadata":{"labels":{}}})",
                    R"({"metadata":{"labels":{"$patch":"merge"}}})"),
            "error 500: unknown patch type: merge in map: map[$patch:merge]");
  EXPECT_EQ(
      patched(pod(), pod_with({"c"}), R"({"spec":{"containers":[{"name":"c","$patch":"merge"}]}})"),
      "error 500: merging lists cannot yet be specified in the patch");
}

TEST(StrategicMerge, ElementWithoutItsMergeKey) {
  EXPECT_EQ(
      patched(pod(), pod_with({"c"}), R"({"spec":{"containers":[{"image":"x","ports":[1]}]}})"),
      "error 500: map: map[image:x ports:[1]] does not contain declared merge key: name");
}

TEST(StrategicMerge, MalformedRetainKeys) {
  EXPECT_EQ(patched(deployment(), kDeployment,
                    R"({"spec":{"strategy":{"$retainKeys":"type","type":"Recreate"}}})"),
            "error 400: invalid patch format of retainKeys");
  EXPECT_EQ(patched(deployment(), kDeployment,
                    R"({"spec":{"strategy":{"$retainKeys":["rollingUpdate"],"type":"Recreate"}}})"),
            "error 400: invalid patch format of retainKeys");
}

TEST(StrategicMerge, MalformedDirectivePrefixes) {
  EXPECT_EQ(patched(pod(), pod_with({"c"}), R"({"spec":{"$setElementOrder":[{"name":"c"}]}})"),
            "error 400: invalid patch format of setElementOrder list");
  EXPECT_EQ(patched(pod(), R"({"metadata":{"finalizers":["a"]}})",
                    R"({"metadata":{"$deleteFromPrimitiveListX/finalizers":["a"]}})"),
            "error 400: invalid patch format of primitive list");
}

TEST(StrategicMerge, SetElementOrderThatDisagreesWithThePatch) {
  EXPECT_EQ(patched(pod(), pod_with({"a", "b"}),
                    R"({"spec":{"$setElementOrder/containers":[{"name":"a"}],)"
                    R"("containers":[{"name":"b","image":"x"}]}})"),
            "error 500: The order in patch list:\n[map[image:x name:b]]\n doesn't match "
            "$setElementOrder list:\n[map[name:a]]\n");
  EXPECT_EQ(patched(pod(), pod_with({"a"}), R"({"spec":{"$setElementOrder/nothing":[]}})"),
            "error 500: unable to find api field in struct PodSpec for the json field \"nothing\"");
}

TEST(StrategicMerge, ListOfListsIsInvalid) {
  json::value out;
  auto e = strategic_merge_patch(parsed(R"({"metadata":{"finalizers":[]}})"),
                                 parsed(R"({"metadata":{"finalizers":[["b"]]}})"), pod(), out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 422);
  EXPECT_EQ(e->reason, "Invalid");
  EXPECT_EQ(e->message, "the server rejected our request due to an error in our request");
}

TEST(StrategicMerge, MixedElementTypes) {
  EXPECT_EQ(
      patched(pod(), R"({"metadata":{"finalizers":["a"]}})", R"({"metadata":{"finalizers":[1]}})"),
      "error 500: list element types are not identical: [[a] [1]]");
}

// ---- Go formatting used in the messages ----------------------------------------------------

TEST(GoFormat, MatchesFmtV) {
  EXPECT_EQ(go_format(parsed(R"({"b":[1,"x",null,true],"a":{"c":1.5}})")),
            "map[a:map[c:1.5] b:[1 x <nil> true]]");
  EXPECT_EQ(go_format(parsed("1e21")), "1e+21");
  EXPECT_EQ(go_format(parsed("1000000.0")), "1e+06");
  EXPECT_EQ(go_format(parsed("123456.5")), "123456.5");
  EXPECT_EQ(go_format(parsed("0.00001")), "1e-05");
}

}  // namespace
}  // namespace kactor::api
