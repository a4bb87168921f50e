// The store actor: LMDB's single writer. Concurrent writes that queue up while a transaction
// commits are applied together in the next one (group commit: one fsync for many writes), and
// every reply is sent only after its transaction committed. Committed changes go to the watch
// hub. Runs detached (its own thread), since a commit blocks on fsync.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "net/serial_poll.hpp"
#include "store/backend.hpp"
#include "store/watch_hub.hpp"
#include "store/write_client.hpp"

namespace kactor::actors {

struct store_actor_options {
  size_t max_batch = 1024;  // writes per transaction at most
  // On a thread of its own (commits block on fsync). A scheduled store shares CAF's workers.
  bool detached = true;
  // While the writes have come one at a time for `serial_poll.serial_after`, the writer stays
  // awake this long after each reply for the next write instead of sleeping
  // (net/serial_poll.hpp). Off by default; the server sets it from apiServer.serialPollMicros.
  net::serial_poll_rule serial_poll{.window = std::chrono::microseconds(0)};
};

// `backend` and `hub` must outlive the actor.
caf::actor spawn_store_actor(caf::actor_system& system, store::backend& backend,
                             store::watch_hub& hub, store_actor_options options = {});

// The store as actor systems on other hosts reach it: a scheduled actor that relays each write
// to `store` and sends the reply itself, and stops when the store does. Publish this, never
// the store: CAF 0.17 keeps a detached actor's thread until the actor is destroyed, and once
// another node knows an actor, the middleman holds messages sent by it (its down message among
// them) until the actor system is torn down, which then waits forever for that thread.
caf::actor spawn_store_gateway(caf::actor_system& system, const caf::actor& store);

// Asks the store actor to finish every write queued before this call, then stop.
void stop_store_actor(const caf::actor& store);

// store::write_client for code outside the actor world (the HTTP front): each submit is one
// asynchronous message; the callback runs on the store actor's thread after the commit.
class store_client : public store::write_client {
 public:
  explicit store_client(caf::actor store) : store_(std::move(store)) {}
  void submit(store::write_request request, std::function<void(store::write_result)> done) override;

 private:
  caf::actor store_;
};

}  // namespace kactor::actors
