// A read-only map from short names (JSON field names) to values, built once and looked up on
// every member of every object: an open-addressing table whose probes compare names as at most
// two machine words instead of calling memcmp.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace kactor::api {

// A name read as at most two words, covering all of its bytes when it has up to 16: equal
// fingerprints of names that short mean equal names, and the words hash without a loop.
struct name_fingerprint {
  uint64_t head = 0, tail = 0;
  size_t size = 0;

  name_fingerprint() = default;
  explicit name_fingerprint(std::string_view name) : size(name.size()) {
    const char* p = name.data();
    if (size >= 8) {
      std::memcpy(&head, p, 8);
      std::memcpy(&tail, p + size - 8, 8);
    } else if (size >= 4) {
      uint32_t first, last;
      std::memcpy(&first, p, 4);
      std::memcpy(&last, p + size - 4, 4);
      head = first | uint64_t{last} << 32;
    } else if (size > 0) {
      head = uint64_t{static_cast<unsigned char>(p[0])} |
             uint64_t{static_cast<unsigned char>(p[size / 2])} << 8 |
             uint64_t{static_cast<unsigned char>(p[size - 1])} << 16;
    }
  }

  bool operator==(const name_fingerprint&) const = default;
  bool covers_whole_name() const { return size <= 16; }

  size_t hash() const {
    const uint64_t h = head * 0x9E3779B97F4A7C15ULL ^ tail * 0xC2B2AE3D27D4EB4FULL ^ size;
    return static_cast<size_t>(h ^ h >> 29);
  }
};

template <typename T>
class name_table {
 public:
  name_table() = default;
  // When a name appears more than once, its first entry is kept. Names must outlive the table.
  explicit name_table(const std::vector<std::pair<std::string_view, T>>& entries) {
    size_t capacity = 4;
    while (capacity < entries.size() * 2) capacity *= 2;
    slots_.resize(capacity);
    for (const auto& [name, value] : entries) {
      if (find(name)) continue;
      const name_fingerprint fingerprint(name);
      slot& free = slots_[free_slot(fingerprint)];
      free = slot{fingerprint, name, value, true};
    }
  }

  // nullptr when the name is not in the table.
  [[gnu::always_inline]] const T* find(std::string_view name) const {
    if (slots_.empty()) return nullptr;
    const name_fingerprint fingerprint(name);
    const size_t mask = slots_.size() - 1;
    for (size_t i = fingerprint.hash() & mask; slots_[i].used; i = (i + 1) & mask) {
      const slot& candidate = slots_[i];
      if (candidate.fingerprint == fingerprint &&
          (fingerprint.covers_whole_name() || candidate.name == name))
        return &candidate.value;
    }
    return nullptr;
  }

 private:
  struct slot {
    name_fingerprint fingerprint;
    std::string_view name;
    T value{};
    bool used = false;
  };

  size_t free_slot(const name_fingerprint& fingerprint) const {
    const size_t mask = slots_.size() - 1;
    size_t i = fingerprint.hash() & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    return i;
  }

  std::vector<slot> slots_;
};

}  // namespace kactor::api
