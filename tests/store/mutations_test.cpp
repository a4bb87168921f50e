#include "store/mutations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/json.hpp"
#include "tests/store/store_testing.hpp"

namespace kactor::store {
namespace {

using json::value;

using store_testing::temp_dir;

value parse(const std::string& text) {
  value v;
  auto r = json::parse(text, v);
  EXPECT_TRUE(r.ok) << r.error << " in " << text;
  return v;
}

std::string str(const value& obj, std::initializer_list<std::string_view> path) {
  const value* v = obj.at(path);
  return v && v->is_string() ? v->as_string() : "<absent>";
}

bool has(const value& obj, std::initializer_list<std::string_view> path) {
  return obj.at(path) != nullptr;
}

int64_t integer(const value& obj, std::initializer_list<std::string_view> path) {
  const value* v = obj.at(path);
  return v && v->is_int() ? v->as_int() : -1;
}

write_request request(write_verb verb, std::string group, std::string plural, std::string ns,
                      std::string name, std::string body = {}) {
  write_request req;
  req.verb = verb;
  req.group = std::move(group);
  req.plural = std::move(plural);
  req.ns = std::move(ns);
  req.name = std::move(name);
  req.body = std::move(body);
  return req;
}

write_request create_pod(const std::string& ns, const std::string& name,
                         const std::string& extra_metadata = "") {
  std::string meta = R"("name":")" + name + R"(")" + extra_metadata;
  return request(write_verb::create, "", "pods", ns, name,
                 R"({"apiVersion":"v1","kind":"Pod","metadata":{)" + meta +
                     R"(},"spec":{"containers":[{"name":"c","image":"nginx"}]}})");
}

write_request create_deployment(const std::string& ns, const std::string& name, int replicas) {
  return request(write_verb::create, "apps", "deployments", ns, name,
                 R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
                     R"("},"spec":{"replicas":)" + std::to_string(replicas) + "}}");
}

// Runs writes the way the store actor does: one session, apply, commit, next revision.
class Mutations : public ::testing::Test {
 protected:
  Mutations()
      : db(open_lmdb({.path = dir.path() + "/db", .map_size = size_t{64} << 20, .sync = false})) {}

  write_outcome run(const write_request& req) { return run_batch({req}).front(); }

  std::vector<write_outcome> run_batch(const std::vector<write_request>& requests) {
    std::vector<write_outcome> outcomes;
    db->begin_write();
    uint64_t next = revision;
    std::set<std::string, std::less<>> open_namespaces;
    for (const auto& req : requests) {
      write_context ctx{next + 1, now, [this] { return "uid-" + std::to_string(++uids); },
                        &open_namespaces};
      auto outcome = prepare_write(req, *db, ctx);
      for (const auto& m : outcome.mutations) db->apply(m);
      if (!outcome.mutations.empty()) next = ctx.revision;
      outcomes.push_back(std::move(outcome));
    }
    std::string error;
    if (next != revision) {
      EXPECT_TRUE(db->commit(next, error)) << error;
      revision = next;
    } else {
      db->abort_write();
    }
    return outcomes;
  }

  // Runs a write that must succeed and returns its object.
  value ok(const write_request& req) {
    auto outcome = run(req);
    EXPECT_TRUE(outcome.result.ok) << outcome.result.error.message;
    return parse(outcome.result.object);
  }

  std::optional<value> stored(const std::string& key) {
    auto bytes = db->get(key);
    if (!bytes) return std::nullopt;
    return parse(*bytes);
  }

  void make_namespace(const std::string& name, const std::string& extra_metadata = "") {
    ok(request(write_verb::create, "", "namespaces", "", name,
               R"({"metadata":{"name":")" + name + R"(")" + extra_metadata + "}}"));
  }

  temp_dir dir;
  std::unique_ptr<backend> db;
  uint64_t revision = 0;
  int uids = 0;
  std::string now = "2026-11-27T03:45:47Z";
};

TEST(StoreKeys, ObjectKeysAndCollectionPrefixes) {
  EXPECT_EQ(object_key("", "pods", "default", "web"), "core/pods/default/web");
  EXPECT_EQ(object_key("apps", "deployments", "ns", "api"), "apps/deployments/ns/api");
  EXPECT_EQ(object_key("", "namespaces", "", "default"), "core/namespaces/default");
  EXPECT_EQ(collection_prefix("", "pods", "default"), "core/pods/default/");
  EXPECT_EQ(collection_prefix("", "pods", ""), "core/pods/");
  EXPECT_EQ(collection_prefix("apps", "deployments", ""), "apps/deployments/");
  // A namespace's prefix never matches a longer namespace name.
  EXPECT_FALSE(
      object_key("", "pods", "team2", "x").starts_with(collection_prefix("", "pods", "team")));
}

// ---- create

TEST_F(Mutations, CreateSetsServerOwnedMetadata) {
  make_namespace("default");
  auto outcome =
      run(create_pod("default", "web",
                     R"(,"uid":"client-uid","resourceVersion":"77","creationTimestamp":null,)"
                     R"("deletionTimestamp":"2020-01-01T00:00:00Z","deletionGracePeriodSeconds":5,)"
                     R"("selfLink":"/x","labels":{"app":"web"})"));
  ASSERT_TRUE(outcome.result.ok) << outcome.result.error.message;
  EXPECT_EQ(outcome.result.revision, 2u);
  EXPECT_FALSE(outcome.result.removed);

  value pod = parse(outcome.result.object);
  EXPECT_EQ(str(pod, {"kind"}), "Pod");
  EXPECT_EQ(str(pod, {"apiVersion"}), "v1");
  EXPECT_EQ(str(pod, {"metadata", "name"}), "web");
  EXPECT_EQ(str(pod, {"metadata", "namespace"}), "default");
  EXPECT_EQ(str(pod, {"metadata", "uid"}), "uid-2");
  EXPECT_EQ(str(pod, {"metadata", "resourceVersion"}), "2");
  EXPECT_EQ(str(pod, {"metadata", "creationTimestamp"}), now);
  EXPECT_EQ(str(pod, {"metadata", "labels", "app"}), "web");
  EXPECT_FALSE(has(pod, {"metadata", "deletionTimestamp"}));
  EXPECT_FALSE(has(pod, {"metadata", "deletionGracePeriodSeconds"}));
  EXPECT_FALSE(has(pod, {"metadata", "selfLink"}));
  EXPECT_FALSE(has(pod, {"metadata", "generation"}));  // Pods have no generation in 1.32
  EXPECT_TRUE(has(pod, {"spec", "containers"}));

  EXPECT_EQ(db->get("core/pods/default/web"), outcome.result.object);
  ASSERT_EQ(outcome.events.size(), 1u);
  const auto& event = *outcome.events[0];
  EXPECT_EQ(event.kind, watch_event::type::added);
  EXPECT_EQ(event.revision, 2u);
  EXPECT_EQ(event.key, "core/pods/default/web");
  EXPECT_EQ(event.object(), outcome.result.object);
  EXPECT_EQ(*event.line, R"({"type":"ADDED","object":)" + outcome.result.object + "}\n");
  ASSERT_TRUE(event.facts);
  EXPECT_EQ(event.facts->labels.at("app"), "web");
  EXPECT_FALSE(event.prev_facts);
}

TEST_F(Mutations, CreateOrdersTypeThenMetadataLikeKubernetes) {
  make_namespace("default");
  auto pod = run(request(write_verb::create, "", "pods", "default", "p",
                         R"({"spec":{"containers":[]},"metadata":{"labels":{"a":"b"},"name":"p"},)"
                         R"("status":{}})"));
  ASSERT_TRUE(pod.result.ok);
  EXPECT_EQ(pod.result.object,
            R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default",)"
            R"("uid":"uid-2","resourceVersion":"2","creationTimestamp":"2026-11-27T03:45:47Z",)"
            R"("labels":{"a":"b"}},"spec":{"containers":[]},"status":{}})");
}

TEST_F(Mutations, KnownFieldsMoveBeforeOthersWhateverTheirOrder) {
  make_namespace("default");
  auto pod = run(request(write_verb::create, "", "pods", "default", "p",
                         R"({"metadata":{"extra":1,"labels":{"a":"b"},"annotations":{"n":"v"}},)"
                         R"("apiVersion":"v1","kind":"Pod","spec":{}})"));
  ASSERT_TRUE(pod.result.ok);
  EXPECT_EQ(pod.result.object,
            R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default",)"
            R"("uid":"uid-2","resourceVersion":"2","creationTimestamp":"2026-11-27T03:45:47Z",)"
            R"("labels":{"a":"b"},"annotations":{"n":"v"},"extra":1},"spec":{}})");
  ASSERT_EQ(pod.events.size(), 1u);
  EXPECT_EQ(*pod.events[0]->line, R"({"type":"ADDED","object":)" + pod.result.object + "}\n");
}

TEST_F(Mutations, CreateSetsGenerationForKindsWithSpec) {
  make_namespace("default");
  value deploy = ok(create_deployment("default", "web", 2));
  EXPECT_EQ(integer(deploy, {"metadata", "generation"}), 1);
  EXPECT_EQ(str(deploy, {"apiVersion"}), "apps/v1");
  EXPECT_TRUE(stored("apps/deployments/default/web"));
}

TEST_F(Mutations, CreateOfClusterScopedKindNeedsNoNamespace) {
  value ns = ok(request(write_verb::create, "", "namespaces", "ignored", "team",
                        R"({"metadata":{"name":"team","namespace":"x"}})"));
  EXPECT_FALSE(has(ns, {"metadata", "namespace"}));
  EXPECT_EQ(str(ns, {"kind"}), "Namespace");
  EXPECT_TRUE(stored("core/namespaces/team"));
}

TEST_F(Mutations, CreateInMissingNamespaceIsNotFound) {
  auto outcome = run(create_pod("nons", "web"));
  EXPECT_FALSE(outcome.result.ok);
  EXPECT_EQ(outcome.result.error.code, 404);
  EXPECT_EQ(outcome.result.error.reason, "NotFound");
  EXPECT_EQ(outcome.result.error.message, R"(namespaces "nons" not found)");
  EXPECT_EQ(outcome.result.error.name, "nons");
  EXPECT_EQ(outcome.result.error.kind, "namespaces");
  EXPECT_TRUE(outcome.mutations.empty());
  EXPECT_TRUE(outcome.events.empty());
  EXPECT_EQ(outcome.result.revision, 0u);
}

TEST_F(Mutations, CreateInTerminatingNamespaceIsForbidden) {
  make_namespace("old", R"(,"finalizers":["example.com/hold"])");
  auto marked = run(request(write_verb::remove, "", "namespaces", "", "old"));
  ASSERT_TRUE(marked.result.ok);
  EXPECT_FALSE(marked.result.removed);
  EXPECT_EQ(str(parse(marked.result.object), {"status", "phase"}), "Terminating");

  auto outcome = run(create_deployment("old", "web", 1));
  EXPECT_FALSE(outcome.result.ok);
  EXPECT_EQ(outcome.result.error.code, 403);
  EXPECT_EQ(outcome.result.error.reason, "Forbidden");
  EXPECT_EQ(outcome.result.error.message,
            R"(deployments.apps "web" is forbidden: unable to create new content in namespace )"
            R"(old because it is being terminated)");
  EXPECT_EQ(outcome.result.error.name, "web");
  EXPECT_EQ(outcome.result.error.group, "apps");
  EXPECT_EQ(outcome.result.error.kind, "deployments");
  ASSERT_EQ(outcome.result.error.causes.size(), 1u);
  EXPECT_EQ(outcome.result.error.causes[0].reason, "NamespaceTerminating");
  EXPECT_EQ(outcome.result.error.causes[0].field, "metadata.namespace");
}

// A batch reads each namespace once for its creates, until a write to a namespace.
TEST_F(Mutations, NamespaceClosedEarlierInTheBatchStopsLaterCreates) {
  make_namespace("old", R"(,"finalizers":["example.com/hold"])");
  auto outcomes =
      run_batch({create_pod("old", "a"), request(write_verb::remove, "", "namespaces", "", "old"),
                 create_pod("old", "b")});
  EXPECT_TRUE(outcomes[0].result.ok);
  EXPECT_TRUE(outcomes[1].result.ok);
  EXPECT_FALSE(outcomes[2].result.ok);
  EXPECT_EQ(outcomes[2].result.error.code, 403);
  EXPECT_EQ(outcomes[2].result.error.causes.at(0).reason, "NamespaceTerminating");

  outcomes = run_batch(
      {create_pod("new", "a"),
       request(write_verb::create, "", "namespaces", "", "new", R"({"metadata":{"name":"new"}})"),
       create_pod("new", "b"), create_pod("new", "c")});
  EXPECT_EQ(outcomes[0].result.error.code, 404);
  EXPECT_TRUE(outcomes[1].result.ok);
  EXPECT_TRUE(outcomes[2].result.ok);
  EXPECT_TRUE(outcomes[3].result.ok);
}

TEST_F(Mutations, CreateOfATakenNameIsAlreadyExists) {
  make_namespace("default");
  ok(create_pod("default", "web"));
  auto outcome = run(create_pod("default", "web"));
  EXPECT_FALSE(outcome.result.ok);
  EXPECT_EQ(outcome.result.error.code, 409);
  EXPECT_EQ(outcome.result.error.reason, "AlreadyExists");
  EXPECT_EQ(outcome.result.error.message, R"(pods "web" already exists)");
  EXPECT_TRUE(outcome.mutations.empty());
}

TEST_F(Mutations, DryRunCreateChecksEverythingAndWritesNothing) {
  make_namespace("default");
  auto req = create_pod("default", "web");
  req.dry_run = true;
  auto outcome = run(req);
  ASSERT_TRUE(outcome.result.ok);
  EXPECT_EQ(outcome.result.revision, 0u);
  EXPECT_TRUE(outcome.mutations.empty());
  EXPECT_TRUE(outcome.events.empty());
  value pod = parse(outcome.result.object);
  EXPECT_FALSE(has(pod, {"metadata", "resourceVersion"}));
  EXPECT_EQ(str(pod, {"metadata", "creationTimestamp"}), now);
  EXPECT_FALSE(stored("core/pods/default/web"));

  auto missing_ns = create_pod("nons", "web");
  missing_ns.dry_run = true;
  EXPECT_EQ(run(missing_ns).result.error.code, 404);
}

TEST_F(Mutations, UnknownResourceAndEmptyNameAreRejected) {
  auto unknown = run(request(write_verb::create, "", "widgets", "", "w", "{}"));
  EXPECT_FALSE(unknown.result.ok);
  EXPECT_EQ(unknown.result.error.code, 404);
  auto unnamed = run(request(write_verb::create, "", "namespaces", "", "", "{}"));
  EXPECT_FALSE(unnamed.result.ok);
  EXPECT_EQ(unnamed.result.error.code, 400);
}

TEST_F(Mutations, LaterWritesOfABatchSeeEarlierOnes) {
  auto outcomes = run_batch({request(write_verb::create, "", "namespaces", "", "batch",
                                     R"({"metadata":{"name":"batch"}})"),
                             create_pod("batch", "p"), create_pod("batch", "p")});
  EXPECT_TRUE(outcomes[0].result.ok);
  EXPECT_TRUE(outcomes[1].result.ok) << outcomes[1].result.error.message;
  EXPECT_EQ(outcomes[1].result.revision, 2u);
  EXPECT_EQ(outcomes[2].result.error.reason, "AlreadyExists");
  EXPECT_EQ(db->revision(), 2u);
}

// A store of its own for each way a create arrives, so both see the same revisions and uids.
struct fresh_store : Mutations {
  fresh_store() { make_namespace("default"); }
  void TestBody() override {}
  using Mutations::run;
};

// The request with its body handed over as the API layer prepares it.
write_request prepared(write_request req) {
  req.prepared = std::make_shared<prepared_object>(prepare_object(parse(req.body)));
  req.body.clear();
  return req;
}

TEST(PreparedCreates, WriteExactlyWhatTheWholeDocumentWould) {
  const std::vector<write_request> cases = {
      create_pod("default", "admitted", R"(,"namespace":"default","labels":{"app":"web"})"),
      create_pod("default", "web",
                 R"(,"labels":{"app":"web"},"selfLink":"/x","generation":7,"uid":"mine")"),
      request(write_verb::create, "", "pods", "default", "untyped",
              R"({"spec":{"nodeName":"n1"},"metadata":{"name":"untyped"},)"
              R"("status":{"phase":"Pending"}})"),
      request(write_verb::create, "", "configmaps", "default", "no-metadata",
              R"({"data":{"a":"b"},"kind":"ConfigMap"})"),
      request(write_verb::create, "", "namespaces", "", "spaceless",
              R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"spaceless"}})"),
      request(write_verb::create, "", "services", "default", "svc",
              R"({"metadata":{"name":"svc"},"spec":{"clusterIP":"10.0.0.5"}})"),
      create_pod("missing", "p"),
      create_pod("default", "generated",
                 R"(,"generateName":"gen-","finalizers":["f"],"annotations":{"a":"1"},)"
                 R"("labels":{"l":"2"},"creationTimestamp":"2020-01-01T00:00:00Z")"),
      create_pod("default", "every-field",
                 R"(,"managedFields":[],"x-unknown":1,"ownerReferences":[{"name":"o"}],)"
                 R"("namespace":"elsewhere","resourceVersion":"9","deletionTimestamp":"t",)"
                 R"("deletionGracePeriodSeconds":30,"generateName":"e-","y-unknown":{"z":[]})"),
      request(write_verb::create, "", "pods", "default", "meta-not-object",
              R"({"kind":"Pod","metadata":[1],"spec":{}})"),
      request(write_verb::create, "", "configmaps", "default", "cm",
              R"({"kind":"ConfigMap","metadata":{"name":"cm","generation":3},"data":{}})"),
      request(write_verb::create, "", "namespaces", "", "ns-with-ns",
              R"({"kind":"Namespace","metadata":{"name":"ns-with-ns","namespace":"x"}})"),
      request(write_verb::create, "", "services", "default", "svc-meta",
              R"({"metadata":{"generateName":"s-","labels":{"a":"b"},"u":1},)"
              R"("spec":{"clusterIP":"10.0.0.6"}})"),
  };
  for (const auto& whole : cases) {
    for (bool dry_run : {false, true}) {
      SCOPED_TRACE(whole.body + (dry_run ? " (dry run)" : ""));
      write_request req = whole;
      req.dry_run = dry_run;
      fresh_store a, b;
      const write_outcome expected = a.run(req);
      const write_outcome got = b.run(prepared(req));
      EXPECT_EQ(got.result.ok, expected.result.ok);
      EXPECT_EQ(got.result.error.code, expected.result.error.code);
      EXPECT_EQ(got.result.object, expected.result.object);
      EXPECT_EQ(got.result.revision, expected.result.revision);
      ASSERT_EQ(got.mutations.size(), expected.mutations.size());
      for (size_t i = 0; i < got.mutations.size(); ++i) {
        EXPECT_EQ(got.mutations[i].key, expected.mutations[i].key);
        EXPECT_EQ(got.mutations[i].value, expected.mutations[i].value);
      }
      ASSERT_EQ(got.events.size(), expected.events.size());
      for (size_t i = 0; i < got.events.size(); ++i) {
        EXPECT_EQ(*got.events[i]->line, *expected.events[i]->line);
        EXPECT_EQ(got.events[i]->facts->labels, expected.events[i]->facts->labels);
        EXPECT_EQ(got.events[i]->facts->fields, expected.events[i]->facts->fields);
      }
    }
  }
}

TEST(PreparedCreates, KeepTheDocumentApartFromItsMetadata) {
  prepared_object p = prepare_object(
      parse(R"({"spec":{"a":1},"kind":"Pod","metadata":{"name":"x","u":2,"labels":{"k":"v"},)"
            R"("uid":"u1","generateName":"g"},"apiVersion":"v1","z":[]})"));
  EXPECT_EQ(p.kind, "Pod");
  EXPECT_EQ(p.api_version, "v1");
  EXPECT_EQ(p.generate_name, R"("generateName":"g")");
  EXPECT_EQ(p.metadata_tail, R"("labels":{"k":"v"},"u":2)");
  EXPECT_EQ(p.rest, R"("spec":{"a":1},"z":[])");
  EXPECT_EQ(p.facts->fields.at("metadata.name"), "x");
  EXPECT_EQ(joined_object(p),
            parse(R"({"kind":"Pod","apiVersion":"v1","metadata":{"generateName":"g",)"
                  R"("labels":{"k":"v"},"u":2},"spec":{"a":1},"z":[]})"));
}

// ---- update

class Updates : public Mutations {
 protected:
  void SetUp() override {
    make_namespace("default");
    pod = ok(create_pod("default", "web", R"(,"labels":{"app":"web"})"));
    deploy = ok(create_deployment("default", "api", 1));
  }
  write_request update(std::string plural, std::string group, std::string name, const value& body) {
    return request(write_verb::update, std::move(group), std::move(plural), "default",
                   std::move(name), json::dump(body));
  }
  value pod, deploy;
};

TEST_F(Updates, MissingObjectIsNotFound) {
  auto outcome = run(update("pods", "", "nope", pod));
  EXPECT_EQ(outcome.result.error.code, 404);
  EXPECT_EQ(outcome.result.error.message, R"(pods "nope" not found)");
  auto status = request(write_verb::update_status, "", "pods", "default", "nope", "{}");
  EXPECT_EQ(run(status).result.error.code, 404);
}

TEST_F(Updates, StaleResourceVersionIsConflict) {
  value changed = pod;
  changed["metadata"]["labels"].set("app", "v2");
  auto req = update("pods", "", "web", changed);
  req.precondition_rv = 1;  // current is 2
  auto outcome = run(req);
  EXPECT_FALSE(outcome.result.ok);
  EXPECT_EQ(outcome.result.error.code, 409);
  EXPECT_EQ(outcome.result.error.reason, "Conflict");
  EXPECT_NE(outcome.result.error.message.find("the object has been modified"), std::string::npos)
      << outcome.result.error.message;

  req.precondition_rv = 2;
  EXPECT_TRUE(run(req).result.ok);
}

TEST_F(Updates, DifferentUidIsConflict) {
  value changed = pod;
  changed["metadata"].set("uid", "someone-else");
  auto outcome = run(update("pods", "", "web", changed));
  EXPECT_EQ(outcome.result.error.code, 409);
  EXPECT_EQ(outcome.result.error.reason, "Conflict");
  EXPECT_NE(
      outcome.result.error.message.find(
          "Precondition failed: UID in precondition: someone-else, UID in object meta: uid-2"),
      std::string::npos)
      << outcome.result.error.message;
}

TEST_F(Updates, KeepsServerOwnedMetadataAndBumpsResourceVersion) {
  value changed = pod;
  value& meta = changed["metadata"];
  meta.erase("uid");
  meta.set("creationTimestamp", "1999-01-01T00:00:00Z");
  meta.set("name", "other");
  meta.set("generation", 9);
  meta.set("deletionTimestamp", "1999-01-01T00:00:00Z");
  meta["labels"].set("app", "v2");
  auto outcome = run(update("pods", "", "web", changed));
  ASSERT_TRUE(outcome.result.ok) << outcome.result.error.message;
  EXPECT_EQ(outcome.result.revision, 4u);
  value updated = parse(outcome.result.object);
  EXPECT_EQ(str(updated, {"metadata", "uid"}), "uid-2");
  EXPECT_EQ(str(updated, {"metadata", "creationTimestamp"}), now);
  EXPECT_EQ(str(updated, {"metadata", "name"}), "web");
  EXPECT_EQ(str(updated, {"metadata", "namespace"}), "default");
  EXPECT_EQ(str(updated, {"metadata", "resourceVersion"}), "4");
  EXPECT_FALSE(has(updated, {"metadata", "generation"}));
  EXPECT_FALSE(has(updated, {"metadata", "deletionTimestamp"}));
  EXPECT_EQ(str(updated, {"metadata", "labels", "app"}), "v2");
  EXPECT_EQ(db->get("core/pods/default/web"), outcome.result.object);

  ASSERT_EQ(outcome.events.size(), 1u);
  const auto& event = *outcome.events[0];
  EXPECT_EQ(event.kind, watch_event::type::modified);
  EXPECT_EQ(event.revision, 4u);
  EXPECT_EQ(event.facts->labels.at("app"), "v2");
  ASSERT_TRUE(event.prev_facts);
  EXPECT_EQ(event.prev_facts->labels.at("app"), "web");
}

TEST_F(Updates, MainResourceIgnoresStatusWhenStatusIsASubresource) {
  value changed = pod;
  changed["status"].set("phase", "Running");
  changed["metadata"]["labels"].set("tier", "front");
  value updated = ok(update("pods", "", "web", changed));
  EXPECT_FALSE(has(updated, {"status", "phase"}));
  EXPECT_EQ(str(updated, {"metadata", "labels", "tier"}), "front");
}

TEST_F(Updates, KindsWithoutStatusSubresourceStoreTheWholeBody) {
  value cm = ok(request(write_verb::create, "", "configmaps", "default", "cfg",
                        R"({"metadata":{"name":"cfg"},"data":{"a":"1"}})"));
  EXPECT_FALSE(has(cm, {"metadata", "generation"}));
  cm["data"].set("a", "2");
  value updated = ok(update("configmaps", "", "cfg", cm));
  EXPECT_EQ(str(updated, {"data", "a"}), "2");
  EXPECT_FALSE(has(updated, {"metadata", "generation"}));
}

TEST_F(Updates, SpecChangesBumpGenerationOtherChangesDoNot) {
  value labelled = deploy;
  labelled["metadata"]["labels"].set("team", "x");
  value after_labels = ok(update("deployments", "apps", "api", labelled));
  EXPECT_EQ(integer(after_labels, {"metadata", "generation"}), 1);
  EXPECT_EQ(str(after_labels, {"metadata", "resourceVersion"}), "4");

  value scaled = after_labels;
  scaled["spec"].set("replicas", 5);
  value after_scale = ok(update("deployments", "apps", "api", scaled));
  EXPECT_EQ(integer(after_scale, {"metadata", "generation"}), 2);
  EXPECT_EQ(integer(after_scale, {"spec", "replicas"}), 5);

  value status = after_scale;
  status["status"].set("observedGeneration", 2);
  auto req = request(write_verb::update_status, "apps", "deployments", "default", "api",
                     json::dump(status));
  value after_status = ok(req);
  EXPECT_EQ(integer(after_status, {"metadata", "generation"}), 2);
  EXPECT_EQ(integer(after_status, {"status", "observedGeneration"}), 2);
}

TEST_F(Updates, UnchangedObjectIsANoOp) {
  uint64_t before = db->revision();
  value same = pod;
  same["metadata"].set("resourceVersion", "2");
  auto outcome = run(update("pods", "", "web", same));
  ASSERT_TRUE(outcome.result.ok);
  EXPECT_EQ(outcome.result.revision, 0u);
  EXPECT_TRUE(outcome.mutations.empty());
  EXPECT_TRUE(outcome.events.empty());
  EXPECT_EQ(outcome.result.object, *db->get("core/pods/default/web"));
  EXPECT_EQ(db->revision(), before);

  // Only server-owned fields differ: still a no-op.
  value stale = pod;
  stale["metadata"].set("creationTimestamp", "2000-01-01T00:00:00Z");
  stale["status"].set("phase", "Ignored");
  EXPECT_EQ(run(update("pods", "", "web", stale)).result.revision, 0u);
}

TEST_F(Updates, StatusUpdateChangesOnlyStatus) {
  value body = pod;
  body["status"].set("phase", "Running");
  body["metadata"]["labels"].set("app", "ignored");
  body["spec"].set("nodeName", "ignored");
  auto outcome =
      run(request(write_verb::update_status, "", "pods", "default", "web", json::dump(body)));
  ASSERT_TRUE(outcome.result.ok) << outcome.result.error.message;
  value updated = parse(outcome.result.object);
  EXPECT_EQ(str(updated, {"status", "phase"}), "Running");
  EXPECT_EQ(str(updated, {"metadata", "labels", "app"}), "web");
  EXPECT_FALSE(has(updated, {"spec", "nodeName"}));
  EXPECT_EQ(str(updated, {"metadata", "resourceVersion"}), "4");
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_EQ(outcome.events[0]->kind, watch_event::type::modified);

  auto again =
      run(request(write_verb::update_status, "", "pods", "default", "web", json::dump(body)));
  EXPECT_TRUE(again.result.ok);
  EXPECT_EQ(again.result.revision, 0u);

  auto stale = request(write_verb::update_status, "", "pods", "default", "web", json::dump(body));
  stale.precondition_rv = 2;
  EXPECT_EQ(run(stale).result.error.code, 409);
}

TEST_F(Updates, DryRunUpdateShowsTheResultButWritesNothing) {
  value scaled = deploy;
  scaled["spec"].set("replicas", 3);
  auto req = update("deployments", "apps", "api", scaled);
  req.dry_run = true;
  auto outcome = run(req);
  ASSERT_TRUE(outcome.result.ok);
  EXPECT_TRUE(outcome.mutations.empty());
  EXPECT_EQ(outcome.result.revision, 0u);
  value shown = parse(outcome.result.object);
  EXPECT_EQ(integer(shown, {"spec", "replicas"}), 3);
  EXPECT_EQ(integer(shown, {"metadata", "generation"}), 2);
  EXPECT_EQ(str(shown, {"metadata", "resourceVersion"}), "3");
  EXPECT_EQ(integer(*stored("apps/deployments/default/api"), {"spec", "replicas"}), 1);
}

// ---- cluster IPs

write_request create_service(const std::string& ns, const std::string& name, const std::string& ip,
                             bool dry_run = false) {
  auto req = request(write_verb::create, "", "services", ns, name,
                     R"({"metadata":{"name":")" + name + R"("},"spec":{"clusterIP":")" + ip +
                         R"(","clusterIPs":[")" + ip + R"("]}})");
  req.dry_run = dry_run;
  return req;
}

TEST_F(Mutations, AClusterIPBelongsToOneServiceUntilItIsDeleted) {
  make_namespace("default");
  ok(create_service("default", "a", "10.96.0.20"));
  EXPECT_EQ(db->get(cluster_ip_key("10.96.0.20")), "core/services/default/a");

  auto clash = run(create_service("default", "b", "10.96.0.20"));
  ASSERT_FALSE(clash.result.ok);
  EXPECT_EQ(clash.result.error.code, 422);
  EXPECT_EQ(clash.result.error.message,
            R"(Service "b" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.20"]: failed to )"
            R"(allocate IP 10.96.0.20: provided IP is already allocated)");
  EXPECT_FALSE(stored("core/services/default/b"));

  ok(request(write_verb::remove, "", "services", "default", "a"));
  EXPECT_FALSE(db->get(cluster_ip_key("10.96.0.20")));
  ok(create_service("default", "b", "10.96.0.20"));
}

TEST_F(Mutations, TwoCreatesOfOneClusterIPInOneBatchLetOnlyTheFirstIn) {
  make_namespace("default");
  auto outcomes = run_batch(
      {create_service("default", "a", "10.96.0.21"), create_service("default", "b", "10.96.0.21")});
  EXPECT_TRUE(outcomes[0].result.ok);
  EXPECT_FALSE(outcomes[1].result.ok);
  EXPECT_EQ(db->get(cluster_ip_key("10.96.0.21")), "core/services/default/a");
}

TEST_F(Mutations, ChangingAClusterIPMovesTheClaim) {
  make_namespace("default");
  ok(create_service("default", "a", "10.96.0.22"));
  auto update = request(write_verb::update, "", "services", "default", "a",
                        R"({"metadata":{"name":"a"},"spec":{"clusterIP":"10.96.0.23",)"
                        R"("clusterIPs":["10.96.0.23"]}})");
  ok(update);
  EXPECT_FALSE(db->get(cluster_ip_key("10.96.0.22")));
  EXPECT_EQ(db->get(cluster_ip_key("10.96.0.23")), "core/services/default/a");
}

TEST_F(Mutations, DeletingANamespaceFreesTheClusterIPsOfItsServices) {
  make_namespace("team");
  ok(create_service("team", "a", "10.96.0.24"));
  ok(request(write_verb::remove, "", "namespaces", "", "team"));
  EXPECT_FALSE(db->get(cluster_ip_key("10.96.0.24")));
}

TEST_F(Mutations, ADryRunChecksTheClusterIPButClaimsNothing) {
  make_namespace("default");
  ok(create_service("default", "a", "10.96.0.25"));
  EXPECT_FALSE(run(create_service("default", "b", "10.96.0.25", true)).result.ok);
  EXPECT_TRUE(run(create_service("default", "c", "10.96.0.26", true)).result.ok);
  EXPECT_FALSE(db->get(cluster_ip_key("10.96.0.26")));
}

TEST_F(Mutations, HeadlessServicesClaimNoAddress) {
  make_namespace("default");
  ok(create_service("default", "a", "None"));
  ok(create_service("default", "b", "None"));
  EXPECT_FALSE(db->get(cluster_ip_key("None")));
}

// ---- remove

TEST_F(Updates, RemoveErasesAndReportsTheLastState) {
  auto outcome = run(request(write_verb::remove, "", "pods", "default", "web"));
  ASSERT_TRUE(outcome.result.ok) << outcome.result.error.message;
  EXPECT_TRUE(outcome.result.removed);
  EXPECT_EQ(outcome.result.revision, 4u);
  value last = parse(outcome.result.object);
  EXPECT_EQ(str(last, {"metadata", "resourceVersion"}), "4");
  EXPECT_EQ(str(last, {"metadata", "labels", "app"}), "web");
  EXPECT_FALSE(stored("core/pods/default/web"));
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_EQ(outcome.events[0]->kind, watch_event::type::deleted);
  EXPECT_EQ(outcome.events[0]->revision, 4u);
  EXPECT_EQ(outcome.events[0]->object(), outcome.result.object);
  EXPECT_EQ(outcome.events[0]->facts->labels.at("app"), "web");

  auto again = run(request(write_verb::remove, "", "pods", "default", "web"));
  EXPECT_EQ(again.result.error.code, 404);
  EXPECT_EQ(again.result.error.message, R"(pods "web" not found)");
}

TEST_F(Updates, RemovePreconditionsAreConflicts) {
  auto req = request(write_verb::remove, "", "pods", "default", "web");
  req.precondition_uid = "wrong";
  auto uid = run(req);
  EXPECT_EQ(uid.result.error.code, 409);
  EXPECT_NE(uid.result.error.message.find(
                "Precondition failed: UID in precondition: wrong, UID in object meta: uid-2"),
            std::string::npos)
      << uid.result.error.message;

  req.precondition_uid = "uid-2";
  req.precondition_rv = 1;
  auto rv = run(req);
  EXPECT_EQ(rv.result.error.code, 409);
  EXPECT_NE(rv.result.error.message.find("Precondition failed: ResourceVersion in precondition: "
                                         "1, ResourceVersion in object meta: 2"),
            std::string::npos)
      << rv.result.error.message;
  EXPECT_TRUE(stored("core/pods/default/web"));

  req.precondition_rv = 2;
  EXPECT_TRUE(run(req).result.removed);
}

TEST_F(Updates, DryRunRemoveKeepsTheObject) {
  auto req = request(write_verb::remove, "", "pods", "default", "web");
  req.dry_run = true;
  auto outcome = run(req);
  ASSERT_TRUE(outcome.result.ok);
  EXPECT_TRUE(outcome.result.removed);
  EXPECT_TRUE(outcome.mutations.empty());
  EXPECT_TRUE(outcome.events.empty());
  EXPECT_EQ(str(parse(outcome.result.object), {"metadata", "resourceVersion"}), "2");
  EXPECT_TRUE(stored("core/pods/default/web"));
}

TEST_F(Mutations, FinalizersDelayDeletionUntilRemoved) {
  make_namespace("default");
  ok(create_pod("default", "held", R"(,"finalizers":["a.io/x","b.io/y"])"));

  auto marked = run(request(write_verb::remove, "", "pods", "default", "held"));
  ASSERT_TRUE(marked.result.ok);
  EXPECT_FALSE(marked.result.removed);
  EXPECT_EQ(marked.result.revision, 3u);
  value obj = parse(marked.result.object);
  EXPECT_EQ(str(obj, {"metadata", "deletionTimestamp"}), now);
  EXPECT_EQ(integer(obj, {"metadata", "deletionGracePeriodSeconds"}), 0);
  EXPECT_EQ(str(obj, {"metadata", "resourceVersion"}), "3");
  ASSERT_EQ(marked.events.size(), 1u);
  EXPECT_EQ(marked.events[0]->kind, watch_event::type::modified);
  EXPECT_TRUE(marked.events[0]->prev_facts);

  // Deleting again changes nothing.
  auto again = run(request(write_verb::remove, "", "pods", "default", "held"));
  EXPECT_TRUE(again.result.ok);
  EXPECT_FALSE(again.result.removed);
  EXPECT_EQ(again.result.revision, 0u);

  // No new finalizers once deletion started.
  value added = obj;
  added["metadata"]["finalizers"].as_array().push_back("c.io/z");
  auto invalid = run(request(write_verb::update, "", "pods", "default", "held", json::dump(added)));
  EXPECT_EQ(invalid.result.error.code, 422);
  EXPECT_EQ(invalid.result.error.reason, "Invalid");
  ASSERT_EQ(invalid.result.error.causes.size(), 1u);
  EXPECT_EQ(invalid.result.error.causes[0].field, "metadata.finalizers");
  EXPECT_NE(
      invalid.result.error.causes[0].message.find(R"(found new finalizers []string{"c.io/z"})"),
      std::string::npos)
      << invalid.result.error.causes[0].message;

  // Removing one finalizer is an ordinary update.
  value one_left = obj;
  one_left["metadata"].set("finalizers", json::array{value("b.io/y")});
  auto partial =
      run(request(write_verb::update, "", "pods", "default", "held", json::dump(one_left)));
  ASSERT_TRUE(partial.result.ok);
  EXPECT_FALSE(partial.result.removed);
  EXPECT_EQ(partial.events[0]->kind, watch_event::type::modified);

  // Removing the last one deletes the object.
  value none_left = parse(partial.result.object);
  none_left["metadata"].set("finalizers", json::array{});
  auto gone =
      run(request(write_verb::update, "", "pods", "default", "held", json::dump(none_left)));
  ASSERT_TRUE(gone.result.ok) << gone.result.error.message;
  EXPECT_TRUE(gone.result.removed);
  EXPECT_EQ(gone.result.revision, 5u);
  ASSERT_EQ(gone.events.size(), 1u);
  EXPECT_EQ(gone.events[0]->kind, watch_event::type::deleted);
  EXPECT_EQ(str(parse(std::string(gone.events[0]->object())), {"metadata", "resourceVersion"}),
            "5");
  EXPECT_FALSE(stored("core/pods/default/held"));
}

TEST_F(Mutations, DeletingANamespaceDeletesEverythingInIt) {
  make_namespace("team");
  make_namespace("team2");  // shares a prefix with "team"
  ok(create_pod("team", "a"));
  ok(create_pod("team", "b", R"(,"finalizers":["x.io/hold"])"));
  ok(create_deployment("team", "web", 1));
  ok(request(write_verb::create, "", "configmaps", "team", "cfg", R"({"metadata":{}})"));
  ok(create_pod("team2", "other"));

  auto outcome = run(request(write_verb::remove, "", "namespaces", "", "team"));
  ASSERT_TRUE(outcome.result.ok) << outcome.result.error.message;
  EXPECT_TRUE(outcome.result.removed);
  EXPECT_EQ(outcome.result.revision, 8u);

  std::vector<std::string> deleted;
  for (const auto& e : outcome.events) {
    EXPECT_EQ(e->kind, watch_event::type::deleted);
    EXPECT_EQ(e->revision, 8u);
    EXPECT_EQ(str(parse(std::string(e->object())), {"metadata", "resourceVersion"}), "8");
    deleted.push_back(e->key);
  }
  ASSERT_EQ(deleted.size(), 5u);
  EXPECT_EQ(deleted.back(), "core/namespaces/team");
  std::sort(deleted.begin(), deleted.end() - 1);
  EXPECT_EQ(deleted, (std::vector<std::string>{"apps/deployments/team/web",
                                               "core/configmaps/team/cfg", "core/pods/team/a",
                                               "core/pods/team/b", "core/namespaces/team"}));
  EXPECT_TRUE(db->range("core/pods/team/", "", 0).items.empty());
  EXPECT_TRUE(db->range("apps/deployments/team/", "", 0).items.empty());
  EXPECT_FALSE(stored("core/namespaces/team"));
  EXPECT_TRUE(stored("core/pods/team2/other"));
  EXPECT_TRUE(stored("core/namespaces/team2"));
}

}  // namespace
}  // namespace kactor::store
