// The bot's reply scripts: loading config/replies.yaml and files with mistakes, and filling in
// placeholders.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "actors/conversation/reply_scripts.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

// Every key with a simple line, as YAML, leaving out `skip`.
std::string all_keys_but(const std::string& skip = "") {
  std::string text;
  for (const auto& k : reply_scripts::keys()) {
    if (k != skip) {
      text += k + ": line of " + k + "\n";
    }
  }
  return text;
}

struct fixture {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-replies-test"));

  std::string write(const std::string& text) {
    auto path = dir.file("replies.yaml");
    std::ofstream{path} << text;
    return path;
  }

  error load_error(const std::string& text) {
    auto r = reply_scripts::load(write(text));
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  bool says_where(const std::string& message, int line, int column) {
    auto prefix =
        dir.file("replies.yaml") + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
    return message.rfind(prefix, 0) == 0;
  }
};

}  // namespace

TEST_CASE("the shipped scripts load and say something in every situation") {
  auto s = SB_REQUIRE_OK(reply_scripts::load("config/replies.yaml"));
  for (const auto& k : reply_scripts::keys()) {
    CAPTURE(k);
    CHECK_FALSE(s.render(k).empty());
  }
  CHECK(s.render("agent_joined", {{"agent", "li"}}) == "客服li为您服务。");
  CHECK(s.render("faq", {{"answer", "Yes."}}) == "Yes.");
}

TEST_CASE_FIXTURE(fixture, "a file with every key loads") {
  auto s = SB_REQUIRE_OK(reply_scripts::load(write(all_keys_but())));
  CHECK(s.render("greeting") == "line of greeting");
  CHECK(s.render("agent_left") == "line of agent_left");
}

TEST_CASE_FIXTURE(fixture, "a missing key is an error naming the key") {
  for (const auto& k : reply_scripts::keys()) {
    CAPTURE(k);
    auto e = load_error(all_keys_but(k));
    CHECK(e.code == errc::config_bad_value);
    CHECK(e.message.rfind(dir.file("replies.yaml") + ": ", 0) == 0);
    CHECK(e.message.find("missing key '" + k + "'") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(fixture, "an unknown key is an error at its line and column") {
  auto e = load_error("greeting: hi\n  \nfarewell: bye\n" + all_keys_but("greeting"));
  CHECK(e.code == errc::config_unknown_key);
  CHECK_MESSAGE(says_where(e.message, 3, 1), e.message);
  CHECK(e.message.find("farewell: unknown key") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a line that is not text is an error at its key") {
  auto e = load_error(all_keys_but("handoff") + "handoff:\n  - one\n  - two\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, static_cast<int>(reply_scripts::keys().size()), 1),
                e.message);
  CHECK(e.message.find("handoff") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture,
                  "a file that is not a map, not YAML or not there is an error naming it") {
  auto e = load_error("- greeting\n- recommend\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK(e.message.rfind(dir.file("replies.yaml") + ":", 0) == 0);

  e = load_error("greeting: [unclosed\n");
  CHECK(e.code == errc::config_syntax);
  CHECK(e.message.rfind(dir.file("replies.yaml") + ":", 0) == 0);

  auto missing = dir.file("missing.yaml");
  auto r = reply_scripts::load(missing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
  CHECK(r.err().message.find(missing) != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "render fills in every placeholder, however often it occurs") {
  auto s = SB_REQUIRE_OK(reply_scripts::load(write(
      all_keys_but("recommend") + "recommend: \"{names} — {names}! ({count}) {unknown}\"\n")));
  CHECK(s.render("recommend", {{"names", "A、B"}, {"count", "2"}}) == "A、B — A、B! (2) {unknown}");
  // A value that contains its own placeholder is put in once, not expanded again.
  CHECK(s.render("recommend", {{"names", "{names}"}, {"count", ""}}) ==
        "{names} — {names}! () {unknown}");
  // Without values the placeholders stay as written.
  CHECK(s.render("recommend") == "{names} — {names}! ({count}) {unknown}");
}

TEST_CASE_FIXTURE(fixture, "render of a key the scripts do not have is empty") {
  auto s = SB_REQUIRE_OK(reply_scripts::load(write(all_keys_but())));
  CHECK(s.render("no_such_situation").empty());
  CHECK(s.render("no_such_situation", {{"names", "x"}}).empty());
}
