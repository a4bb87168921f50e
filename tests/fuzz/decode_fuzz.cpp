// A deterministic mutation fuzzer for kactor's request decoding (g++ has no libFuzzer).
//
//   decode_fuzz fuzz  <seed-dir> <findings-dir> <rng-seed> <max-inputs> <max-seconds> [<dir>...]
//   decode_fuzz smoke <seed-dir> <findings-dir> <rng-seed> <max-inputs> <max-seconds> [<dir>...]
//   decode_fuzz repro <file>...      runs the targets on each file (exit 0 unless it crashes)
//   decode_fuzz minexc <file> <key>  minimizes a file that throws the escaped exception `key`
//
// fuzz and smoke run every seed (the regular files of each seed dir) as it is, then mutants of
// them until <max-iterations> inputs or <max-seconds> have been run. Crashes and sanitizer
// reports end the process (ASan/UBSan abort); in a sanitizer build a death callback writes the
// input being run to <findings-dir>/crash-<time>. Exceptions escaping a target are findings: each
// distinct one (target + type + message prefix) is written to <findings-dir>/exc-<n>.
//
// fuzz is for a long supervised run (run_fuzz.sh): it resumes the seed pass after a crash and
// skips escapes already in <findings-dir>. smoke (the ctest DecodeFuzz.Smoke) starts afresh and
// exits 1 if any exception escaped a target.
#if defined(__SANITIZE_ADDRESS__) || defined(KACTOR_FUZZ_SANITIZERS)
#define KACTOR_FUZZ_HAS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define KACTOR_FUZZ_HAS_SANITIZER 1
#endif
#endif
#ifdef KACTOR_FUZZ_HAS_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include <cxxabi.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/admission.hpp"
#include "api/apply.hpp"
#include "api/json.hpp"
#include "api/patch.hpp"
#include "api/pod_create.hpp"
#include "api/resources.hpp"
#include "api/scale.hpp"
#include "api/schema.hpp"
#include "api/selectors.hpp"
#include "net/query.hpp"

namespace fs = std::filesystem;
using namespace kactor;

namespace {

// ---- crash bookkeeping ------------------------------------------------------------------------

std::string g_findings = ".";
const std::string* g_current = nullptr;
std::atomic<const char*> g_target{"none"};
std::atomic<int64_t> g_started_ns{0};

void write_file(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

#ifdef KACTOR_FUZZ_HAS_SANITIZER
void on_death() {
  if (!g_current) return;
  const std::string path =
      g_findings + "/crash-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  write_file(path, *g_current);
  std::fprintf(stderr, "FUZZ: crash input (%zu bytes) in target %s written to %s\n",
               g_current->size(), g_target.load(), path.c_str());
}
#endif

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ---- targets ----------------------------------------------------------------------------------

struct escaped {
  std::string target, type, what;
  std::string key() const { return target + " | " + type + " | " + what.substr(0, 80); }
};

std::string demangled(const char* name) {
  int status = 0;
  char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string s = status == 0 && d ? d : name;
  std::free(d);
  return s;
}

std::vector<escaped>* g_escapes = nullptr;

// Runs `f` as target `name`; an exception escaping it is recorded.
template <class F>
void guard(const char* name, F&& f) {
  g_target = name;
  try {
    f();
  } catch (const std::exception& e) {
    g_escapes->push_back({name, demangled(typeid(e).name()), e.what()});
  } catch (...) {
    auto t = abi::__cxa_current_exception_type();
    g_escapes->push_back({name, t ? demangled(t->name()) : "unknown", ""});
  }
}

const api::resource_info& res(std::string_view group, std::string_view plural) {
  const api::resource_info* r = api::find_resource(group, "v1", plural);
  if (!r) {
    std::fprintf(stderr, "no resource %.*s\n", int(plural.size()), plural.data());
    std::abort();
  }
  return *r;
}

struct fixtures {
  std::vector<const api::resource_info*> kinds;
  json::value pod, deployment;
  const api::schema::message_type* pod_type = nullptr;
  const api::schema::message_type* deployment_type = nullptr;
  api::object_facts pod_facts;
};

const fixtures& fix() {
  static fixtures f = [] {
    fixtures x;
    for (auto [g, p] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
             {"", "pods"},
             {"", "services"},
             {"apps", "deployments"},
             {"", "configmaps"},
             {"", "secrets"},
             {"", "namespaces"},
             {"", "nodes"},
             {"", "events"},
             {"", "replicationcontrollers"}})
      x.kinds.push_back(&res(g, p));
    auto parse = [](std::string_view text) {
      json::value v;
      if (!json::parse(text, v).ok) std::abort();
      return v;
    };
    x.pod = parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default",
      "uid":"1f0c2f7a-0000-4000-8000-000000000001","resourceVersion":"12","labels":{"app":"web","tier":"fe"},
      "annotations":{"a":"b"},"finalizers":["x/y"],"managedFields":[{"manager":"kubectl","operation":"Update",
      "apiVersion":"v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}}}}]},
      "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],
      "env":[{"name":"A","value":"1"}],"resources":{"limits":{"cpu":"1","memory":"128Mi"}},
      "volumeMounts":[{"name":"v","mountPath":"/v"}]}],"volumes":[{"name":"v","emptyDir":{}}],
      "tolerations":[{"key":"k","operator":"Exists"}],"nodeName":"n1","restartPolicy":"Always"},
      "status":{"phase":"Running","podIP":"10.0.0.1","conditions":[{"type":"Ready","status":"True"}]}})");
    x.deployment = parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",
      "namespace":"default","resourceVersion":"7","generation":1,"labels":{"app":"web"}},"spec":{"replicas":2,
      "selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]},
      "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
      "template":{"metadata":{"labels":{"app":"web","tier":"a"}},"spec":{"containers":[{"name":"c","image":"nginx",
      "ports":[{"containerPort":80}]}]}}},"status":{"replicas":2}})");
    x.pod_type = api::schema::find_message(res("", "pods").schema_type);
    x.deployment_type = api::schema::find_message(res("apps", "deployments").schema_type);
    x.pod_facts = api::extract_facts(x.pod);
    return x;
  }();
  return f;
}

const char* const kContentTypes[] = {"application/json", "application/yaml",
                                     "application/vnd.kubernetes.protobuf"};
const api::field_validation kModes[] = {api::field_validation::strict, api::field_validation::warn,
                                        api::field_validation::ignore};

// After an object is admitted the server encodes it, extracts selector facts, matches selectors.
void after_admit(const api::resource_info& info, json::value& obj) {
  std::string out;
  json::dump_to(obj, out);
  (void)api::object_resource_version(obj);
  auto facts = api::extract_facts(obj);
  std::string err;
  if (const json::value* sel = obj.at({"spec", "selector"}); sel && sel->is_object()) {
    if (auto s = api::from_label_selector_object(*sel, err)) {
      (void)api::to_string(*s);
      (void)s->matches(facts.labels);
    }
  }
  if (info.has_subresource("scale")) (void)api::scale_of(info, obj);
}

// The server records every admitted update in managedFields: api::track_update(live, next).
void track(const api::resource_info& info, json::value& next) {
  const fixtures& f = fix();
  const json::value* live = info.kind == "Pod"          ? &f.pod
                            : info.kind == "Deployment" ? &f.deployment
                                                        : nullptr;
  api::field_writer w;
  w.type = api::schema::find_message(info.schema_type);
  w.api_version = info.api_version();
  w.kind = info.kind;
  w.manager = "fuzz";
  w.now = "2030-01-01T00:00:00Z";
  guard("api::track_update", [&] { api::track_update(live ? live : nullptr, next, w); });
}

void admit_both(const api::resource_info& info, const json::value& decoded, const char* name) {
  const std::string ns = info.namespaced ? "default" : "";
  {
    json::value obj = decoded;
    std::optional<api::api_error> e;
    guard(name, [&] { e = api::admit_object(info, obj, ns, "", api::write_kind::create); });
    if (!e) guard("after_admit(create)", [&] { after_admit(info, obj); });
  }
  {
    json::value obj = decoded;
    std::string url_name = "web";
    if (const json::value* n = obj.at({"metadata", "name"}); n && n->is_string())
      url_name = n->as_string();
    std::optional<api::api_error> e;
    guard(name, [&] { e = api::admit_object(info, obj, ns, url_name, api::write_kind::update); });
    if (!e) guard("after_admit(update)", [&] { after_admit(info, obj); });
    if (!e) track(info, obj);
  }
}

// The server's PATCH pipeline after a successful patch: re-check, admit as update.
void after_patch(const api::resource_info& info, const json::value& patched,
                 api::field_validation mode, const char* name) {
  std::vector<std::string> warnings;
  std::optional<api::api_error> e;
  guard(name, [&] { e = api::check_patched_object(info, patched, mode, warnings); });
  if (e) return;
  json::value next = patched;
  guard("admit_object(patched)",
        [&] { e = api::admit_object(info, next, "default", "web", api::write_kind::update); });
  if (!e) guard("after_admit(patched)", [&] { after_admit(info, next); });
  if (!e) track(info, next);
}

void run_targets(const std::string& input, uint64_t iteration) {
  const fixtures& f = fix();
  // The body in a buffer of exactly its size, so that ASan sees a read one past the end (a
  // std::string has a terminator and often slack capacity after its bytes).
  std::unique_ptr<char[]> exact(new char[input.size()]);
  std::memcpy(exact.get(), input.data(), input.size());
  const std::string_view body(exact.get(), input.size());
  const api::field_validation mode = kModes[iteration % 3];

  json::value parsed_json, parsed_yaml;
  bool json_ok = false, yaml_ok = false;
  guard("json::parse", [&] { json_ok = json::parse(body, parsed_json).ok; });
  guard("json::parse(reject_duplicates,depth=1000)", [&] {
    json::value v;
    json::parse_options o;
    o.reject_duplicate_keys = true;
    o.max_depth = 1000;
    (void)json::parse(body, v, o);
  });
  guard("json::parse_yaml", [&] { yaml_ok = json::parse_yaml(body, parsed_yaml).ok; });
  if (json_ok) guard("json::dump", [&] { (void)json::dump(parsed_json); });
  if (yaml_ok) guard("json::dump(yaml)", [&] { (void)json::dump(parsed_yaml); });

  // The one-pass pod admission (it must only ever answer or decline).
  guard("api::admit_pod_create", [&] { (void)api::admit_pod_create(body, "default"); });

  // Whole-object decoding and admission.
  for (const api::resource_info* info : f.kinds) {
    for (const char* ct : kContentTypes) {
      json::value out;
      std::vector<std::string> warnings;
      std::optional<api::api_error> e;
      guard("api::decode_object",
            [&] { e = api::decode_object(*info, ct, body, mode, out, warnings); });
      if (!e) admit_both(*info, out, "api::admit_object");
    }
  }

  // Patches against a valid pod and a valid deployment.
  if (json_ok) {
    for (int which = 0; which < 2; ++which) {
      const api::resource_info& info = which == 0 ? res("", "pods") : res("apps", "deployments");
      const json::value& doc = which == 0 ? f.pod : f.deployment;
      const auto* type = which == 0 ? f.pod_type : f.deployment_type;
      json::value out;
      std::optional<api::api_error> e;
      guard("api::apply_merge_patch", [&] { e = api::apply_merge_patch(doc, parsed_json, out); });
      if (!e) after_patch(info, out, mode, "check_patched_object(merge)");
      out = json::value();
      std::vector<std::string> strict_errors;
      guard("api::apply_json_patch", [&] {
        e = api::apply_json_patch(doc, parsed_json, out, api::to_check_mode(mode), &strict_errors);
      });
      if (!e) after_patch(info, out, mode, "check_patched_object(json)");
      out = json::value();
      guard("api::strategic_merge_patch",
            [&] { e = api::strategic_merge_patch(doc, parsed_json, *type, out); });
      if (!e) after_patch(info, out, mode, "check_patched_object(strategic)");
      guard("api::merge_patch", [&] { (void)api::merge_patch(doc, parsed_json); });
      guard("api::go_format", [&] { (void)api::go_format(parsed_json); });
    }
  }
  // Server-side apply (application/apply-patch+yaml) of the body on the live pod, and as create.
  if (yaml_ok && parsed_yaml.is_object()) {
    for (int which = 0; which < 2; ++which) {
      const api::resource_info& info = which == 0 ? res("", "pods") : res("apps", "deployments");
      api::field_writer w;
      w.type = which == 0 ? f.pod_type : f.deployment_type;
      w.api_version = info.api_version();
      w.kind = info.kind;
      w.manager = "fuzz";
      w.now = "2030-01-01T00:00:00Z";
      for (int live = 0; live < 2; ++live) {
        json::value out;
        std::optional<api::api_error> e;
        const json::value* l = live ? (which == 0 ? &f.pod : &f.deployment) : nullptr;
        guard("api::server_side_apply",
              [&] { e = api::server_side_apply(l, parsed_yaml, w, iteration % 2 == 0, out); });
        if (!e) after_patch(info, out, mode, "check_patched_object(apply)");
      }
    }
  }

  // Selectors and query strings come in the URL: the HTTP server bounds headers to 64 KiB.
  const std::string_view url = body.substr(0, 64 * 1024);
  guard("api::parse_label_selector", [&] {
    std::string err;
    if (auto s = api::parse_label_selector(url, err)) {
      (void)s->matches(f.pod_facts.labels);
      (void)api::to_string(*s);
    }
  });
  for (std::string_view kind : {"Pod", "Event", "Node", "Secret", "Namespace", "Service",
                                "ReplicationController", "Deployment"}) {
    guard("api::parse_field_selector", [&] {
      std::string err;
      if (auto s = api::parse_field_selector(url, kind, err)) (void)s->matches(f.pod_facts.fields);
    });
  }
  if (json_ok) {
    guard("api::from_label_selector_object", [&] {
      std::string err;
      if (auto s = api::from_label_selector_object(parsed_json, err)) {
        (void)api::to_string(*s);
        (void)s->matches(f.pod_facts.labels);
      }
    });
    guard("api::extract_facts", [&] { (void)api::extract_facts(parsed_json); });
  }

  // Scale bodies.
  for (const char* ct : kContentTypes) {
    json::value out;
    std::optional<api::api_error> e;
    guard("api::decode_scale_body", [&] { e = api::decode_scale_body(ct, body, out); });
    if (!e) {
      json::value obj = f.deployment;
      std::vector<std::string> warnings;
      guard("api::apply_scale", [&] { (void)api::apply_scale(out, mode, obj, warnings); });
    }
  }

  // Query strings and small header parsers.
  guard("net::percent_decode", [&] {
    (void)net::percent_decode(url, false);
    (void)net::percent_decode(url, true);
  });
  guard("net::query_params::parse", [&] {
    net::query_params q;
    std::string err;
    if (q.parse(url, err)) {
      (void)q.get("labelSelector");
      (void)q.flag("watch");
      if (auto ls = q.get("labelSelector")) {
        std::string e2;
        (void)api::parse_label_selector(*ls, e2);
      }
      if (auto fsel = q.get("fieldSelector")) {
        std::string e2;
        (void)api::parse_field_selector(*fsel, "Pod", e2);
      }
      if (auto fv = q.get("fieldValidation")) (void)api::parse_field_validation(*fv);
    }
  });
  guard("api::parse_field_validation", [&] { (void)api::parse_field_validation(url); });
  guard("api::body_format_of", [&] { (void)api::body_format_of(url); });
  guard("api::patch_kind_of", [&] { (void)api::patch_kind_of(url); });
  guard("api::validate_patch_options", [&] {
    (void)api::validate_patch_options(api::patch_kind::apply, url.substr(0, 4096), iteration % 2);
  });
}

// ---- mutation ---------------------------------------------------------------------------------

constexpr size_t kMaxInput = 3 * 1024 * 1024;

struct mutator {
  std::mt19937_64 rng;
  const std::vector<std::string>& seeds;
  std::vector<std::string> dict;

  mutator(uint64_t seed, const std::vector<std::string>& s) : rng(seed), seeds(s) {
    // clang-format off
    dict = {"null", "true", "false", "{}", "[]", "\"\"", "0", "-1", "1e309", "-0", "1.5",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "-9223372036854775809", "18446744073709551616", "2147483648", "-2147483649",
            "4294967296", "1e-400", "0x7fffffff", "0o777", "NaN", ".inf", "-.inf", "~",
            "\"$patch\":\"delete\"", "\"$patch\":\"replace\"", "\"$patch\":\"merge\"",
            "\"$retainKeys\":[\"a\"]", "\"$setElementOrder/containers\":[{\"name\":\"c\"}]",
            "\"$deleteFromPrimitiveList/finalizers\":[\"x/y\"]",
            "{\"op\":\"add\",\"path\":\"/spec/containers/-\",\"value\":{}}",
            "{\"op\":\"move\",\"from\":\"/spec\",\"path\":\"/spec/x\"}",
            "{\"op\":\"copy\",\"from\":\"/metadata\",\"path\":\"/metadata/labels/a\"}",
            "{\"op\":\"remove\",\"path\":\"/spec/containers/-1\"}",
            "{\"op\":\"test\",\"path\":\"/\",\"value\":null}",
            "{\"op\":\"replace\",\"path\":\"\",\"value\":[]}", "\"/~1~0/-\"", "\"/0/00/-2\"",
            "\"apiVersion\":\"v1\"", "\"kind\":\"Pod\"", "\"apiVersion\":\"apps/v1\"",
            "\"kind\":\"Deployment\"", "\"metadata\":", "\"resourceVersion\":\"1\"",
            "\"generateName\":\"a-\"", "\"managedFields\":[{}]", "\"name\":\"\"",
            "<<: *a", "&a ", "*a", "!!binary ", "!!int ", "!!float ", "!!str ", "!!null ",
            "? ", "- ", ": ", "---\n", "...\n", "|\n ", ">-\n ", "%YAML 1.1\n", "\t", "'", "\"",
            "\\u0000", "\\ud800", "\\uDFFF", "\\", " in (a,b)", " notin ()", "!", "==", "!=",
            ",", "=", "%", "%zz", "%00", "+", "&", "k8s\0", "\xff", "\xc0\x80", "\xed\xa0\x80",
            "\x80", "\xe2\x82", "\xef\xbb\xbf", "100Mi", "1e1000", "-1Ki", "0.000000001m",
            "9999999999999999999999Ei", "1E", "2024-05-01T10:00:00Z", "0000-00-00T99:99:99Z",
            "10.0.0.1", "::1", "999.1.1.1", "TCP", "UDP", "SCTP", "IntOrString", "25%", "-5%",
            "%%", "\"protocol\":\"\"", "\"containerPort\":0", "\"port\":65536",
            "\"nodePort\":-1", "\"replicas\":-1", "\"type\":\"ExternalName\"",
            "\"clusterIP\":\"None\"", "\"ipFamilies\":[\"IPv6\",\"IPv6\"]"};
    // clang-format on
    // Every JSON key seen in the seeds.
    std::set<std::string> keys;
    for (const auto& s : seeds) {
      for (size_t i = 0; i + 1 < s.size() && keys.size() < 4000; ++i) {
        if (s[i] != '"') continue;
        size_t j = s.find('"', i + 1);
        if (j == std::string::npos || j - i > 64) continue;
        if (j + 1 < s.size() && s[j + 1] == ':') keys.insert(s.substr(i, j - i + 2));
        i = j;
      }
    }
    dict.insert(dict.end(), keys.begin(), keys.end());
  }

  size_t below(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  }
  bool coin(int one_in) { return below(one_in) == 0; }

  std::string huge_string() {
    // Mostly moderate sizes: a 3 MiB input costs seconds under ASan.
    static const size_t sizes[] = {300, 1000, 4096, 65536, 1000, 300, 70000, 1 << 20};
    size_t n = sizes[below(8)];
    if (n == (1 << 20) && !coin(4)) n = 100000;
    return std::string(n, "a0\xff-/."[below(6)]);
  }

  std::string nesting(bool yaml_style) {
    static const size_t depths[] = {100, 255, 256, 257, 1000, 1001, 5000, 100000};
    size_t d = depths[below(8)];
    if (d == 100000 && !coin(4)) d = 2000;
    std::string s;
    switch (below(yaml_style ? 5 : 3)) {
      case 0:
        s = std::string(d, '[') + std::string(d, ']');
        break;
      case 1:
        for (size_t i = 0; i < d && s.size() < kMaxInput / 2; ++i) s += "{\"a\":";
        s += "1";
        s += std::string(std::min(d, s.size()), '}');
        break;
      case 2:
        s = std::string(d, '[');  // unterminated
        break;
      case 3:
        for (size_t i = 0; i < d && s.size() < kMaxInput / 2; ++i)
          s += std::string(i % 200, ' ') + "- \n";
        break;
      default:
        for (size_t i = 0; i < std::min<size_t>(d, 2000); ++i) s += std::string(i, ' ') + "a:\n";
        break;
    }
    return s;
  }

  std::string number() {
    // clang-format off
    static const char* nums[] = {"-1", "0", "9223372036854775807", "9223372036854775808",
                                 "-9223372036854775808", "-9223372036854775809",
                                 "18446744073709551615", "18446744073709551616",
                                 "1e309", "-1e309", "1e-400", "2147483647", "2147483648",
                                 "-2147483648", "-2147483649", "4294967295", "4294967296",
                                 "65535", "65536", "-0", "0.5", "1.0", "1e2", "999999999999999999999999999",
                                 "-0.0", "4.9e-324", "1.7976931348623157e308", "0x10", "1_000"};
    // clang-format on
    return nums[below(sizeof nums / sizeof nums[0])];
  }

  // Structure-aware: mutate one node of a parsed JSON document.
  void collect(json::value& v, std::vector<json::value*>& nodes, int depth) {
    if (nodes.size() > 20000 || depth > 64) return;
    nodes.push_back(&v);
    if (v.is_array())
      for (auto& e : v.as_array()) collect(e, nodes, depth + 1);
    else if (v.is_object())
      for (auto& m : v.as_object()) collect(m.val, nodes, depth + 1);
  }

  json::value random_value(const std::vector<json::value*>& nodes) {
    switch (below(16)) {
      case 0:
        return json::value();
      case 1:
        return json::value(coin(2));
      case 2: {
        // clang-format off
        static const int64_t ints[] = {-1, 0, 1, INT64_MAX, INT64_MIN, INT32_MAX, INT32_MIN,
                                       int64_t{INT32_MAX} + 1, int64_t{INT32_MIN} - 1, 65536, -65536,
                                       UINT32_MAX, int64_t{UINT32_MAX} + 1};
        // clang-format on
        return json::value(ints[below(sizeof ints / sizeof ints[0])]);
      }
      case 3: {
        static const double ds[] = {1e308, -1e308, 0.5, -0.0, 1e-320, 9.3e18, -9.3e18, 4.3e9, 1e19};
        return json::value(ds[below(sizeof ds / sizeof ds[0])]);
      }
      case 4:
        return json::value(huge_string());
      case 5:
        return json::value(std::string(""));
      case 6:
        return json::value::make_array();
      case 7:
        return json::value::make_object();
      case 8:
        return *nodes[below(nodes.size())];
      case 9: {
        const std::string& d = dict[below(dict.size())];
        return json::value(d);
      }
      case 10:
        return json::value(number());
      case 11: {
        json::value a = json::value::make_array();
        for (size_t i = 0, n = 1 + below(5); i < n; ++i)
          a.as_array().push_back(*nodes[below(nodes.size())]);
        return a;
      }
      case 12: {
        json::value v = json::value(1);
        size_t d = std::array<size_t, 5>{10, 200, 255, 256, 600}[below(5)];
        for (size_t i = 0; i < d; ++i) {
          json::value o = coin(2) ? json::value::make_object() : json::value::make_array();
          if (o.is_object())
            o.set("spec", std::move(v));
          else
            o.as_array().push_back(std::move(v));
          v = std::move(o);
        }
        return v;
      }
      case 13: {
        // clang-format off
        static const char* s[] = {"\xff\xfe", "a\xc0\x80", "\xed\xa0\x80", "-", "/", "~", "$patch",
                                  "delete", "replace", "None", "::", "a=b", "1/2", "..", "@@",
                                  "0", "-1", "1e400", "100Mi", "25%", "-25%", "2024-13-45T25:61:61Z",
                                  "app", "web", "c", "TCP", "Always", "Exists", "In", "NotIn",
                                  "DoesNotExist", "Gt"};
        // clang-format on
        return json::value(std::string(s[below(sizeof s / sizeof s[0])]));
      }
      case 14: {
        std::string s;
        for (size_t i = 0, n = below(40); i < n; ++i) s += static_cast<char>(below(256));
        return json::value(s);
      }
      default: {
        json::value o = json::value::make_object();
        for (size_t i = 0, n = 1 + below(4); i < n; ++i) {
          const std::string& k = dict[below(dict.size())];
          std::string key =
              k.size() > 3 && k.front() == '"' && k.back() == ':' ? k.substr(1, k.size() - 3) : k;
          o.set(key, *nodes[below(nodes.size())]);
        }
        return o;
      }
    }
  }

  bool structured(std::string& s) {
    json::value doc;
    if (!json::parse(s, doc).ok) {
      if (!json::parse_yaml(s, doc).ok) return false;
    }
    for (size_t round = 0, rounds = 1 + below(4); round < rounds; ++round) {
      std::vector<json::value*> nodes;
      collect(doc, nodes, 0);
      if (nodes.empty()) return false;
      json::value* n = nodes[below(nodes.size())];
      switch (below(6)) {
        case 0:
        case 1:
          *n = random_value(nodes);
          break;
        case 2:  // add a member / element
          if (n->is_object()) {
            const std::string& k = dict[below(dict.size())];
            std::string key =
                k.size() > 3 && k.front() == '"' && k.back() == ':' ? k.substr(1, k.size() - 3) : k;
            n->set(key, random_value(nodes));
          } else if (n->is_array()) {
            n->as_array().insert(n->as_array().begin() + below(n->as_array().size() + 1),
                                 random_value(nodes));
          } else {
            *n = random_value(nodes);
          }
          break;
        case 3:  // remove a member / element
          if (n->is_object() && !n->as_object().empty())
            n->as_object().erase(n->as_object().begin() + below(n->as_object().size()));
          else if (n->is_array() && !n->as_array().empty())
            n->as_array().erase(n->as_array().begin() + below(n->as_array().size()));
          break;
        case 4:  // duplicate a member (same key twice) / element
          if (n->is_object() && !n->as_object().empty()) {
            json::member m = n->as_object()[below(n->as_object().size())];
            if (coin(2)) m.val = random_value(nodes);
            n->as_object().push_back(std::move(m));
          } else if (n->is_array() && !n->as_array().empty()) {
            json::value e = n->as_array()[below(n->as_array().size())];
            n->as_array().push_back(std::move(e));
          }
          break;
        default: {  // graft a subtree of another seed
          json::value other;
          const std::string& o = seeds[below(seeds.size())];
          if (json::parse(o, other).ok || json::parse_yaml(o, other).ok) {
            std::vector<json::value*> on;
            collect(other, on, 0);
            if (!on.empty()) *n = *on[below(on.size())];
          }
          break;
        }
      }
    }
    s = json::dump(doc);
    return true;
  }

  void byte_level(std::string& s) {
    auto pos = [&] { return below(s.size() + 1); };
    switch (below(14)) {
      case 0:  // flip bits
        for (size_t i = 0, n = 1 + below(4); i < n && !s.empty(); ++i)
          s[below(s.size())] ^= char(1 << below(8));
        break;
      case 1:  // random bytes
        for (size_t i = 0, n = 1 + below(4); i < n && !s.empty(); ++i)
          s[below(s.size())] = char(below(256));
        break;
      case 2: {  // insert a dictionary token
        s.insert(pos(), dict[below(dict.size())]);
        break;
      }
      case 3: {  // delete a range
        if (s.empty()) break;
        size_t a = below(s.size()), n = 1 + below(std::min<size_t>(s.size() - a, 64));
        s.erase(a, n);
        break;
      }
      case 4: {  // duplicate a range
        if (s.empty()) break;
        size_t a = below(s.size()), n = 1 + below(std::min<size_t>(s.size() - a, 256));
        std::string r = s.substr(a, n);
        size_t times = coin(8) ? 1 + below(coin(8) ? 1000 : 20) : 1;
        std::string ins;
        for (size_t i = 0; i < times && ins.size() < kMaxInput / 2; ++i) ins += r;
        s.insert(pos(), ins);
        break;
      }
      case 5: {  // splice with another seed
        const std::string& o = seeds[below(seeds.size())];
        size_t a = below(s.size() + 1), b = below(o.size() + 1);
        s = s.substr(0, a) + o.substr(b);
        break;
      }
      case 6:  // truncate
        s.resize(below(s.size() + 1));
        break;
      case 7: {  // replace a number
        std::vector<std::pair<size_t, size_t>> runs;
        for (size_t i = 0; i < s.size() && runs.size() < 4096;) {
          if (isdigit(static_cast<unsigned char>(s[i]))) {
            size_t j = i;
            while (j < s.size() && (isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
            runs.emplace_back(i, j - i);
            i = j;
          } else {
            ++i;
          }
        }
        if (runs.empty()) {
          s.insert(pos(), number());
        } else {
          auto [a, n] = runs[below(runs.size())];
          s.replace(a, n, number());
        }
        break;
      }
      case 8:  // deep nesting
        s.insert(pos(), nesting(true));
        break;
      case 9: {  // invalid UTF-8
        // clang-format off
        static const char* bad[] = {"\xff", "\xc0\x80", "\xed\xa0\x80", "\x80", "\xe2\x82", "\xf4\x90\x80\x80",
                                    "\xfe\xff", "\x00", "\\ud800", "\\udc00x", "\\u00"};
        // clang-format on
        std::string b = bad[below(11)];
        if (b.empty()) b = std::string(1, '\0');
        s.insert(pos(), b);
        break;
      }
      case 10: {  // huge string inside quotes
        size_t q = s.find('"', below(s.size() + 1));
        s.insert(q == std::string::npos ? pos() : q + 1, huge_string());
        break;
      }
      case 11: {  // protobuf-ish: varint bytes
        // clang-format off
        static const char* pb[] = {"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "\x80\x80\x80\x80\x10",
                                   "\xff\xff\xff\xff\x0f", "\x7f", "\x00", "\x0a\xff\xff\xff\xff\x07"};
        // clang-format on
        size_t i = below(6);
        std::string b = i == 4 ? std::string(1, '\0') : pb[i];
        if (coin(2) && !s.empty())
          s.replace(below(s.size()), std::min(b.size(), s.size()),
                    b.substr(0, std::min(b.size(), s.size())));
        else
          s.insert(pos(), b);
        break;
      }
      case 12: {  // copy a range over another
        if (s.size() < 2) break;
        size_t a = below(s.size()), n = 1 + below(std::min<size_t>(s.size() - a, 64));
        std::string r = s.substr(a, n);
        size_t b = below(s.size());
        s.replace(b, std::min(n, s.size() - b), r);
        break;
      }
      default: {  // swap two halves of a line
        size_t a = below(s.size() + 1);
        s = s.substr(a) + s.substr(0, a);
        break;
      }
    }
  }

  std::string next() {
    std::string s = seeds[below(seeds.size())];
    g_current = &s;  // the library parses while mutating: a crash there is a finding too
    g_target = "mutator(json::parse/parse_yaml/dump)";
    const size_t n = 1 + below(coin(4) ? 8 : 3);
    for (size_t i = 0; i < n; ++i) {
      if (coin(3)) {
        if (!structured(s)) byte_level(s);
      } else {
        byte_level(s);
      }
      if (s.size() > kMaxInput) s.resize(kMaxInput);
    }
    g_current = nullptr;
    return s;
  }
};

std::vector<std::string> load_dir(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& p : files) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

std::string read_file(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// <findings>/current holds the input being run, for the supervisor to keep after a crash.
int g_current_fd = -1;

void record_current(const std::string& input) {
  if (g_current_fd < 0) return;
  if (ftruncate(g_current_fd, 0) != 0) return;
  size_t done = 0;
  while (done < input.size()) {
    ssize_t n = pwrite(g_current_fd, input.data() + done, input.size() - done, off_t(done));
    if (n <= 0) return;
    done += size_t(n);
  }
}

int g_stderr_reader = -1;  // stderr opened again for reading (the shell opens it write-only)

off_t stderr_size() {
  struct stat st;
  if (g_stderr_reader < 0 || fstat(g_stderr_reader, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return st.st_size;
}

// Runs all targets on `input`; returns the escapes.
std::vector<escaped> run(const std::string& input, uint64_t iteration) {
  record_current(input);
  std::vector<escaped> esc;
  g_escapes = &esc;
  g_current = &input;
  g_started_ns = now_ns();
  run_targets(input, iteration);
  g_started_ns = 0;
  g_current = nullptr;
  return esc;
}

void watchdog() {
  while (true) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    int64_t s = g_started_ns.load();
    if (s != 0 && now_ns() - s > int64_t{30} * 1000000000) {
      std::fprintf(stderr, "FUZZ: HANG > 30s in target %s\n", g_target.load());
      if (g_current) {
        write_file(g_findings + "/hang-" + std::to_string(now_ns()), *g_current);
      }
      std::_Exit(3);
    }
  }
}

// Delta-debugging minimization of an input that produces escape `key`.
std::string minimize(std::string input, const std::string& key, size_t max_runs) {
  auto reproduces = [&](const std::string& s) {
    for (const auto& e : run(s, 0))
      if (e.key() == key) return true;
    return false;
  };
  size_t runs = 0;
  size_t chunk = std::max<size_t>(input.size() / 2, 1);
  while (chunk >= 1 && runs < max_runs) {
    bool progress = false;
    for (size_t i = 0; i < input.size() && runs < max_runs;) {
      std::string cand = input.substr(0, i) + input.substr(std::min(input.size(), i + chunk));
      ++runs;
      if (reproduces(cand)) {
        input = std::move(cand);
        progress = true;
      } else {
        i += chunk;
      }
    }
    if (!progress) {
      if (chunk == 1) break;
      chunk /= 2;
    }
  }
  return input;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef KACTOR_FUZZ_HAS_SANITIZER
  __sanitizer_set_death_callback(on_death);
#endif
  if (argc < 2) {
    std::fprintf(stderr, "usage: see the file's comment\n");
    return 2;
  }
  const std::string mode = argv[1];
  (void)fix();
  if (mode == "repro") {
    for (int i = 2; i < argc; ++i) {
      std::string input = read_file(argv[i]);
      for (uint64_t it = 0; it < 3; ++it)
        for (const auto& e : run(input, it))
          std::printf("ESCAPE %s (mode %d): %s\n", e.key().c_str(), int(it % 3), e.what.c_str());
    }
    return 0;
  }
  if (mode == "minexc" && argc >= 4) {
    std::string input = read_file(argv[2]);
    std::string m = minimize(input, argv[3], 4000);
    std::fwrite(m.data(), 1, m.size(), stdout);
    return 0;
  }
  const bool smoke = mode == "smoke";
  if ((mode != "fuzz" && !smoke) || argc < 7) return 2;
  std::vector<std::string> seeds = load_dir(argv[2]);
  for (int i = 7; i < argc; ++i) {
    std::vector<std::string> more = load_dir(argv[i]);
    seeds.insert(seeds.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "FUZZ: no seeds\n");
    return 2;
  }
  g_findings = argv[3];
  fs::create_directories(g_findings);
  const uint64_t rng_seed = std::stoull(argv[4]);
  const uint64_t max_iterations = std::stoull(argv[5]);
  const int64_t max_seconds = std::stoll(argv[6]);
  std::thread(watchdog).detach();
  g_current_fd = open((g_findings + "/current").c_str(), O_RDWR | O_CREAT, 0644);
  size_t ubsan_reports = 0;
  // Only a regular file is read back: opening a pipe or a terminal for reading could steal input.
  if (struct stat st; fstat(STDERR_FILENO, &st) == 0 && S_ISREG(st.st_mode))
    g_stderr_reader = open("/proc/self/fd/2", O_RDONLY);

  std::set<std::string> known;
  size_t escapes = 0;
  for (const auto& e : fs::directory_iterator(g_findings)) {
    if (smoke) break;  // every escape counts
    if (e.path().filename().string().rfind("exc-", 0) == 0 && e.path().extension() == ".key")
      known.insert(read_file(e.path().string()));
  }
  mutator m(rng_seed, seeds);
  const int64_t start = now_ns();
  uint64_t it = 0;
  size_t slow = 0;
  // First every seed as it is (resuming after a crash past the seed that crashed), then mutants.
  const std::string seed_pass = g_findings + "/seed-pass";
  size_t next_seed = 0;
  if (!smoke && fs::exists(seed_pass)) next_seed = std::stoull("0" + read_file(seed_pass));
  for (; it < max_iterations; ++it) {
    if ((now_ns() - start) / 1000000000 >= max_seconds) break;
    std::string input;
    if (next_seed < seeds.size()) {
      input = seeds[next_seed++];
      write_file(seed_pass, std::to_string(next_seed));
    } else {
      input = m.next();
    }
    const int64_t t0 = now_ns();
    const off_t err_before = stderr_size();
    auto esc = run(input, it);
    // Recoverable UBSan reports go to stderr (a file): keep the input that printed one.
    if (const off_t err_after = stderr_size(); err_before >= 0 && err_after > err_before) {
      std::string text(size_t(err_after - err_before), '\0');
      if (pread(g_stderr_reader, text.data(), text.size(), err_before) > 0 &&
          text.find("runtime error") != std::string::npos && ubsan_reports < 200) {
        const std::string base = g_findings + "/ubsan-" + std::to_string(++ubsan_reports);
        write_file(base, input);
        write_file(base + ".txt", text);
        std::printf("FUZZ: ubsan report -> %s\n", base.c_str());
        std::fflush(stdout);
      }
    }
    const int64_t dt = now_ns() - t0;
    if (dt > int64_t{3} * 1000000000 && slow < 20) {
      ++slow;
      write_file(g_findings + "/slow-" + std::to_string(dt / 1000000) + "ms-" + std::to_string(it),
                 input);
      std::fprintf(stderr, "FUZZ: slow input %zu bytes: %lld ms\n", input.size(),
                   (long long)(dt / 1000000));
    }
    escapes += esc.size();
    for (const auto& e : esc) {
      if (!known.insert(e.key()).second) continue;
      const std::string base = g_findings + "/exc-" + std::to_string(known.size());
      write_file(base, input);
      write_file(base + ".key", e.key());
      std::fprintf(stderr, "FUZZ: new escape [%s] what=%s (input %zu bytes) -> %s\n",
                   e.key().c_str(), e.what.substr(0, 200).c_str(), input.size(), base.c_str());
    }
    if (it % 500 == 0)
      std::fprintf(stderr, "FUZZ: it=%llu elapsed=%llds\n", (unsigned long long)it,
                   (long long)((now_ns() - start) / 1000000000));
  }
  std::fprintf(stderr, "FUZZ: done it=%llu seeds=%zu elapsed=%llds\n", (unsigned long long)it,
               seeds.size(), (long long)((now_ns() - start) / 1000000000));
  std::printf("%llu\n", (unsigned long long)it);
  if (smoke) {
    const uint64_t seed_inputs = std::min<uint64_t>(it, seeds.size());
    std::printf(
        "FUZZ: smoke ran %llu seeds and %llu mutants: %zu escaped exceptions (%zu distinct)\n",
        (unsigned long long)seed_inputs, (unsigned long long)(it - seed_inputs), escapes,
        known.size());
    if (escapes != 0) return 1;
  }
  return 0;
}
