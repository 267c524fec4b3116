#include "actors/agent_pool/agent_pool_logic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "actors/json_state_reader.hpp"
#include "runtime/json_nesting.hpp"

namespace sb {
namespace {

using json = nlohmann::json;

constexpr int state_version = 1;

using detail::json_reader;  // actors/json_state_reader.hpp

// Assignment order: higher priority, then earlier enqueue, then earlier arrival. The priority is
// widened before negating so that INT_MIN cannot overflow.
template <class Queued>
auto order_key(const Queued& q) {
  return std::make_tuple(-static_cast<int64_t>(q.conversation.priority),
                         q.conversation.enqueued_at_ms, q.seq);
}

json waiting_json(const waiting_conversation& w, uint64_t seq) {
  return json{{"conversation_id", w.conversation_id},
              {"required_skill", w.required_skill},
              {"priority", w.priority},
              {"enqueued_at_ms", w.enqueued_at_ms},
              {"seq", seq}};
}

bool read_waiting(json_reader& in, const json& j, const std::string& where, waiting_conversation& w,
                  uint64_t& seq) {
  int64_t wide_seq = 0;
  bool ok = in.read(j, where, "conversation_id", w.conversation_id) &&
            in.read(j, where, "required_skill", w.required_skill) &&
            in.read(j, where, "priority", w.priority) &&
            in.read(j, where, "enqueued_at_ms", w.enqueued_at_ms) &&
            in.read(j, where, "seq", wide_seq);
  if (!ok) {
    return false;
  }
  if (w.conversation_id.empty()) {
    return in.fail(where, "empty conversation_id");
  }
  if (wide_seq < 0) {
    return in.fail(where + ".seq", "negative");
  }
  seq = static_cast<uint64_t>(wide_seq);
  return true;
}

}  // namespace

// -- free functions -------------------------------------------------------------------------------

std::string_view to_string(agent_presence presence) noexcept {
  switch (presence) {
    case agent_presence::online:
      return "online";
    case agent_presence::away:
      return "away";
    case agent_presence::offline:
      return "offline";
  }
  return "offline";
}

result<agent_presence> agent_presence_from_string(std::string_view text) {
  for (auto p : {agent_presence::online, agent_presence::away, agent_presence::offline}) {
    if (text == to_string(p)) {
      return p;
    }
  }
  return error{errc::invalid_argument,
               "presence '" + std::string{text} + "' is not online, away or offline"};
}

int handoff_priority(std::string_view tier, std::string_view reason) {
  int points = 0;
  if (tier == "platinum") {
    points += 30;
  } else if (tier == "gold") {
    points += 20;
  } else if (tier == "silver") {
    points += 10;
  }
  if (reason == "complaint" || reason == "high_churn_risk") {
    points += 25;
  } else if (reason == "payment_issue") {
    points += 15;
  } else if (reason == "purchase_intent") {
    points += 10;
  }
  return points;
}

// -- agent_pool_logic -----------------------------------------------------------------------------

agent_pool_logic::agent_pool_logic(size_t stats_window)
    : stats_window_(std::max<size_t>(1, stats_window)) {}

bool agent_pool_logic::known(const std::string& conversation_id) const {
  return offers_.count(conversation_id) > 0 || chats_.count(conversation_id) > 0 ||
         std::any_of(queue_.begin(), queue_.end(), [&](const queued& q) {
           return q.conversation.conversation_id == conversation_id;
         });
}

void agent_pool_logic::insert_queued(queued entry) {
  auto pos = std::upper_bound(
      queue_.begin(), queue_.end(), entry,
      [](const queued& a, const queued& b) { return order_key(a) < order_key(b); });
  queue_.insert(pos, std::move(entry));
}

result<bool> agent_pool_logic::enqueue(waiting_conversation conversation) {
  if (conversation.conversation_id.empty()) {
    return error{errc::invalid_argument, "enqueue: empty conversation id"};
  }
  if (known(conversation.conversation_id)) {
    return false;
  }
  insert_queued(queued{std::move(conversation), next_seq_++});
  return true;
}

result<void> agent_pool_logic::cancel(std::string_view conversation_id) {
  auto q = std::find_if(queue_.begin(), queue_.end(), [&](const queued& e) {
    return e.conversation.conversation_id == conversation_id;
  });
  if (q != queue_.end()) {
    queue_.erase(q);
    return {};
  }
  if (auto o = offers_.find(conversation_id); o != offers_.end()) {
    agents_.at(o->second.agent_id).offered.erase(o->first);
    offers_.erase(o);
    return {};
  }
  if (chats_.count(conversation_id) > 0) {
    return error{errc::invalid_argument,
                 "cancel: conversation '" + std::string{conversation_id} + "' is an accepted chat"};
  }
  return error{errc::not_found,
               "cancel: unknown conversation '" + std::string{conversation_id} + "'"};
}

result<std::vector<std::string>> agent_pool_logic::set_agent(agent_info agent) {
  if (agent.id.empty()) {
    return error{errc::invalid_argument, "set_agent: empty agent id"};
  }
  if (agent.max_chats < 0) {
    return error{errc::invalid_argument, "set_agent: agent '" + agent.id + "' has max_chats < 0"};
  }
  auto& rec = agents_[agent.id];
  rec.info = std::move(agent);
  std::vector<std::string> requeued;
  if (rec.info.presence == agent_presence::online) {
    return requeued;
  }
  for (const auto& id : rec.offered) {
    auto o = offers_.find(id);
    insert_queued(std::move(o->second.entry));
    offers_.erase(o);
  }
  // Report them in queue order, which is the order they will be offered again.
  for (const auto& q : queue_) {
    if (rec.offered.count(q.conversation.conversation_id) > 0) {
      requeued.push_back(q.conversation.conversation_id);
    }
  }
  rec.offered.clear();
  return requeued;
}

agent_pool_logic::agent_record* agent_pool_logic::pick_agent(const std::string& skill) {
  agent_record* best = nullptr;
  for (auto& [id, rec] : agents_) {
    const auto load = rec.offered.size() + rec.chats.size();
    if (rec.info.presence != agent_presence::online ||
        load >= static_cast<size_t>(rec.info.max_chats) ||
        (!skill.empty() && rec.info.skills.count(skill) == 0)) {
      continue;
    }
    // agents_ iterates by id, so keeping the first of equals makes the smallest id win ties.
    if (best == nullptr ||
        std::make_pair(load, rec.last_offer_at_ms) <
            std::make_pair(best->offered.size() + best->chats.size(), best->last_offer_at_ms)) {
      best = &rec;
    }
  }
  return best;
}

std::vector<agent_offer> agent_pool_logic::assign(int64_t now_ms) {
  std::vector<agent_offer> offers;
  std::vector<queued> still_waiting;
  for (auto& q : queue_) {
    agent_record* agent = pick_agent(q.conversation.required_skill);
    if (agent == nullptr) {
      still_waiting.push_back(std::move(q));
      continue;
    }
    std::string id = q.conversation.conversation_id;  // a copy: q is moved below
    agent->offered.insert(id);
    agent->last_offer_at_ms = now_ms;
    offers.push_back(agent_offer{id, agent->info.id});
    offers_.emplace(std::move(id), offer_record{std::move(q), agent->info.id});
  }
  queue_ = std::move(still_waiting);
  return offers;
}

result<int64_t> agent_pool_logic::accept(std::string_view conversation_id,
                                         std::string_view agent_id, int64_t now_ms) {
  auto agent = agents_.find(agent_id);
  if (agent == agents_.end()) {
    return error{errc::not_found, "accept: unknown agent '" + std::string{agent_id} + "'"};
  }
  if (auto c = chats_.find(conversation_id); c != chats_.end()) {
    if (c->second.agent_id != agent_id) {
      return error{errc::invalid_argument, "accept: conversation '" + std::string{conversation_id} +
                                               "' is already with agent '" + c->second.agent_id +
                                               "'"};
    }
    // A repeated accept (a retried request) must not count the wait twice.
    return c->second.accepted_at_ms - c->second.enqueued_at_ms;
  }
  auto o = offers_.find(conversation_id);
  if (o == offers_.end()) {
    if (known(std::string{conversation_id})) {
      return error{errc::invalid_argument,
                   "accept: conversation '" + std::string{conversation_id} + "' is not offered"};
    }
    return error{errc::not_found,
                 "accept: unknown conversation '" + std::string{conversation_id} + "'"};
  }
  if (o->second.agent_id != agent_id) {
    return error{errc::invalid_argument, "accept: conversation '" + std::string{conversation_id} +
                                             "' is offered to agent '" + o->second.agent_id +
                                             "', not '" + std::string{agent_id} + "'"};
  }
  const int64_t enqueued = o->second.entry.conversation.enqueued_at_ms;
  const int64_t accepted = std::max(now_ms, enqueued);
  agent->second.offered.erase(o->first);
  agent->second.chats.insert(o->first);
  chats_.emplace(o->first, chat_record{std::string{agent_id}, enqueued, accepted});
  offers_.erase(o);
  record_wait(accepted - enqueued);
  return accepted - enqueued;
}

result<void> agent_pool_logic::close(std::string_view conversation_id) {
  auto c = chats_.find(conversation_id);
  if (c == chats_.end()) {
    if (known(std::string{conversation_id})) {
      return error{errc::invalid_argument, "close: conversation '" + std::string{conversation_id} +
                                               "' is not accepted yet"};
    }
    return error{errc::not_found,
                 "close: unknown conversation '" + std::string{conversation_id} + "'"};
  }
  agents_.at(c->second.agent_id).chats.erase(c->first);
  chats_.erase(c);
  return {};
}

void agent_pool_logic::record_wait(int64_t wait_ms) {
  recent_waits_.push_back(wait_ms);
  while (recent_waits_.size() > stats_window_) {
    recent_waits_.pop_front();
  }
}

pool_snapshot agent_pool_logic::snapshot(int64_t now_ms) const {
  pool_snapshot out;
  for (const auto& q : queue_) {
    out.queue.push_back(
        queue_position{q.conversation, out.queue.size() + 1,
                       std::max<int64_t>(0, now_ms - q.conversation.enqueued_at_ms)});
  }
  for (const auto& [id, o] : offers_) {
    out.offers.push_back(
        offered_conversation{o.entry.conversation, o.agent_id,
                             std::max<int64_t>(0, now_ms - o.entry.conversation.enqueued_at_ms)});
  }
  for (const auto& [id, rec] : agents_) {
    agent_status st;
    st.info = rec.info;
    st.offered.assign(rec.offered.begin(), rec.offered.end());
    st.chats.assign(rec.chats.begin(), rec.chats.end());
    st.load = st.offered.size() + st.chats.size();
    st.last_offer_at_ms = rec.last_offer_at_ms;
    out.agents.push_back(std::move(st));
  }
  return out;
}

wait_statistics agent_pool_logic::wait_stats() const {
  wait_statistics st;
  st.count = recent_waits_.size();
  if (st.count == 0) {
    return st;
  }
  std::vector<int64_t> sorted(recent_waits_.begin(), recent_waits_.end());
  std::sort(sorted.begin(), sorted.end());
  // Summing as double: a window of millisecond waits cannot overflow it in practice.
  st.mean_ms = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(st.count);
  auto nearest_rank = [&](size_t percent) {
    size_t rank = (percent * st.count + 99) / 100;  // ceil(p/100 * n), at least 1 for n >= 1
    return sorted[std::max<size_t>(rank, 1) - 1];
  };
  st.p50_ms = nearest_rank(50);
  st.p90_ms = nearest_rank(90);
  return st;
}

// -- persistence ----------------------------------------------------------------------------------

std::string agent_pool_logic::to_json() const {
  json agents = json::array();
  for (const auto& [id, rec] : agents_) {
    agents.push_back(json{{"id", id},
                          {"display_name", rec.info.display_name},
                          {"skills", rec.info.skills},
                          {"max_chats", rec.info.max_chats},
                          {"presence", to_string(rec.info.presence)},
                          {"last_offer_at_ms", rec.last_offer_at_ms}});
  }
  json waiting = json::array();
  for (const auto& q : queue_) {
    waiting.push_back(waiting_json(q.conversation, q.seq));
  }
  json offers = json::array();
  for (const auto& [id, o] : offers_) {
    json j = waiting_json(o.entry.conversation, o.entry.seq);
    j["agent_id"] = o.agent_id;
    offers.push_back(std::move(j));
  }
  json chats = json::array();
  for (const auto& [id, c] : chats_) {
    chats.push_back(json{{"conversation_id", id},
                         {"agent_id", c.agent_id},
                         {"enqueued_at_ms", c.enqueued_at_ms},
                         {"accepted_at_ms", c.accepted_at_ms}});
  }
  json out{
      {"version", state_version},
      {"stats_window", stats_window_},
      {"next_seq", next_seq_},
      {"agents", std::move(agents)},
      {"waiting", std::move(waiting)},
      {"offers", std::move(offers)},
      {"chats", std::move(chats)},
      {"recent_waits_ms", json(std::vector<int64_t>(recent_waits_.begin(), recent_waits_.end()))}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<agent_pool_logic> agent_pool_logic::from_json(std::string_view text) {
  auto malformed = [](const std::string& what) {
    return error{errc::decode_malformed, "agent pool state: " + what};
  };
  if (!json_nesting_within(text, 32)) {
    return malformed("nested deeper than 32");
  }
  const json root = json::parse(text, nullptr, false);
  if (root.is_discarded()) {
    return malformed("not valid JSON");
  }
  if (!root.is_object()) {
    return malformed("expected an object");
  }
  json_reader in;
  int64_t version = state_version;
  int64_t window = 100;
  int64_t next_seq = 1;
  if (!in.read(root, "", "version", version) || !in.read(root, "", "stats_window", window) ||
      !in.read(root, "", "next_seq", next_seq)) {
    return malformed(in.error());
  }
  if (version > state_version) {
    return error{errc::decode_incompatible, "agent pool state: version " + std::to_string(version) +
                                                " is newer than " + std::to_string(state_version)};
  }
  if (window < 1 || next_seq < 1) {
    return malformed("stats_window and next_seq must be positive");
  }
  agent_pool_logic pool{static_cast<size_t>(window)};
  pool.next_seq_ = static_cast<uint64_t>(next_seq);
  std::set<std::string> seen;  // conversation ids, which must be unique across queue, offers, chats
  auto fresh = [&](const std::string& id) { return seen.insert(id).second; };

  const json* agents = in.array(root, "agents");
  if (agents == nullptr) {
    return malformed(in.error());
  }
  for (size_t i = 0; i < agents->size(); ++i) {
    const json& j = (*agents)[i];
    const std::string where = "agents[" + std::to_string(i) + "]";
    if (!j.is_object()) {
      return malformed(where + ": expected an object");
    }
    agent_record rec;
    std::string presence = "offline";
    if (!in.read(j, where, "id", rec.info.id) ||
        !in.read(j, where, "display_name", rec.info.display_name) ||
        !in.read_strings(j, where, "skills", rec.info.skills) ||
        !in.read(j, where, "max_chats", rec.info.max_chats) ||
        !in.read(j, where, "presence", presence) ||
        !in.read(j, where, "last_offer_at_ms", rec.last_offer_at_ms)) {
      return malformed(in.error());
    }
    auto p = agent_presence_from_string(presence);
    if (!p) {
      return malformed(where + ".presence: " + p.err().message);
    }
    rec.info.presence = *p;
    if (rec.info.id.empty() || rec.info.max_chats < 0) {
      return malformed(where + ": empty id or negative max_chats");
    }
    if (!pool.agents_.emplace(rec.info.id, std::move(rec)).second) {
      return malformed(where + ": duplicate agent id");
    }
  }

  const json* waiting = in.array(root, "waiting");
  if (waiting == nullptr) {
    return malformed(in.error());
  }
  for (size_t i = 0; i < waiting->size(); ++i) {
    const std::string where = "waiting[" + std::to_string(i) + "]";
    if (!(*waiting)[i].is_object()) {
      return malformed(where + ": expected an object");
    }
    queued q;
    if (!read_waiting(in, (*waiting)[i], where, q.conversation, q.seq)) {
      return malformed(in.error());
    }
    if (!fresh(q.conversation.conversation_id)) {
      return malformed(where + ": duplicate conversation");
    }
    pool.insert_queued(std::move(q));
  }

  const json* offers = in.array(root, "offers");
  if (offers == nullptr) {
    return malformed(in.error());
  }
  for (size_t i = 0; i < offers->size(); ++i) {
    const std::string where = "offers[" + std::to_string(i) + "]";
    const json& j = (*offers)[i];
    if (!j.is_object()) {
      return malformed(where + ": expected an object");
    }
    offer_record o;
    if (!read_waiting(in, j, where, o.entry.conversation, o.entry.seq) ||
        !in.read(j, where, "agent_id", o.agent_id)) {
      return malformed(in.error());
    }
    const auto& id = o.entry.conversation.conversation_id;
    auto agent = pool.agents_.find(o.agent_id);
    if (agent == pool.agents_.end()) {
      return malformed(where + ": unknown agent '" + o.agent_id + "'");
    }
    if (!fresh(id)) {
      return malformed(where + ": duplicate conversation");
    }
    agent->second.offered.insert(id);
    pool.offers_.emplace(id, std::move(o));
  }

  const json* chats = in.array(root, "chats");
  if (chats == nullptr) {
    return malformed(in.error());
  }
  for (size_t i = 0; i < chats->size(); ++i) {
    const std::string where = "chats[" + std::to_string(i) + "]";
    const json& j = (*chats)[i];
    if (!j.is_object()) {
      return malformed(where + ": expected an object");
    }
    std::string id;
    chat_record c;
    if (!in.read(j, where, "conversation_id", id) || !in.read(j, where, "agent_id", c.agent_id) ||
        !in.read(j, where, "enqueued_at_ms", c.enqueued_at_ms) ||
        !in.read(j, where, "accepted_at_ms", c.accepted_at_ms)) {
      return malformed(in.error());
    }
    auto agent = pool.agents_.find(c.agent_id);
    if (agent == pool.agents_.end()) {
      return malformed(where + ": unknown agent '" + c.agent_id + "'");
    }
    if (id.empty() || !fresh(id)) {
      return malformed(where + ": empty or duplicate conversation");
    }
    agent->second.chats.insert(id);
    pool.chats_.emplace(std::move(id), std::move(c));
  }

  const json* waits = in.array(root, "recent_waits_ms");
  if (waits == nullptr) {
    return malformed(in.error());
  }
  for (size_t i = 0; i < waits->size(); ++i) {
    int64_t w = 0;
    if (!in.integer((*waits)[i], "recent_waits_ms[" + std::to_string(i) + "]", w)) {
      return malformed(in.error());
    }
    pool.record_wait(w);
  }
  // A hand-edited or damaged record must not make new arrivals tie with stored ones.
  for (const auto& q : pool.queue_) {
    pool.next_seq_ = std::max(pool.next_seq_, q.seq + 1);
  }
  for (const auto& [id, o] : pool.offers_) {
    pool.next_seq_ = std::max(pool.next_seq_, o.entry.seq + 1);
  }
  return pool;
}

}  // namespace sb
