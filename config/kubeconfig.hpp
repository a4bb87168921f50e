// The kubeconfig a server writes into its data dir so that kubectl reaches it with
// `export KUBECONFIG=<data-dir>/kubeconfig`.
#pragma once

#include <string>

namespace kactor::config {

// A kubeconfig (YAML) with one cluster, one user and one context named after the cluster,
// selected as current-context, with namespace `default`.
std::string kubeconfig_yaml(const std::string& cluster_name, const std::string& server_url);

// Writes `text` to `path` atomically (a temporary file renamed over it), readable by its owner
// only, as kubeconfigs hold credentials. Throws std::runtime_error naming the path on failure.
void write_private_file(const std::string& path, const std::string& text);

}  // namespace kactor::config
