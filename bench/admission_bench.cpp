// CPU per stage of a pod create before it reaches the store: JSON parse, decode (parse, schema
// check, normalisation), admission (defaults, validation), the encode the store does, and
// prepare_object (the stored bytes around the server-set metadata, and the selector facts), with
// the prepared object's destruction, which the store's writer pays. A stable, single-threaded
// view of the work api_bench's creates pay on the I/O thread. Last, for scale, what a path
// without the generic tree could not go below: simdjson's parse and one walk that writes the
// document out again. And the one-pass admission of api/pod_create.hpp, which the server takes
// for this pod, against the generic stages it replaces (decode, admission and prepare_object).
// Usage: admission_bench [iterations]
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "api/admission.hpp"
#include "api/json.hpp"
#include "api/pod_create.hpp"
#include "api/resources.hpp"
#include "bench/bench_pod.hpp"
#include "store/write.hpp"

namespace {

using namespace kactor;

// Microseconds per call of `step`: the fastest of seven runs of `iterations` calls, the run
// least disturbed by other work on the machine.
double micros_per_op(int iterations, const std::function<void()>& step) {
  std::vector<double> runs;
  for (int run = 0; run < 7; ++run) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) step();
    std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
    runs.push_back(took.count() / iterations);
  }
  return *std::min_element(runs.begin(), runs.end());
}

// Writes `element` out as compact JSON: the least a decoder that checks, defaults and encodes
// in one walk over simdjson's document would do.
void write_out(simdjson::dom::element element, std::string& out) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::OBJECT: {
      char separator = '{';
      for (simdjson::dom::key_value_pair field : simdjson::dom::object(element)) {
        out.push_back(separator);
        separator = ',';
        json::append_quoted(out, field.key);
        out.push_back(':');
        write_out(field.value, out);
      }
      out += separator == '{' ? "{}" : "}";
      return;
    }
    case element_type::ARRAY: {
      char separator = '[';
      for (simdjson::dom::element item : simdjson::dom::array(element)) {
        out.push_back(separator);
        separator = ',';
        write_out(item, out);
      }
      out += separator == '[' ? "[]" : "]";
      return;
    }
    case element_type::STRING:
      return json::append_quoted(out, std::string_view(element));
    case element_type::INT64: {
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, int64_t(element)).ptr;
      out.append(digits, end);
      return;
    }
    case element_type::BOOL:
      out += bool(element) ? "true" : "false";
      return;
    default:
      out += "null";  // no other kind occurs in the pod
  }
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "admission_bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
  const api::resource_info& pods = *api::find_resource("", "v1", "pods");
  const std::string body = bench::pod_json("default", "checkout-1");
  std::vector<std::string> warnings;

  json::value decoded;
  if (auto e = api::decode_object(pods, "application/json", body, api::field_validation::strict,
                                  decoded, warnings))
    fail("decode: " + e->message);
  json::value admitted = decoded;
  if (auto e = api::admit_object(pods, admitted, "default", "", api::write_kind::create))
    fail("admit: " + e->message);

  const double parse = micros_per_op(iterations, [&] {
    json::value v;
    json::parse(body, v);
  });
  const double decode = micros_per_op(iterations, [&] {
    json::value v;
    warnings.clear();
    api::decode_object(pods, "application/json", body, api::field_validation::strict, v, warnings);
  });
  // Admission runs on the decoded value as the server's does, so its cost is the difference.
  const double decode_and_admit = micros_per_op(iterations, [&] {
    json::value v;
    warnings.clear();
    api::decode_object(pods, "application/json", body, api::field_validation::strict, v, warnings);
    api::admit_object(pods, v, "default", "", api::write_kind::create);
  });
  const double copy = micros_per_op(iterations, [&] { json::value v = decoded; });
  const double encode = micros_per_op(iterations, [&] { std::string s = json::dump(admitted); });
  const double prepare = micros_per_op(
      iterations, [&] { store::prepared_object p = store::prepare_object(json::value(admitted)); });

  if (!api::admit_pod_create(body, "default")) fail("the pod does not take the one-pass admission");
  const double one_pass = micros_per_op(iterations, [&] {
    std::optional<api::admitted_pod> pod = api::admit_pod_create(body, "default");
  });

  simdjson::dom::parser dom_parser;
  const simdjson::padded_string padded(body);
  std::string written;
  const double tree_free_floor = micros_per_op(iterations, [&] {
    written.clear();
    write_out(dom_parser.parse(padded).value(), written);
  });
  json::value original, rewritten;
  if (!json::parse(body, original).ok || !json::parse(written, rewritten).ok ||
      !(original == rewritten))
    fail("the tree-free walk did not write the pod out again");

  std::printf("RESULT pod_json_parse_cpu %.2f us/op\n", parse);
  std::printf("RESULT pod_decode_cpu %.2f us/op\n", decode);
  std::printf("RESULT pod_admit_cpu %.2f us/op\n", decode_and_admit - decode);
  std::printf("RESULT pod_encode_cpu %.2f us/op\n", encode);
  std::printf("RESULT pod_prepare_cpu %.2f us/op\n", prepare - copy);
  std::printf("RESULT pod_create_api_cpu %.2f us/op\n", decode_and_admit + encode);
  std::printf("RESULT pod_tree_free_floor_cpu %.2f us/op\n", tree_free_floor);
  std::printf("RESULT pod_generic_admission_cpu %.2f us/op\n", decode_and_admit + prepare - copy);
  std::printf("RESULT pod_one_pass_admission_cpu %.2f us/op\n", one_pass);
  return 0;
}
