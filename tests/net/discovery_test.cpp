// Discovery and OpenAPI serving: Accept negotiation, aggregated and legacy documents, caching
// headers. Pure functions, no server.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/json.hpp"
#include "api/openapi.hpp"
#include "api/resources.hpp"
#include "net/discovery.hpp"

namespace {

using namespace kactor::net;
using kactor::json::value;

constexpr std::string_view kKubectl132Accept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
constexpr std::string_view kKubectl128Accept =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

value parse(const std::string& text) {
  value v;
  EXPECT_TRUE(kactor::json::parse(text, v).ok) << text;
  return v;
}

std::string dump(const value* v) {
  return v ? kactor::json::dump(*v) : "<absent>";
}

const value* find_by(const value& array, std::string_view key, std::string_view name) {
  for (const auto& item : array.as_array())
    if (item.get_string(key) == name) return &item;
  return nullptr;
}

std::string header(const response& r, std::string_view name) {
  for (const auto& [key, val] : r.headers)
    if (key == name) return val;
  return "<absent>";
}

TEST(DiscoveryNegotiation, KubectlsAcceptHeaders) {
  EXPECT_EQ(negotiate_discovery_format(kKubectl132Accept), discovery_format::aggregated_v2);
  EXPECT_EQ(negotiate_discovery_format(kKubectl128Accept), discovery_format::aggregated_v2beta1);
  EXPECT_EQ(negotiate_discovery_format("application/json, */*"), discovery_format::legacy);
  EXPECT_EQ(negotiate_discovery_format(""), discovery_format::legacy);
}

TEST(DiscoveryNegotiation, QualitySpacesAndUnservedTypes) {
  EXPECT_EQ(negotiate_discovery_format(
                "application/json;q=0.5, application/json; g=apidiscovery.k8s.io; v=v2; "
                "as=APIGroupDiscoveryList"),
            discovery_format::aggregated_v2);
  EXPECT_EQ(negotiate_discovery_format(
                "application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as="
                "APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as="
                "APIGroupDiscoveryList"),
            discovery_format::aggregated_v2beta1);
  EXPECT_EQ(negotiate_discovery_format("application/json;g=apidiscovery.k8s.io;v=v3;as="
                                       "APIGroupDiscoveryList,application/json"),
            discovery_format::legacy);
  EXPECT_EQ(negotiate_discovery_format("application/json;as=Table;v=v1;g=meta.k8s.io"),
            discovery_format::legacy);
  EXPECT_EQ(negotiate_discovery_format(
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0"),
            discovery_format::legacy);
}

TEST(DiscoveryNegotiation, ContentTypesAreExact) {
  EXPECT_EQ(discovery_content_type(discovery_format::aggregated_v2),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(discovery_content_type(discovery_format::aggregated_v2beta1),
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
  EXPECT_EQ(discovery_content_type(discovery_format::legacy), "application/json");
}

TEST(AggregatedDiscovery, CoreGroupHasOneUnnamedItemWithEveryCoreResource) {
  value doc = parse(aggregated_discovery_json(true, discovery_format::aggregated_v2));
  EXPECT_EQ(doc.get_string("kind"), "APIGroupDiscoveryList");
  EXPECT_EQ(doc.get_string("apiVersion"), "apidiscovery.k8s.io/v2");
  EXPECT_EQ(dump(doc.find("metadata")), "{}");
  ASSERT_EQ(doc.find("items")->as_array().size(), 1u);
  const value& core = doc.find("items")->as_array()[0];
  EXPECT_EQ(dump(core.find("metadata")), R"({"creationTimestamp":null})");
  const value& v1 = core.find("versions")->as_array().at(0);
  EXPECT_EQ(v1.get_string("version"), "v1");
  EXPECT_EQ(v1.get_string("freshness"), "Current");
  const value& resources = *v1.find("resources");
  std::vector<std::string> names;
  for (const auto& r : resources.as_array()) names.emplace_back(r.get_string("resource"));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));

  const value* pods = find_by(resources, "resource", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(dump(pods->find("responseKind")), R"({"group":"","version":"v1","kind":"Pod"})");
  EXPECT_EQ(pods->get_string("scope"), "Namespaced");
  EXPECT_EQ(pods->get_string("singularResource"), "pod");
  EXPECT_EQ(dump(pods->find("shortNames")), R"(["po"])");
  EXPECT_EQ(dump(pods->find("categories")), R"(["all"])");
  const value* status = find_by(*pods->find("subresources"), "subresource", "status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(dump(status),
            R"({"subresource":"status","responseKind":{"group":"","version":"v1","kind":"Pod"},)"
            R"("verbs":["get","patch","update"]})");
  const value* namespaces = find_by(resources, "resource", "namespaces");
  ASSERT_NE(namespaces, nullptr);
  EXPECT_EQ(namespaces->get_string("scope"), "Cluster");
}

TEST(AggregatedDiscovery, GroupsAreNamedAndV2beta1HasTheSameShape) {
  value v2 = parse(aggregated_discovery_json(false, discovery_format::aggregated_v2));
  value beta = parse(aggregated_discovery_json(false, discovery_format::aggregated_v2beta1));
  EXPECT_EQ(beta.get_string("apiVersion"), "apidiscovery.k8s.io/v2beta1");
  EXPECT_EQ(dump(v2.find("items")), dump(beta.find("items")));
  const value* apps = nullptr;
  for (const auto& item : v2.find("items")->as_array())
    if (item.at({"metadata", "name"}) && item.at({"metadata", "name"})->as_string() == "apps")
      apps = &item;
  ASSERT_NE(apps, nullptr);
  const value& resources = *apps->find("versions")->as_array().at(0).find("resources");
  const value* deployments = find_by(resources, "resource", "deployments");
  ASSERT_NE(deployments, nullptr);
  EXPECT_EQ(dump(deployments->find("responseKind")),
            R"({"group":"apps","version":"v1","kind":"Deployment"})");
  EXPECT_EQ(dump(deployments->find("shortNames")), R"(["deploy"])");
}

// Adding a kind is one registry entry: every entry shows up in both discovery forms.
TEST(AggregatedDiscovery, EveryRegistryEntryIsListed) {
  value core = parse(aggregated_discovery_json(true, discovery_format::aggregated_v2));
  value groups = parse(aggregated_discovery_json(false, discovery_format::aggregated_v2));
  for (const auto& r : kactor::api::all_resources()) {
    const value& doc = r.group.empty() ? core : groups;
    const value* found = nullptr;
    for (const auto& item : doc.find("items")->as_array()) {
      const value* name = item.at({"metadata", "name"});
      if ((name ? name->as_string() : "") != r.group) continue;
      for (const auto& version : item.find("versions")->as_array())
        if (version.get_string("version") == r.version)
          found = find_by(*version.find("resources"), "resource", r.plural);
    }
    ASSERT_NE(found, nullptr) << r.plural;
    EXPECT_EQ(found->at({"responseKind", "kind"})->as_string(), r.kind);
    EXPECT_EQ(found->find("verbs")->as_array().size(), r.verbs.size());
    EXPECT_EQ(found->find("subresources") ? found->find("subresources")->as_array().size() : 0u,
              r.subresources.size());
    auto legacy = api_resource_list_json(r.group, r.version);
    ASSERT_TRUE(legacy.has_value());
    EXPECT_NE(find_by(*parse(*legacy).find("resources"), "name", r.plural), nullptr);
  }
}

TEST(DiscoveryOrder, VersionsPreferredFirstAndGroupsByKubePriority) {
  std::vector<std::string> versions = {"v1",      "v2beta1", "foo", "v1alpha1",
                                       "v2beta2", "v10",     "v2",  "v1beta1"};
  std::sort(versions.begin(), versions.end(),
            [](const auto& a, const auto& b) { return compare_kube_versions(a, b) < 0; });
  EXPECT_EQ(versions, (std::vector<std::string>{"v10", "v2", "v1", "v2beta2", "v2beta1", "v1beta1",
                                                "v1alpha1", "foo"}));
  EXPECT_EQ(in_kube_group_order({"zeta.example.com", "batch", "apiextensions.k8s.io", "apps",
                                 "autoscaling", "admissionregistration.k8s.io", "events.k8s.io"}),
            (std::vector<std::string>{"apps", "events.k8s.io", "autoscaling", "batch",
                                      "admissionregistration.k8s.io", "apiextensions.k8s.io",
                                      "zeta.example.com"}));
  EXPECT_EQ(served_versions(""), (std::vector<std::string>{"v1"}));
}

TEST(LegacyDiscovery, DocumentsForOlderKubectls) {
  value versions = parse(api_versions_json("10.0.0.1:6443"));
  EXPECT_EQ(dump(&versions),
            R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":)"
            R"([{"clientCIDR":"0.0.0.0/0","serverAddress":"10.0.0.1:6443"}]})");
  value groups = parse(api_group_list_json());
  const value* apps = find_by(*groups.find("groups"), "name", "apps");
  ASSERT_NE(apps, nullptr);
  EXPECT_EQ(dump(apps->find("preferredVersion")), R"({"groupVersion":"apps/v1","version":"v1"})");
  value list = parse(*api_resource_list_json("", "v1"));
  EXPECT_EQ(list.get_string("groupVersion"), "v1");
  std::vector<std::string> names;
  for (const auto& r : list.find("resources")->as_array()) names.emplace_back(r.get_string("name"));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), "pods/status"), names.end());
  EXPECT_FALSE(api_resource_list_json("apps", "v2").has_value());
  EXPECT_FALSE(api_group_json("nope").has_value());
}

TEST(RootDiscoveryResponse, AnswersInTheNegotiatedFormat) {
  response aggregated = root_discovery_response(false, kKubectl132Accept, "127.0.0.1:8080");
  EXPECT_EQ(aggregated.status, 200);
  EXPECT_EQ(aggregated.content_type,
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(aggregated.body, aggregated_discovery_json(false, discovery_format::aggregated_v2));
  EXPECT_EQ(header(aggregated, "Vary"), "Accept");
  EXPECT_EQ(header(aggregated, "ETag"), "<absent>");
  response legacy = root_discovery_response(true, "application/json, */*", "127.0.0.1:8080");
  EXPECT_EQ(legacy.content_type, "application/json");
  EXPECT_EQ(legacy.body, api_versions_json("127.0.0.1:8080"));
}

TEST(OpenApiResponses, IndexAndDocumentsWithContentHashes) {
  value index = parse(openapi_index_response().body);
  const auto* doc = kactor::api::openapi::find_served_document("api/v1");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(index.at({"paths", "api/v1", "serverRelativeURL"})->as_string(),
            "/openapi/v3/api/v1?hash=" + doc->hash);
  EXPECT_NE(index.at({"paths", "apis/apps/v1"}), nullptr);

  const auto epoch = std::chrono::system_clock::time_point{};
  response current = openapi_document_response("api/v1", doc->hash, epoch);
  EXPECT_EQ(current.status, 200);
  EXPECT_EQ(current.content_type, "application/json");
  EXPECT_EQ(current.body, doc->json);
  EXPECT_EQ(header(current, "ETag"), "\"" + doc->hash + "\"");
  EXPECT_EQ(header(current, "Cache-Control"), "public, immutable");
  EXPECT_EQ(header(current, "Date"), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(header(current, "Expires"), "Fri, 01 Jan 1971 00:00:00 GMT");

  response unhashed = openapi_document_response("api/v1", std::nullopt, epoch);
  EXPECT_EQ(unhashed.status, 200);
  EXPECT_EQ(header(unhashed, "Cache-Control"), "<absent>");
  EXPECT_EQ(header(unhashed, "ETag"), "<absent>");

  response stale = openapi_document_response("api/v1", std::string("0123"), epoch);
  EXPECT_EQ(stale.status, 301);
  EXPECT_EQ(header(stale, "Location"), "/openapi/v3/api/v1?hash=" + doc->hash);

  response missing = openapi_document_response("apis/batch/v1", std::nullopt, epoch);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(parse(missing.body).get_string("reason"), "NotFound");
}

}  // namespace
