#include "actors/agent_pool/agent_pool.hpp"

#include <nlohmann/json.hpp>

#include "runtime/codec.hpp"
#include "runtime/metrics.hpp"
#include "schemas/agent_pool.hpp"
#include "schemas/conversation.hpp"

namespace sb {

namespace {

nlohmann::json snapshot_json(const agent_pool_logic& pool, int64_t now_ms) {
  auto snap = pool.snapshot(now_ms);
  nlohmann::json waiting = nlohmann::json::array();
  for (const auto& q : snap.queue) {
    waiting.push_back({{"conversation_id", q.conversation.conversation_id},
                       {"skill", q.conversation.required_skill},
                       {"priority", q.conversation.priority},
                       {"position", q.position},
                       {"wait_ms", q.wait_ms}});
  }
  nlohmann::json offered = nlohmann::json::array();
  for (const auto& o : snap.offers) {
    offered.push_back({{"conversation_id", o.conversation.conversation_id},
                       {"skill", o.conversation.required_skill},
                       {"priority", o.conversation.priority},
                       {"offered_to", o.agent_id},
                       {"wait_ms", o.wait_ms}});
  }
  nlohmann::json agents = nlohmann::json::array();
  for (const auto& a : snap.agents) {
    agents.push_back({{"agent_id", a.info.id},
                      {"name", a.info.display_name},
                      {"presence", to_string(a.info.presence)},
                      {"skills", a.info.skills},
                      {"max_chats", a.info.max_chats},
                      {"load", a.load},
                      {"offered", a.offered},
                      {"chats", a.chats}});
  }
  auto stats = pool.wait_stats();
  return {{"waiting", waiting},
          {"offered", offered},
          {"agents", agents},
          {"wait_stats",
           {{"count", stats.count},
            {"mean_ms", stats.mean_ms},
            {"p50_ms", stats.p50_ms},
            {"p90_ms", stats.p90_ms}}}};
}

schemas::pool_reply failure(const error& e) {
  schemas::pool_reply r;
  r.ok = false;
  r.error_code = std::string{to_string(e.code)};
  r.message = e.message;
  return r;
}

}  // namespace

result<void> agent_pool::restore(const std::optional<std::string>& snapshot) {
  if (!snapshot) {
    return {};
  }
  auto st = decode<schemas::pool_state>(*snapshot);
  if (!st) {
    return st.err();
  }
  auto pool = agent_pool_logic::from_json(st->pool_json);
  if (!pool) {
    return pool.err();
  }
  pool_ = std::move(*pool);
  return {};
}

std::string agent_pool::snapshot() const {
  return encode(schemas::pool_state{pool_.to_json()});
}

void agent_pool::offer(actor_context& ctx) {
  for (const auto& o : pool_.assign(ctx.now_ms())) {
    schemas::conversation_event ev;
    ev.event = "handoff.offered";
    ev.conversation_id = o.conversation_id;
    ev.agent_id = o.agent_id;
    ev.at_ms = ctx.now_ms();
    ctx.publish("handoff.offered", ev);
  }
}

result<void> agent_pool::handle(const schemas::envelope& msg, actor_context& ctx) {
  auto cmd = open_envelope<schemas::pool_command>(msg);
  if (!cmd) {
    return cmd.err();
  }
  auto now = ctx.now_ms();
  last_now_ms_ = now;
  schemas::pool_reply reply;
  if (cmd->action == "enqueue") {
    // The wait starts when the conversation asked (its at_ms), not when the desk got to the
    // message: a busy mailbox must not shorten the time-to-agent it reports.
    auto asked_at = cmd->at_ms > 0 ? cmd->at_ms : now;
    waiting_conversation w{cmd->conversation_id, cmd->skill,
                           cmd->priority > 0 ? static_cast<int>(cmd->priority)
                                             : handoff_priority(cmd->tier, cmd->reason),
                           asked_at};
    if (auto r = pool_.enqueue(w); !r) {
      reply = failure(r.err());
    }
  } else if (cmd->action == "cancel") {
    if (auto r = pool_.cancel(cmd->conversation_id); !r) {
      reply = failure(r.err());
    }
  } else if (cmd->action == "agent") {
    agent_info info;
    info.id = cmd->agent_id;
    info.display_name = cmd->name;
    info.skills = {cmd->skills.begin(), cmd->skills.end()};
    info.max_chats = static_cast<int>(cmd->max_chats);
    auto presence = agent_presence_from_string(cmd->presence);
    if (!presence) {
      reply = failure(presence.err());
    } else {
      info.presence = *presence;
      if (auto r = pool_.set_agent(info); !r) {
        reply = failure(r.err());
      }
    }
  } else if (cmd->action == "accept") {
    auto waited = pool_.accept(cmd->conversation_id, cmd->agent_id, now);
    if (!waited) {
      reply = failure(waited.err());
    } else {
      reply.waited_ms = *waited;
      metrics::registry::global()
          .get_histogram("sb_agent_wait_seconds", "Time from handoff to an agent accepting it",
                         metrics::default_latency_buckets())
          .observe(static_cast<double>(*waited) / 1000.0);
    }
  } else if (cmd->action == "close") {
    if (auto r = pool_.close(cmd->conversation_id); !r) {
      reply = failure(r.err());
    }
  } else if (cmd->action != "snapshot") {
    reply = failure(error{errc::invalid_argument, "unknown pool action '" + cmd->action + "'"});
  }
  if (reply.ok) {
    offer(ctx);
    reply.json = snapshot_json(pool_, now).dump();
  }
  ctx.reply(reply);
  return {};
}

result<void> agent_pool::on_timer(const schemas::timer_fired&, actor_context&) {
  return {};
}

std::string agent_pool::status_json() const {
  return snapshot_json(pool_, last_now_ms_).dump();
}

}  // namespace sb
