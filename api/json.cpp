// JSON document model, encoder and parser.
//
// Parsing runs simdjson's DOM parser first (fast, validates the whole document up front) and
// converts its tape into `value`s. When simdjson rejects a document, a small Go-compatible
// recursive-descent parser takes over: it accepts what Go's encoding/json accepts but simdjson
// does not (integers beyond 64 bits, lone UTF-16 surrogates, invalid UTF-8 inside strings) and
// otherwise produces Go's syntax error messages with a byte offset.
#include "api/json.hpp"
#include "api/path_steps.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kactor::json {

// ---------------------------------------------------------------------------------------------
// value

value::value(array a) : v_(std::move(a)) {}
value::value(object o) : v_(std::move(o)) {}

value value::make_object() {
  return value(object{});
}
value value::make_array() {
  return value(array{});
}

double value::as_double() const {
  if (is_int()) return static_cast<double>(as_int());
  return std::get<double>(v_);
}

namespace {

// The Word at p, wherever p points.
template <typename Word>
inline Word load(const void* p) {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Whether a and b, both `size` bytes, are equal: two overlapping loads per side.
template <typename Word>
inline bool head_and_tail_equal(const char* a, const char* b, size_t size) {
  const size_t tail = size - sizeof(Word);
  return load<Word>(a) == load<Word>(b) && load<Word>(a + tail) == load<Word>(b + tail);
}

// memcmp(a, b, size) == 0 without a call for up to 16 bytes (nearly every field name).
inline bool bytes_equal(const char* a, const char* b, size_t size) {
  if (size >= 8 && size <= 16) return head_and_tail_equal<uint64_t>(a, b, size);
  if (size >= 4 && size < 8) return head_and_tail_equal<uint32_t>(a, b, size);
  if (size < 4) return a[size / 2] == b[size / 2] && a[size - 1] == b[size - 1];
  return std::memcmp(a, b, size) == 0;
}

// Key equality that rules most keys out by length and first byte before comparing bytes.
inline bool key_equals(const std::string& a, std::string_view b) {
  return a.size() == b.size() &&
         (b.empty() || (a[0] == b[0] && bytes_equal(a.data(), b.data(), b.size())));
}

}  // namespace

// Kept out of line: inlined into the other accessors here, it changed GCC's inlining in the
// parser, and parsing a pod took ~700 more instructions than the inlined calls saved.
[[gnu::noinline]] const value* value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const member& m : as_object()) {
    if (key_equals(m.key, key)) return &m.val;
  }
  return nullptr;
}

value* value::find(std::string_view key) {
  return const_cast<value*>(std::as_const(*this).find(key));
}

const value* value::at(std::initializer_list<std::string_view> path) const {
  const value* current = this;
  for (std::string_view key : path) {
    current = current->find(key);
    if (current == nullptr) return nullptr;
  }
  return current;
}

value& value::operator[](std::string_view key) {
  if (is_null()) v_ = object{};
  object& members = as_object();
  for (member& m : members) {
    if (key_equals(m.key, key)) return m.val;
  }
  members.push_back(member{std::string(key), value()});
  return members.back().val;
}

void value::set(std::string_view key, value v) {
  (*this)[key] = std::move(v);
}

bool value::erase(std::string_view key) {
  if (!is_object()) return false;
  object& members = as_object();
  auto it = std::find_if(members.begin(), members.end(),
                         [key](const member& m) { return key_equals(m.key, key); });
  if (it == members.end()) return false;
  members.erase(it);
  return true;
}

std::string_view value::get_string(std::string_view key, std::string_view fallback) const {
  const value* member_value = find(key);
  if (member_value == nullptr || !member_value->is_string()) return fallback;
  return member_value->as_string();
}

namespace {

// An integer and a double are equal when the double holds exactly that integer (both encode
// the same way, and a parse of the encoding gives back the integer).
bool integer_equals_double(int64_t i, double d) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  return d >= -kTwoTo63 && d < kTwoTo63 && std::trunc(d) == d && static_cast<int64_t>(d) == i;
}

bool objects_equal(const object& a, const object& b) {
  if (a.size() != b.size()) return false;
  constexpr size_t kLinearLimit = 32;
  if (a.size() <= kLinearLimit) {
    for (size_t i = 0; i < a.size(); ++i) {
      // Members usually come in the same order: try the same position first.
      const value* other = b[i].key == a[i].key ? &b[i].val : nullptr;
      for (size_t j = 0; other == nullptr && j < b.size(); ++j) {
        if (b[j].key == a[i].key) other = &b[j].val;
      }
      if (other == nullptr || !(a[i].val == *other)) return false;
    }
    return true;
  }
  std::unordered_map<std::string_view, const value*> by_key;
  by_key.reserve(b.size());
  for (const member& m : b) by_key.emplace(m.key, &m.val);
  for (const member& m : a) {
    auto it = by_key.find(m.key);
    if (it == by_key.end() || !(m.val == *it->second)) return false;
  }
  return true;
}

}  // namespace

bool operator==(const value& a, const value& b) {
  if (a.type() != b.type()) {
    if (a.is_int() && b.type() == kind::number)
      return integer_equals_double(a.as_int(), b.as_double());
    if (b.is_int() && a.type() == kind::number)
      return integer_equals_double(b.as_int(), a.as_double());
    return false;
  }
  switch (a.type()) {
    case kind::null:
      return true;
    case kind::boolean:
      return a.as_bool() == b.as_bool();
    case kind::integer:
      return a.as_int() == b.as_int();
    case kind::number:
      return a.as_double() == b.as_double();
    case kind::string:
      return a.as_string() == b.as_string();
    case kind::array:
      return a.as_array() == b.as_array();
    case kind::object:
      return objects_equal(a.as_object(), b.as_object());
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Encoding

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// How write_quoted treats each byte value.
enum byte_class : uint8_t { kPlain, kEscape, kNonAscii };

constexpr std::array<uint8_t, 256> make_byte_classes() {
  std::array<uint8_t, 256> classes{};
  for (int c = 0; c < 0x20; ++c) classes[c] = kEscape;
  for (unsigned char c : {'"', '\\', '<', '>', '&'}) classes[c] = kEscape;
  for (int c = 0x80; c < 0x100; ++c) classes[c] = kNonAscii;
  return classes;
}
constexpr std::array<uint8_t, 256> kByteClasses = make_byte_classes();

// Sixteen bytes tested at once: bit i of attention_mask is set when byte i is not kPlain.
#if defined(__SSE2__)
using block = __m128i;

inline block load_block(const unsigned char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline block make_block(uint64_t low, uint64_t high) {
  return _mm_set_epi64x(static_cast<int64_t>(high), static_cast<int64_t>(low));
}
inline uint32_t attention_mask(block b) {
  // A signed compare catches both control bytes and bytes from 0x80 up.
  const block control_or_high = _mm_cmplt_epi8(b, _mm_set1_epi8(0x20));
  // '<' and '>' differ only in bit 1, '"' and '&' only in bit 2.
  const block angle = _mm_cmpeq_epi8(_mm_or_si128(b, _mm_set1_epi8(2)), _mm_set1_epi8('>'));
  const block quote = _mm_cmpeq_epi8(_mm_or_si128(b, _mm_set1_epi8(4)), _mm_set1_epi8('&'));
  const block backslash = _mm_cmpeq_epi8(b, _mm_set1_epi8('\\'));
  return static_cast<uint32_t>(_mm_movemask_epi8(
      _mm_or_si128(_mm_or_si128(control_or_high, angle), _mm_or_si128(quote, backslash))));
}
#else
struct block {
  unsigned char bytes[16];
};

inline block load_block(const unsigned char* p) {
  block b;
  std::memcpy(b.bytes, p, 16);
  return b;
}
inline block make_block(uint64_t low, uint64_t high) {
  block b;
  std::memcpy(b.bytes, &low, 8);
  std::memcpy(b.bytes + 8, &high, 8);
  return b;
}
inline uint32_t attention_mask(const block& b) {
  uint32_t mask = 0;
  for (int i = 0; i < 16; ++i) mask |= uint32_t{kByteClasses[b.bytes[i]] != kPlain} << i;
  return mask;
}
#endif

// Whether the fewer than 16 bytes from p to end are all kPlain, tested as one block of
// overlapping loads (a byte seen twice or a space of padding changes nothing).
inline bool tail_is_plain(const unsigned char* p, const unsigned char* end) {
  constexpr uint64_t kSpaces = 0x2020202020202020ULL;
  const size_t n = static_cast<size_t>(end - p);
  uint64_t low = kSpaces;
  uint64_t high = kSpaces;
  if (n >= 8) {
    low = load<uint64_t>(p);
    high = load<uint64_t>(end - 8);
  } else if (n >= 4) {
    low = load<uint32_t>(p) | uint64_t{load<uint32_t>(end - 4)} << 32;
  } else if (n >= 2) {
    low = kSpaces << 32 | load<uint16_t>(p) | uint64_t{load<uint16_t>(end - 2)} << 16;
  } else if (n == 1) {
    low = kSpaces << 8 | *p;
  }
  return attention_mask(make_block(low, high)) == 0;
}

// How many bytes from p on are kPlain.
size_t plain_prefix(const unsigned char* p, const unsigned char* end) {
  const unsigned char* q = p;
  for (; end - q >= 16; q += 16) {
    if (const uint32_t mask = attention_mask(load_block(q)))
      return static_cast<size_t>(q - p) + static_cast<size_t>(std::countr_zero(mask));
  }
  if (tail_is_plain(q, end)) return static_cast<size_t>(end - p);
  while (kByteClasses[*q] == kPlain) ++q;
  return static_cast<size_t>(q - p);
}

// Writes into a std::string through a cursor: one capacity check per token rather than one per
// byte. The string is trimmed to what was written when the writer goes away.
class writer {
 public:
  explicit writer(std::string& out) : out_(out), start_(out.size()), size_(out.size()) {}
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  ~writer() { out_.resize(size_); }

  void put(char c) {
    reserve(1);
    out_[size_++] = c;
  }
  void put(std::string_view s) {
    reserve(s.size());
    std::memcpy(out_.data() + size_, s.data(), s.size());
    size_ += s.size();
  }
  // Room for `n` more bytes at cursor(); commit(k) keeps the first k of them.
  char* cursor(size_t n) {
    reserve(n);
    return out_.data() + size_;
  }
  void commit(size_t n) { size_ += n; }

 private:
  // Grows by the larger of `n` and what this writer has written so far (at least 256 bytes):
  // geometric for one large document, small for a short append to a long string.
  void reserve(size_t n) {
    if (out_.size() - size_ < n) [[unlikely]]
      grow(n);
  }
  [[gnu::noinline]] void grow(size_t n) {
    const size_t written = size_ - start_;
    out_.resize(size_ + std::max({n, written, size_t{256}}));
  }

  std::string& out_;
  const size_t start_;
  size_t size_;
};

void write_escaped_ascii(writer& w, unsigned char c) {
  switch (c) {
    case '"':
      return w.put("\\\"");
    case '\\':
      return w.put("\\\\");
    case '\n':
      return w.put("\\n");
    case '\r':
      return w.put("\\r");
    case '\t':
      return w.put("\\t");
    case '\b':
      return w.put("\\b");
    case '\f':
      return w.put("\\f");
    default:
      const char escaped[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xF]};
      w.put(std::string_view(escaped, sizeof escaped));
  }
}

inline bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the well-formed UTF-8 sequence at p (2 to 4), or 0 when it is invalid: overlong,
// a surrogate, above U+10FFFF, or truncated. Same rules as Go's utf8.DecodeRune.
size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  const size_t available = static_cast<size_t>(end - p);
  const unsigned char lead = p[0];
  if (lead >= 0xC2 && lead <= 0xDF) return available >= 2 && is_continuation(p[1]) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (available < 3 || !is_continuation(p[2])) return 0;
    unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return p[1] >= low && p[1] <= high ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (available < 4 || !is_continuation(p[2]) || !is_continuation(p[3])) return 0;
    unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return p[1] >= low && p[1] <= high ? 4 : 0;
  }
  return 0;
}

// U+2028 and U+2029 are valid JSON but break JavaScript; Go escapes them.
inline bool is_js_line_terminator(const unsigned char* p, size_t length) {
  return length == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
}

// Writes the shortest round-trip digits of d in plain decimal notation, as Go's
// strconv.FormatFloat(d, 'f', -1, 64): 1e20 is "100000000000000000000", 2^63 is
// "9223372036854776000" (std::to_chars with chars_format::fixed would print every digit).
void append_fixed(std::string& out, double d) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<size_t>(end - buffer));
  if (text.front() == '-') {
    out.push_back('-');
    text.remove_prefix(1);
  }
  const size_t e = text.find('e');
  int exponent = 0;
  const char* exponent_begin = text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0);
  std::from_chars(exponent_begin, text.data() + text.size(), exponent);
  std::string digits(text.substr(0, e));
  if (digits.size() > 1) digits.erase(1, 1);  // drop the decimal point
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
    return;
  }
  const size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    out += digits;
    out.append(integer_digits - digits.size(), '0');
    return;
  }
  out.append(digits, 0, integer_digits);
  out.push_back('.');
  out.append(digits, integer_digits);
}

// Go's encoding/json float format: exponent form only for very small or very large
// magnitudes, and e-07 written as e-7.
void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  const double magnitude = std::fabs(d);
  if (magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21)) {
    append_fixed(out, d);
    return;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
  size_t length = static_cast<size_t>(end - buffer);
  if (length >= 4 && buffer[length - 4] == 'e' && buffer[length - 3] == '-' &&
      buffer[length - 2] == '0') {
    buffer[length - 2] = buffer[length - 1];
    --length;
  }
  out.append(buffer, length);
}

void write_integer(writer& w, int64_t i) {
  char* begin = w.cursor(24);
  auto [end, ec] = std::to_chars(begin, begin + 24, i);
  w.commit(static_cast<size_t>(end - begin));
}

void write_double(writer& w, double d) {
  std::string text;
  append_double(text, d);
  w.put(text);
}

// Writes the byte or UTF-8 sequence at p, which is not kPlain; returns where the next one starts.
const unsigned char* write_special(writer& w, const unsigned char* p, const unsigned char* end) {
  if (kByteClasses[*p] == kEscape) {
    write_escaped_ascii(w, *p);
    return p + 1;
  }
  const size_t length = utf8_sequence_length(p, end);
  if (length == 0) {
    w.put("\\ufffd");
    return p + 1;
  }
  if (is_js_line_terminator(p, length))
    w.put(p[2] == 0xA8 ? "\\u2028" : "\\u2029");
  else
    w.put(std::string_view(reinterpret_cast<const char*>(p), length));
  return p + length;
}

// The rest of a string from its first byte that is not kPlain.
void write_special_rest(writer& w, const unsigned char* p, const unsigned char* end) {
  while (p < end) {
    p = write_special(w, p, end);
    const size_t plain = plain_prefix(p, end);
    w.put(std::string_view(reinterpret_cast<const char*>(p), plain));
    p += plain;
  }
}

// memcpy without a library call for the short strings most documents are made of.
template <typename T>
inline void copy_overlapping(char* to, const char* from, size_t n) {
  const T head = load<T>(from);
  const T tail = load<T>(from + n - sizeof(T));
  std::memcpy(to, &head, sizeof(T));
  std::memcpy(to + n - sizeof(T), &tail, sizeof(T));
}

inline void copy_bytes(char* to, const char* from, size_t n) {
  if (n > 16)
    std::memcpy(to, from, n);
  else if (n >= 8)
    copy_overlapping<uint64_t>(to, from, n);
  else if (n >= 4)
    copy_overlapping<uint32_t>(to, from, n);
  else if (n >= 2)
    copy_overlapping<uint16_t>(to, from, n);
  else if (n == 1)
    *to = *from;
}

// s quoted when its first `plain` bytes are kPlain and the next is not.
[[gnu::noinline]] void write_quoted_escaping(writer& w, std::string_view s, size_t plain) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  w.put('"');
  w.put(s.substr(0, plain));
  write_special_rest(w, p + plain, p + s.size());
  w.put('"');
}

// s quoted, then `suffix`: one copy when s needs no escapes.
inline void write_quoted_then(writer& w, std::string_view s, std::string_view suffix) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t plain = plain_prefix(p, p + s.size());
  if (plain != s.size()) [[unlikely]] {
    write_quoted_escaping(w, s, plain);
    return w.put(suffix);
  }
  const size_t length = s.size() + 2 + suffix.size();
  char* out = w.cursor(length);
  out[0] = '"';
  copy_bytes(out + 1, s.data(), s.size());
  out[s.size() + 1] = '"';
  std::memcpy(out + s.size() + 2, suffix.data(), suffix.size());
  w.commit(length);
}

void write_quoted(writer& w, std::string_view s) {
  write_quoted_then(w, s, "");  // not {}: memcpy from a null pointer is undefined, even of 0 bytes
}

// An object member's key and its colon.
void write_key(writer& w, std::string_view key) {
  write_quoted_then(w, key, ":");
}

void write_value(writer& w, const value& v) {
  switch (v.type()) {
    case kind::null:
      return w.put("null");
    case kind::boolean:
      return w.put(v.as_bool() ? "true" : "false");
    case kind::integer:
      return write_integer(w, v.as_int());
    case kind::number:
      return write_double(w, v.as_double());
    case kind::string:
      return write_quoted(w, v.as_string());
    case kind::array: {
      w.put('[');
      bool first = true;
      for (const value& item : v.as_array()) {
        if (!first) w.put(',');
        first = false;
        write_value(w, item);
      }
      return w.put(']');
    }
    case kind::object: {
      w.put('{');
      bool first = true;
      for (const member& m : v.as_object()) {
        if (!first) w.put(',');
        first = false;
        write_key(w, m.key);
        write_value(w, m.val);
      }
      return w.put('}');
    }
  }
}

}  // namespace

void append_quoted(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  if (plain_prefix(p, p + s.size()) == s.size()) {
    // Without a writer, whose headroom would be zero-filled and cut off again for a short append.
    out.append(1, '"').append(s).append(1, '"');
    return;
  }
  writer w(out);
  write_quoted(w, s);
}

void dump_to(const value& v, std::string& out) {
  writer w(out);
  write_value(w, v);
}

std::string_view go_kind_name(const value& v) {
  switch (v.type()) {
    case kind::null:
      return "null";
    case kind::boolean:
      return "bool";
    case kind::integer:
    case kind::number:
      return "number";
    case kind::string:
      return "string";
    case kind::array:
      return "array";
    case kind::object:
      return "object";
  }
  return "value";
}

std::string dump(const value& v) {
  std::string out;
  dump_to(v, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing: state shared by both parsers

namespace {

// Nesting limit whatever the caller asks: bounds the recursion of the parsers here (the slow
// parser needs about 300 bytes of stack per level). Go's own hard limit is 10000.
constexpr size_t kHardMaxDepth = 1000;
// As sigs.k8s.io/json: report at most this many distinct duplicate fields.
constexpr size_t kMaxReportedDuplicates = 100;

// One step of the path to the value being parsed: an object key or an array index.
class parse_state {
 public:
  parse_state(const parse_options& options, parse_result& result)
      : max_depth_(std::min(options.max_depth, kHardMaxDepth)),
        room_to_grow_(options.room_to_grow),
        result_(result) {
    path_.reserve(k_usual_path_depth);
  }

  size_t max_depth() const { return max_depth_; }
  size_t object_capacity(size_t members) const { return room_to_grow_ ? 2 * members : members; }
  std::vector<path_step>& path() { return path_; }

  // Forgets what a failed attempt recorded.
  void reset() {
    path_.clear();
    result_.duplicate_keys.clear();
  }

  // Records that the key now at the end of path() was already present in its object.
  void record_duplicate() {
    if (result_.duplicate_keys.size() >= kMaxReportedDuplicates) return;
    std::string dotted = dotted_path();
    auto& seen = result_.duplicate_keys;
    if (std::find(seen.begin(), seen.end(), dotted) == seen.end()) seen.push_back(dotted);
  }

  bool fail(std::string message) {
    result_.error = std::move(message);
    return false;
  }

 private:
  std::string dotted_path() const { return json::dotted_path(path_); }

  size_t max_depth_;
  bool room_to_grow_;
  parse_result& result_;
  std::vector<path_step> path_;
};

// Finds members of an object under construction by key: a linear scan while the object is
// small, a hash index once it grows.
class member_finder {
 public:
  explicit member_finder(const object& members) : members_(members) {}

  std::optional<size_t> find(std::string_view key) {
    last_key_bit_ = key_bit(key);
    if (members_.size() > kLinearLimit) return find_indexed(key);
    if ((seen_ & last_key_bit_) == 0) return std::nullopt;
    for (size_t i = 0; i < members_.size(); ++i) {
      if (key_equals(members_[i].key, key)) return i;
    }
    return std::nullopt;
  }

  // Call after appending the member whose key find() was last given.
  void added() {
    seen_ |= last_key_bit_;
    if (index_) index_->emplace(members_.back().key, members_.size() - 1);
  }

 private:
  static constexpr size_t kLinearLimit = 24;

  // Out of line: large objects are rare, and inlined this made every find() costlier.
  [[gnu::noinline]] std::optional<size_t> find_indexed(std::string_view key) {
    if (!index_) {
      index_.emplace();
      index_->reserve(members_.size() * 2);
      for (size_t i = 0; i < members_.size(); ++i) index_->emplace(members_[i].key, i);
    }
    auto it = index_->find(key);
    if (it == index_->end()) return std::nullopt;
    return it->second;
  }

  // One of 64 bits picked from the key's length and end bytes: a key whose bit is not yet in
  // seen_ is certainly new, which spares most linear scans.
  static uint64_t key_bit(std::string_view key) {
    size_t mix = key.size() * 7;
    if (!key.empty())
      mix += static_cast<unsigned char>(key.front()) * 5u + static_cast<unsigned char>(key.back());
    return uint64_t{1} << (mix & 63);
  }

  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using key_index = std::unordered_map<std::string, size_t, string_hash, std::equal_to<>>;

  const object& members_;
  uint64_t seen_ = 0;
  uint64_t last_key_bit_ = 0;
  std::optional<key_index> index_;  // built once the object outgrows linear scans
};

// ---------------------------------------------------------------------------------------------
// Fast path: simdjson DOM to value

// Converts simdjson's DOM. Fails when the nesting is deeper than allowed: simdjson does not
// count empty containers towards its depth limit, Go does.
class dom_converter {
 public:
  explicit dom_converter(parse_state& state) : state_(state) {}

  bool convert(simdjson::dom::element root, value& out) {
    out = to_value(root);
    return !too_deep_;
  }

 private:
  // An element still to convert. It converts as it initializes a value (an emplace_back
  // argument), so the value is built in its final place instead of being moved there.
  struct pending {
    dom_converter& converter;
    simdjson::dom::element element;
    operator value() const { return converter.to_value(element); }
  };

  // A member key, likewise copied straight into the member's string.
  struct pending_key {
    std::string_view text;
    operator std::string() const { return std::string(text); }
  };

  value to_value(simdjson::dom::element element) {
    using simdjson::dom::element_type;
    switch (element.type()) {
      case element_type::OBJECT:
        return object_value(element.get_object().value_unsafe());
      case element_type::ARRAY:
        return array_value(element.get_array().value_unsafe());
      case element_type::STRING:
        return value(element.get_string().value_unsafe());
      case element_type::INT64:
        return value(element.get_int64().value_unsafe());
      case element_type::UINT64:
        return value(static_cast<double>(element.get_uint64().value_unsafe()));
      case element_type::DOUBLE:
        return value(element.get_double().value_unsafe());
      case element_type::BOOL:
        return value(element.get_bool().value_unsafe());
      default:
        return value();
    }
  }

  // The path holds one step per enclosing container.
  bool enter() {
    too_deep_ = too_deep_ || state_.path().size() >= state_.max_depth();
    return !too_deep_;
  }

  value array_value(simdjson::dom::array items) {
    value out(array{});
    if (!enter()) return out;
    array& converted = out.as_array();
    converted.reserve(items.size());
    state_.path().push_back(path_step{.key = {}, .index = 0, .is_index = true});
    for (simdjson::dom::element item : items) {
      state_.path().back().index = converted.size();
      converted.emplace_back(pending{*this, item});
      if (too_deep_) return out;
    }
    state_.path().pop_back();
    return out;
  }

  value object_value(simdjson::dom::object fields) {
    value out(object{});
    if (!enter()) return out;
    object& members = out.as_object();
    members.reserve(state_.object_capacity(fields.size()));
    member_finder finder(members);
    state_.path().emplace_back();
    for (simdjson::dom::key_value_pair field : fields) {
      state_.path().back().key = field.key;
      if (std::optional<size_t> existing = finder.find(field.key)) {
        state_.record_duplicate();
        members[*existing].val = to_value(field.value);  // the last occurrence wins, in place
      } else {
        members.emplace_back(pending_key{field.key}, pending{*this, field.value});
        finder.added();
      }
      if (too_deep_) return out;
    }
    state_.path().pop_back();
    return out;
  }

  parse_state& state_;
  bool too_deep_ = false;
};

// ---------------------------------------------------------------------------------------------
// Slow path: Go-compatible parser

// Go's quoteChar: how a byte appears in "invalid character ..." messages.
std::string quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  switch (c) {
    case '\a':
      return "'\\a'";
    case '\b':
      return "'\\b'";
    case '\f':
      return "'\\f'";
    case '\n':
      return "'\\n'";
    case '\r':
      return "'\\r'";
    case '\t':
      return "'\\t'";
    case '\v':
      return "'\\v'";
    case '\\':
      return "'\\\\'";
  }
  if (c < 0x20 || c == 0x7F) {
    return std::string("'\\x") + kHexDigits[c >> 4] + kHexDigits[c & 0xF] + "'";
  }
  if (c < 0x80) return std::string("'") + static_cast<char>(c) + "'";
  // Go quotes the byte as the rune U+0080..U+00FF.
  if (c < 0xA1 || c == 0xAD) {
    return std::string("'\\u00") + kHexDigits[c >> 4] + kHexDigits[c & 0xF] + "'";
  }
  return std::string("'") + static_cast<char>(0xC0 | (c >> 6)) +
         static_cast<char>(0x80 | (c & 0x3F)) + "'";
}

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class text_parser {
 public:
  text_parser(std::string_view text, parse_state& state) : text_(text), state_(state) {}

  bool parse_document(value& out) {
    if (!parse_value(out, 0)) return false;
    skip_space();
    if (pos_ < text_.size()) return syntax_error("after top-level value");
    return true;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void skip_space() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  // Reports the byte at pos_ (or the end of input) as Go's scanner does.
  bool syntax_error(std::string_view context) {
    if (at_end()) return state_.fail("unexpected end of JSON input");
    return state_.fail("invalid character " + quote_char(static_cast<unsigned char>(peek())) + " " +
                       std::string(context) + " at offset " + std::to_string(pos_));
  }

  bool parse_value(value& out, size_t depth) {
    skip_space();
    if (at_end()) return syntax_error("");
    switch (peek()) {
      case '{':
        return enter(depth) && parse_object(out, depth + 1);
      case '[':
        return enter(depth) && parse_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!parse_string(s)) return false;
        out = value(std::move(s));
        return true;
      }
      case 't':
        return parse_literal("true", value(true), out);
      case 'f':
        return parse_literal("false", value(false), out);
      case 'n':
        return parse_literal("null", value(), out);
      default:
        if (peek() == '-' || is_digit(peek())) return parse_number(out);
        return syntax_error("looking for beginning of value");
    }
  }

  bool enter(size_t depth) {
    if (depth < state_.max_depth()) return true;
    return state_.fail("exceeded max depth of " + std::to_string(state_.max_depth()) +
                       " at offset " + std::to_string(pos_));
  }

  bool parse_literal(std::string_view word, value literal, value& out) {
    for (size_t i = 1; i < word.size(); ++i) {
      ++pos_;
      if (at_end() || peek() != word[i]) {
        return syntax_error("in literal " + std::string(word) + " (expecting '" + word[i] + "')");
      }
    }
    ++pos_;
    out = std::move(literal);
    return true;
  }

  bool parse_array(value& out, size_t depth) {
    ++pos_;  // '['
    array items;
    state_.path().push_back(path_step{.key = {}, .index = 0, .is_index = true});
    skip_space();
    if (!at_end() && peek() == ']') {
      ++pos_;
    } else {
      while (true) {
        state_.path().back().index = items.size();
        if (!parse_value(items.emplace_back(), depth)) return false;
        skip_space();
        if (at_end()) return syntax_error("");
        if (peek() == ']') {
          ++pos_;
          break;
        }
        if (peek() != ',') return syntax_error("after array element");
        ++pos_;
      }
    }
    state_.path().pop_back();
    out = value(std::move(items));
    return true;
  }

  bool parse_object(value& out, size_t depth) {
    ++pos_;  // '{'
    object members;
    member_finder finder(members);
    state_.path().emplace_back();
    skip_space();
    if (!at_end() && peek() == '}') {
      ++pos_;
    } else {
      while (true) {
        if (!parse_member(members, finder, depth)) return false;
        skip_space();
        if (at_end()) return syntax_error("");
        if (peek() == '}') {
          ++pos_;
          break;
        }
        if (peek() != ',') return syntax_error("after object key:value pair");
        ++pos_;
      }
    }
    state_.path().pop_back();
    out = value(std::move(members));
    return true;
  }

  bool parse_member(object& members, member_finder& finder, size_t depth) {
    skip_space();
    if (at_end() || peek() != '"')
      return syntax_error("looking for beginning of object key string");
    std::string key;
    if (!parse_string(key)) return false;
    skip_space();
    if (at_end() || peek() != ':') return syntax_error("after object key");
    ++pos_;
    state_.path().back().key = key;
    value member_value;
    if (!parse_value(member_value, depth)) return false;
    if (std::optional<size_t> existing = finder.find(key)) {
      state_.record_duplicate();
      members[*existing].val = std::move(member_value);
    } else {
      members.push_back(member{std::move(key), std::move(member_value)});
      finder.added();
    }
    return true;
  }

  // Decodes the string starting at the opening quote at pos_. Invalid UTF-8 becomes U+FFFD.
  bool parse_string(std::string& out) {
    ++pos_;
    size_t pending = pos_;
    while (true) {
      if (at_end()) return syntax_error("");
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        out.append(text_, pending, pos_ - pending);
        ++pos_;
        return true;
      }
      if (c < 0x20) return syntax_error("in string literal");
      if (c == '\\') {
        out.append(text_, pending, pos_ - pending);
        if (!parse_escape(out)) return false;
        pending = pos_;
      } else if (c >= 0x80) {
        const auto* p = reinterpret_cast<const unsigned char*>(text_.data()) + pos_;
        const auto* end = reinterpret_cast<const unsigned char*>(text_.data()) + text_.size();
        const size_t length = utf8_sequence_length(p, end);
        if (length == 0) {
          out.append(text_, pending, pos_ - pending);
          out += kReplacementCharacter;
          pending = pos_ + 1;
        }
        pos_ += std::max<size_t>(length, 1);
      } else {
        ++pos_;
      }
    }
  }

  // Decodes the escape sequence at pos_ (a backslash).
  bool parse_escape(std::string& out) {
    ++pos_;
    if (at_end()) return syntax_error("");
    const char c = peek();
    ++pos_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        return parse_unicode_escape(out);
      default:
        --pos_;
        return syntax_error("in string escape code");
    }
  }

  // pos_ is just after "\u". Surrogate pairs combine; a lone surrogate becomes U+FFFD (as Go).
  bool parse_unicode_escape(std::string& out) {
    std::optional<uint32_t> code_point = read_hex4();
    if (!code_point) return false;
    if (*code_point >= 0xD800 && *code_point < 0xDC00) {
      if (std::optional<uint32_t> low = peek_low_surrogate()) {
        pos_ += 6;
        append_utf8(out, 0x10000 + ((*code_point - 0xD800) << 10) + (*low - 0xDC00));
        return true;
      }
      out += kReplacementCharacter;
      return true;
    }
    if (*code_point >= 0xDC00 && *code_point < 0xE000) {
      out += kReplacementCharacter;
      return true;
    }
    append_utf8(out, *code_point);
    return true;
  }

  std::optional<uint32_t> read_hex4() {
    uint32_t code_point = 0;
    for (int i = 0; i < 4; ++i) {
      if (at_end() || hex_value(peek()) < 0) {
        syntax_error("in \\u hexadecimal character escape");
        return std::nullopt;
      }
      code_point = code_point * 16 + static_cast<uint32_t>(hex_value(peek()));
      ++pos_;
    }
    return code_point;
  }

  // A complete "\uDC00".."\uDFFF" escape at pos_, without consuming it.
  std::optional<uint32_t> peek_low_surrogate() const {
    if (text_.size() - pos_ < 6 || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
      return std::nullopt;
    }
    uint32_t code_point = 0;
    for (size_t i = pos_ + 2; i < pos_ + 6; ++i) {
      int digit = hex_value(text_[i]);
      if (digit < 0) return std::nullopt;
      code_point = code_point * 16 + static_cast<uint32_t>(digit);
    }
    if (code_point < 0xDC00 || code_point >= 0xE000) return std::nullopt;
    return code_point;
  }

  void skip_digits() {
    while (!at_end() && is_digit(peek())) ++pos_;
  }

  bool parse_number(value& out) {
    const size_t start = pos_;
    if (peek() == '-') {
      ++pos_;
      if (at_end() || !is_digit(peek())) return syntax_error("in numeric literal");
    }
    if (peek() == '0') {
      ++pos_;
    } else {
      skip_digits();
    }
    bool integral = true;
    if (!at_end() && peek() == '.') {
      integral = false;
      ++pos_;
      if (at_end() || !is_digit(peek()))
        return syntax_error("after decimal point in numeric literal");
      skip_digits();
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      integral = false;
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (at_end() || !is_digit(peek())) return syntax_error("in exponent of numeric literal");
      skip_digits();
    }
    return make_number(text_.substr(start, pos_ - start), integral, start, out);
  }

  // Integers that fit int64 stay integers; everything else is a double (as Kubernetes'
  // PreserveInts decoding). Out of range for a double is an error, as in Go.
  bool make_number(std::string_view literal, bool integral, size_t offset, value& out) {
    const char* first = literal.data();
    const char* last = first + literal.size();
    if (integral) {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(first, last, i);
      if (ec == std::errc() && ptr == last) {
        out = value(i);
        return true;
      }
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec == std::errc::result_out_of_range)
      d = std::strtod(std::string(literal).c_str(), nullptr);
    if (!std::isfinite(d)) {
      return state_.fail("json: cannot unmarshal number " + std::string(literal) +
                         " into a float64 (out of range) at offset " + std::to_string(offset));
    }
    out = value(d);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  parse_state& state_;
};

// ---------------------------------------------------------------------------------------------
// parse()

// Parsers keep the largest buffers they have needed; a thread that once parsed a huge document
// gives the memory back when it is above this.
constexpr size_t kRetainedParserCapacity = 16 << 20;

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Parses with simdjson; returns the error code (SUCCESS with `out` filled).
simdjson::error_code parse_fast(std::string_view text, parse_state& state, value& out) {
  simdjson::dom::parser& parser = thread_parser();
  const size_t simdjson_depth = state.max_depth() + 1;  // simdjson counts the root level too
  if (parser.max_depth() != simdjson_depth) {
    simdjson::error_code error =
        parser.allocate(std::max<size_t>(text.size(), 4096), simdjson_depth);
    if (error) return error;
  }
  simdjson::dom::element root;
  simdjson::error_code error = parser.parse(text.data(), text.size(), true).get(root);
  if (!error && !dom_converter(state).convert(root, out)) error = simdjson::DEPTH_ERROR;
  if (parser.capacity() > kRetainedParserCapacity) parser = simdjson::dom::parser();
  return error;
}

}  // namespace

parse_result parse(std::string_view text, value& out, const parse_options& options) {
  parse_result result;
  parse_state state(options, result);
  value parsed;
  const simdjson::error_code error = parse_fast(text, state, parsed);
  if (error == simdjson::MEMALLOC || error == simdjson::CAPACITY) {
    result.error = std::string("json: ") + simdjson::error_message(error);
    return result;
  }
  if (error) {
    // simdjson refused: either a real syntax error (reported as Go does) or something Go
    // accepts that simdjson does not. The Go-compatible parser decides.
    state.reset();
    if (!text_parser(text, state).parse_document(parsed)) return result;
  }
  if (options.reject_duplicate_keys && !result.duplicate_keys.empty()) {
    std::string message = "json: ";
    for (size_t i = 0; i < result.duplicate_keys.size(); ++i) {
      if (i > 0) message += ", ";
      message += "duplicate field \"" + result.duplicate_keys[i] + "\"";
    }
    result.error = std::move(message);
    return result;
  }
  out = std::move(parsed);
  result.ok = true;
  return result;
}

}  // namespace kactor::json
