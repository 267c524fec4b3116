// The conversation behaviour driven directly through a recording actor_context: no actor system,
// time set by the test. The first part runs without a bot (messages are only recorded), the second
// with the shipped bot: answers, handoff to the agent desk, agent messages, retries, masking.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/agent_pool/agent_pool_logic.hpp"
#include "actors/conversation/conversation.hpp"
#include "runtime/bus.hpp"
#include "runtime/codec.hpp"
#include "schemas/agent_pool.hpp"
#include "schemas/handoff.hpp"
#include "schemas/subjects.hpp"
#include "tests/support/bot_fixtures.hpp"
#include "tests/support/recording_context.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

using test::recording_context;

constexpr int64_t minute = 60'000;

struct fixture {
  schemas::address addr{schemas::kinds::conversation, "web:v-1001"};
  conversation_settings settings = [] {
    conversation_settings s;
    s.session_idle_ms = 30 * minute;
    s.transcript_limit = 3;
    s.remembered_client_ids = 4;
    return s;
  }();
  conversation conv{addr, settings};
  recording_context ctx{addr};

  fixture() { REQUIRE(conv.restore(std::nullopt).ok()); }

  result<void> say(const std::string& text, const std::string& client_msg_id = "") {
    schemas::chat_message msg;
    msg.channel = "web";
    msg.person = "v-1001";
    msg.text = text;
    msg.client_msg_id = client_msg_id;
    msg.sent_at_ms = ctx.now;
    return conv.handle(make_envelope(addr, msg, ctx.now), ctx);
  }

  result<void> fire_idle(int64_t generation = 1) {
    schemas::timer_fired t;
    t.name = conversation::idle_timer;
    t.due_ms = ctx.now;
    t.fired_at_ms = ctx.now;
    t.generation = generation;
    return conv.on_timer(t, ctx);
  }

  std::vector<std::string> transcript_texts() const {
    std::vector<std::string> out;
    for (const auto& line : conv.state().transcript) {
      out.push_back(line.text);
    }
    return out;
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a new conversation starts closed with no session") {
  CHECK(conv.state().status == "closed");
  CHECK(conv.state().session == 0);
  CHECK(conv.state().transcript.empty());
}

TEST_CASE_FIXTURE(
    fixture, "the first message starts session 1, arms the idle timer and is accepted as seq 1") {
  auto t0 = ctx.now;
  SB_REQUIRE_OK(say("你好，在吗？", "w-1"));

  CHECK(conv.state().session == 1);
  CHECK(conv.state().status == "bot");
  CHECK(conv.state().started_at_ms == t0);
  CHECK(conv.state().last_message_at_ms == t0);
  CHECK(conv.state().message_count == 1);

  auto events = ctx.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].event == schemas::topics::conversation_started);
  CHECK(events[0].conversation_id == "web:v-1001#1");
  CHECK(events[0].channel == "web");
  CHECK(events[0].person == "v-1001");
  CHECK(events[0].at_ms == t0);
  CHECK(events[0].reason.empty());

  REQUIRE(ctx.armed.size() == 1);
  CHECK(ctx.armed[0].name == "session_idle");
  CHECK(ctx.armed[0].due_ms == t0 + 30 * minute);
  CHECK(ctx.cancelled.empty());

  // The person's user actor is asked once for a profile summary (sent back to this conversation),
  // then told of the contact; nothing else is sent.
  auto commands = ctx.sent_of<schemas::user_command>();
  REQUIRE(commands.size() == 2);
  CHECK(ctx.sent.size() == 2);
  CHECK(commands[0].to == schemas::address{"user", "web:v-1001"});
  CHECK(commands[0].message.action == "summary");
  CHECK(commands[0].message.into == "web:v-1001");
  CHECK(commands[1].to == schemas::address{"user", "web:v-1001"});
  CHECK(commands[1].message.action == "contact");
  CHECK(commands[1].message.channel == "web");
  CHECK(commands[1].message.at_ms == t0);
  CHECK_FALSE(commands[1].message.price_objection);
  CHECK(conv.state().user_key == "web:v-1001");
  CHECK_FALSE(conv.state().profile_known);

  REQUIRE(ctx.replies.size() == 1);
  auto ok = ctx.last_reply();
  CHECK(ok.conversation_id == "web:v-1001#1");
  CHECK(ok.seq == 1);
  CHECK(ok.session_started);
  CHECK_FALSE(ok.duplicate);
  CHECK(ok.status == "bot");
  CHECK(ok.replies.empty());  // no bot: the message is only recorded

  REQUIRE(conv.state().transcript.size() == 1);
  const auto& line = conv.state().transcript[0];
  CHECK(line.seq == 1);
  CHECK(line.from == "person");
  CHECK(line.text == "你好，在吗？");
  CHECK(line.at_ms == t0);
}

TEST_CASE_FIXTURE(fixture, "each further message re-arms the idle timer and takes the next seq") {
  SB_REQUIRE_OK(say("one", "w-1"));
  ctx.clear();
  ctx.now += 5 * minute;
  SB_REQUIRE_OK(say("two", "w-2"));
  ctx.now += 7 * minute;
  SB_REQUIRE_OK(say("three"));  // no channel id: never taken for a retry

  CHECK(ctx.published.empty());  // the session was already open
  // No second summary request: each message only tells the user actor of the contact.
  auto commands = ctx.sent_of<schemas::user_command>();
  REQUIRE(commands.size() == 2);
  CHECK(ctx.sent.size() == 2);
  for (const auto& c : commands) {
    CHECK(c.to == schemas::address{"user", "web:v-1001"});
    CHECK(c.message.action == "contact");
  }
  CHECK(commands[0].message.at_ms == ctx.now - 7 * minute);
  CHECK(commands[1].message.at_ms == ctx.now);
  REQUIRE(ctx.armed.size() == 2);
  CHECK(ctx.armed[0].name == "session_idle");
  CHECK(ctx.armed[0].due_ms == ctx.now - 7 * minute + 30 * minute);
  CHECK(ctx.armed[1].name == "session_idle");
  CHECK(ctx.armed[1].due_ms == ctx.now + 30 * minute);

  REQUIRE(ctx.replies.size() == 2);
  auto two = SB_REQUIRE_OK(open_envelope<schemas::chat_accepted>(ctx.replies[0]));
  auto three = SB_REQUIRE_OK(open_envelope<schemas::chat_accepted>(ctx.replies[1]));
  CHECK(two.seq == 2);
  CHECK(three.seq == 3);
  CHECK_FALSE(two.session_started);
  CHECK_FALSE(three.session_started);
  CHECK(three.conversation_id == "web:v-1001#1");
  CHECK(conv.state().message_count == 3);
  CHECK(conv.state().last_message_at_ms == ctx.now);
  CHECK(conv.state().session == 1);
}

TEST_CASE_FIXTURE(fixture,
                  "a repeated channel message id is answered as a duplicate and adds no line") {
  SB_REQUIRE_OK(say("我想买一款降噪耳机", "wx-9001"));
  ctx.clear();
  ctx.now += 2000;
  SB_REQUIRE_OK(say("我想买一款降噪耳机", "wx-9001"));

  auto dup = ctx.last_reply();
  CHECK(dup.duplicate);
  CHECK(dup.conversation_id == "web:v-1001#1");
  CHECK_FALSE(dup.session_started);
  CHECK(ctx.armed.empty());  // a retry does not extend the session
  CHECK(ctx.published.empty());
  CHECK(ctx.sent.empty());  // nor is it a second contact
  CHECK(dup.replies.empty());
  CHECK(conv.state().transcript.size() == 1);
  CHECK(conv.state().message_count == 1);
  CHECK(conv.state().next_seq == 2);
  CHECK(conv.state().last_message_at_ms == ctx.now - 2000);

  // The next new message carries on with seq 2.
  SB_REQUIRE_OK(say("多少钱？", "wx-9002"));
  CHECK(ctx.last_reply().seq == 2);
  CHECK_FALSE(ctx.last_reply().duplicate);
}

TEST_CASE_FIXTURE(fixture, "only the latest channel message ids are remembered") {
  // remembered_client_ids is 4: after four newer ids, the first is forgotten and applied again.
  for (int i = 1; i <= 5; ++i) {
    SB_REQUIRE_OK(say("m" + std::to_string(i), "id-" + std::to_string(i)));
  }
  CHECK(conv.state().recent_client_msg_ids ==
        std::vector<std::string>{"id-2", "id-3", "id-4", "id-5"});
  SB_REQUIRE_OK(say("m2 again", "id-2"));
  CHECK(ctx.last_reply().duplicate);
  SB_REQUIRE_OK(say("m1 again", "id-1"));
  CHECK_FALSE(ctx.last_reply().duplicate);
  CHECK(ctx.last_reply().seq == 6);
}

TEST_CASE_FIXTURE(fixture, "messages without a channel id are never taken for retries") {
  SB_REQUIRE_OK(say("same"));
  SB_REQUIRE_OK(say("same"));
  CHECK_FALSE(ctx.last_reply().duplicate);
  CHECK(ctx.last_reply().seq == 2);
  CHECK(conv.state().recent_client_msg_ids.empty());
}

TEST_CASE_FIXTURE(fixture, "the transcript keeps the newest lines up to the limit") {
  for (int i = 1; i <= 5; ++i) {
    SB_REQUIRE_OK(say("line " + std::to_string(i), "id-" + std::to_string(i)));
  }
  CHECK(transcript_texts() == std::vector<std::string>{"line 3", "line 4", "line 5"});
  CHECK(conv.state().transcript.front().seq == 3);
  CHECK(conv.state().transcript.back().seq == 5);
  // The count and the sequence go on; only the kept lines are bounded.
  CHECK(conv.state().message_count == 5);
  CHECK(ctx.last_reply().seq == 5);
}

TEST_CASE_FIXTURE(fixture,
                  "the idle timer closes the session and publishes why and how many messages") {
  SB_REQUIRE_OK(say("one", "w-1"));
  SB_REQUIRE_OK(say("two", "w-2"));
  ctx.clear();
  ctx.now += 30 * minute;
  SB_REQUIRE_OK(fire_idle());

  CHECK(conv.state().status == "closed");
  auto events = ctx.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].event == schemas::topics::conversation_closed);
  CHECK(events[0].conversation_id == "web:v-1001#1");
  CHECK(events[0].reason == "idle_timeout");
  CHECK(events[0].message_count == 2);
  CHECK(events[0].at_ms == ctx.now);
  CHECK(events[0].channel == "web");
  CHECK(events[0].person == "v-1001");
  CHECK(ctx.replies.empty());
  CHECK(ctx.armed.empty());
  // The transcript stays readable after the close.
  CHECK(conv.state().transcript.size() == 2);
}

TEST_CASE_FIXTURE(fixture, "an idle timer firing for a session already closed does nothing") {
  SB_REQUIRE_OK(say("one", "w-1"));
  SB_REQUIRE_OK(fire_idle(1));
  auto closed = conv.snapshot();
  ctx.clear();
  SB_REQUIRE_OK(fire_idle(2));
  CHECK(ctx.published.empty());
  CHECK(ctx.armed.empty());
  CHECK(conv.snapshot() == closed);
}

TEST_CASE_FIXTURE(fixture, "an idle timer firing before any message does nothing") {
  SB_REQUIRE_OK(fire_idle());
  CHECK(ctx.published.empty());
  CHECK(conv.state().session == 0);
  CHECK(conv.state().status == "closed");
}

TEST_CASE_FIXTURE(fixture, "a timer of another name leaves an open session alone") {
  SB_REQUIRE_OK(say("one", "w-1"));
  ctx.clear();
  schemas::timer_fired t;
  t.name = "coupon_expiry";
  t.generation = 9;
  SB_REQUIRE_OK(conv.on_timer(t, ctx));
  CHECK(conv.state().status == "bot");
  CHECK(ctx.published.empty());
}

TEST_CASE_FIXTURE(fixture,
                  "the next message after a close opens session 2 with seq starting at 1") {
  SB_REQUIRE_OK(say("one", "w-1"));
  SB_REQUIRE_OK(say("two", "w-2"));
  ctx.now += 30 * minute;
  SB_REQUIRE_OK(fire_idle());
  ctx.clear();
  ctx.now += 10 * minute;
  SB_REQUIRE_OK(say("back again", "w-3"));

  auto ok = ctx.last_reply();
  CHECK(ok.conversation_id == "web:v-1001#2");
  CHECK(ok.seq == 1);
  CHECK(ok.session_started);
  auto events = ctx.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].event == schemas::topics::conversation_started);
  CHECK(events[0].conversation_id == "web:v-1001#2");
  CHECK(events[0].message_count == 0);  // published before the first message is counted
  REQUIRE(ctx.armed.size() == 1);
  CHECK(ctx.armed[0].due_ms == ctx.now + 30 * minute);
  // The user actor is already known (and keeps sending summaries): only the contact goes out.
  auto commands = ctx.sent_of<schemas::user_command>();
  REQUIRE(commands.size() == 1);
  CHECK(commands[0].message.action == "contact");
  CHECK(conv.state().user_key == "web:v-1001");

  CHECK(conv.state().session == 2);
  CHECK(conv.state().status == "bot");
  CHECK(conv.state().message_count == 1);
  CHECK(conv.state().started_at_ms == ctx.now);
  CHECK(transcript_texts() == std::vector<std::string>{"back again"});
  CHECK(conv.state().transcript[0].seq == 1);
}

TEST_CASE_FIXTURE(fixture, "a snapshot restores into a fresh conversation with everything in it") {
  SB_REQUIRE_OK(say("one", "w-1"));
  ctx.now += minute;
  SB_REQUIRE_OK(say("二", "w-2"));
  ctx.now += 30 * minute;
  SB_REQUIRE_OK(fire_idle());
  ctx.now += minute;
  SB_REQUIRE_OK(say("three", "w-3"));
  ctx.now += minute;
  SB_REQUIRE_OK(say("four", "w-4"));

  auto bytes = conv.snapshot();
  conversation copy{addr, settings};
  SB_REQUIRE_OK(copy.restore(bytes));
  const auto& a = conv.state();
  const auto& b = copy.state();
  CHECK(b.session == 2);
  CHECK(b.session == a.session);
  CHECK(b.status == a.status);
  CHECK(b.next_seq == a.next_seq);
  CHECK(b.message_count == a.message_count);
  CHECK(b.started_at_ms == a.started_at_ms);
  CHECK(b.last_message_at_ms == a.last_message_at_ms);
  CHECK(b.recent_client_msg_ids == a.recent_client_msg_ids);
  CHECK(b.user_key == a.user_key);
  CHECK(b.user_key == "web:v-1001");
  REQUIRE(b.transcript.size() == a.transcript.size());
  for (size_t i = 0; i < a.transcript.size(); ++i) {
    CHECK(b.transcript[i].seq == a.transcript[i].seq);
    CHECK(b.transcript[i].from == a.transcript[i].from);
    CHECK(b.transcript[i].text == a.transcript[i].text);
    CHECK(b.transcript[i].at_ms == a.transcript[i].at_ms);
  }
  CHECK(copy.snapshot() == bytes);
  CHECK(copy.status_json() == conv.status_json());

  // The restored one behaves as the original would: retries recognised, seq continues.
  recording_context other{addr};
  other.now = ctx.now;
  schemas::chat_message retry;
  retry.text = "four";
  retry.client_msg_id = "w-4";
  SB_REQUIRE_OK(copy.handle(make_envelope(addr, retry), other));
  CHECK(other.last_reply().duplicate);
  schemas::chat_message next;
  next.text = "five";
  next.client_msg_id = "w-5";
  SB_REQUIRE_OK(copy.handle(make_envelope(addr, next), other));
  CHECK(other.last_reply().seq == 3);
  CHECK(other.last_reply().conversation_id == "web:v-1001#2");
  // It remembers that its user actor was asked already.
  auto commands = other.sent_of<schemas::user_command>();
  REQUIRE(commands.size() == 1);
  CHECK(commands[0].message.action == "contact");
}

TEST_CASE_FIXTURE(fixture, "restoring nothing resets to a new conversation") {
  SB_REQUIRE_OK(say("one", "w-1"));
  SB_REQUIRE_OK(conv.restore(std::nullopt));
  CHECK(conv.state().session == 0);
  CHECK(conv.state().status == "closed");
  CHECK(conv.state().transcript.empty());
  CHECK(conv.state().recent_client_msg_ids.empty());
  CHECK(conv.state().user_key.empty());
}

TEST_CASE_FIXTURE(fixture, "restoring garbage bytes is an error and keeps the state") {
  SB_REQUIRE_OK(say("one", "w-1"));
  auto before = conv.snapshot();
  for (const std::string& garbage : {std::string{"\xc1\xc1\xc1", 3}, std::string{"not msgpack"},
                                     std::string{}, before.substr(0, before.size() / 2)}) {
    CAPTURE(garbage.size());
    auto r = conv.restore(garbage);
    REQUIRE_FALSE(r.ok());
    auto code = r.err().code;
    CHECK((code == errc::decode_malformed || code == errc::decode_truncated));
    CHECK(conv.snapshot() == before);
  }
}

TEST_CASE_FIXTURE(fixture, "restoring the bytes of another message type is an error") {
  schemas::chat_message msg;
  msg.text = "hello";
  auto r = conv.restore(encode(msg));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_wrong_type);
}

TEST_CASE_FIXTURE(fixture, "a message of a type it does not handle is refused as unexpected") {
  schemas::conversation_event ev;
  ev.event = "conversation.closed";
  auto r = conv.handle(make_envelope(addr, ev), ctx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::unexpected_type);
  CHECK(r.err().message.find("conversation.event") != std::string::npos);
  CHECK(ctx.replies.empty());
  CHECK(ctx.published.empty());
  CHECK(ctx.armed.empty());
  CHECK(ctx.sent.empty());
  CHECK(conv.state().session == 0);
}

TEST_CASE_FIXTURE(fixture,
                  "a chat message whose payload does not decode is an error, not a message") {
  auto env = make_envelope(addr, schemas::chat_message{});
  env.payload.data = "\xc1";
  auto r = conv.handle(env, ctx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
  CHECK(conv.state().session == 0);
  CHECK(ctx.replies.empty());
}

TEST_CASE_FIXTURE(fixture, "the status is a JSON object with the session's figures") {
  ctx.now = 1'700'000'000'000;
  SB_REQUIRE_OK(say("one", "w-1"));
  ctx.now += minute;
  SB_REQUIRE_OK(say("two", "w-2"));

  auto j = nlohmann::json::parse(conv.status_json(), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  REQUIRE(j.is_object());
  CHECK(j.at("conversation_id").get<std::string>() == "web:v-1001#1");
  CHECK(j.at("status").get<std::string>() == "bot");
  CHECK(j.at("session").get<int64_t>() == 1);
  CHECK(j.at("message_count").get<int64_t>() == 2);
  CHECK(j.at("started_at_ms").get<int64_t>() == 1'700'000'000'000);
  CHECK(j.at("last_message_at_ms").get<int64_t>() == 1'700'000'000'000 + minute);
  CHECK(j.at("transcript_lines").get<int64_t>() == 2);

  SB_REQUIRE_OK(fire_idle());
  j = nlohmann::json::parse(conv.status_json());
  CHECK(j.at("status").get<std::string>() == "closed");
}

TEST_CASE("a key without a channel separator publishes the whole key as the channel") {
  schemas::address addr{schemas::kinds::conversation, "lonely"};
  conversation conv{addr, conversation_settings{}};
  REQUIRE(conv.restore(std::nullopt).ok());
  recording_context ctx{addr};
  schemas::chat_message msg;
  msg.text = "hi";
  SB_REQUIRE_OK(conv.handle(make_envelope(addr, msg), ctx));
  auto events = ctx.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].conversation_id == "lonely#1");
  CHECK(events[0].channel == "lonely");
  CHECK(events[0].person.empty());
  auto commands = ctx.sent_of<schemas::user_command>();
  REQUIRE(commands.size() == 2);
  CHECK(commands[0].to == schemas::address{"user", "lonely"});
  CHECK(commands[0].message.into == "lonely");
  CHECK(commands[1].message.channel == "lonely");
}

// -- with the shipped bot -------------------------------------------------------------------------

namespace {

// A conversation answered by the shipped bot (config/*.yaml, loaded once per test binary).
struct bot_fixture {
  schemas::address addr{schemas::kinds::conversation, "app:u-42"};
  conversation_settings settings = [] {
    conversation_settings s;
    s.session_idle_ms = 30 * minute;
    s.bot = test::shipped_bot();
    return s;
  }();
  conversation conv{addr, settings};
  recording_context ctx{addr};

  bot_fixture() { REQUIRE(conv.restore(std::nullopt).ok()); }

  result<void> say(const std::string& text, const std::string& client_msg_id = "") {
    schemas::chat_message msg;
    msg.channel = "app";
    msg.person = "u-42";
    msg.text = text;
    msg.client_msg_id = client_msg_id;
    msg.sent_at_ms = ctx.now;
    return conv.handle(make_envelope(addr, msg, ctx.now), ctx);
  }

  // Says `text` and returns the conversation's answer.
  schemas::chat_accepted answer(const std::string& text, const std::string& client_msg_id = "") {
    SB_REQUIRE_OK(say(text, client_msg_id));
    return ctx.last_reply();
  }

  template <class M>
  result<void> deliver(const M& msg) {
    return conv.handle(make_envelope(addr, msg, ctx.now), ctx);
  }

  result<void> control(const std::string& action, const std::string& agent_id = "",
                       const std::string& reason = "") {
    schemas::conversation_control c;
    c.action = action;
    c.agent_id = agent_id;
    c.reason = reason;
    return deliver(c);
  }

  result<void> agent_says(const std::string& agent_id, const std::string& text) {
    return deliver(schemas::agent_message{agent_id, text});
  }

  // Returns the line the shipped scripts say for `key`.
  static std::string script(const std::string& key,
                            const std::map<std::string, std::string>& values = {}) {
    return test::shipped_bot()->scripts.render(key, values);
  }

  // Returns the outbound messages published, in order.
  std::vector<schemas::outbound_event> outbound() {
    return ctx.published_on<schemas::outbound_event>(schemas::topics::conversation_outbound);
  }

  // Asks for a human and checks that it worked; the recorded calls are cleared afterwards.
  void hand_off() {
    auto ok = answer("转人工", "a-human");
    REQUIRE(ok.status == "waiting_for_agent");
    ctx.clear();
  }
};

std::vector<std::string> skus_of(const std::vector<schemas::product_card>& cards) {
  std::vector<std::string> out;
  for (const auto& c : cards) {
    out.push_back(c.sku);
  }
  return out;
}

}  // namespace

TEST_CASE_FIXTURE(bot_fixture,
                  "the bot answers a product inquiry with products and publishes what it showed") {
  auto ok = answer("我想买一款降噪耳机", "a-1");
  CHECK(ok.status == "bot");
  REQUIRE(ok.replies.size() == 1);
  const auto& r = ok.replies[0];
  CHECK(r.from == "bot");
  CHECK(r.seq == 2);  // the person's message is seq 1
  CHECK(r.at_ms == ctx.now);
  REQUIRE_FALSE(r.products.empty());
  CHECK(r.text.rfind(script("recommend", {{"names", ""}}), 0) == 0);

  // The reply is in the transcript with its cards, and the person's line carries the intent.
  REQUIRE(conv.state().transcript.size() == 2);
  CHECK(conv.state().transcript[0].intent == "product_inquiry");
  CHECK(conv.state().transcript[1].text == r.text);
  CHECK(conv.state().transcript[1].skus == skus_of(r.products));
  CHECK(conv.state().recommended_skus == skus_of(r.products));
  CHECK(conv.state().last_intent == "product_inquiry");
  CHECK(conv.state().signals.product_inquiries == 1);
  CHECK(conv.state().signals.unresolved_turns == 0);

  CHECK(ctx.topics() == std::vector<std::string>{schemas::topics::conversation_started,
                                                 schemas::topics::conversation_message,
                                                 schemas::topics::product_inquiry,
                                                 schemas::topics::recommendation_shown});
  auto events = ctx.events();
  REQUIRE(events.size() == 4);
  // The message itself: intent, products and topic words, never its text.
  CHECK(events[1].intent == "product_inquiry");
  CHECK(events[1].skus == skus_of(r.products));
  CHECK(std::find(events[1].keywords.begin(), events[1].keywords.end(), "降噪耳机") !=
        events[1].keywords.end());
  CHECK(events[2].intent == "product_inquiry");
  CHECK(events[2].skus == skus_of(r.products));
  CHECK(events[2].user == "app:u-42");
  CHECK(events[3].skus == skus_of(r.products));
  CHECK(events[3].conversation_id == "app:u-42#1");
  CHECK(events[3].message_count == 1);
  CHECK(outbound().empty());  // the answer goes back in the reply, not as a later message
}

TEST_CASE_FIXTURE(
    bot_fixture,
    "a price objection is answered with other products and reported to the user actor") {
  auto first = answer("我想买一款降噪耳机", "a-1");
  REQUIRE_FALSE(first.replies.empty());
  ctx.clear();
  auto ok = answer("太贵了，有没有便宜一点的", "a-2");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text.rfind(script("price_objection", {{"names", ""}}), 0) == 0);
  REQUIRE_FALSE(ok.replies[0].products.empty());
  for (const auto& sku : skus_of(ok.replies[0].products)) {
    CAPTURE(sku);
    auto before = skus_of(first.replies[0].products);
    CHECK(std::find(before.begin(), before.end(), sku) == before.end());
  }
  CHECK(conv.state().signals.price_objections == 1);
  CHECK(conv.state().recommended_skus.size() ==
        first.replies[0].products.size() + ok.replies[0].products.size());

  auto commands = ctx.sent_of<schemas::user_command>();
  REQUIRE(commands.size() == 1);
  CHECK(commands[0].message.action == "contact");
  CHECK(commands[0].message.price_objection);
}

TEST_CASE_FIXTURE(
    bot_fixture,
    "asking for a human enqueues the conversation at the agent pool and publishes the request") {
  SB_REQUIRE_OK(say("我的订单到哪了", "a-1"));
  ctx.clear();
  ctx.now += minute;
  auto ok = answer("转人工", "a-2");

  CHECK(ok.status == "waiting_for_agent");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text == script("handoff"));
  CHECK(conv.state().status == "waiting_for_agent");
  CHECK(conv.state().handoff_reason == "asked_for_human");
  CHECK(conv.state().handoff_requested_at_ms == ctx.now);

  auto pool = ctx.sent_of<schemas::pool_command>();
  REQUIRE(pool.size() == 1);
  CHECK(pool[0].to == schemas::address{"agent_pool", "default"});
  CHECK(pool[0].message.action == "enqueue");
  CHECK(pool[0].message.conversation_id == "app:u-42#1");
  CHECK(pool[0].message.tier == "regular");  // no profile summary yet
  CHECK(pool[0].message.reason.empty());
  CHECK(pool[0].message.at_ms == ctx.now);

  auto requested =
      ctx.published_on<schemas::conversation_event>(schemas::topics::handoff_requested);
  REQUIRE(requested.size() == 1);
  CHECK(requested[0].reason == "asked_for_human");
  CHECK(requested[0].conversation_id == "app:u-42#1");
  CHECK(requested[0].priority == handoff_priority("regular", ""));
  CHECK(requested[0].message_count == 2);
  CHECK(requested[0].intent == "ask_human");

  // While it waits, the bot only says that an agent is coming, and nothing is enqueued again.
  ctx.clear();
  ok = answer("我想买一款降噪耳机", "a-3");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text == script("waiting_for_agent"));
  CHECK(ok.replies[0].products.empty());
  CHECK(ok.status == "waiting_for_agent");
  CHECK(ctx.sent_of<schemas::pool_command>().empty());
  CHECK(ctx.published_on<schemas::conversation_event>(schemas::topics::handoff_requested).empty());
}

TEST_CASE_FIXTURE(bot_fixture,
                  "an accepting agent gets the whole context and the bot falls silent") {
  SB_REQUIRE_OK(say("我的手机号是13812345678，订单到哪了？", "a-1"));
  auto requested_at = ctx.now;
  hand_off();
  ctx.now += 45'000;
  SB_REQUIRE_OK(control("accept", "li"));

  auto context = ctx.last_reply_as<schemas::handoff_context>();
  CHECK(context.conversation_id == "app:u-42#1");
  CHECK(context.channel == "app");
  CHECK(context.person == "u-42");
  CHECK(context.status == "with_agent");
  CHECK(context.agent_id == "li");
  CHECK(context.reason == "asked_for_human");
  CHECK(context.waited_ms == ctx.now - requested_at);
  REQUIRE(context.transcript.size() == 5);  // two messages, two answers, the agent's arrival
  CHECK(context.transcript[0].text == "我的手机号是138****5678，订单到哪了？");
  CHECK(context.transcript[4].from == "system");
  CHECK(conv.state().status == "with_agent");
  CHECK(conv.state().agent_accepted_at_ms == ctx.now);

  // The person is told that the agent joined; the desk hears of the accept.
  auto out = outbound();
  REQUIRE(out.size() == 1);
  CHECK(out[0].message.from == "system");
  CHECK(out[0].message.text == script("agent_joined", {{"agent", "li"}}));
  CHECK(out[0].channel == "app");
  CHECK(out[0].person == "u-42");
  CHECK(out[0].conversation_id == "app:u-42#1");
  auto accepted = ctx.published_on<schemas::conversation_event>(schemas::topics::handoff_accepted);
  REQUIRE(accepted.size() == 1);
  CHECK(accepted[0].agent_id == "li");
  CHECK(accepted[0].reason == "asked_for_human");

  // Accepting again by the same agent answers the context again without a second event.
  ctx.clear();
  SB_REQUIRE_OK(control("accept", "li"));
  CHECK(ctx.last_reply_as<schemas::handoff_context>().agent_id == "li");
  CHECK(ctx.published.empty());

  // The person's messages are recorded, but the bot no longer answers them.
  ctx.clear();
  auto ok = answer("我想买一款降噪耳机", "a-3");
  CHECK(ok.replies.empty());
  CHECK(ok.status == "with_agent");
  CHECK(outbound().empty());
  CHECK(
      ctx.published_on<schemas::conversation_event>(schemas::topics::recommendation_shown).empty());
  CHECK(conv.state().transcript.back().from == "person");
  REQUIRE(ctx.sent_of<schemas::user_command>().size() == 1);  // still a contact
}

TEST_CASE_FIXTURE(
    bot_fixture,
    "an agent's message is relayed to the person's channel and times the first reply") {
  hand_off();
  SB_REQUIRE_OK(control("accept", "li"));
  ctx.clear();
  ctx.now += 20'000;
  auto first_reply_at = ctx.now;
  SB_REQUIRE_OK(agent_says("li", "您好，我是客服小李。请把 13812345678 以外的联系方式发我"));

  auto out = outbound();
  REQUIRE(out.size() == 1);
  CHECK(out[0].message.from == "agent:li");
  CHECK(out[0].message.text == "您好，我是客服小李。请把 138****5678 以外的联系方式发我");
  CHECK(out[0].message.at_ms == ctx.now);
  CHECK(out[0].conversation_id == "app:u-42#1");
  auto reply = ctx.last_reply_as<schemas::conversation_messages>();
  CHECK(reply.status == "with_agent");
  REQUIRE(reply.messages.size() == 1);
  CHECK(reply.messages[0].seq == out[0].message.seq);
  CHECK(conv.state().first_agent_reply_at_ms == first_reply_at);
  CHECK(conv.state().transcript.back().from == "agent:li");
  REQUIRE(ctx.armed.size() == 1);  // an agent's message keeps the session alive too
  CHECK(ctx.armed[0].due_ms == ctx.now + 30 * minute);

  // A later message does not move the time of the first reply.
  ctx.now += minute;
  SB_REQUIRE_OK(agent_says("li", "还在吗？"));
  CHECK(conv.state().first_agent_reply_at_ms == first_reply_at);
}

TEST_CASE_FIXTURE(
    bot_fixture,
    "a message or an accept from an agent who does not have the conversation is refused") {
  // Nobody has it yet.
  auto r = agent_says("li", "hello");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);

  hand_off();
  SB_REQUIRE_OK(control("accept", "li"));
  ctx.clear();
  auto lines = conv.state().transcript.size();

  r = agent_says("wang", "我来接手");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(r.err().message.find("wang") != std::string::npos);
  r = control("accept", "wang");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  r = control("accept", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);

  CHECK(ctx.published.empty());
  CHECK(ctx.replies.empty());
  CHECK(conv.state().agent_id == "li");
  CHECK(conv.state().transcript.size() == lines);
  CHECK(conv.state().first_agent_reply_at_ms == 0);
}

TEST_CASE_FIXTURE(bot_fixture, "closing gives the conversation back to the bot") {
  hand_off();
  SB_REQUIRE_OK(control("accept", "li"));
  SB_REQUIRE_OK(agent_says("li", "已为您处理"));
  ctx.clear();
  SB_REQUIRE_OK(control("close", "li"));

  CHECK(conv.state().status == "bot");
  CHECK(conv.state().agent_id.empty());
  CHECK(ctx.sent.empty());  // whoever closes the chat frees the agent's slot at the desk
  CHECK(ctx.last_reply_as<schemas::conversation_messages>().status == "bot");
  auto out = outbound();
  REQUIRE(out.size() == 1);
  CHECK(out[0].message.from == "system");
  CHECK(out[0].message.text == script("agent_left"));

  ctx.clear();
  auto ok = answer("谢谢，再见", "a-9");
  CHECK(ok.status == "bot");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text == script("thanks_bye"));

  // A later request for a human is a new handoff.
  ctx.clear();
  ok = answer("转人工", "a-10");
  CHECK(ok.status == "waiting_for_agent");
  CHECK(ctx.sent_of<schemas::pool_command>().size() == 1);
}

TEST_CASE_FIXTURE(bot_fixture,
                  "closing while nobody took the conversation yet withdraws it from the desk") {
  hand_off();
  SB_REQUIRE_OK(control("close"));
  CHECK(conv.state().status == "bot");
  CHECK(ctx.last_reply_as<schemas::conversation_messages>().status == "bot");
  auto pool = ctx.sent_of<schemas::pool_command>();
  REQUIRE(pool.size() == 1);
  CHECK(pool[0].to == schemas::address{"agent_pool", "default"});
  CHECK(pool[0].message.action == "cancel");
  CHECK(pool[0].message.conversation_id == "app:u-42#1");
  REQUIRE(outbound().size() == 1);
  CHECK(outbound()[0].message.text == script("agent_left"));
}

TEST_CASE_FIXTURE(bot_fixture, "closing a conversation the bot has sends nothing") {
  SB_REQUIRE_OK(say("你好", "a-1"));
  ctx.clear();
  SB_REQUIRE_OK(control("close"));
  CHECK(conv.state().status == "bot");
  CHECK(ctx.sent.empty());
  CHECK(ctx.published.empty());
}

TEST_CASE_FIXTURE(bot_fixture, "a retry of a channel message is answered with the same replies") {
  auto ok = answer("我想买一款降噪耳机", "wx-9001");
  REQUIRE(ok.replies.size() == 1);
  REQUIRE_FALSE(ok.replies[0].products.empty());
  ctx.clear();
  ctx.now += 5000;
  auto dup = answer("我想买一款降噪耳机", "wx-9001");

  CHECK(dup.duplicate);
  CHECK(dup.seq == ok.seq);
  CHECK(dup.status == "bot");
  REQUIRE(dup.replies.size() == ok.replies.size());
  const auto& a = ok.replies[0];
  const auto& b = dup.replies[0];
  CHECK(b.seq == a.seq);
  CHECK(b.from == a.from);
  CHECK(b.text == a.text);
  CHECK(b.at_ms == a.at_ms);  // the replies of then, not new ones
  REQUIRE(b.products.size() == a.products.size());
  for (size_t i = 0; i < a.products.size(); ++i) {
    CHECK(b.products[i].sku == a.products[i].sku);
    CHECK(b.products[i].name == a.products[i].name);
    CHECK(b.products[i].price == a.products[i].price);
    CHECK(b.products[i].currency == a.products[i].currency);
    CHECK(b.products[i].pitch == a.products[i].pitch);
  }
  CHECK(ctx.published.empty());
  CHECK(ctx.sent.empty());
  CHECK(conv.state().transcript.size() == 2);
  CHECK(conv.state().signals.product_inquiries == 1);

  // The retry of an earlier message gets that message's replies, not the latest ones.
  SB_REQUIRE_OK(say("你好", "wx-9002"));
  dup = answer("我想买一款降噪耳机", "wx-9001");
  CHECK(dup.duplicate);
  REQUIRE(dup.replies.size() == 1);
  CHECK(dup.replies[0].text == a.text);
}

TEST_CASE_FIXTURE(bot_fixture, "a phone number is masked before it is kept or published") {
  auto ok = answer("我的手机号是13812345678，订单到哪了？", "a-77");
  REQUIRE(conv.state().transcript.size() == 2);
  CHECK(conv.state().transcript[0].text == "我的手机号是138****5678，订单到哪了？");
  CHECK(conv.state().transcript[0].intent == "order_status");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text == script("order_status"));

  auto raw = std::string{"13812345678"};
  CHECK(conv.snapshot().find(raw) == std::string::npos);
  CHECK(conv.status_json().find(raw) == std::string::npos);
  for (const auto& env : ctx.sent) {
    CHECK(env.payload.data.find(raw) == std::string::npos);
  }
  for (const auto& [topic, env] : ctx.published) {
    CHECK(env.payload.data.find(raw) == std::string::npos);
  }
  // A poll of the transcript shows the masked line too.
  ctx.clear();
  SB_REQUIRE_OK(control("transcript"));
  auto lines = ctx.last_reply_as<schemas::conversation_messages>();
  REQUIRE(lines.messages.size() == 2);
  CHECK(lines.messages[0].text == "我的手机号是138****5678，订单到哪了？");
}

TEST_CASE_FIXTURE(bot_fixture, "profile summaries are kept and change how the bot hands off") {
  schemas::profile_summary gold;
  gold.user_key = "app:u-42";
  gold.tier = "gold";
  gold.order_count = 7;
  SB_REQUIRE_OK(deliver(gold));
  CHECK(conv.state().profile_known);
  CHECK(conv.state().profile.tier == "gold");
  CHECK(conv.state().profile.order_count == 7);
  CHECK(ctx.replies.empty());
  CHECK(ctx.published.empty());

  // A mild complaint from a gold member goes to a human, first in line among complaints.
  auto ok = answer("耳机有杂音", "a-1");
  CHECK(ok.status == "waiting_for_agent");
  REQUIRE(ok.replies.size() == 2);
  CHECK(ok.replies[0].text == script("complaint"));
  CHECK(ok.replies[1].text == script("handoff"));
  CHECK(conv.state().handoff_reason == "complaint_top_tier");
  auto pool = ctx.sent_of<schemas::pool_command>();
  REQUIRE(pool.size() == 1);
  CHECK(pool[0].message.tier == "gold");
  CHECK(pool[0].message.reason == "complaint");
  CHECK(pool[0].message.skill == "aftersales");
  auto requested =
      ctx.published_on<schemas::conversation_event>(schemas::topics::handoff_requested);
  REQUIRE(requested.size() == 1);
  CHECK(requested[0].tier == "gold");
  CHECK(requested[0].priority == handoff_priority("gold", "complaint"));

  // The summary survives a snapshot, and a new session keeps it.
  conversation copy{addr, settings};
  SB_REQUIRE_OK(copy.restore(conv.snapshot()));
  CHECK(copy.state().profile_known);
  CHECK(copy.state().profile.tier == "gold");
}

TEST_CASE_FIXTURE(bot_fixture, "the same mild complaint from a regular member stays with the bot") {
  schemas::profile_summary regular;
  regular.tier = "regular";
  SB_REQUIRE_OK(deliver(regular));
  auto ok = answer("耳机有杂音", "a-1");
  CHECK(ok.status == "bot");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text == script("complaint"));
  CHECK(ctx.sent_of<schemas::pool_command>().empty());
  CHECK(conv.state().signals.negative_messages == 1);
}

TEST_CASE_FIXTURE(bot_fixture,
                  "a profile summary that does not decode is an error and changes nothing") {
  auto env = make_envelope(addr, schemas::profile_summary{});
  env.payload.data = "\xc1";
  auto r = conv.handle(env, ctx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
  CHECK_FALSE(conv.state().profile_known);
}

TEST_CASE_FIXTURE(bot_fixture, "two messages the bot cannot answer offer a human, then hand off") {
  auto ok = answer("asdf qwer", "a-1");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text == script("offer_human"));
  CHECK(conv.state().signals.unresolved_turns == 1);
  CHECK(ok.status == "bot");

  ok = answer("zxcv uiop", "a-2");
  CHECK(ok.status == "waiting_for_agent");
  CHECK(conv.state().handoff_reason == "unresolved");
  REQUIRE(ctx.sent_of<schemas::pool_command>().size() == 1);
}

TEST_CASE_FIXTURE(bot_fixture, "an answered message resets the count of unanswered ones") {
  SB_REQUIRE_OK(say("asdf qwer", "a-1"));
  SB_REQUIRE_OK(say("你好", "a-2"));
  CHECK(conv.state().signals.unresolved_turns == 0);
  auto ok = answer("zxcv uiop", "a-3");
  CHECK(ok.status == "bot");
  REQUIRE(ok.replies.size() == 1);
  CHECK(ok.replies[0].text == script("offer_human"));
}

TEST_CASE_FIXTURE(bot_fixture, "a handoff control command asks for a human with its reason") {
  SB_REQUIRE_OK(say("你好", "a-1"));
  ctx.clear();
  schemas::conversation_control c;
  c.action = "handoff";
  c.reason = "high_churn_risk";
  SB_REQUIRE_OK(deliver(c));
  CHECK(ctx.last_reply_as<schemas::conversation_messages>().status == "waiting_for_agent");
  auto pool = ctx.sent_of<schemas::pool_command>();
  REQUIRE(pool.size() == 1);
  CHECK(pool[0].message.reason == "high_churn_risk");
  CHECK(conv.state().handoff_reason == "high_churn_risk");
}

TEST_CASE_FIXTURE(bot_fixture, "a poll returns the lines for the person after a sequence number") {
  SB_REQUIRE_OK(say("你好", "a-1"));
  SB_REQUIRE_OK(say("我想买一款降噪耳机", "a-2"));
  ctx.clear();
  schemas::conversation_control poll;
  poll.action = "poll";
  poll.after_seq = 2;
  SB_REQUIRE_OK(deliver(poll));
  auto msgs = ctx.last_reply_as<schemas::conversation_messages>();
  CHECK(msgs.conversation_id == "app:u-42#1");
  CHECK(msgs.status == "bot");
  REQUIRE(msgs.messages.size() == 1);  // seq 3 is the person's own message
  CHECK(msgs.messages[0].seq == 4);
  CHECK(msgs.messages[0].from == "bot");
  CHECK_FALSE(msgs.messages[0].products.empty());
  CHECK(ctx.published.empty());
}

TEST_CASE_FIXTURE(bot_fixture,
                  "a control command for another session or of an unknown action is refused") {
  SB_REQUIRE_OK(say("你好", "a-1"));
  ctx.clear();
  schemas::conversation_control c;
  c.action = "poll";
  c.session = 7;
  auto r = deliver(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::not_found);
  CHECK(r.err().message.find("app:u-42#1") != std::string::npos);

  r = control("dance");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(ctx.replies.empty());
}

TEST_CASE_FIXTURE(bot_fixture, "an accept after the session closed is refused") {
  SB_REQUIRE_OK(say("你好", "a-1"));
  schemas::timer_fired t;
  t.name = conversation::idle_timer;
  t.generation = 1;
  SB_REQUIRE_OK(conv.on_timer(t, ctx));
  auto r = control("accept", "li");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(conv.state().status == "closed");
}

TEST_CASE_FIXTURE(
    bot_fixture,
    "an idle session waiting for or with an agent is withdrawn from the desk when it closes") {
  schemas::timer_fired t;
  t.name = conversation::idle_timer;
  t.generation = 1;

  SUBCASE("waiting") {
    hand_off();
    SB_REQUIRE_OK(conv.on_timer(t, ctx));
    auto pool = ctx.sent_of<schemas::pool_command>();
    REQUIRE(pool.size() == 1);
    CHECK(pool[0].to == schemas::address{"agent_pool", "default"});
    CHECK(pool[0].message.action == "cancel");
    CHECK(pool[0].message.conversation_id == "app:u-42#1");
  }
  SUBCASE("with an agent") {
    hand_off();
    SB_REQUIRE_OK(control("accept", "li"));
    ctx.clear();
    SB_REQUIRE_OK(conv.on_timer(t, ctx));
    auto pool = ctx.sent_of<schemas::pool_command>();
    REQUIRE(pool.size() == 1);
    CHECK(pool[0].message.action == "close");
    CHECK(pool[0].message.conversation_id == "app:u-42#1");
  }
  CHECK(conv.state().status == "closed");
  auto closed = ctx.published_on<schemas::conversation_event>(schemas::topics::conversation_closed);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].reason == "idle_timeout");
}

TEST_CASE_FIXTURE(bot_fixture, "the status shows the bot's signals and the handoff") {
  SB_REQUIRE_OK(say("我想买一款降噪耳机", "a-1"));
  SB_REQUIRE_OK(say("转人工", "a-2"));
  auto j = nlohmann::json::parse(conv.status_json(), nullptr, false);
  REQUIRE(j.is_object());
  CHECK(j.at("status").get<std::string>() == "waiting_for_agent");
  CHECK(j.at("handoff_reason").get<std::string>() == "asked_for_human");
  CHECK(j.at("last_intent").get<std::string>() == "ask_human");
  CHECK(j.at("recommended_skus").size() == conv.state().recommended_skus.size());
  CHECK(j.at("signals").at("person_messages").get<int64_t>() == 2);
  CHECK(j.at("signals").at("product_inquiries").get<int64_t>() == 1);
}
