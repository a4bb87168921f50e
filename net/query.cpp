#include "net/query.hpp"

namespace kactor::net {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool form) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && form) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool query_params::parse(std::string_view raw, std::string& error) {
  params_.clear();
  size_t start = 0;
  while (start <= raw.size()) {
    size_t amp = raw.find('&', start);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view pair = raw.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view val = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    auto k = percent_decode(key, true);
    auto v = percent_decode(val, true);
    if (!k || !v) {
      error = std::string(pair);
      return false;
    }
    params_.emplace_back(std::move(*k), std::move(*v));
  }
  return true;
}

std::optional<std::string> query_params::get(std::string_view key) const {
  for (const auto& [k, v] : params_)
    if (k == key) return v;
  return std::nullopt;
}

bool query_params::flag(std::string_view key) const {
  auto v = get(key);
  return v && (*v == "true" || *v == "1" || *v == "True" || *v == "TRUE" || *v == "t");
}

}  // namespace kactor::net
