// The pod the benchmarks create: the same document for api_bench's loads and
// admission_bench's stages.
#pragma once

#include <string>
#include <string_view>

namespace kactor::bench {

// A roughly 1 KB pod, the size of a typical Deployment's pod without status.
inline std::string pod_json(std::string_view ns, std::string_view name) {
  std::string json;
  json.reserve(1200);
  json += R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")";
  json += name;
  json += R"(","namespace":")";
  json += ns;
  json += R"(","labels":{"app":"checkout","tier":"backend","release":"stable",)"
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
  return json;
}

}  // namespace kactor::bench
