#pragma once

#include <memory>
#include <string>

#include "actors/marketing/marketing_rules.hpp"
#include "runtime/keyed_behavior.hpp"
#include "schemas/marketing.hpp"

namespace sb {

/// One A/B experiment (key: its id): counts impressions, clicks and conversions per variant
/// (experiment_event), each click and conversion once (by its `ref`) and a conversion only within
/// the experiment's attribution window after its impression; answers `report` requests with the
/// statistics of experiments::report_json. Its counts are its saved state, so they survive
/// restarts and are what GET /v1/experiments/{id} serves.
class experiment_actor final : public keyed_behavior {
 public:
  experiment_actor(std::string id, std::shared_ptr<marketing_rules> rules);

  result<void> restore(const std::optional<std::string>& snapshot) override;
  [[nodiscard]] std::string snapshot() const override;
  result<void> handle(const schemas::envelope& msg, actor_context& ctx) override;
  result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) override;
  [[nodiscard]] std::string status_json() const override;

  /// How many click and conversion refs it remembers to drop repeats.
  static constexpr size_t remembered_refs = 4096;

 private:
  [[nodiscard]] std::string report() const;

  std::string id_;
  std::shared_ptr<marketing_rules> rules_;
  schemas::experiment_state state_;
};

}  // namespace sb
