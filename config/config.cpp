#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>
#include <vector>

namespace kactor::config {

config_error::config_error(const std::string& message, std::string key, int line, int column)
    : std::runtime_error(message), key_(std::move(key)), line_(line), column_(column) {}

std::string host_port::to_string() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

struct integer_limits {
  uint64_t min;
  uint64_t max;
};

constexpr integer_limits map_size_mib_limits{1, uint64_t{1} << 24};  // up to 16 TiB
constexpr integer_limits watch_history_limits{1, 10'000'000};
constexpr integer_limits thread_limits{1, 256};
constexpr integer_limits body_limits{1024, uint64_t{1} << 30};
constexpr integer_limits timeout_limits{1, 86'400};
constexpr integer_limits serial_poll_limits{0, 10'000};

constexpr std::string_view log_levels[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};

// Each check returns an empty string when the value is fine, else what is wrong with it,
// phrased to follow the key path: "apiServer.threads must be ...".

std::string check_range(uint64_t value, integer_limits limits) {
  if (value >= limits.min && value <= limits.max) return {};
  return "must be between " + std::to_string(limits.min) + " and " + std::to_string(limits.max) +
         ", got " + std::to_string(value);
}

bool is_dns_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string check_cluster_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63 && is_dns_label_char(name.front()) &&
            is_dns_label_char(name.back()) && std::all_of(name.begin(), name.end(), [](char c) {
              return is_dns_label_char(c) || c == '-';
            });
  if (ok) return {};
  return "must be a DNS-1123 label (1-63 lowercase letters, digits and '-', starting and ending "
         "with a letter or digit), got \"" +
         std::string(name) + "\"";
}

std::string check_data_dir(std::string_view dir) {
  if (dir.empty()) return "must not be empty";
  if (dir.find('\0') != std::string_view::npos) return "must not contain NUL characters";
  return {};
}

std::string check_log_level(std::string_view level) {
  if (valid_log_level(level)) return {};
  return "must be one of trace|debug|info|warn|error|critical|off, got \"" + std::string(level) +
         "\"";
}

std::string check_host(std::string_view host) {
  if (host.empty()) return "empty host (use 0.0.0.0 to listen on all interfaces)";
  if (host.find_first_of(" \t\r\n/") != std::string_view::npos)
    return "invalid host \"" + std::string(host) + "\"";
  return {};
}

std::string position_suffix(int line, int column) {
  if (line <= 0) return {};
  std::string text = " (line " + std::to_string(line);
  if (column > 0) text += ", column " + std::to_string(column);
  return text + ")";
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Levenshtein distance, ignoring case.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

// The known key closest to `key` when it looks like a typo of it, else empty.
std::string_view closest_key(std::string_view key, std::initializer_list<std::string_view> known) {
  std::string_view best;
  size_t best_distance = 3;  // suggest only within two edits
  for (std::string_view candidate : known) {
    size_t distance = edit_distance(key, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string join_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

const char* type_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "no value";
  }
}

// One key: value pair of a mapping, with its full key path and where it was written.
struct entry {
  std::string name;  // "threads"
  std::string path;  // "apiServer.threads"
  YAML::Node value;
  YAML::Mark key_mark;
};

class reader {
 public:
  explicit reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& message,
                         const YAML::Mark& mark) const {
    int line = mark.is_null() ? 0 : mark.line + 1;
    int column = mark.is_null() ? 0 : mark.column + 1;
    throw config_error(message + " in " + source_ + position_suffix(line, column), key, line,
                       column);
  }

  // Where an entry's problem is reported: its value, or its key when the value is empty (an
  // empty value's mark points past it).
  static YAML::Mark mark_of(const entry& e) {
    return e.value.IsNull() ? e.key_mark : e.value.Mark();
  }

  [[noreturn]] void fail(const entry& e, const std::string& problem) const {
    fail(e.path, e.path + " " + problem, mark_of(e));
  }

  void check(const entry& e, const std::string& problem) const {
    if (!problem.empty()) fail(e, problem);
  }

  // The entries of mapping `node` at `path` (a null node is an empty mapping), rejecting
  // non-mappings, duplicate keys and keys not in `known`.
  std::vector<entry> entries(const YAML::Node& node, const std::string& path,
                             const YAML::Mark& mark,
                             std::initializer_list<std::string_view> known) const {
    std::vector<entry> result;
    if (node.IsNull()) return result;
    if (!node.IsMap()) {
      std::string what = path.empty() ? "the top level" : path;
      fail(path, what + " must be a mapping, got " + type_name(node), mark);
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      result.push_back(make_entry(it->first, it->second, path, known));
      for (size_t i = 0; i + 1 < result.size(); ++i)
        if (result[i].name == result.back().name)
          fail(result.back().path, "duplicate key \"" + result.back().path + "\"",
               result.back().key_mark);
    }
    return result;
  }

  std::string scalar(const entry& e, std::string_view expected) const {
    if (!e.value.IsScalar())
      fail(e, "must be " + std::string(expected) + ", got " + type_name(e.value));
    return e.value.Scalar();
  }

  std::string text(const entry& e, std::string (*check_value)(std::string_view)) const {
    std::string value = scalar(e, "a string");
    check(e, check_value(value));
    return value;
  }

  uint64_t integer(const entry& e, integer_limits limits) const {
    std::string value = scalar(e, "an integer");
    if (quoted(e)) fail(e, "must be an integer, got the string \"" + value + "\"");
    std::string_view digits = value;
    bool negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+'))
      digits.remove_prefix(1);
    uint64_t number = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    bool all_digits = !digits.empty() && end == digits.data() + digits.size();
    if (!all_digits || (error != std::errc() && error != std::errc::result_out_of_range))
      fail(e, "must be an integer, got \"" + value + "\"");
    if (negative || error == std::errc::result_out_of_range || number < limits.min ||
        number > limits.max)
      fail(e, "must be between " + std::to_string(limits.min) + " and " +
                  std::to_string(limits.max) + ", got " + value);
    return number;
  }

  bool boolean(const entry& e) const {
    std::string value = scalar(e, "true or false");
    if (!quoted(e)) {
      if (value == "true" || value == "True" || value == "TRUE") return true;
      if (value == "false" || value == "False" || value == "FALSE") return false;
    }
    fail(e, "must be true or false, got \"" + value + "\"");
  }

 private:
  static bool quoted(const entry& e) { return e.value.Tag() == "!"; }

  entry make_entry(const YAML::Node& key, const YAML::Node& value, const std::string& path,
                   std::initializer_list<std::string_view> known) const {
    if (!key.IsScalar())
      fail(path,
           "keys must be plain strings, got " + std::string(type_name(key)) + " under " +
               (path.empty() ? "the top level" : path),
           key.Mark());
    entry e{key.Scalar(), join_path(path, key.Scalar()), value, key.Mark()};
    if (std::find(known.begin(), known.end(), e.name) == known.end()) {
      std::string message = "unknown key \"" + e.path + "\"";
      std::string_view suggestion = closest_key(e.name, known);
      int line = e.key_mark.is_null() ? 0 : e.key_mark.line + 1;
      int column = e.key_mark.is_null() ? 0 : e.key_mark.column + 1;
      message += " in " + source_ + position_suffix(line, column);
      if (!suggestion.empty()) message += "; did you mean \"" + join_path(path, suggestion) + "\"?";
      throw config_error(message, e.path, line, column);
    }
    return e;
  }

  std::string source_;
};

void read_cluster(const reader& r, const entry& section, cluster_settings& out) {
  for (const entry& e : r.entries(section.value, section.path, section.key_mark, {"name"}))
    out.name = r.text(e, check_cluster_name);
}

store_backend read_backend(const reader& r, const entry& e) {
  std::string value = r.scalar(e, "a string");
  if (value == "lmdb") return store_backend::lmdb;
  if (value == "etcd") r.fail(e, "\"etcd\" is not supported yet (only \"lmdb\" is)");
  r.fail(e, "must be \"lmdb\", got \"" + value + "\"");
}

void read_store(const reader& r, const entry& section, store_config& out) {
  auto keys = {std::string_view("backend"),       std::string_view("dataDir"),
               std::string_view("mapSizeMiB"),    std::string_view("sync"),
               std::string_view("writeAheadLog"), std::string_view("watchHistory")};
  for (const entry& e : r.entries(section.value, section.path, section.key_mark, keys)) {
    if (e.name == "backend") {
      out.backend = read_backend(r, e);
    } else if (e.name == "dataDir") {
      out.data_dir = r.text(e, check_data_dir);
    } else if (e.name == "mapSizeMiB") {
      out.map_size_mib = r.integer(e, map_size_mib_limits);
    } else if (e.name == "sync") {
      out.sync = r.boolean(e);
    } else if (e.name == "writeAheadLog") {
      out.write_ahead_log = r.boolean(e);
    } else {
      out.watch_history = r.integer(e, watch_history_limits);
    }
  }
}

host_port read_host_port(const reader& r, const entry& e) {
  std::string value = r.scalar(e, "a string HOST:PORT");
  host_port address;
  std::string error;
  if (!parse_host_port(value, address.host, address.port, error))
    r.fail(e, "must be HOST:PORT, got \"" + value + "\": " + error);
  return address;
}

void read_api_server(const reader& r, const entry& section, api_server_config& out) {
  auto keys = {std::string_view("httpAddress"), std::string_view("threads"),
               std::string_view("maxBodyBytes"), std::string_view("requestTimeoutSeconds"),
               std::string_view("serialPollMicros")};
  for (const entry& e : r.entries(section.value, section.path, section.key_mark, keys)) {
    if (e.name == "httpAddress") {
      out.http_address = read_host_port(r, e);
    } else if (e.name == "threads") {
      out.threads = static_cast<unsigned>(r.integer(e, thread_limits));
    } else if (e.name == "maxBodyBytes") {
      out.max_body_bytes = r.integer(e, body_limits);
    } else if (e.name == "requestTimeoutSeconds") {
      out.request_timeout_seconds = static_cast<unsigned>(r.integer(e, timeout_limits));
    } else {
      out.serial_poll_micros = static_cast<unsigned>(r.integer(e, serial_poll_limits));
    }
  }
}

void read_actors(const reader& r, const entry& section, actors_config& out) {
  for (const entry& e : r.entries(section.value, section.path, section.key_mark, {"workers"}))
    out.workers = static_cast<unsigned>(r.integer(e, thread_limits));
}

void read_log(const reader& r, const entry& section, log_config& out) {
  for (const entry& e : r.entries(section.value, section.path, section.key_mark, {"level"}))
    out.level = r.text(e, check_log_level);
}

cluster_config read_document(const reader& r, const YAML::Node& root) {
  cluster_config config;
  auto sections = {std::string_view("cluster"), std::string_view("store"),
                   std::string_view("apiServer"), std::string_view("actors"),
                   std::string_view("log")};
  for (const entry& e : r.entries(root, "", root.Mark(), sections)) {
    if (e.name == "cluster") {
      read_cluster(r, e, config.cluster);
    } else if (e.name == "store") {
      read_store(r, e, config.store);
    } else if (e.name == "apiServer") {
      read_api_server(r, e, config.api_server);
    } else if (e.name == "actors") {
      read_actors(r, e, config.actors);
    } else {
      read_log(r, e, config.log);
    }
  }
  return config;
}

void require(const std::string& key, const std::string& problem) {
  if (!problem.empty()) throw config_error(key + " " + problem, key);
}

}  // namespace

bool valid_log_level(std::string_view level) {
  return std::find(std::begin(log_levels), std::end(log_levels), level) != std::end(log_levels);
}

bool parse_host_port(std::string_view text, std::string& host, unsigned short& port,
                     std::string& error) {
  std::string_view host_part;
  std::string_view port_part;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "expected [IPv6]:PORT";
      return false;
    }
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      error = "missing \":PORT\"";
      return false;
    }
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
    if (host_part.find(':') != std::string_view::npos) {
      error = "IPv6 hosts must be in brackets, e.g. [::1]:8080";
      return false;
    }
  }
  if (std::string problem = check_host(host_part); !problem.empty()) {
    error = problem;
    return false;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
  if (port_part.empty() || ec == std::errc::invalid_argument ||
      end != port_part.data() + port_part.size()) {
    error = "port \"" + std::string(port_part) + "\" is not a number";
    return false;
  }
  if (ec == std::errc::result_out_of_range || value > 65535) {
    error = "port " + std::string(port_part) + " is out of range 0..65535";
    return false;
  }
  host = std::string(host_part);
  port = static_cast<unsigned short>(value);
  return true;
}

void validate(const cluster_config& config) {
  require("cluster.name", check_cluster_name(config.cluster.name));
  require("store.dataDir", check_data_dir(config.store.data_dir));
  require("store.mapSizeMiB", check_range(config.store.map_size_mib, map_size_mib_limits));
  require("store.watchHistory", check_range(config.store.watch_history, watch_history_limits));
  if (std::string problem = check_host(config.api_server.http_address.host); !problem.empty())
    require("apiServer.httpAddress", "has an " + problem);
  require("apiServer.threads", check_range(config.api_server.threads, thread_limits));
  require("apiServer.maxBodyBytes", check_range(config.api_server.max_body_bytes, body_limits));
  require("apiServer.requestTimeoutSeconds",
          check_range(config.api_server.request_timeout_seconds, timeout_limits));
  require("apiServer.serialPollMicros",
          check_range(config.api_server.serial_poll_micros, serial_poll_limits));
  require("actors.workers", check_range(config.actors.workers, thread_limits));
  require("log.level", check_log_level(config.log.level));
}

cluster_config load_string(std::string_view yaml, std::string source_name) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    int column = e.mark.is_null() ? 0 : e.mark.column + 1;
    throw config_error(
        "invalid YAML in " + source_name + position_suffix(line, column) + ": " + e.msg, "", line,
        column);
  }
  if (documents.size() > 1)
    throw config_error(source_name + " holds " + std::to_string(documents.size()) +
                           " YAML documents; expected one",
                       "");
  reader r(std::move(source_name));
  if (documents.empty()) return cluster_config{};
  return read_document(r, documents.front());
}

cluster_config load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw config_error("cannot read config file \"" + path + "\": " + std::strerror(errno), "");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad())
    throw config_error("cannot read config file \"" + path + "\": " + std::strerror(errno), "");
  return load_string(content.str(), path);
}

}  // namespace kactor::config
