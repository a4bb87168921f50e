// kactor: a Kubernetes control plane on the actor model. `kactor server --config FILE` starts the
// roles of one host: the store actor over LMDB, the watch hub and the HTTP front.
#include <caf/all.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>

#include <jemalloc/jemalloc.h>
#include <spdlog/spdlog.h>

#include "actors/memory_returner.hpp"
#include "actors/messages.hpp"
#include "actors/store_actor.hpp"
#include "api/bootstrap.hpp"
#include "config/config.hpp"
#include "config/kubeconfig.hpp"
#include "net/api_server.hpp"
#include "net/http.hpp"
#include "store/backend.hpp"
#include "store/watch_hub.hpp"

// jemalloc's options, read when it starts. Freed blocks of up to 4 MiB (list responses are
// ~1.7 MB for 1,000 pods) stay in the freeing thread's cache for its next allocation instead of
// going back to the arena, whose purging then made every list fault in fresh pages: 25% more
// lists per second at 20% less CPU each (bench/README.md). The cache keeps a bounded number of
// blocks per size and returns idle ones by itself.
extern "C" const char* malloc_conf;
const char* malloc_conf = "tcache_max:4194304";

namespace {

using namespace kactor;

// jemalloc's counters for the memory returner: allocations and frees of all arenas, and the
// dirty pages they hold. A counter jemalloc does not have reads as 0, so nothing is returned.
template <typename T>
T jemalloc_value(const char* name) {
  T value{};
  size_t size = sizeof value;
  if (mallctl(name, &value, &size, nullptr, 0) != 0) return T{};
  return value;
}

static_assert(MALLCTL_ARENAS_ALL == 4096, "the names below address all arenas as 4096");

actors::allocator_state read_jemalloc() {
  uint64_t epoch = 1;
  size_t size = sizeof epoch;
  mallctl("epoch", &epoch, &size, &epoch, size);  // refreshes the statistics below
  actors::allocator_state state;
  for (const char* counter : {"stats.arenas.4096.small.nmalloc", "stats.arenas.4096.small.ndalloc",
                              "stats.arenas.4096.large.nmalloc", "stats.arenas.4096.large.ndalloc"})
    state.operations += jemalloc_value<uint64_t>(counter);
  state.unused_bytes =
      jemalloc_value<size_t>("stats.arenas.4096.pdirty") * jemalloc_value<size_t>("arenas.page");
  return state;
}

actors::allocator_hooks jemalloc_hooks() {
  return {read_jemalloc, [] { mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0); }};
}

constexpr const char* kUsage = R"(Usage: kactor server --config FILE [options]

Starts the kactor roles of this host from a YAML config file (see config/README.md).

Options (each overrides the file):
  --config FILE             the cluster config file (required)
  --data-dir DIR            store.dataDir: where LMDB keeps the objects
  --http-address HOST:PORT  apiServer.httpAddress (default 127.0.0.1:8080)
  --log-level LEVEL         log.level: trace|debug|info|warn|error|critical|off
  -h, --help                this text
)";

struct command_line {
  std::string config_path;
  std::optional<std::string> data_dir, http_address, log_level;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "kactor: " << message << "\n\n" << kUsage;
  std::exit(2);
}

command_line parse_command_line(int argc, char** argv) {
  if (argc >= 2 && (std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help")) {
    std::cout << kUsage;
    std::exit(0);
  }
  if (argc < 2 || std::string_view(argv[1]) != "server")
    usage_error("expected the command `server`");
  command_line cl;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--config")
      cl.config_path = value();
    else if (arg == "--data-dir")
      cl.data_dir = value();
    else if (arg == "--http-address")
      cl.http_address = value();
    else if (arg == "--log-level")
      cl.log_level = value();
    else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else
      usage_error("unknown option " + std::string(arg));
  }
  if (cl.config_path.empty()) usage_error("--config FILE is required");
  return cl;
}

config::cluster_config load_config(const command_line& cl) {
  auto cfg = config::load_file(cl.config_path);
  if (cl.data_dir) cfg.store.data_dir = *cl.data_dir;
  if (cl.log_level) cfg.log.level = *cl.log_level;
  if (cl.http_address) {
    std::string error;
    if (!config::parse_host_port(*cl.http_address, cfg.api_server.http_address.host,
                                 cfg.api_server.http_address.port, error))
      throw config::config_error("--http-address: " + error, "apiServer.httpAddress");
  }
  config::validate(cfg);
  return cfg;
}

// Creates the standard namespaces and the `kubernetes` Service unless they exist.
void bootstrap(store::write_client& writer, const std::string& host, unsigned short port) {
  for (auto& item : api::bootstrap_objects(host, port)) {
    store::write_request w;
    w.verb = store::write_verb::create;
    w.group = item.resource->group;
    w.plural = item.resource->plural;
    w.ns = std::string(item.object.at({"metadata"})->get_string("namespace"));
    w.name = std::string(item.object.at({"metadata"})->get_string("name"));
    w.body = json::dump(item.object);
    std::promise<store::write_result> done;
    auto result = done.get_future();
    writer.submit(std::move(w), [&done](store::write_result r) { done.set_value(std::move(r)); });
    auto r = result.get();
    if (!r.ok && r.error.reason != "AlreadyExists")
      throw std::runtime_error("bootstrap: " + r.error.message);
  }
}

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

int run_server(const config::cluster_config& cfg) {
  auto backend = store::open_lmdb({.path = cfg.store.data_dir,
                                   .map_size = cfg.store.map_size_bytes(),
                                   .sync = cfg.store.sync,
                                   .write_ahead_log = cfg.store.write_ahead_log});
  store::watch_hub hub(cfg.store.watch_history, backend->revision());

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", static_cast<size_t>(cfg.actors.workers));
  caf_cfg.set("scheduler.policy", caf::atom("sharing"));
  actors::add_store_message_types(caf_cfg);
  caf::actor_system system{caf_cfg};
  actors::store_actor_options store_options;
  store_options.serial_poll.window = std::chrono::microseconds(cfg.api_server.serial_poll_micros);
  auto store_actor = actors::spawn_store_actor(system, *backend, hub, store_options);
  actors::store_client writer(store_actor);

  net::server_options http_options;
  http_options.address = cfg.api_server.http_address.host;
  http_options.port = cfg.api_server.http_address.port;
  http_options.threads = cfg.api_server.threads;
  http_options.body_limit = cfg.api_server.max_body_bytes;
  http_options.request_timeout_seconds = cfg.api_server.request_timeout_seconds;
  http_options.serial_poll_us = cfg.api_server.serial_poll_micros;

  net::api_server_options api_options;
  // The bound port is known only after start(): 0 in the config means "pick one".
  api_options.advertise_address = cfg.api_server.http_address.to_string();
  net::api_server api(*backend, writer, hub, api_options);
  net::http_server http(http_options,
                        [&api](net::request&& req, std::shared_ptr<net::responder> reply) {
                          api.handle(std::move(req), std::move(reply));
                        });
  http.start();
  const std::string host = http_options.address == "0.0.0.0" ? "127.0.0.1" : http_options.address;
  bootstrap(writer, host, http.port());
  api.set_ready(true);
  const std::string url = "http://" + config::host_port{host, http.port()}.to_string();
  const std::string kubeconfig =
      std::filesystem::absolute(std::filesystem::path(cfg.store.data_dir) / "kubeconfig");
  config::write_private_file(kubeconfig, config::kubeconfig_yaml(cfg.cluster.name, url));
  std::printf("kactor: serving the Kubernetes API at %s (data in %s)\nexport KUBECONFIG=%s\n",
              url.c_str(), cfg.store.data_dir.c_str(), kubeconfig.c_str());
  std::fflush(stdout);
  spdlog::info("ready: store revision {}", backend->revision());
  auto memory_returner =
      actors::spawn_memory_returner(system, jemalloc_hooks(), std::chrono::milliseconds(100));

  sigset_t signals = termination_signals();
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, shutting down", received == SIGINT ? "SIGINT" : "SIGTERM");
  api.set_ready(false);
  actors::stop_memory_returner(memory_returner);
  http.stop();
  // Writes already queued finish and their callbacks (which use `api`) run before it goes.
  actors::stop_store_actor(store_actor);
  system.await_all_actors_done();
  spdlog::info("store closed at revision {}", backend->revision());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto cl = parse_command_line(argc, argv);
  // Every thread started from here on inherits the blocked signals; main waits for them.
  sigset_t signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    auto cfg = load_config(cl);
    spdlog::set_level(spdlog::level::from_str(cfg.log.level));
    return run_server(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kactor: %s\n", e.what());
    return 1;
  }
}
