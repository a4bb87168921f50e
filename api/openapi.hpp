// The OpenAPI v3 documents kube-apiserver publishes under /openapi/v3, generated from the
// resource registry (paths and operations) and the type model (components/schemas): one document
// per served group/version, and the index that points at them by content hash. kubectl reads
// them for `explain` and to learn that the server validates fields (create/apply/replace).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"
#include "api/resources.hpp"
#include "api/schema.hpp"

namespace kactor::api::openapi {

// The Kubernetes release kactor presents itself as (/version's gitVersion, OpenAPI info.version).
inline constexpr std::string_view kGitVersion = "v1.32.0-kactor";

// "api/v1", "apis/apps/v1": a group/version's key in the index and its path under /openapi/v3/.
std::string group_version_path(std::string_view group, std::string_view version);

// Kubernetes' name of a message in components/schemas: "io.k8s.api.core.v1.Pod".
std::string schema_name(const schema::message_type& m);

// The message of a kind: ("autoscaling", "v1", "Scale") is k8s.io.api.autoscaling.v1.Scale.
const schema::message_type* kind_message(std::string_view group, std::string_view version,
                                         std::string_view kind);

struct group_version_kind {
  std::string group, version, kind;
};

// One message's schema as Kubernetes publishes it in OpenAPI v3: properties with kube's types and
// formats, `required`, list/map/patch extensions, enums, and the kinds it serves as.
json::value message_schema(const schema::message_type& m,
                           const std::vector<group_version_kind>& kinds = {});

// The document of one group/version: paths and operations for the registry entries of that
// group/version, components/schemas for their kinds and every message reachable from them.
json::value group_version_document(std::string_view group, std::string_view version,
                                   const std::vector<resource_info>& registry);

struct encoded_document {
  std::string path;  // "apis/apps/v1"
  std::string json;
  std::string hash;  // content_hash(json)
};

// What kube-apiserver puts in the ?hash= of a document's URL and in its ETag: the SHA-512 of the
// bytes in upper-case hex.
std::string content_hash(std::string_view bytes);

// The index: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."},...}}.
std::string index_json(const std::vector<encoded_document>& documents);

// Every group/version of all_resources(), built and encoded once on first use.
const std::vector<encoded_document>& served_documents();
const encoded_document* find_served_document(std::string_view path);
const std::string& served_index_json();

}  // namespace kactor::api::openapi
