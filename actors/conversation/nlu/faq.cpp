#include "actors/conversation/nlu/faq.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "actors/conversation/nlu/segmenter.hpp"
#include "runtime/config/yaml_reader.hpp"

namespace sb::nlu {

namespace {

bool valid_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Whether a token holds a CJK character (U+3000..U+9FFF: lead bytes E3..E9) or a CJK
// compatibility ideograph (U+F900..U+FAFF: EF A4..EF AB).
bool has_chinese(const std::string& token) {
  for (size_t i = 0; i < token.size(); ++i) {
    const auto b = static_cast<unsigned char>(token[i]);
    if (b >= 0xE3 && b <= 0xE9) {
      return true;
    }
    if (b == 0xEF && i + 1 < token.size()) {
      const auto next = static_cast<unsigned char>(token[i + 1]);
      if (next >= 0xA4 && next <= 0xAB) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> faq_model::words() const {
  std::vector<std::string> out;
  out.reserve(keywords_.size());
  for (const auto& k : keywords_) {
    out.push_back(k.text);
  }
  return out;
}

// -- loading --------------------------------------------------------------------------------------

result<faq_model> load_faq(const std::string& path) {
  yaml::yaml_reader reader{path};
  auto root = reader.parse();
  if (!root) {
    return reader.to_error();
  }
  faq_model faq;
  std::map<std::string, int> ids;  // id -> line of its first use
  bool saw_entries = false;

  const auto read_entry = [&](const YAML::Node& node, const std::string& at) {
    faq_model::entry e;
    std::vector<faq_model::keyword> words;
    std::set<std::string> present;  // keys given, right or wrong, so nothing is reported twice
    for (const auto& f : reader.entries(node, at, {"id", "keywords", "answer"}, node.Mark())) {
      present.insert(f.key);
      if (f.key == "id") {
        auto id = reader.string_of(f);
        if (!id) {
          continue;
        }
        if (!valid_id(*id)) {
          reader.fail(errc::config_bad_value, f.value.Mark(), f.path,
                      "\"" + *id + "\": use lower-case letters, digits, _ and - only");
          continue;
        }
        auto [it, inserted] = ids.emplace(*id, f.value.Mark().line + 1);
        if (!inserted) {
          reader.fail(errc::config_bad_value, f.value.Mark(), f.path,
                      "\"" + *id + "\" is already the id of the entry at line " +
                          std::to_string(it->second));
          continue;
        }
        e.id = *id;
      } else if (f.key == "keywords") {
        if (!f.value.IsSequence() || f.value.size() == 0) {
          reader.fail(errc::config_bad_value, yaml::yaml_reader::mark_of(f), f.path,
                      "expected a list of keyword groups such as - [发票, invoice], found " +
                          std::string{yaml::kind_of(f.value)});
          continue;
        }
        for (size_t g = 0; g < f.value.size(); ++g) {
          const YAML::Node group = f.value[g];
          const auto group_path = f.path + "[" + std::to_string(g) + "]";
          if (group.IsSequence() && group.size() == 0) {
            reader.fail(errc::config_bad_value, group.Mark(), group_path,
                        "an empty group can never be met");
            continue;
          }
          for (const auto& w : reader.strings_of(group, group_path, f.value.Mark(), true)) {
            if (fold(w.text).empty()) {
              reader.fail(errc::config_bad_value, w.mark, w.path,
                          "\"" + w.text + "\" has no letters, digits or characters to match");
              continue;
            }
            words.push_back({0, e.groups, w.text});
          }
          ++e.groups;
        }
      } else {
        std::set<std::string> languages;
        for (const auto& a : reader.entries(f.value, f.path, {"zh", "en"}, f.key_node.Mark())) {
          languages.insert(a.key);
          if (auto text = reader.string_of(a)) {
            (a.key == "zh" ? e.answer_zh : e.answer_en) = *text;
          }
        }
        for (const char* lang : {"zh", "en"}) {
          if (f.value.IsMap() && languages.count(lang) == 0) {
            reader.fail(errc::config_bad_value, f.key_node.Mark(), f.path + "." + lang,
                        "missing (every answer is written in Chinese and English)");
          }
        }
      }
    }
    if (!node.IsMap()) {
      return;
    }
    for (const char* key : {"id", "keywords", "answer"}) {
      if (present.count(key) == 0) {
        reader.fail(errc::config_bad_value, node.Mark(), at + "." + key, "missing");
      }
    }
    for (auto& w : words) {
      w.entry = faq.entries_.size();
      faq.index_.add(w.text, faq.keywords_.size());
      faq.keywords_.push_back(std::move(w));
    }
    faq.entries_.push_back(std::move(e));
  };

  for (const auto& top : reader.entries(*root, "", {"min_score", "entries"}, YAML::Mark{})) {
    if (top.key == "min_score") {
      if (auto v = reader.number_of(top, 0.01, 1.0)) {
        faq.min_score_ = *v;
      }
      continue;
    }
    saw_entries = true;
    if (!top.value.IsSequence()) {
      reader.fail(errc::config_bad_value, yaml::yaml_reader::mark_of(top), top.path,
                  "expected a list of entries, found " + std::string{yaml::kind_of(top.value)});
      continue;
    }
    for (size_t i = 0; i < top.value.size(); ++i) {
      read_entry(top.value[i], top.path + "[" + std::to_string(i) + "]");
    }
  }
  if (!saw_entries && reader.ok()) {
    reader.fail(errc::config_bad_value, YAML::Mark{}, "entries", "missing");
  }
  if (!reader.ok()) {
    return reader.to_error();
  }
  return faq;
}

// -- matching -------------------------------------------------------------------------------------

std::optional<faq_answer> match(const faq_model& faq, const std::vector<std::string>& tokens) {
  const auto words = fold_all(tokens);
  struct tally {
    std::set<size_t> groups;
    std::vector<size_t> keywords;  // distinct, in message order
  };
  std::vector<tally> found(faq.entries_.size());
  for (const auto& m : faq.index_.find_all(words)) {
    for (size_t id : *m.ids) {
      const auto& k = faq.keywords_[id];
      auto& t = found[k.entry];
      t.groups.insert(k.group);
      if (std::find(t.keywords.begin(), t.keywords.end(), id) == t.keywords.end()) {
        t.keywords.push_back(id);
      }
    }
  }
  std::optional<size_t> best;
  double best_score = 0;
  for (size_t e = 0; e < faq.entries_.size(); ++e) {
    const double score =
        static_cast<double>(found[e].groups.size()) / static_cast<double>(faq.entries_[e].groups);
    if (score < faq.min_score_) {
      continue;
    }
    if (!best || score > best_score ||
        (score == best_score && found[e].keywords.size() > found[*best].keywords.size())) {
      best = e;
      best_score = score;
    }
  }
  if (!best) {
    return std::nullopt;
  }
  const auto& entry = faq.entries_[*best];
  const bool zh = std::any_of(words.begin(), words.end(), has_chinese);
  faq_answer out;
  out.id = entry.id;
  out.language = zh ? "zh" : "en";
  out.answer = zh ? entry.answer_zh : entry.answer_en;
  out.score = best_score;
  for (size_t id : found[*best].keywords) {
    out.matched.push_back(faq.keywords_[id].text);
  }
  return out;
}

}  // namespace sb::nlu
