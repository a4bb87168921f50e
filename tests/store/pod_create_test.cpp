// The one-pass pod admission (api/pod_create.hpp) against the generic path it stands in for:
// decode_object, admit_object and prepare_object. Over the pods of the examples, the
// benchmarks' pod and thousands of random mutations of them, whenever the fast path answers,
// the generic path accepts the body and stores exactly the same bytes and facts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "api/admission.hpp"
#include "api/pod_create.hpp"
#include "api/resources.hpp"
#include "bench/bench_pod.hpp"
#include "store/write.hpp"

namespace kactor::api {
namespace {

// What a create stores, from either path.
struct outcome {
  std::string name, generate_name, metadata_tail, rest;
  std::vector<std::pair<std::string, std::string>> labels, fields;

  bool operator==(const outcome&) const = default;
};

std::vector<std::pair<std::string, std::string>> entries(const fact_map& map) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : map) out.emplace_back(key, value);
  return out;
}

std::ostream& operator<<(std::ostream& os, const outcome& o) {
  os << "name=" << o.name << "\ngenerate_name=" << o.generate_name
     << "\nmetadata_tail=" << o.metadata_tail << "\nrest=" << o.rest << "\nlabels:";
  for (const auto& [k, v] : o.labels) os << " " << k << "=" << v;
  os << "\nfields:";
  for (const auto& [k, v] : o.fields) os << " " << k << "=" << v;
  return os;
}

const resource_info& pods() {
  return *find_resource("", "v1", "pods");
}

std::optional<outcome> generic(std::string_view body, const std::string& ns) {
  json::value obj;
  std::vector<std::string> warnings;
  if (decode_object(pods(), "application/json", body, field_validation::strict, obj, warnings))
    return std::nullopt;
  if (admit_object(pods(), obj, ns, "", write_kind::create)) return std::nullopt;
  std::string name(obj.at({"metadata", "name"})->as_string());
  store::prepared_object prepared = store::prepare_object(std::move(obj));
  EXPECT_EQ(prepared.kind, "Pod");
  EXPECT_EQ(prepared.api_version, "v1");
  return outcome{name,          prepared.generate_name,          prepared.metadata_tail,
                 prepared.rest, entries(prepared.facts->labels), entries(prepared.facts->fields)};
}

std::optional<outcome> fast(std::string_view body, const std::string& ns) {
  auto pod = admit_pod_create(body, ns);
  if (!pod) return std::nullopt;
  return outcome{pod->name, pod->generate_name,         pod->metadata_tail,
                 pod->rest, entries(pod->facts.labels), entries(pod->facts.fields)};
}

// A generated name differs between two runs: both must have the prefix and five more
// characters; the name is then blanked out of the outcome.
void forget_generated_name(outcome& o) {
  if (o.generate_name.empty()) return;
  json::value member;
  ASSERT_TRUE(json::parse("{" + o.generate_name + "}", member).ok);
  const std::string& prefix = member.find("generateName")->as_string();
  if (o.name.size() != prefix.size() + 5 || !o.name.starts_with(prefix)) return;
  o.name.clear();
  for (auto& [key, value] : o.fields)
    if (key == "metadata.name") value.clear();
}

// Checks one body; returns whether the fast path answered.
bool agree(const std::string& body, const std::string& ns) {
  std::optional<outcome> quick = fast(body, ns);
  if (!quick) return false;
  std::optional<outcome> slow = generic(body, ns);
  EXPECT_TRUE(slow.has_value()) << "the fast path accepted what the generic path refuses:\n"
                                << body;
  if (!slow) return true;
  forget_generated_name(*quick);
  forget_generated_name(*slow);
  EXPECT_EQ(*quick, *slow) << body;
  return true;
}

// Pods of the examples (their documents of kind Pod and the pod templates of workloads).
std::vector<std::string> example_pods() {
  std::vector<std::string> bodies;
  for (const auto& entry : std::filesystem::directory_iterator(KACTOR_SOURCE_DIR "/examples")) {
    if (entry.path().extension() != ".yaml") continue;
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    std::string all = text.str();
    size_t start = 0;
    while (start < all.size()) {
      size_t end = all.find("\n---", start);
      std::string doc =
          all.substr(start, end == std::string::npos ? std::string::npos : end - start);
      start = end == std::string::npos ? all.size() : end + 4;
      json::value v;
      if (!json::parse_yaml(doc, v).ok || !v.is_object()) continue;
      std::string_view kind = v.get_string("kind");
      if (kind == "Pod") {
        bodies.push_back(json::dump(v));
      } else if (const json::value* tmpl = v.at({"spec", "template"})) {
        json::value pod = json::value::make_object();
        pod.set("apiVersion", "v1");
        pod.set("kind", "Pod");
        json::value meta =
            tmpl->find("metadata") ? *tmpl->find("metadata") : json::value::make_object();
        meta.set("name", "from-template");
        pod.set("metadata", meta);
        if (const json::value* spec = tmpl->find("spec")) pod.set("spec", *spec);
        bodies.push_back(json::dump(pod));
      }
    }
  }
  return bodies;
}

// A typical pod as `kubectl run` and hand-written manifests give them.
const char kSmallPod[] =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"run":"web"}},)"
    R"("spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}],)"
    R"("livenessProbe":{"tcpSocket":{"port":80}},"startupProbe":{"exec":{"command":["true"]}}}],)"
    R"("restartPolicy":"Never","volumes":[{"name":"scratch"},{"name":"token",)"
    R"("secret":{"secretName":"t","optional":true}}],"nodeName":"node-1",)"
    R"("serviceAccountName":"builder"}})";

// What `kubectl run web --image=nginx` sends (kubectl 1.32): a null creationTimestamp and an
// empty status.
const char kKubectlRunPod[] =
    R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","creationTimestamp":null,)"
    R"("labels":{"run":"web"}},"spec":{"containers":[{"name":"web","image":"nginx",)"
    R"("resources":{}}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst"},"status":{}})";

TEST(PodCreate, KubectlRunsPodTakesTheFastPath) {
  ASSERT_TRUE(fast(kKubectlRunPod, "default").has_value());
  EXPECT_TRUE(agree(kKubectlRunPod, "default"));
  // The status takes its place in the stored order, here before the spec.
  const std::string status_first =
      R"({"status":{},"metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"nginx"}]}})";
  auto pod = admit_pod_create(status_first, "default");
  ASSERT_TRUE(pod.has_value());
  EXPECT_TRUE(
      pod->rest.starts_with(R"("status":{"phase":"Pending","qosClass":"BestEffort"},"spec")"))
      << pod->rest;
  EXPECT_TRUE(agree(status_first, "default"));
}

TEST(PodCreate, TheBenchmarksPodTakesTheFastPath) {
  const std::string body = bench::pod_json("default", "pod-1");
  ASSERT_TRUE(fast(body, "default").has_value());
  EXPECT_TRUE(agree(body, "default"));
}

TEST(PodCreate, ASmallPodTakesTheFastPathWithItsDefaults) {
  auto pod = admit_pod_create(kSmallPod, "default");
  ASSERT_TRUE(pod.has_value());
  EXPECT_NE(pod->rest.find(R"("imagePullPolicy":"Always")"), std::string::npos) << pod->rest;
  EXPECT_NE(pod->rest.find(R"("emptyDir":{})"), std::string::npos) << pod->rest;
  EXPECT_NE(pod->rest.find(R"("qosClass":"BestEffort")"), std::string::npos) << pod->rest;
  EXPECT_TRUE(agree(kSmallPod, "default"));
}

TEST(PodCreate, ExamplePodsAgree) {
  int answered = 0;
  for (const std::string& body : example_pods()) answered += agree(body, "default");
  EXPECT_GT(answered, 2);
}

TEST(PodCreate, LeavesDoubtfulBodiesToTheGenericPath) {
  const std::string body = bench::pod_json("default", "pod-1");
  auto with = [&](std::string_view from, std::string_view to) {
    std::string changed = body;
    changed.replace(changed.find(from), from.size(), to);
    return changed;
  };
  for (const std::string& doubtful :
       {with(R"("name":"pod-1")", R"("name":"pod-1","name":"pod-2")"),    // duplicate key
        with(R"("app":"checkout")", R"("app":"checkout","app":"cart")"),  // duplicate label
        with(R"("cpu":"250m")", R"("cpu":"0.25")"),                       // respelled quantity
        with(R"("restartPolicy":"Always")", R"("restartPolicy":null)"),
        with(R"("restartPolicy":"Always")", R"("restartPolicy":"Sometimes")"),
        with(R"("dnsPolicy")", R"("hostNetwork":true,"dnsPolicy")"),
        with(R"("containerPort":8080)", R"("containerPort":8080.0)"),
        with(R"("name":"pod-1")", R"("name":"Pod-1")"), body.substr(0, body.size() - 1)}) {
    EXPECT_FALSE(admit_pod_create(doubtful, "default").has_value()) << doubtful;
  }
  EXPECT_FALSE(admit_pod_create(body, "other").has_value());  // the body says "default"
  EXPECT_FALSE(admit_pod_create(body, "Default").has_value());
}

TEST(PodCreate, LongListsTakeTheGenericPath) {
  std::string volumes;
  for (int i = 0; i < 70; ++i)
    volumes += std::string(i ? "," : "") + R"({"name":"v)" + std::to_string(i) + "\"}";
  const std::string body =
      R"({"metadata":{"name":"many"},"spec":{"containers":[{"name":"c","image":"i"}],"volumes":[)" +
      volumes + "]}}";
  EXPECT_FALSE(admit_pod_create(body, "default").has_value());
  EXPECT_TRUE(generic(body, "default").has_value());
}

TEST(PodCreate, GeneratesNames) {
  std::string body = kSmallPod;
  body.replace(body.find(R"("name":"web")"), 12, R"("generateName":"web-")");
  auto pod = admit_pod_create(body, "default");
  ASSERT_TRUE(pod.has_value());
  EXPECT_TRUE(pod->name.starts_with("web-")) << pod->name;
  EXPECT_EQ(pod->name.size(), 9u);
  EXPECT_EQ(pod->generate_name, R"("generateName":"web-")");
  EXPECT_TRUE(agree(body, "default"));
}

// ---- Random mutations

class mutator {
 public:
  explicit mutator(uint32_t seed) : random_(seed) {}

  void mutate(json::value& doc) {
    std::vector<json::value*> nodes;
    collect(doc, nodes);
    json::value& node = *nodes[pick(nodes.size())];
    switch (pick(6)) {
      case 0:
        node = any_value();
        break;
      case 1:
        if (node.is_object() && !node.as_object().empty())
          node.as_object().erase(node.as_object().begin() + pick(node.as_object().size()));
        break;
      case 2:
        if (node.is_object()) node.set(any_key(), any_value());
        break;
      case 3:
        if (node.is_object())
          std::shuffle(node.as_object().begin(), node.as_object().end(), random_);
        break;
      case 4:
        if (node.is_array() && !node.as_array().empty()) {
          json::array& items = node.as_array();
          if (pick(2)) {
            items.push_back(items[pick(items.size())]);
          } else {
            items.erase(items.begin() + pick(items.size()));
          }
        }
        break;
      default:
        if (node.is_string()) node = any_string();
        break;
    }
  }

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

 private:
  static void collect(json::value& v, std::vector<json::value*>& nodes) {
    nodes.push_back(&v);
    if (v.is_object())
      for (auto& m : v.as_object()) collect(m.val, nodes);
    if (v.is_array())
      for (auto& item : v.as_array()) collect(item, nodes);
  }

  std::string any_string() {
    // clang-format off
    static const std::vector<std::string> pool = {
        "", "a", "web", "Web", "-a", "a-", "a.b", "a_b", "a/b", "example.com/a", "Example.com/a",
        "/", "/etc/x", "..", "x:y", "8080", "http", "TCP", "UDP", "SCTP", "tcp", "Always",
        "Never", "OnFailure", "IfNotPresent", "ClusterFirst", "None", "Default", "Exists",
        "Equal", "NoExecute", "NoSchedule", "File", "HTTP", "HTTPS", "100m", "0.5", "1Gi",
        "1024Mi", "-1", "1e3", "2", "500m", "1k", "1000", "0", "-0", "\xc3\xa9", "a b",
        std::string(63, 'a'), std::string(64, 'a'), std::string(254, 'b'),
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "default-scheduler",
        "v1", "Pod", "default", "nginx:1.25", "nginx:latest", "nginx@sha256:abc", "q\"uote",
        "tab\t", "ctl\x01", "cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "config",
        "scratch", "token", "http-2", "web-"};
    // clang-format on
    return pool[pick(pool.size())];
  }

  std::string any_key() {
    // clang-format off
    static const std::vector<std::string> pool = {
        "name", "generateName", "namespace", "labels", "annotations", "protocol", "hostPort",
        "containerPort", "path", "port", "scheme", "value", "key", "operator", "effect",
        "tolerationSeconds", "tolerations", "restartPolicy", "dnsPolicy", "schedulerName",
        "priority", "priorityClassName", "nodeName", "serviceAccountName", "hostNetwork",
        "resources", "limits", "requests", "cpu", "memory", "emptyDir", "configMap", "secret",
        "secretName", "defaultMode", "readOnly", "mountPath", "subPath", "timeoutSeconds",
        "periodSeconds", "successThreshold", "failureThreshold", "initialDelaySeconds", "exec",
        "tcpSocket", "httpGet", "command", "args", "env", "imagePullPolicy", "status", "spec",
        "metadata", "kind", "apiVersion", "x-unknown", "securityContext", "enableServiceLinks",
        "activeDeadlineSeconds", "hostname", "subdomain", "stdin", "workingDir", "medium",
        "optional", "terminationMessagePath", "terminationMessagePolicy", "uid",
        "resourceVersion", "volumes", "containers", "nodeSelector",
        "terminationGracePeriodSeconds", "creationTimestamp"};
    // clang-format on
    return pool[pick(pool.size())];
  }

  json::value any_value() {
    static const std::vector<int64_t> ints = {
        0,        1,   -1,  3,     10,    30,         80,           300,
        420,      511, 512, 65535, 65536, 2147483647, 2147483648LL, -2147483649LL,
        INT64_MAX};
    switch (pick(9)) {
      case 0:
      case 1:
      case 2:
        return any_string();
      case 3:
      case 4:
        return ints[pick(ints.size())];
      case 5:
        return pick(2) == 1;
      case 6:
        return pick(2) ? json::value(1.5) : json::value(nullptr);
      case 7:
        return json::value::make_object();
      default:
        return json::value::make_array();
    }
  }

  std::mt19937 random_;
};

TEST(PodCreate, MutatedPodsAgree) {
  std::vector<std::string> seeds = example_pods();
  seeds.push_back(bench::pod_json("default", "pod-1"));
  seeds.push_back(kSmallPod);
  seeds.push_back(kKubectlRunPod);
  int answered = 0, total = 0;
  for (size_t s = 0; s < seeds.size(); ++s) {
    mutator m(static_cast<uint32_t>(s + 1));
    json::value seed;
    ASSERT_TRUE(json::parse(seeds[s], seed).ok);
    for (int i = 0; i < 1500; ++i) {
      json::value doc = seed;
      const size_t mutations = 1 + m.pick(3);
      for (size_t k = 0; k < mutations; ++k) m.mutate(doc);
      const std::string ns = m.pick(10) == 0 ? "other" : "default";
      answered += agree(json::dump(doc), ns);
      ++total;
      if (::testing::Test::HasFailure()) return;
    }
  }
  // The mutations must leave many bodies on the fast path for the comparison to mean much.
  EXPECT_GT(answered, total / 10) << answered << " of " << total;
}

}  // namespace
}  // namespace kactor::api
