// The human-agent desk: queue order, routing to agents, offers, accepts, re-queues and persistence.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "actors/agent_pool/agent_pool_logic.hpp"

namespace {

using namespace sb;

agent_info agent(const std::string& id, std::set<std::string> skills = {}, int max_chats = 2,
                 agent_presence presence = agent_presence::online) {
  return agent_info{id, "Agent " + id, std::move(skills), max_chats, presence};
}

waiting_conversation waiting(std::string id, int priority = 0, int64_t at_ms = 0,
                             std::string skill = "") {
  return waiting_conversation{std::move(id), std::move(skill), priority, at_ms};
}

// The conversation ids of a snapshot's queue, in order.
std::vector<std::string> queue_ids(const agent_pool_logic& pool) {
  std::vector<std::string> ids;
  for (const auto& q : pool.snapshot(0).queue) {
    ids.push_back(q.conversation.conversation_id);
  }
  return ids;
}

// Sets up agents and checks that each call succeeded.
void add_agents(agent_pool_logic& pool, const std::vector<agent_info>& agents) {
  for (const auto& a : agents) {
    REQUIRE(pool.set_agent(a).ok());
  }
}

void add_waiting(agent_pool_logic& pool, const std::vector<waiting_conversation>& list) {
  for (const auto& w : list) {
    REQUIRE(*pool.enqueue(w));
  }
}

}  // namespace

TEST_CASE("handoff priority puts the best members and complaints first") {
  CHECK(handoff_priority("platinum", "complaint") == 55);
  CHECK(handoff_priority("gold", "high_churn_risk") == 45);
  CHECK(handoff_priority("gold", "purchase_intent") == 30);
  CHECK(handoff_priority("regular", "complaint") == 25);
  CHECK(handoff_priority("gold", "question") == 20);
  CHECK(handoff_priority("silver", "payment_issue") == 25);
  CHECK(handoff_priority("regular", "question") == 0);
  CHECK(handoff_priority("", "") == 0);
  CHECK(handoff_priority("platinum", "") > handoff_priority("regular", "complaint"));
}

TEST_CASE("presence names round-trip and unknown ones are refused") {
  for (auto p : {agent_presence::online, agent_presence::away, agent_presence::offline}) {
    auto parsed = agent_presence_from_string(to_string(p));
    REQUIRE(parsed.ok());
    CHECK(*parsed == p);
  }
  auto bad = agent_presence_from_string("busy");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().code == errc::invalid_argument);
}

TEST_CASE("waiting conversations are offered in priority order") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1", {}, 3)});
  add_waiting(pool, {waiting("low", 0, 100), waiting("high", 50, 300), waiting("mid", 20, 200)});
  CHECK(queue_ids(pool) == std::vector<std::string>{"high", "mid", "low"});
  auto offers = pool.assign(1000);
  REQUIRE(offers.size() == 3);
  CHECK(offers[0] == agent_offer{"high", "a1"});
  CHECK(offers[1] == agent_offer{"mid", "a1"});
  CHECK(offers[2] == agent_offer{"low", "a1"});
}

TEST_CASE("conversations of equal priority are served first come, first served") {
  agent_pool_logic pool;
  add_waiting(pool, {waiting("c", 10, 300), waiting("a", 10, 100), waiting("b", 10, 200)});
  // Same priority and same enqueue time: arrival order decides.
  add_waiting(pool, {waiting("d", 10, 300)});
  CHECK(queue_ids(pool) == std::vector<std::string>{"a", "b", "c", "d"});
  add_agents(pool, {agent("a1", {}, 1)});
  auto offers = pool.assign(1000);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].conversation_id == "a");
}

TEST_CASE("enqueueing a known conversation again changes nothing") {
  agent_pool_logic pool;
  CHECK(*pool.enqueue(waiting("c1", 0, 100)) == true);
  CHECK(*pool.enqueue(waiting("c1", 99, 5)) == false);
  auto snap = pool.snapshot(1100);
  REQUIRE(snap.queue.size() == 1);
  CHECK(snap.queue[0].conversation.priority == 0);
  CHECK(snap.queue[0].wait_ms == 1000);

  add_agents(pool, {agent("a1")});
  REQUIRE(pool.assign(1200).size() == 1);
  CHECK(*pool.enqueue(waiting("c1")) == false);  // offered
  REQUIRE(pool.accept("c1", "a1", 1300).ok());
  CHECK(*pool.enqueue(waiting("c1")) == false);  // in a chat
  CHECK(pool.snapshot(0).queue.empty());

  auto empty = pool.enqueue(waiting(""));
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.err().code == errc::invalid_argument);
}

TEST_CASE("a conversation needing a skill goes only to an agent who has it") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1", {"presales", "zh"}), agent("a2", {"aftersales", "en"})});
  add_waiting(pool, {waiting("refund", 0, 1, "aftersales"), waiting("buy", 0, 2, "presales"),
                     waiting("vip", 0, 3, "vip"), waiting("any", 0, 4)});
  auto offers = pool.assign(10);
  REQUIRE(offers.size() == 3);
  CHECK(offers[0] == agent_offer{"refund", "a2"});
  CHECK(offers[1] == agent_offer{"buy", "a1"});
  // Nobody has "vip": it stays queued and does not hold back the conversation behind it.
  CHECK(offers[2] == agent_offer{"any", "a1"});
  CHECK(queue_ids(pool) == std::vector<std::string>{"vip"});
}

TEST_CASE("no agent is offered more conversations than their capacity") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1", {}, 2), agent("a2", {}, 1)});
  add_waiting(pool,
              {waiting("c1", 0, 1), waiting("c2", 0, 2), waiting("c3", 0, 3), waiting("c4", 0, 4)});
  CHECK(pool.assign(10).size() == 3);
  CHECK(queue_ids(pool) == std::vector<std::string>{"c4"});
  // Offers and chats both count; closing a chat frees a slot.
  REQUIRE(pool.accept("c1", "a1", 20).ok());
  CHECK(pool.assign(30).empty());
  REQUIRE(pool.close("c1").ok());
  auto offers = pool.assign(40);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0] == agent_offer{"c4", "a1"});
}

TEST_CASE("a conversation goes to the least-loaded agent, then the longest idle, then by id") {
  agent_pool_logic pool;
  add_agents(pool, {agent("b", {}, 3), agent("a", {}, 3), agent("c", {}, 3)});
  add_waiting(pool, {waiting("c1", 0, 1), waiting("c2", 0, 2), waiting("c3", 0, 3)});
  // Nobody had an offer yet: equal loads spread them in id order.
  auto first = pool.assign(100);
  REQUIRE(first.size() == 3);
  CHECK(first[0] == agent_offer{"c1", "a"});
  CHECK(first[1] == agent_offer{"c2", "b"});
  CHECK(first[2] == agent_offer{"c3", "c"});

  // "a" and "b" accept and close their chats; "c" still holds its offer.
  REQUIRE(pool.accept("c1", "a", 110).ok());
  REQUIRE(pool.accept("c2", "b", 110).ok());
  REQUIRE(pool.close("c2").ok());
  REQUIRE(pool.close("c1").ok());
  add_waiting(pool, {waiting("c4", 0, 200)});
  auto second = pool.assign(300);
  REQUIRE(second.size() == 1);
  // Equal load and equal last offer time (100): the smaller id wins.
  CHECK(second[0] == agent_offer{"c4", "a"});

  add_waiting(pool, {waiting("c5", 0, 400)});
  auto third = pool.assign(500);
  REQUIRE(third.size() == 1);
  // "a" (load 1) and "c" (load 1) tie on load; "b" (load 0) is least loaded.
  CHECK(third[0] == agent_offer{"c5", "b"});

  add_waiting(pool, {waiting("c6", 0, 600)});
  auto fourth = pool.assign(700);
  REQUIRE(fourth.size() == 1);
  // All at load 1: "c" got its last offer at 100, "a" at 300, "b" at 500.
  CHECK(fourth[0] == agent_offer{"c6", "c"});
}

TEST_CASE("only online agents receive offers") {
  agent_pool_logic pool;
  add_agents(pool, {agent("away", {}, 5, agent_presence::away),
                    agent("off", {}, 5, agent_presence::offline)});
  add_waiting(pool, {waiting("c1")});
  CHECK(pool.assign(10).empty());
  add_agents(pool, {agent("off", {}, 5, agent_presence::online)});
  auto offers = pool.assign(20);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].agent_id == "off");
}

TEST_CASE(
    "an agent going offline re-queues their offers at their old place and keeps their chats") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1", {}, 3)});
  add_waiting(pool,
              {waiting("first", 10, 100), waiting("chat", 10, 150), waiting("third", 0, 300)});
  REQUIRE(pool.assign(400).size() == 3);
  REQUIRE(pool.accept("chat", "a1", 450).ok());
  // Arrived after "first" and "third" were offered, but with a lower place in the order.
  add_waiting(pool, {waiting("late", 10, 500), waiting("later", 0, 600)});

  auto requeued = pool.set_agent(agent("a1", {}, 3, agent_presence::offline));
  REQUIRE(requeued.ok());
  CHECK(*requeued == std::vector<std::string>{"first", "third"});
  CHECK(queue_ids(pool) == std::vector<std::string>{"first", "late", "third", "later"});
  auto snap = pool.snapshot(1100);
  CHECK(snap.queue[0].position == 1);
  CHECK(snap.queue[0].wait_ms == 1000);  // measured from the original enqueue time
  CHECK(snap.queue[2].position == 3);
  CHECK(snap.queue[2].conversation.priority == 0);
  REQUIRE(snap.agents.size() == 1);
  CHECK(snap.agents[0].offered.empty());
  CHECK(snap.agents[0].chats == std::vector<std::string>{"chat"});
  CHECK(snap.agents[0].load == 1);

  // The re-queued offer can no longer be accepted by the agent who left.
  auto late_accept = pool.accept("first", "a1", 1200);
  REQUIRE_FALSE(late_accept.ok());
  CHECK(late_accept.err().code == errc::invalid_argument);
  // The chat is still theirs to close.
  CHECK(pool.close("chat").ok());
}

TEST_CASE("an agent going away is treated like going offline") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1"), agent("a2", {}, 2, agent_presence::offline)});
  add_waiting(pool, {waiting("c1")});
  REQUIRE(pool.assign(10).size() == 1);
  auto requeued = pool.set_agent(agent("a1", {}, 2, agent_presence::away));
  REQUIRE(requeued.ok());
  CHECK(*requeued == std::vector<std::string>{"c1"});
  add_agents(pool, {agent("a2")});
  auto offers = pool.assign(20);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0] == agent_offer{"c1", "a2"});
}

TEST_CASE("only the agent a conversation was offered to may accept it") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1", {}, 1), agent("a2", {}, 1)});
  add_waiting(pool, {waiting("c1", 0, 100), waiting("c2", 0, 100)});
  REQUIRE(pool.assign(200).size() == 2);

  auto wrong = pool.accept("c1", "a2", 300);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.err().code == errc::invalid_argument);
  CHECK(wrong.err().message.find("a1") != std::string::npos);
  CHECK(pool.wait_stats().count == 0);

  auto unknown_agent = pool.accept("c1", "nobody", 300);
  REQUIRE_FALSE(unknown_agent.ok());
  CHECK(unknown_agent.err().code == errc::not_found);
  auto unknown_conversation = pool.accept("c9", "a1", 300);
  REQUIRE_FALSE(unknown_conversation.ok());
  CHECK(unknown_conversation.err().code == errc::not_found);

  auto ok = pool.accept("c1", "a1", 350);
  REQUIRE(ok.ok());
  CHECK(*ok == 250);
  // A retried accept answers the same and is not counted twice; someone else still may not.
  auto again = pool.accept("c1", "a1", 999);
  REQUIRE(again.ok());
  CHECK(*again == 250);
  CHECK(pool.wait_stats().count == 1);
  CHECK_FALSE(pool.accept("c1", "a2", 999).ok());
}

TEST_CASE("a waiting conversation cannot be accepted before it is offered") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1")});
  add_waiting(pool, {waiting("c1")});
  auto r = pool.accept("c1", "a1", 10);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
}

TEST_CASE("cancel withdraws waiting and offered conversations but not accepted chats") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1", {}, 1)});
  add_waiting(pool, {waiting("offered", 5), waiting("queued", 0), waiting("chat", 0)});
  REQUIRE(pool.assign(10).size() == 1);
  REQUIRE(pool.cancel("queued").ok());
  REQUIRE(pool.cancel("offered").ok());
  CHECK(pool.snapshot(0).agents[0].load == 0);
  auto offers = pool.assign(20);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].conversation_id == "chat");
  REQUIRE(pool.accept("chat", "a1", 30).ok());

  auto on_chat = pool.cancel("chat");
  REQUIRE_FALSE(on_chat.ok());
  CHECK(on_chat.err().code == errc::invalid_argument);
  auto unknown = pool.cancel("queued");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().code == errc::not_found);
}

TEST_CASE("close refuses conversations that are unknown or not accepted") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1")});
  add_waiting(pool, {waiting("c1")});
  auto waiting_close = pool.close("c1");
  REQUIRE_FALSE(waiting_close.ok());
  CHECK(waiting_close.err().code == errc::invalid_argument);
  auto unknown = pool.close("c9");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().code == errc::not_found);
  REQUIRE(pool.assign(1).size() == 1);
  REQUIRE(pool.accept("c1", "a1", 2).ok());
  REQUIRE(pool.close("c1").ok());
  CHECK_FALSE(pool.close("c1").ok());
}

TEST_CASE("set_agent refuses an empty id and a negative capacity") {
  agent_pool_logic pool;
  auto no_id = pool.set_agent(agent(""));
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.err().code == errc::invalid_argument);
  auto negative = pool.set_agent(agent("a1", {}, -1));
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.err().code == errc::invalid_argument);
  CHECK(pool.snapshot(0).agents.empty());
}

TEST_CASE("wait statistics cover the last accepts with nearest-rank percentiles") {
  agent_pool_logic pool{10};
  CHECK(pool.wait_stats().count == 0);
  CHECK(pool.wait_stats().p90_ms == 0);
  add_agents(pool, {agent("a1", {}, 1)});
  // Waits of 10, 20, ..., 120 s: twelve accepts, of which the window keeps the last ten.
  for (int i = 1; i <= 12; ++i) {
    const std::string id = "c" + std::to_string(i);
    add_waiting(pool, {waiting(id, 0, 1000)});
    REQUIRE(pool.assign(1000).size() == 1);
    REQUIRE(pool.accept(id, "a1", 1000 + i * 10000).ok());
    REQUIRE(pool.close(id).ok());
  }
  auto st = pool.wait_stats();
  // Kept: 30 000 .. 120 000 ms. Mean 75 000; p50 is rank ceil(5) = 5 -> 70 000; p90 rank 9 -> 110
  // 000.
  CHECK(st.count == 10);
  CHECK(st.mean_ms == doctest::Approx(75000.0));
  CHECK(st.p50_ms == 70000);
  CHECK(st.p90_ms == 110000);
}

TEST_CASE("wait statistics of a few accepts use ranks rounded up") {
  agent_pool_logic pool;
  add_agents(pool, {agent("a1", {}, 3)});
  add_waiting(pool, {waiting("c1", 0, 0), waiting("c2", 0, 0), waiting("c3", 0, 0)});
  REQUIRE(pool.assign(0).size() == 3);
  REQUIRE(pool.accept("c1", "a1", 4000).ok());
  REQUIRE(pool.accept("c2", "a1", 1000).ok());
  REQUIRE(pool.accept("c3", "a1", 7000).ok());
  auto st = pool.wait_stats();
  // Sorted 1000, 4000, 7000: p50 rank ceil(1.5) = 2, p90 rank ceil(2.7) = 3.
  CHECK(st.count == 3);
  CHECK(st.mean_ms == doctest::Approx(4000.0));
  CHECK(st.p50_ms == 4000);
  CHECK(st.p90_ms == 7000);
}

TEST_CASE("the pool state survives a round trip through JSON") {
  agent_pool_logic pool{5};
  add_agents(pool, {agent("a1", {"presales", "zh"}, 2), agent("a2", {"aftersales"}, 1),
                    agent("a3", {}, 4, agent_presence::away)});
  add_waiting(pool, {waiting("chat", 30, 100, "presales"), waiting("offer", 20, 200, "aftersales"),
                     waiting("wait", 10, 300, "vip"), waiting("tie", 10, 300, "vip")});
  REQUIRE(pool.assign(400).size() == 2);
  REQUIRE(pool.accept("chat", "a1", 1100).ok());

  auto restored = agent_pool_logic::from_json(pool.to_json());
  REQUIRE_MESSAGE(restored.ok(), restored.err().to_string());
  CHECK(restored->to_json() == pool.to_json());
  auto snap = restored->snapshot(2000);
  CHECK(queue_ids(*restored) == std::vector<std::string>{"wait", "tie"});
  REQUIRE(snap.agents.size() == 3);
  CHECK(snap.agents[0].chats == std::vector<std::string>{"chat"});
  CHECK(snap.agents[0].last_offer_at_ms == 400);
  CHECK(snap.agents[1].offered == std::vector<std::string>{"offer"});
  CHECK(snap.agents[2].info.presence == agent_presence::away);
  CHECK(restored->wait_stats().count == 1);
  CHECK(restored->wait_stats().p50_ms == 1000);

  // The restored pool goes on where the old one stopped: the offer is still the same agent's.
  CHECK_FALSE(restored->accept("offer", "a1", 2100).ok());
  CHECK(restored->accept("offer", "a2", 2100).ok());
  // A newcomer with the same priority and time as a stored entry still queues behind it.
  REQUIRE(*restored->enqueue(waiting("new", 10, 300, "vip")));
  CHECK(queue_ids(*restored) == std::vector<std::string>{"wait", "tie", "new"});
}

TEST_CASE("a damaged or newer pool state is refused with an error") {
  auto code_of = [](const std::string& text) {
    auto r = agent_pool_logic::from_json(text);
    REQUIRE_FALSE(r.ok());
    return r.err().code;
  };
  CHECK(code_of("not json") == errc::decode_malformed);
  CHECK(code_of("[]") == errc::decode_malformed);
  CHECK(code_of(R"({"version": 2})") == errc::decode_incompatible);
  CHECK(code_of(R"({"agents": [{"id": "a1", "max_chats": "two"}]})") == errc::decode_malformed);
  CHECK(code_of(R"({"agents": [{"id": "a1", "presence": "busy"}]})") == errc::decode_malformed);
  CHECK(code_of(R"({"agents": [{"id": "a1"}, {"id": "a1"}]})") == errc::decode_malformed);
  CHECK(code_of(R"({"offers": [{"conversation_id": "c1", "agent_id": "ghost"}]})") ==
        errc::decode_malformed);
  CHECK(code_of(R"({"waiting": [{"conversation_id": "c1"}, {"conversation_id": "c1"}]})") ==
        errc::decode_malformed);
  CHECK(code_of(R"({"waiting": [{"conversation_id": "c1", "priority": 99999999999}]})") ==
        errc::decode_malformed);

  auto r = agent_pool_logic::from_json(R"({"agents": [{"id": "a1", "max_chats": "two"}]})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("agents[0].max_chats") != std::string::npos);

  // Unknown keys are ignored, as with schema messages; missing ones keep their defaults.
  auto lenient = agent_pool_logic::from_json(R"({"future": 1, "agents": [{"id": "a1"}]})");
  REQUIRE(lenient.ok());
  CHECK(lenient->snapshot(0).agents[0].info.presence == agent_presence::offline);
}
