#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sb::nlu {

/// Words and phrases to find in a message on word boundaries: a phrase matches where its folded
/// text (see fold()) equals the concatenation of one or more consecutive tokens. So "转人工"
/// matches the tokens 转 + 人工, "talk to a human" matches talk + to + a + human, and "人工"
/// matches 我要 + 人工 + 客服 but not the single token 人工智能; "hi" never matches inside "this".
/// Built once by a loader, then read-only: safe to share between threads.
class phrase_index {
 public:
  /// A run of tokens [begin, end) that equals one or more phrases.
  struct match {
    size_t begin;
    size_t end;
    const std::vector<size_t>* ids;  ///< ids of the phrases, valid while the index lives
  };

  /// Adds `phrase` under the caller's `id`; returns false (adding nothing) when it folds to
  /// nothing, e.g. only punctuation.
  bool add(std::string_view phrase, size_t id);

  /// Returns every match in `tokens` (folded, as segmenter::cut() returns them), ordered by begin,
  /// then by end.
  [[nodiscard]] std::vector<match> find_all(const std::vector<std::string>& tokens) const;

  /// Returns the longest match that starts at token `begin`, if any.
  [[nodiscard]] std::optional<match> longest_at(const std::vector<std::string>& tokens,
                                                size_t begin) const;

  /// Returns the ids of the phrase that folds like `phrase`, or nullptr.
  [[nodiscard]] const std::vector<size_t>* find(std::string_view phrase) const;

 private:
  std::unordered_map<std::string, std::vector<size_t>> phrases_;  // folded text -> ids
  size_t max_bytes_ = 0;                                          // longest folded phrase
};

/// Returns each token folded (see fold()), so that hand-made token lists match like cut()'s.
std::vector<std::string> fold_all(const std::vector<std::string>& tokens);

}  // namespace sb::nlu
