#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/http.hpp"

namespace kactor::net {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

struct reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::vector<std::string> chunks;  // for chunked replies, without the last chunk

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A blocking HTTP/1.1 client over a POSIX socket; every wait is bounded by `timeout`.
class client {
 public:
  explicit client(unsigned short port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~client() { close(); }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  std::optional<reply> read_response() {
    auto r = read_head();
    if (!r) return std::nullopt;
    if (lower(r->header("transfer-encoding")) == "chunked") {
      for (;;) {
        auto chunk = read_chunk();
        if (!chunk) return std::nullopt;
        if (chunk->empty()) break;
        r->body += *chunk;
        r->chunks.push_back(std::move(*chunk));
      }
      return r;
    }
    const size_t length = std::stoul(
        r->header("content-length").empty() ? std::string("0") : r->header("content-length"));
    if (!fill_to(length)) return std::nullopt;
    r->body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  std::optional<reply> read_head() {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    const std::string head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    reply r;
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    for (size_t pos = line_end + 2; pos < head.size(); pos = line_end + 2) {
      line_end = head.find("\r\n", pos);
      const std::string line = head.substr(pos, line_end - pos);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[lower(line.substr(0, colon))] = value;
    }
    return r;
  }

  // The data of the next chunk; an empty string for the last chunk; nullopt on error.
  std::optional<std::string> read_chunk() {
    size_t line_end;
    while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    const size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
    buffer_.erase(0, line_end + 2);
    if (!fill_to(size + 2)) return std::nullopt;
    std::string data = buffer_.substr(0, size);
    if (buffer_.compare(size, 2, "\r\n") != 0) return std::nullopt;
    buffer_.erase(0, size + 2);
    return data;
  }

  // True when the server closes the connection (EOF or reset) before the timeout; data that
  // arrives meanwhile is discarded.
  bool wait_closed() {
    buffer_.clear();
    for (;;) {
      const int result = receive();
      if (result == 0) return true;
      if (result < 0) return errno != EAGAIN;
      buffer_.clear();
    }
  }

  // True if nothing arrives and the connection stays open for `quiet`.
  bool stays_quiet(std::chrono::milliseconds quiet) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(quiet.count())) == 0;
  }

 private:
  // >0 bytes appended, 0 on EOF, -1 on error or timeout (errno EAGAIN).
  int receive() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0) {
      errno = EAGAIN;
      return -1;
    }
    char data[65536];
    const ssize_t n = ::recv(fd_, data, sizeof(data), 0);
    if (n > 0) buffer_.append(data, static_cast<size_t>(n));
    return n > 0 ? 1 : static_cast<int>(n);
  }
  bool fill() { return receive() > 0; }
  bool fill_to(size_t size) {
    while (buffer_.size() < size) {
      if (!fill()) return false;
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
  std::chrono::milliseconds timeout_ = 10s;
};

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

std::string post(const std::string& target, const std::string& body,
                 const std::string& extra = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// Runs jobs on one background thread, each no earlier than its due time.
class worker {
 public:
  worker() : thread_([this] { run(); }) {}
  ~worker() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void post(std::function<void()> job, std::chrono::milliseconds delay = 0ms) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({steady::now() + delay, std::move(job)});
    }
    cv_.notify_all();
  }

 private:
  struct job {
    steady::time_point due;
    std::function<void()> run;
  };

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (jobs_.empty()) {
        if (done_) return;
        cv_.wait(lock);
        continue;
      }
      auto next = std::min_element(jobs_.begin(), jobs_.end(),
                                   [](const job& a, const job& b) { return a.due < b.due; });
      if (next->due > steady::now()) {
        cv_.wait_until(lock, next->due);
        continue;
      }
      auto run = std::move(next->run);
      jobs_.erase(next);
      lock.unlock();
      run();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<job> jobs_;
  bool done_ = false;
  std::thread thread_;
};

// Counts events and lets a test wait for a number of them.
class counter {
 public:
  void bump() {
    std::lock_guard lock(mutex_);
    ++count_;
    cv_.notify_all();
  }
  bool wait_for(int expected, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= expected; });
  }
  int value() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int count_ = 0;
};

response text(int status, std::string body) {
  response r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

// Echoes the request: fields as headers, the body as the body.
response echo(const request& req) {
  response r = text(200, req.body);
  r.headers = {{"X-Method", req.method},
               {"X-Target", req.target},
               {"X-Path", req.path},
               {"X-Query", req.query},
               {"X-Content-Type", req.content_type},
               {"X-Accept", req.accept},
               {"X-User-Agent", req.user_agent},
               {"X-Remote", req.remote},
               {"X-Padded", req.body.capacity() >= req.body.size() + 64 ? "yes" : "no"}};
  return r;
}

// Starts a watch-like stream for "/watch" and answers everything else with 200 "ok".
struct stream_probe {
  std::mutex mutex;
  std::vector<std::shared_ptr<stream>> streams;
  counter started;
  counter closed;

  handler make_handler() {
    return [this](request&& req, std::shared_ptr<responder> r) {
      if (req.path != "/watch") return r->respond(text(200, "ok"));
      auto s = r->start_stream(200, "application/json");
      s->on_close([this] { closed.bump(); });
      {
        std::lock_guard lock(mutex);
        streams.push_back(s);
      }
      started.bump();
    };
  }
  std::shared_ptr<stream> get(size_t i) {
    std::lock_guard lock(mutex);
    return streams.at(i);
  }
};

class http_server_test : public ::testing::Test {
 protected:
  void start(server_options options, handler h) {
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<http_server>(std::move(options), std::move(h));
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }
  void start_echo(server_options options = {}) {
    start(std::move(options),
          [](request&& req, std::shared_ptr<responder> r) { r->respond(echo(req)); });
  }
  unsigned short port() const { return server_->port(); }

  // Declared before the server so they outlive it: the worker may hold responders and the
  // probe's callbacks run until the server has stopped.
  worker worker_;
  stream_probe probe_;
  std::unique_ptr<http_server> server_;
};

TEST_F(http_server_test, EchoesSeveralRequestsOnOneKeepAliveConnection) {
  start_echo();
  client c(port());
  ASSERT_TRUE(c.connected());

  ASSERT_TRUE(c.send(get("/api/v1/namespaces/default/pods?limit=5&watch=false",
                         "Accept: application/json, */*\r\nUser-Agent: kubectl/v1.32.0\r\n")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-method"), "GET");
  EXPECT_EQ(r->header("x-target"), "/api/v1/namespaces/default/pods?limit=5&watch=false");
  EXPECT_EQ(r->header("x-path"), "/api/v1/namespaces/default/pods");
  EXPECT_EQ(r->header("x-query"), "limit=5&watch=false");
  EXPECT_EQ(r->header("x-accept"), "application/json, */*");
  EXPECT_EQ(r->header("x-user-agent"), "kubectl/v1.32.0");
  EXPECT_EQ(r->header("x-remote").rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(r->header("content-length"), "0");
  EXPECT_EQ(r->header("content-type"), "text/plain");
  EXPECT_EQ(r->header("connection"), "");

  const std::string body = R"({"kind":"Pod","metadata":{"name":"x"}})";
  ASSERT_TRUE(c.send(post("/api/v1/namespaces/default/pods", body)));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-method"), "POST");
  EXPECT_EQ(r->header("x-content-type"), "application/json");
  EXPECT_EQ(r->header("x-padded"), "yes");
  EXPECT_EQ(r->body, body);

  ASSERT_TRUE(c.send(get("/api/v1/namespaces/a%20b/config%2Fmaps")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-path"), "/api/v1/namespaces/a b/config/maps");
  EXPECT_EQ(r->header("x-query"), "");

  // A chunked request body is reassembled.
  ASSERT_TRUE(
      c.send("PUT /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-method"), "PUT");
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->header("x-padded"), "yes");

  // Absolute-form targets keep only the path.
  ASSERT_TRUE(c.send(get("http://example.com/version?x=1")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-path"), "/version");
  EXPECT_EQ(r->header("x-query"), "x=1");
}

TEST_F(http_server_test, ResponseCarriesStatusContentTypeAndHeaders) {
  start({}, [](request&&, std::shared_ptr<responder> r) {
    response resp;
    resp.status = 201;
    resp.body = R"({"kind":"Pod"})";
    resp.headers = {{"Audit-Id", "abc"}, {"Cache-Control", "no-cache, private"}};
    r->respond(std::move(resp));
  });
  client c(port());
  ASSERT_TRUE(c.send(post("/api/v1/pods", "{}")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("content-length"), "14");
  EXPECT_EQ(r->header("audit-id"), "abc");
  EXPECT_EQ(r->header("cache-control"), "no-cache, private");
  EXPECT_EQ(r->body, R"({"kind":"Pod"})");
}

TEST_F(http_server_test, NoContentHasNoBodyAndNoContentLength) {
  start({}, [](request&&, std::shared_ptr<responder> r) { r->respond(text(204, "dropped")); });
  client c(port());
  ASSERT_TRUE(c.send(get("/a") + get("/b")));
  for (int i = 0; i < 2; ++i) {
    auto r = c.read_head();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204);
    EXPECT_EQ(r->header("content-length"), "");
  }
  EXPECT_TRUE(c.stays_quiet(50ms));
}

TEST_F(http_server_test, HeadGetsHeadersWithoutTheBody) {
  start({}, [](request&&, std::shared_ptr<responder> r) { r->respond(text(200, "hello")); });
  client c(port());
  ASSERT_TRUE(c.send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n" + get("/y")));
  auto head = c.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-length"), "5");
  auto r = c.read_response();  // the GET answer follows at once
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(http_server_test, ExpectContinueGetsAnInterimResponse) {
  start_echo();
  client c(port());
  const std::string body = "{\"a\":1}";
  ASSERT_TRUE(c.send("POST /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n"));
  auto interim = c.read_head();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send(body));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
}

TEST_F(http_server_test, ConnectionCloseAndHttp10AreHonoured) {
  start_echo();
  {
    client c(port());
    ASSERT_TRUE(c.send(get("/a", "Connection: close\r\n")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    client c(port());
    ASSERT_TRUE(c.send("GET /b HTTP/1.0\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("x-path"), "/b");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    client c(port());
    ASSERT_TRUE(c.send("GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("connection"), "keep-alive");
    ASSERT_TRUE(c.send(get("/d")));
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("x-path"), "/d");
  }
}

TEST_F(http_server_test, CompletesFromAnotherThreadAfterADelay) {
  start({}, [this](request&& req, std::shared_ptr<responder> r) {
    worker_.post([r, path = req.path] { r->respond(text(200, "late " + path)); }, 50ms);
  });
  client c(port());
  const auto begin = steady::now();
  ASSERT_TRUE(c.send(get("/slow")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_GE(steady::now() - begin, 45ms);
  EXPECT_EQ(r->body, "late /slow");
  ASSERT_TRUE(c.send(get("/again")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "late /again");
}

// A lone client's io thread polls between requests (serial_poll.hpp): answers coming from
// another thread and the next requests are still served, by both threads, and stop() ends a
// thread that is polling.
TEST_F(http_server_test, ALoneClientIsServedWhileItsIoThreadPolls) {
  server_options options;
  options.threads = 2;
  options.serial_poll_us = 10'000;
  start(options, [this](request&& req, std::shared_ptr<responder> r) {
    worker_.post([r, path = req.path] { r->respond(text(200, "late " + path)); }, 0ms);
  });
  client first(port());
  client second(port());  // on the other io thread
  for (int i = 0; i < 40; ++i) {
    client& c = i < 30 ? first : second;
    const std::string path = "/serial/" + std::to_string(i);
    ASSERT_TRUE(c.send(get(path)));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "late " + path);
  }
  server_->stop();
  EXPECT_TRUE(first.wait_closed());
  EXPECT_TRUE(second.wait_closed());
}

TEST_F(http_server_test, PipelinedRequestsAreAnsweredInOrder) {
  // Earlier requests complete later; the answers must still come back in request order.
  std::atomic<int> seen{0};
  start({}, [this, &seen](request&& req, std::shared_ptr<responder> r) {
    const auto delay = std::chrono::milliseconds(30 - 10 * seen++);
    worker_.post([r, path = req.path] { r->respond(text(200, path)); }, delay);
  });
  client c(port());
  ASSERT_TRUE(c.send(get("/1") + post("/2", "two") + get("/3")));
  for (const char* expected : {"/1", "/2", "/3"}) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, expected);
  }
}

TEST_F(http_server_test, BigBodyIsHandledOffTheIoThread) {
  // One io thread: a handler that holds it would stall every other connection.
  server_options options;
  options.threads = 1;
  options.offload_body_bytes = 1024;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  counter big_started;
  std::mutex mutex;
  std::thread::id big_thread;
  std::thread::id small_thread;
  start(options, [&](request&& req, std::shared_ptr<responder> r) {
    const bool big = req.body.size() >= 1024;
    {
      std::lock_guard lock(mutex);
      (big ? big_thread : small_thread) = std::this_thread::get_id();
    }
    if (!big) return r->respond(text(200, "small"));
    big_started.bump();
    const bool go = released.wait_for(10s) == std::future_status::ready;
    r->respond(text(200, go ? "big" : "never released"));
  });

  client slow(port());
  ASSERT_TRUE(slow.send(post("/big", std::string(4096, 'x'))));
  ASSERT_TRUE(big_started.wait_for(1));
  client quick(port());
  quick.set_timeout(3s);
  ASSERT_TRUE(quick.send(get("/small")));
  auto answer = quick.read_response();  // answered while the big request's handler still runs
  release.set_value();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "small");
  auto big = slow.read_response();
  ASSERT_TRUE(big);
  EXPECT_EQ(big->body, "big");
  std::lock_guard lock(mutex);
  EXPECT_NE(big_thread, small_thread);
}

TEST_F(http_server_test, DroppedResponderAndThrowingHandlerAnswer500) {
  start({}, [](request&& req, std::shared_ptr<responder> /*dropped unanswered*/) {
    if (req.path == "/throw") throw std::runtime_error("boom");
  });
  client c(port());
  ASSERT_TRUE(c.send(get("/drop")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  ASSERT_TRUE(c.send(get("/throw")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
}

TEST_F(http_server_test, OversizedBodyGets413StatusAndClose) {
  counter handled;
  start({}, [&handled](request&&, std::shared_ptr<responder> r) {
    handled.bump();
    r->respond(text(200, "unexpected"));
  });
  client c(port());
  const std::string body(4 * 1024 * 1024, 'x');
  // Send from another thread: the server answers after the headers and drains the rest.
  std::thread sender([&] { c.send(post("/api/v1/configmaps", body)); });
  auto r = c.read_response();
  sender.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_NE(r->body.find("\"Status\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("413"), std::string::npos) << r->body;
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(handled.value(), 0);
}

TEST_F(http_server_test, OversizedChunkedBodyGets413) {
  server_options options;
  options.body_limit = 1024;
  start_echo(options);
  client c(port());
  const std::string chunk(800, 'y');
  ASSERT_TRUE(c.send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" +
                     chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.wait_closed());

  client ok(port());  // at the limit is fine
  ASSERT_TRUE(ok.send(post("/x", std::string(1024, 'z'))));
  r = ok.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), 1024u);
}

TEST_F(http_server_test, MalformedRequestGets400StatusAndClose) {
  start_echo();
  client c(port());
  ASSERT_TRUE(c.send("NOT AN HTTP REQUEST\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("\"Status\""), std::string::npos) << r->body;
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(http_server_test, InvalidPercentEscapeGets400) {
  start_echo();
  client c(port());
  ASSERT_TRUE(c.send(get("/api/v1/namespaces/%zz/pods")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("\"Status\""), std::string::npos) << r->body;
  // The request itself was well-formed HTTP, so the connection stays usable.
  ASSERT_TRUE(c.send(get("/api/%4")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  ASSERT_TRUE(c.send(get("/ok")));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(http_server_test, SlowRequestGets408) {
  server_options options;
  options.request_timeout_seconds = 1;
  start_echo(options);
  client c(port());
  const auto begin = steady::now();
  ASSERT_TRUE(c.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = c.read_response();
  const auto waited = steady::now() - begin;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_NE(r->body.find("\"Status\""), std::string::npos) << r->body;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 3s);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(http_server_test, IdleKeepAliveConnectionOutlivesRequestTimeout) {
  server_options options;
  options.request_timeout_seconds = 1;
  start_echo(options);
  client c(port());
  ASSERT_TRUE(c.send(get("/first")));
  ASSERT_TRUE(c.read_response());
  EXPECT_TRUE(c.stays_quiet(1300ms));  // idle, not a slow request
  ASSERT_TRUE(c.send(get("/second")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-path"), "/second");
}

TEST_F(http_server_test, HalfCloseMidRequestGets400) {
  start_echo();
  client c(port());
  ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: t\r\n"));
  c.shutdown_write();
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(http_server_test, HalfCloseAfterACompleteRequestStillGetsTheAnswer) {
  start({}, [this](request&& req, std::shared_ptr<responder> r) {
    worker_.post([r, path = req.path] { r->respond(text(200, path)); }, 20ms);
  });
  client c(port());
  ASSERT_TRUE(c.send(get("/x")));
  c.shutdown_write();
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/x");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(http_server_test, ChunkedStreamDeliversEachWriteAsAChunkThenFinishes) {
  start({}, probe_.make_handler());
  client c(port());
  ASSERT_TRUE(c.send(get("/watch?watch=true")));
  auto head = c.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(lower(head->header("transfer-encoding")), "chunked");
  EXPECT_EQ(head->header("content-type"), "application/json");
  EXPECT_EQ(head->header("content-length"), "");
  ASSERT_TRUE(probe_.started.wait_for(1));
  auto s = probe_.get(0);

  // Each event is flushed on its own: the client sees it before the next is written.
  EXPECT_TRUE(s->write(R"({"type":"ADDED","object":{}})"
                       "\n"));
  EXPECT_EQ(c.read_chunk(), std::optional<std::string>(R"({"type":"ADDED","object":{}})"
                                                       "\n"));
  EXPECT_TRUE(s->write_shared(std::make_shared<const std::string>("{\"type\":\"MODIFIED\"}\n")));
  EXPECT_EQ(c.read_chunk(), std::optional<std::string>("{\"type\":\"MODIFIED\"}\n"));
  EXPECT_TRUE(s->write(""));  // ignored: an empty chunk would end the stream
  EXPECT_TRUE(s->write("{\"type\":\"DELETED\"}\n"));
  EXPECT_EQ(c.read_chunk(), std::optional<std::string>("{\"type\":\"DELETED\"}\n"));
  EXPECT_FALSE(s->closed());
  EXPECT_EQ(probe_.closed.value(), 0);

  s->finish();
  EXPECT_TRUE(s->closed());
  EXPECT_FALSE(s->write("late"));
  EXPECT_EQ(c.read_chunk(), std::optional<std::string>(""));
  ASSERT_TRUE(probe_.closed.wait_for(1));

  // The connection is reusable after the stream ends.
  ASSERT_TRUE(c.send(get("/after")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
  s->finish();
  bool late_callback = false;
  s->on_close([&] { late_callback = true; });  // already ended: runs at once
  EXPECT_TRUE(late_callback);
  EXPECT_EQ(probe_.closed.value(), 1);
}

TEST_F(http_server_test, WritesQueuedBeforeTheHeadersAreSentAreKept) {
  start({}, [](request&&, std::shared_ptr<responder> r) {
    auto s = r->start_stream(200, "application/json");
    for (int i = 0; i < 3; ++i) s->write("event " + std::to_string(i) + "\n");
    s->finish();
  });
  client c(port());
  ASSERT_TRUE(c.send(get("/watch")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chunks, (std::vector<std::string>{"event 0\n", "event 1\n", "event 2\n"}));
}

TEST_F(http_server_test, StreamOverflowWithASlowReaderClosesTheConnection) {
  server_options options;
  options.stream_buffer_limit = 64 * 1024;
  start(options, probe_.make_handler());
  client c(port(), 4096);  // a small receive window, and we stop reading
  ASSERT_TRUE(c.send(get("/watch")));
  ASSERT_TRUE(c.read_head());
  ASSERT_TRUE(probe_.started.wait_for(1));
  auto s = probe_.get(0);

  const std::string event(16 * 1024, 'e');
  bool refused = false;
  const auto deadline = steady::now() + 10s;
  while (!refused && steady::now() < deadline) {
    refused = !s->write(event);
    std::this_thread::sleep_for(200us);
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(s->closed());
  EXPECT_FALSE(s->write("more"));
  EXPECT_TRUE(probe_.closed.wait_for(1));
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(probe_.closed.value(), 1);
}

TEST_F(http_server_test, OnCloseFiresWhenTheClientDisconnectsMidStream) {
  start({}, probe_.make_handler());
  client c(port());
  ASSERT_TRUE(c.send(get("/watch")));
  ASSERT_TRUE(c.read_head());
  ASSERT_TRUE(probe_.started.wait_for(1));
  auto s = probe_.get(0);
  ASSERT_TRUE(s->write("{}\n"));
  ASSERT_TRUE(c.read_chunk());
  c.close();
  ASSERT_TRUE(probe_.closed.wait_for(1));
  EXPECT_TRUE(s->closed());
  EXPECT_FALSE(s->write("{}\n"));
  EXPECT_EQ(probe_.closed.value(), 1);
}

TEST_F(http_server_test, ManyConcurrentConnections) {
  server_options options;
  options.threads = 2;
  std::atomic<int> served{0};
  start(options, [this, &served](request&& req, std::shared_ptr<responder> r) {
    // Half the answers come from another thread, as the store's do.
    if (served++ % 2 == 0) return r->respond(text(200, req.path));
    worker_.post([r, path = std::move(req.path)] { r->respond(text(200, path)); });
  });

  constexpr int connections = 200;
  constexpr int requests = 20;
  constexpr int client_threads = 4;
  std::vector<std::unique_ptr<client>> clients;
  for (int i = 0; i < connections; ++i) {
    clients.push_back(std::make_unique<client>(port()));
    ASSERT_TRUE(clients.back()->connected());
  }
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < client_threads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < requests; ++round) {
        // All of this thread's connections have a request in flight at once.
        for (int i = t; i < connections; i += client_threads) {
          clients[i]->send(get("/c" + std::to_string(i) + "/r" + std::to_string(round)));
        }
        for (int i = t; i < connections; i += client_threads) {
          auto r = clients[i]->read_response();
          const std::string expected = "/c" + std::to_string(i) + "/r" + std::to_string(round);
          if (r && r->status == 200 && r->body == expected) ++good;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), connections * requests);
  EXPECT_EQ(served.load(), connections * requests);
}

TEST_F(http_server_test, StopEndsOpenStreamsAndIsIdempotent) {
  std::shared_ptr<responder> parked;  // written by the handler before it bumps `parked_count`
  counter parked_count;
  server_options options;
  options.threads = 2;
  start(options, [&](request&& req, std::shared_ptr<responder> r) {
    if (req.path == "/park") {
      parked = std::move(r);
      parked_count.bump();
      return;
    }
    probe_.make_handler()(std::move(req), std::move(r));
  });
  std::vector<std::unique_ptr<client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<client>(port()));
    ASSERT_TRUE(clients.back()->send(get("/watch")));
    ASSERT_TRUE(clients.back()->read_head());
  }
  client parked_client(port());
  ASSERT_TRUE(parked_client.send(get("/park")));
  ASSERT_TRUE(probe_.started.wait_for(3));
  ASSERT_TRUE(parked_count.wait_for(1));
  ASSERT_TRUE(probe_.get(0)->write("{}\n"));

  const auto begin = steady::now();
  server_->stop();
  EXPECT_LT(steady::now() - begin, 2s);
  EXPECT_EQ(probe_.closed.value(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(probe_.get(i)->closed());
  EXPECT_FALSE(probe_.get(0)->write("{}\n"));
  for (auto& c : clients) EXPECT_TRUE(c->wait_closed());
  EXPECT_TRUE(parked_client.wait_closed());
  server_->stop();

  // Completing a request after the server is gone is harmless.
  server_.reset();
  parked->respond(text(200, "too late"));
  auto s = parked->start_stream(200, "application/json");
  EXPECT_TRUE(s->closed());
  parked.reset();
}

TEST_F(http_server_test, StartFailsWithTheAddressInTheMessage) {
  start_echo();
  server_options options;
  options.address = "127.0.0.1";
  options.port = port();  // taken
  http_server second(options, [](request&&, std::shared_ptr<responder>) {});
  try {
    second.start();
    FAIL() << "start() should throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kactor::net
