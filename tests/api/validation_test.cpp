#include "api/validation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/defaults.hpp"
#include "api/json.hpp"

namespace kactor::api {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

json::value parse(std::string_view text) {
  json::value v;
  auto result = json::parse(text, v);
  EXPECT_TRUE(result.ok) << result.error;
  return v;
}

// Causes as kube-apiserver prints them in the Status message: "<field>: <message>".
std::vector<std::string> texts(const std::vector<status_cause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes)
    out.push_back(c.field.empty() ? c.message : c.field + ": " + c.message);
  return out;
}

using validator = void (*)(const json::value&, std::vector<status_cause>&);

std::vector<std::string> errors(validator fn, std::string_view object) {
  std::vector<status_cause> causes;
  fn(parse(object), causes);
  return texts(causes);
}

// A defaulted object, as admission validates it.
template <typename Defaulter>
std::vector<std::string> defaulted_errors(validator fn, Defaulter defaults,
                                          std::string_view object) {
  json::value obj = parse(object);
  defaults(obj);
  std::vector<status_cause> causes;
  fn(obj, causes);
  return texts(causes);
}

const std::string kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// ---- Format checks -------------------------------------------------------------------------

TEST(FormatChecks, Dns1123Subdomain) {
  EXPECT_THAT(is_dns1123_subdomain("example.com"), IsEmpty());
  EXPECT_THAT(is_dns1123_subdomain("Bad_Name"), ElementsAre(kSubdomainMsg));
  EXPECT_THAT(is_dns1123_subdomain(std::string(254, 'a')),
              ElementsAre("must be no more than 253 characters"));
  EXPECT_THAT(is_dns1123_subdomain("a..b"), ElementsAre(kSubdomainMsg));
}

TEST(FormatChecks, Dns1123Label) {
  EXPECT_THAT(is_dns1123_label("my-name"), IsEmpty());
  EXPECT_THAT(is_dns1123_label("a.b"), ElementsAre("must not contain dots"));
  EXPECT_THAT(is_dns1123_label("-a"),
              ElementsAre("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                          "characters or '-', and must start and end with an alphanumeric "
                          "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  EXPECT_THAT(is_dns1123_label(std::string(64, 'a')),
              ElementsAre("must be no more than 63 characters"));
}

TEST(FormatChecks, Dns1035Label) {
  EXPECT_THAT(is_dns1035_label("abc-123"), IsEmpty());
  EXPECT_THAT(is_dns1035_label("1abc"),
              ElementsAre("a DNS-1035 label must consist of lower case alphanumeric characters "
                          "or '-', start with an alphabetic character, and end with an "
                          "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
                          "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
}

TEST(FormatChecks, QualifiedName) {
  const std::string regex =
      "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
      "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  EXPECT_THAT(is_qualified_name("example.com/My_Name"), IsEmpty());
  EXPECT_THAT(is_qualified_name("-bad"), ElementsAre("name part " + regex));
  EXPECT_THAT(is_qualified_name("/x"), ElementsAre("prefix part must be non-empty"));
  EXPECT_THAT(is_qualified_name("example.com/"),
              ElementsAre("name part must be non-empty", "name part " + regex));
  EXPECT_THAT(is_qualified_name("Bad/x"), ElementsAre("prefix part " + kSubdomainMsg));
  EXPECT_THAT(is_qualified_name("a/b/c"),
              ElementsAre("a qualified name " + regex +
                          " with an optional DNS subdomain prefix and '/' (e.g. "
                          "'example.com/MyName')"));
  EXPECT_THAT(is_qualified_name(std::string(64, 'a')),
              ElementsAre("name part must be no more than 63 characters"));
}

TEST(FormatChecks, LabelValue) {
  EXPECT_THAT(is_valid_label_value(""), IsEmpty());
  EXPECT_THAT(is_valid_label_value("v1.2_x"), IsEmpty());
  EXPECT_THAT(
      is_valid_label_value("-x"),
      ElementsAre("a valid label must be an empty string or consist of alphanumeric "
                  "characters, '-', '_' or '.', and must start and end with an "
                  "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                  "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
}

TEST(FormatChecks, ConfigMapKey) {
  EXPECT_THAT(is_config_map_key("key.name"), IsEmpty());
  EXPECT_THAT(is_config_map_key("..a"), ElementsAre("must not start with '..'"));
  EXPECT_THAT(is_config_map_key("."), ElementsAre("must not be '.'"));
  EXPECT_THAT(is_config_map_key("a b"),
              ElementsAre("a valid config key must consist of alphanumeric characters, '-', '_' "
                          "or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                          "validation is '[-._a-zA-Z0-9]+')"));
}

TEST(FormatChecks, Ports) {
  EXPECT_THAT(is_valid_port_num(1), IsEmpty());
  EXPECT_THAT(is_valid_port_num(65535), IsEmpty());
  EXPECT_THAT(is_valid_port_num(0), ElementsAre("must be between 1 and 65535, inclusive"));
  EXPECT_THAT(is_valid_port_num(65536), ElementsAre("must be between 1 and 65535, inclusive"));
  EXPECT_THAT(is_valid_port_name("http"), IsEmpty());
  EXPECT_THAT(is_valid_port_name("123"), ElementsAre("must contain at least one letter (a-z)"));
  EXPECT_THAT(is_valid_port_name("a--b"), ElementsAre("must not contain consecutive hyphens"));
  EXPECT_THAT(is_valid_port_name("-web"), ElementsAre("must not begin or end with a hyphen"));
  EXPECT_THAT(
      is_valid_port_name("Web"),
      ElementsAre("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
  EXPECT_THAT(is_valid_port_name("abcdefghijklmnop"),
              ElementsAre("must be no more than 15 characters"));
}

TEST(FormatChecks, EnvVarNames) {
  EXPECT_THAT(is_relaxed_env_var_name("1 weird.NAME-ok"), IsEmpty());
  EXPECT_THAT(is_relaxed_env_var_name(""),
              ElementsAre("environment variable name must be non-empty"));
  EXPECT_THAT(is_relaxed_env_var_name("A=B"),
              ElementsAre("a valid environment variable name must consist only of printable "
                          "ASCII characters other than '='"));
}

TEST(FormatChecks, IPsAndCIDRs) {
  EXPECT_TRUE(is_valid_ip("10.0.0.1"));
  EXPECT_TRUE(is_valid_ip("010.000.000.001"));  // ParseIPSloppy accepts leading zeros
  EXPECT_TRUE(is_valid_ip("2001:db8::1"));
  EXPECT_TRUE(is_valid_ip("::ffff:1.2.3.4"));
  EXPECT_FALSE(is_valid_ip("256.0.0.1"));
  EXPECT_FALSE(is_valid_ip("1.2.3"));
  EXPECT_FALSE(is_valid_ip("fe80::1%eth0"));
  EXPECT_FALSE(is_valid_ip(""));
  EXPECT_TRUE(is_valid_cidr("10.0.0.0/8"));
  EXPECT_TRUE(is_valid_cidr("2001:db8::/64"));
  EXPECT_FALSE(is_valid_cidr("10.0.0.0/33"));
  EXPECT_TRUE(is_valid_cidr("10.0.0.0/08"));
  EXPECT_FALSE(is_valid_cidr("2001:db8::/129"));
  EXPECT_FALSE(is_valid_cidr("10.0.0.0"));
}

TEST(FormatChecks, NamesByRule) {
  EXPECT_EQ(name_rule_for_kind("Namespace"), name_rule::dns1123_label);
  EXPECT_EQ(name_rule_for_kind("Service"), name_rule::dns1035_label);
  EXPECT_EQ(name_rule_for_kind("Event"), name_rule::path_segment);
  EXPECT_EQ(name_rule_for_kind("Pod"), name_rule::dns1123_subdomain);
  EXPECT_THAT(validate_name("web-", name_rule::dns1123_subdomain, true), IsEmpty());
  EXPECT_THAT(validate_name("web-", name_rule::dns1123_subdomain, false),
              ElementsAre(kSubdomainMsg));
  EXPECT_THAT(validate_name("Node.X", name_rule::path_segment, false), IsEmpty());
  EXPECT_THAT(validate_name("..", name_rule::path_segment, false), ElementsAre("may not be '..'"));
  EXPECT_THAT(validate_name("a/b%", name_rule::path_segment, false),
              ElementsAre("may not contain '/'", "may not contain '%'"));
}

TEST(FieldErrors, HelpersAndQuoting) {
  status_cause r = required_field("spec.x", "why");
  EXPECT_EQ(r.reason, "FieldValueRequired");
  EXPECT_EQ(r.message, "Required value: why");
  EXPECT_EQ(required_field("spec.x", "").message, "Required value");
  status_cause n = not_found_value("spec.v", "\"data\"");
  EXPECT_EQ(n.reason, "FieldValueNotFound");
  EXPECT_EQ(n.message, "Not found: \"data\"");
  EXPECT_EQ(go_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
}

// ---- ObjectMeta ----------------------------------------------------------------------------

std::vector<std::string> meta_errors(std::string_view meta, bool namespaced = true,
                                     name_rule rule = name_rule::dns1123_subdomain) {
  return texts(validate_object_meta(parse(meta), namespaced, rule));
}

TEST(ObjectMeta, NameRequired) {
  EXPECT_THAT(meta_errors(R"({"namespace":"default"})"),
              ElementsAre("metadata.name: Required value: name or generateName is required"));
}

TEST(ObjectMeta, NameSyntaxFollowsTheRule) {
  EXPECT_THAT(meta_errors(R"({"name":"Bad","namespace":"default"})"),
              ElementsAre("metadata.name: Invalid value: \"Bad\": " + kSubdomainMsg));
  EXPECT_THAT(meta_errors(R"({"name":"a.b"})", false, name_rule::dns1123_label),
              ElementsAre("metadata.name: Invalid value: \"a.b\": must not contain dots"));
  EXPECT_THAT(meta_errors(R"({"generateName":"web-","namespace":"default","name":"web-x1"})"),
              IsEmpty());
}

TEST(ObjectMeta, Namespace) {
  EXPECT_THAT(meta_errors(R"({"name":"a"})"), ElementsAre("metadata.namespace: Required value"));
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"x"})", false),
              ElementsAre("metadata.namespace: Forbidden: not allowed on this type"));
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"a.b"})"),
              ElementsAre("metadata.namespace: Invalid value: \"a.b\": must not contain dots"));
}

TEST(ObjectMeta, LabelsAndAnnotations) {
  EXPECT_THAT(
      meta_errors(R"({"name":"a","namespace":"d","labels":{"app":"-x"}})"),
      ElementsAre(::testing::StartsWith(
          "metadata.labels: Invalid value: \"-x\": a valid label must be an empty string")));
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"d","labels":{"a/b/c":"x"}})"),
              ElementsAre(::testing::StartsWith(
                  "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist")));
  // Annotation keys are checked lowercased but shown as written.
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"d","annotations":{"Example.com/Key":"v"}})"),
              IsEmpty());
  std::string big(256 * 1024, 'x');
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"d","annotations":{"k":")" + big + "\"}}"),
              ElementsAre("metadata.annotations: Too long: may not be more than 262144 bytes"));
}

TEST(ObjectMeta, AnnotationKeysWithAndWithoutUpperCase) {
  const json::value annotations =
      parse(R"({"Bad Key/X":"v","ok":"v","Upper.Example.COM/Name_":"v","x/Y-":"v"})");
  EXPECT_THAT(
      texts(validate_annotations(&annotations, "metadata.annotations")),
      ElementsAre(::testing::StartsWith("metadata.annotations: Invalid value: \"Bad Key/X\": "
                                        "prefix part a lowercase RFC 1123 subdomain"),
                  ::testing::StartsWith("metadata.annotations: Invalid value: "
                                        "\"Upper.Example.COM/Name_\": name part must"),
                  ::testing::StartsWith("metadata.annotations: Invalid value: \"x/Y-\": "
                                        "name part must")));
}

TEST(ObjectMeta, OwnerReferencesAndFinalizers) {
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"d","ownerReferences":[{}]})"),
              ElementsAre("metadata.ownerReferences.apiVersion: Invalid value: \"\": version "
                          "must not be empty",
                          "metadata.ownerReferences.kind: Invalid value: \"\": must not be empty",
                          "metadata.ownerReferences.name: Invalid value: \"\": must not be empty",
                          "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty"));
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"d",
                              "finalizers":["orphan","foregroundDeletion"]})"),
              ElementsAre("metadata.finalizers: Invalid value: []string{\"orphan\", "
                          "\"foregroundDeletion\"}: finalizer orphan and foregroundDeletion "
                          "cannot be both set"));
  EXPECT_THAT(meta_errors(R"({"name":"a","namespace":"d","generation":-1})"),
              ElementsAre("metadata.generation: Invalid value: -1: must be greater than or equal "
                          "to 0"));
}

// ---- Pod -----------------------------------------------------------------------------------

std::vector<std::string> pod_errors(std::string_view spec) {
  return defaulted_errors(
      validate_pod, set_defaults_pod,
      R"({"metadata":{"name":"p","namespace":"d"},"spec":)" + std::string(spec) + "}");
}

TEST(PodValidation, MinimalPodIsValid) {
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"nginx"}]})"), IsEmpty());
}

TEST(PodValidation, ContainersRequired) {
  EXPECT_THAT(pod_errors(R"({})"), ElementsAre("spec.containers: Required value"));
}

TEST(PodValidation, ContainerNameAndImage) {
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c"}]})"),
              ElementsAre("spec.containers[0].image: Required value"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"C_1","image":"x"}]})"),
              ElementsAre("spec.containers[0].name: Invalid value: \"C_1\": " +
                          std::string("a lowercase RFC 1123 label must consist of lower case "
                                      "alphanumeric characters or '-', and must start and end "
                                      "with an alphanumeric character (e.g. 'my-name',  or "
                                      "'123-abc', regex used for validation is "
                                      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x"},{"name":"c","image":"y"}]})"),
              ElementsAre("spec.containers[1].name: Duplicate value: \"c\""));
  EXPECT_THAT(pod_errors(R"({"containers":[{"image":"x"}]})"),
              ElementsAre("spec.containers[0].name: Required value"));
}

TEST(PodValidation, ContainerPorts) {
  EXPECT_THAT(
      pod_errors(R"({"containers":[{"name":"c","image":"x","ports":[{"containerPort":70000}]}]})"),
      ElementsAre("spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be "
                  "between 1 and 65535, inclusive"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "ports":[{"containerPort":80,"protocol":"HTTP"}]}]})"),
              ElementsAre("spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": "
                          "supported values: \"SCTP\", \"TCP\", \"UDP\""));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "ports":[{"name":"web","containerPort":80},
                                     {"name":"web","containerPort":81}]}]})"),
              ElementsAre("spec.containers[0].ports[1].name: Duplicate value: \"web\""));
}

// Long lists are checked for duplicates too, past the names kept inline.
TEST(PodValidation, DuplicatesAmongManyEntries) {
  std::string containers;
  for (int i = 0; i < 12; ++i) {
    containers += R"({"name":"c)" + std::to_string(i) + R"(","image":"x"},)";
  }
  containers += R"({"name":"c3","image":"x"},{"name":"c11","image":"x"})";
  EXPECT_THAT(pod_errors(R"({"containers":[)" + containers + "]}"),
              ElementsAre("spec.containers[12].name: Duplicate value: \"c3\"",
                          "spec.containers[13].name: Duplicate value: \"c11\""));
  std::string ports;
  for (int i = 0; i < 20; ++i) {
    ports += R"({"name":"p)" + std::to_string(i) + R"(","containerPort":)" +
             std::to_string(8000 + i) + "},";
  }
  ports += R"({"name":"p17","containerPort":9000})";
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x","ports":[)" + ports + "]}]}"),
              ElementsAre("spec.containers[0].ports[20].name: Duplicate value: \"p17\""));
}

TEST(PodValidation, Policies) {
  EXPECT_THAT(
      pod_errors(R"({"restartPolicy":"Sometimes","containers":[{"name":"c","image":"x"}]})"),
      ElementsAre("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
                  "\"Always\", \"OnFailure\", \"Never\""));
  EXPECT_THAT(pod_errors(R"({"dnsPolicy":"Cluster","containers":[{"name":"c","image":"x"}]})"),
              ElementsAre("spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: "
                          "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x","imagePullPolicy":"Maybe"}]})"),
              ElementsAre("spec.containers[0].imagePullPolicy: Unsupported value: \"Maybe\": "
                          "supported values: \"Always\", \"IfNotPresent\", \"Never\""));
}

TEST(PodValidation, Env) {
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x","env":[{"name":"A=B"}]}]})"),
              ElementsAre("spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid "
                          "environment variable name must consist only of printable ASCII "
                          "characters other than '='"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x","env":[{"name":"N",
                            "valueFrom":{"fieldRef":{"fieldPath":"spec.bogus"}}}]}]})"),
              ElementsAre("spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid "
                          "value: \"spec.bogus\": error converting fieldPath: field label not "
                          "supported: spec.bogus"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x","env":[{"name":"N",
                            "valueFrom":{}}]}]})"),
              ElementsAre("spec.containers[0].env[0].valueFrom: Invalid value: \"\": must "
                          "specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
                          "`secretKeyRef`"));
}

TEST(PodValidation, VolumesAndMounts) {
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "volumeMounts":[{"name":"data","mountPath":"/d"}]}]})"),
              ElementsAre("spec.containers[0].volumeMounts[0].name: Not found: \"data\""));
  EXPECT_THAT(pod_errors(R"({"volumes":[{"name":"data"}],"containers":[{"name":"c","image":"x",
                            "volumeMounts":[{"name":"data"}]}]})"),
              ElementsAre("spec.containers[0].volumeMounts[0].mountPath: Required value"));
  EXPECT_THAT(pod_errors(R"({"volumes":[{"name":"v"},{"name":"v"}],
                            "containers":[{"name":"c","image":"x"}]})"),
              ElementsAre("spec.volumes[1].name: Duplicate value: \"v\""));
  EXPECT_THAT(pod_errors(R"({"volumes":[{"name":"v","emptyDir":{},"hostPath":{"path":"/x"}}],
                            "containers":[{"name":"c","image":"x"}]})"),
              ElementsAre("spec.volumes[0].hostPath: Forbidden: may not specify more than 1 "
                          "volume type"));
  EXPECT_THAT(pod_errors(R"({"volumes":[{"name":"v","configMap":{}}],
                            "containers":[{"name":"c","image":"x"}]})"),
              ElementsAre("spec.volumes[0].configMap.name: Required value"));
  // A volume with errors is not registered: its mounts are not found either.
  EXPECT_THAT(pod_errors(R"({"volumes":[{"name":"V"}],"containers":[{"name":"c","image":"x",
                            "volumeMounts":[{"name":"V","mountPath":"/d"}]}]})"),
              ElementsAre(::testing::StartsWith("spec.volumes[0].name: Invalid value: \"V\""),
                          "spec.containers[0].volumeMounts[0].name: Not found: \"V\""));
}

TEST(PodValidation, VolumeWithoutSourceAsValidated) {
  std::vector<status_cause> causes;
  validate_pod_spec(parse(R"({"terminationGracePeriodSeconds":30,"restartPolicy":"Always",
                             "dnsPolicy":"ClusterFirst","volumes":[{"name":"v"}],
                             "containers":[{"name":"c","image":"x","imagePullPolicy":"Always",
                                            "terminationMessagePolicy":"File"}]})"),
                    "spec.template.spec", causes);
  EXPECT_THAT(texts(causes),
              ElementsAre("spec.template.spec.volumes[0]: Required value: must specify a volume "
                          "type"));
}

TEST(PodValidation, Resources) {
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}}}]})"),
              ElementsAre("spec.containers[0].resources.requests: Invalid value: \"2\": must be "
                          "less than or equal to cpu limit of 1"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "resources":{"requests":{"memory":"-1Mi"}}}]})"),
              ElementsAre("spec.containers[0].resources.requests[memory]: Invalid value: "
                          "\"-1Mi\": must be greater than or equal to 0"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "resources":{"requests":{"gpus":"1"}}}]})"),
              ElementsAre("spec.containers[0].resources.requests[gpus]: Invalid value: "
                          "\"gpus\": must be a standard resource type or fully qualified"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "resources":{"requests":{"example.com/gpu":"1"}}}]})"),
              ElementsAre("spec.containers[0].resources.limits: Required value: Limit must be "
                          "set for non overcommitable resources"));
}

TEST(PodValidation, Probes) {
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "livenessProbe":{"successThreshold":2,"exec":{"command":["true"]}}}]})"),
              ElementsAre("spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: "
                          "must be 1"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x","readinessProbe":{}}]})"),
              ElementsAre("spec.containers[0].readinessProbe: Required value: must specify a "
                          "handler type"));
  EXPECT_THAT(pod_errors(R"({"containers":[{"name":"c","image":"x",
                            "readinessProbe":{"tcpSocket":{"port":0}}}]})"),
              ElementsAre("spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: 0: "
                          "must be between 1 and 65535, inclusive"));
}

TEST(PodValidation, InitContainerNamesAreUniqueAcrossLists) {
  EXPECT_THAT(pod_errors(R"({"initContainers":[{"name":"c","image":"x"}],
                            "containers":[{"name":"c","image":"x"}]})"),
              ElementsAre("spec.initContainers[0].name: Duplicate value: \"c\""));
}

TEST(PodValidation, TemplatePathPrefix) {
  std::vector<status_cause> causes;
  json::value spec = parse(R"({"containers":[{"name":"c"}]})");
  default_pod_spec(spec);
  validate_pod_spec(spec, "spec.template.spec", causes);
  EXPECT_THAT(texts(causes), ElementsAre("spec.template.spec.containers[0].image: Required value"));
}

TEST(PodValidation, ResourceErrorsNameTheirPaths) {
  const std::vector<std::string> expected = {
      R"(spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0)",
      R"(spec.containers[0].resources.limits[example.com/gpu]: Invalid value: "1500m": must be an integer)",
      R"(spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1)",
      R"(spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 1500m)",
      R"(spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources)",
      R"(spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0)"};
  EXPECT_EQ(
      defaulted_errors(
          validate_pod, set_defaults_pod,
          R"({"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1","memory":"-1Gi","example.com/gpu":"1500m"},"requests":{"cpu":"2","hugepages-2Mi":"2Mi","example.com/gpu":"1"}}}]}})"),
      expected);
}

TEST(PodValidation, ProbeErrorsNameTheirPaths) {
  const std::vector<std::string> expected = {
      R"(spec.containers[0].livenessProbe.exec.command: Required value)",
      R"(spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type)",
      R"(spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1)",
      R"(spec.containers[0].readinessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive)",
      R"(spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS")",
      R"(spec.containers[0].readinessProbe.successThreshold: Invalid value: -1: must be greater than or equal to 0)",
      R"(spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes)"};
  EXPECT_EQ(
      defaulted_errors(
          validate_pod, set_defaults_pod,
          R"({"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"i","readinessProbe":{"httpGet":{"port":70000,"scheme":"FTP"},"successThreshold":-1,"terminationGracePeriodSeconds":5},"livenessProbe":{"exec":{},"tcpSocket":{"port":"a--b"},"successThreshold":2}}]}})"),
      expected);
}

TEST(PodValidation, VolumeAndMountErrorsNameTheirPaths) {
  const std::vector<std::string> expected = {
      R"(spec.volumes[0].configMap.name: Required value)",
      R"(spec.volumes[0].configMap.items[0].key: Required value)",
      R"(spec.volumes[0].configMap.items[0].path: Invalid value: "../x": must not contain '..')",
      R"(spec.volumes[0].configMap.items[0].mode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive)",
      R"(spec.volumes[1].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 10: may not specify a duration less than 10 minutes)",
      R"(spec.volumes[1].projected.path: Required value)",
      R"(spec.volumes[1].projected.sources[1].secret.name: Required value)",
      R"(spec.volumes[1].projected: Invalid value: "c": conflicting duplicate paths)",
      R"(spec.volumes[1].projected.sources[1]: Forbidden: may not specify more than 1 volume type per source)",
      R"(spec.containers[0].volumeMounts[0].name: Not found: "w")",
      R"(spec.containers[0].volumeMounts[0].mountPath: Required value)",
      R"(spec.containers[0].volumeMounts[1].name: Not found: "v")",
      R"(spec.containers[0].volumeMounts[1].mountPath: Required value)",
      R"(spec.containers[0].volumeMounts[1].mountPath: Invalid value: "": must be unique)",
      R"(spec.containers[0].volumeMounts.subPath: Invalid value: "/a/../b": must be a relative path)",
      R"(spec.containers[0].volumeMounts.subPath: Invalid value: "/a/../b": must not contain '..')",
      R"(spec.containers[0].volumeMounts.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers)",
      R"(spec.containers[0].volumeMounts.recursiveReadOnly: Forbidden: may only be specified when readOnly is true)",
      R"(spec.containers[0].volumeMounts.recursiveReadOnly: Forbidden: may only be specified when mountPropagation is None or not specified)",
      R"(spec.volumes[1].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set)"};
  EXPECT_EQ(
      defaulted_errors(
          validate_pod, set_defaults_pod,
          R"({"metadata":{"name":"p","namespace":"d"},"spec":{"volumes":[{"name":"v","configMap":{"name":"","items":[{"key":"","path":"../x","mode":1000}]}},{"name":"v","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":10}},{"secret":{"items":[{"key":"k","path":"p"}]},"configMap":{"name":"c","items":[{"key":"k","path":"p"}]}}]}}],"containers":[{"name":"c","image":"i","volumeMounts":[{"name":"w","mountPath":""},{"name":"v","mountPath":"","subPath":"/a/../b","mountPropagation":"Bidirectional","recursiveReadOnly":"Enabled"}]}]}})"),
      expected);
}

TEST(PodValidation, ContainerAndSpecErrorsNameTheirPaths) {
  const std::vector<std::string> expected = {
      R"(spec.initContainers[0].name: Invalid value: "C_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))",
      R"(spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always")",
      R"(spec.initContainers[0].name: Duplicate value: "C_1")",
      R"(spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always)",
      R"(spec.initContainers[0].resizePolicy: Invalid value: []core.ContainerResizePolicy{core.ContainerResizePolicy{ResourceName:"cpu", RestartPolicy:"NotRequired"}}: must not be set for init containers)",
      R"(spec.containers[0].name: Invalid value: "C_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))",
      R"(spec.containers[0].image: Required value)",
      R"(spec.containers[0].terminationMessagePolicy: Unsupported value: "X": supported values: "File", "FallbackToLogsOnError")",
      R"(spec.containers[0].ports[0].containerPort: Required value)",
      R"(spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive)",
      R"(spec.containers[0].ports[0].protocol: Unsupported value: "SCTPX": supported values: "SCTP", "TCP", "UDP")",
      R"(spec.containers[0].ports[1].name: Duplicate value: "http")",
      R"(spec.containers[0].ports[1].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive)",
      R"(spec.containers[0].env[0].name: Required value)",
      R"(spec.containers[0].env[0].name: Invalid value: "": environment variable name must be non-empty)",
      R"(spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.bogus": error converting fieldPath: field label not supported: spec.bogus)",
      R"(spec.containers[0].env[0].valueFrom.secretKeyRef.name: Invalid value: "S": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))",
      R"(spec.containers[0].env[0].valueFrom.secretKeyRef.key: Invalid value: "../k": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+'))",
      R"(spec.containers[0].env[0].valueFrom.secretKeyRef.key: Invalid value: "../k": must not start with '..')",
      R"(spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time)",
      R"(spec.containers[0].envFrom[0].prefix: Invalid value: "a=b": a valid environment variable name must consist only of printable ASCII characters other than '=')",
      R"(spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`)",
      R"(spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never")",
      R"(spec.containers[0].resizePolicy: Unsupported value: "gpu": supported values: "cpu", "memory")",
      R"(spec.containers[0].resizePolicy: Unsupported value: "Maybe": supported values: "NotRequired", "RestartContainer")",
      R"(spec.containers[0].securityContext.runAsGroup: Invalid value: -2: must be between 0 and 2147483647, inclusive)",
      R"(spec.containers[0].ports[0].hostPort: Invalid value: 70000: must match `containerPort` when `hostNetwork` is true)",
      R"(spec.containers[0].ports[1].hostPort: Invalid value: 70000: must match `containerPort` when `hostNetwork` is true)",
      R"(spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never")",
      R"(spec.nodeSelector: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'))",
      R"(spec.nodeSelector: Invalid value: "c d": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))",
      R"(spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive)",
      R"(spec.securityContext.supplementalGroups[1]: Invalid value: -5: must be between 0 and 2147483647, inclusive)",
      R"(spec.dnsConfig.nameservers: Invalid value: []string{"1.2.3.4", "x", "::1", "5.6.7.8"}: must not have more than 3 nameservers)",
      R"(spec.dnsConfig.nameservers[1]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff))",
      R"(spec.dnsConfig.options[0]: Required value: Option.Name must not be empty)",
      R"(spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive)",
      R"(spec.hostname: Invalid value: "A": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))",
      R"(spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys")",
      R"(spec.tolerations[0].operator: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))",
      R"(spec.tolerations[1].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when `tolerationSeconds` is set)",
      R"(spec.tolerations[1].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"NoSchedule", TolerationSeconds:(*int64)(0xc000010000)}: value must be empty when `operator` is 'Exists')",
      R"(spec.tolerations[2].key: Invalid value: "Bad Key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'))",
      R"(spec.tolerations[2].operator: Unsupported value: "Lt": supported values: "Equal", "Exists")",
      R"(spec.tolerations[2].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute")",
      R"(spec.priorityClassName: Invalid value: "X Y": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))",
      R"(spec.preemptionPolicy: Unsupported value: "Maybe": supported values: "PreemptLowerPriority", "Never")"};
  EXPECT_EQ(
      defaulted_errors(
          validate_pod, set_defaults_pod,
          R"({"metadata":{"name":"p","namespace":"d"},"spec":{"hostNetwork":true,"dnsPolicy":"None","dnsConfig":{"nameservers":["1.2.3.4","x","::1","5.6.7.8"],"options":[{"name":""}]},"securityContext":{"runAsUser":-1,"supplementalGroups":[1,-5]},"tolerations":[{"key":"","operator":"Equal","value":"a b"},{"key":"k","operator":"Exists","value":"v","tolerationSeconds":5,"effect":"NoSchedule"},{"key":"Bad Key","operator":"Lt","effect":"Bad"}],"containers":[{"name":"C_1","image":"","ports":[{"name":"http","containerPort":0,"hostPort":70000,"protocol":"SCTPX"},{"name":"http","containerPort":80,"hostPort":70000,"protocol":"TCP"}],"env":[{"name":"","valueFrom":{"fieldRef":{"fieldPath":"spec.bogus"},"secretKeyRef":{"name":"S","key":"../k"}}}],"envFrom":[{"prefix":"a=b"}],"imagePullPolicy":"Sometimes","terminationMessagePolicy":"X","resizePolicy":[{"resourceName":"gpu","restartPolicy":"Maybe"}],"securityContext":{"runAsGroup":-2}}],"initContainers":[{"name":"C_1","image":"i","restartPolicy":"Never","lifecycle":{"preStop":{"sleep":{"seconds":100}}},"resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}]}],"restartPolicy":"Sometimes","nodeSelector":{"a b":"c d"},"activeDeadlineSeconds":0,"hostname":"A","priorityClassName":"X Y","preemptionPolicy":"Maybe"}})"),
      expected);
}

TEST(PodValidation, HandlerDeviceAndVolumeSourceErrorsNameTheirPaths) {
  const std::vector<std::string> expected = {
      R"(spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity)",
      R"(spec.volumes[1].hostPath.path: Invalid value: "/a/../b": must not contain '..')",
      R"(spec.volumes[1].hostPath.type: Unsupported value: "Nope": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket")",
      R"(spec.volumes[1].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))",
      R"(spec.volumes[2].nfs.server: Required value)",
      R"(spec.volumes[2].nfs.path: Invalid value: "rel": must be an absolute path)",
      R"(spec.containers[0].volumeMounts[0].name: Not found: "v")",
      R"(spec.containers[0].volumeMounts[0].name: Invalid value: "v": must not already exist in volumeDevices)",
      R"(spec.containers[0].volumeMounts[0].mountPath: Invalid value: "/d/../e": must not already exist as a path in volumeDevices)",
      R"(spec.containers[0].volumeDevices[0].name: Not found: "v")",
      R"(spec.containers[0].volumeDevices[0].devicePath: Invalid value: "/d/../e": can not contain backsteps ('..'))",
      R"(spec.containers[0].volumeDevices[0].name: Invalid value: "v": must not already exist in volumeMounts)",
      R"(spec.containers[0].volumeDevices[0].devicePath: Invalid value: "/d/../e": must not already exist as a path in volumeMounts)",
      R"(spec.containers[0].lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type)",
      R"(spec.containers[0].lifecycle.preStop.httpGet.httpHeaders: Invalid value: "bad header": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+'))",
      R"(spec.containers[0].startupProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive)"};
  EXPECT_EQ(
      defaulted_errors(
          validate_pod, set_defaults_pod,
          R"({"metadata":{"name":"p","namespace":"d"},"spec":{"terminationGracePeriodSeconds":10,"containers":[{"name":"c","image":"i","lifecycle":{"postStart":{"sleep":{"seconds":100},"exec":{"command":["x"]}},"preStop":{"httpGet":{"path":"","port":"http","httpHeaders":[{"name":"bad header"}]}}},"startupProbe":{"grpc":{"port":0}},"volumeDevices":[{"name":"v","devicePath":"/d/../e"}],"volumeMounts":[{"name":"v","mountPath":"/d/../e"}]}],"volumes":[{"name":"v","emptyDir":{"sizeLimit":"-1"}},{"name":"Bad_Name","hostPath":{"path":"/a/../b","type":"Nope"}},{"name":"n","nfs":{"server":"","path":"rel"}},{"name":"n2"}]}})"),
      expected);
}

TEST(PodQoS, SumsCpuAndMemoryOverContainers) {
  auto qos = [](std::string_view containers) {
    return pod_qos_class(parse(R"({"spec":{"containers":)" + std::string(containers) + "}}"));
  };
  EXPECT_EQ(qos(R"([{"resources":{"limits":{"cpu":"0","memory":"1Gi"}}}])"), "Burstable");
  EXPECT_EQ(qos(R"([{"resources":{"limits":{"cpu":"1","memory":"1Gi","example.com/gpu":"1"}}}])"),
            "Burstable");
  EXPECT_EQ(
      qos(R"([{"resources":{"limits":{"cpu":"1","memory":"1Gi"}}},{"resources":{"limits":{"cpu":"2","memory":"2Gi"},"requests":{"cpu":"2","memory":"2Gi"}}}])"),
      "Burstable");
  EXPECT_EQ(
      qos(R"([{"resources":{"limits":{"cpu":"1","memory":"1Gi"}}},{"resources":{"requests":{"cpu":"1"}}}])"),
      "Burstable");
  EXPECT_EQ(qos(R"([{"resources":{"limits":{"cpu":"bogus","memory":"1Gi"}}}])"), "Burstable");
  EXPECT_EQ(qos(R"([{"resources":{"limits":{"cpu":"-1","memory":"1Gi"}}}])"), "Burstable");
  EXPECT_EQ(qos(R"([{"resources":{"requests":{"memory":"1Gi"},"limits":{"memory":"1Gi"}}}])"),
            "Burstable");
  EXPECT_EQ(
      qos(R"([{"resources":{"requests":{"cpu":1,"memory":"1Gi"},"limits":{"cpu":"1000m","memory":"1Gi"}}}])"),
      "Guaranteed");
  EXPECT_EQ(
      qos(R"([{"resources":{"requests":{"cpu":"0.0001n"},"limits":{"cpu":"1n","memory":"1"}}}])"),
      "Burstable");
}

TEST(PodQoS, HugeQuantitiesSaturateInsteadOfOverflowing) {
  auto qos = [](std::string containers) {
    return pod_qos_class(parse(R"({"spec":{"containers":)" + containers + "}}"));
  };
  EXPECT_EQ(qos(R"([{"resources":{"requests":{"cpu":"1e2147483647","memory":"1"},)"
                R"("limits":{"cpu":"1m","memory":"1"}}}])"),
            "Burstable");
  EXPECT_EQ(qos(R"([{"resources":{"requests":{"cpu":"0e2147483647"}}}])"), "BestEffort");
  std::string many = "[";
  for (int i = 0; i < 200; ++i) {
    if (i > 0) many += ',';
    many += R"({"resources":{"requests":{"cpu":"1e40","memory":"1e40"},)"
            R"("limits":{"cpu":"1e40","memory":"1e40"}}})";
  }
  EXPECT_EQ(qos(many + "]"), "Guaranteed");
}

TEST(PodQoS, Classes) {
  auto qos = [](std::string_view resources) {
    json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"x","resources":)" +
                            std::string(resources) + "}]}}");
    set_defaults_pod(pod);
    return pod_qos_class(pod);
  };
  EXPECT_EQ(qos("{}"), "BestEffort");
  EXPECT_EQ(qos(R"({"requests":{"cpu":"100m"}})"), "Burstable");
  EXPECT_EQ(qos(R"({"limits":{"cpu":"1","memory":"1Gi"}})"), "Guaranteed");
  EXPECT_EQ(qos(R"({"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}})"), "Burstable");
  EXPECT_EQ(qos(R"({"limits":{"cpu":"1"}})"), "Burstable");
  EXPECT_EQ(qos(R"({"requests":{"ephemeral-storage":"1Gi"}})"), "BestEffort");
  EXPECT_EQ(qos(R"({"limits":{"cpu":"1000m","memory":"1024Mi"},
                    "requests":{"cpu":"1","memory":"1Gi"}})"),
            "Guaranteed");
}

TEST(PodQoS, InitContainersCount) {
  json::value pod = parse(R"({"spec":{
      "initContainers":[{"name":"i","image":"x","resources":{"requests":{"cpu":"1"}}}],
      "containers":[{"name":"c","image":"x","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}})");
  set_defaults_pod(pod);
  EXPECT_EQ(pod_qos_class(pod), "Burstable");
}

// ---- Service -------------------------------------------------------------------------------

std::vector<std::string> service_errors(std::string_view spec) {
  return defaulted_errors(
      validate_service, set_defaults_service,
      R"({"metadata":{"name":"s","namespace":"d"},"spec":)" + std::string(spec) + "}");
}

TEST(ServiceValidation, PortsRequiredUnlessHeadlessOrExternalName) {
  EXPECT_THAT(service_errors(R"({"selector":{"app":"x"}})"),
              ElementsAre("spec.ports: Required value"));
  EXPECT_THAT(service_errors(R"({"clusterIP":"None"})"), IsEmpty());
  EXPECT_THAT(service_errors(R"({"type":"ExternalName","externalName":"example.com."})"),
              IsEmpty());
  EXPECT_THAT(service_errors(R"({"type":"ExternalName"})"),
              ElementsAre("spec.externalName: Required value"));
}

TEST(ServiceValidation, Ports) {
  EXPECT_THAT(service_errors(R"({"ports":[{"port":0}]})"),
              ElementsAre("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, "
                          "inclusive",
                          "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and "
                          "65535, inclusive"));
  EXPECT_THAT(
      service_errors(R"({"ports":[{"port":80},{"port":81}]})"),
      ElementsAre("spec.ports[0].name: Required value", "spec.ports[1].name: Required value"));
  EXPECT_THAT(service_errors(R"({"ports":[{"name":"a","port":80},{"name":"a","port":81}]})"),
              ElementsAre("spec.ports[1].name: Duplicate value: \"a\""));
  EXPECT_THAT(service_errors(R"({"ports":[{"port":80,"targetPort":"HTTP"}]})"),
              ElementsAre("spec.ports[0].targetPort: Invalid value: \"HTTP\": must contain only "
                          "alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                          "spec.ports[0].targetPort: Invalid value: \"HTTP\": must contain at "
                          "least one letter (a-z)"));
  EXPECT_THAT(service_errors(R"({"ports":[{"port":80,"protocol":"ICMP"}]})"),
              ElementsAre("spec.ports[0].protocol: Unsupported value: \"ICMP\": supported "
                          "values: \"SCTP\", \"TCP\", \"UDP\""));
  EXPECT_THAT(service_errors(R"({"ports":[{"name":"a","port":80},{"name":"b","port":80}]})"),
              ElementsAre(::testing::StartsWith(
                  "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\"")));
}

TEST(ServiceValidation, TypeAndClusterIP) {
  EXPECT_THAT(service_errors(R"({"type":"Internal","ports":[{"port":80}]})"),
              ElementsAre("spec.type: Unsupported value: \"Internal\": supported values: "
                          "\"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
  EXPECT_THAT(service_errors(R"({"clusterIP":"10.0.0.300","ports":[{"port":80}]})"),
              ElementsAre("spec.clusterIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP "
                          "address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  EXPECT_THAT(service_errors(R"({"type":"NodePort","clusterIP":"None","ports":[{"port":80}]})"),
              ElementsAre("spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' "
                          "for NodePort services"));
  EXPECT_THAT(service_errors(R"({"sessionAffinity":"Cookie","ports":[{"port":80}]})"),
              ElementsAre("spec.sessionAffinity: Unsupported value: \"Cookie\": supported "
                          "values: \"ClientIP\", \"None\""));
}

TEST(ServiceValidation, NodePorts) {
  EXPECT_THAT(service_errors(R"({"ports":[{"port":80,"nodePort":30080}]})"),
              ElementsAre("spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
                          "'ClusterIP'"));
  EXPECT_THAT(service_errors(R"({"type":"NodePort","ports":[{"port":80,"nodePort":80}]})"),
              ElementsAre("spec.ports[0].nodePort: Invalid value: 80: provided port is not in the "
                          "valid range. The range of valid ports is 30000-32767"));
  EXPECT_THAT(service_errors(R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})"),
              IsEmpty());
}

TEST(ServiceValidation, SelectorLabels) {
  EXPECT_THAT(service_errors(R"({"selector":{"app":"a b"},"ports":[{"port":80}]})"),
              ElementsAre(::testing::StartsWith(
                  "spec.selector: Invalid value: \"a b\": a valid label must be")));
}

TEST(ServiceValidation, UndefaultedFieldsAreRequired) {
  EXPECT_THAT(errors(validate_service, R"({"spec":{"ports":[{"port":80,"targetPort":80,
                                          "protocol":"TCP"}]}})"),
              ElementsAre("spec.sessionAffinity: Required value", "spec.type: Required value"));
}

// ---- Endpoints, ConfigMap, Secret ----------------------------------------------------------

TEST(EndpointsValidation, AddressesAndPorts) {
  EXPECT_THAT(
      defaulted_errors(validate_endpoints, set_defaults_endpoints,
                       R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]})"),
      IsEmpty());
  EXPECT_THAT(errors(validate_endpoints, R"({"subsets":[{"addresses":[{"ip":"nope"}]}]})"),
              ElementsAre("subsets[0].addresses[0].ip: Invalid value: \"nope\": must be a valid "
                          "IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                          "subsets[0].addresses[0].ip: Invalid value: \"nope\": must be a valid "
                          "IP address"));
  EXPECT_THAT(errors(validate_endpoints, R"({"subsets":[{"addresses":[{"ip":"127.0.0.1"}]}]})"),
              ElementsAre("subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be "
                          "in the loopback range (127.0.0.0/8, ::1/128)"));
  EXPECT_THAT(errors(validate_endpoints, R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}],
                                            "ports":[{"port":70000,"protocol":"TCP"}]}]})"),
              ElementsAre("subsets[0].ports[0].port: Invalid value: 70000: must be between 1 "
                          "and 65535, inclusive"));
  EXPECT_THAT(errors(validate_endpoints, R"({"subsets":[{}]})"),
              ElementsAre("subsets[0]: Required value: must specify `addresses` or "
                          "`notReadyAddresses`"));
}

TEST(ConfigMapValidation, Keys) {
  EXPECT_THAT(errors(validate_config_map, R"({"data":{"a b":"x"}})"),
              ElementsAre(::testing::StartsWith(
                  "data[a b]: Invalid value: \"a b\": a valid config key must consist")));
  EXPECT_THAT(errors(validate_config_map, R"({"data":{"k":"x"},"binaryData":{"k":"eA=="}})"),
              ElementsAre("data[k]: Invalid value: \"k\": duplicate of key present in binaryData",
                          "binaryData[k]: Invalid value: \"k\": duplicate of key present in data"));
  std::string big(1024 * 1024 + 1, 'x');
  EXPECT_THAT(errors(validate_config_map, R"({"data":{"k":")" + big + "\"}}"),
              ElementsAre("Too long: may not be more than 1048576 bytes"));
}

TEST(SecretValidation, TypesAndKeys) {
  EXPECT_THAT(errors(validate_secret, R"({"type":"kubernetes.io/service-account-token"})"),
              ElementsAre("metadata.annotations[kubernetes.io/service-account.name]: Required "
                          "value"));
  EXPECT_THAT(errors(validate_secret, R"({"type":"kubernetes.io/tls","data":{"tls.crt":""}})"),
              ElementsAre("data[tls.key]: Required value"));
  EXPECT_THAT(errors(validate_secret, R"({"type":"Opaque","data":{"a/b":"eA=="}})"),
              ElementsAre(::testing::StartsWith("data[a/b]: Invalid value: \"a/b\"")));
  EXPECT_THAT(errors(validate_secret, R"({"type":"kubernetes.io/dockerconfigjson",
                                         "data":{".dockerconfigjson":"e30="}})"),
              IsEmpty());
}

// ---- Namespace, Node, Event ----------------------------------------------------------------

TEST(NamespaceValidation, Finalizers) {
  EXPECT_THAT(errors(validate_namespace, R"({"spec":{"finalizers":["kubernetes","a.io/x"]}})"),
              IsEmpty());
  EXPECT_THAT(errors(validate_namespace, R"({"spec":{"finalizers":["custom"]}})"),
              ElementsAre("spec.finalizers: Invalid value: \"custom\": name is neither a "
                          "standard finalizer name nor is it fully qualified"));
}

TEST(NodeValidation, TaintsAndCIDRs) {
  EXPECT_THAT(errors(validate_node, R"({"spec":{"taints":[{"key":"k","effect":"Sometimes"}]}})"),
              ElementsAre("metadata.taints[0].effect: Unsupported value: \"Sometimes\": "
                          "supported values: \"NoSchedule\", \"PreferNoSchedule\", "
                          "\"NoExecute\""));
  EXPECT_THAT(errors(validate_node, R"({"spec":{"podCIDRs":["10.0.0.0/40"]}})"),
              ElementsAre("spec.podCIDRs[0]: Invalid value: \"10.0.0.0/40\": must be a valid "
                          "CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
  EXPECT_THAT(errors(validate_node, R"({"status":{"capacity":{"cpu":"-1"}}})"),
              ElementsAre("status.capacity.cpu: Invalid value: \"-1\": must be greater than or "
                          "equal to 0"));
}

TEST(EventValidation, InvolvedObjectNamespace) {
  EXPECT_THAT(errors(validate_event, R"({"metadata":{"namespace":"a"},
                                        "involvedObject":{"namespace":"a"}})"),
              IsEmpty());
  EXPECT_THAT(errors(validate_event, R"({"metadata":{"namespace":"a"},
                                        "involvedObject":{"namespace":"b"}})"),
              ElementsAre("involvedObject.namespace: Invalid value: \"b\": does not match "
                          "event.namespace"));
  EXPECT_THAT(errors(validate_event, R"({"metadata":{"namespace":"default"},
                                        "involvedObject":{"kind":"Node"}})"),
              IsEmpty());
}

// ---- Workloads -----------------------------------------------------------------------------

const std::string kTemplate =
    R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}})";

std::vector<std::string> deployment_errors(std::string_view spec_fields) {
  return defaulted_errors(
      validate_deployment, set_defaults_deployment,
      R"({"metadata":{"name":"d","namespace":"n"},"spec":{)" + std::string(spec_fields) + "}}");
}

TEST(DeploymentValidation, ValidDeployment) {
  EXPECT_THAT(deployment_errors(R"("selector":{"matchLabels":{"app":"web"}},)" + kTemplate),
              IsEmpty());
}

TEST(DeploymentValidation, SelectorRequired) {
  EXPECT_THAT(deployment_errors(kTemplate),
              ElementsAre("spec.selector: Required value",
                          "spec.template.metadata.labels: Invalid value: "
                          "map[string]string{\"app\":\"web\"}: `selector` does not match "
                          "template `labels`"));
}

TEST(DeploymentValidation, EmptySelector) {
  EXPECT_THAT(deployment_errors(R"("selector":{},)" + kTemplate),
              ElementsAre("spec.selector: Invalid value: "
                          "v1.LabelSelector{MatchLabels:map[string]string(nil), "
                          "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector "
                          "is invalid for deployment"));
}

TEST(DeploymentValidation, SelectorMismatch) {
  EXPECT_THAT(deployment_errors(R"("selector":{"matchLabels":{"app":"api"}},)" + kTemplate),
              ElementsAre("spec.template.metadata.labels: Invalid value: "
                          "map[string]string{\"app\":\"web\"}: `selector` does not match "
                          "template `labels`"));
  EXPECT_THAT(deployment_errors(R"("selector":{"matchExpressions":[{"key":"app",
                                   "operator":"In","values":["web","api"]}]},)" +
                                kTemplate),
              IsEmpty());
}

TEST(DeploymentValidation, ReplicasAndRestartPolicy) {
  EXPECT_THAT(
      deployment_errors(R"("replicas":-1,"selector":{"matchLabels":{"app":"web"}},)" + kTemplate),
      ElementsAre("spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
  EXPECT_THAT(deployment_errors(R"("selector":{"matchLabels":{"app":"web"}},"template":{
        "metadata":{"labels":{"app":"web"}},"spec":{"restartPolicy":"Never",
        "containers":[{"name":"c","image":"nginx"}]}})"),
              ElementsAre("spec.template.spec.restartPolicy: Unsupported value: \"Never\": "
                          "supported values: \"Always\""));
}

TEST(DeploymentValidation, Strategy) {
  const std::string selector = R"("selector":{"matchLabels":{"app":"web"}},)";
  EXPECT_THAT(deployment_errors(selector + kTemplate + R"(,"strategy":{"rollingUpdate":{
                          "maxUnavailable":0,"maxSurge":"0%"}})"),
              ElementsAre("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                          "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when "
                          "`maxSurge` is 0"));
  EXPECT_THAT(
      deployment_errors(selector + kTemplate + R"(,"strategy":{"rollingUpdate":{"maxSurge":"x"}})"),
      ElementsAre("spec.strategy.rollingUpdate.maxSurge: Invalid value: "
                  "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"x\"}: a valid percent "
                  "string must be a numeric string followed by an ending '%' (e.g. '1%', "
                  " or '93%', regex used for validation is '[0-9]+%')"));
  EXPECT_THAT(deployment_errors(selector + kTemplate +
                                R"(,"strategy":{"rollingUpdate":{"maxUnavailable":"110%"}})"),
              ElementsAre("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                          "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"110%\"}: must not be "
                          "greater than 100%"));
  EXPECT_THAT(deployment_errors(selector + kTemplate +
                                R"(,"strategy":{"type":"Recreate","rollingUpdate":{}})"),
              ElementsAre("spec.strategy.rollingUpdate: Forbidden: may not be specified when "
                          "strategy `type` is 'Recreate'"));
  EXPECT_THAT(deployment_errors(selector + kTemplate + R"(,"strategy":{"type":"Canary"})"),
              ElementsAre("spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"
                          "\"Canary\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: "
                          "supported values: \"Recreate\", \"RollingUpdate\""));
}

TEST(DeploymentValidation, HistoryAndDeadline) {
  const std::string base = R"("selector":{"matchLabels":{"app":"web"}},)" + kTemplate;
  EXPECT_THAT(deployment_errors(base + R"(,"revisionHistoryLimit":-2)"),
              ElementsAre("spec.revisionHistoryLimit: Invalid value: -2: must be greater than or "
                          "equal to 0"));
  EXPECT_THAT(deployment_errors(base + R"(,"minReadySeconds":30,"progressDeadlineSeconds":30)"),
              ElementsAre("spec.progressDeadlineSeconds: Invalid value: 30: must be greater than "
                          "minReadySeconds"));
}

TEST(ReplicaSetValidation, SharesDeploymentRules) {
  auto rs_errors = [](std::string_view fields) {
    return defaulted_errors(
        validate_replica_set, set_defaults_replica_set,
        R"({"metadata":{"name":"r","namespace":"n"},"spec":{)" + std::string(fields) + "}}");
  };
  EXPECT_THAT(rs_errors(R"("selector":{"matchLabels":{"app":"web"}},)" + kTemplate), IsEmpty());
  EXPECT_THAT(rs_errors(R"("selector":{"matchLabels":{}},)" + kTemplate),
              ElementsAre("spec.selector: Invalid value: "
                          "v1.LabelSelector{MatchLabels:map[string]string{}, "
                          "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector "
                          "is invalid for deployment"));
  EXPECT_THAT(rs_errors(R"("replicas":-1,"selector":{"matchLabels":{"app":"web"}},)" + kTemplate),
              ElementsAre("spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
  EXPECT_THAT(
      rs_errors(R"("selector":{"matchExpressions":[{"key":"app","operator":"In"}]},)" + kTemplate),
      ElementsAre("spec.selector.matchExpressions[0].values: Required value: must be "
                  "specified when `operator` is 'In' or 'NotIn'",
                  ::testing::StartsWith("spec.selector: Invalid value: v1.LabelSelector{"
                                        "MatchLabels:map[string]string(nil), "
                                        "MatchExpressions:[]v1.LabelSelectorRequirement{"
                                        "v1.LabelSelectorRequirement{Key:\"app\", "
                                        "Operator:\"In\", Values:[]string(nil)}}}: "
                                        "invalid label selector")));
}

TEST(ReplicationControllerValidation, SelectorAndTemplate) {
  auto rc_errors = [](std::string_view spec) {
    return errors(validate_replication_controller, spec);
  };
  json::value rc = parse(R"({"metadata":{"name":"r","namespace":"n"},"spec":{)" + kTemplate + "}}");
  set_defaults_replication_controller(rc);
  std::vector<status_cause> causes;
  validate_replication_controller(rc, causes);
  EXPECT_THAT(texts(causes), IsEmpty());

  EXPECT_THAT(rc_errors(R"({"spec":{"selector":{"app":"api"},"replicas":1,)" + kTemplate + "}}"),
              Contains("spec.template.metadata.labels: Invalid value: "
                       "map[string]string{\"app\":\"web\"}: `selector` does not match template "
                       "`labels`"));
  EXPECT_THAT(rc_errors(R"({"spec":{"replicas":-1}})"),
              ElementsAre("spec.selector: Required value",
                          "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                          "spec.template: Required value"));
  json::value never = parse(R"({"spec":{"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"x"}]}}}})");
  set_defaults_replication_controller(never);
  causes.clear();
  validate_replication_controller(never, causes);
  EXPECT_THAT(texts(causes),
              ElementsAre("spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": "
                          "supported values: \"Always\""));
}

TEST(ServiceAccountValidation, OnlyMetadataMatters) {
  EXPECT_THAT(errors(validate_service_account, R"({"secrets":[{"name":"x"}]})"), IsEmpty());
  EXPECT_THAT(texts(validate_object_meta(parse(R"({"name":"Bad"})"), true,
                                         name_rule_for_kind("ServiceAccount"))),
              Not(IsEmpty()));
}

}  // namespace
}  // namespace kactor::api
