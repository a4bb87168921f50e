// Field validation as kube-apiserver 1.32 performs it. Function names and checks follow
// k8s.io/apimachinery/pkg/util/validation, pkg/api/validation and pkg/apis/{core,apps}/validation
// so that errors come out in the same order, with the same paths and messages. Go maps iterate
// in random order; here map-valued fields (labels, data, ...) are checked in document order.
#include "api/validation.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

#include <boost/container/static_vector.hpp>

#include "api/base64.hpp"
#include "api/name_table.hpp"
#include "api/schema.hpp"

namespace kactor::api {
namespace {

using json::value;
using causes = std::vector<status_cause>;

constexpr std::string_view kNegativeMsg = "must be greater than or equal to 0";
constexpr std::string_view kFileModeMsg =
    "must be a number between 0 and 0777 (octal), both inclusive";
constexpr size_t kTotalAnnotationSize = 256 * 1024;
constexpr size_t kMaxSecretSize = 1024 * 1024;

// Names met so far in a list, to report duplicates. Lists are short: a linear scan of views
// into the document, with no allocation for the first eight; a hash set past that, so that a
// body with many thousands of entries stays linear.
class seen_names {
 public:
  // False when `name` was met before.
  bool insert(std::string_view name) {
    if (!many_.empty()) return many_.insert(name).second;
    if (std::find(few_.begin(), few_.end(), name) != few_.end()) return false;
    if (few_.size() < few_.static_capacity) {
      few_.push_back(name);
      return true;
    }
    many_.insert(few_.begin(), few_.end());
    return many_.insert(name).second;
  }

 private:
  boost::container::static_vector<std::string_view, 8> few_;
  std::unordered_set<std::string_view> many_;
};

// ---- JSON access (null members count as absent, as Go's zero values) -----------------------

const value* member(const value& obj, std::string_view key) {
  const value* v = obj.find(key);
  return v && !v->is_null() ? v : nullptr;
}

std::string str(const value& obj, std::string_view key) {
  return std::string(obj.get_string(key));
}

std::optional<int64_t> int_of(const value& obj, std::string_view key) {
  const value* v = member(obj, key);
  if (v && v->is_int()) return v->as_int();
  return std::nullopt;
}

int64_t int_or(const value& obj, std::string_view key, int64_t fallback) {
  return int_of(obj, key).value_or(fallback);
}

bool bool_of(const value& obj, std::string_view key) {
  const value* v = member(obj, key);
  return v && v->is_bool() && v->as_bool();
}

const json::array& array_of(const value& obj, std::string_view key) {
  static const json::array empty;
  const value* v = member(obj, key);
  return v && v->is_array() ? v->as_array() : empty;
}

const json::object& object_of(const value& obj, std::string_view key) {
  static const json::object empty;
  const value* v = member(obj, key);
  return v && v->is_object() ? v->as_object() : empty;
}

const value& sub(const value& obj, std::string_view key) {
  static const value empty = value::make_object();
  const value* v = member(obj, key);
  return v && v->is_object() ? *v : empty;
}

std::string_view string_value(const value& v) {
  return v.is_string() ? std::string_view(v.as_string()) : std::string_view{};
}

// The same accessors for a member already looked up (nullptr when absent or null).
std::string_view string_of(const value* v) {
  return v ? string_value(*v) : std::string_view{};
}

const json::array& array_of(const value* v) {
  static const json::array empty;
  return v && v->is_array() ? v->as_array() : empty;
}

std::optional<int64_t> int_of(const value* v) {
  if (v && v->is_int()) return v->as_int();
  return std::nullopt;
}

bool bool_of(const value* v) {
  return v && v->is_bool() && v->as_bool();
}

const value& sub(const value* v) {
  static const value empty = value::make_object();
  return v && v->is_object() ? *v : empty;
}

// Where a validator reads many fields of one object, a struct of `const value*` filled in one
// pass over the object's members: `names` maps a field name to its struct member. Fields left
// nullptr are absent or null, as member() reports them.
template <typename Fields>
using field_names = name_table<const value * Fields::*>;

template <typename Fields>
Fields read_fields(const value& obj, const field_names<Fields>& names) {
  Fields fields;
  if (!obj.is_object()) return fields;
  for (const json::member& m : obj.as_object()) {
    auto slot = names.find(m.key);
    if (!slot || m.val.is_null()) continue;
    const value* Fields::*field = *slot;
    fields.*field = &m.val;
  }
  return fields;
}

// ---- Field paths (field.Path) --------------------------------------------------------------

std::string child(const std::string& path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return path + "." + std::string(name);
}

std::string index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string keyed(const std::string& path, std::string_view key) {
  return path + "[" + std::string(key) + "]";
}

// A field path spelled out only when an error needs it. A root refers to the string it was made
// from and each step to the path it was made from; both must outlive it (steps of temporary
// paths are refused at compile time).
class field_path {
 public:
  field_path(const std::string& root) : text_(root) {}
  field_path(const char* root) : text_(root) {}

  field_path child(std::string_view name) const& { return {this, step::child, name}; }
  field_path index(size_t i) const& { return {this, step::index, {}, i}; }
  field_path key(std::string_view key) const& { return {this, step::key, key}; }
  field_path child(std::string_view) const&& = delete;
  field_path index(size_t) const&& = delete;
  field_path key(std::string_view) const&& = delete;

  std::string str() const {
    if (!parent_) return std::string(text_);
    std::string out = parent_->str();
    switch (step_) {
      case step::child:
        if (!out.empty()) out += '.';
        out += text_;
        break;
      case step::index:
        out += '[';
        out += std::to_string(index_);
        out += ']';
        break;
      case step::key:
        out += '[';
        out += text_;
        out += ']';
        break;
      case step::root:
        break;
    }
    return out;
  }
  operator std::string() const { return str(); }

 private:
  enum class step : uint8_t { root, child, index, key };

  field_path(const field_path* parent, step kind, std::string_view text, size_t index = 0)
      : parent_(parent), step_(kind), text_(text), index_(index) {}

  const field_path* parent_ = nullptr;
  step step_ = step::root;
  std::string_view text_;
  size_t index_ = 0;
};

field_path child(const field_path& path, std::string_view name) {
  return path.child(name);
}
field_path index(const field_path& path, size_t i) {
  return path.index(i);
}
field_path keyed(const field_path& path, std::string_view key) {
  return path.key(key);
}
// Literal roots ("spec.ports") stay plain strings.
std::string index(const char* path, size_t i) {
  return index(std::string(path), i);
}
std::string keyed(const char* path, std::string_view key) {
  return keyed(std::string(path), key);
}
void child(field_path&&, std::string_view) = delete;
void index(field_path&&, size_t) = delete;
void keyed(field_path&&, std::string_view) = delete;

// ---- Values as field errors print them (%q for strings, %v for numbers, %#v otherwise) -----

std::string show(std::string_view s) {
  return go_quote(s);
}
std::string show_int(int64_t n) {
  return std::to_string(n);
}

// %#v of a map[string]string: keys sorted, nil and empty told apart.
std::string go_string_map(const value* m) {
  if (!m || !m->is_object()) return "map[string]string(nil)";
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& [k, v] : m->as_object()) items.emplace_back(k, std::string(string_value(v)));
  std::sort(items.begin(), items.end());
  std::string out = "map[string]string{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += go_quote(items[i].first) + ":" + go_quote(items[i].second);
  }
  return out + "}";
}

// %#v of a []string.
std::string go_string_list(const value* a) {
  if (!a || !a->is_array()) return "[]string(nil)";
  std::string out = "[]string{";
  const auto& items = a->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += go_quote(string_value(items[i]));
  }
  return out + "}";
}

std::string go_string_list(const std::vector<std::string>& items) {
  std::string out = "[]string{";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + go_quote(items[i]);
  return out + "}";
}

// %#v of an intstr.IntOrString value.
std::string go_int_or_string(const value* v) {
  if (v && v->is_int())
    return "intstr.IntOrString{Type:0, IntVal:" + std::to_string(v->as_int()) + ", StrVal:\"\"}";
  if (v && v->is_string())
    return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + go_quote(v->as_string()) + "}";
  return "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}";
}

// %#v of a pointer field inside a struct: Go prints the address, which has no stable value.
std::string go_pointer(std::string_view type, bool set) {
  return "(" + std::string(type) + ")(" + (set ? "0xc000010000" : "nil") + ")";
}

status_cause duplicate_with_detail(const std::string& field, const std::string& shown,
                                   const std::string& detail) {
  status_cause c = duplicate_value(field, shown);
  c.message += ": " + detail;
  return c;
}

// ---- Character classes ---------------------------------------------------------------------

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The characters names may hold, as bits of a table lookup: one load per character.
enum name_chars : uint8_t { kLowerAlnum = 1, kUpper = 2, kDash = 4, kDot = 8, kUnderscore = 16 };

constexpr std::array<uint8_t, 256> make_name_char_table() {
  std::array<uint8_t, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = kLowerAlnum;
  for (int c = '0'; c <= '9'; ++c) table[c] = kLowerAlnum;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = kUpper;
  table['-'] = kDash;
  table['.'] = kDot;
  table['_'] = kUnderscore;
  return table;
}
constexpr std::array<uint8_t, 256> kNameChars = make_name_char_table();

// Whether every character of s is in one of the `allowed` classes.
bool all_chars_in(std::string_view s, uint8_t allowed) {
  return std::all_of(s.begin(), s.end(),
                     [allowed](char c) { return kNameChars[static_cast<uint8_t>(c)] & allowed; });
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool matches_dns1123_label(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  return all_chars_in(s, kLowerAlnum | kDash);
}

// label(\.label)*: labels of [-a-z0-9] that start and end with [a-z0-9], so each dot sits
// between two of those.
bool matches_dns1123_subdomain(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '.' && !(is_lower_alnum(s[i - 1]) && is_lower_alnum(s[i + 1]))) return false;
  }
  return all_chars_in(s, kLowerAlnum | kDash | kDot);
}

// [a-z]([-a-z0-9]*[a-z0-9])?
bool matches_dns1035_label(std::string_view s) {
  return matches_dns1123_label(s) && s.front() >= 'a' && s.front() <= 'z';
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matches_qualified_name(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return all_chars_in(s, kLowerAlnum | kUpper | kDash | kDot | kUnderscore);
}

bool matches_percent(std::string_view s) {
  return s.size() >= 2 && s.back() == '%' &&
         std::all_of(s.begin(), s.end() - 1, [](char c) { return is_digit(c); });
}

std::string regex_error(std::string msg, std::string_view fmt,
                        std::initializer_list<std::string_view> examples) {
  if (examples.size() == 0)
    return msg + " (regex used for validation is '" + std::string(fmt) + "')";
  msg += " (e.g. ";
  bool first = true;
  for (std::string_view e : examples) {
    if (!first) msg += " or ";
    first = false;
    msg += "'" + std::string(e) + "', ";
  }
  return msg + "regex used for validation is '" + std::string(fmt) + "')";
}

std::string max_len_error(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

std::string inclusive_range_error(int64_t lo, int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", inclusive";
}

constexpr std::string_view kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameErr =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";

std::vector<std::string> is_valid_percent(std::string_view s) {
  if (matches_percent(s)) return {};
  return {regex_error("a valid percent string must be a numeric string followed by an ending '%'",
                      "[0-9]+%", {"1%", "93%"})};
}

std::vector<std::string> is_http_header_name(std::string_view s) {
  bool ok =
      !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '-'; });
  if (ok) return {};
  return {regex_error("a valid HTTP header must consist of alphanumeric characters or '-'",
                      "[-A-Za-z0-9]+", {"X-Header-Name"})};
}

std::vector<std::string> has_chdir_prefix(std::string_view s) {
  if (s == ".") return {"must not be '.'"};
  if (s == "..") return {"must not be '..'"};
  if (s.starts_with("..")) return {"must not start with '..'"};
  return {};
}

void append(std::vector<std::string>& to, std::vector<std::string> more) {
  for (auto& m : more) to.push_back(std::move(m));
}

// ---- IP addresses (netutils.ParseIPSloppy / ParseCIDRSloppy) -------------------------------

struct ip_address {
  std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6, like Go's net.IP
  bool v4 = false;                  // written as IPv4 or IPv4-mapped (Go: To4() != nil)
};

// Go 1.16's IPv4 parser: four decimal fields up to 255, leading zeros allowed.
std::optional<std::array<uint8_t, 4>> parse_ipv4(std::string_view s) {
  std::array<uint8_t, 4> out{};
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    size_t n = 0;
    int64_t v = 0;
    while (n < s.size() && is_digit(s[n])) {
      v = v * 10 + (s[n] - '0');
      if (v > 255) return std::nullopt;
      ++n;
    }
    if (n == 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(v);
    s.remove_prefix(n);
  }
  if (!s.empty()) return std::nullopt;
  return out;
}

std::optional<ip_address> parse_ip(std::string_view s) {
  ip_address ip;
  if (auto v4 = parse_ipv4(s)) {
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::copy(v4->begin(), v4->end(), ip.bytes.begin() + 12);
    ip.v4 = true;
    return ip;
  }
  if (s.find(':') == std::string_view::npos || s.size() > 64) return std::nullopt;
  std::string text(s);
  if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  ip.v4 = std::memcmp(ip.bytes.data(), kMapped, 12) == 0;
  return ip;
}

std::optional<std::pair<ip_address, int>> parse_cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parse_ip(s.substr(0, slash));
  std::string_view bits = s.substr(slash + 1);
  if (!ip || bits.empty()) return std::nullopt;
  int n = 0;
  for (char c : bits) {
    if (!is_digit(c)) return std::nullopt;
    n = std::min(n * 10 + (c - '0'), 1000);
  }
  bool written_v4 = parse_ipv4(s.substr(0, slash)).has_value();
  if (n > (written_v4 ? 32 : 128)) return std::nullopt;
  return std::make_pair(*ip, n);
}

bool is_ipv6_string(std::string_view s) {
  auto ip = parse_ip(s);
  return ip && !ip->v4;
}

}  // namespace

// ---- Format checks -------------------------------------------------------------------------

std::vector<std::string> is_dns1123_label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!matches_dns1123_label(value)) {
    if (matches_dns1123_subdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(regex_error(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
          "and must start and end with an alphanumeric character",
          kDns1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> is_dns1123_subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 253) errs.push_back(max_len_error(253));
  if (!matches_dns1123_subdomain(value))
    errs.push_back(regex_error(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character",
        kDns1123SubdomainFmt, {"example.com"}));
  return errs;
}

std::vector<std::string> is_dns1035_label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!matches_dns1035_label(value))
    errs.push_back(regex_error(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
        "an alphabetic character, and end with an alphanumeric character",
        "[a-z]([-a-z0-9]*[a-z0-9])?", {"my-name", "abc-123"}));
  return errs;
}

std::vector<std::string> is_qualified_name(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos)
      return {"a qualified name " +
              regex_error(std::string(kQualifiedNameErr), kQualifiedNameFmt,
                          {"MyName", "my.name", "123-abc"}) +
              " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"};
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& msg : is_dns1123_subdomain(prefix)) errs.push_back("prefix part " + msg);
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + max_len_error(63));
  }
  if (!matches_qualified_name(name))
    errs.push_back("name part " + regex_error(std::string(kQualifiedNameErr), kQualifiedNameFmt,
                                              {"MyName", "my.name", "123-abc"}));
  return errs;
}

std::vector<std::string> is_valid_label_value(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!value.empty() && !matches_qualified_name(value))
    errs.push_back(regex_error(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character",
        "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", {"MyValue", "my_value", "12345"}));
  return errs;
}

std::vector<std::string> is_config_map_key(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 253) errs.push_back(max_len_error(253));
  bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '.' || c == '_';
  });
  if (!ok)
    errs.push_back(
        regex_error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                    "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  append(errs, has_chdir_prefix(value));
  return errs;
}

std::vector<std::string> is_valid_port_name(std::string_view port) {
  std::vector<std::string> errs;
  if (port.size() > 15) errs.push_back(max_len_error(15));
  bool charset = !port.empty() && std::all_of(port.begin(), port.end(),
                                              [](char c) { return is_lower_alnum(c) || c == '-'; });
  if (!charset)
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (std::none_of(port.begin(), port.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    errs.push_back("must contain at least one letter (a-z)");
  if (port.find("--") != std::string_view::npos)
    errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-'))
    errs.push_back("must not begin or end with a hyphen");
  return errs;
}

std::vector<std::string> is_valid_port_num(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {inclusive_range_error(1, 65535)};
}

std::vector<std::string> is_relaxed_env_var_name(std::string_view value) {
  std::vector<std::string> errs;
  if (value.empty()) errs.push_back("environment variable name must be non-empty");
  for (unsigned char c : value) {
    if (c < 0x20 || c >= 0x7f || c == '=') {
      errs.push_back(
          "a valid environment variable name must consist only of printable ASCII characters "
          "other than '='");
      break;
    }
  }
  return errs;
}

bool is_valid_ip(std::string_view value) {
  return parse_ip(value).has_value();
}

bool is_valid_cidr(std::string_view value) {
  return parse_cidr(value).has_value();
}

name_rule name_rule_for_kind(std::string_view kind) {
  if (kind == "Namespace") return name_rule::dns1123_label;
  if (kind == "Service") return name_rule::dns1035_label;
  if (kind == "Event") return name_rule::path_segment;
  return name_rule::dns1123_subdomain;
}

namespace {

// A generateName may end in '-': the random suffix follows it.
std::string mask_trailing_dash(std::string_view name) {
  std::string out(name);
  if (out.size() > 1 && out.back() == '-') out.back() = 'a';
  return out;
}

std::vector<std::string> path_segment_errors(std::string_view name, bool prefix) {
  if (!prefix) {
    if (name == ".") return {"may not be '.'"};
    if (name == "..") return {"may not be '..'"};
  }
  std::vector<std::string> errs;
  if (name.find('/') != std::string_view::npos) errs.push_back("may not contain '/'");
  if (name.find('%') != std::string_view::npos) errs.push_back("may not contain '%'");
  return errs;
}

}  // namespace

std::vector<std::string> validate_name(std::string_view name, name_rule rule, bool prefix) {
  std::string checked = prefix ? mask_trailing_dash(name) : std::string(name);
  switch (rule) {
    case name_rule::dns1123_label:
      return is_dns1123_label(checked);
    case name_rule::dns1035_label:
      return is_dns1035_label(checked);
    case name_rule::path_segment:
      return path_segment_errors(name, prefix);
    case name_rule::dns1123_subdomain:
      break;
  }
  return is_dns1123_subdomain(checked);
}

// ---- Field errors --------------------------------------------------------------------------

status_cause required_field(const std::string& field, const std::string& detail) {
  std::string message = "Required value";
  if (!detail.empty()) message += ": " + detail;
  return status_cause{"FieldValueRequired", std::move(message), field};
}

status_cause not_found_value(const std::string& field, const std::string& shown_value) {
  return status_cause{"FieldValueNotFound", "Not found: " + shown_value, field};
}

// ---- ObjectMeta ----------------------------------------------------------------------------

namespace {

void validate_qualified_name(std::string_view name, const field_path& field, causes& out) {
  for (auto& msg : is_qualified_name(name)) out.push_back(invalid_value(field, show(name), msg));
}

void validate_dns1123_label(std::string_view name, const field_path& field, causes& out) {
  for (auto& msg : is_dns1123_label(name)) out.push_back(invalid_value(field, show(name), msg));
}

void validate_dns1123_subdomain(std::string_view name, const field_path& field, causes& out) {
  for (auto& msg : is_dns1123_subdomain(name)) out.push_back(invalid_value(field, show(name), msg));
}

void validate_nonnegative(int64_t v, const field_path& field, causes& out) {
  if (v < 0) out.push_back(invalid_value(field, show_int(v), std::string(kNegativeMsg)));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// `s` in lower case, copied into `scratch` only when it has upper-case letters.
std::string_view lowered(std::string_view s, std::string& scratch) {
  if (std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return s;
  scratch = lower(s);
  return scratch;
}

std::string go_owner_reference(const value& ref) {
  return "v1.OwnerReference{APIVersion:" + show(ref.get_string("apiVersion")) +
         ", Kind:" + show(ref.get_string("kind")) + ", Name:" + show(ref.get_string("name")) +
         ", UID:" + show(ref.get_string("uid")) +
         ", Controller:" + go_pointer("*bool", member(ref, "controller") != nullptr) +
         ", BlockOwnerDeletion:" +
         go_pointer("*bool", member(ref, "blockOwnerDeletion") != nullptr) + "}";
}

std::string go_owner_references(const json::array& refs) {
  std::string out = "[]v1.OwnerReference{";
  for (size_t i = 0; i < refs.size(); ++i) out += (i ? ", " : "") + go_owner_reference(refs[i]);
  return out + "}";
}

// schema.FromAPIVersionAndKind: "group/version", "version", or unparsable (no version).
std::pair<std::string, std::string> split_api_version(std::string_view api_version) {
  size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) return {"", std::string(api_version)};
  if (api_version.find('/', slash + 1) != std::string_view::npos) return {"", ""};
  return {std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1))};
}

void validate_owner_reference(const value& ref, const field_path& path, causes& out) {
  auto [group, version] = split_api_version(ref.get_string("apiVersion"));
  std::string kind = str(ref, "kind");
  if (version.empty())
    out.push_back(invalid_value(child(path, "apiVersion"), show(ref.get_string("apiVersion")),
                                "version must not be empty"));
  if (kind.empty())
    out.push_back(invalid_value(child(path, "kind"), show(kind), "must not be empty"));
  if (ref.get_string("name").empty())
    out.push_back(invalid_value(child(path, "name"), show(""), "must not be empty"));
  if (ref.get_string("uid").empty())
    out.push_back(invalid_value(child(path, "uid"), show(""), "must not be empty"));
  if (group.empty() && version == "v1" && kind == "Event")
    out.push_back(invalid_value(path, go_owner_reference(ref),
                                "/v1, Kind=Event is disallowed from being an owner"));
}

void validate_owner_references(const json::array& refs, const field_path& path, causes& out) {
  std::string first_controller;
  for (const value& ref : refs) {
    if (!ref.is_object()) continue;
    validate_owner_reference(ref, path, out);
    if (!bool_of(ref, "controller")) continue;
    std::string current = str(ref, "kind") + "/" + str(ref, "name");
    if (first_controller.empty()) {
      first_controller = current;
    } else {
      out.push_back(invalid_value(path, go_owner_references(refs),
                                  "Only one reference can have Controller set to true. Found "
                                  "\"true\" in references for " +
                                      first_controller + " and " + current));
    }
  }
}

void validate_finalizers(const value* finalizers, const field_path& path, causes& out) {
  if (!finalizers || !finalizers->is_array()) return;
  bool orphan = false, foreground = false;
  for (const value& f : finalizers->as_array()) {
    std::string_view name = string_value(f);
    validate_qualified_name(name, path, out);
    orphan = orphan || name == "orphan";
    foreground = foreground || name == "foregroundDeletion";
  }
  if (orphan && foreground)
    out.push_back(invalid_value(path, go_string_list(finalizers),
                                "finalizer orphan and foregroundDeletion cannot be both set"));
}

void validate_field_manager(std::string_view manager, const std::string& path, causes& out) {
  if (manager.size() > 128) out.push_back(too_long(path, 128));
  for (size_t i = 0; i < manager.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(manager[i]);
    if (c >= 0x20 && c != 0x7f) continue;
    char code[8];
    std::snprintf(code, sizeof code, "U+%04X", c);
    out.push_back(invalid_value(
        path, show(manager),
        "invalid character " + std::string(code) + " (at position " + std::to_string(i) + ")"));
  }
}

void validate_managed_fields(const json::array& entries, const field_path& path, causes& out) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const value& e = entries[i];
    const field_path at = index(path, i);
    std::string operation = str(e, "operation");
    if (operation != "Apply" && operation != "Update")
      out.push_back(
          invalid_value(child(at, "operation"), show(operation), "must be `Apply` or `Update`"));
    std::string type = str(e, "fieldsType");
    if (!type.empty() && type != "FieldsV1")
      out.push_back(invalid_value(child(at, "fieldsType"), show(type), "must be `FieldsV1`"));
    validate_field_manager(e.get_string("manager"), child(at, "manager"), out);
    if (e.get_string("subresource").size() > 256)
      out.push_back(too_long(child(at, "subresource"), 256));
  }
}

}  // namespace

namespace {

void validate_labels_into(const json::value* labels, const field_path& field, causes& out) {
  if (!labels || !labels->is_object()) return;
  for (const auto& [k, v] : labels->as_object()) {
    validate_qualified_name(k, field, out);
    for (auto& msg : is_valid_label_value(string_value(v)))
      out.push_back(invalid_value(field, show(string_value(v)), msg));
  }
}

}  // namespace

std::vector<status_cause> validate_labels(const json::value* labels, const std::string& field) {
  causes out;
  validate_labels_into(labels, field, out);
  return out;
}

namespace {

void validate_annotations_into(const json::value* annotations, const field_path& field,
                               causes& out) {
  if (!annotations || !annotations->is_object()) return;
  size_t total = 0;
  std::string scratch;
  for (const auto& [k, v] : annotations->as_object()) {
    for (auto& msg : is_qualified_name(lowered(k, scratch)))
      out.push_back(invalid_value(field, show(k), msg));
    total += k.size() + string_value(v).size();
  }
  if (total > kTotalAnnotationSize) out.push_back(too_long(field, kTotalAnnotationSize));
}

}  // namespace

std::vector<status_cause> validate_annotations(const json::value* annotations,
                                               const std::string& field) {
  causes out;
  validate_annotations_into(annotations, field, out);
  return out;
}

std::vector<status_cause> validate_object_meta(const json::value& meta, bool namespaced,
                                               name_rule rule) {
  causes out;
  std::string_view generate_name = meta.get_string("generateName");
  if (!generate_name.empty())
    for (auto& msg : validate_name(generate_name, rule, true))
      out.push_back(invalid_value("metadata.generateName", show(generate_name), msg));
  std::string_view name = meta.get_string("name");
  if (name.empty()) {
    out.push_back(required_field("metadata.name", "name or generateName is required"));
  } else {
    for (auto& msg : validate_name(name, rule, false))
      out.push_back(invalid_value("metadata.name", show(name), msg));
  }
  std::string_view ns = meta.get_string("namespace");
  if (namespaced && ns.empty()) {
    out.push_back(required_field("metadata.namespace"));
  } else if (namespaced) {
    for (auto& msg : validate_name(ns, name_rule::dns1123_label, false))
      out.push_back(invalid_value("metadata.namespace", show(ns), msg));
  } else if (!ns.empty()) {
    out.push_back(forbidden_field("metadata.namespace", "not allowed on this type"));
  }
  validate_nonnegative(int_or(meta, "generation", 0), "metadata.generation", out);
  validate_labels_into(member(meta, "labels"), "metadata.labels", out);
  validate_annotations_into(member(meta, "annotations"), "metadata.annotations", out);
  validate_owner_references(array_of(meta, "ownerReferences"), "metadata.ownerReferences", out);
  validate_finalizers(member(meta, "finalizers"), "metadata.finalizers", out);
  validate_managed_fields(array_of(meta, "managedFields"), "metadata.managedFields", out);
  return out;
}

// ---- PodSpec -------------------------------------------------------------------------------

namespace {

using string_list = std::vector<std::string>;

const string_list kProtocols = {"SCTP", "TCP", "UDP"};

bool contains(const string_list& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Checks an enum-like string field: Required when empty, Unsupported when not in `supported`.
void validate_enum(std::string_view v, const string_list& supported, const field_path& field,
                   causes& out) {
  if (v.empty()) {
    out.push_back(required_field(field));
  } else if (!contains(supported, v)) {
    out.push_back(unsupported_value(field, show(v), supported));
  }
}

// The same for a list written in place, turned into strings only for an error.
void validate_enum(std::string_view v, std::initializer_list<std::string_view> supported,
                   const field_path& field, causes& out) {
  if (!v.empty() && std::find(supported.begin(), supported.end(), v) != supported.end()) return;
  validate_enum(v, string_list(supported.begin(), supported.end()), field, out);
}

// State shared by the checks of one PodSpec.
struct pod_context {
  std::map<std::string, std::string, std::less<>> volumes;  // valid volume name -> source field
  std::string restart_policy;
  std::optional<int64_t> grace_period;
  bool is_pod = false;  // a Pod rather than a pod template
};

void validate_mode(const value& obj, std::string_view key, const field_path& path, causes& out) {
  auto mode = int_of(obj, key);
  if (mode && (*mode > 0777 || *mode < 0))
    out.push_back(invalid_value(child(path, key), show_int(*mode), std::string(kFileModeMsg)));
}

// ---- Ports, probes and lifecycle handlers

void validate_port_num_or_name(const value* port, const field_path& path, causes& out) {
  if (port && port->is_string()) {
    for (auto& msg : is_valid_port_name(port->as_string()))
      out.push_back(invalid_value(path, show(port->as_string()), msg));
    return;
  }
  int64_t n = port && port->is_int() ? port->as_int() : 0;
  for (auto& msg : is_valid_port_num(n)) out.push_back(invalid_value(path, show_int(n), msg));
}

void validate_http_get(const value& http, const field_path& path, causes& out) {
  if (http.get_string("path").empty()) out.push_back(required_field(child(path, "path")));
  validate_port_num_or_name(member(http, "port"), child(path, "port"), out);
  std::string_view scheme = http.get_string("scheme");
  if (scheme != "HTTP" && scheme != "HTTPS")
    out.push_back(unsupported_value(child(path, "scheme"), show(scheme), {"HTTP", "HTTPS"}));
  for (const value& header : array_of(http, "httpHeaders"))
    for (auto& msg : is_http_header_name(header.get_string("name")))
      out.push_back(
          invalid_value(child(path, "httpHeaders"), show(header.get_string("name")), msg));
}

void validate_sleep(const value& sleep, const pod_context& ctx, const field_path& path,
                    causes& out) {
  int64_t seconds = int_or(sleep, "seconds", 0);
  if (ctx.grace_period && (seconds <= 0 || seconds > *ctx.grace_period))
    out.push_back(invalid_value(path, show_int(seconds),
                                "must be greater than 0 and less than "
                                "terminationGracePeriodSeconds (" +
                                    std::to_string(*ctx.grace_period) + ")"));
}

// validateHandler: exactly one of exec, httpGet, tcpSocket, grpc, sleep.
void validate_handler(const value& handler, const pod_context& ctx, const field_path& path,
                      causes& out) {
  int handlers = 0;
  for (std::string_view kind : {"exec", "httpGet", "tcpSocket", "grpc", "sleep"}) {
    const value* h = member(handler, kind);
    if (!h) continue;
    const field_path at = child(path, kind);
    if (handlers++ > 0) {
      out.push_back(forbidden_field(at, "may not specify more than 1 handler type"));
      continue;
    }
    if (kind == "exec" && array_of(*h, "command").empty())
      out.push_back(required_field(child(at, "command")));
    if (kind == "httpGet") validate_http_get(*h, at, out);
    if (kind == "tcpSocket" || kind == "grpc")
      validate_port_num_or_name(member(*h, "port"), child(at, "port"), out);
    if (kind == "sleep") validate_sleep(*h, ctx, at, out);
  }
  if (handlers == 0) out.push_back(required_field(path, "must specify a handler type"));
}

enum class probe_kind { liveness, readiness, startup };

void validate_probe(const value* probe, probe_kind kind, const pod_context& ctx,
                    const field_path& path, causes& out) {
  if (!probe) return;
  validate_handler(*probe, ctx, path, out);
  for (std::string_view f : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                             "successThreshold", "failureThreshold"})
    validate_nonnegative(int_or(*probe, f, 0), child(path, f), out);
  auto grace = int_of(*probe, "terminationGracePeriodSeconds");
  if (grace && *grace <= 0)
    out.push_back(invalid_value(child(path, "terminationGracePeriodSeconds"), show_int(*grace),
                                "must be greater than 0"));
  if (kind == probe_kind::readiness && grace)
    out.push_back(invalid_value(child(path, "terminationGracePeriodSeconds"), show_int(*grace),
                                "must not be set for readinessProbes"));
  int64_t success = int_or(*probe, "successThreshold", 0);
  if (kind != probe_kind::readiness && success != 1)
    out.push_back(invalid_value(child(path, "successThreshold"), show_int(success), "must be 1"));
}

void validate_lifecycle(const value& lifecycle, const pod_context& ctx, const field_path& path,
                        causes& out) {
  for (std::string_view hook : {"postStart", "preStop"})
    if (const value* h = member(lifecycle, hook)) validate_handler(*h, ctx, child(path, hook), out);
}

void validate_container_ports(const json::array& ports, const field_path& path, causes& out) {
  seen_names names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const value& port = ports[i];
    const field_path at = index(path, i);
    std::string_view name = port.get_string("name");
    if (!name.empty()) {
      auto msgs = is_valid_port_name(name);
      for (auto& msg : msgs) out.push_back(invalid_value(child(at, "name"), show(name), msg));
      if (msgs.empty() && !names.insert(name))
        out.push_back(duplicate_value(child(at, "name"), show(name)));
    }
    int64_t container_port = int_or(port, "containerPort", 0);
    if (container_port == 0) {
      out.push_back(required_field(child(at, "containerPort")));
    } else {
      for (auto& msg : is_valid_port_num(container_port))
        out.push_back(invalid_value(child(at, "containerPort"), show_int(container_port), msg));
    }
    int64_t host_port = int_or(port, "hostPort", 0);
    if (host_port != 0)
      for (auto& msg : is_valid_port_num(host_port))
        out.push_back(invalid_value(child(at, "hostPort"), show_int(host_port), msg));
    validate_enum(port.get_string("protocol"), kProtocols, child(at, "protocol"), out);
  }
}

// ---- Environment

// podshelper.ConvertDownwardAPIFieldLabel for apiVersion v1; "" when unsupported.
std::optional<std::string> convert_downward_field(std::string_view field_path, std::string& error) {
  static const string_list known = {
      "metadata.annotations", "metadata.labels", "metadata.name",      "metadata.namespace",
      "metadata.uid",         "spec.nodeName",   "spec.restartPolicy", "spec.serviceAccountName",
      "spec.schedulerName",   "status.phase",    "status.hostIP",      "status.hostIPs",
      "status.podIP",         "status.podIPs"};
  size_t open = field_path.find("['");
  if (field_path.ends_with("']") && open != std::string_view::npos && open > 0) {
    std::string_view base = field_path.substr(0, open);
    if (base == "metadata.annotations" || base == "metadata.labels") return std::string(field_path);
    error = "field label does not support subscript: " + std::string(field_path);
    return std::nullopt;
  }
  if (contains(known, field_path)) return std::string(field_path);
  if (field_path == "spec.host") return std::string("spec.nodeName");
  error = "field label not supported: " + std::string(field_path);
  return std::nullopt;
}

void validate_object_field_selector(const value& ref, const string_list& expressions,
                                    const field_path& path, causes& out) {
  std::string api_version = str(ref, "apiVersion");
  std::string field_path = str(ref, "fieldPath");
  if (api_version.empty()) return out.push_back(required_field(child(path, "apiVersion")));
  if (field_path.empty()) return out.push_back(required_field(child(path, "fieldPath")));
  std::string error;
  auto internal = api_version == "v1" ? convert_downward_field(field_path, error) : std::nullopt;
  if (api_version != "v1") error = "unsupported pod version: " + api_version;
  if (!internal)
    return out.push_back(invalid_value(child(path, "fieldPath"), show(field_path),
                                       "error converting fieldPath: " + error));
  size_t open = internal->find("['");
  if (internal->ends_with("']") && open != std::string::npos && open > 0) {
    std::string base = internal->substr(0, open);
    std::string subscript = internal->substr(open + 2, internal->size() - open - 4);
    if (base == "metadata.annotations") {
      validate_qualified_name(lower(subscript), path, out);
    } else if (base == "metadata.labels") {
      validate_qualified_name(subscript, path, out);
    } else {
      out.push_back(invalid_value(path, show(base), "does not support subscript"));
    }
  } else if (!contains(expressions, *internal)) {
    out.push_back(unsupported_value(child(path, "fieldPath"), show(*internal), expressions));
  }
}

std::optional<schema::quantity> quantity_of(const value& v) {
  std::optional<schema::quantity> q(std::in_place);
  if (v.is_string()) {
    if (!schema::parse_quantity(v.as_string(), &*q)) return std::nullopt;
  } else if (v.is_int()) {
    if (!schema::parse_quantity(std::to_string(v.as_int()), &*q)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return q;
}

void validate_resource_divisor(std::string_view resource, const value* divisor,
                               const field_path& path, causes& out) {
  auto q = divisor ? quantity_of(*divisor) : std::nullopt;
  if (!q || q->is_zero()) return;
  static const string_list cpu = {"1m", "1"};
  static const string_list memory = {"1",   "1k",  "1M",  "1G",  "1T",  "1P", "1E",
                                     "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"};
  std::string shown = q->to_string();
  const field_path at = child(path, "divisor");
  if ((resource == "limits.cpu" || resource == "requests.cpu") && !contains(cpu, shown))
    out.push_back(invalid_value(at, show(resource),
                                "only divisor's values 1m and 1 are supported with the cpu "
                                "resource"));
  const std::string memory_values =
      "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are "
      "supported with the ";
  if ((resource == "limits.memory" || resource == "requests.memory") && !contains(memory, shown))
    out.push_back(invalid_value(at, show(resource), memory_values + "memory resource"));
  if ((resource == "limits.ephemeral-storage" || resource == "requests.ephemeral-storage") &&
      !contains(memory, shown))
    out.push_back(
        invalid_value(at, show(resource), memory_values + "local ephemeral storage resource"));
}

void validate_resource_field_selector(const value& ref, bool volume, const field_path& path,
                                      causes& out) {
  static const string_list expressions = {
      "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
      "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
  std::string resource = str(ref, "resource");
  if (volume && ref.get_string("containerName").empty()) {
    out.push_back(required_field(child(path, "containerName")));
  } else if (resource.empty()) {
    out.push_back(required_field(child(path, "resource")));
  } else if (!contains(expressions, resource) && !resource.starts_with("limits.hugepages-") &&
             !resource.starts_with("requests.hugepages-")) {
    out.push_back(unsupported_value(child(path, "resource"), show(resource), expressions));
  }
  validate_resource_divisor(resource, member(ref, "divisor"), path, out);
}

// ConfigMap and Secret key selectors: the name is checked as a Secret name.
void validate_key_selector(const value& ref, const field_path& path, causes& out) {
  std::string name = str(ref, "name");
  for (auto& msg : is_dns1123_subdomain(name))
    out.push_back(invalid_value(child(path, "name"), show(name), msg));
  std::string key = str(ref, "key");
  if (key.empty()) {
    out.push_back(required_field(child(path, "key")));
  } else {
    for (auto& msg : is_config_map_key(key))
      out.push_back(invalid_value(child(path, "key"), show(key), msg));
  }
}

const string_list kEnvFieldPaths = {"metadata.name",
                                    "metadata.namespace",
                                    "metadata.uid",
                                    "spec.nodeName",
                                    "spec.serviceAccountName",
                                    "status.hostIP",
                                    "status.hostIPs",
                                    "status.podIP",
                                    "status.podIPs"};

void validate_env_value_from(const value& env, const field_path& path, causes& out) {
  const value* from = member(env, "valueFrom");
  if (!from) return;
  int sources = 0;
  if (const value* ref = member(*from, "fieldRef")) {
    ++sources;
    validate_object_field_selector(*ref, kEnvFieldPaths, child(path, "fieldRef"), out);
  }
  if (const value* ref = member(*from, "resourceFieldRef")) {
    ++sources;
    validate_resource_field_selector(*ref, false, child(path, "resourceFieldRef"), out);
  }
  if (const value* ref = member(*from, "configMapKeyRef")) {
    ++sources;
    validate_key_selector(*ref, child(path, "configMapKeyRef"), out);
  }
  if (const value* ref = member(*from, "secretKeyRef")) {
    ++sources;
    validate_key_selector(*ref, child(path, "secretKeyRef"), out);
  }
  if (sources == 0) {
    out.push_back(invalid_value(path, show(""),
                                "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                "`configMapKeyRef` or `secretKeyRef`"));
  } else if (!env.get_string("value").empty()) {
    out.push_back(invalid_value(path, show(""), "may not be specified when `value` is not empty"));
  } else if (sources > 1) {
    out.push_back(
        invalid_value(path, show(""), "may not have more than one field specified at a time"));
  }
}

void validate_env(const json::array& env, const field_path& path, causes& out) {
  for (size_t i = 0; i < env.size(); ++i) {
    const field_path at = index(path, i);
    std::string_view name = env[i].get_string("name");
    if (name.empty()) out.push_back(required_field(child(at, "name")));
    for (auto& msg : is_relaxed_env_var_name(name))
      out.push_back(invalid_value(child(at, "name"), show(name), msg));
    validate_env_value_from(env[i], child(at, "valueFrom"), out);
  }
}

void validate_env_source_name(const value& ref, const field_path& path, causes& out) {
  std::string name = str(ref, "name");
  if (name.empty()) return out.push_back(required_field(child(path, "name")));
  for (auto& msg : validate_name(name, name_rule::dns1123_subdomain, true))
    out.push_back(invalid_value(child(path, "name"), show(name), msg));
}

void validate_env_from(const json::array& sources, const field_path& path, causes& out) {
  for (size_t i = 0; i < sources.size(); ++i) {
    const value& source = sources[i];
    const field_path at = index(path, i);
    std::string prefix = str(source, "prefix");
    if (!prefix.empty())
      for (auto& msg : is_relaxed_env_var_name(prefix))
        out.push_back(invalid_value(child(at, "prefix"), show(prefix), msg));
    int count = 0;
    for (std::string_view kind : {"configMapRef", "secretRef"}) {
      if (const value* ref = member(source, kind)) {
        ++count;
        validate_env_source_name(*ref, child(at, kind), out);
      }
    }
    if (count == 0)
      out.push_back(
          invalid_value(path, show(""), "must specify one of: `configMapRef` or `secretRef`"));
    if (count > 1)
      out.push_back(
          invalid_value(path, show(""), "may not have more than one field specified at a time"));
  }
}

// ---- Volume mounts and devices

void validate_no_backsteps(std::string_view target, const field_path& path, causes& out) {
  size_t start = 0;
  while (true) {
    size_t slash = target.find('/', start);
    if (target.substr(start, slash - start) == "..") {
      out.push_back(invalid_value(path, show(target), "must not contain '..'"));
      return;
    }
    if (slash == std::string_view::npos) return;
    start = slash + 1;
  }
}

void validate_local_descending_path(std::string_view target, const field_path& path, causes& out) {
  if (target.starts_with("/"))
    out.push_back(invalid_value(path, show(target), "must be a relative path"));
  validate_no_backsteps(target, path, out);
}

void validate_local_non_reserved_path(std::string_view target, const field_path& path,
                                      causes& out) {
  validate_local_descending_path(target, path, out);
  if (target.starts_with("..") && !target.starts_with("../"))
    out.push_back(invalid_value(path, show(target), "must not start with '..'"));
}

// The fields of a Container that its checks read.
struct container_fields {
  const value *name = nullptr, *image = nullptr, *terminationMessagePolicy = nullptr;
  const value *imagePullPolicy = nullptr, *restartPolicy = nullptr;
  const value *ports = nullptr, *env = nullptr, *envFrom = nullptr;
  const value *volumeMounts = nullptr, *volumeDevices = nullptr;
  const value *resources = nullptr, *resizePolicy = nullptr, *securityContext = nullptr;
  const value *lifecycle = nullptr, *livenessProbe = nullptr, *readinessProbe = nullptr;
  const value* startupProbe = nullptr;
};

container_fields read_container(const value& c) {
  using f = container_fields;
  static const field_names<f> names({{"name", &f::name},
                                     {"image", &f::image},
                                     {"terminationMessagePolicy", &f::terminationMessagePolicy},
                                     {"imagePullPolicy", &f::imagePullPolicy},
                                     {"restartPolicy", &f::restartPolicy},
                                     {"ports", &f::ports},
                                     {"env", &f::env},
                                     {"envFrom", &f::envFrom},
                                     {"volumeMounts", &f::volumeMounts},
                                     {"volumeDevices", &f::volumeDevices},
                                     {"resources", &f::resources},
                                     {"resizePolicy", &f::resizePolicy},
                                     {"securityContext", &f::securityContext},
                                     {"lifecycle", &f::lifecycle},
                                     {"livenessProbe", &f::livenessProbe},
                                     {"readinessProbe", &f::readinessProbe},
                                     {"startupProbe", &f::startupProbe}});
  return read_fields(c, names);
}

// Volume names and the paths they are mounted at or attached to.
using paths_by_name = std::map<std::string, std::string, std::less<>>;

paths_by_name devices_by_name(const json::array& volume_devices) {
  paths_by_name devices;
  for (const value& d : volume_devices) devices[str(d, "name")] = str(d, "devicePath");
  return devices;
}

bool has_path(const paths_by_name& by_name, std::string_view path) {
  return std::any_of(by_name.begin(), by_name.end(),
                     [&](const auto& entry) { return entry.second == path; });
}

void validate_mount_propagation(const value& mount, const value* security_context,
                                const field_path& path, causes& out) {
  const value* mode = member(mount, "mountPropagation");
  if (!mode) return;
  std::string_view propagation = string_value(*mode);
  static const string_list supported = {"Bidirectional", "HostToContainer", "None"};
  if (!contains(supported, propagation))
    out.push_back(unsupported_value(path, show(propagation), supported));
  bool privileged = bool_of(sub(security_context), "privileged");
  if (propagation == "Bidirectional" && !privileged)
    out.push_back(forbidden_field(
        path, "Bidirectional mount propagation is available only to privileged containers"));
}

void validate_recursive_read_only(const value& mount, const field_path& path, causes& out) {
  const value* rro = member(mount, "recursiveReadOnly");
  if (!rro) return;
  std::string_view mode = string_value(*rro);
  if (mode == "Disabled") return;
  if (mode == "Enabled" || mode == "IfPossible") {
    if (!bool_of(mount, "readOnly"))
      out.push_back(forbidden_field(path, "may only be specified when readOnly is true"));
    std::string propagation = str(mount, "mountPropagation");
    if (!propagation.empty() && propagation != "None")
      out.push_back(forbidden_field(
          path, "may only be specified when mountPropagation is None or not specified"));
    return;
  }
  out.push_back(unsupported_value(path, show(mode), {"Disabled", "Enabled", "IfPossible"}));
}

void validate_volume_mounts(const container_fields& container, const pod_context& ctx,
                            const field_path& path, causes& out) {
  auto devices = devices_by_name(array_of(container.volumeDevices));
  seen_names mount_points;
  const json::array& mounts = array_of(container.volumeMounts);
  for (size_t i = 0; i < mounts.size(); ++i) {
    const value& mount = mounts[i];
    const field_path at = index(path, i);
    std::string_view name = mount.get_string("name");
    std::string_view mount_path = mount.get_string("mountPath");
    if (name.empty()) out.push_back(required_field(child(at, "name")));
    if (!ctx.volumes.contains(name)) out.push_back(not_found_value(child(at, "name"), show(name)));
    if (mount_path.empty()) out.push_back(required_field(child(at, "mountPath")));
    if (!mount_points.insert(mount_path))
      out.push_back(invalid_value(child(at, "mountPath"), show(mount_path), "must be unique"));
    if (devices.contains(name))
      out.push_back(
          invalid_value(child(at, "name"), show(name), "must not already exist in volumeDevices"));
    if (has_path(devices, mount_path))
      out.push_back(invalid_value(child(at, "mountPath"), show(mount_path),
                                  "must not already exist as a path in volumeDevices"));
    std::string_view sub_path = mount.get_string("subPath");
    std::string_view sub_path_expr = mount.get_string("subPathExpr");
    if (!sub_path.empty()) validate_local_descending_path(sub_path, child(path, "subPath"), out);
    if (!sub_path_expr.empty()) {
      if (!sub_path.empty())
        out.push_back(invalid_value(child(at, "subPathExpr"), show(sub_path_expr),
                                    "subPathExpr and subPath are mutually exclusive"));
      validate_local_descending_path(sub_path_expr, child(path, "subPathExpr"), out);
    }
    validate_mount_propagation(mount, container.securityContext, child(path, "mountPropagation"),
                               out);
    validate_recursive_read_only(mount, child(path, "recursiveReadOnly"), out);
  }
}

void validate_volume_devices(const container_fields& container, const pod_context& ctx,
                             const field_path& path, causes& out) {
  const json::array& devices = array_of(container.volumeDevices);
  if (devices.empty()) return;
  paths_by_name mounts;
  for (const value& m : array_of(container.volumeMounts))
    mounts[str(m, "name")] = str(m, "mountPath");
  std::set<std::string> names, paths;
  for (size_t i = 0; i < devices.size(); ++i) {
    const field_path at = index(path, i);
    std::string name = str(devices[i], "name");
    std::string device_path = str(devices[i], "devicePath");
    auto volume = ctx.volumes.find(name);
    bool matched = volume != ctx.volumes.end();
    bool claim =
        matched && (volume->second == "persistentVolumeClaim" || volume->second == "ephemeral");
    if (name.empty()) out.push_back(required_field(child(at, "name")));
    if (names.contains(name))
      out.push_back(invalid_value(child(at, "name"), show(name), "must be unique"));
    if (matched && !claim)
      out.push_back(invalid_value(child(at, "name"), show(name),
                                  "can only use volume source type of PersistentVolumeClaim or "
                                  "Ephemeral for block mode"));
    if (!matched) out.push_back(not_found_value(child(at, "name"), show(name)));
    if (device_path.empty()) out.push_back(required_field(child(at, "devicePath")));
    if (paths.contains(device_path))
      out.push_back(invalid_value(child(at, "devicePath"), show(device_path), "must be unique"));
    causes backsteps;
    validate_no_backsteps(device_path, at, backsteps);
    if (!device_path.empty() && !backsteps.empty()) {
      out.push_back(invalid_value(child(at, "devicePath"), show(device_path),
                                  "can not contain backsteps ('..')"));
    } else {
      paths.insert(device_path);
    }
    if (mounts.contains(name))
      out.push_back(
          invalid_value(child(at, "name"), show(name), "must not already exist in volumeMounts"));
    if (has_path(mounts, device_path))
      out.push_back(invalid_value(child(at, "devicePath"), show(device_path),
                                  "must not already exist as a path in volumeMounts"));
    if (!name.empty()) names.insert(name);
  }
}

// ---- Resources

bool is_hugepages(std::string_view name) {
  return name.starts_with("hugepages-");
}

bool is_native_resource(std::string_view name) {
  return name.find('/') == std::string_view::npos ||
         name.find("kubernetes.io/") != std::string_view::npos;
}

bool is_extended_resource(std::string_view name) {
  if (is_native_resource(name) || name.starts_with("requests.")) return false;
  return is_qualified_name("requests." + std::string(name)).empty();
}

bool is_standard_resource(std::string_view name) {
  static const string_list standard = {"cpu",
                                       "memory",
                                       "ephemeral-storage",
                                       "requests.cpu",
                                       "requests.memory",
                                       "requests.ephemeral-storage",
                                       "limits.cpu",
                                       "limits.memory",
                                       "limits.ephemeral-storage",
                                       "pods",
                                       "services",
                                       "replicationcontrollers",
                                       "resourcequotas",
                                       "secrets",
                                       "configmaps",
                                       "persistentvolumeclaims",
                                       "storage",
                                       "requests.storage",
                                       "services.nodeports",
                                       "services.loadbalancers"};
  return contains(standard, name) || is_hugepages(name) || name.starts_with("requests.hugepages-");
}

bool is_standard_container_resource(std::string_view name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" || is_hugepages(name);
}

bool overcommit_allowed(std::string_view name) {
  return is_native_resource(name) && !is_hugepages(name);
}

void validate_container_resource_name(std::string_view name, const field_path& path, causes& out) {
  // The names nearly every container uses pass all the checks below.
  if (name == "cpu" || name == "memory") return;
  const size_t errors_before = out.size();
  validate_qualified_name(name, path, out);
  if (out.size() != errors_before) return;
  bool prefixed = name.find('/') != std::string_view::npos;
  if (!prefixed && !is_standard_resource(name))
    return out.push_back(
        invalid_value(path, show(name), "must be a standard resource type or fully qualified"));
  if (!prefixed && !is_standard_container_resource(name))
    return out.push_back(
        invalid_value(path, show(name), "must be a standard resource for containers"));
  if (prefixed && !is_native_resource(name) && !is_extended_resource(name))
    out.push_back(
        invalid_value(path, show(name), "doesn't follow extended resource name standard"));
}

void validate_quantity_value(std::string_view name, const schema::quantity& q,
                             const field_path& path, causes& out) {
  if (q.negative && !q.is_zero())
    out.push_back(invalid_value(path, show(q.to_string()), std::string(kNegativeMsg)));
  int64_t milli = 0;
  if (is_extended_resource(name) && (!q.scaled(-3, milli) || milli % 1000 != 0))
    out.push_back(invalid_value(path, show(q.to_string()), "must be an integer"));
}

// ValidateContainerResourceRequirements.
void validate_resources(const value& resources, const field_path& path, causes& out) {
  const field_path limits_path = child(path, "limits");
  const field_path requests_path = child(path, "requests");
  bool limits_cpu_memory = false, requests_cpu_memory = false, hugepages = false;
  const json::object& limits = object_of(resources, "limits");
  std::vector<std::optional<schema::quantity>> limit_quantities;  // parsed once, by position
  limit_quantities.reserve(limits.size());
  for (const auto& [name, v] : limits) {
    const field_path at = keyed(limits_path, name);
    validate_container_resource_name(name, at, out);
    auto q = quantity_of(v);
    if (q) validate_quantity_value(name, *q, at, out);
    limit_quantities.push_back(std::move(q));
    hugepages = hugepages || is_hugepages(name);
    limits_cpu_memory = limits_cpu_memory || name == "cpu" || name == "memory";
  }
  for (const auto& [name, v] : object_of(resources, "requests")) {
    const field_path at = keyed(requests_path, name);
    validate_container_resource_name(name, at, out);
    auto request = quantity_of(v);
    if (request) validate_quantity_value(name, *request, at, out);
    const value* limit_value = nullptr;
    const std::optional<schema::quantity>* limit = nullptr;
    for (size_t i = 0; i < limits.size(); ++i) {
      if (limits[i].key != name) continue;
      if (!limits[i].val.is_null()) {
        limit_value = &limits[i].val;
        limit = &limit_quantities[i];
      }
      break;
    }
    if (request && limit && *limit) {
      const schema::quantity& limit_quantity = **limit;
      int cmp = schema::compare(*request, limit_quantity);
      if (cmp != 0 && !overcommit_allowed(name))
        out.push_back(
            invalid_value(requests_path, show(request->to_string()),
                          "must be equal to " + name + " limit of " + limit_quantity.to_string()));
      else if (cmp > 0)
        out.push_back(invalid_value(
            requests_path, show(request->to_string()),
            "must be less than or equal to " + name + " limit of " + limit_quantity.to_string()));
    } else if (!limit_value && !overcommit_allowed(name)) {
      out.push_back(
          required_field(limits_path, "Limit must be set for non overcommitable resources"));
    }
    hugepages = hugepages || is_hugepages(name);
    requests_cpu_memory = requests_cpu_memory || name == "cpu" || name == "memory";
  }
  if (!limits_cpu_memory && !requests_cpu_memory && hugepages)
    out.push_back(forbidden_field(path, "HugePages require cpu or memory"));
}

void validate_resize_policy(const json::array& policies, const pod_context& ctx,
                            const field_path& path, causes& out) {
  std::set<std::string> seen;
  for (size_t i = 0; i < policies.size(); ++i) {
    std::string resource = str(policies[i], "resourceName");
    std::string policy = str(policies[i], "restartPolicy");
    if (!seen.insert(resource).second)
      out.push_back(duplicate_value(index(path, i), show(resource)));
    validate_enum(resource, {"cpu", "memory"}, path, out);
    validate_enum(policy, {"NotRequired", "RestartContainer"}, path, out);
    if (ctx.restart_policy == "Never" && policy != "NotRequired")
      out.push_back(invalid_value(path, show(policy),
                                  "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  }
}

constexpr int64_t kMaxUserID = 2147483647;

void validate_id(const value& obj, std::string_view key, const field_path& path, causes& out) {
  auto id = int_of(obj, key);
  if (id && (*id < 0 || *id > kMaxUserID))
    out.push_back(
        invalid_value(child(path, key), show_int(*id), inclusive_range_error(0, kMaxUserID)));
}

// ---- Containers

void validate_container_common(const container_fields& c, const pod_context& ctx,
                               const field_path& path, causes& out) {
  std::string_view name = string_of(c.name);
  if (name.empty()) {
    out.push_back(required_field(child(path, "name")));
  } else {
    validate_dns1123_label(name, child(path, "name"), out);
  }
  if (string_of(c.image).empty()) out.push_back(required_field(child(path, "image")));
  validate_enum(string_of(c.terminationMessagePolicy), {"File", "FallbackToLogsOnError"},
                child(path, "terminationMessagePolicy"), out);
  validate_container_ports(array_of(c.ports), child(path, "ports"), out);
  validate_env(array_of(c.env), child(path, "env"), out);
  validate_env_from(array_of(c.envFrom), child(path, "envFrom"), out);
  validate_volume_mounts(c, ctx, child(path, "volumeMounts"), out);
  validate_volume_devices(c, ctx, child(path, "volumeDevices"), out);
  validate_enum(string_of(c.imagePullPolicy), {"Always", "IfNotPresent", "Never"},
                child(path, "imagePullPolicy"), out);
  validate_resources(sub(c.resources), child(path, "resources"), out);
  validate_resize_policy(array_of(c.resizePolicy), ctx, child(path, "resizePolicy"), out);
  if (c.securityContext) {
    validate_id(*c.securityContext, "runAsUser", child(path, "securityContext"), out);
    validate_id(*c.securityContext, "runAsGroup", child(path, "securityContext"), out);
  }
}

void validate_container_probes(const container_fields& c, const pod_context& ctx,
                               const field_path& path, causes& out) {
  if (c.lifecycle) validate_lifecycle(*c.lifecycle, ctx, child(path, "lifecycle"), out);
  validate_probe(c.livenessProbe, probe_kind::liveness, ctx, child(path, "livenessProbe"), out);
  validate_probe(c.readinessProbe, probe_kind::readiness, ctx, child(path, "readinessProbe"), out);
  validate_probe(c.startupProbe, probe_kind::startup, ctx, child(path, "startupProbe"), out);
}

// AccumulateUniqueHostPorts: "<hostIP>/<protocol>/<hostPort>" must be unique. `ports_by_container`
// holds the ports of each container, by the container's index.
void check_host_port_conflicts(const std::vector<const json::array*>& ports_by_container,
                               const field_path& path, causes& out) {
  std::set<std::string> seen;
  for (size_t ci = 0; ci < ports_by_container.size(); ++ci) {
    const json::array& ports = *ports_by_container[ci];
    for (size_t pi = 0; pi < ports.size(); ++pi) {
      int64_t host_port = int_or(ports[pi], "hostPort", 0);
      if (host_port == 0) continue;
      std::string key = str(ports[pi], "hostIP") + "/" + str(ports[pi], "protocol") + "/" +
                        std::to_string(host_port);
      if (!seen.insert(key).second)
        out.push_back(duplicate_value(
            child(index(child(index(path.str(), ci), "ports"), pi), "hostPort"), show(key)));
    }
  }
}

void validate_containers(const json::array& containers, const pod_context& ctx,
                         const field_path& path, causes& out) {
  if (containers.empty()) return out.push_back(required_field(path));
  seen_names names;
  std::vector<const json::array*> ports;
  for (size_t i = 0; i < containers.size(); ++i) {
    const container_fields c = read_container(containers[i]);
    const field_path at = index(path, i);
    validate_container_common(c, ctx, at, out);
    if (!names.insert(string_of(c.name)))
      out.push_back(duplicate_value(child(at, "name"), show(string_of(c.name))));
    validate_container_probes(c, ctx, at, out);
    if (c.restartPolicy)
      out.push_back(
          forbidden_field(child(at, "restartPolicy"), "may not be set for non-init containers"));
    ports.push_back(&array_of(c.ports));
  }
  check_host_port_conflicts(ports, path, out);
}

std::string go_resize_policies(const json::array& policies) {
  std::string out = "[]core.ContainerResizePolicy{";
  for (size_t i = 0; i < policies.size(); ++i)
    out += std::string(i ? ", " : "") + "core.ContainerResizePolicy{ResourceName:" +
           show(policies[i].get_string("resourceName")) +
           ", RestartPolicy:" + show(policies[i].get_string("restartPolicy")) + "}";
  return out + "}";
}

void validate_init_containers(const json::array& inits, const json::array& regular,
                              const pod_context& ctx, const field_path& path, causes& out) {
  if (inits.empty()) return;
  std::set<std::string> names;
  for (const value& c : regular) names.insert(str(c, "name"));
  for (size_t i = 0; i < inits.size(); ++i) {
    const container_fields c = read_container(inits[i]);
    const field_path at = index(path, i);
    validate_container_common(c, ctx, at, out);
    const value* restart = c.restartPolicy;
    if (restart && string_value(*restart) != "Always")
      out.push_back(
          unsupported_value(child(at, "restartPolicy"), show(string_value(*restart)), {"Always"}));
    std::string name(string_of(c.name));
    if (names.contains(name)) {
      out.push_back(duplicate_value(child(at, "name"), show(name)));
    } else if (!name.empty()) {
      names.insert(name);
    }
    check_host_port_conflicts({&array_of(c.ports)}, path, out);
    if (restart && string_value(*restart) == "Always") {
      validate_container_probes(c, ctx, at, out);
    } else {
      const std::pair<std::string_view, const value*> hooks[] = {
          {"lifecycle", c.lifecycle},
          {"livenessProbe", c.livenessProbe},
          {"readinessProbe", c.readinessProbe},
          {"startupProbe", c.startupProbe}};
      for (const auto& [field, hook] : hooks)
        if (hook)
          out.push_back(forbidden_field(
              child(at, field), "may not be set for init containers without restartPolicy=Always"));
    }
    const json::array& resize_policy = array_of(c.resizePolicy);
    if (!resize_policy.empty())
      out.push_back(invalid_value(child(at, "resizePolicy"), go_resize_policies(resize_policy),
                                  "must not be set for init containers"));
  }
}

// ---- Volumes

// VolumeSource fields in the order validateVolumeSource checks them.
constexpr std::array<std::string_view, 29> kVolumeSources = {"emptyDir",
                                                             "hostPath",
                                                             "gitRepo",
                                                             "gcePersistentDisk",
                                                             "awsElasticBlockStore",
                                                             "secret",
                                                             "nfs",
                                                             "iscsi",
                                                             "glusterfs",
                                                             "persistentVolumeClaim",
                                                             "rbd",
                                                             "flexVolume",
                                                             "cinder",
                                                             "cephfs",
                                                             "flocker",
                                                             "downwardAPI",
                                                             "fc",
                                                             "azureFile",
                                                             "configMap",
                                                             "vsphereVolume",
                                                             "quobyte",
                                                             "azureDisk",
                                                             "photonPersistentDisk",
                                                             "projected",
                                                             "portworxVolume",
                                                             "scaleIO",
                                                             "storageos",
                                                             "csi",
                                                             "ephemeral"};

void validate_key_to_paths(const value& source, const field_path& path, causes& out) {
  const json::array& items = array_of(source, "items");
  const field_path items_path = child(path, "items");
  for (size_t i = 0; i < items.size(); ++i) {
    const field_path at = index(items_path, i);
    std::string item_path = str(items[i], "path");
    if (items[i].get_string("key").empty()) out.push_back(required_field(child(at, "key")));
    if (item_path.empty()) out.push_back(required_field(child(at, "path")));
    validate_local_non_reserved_path(item_path, child(at, "path"), out);
    validate_mode(items[i], "mode", at, out);
  }
}

const string_list kVolumeFieldPaths = {"metadata.annotations", "metadata.labels", "metadata.name",
                                       "metadata.namespace", "metadata.uid"};

void validate_downward_api_file(const value& file, const field_path& path, causes& out) {
  std::string file_path = str(file, "path");
  if (file_path.empty()) out.push_back(required_field(child(path, "path")));
  validate_local_non_reserved_path(file_path, child(path, "path"), out);
  const value* field_ref = member(file, "fieldRef");
  const value* resource_ref = member(file, "resourceFieldRef");
  if (field_ref) {
    validate_object_field_selector(*field_ref, kVolumeFieldPaths, child(path, "fieldRef"), out);
    if (resource_ref)
      out.push_back(invalid_value(path, show("resource"),
                                  "fieldRef and resourceFieldRef can not be specified "
                                  "simultaneously"));
  } else if (resource_ref) {
    validate_resource_field_selector(*resource_ref, true, child(path, "resourceFieldRef"), out);
  } else {
    out.push_back(required_field(path, "one of fieldRef and resourceFieldRef is required"));
  }
  validate_mode(file, "mode", path, out);
}

void validate_projected(const value& projected, const field_path& path, causes& out) {
  validate_mode(projected, "defaultMode", path, out);
  std::set<std::string> paths;
  auto check_duplicate = [&](const std::string& p, const std::string& shown) {
    if (!p.empty() && !paths.insert(p).second)
      out.push_back(invalid_value(path, show(shown), "conflicting duplicate paths"));
  };
  const json::array& sources = array_of(projected, "sources");
  const field_path sources_path = child(path, "sources");
  for (size_t i = 0; i < sources.size(); ++i) {
    const value& source = sources[i];
    const field_path at = index(sources_path, i);
    int count = 0;
    for (std::string_view kind : {"secret", "configMap"}) {
      const value* ref = member(source, kind);
      if (!ref) continue;
      ++count;
      if (ref->get_string("name").empty())
        out.push_back(required_field(child(at.str(), kind) + ".name"));
      validate_key_to_paths(*ref, child(at, kind), out);
      for (const value& item : array_of(*ref, "items"))
        check_duplicate(str(item, "path"), str(*ref, "name"));
    }
    if (const value* api = member(source, "downwardAPI")) {
      ++count;
      for (const value& file : array_of(*api, "items")) {
        validate_downward_api_file(file, child(at, "downwardAPI"), out);
        check_duplicate(str(file, "path"), str(file, "path"));
      }
    }
    if (const value* token = member(source, "serviceAccountToken")) {
      ++count;
      int64_t expiration = int_or(*token, "expirationSeconds", 0);
      std::string exp_path = child(at, "serviceAccountToken").str() + ".expirationSeconds";
      if (expiration < 600)
        out.push_back(invalid_value(exp_path, show_int(expiration),
                                    "may not specify a duration less than 10 minutes"));
      if (expiration > (int64_t{1} << 32))
        out.push_back(invalid_value(exp_path, show_int(expiration),
                                    "may not specify a duration larger than 2^32 seconds"));
      if (token->get_string("path").empty()) out.push_back(required_field(child(path, "path")));
    }
    if (member(source, "clusterTrustBundle")) ++count;
    if (count > 1)
      out.push_back(forbidden_field(at, "may not specify more than 1 volume type per source"));
  }
}

void validate_host_path(const value& host_path, const field_path& path, causes& out) {
  std::string p = str(host_path, "path");
  if (p.empty()) return out.push_back(required_field(child(path, "path")));
  validate_no_backsteps(p, child(path, "path"), out);
  static const string_list types = {
      "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
      "File", "FileOrCreate", "Socket"};
  if (const value* type = member(host_path, "type"); type && !contains(types, string_value(*type)))
    out.push_back(unsupported_value(child(path, "type"), show(string_value(*type)), types));
}

void validate_volume_source_details(std::string_view kind, const value& source,
                                    const field_path& path, causes& out) {
  if (kind == "emptyDir") {
    const value* limit = member(source, "sizeLimit");
    auto q = limit ? quantity_of(*limit) : std::nullopt;
    if (q && q->negative && !q->is_zero())
      out.push_back(forbidden_field(child(path, "sizeLimit"),
                                    "SizeLimit field must be a valid resource quantity"));
  } else if (kind == "hostPath") {
    validate_host_path(source, path, out);
  } else if (kind == "secret" || kind == "configMap") {
    std::string name_field = kind == "secret" ? "secretName" : "name";
    if (source.get_string(name_field).empty())
      out.push_back(required_field(child(path, name_field)));
    validate_mode(source, "defaultMode", path, out);
    validate_key_to_paths(source, path, out);
  } else if (kind == "nfs") {
    std::string p = str(source, "path");
    if (source.get_string("server").empty()) out.push_back(required_field(child(path, "server")));
    if (p.empty()) out.push_back(required_field(child(path, "path")));
    if (!p.starts_with("/"))
      out.push_back(invalid_value(child(path, "path"), show(p), "must be an absolute path"));
  } else if (kind == "persistentVolumeClaim") {
    if (source.get_string("claimName").empty())
      out.push_back(required_field(child(path, "claimName")));
  } else if (kind == "downwardAPI") {
    validate_mode(source, "defaultMode", path, out);
    for (const value& file : array_of(source, "items")) validate_downward_api_file(file, path, out);
  } else if (kind == "projected") {
    validate_projected(source, path, out);
  } else if (kind == "ephemeral") {
    if (!member(source, "volumeClaimTemplate"))
      out.push_back(required_field(child(path, "volumeClaimTemplate")));
  }
}

// The non-null sources of a volume, by their position in kVolumeSources: one pass over the
// volume's few members rather than a lookup of each of the 29 kinds.
std::array<const value*, kVolumeSources.size()> volume_sources(const value& volume) {
  static const name_table<size_t> positions = [] {
    std::vector<std::pair<std::string_view, size_t>> entries;
    for (size_t i = 0; i < kVolumeSources.size(); ++i) entries.emplace_back(kVolumeSources[i], i);
    return name_table<size_t>(entries);
  }();
  std::array<const value*, kVolumeSources.size()> sources{};
  if (!volume.is_object()) return sources;
  for (const json::member& m : volume.as_object()) {
    const size_t* position = positions.find(m.key);
    if (position && !m.val.is_null()) sources[*position] = &m.val;
  }
  return sources;
}

// validateVolumeSource: exactly one source; returns the source's field name ("" if none).
std::string validate_volume_source(const value& volume, const field_path& path, causes& out) {
  std::string found;
  const auto sources = volume_sources(volume);
  for (size_t i = 0; i < kVolumeSources.size(); ++i) {
    const std::string_view kind = kVolumeSources[i];
    const value* source = sources[i];
    if (!source) continue;
    if (!found.empty()) {
      out.push_back(forbidden_field(child(path, kind), "may not specify more than 1 volume type"));
      continue;
    }
    found = std::string(kind);
    validate_volume_source_details(kind, *source, child(path, kind), out);
  }
  if (found.empty()) out.push_back(required_field(path, "must specify a volume type"));
  return found;
}

// Collects the valid volumes into ctx.volumes (empty before), which also finds duplicates.
void validate_volumes(const json::array& volumes, pod_context& ctx, const field_path& path,
                      causes& out) {
  for (size_t i = 0; i < volumes.size(); ++i) {
    const field_path at = index(path, i);
    causes errors;
    std::string source = validate_volume_source(volumes[i], at, errors);
    std::string_view name = volumes[i].get_string("name");
    if (name.empty()) {
      errors.push_back(required_field(child(at, "name")));
    } else {
      validate_dns1123_label(name, child(at, "name"), errors);
    }
    if (ctx.volumes.contains(name))
      errors.push_back(duplicate_value(child(at, "name"), show(name)));
    if (errors.empty()) ctx.volumes.emplace(name, std::move(source));
    out.insert(out.end(), errors.begin(), errors.end());
  }
}

// Replicated pods may only share GCE persistent disks read-only.
void validate_read_only_persistent_disks(const json::array& volumes, const field_path& path,
                                         causes& out) {
  for (size_t i = 0; i < volumes.size(); ++i) {
    const value* disk = member(volumes[i], "gcePersistentDisk");
    if (disk && !bool_of(*disk, "readOnly"))
      out.push_back(invalid_value(
          child(child(index(path.str(), i), "gcePersistentDisk"), "readOnly"), "false",
          "must be true for replicated pods > 1; GCE PD can only be "
          "mounted on multiple machines if it is read-only"));
  }
}

// ---- Pod-level fields

// The fields of a PodSpec that its checks read.
struct pod_spec_fields {
  const value *restartPolicy = nullptr, *terminationGracePeriodSeconds = nullptr;
  const value *volumes = nullptr, *initContainers = nullptr, *containers = nullptr;
  const value *hostNetwork = nullptr, *dnsPolicy = nullptr, *dnsConfig = nullptr;
  const value *nodeSelector = nullptr, *securityContext = nullptr;
  const value *serviceAccountName = nullptr, *nodeName = nullptr;
  const value *activeDeadlineSeconds = nullptr, *hostname = nullptr, *subdomain = nullptr;
  const value *tolerations = nullptr, *priorityClassName = nullptr;
  const value *preemptionPolicy = nullptr, *schedulingGates = nullptr;
};

pod_spec_fields read_pod_spec(const value& spec) {
  using f = pod_spec_fields;
  static const field_names<f> names(
      {{"restartPolicy", &f::restartPolicy},
       {"terminationGracePeriodSeconds", &f::terminationGracePeriodSeconds},
       {"volumes", &f::volumes},
       {"initContainers", &f::initContainers},
       {"containers", &f::containers},
       {"hostNetwork", &f::hostNetwork},
       {"dnsPolicy", &f::dnsPolicy},
       {"dnsConfig", &f::dnsConfig},
       {"nodeSelector", &f::nodeSelector},
       {"securityContext", &f::securityContext},
       {"serviceAccountName", &f::serviceAccountName},
       {"nodeName", &f::nodeName},
       {"activeDeadlineSeconds", &f::activeDeadlineSeconds},
       {"hostname", &f::hostname},
       {"subdomain", &f::subdomain},
       {"tolerations", &f::tolerations},
       {"priorityClassName", &f::priorityClassName},
       {"preemptionPolicy", &f::preemptionPolicy},
       {"schedulingGates", &f::schedulingGates}});
  return read_fields(spec, names);
}

void validate_dns_config(const pod_spec_fields& spec, const field_path& path, causes& out) {
  const value* config = spec.dnsConfig;
  if (string_of(spec.dnsPolicy) == "None") {
    if (!config)
      return out.push_back(
          required_field(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
    if (array_of(*config, "nameservers").empty())
      return out.push_back(
          required_field(child(path, "nameservers"),
                         "must provide at least one DNS nameserver when `dnsPolicy` is None"));
  }
  if (!config) return;
  const value* nameservers = member(*config, "nameservers");
  if (nameservers && nameservers->is_array() && nameservers->as_array().size() > 3)
    out.push_back(invalid_value(child(path, "nameservers"), go_string_list(nameservers),
                                "must not have more than 3 nameservers"));
  const json::array& servers = array_of(*config, "nameservers");
  for (size_t i = 0; i < servers.size(); ++i)
    if (!is_valid_ip(string_value(servers[i])))
      out.push_back(invalid_value(index(child(path, "nameservers").str(), i),
                                  show(string_value(servers[i])),
                                  "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  const json::array& options = array_of(*config, "options");
  for (size_t i = 0; i < options.size(); ++i)
    if (options[i].get_string("name").empty())
      out.push_back(
          required_field(index(child(path, "options").str(), i), "Option.Name must not be empty"));
}

void validate_taint_effect(std::string_view effect, bool allow_empty, const field_path& path,
                           causes& out) {
  if (!allow_empty && effect.empty()) return out.push_back(required_field(path));
  static const string_list effects = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
  if (!contains(effects, effect)) out.push_back(unsupported_value(path, show(effect), effects));
}

std::string go_toleration(const value& t) {
  return "core.Toleration{Key:" + show(t.get_string("key")) +
         ", Operator:" + show(t.get_string("operator")) + ", Value:" + show(t.get_string("value")) +
         ", Effect:" + show(t.get_string("effect")) +
         ", TolerationSeconds:" + go_pointer("*int64", member(t, "tolerationSeconds")) + "}";
}

void validate_tolerations(const json::array& tolerations, const field_path& path, causes& out) {
  for (size_t i = 0; i < tolerations.size(); ++i) {
    const value& t = tolerations[i];
    const field_path at = index(path, i);
    std::string_view key = t.get_string("key"), op = t.get_string("operator");
    std::string_view val = t.get_string("value"), effect = t.get_string("effect");
    if (!key.empty()) validate_qualified_name(key, child(at, "key"), out);
    if (key.empty() && op != "Exists")
      out.push_back(invalid_value(child(at, "operator"), show(op),
                                  "operator must be Exists when `key` is empty, which means "
                                  "\"match all values and all keys\""));
    if (member(t, "tolerationSeconds") && effect != "NoExecute")
      out.push_back(invalid_value(child(at, "effect"), show(effect),
                                  "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op == "Equal" || op.empty()) {
      auto errs = is_valid_label_value(val);
      std::string joined;
      for (auto& e : errs) joined += (joined.empty() ? "" : ";") + e;
      if (!errs.empty()) out.push_back(invalid_value(child(at, "operator"), show(val), joined));
    } else if (op == "Exists") {
      if (!val.empty())
        out.push_back(invalid_value(child(at, "operator"), go_toleration(t),
                                    "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push_back(unsupported_value(child(at, "operator"), show(op), {"Equal", "Exists"}));
    }
    if (!effect.empty()) validate_taint_effect(effect, true, child(at, "effect"), out);
  }
}

void validate_pod_security_context(const value* sc, const field_path& path, causes& out) {
  if (!sc) return;
  const field_path at = child(path, "securityContext");
  validate_id(*sc, "fsGroup", at, out);
  validate_id(*sc, "runAsUser", at, out);
  validate_id(*sc, "runAsGroup", at, out);
  const json::array& groups = array_of(*sc, "supplementalGroups");
  for (size_t i = 0; i < groups.size(); ++i) {
    int64_t gid = groups[i].is_int() ? groups[i].as_int() : 0;
    if (gid < 0 || gid > kMaxUserID)
      out.push_back(invalid_value(index(child(at, "supplementalGroups").str(), i), show_int(gid),
                                  inclusive_range_error(0, kMaxUserID)));
  }
}

void validate_host_network_ports(const pod_spec_fields& spec, const pod_context& ctx,
                                 const field_path& path, causes& out) {
  if (!bool_of(spec.hostNetwork)) return;
  const json::array& containers = array_of(spec.containers);
  for (size_t i = 0; i < containers.size(); ++i) {
    const json::array& ports = array_of(containers[i], "ports");
    for (size_t p = 0; p < ports.size(); ++p) {
      int64_t host = int_or(ports[p], "hostPort", 0);
      int64_t container = int_or(ports[p], "containerPort", 0);
      if (host != container && (ctx.is_pod || host != 0))
        out.push_back(invalid_value(
            child(index(child(index(child(path, "containers").str(), i), "ports"), p), "hostPort"),
            show_int(host), "must match `containerPort` when `hostNetwork` is true"));
    }
  }
}

void validate_name_field(const value* field, std::string_view key, const field_path& path,
                         causes& out) {
  std::string_view v = string_of(field);
  if (!v.empty())
    for (auto& msg : is_dns1123_subdomain(v))
      out.push_back(invalid_value(child(path, key), show(v), msg));
}

void validate_pod_spec_fields(const pod_spec_fields& spec, const field_path& path, causes& out) {
  validate_enum(string_of(spec.restartPolicy), {"Always", "OnFailure", "Never"},
                child(path, "restartPolicy"), out);
  validate_enum(string_of(spec.dnsPolicy),
                {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"},
                child(path, "dnsPolicy"), out);
  validate_labels_into(spec.nodeSelector, child(path, "nodeSelector"), out);
  validate_pod_security_context(spec.securityContext, path, out);
  validate_dns_config(spec, child(path, "dnsConfig"), out);
  validate_name_field(spec.serviceAccountName, "serviceAccountName", path, out);
  validate_name_field(spec.nodeName, "nodeName", path, out);
  if (auto deadline = int_of(spec.activeDeadlineSeconds);
      deadline && (*deadline < 1 || *deadline > 2147483647))
    out.push_back(invalid_value(child(path, "activeDeadlineSeconds"), show_int(*deadline),
                                inclusive_range_error(1, 2147483647)));
  const std::pair<std::string_view, const value*> dns_labels[] = {{"hostname", spec.hostname},
                                                                  {"subdomain", spec.subdomain}};
  for (const auto& [key, field] : dns_labels)
    if (std::string_view v = string_of(field); !v.empty())
      validate_dns1123_label(v, child(path, key), out);
  validate_tolerations(array_of(spec.tolerations), child(path, "tolerations"), out);
  validate_name_field(spec.priorityClassName, "priorityClassName", path, out);
  if (const value* policy = spec.preemptionPolicy) {
    std::string_view p = string_value(*policy);
    if (!p.empty() && p != "PreemptLowerPriority" && p != "Never")
      out.push_back(unsupported_value(child(path, "preemptionPolicy"), show(p),
                                      {"PreemptLowerPriority", "Never"}));
  }
}

void validate_pod_spec_impl(const pod_spec_fields& spec, pod_context& ctx, const field_path& path,
                            causes& out) {
  ctx.restart_policy = std::string(string_of(spec.restartPolicy));
  ctx.grace_period = int_of(spec.terminationGracePeriodSeconds);
  if (!ctx.grace_period)
    out.push_back(required_field(child(path, "terminationGracePeriodSeconds")));
  validate_volumes(array_of(spec.volumes), ctx, child(path, "volumes"), out);
  validate_init_containers(array_of(spec.initContainers), array_of(spec.containers), ctx,
                           child(path, "initContainers"), out);
  validate_containers(array_of(spec.containers), ctx, child(path, "containers"), out);
  validate_host_network_ports(spec, ctx, path, out);
  validate_pod_spec_fields(spec, path, out);
}

}  // namespace

void validate_pod_spec(const json::value& spec, const std::string& path,
                       std::vector<status_cause>& causes) {
  pod_context ctx;
  validate_pod_spec_impl(read_pod_spec(spec), ctx, path, causes);
}

void validate_pod(const json::value& obj, std::vector<status_cause>& out) {
  const pod_spec_fields spec = read_pod_spec(sub(obj, "spec"));
  pod_context ctx;
  ctx.is_pod = true;
  validate_pod_spec_impl(spec, ctx, "spec", out);
  if (string_of(spec.serviceAccountName).empty()) {
    const json::array& volumes = array_of(spec.volumes);
    for (size_t i = 0; i < volumes.size(); ++i) {
      const json::array& sources = array_of(sub(volumes[i], "projected"), "sources");
      for (size_t s = 0; s < sources.size(); ++s)
        if (member(sources[s], "serviceAccountToken"))
          out.push_back(
              forbidden_field("spec.volumes[" + std::to_string(i) + "].projected.sources[" +
                                  std::to_string(s) + "].serviceAccountToken",
                              "must not be specified when serviceAccountName is not set"));
    }
  }
  if (!string_of(spec.nodeName).empty() && !array_of(spec.schedulingGates).empty())
    out.push_back(forbidden_field("spec.nodeName",
                                  "cannot be set until all schedulingGates have been cleared"));
}

// ---- QoS -----------------------------------------------------------------------------------

namespace {

// Amounts past this many thousandths count as this many: far beyond any real resource, and
// the sum of two of them still fits an __int128 (sums saturate at it too).
constexpr __int128 kMilliLimit = static_cast<__int128>(1) << 120;

// The quantity in thousandths, rounded up, clamped to ±kMilliLimit.
__int128 milli_value(const schema::quantity& q) {
  __int128 v = 0;
  for (char d : q.digits) {
    v = v * 10 + (d - '0');
    if (v > kMilliLimit) return q.negative ? -kMilliLimit : kMilliLimit;
  }
  if (v == 0) return 0;
  int64_t exponent = int64_t{q.exponent} + 3;  // the exponent may be near INT32_MAX
  for (; exponent > 0 && v < kMilliLimit; --exponent) v *= 10;
  v = std::min(v, kMilliLimit);
  bool remainder = false;
  for (; exponent < 0 && v > 0; ++exponent) {
    remainder = remainder || v % 10 != 0;
    v /= 10;
  }
  if (remainder) ++v;
  return q.negative ? -v : v;
}

}  // namespace

namespace {

// milli_value of the usual spellings of a quantity, up to 9 digits and no suffix or one of
// m k M G Ki Mi Gi, worked out without parsing it into a quantity; nullopt for the others.
// (9 digits times 2^30 stays below the int64 bound parse_quantity clamps binary values to.)
std::optional<__int128> common_milli_value(std::string_view text) {
  static constexpr std::pair<std::string_view, int64_t> kMilliScales[] = {
      {"", 1000},
      {"m", 1},
      {"k", 1000000},
      {"M", 1000000000},
      {"G", 1000000000000},
      {"Ki", 1024 * 1000},
      {"Mi", 1048576 * 1000},
      {"Gi", 1073741824LL * 1000}};
  constexpr size_t kMaxDigits = 9;
  int64_t number = 0;
  size_t digits = 0;
  for (; digits < text.size() && digits <= kMaxDigits && is_digit(text[digits]); ++digits)
    number = number * 10 + (text[digits] - '0');
  if (digits == 0 || digits > kMaxDigits) return std::nullopt;
  const std::string_view suffix = text.substr(digits);
  for (const auto& [spelling, scale] : kMilliScales)
    if (suffix == spelling) return static_cast<__int128>(number) * scale;
  return std::nullopt;
}

std::optional<__int128> qos_milli_value(std::string_view text) {
  if (auto amount = common_milli_value(text)) return amount;
  schema::quantity q;
  if (!schema::parse_quantity(text, &q)) return std::nullopt;
  return milli_value(q);
}

// Quantities as quantity_of reads them: strings, and integers in decimal.
template <typename F>
void for_each_quantity(const json::object& list, F f) {
  for (const auto& [name, v] : list) {
    if (v.is_string()) f(name, v.as_string());
    if (v.is_int()) f(name, std::to_string(v.as_int()));
  }
}

}  // namespace

size_t qos_tally::slot_of(std::string_view resource) {
  return resource == "cpu" ? kCpu : resource == "memory" ? kMemory : kOther;
}

void qos_tally::add(sums& to, std::string_view resource, std::string_view quantity, bool is_limit) {
  const size_t slot = slot_of(resource);
  if (slot == kOther) return;
  const std::optional<__int128> milli = qos_milli_value(quantity);
  if (!milli || *milli <= 0) return;
  to.amounts[slot] = std::min(to.amounts[slot] + *milli, kMilliLimit);  // no overflow
  to.present[slot] = true;
  if (is_limit) container_limits_[slot] = true;
}

void qos_tally::end_container() {
  if (!container_limits_[kCpu] || !container_limits_[kMemory]) guaranteed_ = false;
  container_limits_ = {};
}

std::string_view qos_tally::qos_class() const {
  auto count = [](const sums& s) { return size_t{s.present[kCpu]} + size_t{s.present[kMemory]}; };
  if (count(requests_) == 0 && count(limits_) == 0) return "BestEffort";
  bool guaranteed = guaranteed_;
  for (size_t slot : {kCpu, kMemory}) {
    if (!requests_.present[slot]) continue;
    if (!limits_.present[slot] || limits_.amounts[slot] != requests_.amounts[slot])
      guaranteed = false;
  }
  return guaranteed && count(requests_) == count(limits_) ? "Guaranteed" : "Burstable";
}

std::string pod_qos_class(const json::value& pod) {
  const value& spec = sub(pod, "spec");
  qos_tally tally;
  for (std::string_view list : {"containers", "initContainers"}) {
    for (const value& c : array_of(spec, list)) {
      const value& resources = sub(c, "resources");
      for_each_quantity(
          object_of(resources, "requests"),
          [&](std::string_view name, std::string_view q) { tally.add_request(name, q); });
      for_each_quantity(
          object_of(resources, "limits"),
          [&](std::string_view name, std::string_view q) { tally.add_limit(name, q); });
      tally.end_container();
    }
  }
  return std::string(tally.qos_class());
}

// ---- Namespace, Node -----------------------------------------------------------------------

void validate_namespace(const json::value& obj, std::vector<status_cause>& out) {
  for (const value& f : array_of(sub(obj, "spec"), "finalizers")) {
    std::string_view name = string_value(f);
    validate_qualified_name(name, "spec.finalizers", out);
    bool standard = name == "kubernetes" || name == "orphan" || name == "foregroundDeletion";
    if (name.find('/') == std::string_view::npos && !standard)
      out.push_back(invalid_value("spec.finalizers", show(name),
                                  "name is neither a standard finalizer name nor is it fully "
                                  "qualified"));
  }
}

namespace {

std::string go_taint(const value& t) {
  return "core.Taint{Key:" + show(t.get_string("key")) + ", Value:" + show(t.get_string("value")) +
         ", Effect:" + show(t.get_string("effect")) +
         ", TimeAdded:" + go_pointer("*v1.Time", member(t, "timeAdded")) + "}";
}

// Kubernetes reports node taints under metadata.taints (it passes the metadata path).
void validate_node_taints(const json::array& taints, causes& out) {
  std::set<std::pair<std::string, std::string>> seen;  // (effect, key)
  for (size_t i = 0; i < taints.size(); ++i) {
    const value& t = taints[i];
    std::string at = index("metadata.taints", i);
    std::string key = str(t, "key"), val = str(t, "value"), effect = str(t, "effect");
    validate_qualified_name(key, child(at, "key"), out);
    auto errs = is_valid_label_value(val);
    std::string joined;
    for (auto& e : errs) joined += (joined.empty() ? "" : ";") + e;
    if (!errs.empty()) out.push_back(invalid_value(child(at, "value"), show(val), joined));
    validate_taint_effect(effect, false, child(at, "effect"), out);
    if (!seen.insert({effect, key}).second)
      out.push_back(
          duplicate_with_detail(at, go_taint(t), "taints must be unique by key and effect pair"));
  }
}

void validate_cidr(std::string_view cidr, const std::string& path, causes& out) {
  if (!is_valid_cidr(cidr))
    out.push_back(invalid_value(path, show(cidr),
                                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
}

void validate_node_resources(const value& status, std::string_view list, causes& out) {
  for (const auto& [name, v] : object_of(status, list))
    if (auto q = quantity_of(v))
      validate_quantity_value(name, *q, "status." + std::string(list) + "." + name, out);
}

}  // namespace

void validate_node(const json::value& obj, std::vector<status_cause>& out) {
  const value& spec = sub(obj, "spec");
  validate_node_taints(array_of(spec, "taints"), out);
  validate_node_resources(sub(obj, "status"), "capacity", out);
  validate_node_resources(sub(obj, "status"), "allocatable", out);
  const value* cidrs = member(spec, "podCIDRs");
  if (!cidrs || !cidrs->is_array() || cidrs->as_array().empty()) return;
  const json::array& list = cidrs->as_array();
  for (size_t i = 0; i < list.size(); ++i)
    validate_cidr(string_value(list[i]), index("spec.podCIDRs", i), out);
  if (list.size() < 2) return;
  int v4 = 0, v6 = 0;
  for (const value& c : list) {
    auto parsed = parse_cidr(string_value(c));
    if (!parsed) return;  // reported above; Go's dual-stack check fails internally here
    (parse_ipv4(string_value(c).substr(0, string_value(c).find('/'))) ? v4 : v6)++;
  }
  if (list.size() > 2 || v4 != 1 || v6 != 1)
    out.push_back(invalid_value("spec.podCIDRs", go_string_list(cidrs),
                                "may specify no more than one CIDR for each IP family"));
}

// ---- Service -------------------------------------------------------------------------------

namespace {

const std::string kValidIPMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

void validate_ip(std::string_view ip, const std::string& path, causes& out) {
  if (!is_valid_ip(ip)) out.push_back(invalid_value(path, show(ip), kValidIPMsg));
}

void validate_non_special_ip(std::string_view text, const std::string& path, causes& out) {
  auto ip = parse_ip(text);
  if (!ip) return out.push_back(invalid_value(path, show(text), "must be a valid IP address"));
  const auto& b = ip->bytes;
  bool unspecified = ip->v4 ? (b[12] | b[13] | b[14] | b[15]) == 0
                            : std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
  bool loopback =
      ip->v4 ? b[12] == 127
             : std::all_of(b.begin(), b.end() - 1, [](uint8_t x) { return x == 0; }) && b[15] == 1;
  bool link_local = ip->v4 ? b[12] == 169 && b[13] == 254 : b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
  bool link_local_multicast =
      ip->v4 ? b[12] == 224 && b[13] == 0 && b[14] == 0 : b[0] == 0xff && (b[1] & 0x0f) == 0x02;
  if (unspecified)
    out.push_back(
        invalid_value(path, show(text), "may not be unspecified (" + std::string(text) + ")"));
  if (loopback)
    out.push_back(
        invalid_value(path, show(text), "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (link_local)
    out.push_back(invalid_value(path, show(text),
                                "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (link_local_multicast)
    out.push_back(
        invalid_value(path, show(text),
                      "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
}

std::vector<std::string> strings_of(const value& obj, std::string_view key) {
  std::vector<std::string> out;
  for (const value& v : array_of(obj, key)) out.emplace_back(string_value(v));
  return out;
}

// spec.clusterIPs as the strategy normalizes it before validation on create.
std::vector<std::string> effective_cluster_ips(const value& spec) {
  std::vector<std::string> ips = strings_of(spec, "clusterIPs");
  std::string ip = str(spec, "clusterIP");
  if (ips.empty() && !ip.empty()) ips.push_back(ip);
  return ips;
}

std::string go_service_port_key(const value& port) {
  return "core.ServicePort{Name:\"\", Protocol:" + show(port.get_string("protocol")) +
         ", AppProtocol:(*string)(nil), Port:" + std::to_string(int_or(port, "port", 0)) +
         ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

void validate_service_port(const value& port, bool require_name, std::set<std::string>& names,
                           const std::string& path, causes& out) {
  std::string name = str(port, "name");
  if (require_name && name.empty()) {
    out.push_back(required_field(child(path, "name")));
  } else if (!name.empty()) {
    validate_dns1123_label(name, child(path, "name"), out);
    if (!names.insert(name).second) out.push_back(duplicate_value(child(path, "name"), show(name)));
  }
  int64_t number = int_or(port, "port", 0);
  for (auto& msg : is_valid_port_num(number))
    out.push_back(invalid_value(child(path, "port"), show_int(number), msg));
  validate_enum(port.get_string("protocol"), kProtocols, child(path, "protocol"), out);
  validate_port_num_or_name(member(port, "targetPort"), child(path, "targetPort"), out);
  if (const value* app = member(port, "appProtocol"))
    validate_qualified_name(string_value(*app), child(path, "appProtocol"), out);
}

void validate_service_type_rules(const value& spec, bool headless, causes& out) {
  std::string type = str(spec, "type");
  const json::array& ports = array_of(spec, "ports");
  if (type == "LoadBalancer") {
    for (size_t i = 0; i < ports.size(); ++i)
      if (int_or(ports[i], "port", 0) == 10250)
        out.push_back(invalid_value(index("spec.ports", i), "10250",
                                    "may not expose port 10250 externally since it is used by "
                                    "kubelet"));
  }
  if ((type == "LoadBalancer" || type == "NodePort") && headless)
    out.push_back(invalid_value("spec.clusterIPs[0]", show("None"),
                                "may not be set to 'None' for " + type + " services"));
  if (type != "ExternalName") return;
  if (!effective_cluster_ips(spec).empty())
    out.push_back(forbidden_field("spec.clusterIPs", "may not be set for ExternalName services"));
  if (!array_of(spec, "ipFamilies").empty())
    out.push_back(forbidden_field("spec.ipFamilies", "may not be set for ExternalName services"));
  if (member(spec, "ipFamilyPolicy"))
    out.push_back(
        forbidden_field("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
  std::string cname = str(spec, "externalName");
  if (cname.ends_with(".")) cname.pop_back();
  if (cname.empty()) {
    out.push_back(required_field("spec.externalName"));
  } else {
    validate_dns1123_subdomain(cname, "spec.externalName", out);
  }
}

void validate_session_affinity(const value& spec, causes& out) {
  std::string affinity = str(spec, "sessionAffinity");
  validate_enum(affinity, {"ClientIP", "None"}, "spec.sessionAffinity", out);
  const value* config = member(spec, "sessionAffinityConfig");
  if (affinity == "None" && config)
    out.push_back(forbidden_field("spec.sessionAffinityConfig",
                                  "must not be set when session affinity is None"));
  if (affinity != "ClientIP") return;
  const std::string detail = "when session affinity type is ClientIP";
  if (!config) return out.push_back(required_field("spec.sessionAffinityConfig", detail));
  const value* client_ip = member(*config, "clientIP");
  if (!client_ip)
    return out.push_back(required_field("spec.sessionAffinityConfig.clientIP", detail));
  auto timeout = int_of(*client_ip, "timeoutSeconds");
  const std::string timeout_path = "spec.sessionAffinityConfig.clientIP.timeoutSeconds";
  if (!timeout) return out.push_back(required_field(timeout_path, detail));
  if (*timeout <= 0 || *timeout > 86400)
    out.push_back(invalid_value(timeout_path, show_int(*timeout),
                                "must be greater than 0 and less than 86400"));
}

// ValidateServiceClusterIPsRelatedFields.
void validate_cluster_ips(const value& spec, bool headless, causes& out) {
  if (spec.get_string("type") == "ExternalName") return;
  std::vector<std::string> ips = effective_cluster_ips(spec);
  const value* raw_ips = member(spec, "clusterIPs");
  std::string cluster_ip = str(spec, "clusterIP");
  if (!cluster_ip.empty() && !ips.empty() && ips[0] != cluster_ip)
    out.push_back(invalid_value("spec.clusterIPs", go_string_list(raw_ips),
                                "first value must match `clusterIP`"));
  std::set<std::string> families;
  const json::array& family_list = array_of(spec, "ipFamilies");
  for (size_t i = 0; i < family_list.size(); ++i) {
    std::string family(string_value(family_list[i]));
    if (family != "IPv4" && family != "IPv6")
      out.push_back(unsupported_value(index("spec.ipFamilies", i), show(family), {"IPv4", "IPv6"}));
    if (!families.insert(family).second)
      out.push_back(duplicate_value(index("spec.ipFamilies", i), show(family)));
  }
  if (const value* policy = member(spec, "ipFamilyPolicy")) {
    static const string_list policies = {"PreferDualStack", "RequireDualStack", "SingleStack"};
    if (!contains(policies, string_value(*policy)))
      out.push_back(
          unsupported_value("spec.ipFamilyPolicy", show(string_value(*policy)), policies));
  }
  std::string shown_ips = raw_ips ? go_string_list(raw_ips) : go_string_list(ips);
  bool invalid_ips = false;
  for (size_t i = 0; i < ips.size(); ++i) {
    if (i == 0 && ips[i] == "None") {
      if (ips.size() > 1) {
        invalid_ips = true;
        out.push_back(
            invalid_value("spec.clusterIPs", shown_ips, "'None' must be the first and only value"));
      }
      continue;
    }
    if (!is_valid_ip(ips[i])) {
      invalid_ips = true;
      validate_ip(ips[i], index("spec.clusterIPs", i), out);
    }
  }
  if (ips.size() > 2)
    out.push_back(invalid_value("spec.clusterIPs", shown_ips, "may only hold up to 2 values"));
  if (invalid_ips) return;
  if (ips.size() > 1 && (ips.size() != 2 || is_ipv6_string(ips[0]) == is_ipv6_string(ips[1])))
    out.push_back(invalid_value("spec.clusterIPs", shown_ips,
                                "may specify no more than one IP for each IP family"));
  if (headless) return;
  for (size_t i = 0; i < ips.size() && i < family_list.size(); ++i) {
    std::string_view family = string_value(family_list[i]);
    bool v6 = is_ipv6_string(ips[i]);
    if ((family == "IPv4" && v6) || (family == "IPv6" && !v6))
      out.push_back(invalid_value(index("spec.clusterIPs", i), show(ips[i]),
                                  "expected an " + std::string(family) +
                                      " value as indicated by `ipFamilies[" + std::to_string(i) +
                                      "]`"));
  }
}

bool externally_accessible(const value& spec) {
  std::string type = str(spec, "type");
  return type == "LoadBalancer" || type == "NodePort" ||
         (type == "ClusterIP" && !array_of(spec, "externalIPs").empty());
}

void validate_traffic_policies(const value& spec, causes& out) {
  std::string type = str(spec, "type");
  std::string external = str(spec, "externalTrafficPolicy");
  if (!externally_accessible(spec)) {
    if (!external.empty())
      out.push_back(invalid_value("spec.externalTrafficPolicy", show(external),
                                  "may only be set for externally-accessible services"));
  } else {
    validate_enum(external, {"Cluster", "Local"}, "spec.externalTrafficPolicy", out);
  }
  int64_t health_port = int_or(spec, "healthCheckNodePort", 0);
  bool needs_health_check = type == "LoadBalancer" && external == "Local";
  if (!needs_health_check && health_port != 0)
    out.push_back(invalid_value("spec.healthCheckNodePort", show_int(health_port),
                                "may only be set when `type` is 'LoadBalancer' and "
                                "`externalTrafficPolicy` is 'Local'"));
  const value* internal = member(spec, "internalTrafficPolicy");
  if (!internal && (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP"))
    out.push_back(
        required_field("spec.internalTrafficPolicy", "must specify internalTrafficPolicy"));
  if (internal && string_value(*internal) != "Cluster" && string_value(*internal) != "Local")
    out.push_back(unsupported_value("spec.internalTrafficPolicy", show(string_value(*internal)),
                                    {"Cluster", "Local"}));
  const value* distribution = member(spec, "trafficDistribution");
  if (distribution && string_value(*distribution) != "PreferClose")
    out.push_back(unsupported_value("spec.trafficDistribution", show(string_value(*distribution)),
                                    {"PreferClose"}));
}

void validate_service_ports_uniqueness(const value& spec, causes& out) {
  const json::array& ports = array_of(spec, "ports");
  std::string type = str(spec, "type");
  std::set<std::pair<std::string, int64_t>> node_ports, service_ports;
  for (size_t i = 0; i < ports.size(); ++i) {
    int64_t node_port = int_or(ports[i], "nodePort", 0);
    if (type == "ClusterIP" && node_port != 0)
      out.push_back(forbidden_field(index("spec.ports", i) + ".nodePort",
                                    "may not be used when `type` is 'ClusterIP'"));
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    int64_t node_port = int_or(ports[i], "nodePort", 0);
    if (node_port == 0) continue;
    if (!node_ports.insert({str(ports[i], "protocol"), node_port}).second)
      out.push_back(duplicate_value(index("spec.ports", i) + ".nodePort", show_int(node_port)));
  }
  for (size_t i = 0; i < ports.size(); ++i)
    if (!service_ports.insert({str(ports[i], "protocol"), int_or(ports[i], "port", 0)}).second)
      out.push_back(duplicate_value(index("spec.ports", i), go_service_port_key(ports[i])));
}

void validate_load_balancer_fields(const value& spec, causes& out) {
  std::string type = str(spec, "type");
  const json::array& ranges = array_of(spec, "loadBalancerSourceRanges");
  if (!ranges.empty()) {
    const std::string path = "spec.LoadBalancerSourceRanges";  // sic: Kubernetes' spelling
    if (type != "LoadBalancer")
      out.push_back(forbidden_field(path, "may only be used when `type` is 'LoadBalancer'"));
    for (size_t i = 0; i < ranges.size(); ++i) {
      std::string_view range = string_value(ranges[i]);
      while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
      while (!range.empty() && range.back() == ' ') range.remove_suffix(1);
      validate_cidr(range, index(path, i), out);
    }
  }
  bool allocate = member(spec, "allocateLoadBalancerNodePorts") != nullptr;
  if (allocate && type != "LoadBalancer")
    out.push_back(forbidden_field("spec.allocateLoadBalancerNodePorts",
                                  "may only be used when `type` is 'LoadBalancer'"));
  if (type == "LoadBalancer" && !allocate)
    out.push_back(required_field("allocateLoadBalancerNodePorts"));
  if (const value* cls = member(spec, "loadBalancerClass")) {
    if (type != "LoadBalancer") {
      out.push_back(forbidden_field("spec.loadBalancerClass",
                                    "may only be used when `type` is 'LoadBalancer'"));
    } else {
      validate_qualified_name(string_value(*cls), "spec.loadBalancerClass", out);
    }
  }
}

// The node-port allocator's check, which runs right after validation.
void validate_node_port_range(const value& spec, causes& out) {
  std::string type = str(spec, "type");
  if (type != "NodePort" && type != "LoadBalancer") return;
  const json::array& ports = array_of(spec, "ports");
  for (size_t i = 0; i < ports.size(); ++i) {
    int64_t node_port = int_or(ports[i], "nodePort", 0);
    if (node_port != 0 && (node_port < 30000 || node_port > 32767))
      out.push_back(invalid_value(index("spec.ports", i) + ".nodePort", show_int(node_port),
                                  "provided port is not in the valid range. The range of valid "
                                  "ports is 30000-32767"));
  }
}

void validate_topology_annotations(const value& meta, causes& out) {
  const value& annotations = sub(meta, "annotations");
  const value* hints = member(annotations, "service.kubernetes.io/topology-aware-hints");
  const value* mode = member(annotations, "service.kubernetes.io/topology-mode");
  if (hints && mode && string_value(*hints) != string_value(*mode))
    out.push_back(invalid_value(
        "metadata.annotations[service.kubernetes.io/topology-mode]", show(string_value(*mode)),
        "must match annotations[service.kubernetes.io/topology-aware-hints] when both are "
        "specified"));
}

}  // namespace

void validate_service(const json::value& obj, std::vector<status_cause>& out) {
  validate_topology_annotations(sub(obj, "metadata"), out);
  const value& spec = sub(obj, "spec");
  std::string type = str(spec, "type");
  std::vector<std::string> ips = effective_cluster_ips(spec);
  bool headless = ips.size() == 1 && ips[0] == "None";
  const json::array& ports = array_of(spec, "ports");
  if (ports.empty() && !headless && type != "ExternalName")
    out.push_back(required_field("spec.ports"));
  validate_service_type_rules(spec, headless, out);
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i)
    validate_service_port(ports[i], ports.size() > 1, names, index("spec.ports", i), out);
  if (const value* selector = member(spec, "selector"))
    for (auto& c : validate_labels(selector, "spec.selector")) out.push_back(c);
  validate_session_affinity(spec, out);
  validate_cluster_ips(spec, headless, out);
  const json::array& external_ips = array_of(spec, "externalIPs");
  for (size_t i = 0; i < external_ips.size(); ++i) {
    std::string_view ip = string_value(external_ips[i]);
    std::string at = index("spec.externalIPs", i);
    if (!is_valid_ip(ip)) {
      validate_ip(ip, at, out);
    } else {
      validate_non_special_ip(ip, at, out);
    }
  }
  validate_enum(type, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}, "spec.type", out);
  validate_service_ports_uniqueness(spec, out);
  validate_load_balancer_fields(spec, out);
  validate_traffic_policies(spec, out);
  validate_node_port_range(spec, out);
}

// ---- Endpoints -----------------------------------------------------------------------------

void validate_endpoints(const json::value& obj, std::vector<status_cause>& out) {
  const json::array& subsets = array_of(obj, "subsets");
  for (size_t i = 0; i < subsets.size(); ++i) {
    const value& subset = subsets[i];
    std::string at = index("subsets", i);
    if (array_of(subset, "addresses").empty() && array_of(subset, "notReadyAddresses").empty())
      out.push_back(required_field(at, "must specify `addresses` or `notReadyAddresses`"));
    for (std::string_view list : {"addresses", "notReadyAddresses"}) {
      const json::array& addresses = array_of(subset, list);
      for (size_t a = 0; a < addresses.size(); ++a) {
        std::string addr_path = index(child(at, list), a);
        std::string ip = str(addresses[a], "ip");
        validate_ip(ip, child(addr_path, "ip"), out);
        std::string hostname = str(addresses[a], "hostname");
        if (!hostname.empty()) validate_dns1123_label(hostname, child(addr_path, "hostname"), out);
        if (const value* node = member(addresses[a], "nodeName"))
          validate_dns1123_subdomain(string_value(*node), child(addr_path, "nodeName"), out);
        validate_non_special_ip(ip, child(addr_path, "ip"), out);
      }
    }
    const json::array& ports = array_of(subset, "ports");
    for (size_t p = 0; p < ports.size(); ++p) {
      std::string port_path = index(child(at, "ports"), p);
      std::string name = str(ports[p], "name");
      if (ports.size() > 1 && name.empty()) {
        out.push_back(required_field(child(port_path, "name")));
      } else if (!name.empty()) {
        validate_dns1123_label(name, child(port_path, "name"), out);
      }
      int64_t number = int_or(ports[p], "port", 0);
      for (auto& msg : is_valid_port_num(number))
        out.push_back(invalid_value(child(port_path, "port"), show_int(number), msg));
      validate_enum(ports[p].get_string("protocol"), kProtocols, child(port_path, "protocol"), out);
      if (const value* app = member(ports[p], "appProtocol"))
        validate_qualified_name(string_value(*app), child(port_path, "appProtocol"), out);
    }
  }
}

// ---- ConfigMap, Secret, ServiceAccount -----------------------------------------------------

namespace {

// The decoded size of a []byte field (base64 in JSON).
size_t decoded_size(const value& v) {
  std::string_view text = string_value(v);
  if (auto bytes = base64_decode(text)) return bytes->size();
  return text.size() / 4 * 3;
}

void validate_data_keys(const json::object& data, const std::string& path, causes& out) {
  for (const auto& [key, v] : data)
    for (auto& msg : is_config_map_key(key))
      out.push_back(invalid_value(keyed(path, key), show(key), msg));
}

}  // namespace

void validate_config_map(const json::value& obj, std::vector<status_cause>& out) {
  const json::object& data = object_of(obj, "data");
  const json::object& binary = object_of(obj, "binaryData");
  const value& binary_value = sub(obj, "binaryData");
  const value& data_value = sub(obj, "data");
  size_t total = 0;
  for (const auto& [key, v] : data) {
    for (auto& msg : is_config_map_key(key))
      out.push_back(invalid_value(keyed("data", key), show(key), msg));
    if (member(binary_value, key))
      out.push_back(
          invalid_value(keyed("data", key), show(key), "duplicate of key present in binaryData"));
    total += string_value(v).size();
  }
  for (const auto& [key, v] : binary) {
    for (auto& msg : is_config_map_key(key))
      out.push_back(invalid_value(keyed("binaryData", key), show(key), msg));
    if (member(data_value, key))
      out.push_back(
          invalid_value(keyed("binaryData", key), show(key), "duplicate of key present in data"));
    total += decoded_size(v);
  }
  if (total > kMaxSecretSize) out.push_back(too_long("", kMaxSecretSize));
}

namespace {

void require_json_secret_key(const value& data, const std::string& key, causes& out) {
  const value* v = member(data, key);
  if (!v) return out.push_back(required_field(keyed("data", key)));
  auto bytes = base64_decode(string_value(*v));
  json::value parsed;
  auto result = json::parse(bytes ? *bytes : std::string(), parsed);
  if (!result.ok)
    out.push_back(
        invalid_value(keyed("data", key), show("<secret contents redacted>"), result.error));
  else if (!parsed.is_object())
    out.push_back(invalid_value(keyed("data", key), show("<secret contents redacted>"),
                                "json: cannot unmarshal " +
                                    std::string(parsed.is_array() ? "array" : "value") +
                                    " into Go value of type map[string]interface {}"));
}

void validate_secret_type(const value& obj, causes& out) {
  const value& data = sub(obj, "data");
  std::string type = str(obj, "type");
  if (type == "kubernetes.io/service-account-token") {
    if (sub(sub(obj, "metadata"), "annotations")
            .get_string("kubernetes.io/service-account.name")
            .empty())
      out.push_back(required_field("metadata.annotations[kubernetes.io/service-account.name]"));
  } else if (type == "kubernetes.io/dockercfg") {
    require_json_secret_key(data, ".dockercfg", out);
  } else if (type == "kubernetes.io/dockerconfigjson") {
    require_json_secret_key(data, ".dockerconfigjson", out);
  } else if (type == "kubernetes.io/basic-auth") {
    if (!member(data, "username") && !member(data, "password")) {
      out.push_back(required_field("data[username]"));
      out.push_back(required_field("data[password]"));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    const value* key = member(data, "ssh-privatekey");
    if (!key || decoded_size(*key) == 0) out.push_back(required_field("data[ssh-privatekey]"));
  } else if (type == "kubernetes.io/tls") {
    if (!member(data, "tls.crt")) out.push_back(required_field("data[tls.crt]"));
    if (!member(data, "tls.key")) out.push_back(required_field("data[tls.key]"));
  }
}

}  // namespace

void validate_secret(const json::value& obj, std::vector<status_cause>& out) {
  // stringData is merged into data by defaulting; keys left in it are checked as data keys.
  validate_data_keys(object_of(obj, "data"), "data", out);
  validate_data_keys(object_of(obj, "stringData"), "data", out);
  size_t total = 0;
  for (const auto& [key, v] : object_of(obj, "data"))
    if (!member(sub(obj, "stringData"), key)) total += decoded_size(v);
  for (const auto& [key, v] : object_of(obj, "stringData")) total += string_value(v).size();
  if (total > kMaxSecretSize) out.push_back(too_long("data", kMaxSecretSize));
  validate_secret_type(obj, out);
}

// ServiceAccount has nothing beyond its ObjectMeta to validate (ValidateServiceAccount).
void validate_service_account(const json::value& obj, std::vector<status_cause>& out) {
  (void)obj;
  (void)out;
}

// ---- Event ---------------------------------------------------------------------------------

// legacyValidateEvent for core/v1 requests (the only checks Kubernetes makes for them).
void validate_event(const json::value& obj, std::vector<status_cause>& out) {
  std::string ns = str(sub(obj, "metadata"), "namespace");
  std::string involved_ns = str(sub(obj, "involvedObject"), "namespace");
  const value* event_time = member(obj, "eventTime");
  const std::string mismatch = "does not match event.namespace";
  if (!event_time || string_value(*event_time).empty()) {
    bool ok = involved_ns.empty() ? ns.empty() || ns == "default" : ns == involved_ns;
    if (!ok) out.push_back(invalid_value("involvedObject.namespace", show(involved_ns), mismatch));
  } else {
    if (involved_ns.empty() && ns != "default" && ns != "kube-system")
      out.push_back(invalid_value("involvedObject.namespace", show(involved_ns), mismatch));
    std::string controller = str(obj, "reportingComponent");
    if (controller.empty()) out.push_back(required_field("source"));
    validate_qualified_name(controller, "source", out);
    auto check_length = [&](std::string_view field, size_t limit, bool required) {
      size_t size = obj.get_string(field).size();
      if (required && size == 0) out.push_back(required_field(std::string(field)));
      if (size > limit)
        out.push_back(invalid_value(std::string(field), show(""),
                                    "can have at most " + std::to_string(limit) + " characters"));
    };
    check_length("reportingInstance", 128, true);
    check_length("action", 128, true);
    check_length("reason", 128, true);
    check_length("message", 1024, false);
  }
  for (auto& msg : is_dns1123_subdomain(ns))
    out.push_back(invalid_value("namespace", show(ns), msg));
}

// ---- Workloads: ReplicationController, ReplicaSet, Deployment ------------------------------

namespace {

// One requirement of a label selector; op "=" for matchLabels entries and RC selectors.
struct selector_requirement {
  std::string key, op;
  std::vector<std::string> values;
};

// metav1.LabelSelectorAsSelector: the requirements, or nothing when it fails.
std::optional<std::vector<selector_requirement>> parse_selector(const value& sel) {
  std::vector<selector_requirement> reqs;
  auto valid = [&](const selector_requirement& r) {
    if (!is_qualified_name(r.key).empty()) return false;
    if ((r.op == "In" || r.op == "NotIn") && r.values.empty()) return false;
    if ((r.op == "Exists" || r.op == "DoesNotExist") && !r.values.empty()) return false;
    for (const auto& v : r.values)
      if (!is_valid_label_value(v).empty()) return false;
    return true;
  };
  for (const auto& [k, v] : object_of(sel, "matchLabels")) {
    reqs.push_back({k, "=", {std::string(string_value(v))}});
    if (!valid(reqs.back())) return std::nullopt;
  }
  for (const value& expr : array_of(sel, "matchExpressions")) {
    selector_requirement r{str(expr, "key"), str(expr, "operator"), strings_of(expr, "values")};
    static const string_list ops = {"In", "NotIn", "Exists", "DoesNotExist"};
    if (!contains(ops, r.op) || !valid(r)) return std::nullopt;
    reqs.push_back(std::move(r));
  }
  return reqs;
}

bool selector_matches(const std::vector<selector_requirement>& reqs, const value* labels) {
  const value empty = value::make_object();
  const value& set = labels && labels->is_object() ? *labels : empty;
  for (const auto& r : reqs) {
    const value* v = member(set, r.key);
    bool in = v && contains(r.values, string_value(*v));
    bool ok = r.op == "=" || r.op == "In" ? in
              : r.op == "NotIn"           ? !in
              : r.op == "Exists"          ? v != nullptr
                                          : v == nullptr;
    if (!ok) return false;
  }
  return true;
}

std::string go_label_selector(const value& sel) {
  std::string exprs = "[]v1.LabelSelectorRequirement(nil)";
  if (const value* list = member(sel, "matchExpressions"); list && list->is_array()) {
    exprs = "[]v1.LabelSelectorRequirement{";
    const json::array& items = list->as_array();
    for (size_t i = 0; i < items.size(); ++i)
      exprs += std::string(i ? ", " : "") +
               "v1.LabelSelectorRequirement{Key:" + show(items[i].get_string("key")) +
               ", Operator:" + show(items[i].get_string("operator")) +
               ", Values:" + go_string_list(member(items[i], "values")) + "}";
    exprs += "}";
  }
  return "v1.LabelSelector{MatchLabels:" + go_string_map(member(sel, "matchLabels")) +
         ", MatchExpressions:" + exprs + "}";
}

void validate_label_selector(const value& sel, const std::string& path, causes& out) {
  for (auto& c : validate_labels(member(sel, "matchLabels"), child(path, "matchLabels")))
    out.push_back(c);
  const json::array& exprs = array_of(sel, "matchExpressions");
  for (size_t i = 0; i < exprs.size(); ++i) {
    std::string at = index(child(path, "matchExpressions"), i);
    std::string op = str(exprs[i], "operator");
    const json::array& values = array_of(exprs[i], "values");
    if (op == "In" || op == "NotIn") {
      if (values.empty())
        out.push_back(required_field(child(at, "values"),
                                     "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (!values.empty())
        out.push_back(
            forbidden_field(child(at, "values"),
                            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push_back(
          invalid_value(child(at, "operator"), show(op), "not a valid selector operator"));
    }
    validate_qualified_name(exprs[i].get_string("key"), child(at, "key"), out);
    for (size_t v = 0; v < values.size(); ++v)
      for (auto& msg : is_valid_label_value(string_value(values[v])))
        out.push_back(
            invalid_value(index(child(at, "values"), v), show(string_value(values[v])), msg));
  }
}

enum class workload { replication_controller, replica_set };

// ValidatePodTemplateSpecFor{RC,ReplicaSet}; `reqs` is null for a selector that matches nothing.
void validate_workload_template(const value& tmpl, const std::vector<selector_requirement>* reqs,
                                bool selector_empty, int64_t replicas, workload kind,
                                const std::string& path, causes& out) {
  const value& meta = sub(tmpl, "metadata");
  const value* labels = member(meta, "labels");
  if (!selector_empty && (!reqs || !selector_matches(*reqs, labels)))
    out.push_back(invalid_value(child(path, "metadata.labels"), go_string_map(labels),
                                "`selector` does not match template `labels`"));
  for (auto& c : validate_labels(labels, child(path, "labels"))) out.push_back(c);
  for (auto& c : validate_annotations(member(meta, "annotations"), child(path, "annotations")))
    out.push_back(c);
  const value& spec = sub(tmpl, "spec");
  std::string spec_path = child(path, "spec");
  validate_pod_spec(spec, spec_path, out);
  if (!array_of(spec, "ephemeralContainers").empty())
    out.push_back(forbidden_field(child(spec_path, "ephemeralContainers"),
                                  "ephemeral containers not allowed in pod template"));
  if (replicas > 1)
    validate_read_only_persistent_disks(array_of(spec, "volumes"), child(spec_path, "volumes"),
                                        out);
  std::string restart = str(spec, "restartPolicy");
  if (restart != "Always")
    out.push_back(unsupported_value(child(spec_path, "restartPolicy"), show(restart), {"Always"}));
  if (auto deadline = int_of(spec, "activeDeadlineSeconds")) {
    std::string at = child(spec_path, "activeDeadlineSeconds");
    if (kind == workload::replication_controller)
      out.push_back(
          forbidden_field(at, "activeDeadlineSeconds in ReplicationController is not Supported"));
    else
      out.push_back(invalid_value(at, show_int(*deadline),
                                  "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
}

// The selector checks and template validation shared by ReplicaSet and Deployment specs.
void validate_replica_set_like_spec(const value& spec, causes& out) {
  const value* selector = member(spec, "selector");
  if (!selector) {
    out.push_back(required_field("spec.selector"));
  } else {
    validate_label_selector(*selector, "spec.selector", out);
    if (object_of(*selector, "matchLabels").empty() &&
        array_of(*selector, "matchExpressions").empty())
      out.push_back(invalid_value("spec.selector", go_label_selector(*selector),
                                  "empty selector is invalid for deployment"));
  }
  int64_t replicas = int_or(spec, "replicas", 0);
  if (!selector)  // labels.Nothing(): never empty, never matches
    return validate_workload_template(sub(spec, "template"), nullptr, false, replicas,
                                      workload::replica_set, "spec.template", out);
  auto reqs = parse_selector(*selector);
  if (!reqs)
    return out.push_back(
        invalid_value("spec.selector", go_label_selector(*selector), "invalid label selector"));
  validate_workload_template(sub(spec, "template"), &*reqs, reqs->empty(), replicas,
                             workload::replica_set, "spec.template", out);
}

void validate_percent_or_int(const value* v, const std::string& path, causes& out) {
  if (v && v->is_string()) {
    for (auto& msg : is_valid_percent(v->as_string()))
      out.push_back(invalid_value(path, go_int_or_string(v), msg));
  } else {
    validate_nonnegative(v && v->is_int() ? v->as_int() : 0, path, out);
  }
}

// getIntOrPercentValue: the percent number, or the integer (0 for anything else).
int64_t int_or_percent_value(const value* v) {
  if (v && v->is_int()) return v->as_int();
  if (!v || !v->is_string()) return 0;
  const std::string& s = v->as_string();
  if (matches_percent(s)) return s.size() > 10 ? INT64_MAX : std::stoll(s.substr(0, s.size() - 1));
  return 0;  // intstr.IntValue of a non-numeric string
}

void validate_rolling_update(const value& ru, const std::string& path, causes& out) {
  const value* max_unavailable = member(ru, "maxUnavailable");
  const value* max_surge = member(ru, "maxSurge");
  validate_percent_or_int(max_unavailable, child(path, "maxUnavailable"), out);
  validate_percent_or_int(max_surge, child(path, "maxSurge"), out);
  if (int_or_percent_value(max_unavailable) == 0 && int_or_percent_value(max_surge) == 0)
    out.push_back(invalid_value(child(path, "maxUnavailable"), go_int_or_string(max_unavailable),
                                "may not be 0 when `maxSurge` is 0"));
  if (max_unavailable && max_unavailable->is_string() &&
      matches_percent(max_unavailable->as_string()) && int_or_percent_value(max_unavailable) > 100)
    out.push_back(invalid_value(child(path, "maxUnavailable"), go_int_or_string(max_unavailable),
                                "must not be greater than 100%"));
}

void validate_deployment_strategy(const value& strategy, causes& out) {
  std::string type = str(strategy, "type");
  const value* rolling = member(strategy, "rollingUpdate");
  if (type == "Recreate") {
    if (rolling)
      out.push_back(forbidden_field("spec.strategy.rollingUpdate",
                                    "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type == "RollingUpdate") {
    if (!rolling)
      out.push_back(required_field("spec.strategy.rollingUpdate",
                                   "this should be defaulted and never be nil"));
    else
      validate_rolling_update(*rolling, "spec.strategy.rollingUpdate", out);
  } else {
    out.push_back(unsupported_value(
        "spec.strategy",
        "apps.DeploymentStrategy{Type:" + show(type) +
            ", RollingUpdate:" + go_pointer("*apps.RollingUpdateDeployment", rolling) + "}",
        {"Recreate", "RollingUpdate"}));
  }
}

}  // namespace

void validate_replication_controller(const json::value& obj, std::vector<status_cause>& out) {
  const value& spec = sub(obj, "spec");
  validate_nonnegative(int_or(spec, "minReadySeconds", 0), "spec.minReadySeconds", out);
  const json::object& selector = object_of(spec, "selector");
  if (selector.empty()) out.push_back(required_field("spec.selector"));
  int64_t replicas = int_or(spec, "replicas", 0);
  validate_nonnegative(replicas, "spec.replicas", out);
  const value* tmpl = member(spec, "template");
  if (!tmpl) return out.push_back(required_field("spec.template"));
  std::vector<selector_requirement> reqs;
  for (const auto& [k, v] : selector) reqs.push_back({k, "=", {std::string(string_value(v))}});
  validate_workload_template(*tmpl, &reqs, reqs.empty(), replicas, workload::replication_controller,
                             "spec.template", out);
}

void validate_replica_set(const json::value& obj, std::vector<status_cause>& out) {
  const value& spec = sub(obj, "spec");
  validate_nonnegative(int_or(spec, "replicas", 0), "spec.replicas", out);
  validate_nonnegative(int_or(spec, "minReadySeconds", 0), "spec.minReadySeconds", out);
  validate_replica_set_like_spec(spec, out);
}

void validate_deployment(const json::value& obj, std::vector<status_cause>& out) {
  const value& spec = sub(obj, "spec");
  validate_nonnegative(int_or(spec, "replicas", 0), "spec.replicas", out);
  validate_replica_set_like_spec(spec, out);
  validate_deployment_strategy(sub(spec, "strategy"), out);
  int64_t min_ready = int_or(spec, "minReadySeconds", 0);
  validate_nonnegative(min_ready, "spec.minReadySeconds", out);
  if (auto limit = int_of(spec, "revisionHistoryLimit"))
    validate_nonnegative(*limit, "spec.revisionHistoryLimit", out);
  if (const value* rollback = member(spec, "rollbackTo"))
    validate_nonnegative(int_or(*rollback, "revision", 0), "spec.rollback.version", out);
  if (auto deadline = int_of(spec, "progressDeadlineSeconds")) {
    validate_nonnegative(*deadline, "spec.progressDeadlineSeconds", out);
    if (*deadline <= min_ready)
      out.push_back(invalid_value("spec.progressDeadlineSeconds", show_int(*deadline),
                                  "must be greater than minReadySeconds"));
  }
}

}  // namespace kactor::api
