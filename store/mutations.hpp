// The write semantics of the store, as kube-apiserver applies them: preconditions, server-owned
// metadata, generation, no-op updates, finalizers and deletion. Pure functions over a write
// session: no threads, no actors. The store actor calls prepare_write for each request of a
// batch inside one write session, applies the returned mutations, commits, then publishes the
// returned events.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "store/backend.hpp"
#include "store/watch_hub.hpp"
#include "store/write.hpp"

namespace kactor::store {

struct write_context {
  uint64_t revision = 0;                 // the revision this write gets if it changes anything
  std::string now;                       // RFC 3339 UTC, seconds: "2026-11-27T03:45:47Z"
  std::function<std::string()> new_uid;  // called once per create
  // Namespaces that writes earlier in the batch found open for creates, kept by the caller for
  // one batch (null: none kept), so that a batch of creates reads each namespace once. Any write
  // to a namespace clears it.
  std::set<std::string, std::less<>>* open_namespaces = nullptr;
};

struct write_outcome {
  write_result result;
  // To apply in order. Empty for failures, no-ops (result.revision == 0) and dry runs.
  std::vector<mutation> mutations;
  // To publish after the commit, in order; all carry ctx.revision. Empty when mutations is.
  std::vector<watch_event_ptr> events;
};

// Decides one write against the state the open write session shows, without applying anything.
// Within a batch, apply each write's mutations before preparing the next write, so that it sees
// them. result.revision is ctx.revision exactly when there are mutations. A dry run computes the
// result as if (a created object then has no resourceVersion; others keep the current one) and
// returns no mutations or events.
write_outcome prepare_write(const write_request& req, backend& session, const write_context& ctx);

}  // namespace kactor::store
