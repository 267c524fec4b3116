#include "actors/campaign/campaign_actor.hpp"

#include <nlohmann/json.hpp>

#include "actors/campaign/coupon_code.hpp"
#include "actors/campaign/coupon_ledger.hpp"
#include "actors/campaign/eligibility.hpp"
#include "actors/campaign/message_template.hpp"
#include "actors/experiment/variant_choice.hpp"
#include "actors/user/saved_profile.hpp"
#include "runtime/codec.hpp"
#include "runtime/metrics.hpp"
#include "schemas/conversation.hpp"
#include "schemas/subjects.hpp"
#include "schemas/user.hpp"

namespace sb {

namespace {

std::string person_key(const std::string& campaign, const std::string& user) {
  return "campaign:" + campaign + ":person:" + user;
}

// The conversation actor's key is the conversation id without its `#session`.
std::string conversation_key(const std::string& conversation_id) {
  return conversation_id.substr(0, conversation_id.find('#'));
}

std::string channel_of(const std::string& user) {
  return user.substr(0, user.find(':'));
}

}  // namespace

std::optional<campaigns::trigger_event> trigger_event_of(const schemas::envelope& env) {
  campaigns::trigger_event ev;
  if (env.type == schemas::conversation_event::type_name) {
    auto c = decode<schemas::conversation_event>(env.payload.data);
    if (!c) {
      return std::nullopt;
    }
    ev.topic = c->event;
    ev.user = c->user;
    ev.at_ms = c->at_ms;
    ev.sku = c->skus.empty() ? "" : c->skus.front();
    ev.conversation_id = c->conversation_id;
    ev.channel = c->channel;
    ev.tier = c->tier;
    if (c->event == schemas::topics::churn_high_risk) {
      ev.churn_score = c->churn_score;
    }
  } else if (env.type == schemas::business_event::type_name) {
    auto b = decode<schemas::business_event>(env.payload.data);
    if (!b) {
      return std::nullopt;
    }
    ev.topic = b->type;
    ev.user = b->user;
    ev.at_ms = b->at_ms;
    ev.sku = !b->sku.empty() ? b->sku : (b->skus.empty() ? "" : b->skus.front());
    ev.conversation_id = b->conversation_id;
    ev.tier = b->tier;
  } else {
    return std::nullopt;
  }
  if (ev.user.empty()) {
    return std::nullopt;
  }
  if (ev.at_ms <= 0) {
    ev.at_ms = env.sent_at_ms;
  }
  return ev;
}

campaign_actor::campaign_actor(std::string id, campaign_services services)
    : id_(std::move(id)), svc_(std::move(services)) {}

result<void> campaign_actor::restore(const std::optional<std::string>& snapshot) {
  if (!snapshot) {
    return {};
  }
  auto s = decode<schemas::campaign_state>(*snapshot);
  if (!s) {
    return s.err();
  }
  state_ = std::move(*s);
  return {};
}

std::string campaign_actor::snapshot() const {
  return encode(state_);
}

void campaign_actor::skip(const std::string& reason) {
  ++state_.skipped[reason];
  metrics::registry::global()
      .get_counter("sb_campaign_skips_total",
                   "Campaign firings skipped, by campaign and reason (budget_exhausted and "
                   "per_person_limit are coupons refused)",
                   {{"campaign", id_}, {"reason", reason}})
      .inc();
}

result<schemas::campaign_person> campaign_actor::load_person(const std::string& user) {
  auto raw = svc_.state_store->get(person_key(id_, user));
  if (!raw) {
    return raw.err();
  }
  if (!raw->has_value()) {
    return schemas::campaign_person{};
  }
  return decode<schemas::campaign_person>(**raw);
}

result<void> campaign_actor::save_person(const std::string& user,
                                         const schemas::campaign_person& p) {
  return svc_.state_store->put(person_key(id_, user), encode(p));
}

result<void> campaign_actor::handle(const schemas::envelope& msg, actor_context& ctx) {
  auto rules = svc_.rules->current();
  const auto* spec = rules->campaign(id_);
  if (spec == nullptr) {
    skip("campaign_removed");
    return {};
  }
  auto ev = trigger_event_of(msg);
  if (!ev) {
    skip("no_person");  // an event that names nobody (or is of another type) arms nothing
    return {};
  }
  const bool arming = ev->topic == spec->on;
  const bool cancelling = !spec->unless.empty() && ev->topic == spec->unless;
  if (!arming && !cancelling) {
    return {};  // A topic of a previous version of the campaign, before a reload.
  }
  auto person = load_person(ev->user);
  if (!person) {
    return person.err();
  }
  auto change = campaigns::timer_change::none;
  if (arming) {
    campaigns::facts f;
    f.tier = ev->tier;
    f.tier_known = !ev->tier.empty();
    f.channel = ev->channel.empty() ? channel_of(ev->user) : ev->channel;
    f.now_ms = ev->at_ms;
    auto verdict = campaigns::may_arm(*spec, f);
    if (!verdict.pass) {
      skip(verdict.reason);
      return {};
    }
    bool was_pending = person->pending;
    change = campaigns::on_arming_event(*spec, *person, *ev);
    if (change == campaigns::timer_change::none && !person->pending && !was_pending) {
      skip("unless_came_first");
    }
  } else {
    bool was_pending = person->pending;
    change = campaigns::on_unless_event(*spec, *person, ev->at_ms);
    if (was_pending && !person->pending) {
      ++state_.cancelled;
    }
  }
  return apply_change(change, *spec, ev->user, *person, ctx);
}

result<void> campaign_actor::apply_change(campaigns::timer_change change,
                                          const campaigns::campaign_spec& spec,
                                          const std::string& user, schemas::campaign_person& person,
                                          actor_context& ctx) {
  switch (change) {
    case campaigns::timer_change::none:
      break;
    case campaigns::timer_change::arm:
      if (auto r = ctx.arm_timer(timer_name(user), person.due_ms, user); !r) {
        return r;
      }
      ++state_.armed;
      break;
    case campaigns::timer_change::cancel:
      if (auto r = ctx.cancel_timer(timer_name(user)); !r) {
        return r;
      }
      break;
    case campaigns::timer_change::fire:
      ++state_.armed;
      return fire(spec, user, person, ctx);
  }
  return save_person(user, person);
}

result<void> campaign_actor::on_timer(const schemas::timer_fired& timer, actor_context& ctx) {
  auto rules = svc_.rules->current();
  const auto* spec = rules->campaign(id_);
  if (spec == nullptr) {
    skip("campaign_removed");
    return {};
  }
  const std::string& user = timer.payload.data;
  auto person = load_person(user);
  if (!person) {
    return person.err();
  }
  if (!person->pending || person->due_ms != timer.due_ms) {
    skip("stale_timer");  // Cancelled or moved after this firing was claimed.
    return {};
  }
  return fire(*spec, user, *person, ctx);
}

result<campaigns::facts> campaign_actor::facts_for(const campaigns::campaign_spec& spec,
                                                   const std::string& user,
                                                   const schemas::campaign_person& person,
                                                   int64_t now_ms) {
  campaigns::facts f;
  f.now_ms = now_ms;
  f.channel = person.channel.empty() ? channel_of(user) : person.channel;
  f.tier = person.tier;
  f.tier_known = !person.tier.empty();
  if (person.churn_score >= 0) {
    f.churn_score = person.churn_score;
  }
  if (!person.sku.empty() && svc_.knowledge) {
    if (auto p = svc_.knowledge->find_product(person.sku)) {
      f.product_sku = p->sku;
      f.product_stock = static_cast<double>(p->stock);
      f.product_price = p->price;
      f.product_category = p->category;
      f.product_brand = p->brand;
    }
  }
  auto profile = read_saved_profile(*svc_.state_store, user);
  if (!profile) {
    return profile.err();
  }
  if (profile->has_value()) {
    auto s = summarize(**profile, now_ms);
    f.tier = std::string{to_string(s.tier)};
    f.tier_known = true;
    f.price_sensitive = s.flags.price_sensitive;
    f.order_count = static_cast<int64_t>(s.order_count);
    f.days_since_last_order = s.days_since_last_order;
    f.user_tags.assign((*profile)->tags.begin(), (*profile)->tags.end());
  }
  auto unused = coupons::unused_count(*svc_.state_store, user, spec.id, now_ms);
  if (!unused) {
    return unused.err();
  }
  f.unused_coupons = *unused;
  return f;
}

result<void> campaign_actor::fire(const campaigns::campaign_spec& spec, const std::string& user,
                                  schemas::campaign_person& person, actor_context& ctx) {
  const auto now = ctx.now_ms();
  const auto fired_person = person;  // what the firing is about, before on_fired clears it
  auto next = campaigns::on_fired(spec, person, now);
  // The person's record is written last: a crash before it repeats this firing, and the claim
  // below answers the repeat with the same coupon.
  // A firing that did nothing does not count for the cooldown (its arming event is used up).
  auto uncount = [&] {
    person.fired = fired_person.fired;
    person.last_fired_at_ms = fired_person.last_fired_at_ms;
  };
  auto finish = [&]() -> result<void> {
    if (next == campaigns::timer_change::arm) {
      if (auto r = ctx.arm_timer(timer_name(user), person.due_ms, user); !r) {
        return r;
      }
    }
    return save_person(user, person);
  };
  if (campaigns::in_cooldown(spec, fired_person, now)) {
    skip("cooldown");
    uncount();
    return finish();
  }
  auto facts = facts_for(spec, user, fired_person, now);
  if (!facts) {
    return facts.err();
  }
  if (auto verdict = campaigns::conditions_hold(spec, *facts); !verdict.pass) {
    skip("conditions");
    ctx.log(log_level::debug, user + ": " + verdict.reason);
    uncount();
    return finish();
  }

  coupons::issue_request req;
  req.campaign = spec.id;
  req.user = user;
  req.firing = std::to_string(fired_person.armed_at_ms);
  req.per_person = spec.per_person;
  req.budget_count = spec.budget_count;
  req.budget_value = spec.budget_value;
  // The message's variant is chosen before the claim so that the coupon records it.
  const campaigns::message_action* message = nullptr;
  const experiments::experiment_spec* experiment = nullptr;
  std::string variant;
  size_t variant_index = 0;
  bool handoff = false;
  campaigns::handoff_action handoff_action;
  auto rules = svc_.rules->current();
  for (const auto& a : spec.actions) {
    if (a.type == campaigns::action::kind::message) {
      message = &a.message;
      if (!a.message.experiment.empty()) {
        experiment = rules->experiment(a.message.experiment);
        if (experiment != nullptr && experiment->enabled) {
          auto chosen = experiments::choose_variant(*svc_.state_store, *experiment, user);
          if (!chosen) {
            return chosen.err();
          }
          variant_index = *chosen;
          variant = experiment->variants[variant_index].name;
        } else {
          experiment = nullptr;
        }
      }
    } else if (a.type == campaigns::action::kind::handoff) {
      handoff = true;
      handoff_action = a.handoff;
    }
  }
  if (const auto* c = spec.coupon()) {
    auto code = campaigns::new_coupon_code();
    if (!code) {
      return code.err();
    }
    schemas::coupon_record rec;
    rec.code = std::move(*code);
    rec.campaign = spec.id;
    rec.user = user;
    rec.amount = c->amount;
    rec.percent = c->percent;
    rec.currency = c->currency;
    rec.min_spend = c->min_spend;
    rec.max_discount = c->max_discount;
    rec.issued_at_ms = now;
    rec.expires_at_ms = now + c->valid_for_ms;
    rec.conversation_id = fired_person.conversation_id;
    rec.channel = fired_person.channel.empty() ? channel_of(user) : fired_person.channel;
    if (experiment != nullptr) {
      rec.experiment = experiment->id;
      rec.variant = variant;
    }
    req.coupon = std::move(rec);
  }
  auto issued = coupons::issue(*svc_.state_store, req);
  if (!issued) {
    return issued.err();
  }
  if (issued->status == coupons::issue_status::per_person_limit) {
    skip("per_person_limit");
    uncount();
    return finish();
  }
  if (issued->status == coupons::issue_status::budget_exhausted) {
    skip("budget_exhausted");
    uncount();
    return finish();
  }
  if (issued->status == coupons::issue_status::fired) {
    ++state_.fired;
  }
  const auto& coupon = issued->coupon;
  if (coupon && issued->status == coupons::issue_status::fired) {
    ++state_.coupons_issued;
  }
  if (coupon) {
    // Published on a retry too: the derived message id lets subscribers drop the repeat.
    ctx.publish(schemas::topics::coupon_issued, *coupon);
    schemas::touchpoint tp;
    tp.kind = "coupon";
    tp.at_ms = now;
    tp.campaign = spec.id;
    tp.code = coupon->code;
    tp.experiment = coupon->experiment;
    tp.variant = coupon->variant;
    tp.conversation_id = coupon->conversation_id;
    tp.channel = coupon->channel;
    if (!fired_person.sku.empty()) {
      tp.skus.push_back(fired_person.sku);
    }
    ctx.send(schemas::address{"user", user}, tp);
  }
  if (experiment != nullptr) {
    schemas::experiment_event imp;
    imp.kind = "impression";
    imp.variant = variant;
    imp.person = user;
    imp.at_ms = now;
    imp.ref = spec.id + ":" + user + ":" + req.firing;
    ctx.send(schemas::address{schemas::kinds::experiment, experiment->id}, imp);
  }
  if ((message != nullptr || handoff) && !fired_person.conversation_id.empty()) {
    schemas::campaign_message m;
    m.campaign = spec.id;
    if (message != nullptr) {
      campaigns::template_values values;
      values.code = coupon ? coupon->code : "";
      values.product = fired_person.sku;
      if (svc_.knowledge && !fired_person.sku.empty()) {
        if (auto p = svc_.knowledge->find_product(fired_person.sku)) {
          values.product = p->name;
        }
      }
      values.issued_at_ms = coupon ? coupon->issued_at_ms : now;
      const std::string& text = experiment != nullptr ? experiment->variants[variant_index].script
                                                      : message->template_text;
      m.text = campaigns::render(spec, text, values);
      ++state_.messages_sent;
    }
    m.code = coupon ? coupon->code : "";
    if (handoff) {
      m.handoff_priority = std::max<int64_t>(1, handoff_action.priority);
      m.handoff_reason = handoff_action.reason.empty() ? spec.id : handoff_action.reason;
      ++state_.handoffs;
    }
    ctx.send(schemas::address{schemas::kinds::conversation,
                              conversation_key(fired_person.conversation_id)},
             m);
  } else if (message != nullptr || handoff) {
    skip("no_conversation");
  }
  return finish();
}

std::string campaign_actor::status_json() const {
  nlohmann::json skipped = nlohmann::json::object();
  for (const auto& [reason, n] : state_.skipped) {
    skipped[reason] = n;
  }
  nlohmann::json out{{"campaign", id_},
                     {"armed", state_.armed},
                     {"cancelled", state_.cancelled},
                     {"fired", state_.fired},
                     {"coupons_issued", state_.coupons_issued},
                     {"messages_sent", state_.messages_sent},
                     {"handoffs", state_.handoffs},
                     {"skipped", skipped}};
  auto rules = svc_.rules->current();
  if (const auto* spec = rules->campaign(id_)) {
    out["name"] = spec->name;
    out["enabled"] = spec->enabled;
    out["on"] = spec->on;
    out["unless"] = spec->unless;
    out["wait_ms"] = spec->wait_ms;
    out["budget"] = {{"count", spec->budget_count}, {"value", spec->budget_value}};
    out["per_person"] = spec->per_person;
  } else {
    out["removed"] = true;
  }
  return out.dump();
}

}  // namespace sb
