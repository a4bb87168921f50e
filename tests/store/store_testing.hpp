// Helpers shared by the store tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "store/backend.hpp"

namespace kactor::store::store_testing {

// A fresh directory under /tmp, removed (permissions restored first) when the test ends.
class temp_dir {
 public:
  temp_dir() {
    char pattern[] = "/tmp/kactor-store-test-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline mutation put(std::string key, std::string value) {
  return {mutation::op::put, std::move(key), std::move(value)};
}

inline mutation erase(std::string key) {
  return {mutation::op::erase, std::move(key), {}};
}

}  // namespace kactor::store::store_testing
