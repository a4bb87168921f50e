// The HTTP front's interface to the rest of kactor, free of Beast and Asio: a request, a
// responder that completes it (possibly later, from any thread), and a stream for watches.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kactor::net {

struct request {
  std::string method;        // "GET", "POST", ...
  std::string target;        // raw target: "/api/v1/pods?limit=5"
  std::string path;          // percent-decoded path without the query
  std::string query;         // raw query string without '?'
  std::string content_type;  // Content-Type header (may be empty)
  std::string accept;        // Accept header (may be empty)
  std::string user_agent;
  std::string if_none_match;  // If-None-Match header: the ETag a cached response carried
  std::string body;           // reserved with simdjson padding beyond size()
  std::string remote;         // peer address "127.0.0.1:5555"
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A chunked response that stays open (watch). Thread-safe: write() may be called from any
// thread; writes are queued to the connection. The queue is bounded: when a slow client lets it
// grow past the limit, the stream is closed and write() returns false from then on.
class stream {
 public:
  virtual ~stream() = default;
  virtual bool write(std::string chunk) = 0;
  virtual bool write_shared(std::shared_ptr<const std::string> chunk) = 0;
  virtual void finish() = 0;        // final chunk; the connection may be reused afterwards
  virtual bool closed() const = 0;  // the client went away or the stream was finished
  // Called once when the stream ends for any reason (client gone, overflow, finish()).
  virtual void on_close(std::function<void()> callback) = 0;
};

// Completes one request exactly once: respond() or start_stream(). Thread-safe.
class responder {
 public:
  virtual ~responder() = default;
  virtual void respond(response r) = 0;
  virtual std::shared_ptr<stream> start_stream(int status, std::string content_type) = 0;
};

using handler = std::function<void(request&& req, std::shared_ptr<responder> reply)>;

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;                     // 0: pick a free port
  unsigned threads = 1;                           // Asio threads
  size_t body_limit = 3 * 1024 * 1024;            // larger bodies: 413 RequestEntityTooLarge
  unsigned request_timeout_seconds = 60;          // header+body must arrive within this: 408
  size_t offload_body_bytes = 32 * 1024;          // bigger bodies are handled off the io threads
  size_t stream_buffer_limit = 16 * 1024 * 1024;  // pending bytes per watch stream
  unsigned serial_poll_us = 300;  // a lone client's io thread polls this long after work (0: never)
};

class http_server {
 public:
  http_server(server_options options, handler h);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds and starts the Asio threads; throws std::runtime_error naming the address on failure.
  void start();
  // Stops accepting, closes connections (streams end), joins the threads.
  void stop();
  unsigned short port() const;  // the bound port (after start)

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace kactor::net
