#include "actors/conversation/conversation.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/agent_pool/agent_pool_logic.hpp"
#include "actors/churn/model.hpp"
#include "actors/experiment/assignment.hpp"
#include "actors/experiment/variant_choice.hpp"
#include "runtime/analysis/topic_tracker.hpp"
#include "runtime/codec.hpp"
#include "runtime/privacy/pii_mask.hpp"
#include "schemas/agent_pool.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"

namespace sb {

namespace {

const schemas::address pool_address{"agent_pool", "default"};

}  // namespace

conversation::conversation(schemas::address addr, conversation_settings settings)
    : conversation(std::move(addr),
                   std::make_shared<const conversation_settings>(std::move(settings))) {}

conversation::conversation(schemas::address addr,
                           std::shared_ptr<const conversation_settings> settings)
    : addr_(std::move(addr)), settings_(std::move(settings)) {}

std::string conversation::channel() const {
  return addr_.key.substr(0, addr_.key.find(':'));
}

std::string conversation::person() const {
  auto colon = addr_.key.find(':');
  return colon == std::string::npos ? std::string{} : addr_.key.substr(colon + 1);
}

result<void> conversation::restore(const std::optional<std::string>& snapshot) {
  if (!snapshot) {
    state_ = {};
    return {};
  }
  auto st = decode<schemas::conversation_state>(*snapshot);
  if (!st) {
    return st.err();
  }
  state_ = std::move(*st);
  return {};
}

std::string conversation::snapshot() const {
  return encode(state_);
}

std::string conversation::conversation_id() const {
  return addr_.key + "#" + std::to_string(state_.session);
}

schemas::conversation_event conversation::event(const char* topic, int64_t now) const {
  schemas::conversation_event ev;
  ev.event = topic;
  ev.conversation_id = conversation_id();
  ev.channel = channel();
  ev.person = person();
  ev.at_ms = now;
  ev.message_count = state_.message_count;
  ev.user = state_.user_key;
  ev.intent = state_.last_intent;
  ev.tier = state_.profile_known ? state_.profile.tier : "";
  ev.agent_id = state_.agent_id;
  return ev;
}

void conversation::publish(actor_context& ctx, const char* topic, std::string reason,
                           std::vector<std::string> skus) {
  auto ev = event(topic, ctx.now_ms());
  ev.reason = std::move(reason);
  ev.skus = std::move(skus);
  ctx.publish(topic, ev);
}

result<void> conversation::handle(const schemas::envelope& msg, actor_context& ctx) {
  if (msg.type == schemas::chat_message::type_name) {
    auto m = decode<schemas::chat_message>(msg.payload.data);
    return m ? on_chat(*m, ctx) : result<void>{m.err()};
  }
  if (msg.type == schemas::agent_message::type_name) {
    auto m = decode<schemas::agent_message>(msg.payload.data);
    return m ? on_agent_message(*m, ctx) : result<void>{m.err()};
  }
  if (msg.type == schemas::conversation_control::type_name) {
    auto m = decode<schemas::conversation_control>(msg.payload.data);
    return m ? on_control(*m, ctx) : result<void>{m.err()};
  }
  if (msg.type == schemas::campaign_message::type_name) {
    auto m = decode<schemas::campaign_message>(msg.payload.data);
    return m ? on_campaign_message(*m, ctx) : result<void>{m.err()};
  }
  if (msg.type == schemas::profile_summary::type_name) {
    auto m = decode<schemas::profile_summary>(msg.payload.data);
    if (!m) {
      return m.err();
    }
    state_.profile = std::move(*m);
    state_.profile_known = true;
    return {};
  }
  return error{errc::unexpected_type, "conversation does not handle '" + msg.type + "'"};
}

schemas::outbound_message conversation::append(const std::string& from, std::string text,
                                               std::vector<schemas::product_card> products,
                                               int64_t now) {
  schemas::transcript_line line;
  line.seq = state_.next_seq++;
  line.from = from;
  line.text = std::move(text);
  line.at_ms = now;
  for (const auto& p : products) {
    line.skus.push_back(p.sku);
  }
  line.products = std::move(products);
  state_.transcript.push_back(line);
  if (state_.transcript.size() > settings_->transcript_limit) {
    state_.transcript.erase(state_.transcript.begin());
  }
  return {line.seq, line.from, line.text, line.products, line.at_ms};
}

void conversation::send_outbound(const schemas::outbound_message& m, actor_context& ctx) {
  schemas::outbound_event ev;
  ev.channel = channel();
  ev.person = person();
  ev.conversation_id = conversation_id();
  ev.message = m;
  ctx.publish(schemas::topics::conversation_outbound, ev);
}

void conversation::start_session(actor_context& ctx) {
  auto now = ctx.now_ms();
  auto profile = std::move(state_.profile);
  bool known = state_.profile_known;
  auto user_key = state_.user_key;
  auto ids = std::move(state_.recent_client_msg_ids);
  auto session = state_.session + 1;
  state_ = {};
  state_.session = session;
  state_.status = "bot";
  state_.started_at_ms = now;
  state_.profile = std::move(profile);
  state_.profile_known = known;
  state_.user_key = user_key;
  state_.recent_client_msg_ids = std::move(ids);
  publish(ctx, schemas::topics::conversation_started, "");
}

void conversation::answer_retry(const std::string& client_msg_id, actor_context& ctx) {
  schemas::chat_accepted dup;
  dup.conversation_id = conversation_id();
  dup.duplicate = true;
  dup.status = state_.status;
  const auto& t = state_.transcript;
  auto it = std::find_if(t.begin(), t.end(), [&](const schemas::transcript_line& l) {
    return l.from == "person" && l.client_msg_id == client_msg_id;
  });
  if (it != t.end()) {
    dup.seq = it->seq;
    // The replies are the lines that followed it, up to the person's next message.
    for (auto r = it + 1; r != t.end() && r->from != "person"; ++r) {
      dup.replies.push_back({r->seq, r->from, r->text, r->products, r->at_ms});
    }
  }
  ctx.reply(dup);
}

result<void> conversation::on_chat(const schemas::chat_message& msg, actor_context& ctx) {
  auto& ids = state_.recent_client_msg_ids;
  if (!msg.client_msg_id.empty() &&
      std::find(ids.begin(), ids.end(), msg.client_msg_id) != ids.end()) {
    answer_retry(msg.client_msg_id, ctx);
    return {};
  }
  auto now = ctx.now_ms();
  bool started = state_.status == "closed";
  if (state_.user_key.empty()) {
    // The user actor of this identity (or the one it was merged into) sends summaries from now on.
    state_.user_key = addr_.key;
    schemas::user_command ask;
    ask.action = "summary";
    ask.into = addr_.key;
    ctx.send(schemas::address{"user", state_.user_key}, ask);
  }
  if (started) {
    start_session(ctx);  // after the user key is known: conversation.started names the person
  }
  if (!msg.client_msg_id.empty()) {
    ids.push_back(msg.client_msg_id);
    if (ids.size() > settings_->remembered_client_ids) {
      ids.erase(ids.begin());
    }
  }
  auto text = mask_pii(msg.text);
  append("person", text, {}, now);
  state_.transcript.back().client_msg_id = msg.client_msg_id;
  size_t person_line = state_.transcript.size() - 1;
  ++state_.message_count;
  ++state_.signals.person_messages;
  state_.last_message_at_ms = now;

  schemas::chat_accepted reply;
  reply.conversation_id = conversation_id();
  reply.seq = state_.transcript[person_line].seq;
  reply.session_started = started;
  bool objection = false;
  if (state_.status != "with_agent" && settings_->bot) {
    objection = run_bot(text, person_line, ctx, reply);
  }
  schemas::user_command contact;
  contact.action = "contact";
  contact.channel = channel();
  contact.at_ms = now;
  contact.price_objection = objection;
  ctx.send(schemas::address{"user", state_.user_key}, contact);
  if (auto r = ctx.arm_timer(idle_timer, now + settings_->session_idle_ms); !r) {
    return r;
  }
  reply.status = state_.status;
  ctx.reply(reply);
  return {};
}

bool conversation::run_bot(const std::string& text, size_t person_line, actor_context& ctx,
                           schemas::chat_accepted& reply) {
  auto now = ctx.now_ms();
  const auto* profile = state_.profile_known ? &state_.profile : nullptr;
  auto turn = take_turn(*settings_->bot, text, state_, profile);
  auto intent = std::string{nlu::to_string(turn.understood.intent)};
  state_.transcript[person_line].intent = intent;
  state_.last_intent = intent;
  auto& sig = state_.signals;
  if (text.find('?') != std::string::npos || text.find("？") != std::string::npos ||
      text.find("吗") != std::string::npos) {
    ++sig.questions;
  }
  sig.sentiment_sum += turn.sentiment.score;
  sig.last_sentiment = turn.sentiment.score;
  if (turn.sentiment.score < 0) {
    ++sig.negative_messages;
  }
  if (turn.sentiment.price_objection) {
    ++sig.price_objections;
  }
  sig.unresolved_turns = turn.resolved ? 0 : sig.unresolved_turns + 1;
  {
    auto seen = event(schemas::topics::conversation_message, now);
    seen.intent = intent;
    seen.skus = turn.shown_skus;
    seen.keywords = topic_words(turn.understood.tokens);
    ctx.publish(schemas::topics::conversation_message, seen);
  }
  if (turn.understood.intent == nlu::intent_kind::product_inquiry) {
    ++sig.product_inquiries;
    publish(ctx, schemas::topics::product_inquiry, "", turn.shown_skus);
  }
  std::optional<reply_variant> variant;
  if (settings_->marketing && !turn.shown_skus.empty()) {
    variant = apply_reply_experiment(*settings_->marketing->current(), *settings_->bot,
                                     variant_for(state_.user_key, ctx), turn.replies);
  }
  for (auto& r : turn.replies) {
    reply.replies.push_back(append(r.from, std::move(r.text), std::move(r.products), now));
  }
  if (!turn.shown_skus.empty()) {
    note_recommendation(turn.shown_skus, variant, ctx);
    for (const auto& sku : turn.shown_skus) {
      if (std::find(state_.recommended_skus.begin(), state_.recommended_skus.end(), sku) ==
          state_.recommended_skus.end()) {
        state_.recommended_skus.push_back(sku);
      }
    }
    publish(ctx, schemas::topics::recommendation_shown, "", turn.shown_skus);
  }
  if (turn.handoff_reason) {
    request_handoff(*turn.handoff_reason, turn.pool_reason, turn.skill, ctx);
  }
  score_churn(ctx);
  return turn.sentiment.price_objection;
}

variant_chooser conversation::variant_for(const std::string& person, actor_context& ctx) const {
  return [this, &person, &ctx](const experiments::experiment_spec& spec) {
    if (settings_->state_store == nullptr) {
      return experiments::assign(spec, person);
    }
    auto chosen = experiments::choose_variant(*settings_->state_store, spec, person);
    if (!chosen) {
      // The store is down: show the fixed-weight variant rather than no answer at all.
      ctx.log(log_level::warn, "variant of " + spec.id + ": " + chosen.err().to_string());
      return experiments::assign(spec, person);
    }
    return *chosen;
  };
}

void conversation::note_recommendation(const std::vector<std::string>& skus,
                                       const std::optional<reply_variant>& variant,
                                       actor_context& ctx) {
  schemas::touchpoint tp;
  tp.kind = "recommendation";
  tp.at_ms = ctx.now_ms();
  tp.skus = skus;
  tp.conversation_id = conversation_id();
  tp.channel = channel();
  if (variant) {
    tp.experiment = variant->experiment;
    tp.variant = variant->variant;
    schemas::experiment_event imp;
    imp.kind = "impression";
    imp.variant = variant->variant;
    imp.person = state_.user_key;
    imp.at_ms = tp.at_ms;
    ctx.send(schemas::address{schemas::kinds::experiment, variant->experiment}, imp);
  }
  ctx.send(schemas::address{"user", state_.user_key}, tp);
}

void conversation::score_churn(actor_context& ctx) {
  if (!settings_->marketing) {
    return;
  }
  auto rules = settings_->marketing->current();
  const auto& model = rules->churn_model;
  state_.churn_score = churn::score(model, churn_features_of(state_, ctx.now_ms()));
  churn::alert_state alert{state_.churn_alerted};
  const bool raise = churn::update_alert(model, alert, state_.churn_score);
  state_.churn_alerted = alert.alerted;
  if (raise) {
    auto ev = event(schemas::topics::churn_high_risk, ctx.now_ms());
    ev.churn_score = state_.churn_score;
    ev.skus = state_.recommended_skus;
    ctx.publish(schemas::topics::churn_high_risk, ev);
  }
}

result<void> conversation::on_campaign_message(const schemas::campaign_message& msg,
                                               actor_context& ctx) {
  auto now = ctx.now_ms();
  if (!msg.text.empty()) {
    auto m = append("campaign:" + msg.campaign, msg.text, {}, now);
    send_outbound(m, ctx);
  }
  if (!msg.code.empty() &&
      std::find(state_.coupons.begin(), state_.coupons.end(), msg.code) == state_.coupons.end()) {
    state_.coupons.push_back(msg.code);
  }
  if (msg.handoff_priority > 0 && state_.status == "bot") {
    request_handoff("campaign:" + msg.campaign, msg.handoff_reason, "", ctx, msg.handoff_priority);
  }
  return {};
}

void conversation::request_handoff(const std::string& reason, const std::string& pool_reason,
                                   const std::string& skill, actor_context& ctx, int64_t priority) {
  if (state_.status == "waiting_for_agent" || state_.status == "with_agent") {
    return;
  }
  state_.status = "waiting_for_agent";
  state_.handoff_reason = reason;
  state_.handoff_requested_at_ms = ctx.now_ms();
  schemas::pool_command cmd;
  cmd.action = "enqueue";
  cmd.conversation_id = conversation_id();
  cmd.skill = skill;
  cmd.tier = state_.profile_known ? state_.profile.tier : "regular";
  cmd.reason = pool_reason;
  cmd.at_ms = ctx.now_ms();
  cmd.priority = priority;
  ctx.send(pool_address, cmd);
  auto ev = event(schemas::topics::handoff_requested, ctx.now_ms());
  ev.reason = reason;
  ev.priority = priority > 0 ? priority : handoff_priority(cmd.tier, pool_reason);
  ctx.publish(schemas::topics::handoff_requested, ev);
}

result<void> conversation::on_agent_message(const schemas::agent_message& msg, actor_context& ctx) {
  if (state_.status != "with_agent" || state_.agent_id != msg.agent_id) {
    return error{errc::invalid_argument,
                 conversation_id() + " is not with agent '" + msg.agent_id + "'"};
  }
  auto now = ctx.now_ms();
  if (state_.first_agent_reply_at_ms == 0) {
    state_.first_agent_reply_at_ms = now;
  }
  auto m = append("agent:" + msg.agent_id, mask_pii(msg.text), {}, now);
  state_.last_message_at_ms = now;
  send_outbound(m, ctx);
  if (auto r = ctx.arm_timer(idle_timer, now + settings_->session_idle_ms); !r) {
    return r;
  }
  schemas::conversation_messages out;
  out.conversation_id = conversation_id();
  out.status = state_.status;
  out.messages.push_back(m);
  ctx.reply(out);
  return {};
}

schemas::handoff_context conversation::handoff_view() const {
  schemas::handoff_context c;
  c.conversation_id = conversation_id();
  c.channel = channel();
  c.person = person();
  c.status = state_.status;
  c.reason = state_.handoff_reason;
  c.agent_id = state_.agent_id;
  c.transcript = state_.transcript;
  c.profile = state_.profile;
  c.recommended_skus = state_.recommended_skus;
  c.coupons = state_.coupons;
  c.signals = state_.signals;
  if (state_.agent_accepted_at_ms > 0 && state_.handoff_requested_at_ms > 0) {
    c.waited_ms = state_.agent_accepted_at_ms - state_.handoff_requested_at_ms;
  }
  return c;
}

result<void> conversation::on_control(const schemas::conversation_control& cmd,
                                      actor_context& ctx) {
  if (cmd.session != 0 && cmd.session != state_.session) {
    return error{errc::not_found, "no session " + std::to_string(cmd.session) + " live in " +
                                      addr_.key + " (now " + conversation_id() + ")"};
  }
  auto now = ctx.now_ms();
  schemas::conversation_messages out;
  out.conversation_id = conversation_id();
  if (cmd.action == "poll" || cmd.action == "transcript") {
    for (const auto& l : state_.transcript) {
      if (l.seq > cmd.after_seq && (cmd.action == "transcript" || l.from != "person")) {
        out.messages.push_back({l.seq, l.from, l.text, l.products, l.at_ms});
      }
    }
  } else if (cmd.action == "accept") {
    if (state_.status == "closed" || cmd.agent_id.empty()) {
      return error{errc::invalid_argument, conversation_id() + " cannot be accepted now"};
    }
    if (state_.status == "with_agent" && state_.agent_id != cmd.agent_id) {
      return error{errc::invalid_argument, conversation_id() + " is with agent " + state_.agent_id};
    }
    if (state_.status != "with_agent") {
      state_.status = "with_agent";
      state_.agent_id = cmd.agent_id;
      state_.agent_accepted_at_ms = now;
      auto m = append(
          "system",
          settings_->bot ? settings_->bot->scripts.render("agent_joined", {{"agent", cmd.agent_id}})
                         : "agent " + cmd.agent_id + " joined",
          {}, now);
      send_outbound(m, ctx);
      publish(ctx, schemas::topics::handoff_accepted, state_.handoff_reason);
    }
    ctx.reply(handoff_view());
    return {};
  } else if (cmd.action == "close") {
    if (state_.status == "with_agent" && !cmd.agent_id.empty() && cmd.agent_id != state_.agent_id) {
      return error{errc::invalid_argument, conversation_id() + " is with agent " + state_.agent_id};
    }
    if (state_.status == "waiting_for_agent") {
      // Nobody took it: withdraw it from the desk's queue, or an agent would still be offered it
      // (the desk refuses to `close` a conversation that is only waiting).
      schemas::pool_command cancel;
      cancel.action = "cancel";
      cancel.conversation_id = conversation_id();
      cancel.at_ms = now;
      ctx.send(pool_address, cancel);
    }
    if (state_.status == "with_agent" || state_.status == "waiting_for_agent") {
      state_.status = "bot";
      state_.agent_id.clear();
      state_.signals.unresolved_turns = 0;
      auto m = append("system",
                      settings_->bot ? settings_->bot->scripts.render("agent_left") : "agent left",
                      {}, now);
      send_outbound(m, ctx);
    }
  } else if (cmd.action == "handoff") {
    request_handoff(cmd.reason.empty() ? "requested" : cmd.reason, cmd.reason, "", ctx);
  } else {
    return error{errc::invalid_argument, "unknown conversation action '" + cmd.action + "'"};
  }
  out.status = state_.status;
  ctx.reply(out);
  return {};
}

result<void> conversation::on_timer(const schemas::timer_fired& timer, actor_context& ctx) {
  if (timer.name != idle_timer || state_.status == "closed") {
    return {};
  }
  if (state_.status == "waiting_for_agent" || state_.status == "with_agent") {
    schemas::pool_command cmd;
    cmd.action = state_.status == "with_agent" ? "close" : "cancel";
    cmd.conversation_id = conversation_id();
    cmd.at_ms = ctx.now_ms();
    ctx.send(pool_address, cmd);
  }
  state_.status = "closed";
  publish(ctx, schemas::topics::conversation_closed, "idle_timeout");
  return {};
}

std::string conversation::status_json() const {
  nlohmann::json j;
  j["conversation_id"] = conversation_id();
  j["status"] = state_.status;
  j["session"] = state_.session;
  j["message_count"] = state_.message_count;
  j["started_at_ms"] = state_.started_at_ms;
  j["last_message_at_ms"] = state_.last_message_at_ms;
  j["transcript_lines"] = state_.transcript.size();
  j["last_intent"] = state_.last_intent;
  j["recommended_skus"] = state_.recommended_skus;
  j["handoff_reason"] = state_.handoff_reason;
  j["agent_id"] = state_.agent_id;
  const auto& s = state_.signals;
  j["signals"] = {
      {"person_messages", s.person_messages},   {"questions", s.questions},
      {"unresolved_turns", s.unresolved_turns}, {"negative_messages", s.negative_messages},
      {"price_objections", s.price_objections}, {"product_inquiries", s.product_inquiries},
      {"sentiment_sum", s.sentiment_sum}};
  j["churn"] = {{"score", state_.churn_score}, {"alerted", state_.churn_alerted}};
  j["coupons"] = state_.coupons;
  j["profile_known"] = state_.profile_known;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sb
