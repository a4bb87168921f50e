#include "api/scale.hpp"

#include "api/schema.hpp"
#include "api/selectors.hpp"

namespace kactor::api {
namespace {

// Deployments and ReplicaSets carry a LabelSelector object, ReplicationControllers a plain map.
std::string selector_string(const resource_info& info, const json::value& obj) {
  const json::value* sel = obj.at({"spec", "selector"});
  if (!sel || !sel->is_object()) return "";
  if (info.kind == "ReplicationController") {
    label_selector plain;
    for (const auto& m : sel->as_object())
      if (m.val.is_string()) plain.add({m.key, label_requirement::op::equals, {m.val.as_string()}});
    return to_string(plain);
  }
  std::string error;
  auto parsed = from_label_selector_object(*sel, error);
  return parsed ? to_string(*parsed) : "";
}

int64_t int_at(const json::value& obj, std::initializer_list<std::string_view> path) {
  const json::value* v = obj.at(path);
  return v && v->is_int() ? v->as_int() : 0;
}

}  // namespace

json::value scale_of(const resource_info& info, const json::value& obj) {
  json::value meta = json::value::make_object();
  if (const json::value* m = obj.find("metadata"))
    for (const char* key : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
      if (const json::value* v = m->find(key)) meta.set(key, *v);

  json::value spec = json::value::make_object();
  // autoscaling/v1 ScaleSpec.replicas is omitempty.
  if (int64_t replicas = int_at(obj, {"spec", "replicas"})) spec.set("replicas", replicas);
  json::value status = json::value::make_object();
  status.set("replicas", int_at(obj, {"status", "replicas"}));
  if (auto selector = selector_string(info, obj); !selector.empty())
    status.set("selector", selector);

  json::value scale = json::value::make_object();
  scale.set("kind", "Scale");
  scale.set("apiVersion", "autoscaling/v1");
  scale.set("metadata", std::move(meta));
  scale.set("spec", std::move(spec));
  scale.set("status", std::move(status));
  return scale;
}

std::optional<api_error> decode_scale_body(std::string_view content_type, std::string_view body,
                                           json::value& out) {
  static const resource_info scale_info{.group = "autoscaling",
                                        .version = "v1",
                                        .kind = "Scale",
                                        .plural = "scales",
                                        .singular = "scale",
                                        .schema_type = "k8s.io.api.autoscaling.v1.Scale"};
  return read_body(scale_info, content_type, body, out);
}

std::optional<api_error> apply_scale(const json::value& scale, field_validation mode,
                                     json::value& obj, std::vector<std::string>& warnings) {
  const std::string name(obj.at({"metadata"}) ? obj.at({"metadata"})->get_string("name") : "");
  static const schema::message_type* scale_type =
      schema::find_message("k8s.io.api.autoscaling.v1.Scale");
  auto report = schema::check_object(scale, *scale_type, to_check_mode(mode));
  if (!report.ok())
    return bad_request("Scale in version \"v1\" cannot be handled as a Scale: " + report.message());
  for (auto& w : report.warnings) warnings.push_back(std::move(w));
  const json::value* replicas = scale.at({"spec", "replicas"});
  const int64_t wanted = replicas && replicas->is_int() ? replicas->as_int() : 0;
  if (wanted < 0)
    return invalid("Scale", "autoscaling", name,
                   {invalid_value("spec.replicas", std::to_string(wanted),
                                  "must be greater than or equal to 0")});
  obj["spec"].set("replicas", wanted);
  return std::nullopt;
}

}  // namespace kactor::api
