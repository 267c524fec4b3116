#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sb {

/// What shoppers talk about lately: counts of intents, products and words of their messages in
/// one-minute buckets over a horizon (24 h by default), ranked over any recent span — the
/// "consultation hot spots" operators ask `sbctl topics --since 1h` for. Plain data; not
/// thread-safe (the gateway's feed guards it with a mutex).
class topic_tracker {
 public:
  explicit topic_tracker(int64_t bucket_ms = 60'000, int64_t horizon_ms = 24 * 3'600'000LL);

  /// Counts one message at `at_ms`; buckets older than the horizon before `at_ms` are dropped.
  void add(int64_t at_ms, const std::string& intent, const std::vector<std::string>& products,
           const std::vector<std::string>& words);

  /// A name with how often it came up.
  struct ranked {
    std::string name;
    int64_t count = 0;
    bool operator==(const ranked& o) const { return name == o.name && count == o.count; }
  };

  /// The most frequent of each, highest first (ties by name), over [since_ms, now_ms].
  struct hot {
    int64_t messages = 0;
    std::vector<ranked> intents;
    std::vector<ranked> products;
    std::vector<ranked> words;
  };

  /// Returns the `limit` hottest intents, products and words since `since_ms` (bucket-grained).
  [[nodiscard]] hot top(int64_t since_ms, size_t limit) const;

 private:
  struct bucket {
    int64_t messages = 0;
    std::map<std::string, int64_t> intents;
    std::map<std::string, int64_t> products;
    std::map<std::string, int64_t> words;
  };

  int64_t bucket_ms_;
  int64_t horizon_ms_;
  std::map<int64_t, bucket> buckets_;  // bucket start -> counts
};

/// Returns the words of a message worth ranking: tokens of at least two CJK characters or three
/// Latin letters, without digits, masking stars or `stopwords`, each once, at most `limit`.
std::vector<std::string> topic_words(const std::vector<std::string>& tokens, size_t limit = 8);

}  // namespace sb
