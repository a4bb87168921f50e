// kactor's configuration file: the YAML schema `kactor server --config FILE` reads, its defaults
// and its validation. Every key is documented in config/README.md; config/single-host.yaml is
// the default single-host file. Unknown keys, wrong types and bad values are errors that name
// the file, the key path and the position.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kactor::config {

// A configuration error. what() is the full message, e.g.
//   unknown key "apiServer.thread" in kactor.yaml (line 7, column 3); did you mean
//   "apiServer.threads"?
class config_error : public std::runtime_error {
 public:
  config_error(const std::string& message, std::string key, int line = 0, int column = 0);

  const std::string& key() const { return key_; }  // "apiServer.threads"; empty: whole file
  int line() const { return line_; }               // 1-based; 0 when unknown
  int column() const { return column_; }           // 1-based; 0 when unknown

 private:
  std::string key_;
  int line_;
  int column_;
};

enum class store_backend { lmdb };

struct host_port {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: the server picks a free port

  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

struct cluster_settings {
  std::string name = "kactor";  // a DNS-1123 label; names the cluster in kubeconfigs
};

struct store_config {
  store_backend backend = store_backend::lmdb;
  std::string data_dir = "kactor-data";  // relative paths are relative to the server's CWD
  uint64_t map_size_mib = 8192;          // LMDB map size (sparse file, upper bound of the store)
  bool sync = true;                      // fsync every commit before acknowledging it
  bool write_ahead_log = true;           // with sync: commits made durable by a log append
  uint64_t watch_history = 10000;        // committed events kept for watch catch-up

  uint64_t map_size_bytes() const { return map_size_mib << 20; }
};

struct api_server_config {
  host_port http_address;
  unsigned threads = 2;                   // HTTP I/O threads
  uint64_t max_body_bytes = 3145728;      // larger request bodies: 413
  unsigned request_timeout_seconds = 60;  // a request's headers and body must arrive within this
  unsigned serial_poll_micros = 300;      // a lone client's io thread polls this long (0: never)
};

struct actors_config {
  unsigned workers = 2;  // CAF scheduler threads
};

struct log_config {
  std::string level = "info";  // one of trace|debug|info|warn|error|critical|off
};

struct cluster_config {
  cluster_settings cluster;
  store_config store;
  api_server_config api_server;
  actors_config actors;
  log_config log;
};

// Reads and validates a file. Throws config_error (also when the file cannot be read).
cluster_config load_file(const std::string& path);
// Parses and validates YAML text; `source_name` names it in error messages. An empty document
// gives the defaults. Throws config_error.
cluster_config load_string(std::string_view yaml, std::string source_name);

// Checks the invariants load_string enforces, for a config changed after loading (command-line
// overrides). Throws config_error naming the key.
void validate(const cluster_config& config);

// Splits "HOST:PORT" ("[IPv6]:PORT" for IPv6). The host must be non-empty and the port a
// decimal number in 0..65535. On failure returns false and sets `error`, leaving host and port
// unchanged.
bool parse_host_port(std::string_view text, std::string& host, unsigned short& port,
                     std::string& error);

// True for trace, debug, info, warn, error, critical and off (spdlog's names).
bool valid_log_level(std::string_view level);

}  // namespace kactor::config
