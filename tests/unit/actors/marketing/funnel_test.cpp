#include "actors/marketing/funnel.hpp"

#include <doctest/doctest.h>

#include "schemas/subjects.hpp"

TEST_CASE("the funnel counts each stage on the channel it happened on") {
  sb::funnel f{{"churn-winback"}};
  sb::schemas::conversation_event started;
  started.channel = "web";
  started.user = "web:v-1";
  f.on_conversation_event(sb::schemas::topics::conversation_started, started);
  f.on_conversation_event(sb::schemas::topics::product_inquiry, started);
  f.on_conversation_event(sb::schemas::topics::recommendation_shown, started);
  auto wx = started;
  wx.channel = "wechat";
  f.on_conversation_event(sb::schemas::topics::conversation_started, wx);
  f.on_conversation_event(sb::schemas::topics::churn_high_risk, wx);

  sb::schemas::business_event click;
  click.user = "web:v-1";
  f.on_business_event("recommendation.clicked", click);

  sb::schemas::coupon_record c;
  c.campaign = "churn-winback";
  c.user = "wechat:o-1";
  c.channel = "wechat";
  f.on_coupon(sb::schemas::topics::coupon_issued, c);
  f.on_coupon(sb::schemas::topics::coupon_redeemed, c);

  sb::schemas::order_attribution a;
  a.user = "wechat:o-1";
  a.channel = "wechat";
  a.coupon_code = "X";
  a.campaign = "churn-winback";
  f.on_attribution(a);
  sb::schemas::order_attribution plain;
  plain.user = "app:u-1";
  f.on_attribution(plain);

  const auto& by = f.by_channel();
  CHECK(by.at("web").conversations == 1);
  CHECK(by.at("web").product_inquiries == 1);
  CHECK(by.at("web").recommendations_shown == 1);
  CHECK(by.at("web").recommendations_clicked == 1);
  CHECK(by.at("wechat").coupons_issued == 1);
  CHECK(by.at("wechat").coupons_redeemed == 1);
  CHECK(by.at("wechat").orders == 1);
  CHECK(by.at("wechat").orders_with_coupons == 1);
  CHECK(by.at("app").orders == 1);
  CHECK(f.total().orders == 2);
  CHECK(f.total().conversations == 2);
  CHECK(f.churn_alerts() == 1);
  CHECK(f.winback_offers() == 1);
  CHECK(f.winback_orders() == 1);
}
