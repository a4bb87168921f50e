// api_bench: load client for kactor's Kubernetes API, run side by side with etcd 3.4 under the
// same object sizes and concurrency. It starts the servers as child processes on loopback,
// measures writes, reads, lists of 1,000 objects and watch fan-out, and prints
// `RESULT <metric> <value> <unit> [peer=<name> <value> ratio=<x>]` lines last. etcd is loaded
// through its native gRPC API (the peer of the RESULT lines) and, for reference, through its v3
// JSON gateway on the same HTTP/1.1 client code as kactor (GATEWAY lines). See bench/README.md.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <absl/synchronization/mutex.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "bench/bench_pod.hpp"
#include "etcd_kv.grpc.pb.h"  // generated from bench/etcd_kv.proto at build time

namespace {

namespace fs = std::filesystem;
using kactor::bench::pod_json;

struct bench_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The server closed a connection before answering (e.g. an idle keep-alive connection).
struct connection_closed : bench_error {
  connection_closed() : bench_error("connection closed by the server") {}
};

std::atomic<bool> g_interrupted{false};

void on_termination_signal(int) {
  g_interrupted = true;
}

void check_interrupted() {
  if (g_interrupted) throw bench_error("interrupted");
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t ns_per_s = 1'000'000'000;

int64_t seconds_to_ns(double seconds) {
  return static_cast<int64_t>(seconds * 1e9);
}

void sleep_seconds(double seconds) {
  std::this_thread::sleep_for(std::chrono::nanoseconds(seconds_to_ns(seconds)));
}

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// ---------------------------------------------------------------------------------------------
// Small helpers: base64, JSON field scraping, percentiles, /proc.

constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += base64_alphabet[(v >> shift) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += base64_alphabet[(v >> 18) & 63];
    out += base64_alphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? base64_alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string base64_decode(std::string_view in) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    int v = base64_value(c);
    if (v < 0) break;  // '=' padding or the end of the field
    bits = (bits << 6) | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += char((bits >> count) & 0xff);
    }
  }
  return out;
}

// The string value following the first occurrence of `"field":"` in `json`, or empty.
std::string_view json_string_field(std::string_view json, std::string_view field) {
  std::string pattern = "\"" + std::string(field) + "\":\"";
  size_t start = json.find(pattern);
  if (start == std::string_view::npos) return {};
  start += pattern.size();
  size_t end = json.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : json.substr(start, end - start);
}

uint64_t parse_u64(std::string_view digits) {
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') break;
    value = value * 10 + uint64_t(c - '0');
  }
  return value;
}

size_t count_occurrences(std::string_view text, std::string_view pattern) {
  size_t count = 0;
  for (size_t pos = text.find(pattern); pos != std::string_view::npos;
       pos = text.find(pattern, pos + pattern.size()))
    ++count;
  return count;
}

double percentile_ms(std::vector<uint32_t>& latencies_us, double fraction) {
  if (latencies_us.empty()) return 0;
  size_t index = std::min(latencies_us.size() - 1, size_t(fraction * double(latencies_us.size())));
  std::nth_element(latencies_us.begin(), latencies_us.begin() + long(index), latencies_us.end());
  return latencies_us[index] / 1000.0;
}

uint32_t elapsed_us(int64_t from_ns, int64_t to_ns) {
  return uint32_t(std::clamp<int64_t>((to_ns - from_ns) / 1000, 0, UINT32_MAX));
}

// VmRSS of a process in bytes (0 if unreadable).
uint64_t rss_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return parse_u64(line.substr(line.find_first_not_of("VmRSS: \t"))) * 1024;
  return 0;
}

// User + system CPU seconds a process has used so far, over all its threads.
double cpu_seconds(pid_t pid) {
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  size_t after_name = text.rfind(')');
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; fields >> field && index <= 15; ++index)
    if (index == 14 || index == 15) ticks += double(parse_u64(field));  // utime, stime
  return ticks / double(sysconf(_SC_CLK_TCK));
}

// CPU seconds of the whole machine so far, over all cores, from /proc/stat: busy (user, nice,
// system, irq and softirq) and stolen by the hypervisor for other guests.
struct machine_cpu {
  double busy = 0;
  double steal = 0;
};

machine_cpu machine_cpu_seconds() {
  std::ifstream stat_file("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat_file >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const double tick = double(sysconf(_SC_CLK_TCK));
  return {double(user + nice + system + irq + softirq) / tick, double(steal) / tick};
}

// ---------------------------------------------------------------------------------------------
// Sockets and HTTP/1.1.

int connect_loopback(unsigned short port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw bench_error(errno_text("socket"));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::string error = errno_text("connect to 127.0.0.1");
    close(fd);
    throw bench_error(error + " (port " + std::to_string(port) + ")");
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void set_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// A loopback port that was free a moment ago (the kernel's pick).
unsigned short free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::string error = errno_text("picking a free port");
    if (fd >= 0) close(fd);
    throw bench_error(error);
  }
  close(fd);
  return ntohs(address.sin_port);
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EPIPE || errno == ECONNRESET)) throw connection_closed();
    if (sent <= 0) throw bench_error(errno_text("send"));
    data.remove_prefix(size_t(sent));
  }
}

std::string http_request(std::string_view method, std::string_view target, unsigned short port,
                         std::string_view body = {}) {
  std::string request;
  request.reserve(160 + body.size());
  request += method;
  request += ' ';
  request += target;
  request += " HTTP/1.1\r\nHost: 127.0.0.1:";
  request += std::to_string(port);
  request += "\r\nAccept: application/json\r\nUser-Agent: api_bench\r\n";
  if (method != "GET") {
    request += "Content-Type: application/json\r\nContent-Length: ";
    request += std::to_string(body.size());
    request += "\r\n";
  }
  request += "\r\n";
  request += body;
  return request;
}

struct http_response {
  int status = 0;
  bool close = false;     // the server will close the connection after this response
  size_t body_bytes = 0;  // counted even when the body is not kept
  std::string body;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(uint8_t(x)) == std::tolower(uint8_t(y));
         });
}

// Incremental parser of one HTTP/1.1 response: Content-Length or chunked bodies. Body bytes are
// kept, handed to `on_body` (streams), or only counted.
class response_reader {
 public:
  enum class result { incomplete, complete, error };
  using body_sink = std::function<void(std::string_view)>;

  explicit response_reader(bool keep_body = false, body_sink on_body = {})
      : keep_body_(keep_body), on_body_(std::move(on_body)) {}

  void reset() {
    phase_ = phase::headers;
    response_ = {};
    remaining_ = 0;
  }
  bool headers_done() const { return phase_ != phase::headers; }
  http_response& response() { return response_; }
  const std::string& error() const { return error_; }

  // Consumes what it can from the front of `buffer`.
  result parse(std::string& buffer) {
    size_t pos = 0;
    result outcome = step_all(buffer, pos);
    buffer.erase(0, pos);
    return outcome;
  }

 private:
  enum class phase { headers, fixed_body, chunk_size, chunk_data, chunk_end, trailers, done };

  result step_all(const std::string& buffer, size_t& pos) {
    while (phase_ != phase::done) {
      bool progressed = false;
      if (!step(buffer, pos, progressed)) return result::error;
      if (!progressed) return result::incomplete;
    }
    return result::complete;
  }

  bool step(const std::string& buffer, size_t& pos, bool& progressed) {
    switch (phase_) {
      case phase::headers:
        return parse_headers(buffer, pos, progressed);
      case phase::fixed_body:
      case phase::chunk_data:
        take_body(buffer, pos, progressed);
        return true;
      case phase::chunk_size:
        return parse_chunk_size(buffer, pos, progressed);
      case phase::chunk_end:
        if (buffer.size() - pos < 2) return true;
        if (buffer.compare(pos, 2, "\r\n") != 0) return fail("bad chunk terminator");
        pos += 2;
        phase_ = phase::chunk_size;
        progressed = true;
        return true;
      case phase::trailers:
        return skip_trailer(buffer, pos, progressed);
      case phase::done:
        return true;
    }
    return true;
  }

  bool fail(const std::string& message) {
    error_ = message;
    return false;
  }

  bool parse_headers(const std::string& buffer, size_t& pos, bool& progressed) {
    size_t end = buffer.find("\r\n\r\n", pos);
    if (end == std::string::npos) {
      if (buffer.size() - pos > 64 * 1024) return fail("response headers over 64 KiB");
      return true;
    }
    std::string_view head(buffer.data() + pos, end - pos);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return fail("not an HTTP response");
    response_.status = int(parse_u64(head.substr(9, 3)));
    bool chunked = false;
    bool has_length = false;
    size_t line_start = head.find("\r\n");
    while (line_start != std::string_view::npos) {
      line_start += 2;
      size_t line_end = std::min(head.find("\r\n", line_start), head.size());
      std::string_view line = head.substr(line_start, line_end - line_start);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view name = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (iequals(name, "content-length")) {
          remaining_ = parse_u64(value);
          has_length = true;
        } else if (iequals(name, "transfer-encoding")) {
          chunked = value.find("chunked") != std::string_view::npos;
        } else if (iequals(name, "connection")) {
          response_.close = iequals(value, "close");
        }
      }
      line_start = line_end < head.size() ? line_end : std::string_view::npos;
    }
    pos = end + 4;
    progressed = true;
    if (chunked) {
      phase_ = phase::chunk_size;
    } else if (has_length) {
      phase_ = remaining_ > 0 ? phase::fixed_body : phase::done;
    } else if (response_.status == 204 || response_.status == 304) {
      phase_ = phase::done;
    } else {
      return fail("response without Content-Length or chunked encoding");
    }
    return true;
  }

  bool parse_chunk_size(const std::string& buffer, size_t& pos, bool& progressed) {
    size_t end = buffer.find("\r\n", pos);
    if (end == std::string::npos) return buffer.size() - pos < 1024 || fail("bad chunk header");
    size_t size = 0;
    size_t digits = 0;
    for (size_t i = pos; i < end && std::isxdigit(uint8_t(buffer[i])); ++i, ++digits)
      size = size * 16 + size_t(std::isdigit(uint8_t(buffer[i]))
                                    ? buffer[i] - '0'
                                    : std::tolower(uint8_t(buffer[i])) - 'a' + 10);
    if (digits == 0) return fail("bad chunk size");
    pos = end + 2;
    progressed = true;
    remaining_ = size;
    phase_ = size == 0 ? phase::trailers : phase::chunk_data;
    return true;
  }

  void take_body(const std::string& buffer, size_t& pos, bool& progressed) {
    size_t n = std::min(remaining_, buffer.size() - pos);
    if (n == 0) return;
    std::string_view data(buffer.data() + pos, n);
    response_.body_bytes += n;
    if (keep_body_) response_.body += data;
    if (on_body_) on_body_(data);
    pos += n;
    remaining_ -= n;
    progressed = true;
    if (remaining_ == 0) phase_ = phase_ == phase::chunk_data ? phase::chunk_end : phase::done;
  }

  bool skip_trailer(const std::string& buffer, size_t& pos, bool& progressed) {
    size_t end = buffer.find("\r\n", pos);
    if (end == std::string::npos) return true;
    if (end == pos) phase_ = phase::done;
    pos = end + 2;
    progressed = true;
    return true;
  }

  bool keep_body_;
  body_sink on_body_;
  phase phase_ = phase::headers;
  http_response response_;
  size_t remaining_ = 0;
  std::string error_;
};

// Reads what the socket has into `buffer`. Returns false on EOF or a hard error; true when it
// would block. The sockets are polled level-triggered, so a read shorter than the chunk ends
// the loop: the socket was drained, and whatever arrives later is reported again. That saves
// the recv that would only have returned EAGAIN.
bool read_available(int fd, std::string& buffer) {
  char chunk[64 * 1024];
  while (true) {
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer.append(chunk, size_t(n));
      if (size_t(n) < sizeof chunk) return true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

// A blocking keep-alive connection for setup steps, probes and paced writes.
class http_connection {
 public:
  explicit http_connection(unsigned short port) : port_(port) {}
  ~http_connection() { disconnect(); }
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;

  // Sends `request` and reads its response. A reused connection the server has closed meanwhile
  // is replaced once.
  http_response roundtrip(const std::string& request, double timeout_seconds = 30) {
    bool reused = fd_ >= 0;
    try {
      return attempt(request, timeout_seconds);
    } catch (const connection_closed&) {
      if (!reused) throw;
      return attempt(request, timeout_seconds);
    }
  }

 private:
  http_response attempt(const std::string& request, double timeout_seconds) {
    if (fd_ < 0) fd_ = connect_loopback(port_);
    try {
      send_all(fd_, request);
      http_response response = receive(now_ns() + seconds_to_ns(timeout_seconds));
      if (response.close) disconnect();
      return response;
    } catch (...) {
      disconnect();
      throw;
    }
  }

  http_response receive(int64_t deadline_ns) {
    response_reader reader(true);
    buffer_.clear();
    while (true) {
      switch (reader.parse(buffer_)) {
        case response_reader::result::complete:
          return std::move(reader.response());
        case response_reader::result::error:
          throw bench_error("bad HTTP response: " + reader.error());
        case response_reader::result::incomplete:
          break;
      }
      wait_readable(deadline_ns);
      char chunk[64 * 1024];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || (n < 0 && errno == ECONNRESET)) {
        if (buffer_.empty() && !reader.headers_done()) throw connection_closed();
        throw bench_error("connection closed in the middle of a response");
      }
      if (n < 0) throw bench_error(errno_text("recv"));
      buffer_.append(chunk, size_t(n));
    }
  }

  void wait_readable(int64_t deadline_ns) {
    while (true) {
      check_interrupted();
      int64_t left_ms = (deadline_ns - now_ns()) / 1'000'000;
      if (left_ms <= 0) throw bench_error("timed out waiting for a response");
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, int(std::min<int64_t>(left_ms, 200)));
      if (ready > 0) return;
      if (ready < 0 && errno != EINTR) throw bench_error(errno_text("poll"));
    }
  }

  void disconnect() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  unsigned short port_;
  int fd_ = -1;
  std::string buffer_;
};

// ---------------------------------------------------------------------------------------------
// Closed-loop load: `connections` keep-alive connections, each with one request in flight,
// spread over a few epoll threads.

struct load_spec {
  int connections = 1;
  int threads = 1;
  double warmup_seconds = 0;   // time-bounded runs: not measured
  double measure_seconds = 0;  // time-bounded runs: the measured window
  uint64_t request_count = 0;  // > 0: a count-bounded run instead, every request measured
  int expected_status = 200;
  // Request number `seq` (unique in the run); `random` is a fresh 64-bit random number.
  std::function<std::string(uint64_t seq, uint64_t random)> make_request;
};

struct load_result {
  uint64_t ok = 0;        // expected responses completed in the measured window
  uint64_t ok_total = 0;  // including warmup and drain
  uint64_t failed = 0;
  double seconds = 0;              // the measured window
  uint64_t body_bytes = 0;         // of the responses counted in `ok`
  uint64_t body_bytes_total = 0;   // of the responses counted in `ok_total`
  uint64_t window_body_bytes = 0;  // received during the measured window, partial bodies too
  std::vector<uint32_t> latencies_us;
  std::vector<uint64_t> succeeded;  // seq of every expected response
  std::string first_failure;

  double per_second() const { return seconds > 0 ? double(ok) / seconds : 0; }

  // Responses per second from the body bytes that arrived in the window. Unlike per_second(),
  // this holds when responses take about as long as the window (large lists served
  // concurrently).
  double responses_per_second_by_bytes() const {
    if (ok_total == 0 || seconds <= 0) return 0;
    double mean_body = double(body_bytes_total) / double(ok_total);
    return double(window_body_bytes) / mean_body / seconds;
  }

  void merge(load_result&& other) {
    ok += other.ok;
    ok_total += other.ok_total;
    failed += other.failed;
    body_bytes += other.body_bytes;
    body_bytes_total += other.body_bytes_total;
    window_body_bytes += other.window_body_bytes;
    latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
    succeeded.insert(succeeded.end(), other.succeeded.begin(), other.succeeded.end());
    if (first_failure.empty()) first_failure = std::move(other.first_failure);
  }
};

struct load_schedule {
  int64_t measure_start_ns = 0;
  int64_t deadline_ns = INT64_MAX;  // no new requests after this (time-bounded runs)
  int64_t drain_until_ns = INT64_MAX;
  std::atomic<uint64_t> next_seq{0};
};

class load_worker {
 public:
  load_worker(const load_spec& spec, load_schedule& schedule, unsigned short port, int count,
              uint64_t seed)
      : spec_(spec), schedule_(schedule), port_(port), connections_(size_t(count)) {
    for (connection& c : connections_) {
      c.fd = connect_loopback(port_);
      set_nonblocking(c.fd);
      c.random = seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    }
  }

  ~load_worker() {
    for (connection& c : connections_)
      if (c.fd >= 0) close(c.fd);
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  void run() {
    try {
      epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
      for (connection& c : connections_) {
        watch_fd(c);
        issue(c);
      }
      event_loop();
    } catch (const std::exception& e) {
      note_failure(e.what());
    }
  }

  load_result& result() { return result_; }

 private:
  struct connection {
    int fd = -1;
    std::string out;
    size_t out_offset = 0;
    bool want_write = false;
    std::string in;
    response_reader reader;
    uint64_t seq = 0;
    int64_t sent_ns = 0;
    bool busy = false;
    uint64_t random = 0;
  };

  void event_loop() {
    epoll_event events[256];
    while (!g_interrupted) {
      int64_t now = now_ns();
      if (in_flight_ == 0 && (spec_.request_count > 0 || now >= schedule_.deadline_ns)) return;
      if (now >= schedule_.drain_until_ns) return;
      int n = epoll_wait(epoll_fd_, events, 256, 50);
      for (int i = 0; i < n; ++i) {
        auto& c = *static_cast<connection*>(events[i].data.ptr);
        int fd = c.fd;
        if (events[i].events & EPOLLOUT) flush(c);
        // Skip the read when the flush replaced or closed the connection.
        if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c.fd == fd && fd >= 0)
          receive(c);
      }
    }
  }

  void watch_fd(connection& c) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = &c;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &event) != 0)
      throw bench_error(errno_text("epoll_ctl"));
    c.want_write = false;
  }

  void set_want_write(connection& c, bool want) {
    if (c.want_write == want) return;
    epoll_event event{};
    event.events = want ? EPOLLIN | EPOLLOUT : EPOLLIN;
    event.data.ptr = &c;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &event);
    c.want_write = want;
  }

  void issue(connection& c) {
    if (now_ns() >= schedule_.deadline_ns) return;
    uint64_t seq = schedule_.next_seq.fetch_add(1);
    if (spec_.request_count > 0 && seq >= spec_.request_count) return;
    c.random ^= c.random << 13;
    c.random ^= c.random >> 7;
    c.random ^= c.random << 17;
    c.out = spec_.make_request(seq, c.random);
    c.out_offset = 0;
    c.seq = seq;
    c.busy = true;
    c.reader.reset();
    ++in_flight_;
    c.sent_ns = now_ns();
    flush(c);
  }

  void flush(connection& c) {
    while (c.out_offset < c.out.size()) {
      ssize_t n =
          send(c.fd, c.out.data() + c.out_offset, c.out.size() - c.out_offset, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_offset += size_t(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        set_want_write(c, true);
        return;
      } else if (!(n < 0 && errno == EINTR)) {
        return lose_connection(c, errno_text("send"));
      }
    }
    set_want_write(c, false);
  }

  void receive(connection& c) {
    bool open = read_available(c.fd, c.in);
    if (c.busy) {
      size_t body_before = c.reader.response().body_bytes;
      auto outcome = c.reader.parse(c.in);
      count_window_bytes(c.reader.response().body_bytes - body_before);
      if (outcome == response_reader::result::complete) return complete(c);
      if (outcome == response_reader::result::error) return lose_connection(c, c.reader.error());
    }
    if (!open) lose_connection(c, "connection closed by the server");
  }

  void count_window_bytes(size_t bytes) {
    int64_t now = now_ns();
    if (now >= schedule_.measure_start_ns && now <= schedule_.deadline_ns)
      result_.window_body_bytes += bytes;
  }

  void complete(connection& c) {
    int64_t now = now_ns();
    http_response& response = c.reader.response();
    c.busy = false;
    --in_flight_;
    if (response.status == spec_.expected_status) {
      record_success(c, now, response);
    } else {
      note_failure("HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 300));
    }
    if (response.close) return reconnect(c);
    issue(c);
  }

  void record_success(const connection& c, int64_t now, const http_response& response) {
    ++result_.ok_total;
    result_.body_bytes_total += response.body_bytes;
    result_.succeeded.push_back(c.seq);
    bool measured = spec_.request_count > 0 ||
                    (now >= schedule_.measure_start_ns && now <= schedule_.deadline_ns);
    if (!measured) return;
    ++result_.ok;
    result_.body_bytes += response.body_bytes;
    result_.latencies_us.push_back(elapsed_us(c.sent_ns, now));
  }

  void note_failure(const std::string& message) {
    ++result_.failed;
    if (result_.first_failure.empty()) result_.first_failure = message;
  }

  void lose_connection(connection& c, const std::string& why) {
    if (c.busy) {
      c.busy = false;
      --in_flight_;
      note_failure(why);
    }
    reconnect(c);
  }

  void reconnect(connection& c) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
    c.in.clear();
    if (now_ns() >= schedule_.deadline_ns) return;
    c.fd = connect_loopback(port_);
    set_nonblocking(c.fd);
    watch_fd(c);
    issue(c);
  }

  const load_spec& spec_;
  load_schedule& schedule_;
  unsigned short port_;
  std::deque<connection> connections_;  // stable addresses for epoll
  int epoll_fd_ = -1;
  int in_flight_ = 0;
  load_result result_;
};

// Sets the phase boundaries of a run that starts now: warm-up, measured window, drain.
void plan_schedule(load_schedule& schedule, double warmup_seconds, double measure_seconds,
                   uint64_t request_count) {
  int64_t start = now_ns();
  schedule.measure_start_ns = start + seconds_to_ns(warmup_seconds);
  if (request_count == 0) {
    schedule.deadline_ns = schedule.measure_start_ns + seconds_to_ns(measure_seconds);
    schedule.drain_until_ns = schedule.deadline_ns + 10 * ns_per_s;
  } else {
    schedule.drain_until_ns = start + 300 * ns_per_s;
  }
}

load_result run_http_load(unsigned short port, const load_spec& spec) {
  load_schedule schedule;
  std::vector<std::unique_ptr<load_worker>> workers;
  int threads = std::max(1, std::min(spec.threads, spec.connections));
  for (int t = 0; t < threads; ++t) {
    int count = spec.connections / threads + (t < spec.connections % threads ? 1 : 0);
    workers.push_back(std::make_unique<load_worker>(spec, schedule, port, count, uint64_t(t) + 1));
  }
  int64_t start = now_ns();
  plan_schedule(schedule, spec.warmup_seconds, spec.measure_seconds, spec.request_count);
  std::vector<std::thread> running;
  for (auto& worker : workers) running.emplace_back([&worker] { worker->run(); });
  for (auto& thread : running) thread.join();
  check_interrupted();

  load_result total;
  for (auto& worker : workers) total.merge(std::move(worker->result()));
  total.seconds = spec.request_count > 0 ? double(now_ns() - start) / 1e9 : spec.measure_seconds;
  return total;
}

// ---------------------------------------------------------------------------------------------
// Watch fan-out: many long-lived watch streams, each delivering every event; per delivery the
// latency from the write's send time.

// What one line of a watch stream says.
struct watch_line {
  std::vector<uint64_t> seqs;  // sequence numbers of the written objects it reports
  bool established = false;    // it confirms the watch is registered
  std::string problem;         // it ends the watch with an error
};

struct watch_spec {
  int watchers = 1;
  int threads = 1;
  std::string request;                  // opens one stream
  bool established_on_headers = false;  // else: when a line says so
  std::function<void(std::string_view line, watch_line& out)> parse_line;
};

// Send time of write number `seq`; 0 until sent.
using send_time_table = std::vector<std::atomic<int64_t>>;

// Open watch streams of one system, served by client threads until stop_and_collect().
class watch_set {
 public:
  virtual ~watch_set() = default;
  virtual size_t established() const = 0;
  virtual size_t broken() const = 0;
  virtual uint64_t deliveries() const = 0;
  virtual std::string first_problem() const = 0;
  // Stops the streams and returns the latency of every delivery.
  virtual std::vector<uint32_t> stop_and_collect() = 0;
};

// What every group of watch streams counts (streams established and broken, deliveries and
// their latencies, the first problem) and the thread that reads its streams.
class watch_group_base {
 public:
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  size_t established() const { return established_; }
  size_t broken() const { return broken_; }
  uint64_t deliveries() const { return deliveries_; }
  std::vector<uint32_t>& latencies_us() { return latencies_us_; }  // after stop()
  std::string first_problem() const {
    std::lock_guard lock(problem_mutex_);
    return first_problem_;
  }

 protected:
  void count_established() { ++established_; }

  void count_broken(const std::string& why) {
    ++broken_;
    std::lock_guard lock(problem_mutex_);
    if (first_problem_.empty()) first_problem_ = why;
  }

  // The delivery of write `seq` seen at `now`, when its send time is known.
  void count_delivery(const send_time_table& send_times, uint64_t seq, int64_t now) {
    if (seq >= send_times.size()) return;
    int64_t sent = send_times[seq].load(std::memory_order_acquire);
    if (sent == 0) return;
    latencies_us_.push_back(elapsed_us(sent, now));
    ++deliveries_;
  }

  std::thread thread_;
  std::atomic<bool> stopping_{false};

 private:
  std::atomic<size_t> established_{0};
  std::atomic<size_t> broken_{0};
  std::atomic<uint64_t> deliveries_{0};
  std::vector<uint32_t> latencies_us_;
  mutable std::mutex problem_mutex_;
  std::string first_problem_;
};

class watch_group : public watch_group_base {
 public:
  watch_group(const watch_spec& spec, const send_time_table& send_times)
      : spec_(spec), send_times_(send_times) {}

  ~watch_group() {
    stop();
    for (watcher& w : watchers_)
      if (w.fd >= 0) close(w.fd);
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  void add(int fd) {
    watchers_.emplace_back();
    watcher& w = watchers_.back();
    w.fd = fd;
    w.reader = std::make_unique<response_reader>(
        false, [this, &w](std::string_view data) { on_body(w, data); });
  }

  void start() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    for (watcher& w : watchers_) {
      set_nonblocking(w.fd);
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.ptr = &w;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, w.fd, &event);
    }
    thread_ = std::thread([this] { loop(); });
  }

 private:
  struct watcher {
    int fd = -1;
    std::string in;
    std::string partial_line;
    std::unique_ptr<response_reader> reader;
    bool established = false;
    bool broken = false;
  };

  void loop() {
    epoll_event events[256];
    while (!stopping_ && !g_interrupted) {
      int n = epoll_wait(epoll_fd_, events, 256, 50);
      for (int i = 0; i < n; ++i) receive(*static_cast<watcher*>(events[i].data.ptr));
    }
  }

  void receive(watcher& w) {
    bool open = read_available(w.fd, w.in);
    auto outcome = w.reader->parse(w.in);
    if (w.reader->headers_done() && !w.established && !w.broken) check_headers(w);
    if (outcome == response_reader::result::error) return break_watcher(w, w.reader->error());
    if (outcome == response_reader::result::complete) return break_watcher(w, "stream ended");
    if (!open) break_watcher(w, "connection closed by the server");
  }

  void check_headers(watcher& w) {
    int status = w.reader->response().status;
    if (status != 200) return break_watcher(w, "watch answered HTTP " + std::to_string(status));
    if (spec_.established_on_headers) mark_established(w);
  }

  void mark_established(watcher& w) {
    if (w.established) return;
    w.established = true;
    count_established();
  }

  void break_watcher(watcher& w, const std::string& why) {
    if (w.broken) return;
    w.broken = true;
    count_broken(why);
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w.fd, nullptr);
  }

  void on_body(watcher& w, std::string_view data) {
    int64_t now = now_ns();
    w.partial_line += data;
    size_t start = 0;
    for (size_t end = w.partial_line.find('\n'); end != std::string::npos;
         end = w.partial_line.find('\n', start)) {
      on_line(w, std::string_view(w.partial_line).substr(start, end - start), now);
      start = end + 1;
    }
    w.partial_line.erase(0, start);
  }

  void on_line(watcher& w, std::string_view line, int64_t now) {
    parsed_.seqs.clear();
    parsed_.established = false;
    parsed_.problem.clear();
    spec_.parse_line(line, parsed_);
    if (parsed_.established) mark_established(w);
    if (!parsed_.problem.empty()) return break_watcher(w, parsed_.problem);
    for (uint64_t seq : parsed_.seqs) count_delivery(send_times_, seq, now);
  }

  const watch_spec& spec_;
  const send_time_table& send_times_;
  std::deque<watcher> watchers_;
  int epoll_fd_ = -1;
  watch_line parsed_;
};

// Watch streams spread over groups (one per client thread); `Shared` is what every group keeps
// a reference to, so it is declared before the groups and outlives them.
template <typename Group, typename Shared>
class grouped_watch_set : public watch_set {
 public:
  size_t established() const override { return sum(&watch_group_base::established); }
  size_t broken() const override { return sum(&watch_group_base::broken); }
  uint64_t deliveries() const override { return sum(&watch_group_base::deliveries); }

  std::string first_problem() const override {
    for (auto& group : groups_)
      if (std::string problem = group->first_problem(); !problem.empty()) return problem;
    return {};
  }

  std::vector<uint32_t> stop_and_collect() override {
    std::vector<uint32_t> all;
    for (auto& group : groups_) {
      group->stop();
      all.insert(all.end(), group->latencies_us().begin(), group->latencies_us().end());
    }
    return all;
  }

 protected:
  explicit grouped_watch_set(Shared shared) : shared_(std::move(shared)) {}

  Shared shared_;
  std::vector<std::unique_ptr<Group>> groups_;

 private:
  template <typename T>
  T sum(T (watch_group_base::*count)() const) const {
    T total{};
    for (auto& group : groups_) total += ((*group).*count)();
    return total;
  }
};

// HTTP watch streams (kactor's watch, the etcd gateway's /v3/watch), one connection each.
class watch_fleet : public grouped_watch_set<watch_group, watch_spec> {
 public:
  watch_fleet(unsigned short port, watch_spec spec, const send_time_table& send_times)
      : grouped_watch_set(std::move(spec)) {
    int threads = std::max(1, std::min(shared_.threads, shared_.watchers));
    for (int t = 0; t < threads; ++t)
      groups_.push_back(std::make_unique<watch_group>(shared_, send_times));
    for (int i = 0; i < shared_.watchers; ++i) {
      check_interrupted();
      int fd = connect_loopback(port);
      groups_[size_t(i % threads)]->add(fd);  // owns fd from here
      send_all(fd, shared_.request);
    }
    for (auto& group : groups_) group->start();
  }
};

// ---------------------------------------------------------------------------------------------
// What a load phase asks of a system, independent of its protocol.

enum class op_kind { write, read, read_linearizable, list };

struct load_plan {
  op_kind kind = op_kind::write;
  std::string ns;  // the group of objects (a namespace; a key prefix in etcd)
  // The object that request `seq` (unique in the run) writes or reads; `random` is a fresh
  // 64-bit random number. Unused by lists, which read the whole group.
  std::function<std::string(uint64_t seq, uint64_t random)> object_name;
  int concurrency = 1;  // requests in flight
  int threads = 1;      // client threads
  double warmup_seconds = 0;
  double measure_seconds = 0;
  uint64_t request_count = 0;  // > 0: a count-bounded run, every request measured
};

uint64_t xorshift(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

// ---------------------------------------------------------------------------------------------
// etcd's native gRPC API (bench/etcd_kv.proto): closed-loop unary load, watch streams.

namespace pb = etcdserverpb;

std::string etcd_key(const std::string& ns, const std::string& name) {
  return "/registry/pods/" + ns + "/" + name;
}

std::string prefix_end(std::string prefix) {
  ++prefix.back();
  return prefix;
}

std::string grpc_error(const grpc::Status& status) {
  return "gRPC status " + std::to_string(int(status.error_code())) + ": " + status.error_message();
}

std::chrono::system_clock::time_point grpc_deadline(double seconds) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::duration<double>(seconds));
}

// One HTTP/2 connection to etcd. Channels with equal arguments would share one connection
// through gRPC's global subchannel pool, so each gets a pool of its own.
std::shared_ptr<grpc::Channel> grpc_channel(unsigned short port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(-1);  // a range of 1,000 pods is ~1.2 MB
  // No transparent retries: a failed call counts as failed, as in the HTTP client. (etcd's Go
  // client retries in its own interceptor, not in gRPC.)
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  std::string target = "ipv4:127.0.0.1:" + std::to_string(port);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(grpc_deadline(10)))
    throw bench_error("gRPC: no connection to " + target + " within 10 s");
  return channel;
}

// The request of one load operation: a put of the ~1 KB pod, or a range of one key or of the
// group's prefix.
void fill_etcd_request(op_kind kind, const std::string& ns, const std::string& name,
                       pb::PutRequest& put, pb::RangeRequest& range) {
  switch (kind) {
    case op_kind::write:
      put.set_key(etcd_key(ns, name));
      put.set_value(pod_json(ns, name));
      return;
    case op_kind::read:
    case op_kind::read_linearizable:
      range.set_key(etcd_key(ns, name));
      range.set_serializable(kind == op_kind::read);
      return;
    case op_kind::list: {
      std::string prefix = etcd_key(ns, "");
      range.set_key(prefix);
      range.set_range_end(prefix_end(prefix));
      range.set_serializable(true);
      return;
    }
  }
}

// Counts one completed call into `result` as load_worker does for HTTP. A list response counts
// its serialized size as body bytes, wholly at completion.
void record_grpc_success(load_result& result, const load_schedule& schedule, uint64_t request_count,
                         uint64_t seq, int64_t sent_ns, int64_t now, size_t bytes) {
  ++result.ok_total;
  result.body_bytes_total += bytes;
  result.succeeded.push_back(seq);
  bool measured =
      request_count > 0 || (now >= schedule.measure_start_ns && now <= schedule.deadline_ns);
  if (!measured) return;
  ++result.ok;
  result.body_bytes += bytes;
  result.window_body_bytes += bytes;
  result.latencies_us.push_back(elapsed_us(sent_ns, now));
}

void note_grpc_failure(load_result& result, const std::string& message) {
  ++result.failed;
  if (result.first_failure.empty()) result.first_failure = message;
}

// The method a list calls through a generic stub.
constexpr const char* etcd_range_method = "/etcdserverpb.KV/Range";

grpc::ByteBuffer serialized(const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// Asynchronous unary calls on one completion queue, served by one thread: `count` calls in
// flight, spread over the channels round-robin, each reissued when it completes. A list's
// response is taken as raw bytes (a generic call), not parsed: the HTTP client does not parse
// kactor's JSON lists either, and parsing 1,000 KeyValues would cost the shared CPU ~1.5 ms.
class grpc_load_worker {
 public:
  grpc_load_worker(const load_plan& plan, load_schedule& schedule,
                   const std::vector<std::shared_ptr<grpc::Channel>>& channels, int first,
                   int count, uint64_t seed)
      : plan_(plan), schedule_(schedule), calls_(size_t(count)) {
    for (int i = 0; i < count; ++i) {
      call& c = calls_[size_t(i)];
      const auto& channel = channels[size_t(first + i) % channels.size()];
      c.stub = pb::KV::NewStub(channel);
      c.generic = std::make_unique<grpc::GenericStub>(channel);
      c.random = seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    }
  }

  ~grpc_load_worker() { shutdown(); }

  void run() {
    try {
      for (call& c : calls_) issue(c);
      event_loop();
    } catch (const std::exception& e) {
      note_grpc_failure(result_, e.what());
    }
    shutdown();
  }

  load_result& result() { return result_; }

 private:
  struct call {
    std::unique_ptr<pb::KV::Stub> stub;
    std::unique_ptr<grpc::GenericStub> generic;
    std::unique_ptr<grpc::ClientContext> context;
    pb::PutRequest put;
    pb::PutResponse put_reply;
    pb::RangeRequest range;
    pb::RangeResponse range_reply;
    std::unique_ptr<grpc::ClientAsyncResponseReader<pb::PutResponse>> put_rpc;
    std::unique_ptr<grpc::ClientAsyncResponseReader<pb::RangeResponse>> range_rpc;
    grpc::ByteBuffer raw_reply;
    std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> raw_rpc;
    grpc::Status status;
    uint64_t seq = 0;
    int64_t sent_ns = 0;
    uint64_t random = 0;
    bool busy = false;
  };

  void event_loop() {
    while (true) {
      int64_t now = now_ns();
      if (in_flight_ == 0 &&
          (cancelled_ || plan_.request_count > 0 || now >= schedule_.deadline_ns))
        return;
      if (!cancelled_ && (now >= schedule_.drain_until_ns || g_interrupted)) cancel_all();
      void* tag = nullptr;
      bool ok = false;
      auto status = cq_.AsyncNext(&tag, &ok, grpc_deadline(0.05));
      if (status == grpc::CompletionQueue::SHUTDOWN) return;
      if (status == grpc::CompletionQueue::GOT_EVENT) complete(*static_cast<call*>(tag));
    }
  }

  void issue(call& c) {
    if (cancelled_ || now_ns() >= schedule_.deadline_ns) return;
    uint64_t seq = schedule_.next_seq.fetch_add(1);
    if (plan_.request_count > 0 && seq >= plan_.request_count) return;
    uint64_t random = xorshift(c.random);
    std::string name = plan_.kind == op_kind::list ? "" : plan_.object_name(seq, random);
    fill_etcd_request(plan_.kind, plan_.ns, name, c.put, c.range);
    c.context = std::make_unique<grpc::ClientContext>();
    c.seq = seq;
    c.busy = true;
    ++in_flight_;
    c.sent_ns = now_ns();
    if (plan_.kind == op_kind::write) {
      c.put_rpc = c.stub->AsyncPut(c.context.get(), c.put, &cq_);
      c.put_rpc->Finish(&c.put_reply, &c.status, &c);
    } else if (plan_.kind == op_kind::list) {
      grpc::ByteBuffer request = serialized(c.range);
      c.raw_rpc = c.generic->PrepareUnaryCall(c.context.get(), etcd_range_method, request, &cq_);
      c.raw_rpc->StartCall();
      c.raw_rpc->Finish(&c.raw_reply, &c.status, &c);
    } else {
      c.range_rpc = c.stub->AsyncRange(c.context.get(), c.range, &cq_);
      c.range_rpc->Finish(&c.range_reply, &c.status, &c);
    }
  }

  void complete(call& c) {
    int64_t now = now_ns();
    c.busy = false;
    --in_flight_;
    if (c.status.ok()) {
      size_t bytes = plan_.kind == op_kind::list ? c.raw_reply.Length() : 0;
      record_grpc_success(result_, schedule_, plan_.request_count, c.seq, c.sent_ns, now, bytes);
    } else if (!cancelled_) {
      note_grpc_failure(result_, grpc_error(c.status));
    }
    c.put_rpc.reset();
    c.range_rpc.reset();
    c.raw_rpc.reset();
    c.put_reply.Clear();
    c.range_reply.Clear();
    c.raw_reply.Clear();
    issue(c);
  }

  // Calls still in flight when the drain time is over (or on Ctrl-C) are cancelled and not
  // counted, like the HTTP client's.
  void cancel_all() {
    cancelled_ = true;
    for (call& c : calls_)
      if (c.busy) c.context->TryCancel();
  }

  void shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    cancel_all();
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  const load_plan& plan_;
  load_schedule& schedule_;
  grpc::CompletionQueue cq_;
  std::deque<call> calls_;  // after cq_: destroyed before it
  int in_flight_ = 0;
  bool cancelled_ = false;
  bool shut_down_ = false;
  load_result result_;
};

// Blocking unary calls: one thread per call in flight, each looping on a synchronous stub.
// Unlike the asynchronous client, it parses list responses.
void grpc_sync_loop(const load_plan& plan, load_schedule& schedule,
                    const std::shared_ptr<grpc::Channel>& channel, uint64_t seed,
                    load_result& result) {
  std::unique_ptr<pb::KV::Stub> stub = pb::KV::NewStub(channel);
  pb::PutRequest put;
  pb::PutResponse put_reply;
  pb::RangeRequest range;
  pb::RangeResponse range_reply;
  uint64_t random = seed;
  while (!g_interrupted && now_ns() < schedule.deadline_ns) {
    uint64_t seq = schedule.next_seq.fetch_add(1);
    if (plan.request_count > 0 && seq >= plan.request_count) return;
    xorshift(random);
    std::string name = plan.kind == op_kind::list ? "" : plan.object_name(seq, random);
    fill_etcd_request(plan.kind, plan.ns, name, put, range);
    grpc::ClientContext context;
    context.set_deadline(grpc_deadline(30));
    int64_t sent = now_ns();
    grpc::Status status = plan.kind == op_kind::write ? stub->Put(&context, put, &put_reply)
                                                      : stub->Range(&context, range, &range_reply);
    int64_t now = now_ns();
    if (status.ok())
      record_grpc_success(result, schedule, plan.request_count, seq, sent, now,
                          plan.kind == op_kind::list ? range_reply.ByteSizeLong() : 0);
    else
      note_grpc_failure(result, grpc_error(status));
    range_reply.Clear();
  }
}

enum class grpc_client_mode { async, sync };

load_result run_grpc_load(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                          const load_plan& plan, grpc_client_mode mode) {
  load_schedule schedule;
  std::vector<std::unique_ptr<grpc_load_worker>> workers;
  std::vector<load_result> sync_results;
  int threads = mode == grpc_client_mode::sync
                    ? plan.concurrency
                    : std::max(1, std::min(plan.threads, plan.concurrency));
  if (mode == grpc_client_mode::async) {
    for (int t = 0, first = 0; t < threads; ++t) {
      int count = plan.concurrency / threads + (t < plan.concurrency % threads ? 1 : 0);
      workers.push_back(std::make_unique<grpc_load_worker>(plan, schedule, channels, first, count,
                                                           uint64_t(t) + 1));
      first += count;
    }
  } else {
    sync_results.resize(size_t(threads));
  }
  int64_t start = now_ns();
  plan_schedule(schedule, plan.warmup_seconds, plan.measure_seconds, plan.request_count);
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    if (mode == grpc_client_mode::async) {
      running.emplace_back([&worker = *workers[size_t(t)]] { worker.run(); });
    } else {
      running.emplace_back([&, t] {
        try {
          grpc_sync_loop(plan, schedule, channels[size_t(t) % channels.size()],
                         uint64_t(t) * 0x9E3779B97F4A7C15ULL + 1, sync_results[size_t(t)]);
        } catch (const std::exception& e) {
          note_grpc_failure(sync_results[size_t(t)], e.what());
        }
      });
    }
  }
  for (auto& thread : running) thread.join();
  check_interrupted();

  load_result total;
  for (auto& worker : workers) total.merge(std::move(worker->result()));
  for (auto& result : sync_results) total.merge(std::move(result));
  total.seconds = plan.request_count > 0 ? double(now_ns() - start) / 1e9 : plan.measure_seconds;
  return total;
}

// Watch streams (Watch.Watch, one bidirectional stream per watcher with one create request) on
// one completion queue, served by one thread.
class grpc_watch_group : public watch_group_base {
 public:
  grpc_watch_group(const pb::WatchRequest& create, std::string name_key,
                   const send_time_table& send_times)
      : create_(create), name_key_(std::move(name_key)), send_times_(send_times) {}

  ~grpc_watch_group() {
    stop();
    shutdown_queue();
  }

  // Starts one stream; its events are read once start() runs the thread.
  void add(pb::Watch::Stub& stub) {
    streams_.emplace_back();
    stream& s = streams_.back();
    s.rpc = stub.PrepareAsyncWatch(&s.context, &cq_);
    s.pending = step::start;
    s.rpc->StartCall(&s);
  }

  void start() {
    thread_ = std::thread([this] { loop(); });
  }

 private:
  enum class step { start, write, read, finish };

  struct stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientAsyncReaderWriter<pb::WatchRequest, pb::WatchResponse>> rpc;
    pb::WatchResponse response;
    grpc::Status status;
    step pending = step::start;  // the one operation in flight
    bool established = false;
    bool broken = false;
    bool finished = false;
  };

  void loop() {
    bool cancelled = false;
    int64_t give_up = INT64_MAX;
    while (finished_ < streams_.size()) {
      if ((stopping_ || g_interrupted) && !cancelled) {
        for (stream& s : streams_) s.context.TryCancel();
        cancelled = true;
        give_up = now_ns() + 10 * ns_per_s;
      }
      if (now_ns() > give_up) break;
      void* tag = nullptr;
      bool ok = false;
      if (cq_.AsyncNext(&tag, &ok, grpc_deadline(0.05)) == grpc::CompletionQueue::GOT_EVENT)
        advance(*static_cast<stream*>(tag), ok);
    }
  }

  void advance(stream& s, bool ok) {
    if (!ok && s.pending != step::finish) return finish(s);
    switch (s.pending) {
      case step::start:
        s.pending = step::write;
        s.rpc->Write(create_, &s);
        return;
      case step::write:
        s.pending = step::read;
        s.rpc->Read(&s.response, &s);
        return;
      case step::read:
        on_response(s, now_ns());
        s.response.Clear();
        s.rpc->Read(&s.response, &s);
        return;
      case step::finish:
        s.finished = true;
        ++finished_;
        if (!stopping_)
          break_stream(s, s.status.ok() ? "stream ended" : "stream ended: " + grpc_error(s.status));
        return;
    }
  }

  void finish(stream& s) {
    s.pending = step::finish;
    s.rpc->Finish(&s.status, &s);
  }

  void on_response(stream& s, int64_t now) {
    const pb::WatchResponse& r = s.response;
    if (r.created() && !s.established) {
      s.established = true;
      count_established();
    }
    if (r.canceled() || r.compact_revision() != 0)
      break_stream(s, "watch canceled: " + r.cancel_reason());
    for (const pb::Event& event : r.events()) {
      const std::string& key = event.kv().key();
      if (event.type() != pb::Event::PUT || key.compare(0, name_key_.size(), name_key_) != 0)
        continue;
      count_delivery(send_times_, parse_u64(std::string_view(key).substr(name_key_.size())), now);
    }
  }

  void break_stream(stream& s, const std::string& why) {
    if (s.broken) return;
    s.broken = true;
    count_broken(why);
  }

  // Normally every stream has finished by now; any other is cancelled, and the queue is drained
  // of its last operations before the streams are destroyed.
  void shutdown_queue() {
    if (queue_shut_down_) return;
    queue_shut_down_ = true;
    for (stream& s : streams_)
      if (!s.finished) s.context.TryCancel();
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  const pb::WatchRequest& create_;
  std::string name_key_;  // key prefix of the written objects, before their sequence number
  const send_time_table& send_times_;
  grpc::CompletionQueue cq_;
  std::deque<stream> streams_;  // after cq_: destroyed before it
  size_t finished_ = 0;         // the loop thread's
  bool queue_shut_down_ = false;
};

// `watchers` gRPC watch streams on the prefix `key_prefix`, spread round-robin over the stubs
// (connections) and `threads` completion queues.
class grpc_watch_set : public grouped_watch_set<grpc_watch_group, pb::WatchRequest> {
 public:
  grpc_watch_set(const std::vector<std::unique_ptr<pb::Watch::Stub>>& stubs,
                 const std::string& key_prefix, const std::string& name_key, uint64_t revision,
                 int watchers, int threads, const send_time_table& send_times)
      : grouped_watch_set(pb::WatchRequest{}) {
    pb::WatchCreateRequest& create = *shared_.mutable_create_request();
    create.set_key(key_prefix);
    create.set_range_end(prefix_end(key_prefix));
    create.set_start_revision(int64_t(revision + 1));
    threads = std::max(1, std::min(threads, watchers));
    for (int t = 0; t < threads; ++t)
      groups_.push_back(std::make_unique<grpc_watch_group>(shared_, name_key, send_times));
    for (int i = 0; i < watchers; ++i)
      groups_[size_t(i % threads)]->add(*stubs[size_t(i) % stubs.size()]);
    for (auto& group : groups_) group->start();
  }
};

// ---------------------------------------------------------------------------------------------
// Child processes and scratch directories.

class temp_dir {
 public:
  explicit temp_dir(const std::string& prefix) {
    std::string pattern = (fs::temp_directory_path() / (prefix + ".XXXXXX")).string();
    if (!mkdtemp(pattern.data())) throw bench_error(errno_text("mkdtemp"));
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class child_process {
 public:
  child_process() = default;
  ~child_process() { stop(); }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  // Starts argv[0] with stdout and stderr appended to `log_path`. The child is killed if this
  // process dies first.
  void start(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw bench_error(errno_text("fork"));
    if (pid == 0) exec_child(args.data(), log_path.c_str(), parent);
    pid_ = pid;
    exited_ = false;
  }

  pid_t pid() const { return pid_; }

  bool running() {
    if (pid_ <= 0 || exited_) return false;
    if (waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
    return !exited_;
  }

  std::string exit_description() const {
    if (WIFEXITED(status_)) return "exited with status " + std::to_string(WEXITSTATUS(status_));
    if (WIFSIGNALED(status_)) return std::string("killed by ") + strsignal(WTERMSIG(status_));
    return "stopped";
  }

  // SIGTERM, then SIGKILL when it has not exited within `grace_seconds`.
  void stop(double grace_seconds = 10) {
    if (!running()) {
      pid_ = -1;
      return;
    }
    kill(pid_, SIGTERM);
    int64_t deadline = now_ns() + seconds_to_ns(grace_seconds);
    while (running() && now_ns() < deadline) sleep_seconds(0.01);
    if (running()) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
      exited_ = true;
    }
    pid_ = -1;
  }

 private:
  [[noreturn]] static void exec_child(char** args, const char* log_path, pid_t parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);  // a Ctrl-C reaches only the bench, which then stops the child
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = open("/dev/null", O_RDONLY);
    if (log < 0 || null < 0) _exit(127);
    dup2(null, 0);
    dup2(log, 1);
    dup2(log, 2);
    execv(args[0], args);
    dprintf(2, "exec %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }

  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
};

std::string log_tail(const fs::path& path, size_t max_lines = 15) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > max_lines) lines.pop_front();
  }
  std::string text;
  for (const std::string& line : lines) text += "    " + line + "\n";
  return text;
}

bool is_executable(const std::string& path) {
  return access(path.c_str(), X_OK) == 0;
}

// ---------------------------------------------------------------------------------------------
// The systems under test behind one interface: kactor's Kubernetes API, etcd through its gRPC
// API and etcd through its v3 JSON gateway. `ns` names a group of objects (a namespace; a key
// prefix in etcd).

// One write at a time, for the paced writes of the watch fan-out: prepare() builds the request,
// send() sends it and waits for the answer.
class single_writer {
 public:
  virtual ~single_writer() = default;
  virtual void prepare(const std::string& ns, const std::string& name) = 0;
  virtual std::string send() = 0;  // empty on success, else what went wrong
};

class system_under_test {
 public:
  virtual ~system_under_test() = default;
  virtual std::string name() const = 0;  // in the per-round lines and the figures' keys
  virtual void start() = 0;              // returns when the server answers its readiness probe
  virtual void stop() = 0;
  virtual pid_t pid() const = 0;
  virtual bool has_linearizable_reads() const = 0;
  virtual std::string op_label(op_kind kind, int list_size) const = 0;

  virtual void prepare_group(const std::string& ns) = 0;
  virtual load_result run_load(const load_plan& plan) = 0;
  // Lists the group once; how many objects named <name_prefix>... it holds.
  virtual size_t count_listed(const std::string& ns, const std::string& name_prefix) = 0;
  // The group's current revision, to watch from.
  virtual uint64_t revision(const std::string& ns) = 0;
  // Watch streams that report the writes of objects <name_prefix><seq> made after `revision`.
  virtual std::unique_ptr<watch_set> open_watches(const std::string& ns,
                                                  const std::string& name_prefix, uint64_t revision,
                                                  int watchers, int threads,
                                                  const send_time_table& send_times) = 0;
  virtual std::unique_ptr<single_writer> writer() = 0;
};

void wait_until_ready(child_process& child, unsigned short port, const std::string& request,
                      std::string_view expected_body, const fs::path& log, double seconds) {
  int64_t deadline = now_ns() + seconds_to_ns(seconds);
  while (now_ns() < deadline) {
    check_interrupted();
    if (!child.running())
      throw bench_error("the server " + child.exit_description() + "; its log ends with:\n" +
                        log_tail(log));
    try {
      http_connection probe(port);
      http_response response = probe.roundtrip(request, 1);
      if (response.status == 200 && response.body.find(expected_body) != std::string::npos) return;
    } catch (const bench_error&) {
      // not listening yet
    }
    sleep_seconds(0.05);
  }
  throw bench_error("the server was not ready within " + std::to_string(int(seconds)) +
                    " s; its log ends with:\n" + log_tail(log));
}

// A system loaded over HTTP/1.1 by this file's client: kactor, and etcd's JSON gateway.
class http_system : public system_under_test {
 public:
  virtual unsigned short port() const = 0;
  virtual std::string write_request(const std::string& ns, const std::string& name) const = 0;
  virtual int write_status() const = 0;
  virtual std::string read_request(const std::string& ns, const std::string& name,
                                   bool linearizable) const = 0;
  virtual std::string list_request(const std::string& ns) const = 0;
  virtual size_t count_in_list(const http_response& list, const std::string& name_prefix) const = 0;
  virtual watch_spec watch(const std::string& ns, const std::string& name_prefix,
                           uint64_t revision) const = 0;

  load_result run_load(const load_plan& plan) override {
    load_spec spec;
    spec.connections = plan.concurrency;
    spec.threads = plan.threads;
    spec.warmup_seconds = plan.warmup_seconds;
    spec.measure_seconds = plan.measure_seconds;
    spec.request_count = plan.request_count;
    spec.expected_status = plan.kind == op_kind::write ? write_status() : 200;
    spec.make_request = [this, &plan](uint64_t seq, uint64_t random) {
      switch (plan.kind) {
        case op_kind::write:
          return write_request(plan.ns, plan.object_name(seq, random));
        case op_kind::read:
        case op_kind::read_linearizable:
          return read_request(plan.ns, plan.object_name(seq, random),
                              plan.kind == op_kind::read_linearizable);
        case op_kind::list:
          break;
      }
      return list_request(plan.ns);
    };
    return run_http_load(port(), spec);
  }

  size_t count_listed(const std::string& ns, const std::string& name_prefix) override {
    http_response list = admin().roundtrip(list_request(ns));
    if (list.status != 200)
      throw bench_error("listing " + ns + ": HTTP " + std::to_string(list.status) + " " +
                        list.body.substr(0, 300));
    return count_in_list(list, name_prefix);
  }

  std::unique_ptr<watch_set> open_watches(const std::string& ns, const std::string& name_prefix,
                                          uint64_t revision, int watchers, int threads,
                                          const send_time_table& send_times) override {
    watch_spec spec = watch(ns, name_prefix, revision);
    spec.watchers = watchers;
    spec.threads = threads;
    return std::make_unique<watch_fleet>(port(), std::move(spec), send_times);
  }

  std::unique_ptr<single_writer> writer() override { return std::make_unique<http_writer>(*this); }

 protected:
  // A keep-alive connection for setup steps, made on first use and closed by stop().
  http_connection& admin() {
    if (!admin_) admin_ = std::make_unique<http_connection>(port());
    return *admin_;
  }
  void close_admin() { admin_.reset(); }

 private:
  class http_writer : public single_writer {
   public:
    explicit http_writer(http_system& system) : system_(system), connection_(system.port()) {}
    void prepare(const std::string& ns, const std::string& name) override {
      request_ = system_.write_request(ns, name);
    }
    std::string send() override {
      http_response response = connection_.roundtrip(request_);
      if (response.status == system_.write_status()) return {};
      return "HTTP " + std::to_string(response.status) + " " + response.body.substr(0, 300);
    }

   private:
    http_system& system_;
    http_connection connection_;
    std::string request_;
  };

  std::unique_ptr<http_connection> admin_;
};

class kactor_server : public http_system {
 public:
  kactor_server(std::string binary, std::string config)
      : binary_(std::move(binary)), config_(std::move(config)) {}

  std::string name() const override { return "kactor"; }
  pid_t pid() const override { return child_.pid(); }
  unsigned short port() const override { return port_; }
  bool has_linearizable_reads() const override { return false; }

  std::string op_label(op_kind kind, int list_size) const override {
    switch (kind) {
      case op_kind::write:
        return "pod create";
      case op_kind::read:
      case op_kind::read_linearizable:
        return "pod get";
      case op_kind::list:
        break;
    }
    return "list of " + std::to_string(list_size);
  }

  void start() override {
    dir_ = std::make_unique<temp_dir>("api_bench-kactor");
    port_ = free_port();
    fs::path log = dir_->path() / "kactor.log";
    child_.start(
        {binary_, "server", "--config", config_, "--data-dir", (dir_->path() / "data").string(),
         "--http-address", "127.0.0.1:" + std::to_string(port_), "--log-level", "warn"},
        log.string());
    wait_until_ready(child_, port_, http_request("GET", "/readyz", port_), "", log, 30);
  }

  void stop() override {
    close_admin();
    child_.stop();
    dir_.reset();
  }

  void prepare_group(const std::string& ns) override {
    std::string body =
        R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns + R"("}})";
    http_response r = admin().roundtrip(http_request("POST", "/api/v1/namespaces", port_, body));
    if (r.status != 201 && r.status != 409)
      throw bench_error("creating namespace " + ns + ": HTTP " + std::to_string(r.status) + " " +
                        r.body.substr(0, 300));
  }

  std::string write_request(const std::string& ns, const std::string& name) const override {
    return http_request("POST", "/api/v1/namespaces/" + ns + "/pods", port_, pod_json(ns, name));
  }
  int write_status() const override { return 201; }

  std::string read_request(const std::string& ns, const std::string& name, bool) const override {
    return http_request("GET", "/api/v1/namespaces/" + ns + "/pods/" + name, port_);
  }

  std::string list_request(const std::string& ns) const override {
    return http_request("GET", "/api/v1/namespaces/" + ns + "/pods", port_);
  }

  size_t count_in_list(const http_response& list, const std::string& name_prefix) const override {
    return count_occurrences(list.body, "\"name\":\"" + name_prefix);
  }

  uint64_t revision(const std::string& ns) override {
    http_response r = admin().roundtrip(list_request(ns));
    std::string_view rv = json_string_field(r.body, "resourceVersion");
    if (r.status != 200 || rv.empty())
      throw bench_error("listing " + ns + " for its resourceVersion: HTTP " +
                        std::to_string(r.status) + " " + r.body.substr(0, 300));
    return parse_u64(rv);
  }

  watch_spec watch(const std::string& ns, const std::string& name_prefix,
                   uint64_t revision) const override {
    watch_spec spec;
    spec.request = http_request(
        "GET",
        "/api/v1/namespaces/" + ns + "/pods?watch=true&resourceVersion=" + std::to_string(revision),
        port_);
    spec.established_on_headers = true;
    std::string marker = "\"name\":\"" + name_prefix;
    spec.parse_line = [marker](std::string_view line, watch_line& out) {
      if (line.find(R"("type":"ERROR")") != std::string_view::npos)
        out.problem = "ERROR event: " + std::string(line.substr(0, 300));
      if (line.find(R"("type":"ADDED")") == std::string_view::npos) return;
      size_t at = line.find(marker);
      if (at != std::string_view::npos)
        out.seqs.push_back(parse_u64(line.substr(at + marker.size())));
    };
    return spec;
  }

 private:
  std::string binary_;
  std::string config_;
  std::unique_ptr<temp_dir> dir_;
  child_process child_;
  unsigned short port_ = 0;
};

// One etcd member on loopback with a fresh data directory. It serves gRPC, the JSON gateway
// and /health on its one client port.
class etcd_process {
 public:
  explicit etcd_process(std::string binary) : binary_(std::move(binary)) {}

  void start() {
    dir_ = std::make_unique<temp_dir>("api_bench-etcd");
    port_ = free_port();
    std::string client_url = "http://127.0.0.1:" + std::to_string(port_);
    std::string peer_url = "http://127.0.0.1:" + std::to_string(free_port());
    fs::path log = dir_->path() / "etcd.log";
    child_.start(
        {binary_, "--name", "default", "--data-dir", (dir_->path() / "data").string(),
         "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
         "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
         "--initial-cluster", "default=" + peer_url, "--logger", "zap", "--log-level", "error"},
        log.string());
    wait_until_ready(child_, port_, http_request("GET", "/health", port_), R"("health":"true")",
                     log, 30);
  }

  void stop() {
    child_.stop();
    dir_.reset();
  }

  pid_t pid() const { return child_.pid(); }
  unsigned short port() const { return port_; }

 private:
  std::string binary_;
  std::unique_ptr<temp_dir> dir_;
  child_process child_;
  unsigned short port_ = 0;
};

std::string etcd_op_label(op_kind kind, int list_size) {
  switch (kind) {
    case op_kind::write:
      return "put";
    case op_kind::read:
      return "range (serializable)";
    case op_kind::read_linearizable:
      return "range (linearizable)";
    case op_kind::list:
      break;
  }
  return "range of " + std::to_string(list_size);
}

// etcd through its native gRPC API, as its own benchmark tool loads it: `channels` HTTP/2
// connections carrying all the calls in flight.
class etcd_grpc_system : public system_under_test {
 public:
  etcd_grpc_system(std::string binary, int channels, grpc_client_mode mode)
      : etcd_(std::move(binary)), channel_count_(channels), mode_(mode) {}

  std::string name() const override { return "etcd-grpc"; }
  pid_t pid() const override { return etcd_.pid(); }
  bool has_linearizable_reads() const override { return true; }
  std::string op_label(op_kind kind, int list_size) const override {
    return etcd_op_label(kind, list_size);
  }

  void start() override {
    etcd_.start();
    for (int i = 0; i < channel_count_; ++i) {
      channels_.push_back(grpc_channel(etcd_.port()));
      watch_.push_back(pb::Watch::NewStub(channels_.back()));
    }
    kv_ = pb::KV::NewStub(channels_.front());
  }

  void stop() override {
    kv_.reset();
    watch_.clear();
    channels_.clear();
    etcd_.stop();
  }

  void prepare_group(const std::string&) override {}

  load_result run_load(const load_plan& plan) override {
    return run_grpc_load(channels_, plan, mode_);
  }

  size_t count_listed(const std::string& ns, const std::string& name_prefix) override {
    pb::RangeRequest request;
    pb::PutRequest unused;
    fill_etcd_request(op_kind::list, ns, "", unused, request);
    pb::RangeResponse response = range(request);
    std::string name_key = etcd_key(ns, name_prefix);
    return size_t(
        std::count_if(response.kvs().begin(), response.kvs().end(), [&](const pb::KeyValue& kv) {
          return kv.key().compare(0, name_key.size(), name_key) == 0;
        }));
  }

  uint64_t revision(const std::string& ns) override {
    pb::RangeRequest request;
    std::string prefix = etcd_key(ns, "");
    request.set_key(prefix);
    request.set_range_end(prefix_end(prefix));
    request.set_count_only(true);
    return uint64_t(range(request).header().revision());
  }

  std::unique_ptr<watch_set> open_watches(const std::string& ns, const std::string& name_prefix,
                                          uint64_t revision, int watchers, int threads,
                                          const send_time_table& send_times) override {
    return std::make_unique<grpc_watch_set>(watch_, etcd_key(ns, ""), etcd_key(ns, name_prefix),
                                            revision, watchers, threads, send_times);
  }

  // On a connection of its own, as kactor's writer has.
  std::unique_ptr<single_writer> writer() override {
    return std::make_unique<grpc_writer>(grpc_channel(etcd_.port()));
  }

 private:
  class grpc_writer : public single_writer {
   public:
    explicit grpc_writer(const std::shared_ptr<grpc::Channel>& channel)
        : stub_(pb::KV::NewStub(channel)) {}
    void prepare(const std::string& ns, const std::string& name) override {
      pb::RangeRequest unused;
      fill_etcd_request(op_kind::write, ns, name, request_, unused);
    }
    std::string send() override {
      grpc::ClientContext context;
      context.set_deadline(grpc_deadline(30));
      pb::PutResponse response;
      grpc::Status status = stub_->Put(&context, request_, &response);
      return status.ok() ? "" : grpc_error(status);
    }

   private:
    std::unique_ptr<pb::KV::Stub> stub_;
    pb::PutRequest request_;
  };

  pb::RangeResponse range(const pb::RangeRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(grpc_deadline(30));
    pb::RangeResponse response;
    grpc::Status status = kv_->Range(&context, request, &response);
    if (!status.ok()) throw bench_error("etcd range: " + grpc_error(status));
    return response;
  }

  etcd_process etcd_;
  int channel_count_;
  grpc_client_mode mode_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::unique_ptr<pb::KV::Stub> kv_;  // setup calls, on the first channel
  std::vector<std::unique_ptr<pb::Watch::Stub>> watch_;
};

// etcd through its v3 JSON gateway (/v3/kv/put, /v3/kv/range, /v3/watch) on the HTTP/1.1 client
// that loads kactor. Keys and values travel in base64.
class etcd_gateway_system : public http_system {
 public:
  explicit etcd_gateway_system(std::string binary) : etcd_(std::move(binary)) {}

  std::string name() const override { return "etcd-gateway"; }
  pid_t pid() const override { return etcd_.pid(); }
  unsigned short port() const override { return etcd_.port(); }
  bool has_linearizable_reads() const override { return true; }
  std::string op_label(op_kind kind, int list_size) const override {
    return etcd_op_label(kind, list_size);
  }

  void start() override { etcd_.start(); }

  void stop() override {
    close_admin();
    etcd_.stop();
  }

  void prepare_group(const std::string&) override {}

  std::string write_request(const std::string& ns, const std::string& name) const override {
    std::string body = R"({"key":")" + base64_encode(etcd_key(ns, name)) + R"(","value":")" +
                       base64_encode(pod_json(ns, name)) + R"("})";
    return http_request("POST", "/v3/kv/put", port(), body);
  }
  int write_status() const override { return 200; }

  std::string read_request(const std::string& ns, const std::string& name,
                           bool linearizable) const override {
    std::string body = R"({"key":")" + base64_encode(etcd_key(ns, name)) + "\"" +
                       (linearizable ? "" : R"(,"serializable":true)") + "}";
    return http_request("POST", "/v3/kv/range", port(), body);
  }

  std::string list_request(const std::string& ns) const override {
    return http_request("POST", "/v3/kv/range", port(), range_body(ns, R"(,"serializable":true)"));
  }

  size_t count_in_list(const http_response& list, const std::string&) const override {
    return count_occurrences(list.body, R"("key":")");
  }

  uint64_t revision(const std::string& ns) override {
    http_response r = admin().roundtrip(
        http_request("POST", "/v3/kv/range", port(), range_body(ns, R"(,"count_only":true)")));
    std::string_view revision = json_string_field(r.body, "revision");
    if (r.status != 200 || revision.empty())
      throw bench_error("reading etcd's revision: HTTP " + std::to_string(r.status) + " " +
                        r.body.substr(0, 300));
    return parse_u64(revision);
  }

  watch_spec watch(const std::string& ns, const std::string& name_prefix,
                   uint64_t revision) const override {
    watch_spec spec;
    std::string prefix = etcd_key(ns, "");
    std::string body = R"({"create_request":{"key":")" + base64_encode(prefix) +
                       R"(","range_end":")" + base64_encode(prefix_end(prefix)) +
                       R"(","start_revision":")" + std::to_string(revision + 1) + R"("}})";
    spec.request = http_request("POST", "/v3/watch", port(), body);
    spec.established_on_headers = false;
    std::string name_key = prefix + name_prefix;
    spec.parse_line = [name_key](std::string_view line, watch_line& out) {
      if (line.find(R"("created":true)") != std::string_view::npos) out.established = true;
      if (line.find(R"("canceled":true)") != std::string_view::npos ||
          line.find(R"("error":)") != std::string_view::npos)
        out.problem = "watch canceled: " + std::string(line.substr(0, 300));
      constexpr std::string_view marker = R"("kv":{"key":")";
      for (size_t at = line.find(marker); at != std::string_view::npos;
           at = line.find(marker, at + marker.size())) {
        std::string decoded = base64_decode(line.substr(at + marker.size(), 200));
        if (decoded.rfind(name_key, 0) == 0)
          out.seqs.push_back(parse_u64(decoded.substr(name_key.size())));
      }
    };
    return spec;
  }

 private:
  std::string range_body(const std::string& ns, std::string_view options) const {
    std::string prefix = etcd_key(ns, "");
    return R"({"key":")" + base64_encode(prefix) + R"(","range_end":")" +
           base64_encode(prefix_end(prefix)) + "\"" + std::string(options) + "}";
  }

  etcd_process etcd_;
};

// ---------------------------------------------------------------------------------------------
// The scenario, run once per system per round.

struct options {
  bool quick = false;
  std::string kactor;
  std::string config;
  std::string etcd = "/usr/bin/etcd";
  bool skip_kactor = false;
  bool skip_etcd = false;
  bool skip_gateway = false;
  int connections = 64;
  double seconds = 5;
  double warmup = 1;
  int runs = 3;
  int watchers = 1000;
  double watch_rate = 50;
  int client_threads = 2;
  bool random_names = false;  // written objects: bench-<seq>, or scattered over the key order
  int list_size = 1000;
  uint64_t max_server_rss_mib = 4096;
  int grpc_channels = 4;
  grpc_client_mode grpc_mode = grpc_client_mode::async;
  std::vector<std::string> phases = {"watch", "writes", "reads", "lists"};
};

bool wants_phase(const options& opts, const std::string& phase) {
  return std::find(opts.phases.begin(), opts.phases.end(), phase) != opts.phases.end();
}

using metrics = std::map<std::string, double>;

std::string format_number(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

void require_clean(const load_result& result, const std::string& phase) {
  if (result.ok_total == 0)
    throw bench_error(
        phase + ": no successful request" +
        (result.first_failure.empty() ? "" : "; first failure: " + result.first_failure));
}

std::string failure_note(const load_result& result) {
  if (result.failed == 0) return "";
  return " (" + std::to_string(result.failed) + " failed, first: " + result.first_failure + ")";
}

// Kills the server (SIGKILL by PID) when its RSS passes a limit, so that a runaway server cannot
// exhaust the shared machine's memory. The server must stay unreaped while the guard runs.
class rss_guard {
 public:
  rss_guard(pid_t pid, uint64_t limit_bytes)
      : pid_(pid), limit_bytes_(limit_bytes), thread_([this] { watch(); }) {}
  ~rss_guard() {
    stopping_ = true;
    thread_.join();
  }
  rss_guard(const rss_guard&) = delete;
  rss_guard& operator=(const rss_guard&) = delete;

  bool tripped() const { return tripped_; }

 private:
  void watch() {
    while (!stopping_) {
      if (rss_bytes(pid_) > limit_bytes_) {
        kill(pid_, SIGKILL);
        tripped_ = true;
        return;
      }
      sleep_seconds(0.05);
    }
  }

  pid_t pid_;
  uint64_t limit_bytes_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> tripped_{false};
  std::thread thread_;  // last: starts once the fields above are set
};

class scenario {
 public:
  scenario(system_under_test& sut, const options& opts, const rss_guard& guard)
      : sut_(sut), opts_(opts), guard_(guard) {}

  // Runs every phase; a failed phase is reported and leaves its figures out. The watch fan-out
  // goes first, so its memory baseline is not blurred by the heaps of the load phases.
  metrics run() {
    if (wants_phase(opts_, "watch")) phase("watch fan-out", [&] { measure_watch(); });
    if (wants_phase(opts_, "writes")) phase("writes", [&] { measure_writes(); });
    if (wants_phase(opts_, "reads")) {
      phase("reads", [&] { measure_reads(false); });
      if (sut_.has_linearizable_reads()) phase("linearizable reads", [&] { measure_reads(true); });
    }
    if (wants_phase(opts_, "lists")) phase("lists", [&] { measure_lists(); });
    return std::move(figures_);
  }

  int failed_phases() const { return failed_phases_; }

 private:
  void phase(const char* name, const std::function<void()>& body) {
    try {
      if (guard_.tripped()) throw bench_error("skipped: the server was killed");
      body();
    } catch (const bench_error& e) {
      if (g_interrupted) throw;
      ++failed_phases_;
      std::string why = e.what();
      if (guard_.tripped() && why.rfind("skipped", 0) != 0)
        why = "the server passed " + std::to_string(opts_.max_server_rss_mib) +
              " MiB RSS and was killed (" + why + ")";
      std::printf("  %-12s %s failed: %s\n", sut_.name().c_str(), name, why.c_str());
      std::fflush(stdout);
    }
  }

  load_plan timed_plan(op_kind kind, const std::string& ns) const {
    load_plan plan;
    plan.kind = kind;
    plan.ns = ns;
    plan.concurrency = opts_.connections;
    plan.threads = opts_.client_threads;
    plan.warmup_seconds = opts_.warmup;
    plan.measure_seconds = opts_.seconds;
    return plan;
  }

  // Runs `plan`, also measuring the server's and this client's CPU time per successful request.
  load_result run_measured(const load_plan& plan, const std::string& prefix) {
    double cpu_before = cpu_seconds(sut_.pid());
    double client_before = cpu_seconds(getpid());
    machine_cpu machine_before = machine_cpu_seconds();
    int64_t start = now_ns();
    load_result result = sut_.run_load(plan);
    double cpu = cpu_seconds(sut_.pid()) - cpu_before;
    double client_cpu = cpu_seconds(getpid()) - client_before;
    machine_cpu machine_after = machine_cpu_seconds();
    double elapsed = double(now_ns() - start) / 1e9;
    require_clean(result, sut_.name() + " " + prefix);
    // CPU that neither the server nor this client used during the phase: other processes on
    // the shared machine, and interrupt work the kernel charges to no process. Time the
    // hypervisor gave to other guests is counted apart. Figures taken while either is high are
    // not comparable.
    const double busy = machine_after.busy - machine_before.busy;
    figures_[prefix + "_other_cores"] = std::max(0.0, busy - cpu - client_cpu) / elapsed;
    figures_[prefix + "_steal_cores"] = (machine_after.steal - machine_before.steal) / elapsed;
    figures_[prefix + "_client_cpu_us_per_op"] =
        client_cpu * 1e6 / double(std::max<uint64_t>(1, result.ok_total));
    figures_[prefix + "_per_s"] = result.per_second();
    figures_[prefix + "_p50_ms"] = percentile_ms(result.latencies_us, 0.50);
    figures_[prefix + "_p99_ms"] = percentile_ms(result.latencies_us, 0.99);
    figures_[prefix + "_cpu_us_per_op"] =
        cpu * 1e6 / double(std::max<uint64_t>(1, result.ok_total));
    return result;
  }

  void print_phase(const std::string& prefix, op_kind kind, const load_result& r) {
    std::printf(
        "  %-12s %-24s %10s /s  p50 %s ms  p99 %s ms  server cpu %s us/op  client cpu %s "
        "us/op  other load %s cores  steal %s cores%s\n",
        sut_.name().c_str(), sut_.op_label(kind, opts_.list_size).c_str(),
        format_number(figures_[prefix + "_per_s"], 0).c_str(),
        format_number(figures_[prefix + "_p50_ms"], 3).c_str(),
        format_number(figures_[prefix + "_p99_ms"], 3).c_str(),
        format_number(figures_[prefix + "_cpu_us_per_op"], 1).c_str(),
        format_number(figures_[prefix + "_client_cpu_us_per_op"], 1).c_str(),
        format_number(figures_[prefix + "_other_cores"], 2).c_str(),
        format_number(figures_[prefix + "_steal_cores"], 2).c_str(), failure_note(r).c_str());
    std::fflush(stdout);
  }

  // The name of written object `seq`: bench-<seq>, or with --names random a hashed suffix that
  // lands anywhere in the key order, as the generated names of ReplicaSet pods do.
  std::string written_name(uint64_t seq) const {
    if (!opts_.random_names) return "bench-" + std::to_string(seq);
    char name[32];
    std::snprintf(name, sizeof name, "bench-%016llx",
                  static_cast<unsigned long long>((seq + 1) * 0x9E3779B97F4A7C15ULL));
    return name;
  }

  void measure_writes() {
    sut_.prepare_group("default");
    load_plan plan = timed_plan(op_kind::write, "default");
    plan.object_name = [this](uint64_t seq, uint64_t) { return written_name(seq); };
    load_result result = run_measured(plan, "write");
    written_ = std::move(result.succeeded);
    print_phase("write", op_kind::write, result);
  }

  void measure_reads(bool linearizable) {
    if (written_.empty()) throw bench_error("no objects were written to read (phase writes)");
    std::string prefix = linearizable ? "read_linearizable" : "read";
    load_plan plan =
        timed_plan(linearizable ? op_kind::read_linearizable : op_kind::read, "default");
    plan.object_name = [this](uint64_t, uint64_t random) {
      return written_name(written_[random % written_.size()]);
    };
    load_result result = run_measured(plan, prefix);
    print_phase(prefix, plan.kind, result);
  }

  void measure_lists() {
    const std::string ns = "bench-list";
    sut_.prepare_group(ns);
    load_plan fill;
    fill.kind = op_kind::write;
    fill.ns = ns;
    fill.concurrency = opts_.connections;
    fill.threads = opts_.client_threads;
    fill.request_count = uint64_t(opts_.list_size);
    fill.object_name = [](uint64_t seq, uint64_t) { return "list-" + std::to_string(seq); };
    load_result filled = sut_.run_load(fill);
    if (filled.ok != fill.request_count)
      throw bench_error("filling " + ns + ": " + std::to_string(filled.ok) + " of " +
                        std::to_string(fill.request_count) + " writes succeeded" +
                        failure_note(filled));
    size_t listed = sut_.count_listed(ns, "list-");
    if (listed != size_t(opts_.list_size))
      throw bench_error("listing " + ns + ": " + std::to_string(listed) + " objects, expected " +
                        std::to_string(opts_.list_size));

    load_plan plan = timed_plan(op_kind::list, ns);
    load_result result = run_measured(plan, "list");
    // Lists take long enough that counting whole responses in the window would undercount.
    figures_["list_per_s"] = result.responses_per_second_by_bytes();
    figures_["list_mb_per_s"] = double(result.window_body_bytes) / result.seconds / 1e6;
    print_phase("list", op_kind::list, result);
    std::printf(
        "  %-12s %-24s %10s MB/s, %s bytes per list\n", sut_.name().c_str(), "",
        format_number(figures_["list_mb_per_s"], 1).c_str(),
        std::to_string(result.body_bytes_total / std::max<uint64_t>(1, result.ok_total)).c_str());
  }

  void measure_watch();

  system_under_test& sut_;
  const options& opts_;
  const rss_guard& guard_;
  metrics figures_;
  std::vector<uint64_t> written_;
  int failed_phases_ = 0;
};

// Writes one object per entry of `send_times` on one connection at `rate` per second, recording
// each send time. A server slower than the rate gets fewer writes: the loop stops at twice the
// planned duration.
load_result write_at_rate(system_under_test& sut, const std::string& ns, double rate,
                          send_time_table& send_times) {
  std::unique_ptr<single_writer> writer = sut.writer();
  load_result result;
  int64_t start = now_ns();
  int64_t give_up = start + 2 * int64_t(double(send_times.size()) * 1e9 / rate);
  for (size_t seq = 0; seq < send_times.size() && now_ns() < give_up; ++seq) {
    int64_t due = start + int64_t(double(seq) * 1e9 / rate);
    while (now_ns() < due) {
      check_interrupted();
      sleep_seconds(std::min(0.01, double(due - now_ns()) / 1e9));
    }
    writer->prepare(ns, "watch-" + std::to_string(seq));
    int64_t sent = now_ns();
    send_times[seq].store(sent, std::memory_order_release);
    std::string error = writer->send();
    if (error.empty()) {
      ++result.ok;
      result.latencies_us.push_back(elapsed_us(sent, now_ns()));
    } else {
      ++result.failed;
      if (result.first_failure.empty()) result.first_failure = error;
    }
  }
  result.seconds = double(now_ns() - start) / 1e9;
  return result;
}

// Waits until `done()` or `seconds` pass; false on timeout.
bool wait_for(const std::function<bool()>& done, double seconds) {
  int64_t deadline = now_ns() + seconds_to_ns(seconds);
  while (!done()) {
    check_interrupted();
    if (now_ns() >= deadline) return false;
    sleep_seconds(0.02);
  }
  return true;
}

void scenario::measure_watch() {
  const std::string ns = "bench-watch";
  sut_.prepare_group(ns);
  uint64_t revision = sut_.revision(ns);
  size_t events = size_t(std::max(1.0, opts_.watch_rate * opts_.seconds));
  send_time_table send_times(events);

  sleep_seconds(0.5);  // let the server settle before the baseline
  uint64_t rss_before = rss_bytes(sut_.pid());
  std::unique_ptr<watch_set> fleet =
      sut_.open_watches(ns, "watch-", revision, opts_.watchers, opts_.client_threads, send_times);
  size_t wanted = size_t(opts_.watchers);
  if (!wait_for([&] { return fleet->established() + fleet->broken() >= wanted; }, 60) ||
      fleet->broken() > 0)
    throw bench_error(sut_.name() + ": " + std::to_string(fleet->established()) + " of " +
                      std::to_string(wanted) + " watches established, " +
                      std::to_string(fleet->broken()) + " failed (" + fleet->first_problem() + ")");
  sleep_seconds(0.5);
  uint64_t rss_after = rss_bytes(sut_.pid());

  load_result writes = write_at_rate(sut_, ns, opts_.watch_rate, send_times);
  if (writes.ok == 0) throw bench_error("no write succeeded" + failure_note(writes));
  uint64_t expected = writes.ok * wanted;
  wait_for([&] { return fleet->deliveries() >= expected || fleet->broken() > 0; }, 30);
  uint64_t delivered = fleet->deliveries();
  size_t broken = fleet->broken();
  std::string problem = fleet->first_problem();
  std::vector<uint32_t> latencies = fleet->stop_and_collect();

  figures_["watch_p50_ms"] = percentile_ms(latencies, 0.50);
  figures_["watch_p99_ms"] = percentile_ms(latencies, 0.99);
  figures_["watch_rss_per_watcher"] =
      rss_after > rss_before ? double(rss_after - rss_before) / double(wanted) : 0;
  figures_["watch_missing"] = double(expected - std::min(expected, delivered));
  std::printf(
      "  %-12s %-24s p50 %s ms  p99 %s ms over %s deliveries (%s missing), RSS %s -> %s MiB, "
      "writes %s/s%s\n",
      sut_.name().c_str(), ("watch x" + std::to_string(wanted)).c_str(),
      format_number(figures_["watch_p50_ms"], 3).c_str(),
      format_number(figures_["watch_p99_ms"], 3).c_str(), std::to_string(delivered).c_str(),
      format_number(figures_["watch_missing"], 0).c_str(),
      format_number(double(rss_before) / 1048576, 1).c_str(),
      format_number(double(rss_after) / 1048576, 1).c_str(),
      format_number(writes.per_second(), 1).c_str(), failure_note(writes).c_str());
  if (broken > 0)
    std::printf("  %-12s warning: %zu watches broke during the run (%s)\n", sut_.name().c_str(),
                broken, problem.c_str());
  std::fflush(stdout);
}

int g_failed_phases = 0;

metrics run_round(system_under_test& sut, const options& opts, int round) {
  std::printf("%s, run %d of %d:\n", sut.name().c_str(), round + 1, opts.runs);
  std::fflush(stdout);
  try {
    sut.start();
    metrics result;
    {
      rss_guard guard(sut.pid(), opts.max_server_rss_mib << 20);
      scenario rounds(sut, opts, guard);
      result = rounds.run();
      g_failed_phases += rounds.failed_phases();
    }
    sut.stop();
    return result;
  } catch (...) {
    sut.stop();
    throw;
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

struct figure {
  const char* metric;
  const char* key;       // in kactor's metrics
  const char* peer_key;  // in etcd's metrics
  const char* peer;      // after "etcd-grpc-" or "etcd-gateway-"
  const char* unit;
  int decimals;
  bool comparison_only = false;  // repeats another kactor figure: printed only with its peer
};

constexpr figure figures[] = {
    {"pod_create_per_s", "write_per_s", "write_per_s", "put", "ops/s", 0},
    {"pod_create_p50_ms", "write_p50_ms", "write_p50_ms", "put", "ms", 3},
    {"pod_create_p99_ms", "write_p99_ms", "write_p99_ms", "put", "ms", 3},
    {"pod_create_server_cpu_us_per_op", "write_cpu_us_per_op", "write_cpu_us_per_op", "put", "us",
     1},
    {"pod_get_per_s", "read_per_s", "read_per_s", "range-serializable", "ops/s", 0},
    {"pod_get_per_s_vs_linearizable", "read_per_s", "read_linearizable_per_s", "range-linearizable",
     "ops/s", 0, true},
    {"pod_get_p50_ms", "read_p50_ms", "read_p50_ms", "range-serializable", "ms", 3},
    {"pod_get_p99_ms", "read_p99_ms", "read_p99_ms", "range-serializable", "ms", 3},
    {"pod_get_server_cpu_us_per_op", "read_cpu_us_per_op", "read_cpu_us_per_op",
     "range-serializable", "us", 1},
    {"list_1000_pods_per_s", "list_per_s", "list_per_s", "range-1000", "lists/s", 1},
    {"list_1000_pods_mb_per_s", "list_mb_per_s", "list_mb_per_s", "range-1000", "MB/s", 1},
    {"watch_fanout_p50_ms", "watch_p50_ms", "watch_p50_ms", "watch", "ms", 3},
    {"watch_fanout_p99_ms", "watch_p99_ms", "watch_p99_ms", "watch", "ms", 3},
    {"watch_rss_bytes_per_watcher", "watch_rss_per_watcher", "watch_rss_per_watcher", "watch",
     "bytes", 0},
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The median over rounds of `key`, or -1 when no round has it.
double median_of(const std::vector<metrics>& rounds, const std::string& key) {
  std::vector<double> values;
  for (const metrics& m : rounds)
    if (auto it = m.find(key); it != m.end()) values.push_back(it->second);
  return values.empty() ? -1 : median(values);
}

// One line per figure: `<word> <metric> <kactor> <unit> peer=<peer_prefix><peer> <value>
// ratio=<kactor/peer>`, or `PEER <metric> <value> <unit> peer=...` when kactor was not measured.
void print_comparison(const char* word, const std::vector<metrics>& kactor,
                      const std::vector<metrics>& peer_rounds, const std::string& peer_prefix,
                      bool kactor_alone) {
  for (const figure& f : figures) {
    double mine = median_of(kactor, f.key);
    double peer = median_of(peer_rounds, f.peer_key);
    std::string peer_name = peer_prefix + f.peer;
    if (f.comparison_only && peer < 0) continue;
    if (mine < 0) {
      if (peer >= 0)
        std::printf("PEER %s %s %s peer=%s\n", f.metric, format_number(peer, f.decimals).c_str(),
                    f.unit, peer_name.c_str());
      continue;
    }
    if (peer < 0 && !kactor_alone) continue;
    std::printf("%s %s %s %s", word, f.metric, format_number(mine, f.decimals).c_str(), f.unit);
    if (peer >= 0)
      std::printf(" peer=%s %s ratio=%s", peer_name.c_str(),
                  format_number(peer, f.decimals).c_str(),
                  peer > 0 ? format_number(mine / peer, 2).c_str() : "inf");
    std::printf("\n");
  }
}

// `ROUNDS <metric> <kactor/etcd of round 1> ... median=<m>` for each rate figure measured on
// both sides over several rounds. Each round runs the two systems back to back, so its ratio
// saw the same spell of this shared machine; the spread of the ratios shows the noise.
void print_round_ratios(const std::vector<metrics>& kactor, const std::vector<metrics>& peer) {
  const size_t rounds = std::min(kactor.size(), peer.size());
  if (rounds < 2) return;
  for (const figure& f : figures) {
    if (f.comparison_only || std::string_view(f.metric).find("_per_s") == std::string_view::npos)
      continue;
    std::vector<double> ratios;
    for (size_t i = 0; i < rounds; ++i) {
      auto mine = kactor[i].find(f.key);
      auto theirs = peer[i].find(f.peer_key);
      if (mine == kactor[i].end() || theirs == peer[i].end() || theirs->second <= 0) continue;
      ratios.push_back(mine->second / theirs->second);
    }
    if (ratios.size() < 2) continue;
    std::printf("ROUNDS %s", f.metric);
    for (double r : ratios) std::printf(" %s", format_number(r, 2).c_str());
    std::printf(" median=%s\n", format_number(median(ratios), 2).c_str());
  }
}

// RESULT lines compare kactor with etcd's gRPC API; GATEWAY lines, printed after them, compare
// it with etcd's JSON gateway.
void print_results(const std::vector<metrics>& kactor, const std::vector<metrics>& etcd_grpc,
                   const std::vector<metrics>& etcd_gateway) {
  std::printf("\n");
  print_round_ratios(kactor, etcd_grpc);
  print_comparison("RESULT", kactor, etcd_grpc, "etcd-grpc-", true);
  if (!etcd_gateway.empty())
    print_comparison("GATEWAY", kactor, etcd_gateway, "etcd-gateway-", false);
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------------
// Command line and setup.

constexpr const char* usage_text = R"(Usage: api_bench [options]
  --quick               small and short (CI smoke run, under a minute)
  --kactor PATH         the kactor binary (default: ../kactor beside this binary, else build/kactor)
  --config PATH         kactor config (default: config/single-host.yaml of the source tree)
  --etcd PATH           etcd 3.4 binary (default /usr/bin/etcd); missing: kactor figures only
  --skip-kactor         measure etcd only
  --skip-etcd           measure kactor only (neither etcd-grpc nor etcd-gateway)
  --skip-gateway        do not measure etcd's JSON gateway (no GATEWAY lines)
  --phases LIST         comma-separated subset of watch,writes,reads,lists (default all;
                        reads need writes)
  --connections N       requests in flight in the load phases: keep-alive HTTP connections,
                        or concurrent gRPC calls (default 64; quick 16)
  --grpc-channels N     HTTP/2 connections to etcd that carry the gRPC calls and watch streams
                        (default 4)
  --grpc-client MODE    async (completion queues on the client threads) or sync (one thread
                        per call in flight) (default async)
  --seconds S           measured seconds per phase (default 5; quick 1.5)
  --runs N              rounds; figures are medians (default 3; quick 1)
  --watchers N          watch streams for the fan-out (default 1000; quick 200)
  --watch-rate R        writes per second during the fan-out (default 50; quick 20)
  --client-threads N    epoll / completion-queue threads of this client (default 2)
  --names MODE          names of the written objects: sequential (bench-<n>, default) or
                        random (bench-<16 hex digits>, scattered over the key order like the
                        generated names of ReplicaSet pods)
  --max-server-rss MIB  kill a server whose RSS passes this (default 4096)
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "api_bench: %s\n\n%s", message.c_str(), usage_text);
  std::exit(2);
}

double number_argument(const std::string& option, const char* text, double min) {
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value >= min))
    usage_error(option + " needs a number >= " + format_number(min, min < 1 ? 1 : 0) + ", got \"" +
                text + "\"");
  return value;
}

fs::path source_root() {
  return fs::path(__FILE__).parent_path().parent_path();
}

std::string default_kactor() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && is_executable((self.parent_path().parent_path() / "kactor").string()))
    return (self.parent_path().parent_path() / "kactor").string();
  return "build/kactor";
}

std::string default_config() {
  fs::path relative = "config/single-host.yaml";
  if (fs::exists(relative)) return relative.string();
  return (source_root() / relative).string();
}

void apply_quick_defaults(options& o) {
  o.quick = true;
  o.connections = 16;
  o.seconds = 1.5;
  o.warmup = 0.25;
  o.runs = 1;
  o.watchers = 200;
  o.watch_rate = 20;
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--quick") apply_quick_defaults(o);
  o.kactor = default_kactor();
  o.config = default_config();
  const std::map<std::string, std::function<void(const char*)>> valued = {
      {"--kactor", [&](const char* v) { o.kactor = v; }},
      {"--config", [&](const char* v) { o.config = v; }},
      {"--etcd", [&](const char* v) { o.etcd = v; }},
      {"--connections",
       [&](const char* v) { o.connections = int(number_argument("--connections", v, 1)); }},
      {"--seconds", [&](const char* v) { o.seconds = number_argument("--seconds", v, 0.1); }},
      {"--runs", [&](const char* v) { o.runs = int(number_argument("--runs", v, 1)); }},
      {"--watchers", [&](const char* v) { o.watchers = int(number_argument("--watchers", v, 1)); }},
      {"--watch-rate",
       [&](const char* v) { o.watch_rate = number_argument("--watch-rate", v, 0.1); }},
      {"--client-threads",
       [&](const char* v) { o.client_threads = int(number_argument("--client-threads", v, 1)); }},
      {"--max-server-rss",
       [&](const char* v) {
         o.max_server_rss_mib = uint64_t(number_argument("--max-server-rss", v, 64));
       }},
      {"--grpc-channels",
       [&](const char* v) { o.grpc_channels = int(number_argument("--grpc-channels", v, 1)); }},
      {"--grpc-client",
       [&](const char* v) {
         std::string mode = v;
         if (mode != "async" && mode != "sync") usage_error("--grpc-client is async or sync");
         o.grpc_mode = mode == "sync" ? grpc_client_mode::sync : grpc_client_mode::async;
       }},
      {"--names",
       [&](const char* v) {
         std::string mode = v;
         if (mode != "sequential" && mode != "random")
           usage_error("--names is sequential or random");
         o.random_names = mode == "random";
       }},
      {"--phases",
       [&](const char* v) {
         o.phases.clear();
         std::stringstream list(v);
         for (std::string phase; std::getline(list, phase, ',');) {
           if (phase != "watch" && phase != "writes" && phase != "reads" && phase != "lists")
             usage_error("unknown phase \"" + phase + "\" (watch, writes, reads, lists)");
           o.phases.push_back(phase);
         }
       }},
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") continue;
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", usage_text);
      std::exit(0);
    }
    if (arg == "--skip-kactor" || arg == "--skip-etcd" || arg == "--skip-gateway") {
      (arg == "--skip-kactor" ? o.skip_kactor
       : arg == "--skip-etcd" ? o.skip_etcd
                              : o.skip_gateway) = true;
      continue;
    }
    auto handler = valued.find(arg);
    if (handler == valued.end()) usage_error("unknown option " + arg);
    if (i + 1 >= argc) usage_error(arg + " needs a value");
    handler->second(argv[++i]);
  }
  o.warmup = std::min(o.warmup, o.seconds / 4);
  return o;
}

// Room for 1,000+ watch connections in this process and in the servers it starts.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 65536);
  setrlimit(RLIMIT_NOFILE, &limit);
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_termination_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int run(const options& opts) {
  std::vector<std::unique_ptr<system_under_test>> systems;
  if (!opts.skip_kactor) {
    if (!is_executable(opts.kactor))
      throw bench_error("no kactor binary at " + opts.kactor +
                        " (build it, or pass --kactor "
                        "PATH or --skip-kactor)");
    if (!fs::exists(opts.config)) throw bench_error("no kactor config at " + opts.config);
    systems.push_back(std::make_unique<kactor_server>(opts.kactor, opts.config));
  }
  if (!opts.skip_etcd && is_executable(opts.etcd)) {
    systems.push_back(
        std::make_unique<etcd_grpc_system>(opts.etcd, opts.grpc_channels, opts.grpc_mode));
    if (!opts.skip_gateway) systems.push_back(std::make_unique<etcd_gateway_system>(opts.etcd));
  } else if (!opts.skip_etcd) {
    std::printf("etcd not found at %s: reporting kactor figures only\n", opts.etcd.c_str());
  }
  if (systems.empty()) throw bench_error("nothing to measure");

  std::printf(
      "api_bench: %d in flight, %d client threads, %s s per phase, %d run(s), "
      "%d watchers at %s writes/s, lists of %d, %s names; etcd gRPC: %s client, %d channel(s)\n",
      opts.connections, opts.client_threads, format_number(opts.seconds, 1).c_str(), opts.runs,
      opts.watchers, format_number(opts.watch_rate, 0).c_str(), opts.list_size,
      opts.random_names ? "random" : "sequential",
      opts.grpc_mode == grpc_client_mode::async ? "async" : "sync", opts.grpc_channels);
  std::map<std::string, std::vector<metrics>> rounds;
  for (int round = 0; round < opts.runs; ++round)
    for (auto& sut : systems) rounds[sut->name()].push_back(run_round(*sut, opts, round));

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("client cpu: %.1f s user, %.1f s system\n",
              double(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6,
              double(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6);
  print_results(rounds["kactor"], rounds["etcd-grpc"], rounds["etcd-gateway"]);
  if (g_failed_phases > 0)
    std::fprintf(stderr, "api_bench: %d phase(s) failed; their figures are missing\n",
                 g_failed_phases);
  return g_failed_phases > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  options opts = parse_options(argc, argv);
  // Debian builds Abseil without NDEBUG, which turns on its mutex deadlock detection: gRPC's
  // mutexes then keep a global lock graph (absl GraphCycles showed in the client's profile).
  // It is a debugging aid, off in release builds; off here too, so the client spends less of
  // the CPU it shares with the server under test.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  raise_file_limit();
  install_signal_handlers();
  try {
    return run(opts);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "api_bench: error: %s\n", e.what());
    return 1;
  }
}
