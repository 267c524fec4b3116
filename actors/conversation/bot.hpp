#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/catalog/catalog.hpp"
#include "actors/catalog/catalog_cache.hpp"
#include "actors/conversation/nlu/faq.hpp"
#include "actors/conversation/nlu/intents.hpp"
#include "actors/conversation/nlu/segmenter.hpp"
#include "actors/conversation/nlu/sentiment.hpp"
#include "actors/conversation/reply_scripts.hpp"
#include "runtime/clock.hpp"
#include "runtime/config/node_config.hpp"
#include "schemas/conversation.hpp"
#include "schemas/user.hpp"

namespace sb {

/// How the bot decides to hand over (from the `handoff.*` config keys).
struct bot_settings {
  int64_t unresolved_turns = 2;                            ///< Unanswerable messages in a row.
  std::vector<std::string> vip_tiers{"gold", "platinum"};  ///< Their complaints go to a human.
  size_t max_products = 3;
};

/// What the bot knows, shared read-only by every conversation of a node: the NLU models, the FAQ,
/// the reply scripts and the product catalog (a TTL cache in front of the catalog file, refreshed
/// at once by `product.updated`). Created once at start-up; thread-safe after that.
class bot_knowledge {
 public:
  /// Loads every file the `nlu.*` and `catalog.*` keys name; fails with the first file's error.
  static result<std::shared_ptr<bot_knowledge>> load(const node_config& cfg, const clock& clk);

  nlu::segmenter segmenter;
  nlu::intent_model intents;
  nlu::lexicon lexicon;
  nlu::faq_model faq;
  reply_scripts scripts;
  bot_settings settings;

  /// Returns the products now (each through the cache).
  [[nodiscard]] catalog products() const;
  /// Returns one product through the cache, or nullopt if the catalog has no such sku.
  [[nodiscard]] std::optional<product> find_product(const std::string& sku) const;
  /// Applies a `product.updated` event: the product replaces the cached one at once.
  void product_updated(product p);
  /// Returns the cache counters (for metrics).
  [[nodiscard]] catalog_cache_stats cache_stats() const;

 private:
  bot_knowledge(nlu::segmenter seg, nlu::intent_model in, nlu::lexicon lex, nlu::faq_model faq,
                reply_scripts scripts);

  mutable std::mutex mutex_;
  catalog source_;                        // the catalog file plus updates: what the cache loads
  std::vector<std::string> skus_;         // every known sku, in file order
  std::unique_ptr<catalog_cache> cache_;  // after source_: its loader reads source_
};

/// The bot's decision for one message of the person (pure: no actor, no I/O).
struct bot_turn {
  nlu::understanding understood;
  nlu::sentiment_result sentiment;
  std::vector<schemas::outbound_message> replies;  ///< seq and at_ms are set by the caller.
  std::optional<std::string> handoff_reason;       ///< Set when a human should take over.
  std::string pool_reason;  ///< The reason as the agent pool ranks it ("complaint", ...).
  std::string skill;        ///< The agent skill the handoff needs ("presales", "aftersales").
  std::vector<std::string> shown_skus;  ///< Products recommended in the replies.
  bool resolved = false;  ///< The bot answered something (resets the unresolved count).
};

/// Decides how the bot answers `text` (already masked) in a conversation in state `st`, for a
/// person with `profile` (nullptr when the user actor has not answered yet).
bot_turn take_turn(const bot_knowledge& kb, const std::string& text,
                   const schemas::conversation_state& st, const schemas::profile_summary* profile);

}  // namespace sb
