// Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), which
// kubectl >= 1.32 sends for `create <generator>` and `autoscale`, read into the same JSON objects
// a JSON body gives. One generic decoder walks the type model (api/schema.hpp); no per-kind code.
//
// Zero values: Go's protobuf encoder writes every non-pointer field even when zero, and Go's JSON
// encoder drops zero scalars tagged omitempty. So a scalar read from the wire is kept when it is
// not zero, or when its Go field is a pointer or lacks omitempty (api/protobuf_keep_zero.inc,
// generated from the Go structs by scripts/gen_protobuf_keep_zero.py): `replicas: 0` stays,
// `generation: 0` goes. A message present on the wire is always kept, even empty (`status: {}`,
// `resources: {}`), as Go's JSON encoder never drops a struct; an empty Time is absent.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/json.hpp"
#include "api/resources.hpp"
#include "api/schema.hpp"
#include "api/status.hpp"

namespace kactor::api {

// Decodes "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, ...}, `raw` being the
// object's own message, of the type the type model has for apiVersion/kind. On success `out` is
// the object in JSON form: apiVersion and kind first, then its fields in schema order (maps with
// sorted keys, as Go writes them). On failure: 400 BadRequest carrying the decoder's error
// ("unexpected EOF", "proto: wrong wireType = 0 for field Name", `no kind "Foo" is registered
// for version "v1" in scheme ...`).
std::optional<api_error> decode_protobuf_object(std::string_view body, json::value& out);

// The same for a write to `info`'s URL, as kube-apiserver's handlers decode it: an envelope
// without apiVersion or kind takes the URL's, and errors read `ConfigMap in version "v1" cannot
// be handled as a ConfigMap: unexpected EOF` (or, when the envelope itself is unreadable, `the
// object provided is unrecognized (must be of type ConfigMap): ... (<hex of the body>)`).
// A well-formed body of another kind decodes as that kind: the caller compares apiVersion/kind
// with the URL as for JSON bodies.
std::optional<api_error> decode_protobuf_object(const resource_info& info, std::string_view body,
                                                json::value& out);

// Decodes one message of `type` (no envelope, no apiVersion/kind) into `out`. Returns the
// decoder's error text, empty on success.
std::string decode_protobuf_message(std::string_view data, const schema::message_type& type,
                                    json::value& out);

// The message type of a kind: ("apps/v1", "Deployment") -> k8s.io.api.apps.v1.Deployment,
// ("v1", "ConfigMap") -> k8s.io.api.core.v1.ConfigMap, ("rbac.authorization.k8s.io/v1", "Role")
// -> k8s.io.api.rbac.v1.Role. nullptr when the type model has no such kind.
const schema::message_type* protobuf_kind_type(std::string_view api_version, std::string_view kind);

}  // namespace kactor::api
