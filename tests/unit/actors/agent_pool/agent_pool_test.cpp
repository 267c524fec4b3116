// The agent desk as a keyed actor, driven through a recording actor_context: its replies, the
// offers it publishes, its status and its stored state. The queueing rules are
// agent_pool_logic_test's.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/agent_pool/agent_pool.hpp"
#include "runtime/bus.hpp"
#include "runtime/codec.hpp"
#include "runtime/metrics.hpp"
#include "schemas/agent_pool.hpp"
#include "schemas/conversation.hpp"
#include "schemas/subjects.hpp"
#include "tests/support/recording_context.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using test::recording_context;

schemas::pool_command enqueue(const std::string& id, const std::string& tier = "regular",
                              const std::string& reason = "", const std::string& skill = "") {
  schemas::pool_command c;
  c.action = "enqueue";
  c.conversation_id = id;
  c.tier = tier;
  c.reason = reason;
  c.skill = skill;
  return c;
}

schemas::pool_command agent(const std::string& id, std::vector<std::string> skills = {},
                            int64_t max_chats = 2, const std::string& presence = "online") {
  schemas::pool_command c;
  c.action = "agent";
  c.agent_id = id;
  c.name = "Agent " + id;
  c.skills = std::move(skills);
  c.max_chats = max_chats;
  c.presence = presence;
  return c;
}

schemas::pool_command on(const std::string& action, const std::string& conversation_id,
                         const std::string& agent_id = "") {
  schemas::pool_command c;
  c.action = action;
  c.conversation_id = conversation_id;
  c.agent_id = agent_id;
  return c;
}

double wait_observations() {
  return metrics::registry::global()
      .get_histogram("sb_agent_wait_seconds", "Time from handoff to an agent accepting it",
                     metrics::default_latency_buckets())
      .count();
}

struct fixture {
  schemas::address addr{"agent_pool", "default"};
  agent_pool pool;
  recording_context ctx{addr};

  fixture() { REQUIRE(pool.restore(std::nullopt).ok()); }

  // Sends a command and returns the pool's reply; the command itself must not fail.
  schemas::pool_reply ask(const schemas::pool_command& cmd) {
    SB_REQUIRE_OK(pool.handle(make_envelope(addr, cmd, ctx.now), ctx));
    return ctx.last_reply_as<schemas::pool_reply>();
  }

  // The offers published so far, as (conversation, agent).
  std::vector<std::pair<std::string, std::string>> offers() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& ev :
         ctx.published_on<schemas::conversation_event>(schemas::topics::handoff_offered)) {
      out.emplace_back(ev.conversation_id, ev.agent_id);
    }
    return out;
  }
};

using offer_list = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE_FIXTURE(fixture,
                  "an enqueued conversation waits with its priority until an agent comes") {
  auto r = ask(enqueue("app:u-42#1", "gold", "complaint", "aftersales"));
  CHECK(r.ok);
  CHECK(r.error_code.empty());
  CHECK(ctx.published.empty());  // nobody to offer it to

  auto j = nlohmann::json::parse(r.json);
  REQUIRE(j.at("waiting").size() == 1);
  const auto& w = j.at("waiting")[0];
  CHECK(w.at("conversation_id").get<std::string>() == "app:u-42#1");
  CHECK(w.at("skill").get<std::string>() == "aftersales");
  CHECK(w.at("priority").get<int>() == handoff_priority("gold", "complaint"));
  CHECK(w.at("position").get<int>() == 1);
  CHECK(j.at("agents").empty());
}

TEST_CASE_FIXTURE(
    fixture, "an agent signing in is offered the waiting conversation and the offer is published") {
  ask(enqueue("app:u-42#1"));
  ctx.clear();
  ctx.now += 30'000;
  auto r = ask(agent("li", {"presales", "aftersales"}));
  CHECK(r.ok);
  CHECK(offers() == offer_list{{"app:u-42#1", "li"}});
  auto offered = ctx.published_on<schemas::conversation_event>(schemas::topics::handoff_offered);
  REQUIRE(offered.size() == 1);
  CHECK(offered[0].event == schemas::topics::handoff_offered);
  CHECK(offered[0].at_ms == ctx.now);
  CHECK(ctx.published[0].second.to == addr);

  auto j = nlohmann::json::parse(r.json);
  CHECK(j.at("waiting").empty());
  REQUIRE(j.at("offered").size() == 1);
  CHECK(j.at("offered")[0].at("conversation_id").get<std::string>() == "app:u-42#1");
  CHECK(j.at("offered")[0].at("offered_to").get<std::string>() == "li");
  CHECK(j.at("offered")[0].at("wait_ms").get<int64_t>() == 30'000);
  REQUIRE(j.at("agents").size() == 1);
  const auto& a = j.at("agents")[0];
  CHECK(a.at("agent_id").get<std::string>() == "li");
  CHECK(a.at("name").get<std::string>() == "Agent li");
  CHECK(a.at("presence").get<std::string>() == "online");
  CHECK(a.at("skills") == nlohmann::json::array({"aftersales", "presales"}));
  CHECK(a.at("max_chats").get<int>() == 2);
  CHECK(a.at("load").get<int>() == 1);
  CHECK(a.at("offered") == nlohmann::json::array({"app:u-42#1"}));
  CHECK(a.at("chats").empty());

  // A second command offers nothing again.
  ctx.clear();
  ask(on("snapshot", ""));
  CHECK(offers().empty());
}

TEST_CASE_FIXTURE(fixture, "an accept answers the wait and counts it") {
  ask(agent("li"));
  ask(enqueue("web:v-1#1"));
  ctx.now += 45'000;
  auto before = wait_observations();
  auto r = ask(on("accept", "web:v-1#1", "li"));
  CHECK(r.ok);
  CHECK(r.waited_ms == 45'000);
  CHECK(wait_observations() == before + 1);

  auto j = nlohmann::json::parse(r.json);
  const auto& a = j.at("agents")[0];
  CHECK(a.at("chats") == nlohmann::json::array({"web:v-1#1"}));
  CHECK(a.at("offered").empty());
  CHECK(j.at("wait_stats").at("count").get<int>() == 1);
  CHECK(j.at("wait_stats").at("p50_ms").get<int64_t>() == 45'000);
  CHECK(j.at("wait_stats").at("p90_ms").get<int64_t>() == 45'000);
  CHECK(j.at("wait_stats").at("mean_ms").get<double>() == 45'000.0);

  // Closing frees the slot for the next conversation, which is offered at once.
  ask(enqueue("web:v-2#1"));
  ask(enqueue("web:v-3#1"));
  ctx.clear();
  r = ask(on("close", "web:v-1#1"));
  CHECK(r.ok);
  CHECK(offers() == offer_list{{"web:v-3#1", "li"}});
}

TEST_CASE_FIXTURE(fixture,
                  "the wait runs from the handoff request, not from when the desk read it") {
  ask(agent("li"));
  auto cmd = enqueue("web:v-1#1");
  cmd.at_ms = ctx.now;  // the conversation's time of the request
  ctx.now += 2'000;     // the desk gets to it later
  ask(cmd);
  ctx.now += 10'000;
  auto r = ask(on("accept", "web:v-1#1", "li"));
  CHECK(r.waited_ms == 12'000);
}

TEST_CASE_FIXTURE(fixture, "refusals are answered as pool replies with an error code") {
  ask(agent("li"));
  ask(agent("wang", {}, 0));
  ask(enqueue("web:v-1#1"));  // offered to li

  struct refusal {
    schemas::pool_command cmd;
    std::string code;
  };
  auto bad_presence = agent("zhao");
  bad_presence.presence = "asleep";
  for (const auto& c :
       {refusal{on("accept", "web:v-1#1", "wang"), "invalid_argument"},
        refusal{on("accept", "web:v-1#1", "nobody"), "not_found"},
        refusal{on("accept", "web:v-9#1", "li"), "not_found"},
        refusal{on("cancel", "web:v-9#1"), "not_found"},
        refusal{on("close", "web:v-1#1"), "invalid_argument"},
        refusal{enqueue(""), "invalid_argument"}, refusal{bad_presence, "invalid_argument"},
        refusal{agent(""), "invalid_argument"},
        refusal{on("teleport", "web:v-1#1"), "invalid_argument"}}) {
    CAPTURE(c.cmd.action);
    CAPTURE(c.cmd.agent_id);
    ctx.clear();
    auto r = ask(c.cmd);
    CHECK_FALSE(r.ok);
    CHECK(r.error_code == c.code);
    CHECK_FALSE(r.message.empty());
    CHECK(r.json.empty());
    CHECK(ctx.published.empty());
  }
  // Nothing changed: the conversation is still offered to li, who can take it.
  auto r = ask(on("accept", "web:v-1#1", "li"));
  CHECK(r.ok);
}

TEST_CASE_FIXTURE(fixture, "a cancelled conversation leaves the queue") {
  ask(enqueue("web:v-1#1"));
  auto r = ask(on("cancel", "web:v-1#1"));
  CHECK(r.ok);
  CHECK(nlohmann::json::parse(r.json).at("waiting").empty());
  ctx.clear();
  ask(agent("li"));
  CHECK(offers().empty());
}

TEST_CASE_FIXTURE(
    fixture, "an enqueue of a conversation already waiting is answered ok and changes nothing") {
  ask(enqueue("web:v-1#1", "regular", ""));
  auto r = ask(enqueue("web:v-1#1", "platinum", "complaint"));
  CHECK(r.ok);
  auto j = nlohmann::json::parse(r.json);
  REQUIRE(j.at("waiting").size() == 1);
  CHECK(j.at("waiting")[0].at("priority").get<int>() == 0);
}

TEST_CASE_FIXTURE(fixture, "a message that is not a pool command is an error, not a reply") {
  auto r = pool.handle(make_envelope(addr, schemas::chat_message{}), ctx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::unexpected_type);
  CHECK(ctx.replies.empty());
}

TEST_CASE_FIXTURE(fixture, "the state survives a snapshot and a restore") {
  ask(agent("li", {"presales"}, 1));
  ask(agent("wang", {"aftersales"}, 1, "away"));
  ask(enqueue("web:v-1#1", "gold", "", "presales"));
  ask(on("accept", "web:v-1#1", "li"));
  ask(enqueue("web:v-2#1", "regular", "complaint", "aftersales"));
  auto bytes = pool.snapshot();

  agent_pool copy;
  SB_REQUIRE_OK(copy.restore(bytes));
  CHECK(copy.snapshot() == bytes);

  recording_context other{addr};
  other.now = ctx.now;
  SB_REQUIRE_OK(copy.handle(make_envelope(addr, on("snapshot", "")), other));
  auto j = nlohmann::json::parse(other.last_reply_as<schemas::pool_reply>().json);
  REQUIRE(j.at("waiting").size() == 1);
  CHECK(j.at("waiting")[0].at("conversation_id").get<std::string>() == "web:v-2#1");
  REQUIRE(j.at("agents").size() == 2);
  CHECK(j.at("agents")[0].at("chats") == nlohmann::json::array({"web:v-1#1"}));
  CHECK(j.at("agents")[1].at("presence").get<std::string>() == "away");
  CHECK(j.at("wait_stats").at("count").get<int>() == 1);

  // The restored desk goes on: wang comes back and gets the waiting complaint.
  SB_REQUIRE_OK(copy.handle(make_envelope(addr, agent("wang", {"aftersales"}, 1)), other));
  auto offered = other.published_on<schemas::conversation_event>(schemas::topics::handoff_offered);
  REQUIRE(offered.size() == 1);
  CHECK(offered[0].conversation_id == "web:v-2#1");
  CHECK(offered[0].agent_id == "wang");
}

TEST_CASE_FIXTURE(fixture, "restoring a state that does not read is an error") {
  for (const auto& bytes : {std::string{"\xc1"}, encode(schemas::pool_state{"{not json"}),
                            encode(schemas::chat_message{})}) {
    CAPTURE(bytes.size());
    CHECK_FALSE(pool.restore(bytes).ok());
  }
}

TEST_CASE_FIXTURE(fixture, "the status is the snapshot's JSON at the last time seen") {
  ask(agent("li", {}, 0));
  ask(enqueue("web:v-1#1"));
  ctx.now += 5'000;
  ask(on("snapshot", ""));
  auto j = nlohmann::json::parse(pool.status_json(), nullptr, false);
  REQUIRE(j.is_object());
  for (const auto* key : {"waiting", "offered", "agents", "wait_stats"}) {
    CAPTURE(key);
    CHECK(j.contains(key));
  }
  REQUIRE(j.at("waiting").size() == 1);
  CHECK(j.at("waiting")[0].at("wait_ms").get<int64_t>() == 5'000);
  CHECK(j.at("wait_stats").at("count").get<int>() == 0);
}
