#include "api/selectors.hpp"

#include <gtest/gtest.h>

namespace kactor::api {
namespace {

using string_map = fact_map;

label_selector parse_labels_ok(std::string_view text) {
  std::string error;
  auto sel = parse_label_selector(text, error);
  EXPECT_TRUE(sel.has_value()) << text << ": " << error;
  return sel.value_or(label_selector{});
}

std::string label_error(std::string_view text) {
  std::string error;
  auto sel = parse_label_selector(text, error);
  EXPECT_FALSE(sel.has_value()) << text << " parsed as " << (sel ? to_string(*sel) : "");
  return error;
}

field_selector parse_fields_ok(std::string_view text, std::string_view kind) {
  std::string error;
  auto sel = parse_field_selector(text, kind, error);
  EXPECT_TRUE(sel.has_value()) << text << ": " << error;
  return sel.value_or(field_selector{});
}

std::string field_error(std::string_view text, std::string_view kind) {
  std::string error;
  EXPECT_FALSE(parse_field_selector(text, kind, error).has_value()) << text;
  return error;
}

json::value parse_json(std::string_view text) {
  json::value v;
  EXPECT_TRUE(json::parse(text, v).ok) << text;
  return v;
}

// --- label selector syntax --------------------------------------------------------------------

TEST(LabelSelectorParse, EmptyMatchesEverything) {
  EXPECT_TRUE(parse_labels_ok("").empty());
  EXPECT_TRUE(parse_labels_ok("   ").empty());
  EXPECT_TRUE(parse_labels_ok("").matches({{"a", "b"}}));
}

TEST(LabelSelectorParse, OperatorsAndCanonicalForm) {
  struct {
    const char* text;
    const char* canonical;
  } cases[] = {
      {"a=b", "a=b"},
      {"a==b", "a=b"},
      {"a!=b", "a!=b"},
      {"a in (y,x)", "a in (x,y)"},
      {"a notin (x)", "a notin (x)"},
      {"a", "a"},
      {"!a", "!a"},
      {"  tier in ( frontend , backend ) , env  ", "env,tier in (backend,frontend)"},
      {"z=1,a=2,m", "a=2,m,z=1"},
      {"a=", "a="},
      {"a in (x,,y)", "a in (,x,y)"},
      {"a in ()", "a in ()"},
      {"in in (in,notin)", "in in (in,notin)"},
      {"example.com/app=web", "example.com/app=web"},
  };
  for (const auto& c : cases) EXPECT_EQ(to_string(parse_labels_ok(c.text)), c.canonical) << c.text;
}

TEST(LabelSelectorParse, RequirementsAreSortedByKey) {
  label_selector sel = parse_labels_ok("b=1,a in (2)");
  ASSERT_EQ(sel.requirements().size(), 2u);
  EXPECT_EQ(sel.requirements()[0].key, "a");
  EXPECT_EQ(sel.requirements()[0].operation, label_requirement::op::in);
  EXPECT_EQ(sel.requirements()[1].key, "b");
  EXPECT_EQ(sel.requirements()[1].operation, label_requirement::op::equals);
}

TEST(LabelSelectorParse, SyntaxErrors) {
  EXPECT_EQ(label_error("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(label_error("app in (a"),
            "unable to parse requirement: found '', expected: ',' or ')'");
  EXPECT_EQ(label_error("app notin x"), "unable to parse requirement: found 'x' expected: '('");
  EXPECT_EQ(label_error("app=("), "unable to parse requirement: found '(', expected: identifier");
  EXPECT_EQ(label_error("=x"), "found '=', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(label_error("app=bad value!"), "found 'value', expected: ',' or 'end of string'");
  EXPECT_EQ(label_error("a=b,"), "found '', expected: identifier after ','");
  EXPECT_EQ(label_error("!a=b"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(label_error("a in (x y)"),
            "unable to parse requirement: found 'y', expected: ',' or ')'");
}

TEST(LabelSelectorParse, InvalidKey) {
  EXPECT_EQ(label_error("-bad=x"),
            "unable to parse requirement: <nil>: Invalid value: \"-bad\": name part must consist "
            "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
            "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  EXPECT_NE(label_error("Bad_Prefix/app=x").find("prefix part a lowercase RFC 1123 subdomain"),
            std::string::npos);
  EXPECT_NE(label_error(std::string(64, 'k') + "=x").find("name part must be no more than 63"),
            std::string::npos);
  EXPECT_NE(label_error("a/b/c").find("a qualified name must consist of"), std::string::npos);
}

TEST(LabelSelectorParse, InvalidValue) {
  // Values are a sorted set, so indexes follow the sorted order.
  EXPECT_EQ(label_error("app in (z-,b)"),
            "unable to parse requirement: values[1][app]: Invalid value: \"z-\": a valid label "
            "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
            "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
            "or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  EXPECT_NE(label_error("a=" + std::string(64, 'v')).find("must be no more than 63 characters"),
            std::string::npos);
  // Several bad values are reported together in kube's aggregate format.
  std::string several = label_error("a in (-x,-y)");
  EXPECT_EQ(several.rfind("unable to parse requirement: [values[0][a]: ", 0), 0u) << several;
  EXPECT_NE(several.find(", values[1][a]: Invalid value: \"-y\""), std::string::npos);
}

TEST(LabelSelectorParse, GreaterAndLessThanAreRejected) {
  EXPECT_FALSE(label_error("replicas>1").empty());
  EXPECT_FALSE(label_error("replicas<1").empty());
}

// --- label matching ---------------------------------------------------------------------------

TEST(LabelSelectorMatch, Semantics) {
  const string_map web{{"app", "web"}, {"tier", "frontend"}, {"env", "prod"}};
  const string_map db{{"app", "db"}};
  const string_map none;
  struct {
    const char* text;
    bool web, db, none;
  } cases[] = {
      {"app=web", true, false, false},
      {"app!=web", false, true, true},  // != matches when the key is absent
      {"tier in (frontend,backend)", true, false, false},
      {"tier notin (frontend)", false, true, true},  // notin too
      {"env", true, false, false},
      {"!env", false, true, true},
      {"app=web,tier=backend", false, false, false},
      {"app in (web,db),!env", false, true, false},
      {"app=", false, false, false},
      {"", true, true, true},
  };
  for (const auto& c : cases) {
    label_selector sel = parse_labels_ok(c.text);
    EXPECT_EQ(sel.matches(web), c.web) << c.text;
    EXPECT_EQ(sel.matches(db), c.db) << c.text;
    EXPECT_EQ(sel.matches(none), c.none) << c.text;
  }
  EXPECT_TRUE(parse_labels_ok("a=").matches({{"a", ""}}));
  EXPECT_TRUE(parse_labels_ok("a in ()").matches({{"a", ""}}));
}

// --- LabelSelector objects --------------------------------------------------------------------

TEST(LabelSelectorObject, MatchLabelsAndExpressions) {
  std::string error;
  auto sel = from_label_selector_object(
      parse_json(R"({"matchLabels":{"tier":"web","app":"x"},"matchExpressions":[
        {"key":"env","operator":"In","values":["prod","dev"]},
        {"key":"canary","operator":"DoesNotExist"},
        {"key":"zone","operator":"NotIn","values":["a"]},
        {"key":"owner","operator":"Exists"}]})"),
      error);
  ASSERT_TRUE(sel) << error;
  EXPECT_EQ(to_string(*sel), "app=x,!canary,env in (dev,prod),owner,tier=web,zone notin (a)");
  EXPECT_TRUE(sel->matches({{"app", "x"}, {"tier", "web"}, {"env", "dev"}, {"owner", "me"}}));
  EXPECT_FALSE(sel->matches({{"app", "x"}, {"tier", "web"}, {"env", "dev"}}));
}

TEST(LabelSelectorObject, NullAndEmptySelectEverything) {
  std::string error;
  for (const char* text : {"null", "{}", R"({"matchLabels":{},"matchExpressions":[]})"}) {
    auto sel = from_label_selector_object(parse_json(text), error);
    ASSERT_TRUE(sel) << text;
    EXPECT_TRUE(sel->empty()) << text;
  }
}

TEST(LabelSelectorObject, Errors) {
  std::string error;
  EXPECT_FALSE(from_label_selector_object(
      parse_json(R"({"matchExpressions":[{"key":"a","operator":"Equals","values":["x"]}]})"),
      error));
  EXPECT_EQ(error, "\"Equals\" is not a valid label selector operator");

  EXPECT_FALSE(from_label_selector_object(
      parse_json(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})"), error));
  EXPECT_EQ(error,
            "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be "
            "empty");

  EXPECT_FALSE(from_label_selector_object(
      parse_json(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})"),
      error));
  EXPECT_EQ(error,
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does "
            "not exist");

  EXPECT_FALSE(from_label_selector_object(parse_json(R"({"matchLabels":{"a b":"x"}})"), error));
  EXPECT_EQ(error.rfind("key: Invalid value: \"a b\": name part must consist of", 0), 0u) << error;

  EXPECT_FALSE(from_label_selector_object(parse_json(R"({"matchLabels":{"a":"x y"}})"), error));
  EXPECT_EQ(error.rfind("values[0][a]: Invalid value: \"x y\": a valid label", 0), 0u) << error;
}

TEST(LabelSelectorToString, SortsRequirementsAddedOutOfOrder) {
  label_selector sel;
  sel.add({"zeta", label_requirement::op::not_in, {"b", "a"}});
  sel.add({"alpha", label_requirement::op::does_not_exist, {}});
  EXPECT_EQ(to_string(sel), "!alpha,zeta notin (a,b)");
}

// --- field selectors --------------------------------------------------------------------------

TEST(FieldSelectorParse, OperatorsAndSorting) {
  field_selector sel =
      parse_fields_ok("status.phase!=Running,spec.nodeName==n1,metadata.name=", "Pod");
  ASSERT_EQ(sel.requirements().size(), 3u);
  EXPECT_EQ(sel.requirements()[0].field, "metadata.name");
  EXPECT_EQ(sel.requirements()[0].value, "");
  EXPECT_FALSE(sel.requirements()[0].negated);
  EXPECT_EQ(sel.requirements()[1].field, "spec.nodeName");
  EXPECT_EQ(sel.requirements()[1].value, "n1");
  EXPECT_EQ(sel.requirements()[2].field, "status.phase");
  EXPECT_TRUE(sel.requirements()[2].negated);
  EXPECT_TRUE(parse_fields_ok("", "Pod").empty());
  EXPECT_EQ(parse_fields_ok("metadata.name=a,,", "ConfigMap").requirements().size(), 1u);
}

TEST(FieldSelectorParse, Escapes) {
  field_selector sel = parse_fields_ok(R"(metadata.name=a\,b\=c\\d)", "ConfigMap");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0].value, R"(a,b=c\d)");
  EXPECT_EQ(field_error(R"(metadata.name=a\x)", "ConfigMap"),
            R"(invalid field selector: invalid escape sequence: \x)");
  EXPECT_EQ(field_error(R"(metadata.name=a\)", "ConfigMap"),
            R"(invalid field selector: invalid escape sequence: \)");
  EXPECT_EQ(field_error("metadata.name=a=b", "ConfigMap"),
            "invalid field selector: unescaped character in value: =");
}

TEST(FieldSelectorParse, Errors) {
  EXPECT_EQ(field_error("metadata.name", "ConfigMap"),
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  EXPECT_EQ(field_error("a=b,junk", "ConfigMap"),
            "invalid selector: 'a=b,junk'; can't understand 'junk'");
  EXPECT_EQ(field_error("spec.foo=bar", "Pod"), "field label not supported: spec.foo");
  EXPECT_EQ(field_error("data.k=v", "ConfigMap"), "field label not supported: data.k");
  EXPECT_EQ(field_error("spec.nodeName=n", "ConfigMap"),
            "field label not supported: spec.nodeName");
  EXPECT_EQ(field_error("status.phase=Active", "Secret"),
            "field label not supported: status.phase");
}

TEST(FieldSelectorParse, SupportedFieldsPerKind) {
  const std::pair<const char*, const char*> ok[] = {
      {"Pod", "spec.nodeName"},
      {"Pod", "spec.restartPolicy"},
      {"Pod", "spec.schedulerName"},
      {"Pod", "spec.serviceAccountName"},
      {"Pod", "spec.hostNetwork"},
      {"Pod", "status.phase"},
      {"Pod", "status.podIP"},
      {"Pod", "status.podIPs"},
      {"Pod", "status.nominatedNodeName"},
      {"Event", "involvedObject.kind"},
      {"Event", "involvedObject.uid"},
      {"Event", "involvedObject.fieldPath"},
      {"Event", "reason"},
      {"Event", "reportingComponent"},
      {"Event", "source"},
      {"Event", "type"},
      {"Node", "spec.unschedulable"},
      {"Secret", "type"},
      {"Namespace", "status.phase"},
      {"ReplicaSet", "status.replicas"},
      {"ReplicationController", "status.replicas"},
      {"Job", "status.successful"},
      {"Deployment", "metadata.name"},
      {"ConfigMap", "metadata.namespace"},
  };
  for (const auto& [kind, field] : ok) {
    std::string error;
    EXPECT_TRUE(parse_field_selector(std::string(field) + "=x", kind, error))
        << kind << " " << field << ": " << error;
  }
  // Pod's legacy spec.host means spec.nodeName.
  EXPECT_EQ(parse_fields_ok("spec.host=n", "Pod").requirements()[0].field, "spec.nodeName");
}

TEST(FieldSelectorMatch, AbsentFieldsCompareAsEmpty) {
  const string_map fields{{"metadata.name", "a"}, {"status.phase", "Pending"}};
  EXPECT_TRUE(parse_fields_ok("metadata.name=a", "Pod").matches(fields));
  EXPECT_FALSE(parse_fields_ok("metadata.name=b", "Pod").matches(fields));
  EXPECT_TRUE(parse_fields_ok("metadata.name!=b", "Pod").matches(fields));
  EXPECT_TRUE(parse_fields_ok("spec.nodeName=", "Pod").matches(fields));
  EXPECT_TRUE(parse_fields_ok("spec.nodeName!=x", "Pod").matches(fields));
  EXPECT_FALSE(parse_fields_ok("spec.nodeName=x", "Pod").matches(fields));
  EXPECT_FALSE(parse_fields_ok("metadata.name=a,status.phase!=Pending", "Pod").matches(fields));
}

// --- facts ------------------------------------------------------------------------------------

TEST(FactMap, KeepsKeyOrderAndLastWriteWins) {
  fact_map m{{"b", "1"}, {"a", "2"}, {"b", "3"}};
  m.insert_or_assign("c", "4");
  m.insert_or_assign("a", "5");
  m.insert_or_assign("ab", "6");
  std::vector<std::pair<std::string, std::string>> entries(m.begin(), m.end());
  EXPECT_EQ(entries, (std::vector<std::pair<std::string, std::string>>{
                         {"a", "5"}, {"ab", "6"}, {"b", "3"}, {"c", "4"}}));
  EXPECT_EQ(m.size(), 4u);
  EXPECT_EQ(m.find("ab")->second, "6");
  EXPECT_EQ(m.find("aa"), m.end());
  EXPECT_EQ(m.find("d"), m.end());
  EXPECT_FALSE(m.contains(""));
  EXPECT_THROW(m.at("d"), std::out_of_range);
  EXPECT_TRUE(fact_map().empty());
}

TEST(FactMap, JoinedKeysCopiesAndEquality) {
  fact_map m;
  m.insert_or_assign("spec.", "nodeName", "node-a");
  m.insert_or_assign("spec.nodeName", "node-b");  // replaces the joined key's value
  m.insert_or_assign("metadata.", "name", "p");
  EXPECT_EQ(m.at("spec.nodeName"), "node-b");
  EXPECT_EQ(m.size(), 2u);
  // Same entries built in another order (so laid out differently inside) compare equal.
  const fact_map same{{"metadata.name", "p"}, {"spec.nodeName", "node-b"}};
  EXPECT_EQ(m, same);
  EXPECT_NE(m, (fact_map{{"metadata.name", "p"}, {"spec.nodeName", "node-a"}}));
  fact_map copy = m;
  m.insert_or_assign("metadata.name", "q");
  EXPECT_EQ(copy.at("metadata.name"), "p");
  EXPECT_EQ(m.at("metadata.name"), "q");
}

TEST(ExtractFacts, Pod) {
  object_facts f = extract_facts(parse_json(R"({
    "kind":"Pod","apiVersion":"v1",
    "metadata":{"name":"p","namespace":"ns","labels":{"app":"web","n":5}},
    "spec":{"nodeName":"node-a","restartPolicy":"Always","schedulerName":"default-scheduler",
            "serviceAccountName":"default"},
    "status":{"phase":"Running","podIP":"10.0.0.9","podIPs":[{"ip":"10.0.0.1"}]}})"));
  EXPECT_EQ(f.labels, (string_map{{"app", "web"}}));
  EXPECT_EQ(f.fields.at("metadata.name"), "p");
  EXPECT_EQ(f.fields.at("metadata.namespace"), "ns");
  EXPECT_EQ(f.fields.at("spec.nodeName"), "node-a");
  EXPECT_EQ(f.fields.at("spec.restartPolicy"), "Always");
  EXPECT_EQ(f.fields.at("spec.schedulerName"), "default-scheduler");
  EXPECT_EQ(f.fields.at("spec.serviceAccountName"), "default");
  EXPECT_EQ(f.fields.at("spec.hostNetwork"), "false");
  EXPECT_EQ(f.fields.at("status.phase"), "Running");
  EXPECT_EQ(f.fields.at("status.podIP"), "10.0.0.1");
  EXPECT_FALSE(f.fields.contains("status.nominatedNodeName"));
  EXPECT_TRUE(
      parse_fields_ok("spec.nodeName=node-a,status.phase!=Succeeded", "Pod").matches(f.fields));
  EXPECT_TRUE(parse_fields_ok("spec.hostNetwork=false", "Pod").matches(f.fields));
}

TEST(ExtractFacts, PodHostNetworkAndFallbackIp) {
  object_facts f = extract_facts(parse_json(
      R"({"kind":"Pod","metadata":{"name":"p"},"spec":{"hostNetwork":true},
          "status":{"podIP":"10.1.1.1"}})"));
  EXPECT_EQ(f.fields.at("spec.hostNetwork"), "true");
  EXPECT_EQ(f.fields.at("status.podIP"), "10.1.1.1");
}

TEST(ExtractFacts, Event) {
  object_facts f = extract_facts(parse_json(R"({
    "kind":"Event","metadata":{"name":"e","namespace":"ns"},
    "involvedObject":{"kind":"Pod","namespace":"ns","name":"p","uid":"u1","apiVersion":"v1",
                      "resourceVersion":"7","fieldPath":"spec.containers{c}"},
    "reason":"Started","type":"Normal","source":{"component":"kubelet"},
    "reportingComponent":"kubelet-x"})"));
  EXPECT_EQ(f.fields.at("involvedObject.kind"), "Pod");
  EXPECT_EQ(f.fields.at("involvedObject.namespace"), "ns");
  EXPECT_EQ(f.fields.at("involvedObject.name"), "p");
  EXPECT_EQ(f.fields.at("involvedObject.uid"), "u1");
  EXPECT_EQ(f.fields.at("involvedObject.apiVersion"), "v1");
  EXPECT_EQ(f.fields.at("involvedObject.resourceVersion"), "7");
  EXPECT_EQ(f.fields.at("involvedObject.fieldPath"), "spec.containers{c}");
  EXPECT_EQ(f.fields.at("reason"), "Started");
  EXPECT_EQ(f.fields.at("type"), "Normal");
  EXPECT_EQ(f.fields.at("source"), "kubelet");
  EXPECT_EQ(f.fields.at("reportingComponent"), "kubelet-x");
}

TEST(ExtractFacts, OtherKinds) {
  auto facts = [](const char* text) { return extract_facts(parse_json(text)).fields; };
  EXPECT_EQ(facts(R"({"kind":"Node","metadata":{"name":"n"}})").at("spec.unschedulable"), "false");
  EXPECT_EQ(facts(R"({"kind":"Node","spec":{"unschedulable":true}})").at("spec.unschedulable"),
            "true");
  EXPECT_EQ(facts(R"({"kind":"Secret","type":"Opaque"})").at("type"), "Opaque");
  EXPECT_EQ(facts(R"({"kind":"Namespace","status":{"phase":"Active"}})").at("status.phase"),
            "Active");
  EXPECT_EQ(facts(R"({"kind":"ReplicaSet","status":{"replicas":3}})").at("status.replicas"), "3");
  EXPECT_EQ(facts(R"({"kind":"ReplicationController"})").at("status.replicas"), "0");
  EXPECT_EQ(facts(R"({"kind":"Job","status":{"succeeded":2}})").at("status.successful"), "2");
  auto cm = facts(R"({"kind":"ConfigMap","metadata":{"name":"c"},"type":"x"})");
  EXPECT_EQ(cm, (string_map{{"metadata.name", "c"}}));
}

}  // namespace
}  // namespace kactor::api
