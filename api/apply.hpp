// Server-side apply (application/apply-patch+yaml) and the field ownership kube-apiserver keeps
// in metadata.managedFields, as pure functions on JSON documents. The semantics are those of
// sigs.k8s.io/structured-merge-diff behind kube-apiserver's field manager: lists merge by their
// list-map keys (containers by name, container ports by containerPort and protocol, ...), sets
// of scalars merge as sets, atomic lists and structs are replaced whole; a field the manager
// applied before and leaves out now is removed unless another manager owns it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/json.hpp"
#include "api/schema.hpp"
#include "api/status.hpp"

namespace kactor::api {

// The writer of a request, as kube records it in a managedFields entry.
struct field_writer {
  const schema::message_type* type = nullptr;  // the kind's message
  std::string api_version;                     // of the request: "apps/v1"
  std::string kind;                            // "Deployment"
  std::string manager;                         // fieldManager ("" records "unknown" for updates)
  std::string subresource;                     // "" or "status"
  std::string now;  // RFC 3339 time stamped on entries this write changes
};

// The manager a non-apply write records: fieldManager, else the user agent up to its first '/'
// ("kubectl" for "kubectl/v1.32.0 (linux/amd64) kubernetes/abc"), without unprintable
// characters and cut to 128 bytes, as kube-apiserver does.
std::string manager_or_user_agent(std::string_view field_manager, std::string_view user_agent);

// kubectl's client-side apply annotation; applies by the manager "kubectl" keep it current.
inline constexpr std::string_view kLastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";

// Applies `config` (the decoded body, YAML or JSON) to `live` (nullptr: the object does not exist
// and apply creates it) for `writer`, which must name a manager (see validate_patch_options).
// `out` is the object to store, with metadata.managedFields updated; `changed` (optional) tells
// whether anything but managedFields differs from `live`. Errors, as kube-apiserver answers:
// - 400 BadRequest `invalid object type: apps/v1, Kind=Deploymnt` when the body's apiVersion or
//   kind is not the resource's, `metadata.managedFields must be nil` when the body sets them;
// - 500 (empty reason) `failed to create typed patch object (default/web; apps/v1,
//   Kind=Deployment): .spec.foo: field not declared in schema` for fields the kind does not
//   have, repeated list keys and the like;
// - 409 Conflict `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using
//   apps/v1: .spec.replicas` (causes FieldManagerConflict, one per field) when another manager
//   owns a field this one sets to a different value and `force` is false. The manager "kubectl"
//   may take over fields kubectl's last-applied annotation agrees with, as kube allows.
std::optional<api_error> server_side_apply(const json::value* live, const json::value& config,
                                           const field_writer& writer, bool force, json::value& out,
                                           bool* changed = nullptr);

// Records a non-apply write (create, update, any patch) in `updated`'s metadata.managedFields:
// the fields it set or changed now belong to the writer (operation Update), and other managers
// lose them. `live` is nullptr for a create. Like kube-apiserver, an update of an object that
// has no managedFields starts no tracking, and a request that sets managedFields to [] or [{}]
// clears them.
void track_update(const json::value* live, json::value& updated, const field_writer& writer);

}  // namespace kactor::api
