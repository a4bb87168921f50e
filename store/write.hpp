// Write requests to the store actor and their results. Plain data (strings and numbers) so the
// same messages can later cross hosts through CAF's middleman; their inspect() lives in
// actors/messages.hpp to keep CAF out of this header.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/json.hpp"
#include "api/selectors.hpp"
#include "api/status.hpp"

namespace kactor::store {

enum class write_verb : uint8_t {
  create,         // fails with AlreadyExists; the namespace must exist (404 otherwise)
  update,         // PUT/PATCH of the main resource: status changes are ignored if the kind has
                  // a status subresource; NotFound if absent
  update_status,  // PUT/PATCH of /status: only status changes (the rest is kept as stored)
  remove,         // DELETE: immediate, or deletionTimestamp when finalizers are present
  update_whole,   // server-side subresources that change spec and status together
                  // (pods/binding): like update, but status is taken from the body
};

// ObjectMeta fields in the order Kubernetes encodes them; unknown ones follow in their own order.
// clang-format off
inline constexpr std::array<std::string_view, 15> k_metadata_order = {
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields"};
// clang-format on

// An object to create, split by the API layer for the single writer: everything the store does
// not stamp is already encoded, so the store thread only writes the metadata it owns (name,
// namespace, uid, resourceVersion, generation, creationTimestamp) between the pieces, and the
// object's field facts come ready. Build it with prepare_object.
struct prepared_object {
  std::string kind;         // "" when the object has none (the store fills it in)
  std::string api_version;  // likewise
  // The client's metadata members the store keeps, encoded in their stored order with their
  // keys: generateName (it sits between name and namespace) apart, and the tail that follows
  // creationTimestamp: labels, annotations, ownerReferences, finalizers, managedFields, then any
  // unknown members. The members the store owns are dropped.
  std::string generate_name;  // "generateName":"web-" or ""
  std::string metadata_tail;  // "labels":{..},"annotations":{..} or ""
  std::string rest;  // the other top-level members in their order, encoded: "spec":{..},...
  std::shared_ptr<const api::object_facts> facts;  // of the whole object
};

// Splits an admitted object; facts are taken before the split.
prepared_object prepare_object(json::value obj);
// The prepared object as one document again (member order aside, the members the store owns
// left out).
json::value joined_object(prepared_object prepared);

struct write_request {
  write_verb verb = write_verb::create;
  std::string group;   // "" for core
  std::string plural;  // "pods"
  std::string ns;      // "" for cluster-scoped kinds
  std::string name;
  std::string body;  // create/update: the complete object as JSON, already decoded,
                     // defaulted and validated by the API layer
  // The same object, already parsed: a local writer may send it instead of `body` to save an
  // encode and a parse. The store consumes it. Never crosses hosts (not inspected).
  std::shared_ptr<json::value> object;
  // A create's object, prepared by a local writer instead of `object`: the store thread's share
  // of a create is then smaller. Consumed by the store; never crosses hosts.
  std::shared_ptr<prepared_object> prepared;
  uint64_t precondition_rv = 0;  // update/remove: 409 Conflict unless current RV equals
  std::string precondition_uid;  // remove: 409 Conflict unless current uid equals
  bool dry_run = false;          // run every check, change nothing
};

struct write_result {
  bool ok = false;
  api::api_error error;   // when !ok
  std::string object;     // the stored object JSON (for remove: its last state)
  bool removed = false;   // remove: the object is gone (false: marked for deletion)
  uint64_t revision = 0;  // the revision of this write (0 for failures and no-ops)
};

// Store key of an object: "<group or core>/<plural>/<ns>/<name>" or "<group>/<plural>/<name>".
std::string object_key(const std::string& group, const std::string& plural, const std::string& ns,
                       const std::string& name);
// The store's record that a Service holds a cluster IP: "~index/clusterips/<ip>", whose value is
// the Service's key. No collection prefix matches it.
std::string cluster_ip_key(std::string_view ip);
// Prefix of a collection: all namespaces when ns is empty.
std::string collection_prefix(const std::string& group, const std::string& plural,
                              const std::string& ns);

}  // namespace kactor::store
