// Loading demo scenarios: the shipped one, and bad files whose errors must say where.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "runtime/demo/scenario.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

struct fixture {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-scenario-test"));

  // Writes `text` to a scenario file and returns its path.
  std::string write(const std::string& text, const std::string& name = "scenario.yaml") {
    auto path = dir.file(name);
    std::ofstream{path} << text;
    return path;
  }

  // Loads `text` and returns the error it must give.
  error load_error(const std::string& text) {
    auto path = write(text);
    auto r = load_scenario(path);
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  // True if `message` starts with "<file>:<line>:<column>: ".
  bool says_where(const std::string& message, int line, int column) {
    auto prefix = dir.file("scenario.yaml") + ":" + std::to_string(line) + ":" +
                  std::to_string(column) + ": ";
    return message.rfind(prefix, 0) == 0;
  }
};

}  // namespace

TEST_CASE("the shipped demo scenario loads") {
  auto sc = SB_REQUIRE_OK(load_scenario(std::string{SB_SOURCE_DIR} + "/config/demo/scenario.yaml"));
  CHECK(sc.name == "Three shoppers, three channels, one engine");
  REQUIRE(sc.steps.size() == 14);

  CHECK(sc.steps[0].what == scenario_step::kind::note);
  CHECK(sc.steps[0].line == 8);

  const auto& first = sc.steps[1];
  CHECK(first.what == scenario_step::kind::say);
  CHECK(first.line == 9);
  CHECK(first.channel == "web");
  CHECK(first.person == "v-1001");
  CHECK(first.text == "你好，在吗？");
  CHECK(first.client_msg_id == "w-1");

  // The retry repeats the WeChat message id.
  CHECK(sc.steps[2].client_msg_id == "wx-9001");
  CHECK(sc.steps[5].client_msg_id == "wx-9001");
  CHECK(sc.steps[5].text == sc.steps[2].text);

  CHECK(sc.steps[7].what == scenario_step::kind::advance);
  CHECK(sc.steps[7].advance_ms == 6 * 60'000);
  CHECK(sc.steps[10].advance_ms == 31 * 60'000);
  CHECK(sc.steps[13].what == scenario_step::kind::advance);
  CHECK(sc.steps[13].advance_ms == 40 * 60'000);
  CHECK(sc.steps[13].line == 21);
}

TEST_CASE_FIXTURE(fixture, "a scenario of every step kind loads with its lines") {
  auto path = write(
      "name: Small\n"
      "steps:\n"
      "  - note: Hello there\n"
      "  - say:\n"
      "      channel: app\n"
      "      person: u-1\n"
      "      text: \"Hi | 你好 / #1\"\n"
      "  - advance: 1h30m\n");
  auto sc = SB_REQUIRE_OK(load_scenario(path));
  CHECK(sc.name == "Small");
  REQUIRE(sc.steps.size() == 3);
  CHECK(sc.steps[0].note == "Hello there");
  CHECK(sc.steps[0].line == 3);
  CHECK(sc.steps[1].what == scenario_step::kind::say);
  CHECK(sc.steps[1].line == 4);
  CHECK(sc.steps[1].text == "Hi | 你好 / #1");
  CHECK(sc.steps[1].client_msg_id.empty());  // the id is optional
  CHECK(sc.steps[2].advance_ms == 90 * 60'000);
  CHECK(sc.steps[2].line == 8);
}

TEST_CASE_FIXTURE(fixture, "an unknown step is an error at its line and column") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - note: fine\n"
      "  - shout: loud\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 4, 5), e.message);
  CHECK(e.message.find("shout") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "an unknown key inside say is an error at that key") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - say:\n"
      "      channel: web\n"
      "      person: p\n"
      "      text: hi\n"
      "      colour: red\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 7, 7), e.message);
  CHECK(e.message.find("say.colour") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a say without text is an error at the say") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - say:\n"
      "      channel: web\n"
      "      person: p\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 4, 7), e.message);
  CHECK(e.message.find("required") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a say field that is not text is an error at that field") {
  auto e = load_error(
      "steps:\n"
      "  - say: { channel: web, person: [a, b], text: hi }\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 34), e.message);
  CHECK(e.message.find("say.person") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a bad duration is an error at the value") {
  for (const std::string bad : {"30", "5 minutes", "-5m", "m5"}) {
    CAPTURE(bad);
    auto e = load_error(std::string{"steps:\n  - advance: "} + bad + "\n");
    CHECK(e.code == errc::config_bad_value);
    CHECK_MESSAGE(says_where(e.message, 2, 14), e.message);
    CHECK(e.message.find("advance") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(fixture, "a say that is not a map is an error at its value") {
  auto e = load_error(
      "steps:\n"
      "  - say: hello\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 10), e.message);
}

TEST_CASE_FIXTURE(fixture, "a step that is not a one-key map is an error at the step") {
  auto e = load_error(
      "steps:\n"
      "  - just text\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 5), e.message);

  e = load_error(
      "steps:\n"
      "  - { note: a, advance: 1m }\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 5), e.message);
}

TEST_CASE_FIXTURE(fixture, "an unknown top-level key or a wrongly typed one is an error where it is") {
  auto e = load_error(
      "name: x\n"
      "stpes:\n"
      "  - note: hi\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 1), e.message);
  CHECK(e.message.find("stpes") != std::string::npos);

  e = load_error(
      "name: x\n"
      "steps: 3\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 8), e.message);
}

TEST_CASE_FIXTURE(fixture, "a file that is not a map is an error naming the file") {
  for (const std::string text : {"- note: a\n- note: b\n", "just words\n", ""}) {
    CAPTURE(text);
    auto e = load_error(text);
    CHECK(e.code == errc::config_bad_value);
    CHECK(e.message.rfind(dir.file("scenario.yaml") + ":", 0) == 0);
  }
}

TEST_CASE_FIXTURE(fixture, "a scenario without steps is an error") {
  for (const std::string text : {"name: nothing to do\n", "name: x\nsteps: []\n"}) {
    CAPTURE(text);
    auto e = load_error(text);
    CHECK(e.code == errc::config_bad_value);
    CHECK(e.message.rfind(dir.file("scenario.yaml") + ":", 0) == 0);
    CHECK(e.message.find("no steps") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(fixture, "a missing file is an input error naming the file") {
  auto path = dir.file("missing.yaml");
  auto r = load_scenario(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
  CHECK(r.err().message.find(path) != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a YAML syntax error is reported with its line and column") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - note: a: b\n");
  CHECK(e.code == errc::config_syntax);
  CHECK_MESSAGE(says_where(e.message, 3, 12), e.message);
}

TEST_CASE_FIXTURE(fixture, "a key that is not text is an error, not an exception") {
  struct bad_key {
    std::string text;
    int line;
    int column;
  };
  for (const auto& c : {bad_key{"steps:\n  - say: { [a]: b }\n", 2, 12},
                        bad_key{"steps:\n  - { [say]: x }\n", 2, 7},
                        bad_key{"? [name]\n: x\nsteps:\n  - note: a\n", 1, 3}}) {
    CAPTURE(c.text);
    auto path = write(c.text);
    result<scenario> r = error{};
    CHECK_NOTHROW(r = load_scenario(path));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::config_bad_value);
    CHECK_MESSAGE(says_where(r.err().message, c.line, c.column), r.err().message);
    CHECK(r.err().message.find("a key must be text") != std::string::npos);
  }
}
