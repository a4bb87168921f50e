#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "api/json.hpp"
#include "tests/api/json_testing.hpp"

using kactor::json::dump;
using kactor::json::kind;
using kactor::json::parse_result;
using kactor::json::parse_yaml;
using kactor::json::value;

namespace {

value yaml_ok(std::string_view text) {
  value out;
  parse_result result = parse_yaml(text, out);
  EXPECT_TRUE(result.ok) << "input:\n" << text << "\nerror: " << result.error;
  return out;
}

std::string yaml_error(std::string_view text) {
  value out = "untouched";
  parse_result result = parse_yaml(text, out);
  EXPECT_FALSE(result.ok) << "input unexpectedly parsed:\n" << text;
  EXPECT_EQ(out, value("untouched")) << "output changed on failure";
  return result.error;
}

// The JSON encoding of the value of "v" in a one-key document "v: <scalar>".
std::string scalar_json(const std::string& scalar) {
  value doc = yaml_ok("v: " + scalar + "\n");
  const value* v = doc.find("v");
  return v == nullptr ? "<missing>" : dump(*v);
}

kind scalar_kind(const std::string& scalar) {
  value doc = yaml_ok("v: " + scalar + "\n");
  return doc.find("v")->type();
}

}  // namespace

TEST(Yaml, KubernetesDeployment) {
  const char* manifest = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    tier: "frontend"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.25
          ports:
            - containerPort: 80
              name: http
            - containerPort: 443
          args: ["--port", "80", --verbose]
          env:
          - name: MODE
            value: "80"
          - name: DEBUG
            value: 'false'
          resources: {limits: {cpu: 500m, memory: 128Mi}}
)";
  EXPECT_EQ(dump(yaml_ok(manifest)),
            R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":)"
            R"({"app":"web","tier":"frontend"}},"spec":{"replicas":3,"selector":{"matchLabels":)"
            R"({"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":)"
            R"({"containers":[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,)"
            R"("name":"http"},{"containerPort":443}],"args":["--port","80","--verbose"],"env":)"
            R"([{"name":"MODE","value":"80"},{"name":"DEBUG","value":"false"}],"resources":)"
            R"({"limits":{"cpu":"500m","memory":"128Mi"}}}]}}}})");
}

TEST(Yaml, QuotedScalarsStayStrings) {
  EXPECT_EQ(scalar_json("\"80\""), R"("80")");
  EXPECT_EQ(scalar_json("'80'"), R"("80")");
  EXPECT_EQ(scalar_json("\"true\""), R"("true")");
  EXPECT_EQ(scalar_json("'yes'"), R"("yes")");
  EXPECT_EQ(scalar_json("\"null\""), R"("null")");
  EXPECT_EQ(scalar_json("''"), R"("")");
  EXPECT_EQ(scalar_json("\"caf\\u00e9 \\t\""), "\"caf\xC3\xA9 \\t\"");
}

TEST(Yaml, Integers) {
  EXPECT_EQ(scalar_json("80"), "80");
  EXPECT_EQ(scalar_kind("80"), kind::integer);
  EXPECT_EQ(scalar_json("-12"), "-12");
  EXPECT_EQ(scalar_json("+12"), "12");
  EXPECT_EQ(scalar_json("0"), "0");
  EXPECT_EQ(scalar_json("0x1F"), "31");
  EXPECT_EQ(scalar_json("-0x10"), "-16");
  EXPECT_EQ(scalar_json("0o17"), "15");
  EXPECT_EQ(scalar_json("017"), "15");
  EXPECT_EQ(scalar_json("0b101"), "5");
  EXPECT_EQ(scalar_json("1_000_000"), "1000000");
  EXPECT_EQ(scalar_json("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(scalar_json("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(scalar_kind("-9223372036854775808"), kind::integer);
  EXPECT_EQ(scalar_kind("9223372036854775808"), kind::number);
  EXPECT_EQ(scalar_json("18446744073709551615"), "18446744073709552000");
}

TEST(Yaml, Floats) {
  EXPECT_EQ(scalar_kind("1.5"), kind::number);
  EXPECT_EQ(scalar_json("1.5"), "1.5");
  EXPECT_EQ(scalar_json("-.5"), "-0.5");
  EXPECT_EQ(scalar_json(".5"), "0.5");
  EXPECT_EQ(scalar_json("1e3"), "1000");
  EXPECT_EQ(scalar_kind("1e3"), kind::number);
  EXPECT_EQ(scalar_json("1.10"), "1.1");  // the classic: version numbers need quotes
  EXPECT_EQ(scalar_json("1."), "1");
  EXPECT_EQ(scalar_kind("08"), kind::number);  // not octal, so go-yaml reads a float
  EXPECT_EQ(scalar_json("08"), "8");
  EXPECT_EQ(scalar_json("12e"), R"("12e")");
  EXPECT_EQ(scalar_json("1e400"), R"("1e400")");  // out of range: kept as text
}

TEST(Yaml, SpecialFloats) {
  value doc = yaml_ok("a: .inf\nb: -.Inf\nc: .NaN\nd: +.INF\ne: .nAn\n");
  EXPECT_TRUE(std::isinf(doc.find("a")->as_double()));
  EXPECT_GT(doc.find("a")->as_double(), 0);
  EXPECT_LT(doc.find("b")->as_double(), 0);
  EXPECT_TRUE(std::isnan(doc.find("c")->as_double()));
  EXPECT_GT(doc.find("d")->as_double(), 0);
  EXPECT_EQ(doc.find("e")->as_string(), ".nAn");
  EXPECT_EQ(dump(doc), R"({"a":null,"b":null,"c":null,"d":null,"e":".nAn"})");
}

TEST(Yaml, YamlOneOneBooleans) {
  for (const char* word :
       {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    EXPECT_EQ(scalar_json(word), "true") << word;
  }
  for (const char* word :
       {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    EXPECT_EQ(scalar_json(word), "false") << word;
  }
  for (const char* word : {"tRue", "yES", "oN", "Nope", "t", "enabled"}) {
    EXPECT_EQ(scalar_json(word), "\"" + std::string(word) + "\"") << word;
  }
}

TEST(Yaml, Nulls) {
  EXPECT_EQ(dump(yaml_ok("a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\n")),
            R"({"a":null,"b":null,"c":null,"d":null,"e":null,"f":"nULL"})");
  EXPECT_EQ(dump(yaml_ok("- ~\n-\n- \"\"\n")), R"([null,null,""])");
}

TEST(Yaml, PlainStrings) {
  EXPECT_EQ(scalar_json("hello world"), R"("hello world")");
  EXPECT_EQ(scalar_json("1.2.3"), R"("1.2.3")");
  EXPECT_EQ(scalar_json("0x"), R"("0x")");
  EXPECT_EQ(scalar_json("v1"), R"("v1")");
  EXPECT_EQ(scalar_json("2001-12-14"), R"("2001-12-14")");
  EXPECT_EQ(scalar_json("12:30"), R"("12:30")");
  EXPECT_EQ(scalar_json("<<"), R"("\u003c\u003c")");
  EXPECT_EQ(scalar_json("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(scalar_json("a <b> & c"), R"("a \u003cb\u003e \u0026 c")");
}

TEST(Yaml, BlockScalarsAreStrings) {
  value doc = yaml_ok(
      "literal: |\n"
      "  line one\n"
      "  80\n"
      "folded: >\n"
      "  folded\n"
      "  text\n"
      "number: |-\n"
      "  123\n"
      "keep: |+\n"
      "  x\n"
      "\n"
      "end: true\n");
  EXPECT_EQ(doc.get_string("literal"), "line one\n80\n");
  EXPECT_EQ(doc.get_string("folded"), "folded text\n");
  EXPECT_EQ(doc.find("number")->type(), kind::string);
  EXPECT_EQ(doc.get_string("number"), "123");
  EXPECT_EQ(doc.get_string("keep"), "x\n\n");
  EXPECT_EQ(doc.find("end")->as_bool(), true);
}

TEST(Yaml, ExplicitTags) {
  EXPECT_EQ(scalar_json("!!str 123"), R"("123")");
  EXPECT_EQ(scalar_json("!!str yes"), R"("yes")");
  EXPECT_EQ(scalar_json("!!int \"42\""), "42");
  EXPECT_EQ(scalar_kind("!!float 1"), kind::number);
  EXPECT_EQ(scalar_json("!!float 1"), "1");
  EXPECT_EQ(scalar_json("!!bool yes"), "true");
  EXPECT_EQ(scalar_json("!!null ''"), "null");
  EXPECT_EQ(scalar_json("!!binary aGVsbG8="), R"("hello")");
  EXPECT_EQ(scalar_json("!custom 5"), R"("5")");
  EXPECT_EQ(scalar_json("!!timestamp 2001-12-14"), R"("2001-12-14")");
  EXPECT_EQ(scalar_json("! 12"), R"("12")");
}

TEST(Yaml, ExplicitTagMismatchIsAnError) {
  EXPECT_EQ(yaml_error("a: 1\nb: !!int abc\n"),
            "error converting YAML to JSON: yaml: line 2: cannot decode !!str `abc` as a !!int");
  EXPECT_EQ(yaml_error("a: !!bool 1\n"),
            "error converting YAML to JSON: yaml: line 1: cannot decode !!int `1` as a !!bool");
  EXPECT_EQ(yaml_error("a: !!int 1.5\n"),
            "error converting YAML to JSON: yaml: line 1: cannot decode !!float `1.5` as a !!int");
  EXPECT_EQ(yaml_error("a: !!binary \"\\xff\"\n"),  // U+00FF
            "error converting YAML to JSON: yaml: line 1: !!binary value contains invalid base64 "
            "data");
  EXPECT_EQ(yaml_error(std::string("a: !!binary \"") + "\xff" + "\"\n"),  // a raw 0xFF byte
            "error converting YAML to JSON: yaml: line 1: !!binary value contains invalid base64 "
            "data");
  EXPECT_EQ(yaml_error(std::string("a: !!binary \"") + "\xc3\xbf" + "\"\n"),  // raw UTF-8 ÿ
            "error converting YAML to JSON: yaml: line 1: !!binary value contains invalid base64 "
            "data");
  EXPECT_EQ(yaml_error("a: !!binary '*not base64*'\n"),
            "error converting YAML to JSON: yaml: line 1: !!binary value contains invalid base64 "
            "data");
}

TEST(Yaml, MapKeysBecomeStrings) {
  EXPECT_EQ(dump(yaml_ok("80: http\n\"443\": https\nyes: 1\nno: 0\n1.5: f\n0x10: h\n1e6: big\n")),
            R"({"80":"http","443":"https","true":1,"false":0,"1.5":"f","16":"h","1e+06":"big"})");
  EXPECT_EQ(dump(yaml_ok("0.1: a\n-2: b\n1234567: c\n123456.5: d\n")),
            R"({"0.1":"a","-2":"b","1234567":"c","123456.5":"d"})");
  // go-yaml v2 reads y and n as booleans, in keys too.
  EXPECT_EQ(dump(yaml_ok("y: 1\nn: 2\nx: 3\n")), R"({"true":1,"false":2,"x":3})");
}

TEST(Yaml, UnsupportedMapKeysAreErrors) {
  EXPECT_EQ(yaml_error("? [1, 2]\n: x\n"),
            "error converting YAML to JSON: yaml: line 1: unsupported map key: a sequence or "
            "mapping");
  EXPECT_EQ(yaml_error("a: 1\n~: x\n"),
            "error converting YAML to JSON: yaml: line 2: unsupported map key null");
  EXPECT_EQ(yaml_error("base: &b [1]\n*b : x\n"),
            "error converting YAML to JSON: yaml: line 2: unsupported map key [1]");
}

TEST(Yaml, KeyOrderIsPreserved) {
  EXPECT_EQ(dump(yaml_ok("zeta: 1\nalpha: 2\nmid: 3\n")), R"({"zeta":1,"alpha":2,"mid":3})");
}

TEST(Yaml, AnchorsAndAliases) {
  EXPECT_EQ(dump(yaml_ok("base: &b\n  image: nginx\n  tag: \"1\"\ncopy: *b\nlist: [&x 5, *x]\n")),
            R"({"base":{"image":"nginx","tag":"1"},"copy":{"image":"nginx","tag":"1"},)"
            R"("list":[5,5]})");
}

TEST(Yaml, MergeKeys) {
  const char* doc = R"(defaults: &defaults
  cpu: 100m
  memory: 64Mi
  replicas: 1
small:
  <<: *defaults
  replicas: 2
early:
  replicas: 5
  <<: *defaults
)";
  EXPECT_EQ(dump(yaml_ok(doc)), R"({"defaults":{"cpu":"100m","memory":"64Mi","replicas":1},)"
                                R"("small":{"cpu":"100m","memory":"64Mi","replicas":2},)"
                                R"("early":{"replicas":5,"cpu":"100m","memory":"64Mi"}})");
}

TEST(Yaml, MergeKeySequencesPreferEarlierMaps) {
  const char* doc = R"(a: &a {x: 1, w: 1}
b: &b {w: 2, z: 2}
c:
  <<: [*a, *b]
  z: 3
)";
  value parsed;
  parse_result result = parse_yaml(doc, parsed);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(dump(*parsed.find("c")), R"({"x":1,"w":1,"z":3})");
  EXPECT_TRUE(result.duplicate_keys.empty());
}

TEST(Yaml, ExplicitlyTaggedMergeKey) {
  EXPECT_EQ(dump(yaml_ok("b: &b {x: 1}\nc:\n  !!merge <<: *b\n  z: 2\n")),
            R"({"b":{"x":1},"c":{"x":1,"z":2}})");
}

TEST(Yaml, MergeOfAScalarIsAnError) {
  EXPECT_EQ(yaml_error("a:\n  <<: 5\n"),
            "error converting YAML to JSON: yaml: line 2: map merge requires map or sequence of "
            "maps as the value");
}

TEST(Yaml, QuotedMergeKeyIsAPlainKey) {
  EXPECT_EQ(dump(yaml_ok("\"<<\": {a: 1}\n")), R"({"\u003c\u003c":{"a":1}})");
}

TEST(Yaml, DuplicateKeysLastWinsAndAreReported) {
  value out;
  parse_result result = parse_yaml(
      "metadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: c1\n    name: c2\n", out);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(dump(out), R"({"metadata":{"name":"b"},"spec":{"containers":[{"name":"c2"}]}})");
  EXPECT_EQ(result.duplicate_keys,
            (std::vector<std::string>{"metadata.name", "spec.containers[0].name"}));
}

TEST(Yaml, DuplicateKeysInLargeMappings) {
  std::string doc;
  for (int i = 0; i < 100; ++i) doc += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  doc += "k3: again\n";
  value out;
  parse_result result = parse_yaml(doc, out);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(out.as_object().size(), 100u);
  EXPECT_EQ(out.as_object()[3].val.as_string(), "again");
  EXPECT_EQ(result.duplicate_keys, std::vector<std::string>{"k3"});
}

TEST(Yaml, MultipleDocumentsAreAnError) {
  EXPECT_EQ(yaml_error("a: 1\n---\nb: 2\n"),
            "error converting YAML to JSON: yaml: multiple documents");
  EXPECT_EQ(yaml_error("a: 1\n--- ~\n"), "error converting YAML to JSON: yaml: multiple documents");
}

TEST(Yaml, EmptyDocumentsAroundTheDocumentAreIgnored) {
  EXPECT_EQ(dump(yaml_ok("---\na: 1\n")), R"({"a":1})");
  EXPECT_EQ(dump(yaml_ok("a: 1\n---\n")), R"({"a":1})");
  EXPECT_EQ(dump(yaml_ok("# header\n---\n# nothing\n---\na: 1\n...\n")), R"({"a":1})");
}

TEST(Yaml, EmptyInputIsAnError) {
  EXPECT_EQ(yaml_error(""), "error converting YAML to JSON: yaml: empty document");
  EXPECT_EQ(yaml_error("  \n# only a comment\n"),
            "error converting YAML to JSON: yaml: empty document");
  EXPECT_EQ(yaml_error("---\n"), "error converting YAML to JSON: yaml: empty document");
}

TEST(Yaml, ExplicitNullDocumentIsNull) {
  EXPECT_TRUE(yaml_ok("null\n").is_null());
  EXPECT_TRUE(yaml_ok("--- ~\n").is_null());
  EXPECT_TRUE(yaml_ok("\xEF\xBB\xBFnull").is_null());
}

TEST(Yaml, ScalarAndSequenceDocuments) {
  EXPECT_EQ(yaml_ok("hello\n").as_string(), "hello");
  EXPECT_EQ(yaml_ok("42").as_int(), 42);
  EXPECT_EQ(dump(yaml_ok("- a\n- [1, {b: c}]\n")), R"(["a",[1,{"b":"c"}]])");
}

TEST(Yaml, JsonIsYaml) {
  EXPECT_EQ(dump(yaml_ok(R"({"kind": "Pod", "n": 1, "ok": true, "x": null, "l": [1.5, "s"]})")),
            R"({"kind":"Pod","n":1,"ok":true,"x":null,"l":[1.5,"s"]})");
}

TEST(Yaml, SyntaxErrorsCarryTheLine) {
  EXPECT_EQ(yaml_error("a:\n\tb: 1\n").rfind("error converting YAML to JSON: yaml: line 2: ", 0),
            0u);
  EXPECT_EQ(yaml_error("a: 1\n\tb: 2\n").rfind("error converting YAML to JSON: yaml: line 2: ", 0),
            0u);
  EXPECT_EQ(yaml_error("a: b: c\n"),
            "error converting YAML to JSON: yaml: line 1: illegal map value");
  EXPECT_EQ(yaml_error("key: [a, b]\n  bad\n"),
            "error converting YAML to JSON: yaml: line 2: end of map not found");
  EXPECT_EQ(yaml_error("a: [1, 2\n").rfind("error converting YAML to JSON: yaml: line ", 0), 0u);
}

TEST(Yaml, StrayTokensAreErrorsNotHangs) {
  // yaml-cpp 0.7 alone loops forever on these.
  EXPECT_EQ(yaml_error(",\n"),
            "error converting YAML to JSON: yaml: line 1: did not find expected node content");
  EXPECT_EQ(yaml_error(",a: 1\n"),
            "error converting YAML to JSON: yaml: line 1: did not find expected node content");
  EXPECT_EQ(yaml_error("a: 1\n---\n,\n"),
            "error converting YAML to JSON: yaml: line 3: did not find expected node content");
}

TEST(Yaml, UnknownAliasIsAnError) {
  EXPECT_EQ(yaml_error("a: *nope\n").rfind("error converting YAML to JSON: yaml: line 1: ", 0), 0u);
  EXPECT_EQ(yaml_error("a: &x [1, *x]\n"),
            "error converting YAML to JSON: yaml: line 1: alias refers to an unfinished or unknown "
            "anchor");
}

TEST(Yaml, ExcessiveAliasingIsAnError) {
  const char* laughs = R"(a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
)";
  EXPECT_EQ(yaml_error(laughs),
            "error converting YAML to JSON: yaml: line 6: document contains excessive aliasing");
}

TEST(Yaml, ModerateAliasingIsFine) {
  std::string doc = "base: &b {a: 1, b: [1, 2, 3]}\nitems:\n";
  for (int i = 0; i < 1000; ++i) doc += "- *b\n";
  EXPECT_EQ(yaml_ok(doc).find("items")->as_array().size(), 1000u);
}

TEST(Yaml, DeepNestingIsAnError) {
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  EXPECT_EQ(yaml_error(deep),
            "error converting YAML to JSON: yaml: line 1: exceeded max depth of 256");
  std::string fine(200, '[');
  fine += std::string(200, ']');
  EXPECT_TRUE(yaml_ok(fine).is_array());
  EXPECT_FALSE(yaml_error(std::string(100000, '[')).empty());
}

TEST(Yaml, MutatedDocumentsParseOrFailCleanly) {
  const std::string seed =
      "a: 1\nb: [x, &y {c: d}, *y]\nc: |\n  text\nd:\n  <<: *y\n  e: 0x1F\n  f: \"q\"\n";
  const std::string alphabet = "{}[]\",:'-?|>&*!#%@ \n\t0123456789\xff";
  std::mt19937 random(5);
  int parsed = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = kactor::api::json_testing::mutated(seed, alphabet, random);
    value out;
    parse_result result = parse_yaml(text, out);
    if (result.ok) {
      ++parsed;
    } else {
      EXPECT_EQ(result.error.rfind("error converting YAML to JSON: yaml: ", 0), 0u) << text;
    }
  }
  EXPECT_GT(parsed, 100);
}
