#include "actors/conversation/nlu/intents.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "runtime/config/yaml_reader.hpp"

namespace sb::nlu {

namespace {

constexpr std::array<std::pair<intent_kind, std::string_view>, 8> intent_names{{
    {intent_kind::unknown, "unknown"},
    {intent_kind::greeting, "greeting"},
    {intent_kind::product_inquiry, "product_inquiry"},
    {intent_kind::price_question, "price_question"},
    {intent_kind::order_status, "order_status"},
    {intent_kind::complaint, "complaint"},
    {intent_kind::ask_human, "ask_human"},
    {intent_kind::thanks_bye, "thanks_bye"},
}};

std::string known_intents() {
  std::string out;
  for (const auto& [kind, name] : intent_names) {
    if (kind != intent_kind::unknown) {
      out += out.empty() ? "" : ", ";
      out += name;
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(intent_kind kind) noexcept {
  for (const auto& [k, name] : intent_names) {
    if (k == kind) {
      return name;
    }
  }
  return "unknown";
}

std::optional<intent_kind> intent_from_string(std::string_view name) noexcept {
  for (const auto& [kind, n] : intent_names) {
    if (n == name) {
      return kind;
    }
  }
  return std::nullopt;
}

std::vector<std::string> intent_model::words() const {
  std::vector<std::string> out;
  out.reserve(phrases_.size());
  for (const auto& p : phrases_) {
    out.push_back(p.text);
  }
  return out;
}

// -- loading --------------------------------------------------------------------------------------

result<intent_model> load_intents(const std::string& path) {
  yaml::yaml_reader reader{path};
  auto root = reader.parse();
  if (!root) {
    return reader.to_error();
  }
  intent_model model;
  const auto add_words = [&](const std::vector<yaml::located_string>& words, size_t rule,
                             bool required) {
    for (const auto& w : words) {
      if (!model.index_.add(w.text, model.phrases_.size())) {
        reader.fail(errc::config_bad_value, w.mark, w.path,
                    "\"" + w.text + "\" has no letters, digits or characters to match");
        continue;
      }
      model.phrases_.push_back({rule, w.text, required});
    }
  };
  bool saw_intents = false;
  for (const auto& top : reader.entries(*root, "", {"intents", "ignored_words"}, YAML::Mark{})) {
    if (top.key == "ignored_words") {
      for (const auto& w : reader.strings_of(top.value, top.path, top.key_node.Mark())) {
        if (!model.ignored_.add(w.text, 0)) {
          reader.fail(errc::config_bad_value, w.mark, w.path,
                      "\"" + w.text + "\" has no letters, digits or characters to match");
        }
      }
      continue;
    }
    saw_intents = true;
    for (const auto& item : reader.entries(top.value, top.path, {}, top.key_node.Mark())) {
      const auto kind = intent_from_string(item.key);
      if (!kind) {
        reader.fail(errc::config_unknown_key, item.key_node.Mark(), item.path,
                    "unknown intent (expected one of " + known_intents() + ")");
        continue;
      }
      if (*kind == intent_kind::unknown) {
        reader.fail(errc::config_bad_value, item.key_node.Mark(), item.path,
                    "unknown is what is left when no intent matches; it takes no words");
        continue;
      }
      const size_t rule = model.rules_.size();
      model.rules_.push_back({*kind, 0, false});
      bool has_words = false;
      for (const auto& field : reader.entries(item.value, item.path,
                                              {"description", "priority", "keywords", "requires"},
                                              item.key_node.Mark())) {
        if (field.key == "description") {
          (void)reader.string_of(field);
        } else if (field.key == "priority") {
          if (auto p = reader.integer_of(field, 0, 1000)) {
            model.rules_[rule].priority = static_cast<int>(*p);
          }
        } else {
          const bool required = field.key == "requires";
          const auto words = reader.strings_of(field.value, field.path, field.key_node.Mark());
          if (required) {
            model.rules_[rule].has_requires = !words.empty();
          }
          // A value that is not a list was reported already; do not report it twice.
          has_words = has_words || !words.empty() || !field.value.IsSequence();
          add_words(words, rule, required);
        }
      }
      if (!has_words && item.value.IsMap()) {
        reader.fail(errc::config_bad_value, item.key_node.Mark(), item.path,
                    "needs keywords or requires (an intent without words never matches)");
      }
    }
  }
  if (!saw_intents && reader.ok()) {
    reader.fail(errc::config_bad_value, YAML::Mark{}, "intents", "missing");
  }
  if (!reader.ok()) {
    return reader.to_error();
  }
  return model;
}

// -- matching -------------------------------------------------------------------------------------

understanding understand(const intent_model& model, const std::vector<std::string>& tokens) {
  understanding out;
  out.tokens = fold_all(tokens);
  const auto& toks = out.tokens;

  // What each intent found: distinct phrases (with their first position and widest span) and
  // the tokens they cover.
  struct evidence {
    std::map<size_t, std::pair<size_t, size_t>> phrases;  // phrase id -> (first begin, max span)
    std::set<size_t> covered;
    bool required = false;
  };
  std::vector<evidence> found(model.rules_.size());
  for (const auto& m : model.index_.find_all(toks)) {
    for (size_t id : *m.ids) {
      const auto& p = model.phrases_[id];
      auto& ev = found[p.rule];
      auto [it, inserted] = ev.phrases.emplace(id, std::make_pair(m.begin, m.end - m.begin));
      if (!inserted) {
        it->second.second = std::max(it->second.second, m.end - m.begin);
      }
      for (size_t t = m.begin; t < m.end; ++t) {
        ev.covered.insert(t);
      }
      ev.required = ev.required || p.required;
    }
  }

  // Longer phrases are more specific, so they count for more.
  const auto strength = [&](size_t rule) {
    double s = 0;
    for (const auto& [id, where] : found[rule].phrases) {
      s += 1.0 + 0.5 * static_cast<double>(where.second - 1);
    }
    return s;
  };
  const auto candidate = [&](size_t rule) {
    return !found[rule].phrases.empty() &&
           (!model.rules_[rule].has_requires || found[rule].required);
  };

  std::optional<size_t> best;
  double best_strength = 0;
  for (size_t r = 0; r < model.rules_.size(); ++r) {
    if (!candidate(r)) {
      continue;
    }
    const double s = strength(r);
    if (!best || model.rules_[r].priority > model.rules_[*best].priority ||
        (model.rules_[r].priority == model.rules_[*best].priority && s > best_strength)) {
      best = r;
      best_strength = s;
    }
  }
  if (!best) {
    return out;
  }
  const auto& winner = found[*best];
  out.intent = model.rules_[*best].kind;

  size_t content = 0;
  size_t covered = 0;
  for (size_t t = 0; t < toks.size(); ++t) {
    if (model.ignored_.find(toks[t]) == nullptr) {
      ++content;
      covered += winner.covered.count(t);
    }
  }
  const double coverage =
      content == 0 ? 1.0 : static_cast<double>(covered) / static_cast<double>(content);
  double confidence = 0.5 + 0.4 * coverage + 0.1 * std::min(1.0, best_strength - 1.0);
  for (size_t r = 0; r < model.rules_.size(); ++r) {
    if (r != *best && candidate(r) && model.rules_[r].priority == model.rules_[*best].priority) {
      confidence -= 0.15;
      break;
    }
  }
  out.confidence = std::clamp(confidence, 0.0, 1.0);

  std::vector<std::pair<size_t, size_t>> order;  // (first begin, phrase id)
  for (const auto& [id, where] : winner.phrases) {
    order.emplace_back(where.first, id);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [begin, id] : order) {
    const auto& text = model.phrases_[id].text;
    if (std::find(out.matched.begin(), out.matched.end(), text) == out.matched.end()) {
      out.matched.push_back(text);
    }
  }
  return out;
}

understanding understand(const intent_model& model, const segmenter& seg, std::string_view text) {
  return understand(model, seg.cut(text));
}

}  // namespace sb::nlu
