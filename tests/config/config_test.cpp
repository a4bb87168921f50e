#include "config/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace kactor::config {
namespace {

// The error load_string throws for `yaml` (source "kactor.yaml"); fails the test if none.
config_error error_for(const std::string& yaml) {
  try {
    load_string(yaml, "kactor.yaml");
  } catch (const config_error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return config_error("", "");
}

std::string message_for(const std::string& yaml) {
  return error_for(yaml).what();
}

std::filesystem::path source_dir() {
  return KACTOR_SOURCE_DIR;
}

TEST(ConfigDefaults, EmptyDocumentGivesDefaults) {
  for (const char* yaml : {"", "# only a comment\n", "---\n"}) {
    cluster_config c = load_string(yaml, "empty.yaml");
    EXPECT_EQ(c.cluster.name, "kactor");
    EXPECT_EQ(c.store.backend, store_backend::lmdb);
    EXPECT_EQ(c.store.data_dir, "kactor-data");
    EXPECT_EQ(c.store.map_size_mib, 8192u);
    EXPECT_EQ(c.store.map_size_bytes(), uint64_t{8} << 30);
    EXPECT_TRUE(c.store.sync);
    EXPECT_TRUE(c.store.write_ahead_log);
    EXPECT_EQ(c.store.watch_history, 10000u);
    EXPECT_EQ(c.api_server.http_address.host, "127.0.0.1");
    EXPECT_EQ(c.api_server.http_address.port, 8080);
    EXPECT_EQ(c.api_server.threads, 2u);
    EXPECT_EQ(c.api_server.max_body_bytes, 3145728u);
    EXPECT_EQ(c.api_server.request_timeout_seconds, 60u);
    EXPECT_EQ(c.actors.workers, 2u);
    EXPECT_EQ(c.log.level, "info");
  }
}

TEST(ConfigDefaults, EmptySectionsKeepDefaults) {
  cluster_config c = load_string("store:\napiServer:\nlog: ~\n", "kactor.yaml");
  EXPECT_EQ(c.store.data_dir, "kactor-data");
  EXPECT_EQ(c.api_server.threads, 2u);
  EXPECT_EQ(c.log.level, "info");
}

TEST(ConfigDefaults, DefaultsAreValid) {
  EXPECT_NO_THROW(validate(cluster_config{}));
}

TEST(ConfigFile, FullFile) {
  cluster_config c = load_string(R"(
cluster:
  name: edge-1
store:
  backend: lmdb
  dataDir: /var/lib/kactor
  mapSizeMiB: 1024
  sync: false
  writeAheadLog: false
  watchHistory: 500
apiServer:
  httpAddress: 0.0.0.0:6443
  threads: 4
  maxBodyBytes: 1048576
  requestTimeoutSeconds: 30
  serialPollMicros: 0
actors:
  workers: 8
log:
  level: debug
)",
                                 "full.yaml");
  EXPECT_EQ(c.cluster.name, "edge-1");
  EXPECT_EQ(c.store.data_dir, "/var/lib/kactor");
  EXPECT_EQ(c.store.map_size_mib, 1024u);
  EXPECT_EQ(c.store.map_size_bytes(), uint64_t{1} << 30);
  EXPECT_FALSE(c.store.sync);
  EXPECT_FALSE(c.store.write_ahead_log);
  EXPECT_EQ(c.store.watch_history, 500u);
  EXPECT_EQ(c.api_server.http_address.host, "0.0.0.0");
  EXPECT_EQ(c.api_server.http_address.port, 6443);
  EXPECT_EQ(c.api_server.threads, 4u);
  EXPECT_EQ(c.api_server.max_body_bytes, 1048576u);
  EXPECT_EQ(c.api_server.request_timeout_seconds, 30u);
  EXPECT_EQ(c.api_server.serial_poll_micros, 0u);
  EXPECT_EQ(c.actors.workers, 8u);
  EXPECT_EQ(c.log.level, "debug");
}

TEST(ConfigFile, PartialFileKeepsOtherDefaults) {
  cluster_config c = load_string("apiServer:\n  threads: 3\n", "kactor.yaml");
  EXPECT_EQ(c.api_server.threads, 3u);
  EXPECT_EQ(c.api_server.http_address.port, 8080);
  EXPECT_EQ(c.store.data_dir, "kactor-data");
}

TEST(ConfigFile, ShippedSingleHostFileIsTheDefaults) {
  cluster_config c = load_file((source_dir() / "config" / "single-host.yaml").string());
  cluster_config defaults;
  EXPECT_EQ(c.cluster.name, defaults.cluster.name);
  EXPECT_EQ(c.store.data_dir, defaults.store.data_dir);
  EXPECT_EQ(c.store.map_size_mib, defaults.store.map_size_mib);
  EXPECT_EQ(c.store.sync, defaults.store.sync);
  EXPECT_EQ(c.store.watch_history, defaults.store.watch_history);
  EXPECT_EQ(c.api_server.http_address.to_string(), defaults.api_server.http_address.to_string());
  EXPECT_EQ(c.api_server.threads, defaults.api_server.threads);
  EXPECT_EQ(c.api_server.max_body_bytes, defaults.api_server.max_body_bytes);
  EXPECT_EQ(c.api_server.request_timeout_seconds, defaults.api_server.request_timeout_seconds);
  EXPECT_EQ(c.api_server.serial_poll_micros, defaults.api_server.serial_poll_micros);
  EXPECT_EQ(c.actors.workers, defaults.actors.workers);
  EXPECT_EQ(c.log.level, defaults.log.level);
}

TEST(ConfigFile, LoadFileNamesThePathInErrors) {
  auto path = std::filesystem::temp_directory_path() / "kactor_config_test_bad.yaml";
  std::ofstream(path) << "log:\n  level: loud\n";
  try {
    load_file(path.string());
    ADD_FAILURE() << "no error";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "log.level must be one of trace|debug|info|warn|error|critical|off, got \"loud\" "
              "in " +
                  path.string() + " (line 2, column 10)");
  }
  std::filesystem::remove(path);
}

TEST(ConfigFile, MissingFile) {
  try {
    load_file("/nonexistent/kactor.yaml");
    ADD_FAILURE() << "no error";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read config file \"/nonexistent/kactor.yaml\": No such file or directory");
  }
}

TEST(ConfigErrors, UnknownKeyWithSuggestion) {
  config_error e = error_for("apiServer:\n  httpAddress: 127.0.0.1:8080\n  thread: 2\n");
  EXPECT_EQ(std::string(e.what()),
            "unknown key \"apiServer.thread\" in kactor.yaml (line 3, column 3); did you mean "
            "\"apiServer.threads\"?");
  EXPECT_EQ(e.key(), "apiServer.thread");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 3);
}

TEST(ConfigErrors, UnknownKeyWithoutSuggestion) {
  EXPECT_EQ(message_for("store:\n  compression: zstd\n"),
            "unknown key \"store.compression\" in kactor.yaml (line 2, column 3)");
}

TEST(ConfigErrors, UnknownTopLevelSection) {
  EXPECT_EQ(message_for("etcd:\n  endpoints: []\n"),
            "unknown key \"etcd\" in kactor.yaml (line 1, column 1)");
  EXPECT_EQ(message_for("apiserver:\n  threads: 2\n"),
            "unknown key \"apiserver\" in kactor.yaml (line 1, column 1); did you mean "
            "\"apiServer\"?");
}

TEST(ConfigErrors, DuplicateKey) {
  EXPECT_EQ(message_for("store:\n  sync: true\n  sync: false\n"),
            "duplicate key \"store.sync\" in kactor.yaml (line 3, column 3)");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(
      message_for("apiServer:\n  threads: four\n"),
      "apiServer.threads must be an integer, got \"four\" in kactor.yaml (line 2, column 12)");
  EXPECT_EQ(message_for("apiServer:\n  threads: \"4\"\n"),
            "apiServer.threads must be an integer, got the string \"4\" in kactor.yaml (line 2, "
            "column 12)");
  EXPECT_EQ(message_for("apiServer:\n  threads: 1.5\n"),
            "apiServer.threads must be an integer, got \"1.5\" in kactor.yaml (line 2, column 12)");
  EXPECT_EQ(message_for("store:\n  sync: yes\n"),
            "store.sync must be true or false, got \"yes\" in kactor.yaml (line 2, column 9)");
  EXPECT_EQ(message_for("store:\n  dataDir: [a, b]\n"),
            "store.dataDir must be a string, got a sequence in kactor.yaml (line 2, column 12)");
  EXPECT_EQ(message_for("store: lmdb\n"),
            "store must be a mapping, got a scalar in kactor.yaml (line 1, column 1)");
  EXPECT_EQ(message_for("- a\n- b\n"),
            "the top level must be a mapping, got a sequence in kactor.yaml (line 1, column 1)");
}

TEST(ConfigErrors, EmptyValue) {
  EXPECT_EQ(message_for("store:\n  dataDir:\n  sync: true\n"),
            "store.dataDir must be a string, got no value in kactor.yaml (line 2, column 3)");
}

TEST(ConfigErrors, OutOfRangeNumbers) {
  EXPECT_EQ(
      message_for("apiServer:\n  threads: 0\n"),
      "apiServer.threads must be between 1 and 256, got 0 in kactor.yaml (line 2, column 12)");
  EXPECT_EQ(message_for("store:\n  mapSizeMiB: -5\n"),
            "store.mapSizeMiB must be between 1 and 16777216, got -5 in kactor.yaml (line 2, "
            "column 15)");
  EXPECT_EQ(message_for("apiServer:\n  maxBodyBytes: 99999999999999999999999\n"),
            "apiServer.maxBodyBytes must be between 1024 and 1073741824, got "
            "99999999999999999999999 in kactor.yaml (line 2, column 17)");
  EXPECT_EQ(message_for("actors:\n  workers: 0\n"),
            "actors.workers must be between 1 and 256, got 0 in kactor.yaml (line 2, column 12)");
  EXPECT_EQ(message_for("store:\n  watchHistory: 0\n"),
            "store.watchHistory must be between 1 and 10000000, got 0 in kactor.yaml (line 2, "
            "column 17)");
  EXPECT_EQ(message_for("apiServer:\n  requestTimeoutSeconds: -1\n"),
            "apiServer.requestTimeoutSeconds must be between 1 and 86400, got -1 in kactor.yaml "
            "(line 2, column 26)");
  EXPECT_EQ(message_for("apiServer:\n  serialPollMicros: 10001\n"),
            "apiServer.serialPollMicros must be between 0 and 10000, got 10001 in kactor.yaml "
            "(line 2, column 21)");
}

TEST(ConfigErrors, BadAddresses) {
  EXPECT_EQ(message_for("apiServer:\n  httpAddress: localhost\n"),
            "apiServer.httpAddress must be HOST:PORT, got \"localhost\": missing \":PORT\" in "
            "kactor.yaml (line 2, column 16)");
  EXPECT_EQ(message_for("apiServer:\n  httpAddress: 127.0.0.1:70000\n"),
            "apiServer.httpAddress must be HOST:PORT, got \"127.0.0.1:70000\": port 70000 is out "
            "of range 0..65535 in kactor.yaml (line 2, column 16)");
  EXPECT_EQ(message_for("apiServer:\n  httpAddress: \":8080\"\n"),
            "apiServer.httpAddress must be HOST:PORT, got \":8080\": empty host (use 0.0.0.0 to "
            "listen on all interfaces) in kactor.yaml (line 2, column 16)");
}

TEST(ConfigErrors, BadEnumerations) {
  EXPECT_EQ(message_for("store:\n  backend: etcd\n"),
            "store.backend \"etcd\" is not supported yet (only \"lmdb\" is) in kactor.yaml (line "
            "2, column 12)");
  EXPECT_EQ(message_for("store:\n  backend: rocksdb\n"),
            "store.backend must be \"lmdb\", got \"rocksdb\" in kactor.yaml (line 2, column 12)");
  EXPECT_EQ(message_for("log:\n  level: verbose\n"),
            "log.level must be one of trace|debug|info|warn|error|critical|off, got \"verbose\" in "
            "kactor.yaml (line 2, column 10)");
}

TEST(ConfigErrors, BadStrings) {
  EXPECT_EQ(message_for("cluster:\n  name: My_Cluster\n"),
            "cluster.name must be a DNS-1123 label (1-63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit), got \"My_Cluster\" in kactor.yaml (line "
            "2, column 9)");
  EXPECT_EQ(message_for("store:\n  dataDir: \"\"\n"),
            "store.dataDir must not be empty in kactor.yaml (line 2, column 12)");
}

TEST(ConfigErrors, SyntaxError) {
  config_error e = error_for("store:\n  sync: [true\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find("invalid YAML in kactor.yaml (line 3, column 1): "),
            std::string::npos)
      << e.what();
}

TEST(ConfigErrors, SeveralDocuments) {
  EXPECT_EQ(message_for("log:\n  level: info\n---\nlog:\n  level: warn\n"),
            "kactor.yaml holds 2 YAML documents; expected one");
}

TEST(ConfigValidate, RejectsBadOverrides) {
  cluster_config c;
  c.store.data_dir = "";
  try {
    validate(c);
    ADD_FAILURE() << "no error";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()), "store.dataDir must not be empty");
    EXPECT_EQ(e.key(), "store.dataDir");
  }
  c = cluster_config{};
  c.api_server.http_address.host = "";
  EXPECT_THROW(validate(c), config_error);
  c = cluster_config{};
  c.log.level = "loud";
  EXPECT_THROW(validate(c), config_error);
}

TEST(HostPort, Parses) {
  std::string host;
  unsigned short port = 0;
  std::string error;
  ASSERT_TRUE(parse_host_port("127.0.0.1:8080", host, port, error)) << error;
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(parse_host_port("[::1]:6443", host, port, error)) << error;
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 6443);
  ASSERT_TRUE(parse_host_port("localhost:0", host, port, error)) << error;
  EXPECT_EQ(port, 0);
  EXPECT_EQ((host_port{"::1", 6443}).to_string(), "[::1]:6443");
  EXPECT_EQ((host_port{"127.0.0.1", 80}).to_string(), "127.0.0.1:80");
}

TEST(HostPort, Rejects) {
  struct bad_case {
    const char* text;
    const char* error;
  };
  for (const bad_case& c : {
           bad_case{"127.0.0.1", "missing \":PORT\""},
           bad_case{"127.0.0.1:", "port \"\" is not a number"},
           bad_case{"127.0.0.1:http", "port \"http\" is not a number"},
           bad_case{"127.0.0.1:-1", "port \"-1\" is not a number"},
           bad_case{"127.0.0.1:65536", "port 65536 is out of range 0..65535"},
           bad_case{"127.0.0.1:99999999999", "port 99999999999 is out of range 0..65535"},
           bad_case{":8080", "empty host (use 0.0.0.0 to listen on all interfaces)"},
           bad_case{"::1:8080", "IPv6 hosts must be in brackets, e.g. [::1]:8080"},
           bad_case{"[::1]8080", "expected [IPv6]:PORT"},
       }) {
    std::string host = "unchanged";
    unsigned short port = 1;
    std::string error;
    EXPECT_FALSE(parse_host_port(c.text, host, port, error)) << c.text;
    EXPECT_EQ(error, c.error) << c.text;
    EXPECT_EQ(host, "unchanged");
    EXPECT_EQ(port, 1);
  }
}

TEST(LogLevel, Names) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    EXPECT_TRUE(valid_log_level(level)) << level;
  for (const char* level : {"", "INFO", "warning", "verbose"})
    EXPECT_FALSE(valid_log_level(level)) << level;
}

}  // namespace
}  // namespace kactor::config
