#pragma once

#include <memory>
#include <string>

#include "actors/campaign/trigger_logic.hpp"
#include "actors/conversation/bot.hpp"
#include "actors/marketing/marketing_rules.hpp"
#include "runtime/keyed_behavior.hpp"
#include "runtime/store.hpp"
#include "schemas/marketing.hpp"

namespace sb {

/// What every campaign actor of a node shares: the reloadable rules, the store (coupon ledger,
/// per-person records, saved profiles) and the catalog (stock of the product asked about). All
/// outlive the node's actors.
struct campaign_services {
  std::shared_ptr<marketing_rules> rules;
  store* state_store = nullptr;
  std::shared_ptr<const bot_knowledge> knowledge;  ///< nullptr: product facts are unknown.
};

/// One marketing campaign (key: its id). It is subscribed to the campaign's `on` and `unless`
/// topics; per person it keeps a small record in the store (campaign_person) and one durable timer
/// named `person:{user}`, so a trigger waits in the store, not in memory: it survives passivation
/// and restarts, an `unless` event cancels it, and it fires from this actor's mailbox. When it
/// fires, the actor checks the conditions against the person's facts at that moment, claims the
/// firing (and issues its coupon) in one atomic store step within the per-person limit and the
/// budget, sends the message into the person's conversation and hands off if asked, and publishes
/// `coupon.issued`. Its own state is only its counters (campaign_state).
///
/// It reads the campaign's definition from the current rules at every message, so a reload applies
/// to waiting triggers too; a campaign removed by a reload lets its waiting triggers lapse.
class campaign_actor final : public keyed_behavior {
 public:
  campaign_actor(std::string id, campaign_services services);

  result<void> restore(const std::optional<std::string>& snapshot) override;
  [[nodiscard]] std::string snapshot() const override;
  result<void> handle(const schemas::envelope& msg, actor_context& ctx) override;
  result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) override;
  [[nodiscard]] std::string status_json() const override;

  /// Returns the counters (for tests).
  [[nodiscard]] const schemas::campaign_state& state() const { return state_; }

  /// Returns the name of the durable timer of one person's trigger.
  static std::string timer_name(const std::string& user) { return "person:" + user; }

 private:
  result<schemas::campaign_person> load_person(const std::string& user);
  result<void> save_person(const std::string& user, const schemas::campaign_person& p);
  result<void> apply_change(campaigns::timer_change change, const campaigns::campaign_spec& spec,
                            const std::string& user, schemas::campaign_person& person,
                            actor_context& ctx);
  result<void> fire(const campaigns::campaign_spec& spec, const std::string& user,
                    schemas::campaign_person& person, actor_context& ctx);
  result<campaigns::facts> facts_for(const campaigns::campaign_spec& spec, const std::string& user,
                                     const schemas::campaign_person& person, int64_t now_ms);
  void skip(const std::string& reason);

  std::string id_;
  campaign_services svc_;
  schemas::campaign_state state_;
};

/// Returns the campaign's view of an event envelope (conversation or business event), or nullopt
/// for one it cannot use (no person, another type).
std::optional<campaigns::trigger_event> trigger_event_of(const schemas::envelope& env);

}  // namespace sb
