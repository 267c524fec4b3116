#include "runtime/gateway/event_metrics.hpp"

#include <deque>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "schemas/conversation.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"
#include "schemas/user.hpp"

namespace sb::gateway {

namespace {

constexpr const char* unknown = "unknown";

// Label values must come from a small fixed set; anything else a client could send becomes
// "other" so that a bad shop integration cannot blow up the number of series.
std::string known_channel(std::string_view channel) {
  if (channel == "web" || channel == "app" || channel == "wechat") {
    return std::string{channel};
  }
  return channel.empty() ? unknown : "other";
}

template <class M, class F>
std::string label_of(const schemas::envelope& env, F pick) {
  auto msg = open_envelope<M>(env);
  return msg ? pick(*msg) : std::string{unknown};
}

std::string campaign_of(const schemas::envelope& env) {
  return label_of<schemas::coupon_record>(env, [](const schemas::coupon_record& c) {
    return c.campaign.empty() ? std::string{unknown} : c.campaign;
  });
}

std::string channel_of_conversation(const schemas::envelope& env) {
  return label_of<schemas::conversation_event>(
      env, [](const schemas::conversation_event& e) { return known_channel(e.channel); });
}

std::string channel_of_user(const schemas::envelope& env) {
  return label_of<schemas::business_event>(env, [](const schemas::business_event& e) {
    auto colon = e.user.find(':');
    return known_channel(colon == std::string::npos ? std::string_view{}
                                                    : std::string_view{e.user}.substr(0, colon));
  });
}

struct counted {
  const char* topic;
  const char* metric;
  const char* help;
  const char* label;
  std::string (*label_value)(const schemas::envelope&);
};

constexpr size_t counted_count = 7;

const counted table[counted_count] = {
    {schemas::topics::coupon_issued, "sb_coupons_issued_total",
     "Coupons issued by campaigns, by campaign", "campaign", campaign_of},
    {schemas::topics::coupon_redeemed, "sb_coupons_redeemed_total",
     "Coupons redeemed by an order, by campaign", "campaign", campaign_of},
    {schemas::topics::churn_high_risk, "sb_churn_alerts_total",
     "Conversations whose churn risk crossed the threshold, by channel", "channel",
     channel_of_conversation},
    {schemas::topics::recommendation_shown, "sb_recommendations_shown_total",
     "Bot replies that showed products, by channel", "channel", channel_of_conversation},
    {"recommendation.clicked", "sb_recommendations_clicked_total",
     "Clicks on recommended products reported by the shop, by channel", "channel", channel_of_user},
    {schemas::topics::handoff_requested, "sb_handoffs_requested_total",
     "Conversations handed over to a human, by channel", "channel", channel_of_conversation},
    {schemas::topics::handoff_accepted, "sb_handoffs_accepted_total",
     "Hand-offs an agent accepted, by channel", "channel", channel_of_conversation},
};

}  // namespace

const std::vector<std::string>& counted_topics() {
  static const std::vector<std::string> topics = [] {
    std::vector<std::string> out;
    for (const auto& c : table) {
      out.emplace_back(c.topic);
    }
    return out;
  }();
  return topics;
}

void count_event(metrics::registry& reg, const std::string& topic, const schemas::envelope& env) {
  for (const auto& c : table) {
    if (topic == c.topic) {
      reg.get_counter(c.metric, c.help, {{c.label, c.label_value(env)}}).inc();
      return;
    }
  }
}

// What the bus handlers use; shared with them because they may run after stop() returned.
struct event_metrics::counting_state {
  explicit counting_state(metrics::registry& r) : reg(r) {}

  // Returns true the first time `msg_id` is seen among the last `recent_capacity` ids.
  bool first_time(const std::string& msg_id) {
    std::lock_guard<std::mutex> guard{mutex};
    if (!recent.insert(msg_id).second) {
      return false;
    }
    order.push_back(msg_id);
    if (order.size() > recent_capacity) {
      recent.erase(order.front());
      order.pop_front();
    }
    return true;
  }

  static constexpr size_t recent_capacity = 4096;
  metrics::registry& reg;
  std::mutex mutex;
  std::deque<std::string> order;
  std::unordered_set<std::string> recent;
};

event_metrics::event_metrics(bus& b, metrics::registry& reg)
    : bus_(b), state_(std::make_shared<counting_state>(reg)) {}

event_metrics::~event_metrics() {
  stop();
}

void event_metrics::start() {
  if (!subscriptions_.empty()) {
    return;
  }
  for (const auto& topic : counted_topics()) {
    subscriptions_.push_back(bus_.subscribe_local(
        topic, [st = state_](const std::string& t, const schemas::envelope& env) {
          // An empty id cannot be told apart from another event: count it.
          if (env.msg_id.empty() || st->first_time(env.msg_id)) {
            count_event(st->reg, t, env);
          }
        }));
  }
}

void event_metrics::stop() {
  for (auto id : subscriptions_) {
    bus_.unsubscribe(id);
  }
  subscriptions_.clear();
}

}  // namespace sb::gateway
