// Strategic merge patch as kube-apiserver applies it (apimachinery's StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls), driven by the type model's merge keys and
// strategies. Element order follows kube's rules exactly, including the results of Go's stable
// sort with its (not strictly weak) ordering, so it is reproduced step by step.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/patch.hpp"

namespace kactor::api {

namespace {

using json::value;

constexpr std::string_view kDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";

// ---- failures and how kube-apiserver answers them -----------------------------------------

struct failure {
  enum class kind { bad_request, unprocessable, passed_through };
  kind k;
  std::string message;
};
using result = std::optional<failure>;

failure bad_request_failure(std::string message) {
  return {failure::kind::bad_request, std::move(message)};
}
failure unprocessable_failure(std::string message) {
  return {failure::kind::unprocessable, std::move(message)};
}
failure passed_through(std::string message) {
  return {failure::kind::passed_through, std::move(message)};
}

const std::string kBadRetainKeys = "invalid patch format of retainKeys";
const std::string kBadSetElementOrder = "invalid patch format of setElementOrder list";
const std::string kBadPrimitiveList = "invalid patch format of primitive list";
const std::string kListOfLists = "lists of lists are not supported";
const std::string kMapType = "map[string]interface {}";
const std::string kListType = "[]interface {}";

api_error to_api_error(const failure& f) {
  switch (f.k) {
    case failure::kind::bad_request:
      return bad_request(f.message);
    case failure::kind::unprocessable: {
      api_error e;
      e.code = 422;
      e.reason = "Invalid";
      e.message = "the server rejected our request due to an error in our request";
      return e;
    }
    case failure::kind::passed_through:
      break;
  }
  api_error e;
  e.code = 500;
  e.message = f.message;
  return e;
}

// reflect.TypeOf(v) as Go prints it.
std::string go_type_name(const value& v) {
  switch (v.type()) {
    case json::kind::null:
      return "%!s(<nil>)";
    case json::kind::boolean:
      return "bool";
    case json::kind::integer:
      return "int64";
    case json::kind::number:
      return "float64";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return kListType;
    case json::kind::object:
      return kMapType;
  }
  return "";
}

failure bad_arg_type(const std::string& expected, const value& actual) {
  return passed_through("expected a " + expected + ", but received a " + go_type_name(actual));
}

failure no_merge_key(const value& item, std::string_view merge_key) {
  return passed_through("map: " + go_format(item) +
                        " does not contain declared merge key: " + std::string(merge_key));
}

// Go's "%s" of a directive value: strings as they are, anything else flagged.
std::string go_format_as_string(const value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_null()) return "%!s(<nil>)";
  if (v.is_object() || v.is_array()) return go_format(v);
  return "%!s(" + go_type_name(v) + "=" + go_format(v) + ")";
}

// ---- Go value semantics ---------------------------------------------------------------------

// Go's == on two decoded JSON scalars: same type and value (1 and 1.0 differ). Maps and slices
// are never equal here (Go would panic comparing them).
bool go_equal(const value& a, const value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::kind::null:
      return true;
    case json::kind::boolean:
      return a.as_bool() == b.as_bool();
    case json::kind::integer:
      return a.as_int() == b.as_int();
    case json::kind::number:
      return a.as_double() == b.as_double();
    case json::kind::string:
      return a.as_string() == b.as_string();
    default:
      return false;
  }
}

const value& null_value() {
  static const value null;
  return null;
}

// m[key] of a Go map: nil (null) when absent or when m is not a map.
const value& go_lookup(const value& m, std::string_view key) {
  const value* v = m.is_object() ? m.find(key) : nullptr;
  return v ? *v : null_value();
}

bool has_member(const value& m, std::string_view key) {
  return m.is_object() && m.find(key) != nullptr;
}

value take_member(value& obj, std::string_view key) {
  value* v = obj.find(key);
  value taken = v ? std::move(*v) : value();
  obj.erase(key);
  return taken;
}

// ---- what the schema says about a value ------------------------------------------------------

// The members of an object: a message's fields, a map's values, or nothing known (raw JSON).
struct shape {
  const schema::message_type* message = nullptr;
  const schema::field* map_field = nullptr;
};

// A member of an object: the shape of its value (or of each element of a list) and its patch
// metadata.
struct member_info {
  shape value_shape;
  const schema::field* field = nullptr;
  std::string_view merge_key;
  bool merge = false;
  bool replace = false;
};

// The shape of a field's value (of each element for lists).
shape shape_of_values(const schema::field& f) {
  if (f.is_map()) return {nullptr, &f};
  if (f.kind == schema::value_kind::message && f.type()) return {f.type(), nullptr};
  return {};
}

member_info describe(const shape& s, std::string_view key) {
  member_info info;
  if (s.map_field) {
    const schema::field& f = *s.map_field;
    if (f.map_value == schema::value_kind::message && f.type()) info.value_shape = {f.type()};
    return info;
  }
  if (!s.message) return info;
  const schema::field* f = s.message->find_field(key);
  if (!f) return info;
  info.field = f;
  info.value_shape = shape_of_values(*f);
  info.merge_key = schema::merge_key(*f);
  const schema::patch_strategy strategy = schema::strategy(*f);
  info.merge = schema::has(strategy, schema::patch_strategy::merge);
  info.replace = strategy == schema::patch_strategy::replace;
  return info;
}

// LookupPatchMetadataForSlice, which fails for fields a message does not have or that are not
// lists.
result describe_list(const shape& s, std::string_view key, member_info& info) {
  info = describe(s, key);
  if (!s.message) return std::nullopt;
  if (!info.field)
    return passed_through("unable to find api field in struct " + std::string(s.message->name) +
                          " for the json field \"" + std::string(key) + "\"");
  if (!info.field->repeated) return passed_through("expected slice or array type, but got: struct");
  return std::nullopt;
}

// reflect.Kind of a list element type, as "cannot merge lists without merge key" names it.
std::string element_kind_name(const member_info& info) {
  if (!info.field) return "interface";
  switch (info.field->kind) {
    case schema::value_kind::string:
      return "string";
    case schema::value_kind::int32:
      return "int32";
    case schema::value_kind::int64:
      return "int64";
    case schema::value_kind::boolean:
      return "bool";
    case schema::value_kind::bytes:
      return "slice";
    default:
      return "struct";
  }
}

// ---- where new members go ---------------------------------------------------------------------

size_t insertion_point(const value& obj, const shape& s, std::string_view key) {
  const json::object& members = obj.as_object();
  if (s.map_field) {
    for (size_t i = 0; i < members.size(); ++i)
      if (members[i].key > key) return i;
    return members.size();
  }
  if (!s.message) return members.size();
  const std::optional<int> rank = s.message->json_position(key);
  if (!rank) return members.size();
  for (size_t i = 0; i < members.size(); ++i) {
    const std::optional<int> other = s.message->json_position(members[i].key);
    if (other && *other > *rank) return i;
  }
  return members.size();
}

// Sets a member, in place when present, else where kube's encoding would put it.
void put_member(value& obj, const shape& s, const std::string& key, value v) {
  if (value* existing = obj.find(key)) {
    *existing = std::move(v);
    return;
  }
  json::object& members = obj.as_object();
  const size_t at = insertion_point(obj, s, key);
  members.insert(members.begin() + static_cast<ptrdiff_t>(at), json::member{key, std::move(v)});
}

// ---- directives inside values taken whole -----------------------------------------------------

// removeDirectives: maps holding `$patch` are dropped (false: drop this value too).
bool remove_directives(value& v) {
  if (v.is_object()) {
    if (v.find(kDirective)) return false;
    std::erase_if(v.as_object(), [](json::member& m) { return !remove_directives(m.val); });
  } else if (v.is_array()) {
    std::erase_if(v.as_array(), [](value& item) { return !remove_directives(item); });
  }
  return true;
}

// discardNullValuesFromPatch: null members of maps, at any depth.
void discard_nulls(value& v) {
  if (v.is_object()) {
    std::erase_if(v.as_object(), [](const json::member& m) { return m.val.is_null(); });
    for (json::member& m : v.as_object()) discard_nulls(m.val);
  } else if (v.is_array()) {
    for (value& item : v.as_array()) discard_nulls(item);
  }
}

// A patch value that replaces whatever the original has.
void take_whole(value& original, const shape& s, const std::string& key, value patch_value) {
  discard_nulls(patch_value);
  if (remove_directives(patch_value))
    put_member(original, s, key, std::move(patch_value));
  else
    original.erase(key);
}

// "$setElementOrder/containers" -> "containers"; a bad prefix is a malformed patch.
result directive_target(std::string_view key, std::string_view prefix, const std::string& error,
                        std::string& target) {
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix)
    return bad_request_failure(error);
  target = std::string(key.substr(slash + 1));
  return std::nullopt;
}

// ---- Go's sort.SliceStable ------------------------------------------------------------------

template <class T, class Less>
void insertion_sort(std::vector<T>& d, size_t a, size_t b, const Less& less) {
  for (size_t i = a + 1; i < b; ++i)
    for (size_t j = i; j > a && less(d[j], d[j - 1]); --j) std::swap(d[j], d[j - 1]);
}

// SymMerge (Kim and Kutzner) of the sorted runs [a, m) and [m, b), as Go's sort package does.
template <class T, class Less>
void sym_merge(std::vector<T>& d, size_t a, size_t m, size_t b, const Less& less) {
  if (m - a == 1) {
    size_t i = m, j = b;
    while (i < j) {
      const size_t h = (i + j) / 2;
      if (less(d[h], d[a]))
        i = h + 1;
      else
        j = h;
    }
    for (size_t k = a; k + 1 < i; ++k) std::swap(d[k], d[k + 1]);
    return;
  }
  if (b - m == 1) {
    size_t i = a, j = m;
    while (i < j) {
      const size_t h = (i + j) / 2;
      if (!less(d[m], d[h]))
        i = h + 1;
      else
        j = h;
    }
    for (size_t k = m; k > i; --k) std::swap(d[k], d[k - 1]);
    return;
  }
  const size_t mid = (a + b) / 2;
  const size_t n = mid + m;
  size_t start = m > mid ? n - b : a;
  size_t r = m > mid ? mid : m;
  const size_t p = n - 1;
  while (start < r) {
    const size_t c = (start + r) / 2;
    if (!less(d[p - c], d[c]))
      start = c + 1;
    else
      r = c;
  }
  const size_t end = n - start;
  if (start < m && m < end) std::rotate(d.begin() + start, d.begin() + m, d.begin() + end);
  if (a < start && start < mid) sym_merge(d, a, start, mid, less);
  if (mid < end && end < b) sym_merge(d, mid, end, b, less);
}

template <class T, class Less>
void go_stable_sort(std::vector<T>& d, const Less& less) {
  const size_t n = d.size();
  size_t block = 20;
  size_t a = 0, b = block;
  for (; b <= n; a = b, b += block) insertion_sort(d, a, b, less);
  insertion_sort(d, a, n, less);
  for (; block < n; block *= 2) {
    a = 0;
    for (b = 2 * block; b <= n; a = b, b += 2 * block) sym_merge(d, a, a + block, b, less);
    if (a + block < n) sym_merge(d, a, a + block, n, less);
  }
}

// ---- list ordering ---------------------------------------------------------------------------

// How list elements are identified: by a merge key (maps) or by value (scalars).
struct element_identity {
  std::string_view merge_key;
  bool maps = false;

  const value& id(const value& item) const { return maps ? go_lookup(item, merge_key) : item; }
  // index(): position of `item` in `list`, or -1.
  int position(const json::array& list, const value& item) const {
    const value& wanted = id(item);
    for (size_t i = 0; i < list.size(); ++i)
      if (go_equal(wanted, id(list[i]))) return static_cast<int>(i);
    return -1;
  }
};

result require_merge_keys(const json::array& list, std::string_view merge_key) {
  for (const value& item : list) {
    if (!item.is_object()) return bad_arg_type(kMapType, item);
    if (!item.find(merge_key)) return no_merge_key(item, merge_key);
  }
  return std::nullopt;
}

bool is_delete_directive(const value& item) {
  const value* directive = item.find(kDirective);
  return directive && directive->is_string() && directive->as_string() == "delete";
}

// normalizeSliceOrder: sorts `items` by their position in `order`; deletions go last.
result sort_by_order(json::array& items, const json::array& order, const element_identity& ids) {
  json::array deletions;
  if (ids.maps) {
    if (auto f = require_merge_keys(items, ids.merge_key)) return f;
    if (auto f = require_merge_keys(order, ids.merge_key)) return f;
    json::array kept;
    for (value& item : items)
      (is_delete_directive(item) ? deletions : kept).push_back(std::move(item));
    items = std::move(kept);
  }
  std::vector<std::pair<int, value>> ranked;
  for (value& item : items) ranked.emplace_back(ids.position(order, item), std::move(item));
  go_stable_sort(ranked, [](const auto& x, const auto& y) {
    return x.first >= 0 && y.first >= 0 ? x.first < y.first : true;
  });
  items.clear();
  for (auto& [rank, item] : ranked) items.push_back(std::move(item));
  for (value& item : deletions) items.push_back(std::move(item));
  return std::nullopt;
}

// mergeSortedSlice: interleaves server-only items into the patch items, both already sorted,
// using their positions in the live list where both have one.
json::array interleave(json::array server_only, json::array patch_items,
                       const json::array& server_order, const element_identity& ids) {
  json::array out;
  size_t i = 0, j = 0;
  while (i < server_only.size() || j < patch_items.size()) {
    bool take_server = j >= patch_items.size();
    if (i < server_only.size() && j < patch_items.size()) {
      const int left = ids.position(server_order, server_only[i]);
      const int right = ids.position(server_order, patch_items[j]);
      take_server = left >= 0 && right >= 0 && left < right;
    }
    out.push_back(std::move(take_server ? server_only[i++] : patch_items[j++]));
  }
  return out;
}

// Splits `merged` into the items `by` names and the others (partition*ByPresentInList).
result partition(json::array merged, const json::array& by, const element_identity& ids,
                 json::array& named, json::array& others) {
  for (value& item : merged) {
    bool found = false;
    if (ids.maps) {
      if (!item.is_object()) return bad_arg_type(kMapType, item);
      const value* key = item.find(ids.merge_key);
      if (!key) return no_merge_key(item, ids.merge_key);
      for (size_t i = 0; i < by.size() && !found; ++i) {
        if (!by[i].is_object())
          return passed_through("value for key " + std::to_string(i) + " is not a map");
        const value* other = by[i].find(ids.merge_key);
        found = other && go_equal(*other, *key);
      }
    } else {
      found = std::any_of(by.begin(), by.end(), [&](const value& v) { return go_equal(v, item); });
    }
    (found ? named : others).push_back(std::move(item));
  }
  return std::nullopt;
}

// normalizeElementOrder: the patch items in `patch_order`'s order, the server-only items in live
// order, interleaved.
result order_elements(json::array patch_items, json::array server_only,
                      const json::array& patch_order, const json::array& server_order,
                      const element_identity& ids, json::array& out) {
  if (auto f = sort_by_order(patch_items, patch_order, ids)) return f;
  if (auto f = sort_by_order(server_only, server_order, ids)) return f;
  out = interleave(std::move(server_only), std::move(patch_items), server_order, ids);
  return std::nullopt;
}

// ---- merging lists ---------------------------------------------------------------------------

// sliceElementType: the one JSON type of every element of the lists.
result element_type(std::initializer_list<const json::array*> lists, json::kind& out) {
  std::optional<json::kind> seen;
  for (const json::array* list : lists) {
    for (const value& item : *list) {
      if (!seen) {
        if (item.is_null())
          return passed_through("runtime error: invalid memory address or nil pointer dereference");
        if (item.is_array()) return unprocessable_failure(kListOfLists);
        seen = item.type();
      } else if (*seen != item.type()) {
        value shown = value::make_array();
        for (const json::array* l : lists) shown.as_array().push_back(value(*l));
        return passed_through("list element types are not identical: " + go_format(shown));
      }
    }
  }
  if (!seen) return passed_through("no elements in any of the given slices");
  out = *seen;
  return std::nullopt;
}

// deduplicateScalars: removes repeats by moving the last element into their place.
json::array deduplicate(json::array s) {
  size_t length = s.size();
  for (size_t i = 0; i + 1 < length; ++i) {
    for (size_t j = i + 1; j < length; ++j) {
      if (!go_equal(s[i], s[j])) continue;
      s[j] = s[length - 1];
      --length;
      --j;
    }
  }
  s.resize(length);
  return s;
}

json::array without_values(const json::array& current, const json::array& doomed) {
  json::array kept;
  for (const value& v : current)
    if (std::none_of(doomed.begin(), doomed.end(), [&](const value& d) { return go_equal(d, v); }))
      kept.push_back(v);
  return kept;
}

void erase_matching(json::array& list, std::string_view merge_key, const value& key_value) {
  std::erase_if(list, [&](const value& item) {
    const value* v = item.is_object() ? item.find(merge_key) : nullptr;
    return v && go_equal(*v, key_value);
  });
}

// mergeSliceWithSpecialElements: `$patch` elements delete from `original` or make the patch
// replace it; the others stay in `patch`.
result apply_element_directives(json::array& original, json::array& patch,
                                std::string_view merge_key) {
  json::array plain;
  bool replace = false;
  for (value& item : patch) {
    const value* directive = item.find(kDirective);
    if (!directive) {
      plain.push_back(std::move(item));
      continue;
    }
    const std::string name = directive->is_string() ? directive->as_string() : "";
    if (name == "delete") {
      const value* key_value = item.find(merge_key);
      if (!key_value) return no_merge_key(item, merge_key);
      erase_matching(original, merge_key, *key_value);
    } else if (name == "replace") {
      replace = true;
    } else if (name == "merge") {
      return passed_through("merging lists cannot yet be specified in the patch");
    } else {
      return passed_through("unknown patch type: " + go_format_as_string(*directive) +
                            " in map: " + go_format(item));
    }
  }
  if (replace) {
    original = std::move(plain);
    patch.clear();
  } else {
    patch = std::move(plain);
  }
  return std::nullopt;
}

result merge_map(value& original, value& patch, const shape& s);

// mergeSliceWithoutSpecialElements: patch elements merge into the live element with the same
// merge key, or are appended.
result merge_elements(json::array& original, json::array& patch, std::string_view merge_key,
                      const shape& element_shape) {
  for (value& item : patch) {
    const value* key_value = item.find(merge_key);
    if (!key_value) return no_merge_key(item, merge_key);
    auto match = std::find_if(original.begin(), original.end(), [&](const value& o) {
      const value* v = o.find(merge_key);
      return v && go_equal(*v, *key_value);
    });
    if (match == original.end()) {
      original.push_back(item);
      continue;
    }
    value patch_item = item;
    if (auto f = merge_map(*match, patch_item, element_shape)) return f;
  }
  return std::nullopt;
}

// mergeSlice: a merge list, or a `$deleteFromPrimitiveList` list.
result merge_list(value& original, value patch_list, const member_info& info, bool delete_list) {
  json::array& live = original.as_array();
  json::array& patch = patch_list.as_array();
  if (live.empty() && patch.empty()) return std::nullopt;
  json::kind kind;
  if (auto f = element_type({&live, &patch}, kind)) return f;
  const element_identity ids{info.merge_key, kind == json::kind::object};
  json::array merged;
  if (kind != json::kind::object) {
    if (delete_list) {
      live = without_values(live, patch);
      return std::nullopt;
    }
    merged = live;
    merged.insert(merged.end(), patch.begin(), patch.end());
    merged = deduplicate(std::move(merged));
  } else {
    if (info.merge_key.empty())
      return passed_through("cannot merge lists without merge key for " + element_kind_name(info));
    if (auto f = apply_element_directives(live, patch, info.merge_key)) return f;
    merged = live;
    if (auto f = merge_elements(merged, patch, info.merge_key, info.value_shape)) return f;
  }
  // Elements are told apart by merge key when the list has one, whatever they hold.
  const element_identity listed_by{info.merge_key, !info.merge_key.empty()};
  json::array patch_items, server_only, ordered;
  if (auto f = partition(std::move(merged), patch, listed_by, patch_items, server_only)) return f;
  if (auto f =
          order_elements(std::move(patch_items), std::move(server_only), patch, live, ids, ordered))
    return f;
  live = std::move(ordered);
  return std::nullopt;
}

// mergeSliceHandler: merge lists (and delete lists) merge, others are replaced.
result merge_list_member(value& original, value patch_list, const member_info& info,
                         bool delete_list) {
  if (info.merge || delete_list)
    return merge_list(original, std::move(patch_list), info, delete_list);
  original = std::move(patch_list);
  return std::nullopt;
}

// ---- $setElementOrder ---------------------------------------------------------------------

// validatePatchWithSetOrderList: the patch list names its elements in the order's order.
result check_order(const json::array& patch_list, const json::array& order,
                   std::string_view merge_key) {
  if (order.empty() || patch_list.empty()) return std::nullopt;
  json::array listed;
  for (const value& item : patch_list) {
    if (!merge_key.empty() && !item.is_object()) return bad_arg_type(kMapType, item);
    if (merge_key.empty() || !is_delete_directive(item)) listed.push_back(item);
  }
  size_t p = 0, o = 0;
  while (p < listed.size() && o < order.size()) {
    if (has_member(listed[p], kDirective)) {
      ++p;
      continue;
    }
    bool same = go_equal(listed[p], order[o]);
    if (!merge_key.empty()) {
      const std::initializer_list<const value*> pair = {&listed[p], &order[o]};
      for (const value* v : pair)
        if (!v->is_object()) return bad_arg_type(kMapType, *v);
      for (const value* v : pair)
        if (!v->find(merge_key)) return no_merge_key(*v, merge_key);
      same = go_equal(*listed[p].find(merge_key), *order[o].find(merge_key));
    }
    if (same) ++p;
    ++o;
  }
  if (p < listed.size() && o >= order.size())
    return passed_through("The order in patch list:\n" + go_format(value(patch_list)) +
                          "\n doesn't match " + std::string(kSetElementOrder) + " list:\n" +
                          go_format(value(order)) + "\n");
  return std::nullopt;
}

// One `$setElementOrder/<list>` directive: merges the list it names (the patch's list is then
// done) and orders the result by the directive.
result order_list(value& original, value& patch, const shape& s, const std::string& directive_key,
                  value order) {
  if (!order.is_array()) return bad_arg_type(kListType, order);
  std::string key;
  if (auto f = directive_target(directive_key, kSetElementOrder, kBadSetElementOrder, key))
    return f;
  const value* live = original.find(key);
  const value* patched = patch.find(key);
  if (live && !live->is_array()) return bad_arg_type(kListType, *live);
  if (patched && !patched->is_array()) return bad_arg_type(kListType, *patched);
  member_info info;
  if (auto f = describe_list(s, key, info)) return f;
  static const json::array kNone;
  const json::array& live_items = live ? live->as_array() : kNone;
  const json::array& patch_items = patched ? patched->as_array() : kNone;
  if (auto f = check_order(patch_items, order.as_array(), info.merge_key)) return f;
  if (!live && !patched) return std::nullopt;
  value merged = live ? *live : *patched;
  if (!live) remove_directives(merged);
  if (live && patched) {
    if (auto f = merge_list_member(merged, *patched, info, false)) return f;
  }
  const element_identity listed_by{info.merge_key, !info.merge_key.empty()};
  json::array named, others, ordered;
  if (auto f = partition(std::move(merged.as_array()), order.as_array(), listed_by, named, others))
    return f;
  json::kind kind;
  if (auto f = element_type({&live_items, &patch_items}, kind)) return f;
  const element_identity ids{info.merge_key, kind == json::kind::object};
  if (auto f = order_elements(std::move(named), std::move(others), order.as_array(), live_items,
                              ids, ordered))
    return f;
  put_member(original, s, key, value(std::move(ordered)));
  patch.erase(key);
  return std::nullopt;
}

// mergePatchIntoOriginal: every `$setElementOrder/` directive of this map.
result apply_element_orders(value& original, value& patch, const shape& s) {
  std::vector<std::string> directives;
  for (const json::member& m : patch.as_object())
    if (std::string_view(m.key).starts_with(kSetElementOrder)) directives.push_back(m.key);
  for (const std::string& key : directives) {
    value order = take_member(patch, key);
    if (auto f = order_list(original, patch, s, key, std::move(order))) return f;
  }
  return std::nullopt;
}

// ---- maps -----------------------------------------------------------------------------------

// applyRetainKeysDirective: keys of `original` not listed are cleared; the patch may only set
// listed keys.
result apply_retain_keys(value& original, value& patch) {
  if (!patch.find(kRetainKeys)) return std::nullopt;
  const value keys = take_member(patch, kRetainKeys);
  if (!keys.is_array()) return bad_request_failure(kBadRetainKeys);
  auto listed = [&](std::string_view key) {
    return std::any_of(keys.as_array().begin(), keys.as_array().end(),
                       [&](const value& k) { return k.is_string() && k.as_string() == key; });
  };
  for (const json::member& m : patch.as_object()) {
    const std::string_view key = m.key;
    if (m.val.is_null() || key.starts_with(kDeleteFromPrimitiveList) ||
        key.starts_with(kSetElementOrder))
      continue;
    if (!listed(key)) return bad_request_failure(kBadRetainKeys);
  }
  std::erase_if(original.as_object(), [&](const json::member& m) { return !listed(m.key); });
  return std::nullopt;
}

// handleDirectiveInMergeMap: `$patch: replace` takes the patch as the map, `delete` empties it.
result apply_map_directive(value& original, value& patch) {
  const value& directive = *patch.find(kDirective);
  if (directive.is_string() && directive.as_string() == "replace") {
    patch.erase(kDirective);
    original = std::move(patch);
    return std::nullopt;
  }
  if (directive.is_string() && directive.as_string() == "delete") {
    original = value::make_object();
    return std::nullopt;
  }
  return passed_through("unknown patch type: " + go_format_as_string(directive) +
                        " in map: " + go_format(patch));
}

// One member of the patch merged into `original` (mergeMap's loop body).
result merge_member(value& original, const shape& s, std::string key, value patch_value) {
  bool delete_list = false;
  if (std::string_view(key).starts_with(kDeleteFromPrimitiveList)) {
    std::string target;
    if (auto f = directive_target(key, kDeleteFromPrimitiveList, kBadPrimitiveList, target))
      return f;
    key = std::move(target);
    delete_list = true;
  }
  if (patch_value.is_null()) {
    original.erase(key);
    return std::nullopt;
  }
  value* live = original.find(key);
  if (!live || live->type() != patch_value.type()) {
    if (!delete_list) take_whole(original, s, key, std::move(patch_value));
    return std::nullopt;
  }
  const member_info info = describe(s, key);
  if (live->is_object()) {
    if (info.replace) {
      *live = std::move(patch_value);
      return std::nullopt;
    }
    return merge_map(*live, patch_value, info.value_shape);
  }
  if (live->is_array()) return merge_list_member(*live, std::move(patch_value), info, delete_list);
  *live = std::move(patch_value);
  return std::nullopt;
}

// mergeMap: `patch` (consumed) merged into `original`.
result merge_map(value& original, value& patch, const shape& s) {
  if (patch.find(kDirective)) return apply_map_directive(original, patch);
  if (!original.is_object()) original = value::make_object();
  if (auto f = apply_retain_keys(original, patch)) return f;
  if (auto f = apply_element_orders(original, patch, s)) return f;
  for (json::member& m : patch.as_object())
    if (auto f = merge_member(original, s, m.key, std::move(m.val))) return f;
  return std::nullopt;
}

}  // namespace

std::optional<api_error> strategic_merge_patch(const json::value& original,
                                               const json::value& patch,
                                               const schema::message_type& type, json::value& out) {
  out = original;
  if (patch.is_null()) return std::nullopt;
  if (!patch.is_object())
    return bad_request("json: cannot unmarshal " + std::string(json::go_kind_name(patch)) +
                       " into Go value of type map[string]interface {}");
  value consumed = patch;
  if (auto f = merge_map(out, consumed, shape{&type, nullptr})) return to_api_error(*f);
  return std::nullopt;
}

}  // namespace kactor::api
