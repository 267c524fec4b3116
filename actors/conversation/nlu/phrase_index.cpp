#include "actors/conversation/nlu/phrase_index.hpp"

#include <algorithm>

#include "actors/conversation/nlu/segmenter.hpp"

namespace sb::nlu {

bool phrase_index::add(std::string_view phrase, size_t id) {
  auto folded = fold(phrase);
  if (folded.empty()) {
    return false;
  }
  max_bytes_ = std::max(max_bytes_, folded.size());
  phrases_[std::move(folded)].push_back(id);
  return true;
}

const std::vector<size_t>* phrase_index::find(std::string_view phrase) const {
  const auto it = phrases_.find(fold(phrase));
  return it == phrases_.end() ? nullptr : &it->second;
}

std::vector<phrase_index::match> phrase_index::find_all(
    const std::vector<std::string>& tokens) const {
  std::vector<match> out;
  std::string joined;
  for (size_t begin = 0; begin < tokens.size(); ++begin) {
    joined.clear();
    // Every phrase is at most max_bytes_ long, which bounds how far a match can reach.
    for (size_t end = begin; end < tokens.size(); ++end) {
      joined += tokens[end];
      if (joined.size() > max_bytes_) {
        break;
      }
      if (const auto it = phrases_.find(joined); it != phrases_.end()) {
        out.push_back({begin, end + 1, &it->second});
      }
    }
  }
  return out;
}

std::optional<phrase_index::match> phrase_index::longest_at(const std::vector<std::string>& tokens,
                                                            size_t begin) const {
  std::optional<match> out;
  std::string joined;
  for (size_t end = begin; end < tokens.size(); ++end) {
    joined += tokens[end];
    if (joined.size() > max_bytes_) {
      break;
    }
    if (const auto it = phrases_.find(joined); it != phrases_.end()) {
      out = match{begin, end + 1, &it->second};
    }
  }
  return out;
}

std::vector<std::string> fold_all(const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const auto& t : tokens) {
    auto folded = fold(t);
    if (!folded.empty()) {
      out.push_back(std::move(folded));
    }
  }
  return out;
}

}  // namespace sb::nlu
