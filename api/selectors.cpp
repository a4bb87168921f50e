// Label selectors follow k8s.io/apimachinery/pkg/labels (lexer, parser, error messages); field
// selectors follow k8s.io/apimachinery/pkg/fields plus the per-kind field-label conversions and
// selectable field sets of kube-apiserver's registries.
#include "api/selectors.hpp"
#include "api/status.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace kactor::api {
namespace {

// ---------------------------------------------------------------------------------------------
// Shared helpers

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

// utilerrors aggregate text: duplicates dropped, brackets when several remain.
std::string aggregate(const std::vector<std::string>& errors) {
  std::vector<std::string> unique;
  for (const auto& e : errors)
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  if (unique.size() == 1) return unique.front();
  return "[" + join(unique, ", ") + "]";
}

// field.Invalid(path, value, detail).Error() for a string value.
std::string invalid_text(std::string_view path, std::string_view value, std::string_view detail) {
  std::string out(path);
  out += ": Invalid value: ";
  out += go_quote(value);
  out += ": ";
  out += detail;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Label key and value validation (k8s.io/apimachinery/pkg/util/validation)

constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr size_t kQualifiedNameMaxLength = 63;
constexpr size_t kLabelValueMaxLength = 63;
constexpr size_t kDns1123SubdomainMaxLength = 253;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool is_qualified_name_part(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool is_dns1123_subdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!is_dns1123_label(s.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// validation.RegexError
std::string regex_error(std::string_view msg, std::string_view fmt,
                        std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  out += " (e.g. ";
  bool first = true;
  for (std::string_view example : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'";
    out += example;
    out += "', ";
  }
  out += "regex used for validation is '";
  out += fmt;
  out += "')";
  return out;
}

std::string max_len_error(size_t length) {
  return "must be no more than " + std::to_string(length) + " characters";
}

std::vector<std::string> dns1123_subdomain_errors(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kDns1123SubdomainMaxLength)
    errors.push_back(max_len_error(kDns1123SubdomainMaxLength));
  if (!is_dns1123_subdomain(value))
    errors.push_back(regex_error(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt, {"example.com"}));
  return errors;
}

// validation.IsQualifiedName
std::vector<std::string> qualified_name_errors(std::string_view value) {
  std::vector<std::string> errors;
  const size_t slash = value.find('/');
  std::string_view name = value;
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errors.push_back(
          "a qualified name " +
          regex_error(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errors;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) errors.push_back("prefix part must be non-empty");
    for (const auto& e :
         prefix.empty() ? std::vector<std::string>{} : dns1123_subdomain_errors(prefix))
      errors.push_back("prefix part " + e);
  }
  if (name.empty()) {
    errors.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errors.push_back("name part " + max_len_error(kQualifiedNameMaxLength));
  }
  if (!is_qualified_name_part(name))
    errors.push_back("name part " + regex_error(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                                {"MyName", "my.name", "123-abc"}));
  return errors;
}

// validation.IsValidLabelValue
std::vector<std::string> label_value_errors(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kLabelValueMaxLength) errors.push_back(max_len_error(kLabelValueMaxLength));
  if (!value.empty() && !is_qualified_name_part(value))
    errors.push_back(regex_error(kLabelValueErrMsg, "(" + std::string(kQualifiedNameFmt) + ")?",
                                 {"MyValue", "my_value", "12345"}));
  return errors;
}

// The field errors labels.NewRequirement reports (without the operator checks); `key_path` is
// "<nil>" for the query-parameter parser and "key" for LabelSelector objects.
void check_key(std::string_view key_path, const std::string& key,
               std::vector<std::string>& errors) {
  auto key_errors = qualified_name_errors(key);
  if (!key_errors.empty()) errors.push_back(invalid_text(key_path, key, join(key_errors, "; ")));
}

void check_values(const label_requirement& r, std::vector<std::string>& errors) {
  for (size_t i = 0; i < r.values.size(); ++i) {
    auto value_errors = label_value_errors(r.values[i]);
    if (value_errors.empty()) continue;
    std::string path = "values[" + std::to_string(i) + "][" + r.key + "]";
    errors.push_back(invalid_text(path, r.values[i], join(value_errors, "; ")));
  }
}

void sort_by_key(std::vector<label_requirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
}

// ---------------------------------------------------------------------------------------------
// Label selector lexer and parser (labels.Lexer / labels.Parser)

enum class token_kind {
  end,
  identifier,
  in,
  not_in,
  open_paren,
  close_paren,
  comma,
  bang,
  equals,
  double_equals,
  not_equals,
  greater,
  less,
};

struct token {
  token_kind kind;
  std::string text;
};

bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<token_kind> symbol_token(std::string_view s) {
  static const std::pair<std::string_view, token_kind> kSymbols[] = {
      {")", token_kind::close_paren}, {",", token_kind::comma},
      {"!", token_kind::bang},        {"==", token_kind::double_equals},
      {"=", token_kind::equals},      {">", token_kind::greater},
      {"<", token_kind::less},        {"!=", token_kind::not_equals},
      {"(", token_kind::open_paren},
  };
  for (const auto& [text, kind] : kSymbols)
    if (text == s) return kind;
  return std::nullopt;
}

class lexer {
 public:
  explicit lexer(std::string_view text) : text_(text) {}

  std::vector<token> scan() {
    std::vector<token> tokens;
    do tokens.push_back(next());
    while (tokens.back().kind != token_kind::end);
    return tokens;
  }

 private:
  // A NUL byte ends the input, as in Go's lexer.
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  token next() {
    while (is_whitespace(peek())) ++pos_;
    const char c = peek();
    if (c == '\0') return {token_kind::end, ""};
    return is_special(c) ? special_symbol() : identifier_or_keyword();
  }

  // The longest run of special characters that is a known symbol ("!=", "==", "=", "(", ...).
  token special_symbol() {
    std::optional<token> last;
    std::string buffer;
    while (is_special(peek())) {
      buffer += peek();
      if (auto kind = symbol_token(buffer)) {
        last = token{*kind, buffer};
      } else if (last) {
        break;
      }
      ++pos_;
    }
    return *last;  // every single special character is a symbol
  }

  token identifier_or_keyword() {
    const size_t start = pos_;
    while (peek() != '\0' && !is_special(peek()) && !is_whitespace(peek())) ++pos_;
    std::string text(text_.substr(start, pos_ - start));
    if (text == "in") return {token_kind::in, text};
    if (text == "notin") return {token_kind::not_in, text};
    return {token_kind::identifier, text};
  }

  std::string_view text_;
  size_t pos_ = 0;
};

class label_parser {
 public:
  explicit label_parser(std::string_view text) : tokens_(lexer(text).scan()) {}

  // labels.Parser.parse
  std::optional<std::vector<label_requirement>> parse(std::string& error) {
    std::vector<label_requirement> requirements;
    while (true) {
      const token& t = lookahead(true);
      if (t.kind == token_kind::end) return requirements;
      if (t.kind != token_kind::identifier && t.kind != token_kind::bang)
        return fail(error, "found '" + t.text + "', expected: !, identifier, or 'end of string'");
      auto r = parse_requirement(error);
      if (!r) {
        error = "unable to parse requirement: " + error;
        return std::nullopt;
      }
      requirements.push_back(std::move(*r));
      const token after = consume(true);
      if (after.kind == token_kind::end) return requirements;
      if (after.kind != token_kind::comma)
        return fail(error, "found '" + after.text + "', expected: ',' or 'end of string'");
      const token& next = lookahead(true);
      if (next.kind != token_kind::identifier && next.kind != token_kind::bang)
        return fail(error, "found '" + next.text + "', expected: identifier after ','");
    }
  }

 private:
  static std::nullopt_t fail(std::string& error, std::string message) {
    error = std::move(message);
    return std::nullopt;
  }

  // In a value context the keywords `in` and `notin` are plain identifiers.
  static token as_context(token t, bool values) {
    if (values && (t.kind == token_kind::in || t.kind == token_kind::not_in))
      t.kind = token_kind::identifier;
    return t;
  }
  token lookahead(bool values) const { return as_context(tokens_[pos_], values); }
  token consume(bool values) {
    token t = as_context(tokens_[pos_], values);
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }

  std::optional<label_requirement> parse_requirement(std::string& error) {
    label_requirement r;
    bool negated = false;
    token key = consume(true);
    if (key.kind == token_kind::bang) {
      negated = true;
      key = consume(true);
    }
    if (key.kind != token_kind::identifier)
      return fail(error, "found '" + key.text + "', expected: identifier");
    r.key = key.text;
    std::vector<std::string> errors;
    check_key("<nil>", r.key, errors);
    if (!errors.empty()) return fail(error, errors.front());

    const token_kind next = lookahead(true).kind;
    if (negated || next == token_kind::end || next == token_kind::comma) {
      // `!key` followed by anything else is caught by the caller as a missing ','.
      r.operation = negated ? label_requirement::op::does_not_exist : label_requirement::op::exists;
      return r;
    }
    if (!parse_operator(r, error)) return std::nullopt;
    const bool set_based =
        r.operation == label_requirement::op::in || r.operation == label_requirement::op::not_in;
    if (!(set_based ? parse_values(r, error) : parse_exact_value(r, error))) return std::nullopt;
    check_values(r, errors);
    if (!errors.empty()) return fail(error, aggregate(errors));
    return r;
  }

  bool parse_operator(label_requirement& r, std::string& error) {
    const token t = consume(false);
    switch (t.kind) {
      case token_kind::in:
        r.operation = label_requirement::op::in;
        return true;
      case token_kind::not_in:
        r.operation = label_requirement::op::not_in;
        return true;
      case token_kind::equals:
      case token_kind::double_equals:
        r.operation = label_requirement::op::equals;
        return true;
      case token_kind::not_equals:
        r.operation = label_requirement::op::not_equals;
        return true;
      case token_kind::greater:
      case token_kind::less:
        error = "the '" + t.text + "' operator is not supported";
        return false;
      default:
        error = "found '" + t.text + "', expected: in, notin, =, ==, !=, gt, lt";
        return false;
    }
  }

  // (x,y,z): a set, so sorted and without duplicates; "()" and empty items are "".
  bool parse_values(label_requirement& r, std::string& error) {
    const token open = consume(true);
    if (open.kind != token_kind::open_paren) {
      error = "found '" + open.text + "' expected: '('";
      return false;
    }
    const token first = lookahead(true);
    std::set<std::string> values;
    if (first.kind == token_kind::close_paren) {
      consume(true);
      values.insert("");
    } else if (first.kind == token_kind::identifier || first.kind == token_kind::comma) {
      if (!parse_identifiers_list(values, error)) return false;
      if (consume(true).kind != token_kind::close_paren) {
        error = "found '" + first.text + "', expected: ')'";
        return false;
      }
    } else {
      error = "found '" + first.text + "', expected: ',', ')' or identifier";
      return false;
    }
    r.values.assign(values.begin(), values.end());
    return true;
  }

  bool parse_identifiers_list(std::set<std::string>& values, std::string& error) {
    while (true) {
      const token t = consume(true);
      if (t.kind == token_kind::identifier) {
        values.insert(t.text);
        const token next = lookahead(true);
        if (next.kind == token_kind::comma) continue;
        if (next.kind == token_kind::close_paren) return true;
        error = "found '" + next.text + "', expected: ',' or ')'";
        return false;
      }
      if (t.kind != token_kind::comma) {
        error = "found '" + t.text + "', expected: ',', or identifier";
        return false;
      }
      // Empty items: "(,a", "a,)", "a,,b".
      if (values.empty()) values.insert("");
      const token_kind next = lookahead(true).kind;
      if (next == token_kind::close_paren) {
        values.insert("");
        return true;
      }
      if (next == token_kind::comma) {
        consume(true);
        values.insert("");
      }
    }
  }

  bool parse_exact_value(label_requirement& r, std::string& error) {
    const token_kind next = lookahead(true).kind;
    if (next == token_kind::end || next == token_kind::comma) {
      r.values = {""};
      return true;
    }
    const token t = consume(true);
    if (t.kind != token_kind::identifier) {
      error = "found '" + t.text + "', expected: identifier";
      return false;
    }
    r.values = {t.text};
    return true;
  }

  std::vector<token> tokens_;
  size_t pos_ = 0;
};

bool requirement_matches(const label_requirement& r, const fact_map& labels) {
  auto it = labels.find(r.key);
  const bool present = it != labels.end();
  auto has_value = [&] {
    return present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
  };
  switch (r.operation) {
    case label_requirement::op::equals:
    case label_requirement::op::in:
      return has_value();
    case label_requirement::op::not_equals:
    case label_requirement::op::not_in:
      return !has_value();
    case label_requirement::op::exists:
      return present;
    case label_requirement::op::does_not_exist:
      return !present;
  }
  return false;
}

std::string requirement_string(const label_requirement& r) {
  using op = label_requirement::op;
  std::vector<std::string> values = r.values;
  std::sort(values.begin(), values.end());
  const std::string joined = join(values, ",");
  switch (r.operation) {
    case op::equals:
      return r.key + "=" + joined;
    case op::not_equals:
      return r.key + "!=" + joined;
    case op::in:
      return r.key + " in (" + joined + ")";
    case op::not_in:
      return r.key + " notin (" + joined + ")";
    case op::exists:
      return r.key;
    case op::does_not_exist:
      return "!" + r.key;
  }
  return r.key;
}

// ---------------------------------------------------------------------------------------------
// LabelSelector objects (metav1.LabelSelectorAsSelector)

std::string go_string_slice(const std::vector<std::string>& values) {
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + go_quote(values[i]);
  return out + "}";
}

// labels.NewRequirement's checks, aggregated; empty when the requirement is valid.
std::string requirement_errors(const label_requirement& r) {
  using op = label_requirement::op;
  std::vector<std::string> errors;
  check_key("key", r.key, errors);
  const std::string shown = go_string_slice(r.values);
  if ((r.operation == op::in || r.operation == op::not_in) && r.values.empty())
    errors.push_back("values: Invalid value: " + shown +
                     ": for 'in', 'notin' operators, values set can't be empty");
  if ((r.operation == op::equals || r.operation == op::not_equals) && r.values.size() != 1)
    errors.push_back("values: Invalid value: " + shown +
                     ": exact-match compatibility requires one single value");
  if ((r.operation == op::exists || r.operation == op::does_not_exist) && !r.values.empty())
    errors.push_back("values: Invalid value: " + shown +
                     ": values set must be empty for exists and does not exist");
  check_values(r, errors);
  return errors.empty() ? std::string() : aggregate(errors);
}

std::optional<label_requirement::op> expression_operator(std::string_view name) {
  using op = label_requirement::op;
  if (name == "In") return op::in;
  if (name == "NotIn") return op::not_in;
  if (name == "Exists") return op::exists;
  if (name == "DoesNotExist") return op::does_not_exist;
  return std::nullopt;
}

std::optional<label_requirement> expression_requirement(const json::value& expr,
                                                        std::string& error) {
  if (!expr.is_object()) {
    error = "matchExpressions entries must be objects";
    return std::nullopt;
  }
  const std::string op_name(expr.get_string("operator"));
  auto operation = expression_operator(op_name);
  if (!operation) {
    error = go_quote(op_name) + " is not a valid label selector operator";
    return std::nullopt;
  }
  label_requirement r;
  r.key = std::string(expr.get_string("key"));
  r.operation = *operation;
  if (const json::value* values = expr.find("values"); values && values->is_array()) {
    for (const auto& v : values->as_array()) {
      if (!v.is_string()) {
        error = "matchExpressions values must be strings";
        return std::nullopt;
      }
      r.values.push_back(v.as_string());
    }
  }
  error = requirement_errors(r);
  if (!error.empty()) return std::nullopt;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Field selectors (fields.ParseSelector + field-label conversion)

// Selectable fields beyond metadata.name and metadata.namespace, by Kind.
const std::vector<std::string_view>* kind_fields(std::string_view kind) {
  static const std::map<std::string_view, std::vector<std::string_view>, std::less<>> kFields = {
      {"Pod",
       {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
        "status.nominatedNodeName"}},
      {"Event",
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}},
      {"Node", {"spec.unschedulable"}},
      {"Secret", {"type"}},
      {"Namespace", {"status.phase"}},
      {"ReplicaSet", {"status.replicas"}},
      {"ReplicationController", {"status.replicas"}},
      {"Job", {"status.successful"}},
  };
  auto it = kFields.find(kind);
  return it == kFields.end() ? nullptr : &it->second;
}

// The field label as the kind's conversion accepts it (Pod's legacy spec.host is spec.nodeName),
// or nullopt when the kind does not support it.
std::optional<std::string> convert_field_label(std::string_view kind, const std::string& label) {
  if (label == "metadata.name" || label == "metadata.namespace") return label;
  if (kind == "Pod" && label == "spec.host") return std::string("spec.nodeName");
  const auto* fields = kind_fields(kind);
  if (fields && std::find(fields->begin(), fields->end(), label) != fields->end()) return label;
  return std::nullopt;
}

// fields.splitTerms: commas split terms unless escaped with a backslash.
std::vector<std::string> split_terms(std::string_view text) {
  std::vector<std::string> terms;
  if (text.empty()) return terms;
  size_t start = 0;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (escaped) {
      escaped = false;
    } else if (text[i] == '\\') {
      escaped = true;
    } else if (text[i] == ',') {
      terms.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(text.substr(start));
  return terms;
}

struct split_term_result {
  std::string lhs;
  std::string op;
  std::string rhs;
};

// fields.splitTerm: the first position where "!=", "==" or "=" starts splits the term.
std::optional<split_term_result> split_term(std::string_view term) {
  for (size_t i = 0; i < term.size(); ++i) {
    for (std::string_view op : {"!=", "==", "="}) {
      if (term.substr(i).starts_with(op))
        return split_term_result{std::string(term.substr(0, i)), std::string(op),
                                 std::string(term.substr(i + op.size()))};
    }
  }
  return std::nullopt;
}

// fields.UnescapeValue: \\ \, \= are the only escapes; bare ',' and '=' are errors.
std::optional<std::string> unescape_value(std::string_view s, std::string& error) {
  std::string out;
  bool escaped = false;
  for (char c : s) {
    if (escaped) {
      if (c != '\\' && c != ',' && c != '=') {
        error = std::string("invalid field selector: invalid escape sequence: \\") + c;
        return std::nullopt;
      }
      out += c;
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == ',' || c == '=') {
      error = std::string("invalid field selector: unescaped character in value: ") + c;
      return std::nullopt;
    } else {
      out += c;
    }
  }
  if (escaped) {
    error = "invalid field selector: invalid escape sequence: \\";
    return std::nullopt;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Facts

// A scalar as kube's field sets print it: strings as they are, booleans true/false, numbers in
// decimal (written into `digits`). Absent or non-scalar values give nullopt.
std::optional<std::string_view> scalar_text(const json::value* v, std::string& digits) {
  if (v == nullptr) return std::nullopt;
  switch (v->type()) {
    case json::kind::string:
      return std::string_view(v->as_string());
    case json::kind::boolean:
      return v->as_bool() ? "true" : "false";
    case json::kind::integer:
      digits = std::to_string(v->as_int());
      return digits;
    case json::kind::number: {
      const double d = v->as_double();
      if (std::trunc(d) == d && std::abs(d) < 1e18) {
        digits = std::to_string(static_cast<int64_t>(d));
      } else {
        digits = std::to_string(d);
      }
      return digits;
    }
    default:
      return std::nullopt;
  }
}

// Sets the field at prefix + name to v's text when v is a scalar.
void put(fact_map& fields, std::string_view prefix, std::string_view name, const json::value* v) {
  std::string digits;
  if (auto text = scalar_text(v, digits)) fields.insert_or_assign(prefix, name, *text);
}

void put(fact_map& fields, std::string_view path, const json::value* v) {
  put(fields, path, {}, v);
}

// Go zero values: fields kube reads from non-pointer bools and ints are always present.
void put_or(fact_map& fields, std::string_view path, const json::value* v,
            std::string_view fallback) {
  std::string digits;
  fields.insert_or_assign(path, scalar_text(v, digits).value_or(fallback));
}

// parent's member `key`, or null when parent is null or not an object.
const json::value* member_of(const json::value* parent, std::string_view key) {
  return parent == nullptr ? nullptr : parent->find(key);
}

// pod_facts and event_facts put fields in key order, so that each insert appends.
void pod_facts(const json::value& obj, fact_map& fields) {
  const json::value* spec = obj.find("spec");
  put_or(fields, "spec.hostNetwork", member_of(spec, "hostNetwork"), "false");
  for (std::string_view f : {"nodeName", "restartPolicy", "schedulerName", "serviceAccountName"})
    put(fields, "spec.", f, member_of(spec, f));
  const json::value* status = obj.find("status");
  put(fields, "status.nominatedNodeName", member_of(status, "nominatedNodeName"));
  put(fields, "status.phase", member_of(status, "phase"));
  // kube selects on the first of status.podIPs.
  const json::value* ip = member_of(status, "podIP");
  const json::value* ips = member_of(status, "podIPs");
  if (ips && ips->is_array() && !ips->as_array().empty()) ip = ips->as_array().front().find("ip");
  put(fields, "status.podIP", ip);
  put(fields, "status.podIPs", ip);
}

void event_facts(const json::value& obj, fact_map& fields) {
  // events.k8s.io/v1 Events name the same things differently.
  const json::value* involved = obj.find("involvedObject");
  if (involved == nullptr) involved = obj.find("regarding");
  if (involved != nullptr) {
    for (std::string_view f :
         {"apiVersion", "fieldPath", "kind", "name", "namespace", "resourceVersion", "uid"})
      put(fields, "involvedObject.", f, involved->find(f));
  }
  put(fields, "reason", obj.find("reason"));
  const json::value* reporting = obj.find("reportingComponent");
  if (reporting == nullptr) reporting = obj.find("reportingController");
  put(fields, "reportingComponent", reporting);
  const json::value* source = obj.at({"source", "component"});
  if (source == nullptr) source = obj.at({"deprecatedSource", "component"});
  if (source == nullptr || (source->is_string() && source->as_string().empty())) source = reporting;
  put(fields, "source", source);
  put(fields, "type", obj.find("type"));
}

// Room for the fields of the kinds with the most (Events have 13 with the metadata's two), and
// for their keys and values.
constexpr size_t k_reserved_fields = 13;
constexpr size_t k_reserved_field_bytes = 512;

void kind_facts(std::string_view kind, const json::value& obj, fact_map& fields) {
  if (kind == "Pod") {
    pod_facts(obj, fields);
  } else if (kind == "Event") {
    event_facts(obj, fields);
  } else if (kind == "Node") {
    put_or(fields, "spec.unschedulable", obj.at({"spec", "unschedulable"}), "false");
  } else if (kind == "Secret") {
    put(fields, "type", obj.find("type"));
  } else if (kind == "Namespace") {
    put(fields, "status.phase", obj.at({"status", "phase"}));
  } else if (kind == "ReplicaSet" || kind == "ReplicationController") {
    put_or(fields, "status.replicas", obj.at({"status", "replicas"}), "0");
  } else if (kind == "Job") {
    put_or(fields, "status.successful", obj.at({"status", "succeeded"}), "0");
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

fact_map::fact_map(std::initializer_list<value_type> entries) {
  slots_.reserve(entries.size());
  for (const auto& [key, value] : entries) insert_or_assign(key, value);
}

fact_map::const_iterator fact_map::find(std::string_view key) const {
  const size_t i = lower_bound(key);
  return i < slots_.size() && key_of(slots_[i]) == key ? const_iterator(this, i) : end();
}

std::string_view fact_map::at(std::string_view key) const {
  auto it = find(key);
  if (it == end()) throw std::out_of_range("fact_map::at: no " + std::string(key));
  return it->second;
}

void fact_map::insert_or_assign(std::string_view key_head, std::string_view key_tail,
                                std::string_view value) {
  if (text_.size() + key_head.size() + key_tail.size() + value.size() > UINT32_MAX)
    throw std::length_error("fact_map: more than 4 GiB of keys and values");
  slot added;
  added.key_at = static_cast<uint32_t>(text_.size());
  text_.append(key_head).append(key_tail);
  added.key_size = static_cast<uint32_t>(text_.size() - added.key_at);
  added.value_at = static_cast<uint32_t>(text_.size());
  text_.append(value);
  added.value_size = static_cast<uint32_t>(value.size());

  const std::string_view key = key_of(added);
  const size_t i = lower_bound(key);
  if (i < slots_.size() && key_of(slots_[i]) == key) {
    slots_[i].value_at = added.value_at;
    slots_[i].value_size = added.value_size;
  } else {
    slots_.insert(slots_.begin() + static_cast<std::ptrdiff_t>(i), added);
  }
}

size_t fact_map::lower_bound(std::string_view key) const {
  // Keys mostly arrive in order: check the end first.
  if (slots_.empty() || key_of(slots_.back()) < key) return slots_.size();
  auto it = std::lower_bound(slots_.begin(), slots_.end(), key,
                             [this](const slot& s, std::string_view k) { return key_of(s) < k; });
  return static_cast<size_t>(it - slots_.begin());
}

object_facts extract_facts(const json::value& obj) {
  object_facts facts;
  const std::string_view kind = obj.get_string("kind");
  facts.fields.reserve(k_reserved_fields, k_reserved_field_bytes);
  const json::value* metadata = obj.find("metadata");
  if (const json::value* labels = member_of(metadata, "labels"); labels && labels->is_object()) {
    size_t bytes = 0;
    for (const auto& m : labels->as_object())
      if (m.val.is_string()) bytes += m.key.size() + m.val.as_string().size();
    facts.labels.reserve(labels->as_object().size(), bytes);
    for (const auto& m : labels->as_object())
      if (m.val.is_string()) facts.labels.insert_or_assign(m.key, m.val.as_string());
  }
  put(facts.fields, "metadata.name", member_of(metadata, "name"));
  put(facts.fields, "metadata.namespace", member_of(metadata, "namespace"));
  kind_facts(kind, obj, facts.fields);
  return facts;
}

bool label_selector::matches(const fact_map& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const label_requirement& r) { return requirement_matches(r, labels); });
}

bool field_selector::matches(const fact_map& fields) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const field_requirement& r) {
    auto it = fields.find(r.field);
    const std::string_view actual = it == fields.end() ? std::string_view() : it->second;
    return (actual == r.value) != r.negated;
  });
}

std::optional<label_selector> parse_label_selector(std::string_view text, std::string& error) {
  auto requirements = label_parser(text).parse(error);
  if (!requirements) return std::nullopt;
  sort_by_key(*requirements);
  label_selector selector;
  for (auto& r : *requirements) selector.add(std::move(r));
  return selector;
}

std::optional<field_selector> parse_field_selector(std::string_view text, std::string_view kind,
                                                   std::string& error) {
  std::vector<std::string> terms = split_terms(text);
  std::sort(terms.begin(), terms.end());
  std::vector<field_requirement> requirements;
  for (const auto& term : terms) {
    if (term.empty()) continue;
    auto parts = split_term(term);
    if (!parts) {
      error = "invalid selector: '" + std::string(text) + "'; can't understand '" + term + "'";
      return std::nullopt;
    }
    auto value = unescape_value(parts->rhs, error);
    if (!value) return std::nullopt;
    requirements.push_back(field_requirement{parts->lhs, parts->op == "!=", std::move(*value)});
  }
  // Field labels are checked once the whole selector parsed, as kube's Transform does.
  field_selector selector;
  for (auto& r : requirements) {
    auto label = convert_field_label(kind, r.field);
    if (!label) {
      error = "field label not supported: " + r.field;
      return std::nullopt;
    }
    r.field = std::move(*label);
    selector.add(std::move(r));
  }
  return selector;
}

std::optional<label_selector> from_label_selector_object(const json::value& sel,
                                                         std::string& error) {
  label_selector selector;
  if (!sel.is_object()) return selector;  // null: everything
  std::vector<label_requirement> requirements;
  if (const json::value* labels = sel.find("matchLabels"); labels && labels->is_object()) {
    for (const auto& m : labels->as_object()) {
      if (!m.val.is_string()) {
        error = "matchLabels values must be strings";
        return std::nullopt;
      }
      label_requirement r{m.key, label_requirement::op::equals, {m.val.as_string()}};
      error = requirement_errors(r);
      if (!error.empty()) return std::nullopt;
      requirements.push_back(std::move(r));
    }
  }
  if (const json::value* exprs = sel.find("matchExpressions"); exprs && exprs->is_array()) {
    for (const auto& expr : exprs->as_array()) {
      auto r = expression_requirement(expr, error);
      if (!r) return std::nullopt;
      requirements.push_back(std::move(*r));
    }
  }
  sort_by_key(requirements);
  for (auto& r : requirements) selector.add(std::move(r));
  return selector;
}

std::string to_string(const label_selector& sel) {
  std::vector<label_requirement> requirements = sel.requirements();
  sort_by_key(requirements);
  std::vector<std::string> parts;
  for (const auto& r : requirements) parts.push_back(requirement_string(r));
  return join(parts, ",");
}

}  // namespace kactor::api
