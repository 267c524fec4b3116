#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <system_error>

#include "runtime/config/node_config.hpp"

namespace sb {

namespace {

struct duration_unit {
  std::string_view name;
  int64_t ms;
};

// Largest first: combinations must be written in this order ("1h30m"), each unit at most once.
constexpr std::array<duration_unit, 5> units{
    {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

constexpr std::string_view unit_list = "ms, s, m, h or d";

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_alpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

result<std::chrono::milliseconds> bad(std::string reason) {
  return error{errc::config_bad_value, std::move(reason)};
}

}  // namespace

result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) {
    return bad("a duration cannot be empty");
  }
  int64_t total = 0;
  size_t next_unit = 0;  // index into `units` of the largest unit still allowed
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == '-') {
      return bad("a duration cannot be negative");
    }
    auto digits_begin = pos;
    while (pos < text.size() && is_digit(text[pos])) {
      ++pos;
    }
    if (pos == digits_begin) {
      return bad("expected a number at \"" + std::string{text.substr(pos)} + "\"");
    }
    int64_t count = 0;
    auto [ptr, ec] = std::from_chars(text.data() + digits_begin, text.data() + pos, count);
    if (ec != std::errc{} || ptr != text.data() + pos) {
      return bad("the number " + std::string{text.substr(digits_begin, pos - digits_begin)} +
                 " is too large");
    }
    if (pos == text.size()) {
      if (digits_begin == 0) {
        return bad("a bare number has no unit; write it with one of " + std::string{unit_list} +
                   ", e.g. \"" + std::string{text} + "s\" or \"" + std::string{text} + "ms\"");
      }
      return bad("the last number has no unit; use " + std::string{unit_list});
    }
    if (text[pos] == '.' || text[pos] == ',') {
      return bad("fractions are not supported; combine units instead, e.g. \"1h30m\"");
    }
    auto unit_begin = pos;
    while (pos < text.size() && is_alpha(text[pos])) {
      ++pos;
    }
    auto name = text.substr(unit_begin, pos - unit_begin);
    if (name.empty()) {
      return bad("unexpected \"" + std::string{text.substr(unit_begin, 1)} + "\"");
    }
    size_t index = 0;
    while (index < units.size() && units[index].name != name) {
      ++index;
    }
    if (index == units.size()) {
      return bad("unknown unit \"" + std::string{name} + "\"; use " + std::string{unit_list});
    }
    if (index < next_unit) {
      return bad("units must go from largest to smallest, each at most once, e.g. \"1h30m\"");
    }
    next_unit = index + 1;
    const auto unit_ms = units[index].ms;
    if (count > (std::numeric_limits<int64_t>::max() - total) / unit_ms) {
      return bad("the duration is too long");
    }
    total += count * unit_ms;
  }
  return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds d) {
  const int64_t value = d.count();
  if (value < 0) {
    return std::to_string(value) + "ms";  // no duration text means "negative"; never parsed
  }
  if (value == 0) {
    return "0s";
  }
  // Try every set of units, each taking as much as it can; keep the shortest text, and on a tie
  // the one that starts with the larger unit ("2h5m" over "125m"). Subsets are visited largest
  // leading unit first, so a strict "<" keeps that preference.
  std::string best;
  for (unsigned first = 0; first < units.size(); ++first) {
    for (unsigned rest = 0; rest < (1u << (units.size() - first - 1)); ++rest) {
      const unsigned mask = (1u << first) | (rest << (first + 1));
      int64_t left = value;
      std::string text;
      bool usable = true;
      for (unsigned i = 0; i < units.size() && usable; ++i) {
        if ((mask & (1u << i)) == 0) {
          continue;
        }
        const int64_t count = left / units[i].ms;
        usable = count > 0;  // a zero count would only make the text longer
        left -= count * units[i].ms;
        text += std::to_string(count);
        text += units[i].name;
      }
      if (usable && left == 0 && (best.empty() || text.size() < best.size())) {
        best = std::move(text);
      }
    }
  }
  return best;
}

}  // namespace sb
