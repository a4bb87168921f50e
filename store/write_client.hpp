// How the API layer hands writes to the store's single writer without knowing it is an actor.
#pragma once

#include <functional>

#include "store/write.hpp"

namespace kactor::store {

class write_client {
 public:
  virtual ~write_client() = default;
  // `done` runs exactly once, on a thread of the store's choosing, after the write committed
  // (or failed). It must not block.
  virtual void submit(write_request request, std::function<void(write_result)> done) = 0;
};

}  // namespace kactor::store
