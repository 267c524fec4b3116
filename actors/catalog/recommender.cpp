#include "actors/catalog/recommender.hpp"

#include <algorithm>
#include <set>
#include <string_view>

namespace sb {

namespace {

// -- text helpers
// -----------------------------------------------------------------------------------

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// Counts code points (bytes that do not continue a UTF-8 sequence); invalid UTF-8 just counts
// oddly.
size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Returns true if the lower-cased ASCII word `word` is one of the alphanumeric words of `text`.
bool has_word(std::string_view text, std::string_view word) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_alnum(text[i])) {
      ++i;
    }
    size_t j = i;
    while (j < text.size() && is_alnum(text[j])) {
      ++j;
    }
    if (j > i && text.substr(i, j - i) == word) {
      return true;
    }
    i = j;
  }
  return false;
}

/// A message token, normalised once.
struct token {
  std::string text;        // lower-cased, trimmed
  bool ascii = true;       // ASCII tokens match whole words only
  bool substring = false;  // non-ASCII of >= 2 characters: may match inside longer words
};

std::vector<token> normalise(const std::vector<std::string>& raw) {
  std::vector<token> out;
  std::set<std::string> seen;
  for (const auto& r : raw) {
    std::string_view v = r;
    while (!v.empty() && static_cast<unsigned char>(v.front()) <= ' ') {
      v.remove_prefix(1);
    }
    while (!v.empty() && static_cast<unsigned char>(v.back()) <= ' ') {
      v.remove_suffix(1);
    }
    auto t = lower(v);
    if (t.empty() || !seen.insert(t).second) {
      continue;  // a word said twice counts once
    }
    token tok;
    tok.ascii = is_ascii(t);
    tok.substring = !tok.ascii && utf8_length(t) >= 2;
    tok.text = std::move(t);
    out.push_back(std::move(tok));
  }
  return out;
}

// Returns `exact` if the token equals `value_lower`, `partial` if it matches part of it, else 0.
double match(const token& t, const std::string& value_lower, double exact, double partial) {
  if (value_lower.empty()) {
    return 0;
  }
  if (t.text == value_lower) {
    return exact;
  }
  if (t.ascii) {
    // One letter or digit ("a", "2") says too little to match inside a name.
    return t.text.size() >= 2 && has_word(value_lower, t.text) ? partial : 0;
  }
  if (!t.substring) {
    return 0;
  }
  // Either way round: "降噪" inside "降噪耳机", or the keyword "降噪" inside the token "降噪耳机".
  if (value_lower.find(t.text) != std::string::npos) {
    return partial;
  }
  if (!is_ascii(value_lower) && utf8_length(value_lower) >= 2 &&
      t.text.find(value_lower) != std::string::npos) {
    return partial;
  }
  return 0;
}

// -- scoring
// ----------------------------------------------------------------------------------------

constexpr double keyword_exact = 3, keyword_partial = 2;
constexpr double name_weight = 2, brand_weight = 2;
constexpr double tag_exact = 1.5, tag_partial = 1;
constexpr double category_exact = 1.5, category_partial = 1;
constexpr double brand_affinity = 1, category_affinity = 0.75, viewed_bonus = 0.5;
constexpr double price_weight = 1.5, cheaper_weight = 1.5;

struct scored {
  const product* item = nullptr;
  double match = 0;     // from the message
  double affinity = 0;  // from the history
  double score = 0;
  std::vector<std::string> reasons;
};

// Adds the best match of each token against the product to `s`.
void score_message(const std::vector<token>& tokens, scored& s) {
  const product& p = *s.item;
  const auto name = lower(p.name);
  const auto brand = lower(p.brand);
  const auto category = lower(p.category);
  for (const auto& t : tokens) {
    double best = 0;
    std::string why;
    auto consider = [&](double w, const char* field) {
      if (w > best) {
        best = w;
        why = std::string{field} + ":" + t.text;
      }
    };
    for (const auto& k : p.keywords) {
      consider(match(t, lower(k), keyword_exact, keyword_partial), "keyword");
    }
    consider(match(t, name, name_weight, name_weight), "name");
    consider(match(t, brand, brand_weight, brand_weight), "brand");
    for (const auto& tag : p.tags) {
      consider(match(t, lower(tag), tag_exact, tag_partial), "tag");
    }
    consider(match(t, category, category_exact, category_partial), "category");
    if (best > 0) {
      s.match += best;
      s.reasons.push_back(std::move(why));
    }
  }
}

/// Brands, categories and SKUs the shopper showed interest in, lower-cased.
struct history {
  std::set<std::string> brands, categories, skus;
  [[nodiscard]] bool empty() const { return brands.empty() && categories.empty() && skus.empty(); }
};

history history_of(const catalog& products, const shopper_context& shopper) {
  history h;
  for (const auto& b : shopper.viewed_brands) {
    h.brands.insert(lower(b));
  }
  for (const auto& c : shopper.viewed_categories) {
    h.categories.insert(lower(c));
  }
  for (const auto& sku : shopper.viewed_skus) {
    h.skus.insert(sku);
    if (const auto* p = products.find(sku)) {
      if (!p->brand.empty()) {
        h.brands.insert(lower(p->brand));
      }
      if (!p->category.empty()) {
        h.categories.insert(lower(p->category));
      }
    }
  }
  return h;
}

void score_history(const history& h, scored& s) {
  const product& p = *s.item;
  if (!p.brand.empty() && h.brands.count(lower(p.brand)) > 0) {
    s.affinity += brand_affinity;
    s.reasons.emplace_back("brand_affinity");
  }
  if (!p.category.empty() && h.categories.count(lower(p.category)) > 0) {
    s.affinity += category_affinity;
    s.reasons.emplace_back("category_affinity");
  }
  if (h.skus.count(p.sku) > 0) {
    s.affinity += viewed_bonus;
    s.reasons.emplace_back("viewed");
  }
}

double price_fit(std::pair<double, double> band, double price, std::vector<std::string>& reasons) {
  auto [lo, hi] = band;
  if (lo > hi) {
    std::swap(lo, hi);
  }
  if (price >= lo && price <= hi) {
    reasons.emplace_back("in_price_band");
    return price_weight;
  }
  // The further outside, the lower, relative to the band's middle; capped so relevance still
  // counts.
  const double distance = price < lo ? lo - price : price - hi;
  const double ref = std::max(1.0, (lo + hi) / 2);
  reasons.emplace_back("outside_price_band");
  return -price_weight * std::min(1.0, distance / ref);
}

bool eligible(const product& p, const shopper_context& shopper) {
  if (p.stock <= 0) {
    return false;
  }
  if (!p.tiers.empty() &&
      std::find(p.tiers.begin(), p.tiers.end(), shopper.tier) == p.tiers.end()) {
    return false;  // reserved for other tiers (a shopper without a tier sees no reserved product)
  }
  return std::find(shopper.exclude_skus.begin(), shopper.exclude_skus.end(), p.sku) ==
         shopper.exclude_skus.end();
}

}  // namespace

std::vector<recommendation> recommend(const catalog& products, const shopper_context& shopper,
                                      size_t max_results) {
  if (max_results == 0) {
    return {};
  }
  const auto tokens = normalise(shopper.tokens);
  const auto past = history_of(products, shopper);
  std::vector<scored> all;
  bool any_match = false;
  for (const auto& p : products.products) {
    if (!eligible(p, shopper)) {
      continue;
    }
    scored s;
    s.item = &p;
    score_message(tokens, s);
    score_history(past, s);
    any_match = any_match || s.match > 0;
    all.push_back(std::move(s));
  }
  // What the shopper asks for wins over what they looked at before: history alone only decides when
  // the message names nothing in the catalog.
  std::vector<scored> pool;
  for (auto& s : all) {
    if (any_match ? s.match > 0 : s.affinity > 0) {
      pool.push_back(std::move(s));
    }
  }
  if (pool.empty()) {
    return {};
  }
  double min_price = pool.front().item->price, max_price = min_price;
  for (const auto& s : pool) {
    min_price = std::min(min_price, s.item->price);
    max_price = std::max(max_price, s.item->price);
  }
  for (auto& s : pool) {
    s.score = s.match + s.affinity;
    if (shopper.price_band) {
      s.score += price_fit(*shopper.price_band, s.item->price, s.reasons);
    }
    if (shopper.price_sensitive && max_price > min_price) {
      const double bonus = cheaper_weight * (max_price - s.item->price) / (max_price - min_price);
      if (bonus > 0) {
        s.score += bonus;
        s.reasons.emplace_back("cheaper");
      }
    }
  }
  std::stable_sort(pool.begin(), pool.end(), [](const scored& a, const scored& b) {
    if (a.score != b.score) {
      return a.score > b.score;
    }
    return a.item->sku < b.item->sku;
  });
  std::vector<recommendation> out;
  for (auto& s : pool) {
    if (out.size() == max_results) {
      break;
    }
    out.push_back(recommendation{s.item, s.score, std::move(s.reasons)});
  }
  return out;
}

}  // namespace sb
