#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "schemas/conversation.hpp"
#include "schemas/marketing.hpp"
#include "schemas/user.hpp"

namespace sb {

/// The sales funnel of one channel: how far conversations got towards an order.
struct funnel_stages {
  int64_t conversations = 0;
  int64_t product_inquiries = 0;
  int64_t recommendations_shown = 0;  ///< Replies that showed products.
  int64_t recommendations_clicked = 0;
  int64_t coupons_issued = 0;
  int64_t coupons_redeemed = 0;
  int64_t orders = 0;
  int64_t orders_from_recommendations = 0;  ///< Attributed to a recommendation shown before.
  int64_t orders_with_coupons = 0;          ///< Attributed to a coupon received before.
};

/// Counts the funnel per channel from the events a node publishes, plus churn alerts and
/// win-backs (coupons of campaigns armed by churn.high_risk, and orders attributed to them).
/// The caller feeds each event once. Plain data; not thread-safe.
class funnel {
 public:
  /// `winback_campaigns`: ids of the campaigns that react to churn.high_risk.
  explicit funnel(std::set<std::string> winback_campaigns = {})
      : winback_(std::move(winback_campaigns)) {}

  void on_conversation_event(const std::string& topic, const schemas::conversation_event& ev);
  void on_business_event(const std::string& topic, const schemas::business_event& ev);
  void on_coupon(const std::string& topic, const schemas::coupon_record& c);
  void on_attribution(const schemas::order_attribution& a);

  [[nodiscard]] const std::map<std::string, funnel_stages>& by_channel() const {
    return by_channel_;
  }
  /// Returns the sum over channels.
  [[nodiscard]] funnel_stages total() const;
  [[nodiscard]] int64_t churn_alerts() const { return churn_alerts_; }
  [[nodiscard]] int64_t winback_offers() const { return winback_offers_; }
  [[nodiscard]] int64_t winback_orders() const { return winback_orders_; }

 private:
  std::set<std::string> winback_;
  std::map<std::string, funnel_stages> by_channel_;
  int64_t churn_alerts_ = 0;
  int64_t winback_offers_ = 0;
  int64_t winback_orders_ = 0;
};

/// Returns the channel of a user key (`web:v-1` → `web`).
std::string channel_of_user(const std::string& user);

}  // namespace sb
