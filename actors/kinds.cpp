#include "actors/kinds.hpp"

#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "actors/agent_pool/agent_pool.hpp"
#include "actors/campaign/campaign_actor.hpp"
#include "actors/catalog/catalog_actor.hpp"
#include "actors/conversation/conversation.hpp"
#include "actors/experiment/experiment_actor.hpp"
#include "actors/marketing/marketing_rules.hpp"
#include "actors/user/user.hpp"
#include "runtime/logging.hpp"
#include "runtime/node.hpp"
#include "schemas/subjects.hpp"

namespace sb {

namespace {

/// Subscribes each campaign actor to the topics of its campaign, and on a reload to those of the
/// new version (subscriptions of campaigns that changed or went away are dropped).
class campaign_subscriptions {
 public:
  explicit campaign_subscriptions(std::shared_ptr<marketing_rules> rules)
      : rules_(std::move(rules)) {}

  result<void> attach(node& n) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& b = n.message_bus();
    // New subscriptions first, then the old ones go: an event published in between reaches the
    // actor twice with the same derived id (dropped as a duplicate) rather than not at all.
    auto old = std::move(ids_);
    ids_.clear();
    auto snap = rules_->current();
    for (const auto& c : snap->campaigns) {
      schemas::address addr{schemas::kinds::campaign, c.id};
      std::set<std::string> topics{c.on};
      if (!c.unless.empty()) {
        topics.insert(c.unless);
      }
      for (const auto& t : topics) {
        ids_.push_back(b.subscribe(t, addr));
      }
    }
    for (auto id : old) {
      b.unsubscribe(id);
    }
    return {};
  }

 private:
  std::shared_ptr<marketing_rules> rules_;
  std::mutex mutex_;
  std::vector<uint64_t> ids_;
};

}  // namespace

result<node_hooks> register_builtin_kinds(const kind_setup& setup) {
  const auto& cfg = setup.cfg;
  auto bot = bot_knowledge::load(cfg, setup.clk);
  if (!bot) {
    return bot.err();
  }
  auto rules = marketing_rules::load(cfg);
  if (!rules) {
    return rules.err();
  }
  std::shared_ptr<marketing_rules> marketing = *rules;
  std::shared_ptr<bot_knowledge> shared = *bot;

  auto conv_settings = std::make_shared<conversation_settings>();
  auto& conv = *conv_settings;
  conv.session_idle_ms = cfg.conversation_session_idle.count();
  conv.transcript_limit = static_cast<size_t>(cfg.conversation_transcript_limit);
  conv.bot = shared;
  conv.marketing = marketing;
  conv.state_store = &setup.state_store;
  setup.kinds.add(schemas::kinds::conversation,
                  [shared_settings = std::shared_ptr<const conversation_settings>(conv_settings)](
                      const schemas::address& addr) {
                    return std::make_unique<conversation>(addr, shared_settings);
                  });
  const int64_t window = cfg.attribution_window.count();
  setup.kinds.add(schemas::kinds::user, [window](const schemas::address& addr) {
    return std::make_unique<user>(addr.key, window);
  });
  setup.kinds.add(schemas::kinds::agent_pool,
                  [](const schemas::address&) { return std::make_unique<agent_pool>(); });
  setup.kinds.add("catalog", [shared](const schemas::address&) {
    return std::make_unique<catalog_actor>(shared);
  });
  campaign_services svc{marketing, &setup.state_store, shared};
  setup.kinds.add(schemas::kinds::campaign, [svc](const schemas::address& addr) {
    return std::make_unique<campaign_actor>(addr.key, svc);
  });
  setup.kinds.add(schemas::kinds::experiment, [marketing](const schemas::address& addr) {
    return std::make_unique<experiment_actor>(addr.key, marketing);
  });

  auto subs = std::make_shared<campaign_subscriptions>(marketing);
  node_hooks hooks;
  hooks.after_start = [subs](node& n) { return subs->attach(n); };
  hooks.reload = [subs, marketing](node& n) -> result<void> {
    if (auto r = marketing->reload(); !r) {
      return r;
    }
    auto snap = marketing->current();
    get_logger("marketing")
        ->info("reloaded: {} campaigns, {} experiments, churn threshold {}", snap->campaigns.size(),
               snap->experiments.size(), snap->churn_model.threshold);
    return subs->attach(n);
  };
  hooks.configured_keys = [marketing](const std::string& kind) {
    std::vector<std::string> keys;
    auto snap = marketing->current();
    if (kind == schemas::kinds::campaign) {
      for (const auto& c : snap->campaigns) {
        keys.push_back(c.id);
      }
    } else if (kind == schemas::kinds::experiment) {
      for (const auto& e : snap->experiments) {
        keys.push_back(e.id);
      }
    }
    return keys;
  };
  hooks.describe = [marketing](const std::string& kind, const std::string& key) -> std::string {
    auto snap = marketing->current();
    const auto* c = kind == schemas::kinds::campaign ? snap->campaign(key) : nullptr;
    if (c == nullptr) {
      return {};
    }
    return nlohmann::json{{"campaign", c->id},
                          {"name", c->name},
                          {"enabled", c->enabled},
                          {"on", c->on},
                          {"unless", c->unless},
                          {"wait_ms", c->wait_ms},
                          {"per_person", c->per_person},
                          {"budget", {{"count", c->budget_count}, {"value", c->budget_value}}}}
        .dump();
  };
  return hooks;
}

}  // namespace sb
