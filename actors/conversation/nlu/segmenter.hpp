#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/result.hpp"

namespace sb::nlu {

/// Word segmentation of shoppers' messages in Chinese, English or both, by jieba's dictionary
/// method (without its HMM for unknown words): every dictionary word found in a run of text is an
/// edge of a graph over its characters, and the cut is the path of highest probability (the product
/// of the words' frequencies over the dictionary's total).
///
/// Before that, the text is folded: full-width letters and digits become ASCII, Latin letters are
/// lower-cased, and spaces, punctuation and invalid UTF-8 are dropped (they separate words). A run
/// of Latin letters and digits is one unit that is never split ("iphone15", "13812345678",
/// "a1002", "don't", "3.5"); it can still be part of a dictionary word such as "t恤". A character
/// that no dictionary word covers is a word of its own.
///
/// Immutable once loaded: cut() is const and safe to call from any number of threads at once, so
/// one instance per node is shared by every conversation. Its dictionary is a sorted array of
/// words in one string (7.2 MB for jieba's 349k words, loaded in 50-150 ms), searched by prefix.
class segmenter {
 public:
  /// The frequency of an extra word that forces it to win: above that of "了" (883,634), the most
  /// frequent entry in jieba's dictionary. It also wins over dictionary words that overlap it.
  static constexpr int64_t domain_frequency = 1'000'000;

  /// The frequency that asks load() for the suggested one (as jieba's suggest_freq does): twice
  /// the frequency at which the word would tie with the dictionary's best cut of it. The word then
  /// wins over its own pieces (转人工 over 转 + 人工) but not over a dictionary word that overlaps
  /// its edge (贵了 does not break 太贵 in 太贵了).
  static constexpr int64_t suggested_frequency = 0;

  /// Returns a segmenter over the dictionary file `dict_path` (jieba's format, one
  /// `word frequency [tag]` a line) plus `extra_words` (word, frequency or suggested_frequency)
  /// that it lacks; of two equal extra words the last counts. A word the dictionary has keeps its
  /// own frequency: raised, it would swallow its neighbours (a boosted 没有 cuts 有没有 into 有 +
  /// 没有). Extra words do not count towards the total, so adding them leaves the probabilities
  /// of the other words alone. Errors: config_io when the file cannot be read, config_bad_value
  /// for a malformed line (`file:line: reason`), and invalid_argument for an extra word that is
  /// empty, not UTF-8, contains a space or punctuation (it could never be one token; see
  /// as_domain_words()) or has a negative frequency.
  static result<segmenter> load(const std::string& dict_path,
                                const std::vector<std::pair<std::string, int64_t>>& extra_words);

  /// Returns the words of `utf8` in order, folded (see the class comment); never fails, whatever
  /// the bytes.
  [[nodiscard]] std::vector<std::string> cut(std::string_view utf8) const;

  /// Returns whether `word` (folded first) is in the dictionary or among the extra words.
  [[nodiscard]] bool contains(std::string_view word) const;

  /// Returns the number of distinct words known.
  [[nodiscard]] size_t size() const noexcept { return entries_.size(); }

  /// Returns the heap memory held by the dictionary, in bytes.
  [[nodiscard]] size_t memory_bytes() const noexcept;

 private:
  // One word: its bytes in words_ and the natural log of its probability.
  struct entry {
    uint32_t offset;
    uint32_t length;
    float log_prob;
  };

  segmenter() = default;

  [[nodiscard]] std::string_view word_of(const entry& e) const {
    return std::string_view{words_}.substr(e.offset, e.length);
  }
  void add_extra_words(std::vector<std::pair<std::string, int64_t>> extras, int64_t total);
  void route(std::string_view text, const std::vector<uint32_t>& bounds, std::vector<double>& best,
             std::vector<size_t>& end) const;
  void cut_block(std::string_view text, const std::vector<uint32_t>& bounds,
                 std::vector<std::string>& out) const;
  [[nodiscard]] double best_log_prob(std::string_view word) const;

  std::string words_;           // the bytes of every word: the dictionary's sorted, then extras
  std::vector<entry> entries_;  // sorted by word bytes
  float unknown_log_prob_ = 0;  // a unit that no word covers counts as frequency 1
};

/// Returns `utf8` folded as segmenter::cut() folds it, which is the concatenation of its words
/// whatever the dictionary: "Where is my order #A1002?" gives "whereismyordera1002". Keywords are
/// compared with messages in this form.
std::string fold(std::string_view utf8);

/// Returns whether segmenter::cut() can return `word` as one token: it folds to something and
/// contains no space, punctuation or invalid byte that would split it.
bool is_single_word(std::string_view word);

/// Returns the domain words worth adding to a segmenter (catalog terms such as 降噪耳机, keywords
/// such as 转人工), folded, each with `frequency`; left out are those that would not stay one
/// token (spaces, punctuation), pure Latin words (always whole already) and single characters
/// (each already is a word wherever no longer word covers it; boosted, it would break the words
/// around it: 太贵 into 太 + 贵).
///
/// Keywords match across word boundaries anyway (see phrase_index), so adding them only makes
/// them tokens. Mind that a phrase added this way hides the words inside it from other lists:
/// with 我的订单 added, "我的订单" is one token and an FAQ keyword 订单 no longer matches it.
std::vector<std::pair<std::string, int64_t>> as_domain_words(
    const std::vector<std::string>& words, int64_t frequency = segmenter::suggested_frequency);

}  // namespace sb::nlu
