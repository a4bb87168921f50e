#include "api/table.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "api/json.hpp"

namespace kactor::api {
namespace {

// 2024-05-01T12:00:00Z
constexpr int64_t kNow = 1714564800;

resource_info kind_info(std::string group, std::string kind) {
  resource_info info;
  info.group = std::move(group);
  info.version = "v1";
  info.kind = std::move(kind);
  return info;
}

json::value parse_json(std::string_view text) {
  json::value v;
  EXPECT_TRUE(json::parse(text, v).ok) << text;
  return v;
}

json::value render(const resource_info& info, const std::vector<std::string>& docs,
                   table_row_object include = table_row_object::metadata,
                   const table_page& page = {}) {
  std::vector<std::string_view> views(docs.begin(), docs.end());
  return parse_json(table_json(info, views, page, include, true, kNow));
}

// The cells of the single row rendered for `doc`.
json::array cells_of(const std::string& group, const std::string& kind, const std::string& doc) {
  json::value table = render(kind_info(group, kind), {doc});
  const json::value* rows = table.find("rows");
  EXPECT_TRUE(rows && rows->is_array() && rows->as_array().size() == 1) << json::dump(table);
  if (!rows || !rows->is_array() || rows->as_array().size() != 1) return {};
  return rows->as_array()[0].find("cells")->as_array();
}

json::array cells_of(const std::string& kind, const std::string& doc) {
  return cells_of("", kind, doc);
}

std::vector<std::string> column_names(const json::value& table) {
  std::vector<std::string> names;
  for (const auto& c : table.find("columnDefinitions")->as_array())
    names.push_back(c.find("name")->as_string());
  return names;
}

std::vector<std::string> wide_columns(const json::value& table) {
  std::vector<std::string> names;
  for (const auto& c : table.find("columnDefinitions")->as_array())
    if (c.find("priority")->as_int() == 1) names.push_back(c.find("name")->as_string());
  return names;
}

std::string str(const json::value& cell) {
  return cell.is_string() ? cell.as_string() : "<not a string>";
}

// --- ages ------------------------------------------------------------------------------------

TEST(HumanAge, FollowsHumanDurationBoundaries) {
  struct {
    int64_t seconds;
    const char* text;
  } cases[] = {
      {-5, "<invalid>"},
      {-2, "<invalid>"},
      {-1, "0s"},
      {0, "0s"},
      {45, "45s"},
      {119, "119s"},
      {120, "2m"},
      {125, "2m5s"},
      {312, "5m12s"},
      {599, "9m59s"},
      {600, "10m"},
      {659, "10m"},
      {3 * 3600 - 1, "179m"},
      {3 * 3600, "3h"},
      {3 * 3600 + 30 * 60 + 59, "3h30m"},
      {8 * 3600 - 1, "7h59m"},
      {8 * 3600, "8h"},
      {48 * 3600 - 1, "47h"},
      {48 * 3600, "2d"},
      {(2 * 24 + 5) * 3600, "2d5h"},
      {8 * 86400 - 1, "7d23h"},
      {8 * 86400, "8d"},
      {730 * 86400 - 1, "729d"},
      {730 * 86400, "2y"},
      {740 * 86400, "2y10d"},
      {8 * 365 * 86400 - 1, "7y364d"},
      {8 * 365 * 86400, "8y"},
      {20 * 365 * 86400 + 3 * 86400, "20y"},
  };
  for (const auto& c : cases) EXPECT_EQ(human_age(c.seconds), c.text) << c.seconds;
}

TEST(ParseTimestamp, AcceptsRfc3339Forms) {
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_timestamp("2024-05-01T12:00:00Z"), kNow);
  EXPECT_EQ(parse_timestamp("2024-05-01T12:00:00.123456Z"), kNow);
  EXPECT_EQ(parse_timestamp("2024-05-01T14:00:00+02:00"), kNow);
  EXPECT_EQ(parse_timestamp("2024-05-01T07:30:00-04:30"), kNow);
  EXPECT_EQ(parse_timestamp("2024-02-29T00:00:00Z"), 1709164800);
  EXPECT_EQ(parse_timestamp("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(parse_timestamp("0001-01-01T00:00:00Z"), -62135596800);
}

TEST(ParseTimestamp, RejectsOtherText) {
  for (const char* bad : {"", "2024-05-01", "2024-05-01 12:00:00Z", "2024-05-01T12:00:00",
                          "2024-13-01T12:00:00Z", "2024-05-01T12:00:00.Z",
                          "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00Zjunk", "yesterday"})
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
}

// --- Accept and includeObject ------------------------------------------------------------------

TEST(AcceptsTable, KubectlGetHeader) {
  EXPECT_TRUE(accepts_table(
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta."
      "k8s.io,application/json"));
  EXPECT_EQ(negotiated_table_version("application/json;as=Table;v=v1;g=meta.k8s.io"), "v1");
}

TEST(AcceptsTable, ParameterOrderAndSpaces) {
  EXPECT_TRUE(accepts_table("application/json; g=meta.k8s.io ; as=Table; v=v1"));
  EXPECT_TRUE(accepts_table(" application/json;v=v1;as=Table;g=meta.k8s.io "));
  EXPECT_EQ(negotiated_table_version("application/json;as=Table;g=meta.k8s.io;v=v1beta1"),
            "v1beta1");
}

TEST(AcceptsTable, PlainOrOtherTransformsAreNotTables) {
  EXPECT_FALSE(accepts_table(""));
  EXPECT_FALSE(accepts_table("application/json"));
  EXPECT_FALSE(accepts_table("*/*"));
  EXPECT_FALSE(accepts_table("application/vnd.kubernetes.protobuf,application/json"));
  EXPECT_FALSE(accepts_table("application/json,application/json;as=Table;v=v1;g=meta.k8s.io"));
  EXPECT_FALSE(accepts_table(
      "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json;as=Table;"
      "v=v1;g=meta.k8s.io"));
  // Kind, group and version must all be right, and are case-sensitive.
  EXPECT_FALSE(accepts_table("application/json;as=table;v=v1;g=meta.k8s.io"));
  EXPECT_FALSE(accepts_table("application/json;as=Table;v=v1"));
  EXPECT_FALSE(accepts_table("application/json;as=Table;v=v2;g=meta.k8s.io"));
  // A YAML Table is a Table kactor does not render.
  EXPECT_FALSE(accepts_table("application/yaml;as=Table;v=v1;g=meta.k8s.io"));
}

TEST(AcceptsTable, UnservableTableClausesAreSkipped) {
  EXPECT_TRUE(accepts_table(
      "application/json;as=Table;v=v2;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io"));
  EXPECT_TRUE(accepts_table(
      "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;"
      "v=v1;g=meta.k8s.io"));
  EXPECT_TRUE(accepts_table("text/html,application/json;as=Table;v=v1;g=meta.k8s.io"));
  EXPECT_TRUE(accepts_table("*/*;as=Table;v=v1;g=meta.k8s.io"));
  EXPECT_TRUE(accepts_table("application/*;as=Table;v=v1;g=meta.k8s.io"));
}

TEST(AcceptsTable, QualityOrdersClauses) {
  EXPECT_TRUE(
      accepts_table("application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io;q=0.9"));
  EXPECT_FALSE(
      accepts_table("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json"));
  // Wildcards rank after concrete types of the same quality.
  EXPECT_TRUE(accepts_table("*/*,application/json;as=Table;v=v1;g=meta.k8s.io"));
}

TEST(IncludeObject, KnownValues) {
  std::string error;
  EXPECT_EQ(parse_include_object("", &error), table_row_object::metadata);
  EXPECT_EQ(parse_include_object("Metadata", &error), table_row_object::metadata);
  EXPECT_EQ(parse_include_object("Object", &error), table_row_object::object);
  EXPECT_EQ(parse_include_object("None", &error), table_row_object::none);
  EXPECT_TRUE(error.empty());
}

TEST(IncludeObject, UnknownValueHasKubeMessage) {
  std::string error;
  EXPECT_FALSE(parse_include_object("object", &error).has_value());
  EXPECT_EQ(error, "unrecognized includeObject value: \"object\"");
  EXPECT_FALSE(parse_include_object("All", nullptr).has_value());
}

// --- Table envelope -----------------------------------------------------------------------------

const std::string kSimplePod =
    R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"default",)"
    R"("uid":"u1","resourceVersion":"12","creationTimestamp":"2024-05-01T11:55:00Z",)"
    R"("labels":{"run":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]},)"
    R"("status":{"phase":"Pending"}})";

TEST(TableJson, EnvelopeAndListMeta) {
  table_page page{"1014", "next-token", 7};
  json::value table = render(kind_info("", "Pod"), {kSimplePod}, table_row_object::metadata, page);
  EXPECT_EQ(table.get_string("kind"), "Table");
  EXPECT_EQ(table.get_string("apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(json::dump(*table.find("metadata")),
            R"({"resourceVersion":"1014","continue":"next-token","remainingItemCount":7})");
  std::string raw =
      table_json(kind_info("", "Pod"), {}, {}, table_row_object::metadata, true, kNow);
  EXPECT_NE(raw.find(R"("metadata":{},"columnDefinitions":[)"), std::string::npos) << raw;
  EXPECT_NE(raw.find(R"("rows":[]})"), std::string::npos) << raw;
}

TEST(TableJson, ColumnDefinitionsCarryEveryField) {
  json::value table = render(kind_info("", "Pod"), {kSimplePod});
  const json::value& name = table.find("columnDefinitions")->as_array()[0];
  EXPECT_EQ(name.get_string("name"), "Name");
  EXPECT_EQ(name.get_string("type"), "string");
  EXPECT_EQ(name.get_string("format"), "name");
  EXPECT_FALSE(name.get_string("description").empty());
  EXPECT_EQ(name.find("priority")->as_int(), 0);
  const json::value& ready = table.find("columnDefinitions")->as_array()[1];
  ASSERT_NE(ready.find("format"), nullptr);
  EXPECT_EQ(ready.get_string("format"), "");
}

TEST(TableJson, WithoutColumnDefinitionsSendsNull) {
  std::vector<std::string_view> docs{kSimplePod};
  json::value table = parse_json(
      table_json(kind_info("", "Pod"), docs, {}, table_row_object::metadata, false, kNow));
  ASSERT_NE(table.find("columnDefinitions"), nullptr);
  EXPECT_TRUE(table.find("columnDefinitions")->is_null());
  EXPECT_EQ(table.find("rows")->as_array().size(), 1u);
}

TEST(TableJson, MetadataRowObjectIsPartialObjectMetadata) {
  json::value table = render(kind_info("", "Pod"), {kSimplePod});
  const json::value& object = *table.find("rows")->as_array()[0].find("object");
  EXPECT_EQ(object.get_string("kind"), "PartialObjectMetadata");
  EXPECT_EQ(object.get_string("apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(*object.find("metadata"), *parse_json(kSimplePod).find("metadata"));
  EXPECT_EQ(object.find("spec"), nullptr);
}

TEST(TableJson, V1beta1TableNamesThatVersionTwice) {
  std::vector<std::string_view> docs{kSimplePod};
  json::value table = parse_json(table_json(kind_info("", "Pod"), docs, {},
                                            table_row_object::metadata, true, kNow, "v1beta1"));
  EXPECT_EQ(table.get_string("apiVersion"), "meta.k8s.io/v1beta1");
  EXPECT_EQ(table.find("rows")->as_array()[0].find("object")->get_string("apiVersion"),
            "meta.k8s.io/v1beta1");
}

TEST(TableJson, ObjectRowObjectIsTheStoredDocument) {
  json::value table = render(kind_info("", "Pod"), {kSimplePod}, table_row_object::object);
  EXPECT_EQ(*table.find("rows")->as_array()[0].find("object"), parse_json(kSimplePod));
}

TEST(TableJson, NoneRowObjectIsNull) {
  json::value table = render(kind_info("", "Pod"), {kSimplePod}, table_row_object::none);
  const json::value* object = table.find("rows")->as_array()[0].find("object");
  ASSERT_NE(object, nullptr);
  EXPECT_TRUE(object->is_null());
}

TEST(TableJson, UnparsableDocumentsAreLeftOut) {
  json::value table = render(kind_info("", "Pod"), {"{not json", kSimplePod, "[1,2]"});
  ASSERT_EQ(table.find("rows")->as_array().size(), 1u);
  EXPECT_EQ(str(table.find("rows")->as_array()[0].find("cells")->as_array()[0]), "web");
}

TEST(TableJson, EveryRowHasOneCellPerColumn) {
  const char* kinds[][2] = {
      {"", "Pod"},
      {"", "Node"},
      {"", "Namespace"},
      {"", "Service"},
      {"", "Endpoints"},
      {"", "ConfigMap"},
      {"", "Secret"},
      {"", "ServiceAccount"},
      {"", "Event"},
      {"events.k8s.io", "Event"},
      {"", "ReplicationController"},
      {"apps", "ReplicaSet"},
      {"apps", "Deployment"},
      {"apps", "StatefulSet"},
      {"apps", "DaemonSet"},
      {"apps", "ControllerRevision"},
      {"batch", "Job"},
      {"batch", "CronJob"},
      {"", "PodTemplate"},
      {"autoscaling", "HorizontalPodAutoscaler"},
      {"", "PersistentVolume"},
      {"", "PersistentVolumeClaim"},
      {"storage.k8s.io", "StorageClass"},
      {"", "ResourceQuota"},
      {"networking.k8s.io", "Ingress"},
      {"networking.k8s.io", "IngressClass"},
      {"networking.k8s.io", "NetworkPolicy"},
      {"discovery.k8s.io", "EndpointSlice"},
      {"rbac.authorization.k8s.io", "RoleBinding"},
      {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
      {"rbac.authorization.k8s.io", "Role"},
      {"coordination.k8s.io", "Lease"},
      {"scheduling.k8s.io", "PriorityClass"},
      {"policy", "PodDisruptionBudget"},
      {"example.com", "Widget"},
  };
  // Empty, half-filled and wrongly typed objects must all render without crashing.
  const std::vector<std::string> docs = {
      "{}",
      R"({"metadata":{"name":"x"}})",
      R"({"metadata":"x","spec":[],"status":"bad","subsets":{},"data":7})",
      R"({"metadata":{"name":"x","creationTimestamp":null,"labels":[]},"spec":{"containers":{},)"
      R"("template":null,"selector":"a=b","ports":[1,null],"metrics":[{}]},"status":{)"
      R"("conditions":[null,{"type":"Ready"}],"containerStatuses":[{},{"state":null}],)"
      R"("initContainerStatuses":[{"state":{"terminated":{}}}]},"subsets":[{"addresses":[{}],)"
      R"("ports":[{}]}],"involvedObject":7,"series":{}})",
  };
  for (const auto& k : kinds) {
    json::value table = render(kind_info(k[0], k[1]), docs);
    const size_t columns = table.find("columnDefinitions")->as_array().size();
    ASSERT_EQ(table.find("rows")->as_array().size(), docs.size()) << k[1];
    for (const auto& row : table.find("rows")->as_array())
      EXPECT_EQ(row.find("cells")->as_array().size(), columns) << k[1] << json::dump(row);
  }
}

// --- Pod ---------------------------------------------------------------------------------------

std::string pod(std::string_view spec, std::string_view status, std::string_view extra_meta = "") {
  return std::string(R"({"metadata":{"name":"p","creationTimestamp":"2024-05-01T11:00:00Z")") +
         std::string(extra_meta) + R"(},"spec":)" + std::string(spec) + R"(,"status":)" +
         std::string(status) + "}";
}

constexpr std::string_view kOneContainer = R"({"containers":[{"name":"app","image":"nginx"}]})";

TEST(PodTable, ColumnsInKubeOrder) {
  json::value table = render(kind_info("", "Pod"), {kSimplePod});
  EXPECT_EQ(column_names(table),
            (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                                      "Nominated Node", "Readiness Gates"}));
  EXPECT_EQ(wide_columns(table),
            (std::vector<std::string>{"IP", "Node", "Nominated Node", "Readiness Gates"}));
  EXPECT_EQ(table.find("columnDefinitions")->as_array()[3].get_string("type"), "string");
}

TEST(PodTable, PendingWithoutStatuses) {
  json::array cells = cells_of("Pod", kSimplePod);
  ASSERT_EQ(cells.size(), 9u);
  EXPECT_EQ(str(cells[0]), "web");
  EXPECT_EQ(str(cells[1]), "0/1");
  EXPECT_EQ(str(cells[2]), "Pending");
  EXPECT_EQ(str(cells[3]), "0");
  EXPECT_EQ(str(cells[4]), "5m");
  EXPECT_EQ(str(cells[5]), "<none>");
  EXPECT_EQ(str(cells[6]), "<none>");
  EXPECT_EQ(str(cells[7]), "<none>");
  EXPECT_EQ(str(cells[8]), "<none>");
}

TEST(PodTable, RunningAndReady) {
  json::array cells = cells_of(
      "Pod", pod(R"({"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}]})",
                 R"({"phase":"Running","podIP":"10.244.0.7","podIPs":[{"ip":"10.244.0.7"}],)"
                 R"("conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[)"
                 R"({"name":"a","ready":true,"restartCount":0,"state":{"running":{}}},)"
                 R"({"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]})"));
  EXPECT_EQ(str(cells[1]), "2/2");
  EXPECT_EQ(str(cells[2]), "Running");
  EXPECT_EQ(str(cells[3]), "0");
  EXPECT_EQ(str(cells[4]), "60m");
  EXPECT_EQ(str(cells[5]), "10.244.0.7");
  EXPECT_EQ(str(cells[6]), "n1");
}

TEST(PodTable, ContainerCreating) {
  json::array cells =
      cells_of("Pod", pod(kOneContainer,
                          R"({"phase":"Pending","containerStatuses":[{"name":"app","ready":false,)"
                          R"("state":{"waiting":{"reason":"ContainerCreating"}}}]})"));
  EXPECT_EQ(str(cells[1]), "0/1");
  EXPECT_EQ(str(cells[2]), "ContainerCreating");
}

TEST(PodTable, CrashLoopBackOffShowsLastRestartAge) {
  json::array cells =
      cells_of("Pod", pod(kOneContainer,
                          R"({"phase":"Running","containerStatuses":[{"name":"app","ready":false,)"
                          R"("restartCount":5,"state":{"waiting":{"reason":"CrashLoopBackOff"}},)"
                          R"("lastState":{"terminated":{"exitCode":1,"reason":"Error",)"
                          R"("finishedAt":"2024-05-01T11:57:00Z"}}}]})"));
  EXPECT_EQ(str(cells[1]), "0/1");
  EXPECT_EQ(str(cells[2]), "CrashLoopBackOff");
  EXPECT_EQ(str(cells[3]), "5 (3m ago)");
}

TEST(PodTable, RestartsWithoutFinishTimeHaveNoAge) {
  json::array cells = cells_of(
      "Pod", pod(kOneContainer,
                 R"({"phase":"Running","containerStatuses":[{"name":"app","ready":true,)"
                 R"("restartCount":2,"state":{"running":{}},"lastState":{"terminated":{}}}]})"));
  EXPECT_EQ(str(cells[2]), "Running");
  EXPECT_EQ(str(cells[3]), "2");
}

TEST(PodTable, LatestRestartAcrossContainers) {
  json::array cells = cells_of(
      "Pod", pod(R"({"containers":[{"name":"a"},{"name":"b"}]})",
                 R"({"phase":"Running","containerStatuses":[)"
                 R"({"name":"a","ready":true,"restartCount":1,"state":{"running":{}},)"
                 R"("lastState":{"terminated":{"finishedAt":"2024-05-01T09:00:00Z"}}},)"
                 R"({"name":"b","ready":true,"restartCount":2,"state":{"running":{}},)"
                 R"("lastState":{"terminated":{"finishedAt":"2024-05-01T11:59:15Z"}}}]})"));
  EXPECT_EQ(str(cells[3]), "3 (45s ago)");
}

TEST(PodTable, CompletedPodCarriesRowCondition) {
  json::value table =
      render(kind_info("", "Pod"),
             {pod(kOneContainer,
                  R"({"phase":"Succeeded","containerStatuses":[{"name":"app","ready":false,)"
                  R"("state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})")});
  const json::value& row = table.find("rows")->as_array()[0];
  EXPECT_EQ(str(row.find("cells")->as_array()[2]), "Completed");
  EXPECT_EQ(str(row.find("cells")->as_array()[1]), "0/1");
  EXPECT_EQ(json::dump(*row.find("conditions")),
            R"([{"type":"Completed","status":"True","reason":"Succeeded",)"
            R"("message":"The pod has completed successfully."}])");
}

TEST(PodTable, FailedPodCondition) {
  json::value table =
      render(kind_info("", "Pod"),
             {pod(kOneContainer, R"({"phase":"Failed","containerStatuses":[{"name":"app",)"
                                 R"("state":{"terminated":{"exitCode":137}}}]})")});
  const json::value& row = table.find("rows")->as_array()[0];
  EXPECT_EQ(str(row.find("cells")->as_array()[2]), "ExitCode:137");
  EXPECT_EQ(row.find("conditions")->as_array()[0].get_string("reason"), "Failed");
}

TEST(PodTable, RunningPodHasNoRowConditions) {
  json::value table = render(kind_info("", "Pod"), {kSimplePod});
  EXPECT_EQ(table.find("rows")->as_array()[0].find("conditions"), nullptr);
}

TEST(PodTable, TerminatedBySignal) {
  json::array cells =
      cells_of("Pod", pod(kOneContainer, R"({"phase":"Running","containerStatuses":[{"name":"app",)"
                                         R"("state":{"terminated":{"exitCode":0,"signal":9}}}]})"));
  EXPECT_EQ(str(cells[2]), "Signal:9");
}

TEST(PodTable, FirstContainerDecidesTheReason) {
  json::array cells =
      cells_of("Pod", pod(R"({"containers":[{"name":"a"},{"name":"b"}]})",
                          R"({"phase":"Running","containerStatuses":[)"
                          R"({"name":"a","state":{"waiting":{"reason":"ImagePullBackOff"}}},)"
                          R"({"name":"b","state":{"waiting":{"reason":"CrashLoopBackOff"}}}]})"));
  EXPECT_EQ(str(cells[2]), "ImagePullBackOff");
}

TEST(PodTable, CompletedWithRunningSidecarIsRunningOrNotReady) {
  const std::string statuses =
      R"("containerStatuses":[{"name":"a","ready":false,"state":{"terminated":)"
      R"({"exitCode":0,"reason":"Completed"}}},{"name":"b","ready":true,"state":{"running":{}}}])";
  const std::string spec = R"({"containers":[{"name":"a"},{"name":"b"}]})";
  json::array ready = cells_of(
      "Pod", pod(spec, R"({"phase":"Running","conditions":[{"type":"Ready","status":"True"}],)" +
                           statuses + "}"));
  EXPECT_EQ(str(ready[2]), "Running");
  EXPECT_EQ(str(ready[1]), "1/2");
  json::array not_ready = cells_of(
      "Pod", pod(spec, R"({"phase":"Running","conditions":[{"type":"Ready","status":"False"}],)" +
                           statuses + "}"));
  EXPECT_EQ(str(not_ready[2]), "NotReady");
}

TEST(PodTable, TerminatingWhileRunning) {
  json::array cells = cells_of(
      "Pod", pod(kOneContainer,
                 R"({"phase":"Running","containerStatuses":[{"name":"app","ready":true,)"
                 R"("state":{"running":{}}}]})",
                 R"(,"deletionTimestamp":"2024-05-01T11:59:50Z","deletionGracePeriodSeconds":30)"));
  EXPECT_EQ(str(cells[2]), "Terminating");
  EXPECT_EQ(str(cells[1]), "1/1");
}

TEST(PodTable, DeletedFinishedPodKeepsItsPhase) {
  json::array cells = cells_of("Pod", pod(kOneContainer, R"({"phase":"Succeeded"})",
                                          R"(,"deletionTimestamp":"2024-05-01T11:59:50Z")"));
  EXPECT_EQ(str(cells[2]), "Succeeded");
}

TEST(PodTable, DeletedOnLostNodeIsUnknown) {
  json::array cells =
      cells_of("Pod", pod(kOneContainer, R"({"phase":"Running","reason":"NodeLost"})",
                          R"(,"deletionTimestamp":"2024-05-01T11:59:50Z")"));
  EXPECT_EQ(str(cells[2]), "Unknown");
}

TEST(PodTable, StatusReasonReplacesPhase) {
  json::array cells =
      cells_of("Pod", pod(kOneContainer, R"({"phase":"Failed","reason":"Evicted"})"));
  EXPECT_EQ(str(cells[2]), "Evicted");
}

TEST(PodTable, SchedulingGated) {
  json::array cells = cells_of(
      "Pod", pod(kOneContainer, R"({"phase":"Pending","conditions":[{"type":"PodScheduled",)"
                                R"("status":"False","reason":"SchedulingGated"}]})"));
  EXPECT_EQ(str(cells[2]), "SchedulingGated");
}

constexpr std::string_view kTwoInits =
    R"({"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"app"}]})";

TEST(PodTable, InitContainersInProgress) {
  json::array cells = cells_of(
      "Pod",
      pod(kTwoInits, R"({"phase":"Pending","initContainerStatuses":[)"
                     R"({"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},)"
                     R"({"name":"i2","state":{"running":{}}}],"containerStatuses":[{"name":"app",)"
                     R"("state":{"waiting":{"reason":"PodInitializing"}}}]})"));
  EXPECT_EQ(str(cells[2]), "Init:1/2");
  EXPECT_EQ(str(cells[1]), "0/1");
}

TEST(PodTable, InitContainerWaitingReasons) {
  json::array crash = cells_of(
      "Pod", pod(kTwoInits,
                 R"({"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":3,)"
                 R"("state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":)"
                 R"({"exitCode":1,"finishedAt":"2024-05-01T11:58:00Z"}}},{"name":"i2",)"
                 R"("state":{"waiting":{"reason":"PodInitializing"}}}]})"));
  EXPECT_EQ(str(crash[2]), "Init:CrashLoopBackOff");
  EXPECT_EQ(str(crash[3]), "3 (2m ago)");
  json::array initializing =
      cells_of("Pod", pod(kTwoInits, R"({"phase":"Pending","initContainerStatuses":[{"name":"i1",)"
                                     R"("state":{"waiting":{"reason":"PodInitializing"}}}]})"));
  EXPECT_EQ(str(initializing[2]), "Init:0/2");
}

TEST(PodTable, InitContainerFailures) {
  auto reason_for = [](std::string_view terminated) {
    return str(cells_of(
        "Pod", pod(kTwoInits, R"({"phase":"Pending","initContainerStatuses":[{"name":"i1",)"
                              R"("state":{"terminated":)" +
                                  std::string(terminated) + "}}]}"))[2]);
  };
  EXPECT_EQ(reason_for(R"({"exitCode":1,"reason":"Error"})"), "Init:Error");
  EXPECT_EQ(reason_for(R"({"exitCode":2})"), "Init:ExitCode:2");
  EXPECT_EQ(reason_for(R"({"exitCode":2,"signal":15})"), "Init:Signal:15");
}

TEST(PodTable, InitializedConditionAlsoReadsMainContainers) {
  const std::string init_status =
      R"({"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],)"
      R"("initContainerStatuses":[{"name":"i1","state":{"waiting":{"reason":"X"}}}],)";
  // A running main container counts as ready but leaves the init reason in place...
  json::array running = cells_of(
      "Pod", pod(kTwoInits, init_status + R"("containerStatuses":[{"name":"app","ready":true,)"
                                          R"("state":{"running":{}}}]})"));
  EXPECT_EQ(str(running[2]), "Init:X");
  EXPECT_EQ(str(running[1]), "1/1");
  // ...a waiting one replaces it.
  json::array waiting = cells_of(
      "Pod", pod(kTwoInits, init_status + R"("containerStatuses":[{"name":"app","state":)"
                                          R"({"waiting":{"reason":"CrashLoopBackOff"}}}]})"));
  EXPECT_EQ(str(waiting[2]), "CrashLoopBackOff");
  // Without the Initialized condition the main containers are not looked at.
  json::array blocked =
      cells_of("Pod", pod(kTwoInits, R"({"phase":"Pending","initContainerStatuses":[{"name":"i1",)"
                                     R"("state":{"waiting":{"reason":"X"}}}],"containerStatuses":[)"
                                     R"({"name":"app","ready":true,"state":{"running":{}}}]})"));
  EXPECT_EQ(str(blocked[2]), "Init:X");
  EXPECT_EQ(str(blocked[1]), "0/1");
}

TEST(PodTable, SidecarInitContainersCountAsContainers) {
  json::array cells = cells_of(
      "Pod", pod(R"({"initContainers":[{"name":"proxy","restartPolicy":"Always"}],)"
                 R"("containers":[{"name":"app"}]})",
                 R"({"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],)"
                 R"("initContainerStatuses":[{"name":"proxy","ready":true,"started":true,)"
                 R"("restartCount":1,"state":{"running":{}},"lastState":{"terminated":)"
                 R"({"finishedAt":"2024-05-01T11:50:00Z"}}}],"containerStatuses":[{"name":"app",)"
                 R"("ready":true,"restartCount":2,"state":{"running":{}}}]})"));
  EXPECT_EQ(str(cells[1]), "2/2");
  EXPECT_EQ(str(cells[2]), "Running");
  EXPECT_EQ(str(cells[3]), "3 (10m ago)");
}

TEST(PodTable, IpNodesAndReadinessGates) {
  json::array cells = cells_of(
      "Pod", pod(R"({"nodeName":"n2","containers":[{"name":"a"}],"readinessGates":[)"
                 R"({"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}]})",
                 R"({"phase":"Running","podIPs":[{"ip":"fd00::5"},{"ip":"10.0.0.5"}],)"
                 R"("nominatedNodeName":"n3","conditions":[{"type":"example.com/lb",)"
                 R"("status":"True"},{"type":"example.com/dns","status":"False"}]})"));
  EXPECT_EQ(str(cells[5]), "fd00::5");
  EXPECT_EQ(str(cells[6]), "n2");
  EXPECT_EQ(str(cells[7]), "n3");
  EXPECT_EQ(str(cells[8]), "1/2");
}

TEST(PodTable, MissingCreationTimestampIsUnknownAge) {
  json::array cells = cells_of("Pod", R"({"metadata":{"name":"x"}})");
  EXPECT_EQ(str(cells[4]), "<unknown>");
  EXPECT_EQ(str(cells[1]), "0/0");
  EXPECT_EQ(str(cells[2]), "");
}

// --- Node --------------------------------------------------------------------------------------

std::string node(std::string_view labels, std::string_view spec, std::string_view status) {
  return R"({"metadata":{"name":"n1","creationTimestamp":"2024-04-29T12:00:00Z","labels":)" +
         std::string(labels) + R"(},"spec":)" + std::string(spec) + R"(,"status":)" +
         std::string(status) + "}";
}

TEST(NodeTable, ReadyNodeWithEverything) {
  json::array cells = cells_of(
      "Node",
      node(R"({"node-role.kubernetes.io/worker":"","node-role.kubernetes.io/control-plane":"",)"
           R"("kubernetes.io/role":"infra","kubernetes.io/hostname":"n1"})",
           "{}",
           R"({"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready",)"
           R"("status":"True"}],"addresses":[{"type":"Hostname","address":"n1"},{"type":)"
           R"("InternalIP","address":"192.168.1.10"},{"type":"ExternalIP","address":"1.2.3.4"}],)"
           R"("nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Ubuntu 24.04",)"
           R"("kernelVersion":"6.8.0","containerRuntimeVersion":"containerd://1.7.0"}})"));
  ASSERT_EQ(cells.size(), 10u);
  EXPECT_EQ(str(cells[1]), "Ready");
  EXPECT_EQ(str(cells[2]), "control-plane,infra,worker");
  EXPECT_EQ(str(cells[3]), "2d");
  EXPECT_EQ(str(cells[4]), "v1.32.0");
  EXPECT_EQ(str(cells[5]), "192.168.1.10");
  EXPECT_EQ(str(cells[6]), "1.2.3.4");
  EXPECT_EQ(str(cells[7]), "Ubuntu 24.04");
  EXPECT_EQ(str(cells[8]), "6.8.0");
  EXPECT_EQ(str(cells[9]), "containerd://1.7.0");
}

TEST(NodeTable, StatusVariants) {
  EXPECT_EQ(str(cells_of("Node", node("{}", "{}",
                                      R"({"conditions":[{"type":"Ready",)"
                                      R"("status":"Unknown"}]})"))[1]),
            "NotReady");
  EXPECT_EQ(str(cells_of("Node", node("{}", R"({"unschedulable":true})",
                                      R"({"conditions":[{"type":"Ready","status":"True"}]})"))[1]),
            "Ready,SchedulingDisabled");
  EXPECT_EQ(str(cells_of("Node", node("{}", R"({"unschedulable":true})", "{}"))[1]),
            "Unknown,SchedulingDisabled");
}

TEST(NodeTable, MissingInfoDefaults) {
  json::array cells = cells_of("Node", node(R"({"node-role.kubernetes.io/":""})", "{}", "{}"));
  EXPECT_EQ(str(cells[2]), "<none>");
  EXPECT_EQ(str(cells[4]), "");
  EXPECT_EQ(str(cells[5]), "<none>");
  EXPECT_EQ(str(cells[6]), "<none>");
  EXPECT_EQ(str(cells[7]), "<unknown>");
  EXPECT_EQ(str(cells[8]), "<unknown>");
  EXPECT_EQ(str(cells[9]), "<unknown>");
  json::value table = render(kind_info("", "Node"), {"{}"});
  EXPECT_EQ(wide_columns(table), (std::vector<std::string>{"Internal-IP", "External-IP", "OS-Image",
                                                           "Kernel-Version", "Container-Runtime"}));
}

// --- Namespace, ConfigMap, Secret, ServiceAccount ------------------------------------------------

TEST(SimpleTables, NamespaceStatus) {
  json::array cells = cells_of(
      "Namespace", R"({"metadata":{"name":"dev","creationTimestamp":"2024-05-01T11:59:58Z"},)"
                   R"("status":{"phase":"Terminating"}})");
  EXPECT_EQ(str(cells[1]), "Terminating");
  EXPECT_EQ(str(cells[2]), "2s");
}

TEST(SimpleTables, ConfigMapCountsDataAndBinaryData) {
  json::array cells =
      cells_of("ConfigMap",
               R"({"metadata":{"name":"c"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})");
  ASSERT_TRUE(cells[1].is_int());
  EXPECT_EQ(cells[1].as_int(), 3);
}

TEST(SimpleTables, SecretTypeAndData) {
  json::array cells =
      cells_of("Secret", R"({"metadata":{"name":"s"},"type":"Opaque","data":{"k":"dg=="}})");
  EXPECT_EQ(str(cells[1]), "Opaque");
  ASSERT_TRUE(cells[2].is_int());
  EXPECT_EQ(cells[2].as_int(), 1);
  EXPECT_EQ(cells_of("Secret", R"({"metadata":{"name":"s"}})")[2].as_int(), 0);
}

TEST(SimpleTables, ServiceAccountSecrets) {
  json::array cells = cells_of("ServiceAccount", R"({"metadata":{"name":"default"}})");
  ASSERT_EQ(cells.size(), 3u);
  ASSERT_TRUE(cells[1].is_int());
  EXPECT_EQ(cells[1].as_int(), 0);
  EXPECT_EQ(cells_of("ServiceAccount", R"({"secrets":[{"name":"a"},{"name":"b"}]})")[1].as_int(),
            2);
}

// --- Service and Endpoints ----------------------------------------------------------------------

std::string service(std::string_view spec, std::string_view status = "{}") {
  return R"({"metadata":{"name":"svc","creationTimestamp":"2024-05-01T11:00:00Z"},"spec":)" +
         std::string(spec) + R"(,"status":)" + std::string(status) + "}";
}

TEST(ServiceTable, ClusterIp) {
  json::array cells = cells_of(
      "Service",
      service(R"({"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],)"
              R"("ports":[{"port":53,"protocol":"UDP"},{"port":53,"protocol":"TCP"}],)"
              R"("selector":{"k8s-app":"kube-dns"}})"));
  ASSERT_EQ(cells.size(), 7u);
  EXPECT_EQ(str(cells[1]), "ClusterIP");
  EXPECT_EQ(str(cells[2]), "10.96.0.10");
  EXPECT_EQ(str(cells[3]), "<none>");
  EXPECT_EQ(str(cells[4]), "53/UDP,53/TCP");
  EXPECT_EQ(str(cells[5]), "60m");
  EXPECT_EQ(str(cells[6]), "k8s-app=kube-dns");
}

TEST(ServiceTable, NodePortWithExternalIps) {
  json::array cells =
      cells_of("Service", service(R"({"type":"NodePort","clusterIP":"10.96.1.1","externalIPs":)"
                                  R"(["5.6.7.8","5.6.7.9"],"ports":[{"port":80,"nodePort":30080,)"
                                  R"("protocol":"TCP"}]})"));
  EXPECT_EQ(str(cells[3]), "5.6.7.8,5.6.7.9");
  EXPECT_EQ(str(cells[4]), "80:30080/TCP");
  EXPECT_EQ(str(cells[6]), "<none>");
}

TEST(ServiceTable, LoadBalancer) {
  const std::string spec =
      R"({"type":"LoadBalancer","clusterIPs":["10.96.2.2"],"ports":[{"port":443,)"
      R"("nodePort":31443,"protocol":"TCP"}]})";
  EXPECT_EQ(str(cells_of("Service", service(spec))[3]), "<pending>");
  EXPECT_EQ(str(cells_of("Service",
                         service(spec, R"({"loadBalancer":{"ingress":[{"ip":"9.9.9.9"},)"
                                       R"({"hostname":"lb.example.com"},{"ip":"1.1.1.1"}]}})"))[3]),
            "1.1.1.1,9.9.9.9,lb.example.com");
  const std::string with_external = R"({"type":"LoadBalancer","externalIPs":["7.7.7.7"]})";
  EXPECT_EQ(str(cells_of("Service", service(with_external))[3]), "7.7.7.7");
  EXPECT_EQ(str(cells_of("Service", service(with_external, R"({"loadBalancer":{"ingress":)"
                                                           R"([{"ip":"9.9.9.9"}]}})"))[3]),
            "9.9.9.9,7.7.7.7");
  EXPECT_EQ(str(cells_of("Service", service(spec))[4]), "443:31443/TCP");
}

TEST(ServiceTable, ExternalNameAndHeadless) {
  json::array external =
      cells_of("Service", service(R"({"type":"ExternalName","externalName":"db.example.com"})"));
  EXPECT_EQ(str(external[2]), "<none>");
  EXPECT_EQ(str(external[3]), "db.example.com");
  EXPECT_EQ(str(external[4]), "<none>");
  json::array headless = cells_of(
      "Service", service(R"({"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"],)"
                         R"("ports":[{"port":80,"protocol":"TCP"}],"selector":{"app":"db"}})"));
  EXPECT_EQ(str(headless[2]), "None");
  EXPECT_EQ(str(headless[3]), "<none>");
}

TEST(ServiceTable, UnknownTypeAndSelectorOrder) {
  json::array cells =
      cells_of("Service",
               service(R"({"clusterIP":"10.0.0.1","selector":{"app":"x","a.b":"y","tier":"z"}})"));
  EXPECT_EQ(str(cells[1]), "");
  EXPECT_EQ(str(cells[3]), "<unknown>");
  // FormatLabels sorts whole "key=value" strings: "a.b=y" < "app=x".
  EXPECT_EQ(str(cells[6]), "a.b=y,app=x,tier=z");
}

std::string endpoints(std::string_view subsets) {
  return R"({"metadata":{"name":"ep","creationTimestamp":"2024-05-01T11:59:00Z"},"subsets":)" +
         std::string(subsets) + "}";
}

TEST(EndpointsTable, NoneAndFew) {
  EXPECT_EQ(str(cells_of("Endpoints", R"({"metadata":{"name":"ep"}})")[1]), "<none>");
  EXPECT_EQ(str(cells_of("Endpoints", endpoints("[]"))[1]), "<none>");
  json::array cells =
      cells_of("Endpoints", endpoints(R"([{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],)"
                                      R"("ports":[{"port":80,"protocol":"TCP"}]}])"));
  EXPECT_EQ(str(cells[1]), "10.0.0.1:80,10.0.0.2:80");
  EXPECT_EQ(str(cells[2]), "60s");
}

TEST(EndpointsTable, ManyAddressesAreCapped) {
  json::array cells = cells_of(
      "Endpoints",
      endpoints(
          R"([{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"},{"ip":"10.0.0.3"},)"
          R"({"ip":"10.0.0.4"},{"ip":"10.0.0.5"},{"ip":"10.0.0.6"}],"ports":[{"port":80}]}])"));
  EXPECT_EQ(str(cells[1]), "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more...");
}

TEST(EndpointsTable, PortsMultiplyAddresses) {
  json::array cells =
      cells_of("Endpoints",
               endpoints(R"([{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],)"
                         R"("ports":[{"name":"http","port":80},{"name":"https","port":443}]}])"));
  EXPECT_EQ(str(cells[1]), "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...");
}

TEST(EndpointsTable, HeadlessIpv6AndEmptySubsets) {
  EXPECT_EQ(str(cells_of("Endpoints",
                         endpoints(R"([{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}]}])"))[1]),
            "10.0.0.1,10.0.0.2");
  EXPECT_EQ(str(cells_of("Endpoints", endpoints(R"([{"addresses":[{"ip":"fd00::1"}],)"
                                                R"("ports":[{"port":8080}]}])"))[1]),
            "[fd00::1]:8080");
  // Only not-ready addresses: kube prints an empty cell, not <none>.
  EXPECT_EQ(str(cells_of("Endpoints", endpoints(R"([{"notReadyAddresses":[{"ip":"10.0.0.9"}],)"
                                                R"("ports":[{"port":80}]}])"))[1]),
            "");
}

// --- Events ------------------------------------------------------------------------------------

TEST(EventTable, ColumnsAndWideColumns) {
  json::value table = render(kind_info("", "Event"), {"{}"});
  EXPECT_EQ(column_names(table),
            (std::vector<std::string>{"Last Seen", "Type", "Reason", "Object", "Subobject",
                                      "Source", "Message", "First Seen", "Count", "Name"}));
  EXPECT_EQ(wide_columns(table),
            (std::vector<std::string>{"Subobject", "Source", "First Seen", "Count", "Name"}));
}

TEST(EventTable, CoreEvent) {
  json::array cells = cells_of(
      "Event",
      R"({"metadata":{"name":"web.17a"},"involvedObject":{"kind":"Pod","name":"web",)"
      R"("fieldPath":"spec.containers{app}"},"reason":"Pulled","message":"  Pulled image\n",)"
      R"("source":{"component":"kubelet","host":"n1"},"firstTimestamp":"2024-05-01T11:00:00Z",)"
      R"("lastTimestamp":"2024-05-01T11:58:00Z","count":4,"type":"Normal"})");
  ASSERT_EQ(cells.size(), 10u);
  EXPECT_EQ(str(cells[0]), "2m");
  EXPECT_EQ(str(cells[1]), "Normal");
  EXPECT_EQ(str(cells[2]), "Pulled");
  EXPECT_EQ(str(cells[3]), "pod/web");
  EXPECT_EQ(str(cells[4]), "spec.containers{app}");
  EXPECT_EQ(str(cells[5]), "kubelet, n1");
  EXPECT_EQ(str(cells[6]), "Pulled image");
  EXPECT_EQ(str(cells[7]), "60m");
  ASSERT_TRUE(cells[8].is_int());
  EXPECT_EQ(cells[8].as_int(), 4);
  EXPECT_EQ(str(cells[9]), "web.17a");
}

TEST(EventTable, NewApiEventWithSeries) {
  json::array cells = cells_of(
      "Event", R"({"metadata":{"name":"e"},"involvedObject":{"kind":"Node"},"eventTime":)"
               R"("2024-05-01T11:30:00.000000Z","series":{"count":7,"lastObservedTime":)"
               R"("2024-05-01T11:59:30.123456Z"},"reportingComponent":"scheduler",)"
               R"("reportingInstance":"sched-1","type":"Warning","reason":"FailedScheduling"})");
  EXPECT_EQ(str(cells[0]), "30s");
  EXPECT_EQ(str(cells[3]), "node");
  EXPECT_EQ(str(cells[5]), "scheduler, sched-1");
  EXPECT_EQ(str(cells[7]), "30m");
  EXPECT_EQ(cells[8].as_int(), 7);
}

TEST(EventTable, SingletonWithoutTimes) {
  json::array cells = cells_of("Event", R"({"metadata":{"name":"e"},"source":{"component":"x"}})");
  EXPECT_EQ(str(cells[0]), "<unknown>");
  EXPECT_EQ(str(cells[3]), "");
  EXPECT_EQ(str(cells[5]), "x");
  EXPECT_EQ(str(cells[7]), "<unknown>");
  EXPECT_EQ(cells[8].as_int(), 1);
}

TEST(EventTable, EventsApiFieldNames) {
  json::array cells =
      cells_of("events.k8s.io", "Event",
               R"({"metadata":{"name":"e"},"regarding":{"kind":"Deployment","name":"web"},)"
               R"("note":"Scaled up","deprecatedSource":{"component":"deployment-controller"},)"
               R"("deprecatedFirstTimestamp":"2024-05-01T11:00:00Z","deprecatedLastTimestamp":)"
               R"("2024-05-01T11:50:00Z","deprecatedCount":2,"reason":"ScalingReplicaSet"})");
  EXPECT_EQ(str(cells[0]), "10m");
  EXPECT_EQ(str(cells[3]), "deployment/web");
  EXPECT_EQ(str(cells[5]), "deployment-controller");
  EXPECT_EQ(str(cells[6]), "Scaled up");
  EXPECT_EQ(cells[8].as_int(), 2);
}

// --- Workloads ---------------------------------------------------------------------------------

constexpr std::string_view kTemplate =
    R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx",)"
    R"("image":"nginx:1.27"},{"name":"sidecar","image":"busybox"}]}})";

TEST(WorkloadTables, DeploymentTwoOfThree) {
  json::array cells = cells_of(
      "apps", "Deployment",
      R"({"metadata":{"name":"web","creationTimestamp":"2024-05-01T11:59:50Z"},"spec":{)"
      R"("replicas":3,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":)"
      R"("tier","operator":"In","values":["fe","be"]}]},)" +
          std::string(kTemplate) +
          R"(},"status":{"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2}})");
  ASSERT_EQ(cells.size(), 8u);
  EXPECT_EQ(str(cells[1]), "2/3");
  ASSERT_TRUE(cells[2].is_int());
  EXPECT_EQ(cells[2].as_int(), 3);
  EXPECT_EQ(cells[3].as_int(), 2);
  EXPECT_EQ(str(cells[4]), "10s");
  EXPECT_EQ(str(cells[5]), "nginx,sidecar");
  EXPECT_EQ(str(cells[6]), "nginx:1.27,busybox");
  EXPECT_EQ(str(cells[7]), "app=web,tier in (be,fe)");
}

TEST(WorkloadTables, DeploymentEmptyAndInvalidSelectors) {
  json::array fresh = cells_of("apps", "Deployment", R"({"metadata":{"name":"d"}})");
  EXPECT_EQ(str(fresh[1]), "0/0");
  EXPECT_EQ(fresh[2].as_int(), 0);
  EXPECT_EQ(str(fresh[7]), "");
  json::array invalid =
      cells_of("apps", "Deployment",
               R"({"spec":{"selector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]}}})");
  EXPECT_EQ(str(invalid[7]), "<invalid>");
}

TEST(WorkloadTables, ReplicaSet) {
  json::value table = render(kind_info("apps", "ReplicaSet"), {"{}"});
  EXPECT_EQ(column_names(table),
            (std::vector<std::string>{"Name", "Desired", "Current", "Ready", "Age", "Containers",
                                      "Images", "Selector"}));
  json::array cells =
      cells_of("apps", "ReplicaSet",
               R"({"metadata":{"name":"web-5d"},"spec":{"replicas":3,"selector":{"matchLabels":)"
               R"({"pod-template-hash":"5d","app":"web"}},)" +
                   std::string(kTemplate) + R"(},"status":{"replicas":3,"readyReplicas":1}})");
  EXPECT_EQ(cells[1].as_int(), 3);
  EXPECT_EQ(cells[2].as_int(), 3);
  EXPECT_EQ(cells[3].as_int(), 1);
  EXPECT_EQ(str(cells[7]), "app=web,pod-template-hash=5d");
  EXPECT_EQ(str(cells_of("apps", "ReplicaSet", "{}")[7]), "<none>");
  EXPECT_EQ(str(cells_of("apps", "ReplicaSet",
                         R"({"spec":{"selector":{"matchExpressions":[{"key":"a",)"
                         R"("operator":"In"}]}}})")[7]),
            "<error>");
}

TEST(WorkloadTables, ReplicationControllerUsesMapSelector) {
  json::array cells =
      cells_of("ReplicationController",
               R"({"metadata":{"name":"rc"},"spec":{"replicas":2,"selector":{"app":"web"},)" +
                   std::string(kTemplate) + R"(},"status":{"replicas":2,"readyReplicas":2}})");
  EXPECT_EQ(cells[1].as_int(), 2);
  EXPECT_EQ(cells[3].as_int(), 2);
  EXPECT_EQ(str(cells[5]), "nginx,sidecar");
  EXPECT_EQ(str(cells[7]), "app=web");
  EXPECT_EQ(str(cells_of("ReplicationController", "{}")[7]), "<none>");
}

TEST(WorkloadTables, StatefulSetAndDaemonSet) {
  json::array sts = cells_of("apps", "StatefulSet",
                             R"({"metadata":{"name":"db"},"spec":{"replicas":3,)" +
                                 std::string(kTemplate) + R"(},"status":{"readyReplicas":1}})");
  ASSERT_EQ(sts.size(), 5u);
  EXPECT_EQ(str(sts[1]), "1/3");
  json::array ds =
      cells_of("apps", "DaemonSet",
               R"({"metadata":{"name":"agent"},"spec":{"selector":{"matchLabels":{"app":"agent"}},)"
               R"("template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[)"
               R"({"name":"a","image":"agent:1"}]}}},"status":{"desiredNumberScheduled":3,)"
               R"("currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,)"
               R"("numberAvailable":2}})");
  ASSERT_EQ(ds.size(), 11u);
  EXPECT_EQ(ds[1].as_int(), 3);
  EXPECT_EQ(ds[3].as_int(), 2);
  EXPECT_EQ(ds[5].as_int(), 2);
  EXPECT_EQ(str(ds[6]), "kubernetes.io/os=linux");
  EXPECT_EQ(str(ds[10]), "app=agent");
}

TEST(WorkloadTables, JobStatusCompletionsDuration) {
  json::array done =
      cells_of("batch", "Job",
               R"({"metadata":{"name":"pi"},"spec":{"completions":1},"status":{"succeeded":1,)"
               R"("startTime":"2024-05-01T11:00:00Z","completionTime":"2024-05-01T11:00:42Z",)"
               R"("conditions":[{"type":"Complete","status":"True"}]}})");
  EXPECT_EQ(str(done[1]), "Complete");
  EXPECT_EQ(str(done[2]), "1/1");
  EXPECT_EQ(str(done[3]), "42s");
  json::array running =
      cells_of("batch", "Job",
               R"({"spec":{"parallelism":3},"status":{"startTime":"2024-05-01T11:55:00Z"}})");
  EXPECT_EQ(str(running[1]), "Running");
  EXPECT_EQ(str(running[2]), "0/1 of 3");
  EXPECT_EQ(str(running[3]), "5m");
  json::array failed =
      cells_of("batch", "Job", R"({"status":{"conditions":[{"type":"Failed","status":"True"}]}})");
  EXPECT_EQ(str(failed[1]), "Failed");
  EXPECT_EQ(str(failed[3]), "");
}

TEST(WorkloadTables, CronJob) {
  json::array cells = cells_of(
      "batch", "CronJob",
      R"({"metadata":{"name":"c"},"spec":{"schedule":"*/5 * * * *","suspend":false,)"
      R"("jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"j","image":"b"}]}}}}},)"
      R"("status":{"active":[{"name":"c-1"}],"lastScheduleTime":"2024-05-01T11:55:00Z"}})");
  ASSERT_EQ(cells.size(), 10u);
  EXPECT_EQ(str(cells[1]), "*/5 * * * *");
  EXPECT_EQ(str(cells[2]), "<none>");
  EXPECT_EQ(str(cells[3]), "False");
  EXPECT_EQ(cells[4].as_int(), 1);
  EXPECT_EQ(str(cells[5]), "5m");
  EXPECT_EQ(str(cells[7]), "j");
  EXPECT_EQ(str(cells[9]), "<none>");
  EXPECT_EQ(str(cells_of("batch", "CronJob", "{}")[5]), "<none>");
  EXPECT_EQ(str(cells_of("batch", "CronJob", "{}")[3]), "<unset>");
}

TEST(WorkloadTables, HorizontalPodAutoscaler) {
  json::array cells = cells_of(
      "autoscaling", "HorizontalPodAutoscaler",
      R"({"metadata":{"name":"web"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":)"
      R"("web"},"minReplicas":1,"maxReplicas":10,"metrics":[{"type":"Resource","resource":)"
      R"({"name":"cpu","target":{"type":"Utilization","averageUtilization":90}}}]},)"
      R"("status":{"currentReplicas":2}})");
  EXPECT_EQ(str(cells[1]), "Deployment/web");
  EXPECT_EQ(str(cells[2]), "cpu: <unknown>/90%");
  EXPECT_EQ(str(cells[3]), "1");
  EXPECT_EQ(cells[4].as_int(), 10);
  EXPECT_EQ(cells[5].as_int(), 2);
  json::array measured = cells_of(
      "autoscaling", "HorizontalPodAutoscaler",
      R"({"spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","target":)"
      R"({"averageUtilization":50}}},{"type":"Pods","pods":{"target":{"averageValue":"1k"}}},)"
      R"({"type":"Resource","resource":{"name":"memory","target":{"averageValue":"1Gi"}}}]},)"
      R"("status":{"currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":)"
      R"({"averageUtilization":12}}}]}})");
  EXPECT_EQ(str(measured[2]), "cpu: 12%/50%, <unknown>/1k + 1 more...");
  EXPECT_EQ(str(measured[3]), "<unset>");
  json::array v1 = cells_of("autoscaling", "HorizontalPodAutoscaler",
                            R"({"spec":{"targetCPUUtilizationPercentage":80},)"
                            R"("status":{"currentCPUUtilizationPercentage":5}})");
  EXPECT_EQ(str(v1[2]), "cpu: 5%/80%");
  EXPECT_EQ(str(cells_of("autoscaling", "HorizontalPodAutoscaler", "{}")[2]), "<none>");
}

// --- Storage, networking, RBAC ------------------------------------------------------------------

TEST(OtherTables, PersistentVolumeAndClaim) {
  json::array pv = cells_of(
      "PersistentVolume",
      R"({"metadata":{"name":"pv1"},"spec":{"capacity":{"storage":"10Gi"},"accessModes":)"
      R"(["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"],"persistentVolumeReclaimPolicy":)"
      R"("Retain","claimRef":{"namespace":"default","name":"data"},"storageClassName":"fast"},)"
      R"("status":{"phase":"Bound"}})");
  ASSERT_EQ(pv.size(), 11u);
  EXPECT_EQ(str(pv[1]), "10Gi");
  EXPECT_EQ(str(pv[2]), "RWO,RWX");
  EXPECT_EQ(str(pv[3]), "Retain");
  EXPECT_EQ(str(pv[4]), "Bound");
  EXPECT_EQ(str(pv[5]), "default/data");
  EXPECT_EQ(str(pv[6]), "fast");
  EXPECT_EQ(str(pv[7]), "<unset>");
  EXPECT_EQ(str(pv[10]), "<unset>");
  json::array pending = cells_of("PersistentVolumeClaim",
                                 R"({"metadata":{"name":"data"},"spec":{"resources":{"requests":)"
                                 R"({"storage":"1Gi"}}},"status":{"phase":"Pending"}})");
  EXPECT_EQ(str(pending[1]), "Pending");
  EXPECT_EQ(str(pending[3]), "");
  json::array bound = cells_of(
      "PersistentVolumeClaim",
      R"({"metadata":{"name":"data","annotations":{"volume.beta.kubernetes.io/storage-class":)"
      R"("old"}},"spec":{"volumeName":"pv1","storageClassName":"fast","volumeMode":)"
      R"("Filesystem"},"status":{"phase":"Bound","accessModes":["ReadWriteOnce"],)"
      R"("capacity":{"storage":"10Gi"}}})");
  EXPECT_EQ(str(bound[2]), "pv1");
  EXPECT_EQ(str(bound[3]), "10Gi");
  EXPECT_EQ(str(bound[4]), "RWO");
  EXPECT_EQ(str(bound[5]), "old");
  EXPECT_EQ(str(bound[8]), "Filesystem");
}

TEST(OtherTables, IngressAndStorageClass) {
  json::array ing =
      cells_of("networking.k8s.io", "Ingress",
               R"({"metadata":{"name":"i"},"spec":{"ingressClassName":"nginx","tls":[{}],"rules":[)"
               R"({"host":"a.com"},{"host":"b.com"},{},{"host":"c.com"},{"host":"d.com"}]},)"
               R"("status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}})");
  EXPECT_EQ(str(ing[1]), "nginx");
  EXPECT_EQ(str(ing[2]), "a.com,b.com,c.com + 2 more...");
  EXPECT_EQ(str(ing[3]), "1.2.3.4");
  EXPECT_EQ(str(ing[4]), "80, 443");
  EXPECT_EQ(str(cells_of("networking.k8s.io", "Ingress", "{}")[2]), "*");
  json::array sc =
      cells_of("storage.k8s.io", "StorageClass",
               R"({"metadata":{"name":"standard","annotations":{)"
               R"("storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"x.io/p"})");
  EXPECT_EQ(str(sc[0]), "standard (default)");
  EXPECT_EQ(str(sc[2]), "Delete");
  EXPECT_EQ(str(sc[3]), "Immediate");
  ASSERT_TRUE(sc[4].is_bool());
  EXPECT_FALSE(sc[4].as_bool());
}

TEST(OtherTables, RoleBindingSubjects) {
  json::array cells = cells_of(
      "rbac.authorization.k8s.io", "RoleBinding",
      R"({"metadata":{"name":"rb"},"roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[)"
      R"({"kind":"User","name":"alice"},{"kind":"Group","name":"devs"},{"kind":"User",)"
      R"("name":"bob"},{"kind":"ServiceAccount","namespace":"ci","name":"runner"}]})");
  EXPECT_EQ(str(cells[1]), "ClusterRole/view");
  EXPECT_EQ(str(cells[3]), "alice, bob");
  EXPECT_EQ(str(cells[4]), "devs");
  EXPECT_EQ(str(cells[5]), "ci/runner");
}

TEST(OtherTables, PdbQuotaRevision) {
  json::array pdb =
      cells_of("policy", "PodDisruptionBudget",
               R"({"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":1}})");
  EXPECT_EQ(str(pdb[1]), "50%");
  EXPECT_EQ(str(pdb[2]), "N/A");
  EXPECT_EQ(pdb[3].as_int(), 1);
  json::array quota = cells_of(
      "ResourceQuota",
      R"({"status":{"hard":{"pods":"10","limits.cpu":"2","cpu":"1"},"used":{"pods":"3"}}})");
  EXPECT_EQ(str(quota[2]), "cpu: 0/1, pods: 3/10");
  EXPECT_EQ(str(quota[3]), "limits.cpu: 0/2");
  json::array revision =
      cells_of("apps", "ControllerRevision",
               R"({"metadata":{"name":"r","ownerReferences":[{"apiVersion":"apps/v1","kind":)"
               R"("StatefulSet","name":"db","controller":true}]},"revision":4})");
  EXPECT_EQ(str(revision[1]), "statefulset.apps/db");
  EXPECT_EQ(revision[2].as_int(), 4);
}

// --- Kinds without a printer ---------------------------------------------------------------------

TEST(FallbackTables, DefaultConvertorKindsShowCreatedAt) {
  json::value table = render(kind_info("rbac.authorization.k8s.io", "ClusterRole"),
                             {R"({"metadata":{"name":"admin",)"
                              R"("creationTimestamp":"2024-04-30T10:20:30Z"}})",
                              "{}"});
  EXPECT_EQ(column_names(table), (std::vector<std::string>{"Name", "Created At"}));
  EXPECT_EQ(table.find("columnDefinitions")->as_array()[1].get_string("type"), "date");
  const auto& rows = table.find("rows")->as_array();
  EXPECT_EQ(str(rows[0].find("cells")->as_array()[1]), "2024-04-30T10:20:30Z");
  EXPECT_EQ(str(rows[1].find("cells")->as_array()[1]), "0001-01-01T00:00:00Z");
}

TEST(FallbackTables, UnknownKindsShowNameAndAge) {
  json::value table =
      render(kind_info("example.com", "Widget"), {R"({"metadata":{"name":"w","creationTimestamp":)"
                                                  R"("2024-05-01T09:00:00Z"}})"});
  EXPECT_EQ(column_names(table), (std::vector<std::string>{"Name", "Age"}));
  json::array cells = table.find("rows")->as_array()[0].find("cells")->as_array();
  EXPECT_EQ(str(cells[0]), "w");
  EXPECT_EQ(str(cells[1]), "3h");
}

TEST(FallbackTables, RegistryKindsAllHavePrinters) {
  for (const auto& info : all_resources()) {
    json::value table = render(info, {"{}"});
    EXPECT_GT(table.find("columnDefinitions")->as_array().size(), 2u) << info.kind;
  }
}

}  // namespace
}  // namespace kactor::api
