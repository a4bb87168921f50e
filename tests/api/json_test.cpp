#include "api/json.hpp"

#include <gtest/gtest.h>

#include <pthread.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/json_testing.hpp"

using kactor::json::array;
using kactor::json::dump;
using kactor::json::kind;
using kactor::json::member;
using kactor::json::object;
using kactor::json::parse;
using kactor::json::parse_options;
using kactor::json::parse_result;
using kactor::json::value;

namespace {

value parse_ok(std::string_view text, const parse_options& options = {}) {
  value out;
  parse_result result = parse(text, out, options);
  EXPECT_TRUE(result.ok) << "input: " << text << "\nerror: " << result.error;
  return out;
}

std::string parse_error(std::string_view text, const parse_options& options = {}) {
  value out;
  parse_result result = parse(text, out, options);
  EXPECT_FALSE(result.ok) << "input unexpectedly parsed: " << text;
  EXPECT_FALSE(result.error.empty());
  return result.error;
}

std::vector<std::string> keys_of(const value& v) {
  std::vector<std::string> keys;
  for (const member& m : v.as_object()) keys.push_back(m.key);
  return keys;
}

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

// Encoder written the slow, obvious way, to check the fast one against.
std::string reference_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Parsing values

TEST(JsonParse, Scalars) {
  EXPECT_TRUE(parse_ok("null").is_null());
  EXPECT_EQ(parse_ok("true").as_bool(), true);
  EXPECT_EQ(parse_ok(" false ").as_bool(), false);
  EXPECT_EQ(parse_ok("42").as_int(), 42);
  EXPECT_EQ(parse_ok("-7").as_int(), -7);
  EXPECT_EQ(parse_ok("\"hi\"").as_string(), "hi");
  EXPECT_DOUBLE_EQ(parse_ok("2.5").as_double(), 2.5);
  EXPECT_EQ(parse_ok("\n\t\r 1 \n").as_int(), 1);
}

TEST(JsonParse, KeepsObjectKeyOrder) {
  value v = parse_ok(R"({"zeta":1,"alpha":2,"mid":{"b":1,"a":2}})");
  EXPECT_EQ(keys_of(v), (std::vector<std::string>{"zeta", "alpha", "mid"}));
  EXPECT_EQ(keys_of(*v.find("mid")), (std::vector<std::string>{"b", "a"}));
}

TEST(JsonParse, IntegersStayIntegersWhenTheyFitInt64) {
  value v = parse_ok(
      R"([9223372036854775807,-9223372036854775808,9223372036854775808,1.5,1e2,1.0,-0,0])");
  const array& items = v.as_array();
  EXPECT_EQ(items[0].type(), kind::integer);
  EXPECT_EQ(items[0].as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(items[1].type(), kind::integer);
  EXPECT_EQ(items[1].as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(items[2].type(), kind::number);
  EXPECT_DOUBLE_EQ(items[2].as_double(), 9223372036854775808.0);
  EXPECT_EQ(items[3].type(), kind::number);
  EXPECT_EQ(items[4].type(), kind::number);
  EXPECT_DOUBLE_EQ(items[4].as_double(), 100.0);
  EXPECT_EQ(items[5].type(), kind::number);
  EXPECT_EQ(items[6].type(), kind::integer);
  EXPECT_EQ(items[6].as_int(), 0);
  EXPECT_EQ(items[7].type(), kind::integer);
}

TEST(JsonParse, IntegersBeyond64BitsBecomeDoubles) {
  value v = parse_ok(R"({"big":123456789012345678901234567890,"neg":-9223372036854775809})");
  ASSERT_EQ(v.find("big")->type(), kind::number);
  EXPECT_DOUBLE_EQ(v.find("big")->as_double(), 1.2345678901234568e29);
  ASSERT_EQ(v.find("neg")->type(), kind::number);
  EXPECT_DOUBLE_EQ(v.find("neg")->as_double(), -9223372036854775809.0);
  EXPECT_EQ(dump(v), R"({"big":1.2345678901234568e+29,"neg":-9223372036854776000})");
}

TEST(JsonParse, NumberOutOfDoubleRangeIsAnError) {
  EXPECT_NE(parse_error("[1e400]").find("1e400"), std::string::npos);
  EXPECT_DOUBLE_EQ(parse_ok("1e-400").as_double(), 0.0);
}

TEST(JsonParse, UnicodeEscapes) {
  EXPECT_EQ(parse_ok(R"("caf\u00e9")").as_string(), "caf\xC3\xA9");
  EXPECT_EQ(parse_ok(R"("\u20AC")").as_string(), "\xE2\x82\xAC");
  EXPECT_EQ(parse_ok(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(parse_ok(R"("\"\\\/\b\f\n\r\t")").as_string(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(parse_ok("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").as_string(),
            "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(JsonParse, LoneSurrogatesBecomeReplacementCharacters) {
  EXPECT_EQ(parse_ok(R"("\ud800")").as_string(), "\xEF\xBF\xBD");
  EXPECT_EQ(parse_ok(R"("\udc00x")").as_string(), "\xEF\xBF\xBDx");
  EXPECT_EQ(parse_ok(R"("\ud800\u0041")").as_string(),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_EQ(parse_ok(R"({"\ud800":1})").as_object()[0].key, "\xEF\xBF\xBD");
}

TEST(JsonParse, InvalidUtf8InStringsBecomesReplacementCharacters) {
  EXPECT_EQ(parse_ok("\"a\xFF"
                     "b\"")
                .as_string(),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(parse_ok("\"\xE2\x82\"").as_string(), "\xEF\xBF\xBD\xEF\xBF\xBD");
  value v = parse_ok("{\"k\xC0\":[\"\xED\xA0\x80\"]}");
  EXPECT_EQ(v.as_object()[0].key, "k\xEF\xBF\xBD");
  EXPECT_EQ(v.as_object()[0].val.as_array()[0].as_string(), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonParse, InvalidUtf8OutsideStringsIsAnError) {
  EXPECT_EQ(parse_error("{\"a\":1}\xFF"),
            "invalid character '\xC3\xBF' after top-level value at offset 7");
}

TEST(JsonParse, SlowPathBuildsTheSameValuesAsTheFastPath) {
  // A 2^64 integer sends the document through the Go-compatible parser.
  const std::string body =
      R"({"s":"a\"b\\c\u00e9\ud83d\ude00","n":[1,-2,3.25,1e3,true,false,null],)"
      R"("o":{"z":{},"y":[],"x":[{"k":"v"}]},"dup":1,"dup":2)";
  parse_result fast_result;
  value fast;
  fast_result = parse(body + "}", fast);
  ASSERT_TRUE(fast_result.ok) << fast_result.error;
  value slow;
  parse_result slow_result = parse(body + R"(,"big":18446744073709551616})", slow);
  ASSERT_TRUE(slow_result.ok) << slow_result.error;
  EXPECT_TRUE(slow.erase("big"));
  EXPECT_EQ(dump(slow), dump(fast));
  EXPECT_EQ(slow_result.duplicate_keys, fast_result.duplicate_keys);
  EXPECT_EQ(fast_result.duplicate_keys, std::vector<std::string>{"dup"});
}

// ------------------------------------------------------------------------------------------
// Malformed input

struct malformed_case {
  std::string input;
  std::string error;
};

TEST(JsonParse, MalformedInputGivesGoStyleErrors) {
  const std::vector<malformed_case> cases = {
      {"", "unexpected end of JSON input"},
      {"   \n", "unexpected end of JSON input"},
      {R"({"a":tru})", "invalid character '}' in literal true (expecting 'e') at offset 8"},
      {R"({"a":nul})", "invalid character '}' in literal null (expecting 'l') at offset 8"},
      {R"({"a":fals})", "invalid character '}' in literal false (expecting 'e') at offset 9"},
      {"True", "invalid character 'T' looking for beginning of value at offset 0"},
      {R"({"a":1} {"a":2})", "invalid character '{' after top-level value at offset 8"},
      {R"({"a":1}})", "invalid character '}' after top-level value at offset 7"},
      {R"({"a":1)", "unexpected end of JSON input"},
      {R"({"a":[1,2)", "unexpected end of JSON input"},
      {R"({"a":"x)", "unexpected end of JSON input"},
      {R"({"a)", "unexpected end of JSON input"},
      {R"({"a":)", "unexpected end of JSON input"},
      {"nul", "unexpected end of JSON input"},
      {"-", "unexpected end of JSON input"},
      {"1.", "unexpected end of JSON input"},
      {"1e+", "unexpected end of JSON input"},
      {"[1,]", "invalid character ']' looking for beginning of value at offset 3"},
      {"[1 2]", "invalid character '2' after array element at offset 3"},
      {R"({"a" 1})", "invalid character '1' after object key at offset 5"},
      {R"({"a":1,})",
       "invalid character '}' looking for beginning of object key string at offset 7"},
      {R"({"a":1 "b":2})", "invalid character '\"' after object key:value pair at offset 7"},
      {"{'a':1}", "invalid character '\\'' looking for beginning of object key string at offset 1"},
      {"{1:1}", "invalid character '1' looking for beginning of object key string at offset 1"},
      {"\"a\nb\"", "invalid character '\\n' in string literal at offset 2"},
      {"\"a\x01\"", "invalid character '\\x01' in string literal at offset 2"},
      {R"("\x")", "invalid character 'x' in string escape code at offset 2"},
      {R"("\u12g4")", "invalid character 'g' in \\u hexadecimal character escape at offset 5"},
      {"01", "invalid character '1' after top-level value at offset 1"},
      {"-a", "invalid character 'a' in numeric literal at offset 1"},
      {"1.e5", "invalid character 'e' after decimal point in numeric literal at offset 2"},
      {"1ex", "invalid character 'x' in exponent of numeric literal at offset 2"},
      {"+1", "invalid character '+' looking for beginning of value at offset 0"},
      {".5", "invalid character '.' looking for beginning of value at offset 0"},
      {std::string("[\0]", 3),
       "invalid character '\\x00' looking for beginning of value at offset 1"},
      {"\xEF\xBB\xBF{}", "invalid character '\xC3\xAF' looking for beginning of value at offset 0"},
      {"[NaN]", "invalid character 'N' looking for beginning of value at offset 1"},
  };
  for (const malformed_case& c : cases) {
    EXPECT_EQ(parse_error(c.input), c.error) << "input: " << c.input;
  }
}

TEST(JsonParse, FailureLeavesOutputUntouched) {
  value out = "unchanged";
  parse_result result = parse(R"({"a":tru})", out);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(out, value("unchanged"));
}

TEST(JsonParse, DepthLimit) {
  EXPECT_TRUE(parse_ok(nested_arrays(256)).is_array());
  EXPECT_EQ(parse_error(nested_arrays(257)), "exceeded max depth of 256 at offset 256");

  parse_options shallow;
  shallow.max_depth = 2;
  parse_ok(R"({"a":[1]})", shallow);
  EXPECT_EQ(parse_error(R"({"a":{"b":{}}})", shallow), "exceeded max depth of 2 at offset 10");
  EXPECT_EQ(parse_error(nested_arrays(3), shallow), "exceeded max depth of 2 at offset 2");
  EXPECT_EQ(parse_error("[[[]]]", shallow), "exceeded max depth of 2 at offset 2");
  parse_ok("[[],{}]", shallow);

  parse_options deep;
  deep.max_depth = 1000;
  EXPECT_TRUE(parse_ok(nested_arrays(1000), deep).is_array());
}

TEST(JsonParse, HugeNestingFailsWithoutCrashing) {
  const std::string hostile(1'000'000, '[');
  EXPECT_EQ(parse_error(hostile), "exceeded max depth of 256 at offset 256");
  parse_options unlimited;
  unlimited.max_depth = std::numeric_limits<size_t>::max();
  EXPECT_EQ(parse_error(hostile, unlimited), "exceeded max depth of 1000 at offset 1000");
}

namespace {

// Runs fn on a thread with a 1 MiB stack, smaller than a default thread's (AddressSanitizer's
// frames are several times larger, so it gets more).
void run_on_small_stack(void (*fn)()) {
#if defined(__SANITIZE_ADDRESS__)
  constexpr size_t kStackSize = 16 << 20;
#else
  constexpr size_t kStackSize = 1 << 20;
#endif
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, kStackSize);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    reinterpret_cast<void (*)()>(arg)();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attributes, trampoline, reinterpret_cast<void*>(fn)), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
}

}  // namespace

TEST(JsonParse, DeepestAllowedDocumentFitsASmallStack) {
  static bool parsed = false;
  static std::string dumped;
  run_on_small_stack([] {
    parse_options deepest;
    deepest.max_depth = std::numeric_limits<size_t>::max();
    // The big integer sends it through the recursive slow parser.
    const std::string text =
        std::string(1000, '[') + "18446744073709551616" + std::string(1000, ']');
    value out;
    parsed = parse(text, out, deepest).ok;
    dumped = dump(out);
    value copy = out;
    parsed = parsed && copy == out;
  });
  EXPECT_TRUE(parsed);
  EXPECT_EQ(dumped, std::string(1000, '[') + "18446744073709552000" + std::string(1000, ']'));
}

TEST(JsonParse, LargeDocument) {
  std::string text = "[";
  for (int i = 0; i < 100000; ++i) {
    if (i > 0) text += ',';
    text += R"({"name":"item-)" + std::to_string(i) + R"(","value":)" + std::to_string(i) + "}";
  }
  text += "]";
  value v = parse_ok(text);
  ASSERT_EQ(v.as_array().size(), 100000u);
  EXPECT_EQ(v.as_array()[99999].get_string("name"), "item-99999");
  EXPECT_EQ(dump(v), text);
}

// ------------------------------------------------------------------------------------------
// Duplicate keys

TEST(JsonParse, DuplicateKeysLastWinsInPlace) {
  value out;
  parse_result result = parse(R"({"a":1,"b":2,"a":3})", out);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(dump(out), R"({"a":3,"b":2})");
  EXPECT_EQ(result.duplicate_keys, std::vector<std::string>{"a"});
}

TEST(JsonParse, DuplicateKeysReportDottedPaths) {
  value out;
  parse_result result =
      parse(R"({"metadata":{"name":"x","name":"y"},"spec":{"containers":[{"image":"a"},)"
            R"({"name":"c","name":"d"}]},"metadata":{"name":"z"}})",
            out);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.duplicate_keys,
            (std::vector<std::string>{"metadata.name", "spec.containers[1].name", "metadata"}));
  EXPECT_EQ(out.at({"metadata", "name"})->as_string(), "z");
  EXPECT_EQ(keys_of(out), (std::vector<std::string>{"metadata", "spec"}));
}

TEST(JsonParse, DuplicateKeysAreReportedOnce) {
  value out;
  parse_result result = parse(R"({"a":1,"a":2,"a":3})", out);
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(result.duplicate_keys, std::vector<std::string>{"a"});
  EXPECT_EQ(out.find("a")->as_int(), 3);
}

TEST(JsonParse, DuplicateKeysInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 200; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += R"("k7":"again","k199":"last"})";
  value out;
  parse_result result = parse(text, out);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.duplicate_keys, (std::vector<std::string>{"k7", "k199"}));
  EXPECT_EQ(out.as_object().size(), 200u);
  EXPECT_EQ(out.as_object()[7].val.as_string(), "again");
  EXPECT_EQ(out.as_object()[199].val.as_string(), "last");
}

TEST(JsonParse, KeysAlikeInLengthAndEndsAreNotDuplicates) {
  // Keys that share length and first and last bytes, so that they pass the cheap pre-check.
  std::string text = "{";
  for (char middle = 'a'; middle <= 'z'; ++middle) {
    if (middle != 'a') text += ',';
    text += std::string("\"x") + middle + "y\":1";
  }
  text += "}";
  value out;
  parse_result result = parse(text, out);
  ASSERT_TRUE(result.ok);
  EXPECT_TRUE(result.duplicate_keys.empty());
  EXPECT_EQ(out.as_object().size(), 26u);
}

TEST(JsonParse, DuplicateOfAnyEarlierKeyIsFound) {
  for (size_t count = 1; count <= 30; ++count) {
    for (size_t repeated = 0; repeated < count; ++repeated) {
      std::string text = "{";
      for (size_t i = 0; i < count; ++i)
        text += "\"key" + std::to_string(i) + "\":" + std::to_string(i) + ",";
      text += "\"key" + std::to_string(repeated) + "\":\"again\"}";
      value out;
      parse_result result = parse(text, out);
      ASSERT_TRUE(result.ok);
      ASSERT_EQ(result.duplicate_keys.size(), 1u) << text;
      EXPECT_EQ(result.duplicate_keys[0], "key" + std::to_string(repeated));
      EXPECT_EQ(out.as_object().size(), count);
      EXPECT_EQ(out.get_string("key" + std::to_string(repeated)), "again");
    }
  }
}

TEST(JsonParse, RejectDuplicateKeys) {
  parse_options strict;
  strict.reject_duplicate_keys = true;
  value out = 5;
  parse_result result = parse(R"({"metadata":{"name":"x","name":"y"}})", out, strict);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, R"(json: duplicate field "metadata.name")");
  EXPECT_EQ(result.duplicate_keys, std::vector<std::string>{"metadata.name"});
  EXPECT_EQ(out, value(5));

  result = parse(R"({"a":1,"b":[{"c":1,"c":2}],"a":2})", out, strict);
  EXPECT_EQ(result.error, R"(json: duplicate field "b[0].c", duplicate field "a")");

  EXPECT_TRUE(parse(R"({"a":{"a":{"a":1}}})", out, strict).ok);
}

TEST(JsonParse, SyntaxErrorsWinOverDuplicateKeys) {
  parse_options strict;
  strict.reject_duplicate_keys = true;
  EXPECT_EQ(parse_error(R"({"a":1,"a":2,"b":tru})", strict),
            "invalid character '}' in literal true (expecting 'e') at offset 20");
}

TEST(JsonParse, ConcurrentParsesOnManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 300; ++i) {
        const std::string text = R"({"thread":)" + std::to_string(t) + R"(,"i":)" +
                                 std::to_string(i) + R"(,"pad":")" + std::string(i, 'x') + "\"}";
        value out;
        parse_options options;
        options.max_depth = 8 + static_cast<size_t>(i % 3);  // forces parser reallocation
        if (!parse(text, out, options).ok || dump(out) != text) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// ------------------------------------------------------------------------------------------
// Encoding

TEST(JsonDump, RoundTripsAKubernetesObject) {
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"default",)"
      R"("labels":{"app":"web","tier":"frontend"},"resourceVersion":"12","generation":3},)"
      R"("spec":{"containers":[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,)"
      R"("protocol":"TCP"}],"resources":{"limits":{"cpu":"500m"}}}],"restartPolicy":"Always",)"
      R"("terminationGracePeriodSeconds":30,"priority":0.5,"hostNetwork":false,"nodeName":null}})";
  EXPECT_EQ(dump(parse_ok(pod)), pod);
}

TEST(JsonDump, CompactsWhitespace) {
  EXPECT_EQ(dump(parse_ok(" { \"a\" : [ 1 , 2 ] ,\n \"b\" : { } , \"c\":[ ] } ")),
            R"({"a":[1,2],"b":{},"c":[]})");
}

TEST(JsonDump, EscapesLikeGo) {
  EXPECT_EQ(dump(value("quote\" backslash\\ slash/")), R"("quote\" backslash\\ slash/")");
  EXPECT_EQ(dump(value("\n\r\t\b\f")), R"("\n\r\t\b\f")");
  EXPECT_EQ(dump(value(std::string("\x00\x01\x1f\x7f", 4))), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(dump(value("<script>&amp;</script>")),
            R"("\u003cscript\u003e\u0026amp;\u003c/script\u003e")");
  EXPECT_EQ(dump(value("line\xE2\x80\xA8para\xE2\x80\xA9")), R"("line\u2028para\u2029")");
}

TEST(JsonDump, KeepsValidUtf8) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  EXPECT_EQ(dump(value(text)), "\"" + text + "\"");
}

TEST(JsonDump, ReplacesInvalidUtf8LikeGo) {
  EXPECT_EQ(dump(value("a\xFF"
                       "b")),
            R"("a\ufffdb")");
  EXPECT_EQ(dump(value("\xE2\x82")), R"("\ufffd\ufffd")");                      // truncated
  EXPECT_EQ(dump(value("\xC0\xAF")), R"("\ufffd\ufffd")");                      // overlong
  EXPECT_EQ(dump(value("\xED\xA0\x80")), R"("\ufffd\ufffd\ufffd")");            // surrogate
  EXPECT_EQ(dump(value("\xF4\x90\x80\x80")), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(dump(value("\x80\xC3\xA9")), "\"\\ufffd\xC3\xA9\"");
  EXPECT_EQ(dump(value("ok\xC3")), R"("ok\ufffd")");
}

TEST(JsonDump, MatchesReferenceEncoderAtEveryPosition) {
  // Exercises the 8-byte fast scan: each special byte at each offset of a long string.
  for (char special : {'"', '\\', '<', '>', '&', '\n', '\x01', '\x1f'}) {
    for (size_t position = 0; position < 40; ++position) {
      std::string s(40, 'a');
      s[position] = special;
      EXPECT_EQ(dump(value(s)), reference_quote(s))
          << "byte " << int(special) << " at " << position;
    }
  }
  for (size_t position = 0; position < 40; ++position) {
    std::string s(40, 'b');
    s[position] = '\xFF';
    std::string expected = "\"" + s.substr(0, position) + "\\ufffd" + s.substr(position + 1) + "\"";
    EXPECT_EQ(dump(value(s)), expected);
  }
}

TEST(JsonDump, MatchesReferenceEncoderOnShortStrings) {
  // Strings shorter than a word, and the tails after whole words, are tested as one padded word.
  for (size_t length = 0; length <= 17; ++length) {
    EXPECT_EQ(dump(value(std::string(length, 'x'))), reference_quote(std::string(length, 'x')));
    for (char special : {'"', '\\', '<', '>', '&', '\n', '\x01', '\x1f', ' ', '~', '\x7f'}) {
      for (size_t position = 0; position < length; ++position) {
        std::string s(length, 'x');
        s[position] = special;
        EXPECT_EQ(dump(value(s)), reference_quote(s))
            << "byte " << int(special) << " at " << position << " of " << length;
      }
    }
  }
}

TEST(JsonDump, MultiByteCharactersInShortTails) {
  EXPECT_EQ(dump(value("\xC3\xA9")), "\"\xC3\xA9\"");
  EXPECT_EQ(dump(value("abcdefgh\xE2\x82\xAC")), "\"abcdefgh\xE2\x82\xAC\"");
  EXPECT_EQ(dump(value("ab\xE2\x80\xA8")), R"("ab\u2028")");
  EXPECT_EQ(dump(value("abcdefghi\xE2\x80\xA9")), R"("abcdefghi\u2029")");
  EXPECT_EQ(dump(value("abcdefghij\xE2\x82")), R"("abcdefghij\ufffd\ufffd")");
}

TEST(JsonDump, ManyAppendsToALongString) {
  std::string out(100000, '.');
  std::string expected = out;
  for (int i = 0; i < 2000; ++i) {
    kactor::json::append_quoted(out, "k<" + std::to_string(i));
    expected += "\"k\\u003c" + std::to_string(i) + "\"";
  }
  EXPECT_EQ(out, expected);
}

TEST(JsonDump, AppendQuotedAppends) {
  std::string out = "key=";
  kactor::json::append_quoted(out, "v<1>");
  EXPECT_EQ(out, R"(key="v\u003c1\u003e")");
  kactor::json::append_quoted(out, "");
  EXPECT_EQ(out, R"(key="v\u003c1\u003e""")");
}

TEST(JsonDump, Integers) {
  EXPECT_EQ(dump(value(0)), "0");
  EXPECT_EQ(dump(value(-42)), "-42");
  EXPECT_EQ(dump(value(std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(dump(value(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(dump(value(uint32_t{4294967295u})), "4294967295");
}

TEST(JsonDump, DoublesLikeGo) {
  EXPECT_EQ(dump(value(1.0)), "1");
  EXPECT_EQ(dump(value(-3.0)), "-3");
  EXPECT_EQ(dump(value(0.1)), "0.1");
  EXPECT_EQ(dump(value(2.5)), "2.5");
  EXPECT_EQ(dump(value(-0.0)), "-0");
  EXPECT_EQ(dump(value(0.0)), "0");
  EXPECT_EQ(dump(value(1e20)), "100000000000000000000");
  EXPECT_EQ(dump(value(1e21)), "1e+21");
  EXPECT_EQ(dump(value(1.5e300)), "1.5e+300");
  EXPECT_EQ(dump(value(0.000001)), "0.000001");
  EXPECT_EQ(dump(value(1e-7)), "1e-7");
  EXPECT_EQ(dump(value(1.5e-10)), "1.5e-10");
  EXPECT_EQ(dump(value(1e-100)), "1e-100");
  EXPECT_EQ(dump(value(123456789.125)), "123456789.125");
  EXPECT_EQ(dump(value(0.30000000000000004)), "0.30000000000000004");
  EXPECT_EQ(dump(value(5e-324)), "5e-324");
  EXPECT_EQ(dump(value(std::numeric_limits<double>::max())), "1.7976931348623157e+308");
}

TEST(JsonDump, NonFiniteDoublesBecomeNull) {
  EXPECT_EQ(dump(value(std::numeric_limits<double>::quiet_NaN())), "null");
  EXPECT_EQ(dump(value(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(dump(value(-std::numeric_limits<double>::infinity())), "null");
}

TEST(JsonDump, DoublesRoundTripExactly) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = random();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    const std::string text = dump(value(d));
    value back = parse_ok(text);
    ASSERT_TRUE(back.is_number()) << text;
    EXPECT_EQ(back.as_double(), d) << text;
  }
}

TEST(JsonDump, AppendsToExistingOutput) {
  std::string out = "prefix:";
  kactor::json::dump_to(parse_ok(R"({"a":[true,null]})"), out);
  EXPECT_EQ(out, R"(prefix:{"a":[true,null]})");
}

namespace {

// Random documents with every kind of value, for round-trip tests.
value random_value(std::mt19937& random, int depth) {
  const int choice = static_cast<int>(random() % (depth > 3 ? 6 : 8));
  switch (choice) {
    case 0:
      return value();
    case 1:
      return value(random() % 2 == 0);
    case 2:
      return value(static_cast<int64_t>((uint64_t{random()} << 32) | random()));
    case 3:
      return value(static_cast<double>(random()) / 7.0);
    case 4:
    case 5: {
      static const std::vector<std::string> pieces = {"a",
                                                      "Z",
                                                      " ",
                                                      "\"",
                                                      "\\",
                                                      "/",
                                                      "\n",
                                                      "\t",
                                                      "\x01",
                                                      "<",
                                                      "&",
                                                      "\xC3\xA9",
                                                      "\xE2\x82\xAC",
                                                      "\xF0\x9F\x98\x80",
                                                      "\xE2\x80\xA8",
                                                      "\x7f",
                                                      "0",
                                                      "}"};
      std::string s;
      const size_t length = random() % 12;
      for (size_t i = 0; i < length; ++i) s += pieces[random() % pieces.size()];
      return value(s);
    }
    case 6: {
      array items;
      const size_t length = random() % 5;
      for (size_t i = 0; i < length; ++i) items.push_back(random_value(random, depth + 1));
      return value(std::move(items));
    }
    default: {
      value v = value::make_object();
      const size_t length = random() % 5;
      for (size_t i = 0; i < length; ++i) {
        v.set("k" + std::to_string(random() % 8), random_value(random, depth + 1));
      }
      return v;
    }
  }
}

TEST(JsonValue, GoKindNamesAsEncodingJsonWritesThem) {
  EXPECT_EQ(go_kind_name(value()), "null");
  EXPECT_EQ(go_kind_name(value(true)), "bool");
  EXPECT_EQ(go_kind_name(value(3)), "number");
  EXPECT_EQ(go_kind_name(value(2.5)), "number");
  EXPECT_EQ(go_kind_name(value("s")), "string");
  EXPECT_EQ(go_kind_name(value::make_array()), "array");
  EXPECT_EQ(go_kind_name(value::make_object()), "object");
}

}  // namespace

TEST(JsonDump, RandomDocumentsRoundTrip) {
  std::mt19937 random(7);
  for (int i = 0; i < 500; ++i) {
    const value original = random_value(random, 0);
    const std::string text = dump(original);
    value back = parse_ok(text);
    EXPECT_EQ(back, original) << text;
    EXPECT_EQ(dump(back), text);
  }
}

TEST(JsonParse, MutatedDocumentsParseOrFailCleanly) {
  const std::string seed =
      R"({"apiVersion":"v1","metadata":{"name":"a\u00e9\ud83d\ude00","labels":{"x":"y"}},)"
      R"("spec":{"n":[1,-2.5e3,18446744073709551616,true,false,null,{},[]],"s":"\"\\\n"}})";
  const std::string alphabet = "{}[]\",:\\u0123456789eE-+.tfn \n\xff\xc3";
  std::mt19937 random(3);
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string text = kactor::api::json_testing::mutated(seed, alphabet, random);
    value out;
    parse_result result = parse(text, out);
    if (!result.ok) {
      EXPECT_FALSE(result.error.empty()) << text;
      continue;
    }
    ++parsed;
    value back;
    ASSERT_TRUE(parse(dump(out), back).ok) << text;
    EXPECT_EQ(dump(back), dump(out)) << text;
  }
  EXPECT_GT(parsed, 100);
}

// ------------------------------------------------------------------------------------------
// value

TEST(JsonValue, KindsAndAccessors) {
  EXPECT_EQ(value().type(), kind::null);
  EXPECT_EQ(value(nullptr).type(), kind::null);
  EXPECT_EQ(value(true).type(), kind::boolean);
  EXPECT_EQ(value(3).type(), kind::integer);
  EXPECT_EQ(value(int64_t{3}).type(), kind::integer);
  EXPECT_EQ(value(uint32_t{3}).type(), kind::integer);
  EXPECT_EQ(value(3.5).type(), kind::number);
  EXPECT_EQ(value("s").type(), kind::string);
  EXPECT_EQ(value(std::string_view("s")).type(), kind::string);
  EXPECT_EQ(value(array{1, 2}).type(), kind::array);
  EXPECT_EQ(value(object{{"a", 1}}).type(), kind::object);
  EXPECT_TRUE(value::make_object().is_object());
  EXPECT_TRUE(value::make_object().as_object().empty());
  EXPECT_TRUE(value::make_array().is_array());
  EXPECT_TRUE(value(3).is_number());
  EXPECT_TRUE(value(3.5).is_number());
  EXPECT_FALSE(value("3").is_number());
  EXPECT_DOUBLE_EQ(value(3).as_double(), 3.0);
  EXPECT_DOUBLE_EQ(value(3.5).as_double(), 3.5);
}

TEST(JsonValue, FindAndAt) {
  value v = parse_ok(R"({"metadata":{"name":"web","labels":{"app":"x"}},"n":1})");
  ASSERT_NE(v.find("n"), nullptr);
  EXPECT_EQ(v.find("n")->as_int(), 1);
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(value(1).find("n"), nullptr);
  ASSERT_NE(v.at({"metadata", "labels", "app"}), nullptr);
  EXPECT_EQ(v.at({"metadata", "labels", "app"})->as_string(), "x");
  EXPECT_EQ(v.at({"metadata", "missing", "app"}), nullptr);
  EXPECT_EQ(v.at({"n", "deeper"}), nullptr);
  EXPECT_EQ(v.at({}), &v);
  v.find("n")->as_int();
  *v.find("n") = 2;
  EXPECT_EQ(v.find("n")->as_int(), 2);
}

TEST(JsonValue, IndexOperatorCreatesMembersAndObjects) {
  value v;
  v["metadata"]["name"] = "web";
  v["kind"] = "Pod";
  v["metadata"]["name"] = "web-2";
  EXPECT_EQ(dump(v), R"({"metadata":{"name":"web-2"},"kind":"Pod"})");
  value& fresh = v["fresh"];
  EXPECT_TRUE(fresh.is_null());
  EXPECT_EQ(dump(v), R"({"metadata":{"name":"web-2"},"kind":"Pod","fresh":null})");
}

TEST(JsonValue, SetReplacesInPlaceOrAppends) {
  value v = parse_ok(R"({"a":1,"b":2,"c":3})");
  v.set("b", array{1, "x"});
  v.set("d", 4.5);
  EXPECT_EQ(dump(v), R"({"a":1,"b":[1,"x"],"c":3,"d":4.5})");
  value null_value;
  null_value.set("k", true);
  EXPECT_EQ(dump(null_value), R"({"k":true})");
  v.set("self", v);
  EXPECT_EQ(dump(*v.find("self")), R"({"a":1,"b":[1,"x"],"c":3,"d":4.5})");
}

TEST(JsonValue, Erase) {
  value v = parse_ok(R"({"a":1,"b":2,"c":3})");
  EXPECT_TRUE(v.erase("b"));
  EXPECT_FALSE(v.erase("b"));
  EXPECT_EQ(dump(v), R"({"a":1,"c":3})");
  value not_object = 1;
  EXPECT_FALSE(not_object.erase("a"));
}

TEST(JsonValue, GetString) {
  value v = parse_ok(R"({"name":"web","n":1})");
  EXPECT_EQ(v.get_string("name"), "web");
  EXPECT_EQ(v.get_string("n"), "");
  EXPECT_EQ(v.get_string("n", "fallback"), "fallback");
  EXPECT_EQ(v.get_string("missing", "fallback"), "fallback");
  EXPECT_EQ(value("str").get_string("name", "fb"), "fb");
}

TEST(JsonValue, EqualityIgnoresObjectMemberOrder) {
  EXPECT_EQ(parse_ok(R"({"a":1,"b":{"x":[1,2],"y":null}})"),
            parse_ok(R"({"b":{"y":null,"x":[1,2]},"a":1})"));
  EXPECT_NE(parse_ok(R"({"a":1,"b":2})"), parse_ok(R"({"a":1,"c":2})"));
  EXPECT_NE(parse_ok(R"({"a":1,"b":2})"), parse_ok(R"({"a":1})"));
  EXPECT_NE(parse_ok(R"({"a":1})"), parse_ok(R"({"a":2})"));
}

TEST(JsonValue, EqualityOfLargeObjects) {
  value a = value::make_object();
  value b = value::make_object();
  for (int i = 0; i < 100; ++i) a.set("k" + std::to_string(i), i);
  for (int i = 99; i >= 0; --i) b.set("k" + std::to_string(i), i);
  EXPECT_EQ(a, b);
  b.set("k50", 0);
  EXPECT_NE(a, b);
}

TEST(JsonValue, EqualityOfArraysIsOrdered) {
  EXPECT_EQ(parse_ok("[1,[2,3]]"), parse_ok("[1,[2,3]]"));
  EXPECT_NE(parse_ok("[1,2]"), parse_ok("[2,1]"));
  EXPECT_NE(parse_ok("[1,2]"), parse_ok("[1,2,3]"));
}

TEST(JsonValue, EqualityAcrossKinds) {
  EXPECT_EQ(value(1), value(1.0));
  EXPECT_EQ(value(1.0), value(1));
  EXPECT_NE(value(1), value(1.5));
  EXPECT_NE(value(std::numeric_limits<int64_t>::max()), value(9223372036854775808.0));
  EXPECT_NE(value(1), value(true));
  EXPECT_NE(value("1"), value(1));
  EXPECT_NE(value(), value(false));
  EXPECT_EQ(value(), value(nullptr));
  EXPECT_NE(value::make_array(), value::make_object());
  EXPECT_NE(value(std::numeric_limits<double>::quiet_NaN()),
            value(std::numeric_limits<double>::quiet_NaN()));
}
