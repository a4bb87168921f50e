// Server-side Table rendering (meta.k8s.io/v1 Table), the form `kubectl get` prints: columns and
// cells per kind as kube-apiserver 1.32's printers produce them (every column, priority 1 ones
// included: kubectl itself hides those without -o wide).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/resources.hpp"

namespace kactor::api {

// What each row's `object` carries: the `includeObject` query parameter.
enum class table_row_object { metadata, object, none };

// The Table version the client asked for ("v1" or "v1beta1"), or nullopt when the Accept
// header's first acceptable media type is not a JSON Table. Follows kube's negotiation: clauses
// ordered by q, a clause needs as=Table;g=meta.k8s.io;v=v1|v1beta1 (any parameter order, spaces
// allowed), a Table clause kube could not serve (other group/version, protobuf) is skipped, and a
// plain JSON clause ends the search without a Table. A YAML Table clause also ends it: kactor
// renders Tables in JSON only.
std::optional<std::string_view> negotiated_table_version(std::string_view accept_header);
inline bool accepts_table(std::string_view accept_header) {
  return negotiated_table_version(accept_header).has_value();
}

// The includeObject value ("" = Metadata). nullopt for anything else, with `error` set to kube's
// BadRequest message (`unrecognized includeObject value: "x"`). kube only reports it when the
// Table has at least one row; an empty list is answered normally.
std::optional<table_row_object> parse_include_object(std::string_view value, std::string* error);

// The Table's ListMeta. For a single-object GET pass that object's resourceVersion (kube copies
// it); for a list the list's resourceVersion, continue token and remaining count.
struct table_page {
  std::string resource_version;
  std::string continue_token;
  std::optional<size_t> remaining_item_count;
};

// A Table of `objects`: stored JSON documents of kind `info`, each a complete object (one row
// each; a document that does not parse is left out). `with_column_definitions` false gives
// "columnDefinitions":null, as kube sends after a watch's first event. Ages are computed against
// `now_unix_seconds`. `version` is the negotiated Table version.
std::string table_json(const resource_info& info, std::span<const std::string_view> objects,
                       const table_page& page, table_row_object include,
                       bool with_column_definitions, int64_t now_unix_seconds,
                       std::string_view version = "v1");

// k8s.io/apimachinery duration.HumanDuration (what the printers use for ages): "45s", "5m12s",
// "3h", "2d5h", "3y120d"; "0s" for -1 s, "<invalid>" below that.
std::string human_age(int64_t seconds);

// RFC 3339 timestamp ("2024-05-01T10:00:00Z", fractions and offsets allowed) to Unix seconds;
// nullopt when unparsable.
std::optional<int64_t> parse_timestamp(std::string_view text);

}  // namespace kactor::api
