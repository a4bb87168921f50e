// The Beast/Asio HTTP/1.1 server behind net/http.hpp. Everything Asio lives in this one TU.
//
// Threading: each of the `threads` io threads runs an io_context of its own, and each connection
// (session) lives on one of them, dealt out in turn as connections arrive: a session's handlers
// never run concurrently, with no strand or cross-thread hand-off of epoll events (both cost
// measurably more CPU per request). The handler is called on the session's thread, except for
// requests with a body of `offload_body_bytes` or more: those go to one separate thread, so that
// decoding a big body (YAML parses at ~5 MB/s) cannot hold an io thread and stall every
// connection on it.
// Responders and streams may be completed from any thread and hop back onto the session's thread
// with a post. Posts from outside the io threads go through server_state::post_from_outside(),
// which refuses them once stop() has begun, so nothing is queued on an io_context that no thread
// will run again.
// An io thread whose connection is the only one sending requests polls for a moment after each
// piece of work instead of sleeping: see serial_poll.hpp.
//
// Timeouts: one lazily re-armed timer per session watches the read deadline (idle keep-alive,
// or request_timeout once a request has begun) and the write deadline. beast::tcp_stream's own
// timeouts are not used: they close the socket, and a slow request must still get its 408.
//
// Error replies (400, 408, 413) end with a lingering close: FIN, then the client's remaining
// bytes are read and dropped for a moment, so the reply is not lost to a TCP reset.

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sched.h>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>

#include "api/status.hpp"
#include "net/http.hpp"
#include "net/serial_poll.hpp"

namespace kactor::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;

using executor_type = asio::io_context::executor_type;
using socket_type = tcp::socket::rebind_executor<executor_type>::other;
using acceptor_type = tcp::acceptor::rebind_executor<executor_type>::other;
using timer_type =
    asio::basic_waitable_timer<clock_type, asio::wait_traits<clock_type>, executor_type>;

constexpr std::chrono::seconds idle_timeout{300};
constexpr std::chrono::seconds write_timeout{120};
// The session timer fires at least this often while a deadline is active, so deadlines that
// are at least this far away never need to re-arm it (the common case: idle and write).
constexpr std::chrono::seconds timer_floor = std::min(idle_timeout, write_timeout);
constexpr std::chrono::seconds linger_timeout{2};  // draining the peer after an error reply
constexpr size_t linger_max_bytes = 64 * 1024 * 1024;
constexpr size_t header_read_size = 16 * 1024;
constexpr size_t body_read_size = 64 * 1024;
constexpr size_t stream_read_size = 64;  // while streaming we only wait for EOF
constexpr size_t header_limit = 64 * 1024;
constexpr size_t max_buffered_while_busy = 1024 * 1024;  // unread client bytes we keep
constexpr size_t simdjson_padding = 64;
constexpr std::string_view crlf = "\r\n";
constexpr std::string_view last_chunk = "0\r\n\r\n";
constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

// Asio keeps a finished operation's memory for the thread's next operation of any smaller size,
// so a long-pending read or timer wait could sit in a block sized for a big write. Those two are
// allocated at their own size instead: a watch connection keeps both pending, and there are many.
template <class T = void>
struct exact_allocator {
  using value_type = T;
  exact_allocator() = default;
  template <class U>
  exact_allocator(const exact_allocator<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, size_t) noexcept { ::operator delete(p); }
  friend bool operator==(exact_allocator, exact_allocator) { return true; }
  friend bool operator!=(exact_allocator, exact_allocator) { return false; }
};

// std::string body whose capacity keeps simdjson's padding past the end, so the REST layer can
// parse it in place without a copy.
struct padded_string_body {
  using value_type = std::string;

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class reader {
   public:
    template <bool is_request, class Fields>
    reader(bhttp::header<is_request, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, error_code& ec) {
      // The parser has already checked the length against body_limit.
      if (length) body_.reserve(static_cast<size_t>(*length) + simdjson_padding);
      ec = {};
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, error_code& ec) {
      const size_t extra = asio::buffer_size(buffers);
      const size_t old_size = body_.size();
      if (body_.capacity() < old_size + extra + simdjson_padding) {
        body_.reserve(old_size + extra + simdjson_padding);  // grows geometrically
      }
      body_.resize(old_size + extra);
      asio::buffer_copy(asio::buffer(body_.data() + old_size, extra), buffers);
      ec = {};
      return extra;
    }

    void finish(error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

using request_parser = bhttp::request_parser<padded_string_body>;

std::string_view reason_phrase(int status) {
  std::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  return reason.empty() || reason.front() == '<' ? std::string_view("Unknown") : reason;
}

void append_number(std::string& out, std::uint64_t value, int base = 10) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value, base);
  out.append(digits, end);
}

void append_status_line(std::string& out, int status) {
  out += "HTTP/1.1 ";
  append_number(out, static_cast<std::uint64_t>(status));
  out += ' ';
  out += reason_phrase(status);
  out += crlf;
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += crlf;
}

void append_connection(std::string& out, bool keep_alive, bool http10) {
  if (!keep_alive) {
    append_header(out, "Connection", "close");
  } else if (http10) {
    append_header(out, "Connection", "keep-alive");
  }
}

// 1xx, 204 and 304 responses carry neither a body nor Content-Length.
bool status_allows_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

std::string response_head(const response& r, bool keep_alive, bool http10) {
  std::string head;
  head.reserve(160);
  append_status_line(head, r.status);
  if (!r.content_type.empty()) append_header(head, "Content-Type", r.content_type);
  if (status_allows_body(r.status)) {
    head += "Content-Length: ";
    append_number(head, r.body.size());
    head += crlf;
  }
  for (const auto& [name, value] : r.headers) append_header(head, name, value);
  append_connection(head, keep_alive, http10);
  head += crlf;
  return head;
}

// HTTP/1.0 has no chunked encoding: such a stream is sent as it comes and ends when the
// connection closes.
std::string stream_head(int status, const std::string& content_type, bool keep_alive, bool http10) {
  std::string head;
  head.reserve(160);
  append_status_line(head, status);
  if (!content_type.empty()) append_header(head, "Content-Type", content_type);
  if (!http10) append_header(head, "Transfer-Encoding", "chunked");
  append_connection(head, keep_alive, http10);  // begin_stream never keeps 1.0 alive
  head += crlf;
  return head;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in` into `out`; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out) {
  if (in.find('%') == std::string_view::npos) {
    out.assign(in);
    return true;
  }
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    const int high = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
    const int low = high >= 0 ? hex_value(in[i + 2]) : -1;
    if (low < 0) return false;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

// Splits a request target into its path (absolute-form targets lose scheme and authority) and
// raw query. False when the target is neither origin-form nor absolute-form.
bool split_target(std::string_view target, std::string_view& path, std::string_view& query) {
  const size_t question = target.find('?');
  path = target.substr(0, question);
  query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (path.starts_with('/')) return true;
  const size_t scheme_end = path.find("://");
  if (scheme_end == std::string_view::npos) return false;
  const size_t slash = path.find('/', scheme_end + 3);
  path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  return true;
}

std::string endpoint_string(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string out = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  out += ':';
  append_number(out, endpoint.port());
  return out;
}

class session;

// One io_context per io thread, each told that a single thread runs it.
std::vector<std::unique_ptr<asio::io_context>> make_io_contexts(unsigned count) {
  std::vector<std::unique_ptr<asio::io_context>> out;
  for (unsigned i = 0; i < count; ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}

// State shared by the server, its sessions and anything that still holds a responder or stream
// after the server is gone; it keeps the io_contexts alive until the last of them is dropped.
struct server_state {
  server_state(server_options opts, handler h)
      : options(std::move(opts)),
        on_request(std::move(h)),
        iocs(make_io_contexts(std::max(1u, options.threads))),
        acceptor(iocs.front()->get_executor()),
        accept_retry(acceptor.get_executor()) {}

  // Posts `fn` to `executor` unless the server is stopping; false if it was dropped.
  template <class Fn>
  bool post_from_outside(const executor_type& executor, Fn&& fn) {
    std::lock_guard lock(mutex);
    if (stopping) return false;
    asio::post(executor, std::forward<Fn>(fn));
    return true;
  }

  bool add_session(const std::shared_ptr<session>& s) {
    std::lock_guard lock(mutex);
    if (stopping) return false;
    sessions.emplace(s.get(), s);
    return true;
  }

  void remove_session(const session* s) {
    std::lock_guard lock(mutex);
    sessions.erase(s);
  }

  const server_options options;
  handler on_request;
  // The io_context of the next connection: they take turns.
  executor_type next_executor() { return iocs[next_ioc++ % iocs.size()]->get_executor(); }

  std::vector<std::unique_ptr<asio::io_context>> iocs;  // one per io thread
  std::atomic<size_t> next_ioc{0};
  std::unique_ptr<asio::thread_pool> big_bodies;  // runs handlers of big requests; see above
  acceptor_type acceptor;
  timer_type accept_retry;

  // The connection that sent the last request, its io thread, and when a request last came
  // from a different connection than the one before: see serial_poll.hpp.
  std::atomic<const void*> last_requester{nullptr};
  std::atomic<const void*> last_requester_context{nullptr};
  std::atomic<int64_t> requester_changed_at{0};  // steady_clock ticks
  void note_requester(const void* session, const executor_type& executor) {
    if (last_requester.load(std::memory_order_relaxed) == session) return;
    last_requester.store(session, std::memory_order_relaxed);
    last_requester_context.store(&executor.context(), std::memory_order_relaxed);
    requester_changed_at.store(clock_type::now().time_since_epoch().count(),
                               std::memory_order_relaxed);
  }

  std::mutex mutex;  // guards stopping and sessions
  bool stopping = false;
  std::unordered_map<const session*, std::weak_ptr<session>> sessions;
};

class stream_impl;
class responder_impl;
void run_handler(server_state& state, request&& req, const std::shared_ptr<responder_impl>& reply);

// The session whose handler runs on this thread right now. A response given synchronously
// inside the handler is written directly, saving a post and a lock on the hot path.
thread_local session* handler_session = nullptr;

class session : public std::enable_shared_from_this<session> {
 public:
  session(std::shared_ptr<server_state> state, socket_type socket)
      : state_(std::move(state)),
        executor_(socket.get_executor()),
        socket_(std::move(socket)),
        timer_(executor_) {}

  ~session();

  const std::shared_ptr<server_state>& state() const { return state_; }
  const executor_type& executor() const { return executor_; }

  // Called on the session's thread once the session is registered.
  void start() {
    if (mode_ == mode::closed) return;  // stop() got here first
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    const auto peer = socket_.remote_endpoint(ec);
    if (!ec) remote_ = endpoint_string(peer);
    parse_buffer();
  }

  template <class Fn>
  bool post_from_outside(Fn&& fn) {
    return state_->post_from_outside(executor_, std::forward<Fn>(fn));
  }

  void close_connection();
  void write_response(response r);
  void begin_stream(std::shared_ptr<stream_impl> s, int status, const std::string& content_type);
  void flush_stream();

 private:
  enum class mode { reading, handling, writing, streaming, draining, closed };

  // Reading and parsing requests.
  void read_more();
  size_t read_size() const;
  void on_read(const error_code& ec, size_t bytes);
  void parse_buffer();
  void await_more();
  bool request_started() const { return buffer_.size() > 0 || (parser_ && parser_->got_some()); }
  void new_parser();
  void maybe_send_continue();
  void on_request_read_error(const error_code& ec);
  void reject_malformed(const error_code& ec);
  void deliver_request();
  void call_handler(request&& req, const std::shared_ptr<responder_impl>& reply);
  void send_error(const api::api_error& error);

  // Writing.
  template <class Buffers, class Done>
  void start_write(const Buffers& buffers, Done done);
  void on_response_written(const error_code& ec);
  void on_continue_written(const error_code& ec);
  void on_stream_written(const error_code& ec);
  void end_stream_then_continue();
  void continue_or_close();
  void close_gracefully();

  // Deadlines.
  void watch_deadline(time_point deadline, time_point now);
  void start_timer(time_point at);
  void on_timer();
  void on_read_deadline();
  bool read_deadline_active() const {
    return read_pending_ && (mode_ == mode::reading || mode_ == mode::draining);
  }

  // A watch connection holds a session for as long as it lasts, and there are many: members
  // used only while a request is read or answered live behind pointers, and the flags are
  // packed together.
  std::shared_ptr<server_state> state_;
  const executor_type executor_;
  socket_type socket_;
  timer_type timer_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<request_parser> parser_;  // in place: one allocation fewer per request

  mode mode_ = mode::reading;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool head_request_ = false;  // answer with the headers only
  bool peer_eof_ = false;      // the client half-closed while we were busy
  bool timed_out_ = false;     // the request deadline passed; the read was cancelled
  bool request_deadline_set_ = false;
  bool continue_checked_ = false;  // Expect: 100-continue handled for this request
  bool read_pending_ = false;
  bool write_pending_ = false;
  bool timer_waiting_ = false;
  bool last_chunk_queued_ = false;  // the stream's end is queued
  size_t drained_ = 0;
  time_point read_deadline_{};
  time_point write_deadline_{};

  // Unary response being written, and one that waits for "100 Continue" to go out first.
  struct unary_out {
    std::string head;
    std::string body;
  };
  std::unique_ptr<unary_out> out_;
  std::unique_ptr<response> deferred_response_;
  std::unique_ptr<response> sync_response_;  // answered inside the handler call

  // Watch stream.
  std::shared_ptr<stream_impl> stream_;
  std::string stream_head_;
  struct queued_chunk {
    std::string owned;
    std::shared_ptr<const std::string> shared;
    std::string_view data() const { return shared ? std::string_view(*shared) : owned; }
  };
  std::vector<queued_chunk> batch_;
  size_t batch_bytes_ = 0;
  std::string chunk_sizes_;
  std::vector<asio::const_buffer> out_buffers_;

  friend class stream_impl;
  friend class responder_impl;
};

// The application's handle on a chunked response; see http.hpp for the contract.
class stream_impl final : public stream {
 public:
  using chunk = session::queued_chunk;

  stream_impl(std::weak_ptr<session> owner, size_t limit)
      : owner_(std::move(owner)), limit_(limit) {}

  bool write(std::string data) override {
    const size_t size = data.size();
    return enqueue(chunk{std::move(data), nullptr}, size);
  }

  bool write_shared(std::shared_ptr<const std::string> data) override {
    const size_t size = data ? data->size() : 0;
    return enqueue(chunk{{}, std::move(data)}, size);
  }

  void finish() override {
    bool post = false;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
      finishing_ = true;
      post = !flush_posted_;
      flush_posted_ = true;
    }
    if (post) post_flush();
  }

  bool closed() const override {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  void on_close(std::function<void()> callback) override {
    {
      std::lock_guard lock(mutex_);
      if (!ended_) {
        callbacks_.push_back(std::move(callback));
        return;
      }
    }
    run_callback(callback);
  }

  // Strand side: moves the queued chunks into `out`; true once finish() was called, in which
  // case `out` holds the last chunks of the stream.
  bool take(std::vector<chunk>& out) {
    std::lock_guard lock(mutex_);
    out.swap(queue_);
    flush_posted_ = false;
    return finishing_;
  }

  void release(size_t bytes) {
    std::lock_guard lock(mutex_);
    pending_ -= std::min(pending_, bytes);
  }

  // The stream is over (finished, client gone, overflow or stop): run the callbacks once.
  void end() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mutex_);
      if (ended_) return;
      ended_ = true;
      closed_ = true;
      queue_.clear();
      pending_ = 0;
      callbacks.swap(callbacks_);
    }
    for (auto& callback : callbacks) run_callback(callback);
  }

 private:
  bool enqueue(chunk c, size_t size) {
    bool post = false;
    bool queued = true;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return false;
      if (size == 0) return true;  // an empty chunk would end the stream
      if (pending_ + size > limit_) {
        closed_ = true;  // overflow: the client is too slow, drop it
        queued = false;
      } else {
        pending_ += size;
        queue_.push_back(std::move(c));
        post = !flush_posted_;
        flush_posted_ = true;
      }
    }
    if (!queued) {
      post_close();
      return false;
    }
    if (post) post_flush();
    return true;
  }

  void post_flush() {
    if (auto s = owner_.lock()) s->post_from_outside([s] { s->flush_stream(); });
  }

  void post_close() {
    if (auto s = owner_.lock()) s->post_from_outside([s] { s->close_connection(); });
  }

  static void run_callback(std::function<void()>& callback) {
    try {
      if (callback) callback();
    } catch (...) {  // a callback must not take down an io thread
    }
  }

  const std::weak_ptr<session> owner_;
  const size_t limit_;
  mutable std::mutex mutex_;
  std::vector<chunk> queue_;
  size_t pending_ = 0;  // queued plus being written
  bool flush_posted_ = false;
  bool finishing_ = false;
  bool closed_ = false;
  bool ended_ = false;
  std::vector<std::function<void()>> callbacks_;
};

// Completes one request. A responder dropped without an answer replies 500, so a forgetful
// handler cannot hang the connection.
class responder_impl final : public responder {
 public:
  explicit responder_impl(std::shared_ptr<session> owner) : owner_(std::move(owner)) {}

  ~responder_impl() override {
    if (!done_.load(std::memory_order_relaxed)) {
      respond_now(internal_error_response("the request handler did not respond"));
    }
  }

  void respond(response r) override {
    if (done_.exchange(true)) return;
    respond_now(std::move(r));
  }

  std::shared_ptr<stream> start_stream(int status, std::string content_type) override {
    auto s = std::make_shared<stream_impl>(owner_, owner_->state()->options.stream_buffer_limit);
    if (done_.exchange(true)) {
      s->end();
      return s;
    }
    const bool posted = owner_->post_from_outside(
        [owner = owner_, s, status, content_type = std::move(content_type)] {
          owner->begin_stream(s, status, content_type);
        });
    if (!posted) s->end();
    return s;
  }

  static response internal_error_response(const std::string& message) {
    response r;
    r.status = 500;
    r.body = api::status_json(api::internal_error(message));
    return r;
  }

 private:
  void respond_now(response r) {
    // On the session's thread, inside this request's handler: written when the handler returns.
    if (handler_session == owner_.get()) {
      owner_->sync_response_ = std::make_unique<response>(std::move(r));
      return;
    }
    owner_->post_from_outside(
        [owner = owner_, r = std::move(r)]() mutable { owner->write_response(std::move(r)); });
  }

  const std::shared_ptr<session> owner_;
  std::atomic<bool> done_{false};
};

// Calls the request handler; an exception escaping it becomes a 500.
void run_handler(server_state& state, request&& req, const std::shared_ptr<responder_impl>& reply) {
  try {
    state.on_request(std::move(req), reply);
  } catch (const std::exception& e) {
    reply->respond(responder_impl::internal_error_response(e.what()));
  } catch (...) {
    reply->respond(responder_impl::internal_error_response("the request handler failed"));
  }
}

session::~session() {
  if (stream_) stream_->end();
  state_->remove_session(this);
}

// ---- reading -------------------------------------------------------------------------------

void session::read_more() {
  read_pending_ = true;
  socket_.async_read_some(
      buffer_.prepare(read_size()),
      asio::bind_allocator(exact_allocator<>{},
                           [self = shared_from_this()](const error_code& ec, size_t bytes) {
                             self->on_read(ec, bytes);
                           }));
}

size_t session::read_size() const {
  if (mode_ == mode::streaming) return stream_read_size;
  if (mode_ == mode::draining || (parser_ && parser_->is_header_done())) return body_read_size;
  return header_read_size;
}

void session::on_read(const error_code& ec, size_t bytes) {
  read_pending_ = false;
  if (mode_ == mode::closed) return;
  if (!ec) buffer_.commit(bytes);
  switch (mode_) {
    case mode::reading:
      if (ec || timed_out_) return on_request_read_error(ec);
      return parse_buffer();
    case mode::streaming:  // a read is kept pending only to notice the client leaving
      if (ec || buffer_.size() > max_buffered_while_busy) return close_connection();
      return read_more();
    case mode::draining:
      drained_ += buffer_.size();
      buffer_.consume(buffer_.size());
      if (ec || drained_ > linger_max_bytes) return close_connection();
      return read_more();
    case mode::handling:
    case mode::writing:  // a read left over from a finished stream
      if (ec == asio::error::eof) {
        peer_eof_ = true;
      } else if (ec || buffer_.size() > max_buffered_while_busy) {
        close_connection();
      }
      return;
    case mode::closed:
      return;
  }
}

void session::new_parser() {
  parser_.emplace();
  parser_->body_limit(state_->options.body_limit);
  parser_->header_limit(header_limit);
  parser_->eager(true);
  request_deadline_set_ = false;
  continue_checked_ = false;
}

// curl and some other clients wait for "100 Continue" before sending a body.
void session::maybe_send_continue() {
  if (continue_checked_ || !parser_->is_header_done() || parser_->is_done()) return;
  continue_checked_ = true;
  const auto& message = parser_->get();
  if (message.version() < 11 || !beast::iequals(message[bhttp::field::expect], "100-continue")) {
    return;
  }
  start_write(asio::buffer(continue_line), &session::on_continue_written);
}

void session::parse_buffer() {
  for (;;) {
    if (!parser_) new_parser();
    if (buffer_.size() == 0) return await_more();
    error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) return await_more();
    if (ec) return reject_malformed(ec);
    if (parser_->is_done()) return deliver_request();
    maybe_send_continue();
    if (used == 0) return await_more();
  }
}

void session::await_more() {
  if (peer_eof_) return on_request_read_error(asio::error::eof);
  const auto now = clock_type::now();
  if (!request_started()) {
    read_deadline_ = now + idle_timeout;
  } else if (!request_deadline_set_) {
    request_deadline_set_ = true;
    read_deadline_ = now + std::chrono::seconds(state_->options.request_timeout_seconds);
  }
  watch_deadline(read_deadline_, now);
  if (!read_pending_) read_more();
}

void session::on_request_read_error(const error_code& ec) {
  if (timed_out_) {
    return send_error(api::request_timeout("request did not complete within " +
                                           std::to_string(state_->options.request_timeout_seconds) +
                                           "s"));
  }
  if (ec == asio::error::eof && request_started()) {
    peer_eof_ = true;
    return send_error(api::bad_request("unexpected end of stream in the middle of a request"));
  }
  close_connection();
}

void session::reject_malformed(const error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return send_error(api::request_entity_too_large("the request body is larger than " +
                                                    std::to_string(state_->options.body_limit) +
                                                    " bytes"));
  }
  if (ec == bhttp::error::header_limit) {
    return send_error(api::bad_request("request headers too large"));
  }
  send_error(api::bad_request("malformed HTTP request: " + ec.message()));
}

void session::deliver_request() {
  auto message = parser_->release();
  parser_.reset();
  keep_alive_ = message.keep_alive();
  http10_ = message.version() < 11;
  head_request_ = message.method() == bhttp::verb::head;

  request req;
  const std::string_view target = message.target();
  std::string_view path;
  std::string_view query;
  if (!split_target(target, path, query) || !percent_decode(path, req.path)) {
    mode_ = mode::handling;
    return write_response(
        {400, "application/json", api::status_json(api::bad_request("invalid request path")), {}});
  }
  req.method.assign(message.method_string());
  req.target.assign(target);
  req.query.assign(query);
  req.content_type.assign(message[bhttp::field::content_type]);
  req.accept.assign(message[bhttp::field::accept]);
  req.user_agent.assign(message[bhttp::field::user_agent]);
  req.if_none_match.assign(message[bhttp::field::if_none_match]);
  req.body = std::move(message.body());
  if (!req.body.empty() && req.body.capacity() < req.body.size() + simdjson_padding) {
    req.body.reserve(req.body.size() + simdjson_padding);
  }
  req.remote = remote_;

  mode_ = mode::handling;
  state_->note_requester(this, executor_);
  auto reply = std::make_shared<responder_impl>(shared_from_this());
  if (req.body.size() >= state_->options.offload_body_bytes && state_->big_bodies) {
    asio::post(*state_->big_bodies, [state = state_, req = std::move(req), reply]() mutable {
      run_handler(*state, std::move(req), reply);
    });
    return;
  }
  call_handler(std::move(req), reply);
  if (sync_response_) write_response(std::move(*std::exchange(sync_response_, nullptr)));
}

void session::call_handler(request&& req, const std::shared_ptr<responder_impl>& reply) {
  handler_session = this;
  run_handler(*state_, std::move(req), reply);
  handler_session = nullptr;
}

void session::send_error(const api::api_error& error) {
  keep_alive_ = false;
  http10_ = false;
  head_request_ = false;
  mode_ = mode::handling;
  write_response({error.code, "application/json", api::status_json(error), {}});
}

// ---- writing -------------------------------------------------------------------------------

template <class Buffers, class Done>
void session::start_write(const Buffers& buffers, Done done) {
  write_pending_ = true;
  const auto now = clock_type::now();
  write_deadline_ = now + write_timeout;
  watch_deadline(write_deadline_, now);
  asio::async_write(socket_, buffers,
                    [self = shared_from_this(), done](const error_code& ec, size_t) {
                      self->write_pending_ = false;
                      if (self->mode_ != mode::closed) ((*self).*done)(ec);
                    });
}

void session::write_response(response r) {
  if (mode_ != mode::handling) return;  // closed meanwhile
  if (write_pending_) {                 // "100 Continue" still going out
    deferred_response_ = std::make_unique<response>(std::move(r));
    return;
  }
  if (!status_allows_body(r.status)) r.body.clear();
  mode_ = mode::writing;
  out_ = std::make_unique<unary_out>();
  out_->head = response_head(r, keep_alive_, http10_);
  if (!head_request_) out_->body = std::move(r.body);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(out_->head),
                                                  asio::buffer(out_->body)};
  start_write(buffers, &session::on_response_written);
}

void session::on_response_written(const error_code& ec) {
  out_.reset();
  if (ec) return close_connection();
  continue_or_close();
}

void session::on_continue_written(const error_code& ec) {
  if (ec) return close_connection();
  if (deferred_response_) {
    return write_response(std::move(*std::exchange(deferred_response_, nullptr)));
  }
  if (mode_ == mode::streaming) flush_stream();
}

void session::continue_or_close() {
  if (!keep_alive_) return close_gracefully();
  mode_ = mode::reading;
  parse_buffer();
}

void session::begin_stream(std::shared_ptr<stream_impl> s, int status,
                           const std::string& content_type) {
  if (mode_ != mode::handling) {
    s->end();
    return;
  }
  mode_ = mode::streaming;
  buffer_.shrink_to_fit();  // watchers are many and long-lived; keep them small
  stream_ = std::move(s);
  if (http10_) keep_alive_ = false;
  stream_head_ = stream_head(status, content_type, keep_alive_, http10_);
  last_chunk_queued_ = false;
  if (!read_pending_) read_more();
  flush_stream();
}

void session::flush_stream() {
  if (mode_ != mode::streaming || write_pending_ || last_chunk_queued_) return;
  batch_.clear();
  const bool finishing = stream_->take(batch_);

  out_buffers_.clear();
  chunk_sizes_.clear();
  chunk_sizes_.reserve(batch_.size() * 18);  // no reallocation: buffers point into it
  if (!stream_head_.empty()) out_buffers_.push_back(asio::buffer(stream_head_));
  batch_bytes_ = 0;
  for (const auto& c : batch_) {
    const std::string_view data = c.data();
    if (http10_) {
      out_buffers_.push_back(asio::buffer(data));
    } else {
      const size_t start = chunk_sizes_.size();
      append_number(chunk_sizes_, data.size(), 16);
      chunk_sizes_ += crlf;
      out_buffers_.push_back(
          asio::buffer(chunk_sizes_.data() + start, chunk_sizes_.size() - start));
      out_buffers_.push_back(asio::buffer(data));
      out_buffers_.push_back(asio::buffer(crlf));
    }
    batch_bytes_ += data.size();
  }
  if (finishing) {
    if (!http10_) out_buffers_.push_back(asio::buffer(last_chunk));
    last_chunk_queued_ = true;  // the end is queued (for HTTP/1.0: the close that follows)
  }
  if (out_buffers_.empty()) {
    if (last_chunk_queued_) end_stream_then_continue();  // HTTP/1.0 with nothing left to send
    return;
  }
  start_write(out_buffers_, &session::on_stream_written);
}

void session::on_stream_written(const error_code& ec) {
  if (ec) return close_connection();
  if (mode_ != mode::streaming) return;
  std::string().swap(stream_head_);
  stream_->release(batch_bytes_);
  batch_.clear();
  if (last_chunk_queued_) return end_stream_then_continue();
  flush_stream();
}

void session::end_stream_then_continue() {
  auto finished = std::move(stream_);
  finished->end();
  if (mode_ == mode::closed) return;  // a callback cannot close us, but stay safe
  continue_or_close();
}

// Sends FIN and reads until the client closes (or a short deadline), so the client receives
// the response instead of a reset caused by its unread request bytes.
void session::close_gracefully() {
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec || peer_eof_) return close_connection();
  mode_ = mode::draining;
  drained_ = 0;
  buffer_.consume(buffer_.size());
  const auto now = clock_type::now();
  read_deadline_ = now + linger_timeout;
  watch_deadline(read_deadline_, now);
  if (!read_pending_) read_more();
}

void session::close_connection() {
  if (mode_ == mode::closed) return;
  mode_ = mode::closed;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();
  if (stream_) std::exchange(stream_, nullptr)->end();
}

// ---- deadlines -----------------------------------------------------------------------------

// Makes sure the timer fires no later than `deadline`. The timer is armed at most timer_floor
// ahead, so later deadlines (the usual idle and write ones) leave it untouched.
void session::watch_deadline(time_point deadline, time_point now) {
  const time_point at = std::min(deadline, now + timer_floor);
  if (timer_waiting_) {
    if (timer_.expiry() > at) timer_.expires_at(at);  // the cancelled wait re-arms
    return;
  }
  start_timer(at);
}

void session::start_timer(time_point at) {
  timer_.expires_at(at);
  timer_waiting_ = true;
  timer_.async_wait(asio::bind_allocator(
      exact_allocator<>{}, [self = shared_from_this()](const error_code&) { self->on_timer(); }));
}

void session::on_timer() {
  timer_waiting_ = false;
  if (mode_ == mode::closed) return;
  const auto now = clock_type::now();
  if (write_pending_ && now >= write_deadline_) return close_connection();
  if (read_deadline_active() && now >= read_deadline_) return on_read_deadline();
  time_point next = time_point::max();
  if (write_pending_) next = write_deadline_;
  if (read_deadline_active()) next = std::min(next, read_deadline_);
  if (next != time_point::max()) start_timer(std::min(next, now + timer_floor));
}

void session::on_read_deadline() {
  if (mode_ == mode::reading && request_started()) {
    timed_out_ = true;  // on_read answers 408 once the read is cancelled
    error_code ec;
    socket_.cancel(ec);
    return;
  }
  close_connection();  // idle keep-alive connection, or a client that never closes
}

}  // namespace

// ---- server --------------------------------------------------------------------------------

struct http_server::impl {
  impl(server_options options, handler h)
      : state(std::make_shared<server_state>(std::move(options), std::move(h))) {}

  void start();
  void stop();
  void accept_next();
  void on_accept(const error_code& ec, socket_type socket);
  void run_thread(unsigned index);

  std::shared_ptr<server_state> state;
  std::vector<std::thread> threads;
  // Keep each io thread running while its io_context has no connection; dropped by stop().
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::atomic<unsigned short> port{0};

  std::mutex lifecycle_mutex;  // start/stop
  bool started = false;
  bool stopped = false;

  std::mutex run_mutex;
  std::condition_variable run_cv;
  unsigned running = 0;
};

namespace {

tcp::endpoint resolve_endpoint(asio::io_context& ioc, const std::string& address,
                               unsigned short port) {
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (!ec) return {ip, port};
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(address, std::to_string(port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot resolve listen address " + address + ": " + ec.message());
  }
  return results.begin()->endpoint();
}

}  // namespace

void http_server::impl::start() {
  std::lock_guard lock(lifecycle_mutex);
  if (started) return;
  const auto& options = state->options;
  const auto endpoint = resolve_endpoint(*state->iocs.front(), options.address, options.port);
  auto& acceptor = state->acceptor;
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("cannot listen on " + options.address + ":" +
                             std::to_string(options.port) + ": " + ec.message());
  }
  port = acceptor.local_endpoint().port();
  started = true;
  state->big_bodies = std::make_unique<asio::thread_pool>(1);
  accept_next();
  const unsigned count = std::max(1u, options.threads);
  running = count;
  for (unsigned i = 0; i < count; ++i) {
    guards.emplace_back(state->iocs[i]->get_executor());
    threads.emplace_back([this, i] { run_thread(i); });
  }
}

namespace {

// Runs the io_context until it stops, polling instead of sleeping while serial_poll.hpp says so.
void run_io_thread(server_state& state, asio::io_context& ioc) {
  const serial_poll_rule rule{std::chrono::microseconds(state.options.serial_poll_us)};
  auto last_work = clock_type::now();
  auto should_poll = [&] {
    const auto now = clock_type::now();
    const auto changed = clock_type::time_point(
        clock_type::duration(state.requester_changed_at.load(std::memory_order_relaxed)));
    return rule.should_poll(now - last_work, now - changed,
                            state.last_requester_context.load(std::memory_order_relaxed) == &ioc);
  };
  while (!ioc.stopped()) {
    if (ioc.poll() == 0) {
      if (should_poll()) {
        sched_yield();
        continue;
      }
      ioc.run_one();
    }
    last_work = clock_type::now();
  }
}

}  // namespace

void http_server::impl::run_thread(unsigned index) {
  auto& ioc = *state->iocs[index];
  for (;;) {
    try {
      run_io_thread(*state, ioc);
      break;
    } catch (...) {  // a throwing handler must not kill the server; keep serving
    }
  }
  std::lock_guard lock(run_mutex);
  --running;
  run_cv.notify_all();
}

void http_server::impl::accept_next() {
  state->acceptor.async_accept(
      state->next_executor(),
      [this](const error_code& ec, socket_type socket) { on_accept(ec, std::move(socket)); });
}

void http_server::impl::on_accept(const error_code& ec, socket_type socket) {
  if (!state->acceptor.is_open()) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of descriptors and the like: back off briefly instead of spinning.
    state->accept_retry.expires_after(std::chrono::milliseconds(100));
    state->accept_retry.async_wait([this](const error_code& wait_ec) {
      if (!wait_ec && state->acceptor.is_open()) accept_next();
    });
    return;
  }
  auto s = std::make_shared<session>(state, std::move(socket));
  if (state->add_session(s)) asio::post(s->executor(), [s] { s->start(); });
  accept_next();
}

void http_server::impl::stop() {
  std::lock_guard lock(lifecycle_mutex);
  if (!started || stopped) return;
  stopped = true;

  std::vector<std::shared_ptr<session>> open_sessions;
  {
    std::lock_guard state_lock(state->mutex);
    state->stopping = true;
    for (auto& [id, weak] : state->sessions) {
      if (auto s = weak.lock()) open_sessions.push_back(std::move(s));
    }
  }
  asio::post(state->acceptor.get_executor(), [st = state] {
    error_code ec;
    st->acceptor.close(ec);
    st->accept_retry.cancel();
  });
  for (auto& s : open_sessions) asio::post(s->executor(), [s] { s->close_connection(); });
  open_sessions.clear();
  guards.clear();

  // With every socket closed the threads run out of work; force them if something lingers.
  {
    std::unique_lock run_lock(run_mutex);
    if (!run_cv.wait_for(run_lock, std::chrono::seconds(5), [this] { return running == 0; })) {
      for (auto& ioc : state->iocs) ioc->stop();
    }
  }
  for (auto& t : threads) t.join();
  threads.clear();
  // A handler running on it finishes; queued ones are dropped (their responders answer nothing,
  // as every connection is closed by now).
  state->big_bodies->stop();
  state->big_bodies.reset();
  // Run what is still queued (completions holding sessions) so their memory is released.
  for (auto& ioc : state->iocs) {
    ioc->restart();
    ioc->poll();
  }
  state->on_request = nullptr;
}

http_server::http_server(server_options options, handler h)
    : impl_(std::make_unique<impl>(std::move(options), std::move(h))) {}

http_server::~http_server() {
  stop();
}

void http_server::start() {
  impl_->start();
}

void http_server::stop() {
  impl_->stop();
}

unsigned short http_server::port() const {
  return impl_->port.load();
}

}  // namespace kactor::net
