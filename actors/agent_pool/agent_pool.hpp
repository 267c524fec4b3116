#pragma once

#include "actors/agent_pool/agent_pool_logic.hpp"
#include "runtime/keyed_behavior.hpp"

namespace sb {

/// The agent desk as a keyed actor (`agent_pool/default`): it takes pool_command messages
/// (enqueue, cancel, agent, accept, close, snapshot), runs agent_pool_logic, offers waiting
/// conversations to agents after every change (publishing `handoff.offered`), records the time to
/// first agent in `sb_agent_wait_seconds`, and answers with a pool_reply.
class agent_pool final : public keyed_behavior {
 public:
  result<void> restore(const std::optional<std::string>& snapshot) override;
  [[nodiscard]] std::string snapshot() const override;
  result<void> handle(const schemas::envelope& msg, actor_context& ctx) override;
  result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) override;
  [[nodiscard]] std::string status_json() const override;

 private:
  void offer(actor_context& ctx);

  agent_pool_logic pool_;
  int64_t last_now_ms_ = 0;
};

}  // namespace sb
