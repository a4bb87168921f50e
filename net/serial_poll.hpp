// When an io thread (or the store's writer) that has nothing to do polls instead of sleeping.
//
// Waking a halted CPU takes 25-60 us on a VM whose guest does not poll before halting (the
// project's 2-vCPU benchmark machine), as long as the rest of a request's trip through the
// server. A client working serially (kubectl, a script, a controller's one connection) pays it
// twice per request: once when the store's answer arrives, once when the next request does.
// So while one connection alone has been sending the requests, its io thread keeps polling for
// a moment after each piece of work. Once requests come from several connections the CPUs stay
// busy anyway, and polling would only take time from the threads doing the work. The store's
// writer applies the same rule to its batches: serial while each has held a single write.
#pragma once

#include <chrono>

namespace kactor::net {

struct serial_poll_rule {
  using duration = std::chrono::steady_clock::duration;

  std::chrono::microseconds window{300};  // how long after its last work a thread polls; 0: never
  std::chrono::milliseconds serial_after{2};  // one connection alone sent requests this long

  bool should_poll(duration since_last_work, duration since_requester_changed,
                   bool requester_on_this_thread) const {
    return requester_on_this_thread && since_last_work < window &&
           since_requester_changed >= serial_after;
  }
};

}  // namespace kactor::net
