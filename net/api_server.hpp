// The Kubernetes REST API over the store: routes a request, decodes and admits objects, reads
// straight from the backend's snapshots, hands writes to the store's single writer and streams
// watches from the watch hub. Free of Beast and CAF: it sees only net/http.hpp's interface.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "api/json.hpp"
#include "net/deadlines.hpp"
#include "net/http.hpp"
#include "net/list_snapshots.hpp"
#include "store/backend.hpp"
#include "store/watch_hub.hpp"
#include "store/write_client.hpp"

namespace kactor::net {

struct api_server_options {
  std::string advertise_address = "127.0.0.1:8080";  // for /api's serverAddressByClientCIDRs
  unsigned min_watch_timeout_seconds = 1800;         // default watch length is 1-2x this
};

class api_server {
 public:
  api_server(store::backend& reader, store::write_client& writer, store::watch_hub& hub,
             api_server_options options);
  ~api_server();

  void handle(request&& req, std::shared_ptr<responder> reply);
  void set_ready(bool ready) { ready_ = ready; }

  struct context;       // one request's state, defined in api_server.cpp
  struct write_params;  // fieldValidation and dryRun of a write
  struct parsed_patch;  // a PATCH body and its type

 private:
  void handle_resource(const std::shared_ptr<context>& ctx);
  void handle_collection(const std::shared_ptr<context>& ctx);
  void handle_object(const std::shared_ptr<context>& ctx);
  void handle_status(const std::shared_ptr<context>& ctx);

  void get_object(const std::shared_ptr<context>& ctx);
  void list(const std::shared_ptr<context>& ctx);
  void watch(const std::shared_ptr<context>& ctx);
  void create(const std::shared_ptr<context>& ctx);
  bool try_fast_pod_create(const std::shared_ptr<context>& ctx, bool dry_run);
  void submit_create(const std::shared_ptr<context>& ctx, json::value obj, bool dry_run);
  void apply_create(const std::shared_ptr<context>& ctx, const parsed_patch& patch,
                    const write_params& params);
  void replace(const std::shared_ptr<context>& ctx, bool status_only);
  void patch(const std::shared_ptr<context>& ctx, bool status_only);
  void remove(const std::shared_ptr<context>& ctx);
  void remove_collection(const std::shared_ptr<context>& ctx);

  void handle_scale(const std::shared_ptr<context>& ctx);
  void bind(const std::shared_ptr<context>& ctx);
  void evict(const std::shared_ptr<context>& ctx);
  void finalize(const std::shared_ptr<context>& ctx);

  struct update_plan;  // a read-modify-write of one object, defined in api_server.cpp
  void read_modify_write(const std::shared_ptr<context>& ctx,
                         const std::shared_ptr<update_plan>& plan, int attempt);

  // The snapshot a continue token at `revision` reads from: the one kept for it, or the current
  // state if nothing changed since; nullptr when neither (the token has expired).
  std::shared_ptr<store::read_snapshot> continue_snapshot(uint64_t revision);
  void keep_snapshot(std::shared_ptr<store::read_snapshot> snapshot);
  void expire_snapshots();

  void serve_discovery(const std::shared_ptr<context>& ctx);
  void send_health(const std::shared_ptr<context>& ctx);
  void assign_cluster_ip(json::value& obj);
  std::string allocate_cluster_ip();

  store::backend& reader_;
  store::write_client& writer_;
  store::watch_hub& hub_;
  api_server_options options_;
  std::atomic<bool> ready_{false};
  std::mutex snapshots_mutex_;
  list_snapshots snapshots_;
  bool expiry_scheduled_ = false;
  deadline_runner deadlines_;  // last: its thread stops before the members it touches go
};

}  // namespace kactor::net
