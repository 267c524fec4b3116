// The conversation behaviour driven directly through a recording actor_context: no actor system,
// time set by the test.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/conversation/conversation.hpp"
#include "runtime/actor_context.hpp"
#include "runtime/bus.hpp"
#include "runtime/codec.hpp"
#include "schemas/subjects.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

// Records everything the behaviour asks of the runtime; `now` is set by the test.
class recording_context final : public actor_context {
 public:
  struct armed_timer {
    std::string name;
    int64_t due_ms = 0;
    std::string payload;
  };

  explicit recording_context(schemas::address self) : self_(std::move(self)) {}

  [[nodiscard]] const schemas::address& self() const override { return self_; }
  [[nodiscard]] int64_t now_ms() const override { return now; }

  void send_envelope(schemas::envelope env) override { sent.push_back(std::move(env)); }
  void publish_envelope(std::string_view topic, schemas::envelope env) override {
    published.emplace_back(std::string{topic}, std::move(env));
  }
  void reply_envelope(schemas::envelope env) override { replies.push_back(std::move(env)); }

  result<void> arm_timer(std::string_view name, int64_t due_ms, std::string payload) override {
    armed.push_back({std::string{name}, due_ms, std::move(payload)});
    return {};
  }
  result<void> cancel_timer(std::string_view name) override {
    cancelled.emplace_back(name);
    return {};
  }
  void log(log_level, std::string_view message) override { logged.emplace_back(message); }

  // Returns the last reply as a chat_accepted (failing the test if there is none or it is not one).
  schemas::chat_accepted last_reply() {
    REQUIRE_FALSE(replies.empty());
    return SB_REQUIRE_OK(open_envelope<schemas::chat_accepted>(replies.back()));
  }

  // Returns the published events in order, decoded.
  std::vector<schemas::conversation_event> events() {
    std::vector<schemas::conversation_event> out;
    for (const auto& [topic, env] : published) {
      auto ev = SB_REQUIRE_OK(open_envelope<schemas::conversation_event>(env));
      CHECK(ev.event == topic);
      CHECK(env.to == self_);
      out.push_back(std::move(ev));
    }
    return out;
  }

  void clear() {
    sent.clear();
    published.clear();
    replies.clear();
    armed.clear();
    cancelled.clear();
  }

  int64_t now = 1'700'000'000'000;
  std::vector<schemas::envelope> sent;
  std::vector<std::pair<std::string, schemas::envelope>> published;
  std::vector<schemas::envelope> replies;
  std::vector<armed_timer> armed;
  std::vector<std::string> cancelled;
  std::vector<std::string> logged;

 private:
  schemas::address self_;
};

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

TEST_CASE_FIXTURE(fixture, "the first message starts session 1, arms the idle timer and is accepted as seq 1") {
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
  CHECK(ctx.sent.empty());

  REQUIRE(ctx.replies.size() == 1);
  auto ok = ctx.last_reply();
  CHECK(ok.conversation_id == "web:v-1001#1");
  CHECK(ok.seq == 1);
  CHECK(ok.session_started);
  CHECK_FALSE(ok.duplicate);

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

TEST_CASE_FIXTURE(fixture, "a repeated channel message id is answered as a duplicate and adds no line") {
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

TEST_CASE_FIXTURE(fixture, "the idle timer closes the session and publishes why and how many messages") {
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

TEST_CASE_FIXTURE(fixture, "the next message after a close opens session 2 with seq starting at 1") {
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
}

TEST_CASE_FIXTURE(fixture, "restoring nothing resets to a new conversation") {
  SB_REQUIRE_OK(say("one", "w-1"));
  SB_REQUIRE_OK(conv.restore(std::nullopt));
  CHECK(conv.state().session == 0);
  CHECK(conv.state().status == "closed");
  CHECK(conv.state().transcript.empty());
  CHECK(conv.state().recent_client_msg_ids.empty());
}

TEST_CASE_FIXTURE(fixture, "restoring garbage bytes is an error and keeps the state") {
  SB_REQUIRE_OK(say("one", "w-1"));
  auto before = conv.snapshot();
  for (const std::string& garbage :
       {std::string{"\xc1\xc1\xc1", 3}, std::string{"not msgpack"}, std::string{},
        before.substr(0, before.size() / 2)}) {
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
  CHECK(conv.state().session == 0);
}

TEST_CASE_FIXTURE(fixture, "a chat message whose payload does not decode is an error, not a message") {
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
}
