#include "runtime/analysis/topic_tracker.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace sb {

topic_tracker::topic_tracker(int64_t bucket_ms, int64_t horizon_ms)
    : bucket_ms_(std::max<int64_t>(1, bucket_ms)), horizon_ms_(horizon_ms) {}

void topic_tracker::add(int64_t at_ms, const std::string& intent,
                        const std::vector<std::string>& products,
                        const std::vector<std::string>& words) {
  auto& b = buckets_[at_ms - at_ms % bucket_ms_];
  ++b.messages;
  if (!intent.empty()) {
    ++b.intents[intent];
  }
  for (const auto& p : products) {
    ++b.products[p];
  }
  for (const auto& w : words) {
    ++b.words[w];
  }
  buckets_.erase(buckets_.begin(), buckets_.lower_bound(at_ms - horizon_ms_));
}

topic_tracker::hot topic_tracker::top(int64_t since_ms, size_t limit) const {
  hot out;
  std::map<std::string, int64_t> intents;
  std::map<std::string, int64_t> products;
  std::map<std::string, int64_t> words;
  for (auto it = buckets_.lower_bound(since_ms - since_ms % bucket_ms_); it != buckets_.end();
       ++it) {
    out.messages += it->second.messages;
    for (const auto& [k, n] : it->second.intents) {
      intents[k] += n;
    }
    for (const auto& [k, n] : it->second.products) {
      products[k] += n;
    }
    for (const auto& [k, n] : it->second.words) {
      words[k] += n;
    }
  }
  auto rank = [limit](const std::map<std::string, int64_t>& counts) {
    std::vector<ranked> r;
    for (const auto& [k, n] : counts) {
      r.push_back({k, n});
    }
    std::stable_sort(r.begin(), r.end(),
                     [](const ranked& a, const ranked& b) { return a.count > b.count; });
    if (r.size() > limit) {
      r.resize(limit);
    }
    return r;
  };
  out.intents = rank(intents);
  out.products = rank(products);
  out.words = rank(words);
  return out;
}

std::vector<std::string> topic_words(const std::vector<std::string>& tokens, size_t limit) {
  // Function words that segmentation keeps whole but that say nothing about a topic.
  static const std::set<std::string> stopwords{
      "我们", "你们", "他们", "什么",   "怎么", "这个", "那个", "一下", "可以",  "有没有", "没有",
      "一个", "一款", "一点", "是不是", "还是", "就是", "the",  "and",  "for",   "you",    "your",
      "with", "this", "that", "are",    "have", "what", "how",  "can",  "please"};
  std::vector<std::string> out;
  for (const auto& t : tokens) {
    if (out.size() >= limit) {
      break;
    }
    if (t.find('*') != std::string::npos || stopwords.count(t) > 0 ||
        std::find(out.begin(), out.end(), t) != out.end()) {
      continue;
    }
    size_t wide = 0;
    size_t letters = 0;
    bool digit = false;
    for (size_t i = 0; i < t.size();) {
      const auto c = static_cast<unsigned char>(t[i]);
      const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      if (len >= 3) {
        ++wide;
      } else if (len == 1 && std::isalpha(c) != 0) {
        ++letters;
      } else if (len == 1 && std::isdigit(c) != 0) {
        digit = true;
      }
      i += len;
    }
    if (!digit && (wide >= 2 || (wide == 0 && letters >= 3))) {
      out.push_back(t);
    }
  }
  return out;
}

}  // namespace sb
