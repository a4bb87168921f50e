// Gives the allocator's freed pages back to the OS once the server has gone quiet.
//
// jemalloc keeps pages that were freed for reuse and returns them over its decay time (~10 s),
// driven by later allocations. After a burst (a thousand watches opened, a big list answered)
// that is memory the server no longer uses but still holds: ~0.8 KB of RSS per watcher right
// after the watches of api_bench's fan-out were set up. Returning pages at every free instead
// cost 8-15% of the write rate (bench/README.md). So an actor looks at the allocator every tick
// and returns its unused pages only when a tick passed with almost no allocation: a quiet
// server pays nothing under load and holds no leftover pages when idle.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace kactor::actors {

struct allocator_state {
  uint64_t operations = 0;    // allocations and frees so far (or anything that grows with them)
  uint64_t unused_bytes = 0;  // freed pages the allocator still holds
};

struct memory_return_rule {
  uint64_t max_quiet_operations = 1000;    // per tick; a writing server does >10,000 per 100 ms
  uint64_t min_unused_bytes = 256 * 1024;  // less is not worth the system calls

  bool should_return(const allocator_state& before, const allocator_state& now) const {
    return now.unused_bytes >= min_unused_bytes &&
           now.operations - before.operations <= max_quiet_operations;
  }
};

struct allocator_hooks {
  std::function<allocator_state()> read;  // called by the actor, once per tick
  std::function<void()> give_back;        // returns the unused pages to the OS
};

// Ticks every `interval` until stopped with stop_memory_returner.
caf::actor spawn_memory_returner(caf::actor_system& system, allocator_hooks hooks,
                                 std::chrono::milliseconds interval, memory_return_rule rule = {});
void stop_memory_returner(const caf::actor& returner);

}  // namespace kactor::actors
