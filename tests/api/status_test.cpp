#include "api/status.hpp"

#include <gtest/gtest.h>

#include "api/json.hpp"

namespace kactor::api {
namespace {

json::value parsed(const std::string& text) {
  json::value v;
  EXPECT_TRUE(json::parse(text, v).ok) << text;
  return v;
}

TEST(StatusJson, NotFoundCoreGroup) {
  api_error e = not_found("pods", "", "x");
  EXPECT_EQ(e.code, 404);
  EXPECT_EQ(e.reason, "NotFound");
  EXPECT_EQ(status_json(e),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"pods \"x\" not found","reason":"NotFound",)"
            R"("details":{"name":"x","kind":"pods"},"code":404})");
}

TEST(StatusJson, NotFoundNamedGroup) {
  api_error e = not_found("deployments", "apps", "web");
  EXPECT_EQ(e.message, R"(deployments.apps "web" not found)");
  EXPECT_EQ(status_json(e),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"deployments.apps \"web\" not found","reason":"NotFound",)"
            R"("details":{"name":"web","group":"apps","kind":"deployments"},"code":404})");
}

TEST(StatusJson, AlreadyExists) {
  api_error e = already_exists("configmaps", "", "dup");
  EXPECT_EQ(e.code, 409);
  EXPECT_EQ(e.reason, "AlreadyExists");
  EXPECT_EQ(e.message, R"(configmaps "dup" already exists)");
  EXPECT_EQ(e.kind, "configmaps");
  EXPECT_EQ(e.name, "dup");
}

TEST(StatusJson, StaleConflict) {
  api_error e = stale_conflict("deployments", "apps", "web");
  EXPECT_EQ(e.code, 409);
  EXPECT_EQ(e.reason, "Conflict");
  EXPECT_EQ(e.message,
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been "
            "modified; please apply your changes to the latest version and try again");
  EXPECT_EQ(e.group, "apps");
  EXPECT_EQ(e.kind, "deployments");
}

TEST(StatusJson, ConflictWithReason) {
  EXPECT_EQ(conflict("pods", "", "p", "why not").message,
            R"(Operation cannot be fulfilled on pods "p": why not)");
}

TEST(StatusJson, InvalidSingleCause) {
  api_error e = invalid("Pod", "", "x", {required_field("spec.containers")});
  EXPECT_EQ(e.code, 422);
  EXPECT_EQ(e.reason, "Invalid");
  EXPECT_EQ(e.message, R"(Pod "x" is invalid: spec.containers: Required value)");
  EXPECT_EQ(status_json(e),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"Pod \"x\" is invalid: spec.containers: Required value",)"
            R"("reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[)"
            R"({"reason":"FieldValueRequired","message":"Required value",)"
            R"("field":"spec.containers"}]},"code":422})");
}

TEST(StatusJson, InvalidSeveralCausesUsesAggregateFormat) {
  api_error e = invalid("Deployment", "apps", "web",
                        {required_field("spec.selector"),
                         invalid_value("spec.replicas", "-1", "must be greater than or equal to 0"),
                         required_field("spec.selector")});
  EXPECT_EQ(e.message,
            "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.replicas: "
            "Invalid value: -1: must be greater than or equal to 0]");
  EXPECT_EQ(e.kind, "Deployment");
  EXPECT_EQ(e.group, "apps");
  EXPECT_EQ(e.causes.size(), 3u);  // causes keep every entry; only the message deduplicates
}

TEST(StatusJson, EmptyDetailsAreOmitted) {
  const std::string body = status_json(bad_request("bad thing"));
  EXPECT_EQ(body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                  R"("message":"bad thing","reason":"BadRequest","code":400})");
}

TEST(StatusJson, PathNotFound) {
  api_error e = path_not_found();
  EXPECT_EQ(e.code, 404);
  EXPECT_EQ(e.reason, "NotFound");
  EXPECT_EQ(e.message, "the server could not find the requested resource");
  EXPECT_EQ(parsed(status_json(e)).find("details"), nullptr);
}

TEST(StatusJson, RetryAfterAndUid) {
  api_error e = timeout("Too large resource version: 9, current: 3");
  e.retry_after_seconds = 1;
  e.uid = "u-1";
  json::value v = parsed(status_json(e));
  EXPECT_EQ(v.get_string("message"), "Timeout: Too large resource version: 9, current: 3");
  EXPECT_EQ(v.at({"details", "retryAfterSeconds"})->as_int(), 1);
  EXPECT_EQ(v.at({"details", "uid"})->as_string(), "u-1");
  EXPECT_EQ(v.find("code")->as_int(), 504);
}

TEST(StatusJson, QuotesNamesLikeGo) {
  EXPECT_EQ(not_found("pods", "", "a\"b<c").message, R"(pods "a\"b<c" not found)");
}

TEST(StatusJson, SuccessStatus) {
  EXPECT_EQ(success_status_json("web", "apps", "deployments", "123"),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",)"
            R"("details":{"name":"web","group":"apps","kind":"deployments","uid":"123"}})");
  EXPECT_EQ(success_status_json("p", "", "pods", ""),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",)"
            R"("details":{"name":"p","kind":"pods"}})");
}

struct simple_case {
  api_error error;
  int code;
  const char* reason;
  const char* message;
};

TEST(StatusJson, SimpleErrors) {
  const simple_case cases[] = {
      {bad_request("m"), 400, "BadRequest", "m"},
      {forbidden("no"), 403, "Forbidden", "no"},
      {method_not_allowed("nope"), 405, "MethodNotAllowed", "nope"},
      {not_acceptable("only json"), 406, "NotAcceptable", "only json"},
      {request_timeout("slow"), 408, "Timeout", "slow"},
      {gone_expired("too old"), 410, "Expired", "too old"},
      {request_entity_too_large("limit is 3 MiB"), 413, "RequestEntityTooLarge",
       "Request entity too large: limit is 3 MiB"},
      {unsupported_media_type("text/plain"), 415, "UnsupportedMediaType",
       "the body of the request was in an unknown format - accepted media types include: "
       "application/json, application/yaml, application/vnd.kubernetes.protobuf"},
      {internal_error("boom"), 500, "InternalError", "Internal error occurred: boom"},
      {timeout("waited"), 504, "Timeout", "Timeout: waited"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    EXPECT_EQ(c.error.code, c.code);
    EXPECT_EQ(c.error.reason, c.reason);
    EXPECT_EQ(c.error.message, c.message);
    json::value v = parsed(status_json(c.error));
    EXPECT_EQ(v.find("code")->as_int(), c.code);
    EXPECT_EQ(v.get_string("reason"), c.reason);
    EXPECT_EQ(v.get_string("status"), "Failure");
  }
}

TEST(StatusJson, PrefixesAreNotDoubled) {
  EXPECT_EQ(request_entity_too_large("Request entity too large: x").message,
            "Request entity too large: x");
  EXPECT_EQ(internal_error("Internal error occurred: y").message, "Internal error occurred: y");
}

TEST(StatusJson, InternalErrorCarriesCause) {
  json::value v = parsed(status_json(internal_error("disk full")));
  const json::value* causes = v.at({"details", "causes"});
  ASSERT_NE(causes, nullptr);
  ASSERT_EQ(causes->as_array().size(), 1u);
  EXPECT_EQ(causes->as_array()[0].get_string("message"), "disk full");
  EXPECT_EQ(causes->as_array()[0].find("reason"), nullptr);
}

TEST(FieldCauses, Messages) {
  status_cause c = invalid_value("metadata.name", "\"A\"", "a lowercase RFC 1123 subdomain");
  EXPECT_EQ(c.reason, "FieldValueInvalid");
  EXPECT_EQ(c.field, "metadata.name");
  EXPECT_EQ(c.message, R"(Invalid value: "A": a lowercase RFC 1123 subdomain)");
  EXPECT_EQ(invalid_value("x", "1", "").message, "Invalid value: 1");

  c = unsupported_value("spec.restartPolicy", "\"Sometimes\"", {"Always", "OnFailure", "Never"});
  EXPECT_EQ(c.reason, "FieldValueNotSupported");
  EXPECT_EQ(c.message,
            R"(Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never")");
  EXPECT_EQ(unsupported_value("f", "\"v\"", {}).message, R"(Unsupported value: "v")");

  c = duplicate_value("spec.containers[1].name", "\"app\"");
  EXPECT_EQ(c.reason, "FieldValueDuplicate");
  EXPECT_EQ(c.message, R"(Duplicate value: "app")");

  c = forbidden_field("spec", "pod updates may not change fields");
  EXPECT_EQ(c.reason, "FieldValueForbidden");
  EXPECT_EQ(c.message, "Forbidden: pod updates may not change fields");

  c = too_long("metadata.annotations", 262144);
  EXPECT_EQ(c.reason, "FieldValueTooLong");
  EXPECT_EQ(c.message, "Too long: may not be more than 262144 bytes");

  c = required_field("spec.template");
  EXPECT_EQ(c.reason, "FieldValueRequired");
  EXPECT_EQ(c.message, "Required value");
}

}  // namespace
}  // namespace kactor::api
