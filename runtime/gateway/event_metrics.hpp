#pragma once

// Counts business events as they pass on the bus (coupons, churn alerts, recommendations,
// hand-offs) into Prometheus metrics, so that no actor has to know about metrics.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/bus.hpp"
#include "runtime/metrics.hpp"
#include "schemas/envelope.hpp"

namespace sb::gateway {

/// The event topics event_metrics counts: coupon.issued, coupon.redeemed, churn.high_risk,
/// recommendation.shown, recommendation.clicked, handoff.requested, handoff.accepted.
const std::vector<std::string>& counted_topics();

/// Counts one event into `reg`: `sb_coupons_issued_total{campaign}`,
/// `sb_coupons_redeemed_total{campaign}`, `sb_churn_alerts_total{channel}`,
/// `sb_recommendations_shown_total{channel}`, `sb_recommendations_clicked_total{channel}`,
/// `sb_handoffs_requested_total{channel}`, `sb_handoffs_accepted_total{channel}`. Labels are
/// campaign ids and channels only, never a person. The channel of a click is the prefix of its
/// user key (`web:v-1` → `web`). A payload that does not decode is counted with the label value
/// "unknown". Other topics are ignored. Thread-safe (the registry is).
void count_event(metrics::registry& reg, const std::string& topic, const schemas::envelope& env);

/// Subscribes count_event() to every counted topic of a bus, dropping repeats of a message id
/// (a campaign that retries a firing publishes coupon.issued again with the same id).
///
/// Lifetime: counts from start() until stop() or destruction, which unsubscribe. The bus
/// unsubscribes asynchronously, so the handlers share their state with this object and may run
/// briefly after it is gone: the registry must outlive the bus (the process registry does). The
/// handlers run on bus threads and only take a short lock. start() and stop() are for one
/// owning thread.
class event_metrics {
 public:
  /// Returns a counter of `b`'s events into `reg` (the process registry unless told).
  explicit event_metrics(bus& b, metrics::registry& reg = metrics::registry::global());
  ~event_metrics();
  event_metrics(const event_metrics&) = delete;
  event_metrics& operator=(const event_metrics&) = delete;

  /// Subscribes to the counted topics; a second call does nothing.
  void start();
  /// Unsubscribes; events published afterwards are not counted. Idempotent.
  void stop();

 private:
  struct counting_state;

  bus& bus_;
  std::shared_ptr<counting_state> state_;
  std::vector<uint64_t> subscriptions_;
};

}  // namespace sb::gateway
