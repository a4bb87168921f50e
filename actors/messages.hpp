// The store's message contract. Requests and results are plain data with inspect() so they
// can cross hosts through CAF's middleman; write_job carries a local callback and stays local.
#pragma once

#include <functional>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "store/write.hpp"

namespace kactor::actors {

using flush_atom = caf::atom_constant<caf::atom("flush")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;

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

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_verb& x) {
  auto raw = static_cast<uint8_t>(x);
  auto result = f(raw);
  x = static_cast<write_verb>(raw);
  return result;
}

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
