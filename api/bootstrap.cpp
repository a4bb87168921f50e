#include "api/bootstrap.hpp"

#include <stdexcept>

#include "api/admission.hpp"

namespace kactor::api {
namespace {

json::value parse_or_throw(const std::string& text) {
  json::value v;
  auto r = json::parse(text, v);
  if (!r.ok) throw std::logic_error("bootstrap object: " + r.error);
  return v;
}

bootstrap_object admitted(const char* group, const char* plural, const std::string& ns,
                          const std::string& text) {
  const resource_info* info = find_resource(group, "v1", plural);
  json::value obj = parse_or_throw(text);
  if (auto e = admit_object(*info, obj, ns, "", write_kind::create))
    throw std::logic_error("bootstrap object rejected: " + e->message);
  return {info, std::move(obj)};
}

}  // namespace

std::vector<bootstrap_object> bootstrap_objects(const std::string& api_host,
                                                unsigned short api_port) {
  std::vector<bootstrap_object> objects;
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"})
    objects.push_back(
        admitted("", "namespaces", "",
                 std::string(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")") + ns +
                     R"("}})"));
  const std::string port = std::to_string(api_port);
  objects.push_back(admitted(
      "", "services", "default",
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes","namespace":"default",)"
      R"("labels":{"component":"apiserver","provider":"kubernetes"}},"spec":{"clusterIP":"10.96.0.1",)"
      R"("clusterIPs":["10.96.0.1"],"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":)" +
          port + R"(}],"sessionAffinity":"None","type":"ClusterIP"}})"));
  // Kubernetes refuses loopback endpoints, so a server bound to 127.0.0.0/8 has none.
  if (api_host.starts_with("127.")) return objects;
  objects.push_back(admitted(
      "", "endpoints", "default",
      R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"kubernetes","namespace":"default",)"
      R"("labels":{"endpointslice.kubernetes.io/skip-mirror":"true"}},"subsets":[{"addresses":[{"ip":")" +
          api_host + R"("}],"ports":[{"name":"http","port":)" + port +
          R"(,"protocol":"TCP"}]}]})"));
  return objects;
}

}  // namespace kactor::api
