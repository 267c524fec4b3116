#include "actors/conversation/marketing_hooks.hpp"

#include <algorithm>
#include <sstream>

namespace sb {

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string price_text(double price) {
  std::ostringstream s;
  s << price;
  return s.str();
}

double tier_number(const std::string& tier) {
  if (tier == "platinum") {
    return 3;
  }
  if (tier == "gold") {
    return 2;
  }
  return tier == "silver" ? 1 : 0;
}

}  // namespace

std::optional<reply_variant> apply_reply_experiment(
    const marketing_snapshot& rules, const bot_knowledge& knowledge, const variant_chooser& choose,
    std::vector<schemas::outbound_message>& replies) {
  for (auto& reply : replies) {
    if (reply.products.empty()) {
      continue;
    }
    auto& card = reply.products.front();
    auto product = knowledge.find_product(card.sku);
    if (!product) {
      return std::nullopt;
    }
    for (const auto& e : rules.experiments) {
      if (!e.enabled || e.surface != "recommendation_reply" ||
          (!e.match_category.empty() && e.match_category != product->category) ||
          (!e.match_brand.empty() && e.match_brand != product->brand)) {
        continue;
      }
      const auto& v = e.variants[choose(e)];
      auto script = replace_all(v.script, "{product}", product->name);
      script = replace_all(script, "{brand}", product->brand);
      script = replace_all(script, "{price}", price_text(product->price));
      card.pitch = script;
      reply.text += "\n" + script;
      return reply_variant{e.id, v.name};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::map<std::string, double> churn_features_of(const schemas::conversation_state& state,
                                                int64_t now_ms) {
  const auto& sig = state.signals;
  const double messages = static_cast<double>(std::max<int64_t>(1, sig.person_messages));
  std::map<std::string, double> x;
  x["conversation_length"] = static_cast<double>(sig.person_messages);
  x["conversation_duration_min"] =
      static_cast<double>(std::max<int64_t>(0, now_ms - state.started_at_ms)) / 60000.0;
  x["question_rate"] = static_cast<double>(sig.questions) / messages;
  x["unresolved_turns"] = static_cast<double>(sig.unresolved_turns);
  x["negative_share"] = static_cast<double>(sig.negative_messages) / messages;
  x["price_objections"] = static_cast<double>(sig.price_objections);
  if (state.profile_known) {
    const auto days = state.profile.days_since_last_order;
    x["days_since_last_order"] =
        days < 0 ? 365.0 : std::min<double>(365.0, static_cast<double>(days));
    x["order_count"] = static_cast<double>(state.profile.order_count);
    x["tier"] = tier_number(state.profile.tier);
  }
  return x;
}

}  // namespace sb
