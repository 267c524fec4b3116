#include "actors/marketing/funnel.hpp"

#include "schemas/subjects.hpp"

namespace sb {

std::string channel_of_user(const std::string& user) {
  auto colon = user.find(':');
  return colon == std::string::npos ? std::string{"unknown"} : user.substr(0, colon);
}

void funnel::on_conversation_event(const std::string& topic,
                                   const schemas::conversation_event& ev) {
  if (topic == schemas::topics::churn_high_risk) {
    ++churn_alerts_;
    return;
  }
  if (topic != schemas::topics::conversation_started && topic != schemas::topics::product_inquiry &&
      topic != schemas::topics::recommendation_shown) {
    return;
  }
  auto& f = by_channel_[ev.channel.empty() ? channel_of_user(ev.user) : ev.channel];
  if (topic == schemas::topics::conversation_started) {
    ++f.conversations;
  } else if (topic == schemas::topics::product_inquiry) {
    ++f.product_inquiries;
  } else {
    ++f.recommendations_shown;
  }
}

void funnel::on_business_event(const std::string& topic, const schemas::business_event& ev) {
  if (topic == "recommendation.clicked") {
    ++by_channel_[channel_of_user(ev.user)].recommendations_clicked;
  }
}

void funnel::on_coupon(const std::string& topic, const schemas::coupon_record& c) {
  auto& f = by_channel_[c.channel.empty() ? channel_of_user(c.user) : c.channel];
  if (topic == schemas::topics::coupon_issued) {
    ++f.coupons_issued;
    if (winback_.count(c.campaign) > 0) {
      ++winback_offers_;
    }
  } else if (topic == schemas::topics::coupon_redeemed) {
    ++f.coupons_redeemed;
  }
}

void funnel::on_attribution(const schemas::order_attribution& a) {
  auto& f = by_channel_[a.channel.empty() ? channel_of_user(a.user) : a.channel];
  ++f.orders;
  if (!a.recommended_sku.empty()) {
    ++f.orders_from_recommendations;
  }
  if (!a.coupon_code.empty()) {
    ++f.orders_with_coupons;
    if (winback_.count(a.campaign) > 0) {
      ++winback_orders_;
    }
  }
}

funnel_stages funnel::total() const {
  funnel_stages t;
  for (const auto& [channel, f] : by_channel_) {
    t.conversations += f.conversations;
    t.product_inquiries += f.product_inquiries;
    t.recommendations_shown += f.recommendations_shown;
    t.recommendations_clicked += f.recommendations_clicked;
    t.coupons_issued += f.coupons_issued;
    t.coupons_redeemed += f.coupons_redeemed;
    t.orders += f.orders;
    t.orders_from_recommendations += f.orders_from_recommendations;
    t.orders_with_coupons += f.orders_with_coupons;
  }
  return t;
}

}  // namespace sb
