// Fan-out of committed changes to watchers. The store actor publishes every committed event
// in revision order; a bounded ring keeps recent ones so a watch can start from any revision
// still in it (older: 410 Expired). Each event is encoded once and shared by all watchers.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/selectors.hpp"

namespace kactor::store {

struct watch_event {
  enum class type { added, modified, deleted };
  type kind = type::added;
  uint64_t revision = 0;
  std::string key;                                      // store key of the object
  std::shared_ptr<const api::object_facts> facts;       // of object()
  std::shared_ptr<const api::object_facts> prev_facts;  // of the previous state (modified only)
  // The previous state with this event's resourceVersion (modified only): what a selective
  // watcher receives as DELETED when the object stops matching its selector.
  std::shared_ptr<const std::string> prev_object;
  // The watch line `{"type":...,"object":...}\n`, encoded once when the event is made and
  // shared by every watcher that receives the event as it is. It also holds the object.
  std::shared_ptr<const std::string> line;
  size_t object_begin = 0;  // where the object starts in `line`

  // The object JSON (deleted: the last state, at the new revision).
  std::string_view object() const {
    return std::string_view(*line).substr(object_begin, line->size() - object_begin - 2);
  }
};
using watch_event_ptr = std::shared_ptr<const watch_event>;

// `{"type":"<type>","object":<object>}` and a newline: one event of a watch stream. Sets
// `*object_begin` to where the object starts, if given.
inline std::string encode_watch_line(std::string_view type, std::string_view object,
                                     size_t* object_begin = nullptr) {
  std::string line;
  line.reserve(object.size() + 32);
  line += R"({"type":")";
  line += type;
  line += R"(","object":)";
  if (object_begin) *object_begin = line.size();
  line += object;
  line += "}\n";
  return line;
}
inline const char* event_type_name(watch_event::type t) {
  switch (t) {
    case watch_event::type::added:
      return "ADDED";
    case watch_event::type::modified:
      return "MODIFIED";
    case watch_event::type::deleted:
      return "DELETED";
  }
  return "ERROR";
}

class watch_hub {
 public:
  // `capacity`: events kept for catch-up. `start_revision`: the store revision at startup;
  // watching from below it is Expired, since no history exists from before.
  watch_hub(size_t capacity, uint64_t start_revision);

  // Called for every event in order. Return false to end the subscription (e.g. the watcher's
  // bounded buffer overflowed or its connection closed). Called on the publisher's thread
  // (replay: on the subscriber's thread, before subscribe returns): keep it short. It runs
  // under the hub's lock, so it must not call into the hub (that deadlocks).
  using sink = std::function<bool(const watch_event_ptr&)>;

  struct subscription {
    bool ok = false;
    uint64_t id = 0;
    uint64_t oldest_available = 0;  // when !ok: the oldest revision a watch could start from
  };
  // Replays retained events with revision > from_revision whose key starts with key_prefix,
  // then streams live ones, with nothing missed or repeated in between. from_revision = 0 means
  // "from now". Below the oldest retained revision: !ok and oldest_available. If the sink
  // returns false during the replay, nothing is registered (ok with id 0).
  subscription subscribe(std::string key_prefix, uint64_t from_revision, sink s);
  void unsubscribe(uint64_t id);

  // Called only by the store actor, after the events' transaction committed.
  void publish(const std::vector<watch_event_ptr>& events);

  uint64_t latest_revision() const;
  size_t watcher_count() const;

 private:
  struct watcher {
    std::string prefix;
    sink deliver;
  };
  mutable std::mutex mutex_;
  size_t capacity_;
  std::deque<watch_event_ptr> ring_;
  uint64_t compacted_revision_;  // every event with revision > this is in the ring
  uint64_t latest_revision_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, watcher> watchers_;
};

}  // namespace kactor::store
