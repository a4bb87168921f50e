#include "api/apply.hpp"
#include "tests/api/json_testing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace kactor::api {
namespace {

using json_testing::parsed;

std::string compact(std::string_view text) {
  return json::dump(parsed(text));
}

field_writer writer(std::string manager, std::string now = "2024-05-01T10:00:00Z") {
  field_writer w;
  w.type = schema::find_message("k8s.io.api.apps.v1.Deployment");
  w.api_version = "apps/v1";
  w.kind = "Deployment";
  w.manager = std::move(manager);
  w.now = std::move(now);
  return w;
}

const char* kConfig =
    R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default",)"
    R"("labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},)"
    R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx",)"
    R"("image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}})";

// The object the server stores after `config` is applied to `live` (nullptr: created).
json::value applied(const json::value* live, std::string_view config, const field_writer& w,
                    bool force = false) {
  json::value out;
  auto e = server_side_apply(live, parsed(config), w, force, out);
  EXPECT_FALSE(e) << (e ? e->message : "");
  return out;
}

std::optional<api_error> apply_error(const json::value* live, std::string_view config,
                                     const field_writer& w, bool force = false) {
  json::value out;
  return server_side_apply(live, parsed(config), w, force, out);
}

const json::value& managed_fields(const json::value& obj) {
  static const json::value none;
  const json::value* mf = obj.at({"metadata", "managedFields"});
  return mf ? *mf : none;
}

// The fieldsV1 of `manager`'s entry, or "" when it has none.
std::string fields_of(const json::value& obj, std::string_view manager) {
  const json::value& entries = managed_fields(obj);
  if (!entries.is_array()) return "";
  for (const auto& e : entries.as_array())
    if (e.get_string("manager") == manager) return json::dump(*e.find("fieldsV1"));
  return "";
}

std::string managers_of(const json::value& obj) {
  std::string out;
  const json::value& entries = managed_fields(obj);
  if (!entries.is_array()) return out;
  for (const auto& e : entries.as_array())
    out += std::string(out.empty() ? "" : ",") + std::string(e.get_string("manager")) + "/" +
           std::string(e.get_string("operation"));
  return out;
}

// A deployment as `manager` created it through an ordinary (non-apply) request.
json::value created_by(std::string_view manager, std::string_view config = kConfig) {
  json::value obj = parsed(config);
  track_update(nullptr, obj, writer(std::string(manager)));
  return obj;
}

const char* kAppliedFields =
    R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},)"
    R"("f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{)"
    R"("k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{)"
    R"("k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})";

TEST(ServerSideApply, CreatesTheObjectAndRecordsTheApplier) {
  json::value out = applied(nullptr, kConfig, writer("kubectl"));
  json::value expected = parsed(kConfig);
  json::value got = out;
  got["metadata"].erase("managedFields");
  EXPECT_EQ(json::dump(got), json::dump(expected));
  ASSERT_TRUE(managed_fields(out).is_array());
  ASSERT_EQ(managed_fields(out).as_array().size(), 1u);
  const json::value& entry = managed_fields(out).as_array()[0];
  EXPECT_EQ(json::dump(entry),
            std::string(R"({"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1",)") +
                R"("time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":)" +
                kAppliedFields + "}");
}

TEST(ServerSideApply, ReapplyingChangesFieldsAndTime) {
  json::value first = applied(nullptr, kConfig, writer("kubectl"));
  std::string config = kConfig;
  config.replace(config.find("nginx:1.25"), 10, "nginx:1.26");
  json::value second = applied(&first, config, writer("kubectl", "2024-05-01T11:00:00Z"));
  EXPECT_EQ(
      second.at({"spec", "template", "spec", "containers"})->as_array()[0].get_string("image"),
      "nginx:1.26");
  EXPECT_EQ(managed_fields(second).as_array()[0].get_string("time"), "2024-05-01T11:00:00Z");
}

TEST(ServerSideApply, NoOpKeepsTheTime) {
  json::value first = applied(nullptr, kConfig, writer("kubectl"));
  json::value out;
  bool changed = true;
  ASSERT_FALSE(server_side_apply(&first, parsed(kConfig), writer("kubectl", "2030-01-01T00:00:00Z"),
                                 false, out, &changed));
  EXPECT_FALSE(changed);
  EXPECT_EQ(json::dump(out), json::dump(first));
}

TEST(ServerSideApply, ConflictWithAnUpdateManager) {
  json::value live = created_by("kubectl-client-side-apply");
  std::string config = kConfig;
  config.replace(config.find("\"replicas\":2"), 12, "\"replicas\":3");
  auto e = apply_error(&live, config, writer("kubectl"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 409);
  EXPECT_EQ(e->reason, "Conflict");
  EXPECT_EQ(e->message,
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using "
            "apps/v1: .spec.replicas");
  ASSERT_EQ(e->causes.size(), 1u);
  EXPECT_EQ(e->causes[0].reason, "FieldManagerConflict");
  EXPECT_EQ(e->causes[0].message, "conflict with \"kubectl-client-side-apply\" using apps/v1");
  EXPECT_EQ(e->causes[0].field, ".spec.replicas");
}

TEST(ServerSideApply, SameValuesAreSharedWithoutConflict) {
  json::value live = created_by("kubectl-client-side-apply");
  json::value out = applied(&live, kConfig, writer("kubectl"));
  EXPECT_EQ(managers_of(out), "kubectl/Apply,kubectl-client-side-apply/Update");
  EXPECT_NE(fields_of(out, "kubectl-client-side-apply").find("f:replicas"), std::string::npos);
}

TEST(ServerSideApply, ForceTakesTheFieldsOver) {
  json::value live = created_by("kubectl-client-side-apply");
  std::string config = kConfig;
  config.replace(config.find("\"replicas\":2"), 12, "\"replicas\":3");
  json::value out = applied(&live, config, writer("kubectl"), true);
  EXPECT_EQ(out.at({"spec", "replicas"})->as_int(), 3);
  EXPECT_EQ(fields_of(out, "kubectl-client-side-apply").find("f:replicas"), std::string::npos);
  EXPECT_NE(fields_of(out, "kubectl").find("f:replicas"), std::string::npos);
}

TEST(ServerSideApply, SeveralConflicts) {
  json::value live = created_by("a");
  std::string config = kConfig;
  config.replace(config.find("\"replicas\":2"), 12, "\"replicas\":3");
  config.replace(config.find("nginx:1.25"), 10, "nginx:1.26");
  auto e = apply_error(&live, config, writer("b"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "Apply failed with 2 conflicts: conflicts with \"a\" using apps/v1:\n"
            "- .spec.replicas\n"
            "- .spec.template.spec.containers[name=\"nginx\"].image");
  EXPECT_EQ(e->causes.size(), 2u);
}

TEST(ServerSideApply, ObjectsWithoutManagedFieldsGetABeforeFirstApplyOwner) {
  json::value live = parsed(kConfig);
  std::string config = kConfig;
  config.replace(config.find("\"replicas\":2"), 12, "\"replicas\":5");
  auto e = apply_error(&live, config, writer("kubectl"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: "
            ".spec.replicas");
}

TEST(ServerSideApply, KubectlMayTakeFieldsItsLastAppliedAnnotationAgreesWith) {
  json::value config = parsed(kConfig);
  config["metadata"]["annotations"].set(kLastAppliedAnnotation, json::dump(parsed(kConfig)));
  json::value live = config;
  track_update(nullptr, live, writer("kubectl-client-side-apply"));
  std::string changed = json::dump(config);
  changed.replace(changed.find("\"replicas\":2"), 12, "\"replicas\":3");
  json::value out = applied(&live, changed, writer("kubectl"));
  EXPECT_EQ(out.at({"spec", "replicas"})->as_int(), 3);
  // The annotation now holds the applied configuration (sorted keys, as Go encodes maps).
  const std::string annotation(
      out.at({"metadata", "annotations"})->get_string(kLastAppliedAnnotation));
  EXPECT_TRUE(annotation.starts_with(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},)"))
      << annotation;
  EXPECT_NE(annotation.find("\"replicas\":3"), std::string::npos);
  EXPECT_EQ(annotation.back(), '\n');
}

TEST(ServerSideApply, FieldsLeftOutAreRemoved) {
  const char* with_two = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)"
                         R"("labels":{"a":"1","b":"2"}}})";
  const char* with_one =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"a":"1"}}})";
  json::value first = applied(nullptr, with_two, writer("m"));
  json::value second = applied(&first, with_one, writer("m"));
  EXPECT_EQ(json::dump(*second.at({"metadata", "labels"})), R"({"a":"1"})");
}

TEST(ServerSideApply, FieldsOthersOwnAreKept) {
  const char* with_two = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)"
                         R"("labels":{"a":"1","b":"2"}}})";
  const char* with_one =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"a":"1"}}})";
  json::value first = applied(nullptr, with_two, writer("m"));
  json::value shared = applied(&first, with_two, writer("other"));
  json::value second = applied(&shared, with_one, writer("m"));
  EXPECT_EQ(json::dump(*second.at({"metadata", "labels"})), R"({"a":"1","b":"2"})");
  EXPECT_EQ(fields_of(second, "m"), R"({"f:metadata":{"f:labels":{"f:a":{}}}})");
}

TEST(ServerSideApply, ContainersRemovedFromTheConfigGo) {
  const char* two =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{)"
      R"("template":{"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}]}}}})";
  const char* one =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{)"
      R"("template":{"spec":{"containers":[{"name":"b","image":"b"}]}}}})";
  json::value first = applied(nullptr, two, writer("m"));
  json::value second = applied(&first, one, writer("m"));
  EXPECT_EQ(json::dump(*second.at({"spec", "template", "spec", "containers"})),
            R"([{"name":"b","image":"b"}])");
}

TEST(ServerSideApply, ListItemsMergeByKeyInKubesOrder) {
  const char* live_config =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{)"
      R"("template":{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}}})";
  json::value live = created_by("creator", live_config);
  json::value out =
      applied(&live,
              R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{)"
              R"("template":{"spec":{"containers":[{"name":"c","image":"x"},{"name":"a"}]}}}})",
              writer("m"));
  std::string names;
  for (const auto& c : out.at({"spec", "template", "spec", "containers"})->as_array())
    names += std::string(c.get_string("name"));
  EXPECT_EQ(names, "bca");
}

TEST(ServerSideApply, AtomicFieldsAreReplacedWhole) {
  json::value first = applied(nullptr, kConfig, writer("m"));
  std::string config = kConfig;
  config.replace(config.find(R"({"matchLabels":{"app":"web"}})"), 29,
                 R"({"matchLabels":{"tier":"x"}})");
  json::value out = applied(&first, config, writer("m"));
  EXPECT_EQ(json::dump(*out.at({"spec", "selector"})), R"({"matchLabels":{"tier":"x"}})");
}

TEST(ServerSideApply, WrongKindIsBadRequest) {
  auto e = apply_error(nullptr, R"({"apiVersion":"apps/v1","kind":"Deploymnt"})", writer("m"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 400);
  EXPECT_EQ(e->message, "invalid object type: apps/v1, Kind=Deploymnt");
  e = apply_error(nullptr, R"({"metadata":{"name":"x"}})", writer("m"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "invalid object type: /, Kind=");
}

TEST(ServerSideApply, ManagedFieldsInTheBodyAreBadRequest) {
  auto e = apply_error(
      nullptr, R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"managedFields":[]}})",
      writer("m"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 400);
  EXPECT_EQ(e->message, "metadata.managedFields must be nil");
}

TEST(ServerSideApply, UnknownFieldsFailTheTypedConversion) {
  auto e = apply_error(nullptr,
                       R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)"
                       R"("namespace":"default"},"spec":{"foo":1}})",
                       writer("m"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 500);
  EXPECT_EQ(e->reason, "");
  EXPECT_EQ(e->message,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
            ".spec.foo: field not declared in schema");
}

TEST(ServerSideApply, RepeatedListKeysFail) {
  auto e = apply_error(
      nullptr,
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{)"
      R"("template":{"spec":{"containers":[{"name":"c"},{"name":"c"}]}}}})",
      writer("m"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "failed to create typed patch object (/web; apps/v1, Kind=Deployment): "
            ".spec.template.spec.containers: duplicate entries for key [name=\"c\"]");
}

TEST(ServerSideApply, StatusIsNotOwnedThroughTheResource) {
  json::value out =
      applied(nullptr,
              R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w"},)"
              R"("spec":{"replicas":1},"status":{"replicas":1}})",
              writer("m"));
  EXPECT_EQ(fields_of(out, "m"), R"({"f:spec":{"f:replicas":{}}})");
}

// ---- tracking of ordinary writes ---------------------------------------------------------------

TEST(TrackUpdate, CreateRecordsAnUpdateEntry) {
  json::value obj = created_by("kubectl-client-side-apply");
  ASSERT_EQ(managed_fields(obj).as_array().size(), 1u);
  const json::value& entry = managed_fields(obj).as_array()[0];
  EXPECT_EQ(entry.get_string("manager"), "kubectl-client-side-apply");
  EXPECT_EQ(entry.get_string("operation"), "Update");
  EXPECT_EQ(entry.get_string("apiVersion"), "apps/v1");
  EXPECT_EQ(entry.get_string("time"), "2024-05-01T10:00:00Z");
  EXPECT_EQ(json::dump(*entry.find("fieldsV1")),
            compact(R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},)"
                    R"("f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},)"
                    R"("f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{)"
                    R"(".":{},"f:image":{},"f:name":{},"f:ports":{".":{},)"
                    R"("k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},)"
                    R"("f:containerPort":{}}}}}}}}})"));
}

TEST(TrackUpdate, AnUpdateMovesTheFieldsItChanges) {
  json::value live = created_by("kubectl-create");
  json::value next = live;
  next["spec"].set("replicas", 5);
  track_update(&live, next, writer("kubectl-scale", "2024-05-01T12:00:00Z"));
  EXPECT_EQ(managers_of(next), "kubectl-create/Update,kubectl-scale/Update");
  EXPECT_EQ(fields_of(next, "kubectl-scale"), R"({"f:spec":{"f:replicas":{}}})");
  EXPECT_EQ(fields_of(next, "kubectl-create").find("f:replicas"), std::string::npos);
}

TEST(TrackUpdate, AnUnchangedObjectKeepsItsEntries) {
  json::value live = created_by("kubectl-create");
  json::value next = live;
  track_update(&live, next, writer("someone", "2030-01-01T00:00:00Z"));
  EXPECT_EQ(json::dump(next), json::dump(live));
}

TEST(TrackUpdate, UpdatesOfUntrackedObjectsStartNoTracking) {
  json::value live = parsed(kConfig);
  json::value next = live;
  next["spec"].set("replicas", 5);
  track_update(&live, next, writer("x"));
  EXPECT_EQ(next.at({"metadata", "managedFields"}), nullptr);
}

TEST(TrackUpdate, EmptyManagedFieldsInTheRequestResetThem) {
  json::value live = created_by("kubectl-create");
  json::value next = live;
  next["metadata"].set("managedFields", json::value::make_array());
  next["spec"].set("replicas", 7);
  track_update(&live, next, writer("x"));
  EXPECT_EQ(next.at({"metadata", "managedFields"}), nullptr);
}

TEST(TrackUpdate, RemovedFieldsLeaveEveryManager) {
  json::value live = created_by("kubectl-create");
  json::value next = live;
  next["metadata"]["labels"].erase("app");
  track_update(&live, next, writer("kubectl-label"));
  EXPECT_TRUE(fields_of(next, "kubectl-create").starts_with(R"({"f:metadata":{"f:labels":{}},)"))
      << fields_of(next, "kubectl-create");
  EXPECT_EQ(managers_of(next), "kubectl-create/Update");
}

TEST(ManagerName, FromTheUserAgentWhenNotGiven) {
  EXPECT_EQ(manager_or_user_agent("kubectl-set", "kubectl/v1.32.0"), "kubectl-set");
  EXPECT_EQ(manager_or_user_agent("", "kubectl/v1.32.0 (linux/amd64) kubernetes/abc"), "kubectl");
  EXPECT_EQ(manager_or_user_agent("", "curl"), "curl");
  EXPECT_EQ(manager_or_user_agent("", std::string(200, 'a')).size(), 128u);
}

}  // namespace
}  // namespace kactor::api
