#include "actors/churn/model.hpp"

#include <charconv>
#include <cstdio>
#include <limits>
#include <sstream>

#include "runtime/config/yaml_reader.hpp"

// Reading and writing config/churn-model.yaml; the scoring itself is in model.cpp.
namespace sb::churn {

namespace {

constexpr double huge = std::numeric_limits<double>::max();

// Shortest text that reads back as the same double, so that to_yaml/load_model round-trip.
std::string number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string{buf, end} : std::string{"0"};
}

// A plain YAML scalar when it cannot be misread, else a double-quoted one.
std::string scalar(const std::string& s) {
  bool plain = !s.empty() && s.front() != '-' && s.front() != '.';
  for (char c : s) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.' || c == '/';
    plain = plain && word;
  }
  if (plain && s != "null" && s != "Null" && s != "NULL") {
    return s;
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[(c >> 4) & 0xF];
      out += hex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A comment line stays one line whatever a path or note contains.
std::string one_line(std::string s) {
  for (char& c : s) {
    c = c == '\n' || c == '\r' ? ' ' : c;
  }
  return s;
}

void read_scaling(yaml::yaml_reader& reader, const yaml::yaml_entry& list, model& m,
                  std::map<std::string, YAML::Mark>& marks) {
  for (const auto& f : reader.entries(list.value, list.path, {}, list.key_node.Mark())) {
    marks.emplace(f.key, f.key_node.Mark());
    // Plain flags rather than std::optional: GCC 12 -O3 warns of a maybe-uninitialized optional.
    scaling sc;
    int valid = 0;
    for (const auto& e : reader.entries(f.value, f.path, {"mean", "std"}, f.key_node.Mark())) {
      const auto v = reader.number_of(e, -huge, huge);
      if (!v) {
        continue;
      }
      if (e.key == "mean") {
        sc.mean = *v;
        ++valid;
      } else if (*v > 0) {
        sc.std = *v;
        ++valid;
      } else {
        reader.fail(errc::config_bad_value, yaml::yaml_reader::mark_of(e), e.path,
                    "must be greater than 0, not " + e.value.Scalar());
      }
    }
    if (f.value.IsMap() && (!f.value["mean"] || !f.value["std"])) {
      reader.fail(errc::config_bad_value, f.key_node.Mark(), f.path,
                  std::string{"missing "} + (f.value["mean"] ? "std" : "mean"));
    }
    if (valid == 2) {
      m.scaling_of[f.key] = sc;
    }
  }
}

training_info read_trained(yaml::yaml_reader& reader, const yaml::yaml_entry& entry) {
  training_info info;
  for (const auto& e : reader.entries(entry.value, entry.path, {"rows", "auc", "at", "data"},
                                      entry.key_node.Mark())) {
    if (e.key == "rows") {
      info.rows = reader.integer_of(e, 0, std::numeric_limits<int64_t>::max()).value_or(0);
    } else if (e.key == "auc") {
      info.auc = reader.number_of(e, 0, 1).value_or(0);
    } else if (e.key == "at") {
      info.at = reader.string_of(e).value_or("");
    } else {
      info.data = reader.string_of(e).value_or("");
    }
  }
  return info;
}

// Cross-key checks, once every key is read.
void check_model(yaml::yaml_reader& reader, const YAML::Node& root, const model& m,
                 const std::map<std::string, YAML::Mark>& scaling_marks,
                 const std::optional<YAML::Mark>& threshold_mark,
                 const std::optional<YAML::Mark>& hysteresis_mark) {
  for (const char* key : {"intercept", "weights"}) {
    if (!root[key]) {
      reader.fail(errc::config_bad_value, root.Mark(), key, "missing (required)");
    }
  }
  for (const auto& [name, mark] : scaling_marks) {
    if (m.weights.count(name) == 0) {
      reader.fail(errc::config_bad_value, mark, "scaling." + name,
                  "scales a feature that has no weight (a misspelt name?)");
    }
  }
  if (m.hysteresis < m.threshold) {
    return;
  }
  if (hysteresis_mark) {
    reader.fail(errc::config_bad_value, *hysteresis_mark, "hysteresis",
                "must be less than the threshold (" + number(m.threshold) +
                    "), or an alert would never re-arm");
  } else if (threshold_mark) {
    reader.fail(errc::config_bad_value, *threshold_mark, "threshold",
                "must be greater than the hysteresis (" + number(m.hysteresis) +
                    " by default), or an alert would never re-arm");
  }
}

}  // namespace

result<model> load_model(const std::string& path) {
  yaml::yaml_reader reader{path};
  try {
    auto root = reader.parse();
    if (!root) {
      return reader.to_error();
    }
    model m;
    std::map<std::string, YAML::Mark> scaling_marks;
    std::optional<YAML::Mark> threshold_mark;
    std::optional<YAML::Mark> hysteresis_mark;
    for (const auto& e : reader.entries(
             *root, "", {"intercept", "weights", "scaling", "threshold", "hysteresis", "trained"},
             YAML::Mark{})) {
      if (e.key == "intercept") {
        m.intercept = reader.number_of(e, -huge, huge).value_or(0);
      } else if (e.key == "weights") {
        const auto weights = reader.entries(e.value, e.path, {}, e.key_node.Mark());
        for (const auto& w : weights) {
          if (auto v = reader.number_of(w, -huge, huge)) {
            m.weights[w.key] = *v;
          }
        }
        if (e.value.IsMap() && weights.empty()) {
          reader.fail(errc::config_bad_value, yaml::yaml_reader::mark_of(e), e.path,
                      "expected at least one feature");
        }
      } else if (e.key == "scaling") {
        read_scaling(reader, e, m, scaling_marks);
      } else if (e.key == "threshold") {
        auto v = reader.number_of(e, 0, 1);
        if (v && (*v <= 0 || *v >= 1)) {
          reader.fail(errc::config_bad_value, yaml::yaml_reader::mark_of(e), e.path,
                      "must be strictly between 0 and 1, not " + e.value.Scalar());
        } else if (v) {
          m.threshold = *v;
          threshold_mark = yaml::yaml_reader::mark_of(e);
        }
      } else if (e.key == "hysteresis") {
        if (auto v = reader.number_of(e, 0, 1)) {
          m.hysteresis = *v;
          hysteresis_mark = yaml::yaml_reader::mark_of(e);
        }
      } else {
        m.trained = read_trained(reader, e);
      }
    }
    if (root->IsMap()) {
      check_model(reader, *root, m, scaling_marks, threshold_mark, hysteresis_mark);
    }
    if (!reader.ok()) {
      return reader.to_error();
    }
    return m;
  } catch (const std::exception& e) {
    // yaml-cpp throws on misuse only; a bug, not a bad file, but it must not escape.
    return error{errc::internal, path + ": " + e.what()};
  }
}

std::string to_yaml(const model& m, const std::vector<std::string>& header_lines) {
  std::ostringstream out;
  out << "# Churn-risk model for sb::churn::score() (actors/churn/model.hpp), read by "
         "load_model().\n"
         "# score = sigmoid(intercept + sum of weight_f * (x_f - mean_f) / std_f); a score at or\n"
         "# above the threshold raises churn.high_risk, again only after it fell below\n"
         "# threshold - hysteresis.\n";
  if (m.trained) {
    const auto& t = *m.trained;
    char auc_text[16];
    std::snprintf(auc_text, sizeof auc_text, "%.4f", t.auc);
    out << "# Trained on " << t.rows << " rows" << (t.data.empty() ? "" : " of " + one_line(t.data))
        << (t.at.empty() ? "" : " at " + t.at) << "; held-out AUC " << auc_text << ".\n"
        << "# (sbctl train-churn: L2-regularised logistic regression on standardised features;\n"
        << "# the threshold maximises F1 on the train rows.)\n";
  } else {
    out << "# No training information recorded.\n";
  }
  for (const auto& line : header_lines) {
    out << "# " << one_line(line) << "\n";
  }
  out << "intercept: " << number(m.intercept) << "\n"
      << "threshold: " << number(m.threshold) << "\n"
      << "hysteresis: " << number(m.hysteresis) << "\n"
      << "weights:\n";
  for (const auto& [name, w] : m.weights) {
    out << "  " << scalar(name) << ": " << number(w) << "\n";
  }
  if (!m.scaling_of.empty()) {
    out << "scaling:\n";
    for (const auto& [name, s] : m.scaling_of) {
      out << "  " << scalar(name) << ": {mean: " << number(s.mean) << ", std: " << number(s.std)
          << "}\n";
    }
  }
  if (m.trained) {
    const auto& t = *m.trained;
    out << "trained:\n  rows: " << t.rows << "\n  auc: " << number(t.auc) << "\n";
    if (!t.at.empty()) {
      out << "  at: " << scalar(t.at) << "\n";
    }
    if (!t.data.empty()) {
      out << "  data: " << scalar(t.data) << "\n";
    }
  }
  return out.str();
}
}  // namespace sb::churn
