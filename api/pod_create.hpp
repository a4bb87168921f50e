// A one-pass admission of the pod creates most clients send: the JSON body is walked once with
// simdjson, checked, defaulted and validated field by field, and written straight into the
// pieces the store keeps, without the generic json::value tree. Every body it is not sure of
// (a field it does not know, a null, a quantity to respell, a duplicate key, anything invalid)
// is left to the generic path (decode_object, admit_object, prepare_object), which also gives
// every error. When it answers, its answer is the generic path's, byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/selectors.hpp"

namespace kactor::api {

// An admitted pod, split as store::prepared_object splits it (its kind is Pod, its apiVersion v1).
struct admitted_pod {
  std::string name;           // metadata.name, generated when the body gave generateName
  std::string generate_name;  // "generateName":"web-" or ""
  std::string metadata_tail;  // "labels":{..},"annotations":{..} or ""
  std::string rest;           // "spec":{..},"status":{..}
  object_facts facts;
};

// The pod a JSON create body in namespace `url_ns` becomes, or std::nullopt to take the
// generic path.
std::optional<admitted_pod> admit_pod_create(std::string_view json_body, std::string_view url_ns);

}  // namespace kactor::api
