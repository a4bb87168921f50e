// Throughput of the JSON parser and encoder on Kubernetes-shaped documents.
// Usage: json_bench [iterations]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/json.hpp"

namespace {

using kactor::json::value;

std::string pod_json(int i) {
  const std::string n = std::to_string(i);
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-)" + n +
         R"(","namespace":"default","uid":"6f1c2a4e-0b7d-4c1e-9a55-)" + n +
         R"(","resourceVersion":")" + n +
         R"(","creationTimestamp":"2024-05-01T10:00:00Z","labels":{"app":"web","pod-template-hash":"5d8f7c9b6"},)"
         R"("annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}\n"}},)"
         R"("spec":{"containers":[{"name":"nginx","image":"nginx:1.25.3","ports":[{"containerPort":80,"protocol":"TCP"}],)"
         R"("resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"250m","memory":"64Mi"}},)"
         R"("env":[{"name":"GREETING","value":"h\u00e9llo <world> & co"}],"imagePullPolicy":"IfNotPresent"}],)"
         R"("restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","nodeName":"node-3"},)"
         R"("status":{"phase":"Running","podIP":"10.244.1.)" +
         std::to_string(i % 250) +
         R"(","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2024-05-01T10:00:05Z"}],)"
         R"("startTime":"2024-05-01T10:00:00Z","qosClass":"Burstable","cpuRatio":0.73}})";
}

std::string pod_list_json(int count) {
  std::string text =
      R"({"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"99"},"items":[)";
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += ',';
    text += pod_json(i);
  }
  return text + "]}";
}

constexpr const char* kDeploymentYaml = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.25
          ports:
            - containerPort: 80
          env:
            - name: MODE
              value: "production"
          resources:
            limits: {cpu: 500m, memory: 128Mi}
)";

template <typename Fn>
double seconds_for(int iterations, Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report(const char* name, double seconds, int iterations, size_t bytes) {
  const double megabytes = static_cast<double>(bytes) * iterations / (1024.0 * 1024.0);
  std::printf("%-28s %9.1f MiB/s %10.2f us/op\n", name, megabytes / seconds,
              seconds * 1e6 / iterations);
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20;
  const std::string list = pod_list_json(1000);
  value parsed;
  if (!kactor::json::parse(list, parsed).ok) return 1;

  double seconds = seconds_for(iterations, [&] {
    value v;
    kactor::json::parse(list, v);
  });
  report("parse PodList (1000 pods)", seconds, iterations, list.size());

  std::string out;
  seconds = seconds_for(iterations, [&] {
    out.clear();
    kactor::json::dump_to(parsed, out);
  });
  report("dump PodList", seconds, iterations, list.size());

  const std::string pod = pod_json(7);
  const int small_iterations = iterations * 1000;
  seconds = seconds_for(small_iterations, [&] {
    value v;
    kactor::json::parse(pod, v);
  });
  report("parse one Pod", seconds, small_iterations, pod.size());

  const std::string yaml = kDeploymentYaml;
  const int yaml_iterations = iterations * 100;
  seconds = seconds_for(yaml_iterations, [&] {
    value v;
    kactor::json::parse_yaml(yaml, v);
  });
  report("parse_yaml Deployment", seconds, yaml_iterations, yaml.size());

  const std::string text(1 << 20, 'x');
  seconds = seconds_for(iterations, [&] {
    out.clear();
    kactor::json::append_quoted(out, text);
  });
  report("append_quoted 1 MiB ASCII", seconds, iterations, text.size());
  return 0;
}
