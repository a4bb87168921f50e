// Field validation as kube-apiserver 1.32 performs it (k8s.io/apimachinery/pkg/util/validation,
// pkg/api/validation, pkg/apis/core/validation, pkg/apis/apps/validation): same checks, same
// order, same field paths, same messages. Objects are validated in their v1 JSON form after
// defaulting (see api/defaults.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"
#include "api/status.hpp"

namespace kactor::api {

// ---- Format checks -------------------------------------------------------------------------
// Each returns the problems Kubernetes reports for the value (empty when it is valid), e.g.
// "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', ...".

std::vector<std::string> is_dns1123_label(std::string_view value);
std::vector<std::string> is_dns1123_subdomain(std::string_view value);
std::vector<std::string> is_dns1035_label(std::string_view value);
// Label and annotation keys, finalizer names: [prefix/]name.
std::vector<std::string> is_qualified_name(std::string_view value);
std::vector<std::string> is_valid_label_value(std::string_view value);
// ConfigMap and Secret data keys.
std::vector<std::string> is_config_map_key(std::string_view value);
std::vector<std::string> is_valid_port_name(std::string_view value);
std::vector<std::string> is_valid_port_num(int64_t port);
// Environment variable names under RelaxedEnvironmentVariableValidation (beta, on in 1.32).
std::vector<std::string> is_relaxed_env_var_name(std::string_view value);
// IP addresses as netutils.ParseIPSloppy accepts them (IPv4 may have leading zeros).
bool is_valid_ip(std::string_view value);
bool is_valid_cidr(std::string_view value);

// How a kind's metadata.name is checked.
enum class name_rule {
  dns1123_subdomain,  // most kinds
  dns1123_label,      // Namespace
  dns1035_label,      // Service
  path_segment,       // core/v1 Event: only the generic "no '/', '%', '.', '..'" check
};
name_rule name_rule_for_kind(std::string_view kind);
// `prefix` is true for metadata.generateName (a trailing '-' is allowed).
std::vector<std::string> validate_name(std::string_view name, name_rule rule, bool prefix);

// ---- Field errors beyond the helpers of status.hpp -----------------------------------------

// "Required value: <detail>" (no detail: as required_field()).
status_cause required_field(const std::string& field, const std::string& detail);
// "Not found: <shown_value>" (FieldValueNotFound).
status_cause not_found_value(const std::string& field, const std::string& shown_value);

// ---- ObjectMeta ----------------------------------------------------------------------------

// metadata.labels (`labels` may be null or absent); errors use `field` as their path.
std::vector<status_cause> validate_labels(const json::value* labels, const std::string& field);
std::vector<status_cause> validate_annotations(const json::value* annotations,
                                               const std::string& field);
// ValidateObjectMeta for creates: generateName, name, namespace (required when `namespaced`,
// forbidden otherwise), generation, labels, annotations, ownerReferences, finalizers,
// managedFields. Paths start with "metadata.".
std::vector<status_cause> validate_object_meta(const json::value& meta, bool namespaced,
                                               name_rule rule);

// ---- Per kind (ObjectMeta is validated separately with validate_object_meta) ---------------

void validate_namespace(const json::value& obj, std::vector<status_cause>& causes);
void validate_pod(const json::value& obj, std::vector<status_cause>& causes);
void validate_node(const json::value& obj, std::vector<status_cause>& causes);
void validate_service(const json::value& obj, std::vector<status_cause>& causes);
void validate_endpoints(const json::value& obj, std::vector<status_cause>& causes);
void validate_config_map(const json::value& obj, std::vector<status_cause>& causes);
void validate_secret(const json::value& obj, std::vector<status_cause>& causes);
void validate_service_account(const json::value& obj, std::vector<status_cause>& causes);
void validate_event(const json::value& obj, std::vector<status_cause>& causes);
void validate_replication_controller(const json::value& obj, std::vector<status_cause>& causes);
void validate_replica_set(const json::value& obj, std::vector<status_cause>& causes);
void validate_deployment(const json::value& obj, std::vector<status_cause>& causes);

// A PodSpec (`spec`) at `path` ("spec", "spec.template.spec"), as for pod templates.
void validate_pod_spec(const json::value& spec, const std::string& path,
                       std::vector<status_cause>& causes);

// The QoS class of a pod ("Guaranteed", "Burstable" or "BestEffort"), from the cpu and memory
// requests and limits of its containers and init containers.
std::string pod_qos_class(const json::value& pod);

// The same worked out from the quantities of each container in turn: its requests and limits
// (resource name and quantity text), then end_container().
class qos_tally {
 public:
  void add_request(std::string_view resource, std::string_view quantity) {
    add(requests_, resource, quantity, false);
  }
  void add_limit(std::string_view resource, std::string_view quantity) {
    add(limits_, resource, quantity, true);
  }
  void end_container();
  std::string_view qos_class() const;

 private:
  static constexpr size_t kCpu = 0, kMemory = 1, kOther = 2;
  // Amounts in thousandths, saturating far beyond any real resource.
  struct sums {
    std::array<__int128, 2> amounts{};
    std::array<bool, 2> present{};
  };
  static size_t slot_of(std::string_view resource);
  void add(sums& to, std::string_view resource, std::string_view quantity, bool is_limit);

  sums requests_, limits_;
  std::array<bool, 2> container_limits_{};  // of the current container
  bool guaranteed_ = true;                  // every container so far limits cpu and memory
};

}  // namespace kactor::api
