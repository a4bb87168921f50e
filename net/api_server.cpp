#include "net/api_server.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <mutex>
#include <random>

#include "api/admission.hpp"
#include "api/apply.hpp"
#include "api/base64.hpp"
#include "api/patch.hpp"
#include "api/pod_create.hpp"
#include "api/pod_subresources.hpp"
#include "api/scale.hpp"
#include "api/schema.hpp"
#include "api/selectors.hpp"
#include "api/status.hpp"
#include "api/table.hpp"
#include "net/discovery.hpp"
#include "net/query.hpp"
#include "net/route.hpp"
#include "store/write.hpp"

namespace kactor::net {

using api::api_error;

struct api_server::context {
  request req;
  std::shared_ptr<responder> reply;
  route r;
  query_params q;
  std::vector<std::string> warnings;
};
using api_server_context = api_server::context;

namespace {

constexpr size_t kListPageSize = 512;
// A paged list's pages agree with its first page while its snapshot is kept: for this long after
// its last page was read, and while it is among the kContinueSnapshots most recently used. Later
// pages get 410 Expired with a token that goes on over the current state, as kube-apiserver answers
// once etcd has compacted the list's revision.
constexpr auto kContinueSnapshotTtl = std::chrono::seconds(60);
constexpr size_t kContinueSnapshots = 32;
// ... and while the store is at most this many revisions past it: a snapshot pins the pages
// freed after it, so under a write storm (~4-6 KB of new pages per write) it would grow the data
// file by gigabytes within its minute. Checked at least this often:
constexpr uint64_t kContinueMaxLag = 25000;
constexpr auto kContinueLagCheck = std::chrono::seconds(1);
constexpr int kSnapshotAttempts = 3;  // reads of a first page that may meet a growing map
constexpr int kPatchAttempts = 5;

void send(responder& reply, int code, std::string body, const std::vector<std::string>& warnings,
          std::string content_type = "application/json") {
  response resp;
  resp.status = code;
  resp.content_type = std::move(content_type);
  resp.body = std::move(body);
  for (const auto& w : warnings) {
    std::string quoted;
    json::append_quoted(quoted, w);
    resp.headers.emplace_back("Warning", "299 - " + quoted);
  }
  reply.respond(std::move(resp));
}

void send_error(responder& reply, const api_error& e) {
  send(reply, e.code, api::status_json(e), {});
}

api_error method_not_allowed() {
  return api::method_not_allowed("the server does not allow this method on the requested resource");
}

std::optional<uint64_t> parse_uint(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// resourceVersion query parameter: "" and "0" mean "any"; otherwise a revision number.
std::optional<api_error> parse_resource_version(const query_params& q, uint64_t& out) {
  out = 0;
  auto rv = q.get("resourceVersion");
  if (!rv || rv->empty()) return std::nullopt;
  auto v = parse_uint(*rv);
  if (!v) return api::bad_request("invalid resource version: " + *rv);
  out = *v;
  return std::nullopt;
}

std::string url_safe(std::string b64) {
  for (char& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

std::string from_url_safe(std::string_view s) {
  std::string b64(s);
  for (char& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (b64.size() % 4 != 0) b64.push_back('=');
  return b64;
}

// A continue token as kube-apiserver spells it. Revision -1 goes on over the current state
// (the token of a 410 for an expired snapshot).
std::string encode_continue(int64_t revision, const std::string& last_key) {
  json::value token = json::value::make_object();
  token.set("v", "meta.k8s.io/v1");
  token.set("rv", revision);
  token.set("start", last_key);
  return url_safe(api::base64_encode(json::dump(token)));
}

struct continue_token {
  int64_t revision = 0;  // the list's revision; negative: the current one
  std::string start_after;
};

// storage.DecodeContinue; the error says what is wrong with the token.
std::optional<continue_token> decode_continue(std::string_view text, std::string_view prefix,
                                              std::string& error) {
  constexpr std::string_view k_invalid = "continue key is not valid";
  json::value token;
  auto raw = api::base64_decode(from_url_safe(text));
  if (!raw || !json::parse(*raw, token).ok || !token.is_object()) {
    error = k_invalid;
    return std::nullopt;
  }
  const json::value* rv = token.find("rv");
  const json::value* start = token.find("start");
  if (token.get_string("v") != "meta.k8s.io/v1") {
    error = std::string(k_invalid) + ": server does not recognize this encoded version";
  } else if (!rv || !rv->is_int() || rv->as_int() == 0) {
    error = std::string(k_invalid) +
            ": incorrect encoded start resourceVersion (version meta.k8s.io/v1)";
  } else if (!start || !start->is_string() || start->as_string().empty()) {
    error = std::string(k_invalid) + ": encoded start key empty (version meta.k8s.io/v1)";
  } else if (!start->as_string().starts_with(prefix)) {
    error = std::string(k_invalid);  // a token of another collection
  } else {
    return continue_token{rv->as_int(), start->as_string()};
  }
  return std::nullopt;
}

// ValidateListOptions of a list (not a watch): 422 for ListOptions.meta.k8s.io.
std::optional<api_error> check_list_options(const query_params& q) {
  std::vector<api::status_cause> causes;
  const std::string match = q.get("resourceVersionMatch").value_or("");
  const std::string rv = q.get("resourceVersion").value_or("");
  if (!match.empty()) {
    if (rv.empty())
      causes.push_back(api::forbidden_field(
          "resourceVersionMatch",
          "resourceVersionMatch is forbidden unless resourceVersion is provided"));
    if (!q.get("continue").value_or("").empty())
      causes.push_back(api::forbidden_field(
          "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
    if (match != "Exact" && match != "NotOlderThan")
      causes.push_back(api::unsupported_value("resourceVersionMatch", api::go_quote(match),
                                              {"Exact", "NotOlderThan", ""}));
    if (match == "Exact" && rv == "0")
      causes.push_back(api::forbidden_field(
          "resourceVersionMatch",
          R"(resourceVersionMatch "exact" is forbidden for resourceVersion "0")"));
  }
  if (q.get("sendInitialEvents"))
    causes.push_back(
        api::forbidden_field("sendInitialEvents", "sendInitialEvents is forbidden for list"));
  if (causes.empty()) return std::nullopt;
  return api::invalid("ListOptions", "meta.k8s.io", "", std::move(causes));
}

// validateWatchOptions of a watch, with the WatchList feature off: kactor does not send initial
// events, and a client that asks for them gets 422 and falls back to a list and a watch.
std::optional<api_error> check_watch_options(const query_params& q) {
  std::vector<api::status_cause> causes;
  const std::string match = q.get("resourceVersionMatch").value_or("");
  const bool initial_events = q.get("sendInitialEvents").has_value();
  if (initial_events) {
    if (match != "NotOlderThan")
      causes.push_back(api::forbidden_field(
          "resourceVersionMatch",
          "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    causes.push_back(api::forbidden_field(
        "sendInitialEvents",
        "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"));
  }
  if (!match.empty()) {
    if (!initial_events)
      causes.push_back(api::forbidden_field(
          "resourceVersionMatch",
          "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
    if (match != "NotOlderThan")
      causes.push_back(
          api::unsupported_value("resourceVersionMatch", api::go_quote(match), {"NotOlderThan"}));
    if (!q.get("continue").value_or("").empty())
      causes.push_back(api::forbidden_field(
          "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
  }
  if (causes.empty()) return std::nullopt;
  return api::invalid("ListOptions", "meta.k8s.io", "", std::move(causes));
}

struct selectors {
  api::label_selector labels;
  api::field_selector fields;
  bool empty() const { return labels.empty() && fields.empty(); }
  bool matches(const api::object_facts& f) const {
    return labels.matches(f.labels) && fields.matches(f.fields);
  }
};

std::optional<api_error> parse_selectors(const query_params& q, const api::resource_info& info,
                                         selectors& out) {
  std::string error;
  if (auto text = q.get("labelSelector")) {
    auto parsed = api::parse_label_selector(*text, error);
    if (!parsed) return api::bad_request(error);
    out.labels = std::move(*parsed);
  }
  if (auto text = q.get("fieldSelector")) {
    auto parsed = api::parse_field_selector(*text, info.kind, error);
    if (!parsed) return api::bad_request(error);
    out.fields = std::move(*parsed);
  }
  return std::nullopt;
}

bool object_matches(const selectors& sel, std::string_view bytes) {
  if (sel.empty()) return true;
  json::value obj;
  if (!json::parse(bytes, obj).ok) return false;
  return sel.matches(api::extract_facts(obj));
}

// The only name a field selector pins down (metadata.name=x), if any.
std::optional<std::string> pinned_name(const selectors& sel) {
  for (const auto& r : sel.fields.requirements())
    if (r.field == "metadata.name" && !r.negated) return r.value;
  return std::nullopt;
}

std::string list_body(const api::resource_info& info, uint64_t revision,
                      const std::vector<std::string_view>& items, const std::string& next,
                      std::optional<size_t> remaining) {
  size_t size = 128;
  for (std::string_view item : items) size += item.size() + 1;
  std::string body;
  body.reserve(size);
  body += R"({"kind":")";
  body += info.list_kind();
  body += R"(","apiVersion":")";
  body += info.api_version();
  body += R"(","metadata":{"resourceVersion":")";
  body += std::to_string(revision);
  body += '"';
  if (!next.empty()) {
    body += R"(,"continue":")";
    body += next;
    body += '"';
    if (remaining) body += R"(,"remainingItemCount":)" + std::to_string(*remaining);
  }
  body += R"(},"items":[)";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    body += items[i];
  }
  body += "]}";
  return body;
}

std::optional<bool> parse_dry_run(const query_params& q, api_error& error) {
  auto v = q.get("dryRun");
  if (!v || v->empty()) return false;
  if (*v == "All") return true;
  error = api::bad_request("Invalid dryRun value: \"" + *v + "\": supported values: \"All\"");
  return std::nullopt;
}

std::string object_name(const json::value& obj) {
  const json::value* name = obj.at({"metadata", "name"});
  return name && name->is_string() ? name->as_string() : std::string();
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return api::schema::format_time(
      {std::chrono::duration_cast<std::chrono::seconds>(now).count(), 0});
}

// Who writes, for metadata.managedFields: the fieldManager, or for non-apply writes without
// one the user agent's product name.
api::field_writer writer_of(const api_server_context& ctx, bool apply) {
  const auto& info = *ctx.r.resource;
  api::field_writer w;
  w.type = api::schema::find_message(info.schema_type);
  w.api_version = info.api_version();
  w.kind = info.kind;
  const std::string manager = ctx.q.get("fieldManager").value_or("");
  w.manager = apply ? manager : api::manager_or_user_agent(manager, ctx.req.user_agent);
  w.subresource = ctx.r.subresource == "status" ? "status" : "";
  w.now = now_rfc3339();
  return w;
}

// 304 Not Modified when the client's cached copy carries this response's ETag.
response not_modified_if_cached(response r, const std::string& if_none_match) {
  if (r.status != 200 || if_none_match.empty()) return r;
  for (const auto& [name, value] : r.headers) {
    if (name == "ETag" && value == if_none_match) {
      r.status = 304;
      r.body.clear();
    }
  }
  return r;
}

// How a read answers: plain objects, or a meta.k8s.io Table (kubectl's human output).
struct read_format {
  std::optional<std::string_view> table_version;  // set: answer Tables
  api::table_row_object include = api::table_row_object::metadata;
  std::string include_error;  // an unsupported includeObject value (400 once there are rows)
};

read_format read_format_of(const request& req, const query_params& q) {
  read_format f;
  f.table_version = api::negotiated_table_version(req.accept);
  if (!f.table_version) return f;
  auto include = api::parse_include_object(q.get("includeObject").value_or(""), &f.include_error);
  if (include) f.include = *include;
  return f;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string object_resource_version_text(std::string_view bytes) {
  json::value obj;
  if (!json::parse(bytes, obj).ok) return "";
  const json::value* rv = obj.at({"metadata", "resourceVersion"});
  return rv && rv->is_string() ? rv->as_string() : "";
}

std::string table_of(const api::resource_info& info, const read_format& f,
                     std::span<const std::string_view> objects, api::table_page page,
                     bool with_column_definitions = true) {
  return api::table_json(info, objects, page, f.include, with_column_definitions, unix_now(),
                         *f.table_version);
}

// Encodes one watcher's events: shared plain lines, or a one-row Table per event (column
// definitions in the first only, as kube-apiserver sends them).
class watch_encoder {
 public:
  watch_encoder(const api::resource_info& info, read_format format)
      : info_(info), format_(std::move(format)) {}
  // A watch event as a Table row (format has a table version).
  std::string line(std::string_view type, std::string_view object) {
    std::string_view one[] = {object};
    std::string table =
        table_of(info_, format_, one, {object_resource_version_text(object)}, first_);
    first_ = false;
    return store::encode_watch_line(type, table);
  }

 private:
  const api::resource_info& info_;
  read_format format_;
  bool first_ = true;
};

// One watch event line: as a Table row with an encoder, else the object as it is.
std::string watch_line(watch_encoder* encoder, std::string_view type, std::string_view object) {
  return encoder ? encoder->line(type, object) : store::encode_watch_line(type, object);
}

// A page of a list as the client asked for it: a <Kind>List, or a Table.
struct rendered_list {
  std::string body;
  std::optional<api_error> error;
};
rendered_list render_list(const api::resource_info& info, const read_format& format,
                          uint64_t revision, const std::vector<std::string_view>& objects,
                          const std::string& next, std::optional<size_t> remaining) {
  if (!format.table_version) return {list_body(info, revision, objects, next, remaining), {}};
  if (!format.include_error.empty() && !objects.empty())
    return {{}, api::bad_request(format.include_error)};
  return {table_of(info, format, objects, {std::to_string(revision), next, remaining}), {}};
}

}  // namespace

api_server::api_server(store::backend& reader, store::write_client& writer, store::watch_hub& hub,
                       api_server_options options)
    : reader_(reader),
      writer_(writer),
      hub_(hub),
      options_(std::move(options)),
      snapshots_(kContinueSnapshotTtl, kContinueSnapshots, kContinueMaxLag) {}

api_server::~api_server() = default;

// /healthz, /livez and /readyz, answered as kube-apiserver does: "ok", or a 500 that lists the
// failed checks. A store that only a restart can recover fails all three, so that a supervisor
// restarts the server; a server still starting fails /readyz only. The store's reason is in
// the log (the store actor's "commit ... failed").
void api_server::send_health(const std::shared_ptr<context>& ctx) {
  const std::string_view check = ctx->r.kind == route::target::healthz ? "healthz"
                                 : ctx->r.kind == route::target::livez ? "livez"
                                                                       : "readyz";
  std::string failed;
  if (!reader_.failure().empty()) failed += "[-]store failed: reason withheld\n";
  if (check == "readyz" && !ready_) failed += "[-]store not ready\n";
  if (failed.empty()) return send(*ctx->reply, 200, "ok", {}, "text/plain; charset=utf-8");
  send(*ctx->reply, 500, failed + std::string(check) + " check failed", {},
       "text/plain; charset=utf-8");
}

void api_server::handle(request&& req, std::shared_ptr<responder> reply) {
  auto ctx = std::make_shared<context>();
  ctx->req = std::move(req);
  ctx->reply = std::move(reply);
  std::string bad;
  if (!ctx->q.parse(ctx->req.query, bad))
    return send_error(*ctx->reply, api::bad_request("invalid query parameter: " + bad));
  ctx->r = resolve_route(ctx->req.path);
  const bool is_get = ctx->req.method == "GET";
  switch (ctx->r.kind) {
    case route::target::version:
      if (!is_get) return send_error(*ctx->reply, method_not_allowed());
      return send(*ctx->reply, 200, version_json(), {});
    case route::target::healthz:
    case route::target::livez:
    case route::target::readyz:
      if (!is_get) return send_error(*ctx->reply, method_not_allowed());
      return send_health(ctx);
    case route::target::api_versions:
    case route::target::api_groups:
    case route::target::api_group:
    case route::target::resource_list:
    case route::target::openapi_index:
    case route::target::openapi_document:
      if (!is_get) return send_error(*ctx->reply, method_not_allowed());
      return serve_discovery(ctx);
    case route::target::collection:
    case route::target::object:
    case route::target::subresource:
      return handle_resource(ctx);
    case route::target::not_found:
      return send_error(*ctx->reply, api::path_not_found());
  }
}

void api_server::serve_discovery(const std::shared_ptr<context>& ctx) {
  const route& r = ctx->r;
  switch (r.kind) {
    case route::target::api_versions:
    case route::target::api_groups:
      return ctx->reply->respond(root_discovery_response(
          r.kind == route::target::api_versions, ctx->req.accept, options_.advertise_address));
    case route::target::openapi_index:
      return ctx->reply->respond(openapi_index_response());
    case route::target::openapi_document:
      return ctx->reply->respond(
          not_modified_if_cached(openapi_document_response(r.document, ctx->q.get("hash"),
                                                           std::chrono::system_clock::now()),
                                 ctx->req.if_none_match));
    default:
      break;
  }
  auto body = r.kind == route::target::api_group ? api_group_json(r.group)
                                                 : api_resource_list_json(r.group, r.version);
  if (!body) return send_error(*ctx->reply, api::path_not_found());
  send(*ctx->reply, 200, std::move(*body), {});
}

void api_server::handle_resource(const std::shared_ptr<context>& ctx) {
  switch (ctx->r.kind) {
    case route::target::collection:
      return handle_collection(ctx);
    case route::target::object:
      return handle_object(ctx);
    default:
      if (ctx->r.subresource == "status") return handle_status(ctx);
      if (ctx->r.subresource == "scale") return handle_scale(ctx);
      if (ctx->r.subresource == "binding") return bind(ctx);
      if (ctx->r.subresource == "eviction") return evict(ctx);
      if (ctx->r.subresource == "finalize") return finalize(ctx);
      return send_error(*ctx->reply, method_not_allowed());
  }
}

void api_server::handle_collection(const std::shared_ptr<context>& ctx) {
  const std::string& m = ctx->req.method;
  if (m == "GET") return ctx->q.flag("watch") ? watch(ctx) : list(ctx);
  if (m == "POST") {
    if (ctx->r.resource->namespaced && ctx->r.ns.empty())
      return send_error(*ctx->reply, method_not_allowed());
    return create(ctx);
  }
  if (m == "DELETE") {
    if (ctx->r.resource->namespaced && ctx->r.ns.empty())
      return send_error(*ctx->reply, method_not_allowed());
    return remove_collection(ctx);
  }
  send_error(*ctx->reply, method_not_allowed());
}

void api_server::handle_object(const std::shared_ptr<context>& ctx) {
  const std::string& m = ctx->req.method;
  if (m == "GET") return get_object(ctx);
  if (m == "PUT") return replace(ctx, false);
  if (m == "PATCH") return patch(ctx, false);
  if (m == "DELETE") return remove(ctx);
  send_error(*ctx->reply, method_not_allowed());
}

void api_server::handle_status(const std::shared_ptr<context>& ctx) {
  const std::string& m = ctx->req.method;
  if (m == "GET") return get_object(ctx);
  if (m == "PUT") return replace(ctx, true);
  if (m == "PATCH") return patch(ctx, true);
  send_error(*ctx->reply, method_not_allowed());
}

namespace {

std::string key_of(const route& r) {
  return store::object_key(r.resource->group, r.resource->plural, r.ns, r.name);
}

}  // namespace

void api_server::get_object(const std::shared_ptr<context>& ctx) {
  uint64_t rv = 0;
  if (auto e = parse_resource_version(ctx->q, rv)) return send_error(*ctx->reply, *e);
  auto bytes = reader_.get(key_of(ctx->r));
  const auto& info = *ctx->r.resource;
  if (!bytes) return send_error(*ctx->reply, api::not_found(info.plural, info.group, ctx->r.name));
  auto format = read_format_of(ctx->req, ctx->q);
  if (!format.table_version) return send(*ctx->reply, 200, std::move(*bytes), {});
  if (!format.include_error.empty())
    return send_error(*ctx->reply, api::bad_request(format.include_error));
  std::string_view one[] = {*bytes};
  send(*ctx->reply, 200, table_of(info, format, one, {object_resource_version_text(*bytes)}), {});
}

void api_server::list(const std::shared_ptr<context>& ctx) {
  const auto& info = *ctx->r.resource;
  selectors sel;
  if (auto e = parse_selectors(ctx->q, info, sel)) return send_error(*ctx->reply, *e);
  uint64_t requested_rv = 0;
  if (auto e = parse_resource_version(ctx->q, requested_rv)) return send_error(*ctx->reply, *e);
  size_t limit = 0;
  if (auto text = ctx->q.get("limit"); text && !text->empty()) {
    auto v = parse_uint(*text);
    if (!v) return send_error(*ctx->reply, api::bad_request("invalid limit: " + *text));
    limit = static_cast<size_t>(*v);
  }
  const std::string prefix = store::collection_prefix(info.group, info.plural, ctx->r.ns);
  if (auto e = check_list_options(ctx->q)) return send_error(*ctx->reply, *e);
  std::optional<continue_token> token;
  if (auto text = ctx->q.get("continue"); text && !text->empty()) {
    std::string error;
    token = decode_continue(*text, prefix, error);
    if (!token)
      return send_error(*ctx->reply, api::bad_request("invalid continue token: " + error));
    if (auto rv = ctx->q.get("resourceVersion"); rv && !rv->empty() && *rv != "0")
      return send_error(*ctx->reply, api::bad_request("specifying resource version is not "
                                                      "allowed when using continue"));
  }
  const uint64_t current = reader_.revision();
  if (requested_rv > current)
    return send_error(*ctx->reply,
                      api::timeout("Too large resource version: " + std::to_string(requested_rv) +
                                   ", current: " + std::to_string(current)));
  if (ctx->q.get("resourceVersionMatch") == "Exact" && requested_rv != current)
    return send_error(*ctx->reply,
                      api::gone_expired("The resourceVersion for the provided list is too old."));

  // The page is rendered from the stored bytes in place, while the snapshot holds them.
  const auto format = read_format_of(ctx->req, ctx->q);
  uint64_t list_revision = 0;
  rendered_list out;
  auto render = [&](const std::vector<std::string_view>& objects, const std::string& next,
                    std::optional<size_t> remaining) {
    out = render_list(info, format, list_revision, objects, next, remaining);
  };
  if (auto name = pinned_name(sel); name && (!ctx->r.ns.empty() || !info.namespaced)) {
    auto bytes =
        reader_.get(store::object_key(info.group, info.plural, ctx->r.ns, *name), &list_revision);
    std::vector<std::string_view> objects;
    if (bytes && object_matches(sel, *bytes)) objects.push_back(*bytes);
    render(objects, "", std::nullopt);
  } else {
    const bool pinned = token && token->revision > 0;  // the pages before came from a snapshot
    const std::string start_after = token ? token->start_after : std::string();
    auto expired = [&] {
      send_error(*ctx->reply, api::continue_expired(encode_continue(-1, start_after)));
    };
    std::shared_ptr<store::read_snapshot> snapshot;
    if (pinned) {
      snapshot = continue_snapshot(static_cast<uint64_t>(token->revision));
      if (!snapshot) return expired();
    }
    store::item_filter take;
    if (!sel.empty())
      take = [&sel](std::string_view, std::string_view value) {
        return object_matches(sel, value);
      };
    bool more = false;
    auto use = [&](const store::range_view& page) {
      list_revision = snapshot->revision();
      std::vector<std::string_view> objects;
      objects.reserve(page.items.size());
      for (const auto& item : page.items) objects.push_back(item.value);
      more = page.more;
      std::string next;
      std::optional<size_t> remaining;
      if (more) {
        next = encode_continue(static_cast<int64_t>(list_revision),
                               std::string(page.items.back().key));
        if (sel.empty()) remaining = page.remaining;
      }
      render(objects, next, remaining);
    };
    bool read = false;
    for (int attempt = 0; attempt < kSnapshotAttempts && !read; ++attempt) {
      if (!snapshot) snapshot = reader_.snapshot();
      read = snapshot->view_range(prefix, start_after, limit, take, use);
      if (!read && pinned) return expired();
      if (!read) snapshot.reset();  // the map grew meanwhile: read from a new snapshot
    }
    if (!read)
      return send_error(*ctx->reply, api::internal_error("the store's snapshots kept expiring "
                                                         "while the list was read; list again"));
    if (more) keep_snapshot(std::move(snapshot));
  }
  if (out.error) return send_error(*ctx->reply, *out.error);
  send(*ctx->reply, 200, std::move(out.body), {});
}

std::shared_ptr<store::read_snapshot> api_server::continue_snapshot(uint64_t revision) {
  const uint64_t current = reader_.revision();
  {
    std::lock_guard lock(snapshots_mutex_);
    if (auto kept = snapshots_.find(revision, list_snapshots::clock::now(), current)) return kept;
  }
  auto snapshot = reader_.snapshot();
  return snapshot->revision() == revision ? snapshot : nullptr;
}

void api_server::keep_snapshot(std::shared_ptr<store::read_snapshot> snapshot) {
  const auto now = list_snapshots::clock::now();
  std::lock_guard lock(snapshots_mutex_);
  snapshots_.keep(std::move(snapshot), now);
  if (expiry_scheduled_) return;
  expiry_scheduled_ = true;
  deadlines_.at(now + kContinueLagCheck, [this] { expire_snapshots(); });
}

void api_server::expire_snapshots() {
  const uint64_t current = reader_.revision();
  const auto now = list_snapshots::clock::now();
  std::lock_guard lock(snapshots_mutex_);
  auto next = snapshots_.expire(now, current);
  expiry_scheduled_ = next.has_value();
  if (next) deadlines_.at(std::min(*next, now + kContinueLagCheck), [this] { expire_snapshots(); });
}

void api_server::watch(const std::shared_ptr<context>& ctx) {
  const auto& info = *ctx->r.resource;
  selectors sel;
  if (auto e = parse_selectors(ctx->q, info, sel)) return send_error(*ctx->reply, *e);
  uint64_t from = 0;
  if (auto e = parse_resource_version(ctx->q, from)) return send_error(*ctx->reply, *e);
  if (auto e = check_watch_options(ctx->q)) return send_error(*ctx->reply, *e);
  uint64_t timeout_seconds = 0;
  if (auto text = ctx->q.get("timeoutSeconds"); text && !text->empty()) {
    auto v = parse_uint(*text);
    if (!v) return send_error(*ctx->reply, api::bad_request("invalid timeoutSeconds: " + *text));
    // Past ten years a deadline is as good as none, and the clock's arithmetic cannot overflow.
    constexpr uint64_t k_longest_watch_seconds = 10ull * 365 * 24 * 3600;
    timeout_seconds = std::min(*v, k_longest_watch_seconds);
  }
  if (timeout_seconds == 0) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    unsigned min = options_.min_watch_timeout_seconds;
    timeout_seconds = min + std::uniform_int_distribution<unsigned>(0, min)(rng);
  }

  // Watchers are many and mostly idle: a plain JSON watch needs no encoder, and one without
  // selectors no filter, so neither is allocated then.
  std::shared_ptr<watch_encoder> encoder;
  if (auto format = read_format_of(ctx->req, ctx->q); format.table_version)
    encoder = std::make_shared<watch_encoder>(info, std::move(format));
  std::shared_ptr<const selectors> filter;
  if (!sel.empty()) filter = std::make_shared<const selectors>(std::move(sel));
  auto out = ctx->reply->start_stream(200, "application/json");
  const std::string prefix = store::collection_prefix(info.group, info.plural, ctx->r.ns);
  if (from == 0) {
    // "Start at most recent": the current objects first, as ADDED, then changes after them.
    std::string after;
    while (true) {
      auto range = reader_.range(prefix, after, kListPageSize);
      if (from == 0) from = range.revision;
      for (const auto& item : range.items)
        if (!filter || object_matches(*filter, item.value))
          out->write(watch_line(encoder.get(), "ADDED", item.value));
      if (!range.more || range.items.empty()) break;
      after = range.items.back().key;
    }
    if (from == 0) from = reader_.revision();
  }

  auto sink = [filter, out, encoder](const store::watch_event_ptr& ev) -> bool {
    if (out->closed()) return false;
    const bool now = !filter || filter->matches(*ev->facts);
    const bool before = ev->prev_facts && (!filter || filter->matches(*ev->prev_facts));
    store::watch_event::type type = ev->kind;
    if (type == store::watch_event::type::modified && !(now && before)) {
      if (now)
        type = store::watch_event::type::added;
      else if (before)
        type = store::watch_event::type::deleted;
      else
        return true;
    } else if (!now) {
      return true;
    }
    if (type == ev->kind && ev->line && !encoder) return out->write_shared(ev->line);
    // An object that stops matching leaves the watch as DELETED with its last matching state.
    const bool left = type == store::watch_event::type::deleted && ev->prev_object &&
                      ev->kind == store::watch_event::type::modified;
    return out->write(watch_line(encoder.get(), store::event_type_name(type),
                                 left ? std::string_view(*ev->prev_object) : ev->object()));
  };
  auto sub = hub_.subscribe(prefix, from, sink);
  if (!sub.ok) {
    auto expired = api::gone_expired("too old resource version: " + std::to_string(from) + " (" +
                                     std::to_string(sub.oldest_available) + ")");
    out->write(store::encode_watch_line("ERROR", api::status_json(expired)));
    out->finish();
    return;
  }
  // Unsubscribing runs on the deadline thread: on_close may fire inside a hub delivery.
  const uint64_t id = sub.id;
  out->on_close([this, id] { deadlines_.soon([this, id] { hub_.unsubscribe(id); }); });
  std::weak_ptr<stream> weak = out;
  deadlines_.at(deadline_runner::clock::now() + std::chrono::seconds(timeout_seconds), [weak] {
    if (auto s = weak.lock()) s->finish();
  });
}

namespace {

std::optional<api::field_validation> field_validation_of(const query_params& q, api_error& error) {
  auto text = q.get("fieldValidation").value_or("");
  auto mode = api::parse_field_validation(text);
  if (!mode)
    error = api::bad_request("fieldValidation: Unsupported value: \"" + text +
                             "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
  return mode;
}

}  // namespace

// The fieldValidation and dryRun parameters of a write; answers 400 when either is bad.
struct api_server::write_params {
  api::field_validation mode = api::field_validation::warn;
  bool dry_run = false;
};
using write_params = api_server::write_params;

namespace {

std::optional<write_params> write_params_of(api_server_context& ctx) {
  api_error error;
  auto mode = field_validation_of(ctx.q, error);
  auto dry_run = parse_dry_run(ctx.q, error);
  if (!mode || !dry_run) {
    send_error(*ctx.reply, error);
    return std::nullopt;
  }
  return write_params{*mode, *dry_run};
}

// Decodes the body into `obj` and admits it; answers the error and returns false on failure.
bool decode_and_admit(api_server_context& ctx, const write_params& params, api::write_kind kind,
                      json::value& obj) {
  const auto& info = *ctx.r.resource;
  auto error =
      api::decode_object(info, ctx.req.content_type, ctx.req.body, params.mode, obj, ctx.warnings);
  if (!error)
    error = api::admit_object(info, obj, ctx.r.ns,
                              kind == api::write_kind::update ? ctx.r.name : std::string(), kind);
  if (error) send_error(*ctx.reply, *error);
  return !error;
}

store::write_request write_for(const route& r, store::write_verb verb, bool dry_run) {
  store::write_request w;
  w.verb = verb;
  w.group = r.resource->group;
  w.plural = r.resource->plural;
  w.ns = r.ns;
  w.name = r.name;
  w.dry_run = dry_run;
  return w;
}

// Submits a write and answers with `success_code` and the stored object.
void submit_and_reply(store::write_client& writer, store::write_request w,
                      std::shared_ptr<responder> reply, std::vector<std::string> warnings,
                      int success_code) {
  writer.submit(std::move(w), [reply = std::move(reply), warnings = std::move(warnings),
                               success_code](store::write_result res) {
    if (!res.ok) return send_error(*reply, res.error);
    send(*reply, success_code, std::move(res.object), warnings);
  });
}

using api::patch_kind;

// Applies a parsed json, merge or strategic patch to `current`, an object of the schema message
// `type`. Unknown members of JSON patch operations are warnings (Warn) or 422 (Strict).
std::optional<api_error> apply_patch(patch_kind kind, const json::value& current,
                                     const json::value& patch,
                                     const api::schema::message_type& type,
                                     api::field_validation mode, json::value& out,
                                     std::vector<std::string>& warnings) {
  switch (kind) {
    case patch_kind::merge:
      return api::apply_merge_patch(current, patch, out);
    case patch_kind::strategic:
      return api::strategic_merge_patch(current, patch, type, out);
    case patch_kind::json:
      break;
    case patch_kind::apply:
      return api::internal_error("an apply patch is not a merge of documents");
  }
  std::vector<std::string> unknown;
  if (auto e = api::apply_json_patch(current, patch, out, api::to_check_mode(mode), &unknown))
    return e;
  if (unknown.empty() || mode == api::field_validation::ignore) return std::nullopt;
  if (mode == api::field_validation::warn) {
    warnings.insert(warnings.end(), unknown.begin(), unknown.end());
    return std::nullopt;
  }
  std::string joined;
  for (const auto& u : unknown) joined += (joined.empty() ? "" : ", ") + u;
  return api::invalid("", "", "",
                      {api::invalid_value("patch", api::go_quote(json::dump(out)),
                                          "strict decoding error: " + joined)});
}

}  // namespace

// Fills an unset spec.clusterIP with a free address, and spec.clusterIPs from spec.clusterIP.
// The store claims the addresses: a taken one (asked for, or raced for) fails the create there.
void api_server::assign_cluster_ip(json::value& obj) {
  json::value& spec = obj["spec"];
  const json::value* wanted = spec.find("clusterIP");
  if (!wanted || !wanted->is_string() || wanted->as_string().empty()) {
    std::string ip = allocate_cluster_ip();
    for (int tries = 1; tries < 16 && reader_.get(store::cluster_ip_key(ip)); ++tries)
      ip = allocate_cluster_ip();
    spec.set("clusterIP", ip);
  }
  if (!spec.find("clusterIPs")) {
    json::value ips = json::value::make_array();
    ips.as_array().push_back(spec["clusterIP"]);
    spec.set("clusterIPs", std::move(ips));
  }
}

std::string api_server::allocate_cluster_ip() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  // 10.96.0.0/12, leaving out the network address, 10.96.0.1 (kubernetes) and .10 (DNS).
  std::uniform_int_distribution<uint32_t> host(11, (1u << 20) - 2);
  uint32_t ip = (10u << 24) | (96u << 16) | host(rng);
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

namespace {

bool needs_cluster_ip(const json::value& svc) {
  return svc.at({"spec", "type"}) == nullptr || svc.at({"spec", "type"})->is_null() ||
         svc.at({"spec", "type"})->as_string() != "ExternalName";
}

}  // namespace

void api_server::create(const std::shared_ptr<context>& ctx) {
  auto params = write_params_of(*ctx);
  if (!params) return;
  if (try_fast_pod_create(ctx, params->dry_run)) return;
  json::value obj;
  if (!decode_and_admit(*ctx, *params, api::write_kind::create, obj)) return;
  // Unlike kube-apiserver, a create records no managedFields: building them took 60% of a pod
  // create's CPU. Tracking starts with the object's first server-side apply, which gives the
  // fields already set to the manager "before-first-apply"; later writes are tracked as kube does.
  submit_create(ctx, std::move(obj), params->dry_run);
}

// Submits a pod create admitted in one pass (api/pod_create.hpp); false when the body needs the
// generic path.
bool api_server::try_fast_pod_create(const std::shared_ptr<context>& ctx, bool dry_run) {
  const auto& info = *ctx->r.resource;
  if (info.kind != "Pod" || !info.group.empty() ||
      api::body_format_of(ctx->req.content_type) != api::body_format::json)
    return false;
  std::optional<api::admitted_pod> pod = api::admit_pod_create(ctx->req.body, ctx->r.ns);
  if (!pod) return false;
  ctx->r.name = std::move(pod->name);
  auto w = write_for(ctx->r, store::write_verb::create, dry_run);
  w.prepared = std::make_shared<store::prepared_object>(store::prepared_object{
      .kind = "Pod",
      .api_version = "v1",
      .generate_name = std::move(pod->generate_name),
      .metadata_tail = std::move(pod->metadata_tail),
      .rest = std::move(pod->rest),
      .facts = std::make_shared<const api::object_facts>(std::move(pod->facts))});
  submit_and_reply(writer_, std::move(w), ctx->reply, std::move(ctx->warnings), 201);
  return true;
}

// Allocates a Service's cluster IP and submits the create of an admitted object.
void api_server::submit_create(const std::shared_ptr<context>& ctx, json::value obj, bool dry_run) {
  const auto& info = *ctx->r.resource;
  if (info.kind == "Service" && needs_cluster_ip(obj)) assign_cluster_ip(obj);
  ctx->r.name = object_name(obj);
  auto w = write_for(ctx->r, store::write_verb::create, dry_run);
  w.prepared = std::make_shared<store::prepared_object>(store::prepare_object(std::move(obj)));
  submit_and_reply(writer_, std::move(w), ctx->reply, std::move(ctx->warnings), 201);
}

void api_server::replace(const std::shared_ptr<context>& ctx, bool status_only) {
  auto params = write_params_of(*ctx);
  json::value obj;
  if (!params || !decode_and_admit(*ctx, *params, api::write_kind::update, obj)) return;
  auto rv = api::object_resource_version(obj);
  if (!rv)
    return send_error(
        *ctx->reply,
        api::bad_request("metadata.resourceVersion: Invalid value: " +
                         std::string(obj.at({"metadata", "resourceVersion"})->get_string("", "")) +
                         ": must be a decimal resource version"));
  if (auto live_bytes = reader_.get(key_of(ctx->r))) {
    json::value live;
    if (json::parse(*live_bytes, live).ok) api::track_update(&live, obj, writer_of(*ctx, false));
  }
  auto w =
      write_for(ctx->r, status_only ? store::write_verb::update_status : store::write_verb::update,
                params->dry_run);
  w.precondition_rv = *rv;
  w.object = std::make_shared<json::value>(std::move(obj));
  submit_and_reply(writer_, std::move(w), ctx->reply, std::move(ctx->warnings), 200);
}

struct api_server::update_plan {
  store::write_verb verb = store::write_verb::update;
  bool dry_run = false;
  // Builds the object to write from the current one. Setting `pinned` makes `next`'s
  // resourceVersion the precondition (no retry on conflict); otherwise the current one is, and
  // a conflict with a concurrent writer retries with a fresh read, as GuaranteedUpdate does.
  std::function<std::optional<api_error>(const json::value& current, json::value& next,
                                         bool& pinned)>
      mutate;
  std::function<void(store::write_result)> done;  // answers the request
};

void api_server::read_modify_write(const std::shared_ptr<context>& ctx,
                                   const std::shared_ptr<update_plan>& plan, int attempt) {
  const auto& info = *ctx->r.resource;
  auto current_bytes = reader_.get(key_of(ctx->r));
  if (!current_bytes)
    return send_error(*ctx->reply, api::not_found(info.plural, info.group, ctx->r.name));
  json::value current;
  if (!json::parse(*current_bytes, current).ok)
    return send_error(*ctx->reply, api::internal_error("stored object is not valid JSON"));
  json::value next;
  bool pinned = false;
  if (auto e = plan->mutate(current, next, pinned)) return send_error(*ctx->reply, *e);
  auto precondition = api::object_resource_version(pinned ? next : current);
  if (!precondition)
    return send_error(*ctx->reply, api::bad_request("metadata.resourceVersion: Invalid value"));
  auto w = write_for(ctx->r, plan->verb, plan->dry_run);
  w.precondition_rv = *precondition;
  w.object = std::make_shared<json::value>(std::move(next));
  const bool retry_on_conflict = !pinned && attempt < kPatchAttempts;
  writer_.submit(
      std::move(w), [this, ctx, plan, attempt, retry_on_conflict](store::write_result res) {
        if (!res.ok && res.error.code == 409 && res.error.reason == "Conflict" && retry_on_conflict)
          return deadlines_.soon(
              [this, ctx, plan, attempt] { read_modify_write(ctx, plan, attempt + 1); });
        plan->done(std::move(res));
      });
}

namespace {}  // namespace

// A patch body parsed once for every attempt of a read-modify-write.
struct api_server::parsed_patch {
  patch_kind kind = patch_kind::merge;
  json::value doc;
  bool force = false;  // apply: take fields over from other managers
  bool pins_resource_version() const {
    return kind != patch_kind::json && doc.at({"metadata", "resourceVersion"}) != nullptr;
  }
};

using parsed_patch = api_server::parsed_patch;

namespace {

std::optional<api_error> parse_patch(const request& req, const query_params& q, parsed_patch& out) {
  auto kind = api::patch_kind_of(req.content_type);
  if (!kind) return api::unsupported_media_type(req.content_type);
  out.kind = *kind;
  auto force = q.get("force");
  if (auto e = api::validate_patch_options(out.kind, q.get("fieldManager").value_or(""),
                                           force.has_value()))
    return e;
  out.force = force && *force == "true";
  auto parsed = out.kind == patch_kind::apply ? json::parse_yaml(req.body, out.doc)
                                              : json::parse(req.body, out.doc);
  if (!parsed.ok) return api::bad_request("error decoding patch: " + parsed.error);
  if (out.kind == patch_kind::apply && !out.doc.is_object())
    return api::bad_request("error decoding patch: the applied configuration is not an object");
  return std::nullopt;
}

// A reply that answers every write result with `code` and the stored object.
std::function<void(store::write_result)> reply_with_object(
    const std::shared_ptr<api_server_context>& ctx, int code) {
  return [ctx, code](store::write_result res) {
    if (!res.ok) return send_error(*ctx->reply, res.error);
    send(*ctx->reply, code, std::move(res.object), ctx->warnings);
  };
}

}  // namespace

void api_server::patch(const std::shared_ptr<context>& ctx, bool status_only) {
  const auto& info = *ctx->r.resource;
  auto params = write_params_of(*ctx);
  if (!params) return;
  auto patch_doc = std::make_shared<parsed_patch>();
  if (auto e = parse_patch(ctx->req, ctx->q, *patch_doc)) return send_error(*ctx->reply, *e);
  const bool apply = patch_doc->kind == patch_kind::apply;
  if (apply && !status_only && !reader_.get(key_of(ctx->r)))
    return apply_create(ctx, *patch_doc, *params);
  auto plan = std::make_shared<update_plan>();
  plan->verb = status_only ? store::write_verb::update_status : store::write_verb::update;
  plan->dry_run = params->dry_run;
  plan->mutate = [ctx, &info, patch_doc, apply, mode = params->mode](
                     const json::value& current, json::value& next, bool& pinned) {
    ctx->warnings.clear();
    auto writer = writer_of(*ctx, apply);
    auto error =
        apply ? api::server_side_apply(&current, patch_doc->doc, writer, patch_doc->force, next)
              : apply_patch(patch_doc->kind, current, patch_doc->doc, *writer.type, mode, next,
                            ctx->warnings);
    if (error) return error;
    if (auto e = api::check_patched_object(info, next, mode, ctx->warnings)) return e;
    pinned = patch_doc->pins_resource_version();
    if (auto e = api::admit_object(info, next, ctx->r.ns, ctx->r.name, api::write_kind::update))
      return e;
    if (!apply) api::track_update(&current, next, writer);
    return std::optional<api_error>();
  };
  plan->done = reply_with_object(ctx, 200);
  read_modify_write(ctx, plan, 1);
}

// An apply patch for an object that does not exist creates it (201), as kube-apiserver does.
void api_server::apply_create(const std::shared_ptr<context>& ctx, const parsed_patch& patch,
                              const write_params& params) {
  const auto& info = *ctx->r.resource;
  json::value obj;
  if (auto e = api::server_side_apply(nullptr, patch.doc, writer_of(*ctx, true), patch.force, obj))
    return send_error(*ctx->reply, *e);
  if (auto e = api::check_patched_object(info, obj, params.mode, ctx->warnings))
    return send_error(*ctx->reply, *e);
  if (object_name(obj) != ctx->r.name)
    return send_error(*ctx->reply, api::bad_request("the name of the object (" + object_name(obj) +
                                                    ") does not match the name on the URL (" +
                                                    ctx->r.name + ")"));
  if (auto e = api::admit_object(info, obj, ctx->r.ns, "", api::write_kind::create))
    return send_error(*ctx->reply, *e);
  submit_create(ctx, std::move(obj), params.dry_run);
}

void api_server::handle_scale(const std::shared_ptr<context>& ctx) {
  const auto& info = *ctx->r.resource;
  const std::string& m = ctx->req.method;
  if (m == "GET") {
    auto bytes = reader_.get(key_of(ctx->r));
    json::value obj;
    if (!bytes || !json::parse(*bytes, obj).ok)
      return send_error(*ctx->reply, api::not_found(info.plural, info.group, ctx->r.name));
    return send(*ctx->reply, 200, json::dump(api::scale_of(info, obj)), {});
  }
  if (m != "PUT" && m != "PATCH") return send_error(*ctx->reply, method_not_allowed());
  auto params = write_params_of(*ctx);
  if (!params) return;
  auto body = std::make_shared<parsed_patch>();
  if (m == "PATCH") {
    if (auto e = parse_patch(ctx->req, ctx->q, *body)) return send_error(*ctx->reply, *e);
  } else if (auto e = api::decode_scale_body(ctx->req.content_type, ctx->req.body, body->doc)) {
    return send_error(*ctx->reply, *e);
  }
  const bool is_patch = m == "PATCH";
  auto plan = std::make_shared<update_plan>();
  plan->dry_run = params->dry_run;
  plan->mutate = [ctx, &info, body, is_patch, mode = params->mode](
                     const json::value& current, json::value& next, bool& pinned) {
    ctx->warnings.clear();
    json::value scale = body->doc;
    if (is_patch) {
      static const auto* scale_type = api::schema::find_message("k8s.io.api.autoscaling.v1.Scale");
      if (auto e = apply_patch(body->kind == patch_kind::apply ? patch_kind::merge : body->kind,
                               api::scale_of(info, current), body->doc, *scale_type, mode, scale,
                               ctx->warnings))
        return e;
    }
    next = current;
    if (auto e = api::apply_scale(scale, mode, next, ctx->warnings)) return e;
    if (const json::value* rv = scale.at({"metadata", "resourceVersion"});
        rv && rv->is_string() && !rv->as_string().empty() &&
        (!is_patch || body->pins_resource_version())) {
      next["metadata"].set("resourceVersion", *rv);
      pinned = true;
    }
    return api::admit_object(info, next, ctx->r.ns, ctx->r.name, api::write_kind::update);
  };
  plan->done = [ctx, &info](store::write_result res) {
    json::value obj;
    if (!res.ok) return send_error(*ctx->reply, res.error);
    if (!json::parse(res.object, obj).ok)
      return send_error(*ctx->reply, api::internal_error("stored object is not valid JSON"));
    send(*ctx->reply, 200, json::dump(api::scale_of(info, obj)), ctx->warnings);
  };
  read_modify_write(ctx, plan, 1);
}

void api_server::bind(const std::shared_ptr<context>& ctx) {
  if (ctx->req.method != "POST") return send_error(*ctx->reply, method_not_allowed());
  auto params = write_params_of(*ctx);
  if (!params) return;
  auto binding = std::make_shared<json::value>();
  if (auto e = api::decode_object(api::binding_body_info(), ctx->req.content_type, ctx->req.body,
                                  params->mode, *binding, ctx->warnings))
    return send_error(*ctx->reply, *e);
  if (auto e = api::check_binding(*binding, ctx->r.name)) return send_error(*ctx->reply, *e);
  auto plan = std::make_shared<update_plan>();
  plan->verb = store::write_verb::update_whole;
  plan->dry_run = params->dry_run;
  plan->mutate = [binding](const json::value& current, json::value& next, bool&) {
    next = current;
    return api::bind_pod(*binding, now_rfc3339(), next);
  };
  plan->done = [ctx](store::write_result res) {
    if (!res.ok) return send_error(*ctx->reply, res.error);
    send(*ctx->reply, 201, api::created_status_json(), ctx->warnings);
  };
  read_modify_write(ctx, plan, 1);
}

namespace {

struct delete_options {
  std::string propagation_policy;
  std::string precondition_uid;
  uint64_t precondition_rv = 0;
  bool dry_run = false;
};

std::optional<api_error> parse_delete_options(const request& req, const query_params& q,
                                              delete_options& out) {
  json::value body;
  if (!req.body.empty()) {
    auto parsed = req.content_type.find("yaml") != std::string::npos
                      ? json::parse_yaml(req.body, body)
                      : json::parse(req.body, body);
    if (!parsed.ok || !body.is_object())
      return api::bad_request("invalid DeleteOptions: " +
                              (parsed.ok ? std::string("not an object") : parsed.error));
  }
  out.propagation_policy =
      std::string(body.is_object() ? body.get_string("propagationPolicy") : std::string_view{});
  if (auto p = q.get("propagationPolicy")) out.propagation_policy = *p;
  if (!out.propagation_policy.empty() && out.propagation_policy != "Foreground" &&
      out.propagation_policy != "Background" && out.propagation_policy != "Orphan")
    return api::invalid(
        "DeleteOptions", "meta.k8s.io", "",
        {api::unsupported_value("propagationPolicy", "\"" + out.propagation_policy + "\"",
                                {"Foreground", "Background", "Orphan"})});
  if (const json::value* pre = body.is_object() ? body.find("preconditions") : nullptr;
      pre && pre->is_object()) {
    out.precondition_uid = std::string(pre->get_string("uid"));
    if (auto rv = pre->get_string("resourceVersion"); !rv.empty()) {
      auto v = parse_uint(rv);
      if (!v) return api::bad_request("invalid precondition resourceVersion: " + std::string(rv));
      out.precondition_rv = *v;
    }
  }
  if (const json::value* dry = body.is_object() ? body.find("dryRun") : nullptr;
      dry && dry->is_array()) {
    for (const auto& v : dry->as_array()) {
      if (!v.is_string() || v.as_string() != "All")
        return api::bad_request("Invalid dryRun value: supported values: \"All\"");
      out.dry_run = true;
    }
  }
  return std::nullopt;
}

}  // namespace

void api_server::remove(const std::shared_ptr<context>& ctx) {
  const auto& info = *ctx->r.resource;
  delete_options options;
  if (auto e = parse_delete_options(ctx->req, ctx->q, options)) return send_error(*ctx->reply, *e);
  api_error error;
  auto dry_run = parse_dry_run(ctx->q, error);
  if (!dry_run) return send_error(*ctx->reply, error);
  auto w = write_for(ctx->r, store::write_verb::remove, *dry_run || options.dry_run);
  w.precondition_uid = options.precondition_uid;
  w.precondition_rv = options.precondition_rv;
  writer_.submit(std::move(w), [ctx, &info](store::write_result res) {
    if (!res.ok) return send_error(*ctx->reply, res.error);
    // kube-apiserver answers with the object for pods and for objects still being deleted.
    if (!res.removed || info.kind == "Pod")
      return send(*ctx->reply, 200, std::move(res.object), {});
    json::value obj;
    std::string uid;
    if (json::parse(res.object, obj).ok)
      uid = std::string(obj.at({"metadata"}) ? obj.at({"metadata"})->get_string("uid") : "");
    send(*ctx->reply, 200, api::success_status_json(ctx->r.name, info.group, info.plural, uid), {});
  });
}

namespace {

// The results of the deletes of one deletecollection, answered once the last one is in.
struct collection_delete {
  std::mutex mutex;
  size_t pending = 0;
  std::vector<store::kv> deleted;  // key: the object's name; value: its last state
  uint64_t revision = 0;
  std::optional<api_error> error;
};

}  // namespace

// DELETE on a collection (deletecollection): every object the selectors match is deleted as a
// DELETE of it would be, and the answer lists their last states, as kube-apiserver's does.
void api_server::remove_collection(const std::shared_ptr<context>& ctx) {
  const auto& info = *ctx->r.resource;
  selectors sel;
  if (auto e = parse_selectors(ctx->q, info, sel)) return send_error(*ctx->reply, *e);
  delete_options options;
  if (auto e = parse_delete_options(ctx->req, ctx->q, options)) return send_error(*ctx->reply, *e);
  api_error error;
  auto dry_run = parse_dry_run(ctx->q, error);
  if (!dry_run) return send_error(*ctx->reply, error);

  std::vector<std::string> names;
  const std::string prefix = store::collection_prefix(info.group, info.plural, ctx->r.ns);
  std::string after;
  uint64_t revision = 0;
  while (true) {
    auto range = reader_.range(prefix, after, kListPageSize);
    if (revision == 0) revision = range.revision;
    for (const auto& item : range.items)
      if (object_matches(sel, item.value)) names.push_back(item.key.substr(prefix.size()));
    if (!range.more || range.items.empty()) break;
    after = range.items.back().key;
  }
  if (names.empty())
    return send(*ctx->reply, 200, list_body(info, revision, {}, "", std::nullopt), {});

  auto results = std::make_shared<collection_delete>();
  results->pending = names.size();
  results->revision = revision;
  for (const auto& name : names) {
    route one = ctx->r;
    one.name = name;
    auto w = write_for(one, store::write_verb::remove, *dry_run || options.dry_run);
    writer_.submit(std::move(w), [ctx, &info, results, name](store::write_result res) {
      std::lock_guard lock(results->mutex);
      if (res.ok) {
        results->deleted.push_back({name, std::move(res.object)});
        results->revision = std::max(results->revision, res.revision);
      } else if (res.error.code != 404 && !results->error) {
        results->error = res.error;  // an object deleted meanwhile is simply gone
      }
      if (--results->pending > 0) return;
      if (results->error) return send_error(*ctx->reply, *results->error);
      std::sort(results->deleted.begin(), results->deleted.end(),
                [](const store::kv& a, const store::kv& b) { return a.key < b.key; });
      std::vector<std::string_view> objects;
      for (const auto& item : results->deleted) objects.push_back(item.value);
      send(*ctx->reply, 200, list_body(info, results->revision, objects, "", std::nullopt), {});
    });
  }
}

// namespaces/<name>/finalize: replaces spec.finalizers only.
void api_server::finalize(const std::shared_ptr<context>& ctx) {
  if (ctx->req.method != "PUT") return send_error(*ctx->reply, method_not_allowed());
  auto params = write_params_of(*ctx);
  if (!params) return;
  auto body = std::make_shared<json::value>();
  if (auto e = api::decode_object(*ctx->r.resource, ctx->req.content_type, ctx->req.body,
                                  params->mode, *body, ctx->warnings))
    return send_error(*ctx->reply, *e);
  auto plan = std::make_shared<update_plan>();
  plan->dry_run = params->dry_run;
  plan->mutate = [body](const json::value& current, json::value& next, bool& pinned) {
    next = current;
    const json::value* finalizers = body->at({"spec", "finalizers"});
    if (finalizers)
      next["spec"].set("finalizers", *finalizers);
    else if (json::value* spec = next.find("spec"))
      spec->erase("finalizers");
    if (const json::value* rv = body->at({"metadata", "resourceVersion"});
        rv && rv->is_string() && !rv->as_string().empty()) {
      next["metadata"].set("resourceVersion", *rv);
      pinned = true;
    }
    return std::optional<api_error>();
  };
  plan->done = reply_with_object(ctx, 200);
  read_modify_write(ctx, plan, 1);
}

void api_server::evict(const std::shared_ptr<context>& ctx) {
  if (ctx->req.method != "POST") return send_error(*ctx->reply, method_not_allowed());
  auto params = write_params_of(*ctx);
  if (!params) return;
  json::value eviction;
  if (auto e = api::decode_object(api::eviction_body_info(), ctx->req.content_type, ctx->req.body,
                                  params->mode, eviction, ctx->warnings))
    return send_error(*ctx->reply, *e);
  if (auto e = api::check_eviction(eviction, ctx->r.name)) return send_error(*ctx->reply, *e);
  // No PodDisruptionBudgets are served yet, so every eviction is allowed: a delete with the
  // eviction's delete options.
  auto w = write_for(ctx->r, store::write_verb::remove, params->dry_run);
  if (const json::value* pre = eviction.at({"deleteOptions", "preconditions"})) {
    w.precondition_uid = std::string(pre->get_string("uid"));
    if (auto rv = parse_uint(pre->get_string("resourceVersion"))) w.precondition_rv = *rv;
  }
  if (const json::value* dry = eviction.at({"deleteOptions", "dryRun"}); dry && dry->is_array())
    w.dry_run = w.dry_run || !dry->as_array().empty();
  writer_.submit(std::move(w), [ctx](store::write_result res) {
    if (!res.ok) return send_error(*ctx->reply, res.error);
    send(*ctx->reply, 201, api::created_status_json(), ctx->warnings);
  });
}

}  // namespace kactor::net
