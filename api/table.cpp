// Table rendering. Column sets, cell formats and the status logic follow kube-apiserver 1.32's
// printers (pkg/printers/internalversion) as observed through their output; the code is our own.
// kube prints the internal form of an object, so where the v1 JSON differs (pod IPs, cluster
// IPs, nil replicas) the cells read the v1 fields the way kube's conversion would fill them.
#include "api/table.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "api/json.hpp"
#include "api/selectors.hpp"
#include "api/status.hpp"

namespace kactor::api {
namespace {

using json::value;

// ---------------------------------------------------------------------------------------------
// Reading partially filled objects: every accessor tolerates absent members and wrong types.

bool present(const value* v) {
  return v != nullptr && !v->is_null();
}

std::string_view text(const value* v) {
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view{};
}

int64_t integer(const value* v) {
  if (v == nullptr) return 0;
  if (v->is_int()) return v->as_int();
  if (v->is_number()) return static_cast<int64_t>(v->as_double());
  return 0;
}

bool flag(const value* v) {
  return v != nullptr && v->is_bool() && v->as_bool();
}

const json::array& items(const value* v) {
  static const json::array empty;
  return v != nullptr && v->is_array() ? v->as_array() : empty;
}

const json::object& members(const value* v) {
  static const json::object empty;
  return v != nullptr && v->is_object() ? v->as_object() : empty;
}

size_t entry_count(const value* v) {
  if (v == nullptr) return 0;
  if (v->is_object()) return v->as_object().size();
  if (v->is_array()) return v->as_array().size();
  return 0;
}

std::string_view name_of(const value& obj) {
  return text(obj.at({"metadata", "name"}));
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Drops leading and trailing characters for which `drop` holds.
std::string_view trim_if(std::string_view s, bool (*drop)(char)) {
  while (!s.empty() && drop(s.front())) s.remove_prefix(1);
  while (!s.empty() && drop(s.back())) s.remove_suffix(1);
  return s;
}

// strings.TrimSpace (ASCII white space)
std::string_view trim_space(std::string_view s) {
  return trim_if(s, is_space);
}

// What goautoneg trims around media types and parameters: spaces only.
std::string_view trim_blanks(std::string_view s) {
  return trim_if(s, [](char c) { return c == ' '; });
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::string or_default(std::string_view s, std::string_view fallback) {
  return std::string(s.empty() ? fallback : s);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A resource.Quantity as written (kube would print its canonical form; kactor keeps the text).
std::string quantity_text(const value* v) {
  if (v == nullptr || v->is_null()) return "<nil>";
  if (v->is_string()) return v->as_string();
  if (v->is_int()) return std::to_string(v->as_int());
  if (v->is_number()) return json::dump(*v);
  return "<nil>";
}

// An IntOrString as kube prints it.
std::string int_or_string(const value* v) {
  if (v != nullptr && v->is_string()) return v->as_string();
  return std::to_string(integer(v));
}

// ---------------------------------------------------------------------------------------------
// Time

constexpr int64_t kGoZeroTime = -62135596800;  // 0001-01-01T00:00:00Z, Go's zero time.Time

int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

struct civil_date {
  int64_t year, month, day;
};

civil_date civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool read_digits(std::string_view s, size_t pos, size_t count, int64_t& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Parses the zone suffix ("Z" or "+hh:mm") at `pos`; sets the offset east of UTC in seconds.
bool read_zone(std::string_view s, size_t pos, int64_t& offset) {
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    offset = 0;
    return pos + 1 == s.size();
  }
  int64_t hours = 0, minutes = 0;
  if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':') return false;
  if (!read_digits(s, pos + 1, 2, hours) || !read_digits(s, pos + 4, 2, minutes)) return false;
  offset = (hours * 3600 + minutes * 60) * (s[pos] == '-' ? -1 : 1);
  return true;
}

std::string format_rfc3339(int64_t unix_seconds) {
  const int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  const int64_t second_of_day = unix_seconds - days * 86400;
  const civil_date date = civil_from_days(days);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                static_cast<long long>(date.year), static_cast<long long>(date.month),
                static_cast<long long>(date.day), static_cast<long long>(second_of_day / 3600),
                static_cast<long long>(second_of_day / 60 % 60),
                static_cast<long long>(second_of_day % 60));
  return buf;
}

// The time of a timestamp member, nullopt when absent, null, unparsable or Go's zero time.
std::optional<int64_t> time_of(const value* v) {
  auto t = parse_timestamp(text(v));
  if (!t || *t == kGoZeroTime) return std::nullopt;
  return t;
}

// translateTimestampSince: the age of a timestamp, "<unknown>" when it is unset.
std::string age_since(const value* timestamp, int64_t now) {
  auto t = time_of(timestamp);
  return t ? human_age(now - *t) : "<unknown>";
}

std::string creation_age(const value& obj, int64_t now) {
  return age_since(obj.at({"metadata", "creationTimestamp"}), now);
}

// ---------------------------------------------------------------------------------------------
// Labels, selectors, containers, addresses

// labels.FormatLabels: "k=v" pairs sorted as whole strings, "<none>" when empty.
std::string format_labels(const value* labels) {
  std::vector<std::string> pairs;
  for (const auto& m : members(labels)) pairs.push_back(m.key + "=" + std::string(text(&m.val)));
  std::sort(pairs.begin(), pairs.end());
  return pairs.empty() ? "<none>" : join(pairs, ",");
}

// A LabelSelector object as a selector string; nullopt when it is not a valid selector.
std::optional<std::string> selector_string(const value* selector) {
  std::string error;
  auto parsed = from_label_selector_object(selector ? *selector : value{}, error);
  if (!parsed) return std::nullopt;
  return to_string(*parsed);
}

// metav1.FormatLabelSelector: "<none>" for an empty or absent selector, "<error>" when invalid.
std::string format_label_selector(const value* selector) {
  auto s = selector_string(selector);
  if (!s) return "<error>";
  return s->empty() ? "<none>" : *s;
}

struct container_cells {
  std::string names, images;
};

container_cells layout_containers(const value* containers) {
  std::vector<std::string> names, images;
  for (const auto& c : items(containers)) {
    names.emplace_back(text(c.find("name")));
    images.emplace_back(text(c.find("image")));
  }
  return {join(names, ","), join(images, ",")};
}

// net.JoinHostPort
std::string join_host_port(std::string_view host, int64_t port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  std::string h = ipv6 ? "[" + std::string(host) + "]" : std::string(host);
  return h + ":" + std::to_string(port);
}

// "a,b,c + 2 more..." (or the bare list) for lists capped at `shown` entries.
std::string with_more(const std::vector<std::string>& list, size_t total, size_t shown) {
  std::string joined = join(list, ",");
  if (total > shown) return joined + " + " + std::to_string(total - shown) + " more...";
  return joined;
}

// Sorted, deduplicated IPs (or hostnames) of a load balancer status.
std::string load_balancer_addresses(const value* ingress) {
  std::set<std::string> addresses;
  for (const auto& entry : items(ingress)) {
    std::string_view ip = text(entry.find("ip")), host = text(entry.find("hostname"));
    if (!ip.empty())
      addresses.emplace(ip);
    else if (!host.empty())
      addresses.emplace(host);
  }
  return join(std::vector<std::string>(addresses.begin(), addresses.end()), ",");
}

const value* first_condition(const value* conditions, std::string_view type) {
  for (const auto& c : items(conditions))
    if (text(c.find("type")) == type) return &c;
  return nullptr;
}

bool first_condition_true(const value* conditions, std::string_view type) {
  const value* c = first_condition(conditions, type);
  return c != nullptr && text(c->find("status")) == "True";
}

// ---------------------------------------------------------------------------------------------
// Columns and rows

struct column {
  std::string_view name, type, format, description;
  int priority = 0;
};

struct row_condition {
  std::string_view type, status, reason, message;
};

struct table_row {
  std::vector<value> cells;
  const row_condition* condition = nullptr;
};

struct print_context {
  const resource_info& info;
  int64_t now;
};

using print_fn = std::function<table_row(const value& obj, const print_context& ctx)>;

struct printer {
  std::vector<column> columns;
  print_fn print;
};

column name_column() {
  return {"Name", "string", "name", "Name of the object, unique within its namespace.", 0};
}
column age_column() {
  return {"Age", "string", "", "Time since the object was created (creationTimestamp).", 0};
}
column string_column(std::string_view name, std::string_view description, int priority = 0) {
  return {name, "string", "", description, priority};
}
column integer_column(std::string_view name, std::string_view description, int priority = 0) {
  return {name, "integer", "", description, priority};
}
column boolean_column(std::string_view name, std::string_view description, int priority = 0) {
  return {name, "boolean", "", description, priority};
}

std::vector<column> template_columns(bool with_selector) {
  std::vector<column> columns{
      string_column("Containers", "Names of the containers in the pod template.", 1),
      string_column("Images", "Images of the containers in the pod template.", 1)};
  if (with_selector)
    columns.push_back(string_column("Selector", "Label query over the pods it manages.", 1));
  return columns;
}

std::vector<column> concat(std::vector<column> a, const std::vector<column>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void add_containers(table_row& row, const value* pod_template) {
  const value* containers = pod_template ? pod_template->at({"spec", "containers"}) : nullptr;
  container_cells cells = layout_containers(containers);
  row.cells.emplace_back(std::move(cells.names));
  row.cells.emplace_back(std::move(cells.images));
}

// ---------------------------------------------------------------------------------------------
// Pod

const row_condition kPodSucceeded{"Completed", "True", "Succeeded",
                                  "The pod has completed successfully."};
const row_condition kPodFailed{"Completed", "True", "Failed", "The pod failed."};

bool restartable_init_container(const value& pod, std::string_view name) {
  for (const auto& c : items(pod.at({"spec", "initContainers"})))
    if (text(c.find("name")) == name) return text(c.find("restartPolicy")) == "Always";
  return false;
}

// Restart count and the latest time a container's previous run ended.
struct restart_tally {
  int64_t count = 0;
  std::optional<int64_t> last;

  void add(const value& container_status) {
    count += integer(container_status.find("restartCount"));
    auto finished = time_of(container_status.at({"lastState", "terminated", "finishedAt"}));
    if (finished && (!last || *last < *finished)) last = finished;
  }
};

std::string exit_reason(const value& terminated, std::string_view prefix) {
  std::string_view reason = text(terminated.find("reason"));
  if (!reason.empty()) return std::string(prefix) + std::string(reason);
  const int64_t signal = integer(terminated.find("signal"));
  if (signal != 0) return std::string(prefix) + "Signal:" + std::to_string(signal);
  return std::string(prefix) + "ExitCode:" + std::to_string(integer(terminated.find("exitCode")));
}

struct pod_progress {
  std::string reason;
  int64_t ready = 0;
  int64_t total = 0;
  restart_tally restarts;
  restart_tally sidecar_restarts;  // restartable init containers only
  bool initializing = false;
};

std::string initial_reason(const value& pod) {
  std::string reason(text(pod.at({"status", "phase"})));
  std::string_view status_reason = text(pod.at({"status", "reason"}));
  if (!status_reason.empty()) reason = status_reason;
  for (const auto& c : items(pod.at({"status", "conditions"})))
    if (text(c.find("type")) == "PodScheduled" && text(c.find("reason")) == "SchedulingGated")
      reason = "SchedulingGated";
  return reason;
}

// Walks the init container statuses up to the first one still blocking initialization.
void scan_init_containers(const value& pod, pod_progress& p) {
  const auto& statuses = items(pod.at({"status", "initContainerStatuses"}));
  const size_t declared = items(pod.at({"spec", "initContainers"})).size();
  for (size_t i = 0; i < statuses.size(); ++i) {
    const value& cs = statuses[i];
    const bool sidecar = restartable_init_container(pod, text(cs.find("name")));
    p.restarts.add(cs);
    if (sidecar) p.sidecar_restarts.add(cs);
    const value* terminated = cs.at({"state", "terminated"});
    const value* waiting = cs.at({"state", "waiting"});
    if (present(terminated) && integer(terminated->find("exitCode")) == 0) continue;
    if (sidecar && flag(cs.find("started"))) {
      if (flag(cs.find("ready"))) ++p.ready;
      continue;
    }
    p.initializing = true;
    std::string_view waiting_reason = present(waiting) ? text(waiting->find("reason")) : "";
    if (present(terminated))
      p.reason = exit_reason(*terminated, "Init:");
    else if (!waiting_reason.empty() && waiting_reason != "PodInitializing")
      p.reason = "Init:" + std::string(waiting_reason);
    else
      p.reason = "Init:" + std::to_string(i) + "/" + std::to_string(declared);
    return;
  }
}

// The regular containers, last to first: the first-listed container's state wins the reason.
void scan_containers(const value& pod, pod_progress& p) {
  p.restarts = p.sidecar_restarts;
  bool has_running = false;
  const auto& statuses = items(pod.at({"status", "containerStatuses"}));
  for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
    const value& cs = *it;
    p.restarts.add(cs);
    const value* waiting = cs.at({"state", "waiting"});
    const value* terminated = cs.at({"state", "terminated"});
    std::string_view waiting_reason = present(waiting) ? text(waiting->find("reason")) : "";
    if (!waiting_reason.empty()) {
      p.reason = waiting_reason;
    } else if (present(terminated)) {
      p.reason = exit_reason(*terminated, "");
    } else if (flag(cs.find("ready")) && present(cs.at({"state", "running"}))) {
      has_running = true;
      ++p.ready;
    }
  }
  if (p.reason == "Completed" && has_running) {
    bool ready = false;
    for (const auto& c : items(pod.at({"status", "conditions"})))
      if (text(c.find("type")) == "Ready" && text(c.find("status")) == "True") ready = true;
    p.reason = ready ? "Running" : "NotReady";
  }
}

pod_progress pod_status(const value& pod) {
  pod_progress p;
  p.reason = initial_reason(pod);
  p.total = static_cast<int64_t>(items(pod.at({"spec", "containers"})).size());
  for (const auto& c : items(pod.at({"spec", "initContainers"})))
    if (text(c.find("restartPolicy")) == "Always") ++p.total;
  scan_init_containers(pod, p);
  if (!p.initializing || first_condition_true(pod.at({"status", "conditions"}), "Initialized"))
    scan_containers(pod, p);
  if (present(pod.at({"metadata", "deletionTimestamp"}))) {
    std::string_view phase = text(pod.at({"status", "phase"}));
    if (text(pod.at({"status", "reason"})) == "NodeLost")
      p.reason = "Unknown";
    else if (phase != "Succeeded" && phase != "Failed")
      p.reason = "Terminating";
  }
  return p;
}

std::string restarts_cell(const restart_tally& restarts, int64_t now) {
  std::string out = std::to_string(restarts.count);
  if (restarts.count != 0 && restarts.last) out += " (" + human_age(now - *restarts.last) + " ago)";
  return out;
}

// v1 status.podIP wins over podIPs[0] (kube's conversion does the same).
std::string pod_ip(const value& pod) {
  std::string_view ip = text(pod.at({"status", "podIP"}));
  if (ip.empty()) {
    const auto& ips = items(pod.at({"status", "podIPs"}));
    if (!ips.empty()) ip = text(ips.front().find("ip"));
  }
  return or_default(ip, "<none>");
}

std::string readiness_gates(const value& pod) {
  const auto& gates = items(pod.at({"spec", "readinessGates"}));
  if (gates.empty()) return "<none>";
  const value* conditions = pod.at({"status", "conditions"});
  size_t satisfied = 0;
  for (const auto& gate : gates)
    if (first_condition_true(conditions, text(gate.find("conditionType")))) ++satisfied;
  return std::to_string(satisfied) + "/" + std::to_string(gates.size());
}

table_row pod_row(const value& pod, const print_context& ctx) {
  const pod_progress p = pod_status(pod);
  table_row row;
  std::string_view phase = text(pod.at({"status", "phase"}));
  if (phase == "Succeeded") row.condition = &kPodSucceeded;
  if (phase == "Failed") row.condition = &kPodFailed;
  row.cells = {value(name_of(pod)),
               value(std::to_string(p.ready) + "/" + std::to_string(p.total)),
               value(p.reason),
               value(restarts_cell(p.restarts, ctx.now)),
               value(creation_age(pod, ctx.now)),
               value(pod_ip(pod)),
               value(or_default(text(pod.at({"spec", "nodeName"})), "<none>")),
               value(or_default(text(pod.at({"status", "nominatedNodeName"})), "<none>")),
               value(readiness_gates(pod))};
  return row;
}

printer pod_printer() {
  return {{name_column(), string_column("Ready", "How many of the pod's containers are ready."),
           string_column("Status", "The aggregate status of the pod's containers."),
           string_column("Restarts", "Container restarts, and how long ago the last one was."),
           age_column(), string_column("IP", "The pod's IP address.", 1),
           string_column("Node", "The node the pod is scheduled to.", 1),
           string_column("Nominated Node", "The node the scheduler nominated for preemption.", 1),
           string_column("Readiness Gates", "Satisfied readiness gates out of all.", 1)},
          pod_row};
}

// ---------------------------------------------------------------------------------------------
// Workloads

// Replica counts kube keeps as int32 (a nil pointer converts to 0).
value int_cell(const value& obj, std::initializer_list<std::string_view> path) {
  return value(integer(obj.at(path)));
}

table_row replica_set_row(const value& rs, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(rs)), int_cell(rs, {"spec", "replicas"}),
               int_cell(rs, {"status", "replicas"}), int_cell(rs, {"status", "readyReplicas"}),
               value(creation_age(rs, ctx.now))};
  add_containers(row, rs.at({"spec", "template"}));
  row.cells.emplace_back(format_label_selector(rs.at({"spec", "selector"})));
  return row;
}

table_row replication_controller_row(const value& rc, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(rc)), int_cell(rc, {"spec", "replicas"}),
               int_cell(rc, {"status", "replicas"}), int_cell(rc, {"status", "readyReplicas"}),
               value(creation_age(rc, ctx.now))};
  add_containers(row, rc.at({"spec", "template"}));
  row.cells.emplace_back(format_labels(rc.at({"spec", "selector"})));
  return row;
}

std::vector<column> replica_columns() {
  return concat({name_column(), integer_column("Desired", "Number of desired replicas."),
                 integer_column("Current", "Number of replicas that exist."),
                 integer_column("Ready", "Number of ready replicas."), age_column()},
                template_columns(true));
}

// A Deployment's selector string: "" for an empty one, "<invalid>" when it cannot be parsed.
std::string deployment_selector(const value& d) {
  return selector_string(d.at({"spec", "selector"})).value_or("<invalid>");
}

table_row deployment_row(const value& d, const print_context& ctx) {
  table_row row;
  const std::string ready = std::to_string(integer(d.at({"status", "readyReplicas"}))) + "/" +
                            std::to_string(integer(d.at({"spec", "replicas"})));
  row.cells = {value(name_of(d)), value(ready), int_cell(d, {"status", "updatedReplicas"}),
               int_cell(d, {"status", "availableReplicas"}), value(creation_age(d, ctx.now))};
  add_containers(row, d.at({"spec", "template"}));
  row.cells.emplace_back(deployment_selector(d));
  return row;
}

printer deployment_printer() {
  return {concat({name_column(), string_column("Ready", "Ready pods out of desired."),
                  string_column("Up-to-date", "Replicas running the current pod template."),
                  string_column("Available", "Replicas available to serve."), age_column()},
                 template_columns(true)),
          deployment_row};
}

table_row stateful_set_row(const value& s, const print_context& ctx) {
  table_row row;
  const std::string ready = std::to_string(integer(s.at({"status", "readyReplicas"}))) + "/" +
                            std::to_string(integer(s.at({"spec", "replicas"})));
  row.cells = {value(name_of(s)), value(ready), value(creation_age(s, ctx.now))};
  add_containers(row, s.at({"spec", "template"}));
  return row;
}

printer stateful_set_printer() {
  return {
      concat({name_column(), string_column("Ready", "Ready pods out of desired."), age_column()},
             template_columns(false)),
      stateful_set_row};
}

table_row daemon_set_row(const value& ds, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(ds)),
               int_cell(ds, {"status", "desiredNumberScheduled"}),
               int_cell(ds, {"status", "currentNumberScheduled"}),
               int_cell(ds, {"status", "numberReady"}),
               int_cell(ds, {"status", "updatedNumberScheduled"}),
               int_cell(ds, {"status", "numberAvailable"}),
               value(format_labels(ds.at({"spec", "template", "spec", "nodeSelector"}))),
               value(creation_age(ds, ctx.now))};
  add_containers(row, ds.at({"spec", "template"}));
  row.cells.emplace_back(format_label_selector(ds.at({"spec", "selector"})));
  return row;
}

printer daemon_set_printer() {
  return {
      concat({name_column(), integer_column("Desired", "Nodes that should run the pod."),
              integer_column("Current", "Nodes running the pod."),
              integer_column("Ready", "Nodes with the pod ready."),
              integer_column("Up-to-date", "Nodes running the current pod template."),
              integer_column("Available", "Nodes with the pod available."),
              string_column("Node Selector", "Labels a node needs to run the pod."), age_column()},
             template_columns(true)),
      daemon_set_row};
}

std::string job_completions(const value& job) {
  const std::string succeeded = std::to_string(integer(job.at({"status", "succeeded"})));
  if (const value* completions = job.at({"spec", "completions"}); present(completions))
    return succeeded + "/" + std::to_string(integer(completions));
  const int64_t parallelism = integer(job.at({"spec", "parallelism"}));
  if (parallelism > 1) return succeeded + "/1 of " + std::to_string(parallelism);
  return succeeded + "/1";
}

std::string job_duration(const value& job, int64_t now) {
  auto start = time_of(job.at({"status", "startTime"}));
  if (!start) return "";
  auto end = time_of(job.at({"status", "completionTime"}));
  return human_age(end.value_or(now) - *start);
}

std::string job_status(const value& job) {
  const value* conditions = job.at({"status", "conditions"});
  if (first_condition_true(conditions, "Complete")) return "Complete";
  if (first_condition_true(conditions, "Failed")) return "Failed";
  if (present(job.at({"metadata", "deletionTimestamp"}))) return "Terminating";
  if (first_condition_true(conditions, "Suspended")) return "Suspended";
  if (first_condition_true(conditions, "FailureTarget")) return "FailureTarget";
  return "Running";
}

table_row job_row(const value& job, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(job)), value(job_status(job)), value(job_completions(job)),
               value(job_duration(job, ctx.now)), value(creation_age(job, ctx.now))};
  add_containers(row, job.at({"spec", "template"}));
  row.cells.emplace_back(format_label_selector(job.at({"spec", "selector"})));
  return row;
}

printer job_printer() {
  return {
      concat({name_column(), string_column("Status", "Status of the job."),
              string_column("Completions", "Succeeded pods out of the completions wanted."),
              string_column("Duration", "Time the job took (or has taken so far)."), age_column()},
             template_columns(true)),
      job_row};
}

std::string bool_pointer(const value* v) {
  if (v == nullptr || !v->is_bool()) return "<unset>";
  return v->as_bool() ? "True" : "False";
}

table_row cron_job_row(const value& cj, const print_context& ctx) {
  table_row row;
  const value* last = cj.at({"status", "lastScheduleTime"});
  row.cells = {value(name_of(cj)),
               value(text(cj.at({"spec", "schedule"}))),
               value(or_default(text(cj.at({"spec", "timeZone"})), "<none>")),
               value(bool_pointer(cj.at({"spec", "suspend"}))),
               value(static_cast<int64_t>(entry_count(cj.at({"status", "active"})))),
               value(present(last) ? age_since(last, ctx.now) : "<none>"),
               value(creation_age(cj, ctx.now))};
  const value* job_spec = cj.at({"spec", "jobTemplate", "spec"});
  add_containers(row, job_spec ? job_spec->find("template") : nullptr);
  row.cells.emplace_back(format_label_selector(job_spec ? job_spec->find("selector") : nullptr));
  return row;
}

printer cron_job_printer() {
  return {
      concat({name_column(), string_column("Schedule", "The cron schedule."),
              string_column("Timezone", "Time zone of the schedule."),
              boolean_column("Suspend", "Whether new runs are suspended."),
              integer_column("Active", "Number of running jobs."),
              string_column("Last Schedule", "Time since a job was last scheduled."), age_column()},
             template_columns(true)),
      cron_job_row};
}

table_row pod_template_row(const value& pt, const print_context&) {
  table_row row;
  row.cells = {value(name_of(pt))};
  add_containers(row, pt.find("template"));
  row.cells.emplace_back(format_labels(pt.at({"template", "metadata", "labels"})));
  return row;
}

printer pod_template_printer() {
  return {{name_column(), string_column("Containers", "Names of the containers in the template."),
           string_column("Images", "Images of the containers in the template."),
           string_column("Pod Labels", "Labels of the pod template.")},
          pod_template_row};
}

// ---------------------------------------------------------------------------------------------
// Services and networking

std::string cluster_ip(const value& svc) {
  const auto& ips = items(svc.at({"spec", "clusterIPs"}));
  std::string_view ip = ips.empty() ? text(svc.at({"spec", "clusterIP"})) : text(&ips.front());
  return or_default(ip, "<none>");
}

std::vector<std::string> strings_of(const value* list) {
  std::vector<std::string> out;
  for (const auto& v : items(list)) out.emplace_back(text(&v));
  return out;
}

std::string external_ip(const value& svc) {
  const std::string_view type = text(svc.at({"spec", "type"}));
  const std::vector<std::string> external = strings_of(svc.at({"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort")
    return external.empty() ? "<none>" : join(external, ",");
  if (type == "ExternalName") return std::string(text(svc.at({"spec", "externalName"})));
  if (type != "LoadBalancer") return "<unknown>";
  std::string lb = load_balancer_addresses(svc.at({"status", "loadBalancer", "ingress"}));
  if (!external.empty()) return lb.empty() ? join(external, ",") : lb + "," + join(external, ",");
  return lb.empty() ? "<pending>" : lb;
}

std::string service_ports(const value& svc) {
  std::vector<std::string> pieces;
  for (const auto& port : items(svc.at({"spec", "ports"}))) {
    const int64_t node_port = integer(port.find("nodePort"));
    std::string piece = std::to_string(integer(port.find("port")));
    if (node_port > 0) piece += ":" + std::to_string(node_port);
    pieces.push_back(piece + "/" + std::string(text(port.find("protocol"))));
  }
  return pieces.empty() ? "<none>" : join(pieces, ",");
}

table_row service_row(const value& svc, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(svc)),
               value(text(svc.at({"spec", "type"}))),
               value(cluster_ip(svc)),
               value(external_ip(svc)),
               value(service_ports(svc)),
               value(creation_age(svc, ctx.now)),
               value(format_labels(svc.at({"spec", "selector"})))};
  return row;
}

printer service_printer() {
  return {{name_column(), string_column("Type", "How the service is exposed."),
           string_column("Cluster-IP", "The service's virtual IP inside the cluster."),
           string_column("External-IP", "Addresses the service is reachable at from outside."),
           string_column("Port(s)", "Ports the service exposes."), age_column(),
           string_column("Selector", "Labels of the pods the service routes to.", 1)},
          service_row};
}

// The first three addresses (ip:port per port of each subset) and how many more there are.
std::string format_endpoints(const value& ep) {
  const auto& subsets = items(ep.find("subsets"));
  if (subsets.empty()) return "<none>";
  constexpr size_t kShown = 3;
  std::vector<std::string> list;
  size_t total = 0;
  auto take = [&](const json::array& addresses, const value* port) {
    total += addresses.size();
    for (const auto& address : addresses) {
      if (list.size() == kShown) return;
      std::string_view ip = text(address.find("ip"));
      list.push_back(port ? join_host_port(ip, integer(port->find("port"))) : std::string(ip));
    }
  };
  for (const auto& subset : subsets) {
    const auto& addresses = items(subset.find("addresses"));
    const auto& ports = items(subset.find("ports"));
    if (ports.empty()) take(addresses, nullptr);
    for (const auto& port : ports) take(addresses, &port);
  }
  return with_more(list, total, kShown);
}

table_row endpoints_row(const value& ep, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(ep)), value(format_endpoints(ep)), value(creation_age(ep, ctx.now))};
  return row;
}

printer endpoints_printer() {
  return {{name_column(), string_column("Endpoints", "Addresses and ports of the endpoints."),
           age_column()},
          endpoints_row};
}

// formatDiscoveryPorts / formatDiscoveryEndpoints: capped lists, "<unset>" when empty.
std::string capped_list(const std::vector<std::string>& all) {
  constexpr size_t kShown = 3;
  std::vector<std::string> shown(all.begin(), all.begin() + std::min(all.size(), kShown));
  std::string out = with_more(shown, all.size(), kShown);
  return out.empty() ? "<unset>" : out;
}

table_row endpoint_slice_row(const value& es, const print_context& ctx) {
  std::vector<std::string> ports, addresses;
  for (const auto& port : items(es.find("ports"))) {
    const value* number = port.find("port");
    const value* name = port.find("name");
    ports.push_back(present(number) ? std::to_string(integer(number))
                    : present(name) ? std::string(text(name))
                                    : "*");
  }
  for (const auto& endpoint : items(es.find("endpoints")))
    for (const auto& address : items(endpoint.find("addresses")))
      addresses.emplace_back(text(&address));
  table_row row;
  row.cells = {value(name_of(es)), value(text(es.find("addressType"))), value(capped_list(ports)),
               value(capped_list(addresses)), value(creation_age(es, ctx.now))};
  return row;
}

printer endpoint_slice_printer() {
  return {{name_column(), string_column("AddressType", "The type of the addresses."),
           string_column("Ports", "Ports of the slice."),
           string_column("Endpoints", "Addresses of the slice."), age_column()},
          endpoint_slice_row};
}

std::string ingress_hosts(const value& ing) {
  constexpr size_t kShown = 3;
  const auto& rules = items(ing.at({"spec", "rules"}));
  std::vector<std::string> hosts;
  bool more = false;
  for (const auto& rule : rules) {
    if (hosts.size() == kShown) more = true;
    std::string_view host = text(rule.find("host"));
    if (!more && !host.empty()) hosts.emplace_back(host);
  }
  if (hosts.empty()) return "*";
  if (more) return join(hosts, ",") + " + " + std::to_string(rules.size() - kShown) + " more...";
  return join(hosts, ",");
}

table_row ingress_row(const value& ing, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(ing)),
               value(or_default(text(ing.at({"spec", "ingressClassName"})), "<none>")),
               value(ingress_hosts(ing)),
               value(load_balancer_addresses(ing.at({"status", "loadBalancer", "ingress"}))),
               value(entry_count(ing.at({"spec", "tls"})) != 0 ? "80, 443" : "80"),
               value(creation_age(ing, ctx.now))};
  return row;
}

printer ingress_printer() {
  return {{name_column(), string_column("Class", "The IngressClass that handles the ingress."),
           string_column("Hosts", "Hosts the rules match."),
           string_column("Address", "Addresses of the load balancer."),
           string_column("Ports", "Ports the ingress serves."), age_column()},
          ingress_row};
}

table_row ingress_class_row(const value& ic, const print_context& ctx) {
  std::string parameters = "<none>";
  if (const value* p = ic.at({"spec", "parameters"}); present(p)) {
    parameters = std::string(text(p->find("kind")));
    if (present(p->find("apiGroup"))) parameters += "." + std::string(text(p->find("apiGroup")));
    parameters += "/" + std::string(text(p->find("name")));
  }
  table_row row;
  row.cells = {value(name_of(ic)), value(text(ic.at({"spec", "controller"}))), value(parameters),
               value(creation_age(ic, ctx.now))};
  return row;
}

printer ingress_class_printer() {
  return {{name_column(), string_column("Controller", "The controller handling the class."),
           string_column("Parameters", "Extra configuration of the class."), age_column()},
          ingress_class_row};
}

table_row network_policy_row(const value& np, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(np)), value(format_label_selector(np.at({"spec", "podSelector"}))),
               value(creation_age(np, ctx.now))};
  return row;
}

printer network_policy_printer() {
  return {{name_column(), string_column("Pod-Selector", "The pods the policy applies to."),
           age_column()},
          network_policy_row};
}

// ---------------------------------------------------------------------------------------------
// Cluster: nodes, namespaces, events

std::string node_status(const value& node) {
  const value* ready = nullptr;
  for (const auto& c : items(node.at({"status", "conditions"})))
    if (text(c.find("type")) == "Ready") ready = &c;  // the last one wins
  std::string status = "Unknown";
  if (ready != nullptr) status = text(ready->find("status")) == "True" ? "Ready" : "NotReady";
  if (flag(node.at({"spec", "unschedulable"}))) status += ",SchedulingDisabled";
  return status;
}

std::string node_roles(const value& node) {
  constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  for (const auto& label : members(node.at({"metadata", "labels"}))) {
    std::string_view key = label.key, role = text(&label.val);
    if (key.starts_with(kRolePrefix) && key.size() > kRolePrefix.size())
      roles.emplace(key.substr(kRolePrefix.size()));
    else if (key == "kubernetes.io/role" && !role.empty())
      roles.emplace(role);
  }
  if (roles.empty()) return "<none>";
  return join(std::vector<std::string>(roles.begin(), roles.end()), ",");
}

std::string node_address(const value& node, std::string_view type) {
  for (const auto& a : items(node.at({"status", "addresses"})))
    if (text(a.find("type")) == type) return std::string(text(a.find("address")));
  return "<none>";
}

table_row node_row(const value& node, const print_context& ctx) {
  auto info = [&](std::string_view field) {
    return value(or_default(text(node.at({"status", "nodeInfo", field})), "<unknown>"));
  };
  table_row row;
  row.cells = {value(name_of(node)),
               value(node_status(node)),
               value(node_roles(node)),
               value(creation_age(node, ctx.now)),
               value(text(node.at({"status", "nodeInfo", "kubeletVersion"}))),
               value(node_address(node, "InternalIP")),
               value(node_address(node, "ExternalIP")),
               info("osImage"),
               info("kernelVersion"),
               info("containerRuntimeVersion")};
  return row;
}

printer node_printer() {
  return {{name_column(), string_column("Status", "The status of the node."),
           string_column("Roles", "The roles of the node."), age_column(),
           string_column("Version", "Kubelet version."),
           string_column("Internal-IP", "The node's internal IP.", 1),
           string_column("External-IP", "The node's external IP.", 1),
           string_column("OS-Image", "Operating system image.", 1),
           string_column("Kernel-Version", "Kernel version.", 1),
           string_column("Container-Runtime", "Container runtime and version.", 1)},
          node_row};
}

table_row namespace_row(const value& ns, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(ns)), value(text(ns.at({"status", "phase"}))),
               value(creation_age(ns, ctx.now))};
  return row;
}

printer namespace_printer() {
  return {{name_column(), string_column("Status", "The status of the namespace."), age_column()},
          namespace_row};
}

// Field names of core/v1 Events and of events.k8s.io/v1 Events (the same objects, renamed).
struct event_fields {
  std::string_view regarding, message, source, first, last, count, controller;
};
constexpr event_fields kCoreEvent{"involvedObject",    "message",       "source",
                                  "firstTimestamp",    "lastTimestamp", "count",
                                  "reportingComponent"};
constexpr event_fields kEventsEvent{"regarding",
                                    "note",
                                    "deprecatedSource",
                                    "deprecatedFirstTimestamp",
                                    "deprecatedLastTimestamp",
                                    "deprecatedCount",
                                    "reportingController"};

std::string event_source(const value& ev, const event_fields& f) {
  const value* source = ev.find(f.source);
  std::string component(text(source ? source->find("component") : nullptr));
  std::string host(text(source ? source->find("host") : nullptr));
  if (component.empty()) component = text(ev.find(f.controller));
  if (host.empty()) host = text(ev.find("reportingInstance"));
  return host.empty() ? component : component + ", " + host;
}

std::string event_target(const value& ev, const event_fields& f) {
  const value* regarding = ev.find(f.regarding);
  const std::string kind = lower(text(regarding ? regarding->find("kind") : nullptr));
  std::string_view name = text(regarding ? regarding->find("name") : nullptr);
  return name.empty() ? kind : kind + "/" + std::string(name);
}

table_row event_row(const value& ev, const print_context& ctx) {
  const event_fields& f = ctx.info.group == "events.k8s.io" ? kEventsEvent : kCoreEvent;
  const bool has_first = time_of(ev.find(f.first)).has_value();
  const std::string first = age_since(has_first ? ev.find(f.first) : ev.find("eventTime"), ctx.now);
  std::string last = time_of(ev.find(f.last)) ? age_since(ev.find(f.last), ctx.now) : first;
  int64_t count = integer(ev.find(f.count));
  if (const value* series = ev.find("series"); present(series)) {
    last = age_since(series->find("lastObservedTime"), ctx.now);
    count = integer(series->find("count"));
  } else if (count == 0) {
    count = 1;  // singleton events of the new API carry no count
  }
  const value* regarding = ev.find(f.regarding);
  table_row row;
  row.cells = {value(last),
               value(text(ev.find("type"))),
               value(text(ev.find("reason"))),
               value(event_target(ev, f)),
               value(text(regarding ? regarding->find("fieldPath") : nullptr)),
               value(event_source(ev, f)),
               value(trim_space(text(ev.find(f.message)))),
               value(first),
               value(count),
               value(name_of(ev))};
  return row;
}

printer event_printer() {
  column name = name_column();
  name.priority = 1;
  return {{string_column("Last Seen", "Time since the event was last seen."),
           string_column("Type", "Normal or Warning."),
           string_column("Reason", "Short machine-readable reason."),
           string_column("Object", "The object the event is about."),
           string_column("Subobject", "The part of the object the event is about.", 1),
           string_column("Source", "The component that reported the event.", 1),
           string_column("Message", "Human-readable description."),
           string_column("First Seen", "Time since the event was first seen.", 1),
           string_column("Count", "How many times the event occurred.", 1), name},
          event_row};
}

// ---------------------------------------------------------------------------------------------
// Configuration and access

table_row config_map_row(const value& cm, const print_context& ctx) {
  const size_t data = entry_count(cm.find("data")) + entry_count(cm.find("binaryData"));
  table_row row;
  row.cells = {value(name_of(cm)), value(static_cast<int64_t>(data)),
               value(creation_age(cm, ctx.now))};
  return row;
}

table_row secret_row(const value& s, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(s)), value(text(s.find("type"))),
               value(static_cast<int64_t>(entry_count(s.find("data")))),
               value(creation_age(s, ctx.now))};
  return row;
}

table_row service_account_row(const value& sa, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(sa)), value(static_cast<int64_t>(entry_count(sa.find("secrets")))),
               value(creation_age(sa, ctx.now))};
  return row;
}

// rbac SubjectsStrings: users, groups and "namespace/name" service accounts.
void add_subjects(table_row& row, const value& binding) {
  std::vector<std::string> users, groups, service_accounts;
  for (const auto& s : items(binding.find("subjects"))) {
    std::string_view kind = text(s.find("kind")), name = text(s.find("name"));
    if (kind == "ServiceAccount")
      service_accounts.push_back(std::string(text(s.find("namespace"))) + "/" + std::string(name));
    else if (kind == "User")
      users.emplace_back(name);
    else if (kind == "Group")
      groups.emplace_back(name);
  }
  row.cells.emplace_back(join(users, ", "));
  row.cells.emplace_back(join(groups, ", "));
  row.cells.emplace_back(join(service_accounts, ", "));
}

table_row role_binding_row(const value& rb, const print_context& ctx) {
  const std::string role = std::string(text(rb.at({"roleRef", "kind"}))) + "/" +
                           std::string(text(rb.at({"roleRef", "name"})));
  table_row row;
  row.cells = {value(name_of(rb)), value(role), value(creation_age(rb, ctx.now))};
  add_subjects(row, rb);
  return row;
}

printer role_binding_printer() {
  return {{name_column(), string_column("Role", "The role that is granted."), age_column(),
           string_column("Users", "Users bound.", 1), string_column("Groups", "Groups bound.", 1),
           string_column("ServiceAccounts", "Service accounts bound.", 1)},
          role_binding_row};
}

table_row lease_row(const value& lease, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(lease)), value(text(lease.at({"spec", "holderIdentity"}))),
               value(creation_age(lease, ctx.now))};
  return row;
}

table_row priority_class_row(const value& pc, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(pc)), int_cell(pc, {"value"}), value(flag(pc.find("globalDefault"))),
               value(creation_age(pc, ctx.now)), value(text(pc.find("preemptionPolicy")))};
  return row;
}

printer priority_class_printer() {
  return {{name_column(), integer_column("Value", "The priority value."),
           boolean_column("Global-Default", "Whether pods without a class get this one."),
           age_column(), string_column("PreemptionPolicy", "Whether it preempts lower pods.")},
          priority_class_row};
}

table_row pod_disruption_budget_row(const value& pdb, const print_context& ctx) {
  auto bound = [&](std::string_view field) {
    const value* v = pdb.at({"spec", field});
    return value(present(v) ? int_or_string(v) : "N/A");
  };
  table_row row;
  row.cells = {value(name_of(pdb)), bound("minAvailable"), bound("maxUnavailable"),
               int_cell(pdb, {"status", "disruptionsAllowed"}), value(creation_age(pdb, ctx.now))};
  return row;
}

printer pod_disruption_budget_printer() {
  return {{name_column(), string_column("Min Available", "Pods that must stay available."),
           string_column("Max Unavailable", "Pods that may be unavailable."),
           integer_column("Allowed Disruptions", "Pods that may be disrupted now."), age_column()},
          pod_disruption_budget_row};
}

std::string group_kind_name(std::string_view api_version, std::string_view kind,
                            std::string_view name) {
  const size_t slash = api_version.find('/');
  std::string group_kind(kind);
  if (slash != std::string_view::npos)
    group_kind += "." + std::string(api_version.substr(0, slash));
  if (group_kind.empty()) return std::string(name);
  return lower(group_kind) + "/" + std::string(name);
}

table_row controller_revision_row(const value& cr, const print_context& ctx) {
  std::string controller = "<none>";
  for (const auto& ref : items(cr.at({"metadata", "ownerReferences"})))
    if (flag(ref.find("controller"))) {
      controller = group_kind_name(text(ref.find("apiVersion")), text(ref.find("kind")),
                                   text(ref.find("name")));
      break;
    }
  table_row row;
  row.cells = {value(name_of(cr)), value(controller), int_cell(cr, {"revision"}),
               value(creation_age(cr, ctx.now))};
  return row;
}

// ---------------------------------------------------------------------------------------------
// Storage

// GetAccessModesAsString: a fixed order, duplicates dropped.
std::string access_modes(const value* modes) {
  const std::vector<std::string> given = strings_of(modes);
  auto has = [&](std::string_view m) {
    return std::find(given.begin(), given.end(), m) != given.end();
  };
  std::vector<std::string> out;
  if (has("ReadWriteOnce")) out.emplace_back("RWO");
  if (has("ReadOnlyMany")) out.emplace_back("ROX");
  if (has("ReadWriteMany")) out.emplace_back("RWX");
  if (has("ReadWriteOncePod")) out.emplace_back("RWOP");
  return join(out, ",");
}

// The storage class: the beta annotation wins over spec.storageClassName.
std::string storage_class(const value& obj) {
  const value* annotation =
      obj.at({"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  if (annotation != nullptr) return std::string(text(annotation));
  return std::string(text(obj.at({"spec", "storageClassName"})));
}

std::string unset_or(const value* v) {
  return present(v) ? std::string(text(v)) : "<unset>";
}

// A Quantity member, "0" when absent (a zero Quantity).
std::string storage_quantity(const value* v) {
  return present(v) ? quantity_text(v) : "0";
}

std::string volume_phase(const value& obj) {
  if (present(obj.at({"metadata", "deletionTimestamp"}))) return "Terminating";
  return std::string(text(obj.at({"status", "phase"})));
}

table_row persistent_volume_row(const value& pv, const print_context& ctx) {
  std::string claim;
  if (const value* ref = pv.at({"spec", "claimRef"}); present(ref))
    claim = std::string(text(ref->find("namespace"))) + "/" + std::string(text(ref->find("name")));
  table_row row;
  row.cells = {value(name_of(pv)),
               value(storage_quantity(pv.at({"spec", "capacity", "storage"}))),
               value(access_modes(pv.at({"spec", "accessModes"}))),
               value(text(pv.at({"spec", "persistentVolumeReclaimPolicy"}))),
               value(volume_phase(pv)),
               value(claim),
               value(storage_class(pv)),
               value(unset_or(pv.at({"spec", "volumeAttributesClassName"}))),
               value(text(pv.at({"status", "reason"}))),
               value(creation_age(pv, ctx.now)),
               value(unset_or(pv.at({"spec", "volumeMode"})))};
  return row;
}

printer persistent_volume_printer() {
  return {{name_column(), string_column("Capacity", "Storage capacity."),
           string_column("Access Modes", "How the volume can be mounted."),
           string_column("Reclaim Policy", "What happens when the claim is released."),
           string_column("Status", "Phase of the volume."),
           string_column("Claim", "The claim bound to the volume."),
           string_column("StorageClass", "Storage class of the volume."),
           string_column("VolumeAttributesClass", "Volume attributes class."),
           string_column("Reason", "Why the volume is in this phase."), age_column(),
           string_column("VolumeMode", "Filesystem or Block.", 1)},
          persistent_volume_row};
}

table_row persistent_volume_claim_row(const value& pvc, const print_context& ctx) {
  std::string capacity, modes;
  std::string_view volume = text(pvc.at({"spec", "volumeName"}));
  if (!volume.empty()) {
    modes = access_modes(pvc.at({"status", "accessModes"}));
    capacity = storage_quantity(pvc.at({"status", "capacity", "storage"}));
  }
  table_row row;
  row.cells = {value(name_of(pvc)),
               value(volume_phase(pvc)),
               value(volume),
               value(capacity),
               value(modes),
               value(storage_class(pvc)),
               value(unset_or(pvc.at({"spec", "volumeAttributesClassName"}))),
               value(creation_age(pvc, ctx.now)),
               value(unset_or(pvc.at({"spec", "volumeMode"})))};
  return row;
}

printer persistent_volume_claim_printer() {
  return {{name_column(), string_column("Status", "Phase of the claim."),
           string_column("Volume", "The volume bound to the claim."),
           string_column("Capacity", "Storage capacity of the bound volume."),
           string_column("Access Modes", "How the volume can be mounted."),
           string_column("StorageClass", "Storage class of the claim."),
           string_column("VolumeAttributesClass", "Volume attributes class."), age_column(),
           string_column("VolumeMode", "Filesystem or Block.", 1)},
          persistent_volume_claim_row};
}

bool default_class_annotation(const value& sc) {
  for (std::string_view key : {"storageclass.kubernetes.io/is-default-class",
                               "storageclass.beta.kubernetes.io/is-default-class"})
    if (text(sc.at({"metadata", "annotations", key})) == "true") return true;
  return false;
}

table_row storage_class_row(const value& sc, const print_context& ctx) {
  std::string name(name_of(sc));
  if (default_class_annotation(sc)) name += " (default)";
  table_row row;
  row.cells = {value(name),
               value(text(sc.find("provisioner"))),
               value(or_default(text(sc.find("reclaimPolicy")), "Delete")),
               value(or_default(text(sc.find("volumeBindingMode")), "Immediate")),
               value(flag(sc.find("allowVolumeExpansion"))),
               value(creation_age(sc, ctx.now))};
  return row;
}

printer storage_class_printer() {
  return {{name_column(), string_column("Provisioner", "The volume plugin that provisions."),
           string_column("ReclaimPolicy", "Reclaim policy of provisioned volumes."),
           string_column("VolumeBindingMode", "When volumes are bound."),
           string_column("AllowVolumeExpansion", "Whether volumes can be expanded."), age_column()},
          storage_class_row};
}

// "cpu: 100m/1, memory: ..." of the quota's sorted resources; limits.* go to the second list.
std::pair<std::string, std::string> quota_usage(const value& quota) {
  std::map<std::string, std::string> hard;
  for (const auto& m : members(quota.at({"status", "hard"}))) hard[m.key] = quantity_text(&m.val);
  std::vector<std::string> requests, limits;
  for (const auto& [resource, hard_value] : hard) {
    const value* used = quota.at({"status", "used", resource});
    std::string entry =
        resource + ": " + (present(used) ? quantity_text(used) : "0") + "/" + hard_value;
    (resource.starts_with("limits.") ? limits : requests).push_back(std::move(entry));
  }
  return {join(requests, ", "), join(limits, ", ")};
}

table_row resource_quota_row(const value& quota, const print_context& ctx) {
  auto [requests, limits] = quota_usage(quota);
  table_row row;
  row.cells = {value(name_of(quota)), value(creation_age(quota, ctx.now)), value(requests),
               value(limits)};
  return row;
}

printer resource_quota_printer() {
  return {{name_column(), age_column(), string_column("Request", "Used and hard request quotas."),
           string_column("Limit", "Used and hard limit quotas.")},
          resource_quota_row};
}

// ---------------------------------------------------------------------------------------------
// HorizontalPodAutoscaler (autoscaling/v2 shape; an autoscaling/v1 CPU target is read too)

std::string percent(const value* v) {
  return std::to_string(integer(v)) + "%";
}

// The status entry of a metric source ("resource", "pods", ...), nullptr until measured.
const value* measured(const value* status, std::string_view member) {
  const value* s = status ? status->find(member) : nullptr;
  return present(s) ? s : nullptr;
}

// A measured quantity; "<unknown>" without a measurement ("<nil>" when it lacks the field).
std::string current_quantity(const value* measurement, std::string_view field) {
  return measurement ? quantity_text(measurement->at({"current", field})) : "<unknown>";
}

// External and Object metrics: "current/target", or "current/target (avg)" for averages.
std::string value_metric(const value& spec, const value* status, std::string_view member) {
  const value* target = spec.at({member, "target"});
  const value* current = measured(status, member);
  if (target && present(target->find("averageValue"))) {
    const value* average = current ? current->at({"current", "averageValue"}) : nullptr;
    return (present(average) ? quantity_text(average) : "<unknown>") + "/" +
           quantity_text(target->find("averageValue")) + " (avg)";
  }
  return current_quantity(current, "value") + "/" +
         quantity_text(target ? target->find("value") : nullptr);
}

// Resource and ContainerResource metrics: "cpu: 12%/50%" or "memory: 100Mi/1Gi".
std::string resource_metric(const value& spec, const value* status, std::string_view member) {
  const value* source = spec.find(member);
  const value* target = source ? source->find("target") : nullptr;
  const value* current = measured(status, member);
  const std::string name = std::string(text(source ? source->find("name") : nullptr)) + ": ";
  if (target && present(target->find("averageValue")))
    return name + current_quantity(current, "averageValue") + "/" +
           quantity_text(target->find("averageValue"));
  const value* utilization = current ? current->at({"current", "averageUtilization"}) : nullptr;
  const value* wanted = target ? target->find("averageUtilization") : nullptr;
  return name + (present(utilization) ? percent(utilization) : "<unknown>") + "/" +
         (present(wanted) ? percent(wanted) : "<auto>");
}

// One metric of the Targets column.
std::string hpa_metric(const value& spec, const value* status) {
  const std::string_view type = text(spec.find("type"));
  if (type == "External") return value_metric(spec, status, "external");
  if (type == "Object") return value_metric(spec, status, "object");
  if (type == "Resource") return resource_metric(spec, status, "resource");
  if (type == "ContainerResource") return resource_metric(spec, status, "containerResource");
  if (type == "Pods")
    return current_quantity(measured(status, "pods"), "averageValue") + "/" +
           quantity_text(spec.at({"pods", "target", "averageValue"}));
  return "<unknown type>";
}

// autoscaling/v1 keeps a single CPU target; kube converts it to a v2 Resource metric.
std::pair<value, value> hpa_metrics(const value& hpa) {
  if (const value* metrics = hpa.at({"spec", "metrics"}); metrics != nullptr)
    return {*metrics, value(items(hpa.at({"status", "currentMetrics"})))};
  const value* target = hpa.at({"spec", "targetCPUUtilizationPercentage"});
  if (!present(target)) return {value(json::array{}), value(json::array{})};
  value spec;
  spec.set("type", "Resource");
  spec["resource"].set("name", "cpu");
  spec["resource"]["target"].set("averageUtilization", integer(target));
  value status;
  if (const value* current = hpa.at({"status", "currentCPUUtilizationPercentage"});
      present(current)) {
    status.set("type", "Resource");
    status["resource"]["current"].set("averageUtilization", integer(current));
  }
  return {value(json::array{spec}), value(json::array{status})};
}

std::string hpa_targets(const value& hpa) {
  const auto [specs, statuses] = hpa_metrics(hpa);
  const auto& spec_list = items(&specs);
  if (spec_list.empty()) return "<none>";
  const auto& status_list = items(&statuses);
  constexpr size_t kShown = 2;
  std::vector<std::string> list;
  for (size_t i = 0; i < spec_list.size() && i < kShown; ++i)
    list.push_back(hpa_metric(spec_list[i], i < status_list.size() ? &status_list[i] : nullptr));
  std::string out = join(list, ", ");
  if (spec_list.size() > kShown)
    out += " + " + std::to_string(spec_list.size() - kShown) + " more...";
  return out;
}

table_row hpa_row(const value& hpa, const print_context& ctx) {
  const value* min = hpa.at({"spec", "minReplicas"});
  const std::string reference = std::string(text(hpa.at({"spec", "scaleTargetRef", "kind"}))) +
                                "/" + std::string(text(hpa.at({"spec", "scaleTargetRef", "name"})));
  table_row row;
  row.cells = {value(name_of(hpa)),
               value(reference),
               value(hpa_targets(hpa)),
               value(present(min) ? std::to_string(integer(min)) : "<unset>"),
               int_cell(hpa, {"spec", "maxReplicas"}),
               int_cell(hpa, {"status", "currentReplicas"}),
               value(creation_age(hpa, ctx.now))};
  return row;
}

printer hpa_printer() {
  return {{name_column(), string_column("Reference", "The scaled object."),
           string_column("Targets", "Current and target metric values."),
           string_column("MinPods", "Lower replica limit."),
           string_column("MaxPods", "Upper replica limit."),
           string_column("Replicas", "Current number of replicas."), age_column()},
          hpa_row};
}

// ---------------------------------------------------------------------------------------------
// Kinds without a printer

// Built-in kinds kube serves with its default table convertor: Name and the creation time.
bool default_convertor_kind(const resource_info& info) {
  static const std::set<std::string, std::less<>> kinds{"Role", "ClusterRole", "LimitRange",
                                                        "CustomResourceDefinition"};
  return kinds.contains(info.kind);
}

table_row created_at_row(const value& obj, const print_context&) {
  auto created = time_of(obj.at({"metadata", "creationTimestamp"}));
  table_row row;
  row.cells = {value(name_of(obj)), value(format_rfc3339(created.value_or(kGoZeroTime)))};
  return row;
}

printer created_at_printer() {
  return {{name_column(), {"Created At", "date", "", "Time the object was created.", 0}},
          created_at_row};
}

// Custom resources without printer columns: Name and Age (a "date" column holding the age).
table_row name_age_row(const value& obj, const print_context& ctx) {
  table_row row;
  row.cells = {value(name_of(obj)), value(creation_age(obj, ctx.now))};
  return row;
}

printer name_age_printer() {
  return {{name_column(), {"Age", "date", "", "Time since the object was created.", 0}},
          name_age_row};
}

printer make_printer(std::vector<column> columns, print_fn fn) {
  return {std::move(columns), fn};
}

const std::map<std::string, printer, std::less<>>& printers_by_kind() {
  static const std::map<std::string, printer, std::less<>> printers{
      {"Pod", pod_printer()},
      {"Node", node_printer()},
      {"Namespace", namespace_printer()},
      {"Service", service_printer()},
      {"Endpoints", endpoints_printer()},
      {"EndpointSlice", endpoint_slice_printer()},
      {"ConfigMap",
       make_printer({name_column(), string_column("Data", "Number of data entries."), age_column()},
                    config_map_row)},
      {"Secret", make_printer({name_column(), string_column("Type", "The type of the secret."),
                               string_column("Data", "Number of data entries."), age_column()},
                              secret_row)},
      {"ServiceAccount",
       make_printer(
           {name_column(), string_column("Secrets", "Number of secrets referenced."), age_column()},
           service_account_row)},
      {"Event", event_printer()},
      {"ReplicationController", {replica_columns(), replication_controller_row}},
      {"ReplicaSet", {replica_columns(), replica_set_row}},
      {"Deployment", deployment_printer()},
      {"StatefulSet", stateful_set_printer()},
      {"DaemonSet", daemon_set_printer()},
      {"Job", job_printer()},
      {"CronJob", cron_job_printer()},
      {"PodTemplate", pod_template_printer()},
      {"HorizontalPodAutoscaler", hpa_printer()},
      {"PersistentVolume", persistent_volume_printer()},
      {"PersistentVolumeClaim", persistent_volume_claim_printer()},
      {"StorageClass", storage_class_printer()},
      {"ResourceQuota", resource_quota_printer()},
      {"Ingress", ingress_printer()},
      {"IngressClass", ingress_class_printer()},
      {"NetworkPolicy", network_policy_printer()},
      {"RoleBinding", role_binding_printer()},
      {"ClusterRoleBinding", role_binding_printer()},
      {"Lease",
       make_printer(
           {name_column(), string_column("Holder", "Current holder of the lease."), age_column()},
           lease_row)},
      {"PriorityClass", priority_class_printer()},
      {"PodDisruptionBudget", pod_disruption_budget_printer()},
      {"ControllerRevision",
       make_printer(
           {name_column(), string_column("Controller", "The object that owns the revision."),
            string_column("Revision", "The revision number."), age_column()},
           controller_revision_row)},
  };
  return printers;
}

const printer& printer_for(const resource_info& info) {
  static const printer created_at = created_at_printer();
  static const printer name_age = name_age_printer();
  if (default_convertor_kind(info)) return created_at;
  const auto& printers = printers_by_kind();
  auto it = printers.find(info.kind);
  return it != printers.end() ? it->second : name_age;
}

// ---------------------------------------------------------------------------------------------
// Encoding

void append_column(std::string& out, const column& c) {
  out += "{\"name\":";
  json::append_quoted(out, c.name);
  out += ",\"type\":";
  json::append_quoted(out, c.type);
  out += ",\"format\":";
  json::append_quoted(out, c.format);
  out += ",\"description\":";
  json::append_quoted(out, c.description);
  out += ",\"priority\":" + std::to_string(c.priority) + "}";
}

void append_columns(std::string& out, const std::vector<column>& columns) {
  out += "[";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ",";
    append_column(out, columns[i]);
  }
  out += "]";
}

void append_condition(std::string& out, const row_condition& c) {
  out += ",\"conditions\":[{\"type\":";
  json::append_quoted(out, c.type);
  out += ",\"status\":";
  json::append_quoted(out, c.status);
  out += ",\"reason\":";
  json::append_quoted(out, c.reason);
  out += ",\"message\":";
  json::append_quoted(out, c.message);
  out += "}]";
}

void append_row_object(std::string& out, const value& obj, std::string_view raw,
                       table_row_object include, std::string_view version) {
  out += ",\"object\":";
  switch (include) {
    case table_row_object::object:
      out += trim_space(raw);
      return;
    case table_row_object::none:
      out += "null";
      return;
    case table_row_object::metadata: {
      out += "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/";
      out += version;
      out += "\",\"metadata\":";
      const value* metadata = obj.find("metadata");
      out += metadata && metadata->is_object() ? json::dump(*metadata) : "{}";
      out += "}";
      return;
    }
  }
}

void append_row(std::string& out, const table_row& row, const value& obj, std::string_view raw,
                table_row_object include, std::string_view version) {
  out += "{\"cells\":[";
  for (size_t i = 0; i < row.cells.size(); ++i) {
    if (i > 0) out += ",";
    json::dump_to(row.cells[i], out);
  }
  out += "]";
  if (row.condition != nullptr) append_condition(out, *row.condition);
  append_row_object(out, obj, raw, include, version);
  out += "}";
}

void append_list_meta(std::string& out, const table_page& page) {
  out += "\"metadata\":{";
  bool first = true;
  auto separator = [&] {
    if (!first) out += ",";
    first = false;
  };
  if (!page.resource_version.empty()) {
    separator();
    out += "\"resourceVersion\":";
    json::append_quoted(out, page.resource_version);
  }
  if (!page.continue_token.empty()) {
    separator();
    out += "\"continue\":";
    json::append_quoted(out, page.continue_token);
  }
  if (page.remaining_item_count) {
    separator();
    out += "\"remainingItemCount\":" + std::to_string(*page.remaining_item_count);
  }
  out += "}";
}

// ---------------------------------------------------------------------------------------------
// Accept negotiation (goautoneg's ParseAccept plus kube's media type checks)

struct accept_clause {
  std::string type, subtype;
  double q = 1.0;
  std::map<std::string, std::string, std::less<>> params;
};

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t pos; (pos = s.find(separator, start)) != std::string_view::npos; start = pos + 1)
    parts.push_back(s.substr(start, pos - start));
  parts.push_back(s.substr(start));
  return parts;
}

// strconv.ParseFloat: the whole text must be a number, else 0.
double parse_q(std::string_view s) {
  std::string text(s);
  char* end = nullptr;
  const double q = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() ? q : 0.0;
}

std::optional<accept_clause> parse_clause(std::string_view part) {
  const std::vector<std::string_view> pieces = split(trim_blanks(part), ';');
  const std::vector<std::string_view> range = split(pieces[0], '/');
  accept_clause clause;
  clause.type = trim_blanks(range[0]);
  if (range.size() == 1 && clause.type == "*")
    clause.subtype = "*";
  else if (range.size() == 2)
    clause.subtype = trim_blanks(range[1]);
  else
    return std::nullopt;
  for (size_t i = 1; i < pieces.size(); ++i) {
    const size_t eq = pieces[i].find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = trim_blanks(pieces[i].substr(0, eq));
    if (key == "q")
      clause.q = parse_q(pieces[i].substr(eq + 1));
    else
      clause.params[std::string(key)] = trim_blanks(pieces[i].substr(eq + 1));
  }
  return clause;
}

bool ranks_before(const accept_clause& a, const accept_clause& b) {
  if (a.q > b.q) return true;
  if (a.type != "*" && b.type == "*") return true;
  return a.subtype != "*" && b.subtype == "*";
}

// Go's sort.Sort on short slices: insertion sort with goautoneg's (non-strict) ordering.
std::vector<accept_clause> parse_accept(std::string_view header) {
  std::vector<accept_clause> clauses;
  for (std::string_view part : split(header, ','))
    if (auto clause = parse_clause(part)) clauses.push_back(std::move(*clause));
  for (size_t i = 1; i < clauses.size(); ++i)
    for (size_t j = i; j > 0 && ranks_before(clauses[j], clauses[j - 1]); --j)
      std::swap(clauses[j], clauses[j - 1]);
  return clauses;
}

// The serializers kube offers, in its order.
struct media_type {
  std::string_view type, subtype;
};
constexpr media_type kServed[] = {
    {"application", "json"}, {"application", "yaml"}, {"application", "vnd.kubernetes.protobuf"}};

enum class clause_outcome { skip, plain, table, other_table_format };

// What kube makes of one clause: whether a serializer matches and the conversion is allowed.
clause_outcome evaluate(const accept_clause& clause, std::string_view& version) {
  const bool converts =
      clause.params.contains("as") || clause.params.contains("g") || clause.params.contains("v");
  for (const media_type& served : kServed) {
    const bool matches = (clause.type == served.type || clause.type == "*") &&
                         (clause.subtype == served.subtype || clause.subtype == "*") &&
                         !(clause.type == "*" && clause.subtype != "*");
    if (!matches) continue;
    if (!converts) return clause_outcome::plain;
    auto param = [&](std::string_view key) {
      auto it = clause.params.find(key);
      return it == clause.params.end() ? std::string_view{} : std::string_view(it->second);
    };
    const std::string_view v = param("v"), as = param("as");
    const bool meta_version = param("g") == "meta.k8s.io" && (v == "v1" || v == "v1beta1");
    if (meta_version && (as == "PartialObjectMetadata" || as == "PartialObjectMetadataList"))
      return clause_outcome::plain;
    if (!meta_version || as != "Table" || served.subtype == "vnd.kubernetes.protobuf") continue;
    version = v == "v1" ? "v1" : "v1beta1";
    return served.subtype == "json" ? clause_outcome::table : clause_outcome::other_table_format;
  }
  return clause_outcome::skip;
}

}  // namespace

std::optional<std::string_view> negotiated_table_version(std::string_view accept_header) {
  if (trim_blanks(accept_header).empty()) return std::nullopt;
  for (const accept_clause& clause : parse_accept(accept_header)) {
    std::string_view version;
    switch (evaluate(clause, version)) {
      case clause_outcome::skip:
        continue;
      case clause_outcome::table:
        return version;
      case clause_outcome::plain:
      case clause_outcome::other_table_format:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<table_row_object> parse_include_object(std::string_view value, std::string* error) {
  if (value.empty() || value == "Metadata") return table_row_object::metadata;
  if (value == "Object") return table_row_object::object;
  if (value == "None") return table_row_object::none;
  if (error != nullptr) *error = "unrecognized includeObject value: " + go_quote(value);
  return std::nullopt;
}

std::string human_age(int64_t seconds) {
  auto n = [](int64_t v) { return std::to_string(v); };
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return n(seconds) + "s";
  const int64_t minutes = seconds / 60;
  if (minutes < 10)
    return seconds % 60 == 0 ? n(minutes) + "m" : n(minutes) + "m" + n(seconds % 60) + "s";
  if (minutes < 180) return n(minutes) + "m";
  const int64_t hours = seconds / 3600;
  if (hours < 8) return minutes % 60 == 0 ? n(hours) + "h" : n(hours) + "h" + n(minutes % 60) + "m";
  if (hours < 48) return n(hours) + "h";
  const int64_t days = hours / 24;
  if (hours < 24 * 8) return hours % 24 == 0 ? n(days) + "d" : n(days) + "d" + n(hours % 24) + "h";
  if (hours < 24 * 365 * 2) return n(days) + "d";
  const int64_t years = days / 365;
  if (hours < 24 * 365 * 8)
    return days % 365 == 0 ? n(years) + "y" : n(years) + "y" + n(days % 365) + "d";
  return n(years) + "y";
}

std::optional<int64_t> parse_timestamp(std::string_view s) {
  int64_t year, month, day, hour, minute, second, offset = 0;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!read_digits(s, 0, 4, year) || !read_digits(s, 5, 2, month) || !read_digits(s, 8, 2, day) ||
      !read_digits(s, 11, 2, hour) || !read_digits(s, 14, 2, minute) ||
      !read_digits(s, 17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    const size_t digits_start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == digits_start) return std::nullopt;
  }
  if (!read_zone(s, pos, offset)) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
}

std::string table_json(const resource_info& info, std::span<const std::string_view> objects,
                       const table_page& page, table_row_object include,
                       bool with_column_definitions, int64_t now_unix_seconds,
                       std::string_view version) {
  const printer& p = printer_for(info);
  const print_context ctx{info, now_unix_seconds};
  std::string out = "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/";
  out += version;
  out += "\",";
  append_list_meta(out, page);
  out += ",\"columnDefinitions\":";
  if (with_column_definitions)
    append_columns(out, p.columns);
  else
    out += "null";
  out += ",\"rows\":[";
  bool first = true;
  for (std::string_view raw : objects) {
    value obj;
    if (!json::parse(raw, obj).ok || !obj.is_object()) continue;
    if (!first) out += ",";
    first = false;
    append_row(out, p.print(obj, ctx), obj, raw, include, version);
  }
  out += "]}";
  return out;
}

}  // namespace kactor::api
