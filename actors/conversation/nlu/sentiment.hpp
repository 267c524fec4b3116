#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "actors/conversation/nlu/phrase_index.hpp"
#include "actors/conversation/nlu/segmenter.hpp"
#include "runtime/result.hpp"

namespace sb::nlu {

/// The mood of one message, from analyze().
struct sentiment_result {
  double score = 0.0;            ///< -1 (very negative) .. 1 (very positive); 0 when neutral
  bool strong_negative = false;  ///< score <= the lexicon's strong_negative_threshold
  bool price_objection = false;  ///< a price-objection word that no negation word turned around
};

/// The sentiment words of config/lexicon/sentiment.yaml: positive and negative words with weights,
/// negation words that turn the next sentiment word around, intensifiers that multiply it, and
/// price-objection words. Loaded once at start-up, then read-only: share it between threads.
class lexicon {
 public:
  /// Returns the score at or below which a message is strongly negative.
  [[nodiscard]] double strong_negative_threshold() const noexcept { return threshold_; }

  /// Returns how many words after a negation or an intensifier it still applies.
  [[nodiscard]] size_t negation_window() const noexcept { return window_; }

  /// Returns every word and phrase as written (for as_domain_words()).
  [[nodiscard]] std::vector<std::string> words() const;

 private:
  friend result<lexicon> load_lexicon(const std::string& path);
  friend sentiment_result analyze(const lexicon& lex, const std::vector<std::string>& tokens);

  enum class role { none, positive, negative, negation, intensifier };

  // One word or phrase; a price-objection word may also be a negative one ("太贵").
  struct term {
    std::string text;  // as first written
    role kind = role::none;
    double weight = 0;  // signed for sentiment words, a factor for intensifiers
    bool price = false;
  };

  [[nodiscard]] const term* find(const std::string& folded) const;
  [[nodiscard]] std::vector<std::string> expand(const std::vector<std::string>& tokens) const;
  [[nodiscard]] bool split(const std::string& token, int depth,
                           std::vector<std::string>& out) const;

  std::vector<term> terms_;
  phrase_index index_;  // folded text -> the index of its term
  double threshold_ = -0.6;
  size_t window_ = 3;
};

/// Returns the lexicon in the YAML file at `path`; every problem is reported as
/// `file:line:column: key: reason`, one per line (config_io, config_syntax, config_unknown_key,
/// config_bad_value).
result<lexicon> load_lexicon(const std::string& path);

/// Returns the sentiment of a message cut into `tokens`. Each sentiment word adds its weight,
/// multiplied by the intensifiers just before it ("非常满意"); a negation word up to
/// negation_window() words before it turns it around ("不满意" is negative, "not bad" mildly
/// positive: a negated positive word counts −0.8 × its weight, a negated negative one +0.5 ×).
/// Chinese words that the dictionary keeps whole ("很好", "不贵") are split into their negation or
/// intensifier and the rest when the whole is not in the lexicon. The sum s becomes the score
/// s / sqrt(s² + 4), which tends to ±1 as words add up. A `clause_break` token ends the reach of
/// negations and intensifiers ("客服一直不回复，太失望了": the 不 does not turn 失望 around).
sentiment_result analyze(const lexicon& lex, const std::vector<std::string>& tokens);

/// The token analyze() takes as the end of a clause (never a word: segmenters drop controls).
inline constexpr const char* clause_break = "\x1f";

/// Returns the tokens of `text` for analyze(): each clause (split at ，。！？；… and their ASCII
/// forms) cut by `seg`, with a clause_break between clauses.
std::vector<std::string> clause_tokens(const segmenter& seg, std::string_view text);

}  // namespace sb::nlu
