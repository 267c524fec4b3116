#include "actors/conversation/bot.hpp"

#include <algorithm>

#include "actors/catalog/recommender.hpp"

namespace sb {

namespace {

std::vector<std::string> split_csv(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      out.push_back(item);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

std::string names_of(const std::vector<recommendation>& recs) {
  std::string out;
  for (const auto& r : recs) {
    out += out.empty() ? "" : "、";
    out += r.item->name;
  }
  return out;
}

std::vector<schemas::product_card> cards_of(const std::vector<recommendation>& recs) {
  std::vector<schemas::product_card> out;
  for (const auto& r : recs) {
    out.push_back({r.item->sku, r.item->name, r.item->price, r.item->currency, r.item->pitch});
  }
  return out;
}

schemas::outbound_message line(std::string text, std::vector<schemas::product_card> products = {}) {
  schemas::outbound_message m;
  m.from = "bot";
  m.text = std::move(text);
  m.products = std::move(products);
  return m;
}

bool is_vip(const bot_settings& s, const schemas::profile_summary* p) {
  return p != nullptr &&
         std::find(s.vip_tiers.begin(), s.vip_tiers.end(), p->tier) != s.vip_tiers.end();
}

}  // namespace

bot_knowledge::bot_knowledge(nlu::segmenter seg, nlu::intent_model in, nlu::lexicon lex,
                             nlu::faq_model faq, reply_scripts scripts)
    : segmenter(std::move(seg)),
      intents(std::move(in)),
      lexicon(std::move(lex)),
      faq(std::move(faq)),
      scripts(std::move(scripts)) {}

result<std::shared_ptr<bot_knowledge>> bot_knowledge::load(const node_config& cfg,
                                                           const clock& clk) {
  auto intents = nlu::load_intents(cfg.nlu_intents);
  if (!intents) {
    return intents.err();
  }
  auto lex = nlu::load_lexicon(cfg.nlu_lexicon);
  if (!lex) {
    return lex.err();
  }
  auto faq = nlu::load_faq(cfg.nlu_faq);
  if (!faq) {
    return faq.err();
  }
  auto scripts = reply_scripts::load(cfg.nlu_replies);
  if (!scripts) {
    return scripts.err();
  }
  auto products = load_catalog(cfg.catalog_file);
  if (!products) {
    return products.err();
  }
  // Catalog terms become words, so 降噪耳机 is not split apart; keywords of intents, lexicon and
  // FAQ need no boost (they match on whole token runs) and boosting them would hide their parts.
  std::vector<std::string> words;
  for (const auto& p : products->products) {
    words.insert(words.end(), p.keywords.begin(), p.keywords.end());
    words.insert(words.end(), p.tags.begin(), p.tags.end());
    words.push_back(p.category);
  }
  auto seg = nlu::segmenter::load(cfg.nlu_dictionary, nlu::as_domain_words(words));
  if (!seg) {
    return seg.err();
  }
  std::shared_ptr<bot_knowledge> kb{new bot_knowledge(
      std::move(*seg), std::move(*intents), std::move(*lex), std::move(*faq), std::move(*scripts))};
  kb->settings.unresolved_turns = cfg.handoff_unresolved_turns;
  kb->settings.vip_tiers = split_csv(cfg.handoff_vip_tiers);
  for (const auto& p : products->products) {
    kb->skus_.push_back(p.sku);
  }
  kb->source_ = std::move(*products);
  auto* raw = kb.get();
  kb->cache_ = std::make_unique<catalog_cache>(
      clk, cfg.catalog_cache_ttl.count(),
      [raw](const std::string& sku) -> result<std::optional<product>> {
        std::lock_guard<std::mutex> guard{raw->mutex_};
        const auto* p = raw->source_.find(sku);
        return p == nullptr ? std::optional<product>{} : std::optional<product>{*p};
      });
  return kb;
}

catalog bot_knowledge::products() const {
  std::vector<std::string> skus;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    skus = skus_;
  }
  catalog out;
  for (const auto& sku : skus) {
    if (auto p = cache_->get(sku); p && p->has_value()) {
      out.products.push_back(std::move(**p));
    }
  }
  return out;
}

std::optional<product> bot_knowledge::find_product(const std::string& sku) const {
  auto p = cache_->get(sku);
  if (!p || !p->has_value()) {
    return std::nullopt;
  }
  return std::move(**p);
}

void bot_knowledge::product_updated(product p) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto it = std::find_if(source_.products.begin(), source_.products.end(),
                           [&](const product& q) { return q.sku == p.sku; });
    if (it == source_.products.end()) {
      source_.products.push_back(p);
      skus_.push_back(p.sku);
    } else if (it->updated_at_ms != 0 && p.updated_at_ms != 0 &&
               p.updated_at_ms < it->updated_at_ms) {
      return;  // An update older than what we have: the cache ignores it too.
    } else {
      *it = p;
    }
  }
  cache_->put(std::move(p));
}

catalog_cache_stats bot_knowledge::cache_stats() const {
  return cache_->stats();
}

bot_turn take_turn(const bot_knowledge& kb, const std::string& text,
                   const schemas::conversation_state& st, const schemas::profile_summary* profile) {
  bot_turn t;
  t.understood = nlu::understand(kb.intents, kb.segmenter, text);
  t.sentiment = nlu::analyze(kb.lexicon, nlu::clause_tokens(kb.segmenter, text));
  const auto& s = kb.scripts;
  auto intent = t.understood.intent;
  bool vip = is_vip(kb.settings, profile);

  if (st.status == "waiting_for_agent") {
    t.replies.push_back(line(s.render("waiting_for_agent")));
    t.resolved = true;
    return t;
  }

  auto recommend_for = [&](bool cheaper) {
    shopper_context shopper;
    shopper.tokens = t.understood.tokens;
    if (profile != nullptr) {
      shopper.viewed_skus = profile->recent_skus;
      shopper.viewed_brands = profile->top_brands;
      shopper.viewed_categories = profile->top_categories;
      shopper.tier = profile->tier;
      if (profile->has_price_band) {
        shopper.price_band = std::make_pair(profile->price_min, profile->price_max);
      }
      shopper.price_sensitive = profile->price_sensitive;
    }
    if (cheaper) {
      shopper.price_sensitive = true;
      // Show what else fits, not the same products again.
      shopper.exclude_skus = st.recommended_skus;
      // "太贵了" says nothing of the product: stay near what the person was shown.
      for (const auto& sku : st.recommended_skus) {
        shopper.viewed_skus.push_back(sku);
      }
    }
    auto cat = kb.products();
    auto recs = recommend(cat, shopper, kb.settings.max_products);
    // Copy out before `cat` goes away: recommendations point into it.
    std::vector<std::string> skus;
    for (const auto& r : recs) {
      skus.push_back(r.item->sku);
    }
    return std::make_tuple(names_of(recs), cards_of(recs), skus);
  };

  auto hand_off = [&](std::string reason, std::string pool_reason) {
    t.handoff_reason = std::move(reason);
    t.pool_reason = std::move(pool_reason);
    t.replies.push_back(line(s.render("handoff")));
    t.resolved = true;
  };

  if (intent == nlu::intent_kind::ask_human) {
    hand_off("asked_for_human", "");
    t.skill = "";
    return t;
  }
  if (t.sentiment.strong_negative) {
    t.replies.push_back(line(s.render("complaint")));
    hand_off("strong_negative_sentiment", "complaint");
    t.skill = "aftersales";
    return t;
  }
  if (intent == nlu::intent_kind::complaint) {
    t.replies.push_back(line(s.render("complaint")));
    t.resolved = true;
    if (vip) {
      hand_off("complaint_top_tier", "complaint");
      t.skill = "aftersales";
    }
    return t;
  }
  if (intent == nlu::intent_kind::product_inquiry || (intent == nlu::intent_kind::price_question)) {
    bool objection = t.sentiment.price_objection;
    auto [names, cards, skus] = recommend_for(objection);
    if (!skus.empty()) {
      auto key = intent == nlu::intent_kind::product_inquiry ? "recommend"
                 : objection                                 ? "price_objection"
                                                             : "price_question";
      t.replies.push_back(line(s.render(key, {{"names", names}}), std::move(cards)));
      t.shown_skus = std::move(skus);
      t.resolved = true;
      return t;
    }
    if (intent == nlu::intent_kind::product_inquiry) {
      t.replies.push_back(line(s.render("no_match")));
      t.resolved = true;
      return t;
    }
  }
  if (intent != nlu::intent_kind::product_inquiry) {
    if (auto answer = nlu::match(kb.faq, t.understood.tokens)) {
      t.replies.push_back(line(s.render("faq", {{"answer", answer->answer}})));
      t.resolved = true;
      return t;
    }
  }
  switch (intent) {
    case nlu::intent_kind::greeting:
      t.replies.push_back(line(s.render("greeting")));
      t.resolved = true;
      return t;
    case nlu::intent_kind::order_status:
      t.replies.push_back(line(s.render("order_status")));
      t.resolved = true;
      return t;
    case nlu::intent_kind::thanks_bye:
      t.replies.push_back(line(s.render("thanks_bye")));
      t.resolved = true;
      return t;
    case nlu::intent_kind::price_question:
      t.replies.push_back(line(s.render("no_match")));
      t.resolved = true;
      return t;
    default:
      break;
  }
  // Not understood: hand off once it keeps happening, offer it one turn before.
  auto unresolved = st.signals.unresolved_turns + 1;
  if (unresolved >= kb.settings.unresolved_turns) {
    hand_off("unresolved", "");
    return t;
  }
  t.replies.push_back(
      line(s.render(unresolved + 1 >= kb.settings.unresolved_turns ? "offer_human" : "unknown")));
  return t;
}

}  // namespace sb
