#include "actors/user/user.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/user/attribution.hpp"
#include "runtime/codec.hpp"
#include "runtime/json_codec.hpp"
#include "schemas/subjects.hpp"

namespace sb {

namespace {

constexpr size_t max_event_ids = 256;
constexpr size_t max_watchers = 16;

template <class T>
void push_bounded(std::vector<T>& v, T x, size_t limit) {
  v.push_back(std::move(x));
  if (v.size() > limit) {
    v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() - limit));
  }
}

schemas::user_command answer(const char* action) {
  schemas::user_command c;
  c.action = action;
  return c;
}

}  // namespace

user::user(std::string key, int64_t attribution_window_ms)
    : key_(std::move(key)), attribution_window_ms_(attribution_window_ms) {
  profile_.user_id = key_;
  (void)add_identity(profile_, key_);
}

result<void> user::restore(const std::optional<std::string>& snapshot) {
  if (!snapshot) {
    return {};
  }
  auto st = decode<schemas::user_state>(*snapshot);
  if (!st) {
    return st.err();
  }
  state_ = std::move(*st);
  if (!state_.profile_json.empty()) {
    auto p = profile_from_json(state_.profile_json);
    if (!p) {
      return p.err();
    }
    profile_ = std::move(*p);
  }
  state_.profile_json.clear();
  return {};
}

std::string user::snapshot() const {
  auto st = state_;
  st.profile_json = to_json(profile_);
  return encode(st);
}

schemas::profile_summary user::summary(int64_t now_ms) const {
  auto s = summarize(profile_, now_ms);
  schemas::profile_summary out;
  out.user_key = key_;
  out.tier = std::string{to_string(s.tier)};
  out.order_count = static_cast<int64_t>(s.order_count);
  out.total_spend = s.total_spend;
  out.days_since_last_order = s.days_since_last_order;
  out.top_brands = s.top_brands;
  out.top_categories = s.top_categories;
  out.recent_skus = s.recent_skus;
  if (s.band) {
    out.has_price_band = true;
    out.price_min = s.band->low;
    out.price_max = s.band->high;
  }
  out.price_sensitive = s.flags.price_sensitive;
  out.identities = {profile_.identities.begin(), profile_.identities.end()};
  return out;
}

void user::watch(const std::string& conversation_key) {
  auto& w = state_.watchers;
  if (conversation_key.empty() || std::find(w.begin(), w.end(), conversation_key) != w.end()) {
    return;
  }
  push_bounded(w, conversation_key, max_watchers);
}

void user::push_summaries(actor_context& ctx) {
  auto s = summary(ctx.now_ms());
  for (const auto& w : state_.watchers) {
    ctx.send(schemas::address{"conversation", w}, s);
  }
}

result<void> user::handle(const schemas::envelope& msg, actor_context& ctx) {
  last_now_ms_ = ctx.now_ms();
  if (!state_.merged_into.empty()) {
    // Merged into another person: everything goes there now.
    auto fwd = msg;
    fwd.to = schemas::address{"user", state_.merged_into};
    ctx.send_envelope(std::move(fwd));
    ctx.reply(answer("forwarded"));
    return {};
  }
  if (msg.type == schemas::business_event::type_name) {
    auto ev = decode<schemas::business_event>(msg.payload.data);
    if (!ev) {
      return ev.err();
    }
    return on_event(*ev, ctx);
  }
  if (msg.type == schemas::user_command::type_name) {
    auto cmd = decode<schemas::user_command>(msg.payload.data);
    if (!cmd) {
      return cmd.err();
    }
    return on_command(*cmd, ctx);
  }
  if (msg.type == schemas::touchpoint::type_name) {
    auto tp = decode<schemas::touchpoint>(msg.payload.data);
    if (!tp) {
      return tp.err();
    }
    attribution::add_touchpoint(state_.touchpoints, std::move(*tp));
    return {};
  }
  return error{errc::unexpected_type, "user does not handle '" + msg.type + "'"};
}

result<void> user::on_event(const schemas::business_event& ev, actor_context& ctx) {
  auto& ids = state_.applied_event_ids;
  if (!ev.event_id.empty() && std::find(ids.begin(), ids.end(), ev.event_id) != ids.end()) {
    ctx.reply(answer("duplicate"));
    return {};
  }
  result<void> applied;
  if (ev.type == "order.placed") {
    order_record o;
    o.order_id = ev.order_id;
    o.amount = ev.amount;
    o.currency = ev.currency.empty() ? "CNY" : ev.currency;
    o.skus = ev.skus;
    o.placed_at_ms = ev.at_ms;
    auto r = apply_order_placed(profile_, std::move(o));
    applied = r ? result<void>{} : result<void>{r.err()};
  } else if (ev.type == "order.paid") {
    auto r = apply_order_paid(profile_, ev.order_id);
    applied = r ? result<void>{} : result<void>{r.err()};
  } else if (ev.type == "product.viewed") {
    product_view v;
    v.sku = ev.sku;
    v.brand = ev.brand;
    v.category = ev.category;
    v.price = ev.price;
    v.currency = ev.currency.empty() ? "CNY" : ev.currency;
    v.at_ms = ev.at_ms;
    applied = apply_product_viewed(profile_, std::move(v));
  } else if (ev.type == "recommendation.clicked") {
    applied = apply_recommendation_clicked(profile_, ev.sku, ev.at_ms);
  } else if (ev.type == "csat.rated") {
    applied = apply_csat(profile_, ev.conversation_id, static_cast<int>(ev.score), ev.at_ms);
  } else if (ev.type == "user.identified") {
    for (const auto& id : ev.identities) {
      if (auto v = validate_identity(id); !v) {
        return v;
      }
    }
    for (const auto& id : ev.identities) {
      if (id == key_) {
        continue;
      }
      schemas::user_command absorb;
      absorb.action = "absorb";
      absorb.into = key_;
      ctx.send(schemas::address{"user", id}, absorb);
    }
  } else {
    return error{errc::invalid_argument, "unknown business event '" + ev.type + "'"};
  }
  if (!applied) {
    return applied;
  }
  if (!ev.tier.empty()) {
    auto tier = membership_tier_from_string(ev.tier);
    if (!tier) {
      return tier.err();
    }
    profile_.tier = *tier;
  }
  if (!ev.event_id.empty()) {
    push_bounded(ids, ev.event_id, max_event_ids);
  }
  const int64_t at = ev.at_ms > 0 ? ev.at_ms : ctx.now_ms();
  auto published = ev;
  published.user = key_;
  published.at_ms = at;
  ctx.publish(ev.type, published);
  if (ev.type == "recommendation.clicked") {
    on_click(ev, at, ctx);
  } else if (ev.type == "order.placed") {
    on_order(ev, at, ctx);
  }
  push_summaries(ctx);
  ctx.reply(answer("applied"));
  return {};
}

void user::on_click(const schemas::business_event& ev, int64_t at_ms, actor_context& ctx) {
  auto i = attribution::click_target(state_.touchpoints, ev.sku, at_ms, attribution_window_ms_);
  if (!i) {
    return;
  }
  auto& tp = state_.touchpoints[*i];
  tp.clicked = true;
  if (tp.experiment.empty()) {
    return;
  }
  schemas::experiment_event click;
  click.kind = "click";
  click.variant = tp.variant;
  click.person = key_;
  click.at_ms = at_ms;
  click.impression_at_ms = tp.at_ms;
  click.ref = key_ + ":" + std::to_string(tp.at_ms);
  ctx.send(schemas::address{schemas::kinds::experiment, tp.experiment}, click);
}

void user::on_order(const schemas::business_event& ev, int64_t at_ms, actor_context& ctx) {
  auto& done = state_.attributed_orders;
  if (std::find(done.begin(), done.end(), ev.order_id) != done.end()) {
    return;
  }
  push_bounded(done, ev.order_id, max_event_ids);
  auto order = ev;
  order.at_ms = at_ms;
  auto outcome = attribution::attribute(state_.touchpoints, order, key_, attribution_window_ms_);
  for (auto i : outcome.conversions) {
    auto& tp = state_.touchpoints[i];
    tp.converted = true;
    schemas::experiment_event conv;
    conv.kind = "conversion";
    conv.variant = tp.variant;
    conv.person = key_;
    conv.at_ms = at_ms;
    conv.impression_at_ms = tp.at_ms;
    conv.ref = ev.order_id;
    ctx.send(schemas::address{schemas::kinds::experiment, tp.experiment}, conv);
  }
  ctx.publish(schemas::topics::order_attributed, outcome.attribution);
}

result<void> user::on_command(const schemas::user_command& cmd, actor_context& ctx) {
  if (cmd.action == "summary") {
    watch(cmd.into);
    auto s = summary(ctx.now_ms());
    if (!cmd.into.empty()) {
      ctx.send(schemas::address{"conversation", cmd.into}, s);
    }
    ctx.reply(s);
    return {};
  }
  if (cmd.action == "contact") {
    note_contact(profile_, cmd.channel, cmd.at_ms);
    if (cmd.price_objection) {
      note_price_objection(profile_);
      push_summaries(ctx);
    }
    return {};
  }
  if (cmd.action == "absorb") {
    if (cmd.into.empty() || cmd.into == key_) {
      return {};
    }
    schemas::user_command merge;
    merge.action = "merge";
    merge.into = cmd.into;
    merge.profile_json = to_json(profile_);
    merge.watchers = state_.watchers;
    ctx.send(schemas::address{"user", cmd.into}, merge);
    state_.merged_into = cmd.into;
    state_.watchers.clear();
    ctx.reply(answer("merged"));
    return {};
  }
  if (cmd.action == "merge") {
    auto other = profile_from_json(cmd.profile_json);
    if (!other) {
      return other.err();
    }
    merge(profile_, *other);
    for (const auto& w : cmd.watchers) {
      watch(w);
    }
    push_summaries(ctx);
    ctx.reply(answer("merged"));
    return {};
  }
  return error{errc::invalid_argument, "unknown user command '" + cmd.action + "'"};
}

result<void> user::on_timer(const schemas::timer_fired&, actor_context&) {
  return {};
}

std::string user::status_json() const {
  auto s = summary(last_now_ms_);
  nlohmann::json j =
      nlohmann::json::parse(::sb::to_json<schemas::profile_summary>(s), nullptr, false);
  j["merged_into"] = state_.merged_into;
  j["watchers"] = state_.watchers;
  j["events_applied"] = state_.applied_event_ids.size();
  return j.dump();
}

}  // namespace sb
