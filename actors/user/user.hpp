#pragma once

#include "actors/user/profile_logic.hpp"
#include "runtime/keyed_behavior.hpp"
#include "schemas/user.hpp"

namespace sb {

/// One person, keyed by the identity it was first seen under (`app:u-42`, `web:v-1001`, ...): the
/// data hub that joins CRM, orders and behaviour across channels (actors/user/profile_logic).
///
/// It applies business events once per event id and republishes each on its own topic
/// (`order.placed`, ...); it answers `summary` commands with a profile summary and keeps sending
/// fresh summaries to the conversations that asked (its watchers) whenever the profile changes.
/// It keeps the person's recent touchpoints (recommendations shown, coupons received) and
/// attributes each new order to them once (`order.attributed`), crediting experiment variants with
/// clicks and conversions.
/// `user.identified` links identities: each other identity's user actor is told to `absorb` itself
/// into this one, sends its whole profile here (`merge`), and forwards whatever reaches it later.
class user final : public keyed_behavior {
 public:
  /// `attribution_window_ms`: how long before an order a touchpoint counts as its cause.
  explicit user(std::string key, int64_t attribution_window_ms = 7 * 86'400'000LL);

  result<void> restore(const std::optional<std::string>& snapshot) override;
  [[nodiscard]] std::string snapshot() const override;
  result<void> handle(const schemas::envelope& msg, actor_context& ctx) override;
  result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) override;
  [[nodiscard]] std::string status_json() const override;

  /// Returns the profile (for tests).
  [[nodiscard]] const profile& person() const { return profile_; }

  /// Returns the schema form of this person's summary at `now_ms`.
  [[nodiscard]] schemas::profile_summary summary(int64_t now_ms) const;

 private:
  result<void> on_event(const schemas::business_event& ev, actor_context& ctx);
  result<void> on_command(const schemas::user_command& cmd, actor_context& ctx);
  void on_click(const schemas::business_event& ev, int64_t at_ms, actor_context& ctx);
  void on_order(const schemas::business_event& ev, int64_t at_ms, actor_context& ctx);
  void push_summaries(actor_context& ctx);
  void watch(const std::string& conversation_key);

  std::string key_;
  int64_t attribution_window_ms_;
  profile profile_;
  schemas::user_state state_;  // merged_into, applied event ids, watchers (profile kept apart)
  int64_t last_now_ms_ = 0;
};

}  // namespace sb
