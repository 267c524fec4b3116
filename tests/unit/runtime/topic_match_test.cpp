// Subscription patterns against event topics, in NATS subject syntax.
#include <doctest/doctest.h>

#include "runtime/topic_match.hpp"

using sb::topic_matches;

TEST_CASE("a pattern without wildcards matches only the same topic") {
  CHECK(topic_matches("conversation.closed", "conversation.closed"));
  CHECK(topic_matches("a", "a"));
  CHECK_FALSE(topic_matches("conversation.closed", "conversation.started"));
  CHECK_FALSE(topic_matches("conversation.closed", "conversation.close"));
  CHECK_FALSE(topic_matches("conversation.close", "conversation.closed"));
  CHECK_FALSE(topic_matches("a", "b"));
  // Matching is case-sensitive.
  CHECK_FALSE(topic_matches("Conversation.closed", "conversation.closed"));
}

TEST_CASE("a topic with more or fewer tokens than the pattern does not match") {
  CHECK_FALSE(topic_matches("a.b", "a.b.c"));
  CHECK_FALSE(topic_matches("a.b.c", "a.b"));
  CHECK_FALSE(topic_matches("a", "a.b"));
  CHECK_FALSE(topic_matches("a.b", "a"));
  CHECK_FALSE(topic_matches("a.*", "a.b.c"));
  CHECK_FALSE(topic_matches("a.*", "a"));
}

TEST_CASE("a star matches exactly one token in any position") {
  CHECK(topic_matches("*", "conversation"));
  CHECK(topic_matches("conversation.*", "conversation.closed"));
  CHECK(topic_matches("*.closed", "conversation.closed"));
  CHECK(topic_matches("a.*.c", "a.b.c"));
  CHECK(topic_matches("*.*", "a.b"));
  CHECK_FALSE(topic_matches("*", "a.b"));
  CHECK_FALSE(topic_matches("*.closed", "conversation.started"));
  CHECK_FALSE(topic_matches("a.*.c", "a.b.d"));
  CHECK_FALSE(topic_matches("a.*.c", "a.c"));
}

TEST_CASE("a final greater-than matches one or more trailing tokens") {
  CHECK(topic_matches(">", "a"));
  CHECK(topic_matches(">", "a.b.c"));
  CHECK(topic_matches("conversation.>", "conversation.closed"));
  CHECK(topic_matches("conversation.>", "conversation.closed.by.agent"));
  CHECK(topic_matches("*.>", "a.b"));
  CHECK_FALSE(topic_matches("conversation.>", "conversation"));
  CHECK_FALSE(topic_matches("conversation.>", "campaign.sent"));
  CHECK_FALSE(topic_matches("*.>", "a"));
}

TEST_CASE("a greater-than before the last token is an ordinary token") {
  // Not a wildcard there: it matches only a literal '>' token.
  CHECK_FALSE(topic_matches("a.>.c", "a.b.c"));
  CHECK_FALSE(topic_matches(">.c", "a.c"));
  CHECK(topic_matches("a.>.c", "a.>.c"));
  CHECK(topic_matches(">.c", ">.c"));
  // Nor is a token that merely contains one.
  CHECK_FALSE(topic_matches("a.>b", "a.b"));
  CHECK_FALSE(topic_matches("a.b*", "a.bc"));
  CHECK(topic_matches("a.>b", "a.>b"));
}

TEST_CASE("an empty pattern or an empty topic matches nothing") {
  CHECK_FALSE(topic_matches("", ""));
  CHECK_FALSE(topic_matches("", "a"));
  CHECK_FALSE(topic_matches("a", ""));
  CHECK_FALSE(topic_matches(">", ""));
  CHECK_FALSE(topic_matches("*", ""));
}

TEST_CASE("empty tokens are compared like any other token") {
  // What the code does with malformed topics (NATS would refuse them as subjects): an empty token
  // between, before or after dots is a token of its own.
  CHECK(topic_matches("a..b", "a..b"));
  CHECK_FALSE(topic_matches("a..b", "a.b"));
  CHECK_FALSE(topic_matches("a.b", "a..b"));
  CHECK(topic_matches("a.", "a."));
  CHECK_FALSE(topic_matches("a.", "a"));
  CHECK_FALSE(topic_matches("a", "a."));
  CHECK(topic_matches(".a", ".a"));
  CHECK_FALSE(topic_matches(".a", "a"));
  // A star matches an empty token too ...
  CHECK(topic_matches("a.*.b", "a..b"));
  CHECK(topic_matches("a.*", "a."));
  CHECK(topic_matches("*.a", ".a"));
  // ... but a trailing greater-than needs its first token to be non-empty.
  CHECK_FALSE(topic_matches("a.>", "a."));
  CHECK_FALSE(topic_matches("a.>", "a..b"));
  CHECK_FALSE(topic_matches(">", ".a"));
  CHECK(topic_matches("a.>", "a.b."));
}
