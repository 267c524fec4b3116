#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/conversation/bot.hpp"
#include "actors/marketing/marketing_rules.hpp"
#include "schemas/conversation.hpp"

namespace sb {

/// What a conversation does for marketing on a bot turn, as pure functions of its state: the A/B
/// variant of a recommendation's script, and the churn-risk features of the session.

/// The variant of an experiment a reply was given.
struct reply_variant {
  std::string experiment;
  std::string variant;
};

/// Picks the variant (an index into spec.variants) the person sees in an experiment.
using variant_chooser = std::function<size_t(const experiments::experiment_spec& spec)>;

/// Applies the first enabled `recommendation_reply` experiment that matches the first recommended
/// product (category/brand): the variant `choose` picks, its script rendered for that product,
/// becomes the product card's pitch and is added to the reply's text. Returns the variant, or
/// nullopt if no experiment applies.
std::optional<reply_variant> apply_reply_experiment(
    const marketing_snapshot& rules, const bot_knowledge& knowledge, const variant_chooser& choose,
    std::vector<schemas::outbound_message>& replies);

/// Returns the churn-risk features of a session at `now_ms` (churn/features.hpp names); the
/// profile's features are left out while the profile is unknown, so the model counts them at
/// their mean.
std::map<std::string, double> churn_features_of(const schemas::conversation_state& state,
                                                int64_t now_ms);

}  // namespace sb
