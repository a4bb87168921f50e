// Path routing and query parsing of the REST layer: pure functions, no server.
#include <gtest/gtest.h>

#include "net/query.hpp"
#include "net/route.hpp"

namespace {

using kactor::net::query_params;
using kactor::net::resolve_route;
using kactor::net::route;

TEST(Route, WellKnownEndpoints) {
  EXPECT_EQ(resolve_route("/version").kind, route::target::version);
  EXPECT_EQ(resolve_route("/healthz").kind, route::target::healthz);
  EXPECT_EQ(resolve_route("/readyz").kind, route::target::readyz);
  EXPECT_EQ(resolve_route("/api").kind, route::target::api_versions);
  EXPECT_EQ(resolve_route("/apis").kind, route::target::api_groups);
  EXPECT_EQ(resolve_route("/api/v1").kind, route::target::resource_list);
  EXPECT_EQ(resolve_route("/apis/apps/v1").kind, route::target::resource_list);
  EXPECT_EQ(resolve_route("/").kind, route::target::not_found);
  EXPECT_EQ(resolve_route("/api/v2/pods").kind, route::target::not_found);
}

TEST(Route, NamespacedCollectionObjectAndSubresource) {
  auto r = resolve_route("/api/v1/namespaces/dev/pods");
  ASSERT_EQ(r.kind, route::target::collection);
  EXPECT_EQ(r.resource->kind, "Pod");
  EXPECT_EQ(r.ns, "dev");

  r = resolve_route("/apis/apps/v1/namespaces/dev/deployments/web");
  ASSERT_EQ(r.kind, route::target::object);
  EXPECT_EQ(r.resource->kind, "Deployment");
  EXPECT_EQ(r.name, "web");

  r = resolve_route("/api/v1/namespaces/dev/pods/x/status");
  ASSERT_EQ(r.kind, route::target::subresource);
  EXPECT_EQ(r.subresource, "status");
}

TEST(Route, NamespacesThemselvesAreClusterScoped) {
  auto r = resolve_route("/api/v1/namespaces/dev");
  ASSERT_EQ(r.kind, route::target::object);
  EXPECT_EQ(r.resource->kind, "Namespace");
  EXPECT_EQ(r.name, "dev");
  EXPECT_EQ(r.ns, "");
  r = resolve_route("/api/v1/namespaces/dev/status");
  ASSERT_EQ(r.kind, route::target::subresource);
  EXPECT_EQ(r.resource->kind, "Namespace");
}

TEST(Route, AllNamespacesListButNoUnnamespacedObjects) {
  auto r = resolve_route("/api/v1/pods");
  ASSERT_EQ(r.kind, route::target::collection);
  EXPECT_EQ(r.ns, "");
  EXPECT_EQ(resolve_route("/api/v1/pods/x").kind, route::target::not_found);
  EXPECT_EQ(resolve_route("/api/v1/nodes/n1").kind, route::target::object);
  EXPECT_EQ(resolve_route("/api/v1/namespaces/dev/nodes").kind, route::target::not_found);
}

TEST(Route, UnknownKindsAndSubresourcesAreNotFound) {
  EXPECT_EQ(resolve_route("/api/v1/namespaces/dev/widgets").kind, route::target::not_found);
  EXPECT_EQ(resolve_route("/apis/apps/v1/namespaces/dev/pods").kind, route::target::not_found);
  EXPECT_EQ(resolve_route("/api/v1/namespaces/dev/pods/x/nope").kind, route::target::not_found);
  EXPECT_EQ(resolve_route("/api/v1/namespaces/dev/pods/x/status/more").kind,
            route::target::not_found);
}

TEST(Route, OpenApiV3IndexAndDocuments) {
  EXPECT_EQ(resolve_route("/openapi/v3").kind, route::target::openapi_index);
  EXPECT_EQ(resolve_route("/openapi/v3/").kind, route::target::openapi_index);
  auto r = resolve_route("/openapi/v3/api/v1");
  ASSERT_EQ(r.kind, route::target::openapi_document);
  EXPECT_EQ(r.document, "api/v1");
  r = resolve_route("/openapi/v3/apis/apps/v1");
  ASSERT_EQ(r.kind, route::target::openapi_document);
  EXPECT_EQ(r.document, "apis/apps/v1");
  EXPECT_EQ(resolve_route("/openapi/v2").kind, route::target::not_found);
  EXPECT_EQ(resolve_route("/openapi").kind, route::target::not_found);
}

TEST(Query, DecodesAndFindsParameters) {
  query_params q;
  std::string error;
  ASSERT_TRUE(q.parse("labelSelector=app%3Dweb%2Ctier+in+(a)&watch=1&limit=", error));
  EXPECT_EQ(q.get("labelSelector"), "app=web,tier in (a)");
  EXPECT_TRUE(q.flag("watch"));
  EXPECT_EQ(q.get("limit"), "");
  EXPECT_FALSE(q.has("continue"));
  EXPECT_FALSE(q.flag("limit"));
}

TEST(Query, RejectsBadEscapes) {
  query_params q;
  std::string error;
  EXPECT_FALSE(q.parse("a=%zz", error));
  EXPECT_EQ(error, "a=%zz");
  EXPECT_FALSE(q.parse("a=%4", error));
}

}  // namespace
