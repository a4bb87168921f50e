// YAML to the JSON document model, with the conversions Kubernetes applies (sigs.k8s.io/yaml
// over go-yaml v2): YAML 1.1 plain scalars (yes/no/on/off are booleans, 0x/0o/0 integers),
// quoted and block scalars stay strings, map keys become strings, merge keys (<<) apply.
// yaml-cpp parses; a YAML::EventHandler builds the values directly, without a YAML::Node tree.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <istream>
#include <limits>
#include <optional>
#include <streambuf>
#include <unordered_map>

#include "api/json.hpp"

namespace kactor::json {
namespace {

constexpr std::string_view kErrorPrefix = "error converting YAML to JSON: yaml: ";
constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";
constexpr std::string_view kMergeTag = "tag:yaml.org,2002:merge";
constexpr size_t kMaxDepth = parse_options{}.max_depth;
// Alias expansion ("billion laughs") limit: nodes copied through aliases may exceed this floor
// only up to kAliasRatio times the nodes written out in the document.
constexpr size_t kMinAliasBudget = 100000;
constexpr size_t kAliasRatio = 10;
constexpr size_t kMaxReportedDuplicates = 100;
constexpr size_t kLinearLookupLimit = 24;

// An error found while building the document; thrown through yaml-cpp's parser.
struct build_error {
  std::string message;
};

std::string with_prefix(std::string_view message) {
  std::string text(kErrorPrefix);
  text += message;
  return text;
}

std::string at_line(const YAML::Mark& mark, std::string_view message) {
  if (mark.line < 0) return std::string(message);
  return "line " + std::to_string(mark.line + 1) + ": " + std::string(message);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// ---------------------------------------------------------------------------------------------
// Plain scalar resolution, as go-yaml v2's resolve()

enum class scalar_tag { null, boolean, integer, floating, string };

struct resolved_scalar {
  value v;
  scalar_tag tag;
};

std::string_view tag_name(scalar_tag tag) {
  switch (tag) {
    case scalar_tag::null:
      return "null";
    case scalar_tag::boolean:
      return "bool";
    case scalar_tag::integer:
      return "int";
    case scalar_tag::floating:
      return "float";
    case scalar_tag::string:
      return "str";
  }
  return "str";
}

template <size_t N>
bool one_of(std::string_view text, const std::string_view (&words)[N]) {
  return std::find(std::begin(words), std::end(words), text) != std::end(words);
}

constexpr std::string_view kTrueWords[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                           "True", "TRUE", "on",  "On",  "ON"};
constexpr std::string_view kFalseWords[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                            "False", "FALSE", "off", "Off", "OFF"};
constexpr std::string_view kNullWords[] = {"", "~", "null", "Null", "NULL"};
constexpr std::string_view kNanWords[] = {".nan", ".NaN", ".NAN"};
constexpr std::string_view kInfWords[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
constexpr std::string_view kNegativeInfWords[] = {"-.inf", "-.Inf", "-.INF"};

std::optional<resolved_scalar> resolve_word(std::string_view text) {
  if (one_of(text, kTrueWords)) return resolved_scalar{value(true), scalar_tag::boolean};
  if (one_of(text, kFalseWords)) return resolved_scalar{value(false), scalar_tag::boolean};
  if (one_of(text, kNullWords)) return resolved_scalar{value(), scalar_tag::null};
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if (one_of(text, kNanWords)) {
    return resolved_scalar{value(std::numeric_limits<double>::quiet_NaN()), scalar_tag::floating};
  }
  if (one_of(text, kInfWords)) return resolved_scalar{value(kInfinity), scalar_tag::floating};
  if (one_of(text, kNegativeInfWords)) {
    return resolved_scalar{value(-kInfinity), scalar_tag::floating};
  }
  return std::nullopt;
}

// strconv.ParseUint(s, 0, 64): decimal, or 0x / 0o / 0b / leading-0 octal.
std::optional<uint64_t> parse_go_unsigned(std::string_view s) {
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    const char prefix = static_cast<char>(s[1] | 0x20);
    base = prefix == 'x' ? 16 : prefix == 'b' ? 2 : 8;
    s.remove_prefix(prefix == 'x' || prefix == 'o' || prefix == 'b' ? 2 : 1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t result = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), result, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return result;
}

// strconv.ParseInt(s, 0, 64): an optional sign, then as parse_go_unsigned.
std::optional<int64_t> parse_go_signed(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::optional<uint64_t> magnitude = parse_go_unsigned(s);
  if (!magnitude) return std::nullopt;
  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  if (!negative) {
    if (*magnitude > kMaxPositive) return std::nullopt;
    return static_cast<int64_t>(*magnitude);
  }
  if (*magnitude > kMaxPositive + 1) return std::nullopt;
  return static_cast<int64_t>(0 - *magnitude);
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool is_yaml_style_float(std::string_view s) {
  size_t i = 0;
  auto skip_sign = [&] {
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  };
  auto skip_digits = [&] {
    const size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i > start;
  };
  skip_sign();
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!skip_digits()) return false;
  } else {
    if (!skip_digits()) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      skip_digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    skip_sign();
    if (!skip_digits()) return false;
  }
  return i == s.size();
}

// strconv.ParseFloat for decimal text: out of range is a failure, underflow gives 0.
std::optional<double> parse_float(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range)
    d = std::strtod(std::string(s).c_str(), nullptr);
  else if (ec != std::errc())
    return std::nullopt;
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

resolved_scalar resolve_plain(const std::string& text) {
  if (std::optional<resolved_scalar> word = resolve_word(text)) return std::move(*word);
  const char first = text[0];  // not empty: "" is a null word
  if (first == '.') {
    if (std::optional<double> d = parse_float(text)) {
      return resolved_scalar{value(*d), scalar_tag::floating};
    }
  } else if (is_digit(first) || first == '+' || first == '-') {
    std::string plain = text;
    plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
    if (std::optional<int64_t> i = parse_go_signed(plain)) {
      return resolved_scalar{value(*i), scalar_tag::integer};
    }
    // Beyond int64: a double, as parse() does with such JSON integers.
    if (std::optional<uint64_t> u = parse_go_unsigned(plain)) {
      return resolved_scalar{value(static_cast<double>(*u)), scalar_tag::integer};
    }
    if (is_yaml_style_float(plain)) {
      if (std::optional<double> d = parse_float(plain)) {
        return resolved_scalar{value(*d), scalar_tag::floating};
      }
    }
  }
  return resolved_scalar{value(text), scalar_tag::string};
}

bool is_base64_or_space(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=' || c == ' ' || (c >= '\t' && c <= '\r');
}

value decode_binary(const std::string& text, const YAML::Mark& mark) {
  // yaml-cpp 0.7 indexes its decoding table with each byte unchecked: a byte above 0x7F reads
  // far outside it. Only base64 and whitespace may reach it.
  const bool decodable = std::all_of(text.begin(), text.end(), is_base64_or_space);
  std::vector<unsigned char> bytes;
  if (decodable) bytes = YAML::DecodeBase64(text);
  const bool blank = std::all_of(text.begin(), text.end(),
                                 [](char c) { return c == ' ' || c == '\n' || c == '\r'; });
  if (bytes.empty() && !blank) {
    throw build_error{at_line(mark, "!!binary value contains invalid base64 data")};
  }
  return value(std::string(bytes.begin(), bytes.end()));
}

std::optional<scalar_tag> scalar_tag_named(std::string_view name) {
  if (name == "null") return scalar_tag::null;
  if (name == "bool") return scalar_tag::boolean;
  if (name == "int") return scalar_tag::integer;
  if (name == "float") return scalar_tag::floating;
  return std::nullopt;
}

// Tags: "?" is a plain scalar, "!" a quoted or block one; !!str/!!int/... are honoured;
// !!timestamp and application tags (!foo) keep the text.
value resolve_scalar(const std::string& tag, const std::string& text, const YAML::Mark& mark) {
  if (tag == "?") return resolve_plain(text).v;
  if (!tag.starts_with(kCoreTagPrefix)) return value(text);
  const std::string_view name = std::string_view(tag).substr(kCoreTagPrefix.size());
  if (name == "binary") return decode_binary(text, mark);
  const std::optional<scalar_tag> expected = scalar_tag_named(name);
  if (!expected) return value(text);
  resolved_scalar resolved = resolve_plain(text);
  if (resolved.tag == *expected) return std::move(resolved.v);
  if (*expected == scalar_tag::floating && resolved.tag == scalar_tag::integer) {
    return value(resolved.v.as_double());
  }
  throw build_error{at_line(mark, "cannot decode !!" + std::string(tag_name(resolved.tag)) + " `" +
                                      text + "` as a !!" + std::string(name))};
}

// Go's strconv.FormatFloat(f, 'g', -1, 32), which sigs.k8s.io/yaml uses for float map keys.
std::string format_float_key(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::fabs(d) > std::numeric_limits<float>::max()) return d > 0 ? ".inf" : "-.inf";
  const auto f = static_cast<float>(d);
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, f, std::chars_format::scientific);
  const std::string_view scientific(buffer, static_cast<size_t>(end - buffer));
  const size_t e = scientific.find('e');
  int exponent = std::atoi(std::string(scientific.substr(e + 1)).c_str());
  if (exponent < -4 || exponent >= 6) return std::string(scientific);
  auto [fixed_end, fixed_ec] =
      std::to_chars(buffer, buffer + sizeof buffer, f, std::chars_format::fixed);
  return std::string(buffer, fixed_end);
}

std::string key_string(const value& key, const YAML::Mark& mark) {
  switch (key.type()) {
    case kind::string:
      return key.as_string();
    case kind::integer:
      return std::to_string(key.as_int());
    case kind::boolean:
      return key.as_bool() ? "true" : "false";
    case kind::number:
      return format_float_key(key.as_double());
    default:
      throw build_error{
          at_line(mark, "unsupported map key " + std::string(key.is_null() ? "null" : dump(key)))};
  }
}

// ---------------------------------------------------------------------------------------------
// Building values from yaml-cpp's events

class document_builder : public YAML::EventHandler {
 public:
  // reject_content: a document was already read, so this one must be empty.
  document_builder(std::string_view text, parse_result& result, bool reject_content)
      : text_(text), result_(result), reject_content_(reject_content) {}

  bool has_content() const { return has_content_; }
  // Where an empty document's (implicit) null is; meaningful when !has_content().
  const YAML::Mark& empty_mark() const { return empty_mark_; }
  value take() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (stack_.empty() && anchor == 0 && !null_literal_at(mark)) {
      empty_mark_ = mark;  // an empty document
      return;
    }
    begin_node(mark, false);
    ++nodes_;
    attach(value(), mark, anchor, false, 1);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override {
    begin_node(mark, false);
    ++nodes_;
    const bool merge_key = text == "<<" && (tag == "?" || tag == kMergeTag);
    attach(resolve_scalar(tag, text, mark), mark, anchor, merge_key, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    begin_node(mark, false);
    auto it = anchors_.find(anchor);
    if (it == anchors_.end())
      throw build_error{at_line(mark, "alias refers to an unfinished or unknown anchor")};
    nodes_ += it->second.nodes;
    aliased_nodes_ += it->second.nodes;
    if (aliased_nodes_ > std::max(kMinAliasBudget, kAliasRatio * (nodes_ - aliased_nodes_))) {
      throw build_error{at_line(mark, "document contains excessive aliasing")};
    }
    attach(it->second.v, mark, 0, false, it->second.nodes);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(value::make_array(), mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(value::make_object(), mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  // A sequence or mapping being built.
  struct frame {
    value container;
    YAML::anchor_t anchor = 0;
    YAML::Mark mark;
    size_t first_node = 0;  // nodes_ when it started
    // Mappings: the key whose value comes next.
    bool has_key = false;
    bool key_is_merge = false;
    std::string key;
    std::vector<bool> merged;                       // per member: whether it came from a << merge
    std::unordered_map<std::string, size_t> index;  // member positions, once the mapping is big
  };

  struct anchored {
    value v;
    size_t nodes = 0;
  };

  bool null_literal_at(const YAML::Mark& mark) const {
    if (text_.empty() || mark.pos < 0) return true;
    const auto first = static_cast<unsigned char>(text_[0]);
    if (first == 0 || first == 0xFE || first == 0xFF) return true;  // UTF-16/32: no byte offsets
    const size_t bom = text_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    const std::string_view rest = text_.substr(std::min(text_.size(), mark.pos + bom));
    return rest.starts_with('~') || rest.starts_with("null") || rest.starts_with("Null") ||
           rest.starts_with("NULL");
  }

  void begin_node(const YAML::Mark& mark, bool is_collection) {
    if (reject_content_) throw build_error{"multiple documents"};
    if (is_collection && !stack_.empty() && stack_.back().container.is_object() &&
        !stack_.back().has_key) {
      throw build_error{at_line(mark, "unsupported map key: a sequence or mapping")};
    }
  }

  void open(value container, const YAML::Mark& mark, YAML::anchor_t anchor) {
    begin_node(mark, true);
    if (stack_.size() >= kMaxDepth) {
      throw build_error{at_line(mark, "exceeded max depth of " + std::to_string(kMaxDepth))};
    }
    frame& opened = stack_.emplace_back();
    opened.container = std::move(container);
    opened.anchor = anchor;
    opened.mark = mark;
    opened.first_node = nodes_;
    ++nodes_;
  }

  void close() {
    frame done = std::move(stack_.back());
    stack_.pop_back();
    attach(std::move(done.container), done.mark, done.anchor, false, nodes_ - done.first_node);
  }

  // Places a finished node in its parent (or as the root).
  void attach(value v, const YAML::Mark& mark, YAML::anchor_t anchor, bool merge_key,
              size_t nodes) {
    if (anchor != 0) anchors_[anchor] = anchored{v, nodes};
    if (stack_.empty()) {
      root_ = std::move(v);
      has_content_ = true;
      return;
    }
    frame& parent = stack_.back();
    if (parent.container.is_array()) {
      parent.container.as_array().push_back(std::move(v));
    } else if (!parent.has_key) {
      parent.key = merge_key ? "<<" : key_string(v, mark);
      parent.key_is_merge = merge_key;
      parent.has_key = true;
    } else if (parent.key_is_merge) {
      parent.has_key = false;
      merge(parent, v, mark);
    } else {
      parent.has_key = false;
      insert(parent, std::move(v));
    }
  }

  // Explicit keys win over merged ones; a repeated explicit key is a duplicate (last wins).
  void insert(frame& map, value v) {
    object& members = map.container.as_object();
    if (std::optional<size_t> existing = find_member(map, map.key)) {
      if (!map.merged[*existing]) record_duplicate(map.key);
      map.merged[*existing] = false;
      members[*existing].val = std::move(v);
      return;
    }
    append_member(map, std::move(map.key), std::move(v), false);
  }

  void merge(frame& map, const value& source, const YAML::Mark& mark) {
    if (source.is_object()) {
      merge_mapping(map, source.as_object());
      return;
    }
    const bool all_maps =
        source.is_array() && std::all_of(source.as_array().begin(), source.as_array().end(),
                                         [](const value& item) { return item.is_object(); });
    if (!all_maps) {
      throw build_error{at_line(mark, "map merge requires map or sequence of maps as the value")};
    }
    // Earlier mappings in the sequence take precedence.
    for (const value& item : source.as_array()) merge_mapping(map, item.as_object());
  }

  void merge_mapping(frame& map, const object& source) {
    for (const member& m : source) {
      if (!find_member(map, m.key)) append_member(map, m.key, m.val, true);
    }
  }

  std::optional<size_t> find_member(frame& map, std::string_view key) {
    const object& members = map.container.as_object();
    if (members.size() <= kLinearLookupLimit) {
      for (size_t i = 0; i < members.size(); ++i) {
        if (members[i].key == key) return i;
      }
      return std::nullopt;
    }
    if (map.index.empty()) {
      for (size_t i = 0; i < members.size(); ++i) map.index.emplace(members[i].key, i);
    }
    auto it = map.index.find(std::string(key));
    if (it == map.index.end()) return std::nullopt;
    return it->second;
  }

  void append_member(frame& map, std::string key, value v, bool merged) {
    object& members = map.container.as_object();
    if (!map.index.empty()) map.index.emplace(key, members.size());
    members.push_back(member{std::move(key), std::move(v)});
    map.merged.push_back(merged);
  }

  // Dotted path of `key` in the innermost mapping, e.g. "spec.containers[0].name".
  void record_duplicate(const std::string& key) {
    auto& seen = result_.duplicate_keys;
    if (seen.size() >= kMaxReportedDuplicates) return;
    std::string path;
    for (size_t i = 0; i + 1 < stack_.size(); ++i) {
      const frame& ancestor = stack_[i];
      if (ancestor.container.is_array()) {
        path += "[" + std::to_string(ancestor.container.as_array().size()) + "]";
      } else {
        if (!path.empty()) path += '.';
        path += ancestor.key;
      }
    }
    if (!path.empty()) path += '.';
    path += key;
    if (std::find(seen.begin(), seen.end(), path) == seen.end()) seen.push_back(std::move(path));
  }

  std::string_view text_;
  parse_result& result_;
  bool reject_content_;
  bool has_content_ = false;
  YAML::Mark empty_mark_;
  value root_;
  std::vector<frame> stack_;
  std::unordered_map<YAML::anchor_t, anchored> anchors_;
  size_t nodes_ = 0;          // nodes built, including copies made through aliases
  size_t aliased_nodes_ = 0;  // of which copies
};

// Lets yaml-cpp read the text in place.
class view_streambuf : public std::streambuf {
 public:
  explicit view_streambuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

// The one document with content; empty documents around it (a leading or trailing "---")
// are skipped.
std::optional<value> read_single_document(std::string_view text, parse_result& result) {
  view_streambuf buffer(text);
  std::istream stream(&buffer);
  YAML::Parser parser(stream);
  std::optional<value> document;
  int previous_empty_pos = -1;
  while (true) {
    document_builder builder(text, result, document.has_value());
    if (!parser.HandleNextDocument(builder)) break;
    if (builder.has_content()) {
      document = builder.take();
      continue;
    }
    // On a stray token (a leading ",") yaml-cpp 0.7 reports an empty document without consuming
    // anything, again and again.
    const YAML::Mark& mark = builder.empty_mark();
    if (mark.pos == previous_empty_pos) {
      throw build_error{at_line(mark, "did not find expected node content")};
    }
    previous_empty_pos = mark.pos;
  }
  return document;
}

}  // namespace

parse_result parse_yaml(std::string_view text, value& out) {
  parse_result result;
  try {
    std::optional<value> document = read_single_document(text, result);
    if (!document) {
      result.error = with_prefix("empty document");
      return result;
    }
    out = std::move(*document);
    result.ok = true;
  } catch (const build_error& e) {
    result.error = with_prefix(e.message);
  } catch (const YAML::Exception& e) {
    result.error = with_prefix(at_line(e.mark, e.msg));
  } catch (const std::exception& e) {
    result.error = with_prefix(e.what());
  }
  return result;
}

}  // namespace kactor::json
