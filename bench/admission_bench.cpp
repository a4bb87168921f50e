// CPU per stage of a pod create before it reaches the store: JSON parse, decode (parse, schema
// check, normalisation), admission (defaults, validation) and the encode the store does. A
// stable, single-threaded view of the work api_bench's creates pay on the I/O thread.
// Usage: admission_bench [iterations]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "api/admission.hpp"
#include "api/json.hpp"
#include "api/resources.hpp"

namespace {

using namespace kactor;

// The pod api_bench creates (about 1.2 KB, a typical Deployment's pod without status).
const char* kPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"checkout-1","namespace":"default",)"
    R"("labels":{"app":"checkout","tier":"backend","release":"stable",)"
    R"("pod-template-hash":"7c9d8b5f4d"},"annotations":{"prometheus.io/scrape":"true",)"
    R"("prometheus.io/port":"9090"}},"spec":{"containers":[{"name":"checkout",)"
    R"("image":"registry.example.com/shop/checkout:1.24.3","imagePullPolicy":"IfNotPresent",)"
    R"("args":["--listen=:8080","--metrics=:9090"],"ports":[{"name":"http",)"
    R"("containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,)"
    R"("protocol":"TCP"}],"env":[{"name":"LOG_LEVEL","value":"info"},)"
    R"({"name":"CACHE_SIZE_MB","value":"256"}],"resources":{"requests":{"cpu":"250m",)"
    R"("memory":"256Mi"},"limits":{"cpu":"1","memory":"512Mi"}},"readinessProbe":)"
    R"({"httpGet":{"path":"/healthz","port":8080},"initialDelaySeconds":5,)"
    R"("periodSeconds":10},"volumeMounts":[{"name":"config","mountPath":"/etc/checkout",)"
    R"("readOnly":true}]}],"volumes":[{"name":"config","configMap":)"
    R"({"name":"checkout-config"}}],"restartPolicy":"Always",)"
    R"("terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",)"
    R"("nodeSelector":{"kubernetes.io/os":"linux"},"tolerations":[{"key":)"
    R"("node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",)"
    R"("tolerationSeconds":300}]}})";

// Microseconds per call of `step`: the fastest of seven runs of `iterations` calls, the run
// least disturbed by other work on the machine.
double micros_per_op(int iterations, const std::function<void()>& step) {
  std::vector<double> runs;
  for (int run = 0; run < 7; ++run) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) step();
    std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
    runs.push_back(took.count() / iterations);
  }
  return *std::min_element(runs.begin(), runs.end());
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "admission_bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
  const api::resource_info& pods = *api::find_resource("", "v1", "pods");
  const std::string body = kPod;
  std::vector<std::string> warnings;

  json::value decoded;
  if (auto e = api::decode_object(pods, "application/json", body, api::field_validation::strict,
                                  decoded, warnings))
    fail("decode: " + e->message);
  json::value admitted = decoded;
  if (auto e = api::admit_object(pods, admitted, "default", "", api::write_kind::create))
    fail("admit: " + e->message);

  const double parse = micros_per_op(iterations, [&] {
    json::value v;
    json::parse(body, v);
  });
  const double decode = micros_per_op(iterations, [&] {
    json::value v;
    warnings.clear();
    api::decode_object(pods, "application/json", body, api::field_validation::strict, v, warnings);
  });
  const double admit = micros_per_op(iterations, [&] {
    json::value v = decoded;
    api::admit_object(pods, v, "default", "", api::write_kind::create);
  });
  const double copy = micros_per_op(iterations, [&] { json::value v = decoded; });
  const double encode = micros_per_op(iterations, [&] { std::string s = json::dump(admitted); });

  std::printf("RESULT pod_json_parse_cpu %.2f us/op\n", parse);
  std::printf("RESULT pod_decode_cpu %.2f us/op\n", decode);
  std::printf("RESULT pod_admit_cpu %.2f us/op\n", admit - copy);
  std::printf("RESULT pod_encode_cpu %.2f us/op\n", encode);
  std::printf("RESULT pod_create_api_cpu %.2f us/op\n", decode + admit - copy + encode);
  return 0;
}
