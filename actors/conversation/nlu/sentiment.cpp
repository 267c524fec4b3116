#include "actors/conversation/nlu/sentiment.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "actors/conversation/nlu/segmenter.hpp"
#include "runtime/config/yaml_reader.hpp"

namespace sb::nlu {

namespace {

// The s of s / sqrt(s² + a): with a = 4 one "满意" (2) scores 0.71 and one "有点失望" (-1.2) -0.51.
constexpr double squash_constant = 4.0;

// Negation turns a positive word into a fairly strong negative one ("不满意") but a negative word
// only into a mild positive one ("not bad" is not praise).
constexpr double negated_positive = -0.8;
constexpr double negated_negative = -0.5;

// Bytes of the UTF-8 sequence that starts with `lead`.
size_t sequence_length(unsigned char lead) {
  if (lead < 0xC0) {
    return 1;
  }
  if (lead < 0xE0) {
    return 2;
  }
  return lead < 0xF0 ? 3 : 4;
}

}  // namespace

std::vector<std::string> lexicon::words() const {
  std::vector<std::string> out;
  out.reserve(terms_.size());
  for (const auto& t : terms_) {
    out.push_back(t.text);
  }
  return out;
}

const lexicon::term* lexicon::find(const std::string& folded) const {
  const auto* ids = index_.find(folded);
  return ids == nullptr ? nullptr : &terms_[ids->front()];
}

// -- loading --------------------------------------------------------------------------------------

result<lexicon> load_lexicon(const std::string& path) {
  yaml::yaml_reader reader{path};
  auto root = reader.parse();
  if (!root) {
    return reader.to_error();
  }
  lexicon lex;
  struct origin {
    size_t term;
    std::string list;
    int line;
  };
  std::unordered_map<std::string, origin> seen;  // folded text -> where it was first listed
  const auto add = [&](const std::string& text, lexicon::role kind, double weight,
                       const std::string& list, const YAML::Mark& mark, const std::string& at) {
    auto folded = fold(text);
    if (folded.empty()) {
      reader.fail(errc::config_bad_value, mark, at,
                  "\"" + text + "\" has no letters, digits or characters to match");
      return;
    }
    auto it = seen.find(folded);
    if (it == seen.end()) {
      lex.index_.add(folded, lex.terms_.size());
      seen.emplace(folded, origin{lex.terms_.size(), list, mark.line + 1});
      lex.terms_.push_back({text, lexicon::role::none, 0, false});
      it = seen.find(folded);
    }
    auto& t = lex.terms_[it->second.term];
    if (kind == lexicon::role::none) {
      t.price = true;  // a price word may also carry sentiment, listed elsewhere
      return;
    }
    if (t.kind != lexicon::role::none) {
      reader.fail(errc::config_bad_value, mark, at,
                  "\"" + text + "\" is already under " + it->second.list + " (line " +
                      std::to_string(it->second.line) + "); a word can have one meaning");
      return;
    }
    t.kind = kind;
    t.weight = weight;
  };

  const auto weighted = [&](const yaml::yaml_entry& list, lexicon::role kind, double sign) {
    for (const auto& e : reader.entries(list.value, list.path, {}, list.key_node.Mark())) {
      if (auto w = reader.number_of(e, 0.01, 10.0)) {
        add(e.key, kind, sign * *w, list.key, e.key_node.Mark(), e.path);
      }
    }
  };
  const auto plain = [&](const yaml::yaml_entry& list, lexicon::role kind) {
    for (const auto& w : reader.strings_of(list.value, list.path, list.key_node.Mark())) {
      add(w.text, kind, 0, list.key, w.mark, w.path);
    }
  };

  for (const auto& e : reader.entries(*root, "",
                                      {"strong_negative_threshold", "negation_window", "positive",
                                       "negative", "negations", "intensifiers", "price_objections"},
                                      YAML::Mark{})) {
    if (e.key == "strong_negative_threshold") {
      if (auto v = reader.number_of(e, -1.0, -0.05)) {
        lex.threshold_ = *v;
      }
    } else if (e.key == "negation_window") {
      if (auto v = reader.integer_of(e, 1, 10)) {
        lex.window_ = static_cast<size_t>(*v);
      }
    } else if (e.key == "positive") {
      weighted(e, lexicon::role::positive, 1.0);
    } else if (e.key == "negative") {
      weighted(e, lexicon::role::negative, -1.0);
    } else if (e.key == "intensifiers") {
      weighted(e, lexicon::role::intensifier, 1.0);
    } else if (e.key == "negations") {
      plain(e, lexicon::role::negation);
    } else {
      plain(e, lexicon::role::none);
    }
  }
  if (!reader.ok()) {
    return reader.to_error();
  }
  return lex;
}

// -- analysis -------------------------------------------------------------------------------------

// Splits a token the lexicon does not know into a leading negation or intensifier and a rest the
// lexicon knows, possibly split again: "不太好" -> 不 + 太 + 好. Returns false if it cannot.
bool lexicon::split(const std::string& token, int depth, std::vector<std::string>& out) const {
  if (depth > 3) {
    return false;
  }
  // Longest modifier first, at character boundaries only.
  std::vector<size_t> cuts;
  for (size_t i = 0; i < token.size(); i += sequence_length(static_cast<unsigned char>(token[i]))) {
    if (i > 0) {
      cuts.push_back(i);
    }
  }
  for (auto c = cuts.rbegin(); c != cuts.rend(); ++c) {
    const auto* head = find(token.substr(0, *c));
    if (head == nullptr || (head->kind != role::negation && head->kind != role::intensifier)) {
      continue;
    }
    const auto rest = token.substr(*c);
    if (find(rest) != nullptr) {
      out.push_back(token.substr(0, *c));
      out.push_back(rest);
      return true;
    }
    std::vector<std::string> deeper;
    if (split(rest, depth + 1, deeper)) {
      out.push_back(token.substr(0, *c));
      out.insert(out.end(), deeper.begin(), deeper.end());
      return true;
    }
  }
  return false;
}

std::vector<std::string> lexicon::expand(const std::vector<std::string>& tokens) const {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const auto& t : tokens) {
    if (find(t) != nullptr || !split(t, 0, out)) {
      out.push_back(t);
    }
  }
  return out;
}

namespace {

// Clause punctuation, full-width and ASCII (a dot only before a space: "3.5" stays one number).
constexpr std::string_view clause_marks[] = {"，", "。", "！", "？", "；", "：", "…",
                                             "～", ",",  ". ", "!",  "?",  ";",  "~"};

}  // namespace

sentiment_result analyze(const lexicon& lex, const std::vector<std::string>& tokens) {
  using role = lexicon::role;
  // Folding drops a clause break (a control character): fold each clause on its own.
  std::vector<std::string> words;
  for (size_t from = 0; from <= tokens.size();) {
    auto to = std::find(tokens.begin() + static_cast<std::ptrdiff_t>(from), tokens.end(),
                        std::string_view{clause_break});
    auto clause = lex.expand(fold_all({tokens.begin() + static_cast<std::ptrdiff_t>(from), to}));
    words.insert(words.end(), clause.begin(), clause.end());
    if (to == tokens.end()) {
      break;
    }
    words.emplace_back(clause_break);
    from = static_cast<size_t>(to - tokens.begin()) + 1;
  }
  sentiment_result out;
  double sum = 0;
  // The last word of the last negation and intensifier seen (none: `never`), and their effect.
  constexpr size_t never = static_cast<size_t>(-1);
  size_t negation_at = never;
  bool negated = false;
  size_t intensifier_at = never;
  double factor = 1.0;
  const auto within = [&](size_t at, size_t i) { return at != never && i - at <= lex.window_; };
  for (size_t i = 0; i < words.size();) {
    const auto m = lex.index_.longest_at(words, i);
    if (!m) {
      if (words[i] == clause_break) {
        negation_at = never;
        intensifier_at = never;
      }
      ++i;
      continue;
    }
    const auto& t = lex.terms_[m->ids->front()];
    const bool negate = within(negation_at, i) && negated;
    const double boost = within(intensifier_at, i) ? factor : 1.0;
    if (t.kind == role::negation) {
      negated = within(negation_at, i) ? !negated : true;  // "不是不好": two negations cancel
      negation_at = m->end - 1;
    } else if (t.kind == role::intensifier) {
      factor = within(intensifier_at, i) ? factor * t.weight : t.weight;
      intensifier_at = m->end - 1;
    } else {
      if (t.kind == role::positive || t.kind == role::negative) {
        double v = t.weight * boost;
        if (negate) {
          v *= v > 0 ? negated_positive : negated_negative;
        }
        sum += v;
      }
      out.price_objection = out.price_objection || (t.price && !negate);
      // A modifier applies to one sentiment word only.
      negation_at = never;
      intensifier_at = never;
    }
    i = m->end;
  }
  out.score = sum / std::sqrt(sum * sum + squash_constant);
  out.strong_negative = out.score <= lex.threshold_;
  return out;
}

std::vector<std::string> clause_tokens(const segmenter& seg, std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  const auto flush = [&](size_t end) {
    auto words = seg.cut(text.substr(start, end - start));
    if (!words.empty()) {
      if (!out.empty()) {
        out.emplace_back(clause_break);
      }
      out.insert(out.end(), words.begin(), words.end());
    }
  };
  for (size_t i = 0; i < text.size();) {
    size_t len = 0;
    for (auto m : clause_marks) {
      if (text.compare(i, m.size(), m) == 0) {
        len = m.size();
        break;
      }
    }
    if (len == 0) {
      ++i;
      continue;
    }
    flush(i);
    i += len;
    start = i;
  }
  flush(text.size());
  return out;
}

}  // namespace sb::nlu
