#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "runtime/config/node_config.hpp"
#include "runtime/result.hpp"

namespace sb {

/// What a demo run did, for the closing summary and for tests.
struct demo_summary {
  int64_t messages = 0;
  int64_t retries_recognised = 0;
  int64_t sessions_started = 0;
  int64_t sessions_closed = 0;
  int64_t activations = 0;
  int64_t passivations = 0;
  int64_t timers_fired = 0;
  std::map<std::string, int64_t> messages_by_channel;
  int64_t product_inquiries = 0;
  int64_t recommendations_shown = 0;  ///< Product cards shown.
  int64_t recommendations_clicked = 0;
  int64_t orders = 0;
  int64_t handoffs_requested = 0;
  int64_t handoffs_accepted = 0;
  int64_t agent_wait_ms_total = 0;  ///< Sum over accepted handoffs of the wait for an agent.
  int64_t agent_messages = 0;
  int64_t churn_alerts = 0;
  /// The funnel per channel (actors/marketing/funnel.hpp), filled at the end of the run.
  std::map<std::string, std::map<std::string, int64_t>> funnel_by_channel;
  int64_t coupons_issued = 0;
  int64_t coupons_redeemed = 0;
  int64_t orders_attributed_to_coupons = 0;
  int64_t winback_offers = 0;
  int64_t winback_orders = 0;
  /// Per experiment: its report (the JSON of GET /v1/experiments/{id}).
  std::map<std::string, std::string> experiments;
};

/// Replays the scenario at `scenario_path` against an embedded node (in-process bus, the store of
/// `cfg`, a scripted clock that only `advance` steps move; each step waits until the messages it
/// set off between actors were handled) and writes a readable account to `out`:
/// each message with the bot's replies and the products it showed, business events, handoffs and
/// the agent's part, events as they are published, activations, passivations and durable timers
/// firing, then a summary per channel and for the funnel.
result<demo_summary> run_demo(const node_config& cfg, const std::string& scenario_path,
                              std::ostream& out);

}  // namespace sb
