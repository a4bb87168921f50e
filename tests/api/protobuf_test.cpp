#include "api/protobuf.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace api = kactor::api;
namespace json = kactor::json;
namespace schema = kactor::api::schema;

namespace {

// ---- Test data: bodies captured from kubectl by scripts/capture_kubectl_protobuf.py ----------

std::filesystem::path testdata_dir() {
  return std::filesystem::path(KACTOR_SOURCE_DIR) / "tests" / "api" / "testdata";
}

std::string read_file(const std::string& name) {
  std::ifstream in(testdata_dir() / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing test data " << (testdata_dir() / name);
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

json::value parse_json(std::string_view text) {
  json::value out;
  const json::parse_result result = json::parse(text, out);
  EXPECT_TRUE(result.ok) << result.error << "\n" << text;
  return out;
}

// The member at `path`, null when absent (so a regression fails instead of crashing).
json::value at(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* found = v.at(path);
  return found ? *found : json::value();
}

void drop_nulls(json::value& v) {
  if (v.is_array())
    for (json::value& item : v.as_array()) drop_nulls(item);
  if (!v.is_object()) return;
  auto& members = v.as_object();
  std::erase_if(members, [](const json::member& m) { return m.val.is_null(); });
  for (json::member& m : members) drop_nulls(m.val);
}

// kubectl's `--dry-run=client -o json` object as the decoder should give it: Go's nulls are
// absent in protobuf, and apiVersion/kind lead.
json::value expected_object(std::string_view go_json) {
  json::value obj = parse_json(go_json);
  drop_nulls(obj);
  json::value typed = json::value::make_object();
  typed.set("apiVersion", at(obj, {"apiVersion"}));
  typed.set("kind", at(obj, {"kind"}));
  for (json::member& m : obj.as_object())
    if (m.key != "apiVersion" && m.key != "kind") typed.set(m.key, std::move(m.val));
  return typed;
}

json::value decode_ok(std::string_view body) {
  json::value out;
  const auto error = api::decode_protobuf_object(body, out);
  EXPECT_FALSE(error) << (error ? error->message : "");
  return out;
}

std::string decode_error(std::string_view body) {
  json::value out;
  const auto error = api::decode_protobuf_object(body, out);
  EXPECT_TRUE(error) << "decoded: " << json::dump(out);
  if (!error) return "";
  EXPECT_EQ(error->code, 400);
  EXPECT_EQ(error->reason, "BadRequest");
  return error->message;
}

const std::vector<std::string> kCapturesWithDryRun = {
    "autoscale_v1",
    "autoscale_v2",
    "autoscale_v2_max_only",
    "clusterrole",
    "clusterrolebinding",
    "configmap_dir",
    "configmap_env",
    "configmap_file",
    "configmap_literal",
    "cronjob",
    "deployment",
    "deployment_replicas0",
    "deployment_replicas3_port",
    "deployment_two_images",
    "ingress",
    "job",
    "namespace",
    "pdb_max_percent",
    "pdb_min",
    "pdb_min_zero",
    "quota",
    "role",
    "rolebinding",
    "secret_docker_registry",
    "secret_generic",
    "service_clusterip",
    "service_clusterip_none",
    "service_externalname",
    "service_loadbalancer",
    "service_nodeport",
    "serviceaccount",
};

class captured_body : public testing::TestWithParam<std::string> {};

// The decoded body equals the object kubectl built, member order included.
TEST_P(captured_body, DecodesToTheObjectKubectlBuilt) {
  const json::value decoded = decode_ok(read_file(GetParam() + ".pb"));
  const json::value expected = expected_object(read_file(GetParam() + ".json"));
  EXPECT_EQ(json::dump(decoded), json::dump(expected));
}

INSTANTIATE_TEST_SUITE_P(Kubectl, captured_body, testing::ValuesIn(kCapturesWithDryRun),
                         [](const auto& test) { return test.param; });

TEST(ProtobufCaptures, EveryCaptureIsListedInTheManifest) {
  const json::value manifest = parse_json(read_file("captures.json"));
  ASSERT_TRUE(manifest.is_array());
  std::vector<std::string> names;
  for (const json::value& entry : manifest.as_array()) names.emplace_back(entry.get_string("name"));
  for (const std::string& name : kCapturesWithDryRun)
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  EXPECT_NE(std::find(names.begin(), names.end(), "token"), names.end());
}

TEST(ProtobufCaptures, PointerZeroesStayAndOmitemptyZeroesGo) {
  const json::value deployment = decode_ok(read_file("deployment_replicas0.pb"));
  ASSERT_NE(deployment.at({"spec", "replicas"}), nullptr);
  EXPECT_EQ(at(deployment, {"spec", "replicas"}), json::value(0));
  EXPECT_EQ(deployment.at({"metadata", "generation"}), nullptr);
  EXPECT_EQ(deployment.at({"metadata", "namespace"}), nullptr);
  EXPECT_EQ(deployment.at({"metadata", "creationTimestamp"}), nullptr);
  EXPECT_EQ(at(deployment, {"status"}), json::value::make_object());
  EXPECT_EQ(at(deployment, {"spec", "strategy"}), json::value::make_object());

  const json::value pdb = decode_ok(read_file("pdb_min_zero.pb"));
  EXPECT_EQ(at(pdb, {"spec", "minAvailable"}), json::value(0));
  EXPECT_EQ(at(pdb, {"status", "disruptionsAllowed"}), json::value(0));  // no omitempty

  const json::value percent = decode_ok(read_file("pdb_max_percent.pb"));
  EXPECT_EQ(at(percent, {"spec", "maxUnavailable"}), json::value("25%"));
}

TEST(ProtobufCaptures, SecretBytesAreBase64) {
  const json::value secret = decode_ok(read_file("secret_generic.pb"));
  EXPECT_EQ(at(secret, {"data", "bin"}), json::value("AQL//g=="));  // 01 02 ff fe
  EXPECT_EQ(at(secret, {"data", "user"}), json::value("YWRtaW4="));
  EXPECT_EQ(at(secret, {"type"}), json::value("Opaque"));
}

TEST(ProtobufCaptures, AutoscaleV1AndV2) {
  const json::value v1 = decode_ok(read_file("autoscale_v1.pb"));
  EXPECT_EQ(v1.get_string("apiVersion"), "autoscaling/v1");
  EXPECT_EQ(at(v1, {"spec", "targetCPUUtilizationPercentage"}), json::value(80));
  EXPECT_EQ(at(v1, {"spec", "scaleTargetRef", "name"}), json::value("web"));
  const json::value v2 = decode_ok(read_file("autoscale_v2.pb"));
  EXPECT_EQ(v2.get_string("apiVersion"), "autoscaling/v2");
  const json::value* metrics = v2.at({"spec", "metrics"});
  ASSERT_NE(metrics, nullptr);
  ASSERT_EQ(metrics->as_array().size(), 1u);
  EXPECT_EQ(at(metrics->as_array()[0], {"resource", "target", "averageUtilization"}),
            json::value(80));
}

// `kubectl create token` has no dry-run form: TokenRequest{spec{audiences, expirationSeconds}};
// status.token has no omitempty, so Go's JSON (and this) writes it empty.
TEST(ProtobufCaptures, TokenRequest) {
  const json::value token = decode_ok(read_file("token.pb"));
  EXPECT_EQ(json::dump(token),
            R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},)"
            R"("spec":{"audiences":["api"],"expirationSeconds":600},"status":{"token":""}})");
}

// ---- Hand-made bodies ------------------------------------------------------------------------

std::string varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out += static_cast<char>(v | 0x80);
  out += static_cast<char>(v);
  return out;
}
std::string tag(int number, int wire_type) {
  return varint(static_cast<uint64_t>(number) << 3 | static_cast<uint64_t>(wire_type));
}
std::string num(int number, uint64_t v) {
  return tag(number, 0) + varint(v);
}
std::string len(int number, std::string_view payload) {
  return tag(number, 2) + varint(payload.size()) + std::string(payload);
}
std::string envelope(std::string_view api_version, std::string_view kind, std::string_view raw) {
  const std::string type_meta = len(1, api_version) + len(2, kind);
  return std::string("k8s\0", 4) + len(1, type_meta) + len(2, raw) + len(3, "") + len(4, "");
}
std::string map_entry(int number, std::string_view key, std::string_view value) {
  return len(number, len(1, key) + len(2, value));
}
std::string config_map(std::string_view raw) {
  return envelope("v1", "ConfigMap", raw);
}
std::string pod(std::string_view spec) {
  return envelope("v1", "Pod", len(1, len(1, "p")) + len(2, spec));
}

TEST(ProtobufDecode, ConfigMapFromKubectlWireDoc) {
  const std::string body = config_map(len(1, len(1, "c") + len(2, "") + num(7, 0) + len(8, "")) +
                                      map_entry(2, "a", "1"));
  EXPECT_EQ(json::dump(decode_ok(body)),
            R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}})");
}

TEST(ProtobufDecode, FieldsFollowSchemaOrderAndMapKeysAreSorted) {
  const std::string meta = len(12, len(1, "z") + len(2, "1")) + len(11, len(1, "b") + len(2, "")) +
                           len(11, len(1, "a") + len(2, "x")) + len(1, "n");
  const std::string body = config_map(num(4, 1) + map_entry(2, "k", "v") + len(1, meta));
  EXPECT_EQ(
      json::dump(decode_ok(body)),
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n","labels":{"a":"x","b":""},)"
      R"("annotations":{"z":"1"}},"immutable":true,"data":{"k":"v"}})");
}

TEST(ProtobufDecode, PointerFalseIsKept) {
  const json::value cm = decode_ok(config_map(num(4, 0)));
  EXPECT_EQ(at(cm, {"immutable"}), json::value(false));
}

TEST(ProtobufDecode, RepeatedKeyInMapKeepsLastValueAndMissingValueIsZero) {
  const std::string body = config_map(map_entry(2, "k", "1") + map_entry(2, "k", "2") +
                                      len(2, len(1, "empty")) + len(3, len(1, "b")));
  EXPECT_EQ(json::dump(decode_ok(body)),
            R"({"apiVersion":"v1","kind":"ConfigMap","data":{"empty":"","k":"2"},)"
            R"("binaryData":{"b":""}})");
}

TEST(ProtobufDecode, RepeatedMessageFieldMerges) {
  const std::string body =
      config_map(len(1, len(1, "first") + len(3, "ns")) + len(1, len(1, "second")));
  EXPECT_EQ(json::dump(at(decode_ok(body), {"metadata"})), R"({"name":"second","namespace":"ns"})");
}

TEST(ProtobufDecode, UnknownFieldsAreSkipped) {
  const std::string group = tag(40, 3) + num(1, 5) + tag(41, 3) + tag(41, 4) + tag(40, 4);
  const std::string fixed = tag(42, 1) + std::string(8, 'x') + tag(43, 5) + std::string(4, 'y');
  const std::string body =
      config_map(num(99, 7) + len(98, "junk") + group + fixed + len(1, len(1, "c") + num(50, 1)));
  EXPECT_EQ(json::dump(decode_ok(body)),
            R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})");
}

TEST(ProtobufDecode, PackedAndUnpackedRepeatedIntegers) {
  const std::string packed = len(4, varint(1) + varint(300) + varint(uint64_t{1} << 40));
  const std::string body = pod(len(14, num(4, 7) + packed + num(4, 8)));
  EXPECT_EQ(json::dump(at(decode_ok(body), {"spec", "securityContext"})),
            R"({"supplementalGroups":[7,1,300,1099511627776,8]})");
}

TEST(ProtobufDecode, NegativeInt32IsTenBytes) {
  const std::string port = num(3, static_cast<uint64_t>(int64_t{-1}));
  ASSERT_EQ(port.size(), 11u);
  const std::string body = pod(len(2, len(1, "c") + len(6, port)));
  EXPECT_EQ(json::dump(at(decode_ok(body), {"spec", "containers"})),
            R"([{"name":"c","ports":[{"containerPort":-1}]}])");
}

TEST(ProtobufDecode, Int64IsANumber) {
  const std::string body = pod(num(4, uint64_t{1} << 40) + num(11, 1));
  const json::value spec = at(decode_ok(body), {"spec"});
  EXPECT_EQ(json::dump(spec),
            R"({"terminationGracePeriodSeconds":1099511627776,"hostNetwork":true})");
}

TEST(ProtobufDecode, InlinedStructsFlattenIntoTheParent) {
  const std::string config_map_source = len(1, len(1, "cfg")) + num(3, 420);
  const std::string volume = len(1, "v") + len(2, len(19, config_map_source));
  const std::string http_get = len(1, "/healthz") + len(2, num(1, 1) + len(3, "http"));
  const std::string container = len(1, "c") + len(10, len(1, len(2, http_get)) + num(2, 5));
  const json::value spec = at(decode_ok(pod(len(1, volume) + len(2, container))), {"spec"});
  EXPECT_EQ(
      json::dump(spec),
      R"({"volumes":[{"name":"v","configMap":{"name":"cfg","defaultMode":420}}],)"
      R"("containers":[{"name":"c","livenessProbe":{"httpGet":{"path":"/healthz","port":"http"},)"
      R"("initialDelaySeconds":5}}]})");
}

TEST(ProtobufDecode, IntOrStringZeroIsANumberAndStringsAreStrings) {
  const std::string http_get = len(2, num(1, 0) + num(2, 0) + len(3, ""));
  const std::string container = len(1, "c") + len(10, len(1, len(2, http_get)));
  const json::value probe = at(decode_ok(pod(len(2, container))), {"spec", "containers"});
  EXPECT_EQ(json::dump(probe), R"([{"name":"c","livenessProbe":{"httpGet":{"port":0}}}])");
}

TEST(ProtobufDecode, QuantitiesAreCanonicalAndInvalidOnesFail) {
  const std::string limits =
      map_entry(1, "cpu", len(1, "0.5")) + map_entry(1, "memory", len(1, "1Gi"));
  const std::string container = len(1, "c") + len(8, limits);
  const json::value c = at(decode_ok(pod(len(2, container))), {"spec", "containers"});
  EXPECT_EQ(json::dump(c),
            R"([{"name":"c","resources":{"limits":{"cpu":"500m","memory":"1Gi"}}}])");

  const std::string bad = len(1, "c") + len(8, map_entry(1, "cpu", len(1, "lots")));
  EXPECT_EQ(decode_error(pod(len(2, bad))),
            "quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TEST(ProtobufDecode, TimesAreRfc3339AndEmptyTimeIsAbsent) {
  const std::string time = num(1, 1714557600) + num(2, 123456789);
  const std::string meta = len(1, "n") + len(8, time) + len(9, "");
  EXPECT_EQ(json::dump(at(decode_ok(config_map(len(1, meta))), {"metadata"})),
            R"({"name":"n","creationTimestamp":"2024-05-01T10:00:00Z"})");
  const std::string epoch = len(1, len(8, num(2, 5)));
  EXPECT_EQ(json::dump(at(decode_ok(config_map(epoch)), {"metadata"})),
            R"({"creationTimestamp":"1970-01-01T00:00:00Z"})");
  const std::string too_late = len(1, len(8, num(1, uint64_t{1} << 62)));
  EXPECT_EQ(decode_error(config_map(too_late)), "Time.MarshalJSON: year outside of range [0,9999]");
}

TEST(ProtobufDecode, MicroTimeKeepsMicroseconds) {
  const std::string event =
      len(1, len(1, "e")) + len(2, num(1, 1714557600) + num(2, 123456789)) + num(15, 0);
  EXPECT_EQ(json::dump(decode_ok(envelope("events.k8s.io/v1", "Event", event))),
            R"({"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e"},)"
            R"("eventTime":"2024-05-01T10:00:00.123456Z"})");
}

TEST(ProtobufDecode, RawExtensionAndFieldsV1CarryJson) {
  const std::string revision = len(2, len(1, R"({"spec":{"a":[1,2]}})")) + num(3, 2);
  EXPECT_EQ(json::dump(decode_ok(envelope("apps/v1", "ControllerRevision", revision))),
            R"({"apiVersion":"apps/v1","kind":"ControllerRevision","data":{"spec":{"a":[1,2]}},)"
            R"("revision":2})");
  const std::string entry = len(1, "kubectl") + len(2, "Update") + len(6, "FieldsV1") +
                            len(7, len(1, R"({"f:data":{}})"));
  const json::value cm = decode_ok(config_map(len(1, len(17, entry))));
  EXPECT_EQ(json::dump(at(cm, {"metadata", "managedFields"})),
            R"([{"manager":"kubectl","operation":"Update","fieldsType":"FieldsV1",)"
            R"("fieldsV1":{"f:data":{}}}])");
  EXPECT_TRUE(decode_error(envelope("apps/v1", "ControllerRevision", len(2, len(1, "not json"))))
                  .starts_with("RawExtension is not JSON: "));
}

TEST(ProtobufDecode, ListWrapperMapValuesAreArrays) {
  const std::string extra = map_entry(4, "scopes", len(1, "a") + len(1, "b"));
  const schema::message_type* user_info =
      schema::find_message("k8s.io.api.authentication.v1.UserInfo");
  ASSERT_NE(user_info, nullptr);
  json::value out;
  EXPECT_EQ(api::decode_protobuf_message(len(1, "alice") + len(3, "devs") + extra, *user_info, out),
            "");
  EXPECT_EQ(json::dump(out),
            R"({"username":"alice","groups":["devs"],"extra":{"scopes":["a","b"]}})");
}

TEST(ProtobufDecode, InvalidUtf8BecomesReplacementCharacters) {
  const json::value cm = decode_ok(config_map(map_entry(2, "k\xff", "a\xc3\x28z\xed\xa0\x80")));
  EXPECT_EQ(json::dump(at(cm, {"data"})),
            "{\"k\xef\xbf\xbd\":\"a\xef\xbf\xbd(z\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
  json::value reparsed;
  EXPECT_TRUE(json::parse(json::dump(cm), reparsed).ok);
}

TEST(ProtobufDecode, KindsMapToProtobufPackages) {
  const auto name = [](std::string_view api_version, std::string_view kind) {
    const schema::message_type* type = api::protobuf_kind_type(api_version, kind);
    return type ? std::string(type->full_name) : std::string("none");
  };
  EXPECT_EQ(name("v1", "ConfigMap"), "k8s.io.api.core.v1.ConfigMap");
  EXPECT_EQ(name("apps/v1", "Deployment"), "k8s.io.api.apps.v1.Deployment");
  EXPECT_EQ(name("autoscaling/v2", "HorizontalPodAutoscaler"),
            "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler");
  EXPECT_EQ(name("rbac.authorization.k8s.io/v1", "RoleBinding"), "k8s.io.api.rbac.v1.RoleBinding");
  EXPECT_EQ(name("networking.k8s.io/v1", "Ingress"), "k8s.io.api.networking.v1.Ingress");
  EXPECT_EQ(name("policy/v1", "Eviction"), "k8s.io.api.policy.v1.Eviction");
  EXPECT_EQ(name("authentication.k8s.io/v1", "TokenRequest"),
            "k8s.io.api.authentication.v1.TokenRequest");
  EXPECT_EQ(name("meta.k8s.io/v1", "DeleteOptions"),
            "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions");
  EXPECT_EQ(name("v1", "PodSpec"), "none");  // a message, not a kind
  EXPECT_EQ(name("apps/v1", "ConfigMap"), "none");
  EXPECT_EQ(name("a/b/c", "ConfigMap"), "none");
}

// ---- Errors ----------------------------------------------------------------------------------

TEST(ProtobufErrors, EnvelopeErrors) {
  EXPECT_EQ(decode_error(""), "empty data");
  EXPECT_EQ(
      decode_error("{\"kind\":\"ConfigMap\"}"),
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  EXPECT_EQ(
      decode_error("k8s"),
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  EXPECT_EQ(decode_error(std::string("k8s\0", 4)), "empty body");
  EXPECT_EQ(decode_error(std::string("k8s\0", 4) + "\x0a\x05\x0a\x02v1"), "unexpected EOF");
  EXPECT_EQ(decode_error(std::string("k8s\0", 4) + "\x0a"), "unexpected EOF");
}

TEST(ProtobufErrors, MissingOrUnknownKind) {
  EXPECT_EQ(decode_error(envelope("v1", "", "")),
            R"(Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"v1", Kind:""}')");
  EXPECT_EQ(
      decode_error(envelope("", "ConfigMap", "")),
      R"(Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:"", Kind:"ConfigMap"}')");
  EXPECT_EQ(decode_error(envelope("v1", "Frobnicator", "")),
            R"(no kind "Frobnicator" is registered for version "v1" in scheme )"
            R"("pkg/api/legacyscheme/scheme.go:30")");
  EXPECT_EQ(decode_error(envelope("example.com/v1", "Widget", "")),
            R"(no kind "Widget" is registered for version "example.com/v1" in scheme )"
            R"("pkg/api/legacyscheme/scheme.go:30")");
}

TEST(ProtobufErrors, MalformedRawMessages) {
  EXPECT_EQ(decode_error(config_map("\x0a")), "unexpected EOF");              // length missing
  EXPECT_EQ(decode_error(config_map("\x0a\x05\x0a\x01")), "unexpected EOF");  // length beyond end
  EXPECT_EQ(decode_error(config_map("\x20\x80")), "unexpected EOF");          // truncated varint
  EXPECT_EQ(decode_error(config_map(tag(4, 0) + std::string(10, '\xff') + "\x01")),
            "proto: integer overflow");
  EXPECT_EQ(decode_error(config_map(tag(2, 2) + varint(static_cast<uint64_t>(int64_t{-3})))),
            "proto: negative length found during unmarshaling");
  EXPECT_EQ(decode_error(config_map(num(1, 5))), "proto: wrong wireType = 0 for field ObjectMeta");
  EXPECT_EQ(decode_error(config_map(len(4, "x"))), "proto: wrong wireType = 2 for field Immutable");
  EXPECT_EQ(decode_error(config_map(len(1, num(1, 3)))),
            "proto: wrong wireType = 0 for field Name");
  EXPECT_EQ(decode_error(config_map(len(1, len(5, "") + num(5, 1)))),
            "proto: wrong wireType = 0 for field UID");
  EXPECT_EQ(decode_error(config_map(len(2, num(1, 1)))),
            "proto: wrong wireType = 0 for field Data");
  EXPECT_EQ(decode_error(config_map(len(1, len(13, num(5, 1))))),
            "proto: wrong wireType = 0 for field APIVersion");
  EXPECT_EQ(decode_error(std::string("k8s\0", 4) + num(1, 1)),
            "proto: wrong wireType = 0 for field TypeMeta");
  EXPECT_EQ(decode_error(std::string("k8s\0", 4) + len(1, num(2, 1))),
            "proto: wrong wireType = 0 for field Kind");
  EXPECT_EQ(decode_error(config_map(tag(0, 2) + varint(0))),
            "proto: ConfigMap: illegal tag 0 (wire type 2)");
  EXPECT_EQ(decode_error(config_map(tag(7, 4))),
            "proto: ConfigMap: wiretype end group for non-group");
  EXPECT_EQ(decode_error(config_map(tag(9, 6))), "proto: illegal wireType 6");
  EXPECT_EQ(decode_error(config_map(tag(9, 3) + num(1, 1))),
            "unexpected EOF");  // unterminated group
  EXPECT_EQ(decode_error(config_map(tag(9, 1) + "1234")), "unexpected EOF");
  EXPECT_EQ(decode_error(pod(len(2, len(10, len(1, len(2, len(2, num(1, 2)))))))),
            "impossible IntOrString.Type");
}

api::resource_info config_maps() {
  api::resource_info info;
  info.version = "v1";
  info.kind = "ConfigMap";
  info.plural = "configmaps";
  return info;
}

TEST(ProtobufErrors, WordedForTheUrlKind) {
  json::value out;
  auto error = api::decode_protobuf_object(config_maps(), config_map("\x0a\x05"), out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 400);
  EXPECT_EQ(error->message,
            R"(ConfigMap in version "v1" cannot be handled as a ConfigMap: unexpected EOF)");
  error = api::decode_protobuf_object(config_maps(), envelope("v1", "Frob", ""), out);
  ASSERT_TRUE(error);
  EXPECT_EQ(
      error->message,
      R"(Frob in version "v1" cannot be handled as a ConfigMap: no kind "Frob" is registered )"
      R"(for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30")");
  error = api::decode_protobuf_object(config_maps(), std::string("k8s\0\x0a", 5), out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message,
            "the object provided is unrecognized (must be of type ConfigMap): unexpected EOF "
            "(6b3873000a)");
  error = api::decode_protobuf_object(config_maps(), std::string(40, 'x'), out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message,
            "the object provided is unrecognized (must be of type ConfigMap): provided data does "
            "not appear to be a protobuf message, expected prefix [107 56 115 0] "
            "(787878787878787878787878787878787878787878787878787878787878 ...)");
}

TEST(ProtobufDecode, EmptyTypeMetaTakesTheUrlKind) {
  json::value out;
  const auto error =
      api::decode_protobuf_object(config_maps(), envelope("", "", map_entry(2, "a", "b")), out);
  ASSERT_FALSE(error) << error->message;
  EXPECT_EQ(json::dump(out), R"({"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}})");
}

// ---- Robustness: corrupted captured bodies never crash -----------------------------------------

void expect_decodes_or_fails_cleanly(std::string_view body) {
  json::value out;
  if (api::decode_protobuf_object(body, out)) return;
  json::value reparsed;
  EXPECT_TRUE(json::parse(json::dump(out), reparsed).ok);
}

// A cut body fails unless it ends exactly after a field of the envelope: after typeMeta (the
// object is then empty), after raw, after contentEncoding (kubectl ends the envelope with
// contentEncoding and contentType, both empty: 4 bytes).
TEST(ProtobufRobustness, TruncatedBodies) {
  for (const std::string& name : kCapturesWithDryRun) {
    const std::string body = read_file(name + ".pb");
    ASSERT_TRUE(body.ends_with(std::string("\x1a\x00\x22\x00", 4))) << name;
    ASSERT_EQ(body[4], '\x0a') << name;
    const size_t type_meta_end = 6 + static_cast<uint8_t>(body[5]);
    for (size_t n = 0; n < body.size(); ++n) {
      const std::string_view prefix = std::string_view(body).substr(0, n);
      json::value out;
      if (n == type_meta_end || n == body.size() - 4 || n == body.size() - 2)
        expect_decodes_or_fails_cleanly(prefix);
      else
        EXPECT_TRUE(api::decode_protobuf_object(prefix, out)) << name << " cut to " << n;
    }
  }
}

// One random change: a flipped bit, a replaced, deleted or inserted byte.
void mutate(std::string& body, std::mt19937& rng) {
  if (body.empty()) return;
  const size_t pos = rng() % body.size();
  switch (rng() % 4) {
    case 0:
      body[pos] = static_cast<char>(body[pos] ^ (1 << (rng() % 8)));
      break;
    case 1:
      body[pos] = static_cast<char>(rng());
      break;
    case 2:
      body.erase(pos, 1);
      break;
    default:
      body.insert(pos, 1, static_cast<char>(rng()));
  }
}

TEST(ProtobufRobustness, RandomChangesNeverCrash) {
  std::mt19937 rng(20250101);
  for (const std::string& name : kCapturesWithDryRun) {
    const std::string original = read_file(name + ".pb");
    for (int i = 0; i < 2000; ++i) {
      std::string body = original;
      for (int changes = 1 + i % 4; changes > 0; --changes) mutate(body, rng);
      expect_decodes_or_fails_cleanly(body);
    }
  }
}

}  // namespace
