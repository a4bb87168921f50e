// The patch types kube-apiserver accepts on PATCH, as pure functions on parsed bodies. Each
// returns the Status kube-apiserver answers for a bad patch, or nullopt with the patched document
// in `out`.
//
// Around these functions the caller does what kube-apiserver's patch handler does:
// - a body that is not JSON: 400 BadRequest "invalid JSON patch" (before any of these run);
// - `validate_patch_options` on the query (fieldManager, force);
// - after patching, decode the result as the kind: a failure is 422 Invalid with an empty kind
//   and name and the cause `patch: Invalid value: "<document>": <decode error>`, where the
//   document is the patched JSON (json and merge patches) or go_format(patch) (strategic).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"
#include "api/schema.hpp"
#include "api/status.hpp"

namespace kactor::api {

enum class patch_kind { json, merge, strategic, apply };

// The media type of a PATCH body, or nullopt (415) for any other type.
std::optional<patch_kind> patch_kind_of(std::string_view content_type);

// The query checks kube-apiserver makes before patching (ValidatePatchOptions), 422 Invalid on
// PatchOptions.meta.k8s.io: apply needs a fieldManager (`fieldManager: Required value: is
// required for apply patch`), only apply may say `force`, and a fieldManager has at most 128
// printable characters.
std::optional<api_error> validate_patch_options(patch_kind kind, std::string_view field_manager,
                                                bool force_given);

// RFC 7386 merge of two documents: objects merge recursively, null deletes, anything else
// replaces. For merging documents the server builds itself; requests use apply_merge_patch.
json::value merge_patch(const json::value& target, const json::value& patch);

// application/merge-patch+json as kube-apiserver applies it (evanphx/json-patch v4 MergePatch):
// nulls inside values that are added are pruned, a null or scalar patch is 400 BadRequest
// "Invalid JSON Patch", and an array patch replaces the whole document.
std::optional<api_error> apply_merge_patch(const json::value& doc, const json::value& patch,
                                           json::value& out);

// application/json-patch+json (RFC 6902) with the semantics of evanphx/json-patch v4, which
// kube-apiserver uses: `replace` of a missing object key adds it, `remove` of a missing key
// fails, negative array indexes count from the end, `copy` from a missing key copies null.
// Errors:
// - the body is not a list of operation objects: 400 BadRequest with Go's decoding message
//   (`error decoding patch: json: cannot unmarshal object into Go value of type
//   []handlers.jsonPatchOp` under Warn and Strict, `json: cannot unmarshal object into Go
//   value of type jsonpatch.Patch` under Ignore);
// - more than 10000 operations: 413 RequestEntityTooLarge;
// - an operation that fails (a `test` that does not match, a path that does not resolve, an
//   unknown op): 422 Invalid "the server rejected our request due to an error in our request"
//   (kube drops the failure's own text).
// Under Warn and Strict, unknown members of an operation are reported in `strict_errors` as
// `json patch unknown field "[0].foo"`: warnings under Warn; under Strict the caller answers
// 422 as for a result that does not decode, with `strict decoding error: <errors joined by ", ">`.
std::optional<api_error> apply_json_patch(const json::value& doc, const json::value& operations,
                                          json::value& out,
                                          schema::check_mode mode = schema::check_mode::warn,
                                          std::vector<std::string>* strict_errors = nullptr);

// application/strategic-merge-patch+json on an object of `type`, as kube-apiserver's
// StrategicMergeMapPatch: lists with a merge key merge element by element, merge lists of
// scalars merge as sets, other lists are replaced; `$patch` (replace, delete; and replace
// inside a list), `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`;
// null deletes. Lists keep kube's element order. Values the schema does not describe merge as
// maps with lists replaced. New members of a message go where the schema puts them, new map
// keys in sorted position. Errors, as kube-apiserver maps them:
// - the patch is not an object: 400 BadRequest `json: cannot unmarshal array into Go value of
//   type map[string]interface {}`;
// - malformed `$retainKeys`, `$setElementOrder/`, `$deleteFromPrimitiveList/`: 400 BadRequest
//   ("invalid patch format of retainKeys", ...);
// - a list of lists: 422 Invalid "the server rejected our request due to an error in our
//   request";
// - anything else (an unknown `$patch` directive, an element without its merge key, a value of
//   the wrong shape): 500 with an empty reason and Go's message, e.g. `unknown patch type: foo
//   in map: map[$patch:foo name:c]`, as kube-apiserver passes these errors through unwrapped.
// The result may still hold nulls and directives inside values it added whole, as kube's does
// before decoding; the caller's decode and normalisation drop them.
std::optional<api_error> strategic_merge_patch(const json::value& original,
                                               const json::value& patch,
                                               const schema::message_type& type, json::value& out);

// Go's fmt "%v" of a decoded JSON value: map[a:1 b:[x y]] (keys sorted), <nil>, 1.5, 1e+21.
std::string go_format(const json::value& v);

}  // namespace kactor::api
