#include "runtime/topic_match.hpp"

namespace sb {

namespace {

std::string_view next_token(std::string_view& rest) {
  auto dot = rest.find('.');
  std::string_view token = rest.substr(0, dot);
  rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  return token;
}

}  // namespace

bool topic_matches(std::string_view pattern, std::string_view topic) noexcept {
  if (pattern.empty() || topic.empty()) {
    return false;
  }
  for (;;) {
    bool pattern_last = pattern.find('.') == std::string_view::npos;
    bool topic_last = topic.find('.') == std::string_view::npos;
    std::string_view p = next_token(pattern);
    std::string_view t = next_token(topic);
    if (p == ">" && pattern_last) {
      return !t.empty();
    }
    if (p != "*" && p != t) {
      return false;
    }
    if (pattern_last || topic_last) {
      return pattern_last && topic_last;
    }
  }
}

}  // namespace sb
