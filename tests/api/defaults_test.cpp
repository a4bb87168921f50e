#include "api/defaults.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/json.hpp"

namespace kactor::api {
namespace {

using ::testing::ElementsAre;

json::value parse(std::string_view text) {
  json::value v;
  auto result = json::parse(text, v);
  EXPECT_TRUE(result.ok) << result.error;
  return v;
}

// Compares as JSON (member order ignored), printing both sides on failure.
void expect_json(const json::value& actual, std::string_view expected) {
  EXPECT_EQ(actual, parse(expected))
      << "actual:   " << json::dump(actual) << "\nexpected: " << expected;
}

std::vector<std::string> keys(const json::value& obj) {
  std::vector<std::string> out;
  for (const auto& m : obj.as_object()) out.push_back(m.key);
  return out;
}

const json::value& at(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* p = v.at(path);
  static const json::value missing;
  EXPECT_NE(p, nullptr) << "missing member";
  return p ? *p : missing;
}

// ---- Pods ----------------------------------------------------------------------------------

TEST(PodDefaults, MinimalPod) {
  json::value pod = parse(R"({"metadata":{"name":"p"},
      "spec":{"containers":[{"name":"c","image":"nginx"}]}})");
  set_defaults_pod(pod);
  expect_json(at(pod, {"spec"}), R"({
      "containers":[{"name":"c","image":"nginx","resources":{},
                     "terminationMessagePath":"/dev/termination-log",
                     "terminationMessagePolicy":"File","imagePullPolicy":"Always"}],
      "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
      "securityContext":{},"schedulerName":"default-scheduler",
      "tolerations":[
        {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
         "tolerationSeconds":300},
        {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute",
         "tolerationSeconds":300}],
      "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"})");
}

TEST(PodDefaults, KeysGoWhereKubernetesWritesThem) {
  json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"nginx:1.25"}]}})");
  set_defaults_pod(pod);
  EXPECT_THAT(keys(at(pod, {"spec", "containers"}).as_array()[0]),
              ElementsAre("name", "image", "resources", "terminationMessagePath",
                          "terminationMessagePolicy", "imagePullPolicy"));
  EXPECT_THAT(keys(at(pod, {"spec"})),
              ElementsAre("containers", "restartPolicy", "terminationGracePeriodSeconds",
                          "dnsPolicy", "securityContext", "schedulerName", "tolerations",
                          "priority", "enableServiceLinks", "preemptionPolicy"));
}

// kube-apiserver's DefaultTolerationSeconds admission plugin.
TEST(PodDefaults, NodeFailureTolerationsAreAddedUnlessTolerated) {
  auto added = [](std::string_view tolerations) {
    json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"i"}],"tolerations":)" +
                            std::string(tolerations) + "}}");
    set_defaults_pod(pod);
    std::vector<std::string> keys;
    for (const auto& t : at(pod, {"spec", "tolerations"}).as_array())
      keys.push_back(std::string(t.get_string("key")) + "/" + std::string(t.get_string("effect")));
    return keys;
  };
  EXPECT_THAT(added(R"([{"operator":"Exists"}])"), ElementsAre("/"))
      << "tolerating every taint tolerates both";
  EXPECT_THAT(added(R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                         "effect":"NoExecute","tolerationSeconds":60}])"),
              ElementsAre("node.kubernetes.io/not-ready/NoExecute",
                          "node.kubernetes.io/unreachable/NoExecute"));
  EXPECT_THAT(
      added(R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists"}])"),
      ElementsAre("node.kubernetes.io/unreachable/", "node.kubernetes.io/not-ready/NoExecute"))
      << "an empty effect matches NoExecute";
  EXPECT_THAT(added(R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                         "effect":"NoSchedule"},{"effect":"NoExecute","operator":"Exists"}])"),
              ElementsAre("node.kubernetes.io/not-ready/NoSchedule", "/NoExecute"))
      << "an empty key with NoExecute tolerates both";
  EXPECT_THAT(added(R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                         "effect":"NoSchedule"}])"),
              ElementsAre("node.kubernetes.io/not-ready/NoSchedule",
                          "node.kubernetes.io/not-ready/NoExecute",
                          "node.kubernetes.io/unreachable/NoExecute"));
  const json::value pod = [] {
    json::value p = parse(R"({"spec":{"containers":[{"name":"c","image":"i"}]}})");
    set_defaults_pod(p);
    json::value again = p;
    set_defaults_pod(again);
    EXPECT_EQ(again, p) << "defaulting twice adds nothing more";
    return p;
  }();
  EXPECT_EQ(at(pod, {"spec", "tolerations"}).as_array().size(), 2u);
}

TEST(PodDefaults, ExistingValuesAreKept) {
  json::value pod = parse(R"({"spec":{"restartPolicy":"Never","dnsPolicy":"Default",
      "terminationGracePeriodSeconds":5,"schedulerName":"mine","enableServiceLinks":false,
      "containers":[{"name":"c","image":"nginx","imagePullPolicy":"Never",
                     "terminationMessagePolicy":"FallbackToLogsOnError"}]}})");
  set_defaults_pod(pod);
  EXPECT_EQ(at(pod, {"spec", "restartPolicy"}), json::value("Never"));
  EXPECT_EQ(at(pod, {"spec", "dnsPolicy"}), json::value("Default"));
  EXPECT_EQ(at(pod, {"spec", "terminationGracePeriodSeconds"}), json::value(5));
  EXPECT_EQ(at(pod, {"spec", "schedulerName"}), json::value("mine"));
  EXPECT_EQ(at(pod, {"spec", "enableServiceLinks"}), json::value(false));
  const json::value& c = at(pod, {"spec", "containers"}).as_array()[0];
  EXPECT_EQ(*c.find("imagePullPolicy"), json::value("Never"));
  EXPECT_EQ(*c.find("terminationMessagePolicy"), json::value("FallbackToLogsOnError"));
}

TEST(PodDefaults, ImagePullPolicy) {
  EXPECT_EQ(default_image_pull_policy("nginx"), "Always");
  EXPECT_EQ(default_image_pull_policy("nginx:latest"), "Always");
  EXPECT_EQ(default_image_pull_policy("docker.io/library/nginx"), "Always");
  EXPECT_EQ(default_image_pull_policy("localhost:5000/app"), "Always");
  EXPECT_EQ(default_image_pull_policy("nginx:1.25"), "IfNotPresent");
  EXPECT_EQ(default_image_pull_policy("registry.example.com:5000/team/app:v1"), "IfNotPresent");
  EXPECT_EQ(default_image_pull_policy("nginx@sha256:" + std::string(64, 'a')), "IfNotPresent");
  EXPECT_EQ(default_image_pull_policy("nginx:latest@sha256:" + std::string(64, 'a')), "Always");
  EXPECT_EQ(default_image_pull_policy("Nginx"), "IfNotPresent");  // not a valid reference
  EXPECT_EQ(default_image_pull_policy(""), "IfNotPresent");
  EXPECT_EQ(default_image_pull_policy("nginx@sha256:abc"), "IfNotPresent");
}

TEST(PodDefaults, PortsProbesAndEnv) {
  json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"x:1",
      "ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}],
      "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
      "livenessProbe":{"httpGet":{"port":80}},
      "readinessProbe":{"grpc":{"port":9000},"periodSeconds":3},
      "lifecycle":{"preStop":{"httpGet":{"port":8080,"path":"/stop"}}}}]}})");
  set_defaults_pod(pod);
  const json::value& c = at(pod, {"spec", "containers"}).as_array()[0];
  expect_json(*c.find("ports"),
              R"([{"containerPort":80,"protocol":"TCP"},{"containerPort":53,"protocol":"UDP"}])");
  expect_json(*c.at({"env"}),
              R"([{"name":"N","valueFrom":{"fieldRef":{"apiVersion":"v1",
                                                       "fieldPath":"metadata.name"}}}])");
  expect_json(*c.find("livenessProbe"),
              R"({"httpGet":{"path":"/","port":80,"scheme":"HTTP"},"timeoutSeconds":1,
                  "periodSeconds":10,"successThreshold":1,"failureThreshold":3})");
  expect_json(*c.find("readinessProbe"),
              R"({"grpc":{"port":9000,"service":""},"timeoutSeconds":1,"periodSeconds":3,
                  "successThreshold":1,"failureThreshold":3})");
  expect_json(*c.find("lifecycle"),
              R"({"preStop":{"httpGet":{"path":"/stop","port":8080,"scheme":"HTTP"}}})");
}

TEST(PodDefaults, Volumes) {
  json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"x"}],"volumes":[
      {"name":"a","configMap":{"name":"cm"}},
      {"name":"b","secret":{"secretName":"s","defaultMode":256}},
      {"name":"c","emptyDir":{}},
      {"name":"d"},
      {"name":"e","hostPath":{"path":"/x"}},
      {"name":"f","downwardAPI":{"items":[{"path":"n","fieldRef":{"fieldPath":"metadata.name"}}]}},
      {"name":"g","projected":{"sources":[{"serviceAccountToken":{"path":"t"}}]}}]}})");
  set_defaults_pod(pod);
  expect_json(at(pod, {"spec", "volumes"}), R"([
      {"name":"a","configMap":{"name":"cm","defaultMode":420}},
      {"name":"b","secret":{"secretName":"s","defaultMode":256}},
      {"name":"c","emptyDir":{}},
      {"name":"d","emptyDir":{}},
      {"name":"e","hostPath":{"path":"/x","type":""}},
      {"name":"f","downwardAPI":{"items":[{"path":"n","fieldRef":{"apiVersion":"v1",
          "fieldPath":"metadata.name"}}],"defaultMode":420}},
      {"name":"g","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3600,
          "path":"t"}}],"defaultMode":420}}])");
}

TEST(PodDefaults, RequestsDefaultToLimitsForPodsOnly) {
  const std::string spec = R"({"containers":[{"name":"c","image":"x",
      "resources":{"limits":{"memory":"1Gi","cpu":"1"},"requests":{"cpu":"500m"}}}]})";
  json::value pod = parse(R"({"spec":)" + spec + "}");
  set_defaults_pod(pod);
  expect_json(*at(pod, {"spec", "containers"}).as_array()[0].find("resources"),
              R"({"limits":{"memory":"1Gi","cpu":"1"},"requests":{"cpu":"500m","memory":"1Gi"}})");
  json::value tmpl = parse(spec);
  default_pod_spec(tmpl);
  expect_json(*at(tmpl, {"containers"}).as_array()[0].find("resources"),
              R"({"limits":{"memory":"1Gi","cpu":"1"},"requests":{"cpu":"500m"}})");
  EXPECT_EQ(tmpl.find("enableServiceLinks"), nullptr);
  EXPECT_EQ(tmpl.find("priority"), nullptr);
}

TEST(PodDefaults, RequestsFromLimitsWhereverRequestsGo) {
  // The requests member may be inserted before the limits it copies from, or replace a null.
  auto container = [](std::string_view resources) {
    json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"x","resources":)" +
                            std::string(resources) + "}]}}");
    set_defaults_pod(pod);
    return json::dump(*at(pod, {"spec", "containers"}).as_array()[0].find("resources"));
  };
  EXPECT_EQ(
      container(R"({"claims":[],"limits":{"memory":"1Gi","cpu":"1"}})"),
      R"({"requests":{"cpu":"1","memory":"1Gi"},"claims":[],"limits":{"memory":"1Gi","cpu":"1"}})");
  EXPECT_EQ(container(R"({"limits":{"memory":"1Gi","cpu":"1"},"requests":null})"),
            R"({"limits":{"memory":"1Gi","cpu":"1"},"requests":{"cpu":"1","memory":"1Gi"}})");
  EXPECT_EQ(container(R"({"limits":{"memory":"1Gi"},"requests":{"cpu":"1"}})"),
            R"({"limits":{"memory":"1Gi"},"requests":{"cpu":"1","memory":"1Gi"}})");
}

TEST(PodDefaults, NullImagePullPolicyIsDefaultedInPlace) {
  json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"x",
      "imagePullPolicy":null,"resources":{}}]}})");
  set_defaults_pod(pod);
  EXPECT_EQ(json::dump(at(pod, {"spec", "containers"}).as_array()[0]),
            R"({"name":"c","image":"x","terminationMessagePath":"/dev/termination-log",)"
            R"("terminationMessagePolicy":"File","imagePullPolicy":"Always","resources":{}})");
}

TEST(PodDefaults, HostNetworkHostPorts) {
  json::value pod = parse(R"({"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"x",
      "ports":[{"containerPort":8080}]}]}})");
  set_defaults_pod(pod);
  expect_json(*at(pod, {"spec", "containers"}).as_array()[0].find("ports"),
              R"([{"containerPort":8080,"hostPort":8080,"protocol":"TCP"}])");
}

TEST(PodDefaults, PriorityFromBuiltInClass) {
  json::value pod = parse(R"({"spec":{"priorityClassName":"system-cluster-critical",
      "containers":[{"name":"c","image":"x"}]}})");
  set_defaults_pod(pod);
  EXPECT_EQ(at(pod, {"spec", "priority"}), json::value(2000000000));
}

TEST(PodDefaults, InitialStatus) {
  json::value pod = parse(R"({"spec":{"containers":[{"name":"c","image":"x",
      "resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]},"status":{"phase":"Running"}})");
  set_defaults_pod(pod);
  initial_pod_status(pod);
  expect_json(at(pod, {"status"}), R"({"phase":"Pending","qosClass":"Guaranteed"})");
  json::value besteffort = parse(R"({"spec":{"containers":[{"name":"c","image":"x"}]}})");
  set_defaults_pod(besteffort);
  initial_pod_status(besteffort);
  expect_json(at(besteffort, {"status"}), R"({"phase":"Pending","qosClass":"BestEffort"})");
}

// ---- Services ------------------------------------------------------------------------------

TEST(ServiceDefaults, ClusterIP) {
  json::value svc = parse(R"({"spec":{"selector":{"app":"web"},
      "ports":[{"port":80},{"port":443,"targetPort":"https","protocol":"TCP"}]}})");
  set_defaults_service(svc);
  expect_json(at(svc, {"spec"}), R"({"selector":{"app":"web"},
      "ports":[{"port":80,"protocol":"TCP","targetPort":80},
               {"port":443,"targetPort":"https","protocol":"TCP"}],
      "type":"ClusterIP","sessionAffinity":"None","ipFamilies":["IPv4"],
      "ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"})");
}

TEST(ServiceDefaults, NodePortAndLoadBalancer) {
  json::value node_port = parse(R"({"spec":{"type":"NodePort","ports":[{"port":80}]}})");
  set_defaults_service(node_port);
  EXPECT_EQ(at(node_port, {"spec", "externalTrafficPolicy"}), json::value("Cluster"));
  EXPECT_EQ(at(node_port, {"spec", "internalTrafficPolicy"}), json::value("Cluster"));
  EXPECT_EQ(node_port.at({"spec", "allocateLoadBalancerNodePorts"}), nullptr);
  json::value lb = parse(R"({"spec":{"type":"LoadBalancer","ports":[{"port":80}]}})");
  set_defaults_service(lb);
  EXPECT_EQ(at(lb, {"spec", "externalTrafficPolicy"}), json::value("Cluster"));
  EXPECT_EQ(at(lb, {"spec", "allocateLoadBalancerNodePorts"}), json::value(true));
  json::value cluster = parse(R"({"spec":{"ports":[{"port":80}]}})");
  set_defaults_service(cluster);
  EXPECT_EQ(cluster.at({"spec", "externalTrafficPolicy"}), nullptr);
}

TEST(ServiceDefaults, HeadlessAndExternalName) {
  json::value headless = parse(R"({"spec":{"clusterIP":"None"}})");
  set_defaults_service(headless);
  EXPECT_EQ(at(headless, {"spec", "ipFamilyPolicy"}), json::value("RequireDualStack"));
  expect_json(at(headless, {"spec", "ipFamilies"}), R"(["IPv4"])");
  json::value selected = parse(R"({"spec":{"clusterIP":"None","selector":{"a":"b"}}})");
  set_defaults_service(selected);
  EXPECT_EQ(at(selected, {"spec", "ipFamilyPolicy"}), json::value("SingleStack"));
  json::value external = parse(R"({"spec":{"type":"ExternalName","externalName":"a.b"}})");
  set_defaults_service(external);
  expect_json(at(external, {"spec"}), R"({"type":"ExternalName","externalName":"a.b",
      "sessionAffinity":"None"})");
}

TEST(ServiceDefaults, SessionAffinity) {
  json::value client_ip = parse(R"({"spec":{"sessionAffinity":"ClientIP","ports":[{"port":80}]}})");
  set_defaults_service(client_ip);
  expect_json(at(client_ip, {"spec", "sessionAffinityConfig"}),
              R"({"clientIP":{"timeoutSeconds":10800}})");
  json::value none = parse(R"({"spec":{"sessionAffinityConfig":{"clientIP":{}},
      "ports":[{"port":80}]}})");
  set_defaults_service(none);
  EXPECT_EQ(none.at({"spec", "sessionAffinityConfig"}), nullptr);
}

// ---- Namespace, Secret, Endpoints, Event, Node ---------------------------------------------

TEST(NamespaceDefaults, CreateDefaults) {
  json::value ns = parse(R"({"metadata":{"name":"team"}})");
  set_defaults_namespace(ns);
  expect_json(ns, R"({"metadata":{"name":"team","labels":{"kubernetes.io/metadata.name":"team"}},
                      "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})");
  json::value other = parse(R"({"metadata":{"name":"x"},"spec":{"finalizers":["a.io/f"]}})");
  set_defaults_namespace(other);
  expect_json(at(other, {"spec", "finalizers"}), R"(["a.io/f","kubernetes"])");
}

TEST(NamespaceDefaults, StoredNamespaceKeepsItsFinalizers) {
  json::value ns = parse(R"({"metadata":{"name":"team","uid":"u1",
      "labels":{"kubernetes.io/metadata.name":"wrong"}},"spec":{},
      "status":{"phase":"Terminating"}})");
  set_defaults_namespace(ns);
  EXPECT_EQ(ns.at({"spec", "finalizers"}), nullptr);
  EXPECT_EQ(at(ns, {"metadata", "labels", "kubernetes.io/metadata.name"}), json::value("team"));
  EXPECT_EQ(at(ns, {"status", "phase"}), json::value("Terminating"));
}

TEST(SecretDefaults, TypeAndStringData) {
  json::value secret = parse(R"({"data":{"b":"eA=="},"stringData":{"a":"hi","b":"yo"}})");
  set_defaults_secret(secret);
  expect_json(secret, R"({"data":{"a":"aGk=","b":"eW8="},"type":"Opaque"})");
  EXPECT_THAT(keys(at(secret, {"data"})), ElementsAre("a", "b"));
  json::value tls = parse(R"({"type":"kubernetes.io/tls"})");
  set_defaults_secret(tls);
  EXPECT_EQ(at(tls, {"type"}), json::value("kubernetes.io/tls"));
}

TEST(EndpointsDefaults, PortProtocol) {
  json::value ep = parse(R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}],
      "ports":[{"port":80},{"port":53,"protocol":"UDP"}]}]})");
  set_defaults_endpoints(ep);
  expect_json(at(ep, {"subsets"}).as_array()[0],
              R"({"addresses":[{"ip":"10.0.0.1"}],
                  "ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]})");
}

TEST(EventDefaults, AlwaysWrittenFields) {
  json::value ev = parse(R"({"metadata":{"name":"e"},"reason":"Started","count":1})");
  set_defaults_event(ev);
  expect_json(ev, R"({"metadata":{"name":"e"},"involvedObject":{},"reason":"Started",
      "source":{},"firstTimestamp":null,"lastTimestamp":null,"count":1,"eventTime":null,
      "reportingComponent":"","reportingInstance":""})");
}

TEST(NodeDefaults, AllocatableFromCapacity) {
  json::value node = parse(R"({"status":{"capacity":{"cpu":"4","pods":"110"}}})");
  set_defaults_node(node);
  expect_json(at(node, {"status", "allocatable"}), R"({"cpu":"4","pods":"110"})");
  json::value own = parse(R"({"status":{"capacity":{"cpu":"4"},"allocatable":{"cpu":"3"}}})");
  set_defaults_node(own);
  expect_json(at(own, {"status", "allocatable"}), R"({"cpu":"3"})");
}

// ---- Workloads -----------------------------------------------------------------------------

const char* kTemplate =
    R"({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}})";

TEST(ReplicationControllerDefaults, SelectorLabelsReplicas) {
  json::value rc =
      parse(R"({"metadata":{"name":"r"},"spec":{"template":)" + std::string(kTemplate) + "}}");
  set_defaults_replication_controller(rc);
  expect_json(at(rc, {"spec", "selector"}), R"({"app":"web"})");
  expect_json(at(rc, {"metadata", "labels"}), R"({"app":"web"})");
  EXPECT_EQ(at(rc, {"spec", "replicas"}), json::value(1));
  EXPECT_EQ(at(rc, {"spec", "template", "spec", "restartPolicy"}), json::value("Always"));
  EXPECT_THAT(keys(at(rc, {"spec"})), ElementsAre("replicas", "selector", "template"));
}

TEST(ReplicationControllerDefaults, ExplicitSelectorKept) {
  json::value rc = parse(R"({"metadata":{"labels":{"own":"x"}},"spec":{"replicas":0,
      "selector":{"app":"web","tier":"f"},"template":)" +
                         std::string(kTemplate) + "}}");
  set_defaults_replication_controller(rc);
  expect_json(at(rc, {"spec", "selector"}), R"({"app":"web","tier":"f"})");
  expect_json(at(rc, {"metadata", "labels"}), R"({"own":"x"})");
  EXPECT_EQ(at(rc, {"spec", "replicas"}), json::value(0));
}

TEST(ReplicaSetDefaults, ReplicasAndTemplate) {
  json::value rs = parse(R"({"spec":{"selector":{"matchLabels":{"app":"web"}},"template":)" +
                         std::string(kTemplate) + "}}");
  set_defaults_replica_set(rs);
  EXPECT_EQ(at(rs, {"spec", "replicas"}), json::value(1));
  EXPECT_EQ(rs.at({"spec", "minReadySeconds"}), nullptr);
  EXPECT_EQ(at(rs, {"spec", "template", "spec", "dnsPolicy"}), json::value("ClusterFirst"));
  EXPECT_TRUE(at(rs, {"spec", "template", "metadata", "creationTimestamp"}).is_null());
  EXPECT_THAT(keys(at(rs, {"spec", "template", "metadata"})),
              ElementsAre("creationTimestamp", "labels"));
}

TEST(DeploymentDefaults, AllDefaults) {
  json::value d = parse(R"({"spec":{"selector":{"matchLabels":{"app":"web"}},"template":)" +
                        std::string(kTemplate) + "}}");
  set_defaults_deployment(d);
  expect_json(at(d, {"spec"}), R"({"replicas":1,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"},"creationTimestamp":null},
        "spec":{"containers":[{"name":"c","image":"nginx","resources":{},
          "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
          "imagePullPolicy":"Always"}],"restartPolicy":"Always",
          "terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},
          "schedulerName":"default-scheduler"}},
      "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%",
                                                             "maxSurge":"25%"}},
      "revisionHistoryLimit":10,"progressDeadlineSeconds":600})");
  EXPECT_THAT(keys(at(d, {"spec"})),
              ElementsAre("replicas", "selector", "template", "strategy", "revisionHistoryLimit",
                          "progressDeadlineSeconds"));
}

TEST(DeploymentDefaults, RecreateAndPartialRollingUpdate) {
  json::value recreate = parse(R"({"spec":{"strategy":{"type":"Recreate"}}})");
  set_defaults_deployment(recreate);
  expect_json(at(recreate, {"spec", "strategy"}), R"({"type":"Recreate"})");
  json::value partial = parse(R"({"spec":{"replicas":3,"revisionHistoryLimit":0,
      "strategy":{"rollingUpdate":{"maxSurge":1}}}})");
  set_defaults_deployment(partial);
  expect_json(at(partial, {"spec", "strategy"}),
              R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":1}})");
  EXPECT_EQ(at(partial, {"spec", "replicas"}), json::value(3));
  EXPECT_EQ(at(partial, {"spec", "revisionHistoryLimit"}), json::value(0));
}

}  // namespace
}  // namespace kactor::api
