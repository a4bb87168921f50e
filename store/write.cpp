#include "store/write.hpp"

namespace kactor::store {
namespace {

const std::string& group_segment(const std::string& group) {
  static const std::string core = "core";
  return group.empty() ? core : group;
}

}  // namespace

std::string object_key(const std::string& group, const std::string& plural, const std::string& ns,
                       const std::string& name) {
  std::string key = group_segment(group);
  key.append("/").append(plural).append("/");
  if (!ns.empty()) key.append(ns).append("/");
  key.append(name);
  return key;
}

std::string cluster_ip_key(std::string_view ip) {
  return "~index/clusterips/" + std::string(ip);
}

std::string collection_prefix(const std::string& group, const std::string& plural,
                              const std::string& ns) {
  std::string prefix = group_segment(group);
  prefix.append("/").append(plural).append("/");
  if (!ns.empty()) prefix.append(ns).append("/");
  return prefix;
}

}  // namespace kactor::store
