// The store's message contract. Requests and results are plain data with inspect() so they
// can cross hosts through CAF's middleman; write_job carries a local callback and stays local.
#pragma once

#include <functional>

#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "store/write.hpp"

namespace kactor::actors {

using flush_atom = caf::atom_constant<caf::atom("flush")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;

struct write_job {
  store::write_request request;
  std::function<void(store::write_result)> done;
};

}  // namespace kactor::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kactor::actors::write_job)

namespace kactor::api {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_cause& x) {
  return f(caf::meta::type_name("status_cause"), x.reason, x.message, x.field);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_error& x) {
  return f(caf::meta::type_name("api_error"), x.code, x.reason, x.message, x.name, x.group, x.kind,
           x.uid, x.causes, x.retry_after_seconds, x.continue_token);
}

}  // namespace kactor::api

namespace kactor::store {

// write_verb needs no inspect(): CAF writes enums as their underlying integer.

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_request& x) {
  return f(caf::meta::type_name("write_request"), x.verb, x.group, x.plural, x.ns, x.name, x.body,
           x.precondition_rv, x.precondition_uid, x.dry_run);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_result& x) {
  return f(caf::meta::type_name("write_result"), x.ok, x.error, x.object, x.removed, x.revision);
}

}  // namespace kactor::store

namespace kactor::actors {

// Registers the messages that may cross hosts. Every node of a cluster must register them under
// the same names before its actor system starts: CAF delivers an unregistered type to a remote
// actor as an empty message.
inline void add_store_message_types(caf::actor_system_config& config) {
  config.add_message_type<store::write_request>("kactor.write_request");
  config.add_message_type<store::write_result>("kactor.write_result");
}

}  // namespace kactor::actors
