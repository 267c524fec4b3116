#include "runtime/demo/demo_runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "actors/campaign/coupon_ledger.hpp"
#include "actors/marketing/funnel.hpp"
#include "actors/marketing/marketing_rules.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/demo/scenario.hpp"
#include "runtime/json_codec.hpp"
#include "runtime/node.hpp"
#include "schemas/agent_pool.hpp"
#include "schemas/conversation.hpp"
#include "schemas/handoff.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"
#include "schemas/user.hpp"

namespace sb {

namespace {

constexpr const char* barrier_topic = "demo.barrier";

// Collects published events on the bus thread; the runner prints them between steps.
class event_log {
 public:
  void push(const std::string& topic, const schemas::envelope& env) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (topic == barrier_topic) {
      ++barriers_seen_;
      cv_.notify_all();
      return;
    }
    events_.emplace_back(topic, env);
  }

  // Waits until the router has passed barrier number `n`: every event published before it is in.
  bool wait_barrier(int64_t n) {
    std::unique_lock<std::mutex> lock{mutex_};
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return barriers_seen_ >= n; });
  }

  std::deque<std::pair<std::string, schemas::envelope>> take() {
    std::lock_guard<std::mutex> guard{mutex_};
    return std::exchange(events_, {});
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int64_t barriers_seen_ = 0;
  std::deque<std::pair<std::string, schemas::envelope>> events_;
};

std::string clock_text(int64_t elapsed_ms) {
  auto s = elapsed_ms / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

class runner {
 public:
  runner(node& n, manual_clock& clk, std::ostream& out, std::set<std::string> winback)
      : node_(n), clock_(clk), out_(out), funnel_(std::move(winback)) {
    start_ms_ = clk.now_ms();
    node_.message_bus().subscribe(
        ">",
        [this](const std::string& topic, const schemas::envelope& env) { log_.push(topic, env); });
  }

  result<void> run(const scenario& sc) {
    out_ << "Switchboard demo: " << sc.name << "\n"
         << "(embedded node: in-process bus, " << node_.state_store().kind()
         << " store, scripted clock)\n\n";
    for (const auto& step : sc.steps) {
      result<void> r;
      switch (step.what) {
        case scenario_step::kind::say:
          r = say(step);
          break;
        case scenario_step::kind::advance:
          r = advance(step);
          break;
        case scenario_step::kind::note:
          out_ << "\n# " << step.note << "\n";
          break;
        case scenario_step::kind::event:
          r = event(step);
          break;
        case scenario_step::kind::agent:
          r = agent(step);
          break;
        case scenario_step::kind::accept:
          r = accept(step);
          break;
        case scenario_step::kind::agent_says:
          r = agent_says(step);
          break;
        case scenario_step::kind::close:
          r = close(step);
          break;
        case scenario_step::kind::redeem:
          r = redeem(step);
          break;
      }
      if (!r) {
        return error{r.err().code,
                     "step at line " + std::to_string(step.line) + ": " + r.err().message};
      }
      if (auto f = flush_events(); !f) {
        return f;
      }
    }
    return {};
  }

  [[nodiscard]] const funnel& sales_funnel() const { return funnel_; }

  demo_summary summary() {
    auto s = node_.stats();
    summary_.activations = s.activations;
    summary_.passivations = s.passivations;
    summary_.timers_fired = s.timers_fired;
    return summary_;
  }

 private:
  std::string stamp() const { return "[" + clock_text(clock_.now_ms() - start_ms_) + "] "; }

  result<void> say(const scenario_step& step) {
    schemas::chat_message msg;
    msg.channel = step.channel;
    msg.person = step.person;
    msg.text = step.text;
    msg.client_msg_id = step.client_msg_id;
    msg.sent_at_ms = clock_.now_ms();
    schemas::address to{schemas::kinds::conversation, step.channel + ":" + step.person};
    // Asked of this conversation alone: the node's activation count also moves when the message
    // wakes the person's user actor, which may happen before or after the reply arrives.
    bool was_live = live(to);
    auto reply = node_.message_bus().request_sync(make_envelope(to, msg, msg.sent_at_ms),
                                                  std::chrono::seconds(5));
    if (!reply) {
      return reply.err();
    }
    auto accepted = open_envelope<schemas::chat_accepted>(*reply);
    if (!accepted) {
      return accepted.err();
    }
    bool activated = !was_live;
    out_ << stamp() << step.channel << ":" << step.person << " says \"" << step.text << "\"\n";
    out_ << "           -> " << accepted->conversation_id;
    if (accepted->duplicate) {
      out_ << ": channel retry of " << step.client_msg_id << ", recognised and not applied again";
      ++summary_.retries_recognised;
    } else {
      out_ << " seq " << accepted->seq;
      ++summary_.messages;
      ++summary_.messages_by_channel[step.channel];
    }
    if (activated) {
      out_ << "  [actor activated" << (accepted->session_started ? "" : ", state loaded from store")
           << "]";
    }
    out_ << "\n";
    for (const auto& r : accepted->replies) {
      out_ << "           " << r.from << ": " << r.text << "\n";
      for (const auto& p : r.products) {
        out_ << "             * " << p.sku << " " << p.name << "  " << p.price << " " << p.currency
             << (p.pitch.empty() ? "" : "  - " + p.pitch) << "\n";
      }
    }
    if (!accepted->status.empty() && accepted->status != "bot") {
      out_ << "           (conversation is now " << accepted->status << ")\n";
    }
    return {};
  }

  // True if the actor is in memory now (neither new nor passivated).
  bool live(const schemas::address& addr) {
    auto status = node_.inspect(addr);
    if (!status) {
      return false;
    }
    auto j = nlohmann::json::parse(*status, nullptr, false);
    return j.is_object() && j.value("live", false);
  }

  result<schemas::envelope> ask(schemas::address to, schemas::envelope env) {
    env.to = std::move(to);
    return node_.message_bus().request_sync(std::move(env), std::chrono::seconds(5));
  }

  result<void> event(const scenario_step& step) {
    auto ev = from_json<schemas::business_event>(step.event_json);
    if (!ev) {
      return ev.err();
    }
    ev->at_ms = clock_.now_ms();
    schemas::address to = ev->type == "product.updated" ? schemas::address{"catalog", "default"}
                                                        : schemas::address{"user", ev->user};
    auto env = make_envelope(to, *ev, ev->at_ms);
    env.msg_id = "event:" + ev->event_id;
    auto reply = ask(to, std::move(env));
    if (!reply) {
      return reply.err();
    }
    out_ << stamp() << "shop event " << ev->type << " for " << ev->user;
    if (!ev->order_id.empty()) {
      out_ << " (order " << ev->order_id << ", " << ev->amount << " " << ev->currency << ")";
    } else if (!ev->sku.empty()) {
      out_ << " (" << ev->sku << ")";
    }
    out_ << "\n";
    return {};
  }

  result<void> redeem(const scenario_step& step) {
    auto& st = node_.state_store();
    auto now = clock_.now_ms();
    auto list = coupons::list_for_user(st, step.user);
    if (!list) {
      return list.err();
    }
    auto it = std::find_if(list->begin(), list->end(), [&](const schemas::coupon_record& c) {
      return coupons::state_at(c, now) == "issued";
    });
    if (it == list->end()) {
      return error{errc::not_found, step.user + " has no unused coupon to redeem"};
    }
    auto out = coupons::redeem(st, it->code, step.order_id, now);
    if (!out) {
      return out.err();
    }
    out_ << stamp() << "order " << step.order_id << " redeems coupon " << it->code << " of "
         << step.user << "\n";
    if (out->status == coupons::redeem_status::redeemed) {
      auto env = make_envelope(schemas::address{}, *out->coupon, now);
      env.msg_id = "coupon-redeemed:" + it->code;
      node_.message_bus().publish(schemas::topics::coupon_redeemed, std::move(env));
    }
    return {};
  }

  result<schemas::pool_reply> pool(schemas::pool_command cmd) {
    cmd.at_ms = clock_.now_ms();
    auto reply = ask({"agent_pool", "default"}, make_envelope({}, cmd, cmd.at_ms));
    if (!reply) {
      return reply.err();
    }
    auto r = open_envelope<schemas::pool_reply>(*reply);
    if (r && !r->ok) {
      return error{errc::invalid_argument, r->error_code + ": " + r->message};
    }
    return r;
  }

  result<void> agent(const scenario_step& step) {
    schemas::pool_command cmd;
    cmd.action = "agent";
    cmd.agent_id = step.agent;
    cmd.name = step.agent;
    cmd.skills = step.skills;
    cmd.max_chats = step.max_chats;
    cmd.presence = step.presence;
    auto r = pool(cmd);
    if (!r) {
      return r.err();
    }
    out_ << stamp() << "agent " << step.agent << " is " << step.presence << "\n";
    return {};
  }

  // The current conversation id (key#session) of a conversation actor.
  result<std::string> current_id(const std::string& key) {
    schemas::conversation_control poll;
    poll.action = "poll";
    poll.after_seq = 1 << 30;
    auto reply = ask({"conversation", key}, make_envelope({}, poll, clock_.now_ms()));
    if (!reply) {
      return reply.err();
    }
    auto msgs = open_envelope<schemas::conversation_messages>(*reply);
    if (!msgs) {
      return msgs.err();
    }
    return msgs->conversation_id;
  }

  result<void> accept(const scenario_step& step) {
    auto id = current_id(step.conversation);
    if (!id) {
      return id.err();
    }
    schemas::pool_command cmd;
    cmd.action = "accept";
    cmd.conversation_id = *id;
    cmd.agent_id = step.agent;
    auto pooled = pool(cmd);
    if (!pooled) {
      return pooled.err();
    }
    schemas::conversation_control take;
    take.action = "accept";
    take.agent_id = step.agent;
    auto reply = ask({"conversation", step.conversation}, make_envelope({}, take, clock_.now_ms()));
    if (!reply) {
      return reply.err();
    }
    auto context = open_envelope<schemas::handoff_context>(*reply);
    if (!context) {
      return context.err();
    }
    summary_.agent_wait_ms_total += pooled->waited_ms;
    out_ << stamp() << "agent " << step.agent << " takes " << *id << " after "
         << format_duration(std::chrono::milliseconds{std::max<int64_t>(pooled->waited_ms, 1)})
         << " in the queue; context in one answer: " << context->transcript.size()
         << " transcript lines, reason " << context->reason << ", member tier "
         << context->profile.tier << ", " << context->recommended_skus.size()
         << " products shown\n";
    return {};
  }

  result<void> agent_says(const scenario_step& step) {
    schemas::agent_message msg{step.agent, step.text};
    auto reply = ask({"conversation", step.conversation}, make_envelope({}, msg, clock_.now_ms()));
    if (!reply) {
      return reply.err();
    }
    ++summary_.agent_messages;
    out_ << stamp() << "agent " << step.agent << " -> " << step.conversation << ": " << step.text
         << "\n";
    return {};
  }

  result<void> close(const scenario_step& step) {
    auto id = current_id(step.conversation);
    if (!id) {
      return id.err();
    }
    schemas::conversation_control cmd;
    cmd.action = "close";
    cmd.agent_id = step.agent;
    auto reply = ask({"conversation", step.conversation}, make_envelope({}, cmd, clock_.now_ms()));
    if (!reply) {
      return reply.err();
    }
    schemas::pool_command done;
    done.action = "close";
    done.conversation_id = *id;
    if (auto r = pool(done); !r) {
      return r.err();
    }
    out_ << stamp() << "agent " << step.agent << " hands " << *id << " back to the bot\n";
    return {};
  }

  result<void> advance(const scenario_step& step) {
    clock_.advance(step.advance_ms);
    out_ << "\n"
         << stamp() << "time passes (+"
         << format_duration(std::chrono::milliseconds{step.advance_ms}) << ")\n";
    auto fired = node_.fire_due_timers();
    if (!fired) {
      return fired.err();
    }
    if (*fired > 0) {
      out_ << "           " << *fired << " durable timer(s) fired\n";
    }
    if (auto f = flush_events(); !f) {
      return f;
    }
    auto passivated = node_.passivate_idle();
    if (!passivated) {
      return passivated.err();
    }
    if (*passivated > 0) {
      out_ << "           " << *passivated
           << " idle actor(s) passivated: state saved to the store, memory freed\n";
    }
    return {};
  }

  // Waits until what the last step set off has run its course: the messages actors sent each other
  // (a contact to the user actor, an enqueue to the agent desk) and the events those published,
  // so that the scripted clock never moves while they are still on their way and each step's
  // account is complete. node::stats() asks every registry shard, so deliveries sent before it
  // have been taken (and the actor's activity stamped) when it returns; the node is settled once
  // a round that also passes the event router handled no message.
  result<void> settle() {
    for (int round = 0; round < 100; ++round) {
      auto handled = node_.stats().messages_handled;
      node_.message_bus().publish(barrier_topic, schemas::envelope{});
      if (!log_.wait_barrier(++barriers_)) {
        return error{errc::timeout, "events did not arrive"};
      }
      if (node_.stats().messages_handled == handled) {
        return {};
      }
    }
    return error{errc::timeout, "the node did not settle"};
  }

  result<void> flush_events() {
    if (auto settled = settle(); !settled) {
      return settled;
    }
    for (auto& [topic, env] : log_.take()) {
      if (auto c = open_envelope<schemas::coupon_record>(env)) {
        funnel_.on_coupon(topic, *c);
        if (topic == schemas::topics::coupon_issued) {
          out_ << "           event coupon.issued " << c->code << " (" << c->campaign << ") to "
               << c->user << "\n";
        }
        continue;
      }
      if (auto a = open_envelope<schemas::order_attribution>(env)) {
        funnel_.on_attribution(*a);
        out_ << "           event order.attributed " << a->order_id << ":"
             << (a->recommended_sku.empty() ? "" : " recommendation " + a->recommended_sku)
             << (a->coupon_code.empty() ? "" : " coupon " + a->coupon_code)
             << (a->variant.empty() ? "" : " variant " + a->experiment + "/" + a->variant)
             << (a->recommended_sku.empty() && a->coupon_code.empty() ? " nothing before it" : "")
             << "\n";
        continue;
      }
      if (auto o = open_envelope<schemas::outbound_event>(env)) {
        if (o->message.from.rfind("campaign:", 0) == 0) {
          out_ << "           " << o->message.from << " -> " << o->channel << ":" << o->person
               << ": " << o->message.text << "\n";
        }
        continue;
      }
      if (auto be = open_envelope<schemas::business_event>(env)) {
        funnel_.on_business_event(topic, *be);
        if (topic == "recommendation.clicked") {
          ++summary_.recommendations_clicked;
        } else if (topic == "order.placed") {
          ++summary_.orders;
        }
        continue;
      }
      auto ev = open_envelope<schemas::conversation_event>(env);
      if (!ev) {
        continue;
      }
      if (topic == schemas::topics::conversation_message) {
        continue;  // one per message: the account already shows the messages
      }
      funnel_.on_conversation_event(topic, *ev);
      if (topic == schemas::topics::churn_high_risk) {
        ++summary_.churn_alerts;
        out_ << "           event churn.high_risk " << ev->conversation_id << " (score "
             << ev->churn_score << ")\n";
        continue;
      }
      if (topic == schemas::topics::product_inquiry) {
        ++summary_.product_inquiries;
        continue;
      }
      if (topic == schemas::topics::recommendation_shown) {
        summary_.recommendations_shown += static_cast<int64_t>(ev->skus.size());
        continue;
      }
      if (topic == schemas::topics::handoff_requested) {
        ++summary_.handoffs_requested;
      } else if (topic == schemas::topics::handoff_accepted) {
        ++summary_.handoffs_accepted;
      } else if (topic == schemas::topics::handoff_offered) {
        out_ << "           event " << topic << " " << ev->conversation_id << " to agent "
             << ev->agent_id << "\n";
        continue;
      }
      out_ << "           event " << topic << " " << ev->conversation_id;
      if (!ev->reason.empty()) {
        out_ << " (" << ev->reason << ", " << ev->message_count << " messages)";
      }
      out_ << "\n";
      if (topic == schemas::topics::conversation_started) {
        ++summary_.sessions_started;
      } else if (topic == schemas::topics::conversation_closed) {
        ++summary_.sessions_closed;
      }
    }
    return {};
  }

  node& node_;
  manual_clock& clock_;
  std::ostream& out_;
  event_log log_;
  int64_t start_ms_ = 0;
  int64_t barriers_ = 0;
  demo_summary summary_;
  funnel funnel_;
};

}  // namespace

// Prints the funnel per channel and the experiments' variants, and copies them into `s`.
void print_marketing(const funnel& f, node& n, const marketing_snapshot& rules, demo_summary& s,
                     std::ostream& out) {
  const char* stages[] = {"conversations",  "product inquiries", "recommendations", "clicked",
                          "coupons issued", "coupons redeemed",  "orders"};
  auto values = [](const funnel_stages& x) {
    return std::vector<int64_t>{x.conversations,
                                x.product_inquiries,
                                x.recommendations_shown,
                                x.recommendations_clicked,
                                x.coupons_issued,
                                x.coupons_redeemed,
                                x.orders};
  };
  out << "\nFunnel by channel" << std::string(10, ' ');
  for (const auto& [channel, stage] : f.by_channel()) {
    out << std::string(10 - std::min<size_t>(channel.size(), 9), ' ') << channel;
  }
  out << "     total\n";
  auto total = values(f.total());
  for (size_t i = 0; i < total.size(); ++i) {
    std::string label = "  " + std::string{stages[i]};
    out << label << std::string(27 - std::min<size_t>(label.size(), 26), ' ');
    for (const auto& [channel, stage] : f.by_channel()) {
      auto v = values(stage)[i];
      s.funnel_by_channel[channel][stages[i]] = v;
      auto text = std::to_string(v);
      out << std::string(10 - std::min<size_t>(text.size(), 9), ' ') << text;
    }
    auto text = std::to_string(total[i]);
    out << std::string(10 - std::min<size_t>(text.size(), 9), ' ') << text << "\n";
  }
  auto t = f.total();
  s.coupons_issued = t.coupons_issued;
  s.coupons_redeemed = t.coupons_redeemed;
  s.orders_attributed_to_coupons = t.orders_with_coupons;
  s.winback_offers = f.winback_offers();
  s.winback_orders = f.winback_orders();
  out << "  orders after a recommendation " << t.orders_from_recommendations << ", after a coupon "
      << t.orders_with_coupons << "\n"
      << "  churn alerts " << f.churn_alerts() << ", win-back offers " << f.winback_offers()
      << ", won back (ordered) " << f.winback_orders() << "\n";
  for (const auto& e : rules.experiments) {
    schemas::experiment_event ask;
    ask.kind = "report";
    auto reply = n.message_bus().request_sync(
        make_envelope(schemas::address{schemas::kinds::experiment, e.id}, ask),
        std::chrono::seconds(5));
    if (!reply) {
      continue;
    }
    auto report = open_envelope<schemas::experiment_report>(*reply);
    if (!report || report->json.empty()) {
      continue;
    }
    s.experiments[e.id] = report->json;
    auto j = nlohmann::json::parse(report->json, nullptr, false);
    if (j.is_discarded() || !j.contains("variants")) {
      continue;
    }
    out << "\nExperiment " << e.id << " (" << e.surface << ")\n";
    for (const auto& v : j["variants"]) {
      char line[200];
      std::snprintf(line, sizeof line,
                    "  %-10s impressions %3lld  clicks %3lld  conversions %3lld  CTR %5.1f%%  "
                    "CR %5.1f%%\n",
                    v.value("name", "").c_str(), static_cast<long long>(v.value("impressions", 0)),
                    static_cast<long long>(v.value("clicks", 0)),
                    static_cast<long long>(v.value("conversions", 0)),
                    100.0 * v["click_through"].value("rate", 0.0),
                    100.0 * v["conversion"].value("rate", 0.0));
      out << line;
    }
  }
}

result<demo_summary> run_demo(const node_config& cfg, const std::string& scenario_path,
                              std::ostream& out) {
  auto sc = load_scenario(scenario_path);
  if (!sc) {
    return sc.err();
  }
  // 2026-11-25 10:00 in Shanghai: a fixed start keeps the account the same run after run.
  manual_clock clk{1'795'572'000'000};
  node_start_options opts;
  opts.node_clock = &clk;
  opts.self_ticking = false;
  auto rules = read_marketing(cfg);
  if (!rules) {
    return rules.err();
  }
  std::set<std::string> winback;
  for (const auto& c : rules->campaigns) {
    if (c.on == schemas::topics::churn_high_risk) {
      winback.insert(c.id);
    }
  }
  auto n = node::start(cfg, std::move(opts));
  if (!n) {
    return n.err();
  }
  runner r{**n, clk, out, winback};
  if (auto ran = r.run(*sc); !ran) {
    return ran.err();
  }
  auto s = r.summary();
  out << "\nSummary\n"
      << "  messages applied        " << s.messages << "\n";
  for (const auto& [channel, count] : s.messages_by_channel) {
    out << "    on " << channel << std::string(20 - std::min<size_t>(channel.size(), 19), ' ')
        << count << "\n";
  }
  out << "  product inquiries       " << s.product_inquiries << "\n"
      << "  recommendations shown   " << s.recommendations_shown << "\n"
      << "  recommendations clicked " << s.recommendations_clicked << "\n"
      << "  orders placed           " << s.orders << "\n"
      << "  handoffs requested      " << s.handoffs_requested << "\n"
      << "  handoffs accepted       " << s.handoffs_accepted << "\n"
      << "  agent wait (mean)       "
      << (s.handoffs_accepted > 0 ? format_duration(std::chrono::milliseconds{std::max<int64_t>(
                                        1, s.agent_wait_ms_total / s.handoffs_accepted)})
                                  : std::string{"-"})
      << "\n"
      << "  agent messages          " << s.agent_messages << "\n";
  out << "  channel retries dropped " << s.retries_recognised << "\n"
      << "  sessions started        " << s.sessions_started << "\n"
      << "  sessions closed         " << s.sessions_closed << "\n"
      << "  actor activations       " << s.activations << "\n"
      << "  actor passivations      " << s.passivations << "\n"
      << "  durable timers fired    " << s.timers_fired << "\n";
  print_marketing(r.sales_funnel(), **n, *rules, s, out);
  (*n)->drain();
  return s;
}

}  // namespace sb
