#include "actors/experiment/experiment_spec.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "runtime/config/node_config.hpp"
#include "runtime/config/yaml_reader.hpp"

namespace sb::experiments {

namespace {

using yaml::yaml_entry;
using yaml::yaml_reader;

constexpr int64_t max_weight = 1'000'000;

std::string join(const std::vector<std::string_view>& names, std::string_view before = "",
                 std::string_view after = "") {
  std::string out;
  for (auto name : names) {
    out.append(out.empty() ? "" : ", ").append(before).append(name).append(after);
  }
  return out;
}

bool valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::optional<bool> bool_of(yaml_reader& reader, const yaml_entry& e) {
  // Only the two spellings; yaml-cpp would also take y/on/yes, which read like typos here.
  if (e.value.IsScalar() && (e.value.Scalar() == "true" || e.value.Scalar() == "false")) {
    return e.value.Scalar() == "true";
  }
  reader.fail(errc::config_bad_value, yaml_reader::mark_of(e), e.path,
              "expected true or false, found " + (e.value.IsScalar()
                                                      ? "\"" + e.value.Scalar() + "\""
                                                      : std::string{yaml::kind_of(e.value)}));
  return std::nullopt;
}

// A script with where it was written: placeholders can only be checked once the surface is known,
// and `surface` may come after `variants` in the map.
struct written_script {
  std::string text;
  std::string path;
  YAML::Mark mark;
};

void check_placeholders(yaml_reader& reader, const written_script& s, std::string_view surface) {
  const auto& allowed = placeholders(surface);
  for (size_t open = s.text.find('{'); open != std::string::npos;
       open = s.text.find('{', open + 1)) {
    const auto close = s.text.find('}', open);
    if (close == std::string::npos) {
      reader.fail(errc::config_bad_value, s.mark, s.path,
                  "a '{' without '}'; placeholders are written {name}");
      return;
    }
    const std::string_view name{s.text.data() + open + 1, close - open - 1};
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      reader.fail(errc::config_bad_value, s.mark, s.path,
                  "unknown placeholder {" + std::string{name} + "}; " + std::string{surface} +
                      " scripts may use " + join(allowed, "{", "}"));
    }
  }
}

// Reads `variants` into `spec`, collecting the scripts for check_placeholders.
void read_variants(yaml_reader& reader, const yaml_entry& list, experiment_spec& spec,
                   std::vector<written_script>& scripts) {
  if (!list.value.IsSequence()) {
    reader.fail(errc::config_bad_value, yaml_reader::mark_of(list), list.path,
                "expected a list of variants, found " + std::string{yaml::kind_of(list.value)});
    return;
  }
  std::map<std::string, int> names;  // name -> line of its first use
  for (size_t i = 0; i < list.value.size(); ++i) {
    const YAML::Node item = list.value[i];
    const auto path = list.path + "[" + std::to_string(i) + "]";
    variant v;
    for (const auto& e :
         reader.entries(item, path, {"name", "weight", "script"}, list.value.Mark())) {
      if (e.key == "name") {
        if (auto s = reader.string_of(e)) {
          v.name = *s;
          auto [first, fresh] = names.emplace(*s, e.value.Mark().line + 1);
          if (!fresh) {
            reader.fail(errc::config_bad_value, e.value.Mark(), e.path,
                        "variant \"" + *s + "\" is already defined at line " +
                            std::to_string(first->second));
          }
        }
      } else if (e.key == "weight") {
        if (auto w = reader.integer_of(e, 1, max_weight)) {
          v.weight = *w;
        }
      } else if (auto s = reader.string_of(e)) {
        v.script = *s;
        scripts.push_back({*s, e.path, e.value.Mark()});
      }
    }
    if (item.IsMap() && !item["name"]) {
      reader.fail(errc::config_bad_value, item.Mark(), path, "missing key 'name'");
    }
    if (item.IsMap() && !item["script"]) {
      reader.fail(errc::config_bad_value, item.Mark(), path, "missing key 'script'");
    }
    spec.variants.push_back(std::move(v));
  }
  if (list.value.size() < 2) {
    reader.fail(
        errc::config_bad_value, yaml_reader::mark_of(list), list.path,
        "an experiment needs at least two variants, found " + std::to_string(list.value.size()));
  }
}

void read_metrics(yaml_reader& reader, const yaml_entry& e, experiment_spec& spec) {
  spec.count_clicks = false;
  spec.count_orders = false;
  const auto metrics = reader.strings_of(e.value, e.path, e.key_node.Mark(), true);
  for (const auto& m : metrics) {
    if (m.text != "click" && m.text != "order") {
      reader.fail(errc::config_bad_value, m.mark, m.path,
                  "unknown metric \"" + m.text + "\" (expected click or order)");
      continue;
    }
    bool& flag = m.text == "click" ? spec.count_clicks : spec.count_orders;
    if (flag) {
      reader.fail(errc::config_bad_value, m.mark, m.path, "\"" + m.text + "\" is listed twice");
    }
    flag = true;
  }
  if (e.value.IsSequence() && e.value.size() == 0) {
    reader.fail(errc::config_bad_value, yaml_reader::mark_of(e), e.path,
                "at least one metric is needed: click, order or both");
  }
}

void read_match(yaml_reader& reader, const yaml_entry& e, experiment_spec& spec) {
  const auto keys = reader.entries(e.value, e.path, {"category", "brand"}, e.key_node.Mark());
  for (const auto& k : keys) {
    if (auto s = reader.string_of(k)) {
      (k.key == "category" ? spec.match_category : spec.match_brand) = *s;
    }
  }
  if (e.value.IsMap() && e.value.size() == 0) {
    reader.fail(errc::config_bad_value, yaml_reader::mark_of(e), e.path,
                "expected category and/or brand");
  }
}

// Reads one item of `experiments`; returns the spec (complete only if the reader stayed ok) and
// sets `id_at` to the mark of its id for the duplicate check.
experiment_spec read_experiment(yaml_reader& reader, const YAML::Node& node,
                                const std::string& path, const YAML::Mark& where,
                                YAML::Mark& id_at) {
  experiment_spec spec;
  std::vector<written_script> scripts;
  std::optional<yaml_entry> match;
  std::optional<yaml_entry> control;
  bool surface_ok = false;
  for (const auto& e : reader.entries(node, path,
                                      {"id", "name", "enabled", "surface", "match", "metrics",
                                       "attribution_window", "mode", "control", "variants"},
                                      where)) {
    if (e.key == "id") {
      if (auto s = reader.string_of(e)) {
        spec.id = *s;
        id_at = e.value.Mark();
        if (!valid_id(*s)) {
          reader.fail(errc::config_bad_value, e.value.Mark(), e.path,
                      "\"" + *s + "\" may use only a-z, 0-9 and '-'");
        }
      }
    } else if (e.key == "name") {
      if (auto s = reader.string_of(e)) {
        spec.name = *s;
      }
    } else if (e.key == "enabled") {
      spec.enabled = bool_of(reader, e).value_or(true);
    } else if (e.key == "surface") {
      if (auto s = reader.string_of(e)) {
        spec.surface = *s;
        surface_ok = !placeholders(*s).empty();
        if (!surface_ok) {
          reader.fail(errc::config_bad_value, e.value.Mark(), e.path,
                      "unknown surface \"" + *s + "\" (expected " +
                          std::string{recommendation_reply} + " or " + std::string{coupon_message} +
                          ")");
        }
      }
    } else if (e.key == "match") {
      match = e;
      read_match(reader, e, spec);
    } else if (e.key == "metrics") {
      read_metrics(reader, e, spec);
    } else if (e.key == "attribution_window") {
      if (auto s = reader.string_of(e)) {
        auto d = parse_duration(*s);
        if (!d) {
          reader.fail(errc::config_bad_value, e.value.Mark(), e.path, d.err().message);
        } else if (d->count() <= 0) {
          reader.fail(errc::config_bad_value, e.value.Mark(), e.path, "must be longer than 0s");
        } else {
          spec.attribution_window_ms = d->count();
        }
      }
    } else if (e.key == "mode") {
      if (auto s = reader.string_of(e)) {
        spec.thompson = *s == "thompson";
        if (*s != "fixed" && *s != "thompson") {
          reader.fail(errc::config_bad_value, e.value.Mark(), e.path,
                      "unknown mode \"" + *s + "\" (expected fixed or thompson)");
        }
      }
    } else if (e.key == "control") {
      if (reader.string_of(e)) {
        control = e;
      }
    } else {
      read_variants(reader, e, spec, scripts);
    }
  }
  if (!node.IsMap()) {
    return spec;
  }
  for (const char* key : {"id", "surface", "variants"}) {
    if (!node[key]) {
      reader.fail(errc::config_bad_value, node.Mark(), path,
                  std::string{"missing key '"} + key + "'");
    }
  }
  if (spec.name.empty()) {
    spec.name = spec.id;
  }
  if (surface_ok) {
    for (const auto& s : scripts) {
      check_placeholders(reader, s, spec.surface);
    }
  }
  if (match && spec.surface == coupon_message) {
    reader.fail(errc::config_bad_value, match->key_node.Mark(), match->path,
                "only recommendation_reply experiments match products");
  }
  if (control) {
    const auto& wanted = control->value.Scalar();
    const auto it = std::find_if(spec.variants.begin(), spec.variants.end(),
                                 [&](const variant& v) { return v.name == wanted; });
    if (it != spec.variants.end()) {
      spec.control = static_cast<size_t>(it - spec.variants.begin());
    } else if (!spec.variants.empty()) {
      std::vector<std::string_view> names;
      for (const auto& v : spec.variants) {
        names.push_back(v.name);
      }
      reader.fail(errc::config_bad_value, control->value.Mark(), control->path,
                  "no variant is named \"" + wanted + "\" (variants: " + join(names) + ")");
    }
  }
  return spec;
}

}  // namespace

const std::vector<std::string_view>& placeholders(std::string_view surface) {
  static const std::vector<std::string_view> recommendation{"product", "brand", "price"};
  static const std::vector<std::string_view> coupon{"amount", "code", "valid_for"};
  static const std::vector<std::string_view> none;
  if (surface == recommendation_reply) {
    return recommendation;
  }
  return surface == coupon_message ? coupon : none;
}

result<std::vector<experiment_spec>> load_experiments(const std::string& path) {
  yaml_reader reader{path};
  try {
    auto root = reader.parse();
    if (!root) {
      return reader.to_error();
    }
    std::vector<experiment_spec> out;
    std::map<std::string, int> ids;  // id -> line of its first use
    bool listed = false;
    for (const auto& e : reader.entries(*root, "", {"experiments"}, YAML::Mark::null_mark())) {
      listed = true;
      if (!e.value.IsSequence()) {
        reader.fail(errc::config_bad_value, yaml_reader::mark_of(e), e.path,
                    "expected a list of experiments, found " + std::string{yaml::kind_of(e.value)});
        continue;
      }
      for (size_t i = 0; i < e.value.size(); ++i) {
        YAML::Mark id_at = YAML::Mark::null_mark();
        auto spec = read_experiment(reader, e.value[i], e.path + "[" + std::to_string(i) + "]",
                                    e.value.Mark(), id_at);
        if (!spec.id.empty()) {
          auto [first, fresh] = ids.emplace(spec.id, id_at.line + 1);
          if (!fresh) {
            reader.fail(errc::config_bad_value, id_at, e.path + "[" + std::to_string(i) + "].id",
                        "experiment \"" + spec.id + "\" is already defined at line " +
                            std::to_string(first->second));
          }
        }
        out.push_back(std::move(spec));
      }
    }
    if (root->IsMap() && !listed) {
      reader.fail(errc::config_bad_value, root->Mark(), "", "missing key 'experiments'");
    }
    if (!reader.ok()) {
      return reader.to_error();
    }
    return out;
  } catch (const std::exception& e) {
    // yaml-cpp throws on misuse it considers impossible; keep the promise of errors as values.
    return error{errc::internal, path + ": " + e.what()};
  }
}

const experiment_spec* find(const std::vector<experiment_spec>& all, std::string_view id) {
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const experiment_spec& s) { return s.id == id; });
  return it == all.end() ? nullptr : &*it;
}

bool matches(const experiment_spec& spec, std::string_view category, std::string_view brand) {
  return (spec.match_category.empty() || spec.match_category == category) &&
         (spec.match_brand.empty() || spec.match_brand == brand);
}

}  // namespace sb::experiments
