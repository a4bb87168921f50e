#include "actors/memory_returner.hpp"

#include <caf/all.hpp>

namespace kactor::actors {
namespace {

using tick_atom = caf::atom_constant<caf::atom("tick")>;

struct returner_state {
  allocator_hooks hooks;
  memory_return_rule rule;
  std::chrono::milliseconds interval{};
  allocator_state last;
  static inline const char* name = "kactor.memory";
};

caf::behavior memory_returner(caf::stateful_actor<returner_state>* self, allocator_hooks hooks,
                              std::chrono::milliseconds interval, memory_return_rule rule) {
  auto& st = self->state;
  st.hooks = std::move(hooks);
  st.rule = rule;
  st.interval = interval;
  st.last = st.hooks.read();
  self->delayed_send(self, interval, tick_atom::value);
  return {
      [self](tick_atom) {
        auto& st = self->state;
        const allocator_state now = st.hooks.read();
        if (st.rule.should_return(st.last, now)) st.hooks.give_back();
        st.last = now;
        self->delayed_send(self, st.interval, tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_memory_returner(caf::actor_system& system, allocator_hooks hooks,
                                 std::chrono::milliseconds interval, memory_return_rule rule) {
  return system.spawn(memory_returner, std::move(hooks), interval, rule);
}

void stop_memory_returner(const caf::actor& returner) {
  caf::anon_send_exit(returner, caf::exit_reason::user_shutdown);
}

}  // namespace kactor::actors
