#include "actors/campaign/conditions.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "actors/campaign/active_window.hpp"

namespace sb::campaigns {

namespace {

enum class fact_type { number, boolean, word, word_list };

struct fact_info {
  fact id;
  std::string_view name;
  fact_type type;
  double min;  // numbers: the range of values a condition may name
  double max;
  std::vector<std::string_view> words;  // words: the only values allowed, if any
};

constexpr double unbounded = 1e15;

const fact_info fact_table[] = {
    // in the order of `enum class fact`
    {fact::product_stock, "product.stock", fact_type::number, -unbounded, unbounded, {}},
    {fact::product_price, "product.price", fact_type::number, -unbounded, unbounded, {}},
    {fact::product_category, "product.category", fact_type::word, 0, 0, {}},
    {fact::product_brand, "product.brand", fact_type::word, 0, 0, {}},
    {fact::product_sku, "product.sku", fact_type::word, 0, 0, {}},
    {fact::user_tier,
     "user.tier",
     fact_type::word,
     0,
     0,
     {"regular", "silver", "gold", "platinum"}},
    {fact::user_price_sensitive, "user.price_sensitive", fact_type::boolean, 0, 0, {}},
    {fact::user_order_count, "user.order_count", fact_type::number, -unbounded, unbounded, {}},
    {fact::user_days_since_last_order,
     "user.days_since_last_order",
     fact_type::number,
     -1,
     unbounded,
     {}},
    {fact::user_tags, "user.tags", fact_type::word_list, 0, 0, {}},
    {fact::churn_score, "churn.score", fact_type::number, 0, 1, {}},
    {fact::channel, "channel", fact_type::word, 0, 0, {"web", "app", "wechat"}},
    {fact::time_hour, "time.hour", fact_type::number, 0, 23, {}},
    {fact::time_weekday, "time.weekday", fact_type::number, 1, 7, {}},
    {fact::coupon_unused, "coupon.unused", fact_type::number, -unbounded, unbounded, {}},
};

struct op_info {
  comparison id;
  std::string_view text;
};

// Two-character operators first so that ">=" is not read as ">".
constexpr op_info op_table[] = {
    {comparison::greater_equal, ">="}, {comparison::less_equal, "<="}, {comparison::equal, "=="},
    {comparison::not_equal, "!="},     {comparison::greater, ">"},     {comparison::less, "<"},
    {comparison::not_in, "not_in"},    {comparison::in, "in"},
};

const fact_info& info_of(fact f) {
  return fact_table[static_cast<size_t>(f)];
}

std::string_view op_text(comparison c) {
  for (const auto& o : op_table) {
    if (o.id == c) {
      return o.text;
    }
  }
  return "?";
}

error bad(std::string reason) {
  return error{errc::config_bad_value, std::move(reason)};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_fact_char(char c) {
  return (c >= 'a' && c <= 'z') || c == '_' || c == '.';
}

// One value as written: a quoted string (quotes removed) or a bare word.
struct token {
  std::string text;
  bool quoted = false;
};

result<token> read_token(std::string_view s) {
  s = trim(s);
  if (s.empty()) {
    return bad("a value is missing");
  }
  if (s.find_first_of("<>=!") == 0) {
    return bad("expected FACT OP VALUE, found two operators");
  }
  if (s.front() == '"' || s.front() == '\'') {
    if (s.size() < 2 || s.back() != s.front() ||
        s.substr(1, s.size() - 2).find(s.front()) != std::string_view::npos) {
      return bad("unbalanced quotes in " + std::string{s});
    }
    return token{std::string{s.substr(1, s.size() - 2)}, true};
  }
  if (s.find_first_of(" \t[],\"'") != std::string_view::npos) {
    return bad("\"" + std::string{s} + "\" is not one value; quote text with spaces");
  }
  return token{std::string{s}, false};
}

// Splits "[a, 'b c', 3]" into its items.
result<std::vector<token>> read_list(std::string_view s) {
  s = trim(s);
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') {
    return bad("expected a list such as [gold, platinum], found \"" + std::string{s} + "\"");
  }
  s = trim(s.substr(1, s.size() - 2));
  std::vector<token> out;
  if (s.empty()) {
    return bad("the list is empty");
  }
  size_t begin = 0;
  char quote = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && quote != 0) {
      quote = s[i] == quote ? 0 : quote;
    } else if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      quote = s[i];
    } else if (i == s.size() || s[i] == ',') {
      auto item = read_token(s.substr(begin, i - begin));
      if (!item) {
        return item.err();
      }
      out.push_back(std::move(*item));
      begin = i + 1;
    }
  }
  return out;
}

std::string allowed_words(const fact_info& f) {
  std::string out;
  for (auto w : f.words) {
    out += out.empty() ? "" : ", ";
    out += w;
  }
  return out;
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Converts the value tokens to the fact's type, checking range and allowed words.
result<void> take_values(const fact_info& f, const std::vector<token>& values, condition& c) {
  for (const auto& v : values) {
    if (f.type == fact_type::number) {
      double n = 0;
      const auto* end = v.text.data() + v.text.size();
      const auto [ptr, ec] = std::from_chars(v.text.data(), end, n);
      if (v.quoted || ec != std::errc{} || ptr != end || !std::isfinite(n)) {
        return bad(std::string{f.name} + " is a number; \"" + v.text + "\" is not one");
      }
      if (n < f.min || n > f.max) {
        return bad(std::string{f.name} + " is between " + number_text(f.min) + " and " +
                   number_text(f.max) + "; " + v.text + " is out of range");
      }
      c.numbers.push_back(n);
    } else if (f.type == fact_type::boolean) {
      if (v.quoted || (v.text != "true" && v.text != "false")) {
        return bad(std::string{f.name} + " is true or false, not \"" + v.text + "\"");
      }
      c.flag = v.text == "true";
    } else {
      if (v.text.empty()) {
        return bad(std::string{f.name} + ": an empty word never matches");
      }
      if (f.words.size() > 0 &&
          std::find(f.words.begin(), f.words.end(), v.text) == f.words.end()) {
        return bad(std::string{f.name} + ": \"" + v.text + "\" is not one of " + allowed_words(f));
      }
      c.words.push_back(v.text);
    }
  }
  return {};
}

// Which operators suit which type, and how to say so.
result<void> check_operator(const fact_info& f, comparison op) {
  const bool ordering = op == comparison::greater || op == comparison::greater_equal ||
                        op == comparison::less || op == comparison::less_equal;
  const bool membership = op == comparison::in || op == comparison::not_in;
  std::string_view allowed;
  if (f.type == fact_type::boolean && (ordering || membership)) {
    allowed = "== or != with true or false";
  } else if (f.type == fact_type::word && ordering) {
    allowed = "==, !=, in or not_in";
  } else if (f.type == fact_type::word_list && !membership) {
    allowed = "in (has any of) or not_in (has none of)";
  }
  if (allowed.empty()) {
    return {};
  }
  return bad("operator " + std::string{op_text(op)} + " does not apply to " + std::string{f.name} +
             "; use " + std::string{allowed});
}

template <class T>
bool compare(comparison op, const T& have, const T& want) {
  switch (op) {
    case comparison::greater:
      return have > want;
    case comparison::greater_equal:
      return have >= want;
    case comparison::less:
      return have < want;
    case comparison::less_equal:
      return have <= want;
    case comparison::not_equal:
      return have != want;
    default:
      return have == want;
  }
}

template <class T>
truth test(const condition& c, const std::optional<T>& have, const std::vector<T>& want) {
  if (!have) {
    return truth::unknown;
  }
  bool ok = false;
  if (c.op == comparison::in || c.op == comparison::not_in) {
    const bool found = std::find(want.begin(), want.end(), *have) != want.end();
    ok = c.op == comparison::in ? found : !found;
  } else {
    ok = !want.empty() && compare(c.op, *have, want.front());
  }
  return ok ? truth::holds : truth::fails;
}

std::optional<std::string> word(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>{s};
}

std::optional<double> number(int64_t v) {
  return static_cast<double>(v);
}

}  // namespace

std::string_view fact_name(fact f) {
  return info_of(f).name;
}

result<condition> parse_condition(std::string_view text) {
  const std::string_view example = "expected FACT OP VALUE, such as \"product.stock > 0\"";
  const auto s = trim(text);
  size_t pos = 0;
  while (pos < s.size() && is_fact_char(s[pos])) {
    ++pos;
  }
  const auto name = s.substr(0, pos);
  if (name.empty()) {
    return bad(std::string{example});
  }
  const auto* f = std::find_if(std::begin(fact_table), std::end(fact_table),
                               [&](const fact_info& i) { return i.name == name; });
  if (f == std::end(fact_table)) {
    std::string all;
    for (const auto& i : fact_table) {
      all += all.empty() ? "" : ", ";
      all += i.name;
    }
    return bad("unknown fact \"" + std::string{name} + "\" (expected one of " + all + ")");
  }
  const auto rest = trim(s.substr(pos));
  const auto* o = std::find_if(std::begin(op_table), std::end(op_table), [&](const op_info& i) {
    if (rest.substr(0, i.text.size()) != i.text) {
      return false;
    }
    // A word operator must end there: "inside" is not "in".
    const bool word_op = i.id == comparison::in || i.id == comparison::not_in;
    return !word_op || rest.size() == i.text.size() || rest[i.text.size()] == ' ' ||
           rest[i.text.size()] == '[';
  });
  if (o == std::end(op_table)) {
    return bad("after " + std::string{name} +
               " expected an operator (>, >=, <, <=, ==, !=, in, not_in), found \"" +
               std::string{rest} + "\"");
  }
  if (auto fits = check_operator(*f, o->id); !fits) {
    return fits.err();
  }
  condition c;
  c.text = std::string{s};
  c.subject = f->id;
  c.op = o->id;
  const auto value_text = rest.substr(o->text.size());
  std::vector<token> values;
  if (o->id == comparison::in || o->id == comparison::not_in) {
    auto list = read_list(value_text);
    if (!list) {
      return list.err();
    }
    values = std::move(*list);
  } else {
    auto one = read_token(value_text);
    if (!one) {
      return one.err();
    }
    values.push_back(std::move(*one));
  }
  if (auto taken = take_values(*f, values, c); !taken) {
    return taken.err();
  }
  return c;
}

truth evaluate(const condition& c, const facts& known, const std::string& time_zone) {
  switch (c.subject) {
    case fact::product_stock:
      return test(c, known.product_stock, c.numbers);
    case fact::product_price:
      return test(c, known.product_price, c.numbers);
    case fact::product_category:
      return test(c, word(known.product_category), c.words);
    case fact::product_brand:
      return test(c, word(known.product_brand), c.words);
    case fact::product_sku:
      return test(c, word(known.product_sku), c.words);
    case fact::user_tier:
      return test(c, known.tier_known ? word(known.tier) : std::nullopt, c.words);
    case fact::user_price_sensitive:
      return test(c, std::optional<bool>{known.price_sensitive}, std::vector<bool>{c.flag});
    case fact::user_order_count:
      return test(c, number(known.order_count), c.numbers);
    case fact::user_days_since_last_order:
      return test(c, number(known.days_since_last_order), c.numbers);
    case fact::user_tags: {
      const bool any = std::any_of(c.words.begin(), c.words.end(), [&](const std::string& w) {
        return std::find(known.user_tags.begin(), known.user_tags.end(), w) !=
               known.user_tags.end();
      });
      return any == (c.op == comparison::in) ? truth::holds : truth::fails;
    }
    case fact::churn_score:
      return test(c, known.churn_score, c.numbers);
    case fact::channel:
      return test(c, word(known.channel), c.words);
    case fact::time_hour:
    case fact::time_weekday: {
      auto local = to_local(known.now_ms, time_zone);
      if (!local) {
        return truth::unknown;
      }
      const int v = c.subject == fact::time_hour ? local->hour : local->weekday;
      return test(c, std::optional<double>{static_cast<double>(v)}, c.numbers);
    }
    case fact::coupon_unused:
      return test(c, number(known.unused_coupons), c.numbers);
  }
  return truth::unknown;
}

}  // namespace sb::campaigns
