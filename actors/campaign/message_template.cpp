#include "actors/campaign/message_template.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "actors/campaign/active_window.hpp"
#include "actors/campaign/campaign_spec.hpp"

namespace sb::campaigns {

namespace {

// One piece of a template: literal text, or the name of a placeholder.
struct piece {
  std::string text;
  bool placeholder = false;
  size_t at = 0;  // 1-based character position of the piece in the template, for messages
};

size_t characters(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Cuts a template into pieces; `{{` and `}}` are literal braces.
result<std::vector<piece>> split(std::string_view text) {
  std::vector<piece> out;
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      literal += c;
      ++i;
      continue;
    }
    const size_t at = characters(text.substr(0, i)) + 1;
    if (c == '}') {
      return error{errc::config_bad_value, "unbalanced brace: '}' at character " +
                                               std::to_string(at) +
                                               " closes nothing (write }} "
                                               "for a brace)"};
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    const auto close = text.find_first_of("{}", i + 1);
    if (close == std::string_view::npos || text[close] != '}') {
      return error{errc::config_bad_value, "unbalanced brace: '{' at character " +
                                               std::to_string(at) +
                                               " is not closed (write {{ "
                                               "for a brace)"};
    }
    if (!literal.empty()) {
      out.push_back({std::move(literal), false, 0});
      literal.clear();
    }
    out.push_back({std::string{text.substr(i + 1, close - i - 1)}, true, at});
    i = close;
  }
  if (!literal.empty()) {
    out.push_back({std::move(literal), false, 0});
  }
  return out;
}

std::string number_text(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", v);
  std::string s = text;
  while (!s.empty() && s.back() == '0') {
    s.pop_back();
  }
  if (!s.empty() && s.back() == '.') {
    s.pop_back();
  }
  return s;
}

// Returns the placeholder's value, or nothing when the campaign cannot fill it.
std::optional<std::string> value_of(const std::string& name, const campaign_spec& spec,
                                    const template_values& values) {
  if (name == "code") {
    return values.code;
  }
  if (name == "product") {
    return values.product;
  }
  if (name == "campaign") {
    return spec.name;
  }
  const auto* coupon = spec.coupon();
  if (coupon == nullptr) {
    return std::nullopt;
  }
  if (name == "amount") {
    return number_text(coupon->amount);
  }
  if (name == "percent") {
    return number_text(coupon->percent);
  }
  if (name == "currency") {
    return coupon->currency;
  }
  if (name == "min_spend") {
    return number_text(coupon->min_spend);
  }
  if (name == "valid_for") {
    return spoken_duration(coupon->valid_for_ms, spec.locale);
  }
  if (name == "expires_at") {
    auto local = to_local(values.issued_at_ms + coupon->valid_for_ms, spec.time_zone);
    return local ? std::optional<std::string>{format_minute(*local)} : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

result<void> check_template(std::string_view text, const coupon_action* coupon) {
  auto pieces = split(text);
  if (!pieces) {
    return pieces.err();
  }
  for (const auto& p : *pieces) {
    if (!p.placeholder) {
      continue;
    }
    const auto at = " at character " + std::to_string(p.at);
    const auto known = std::find(std::begin(placeholders), std::end(placeholders), p.text);
    if (known == std::end(placeholders)) {
      std::string all;
      for (const char* name : placeholders) {
        all += all.empty() ? "{" : ", {";
        all += std::string{name} + "}";
      }
      return error{errc::config_bad_value,
                   "unknown placeholder {" + p.text + "}" + at + " (expected one of " + all + ")"};
    }
    const bool needs_coupon = p.text != "product" && p.text != "campaign";
    std::string missing;
    if (needs_coupon && coupon == nullptr) {
      missing = "needs a coupon action in this campaign";
    } else if (p.text == "amount" && coupon != nullptr && coupon->amount <= 0) {
      missing = "needs an amount coupon (this campaign's coupon has a percent)";
    } else if (p.text == "percent" && coupon != nullptr && coupon->percent <= 0) {
      missing = "needs a percent coupon (this campaign's coupon has an amount)";
    }
    if (!missing.empty()) {
      return error{errc::config_bad_value, "{" + p.text + "}" + at + " " + missing};
    }
  }
  return {};
}

std::string render(const campaign_spec& spec, std::string_view text,
                   const template_values& values) {
  auto pieces = split(text);
  if (!pieces) {
    return std::string{text};  // unchecked and broken: better the raw text than nothing
  }
  std::string out;
  for (const auto& p : *pieces) {
    if (!p.placeholder) {
      out += p.text;
    } else if (auto v = value_of(p.text, spec, values)) {
      out += *v;
    } else {
      out += "{" + p.text + "}";
    }
  }
  return out;
}

std::string spoken_duration(int64_t ms, std::string_view locale) {
  struct unit {
    int64_t ms;
    const char* zh;
    const char* en;
  };
  static constexpr unit units[] = {{86'400'000, "天", "day"},
                                   {3'600'000, "小时", "hour"},
                                   {60'000, "分钟", "minute"},
                                   {1'000, "秒", "second"},
                                   {1, "毫秒", "millisecond"}};
  const bool en = locale == "en";
  // Below four days people count in hours ("72小时内有效"), from there in days ("7天").
  constexpr int64_t days_from = 4 * 86'400'000LL;
  std::string out;
  int64_t rest = ms < 0 ? 0 : ms;
  for (const auto& u : units) {
    if ((u.ms == units[0].ms && rest < days_from) || rest < u.ms || (u.ms == 1 && !out.empty())) {
      continue;
    }
    const int64_t count = rest / u.ms;
    rest %= u.ms;
    if (en) {
      out +=
          (out.empty() ? "" : " ") + std::to_string(count) + " " + u.en + (count == 1 ? "" : "s");
    } else {
      out += std::to_string(count) + u.zh;
    }
  }
  if (out.empty()) {
    out = en ? "0 minutes" : "0分钟";
  }
  return out;
}

}  // namespace sb::campaigns
