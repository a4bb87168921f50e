#include "net/deadlines.hpp"

namespace kactor::net {

deadline_runner::deadline_runner() : thread_([this] { run(); }) {}

deadline_runner::~deadline_runner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void deadline_runner::at(clock::time_point when, std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.emplace(when, std::move(job));
  }
  wake_.notify_one();
}

void deadline_runner::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (jobs_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = jobs_.begin();
    if (first->first > clock::now()) {
      wake_.wait_until(lock, first->first);
      continue;
    }
    auto job = std::move(first->second);
    jobs_.erase(first);
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace kactor::net
