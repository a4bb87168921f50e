// One background thread that runs small callbacks at (or soon after) a point in time: watch
// timeouts, and work that must not run on the thread that discovered it (e.g. unsubscribing a
// watcher from inside the hub's delivery).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace kactor::net {

class deadline_runner {
 public:
  using clock = std::chrono::steady_clock;
  deadline_runner();
  ~deadline_runner();
  deadline_runner(const deadline_runner&) = delete;
  deadline_runner& operator=(const deadline_runner&) = delete;

  void at(clock::time_point when, std::function<void()> job);
  void soon(std::function<void()> job) { at(clock::now(), std::move(job)); }

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<clock::time_point, std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kactor::net
