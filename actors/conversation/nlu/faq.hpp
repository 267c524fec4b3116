#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "actors/conversation/nlu/phrase_index.hpp"
#include "runtime/result.hpp"

namespace sb::nlu {

/// The answer match() found for a question.
struct faq_answer {
  std::string id;                    ///< the entry's id in faq.yaml, e.g. "return_policy"
  std::string answer;                ///< in the language of the question
  std::string language;              ///< "zh" when the question has Chinese characters, else "en"
  double score = 0.0;                ///< share of the entry's keyword groups met, 0..1
  std::vector<std::string> matched;  ///< the keywords found, as written in the file
};

/// The questions and answers of config/faq.yaml. Each entry has keyword groups: a group is met
/// when the question contains any one of its words (on word boundaries, like intent keywords), and
/// the entry scores the share of its groups that are met. Loaded once at start-up, then
/// read-only: share it between threads.
class faq_model {
 public:
  /// Returns the lowest score that counts as an answer.
  [[nodiscard]] double min_score() const noexcept { return min_score_; }

  /// Returns the number of entries.
  [[nodiscard]] size_t size() const noexcept { return entries_.size(); }

  /// Returns every keyword as written (for as_domain_words()).
  [[nodiscard]] std::vector<std::string> words() const;

 private:
  friend result<faq_model> load_faq(const std::string& path);
  friend std::optional<faq_answer> match(const faq_model& faq,
                                         const std::vector<std::string>& tokens);

  struct entry {
    std::string id;
    size_t groups = 0;
    std::string answer_zh;
    std::string answer_en;
  };
  struct keyword {
    size_t entry;
    size_t group;
    std::string text;  // as written
  };

  std::vector<entry> entries_;  // in file order, which breaks the last ties
  std::vector<keyword> keywords_;
  phrase_index index_;
  double min_score_ = 0.6;
};

/// Returns the FAQ in the YAML file at `path`; every problem is reported as
/// `file:line:column: key: reason`, one per line (config_io, config_syntax, config_unknown_key,
/// config_bad_value).
result<faq_model> load_faq(const std::string& path);

/// Returns the entry that best answers a question cut into `tokens`: the highest score, then
/// the most keywords found, then the first in the file; nothing when no entry reaches
/// min_score().
std::optional<faq_answer> match(const faq_model& faq, const std::vector<std::string>& tokens);

}  // namespace sb::nlu
