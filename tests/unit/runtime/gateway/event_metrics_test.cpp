// Counting business events into metrics (runtime/gateway/event_metrics.cpp): which counter each
// topic feeds, the labels (campaign or channel, never a person), and dropping repeated ids.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "runtime/bus.hpp"
#include "runtime/gateway/event_metrics.hpp"
#include "schemas/conversation.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"
#include "schemas/user.hpp"

namespace {

using sb::gateway::count_event;

// A bus that calls local handlers at once on publish; everything else is unused here.
class direct_bus final : public sb::bus {
 public:
  void deliver(sb::schemas::envelope) override {}
  void request(sb::schemas::envelope, std::chrono::milliseconds, sb::reply_handler) override {}
  void publish(std::string_view topic, sb::schemas::envelope env) override {
    for (const auto& [id, sub] : subs_) {
      if (sub.first == topic) {
        sub.second(std::string{topic}, env);
      }
    }
  }
  uint64_t subscribe(std::string, sb::schemas::address) override { return 0; }
  uint64_t subscribe(std::string pattern, sb::event_handler h) override {
    subs_[++next_] = {std::move(pattern), std::move(h)};
    return next_;
  }
  void unsubscribe(uint64_t id) override { subs_.erase(id); }
  [[nodiscard]] size_t subscriptions() const { return subs_.size(); }

 private:
  uint64_t next_ = 0;
  std::map<uint64_t, std::pair<std::string, sb::event_handler>> subs_;
};

sb::schemas::envelope coupon_event(const std::string& campaign) {
  sb::schemas::coupon_record c;
  c.code = "AAAA-BBBB-CCCC-DDDD";
  c.campaign = campaign;
  c.user = "web:v-1";
  return sb::make_envelope(sb::schemas::address{}, c);
}

sb::schemas::envelope conversation_event(const std::string& channel) {
  sb::schemas::conversation_event e;
  e.channel = channel;
  e.person = "v-1";
  return sb::make_envelope(sb::schemas::address{}, e);
}

sb::schemas::envelope click(const std::string& user) {
  sb::schemas::business_event e;
  e.type = "recommendation.clicked";
  e.user = user;
  e.sku = "SKU-1";
  return sb::make_envelope(sb::schemas::address{}, e);
}

double counter(sb::metrics::registry& reg, const char* name, const char* label,
               const std::string& value) {
  return reg.get_counter(name, "test", {{label, value}}).value();
}

}  // namespace

TEST_CASE("coupon events are counted by campaign") {
  auto reg = sb::metrics::make_registry();
  count_event(*reg, sb::schemas::topics::coupon_issued, coupon_event("c1"));
  count_event(*reg, sb::schemas::topics::coupon_issued, coupon_event("c1"));
  count_event(*reg, sb::schemas::topics::coupon_issued, coupon_event("c2"));
  count_event(*reg, sb::schemas::topics::coupon_redeemed, coupon_event("c1"));
  CHECK(counter(*reg, "sb_coupons_issued_total", "campaign", "c1") == 2);
  CHECK(counter(*reg, "sb_coupons_issued_total", "campaign", "c2") == 1);
  CHECK(counter(*reg, "sb_coupons_redeemed_total", "campaign", "c1") == 1);
  CHECK(reg->render().find("web:v-1") == std::string::npos);  // the person is no label
}

TEST_CASE("conversation events are counted by channel, unknown channels as other") {
  auto reg = sb::metrics::make_registry();
  count_event(*reg, sb::schemas::topics::churn_high_risk, conversation_event("web"));
  count_event(*reg, sb::schemas::topics::recommendation_shown, conversation_event("wechat"));
  count_event(*reg, sb::schemas::topics::recommendation_shown, conversation_event("pager"));
  count_event(*reg, sb::schemas::topics::handoff_requested, conversation_event("app"));
  count_event(*reg, sb::schemas::topics::handoff_accepted, conversation_event("app"));
  CHECK(counter(*reg, "sb_churn_alerts_total", "channel", "web") == 1);
  CHECK(counter(*reg, "sb_recommendations_shown_total", "channel", "wechat") == 1);
  CHECK(counter(*reg, "sb_recommendations_shown_total", "channel", "other") == 1);
  CHECK(counter(*reg, "sb_handoffs_requested_total", "channel", "app") == 1);
  CHECK(counter(*reg, "sb_handoffs_accepted_total", "channel", "app") == 1);
}

TEST_CASE("a click is counted under the channel of its user key") {
  auto reg = sb::metrics::make_registry();
  count_event(*reg, "recommendation.clicked", click("app:u-42"));
  count_event(*reg, "recommendation.clicked", click("u-without-channel"));
  CHECK(counter(*reg, "sb_recommendations_clicked_total", "channel", "app") == 1);
  CHECK(counter(*reg, "sb_recommendations_clicked_total", "channel", "unknown") == 1);
  CHECK(reg->render().find("u-42") == std::string::npos);
}

TEST_CASE("an undecodable payload is counted as unknown and other topics are ignored") {
  auto reg = sb::metrics::make_registry();
  auto bad = coupon_event("c1");
  bad.payload.data = "not msgpack";
  count_event(*reg, sb::schemas::topics::coupon_issued, bad);
  count_event(*reg, sb::schemas::topics::conversation_started, conversation_event("web"));
  CHECK(counter(*reg, "sb_coupons_issued_total", "campaign", "unknown") == 1);
  // Only the one family exists: conversation.started fed nothing.
  CHECK(reg->render().find("# TYPE") == reg->render().rfind("# TYPE"));
}

TEST_CASE("event_metrics counts a repeated message id once and nothing after stop") {
  auto reg = sb::metrics::make_registry();
  direct_bus b;
  sb::gateway::event_metrics em{b, *reg};
  em.start();
  em.start();  // idempotent: no second set of subscriptions
  CHECK(b.subscriptions() == sb::gateway::counted_topics().size());
  auto ev = coupon_event("c1");
  b.publish(sb::schemas::topics::coupon_issued, ev);
  b.publish(sb::schemas::topics::coupon_issued, ev);  // a retried firing: same id
  b.publish(sb::schemas::topics::coupon_issued, coupon_event("c1"));
  CHECK(counter(*reg, "sb_coupons_issued_total", "campaign", "c1") == 2);
  em.stop();
  CHECK(b.subscriptions() == 0);
  b.publish(sb::schemas::topics::coupon_issued, coupon_event("c1"));
  CHECK(counter(*reg, "sb_coupons_issued_total", "campaign", "c1") == 2);
}
