#include "store/pending_writes.hpp"

#include <mutex>

namespace kactor::store {

void pending_writes::add(uint64_t revision, const std::vector<mutation>& mutations) {
  std::unique_lock lock(mutex_);
  for (const auto& m : mutations) {
    value_ptr value;
    if (m.operation == mutation::op::put) value = std::make_shared<const std::string>(m.value);
    auto it = keys_.find(std::string_view(m.key));
    if (it == keys_.end()) it = keys_.emplace(m.key, std::vector<version>{}).first;
    auto& versions = it->second;
    // A batch that writes a key twice leaves only its last write.
    if (!versions.empty() && versions.back().revision == revision)
      versions.back().value = std::move(value);
    else
      versions.push_back({revision, std::move(value)});
    bytes_ += m.key.size() + m.value.size();
  }
  if (!mutations.empty()) empty_.store(false, std::memory_order_release);
}

const pending_writes::version* pending_writes::latest_at(const std::vector<version>& versions,
                                                         uint64_t revision) {
  for (auto it = versions.rbegin(); it != versions.rend(); ++it)
    if (it->revision <= revision) return &*it;
  return nullptr;
}

std::optional<pending_writes::value_ptr> pending_writes::find(std::string_view key,
                                                              uint64_t revision) const {
  if (empty_.load(std::memory_order_acquire)) return std::nullopt;
  std::shared_lock lock(mutex_);
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  const version* v = latest_at(it->second, revision);
  if (!v) return std::nullopt;
  return v->value;
}

std::vector<pending_writes::entry> pending_writes::range(std::string_view prefix,
                                                         std::string_view start_after,
                                                         uint64_t revision) const {
  std::vector<entry> out;
  if (empty_.load(std::memory_order_acquire)) return out;
  std::shared_lock lock(mutex_);
  auto it = start_after.empty() || start_after < prefix ? keys_.lower_bound(prefix)
                                                        : keys_.upper_bound(start_after);
  for (; it != keys_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
    if (const version* v = latest_at(it->second, revision)) out.push_back({it->first, v->value});
  }
  return out;
}

size_t pending_writes::bytes() const {
  std::shared_lock lock(mutex_);
  return bytes_;
}

}  // namespace kactor::store
