#include "actors/store_actor.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <ctime>
#include <random>

#include <sched.h>

#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "store/mutations.hpp"

namespace kactor::actors {
namespace {

using clock = std::chrono::steady_clock;

struct store_state {
  store::backend* backend = nullptr;
  store::watch_hub* hub = nullptr;
  store_actor_options options;
  std::vector<write_job> pending;
  bool flush_scheduled = false;
  bool settle_scheduled = false;
  bool flushed_since_settle_scheduled = false;
  uint64_t revision = 0;
  std::mt19937_64 rng{std::random_device{}()};
  clock::time_point last_flush;
  clock::time_point single_writes_since = clock::now();  // every batch since held one write
  bool polling = false;
  static inline const char* name = "kactor.store";
};

using store_pointer = caf::stateful_actor<store_state>*;

constexpr auto k_settle_after_idle = std::chrono::milliseconds(25);

std::string now_rfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A random (version 4) UUID, formatted as "%08x-%04x-%04x-%04x-%012x" of its two halves.
std::string new_uuid(std::mt19937_64& rng) {
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~uint64_t{0xF000}) | 0x4000;
  lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);
  static constexpr char k_hex[] = "0123456789abcdef";
  char digits[32];
  for (int i = 0; i < 16; ++i) {
    digits[i] = k_hex[(hi >> (60 - 4 * i)) & 0xF];
    digits[16 + i] = k_hex[(lo >> (60 - 4 * i)) & 0xF];
  }
  std::string out;
  out.reserve(36);
  out.append(digits, 8).append(1, '-').append(digits + 8, 4).append(1, '-');
  out.append(digits + 12, 4).append(1, '-').append(digits + 16, 4).append(1, '-');
  out.append(digits + 20, 12);
  return out;
}

void fail_written(std::vector<store::write_result>& results, const std::vector<bool>& wrote,
                  const std::string& error) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (!wrote[i]) continue;
    results[i] = store::write_result{};
    results[i].error = api::internal_error("store commit failed: " + error);
  }
}

// A lone client's next write comes right after the reply (kubectl, a controller's one
// connection). Waking this thread's CPU for it costs as much as the write's trip through the
// server on a VM that does not poll before halting, so while the writes come one at a time the
// thread keeps itself busy with poll messages for a moment after each reply (the writes queue
// behind them), yielding its CPU to any other thread that wants it.
void await_serial_writer(store_pointer self, size_t batch_size) {
  auto& st = self->state;
  st.last_flush = clock::now();
  if (batch_size > 1) st.single_writes_since = st.last_flush;
  if (st.polling ||
      !st.options.serial_poll.should_poll({}, st.last_flush - st.single_writes_since, true))
    return;
  st.polling = true;
  self->send(self, poll_atom::value);
}

void poll(store_pointer self) {
  auto& st = self->state;
  const auto now = clock::now();
  // A write that came meanwhile is in `pending`, its flush message queued behind this one.
  if (!st.pending.empty() || !st.options.serial_poll.should_poll(
                                 now - st.last_flush, now - st.single_writes_since, true)) {
    st.polling = false;
    return;
  }
  sched_yield();
  self->send(self, poll_atom::value);
}

// One transaction for every queued write; replies after the commit.
void flush(store_pointer self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  if (st.pending.empty()) return;
  std::vector<write_job> jobs;
  jobs.swap(st.pending);

  std::vector<store::write_result> results;
  results.reserve(jobs.size());
  std::vector<bool> wrote(jobs.size(), false);
  std::vector<store::watch_event_ptr> events;
  uint64_t revision = st.revision;
  store::write_context ctx;
  ctx.now = now_rfc3339();
  ctx.new_uid = [&st] { return new_uuid(st.rng); };
  std::set<std::string, std::less<>> open_namespaces;
  ctx.open_namespaces = &open_namespaces;

  st.backend->begin_write();
  for (size_t i = 0; i < jobs.size(); ++i) {
    ctx.revision = revision + 1;
    auto outcome = store::prepare_write(jobs[i].request, *st.backend, ctx);
    if (outcome.result.ok && !outcome.mutations.empty()) {
      for (auto& m : outcome.mutations) st.backend->apply(std::move(m));
      events.insert(events.end(), outcome.events.begin(), outcome.events.end());
      revision = ctx.revision;
      wrote[i] = true;
    }
    results.push_back(std::move(outcome.result));
  }
  if (revision != st.revision) {
    std::string error;
    if (st.backend->commit(revision, error)) {
      st.revision = revision;
      st.hub->publish(events);
    } else {
      spdlog::error("store: commit of {} writes failed: {}", jobs.size(), error);
      fail_written(results, wrote, error);
    }
  } else {
    st.backend->abort_write();
  }
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i].done(std::move(results[i]));
  await_serial_writer(self, jobs.size());
  st.flushed_since_settle_scheduled = true;
  if (!st.settle_scheduled && st.backend->unsettled()) {
    st.settle_scheduled = true;
    st.flushed_since_settle_scheduled = false;
    self->delayed_send(self, k_settle_after_idle, settle_atom::value);
  }
}

// The backend settles its batches itself while they keep coming; once none has come for a
// moment, the store asks it to.
void settle_when_idle(store_pointer self) {
  auto& st = self->state;
  st.settle_scheduled = false;
  if (st.flushed_since_settle_scheduled) {
    st.settle_scheduled = true;
    st.flushed_since_settle_scheduled = false;
    self->delayed_send(self, k_settle_after_idle, settle_atom::value);
    return;
  }
  st.backend->settle();
}

void enqueue(store_pointer self, write_job job) {
  auto& st = self->state;
  st.pending.push_back(std::move(job));
  if (st.pending.size() >= st.options.max_batch) return flush(self);
  if (!st.flush_scheduled) {
    // The flush message queues behind every write already in the mailbox: they join this batch.
    st.flush_scheduled = true;
    self->send(self, flush_atom::value);
  }
}

caf::behavior store_actor(store_pointer self, store::backend* backend, store::watch_hub* hub,
                          store_actor_options options) {
  self->state.backend = backend;
  self->state.hub = hub;
  self->state.options = options;
  self->state.revision = backend->revision();
  return {
      [=](write_job& job) { enqueue(self, std::move(job)); },
      [=](store::write_request& request) -> caf::result<store::write_result> {
        auto promise = self->make_response_promise<store::write_result>();
        enqueue(self, write_job{std::move(request), [promise](store::write_result r) mutable {
                                  promise.deliver(std::move(r));
                                }});
        return promise;
      },
      [=](flush_atom) { flush(self); },
      [=](settle_atom) { settle_when_idle(self); },
      [=](poll_atom) { poll(self); },
      [=](shutdown_atom) {
        flush(self);
        self->state.backend->settle();
        self->quit();
      },
  };
}

caf::behavior store_gateway(caf::event_based_actor* self, const caf::actor& store) {
  self->monitor(store);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  return {
      [=](store::write_request& request) -> caf::result<store::write_result> {
        auto promise = self->make_response_promise<store::write_result>();
        self->request(store, caf::infinite, std::move(request))
            .then([promise](store::write_result& r) mutable { promise.deliver(std::move(r)); },
                  [promise](caf::error& e) mutable { promise.deliver(std::move(e)); });
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_store_gateway(caf::actor_system& system, const caf::actor& store) {
  return system.spawn(store_gateway, store);
}

caf::actor spawn_store_actor(caf::actor_system& system, store::backend& backend,
                             store::watch_hub& hub, store_actor_options options) {
  if (!options.detached) return system.spawn(store_actor, &backend, &hub, options);
  return system.spawn<caf::detached>(store_actor, &backend, &hub, options);
}

void stop_store_actor(const caf::actor& store) {
  caf::anon_send(store, shutdown_atom::value);
}

void store_client::submit(store::write_request request,
                          std::function<void(store::write_result)> done) {
  caf::anon_send(store_, write_job{std::move(request), std::move(done)});
}

}  // namespace kactor::actors
