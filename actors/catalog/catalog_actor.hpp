#pragma once

#include <map>
#include <memory>

#include "actors/conversation/bot.hpp"
#include "runtime/keyed_behavior.hpp"

namespace sb {

/// The node's product catalog as a keyed actor (`catalog/default`): it applies `product.updated`
/// business events to the bot's catalog cache at once, keeps the updated products in its state so
/// they survive restarts (re-applied on activation), and republishes the event. An update older
/// than the one it keeps for that product (by `updated_at_ms`) is answered `stale` and dropped.
class catalog_actor final : public keyed_behavior {
 public:
  explicit catalog_actor(std::shared_ptr<bot_knowledge> bot) : bot_(std::move(bot)) {}

  result<void> restore(const std::optional<std::string>& snapshot) override;
  [[nodiscard]] std::string snapshot() const override;
  result<void> handle(const schemas::envelope& msg, actor_context& ctx) override;
  result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) override;
  [[nodiscard]] std::string status_json() const override;

 private:
  std::shared_ptr<bot_knowledge> bot_;
  std::map<std::string, std::string> updated_;  // sku -> product JSON
};

}  // namespace sb
