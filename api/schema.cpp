// The type table (generated), Go-compatible scalar codecs (Quantity, RFC 3339 times, base64) and
// the schema walks: check_object (decode errors, unknown fields) and normalize_object.
#include "api/schema.hpp"

#include "api/name_table.hpp"
#include "api/path_steps.hpp"
#include "api/status.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>

namespace kactor::api::schema {

namespace {
using K = value_kind;
#include "api/schema_gen.inc"

constexpr std::string_view kTypeMetaMessage = "k8s.io.apimachinery.pkg.apis.meta.v1.TypeMeta";
}  // namespace

// ---- The table -------------------------------------------------------------------------------

std::string_view to_string(value_kind kind) {
  switch (kind) {
    case K::none:
      return "none";
    case K::string:
      return "string";
    case K::int32:
      return "int32";
    case K::int64:
      return "int64";
    case K::boolean:
      return "bool";
    case K::bytes:
      return "bytes";
    case K::message:
      return "message";
    case K::map:
      return "map";
    case K::quantity:
      return "quantity";
    case K::int_or_string:
      return "int_or_string";
    case K::time:
      return "time";
    case K::micro_time:
      return "micro_time";
    case K::raw:
      return "raw";
    case K::fields_v1:
      return "fields_v1";
  }
  return "none";
}

const message_type* field::type() const {
  return type_index >= 0 ? &kGeneratedMessages[type_index] : nullptr;
}

const message_type& field::owner() const {
  return kGeneratedMessages[owner_index];
}

std::span<const field> message_type::fields() const {
  return {kGeneratedFields + first_field, field_count};
}

namespace {

// find_field by walking the table; the reference the per-message indexes are built from.
const field* scan_for_field(const message_type& m, std::string_view json_name) {
  // Go lets a struct's own fields shadow those promoted from embedded structs.
  for (const field& f : m.fields()) {
    if (!f.inlined && f.name == json_name) return &f;
  }
  for (const field& f : m.fields()) {
    if (!f.inlined) continue;
    if (const field* promoted = scan_for_field(*f.type(), json_name)) return promoted;
  }
  return m.has_type_meta ? scan_for_field(type_meta(), json_name) : nullptr;
}

// Every JSON name scan_for_field can resolve for `m`.
void collect_field_names(const message_type& m, std::vector<std::string_view>& names) {
  for (const field& f : m.fields()) {
    if (!f.inlined) {
      names.push_back(f.name);
    } else if (f.type()) {
      collect_field_names(*f.type(), names);
    }
  }
  if (m.has_type_meta && &m != &type_meta()) collect_field_names(type_meta(), names);
}

// A message's fields by JSON name: find_field runs for every member of every object that is
// checked, normalised or defaulted.
using field_index = name_table<const field*>;

field_index make_field_index(const message_type& m) {
  std::vector<std::string_view> names;
  collect_field_names(m, names);
  std::vector<std::pair<std::string_view, const field*>> entries;
  entries.reserve(names.size());
  for (std::string_view name : names) entries.emplace_back(name, scan_for_field(m, name));
  return field_index(entries);
}

const field_index* index_of(const message_type& m) {
  static const std::vector<field_index> indexes = [] {
    std::vector<field_index> all;
    all.reserve(std::size(kGeneratedMessages));
    for (const message_type& message : kGeneratedMessages) all.push_back(make_field_index(message));
    return all;
  }();
  const auto* first = std::begin(kGeneratedMessages);
  const std::less<const message_type*> before;
  if (before(&m, first) || !before(&m, std::end(kGeneratedMessages))) return nullptr;
  return &indexes[static_cast<size_t>(&m - first)];
}

}  // namespace

const field* message_type::find_field(std::string_view json_name) const {
  if (const field_index* index = index_of(*this)) {
    const field* const* found = index->find(json_name);
    return found ? *found : nullptr;
  }
  return scan_for_field(*this, json_name);
}

const field* message_type::find_field_by_number(int number) const {
  for (const field& f : fields()) {
    if (f.number == number) return &f;
  }
  return nullptr;
}

namespace {

std::optional<int> declaration_position(const message_type& m, std::string_view key, int& counter) {
  for (const field& f : m.fields()) {
    if (f.inlined && f.type()) {
      if (auto position = declaration_position(*f.type(), key, counter)) return position;
      continue;
    }
    if (f.name == key) return counter;
    ++counter;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> message_type::json_position(std::string_view json_name) const {
  if (has_type_meta && json_name == "kind") return -2;
  if (has_type_meta && json_name == "apiVersion") return -1;
  int counter = 0;
  return declaration_position(*this, json_name, counter);
}

std::string message_type::go_type_name() const {
  std::string out(go_package);
  out += '.';
  out += name;
  return out;
}

std::span<const message_type> all_messages() {
  return kGeneratedMessages;
}

const message_type* find_message(std::string_view full_name) {
  // A request looks up its resource's message several times: the last one found is kept.
  static std::atomic<const message_type*> last_found{nullptr};
  const message_type* last = last_found.load(std::memory_order_relaxed);
  if (last && last->full_name == full_name) return last;
  const auto messages = all_messages();
  auto it = std::lower_bound(
      messages.begin(), messages.end(), full_name,
      [](const message_type& m, std::string_view name) { return m.full_name < name; });
  if (it == messages.end() || it->full_name != full_name) return nullptr;
  last_found.store(&*it, std::memory_order_relaxed);
  return &*it;
}

const message_type& type_meta() {
  static const message_type* meta = find_message(kTypeMetaMessage);
  return *meta;
}

namespace {

std::string kind_go_type(value_kind kind, const message_type* type) {
  switch (kind) {
    case K::string:
      return "string";
    case K::int32:
      return "int32";
    case K::int64:
      return "int64";
    case K::boolean:
      return "bool";
    case K::bytes:
      return "[]uint8";
    case K::raw:
      return type ? type->go_type_name() : "runtime.RawExtension";
    default:
      return type ? type->go_type_name() : "interface {}";
  }
}

}  // namespace

std::string go_type(const field& f) {
  if (!f.go_type.empty()) return std::string(f.go_type);
  if (f.is_map()) return "map[string]" + kind_go_type(f.map_value, f.type());
  std::string element = kind_go_type(f.kind, f.type());
  return f.repeated ? "[]" + element : element;
}

std::string element_go_type(const field& f) {
  std::string_view named = f.go_type;
  if (named.starts_with("[]")) return std::string(named.substr(2));
  if (named.starts_with("map[")) return std::string(named.substr(named.find(']') + 1));
  if (!named.empty() && !f.repeated && !f.is_map()) return std::string(named);
  return kind_go_type(f.element_kind(), f.type());
}

// ---- Small Go-compatible helpers -------------------------------------------------------------

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The quote() of Go's time package: bytes outside printable ASCII become \xNN.
std::string time_quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x80 || c < 0x20) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<char>(c);
  }
  return out + "\"";
}

// strings.TrimSpace for ASCII whitespace.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// strconv.ParseInt(s, 10, 64).
bool go_parse_int(std::string_view s, int64_t& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t magnitude = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    if (magnitude > (std::numeric_limits<uint64_t>::max() - 9) / 10) return false;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  const uint64_t limit = uint64_t{1} << 63;
  if (magnitude > (negative ? limit : limit - 1)) return false;
  out = negative ? static_cast<int64_t>(~magnitude + 1) : static_cast<int64_t>(magnitude);
  return true;
}

// The JSON text of a number as close to what a client sent as the DOM allows.
std::string number_text(const json::value& v) {
  if (v.is_int()) return std::to_string(v.as_int());
  const double d = v.as_double();
  char buffer[64];
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e21) {
    std::snprintf(buffer, sizeof buffer, "%.0f", d);
    return buffer;
  }
  auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
  return std::string(buffer, result.ptr);
}

// ---- Decimal digit strings (arbitrary precision magnitudes) ---------------------------------

void strip_leading_zeros(std::string& digits) {
  if (digits.empty() || digits[0] != '0') return;
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    digits = "0";
  } else {
    digits.erase(0, first);
  }
}

void multiply_small(std::string& digits, unsigned factor) {
  unsigned carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned product = static_cast<unsigned>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + product % 10);
    carry = product / 10;
  }
  while (carry > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

// Divides in place and returns the remainder.
unsigned divide_small(std::string& digits, unsigned divisor) {
  unsigned remainder = 0;
  for (char& c : digits) {
    unsigned current = remainder * 10 + static_cast<unsigned>(c - '0');
    c = static_cast<char>('0' + current / divisor);
    remainder = current % divisor;
  }
  strip_leading_zeros(digits);
  return remainder;
}

void increment(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

// Compares a*10^ea with b*10^eb; digits are non-zero without leading zeros.
int compare_magnitude(std::string_view a, int64_t ea, std::string_view b, int64_t eb) {
  const int64_t order_a = static_cast<int64_t>(a.size()) + ea;
  const int64_t order_b = static_cast<int64_t>(b.size()) + eb;
  if (order_a != order_b) return order_a < order_b ? -1 : 1;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    char ca = i < a.size() ? a[i] : '0';
    char cb = i < b.size() ? b[i] : '0';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

}  // namespace

// ---- Quantities ------------------------------------------------------------------------------

namespace {

constexpr std::string_view kErrFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kErrNumeric = "unable to parse numeric part of quantity";
constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";
constexpr std::string_view kMaxInt64 = "9223372036854775807";

struct quantity_parts {
  bool positive = true;
  std::string_view value, num, denom, suffix;
};

struct suffix_info {
  int base;
  int32_t exponent;
  quantity_format format;
};

struct named_suffix {
  std::string_view text;
  int32_t exponent;
};
constexpr named_suffix kDecimalSuffixes[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
                                             {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
constexpr named_suffix kBinarySuffixes[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                            {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};

bool is_suffix_char(char c) {
  switch (c) {
    case 'e':
    case 'E':
    case 'i':
    case 'n':
    case 'u':
    case 'm':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P':
      return true;
    default:
      return false;
  }
}

bool is_zero_digits(std::string_view digits) {
  return digits.size() == 1 && digits[0] == '0';
}

// parseQuantityString: sign, number and suffix; false for ErrFormatWrong.
bool split_quantity(std::string_view str, quantity_parts& p) {
  size_t pos = 0;
  const size_t end = str.size();
  if (pos < end && (str[0] == '-' || str[0] == '+')) {
    p.positive = str[0] == '+';
    ++pos;
  }
  for (size_t i = pos;; ++i, ++pos) {  // leading zeros
    if (i >= end) {
      p.num = p.value = "0";
      return true;
    }
    if (str[i] != '0') break;
  }
  for (size_t i = pos;; ++i) {  // numerator
    if (i >= end) {
      p.num = str.substr(pos);
      p.value = str;
      return true;
    }
    if (!is_digit(str[i])) {
      p.num = str.substr(pos, i - pos);
      pos = i;
      break;
    }
  }
  if (p.num.empty()) p.num = "0";
  if (pos < end && str[pos] == '.') {  // denominator
    ++pos;
    for (size_t i = pos;; ++i) {
      if (i >= end) {
        p.denom = str.substr(pos);
        p.value = str;
        return true;
      }
      if (!is_digit(str[i])) {
        p.denom = str.substr(pos, i - pos);
        pos = i;
        break;
      }
    }
  }
  p.value = str.substr(0, pos);
  const size_t suffix_start = pos;
  for (size_t i = pos;; ++i) {
    if (i >= end) {
      p.suffix = str.substr(suffix_start);
      return true;
    }
    if (!is_suffix_char(str[i])) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
  for (size_t i = pos; i < end; ++i) {
    if (!is_digit(str[i])) return false;
  }
  p.suffix = str.substr(suffix_start);
  return true;
}

// The entry of `table` spelled `suffix`, found by its first letter (no two share one).
template <size_t N>
const named_suffix* find_suffix(const named_suffix (&table)[N], std::string_view suffix) {
  for (const auto& s : table) {
    if (!s.text.empty() && s.text[0] == suffix[0]) return s.text == suffix ? &s : nullptr;
  }
  return nullptr;
}

std::optional<suffix_info> interpret_suffix(std::string_view suffix) {
  if (suffix.empty()) return suffix_info{10, 0, quantity_format::decimal_si};
  if (const named_suffix* s = find_suffix(kDecimalSuffixes, suffix))
    return suffix_info{10, s->exponent, quantity_format::decimal_si};
  if (const named_suffix* s = find_suffix(kBinarySuffixes, suffix))
    return suffix_info{2, s->exponent, quantity_format::binary_si};
  int64_t parsed = 0;
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    if (!go_parse_int(suffix.substr(1), parsed)) return std::nullopt;
    // Go converts with int32(parsed), which wraps.
    return suffix_info{10, static_cast<int32_t>(parsed), quantity_format::decimal_exponent};
  }
  return std::nullopt;
}

// ParseQuantity's int64 fast path: whether it applies, and whether it keeps the input as the
// canonical text (Quantity.s) because the input already looks canonical.
struct fast_path {
  bool taken = false;
  bool keeps_text = false;
  int64_t binary_value = -1;  // a binary-suffixed integer ("512Mi") times its power of two
};

fast_path int64_fast_path(const quantity_parts& p, const suffix_info& s) {
  int64_t precision = -1;
  int64_t scale = 0;
  uint64_t mantissa = 1;
  const auto digit_count = static_cast<int64_t>(p.num.size() + p.denom.size());
  if (s.format != quantity_format::binary_si) {
    scale = s.exponent;
    precision = 18 - digit_count;
  } else if (s.exponent >= 0 && p.denom.empty()) {
    mantissa = uint64_t{1} << s.exponent;
    precision = 15 - static_cast<int64_t>(p.num.size()) - s.exponent * 3 / 10 - 1;
  }
  if (precision < 0) return {};
  scale -= static_cast<int64_t>(p.denom.size());
  if (scale < -9) return {};
  // precision >= 0 bounds the digits to 18.
  char buffer[24];
  std::copy(p.denom.begin(), p.denom.end(), std::copy(p.num.begin(), p.num.end(), buffer));
  const std::string_view shifted(buffer, p.num.size() + p.denom.size());
  int64_t value = 0, product = 0;
  if (!go_parse_int(shifted, value)) return {};
  if (__builtin_mul_overflow(value, static_cast<int64_t>(mantissa), &product)) return {};
  if (s.format == quantity_format::binary_si) {
    return {true, s.exponent % 10 == 0 && (value & 0x07) != 0, product};
  }
  return {true, scale % 3 == 0 && !shifted.ends_with("000") && shifted[0] != '0'};
}

// Values below 10^-9 round up (away from zero) to the nearest nano.
void round_up_to_nano(std::string& digits, int64_t& exponent) {
  if (exponent >= -9 || is_zero_digits(digits)) return;
  const int64_t drop = -9 - exponent;
  exponent = -9;
  if (drop >= static_cast<int64_t>(digits.size())) {
    digits = "1";
    return;
  }
  const size_t keep = digits.size() - static_cast<size_t>(drop);
  const bool inexact = digits.find_first_not_of('0', keep) != std::string::npos;
  digits.resize(keep);
  if (inexact) increment(digits);
  strip_leading_zeros(digits);
}

bool is_integer(const quantity& q) {
  if (q.exponent >= 0) return true;
  const auto fraction = static_cast<size_t>(-static_cast<int64_t>(q.exponent));
  if (fraction >= q.digits.size()) return q.is_zero();
  return q.digits.find_first_not_of('0', q.digits.size() - fraction) == std::string::npos;
}

// The integer digits of an integral quantity's magnitude.
std::string integer_digits(const quantity& q) {
  if (q.exponent >= 0) {
    std::string digits = q.digits;
    digits.append(static_cast<size_t>(q.exponent), '0');
    return digits;
  }
  std::string digits = q.digits.substr(0, q.digits.size() - static_cast<size_t>(-q.exponent));
  return digits.empty() ? "0" : digits;
}

// Divides the integer `number` by 1024 while it is a non-zero multiple of 1024; returns how
// many times it did.
size_t divide_out_1024(std::string& number) {
  size_t times = 0;
  if (number.size() <= 18) {  // fits in 64 bits: the same steps in machine arithmetic
    uint64_t n = 0;
    for (char c : number) n = n * 10 + static_cast<uint64_t>(c - '0');
    for (; n >= 1024 && n % 1024 == 0; n /= 1024) ++times;
    if (times > 0) number = std::to_string(n);
    return times;
  }
  for (;;) {
    std::string quotient = number;
    if (compare_magnitude(number, 0, "1024", 0) < 0 || divide_small(quotient, 1024) != 0) break;
    number = std::move(quotient);
    ++times;
  }
  return times;
}

std::string binary_si_text(const quantity& q) {
  std::string number = integer_digits(q);
  const size_t times = divide_out_1024(number);
  std::string_view suffix = times > 0 && times <= std::size(kBinarySuffixes)
                                ? kBinarySuffixes[times - 1].text
                                : std::string_view();
  std::string text = q.negative ? "-" : "";
  text += number;
  text += suffix;
  return text;
}

std::string decimal_text(const quantity& q, quantity_format format) {
  std::string mantissa = q.digits;
  int64_t exponent = q.exponent;
  while (mantissa.size() > 1 && mantissa.back() == '0') {
    mantissa.pop_back();
    ++exponent;
  }
  while (exponent % 3 != 0) {
    mantissa += '0';
    --exponent;
  }
  std::string suffix;
  if (format == quantity_format::decimal_exponent) {
    if (exponent != 0) suffix = "e" + std::to_string(exponent);
  } else {
    // Kubernetes writes no suffix when none exists for the exponent (beyond E).
    for (const auto& s : kDecimalSuffixes) {
      if (s.exponent == exponent) suffix = s.text;
    }
  }
  std::string text = q.negative ? "-" : "";
  text += mantissa;
  text += suffix;
  return text;
}

}  // namespace

bool parse_quantity(std::string_view text, quantity* out, std::string* error) {
  auto fail = [error](std::string_view message) {
    if (error) *error = message;
    return false;
  };
  if (text.empty()) return fail(kErrFormatWrong);
  if (text == "0") {
    if (out) *out = quantity{.text = "0"};
    return true;
  }
  quantity_parts parts;
  if (!split_quantity(text, parts)) return fail(kErrFormatWrong);
  const std::optional<suffix_info> suffix = interpret_suffix(parts.suffix);
  if (!suffix) return fail(kErrSuffix);
  const fast_path fast = int64_fast_path(parts, *suffix);
  // The arbitrary-precision path needs a digit (inf.Dec.SetString).
  if (!fast.taken && parts.value.find_first_of("0123456789") == std::string_view::npos) {
    return fail(kErrNumeric);
  }

  if (!out) return true;  // nothing below fails

  quantity& q = *out;
  q.format = suffix->format;
  int64_t exponent = -static_cast<int64_t>(parts.denom.size());
  if (suffix->base == 2 && fast.binary_value >= 0) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, fast.binary_value);
    q.digits.assign(buffer, end);
  } else {
    q.digits.assign(parts.num);
    q.digits.append(parts.denom);
    if (suffix->base == 10) exponent += suffix->exponent;
    for (int32_t i = 0; suffix->base == 2 && i < suffix->exponent; ++i) multiply_small(q.digits, 2);
  }
  strip_leading_zeros(q.digits);
  round_up_to_nano(q.digits, exponent);
  if (q.is_zero()) exponent = 0;
  if (q.format == quantity_format::binary_si && !q.is_zero()) {
    if (compare_magnitude(q.digits, exponent, kMaxInt64, 0) > 0) {
      q.digits = kMaxInt64;
      exponent = 0;
    }
    if (compare_magnitude(q.digits, exponent, "1", 0) < 0) q.format = quantity_format::decimal_si;
  }
  q.exponent = static_cast<int32_t>(std::clamp<int64_t>(exponent, INT32_MIN, INT32_MAX));
  q.negative = !parts.positive && !q.is_zero();
  if (fast.keeps_text) {
    q.text.assign(text);
  } else {
    q.text.clear();
  }
  return true;
}

std::string quantity::to_string() const {
  if (!text.empty()) return text;
  if (is_zero()) return "0";
  quantity_format shown = format;
  if (shown == quantity_format::binary_si &&
      (compare_magnitude(digits, exponent, "1024", 0) < 0 || !is_integer(*this))) {
    shown = quantity_format::decimal_si;  // small or fractional binary values show as decimal
  }
  return shown == quantity_format::binary_si ? binary_si_text(*this) : decimal_text(*this, shown);
}

bool quantity::scaled(int32_t scale, int64_t& out) const {
  std::string magnitude = digits;
  const int64_t shift = static_cast<int64_t>(exponent) - scale;
  if (is_zero()) {
    out = 0;
    return true;
  }
  if (shift >= 0) {
    if (shift > 19) return false;
    magnitude.append(static_cast<size_t>(shift), '0');
  } else if (-shift >= static_cast<int64_t>(magnitude.size())) {
    magnitude = "1";
  } else {
    const size_t keep = magnitude.size() - static_cast<size_t>(-shift);
    const bool inexact = magnitude.find_first_not_of('0', keep) != std::string::npos;
    magnitude.resize(keep);
    if (inexact) increment(magnitude);
  }
  int64_t value = 0;
  if (!go_parse_int(negative ? "-" + magnitude : magnitude, value)) return false;
  out = value;
  return true;
}

int compare(const quantity& a, const quantity& b) {
  const int sign_a = a.is_zero() ? 0 : (a.negative ? -1 : 1);
  const int sign_b = b.is_zero() ? 0 : (b.negative ? -1 : 1);
  if (sign_a != sign_b) return sign_a < sign_b ? -1 : 1;
  if (sign_a == 0) return 0;
  const int magnitude = compare_magnitude(a.digits, a.exponent, b.digits, b.exponent);
  return sign_a > 0 ? magnitude : -magnitude;
}

// ---- Timestamps ------------------------------------------------------------------------------

namespace {

constexpr std::string_view kRfc3339 = "2006-01-02T15:04:05Z07:00";
constexpr std::string_view kRfc3339Micro = "2006-01-02T15:04:05.000000Z07:00";
// Go's zero time.Time (January 1, year 1, UTC), which Kubernetes writes as null.
constexpr int64_t kZeroTimeSeconds = -62135596800;

enum class time_element { year, month, day, hour, minute, second, fraction6, zone, end };

struct layout_step {
  std::string_view prefix;  // literal text before the element
  time_element element;
  std::string_view text;  // the element as written in the layout
};

constexpr layout_step kRfc3339Steps[] = {
    {"", time_element::year, "2006"},   {"-", time_element::month, "01"},
    {"-", time_element::day, "02"},     {"T", time_element::hour, "15"},
    {":", time_element::minute, "04"},  {":", time_element::second, "05"},
    {"", time_element::zone, "Z07:00"}, {"", time_element::end, ""}};

constexpr layout_step kRfc3339MicroSteps[] = {{"", time_element::year, "2006"},
                                              {"-", time_element::month, "01"},
                                              {"-", time_element::day, "02"},
                                              {"T", time_element::hour, "15"},
                                              {":", time_element::minute, "04"},
                                              {":", time_element::second, "05"},
                                              {"", time_element::fraction6, ".000000"},
                                              {"", time_element::zone, "Z07:00"},
                                              {"", time_element::end, ""}};

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct civil_date {
  int64_t year;
  unsigned month, day;
};

civil_date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

int days_in_month(int month, int year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool comma_or_period(char c) {
  return c == '.' || c == ',';
}

// time.getnum: one or two digits (exactly two when fixed).
bool getnum(std::string_view& s, bool fixed, int& out) {
  if (s.empty() || !is_digit(s[0])) return false;
  if (s.size() < 2 || !is_digit(s[1])) {
    if (fixed) return false;
    out = s[0] - '0';
    s.remove_prefix(1);
    return true;
  }
  out = (s[0] - '0') * 10 + (s[1] - '0');
  s.remove_prefix(2);
  return true;
}

// time.atoi: optional sign, then only digits (none reads as 0).
bool time_atoi(std::string_view s, int64_t& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int64_t value = 0;
  for (char c : s) {
    if (!is_digit(c) || value > std::numeric_limits<int64_t>::max() / 10) return false;
    value = value * 10 + (c - '0');
  }
  out = negative ? -value : value;
  return true;
}

// time.parseNanoseconds for value[0:nbytes] (a separator, then digits).
void parse_nanoseconds(std::string_view value, size_t nbytes, int32_t& nanos,
                       std::string_view& range_error, bool& bad) {
  if (!comma_or_period(value[0])) {
    bad = true;
    return;
  }
  nbytes = std::min<size_t>(nbytes, 10);
  int64_t ns = 0;
  if (!time_atoi(value.substr(1, nbytes - 1), ns)) {
    bad = true;
    return;
  }
  if (ns < 0) {
    range_error = "fractional second";
    return;
  }
  for (size_t i = nbytes; i < 10; ++i) ns *= 10;
  nanos = static_cast<int32_t>(ns);
}

struct time_fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int32_t nanos = 0;
  int offset = 0;  // seconds east of UTC
};

// One layout element of time.Parse; consumes from value. Sets bad or range_error on failure.
void parse_element(const layout_step& step, const layout_step* next, std::string_view& value,
                   time_fields& t, bool& bad, std::string_view& range_error) {
  switch (step.element) {
    case time_element::year: {
      int64_t year = 0;
      bad = value.size() < 4 || !is_digit(value[0]) || !time_atoi(value.substr(0, 4), year);
      if (!bad) value.remove_prefix(4);
      t.year = static_cast<int>(year);
      break;
    }
    case time_element::month:
      bad = !getnum(value, true, t.month);
      if (!bad && (t.month <= 0 || t.month > 12)) range_error = "month";
      break;
    case time_element::day:
      bad = !getnum(value, true, t.day);
      break;
    case time_element::hour:
      bad = !getnum(value, false, t.hour);
      if (t.hour >= 24) range_error = "hour";
      break;
    case time_element::minute:
      bad = !getnum(value, true, t.minute);
      if (t.minute >= 60) range_error = "minute";
      break;
    case time_element::second:
      bad = !getnum(value, true, t.second);
      if (bad) break;
      if (t.second >= 60) {
        range_error = "second";
        break;
      }
      // A fraction the layout does not mention is accepted (any number of digits).
      if (value.size() >= 2 && comma_or_period(value[0]) && is_digit(value[1]) &&
          next->element != time_element::fraction6) {
        size_t n = 2;
        while (n < value.size() && is_digit(value[n])) ++n;
        parse_nanoseconds(value, n, t.nanos, range_error, bad);
        value.remove_prefix(n);
      }
      break;
    case time_element::fraction6:
      if (value.size() < 7) {
        bad = true;
        break;
      }
      parse_nanoseconds(value, 7, t.nanos, range_error, bad);
      value.remove_prefix(7);
      break;
    case time_element::zone: {
      if (!value.empty() && value[0] == 'Z') {
        value.remove_prefix(1);
        break;
      }
      if (value.size() < 6 || value[3] != ':') {
        bad = true;
        break;
      }
      const char sign = value[0];
      std::string_view hours = value.substr(1, 2), minutes = value.substr(4, 2);
      value.remove_prefix(6);
      int hr = 0, mm = 0;
      bad = !getnum(hours, true, hr) || !getnum(minutes, true, mm);
      if (hr > 24) range_error = "time zone offset hour";
      if (mm > 60) range_error = "time zone offset minute";
      t.offset = (hr * 60 + mm) * 60 * (sign == '-' ? -1 : 1);
      if (sign != '+' && sign != '-') bad = true;
      break;
    }
    case time_element::end:
      break;
  }
}

// time.Parse(layout, text) for the two layouts Kubernetes uses, with Go's error messages.
bool parse_layout(std::string_view text, std::string_view layout,
                  std::span<const layout_step> steps, timestamp* out, std::string* error) {
  auto fail = [&](std::string message) {
    if (error) *error = "parsing time " + time_quote(text) + message;
    return false;
  };
  auto cannot_parse = [&](std::string_view value_element, std::string_view layout_element) {
    return fail(" as " + time_quote(layout) + ": cannot parse " + time_quote(value_element) +
                " as " + time_quote(layout_element));
  };
  std::string_view value = text;
  time_fields t;
  for (size_t i = 0; i < steps.size(); ++i) {
    const layout_step& step = steps[i];
    if (!step.prefix.empty()) {
      if (!value.starts_with(step.prefix)) return cannot_parse(value, step.prefix);
      value.remove_prefix(step.prefix.size());
    }
    if (step.element == time_element::end) {
      if (!value.empty()) return fail(": extra text: " + time_quote(value));
      break;
    }
    const std::string_view hold = value;
    bool bad = false;
    std::string_view range_error;
    parse_element(step, i + 1 < steps.size() ? &steps[i + 1] : &step, value, t, bad, range_error);
    if (!range_error.empty()) return fail(": " + std::string(range_error) + " out of range");
    if (bad) return cannot_parse(hold, step.text);
  }
  if (t.day < 1 || t.day > days_in_month(t.month, t.year)) return fail(": day out of range");
  if (out) {
    const int64_t days =
        days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
    out->seconds = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - t.offset;
    out->nanos = t.nanos;
  }
  return true;
}

std::string format_utc(const timestamp& t, int fraction_digits) {
  const int64_t days = t.seconds >= 0 ? t.seconds / 86400 : -((-t.seconds + 86399) / 86400);
  const int64_t second_of_day = t.seconds - days * 86400;
  const civil_date date = civil_from_days(days);
  char buffer[64];
  int n = std::snprintf(
      buffer, sizeof buffer, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(date.year),
      date.month, date.day, static_cast<int>(second_of_day / 3600),
      static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
  std::string out(buffer, static_cast<size_t>(n));
  if (fraction_digits == 6) {
    std::snprintf(buffer, sizeof buffer, ".%06d", t.nanos / 1000);
    out += buffer;
  }
  return out + "Z";
}

}  // namespace

bool parse_time(std::string_view text, timestamp* out, std::string* error) {
  return parse_layout(text, kRfc3339, kRfc3339Steps, out, error);
}

bool parse_micro_time(std::string_view text, timestamp* out, std::string* error) {
  return parse_layout(text, kRfc3339Micro, kRfc3339MicroSteps, out, error);
}

std::string format_time(const timestamp& t) {
  return format_utc(t, 0);
}

std::string format_micro_time(const timestamp& t) {
  return format_utc(t, 6);
}

// ---- base64 as Go's encoding/json reads []byte (base64.StdEncoding) ---------------------------

namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  size_t pos = kBase64Alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

size_t skip_newlines(std::string_view src, size_t si) {
  while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
  return si;
}

// Decodes one 4-character quantum at si (base64.decodeQuantum). Returns false on corrupt input
// with `bad` set to the byte offset Go reports; `done` is set once padding ended the input.
bool decode_quantum(std::string_view src, size_t& si, std::string* out, size_t& bad, bool& done) {
  int buffer[4] = {0, 0, 0, 0};
  int length = 4;
  for (int j = 0; j < 4; ++j) {
    if (si == src.size()) {
      if (j == 0) {
        done = true;
        return true;
      }
      bad = si - static_cast<size_t>(j);  // incomplete quantum without padding
      return false;
    }
    const char in = src[si++];
    if (const int v = base64_value(in); v >= 0) {
      buffer[j] = v;
      continue;
    }
    if (in == '\n' || in == '\r') {
      --j;
      continue;
    }
    if (in != '=' || j < 2) {
      bad = si - 1;
      return false;
    }
    if (j == 2) {  // "==" expected
      si = skip_newlines(src, si);
      if (si == src.size()) {
        bad = src.size();
        return false;
      }
      if (src[si] != '=') {
        bad = si - 1;
        return false;
      }
      ++si;
    }
    si = skip_newlines(src, si);
    if (si < src.size()) {
      bad = si;  // trailing garbage
      return false;
    }
    length = j;
    done = true;
    break;
  }
  if (out) {
    const uint32_t bits =
        static_cast<uint32_t>(buffer[0] << 18 | buffer[1] << 12 | buffer[2] << 6 | buffer[3]);
    const char bytes[3] = {static_cast<char>(bits >> 16), static_cast<char>(bits >> 8),
                           static_cast<char>(bits)};
    out->append(bytes, static_cast<size_t>(length - 1));
  }
  return true;
}

bool go_base64_decode(std::string_view src, std::string* out, size_t& bad) {
  size_t si = 0;
  bool done = false;
  while (si < src.size() && !done) {
    if (!decode_quantum(src, si, out, bad, done)) return false;
  }
  return true;
}

std::string base64_std_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (size_t i = 0; i < data.size(); i += 3) {
    const size_t n = std::min<size_t>(3, data.size() - i);
    uint32_t bits = 0;
    for (size_t k = 0; k < 3; ++k) {
      bits = bits << 8 | (k < n ? static_cast<unsigned char>(data[i + k]) : 0u);
    }
    for (size_t k = 0; k < 4; ++k) {
      out += k <= n ? kBase64Alphabet[(bits >> (18 - 6 * k)) & 0x3f] : '=';
    }
  }
  return out;
}

}  // namespace

// ---- check_object ----------------------------------------------------------------------------

namespace {

constexpr size_t kMaxStrictErrors = 100;  // sigs.k8s.io/json keeps at most 100

// The fields of one message by JSON name, with apiVersion/kind always accepted at the top level.
// Finds the message's index once for all the members of an object.
class field_lookup {
 public:
  field_lookup(const message_type& type, bool root)
      : type_(type), index_(index_of(type)), root_(root) {}

  const field* find(std::string_view key) const {
    if (const field* f = find_own(key)) return f;
    return root_ ? type_meta().find_field(key) : nullptr;
  }

 private:
  const field* find_own(std::string_view key) const {
    if (!index_) return type_.find_field(key);
    const field* const* found = index_->find(key);
    return found ? *found : nullptr;
  }

  const message_type& type_;
  const field_index* index_;
  bool root_;
};

// The Go type an error names, spelled out only when an error is reported.
struct go_type_ref {
  const field* f = nullptr;  // the field whose value (or element) it is
  bool element = false;
  value_kind scalar = K::none;  // without a field: items of a list wrapper

  std::string name() const {
    if (!f) return kind_go_type(scalar, nullptr);
    return element ? element_go_type(*f) : go_type(*f);
  }
};

// Mirrors the two contexts Go's decoder keeps: the errorContext of type errors (innermost struct
// and the field names from the root, no indexes, no map keys) and the strict field stack of
// unknown fields (spec.containers[0].env[1], map keys as .key).
class checker {
 public:
  checker(check_mode mode, check_report& report) : mode_(mode), report_(report) {
    path_.reserve(json::k_usual_path_depth);
    go_fields_.reserve(json::k_usual_path_depth);
  }

  void check_root(const json::value& obj, const message_type& type) {
    if (!obj.is_null() && !obj.is_object()) {
      saved(type_error(json::go_kind_name(obj), type.go_type_name()));
    } else if (obj.is_object()) {
      check_members(obj, type, true);
    }
    report_.decode_error = first_custom_error_.empty() ? first_saved_error_ : first_custom_error_;
  }

 private:
  // One path step and one Go field name are pushed per object and rewritten per member; nested
  // walks restore go_struct_, so it is set once for all the members.
  void check_members(const json::value& obj, const message_type& type, bool root) {
    const json::object& members = obj.as_object();
    if (members.empty()) return;
    const field_lookup fields(type, root);
    const std::string_view outer_struct = go_struct_;
    go_struct_ = type.name;
    path_.emplace_back();
    go_fields_.emplace_back();
    for (const json::member& m : members) {
      path_.back().key = m.key;
      const field* f = fields.find(m.key);
      if (!f) {
        unknown_field();
        continue;
      }
      go_fields_.back() = f->name;
      check_value(m.val, *f);
    }
    path_.pop_back();
    go_fields_.pop_back();
    go_struct_ = outer_struct;
  }

  void check_value(const json::value& v, const field& f) {
    if (v.is_null()) {
      // The normalizer keeps the nulls of Time fields, which Go writes for zero times.
      if (f.repeated || (f.kind != K::time && f.kind != K::micro_time)) needs_normalization();
      return;
    }
    if (f.repeated) {
      check_list(v, f);
    } else if (f.is_map()) {
      check_map(v, f);
    } else if (!is_scalar_as_expected(v, f.kind)) {
      check_single(v, f.kind, f.type(), {&f});
    }
  }

  // The common valid cases, checked without a call: a string, boolean or integer in range
  // where one belongs.
  static bool is_scalar_as_expected(const json::value& v, value_kind kind) {
    switch (kind) {
      case K::string:
        return v.is_string();
      case K::boolean:
        return v.is_bool();
      case K::int64:
        return v.is_int();
      case K::int32:
        return v.is_int() && v.as_int() >= INT32_MIN && v.as_int() <= INT32_MAX;
      default:
        return false;
    }
  }

  void check_list(const json::value& v, const field& f) {
    if (!v.is_array()) return kind_mismatch(v, {&f});
    const json::array& items = v.as_array();
    if (items.empty()) return;
    append_index(0);
    for (size_t i = 0; i < items.size(); ++i) {
      path_.back().index = i;
      if (is_scalar_as_expected(items[i], f.kind)) continue;
      check_single(items[i], f.kind, f.type(), {&f, true});
    }
    path_.pop_back();
  }

  void check_map(const json::value& v, const field& f) {
    if (!v.is_object()) return kind_mismatch(v, {&f});
    const json::object& members = v.as_object();
    if (members.empty()) return;
    append_key({});
    for (const json::member& m : members) {
      if (is_scalar_as_expected(m.val, f.map_value)) continue;
      path_.back().key = m.key;
      check_single(m.val, f.map_value, f.type(), {&f, true});
    }
    path_.pop_back();
  }

  void check_single(const json::value& v, value_kind kind, const message_type* type,
                    const go_type_ref& go) {
    if (v.is_null()) return needs_normalization();
    switch (kind) {
      case K::string:
      case K::boolean:
        if (v.type() != (kind == K::string ? json::kind::string : json::kind::boolean)) {
          kind_mismatch(v, go);
        }
        return;
      case K::int32:
      case K::int64:
        return check_integer(v, go, kind == K::int32, false);
      case K::bytes:
        needs_normalization();
        return check_bytes(v, go);
      case K::message:
        return check_message(v, *type, go);
      case K::quantity:
        return check_quantity(v);
      case K::int_or_string:
        // IntOrString.UnmarshalJSON decodes non-strings into an int32.
        if (!v.is_string()) check_integer(v, {nullptr, false, K::int32}, true, true);
        return;
      case K::time:
      case K::micro_time:
        return check_time(v, kind == K::micro_time);
      case K::fields_v1:
        if (!v.is_object()) custom(type_error(json::go_kind_name(v), go.name()));
        return;
      case K::raw:
      case K::map:
      case K::none:
        return;
    }
  }

  void check_integer(const json::value& v, const go_type_ref& go, bool is_int32,
                     bool from_custom_decoder) {
    if (v.is_int() && (!is_int32 || (v.as_int() >= INT32_MIN && v.as_int() <= INT32_MAX))) return;
    integer_error(v, go, is_int32, from_custom_decoder);
  }

  // Kept out of the checks, which then need no strings of their own.
  [[gnu::cold]] void kind_mismatch(const json::value& v, const go_type_ref& go) {
    saved(type_error(json::go_kind_name(v), go.name()));
  }

  [[gnu::cold]] void integer_error(const json::value& v, const go_type_ref& go, bool is_int32,
                                   bool from_custom_decoder) {
    std::string problem;
    if (v.is_int()) {
      const int64_t i = v.as_int();
      if (is_int32 && (i < INT32_MIN || i > INT32_MAX)) problem = "number " + std::to_string(i);
    } else if (v.is_number()) {
      problem = "number " + number_text(v);  // strconv.ParseInt rejects fractions, exponents
    } else {
      problem = json::go_kind_name(v);
    }
    if (problem.empty()) return;
    std::string message = type_error(problem, go.name());
    from_custom_decoder ? custom(std::move(message)) : saved(std::move(message));
  }

  void check_bytes(const json::value& v, const go_type_ref& go) {
    if (v.is_string()) {
      size_t bad = 0;
      if (!go_base64_decode(v.as_string(), nullptr, bad)) {
        saved("illegal base64 data at input byte " + std::to_string(bad));
      }
    } else if (v.is_array()) {  // Go also reads []byte from an array of numbers
      const json::array& items = v.as_array();
      for (size_t i = 0; i < items.size(); ++i) {
        const json::value& item = items[i];
        if (item.is_null() || (item.is_int() && item.as_int() >= 0 && item.as_int() <= 255)) {
          continue;
        }
        append_index(i);
        std::string problem = item.is_number() ? "number " + number_text(item)
                                               : std::string(json::go_kind_name(item));
        saved(type_error(problem, "uint8"));
        path_.pop_back();
      }
    } else {
      kind_mismatch(v, go);
    }
  }

  void check_message(const json::value& v, const message_type& type, const go_type_ref& go) {
    if (type.list_wrapper) {
      if (!v.is_array()) return kind_mismatch(v, go);
      const value_kind item_kind = type.fields()[0].kind;
      const json::array& elements = v.as_array();
      for (size_t i = 0; i < elements.size(); ++i) {
        append_index(i);
        check_single(elements[i], item_kind, nullptr, {nullptr, false, item_kind});
        path_.pop_back();
      }
      return;
    }
    if (!v.is_object()) return kind_mismatch(v, go);
    check_members(v, type, false);
  }

  // Quantity.UnmarshalJSON parses the raw JSON text (quotes removed, spaces trimmed).
  void check_quantity(const json::value& v) {
    std::string number;
    std::string_view text;
    if (v.is_string()) {
      text = trim_space(v.as_string());
    } else if (v.is_number()) {
      number = number_text(v);
      text = number;
    } else {
      text = v.is_bool() ? (v.as_bool() ? "true" : "false") : (v.is_array() ? "[" : "{");
    }
    std::string error;
    quantity q;
    if (!parse_quantity(text, &q, &error)) return custom(std::move(error));
    if (!v.is_string() || !spells_canonically(v.as_string(), q)) needs_normalization();
  }

  // Whether `text` is q.to_string(), which is q.text itself when that is set.
  static bool spells_canonically(const std::string& text, const quantity& q) {
    return q.text.empty() ? text == q.to_string() : text == q.text;
  }

  // Time.UnmarshalJSON: a JSON string (else a type error for `string`), then time.Parse.
  void check_time(const json::value& v, bool micro) {
    if (!v.is_string()) return custom(type_error(json::go_kind_name(v), "string"));
    std::string error;
    timestamp t;
    const bool ok =
        micro ? parse_micro_time(v.as_string(), &t, &error) : parse_time(v.as_string(), &t, &error);
    if (!ok) return custom(std::move(error));
    const bool zero = t.seconds == kZeroTimeSeconds && t.nanos == 0;  // becomes null
    if (zero || v.as_string() != (micro ? format_micro_time(t) : format_time(t)))
      needs_normalization();
  }

  void needs_normalization() { report_.needs_normalization = true; }

  // The unknown member's key is the last step of the path.
  void unknown_field() {
    needs_normalization();
    if (mode_ == check_mode::ignore || report_.unknown_fields.size() >= kMaxStrictErrors) return;
    std::string path = path_text();
    std::string message = "unknown field " + api::go_quote(path);
    report_.unknown_fields.push_back(std::move(path));
    (mode_ == check_mode::strict ? report_.errors : report_.warnings).push_back(std::move(message));
  }

  std::string type_error(std::string_view value, std::string_view type_name) const {
    std::string out = "json: cannot unmarshal ";
    out += value;
    if (go_struct_.empty() && go_fields_.empty()) {
      out += " into Go value of type ";
    } else {
      out += " into Go struct field ";
      out += go_struct_;
      for (std::string_view name : go_fields_) {
        out += '.';
        out += name;
      }
      out += " of type ";
    }
    out += type_name;
    return out;
  }

  // Errors Go's decoder saves and keeps decoding past (it reports the first).
  void saved(std::string message) {
    if (first_saved_error_.empty()) first_saved_error_ = message;
    report_.errors.push_back(std::move(message));
  }

  // Errors of custom UnmarshalJSON methods, which stop Go's decoder.
  void custom(std::string message) {
    if (first_custom_error_.empty()) first_custom_error_ = message;
    report_.errors.push_back(std::move(message));
  }

  // The path is kept as steps and spelled out only for an unknown field.
  void append_key(std::string_view key) { path_.push_back(json::path_step{.key = key}); }

  void append_index(size_t index) {
    path_.push_back(json::path_step{.index = index, .is_index = true});
  }

  std::string path_text() const { return json::dotted_path(path_); }

  check_mode mode_;
  check_report& report_;
  std::vector<json::path_step> path_;
  std::vector<std::string_view> go_fields_;
  std::string_view go_struct_;
  std::string first_saved_error_;
  std::string first_custom_error_;
};

}  // namespace

std::string check_report::message() const {
  if (!decode_error.empty()) return decode_error;
  if (errors.empty()) return {};
  std::string out = "strict decoding error: ";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out += ", ";
    out += errors[i];
  }
  return out;
}

check_report check_object(const json::value& obj, const message_type& type, check_mode mode) {
  check_report report;
  checker(mode, report).check_root(obj, type);
  return report;
}

// ---- normalize_object ------------------------------------------------------------------------

namespace {

class normalizer {
 public:
  explicit normalizer(const normalize_options& options) : options_(options) {}

  void message(json::value& obj, const message_type& type, bool root) {
    if (!obj.is_object()) return;
    json::object& members = obj.as_object();
    const field_lookup fields(type, root);
    size_t kept = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      json::member& m = members[i];
      const field* f = fields.find(m.key);
      if (!f && options_.drop_unknown_fields) continue;
      if (f && m.val.is_null() && options_.drop_nulls && !keeps_null(*f)) continue;
      if (f) value(m.val, *f);
      if (kept != i) members[kept] = std::move(m);
      ++kept;
    }
    members.resize(kept);
  }

 private:
  // Go writes zero metav1.Time structs (non-pointer fields) as null.
  static bool keeps_null(const field& f) {
    return !f.repeated && (f.kind == K::time || f.kind == K::micro_time);
  }

  void value(json::value& v, const field& f) {
    if (f.repeated && v.is_array()) {
      for (json::value& item : v.as_array()) single(item, f.kind, f.type());
    } else if (f.is_map() && v.is_object()) {
      for (json::member& m : v.as_object()) {
        if (m.val.is_null()) {
          zero_map_value(m.val, f.map_value);
        } else {
          single(m.val, f.map_value, f.type());
        }
      }
    } else if (!f.repeated && !f.is_map()) {
      single(v, f.kind, f.type());
    }
  }

  // Go stores a null map value as the element's zero value.
  void zero_map_value(json::value& v, value_kind kind) const {
    switch (kind) {
      case K::string:
        v = "";
        break;
      case K::int32:
      case K::int64:
        v = 0;
        break;
      case K::boolean:
        v = false;
        break;
      case K::quantity:
        if (options_.canonical_quantities) v = "0";
        break;
      default:
        break;
    }
  }

  void single(json::value& v, value_kind kind, const message_type* type) {
    switch (kind) {
      case K::message:
        if (type && !type->list_wrapper) message(v, *type, false);
        break;
      case K::quantity:
        if (options_.canonical_quantities) canonical_quantity(v);
        break;
      case K::time:
      case K::micro_time:
        if (options_.canonical_times) canonical_time(v, kind == K::micro_time);
        break;
      case K::bytes:
        if (options_.canonical_bytes) canonical_bytes(v);
        break;
      default:
        break;
    }
  }

  static void canonical_quantity(json::value& v) {
    quantity q;
    if (v.is_string()) {
      if (!parse_quantity(trim_space(v.as_string()), &q)) return;
    } else if (v.is_number()) {
      if (!parse_quantity(number_text(v), &q)) return;
    } else {
      return;
    }
    std::string canonical = q.to_string();
    if (!v.is_string() || v.as_string() != canonical) v = std::move(canonical);
  }

  static void canonical_time(json::value& v, bool micro) {
    if (!v.is_string()) return;
    timestamp t;
    if (!(micro ? parse_micro_time(v.as_string(), &t) : parse_time(v.as_string(), &t))) return;
    if (t.seconds == kZeroTimeSeconds && t.nanos == 0) {
      v = nullptr;
    } else {
      v = micro ? format_micro_time(t) : format_time(t);
    }
  }

  static void canonical_bytes(json::value& v) {
    if (!v.is_string()) return;
    std::string decoded;
    size_t bad = 0;
    if (go_base64_decode(v.as_string(), &decoded, bad)) v = base64_std_encode(decoded);
  }

  const normalize_options& options_;
};

}  // namespace

void normalize_object(json::value& obj, const message_type& type,
                      const normalize_options& options) {
  normalizer(options).message(obj, type, true);
}

}  // namespace kactor::api::schema
