#include <doctest/doctest.h>

#include <chrono>

#include "runtime/internal/redis_connection.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace std::chrono_literals;
using sb::internal::redis_connection;
using sb::internal::redis_reply;
using sb::test::code_of;

sb::test::redis_server start_server() {
  return SB_REQUIRE_OK(sb::test::redis_server::start());
}

}  // namespace

TEST_CASE("a redis connection converts replies into plain values") {
  auto server = start_server();
  auto conn = SB_REQUIRE_OK(redis_connection::connect(server.settings()));

  auto status = SB_REQUIRE_OK(conn.command({"SET", "k", "v"}));
  CHECK(status.kind == redis_reply::type::status);
  CHECK(status.str == "OK");
  auto nil = SB_REQUIRE_OK(conn.command({"GET", "missing"}));
  CHECK(nil.kind == redis_reply::type::nil);
  auto count = SB_REQUIRE_OK(conn.command({"RPUSH", "list", "a", "b"}));
  CHECK(count.kind == redis_reply::type::integer);
  CHECK(count.integer == 2);
  auto list = SB_REQUIRE_OK(conn.command({"LRANGE", "list", "0", "-1"}));
  REQUIRE(list.kind == redis_reply::type::array);
  REQUIRE(list.elements.size() == 2);
  CHECK(list.elements[1].str == "b");
}

TEST_CASE("an error reply becomes store_protocol and leaves the connection usable") {
  auto server = start_server();
  auto conn = SB_REQUIRE_OK(redis_connection::connect(server.settings()));

  auto unknown = conn.command({"EVALSHA", "0000000000000000000000000000000000000000", "0"});
  REQUIRE(code_of(unknown) == sb::errc::store_protocol);
  CHECK(sb::internal::is_error_reply(unknown.err(), "NOSCRIPT"));
  CHECK_FALSE(sb::internal::is_error_reply(unknown.err(), "NOSCRIPTX"));
  CHECK_FALSE(sb::internal::is_error_reply(unknown.err(), "WRONGTYPE"));
  CHECK(conn.is_connected());
  CHECK(SB_REQUIRE_OK(conn.command({"PING"})).str == "PONG");
}

TEST_CASE("a redis call that outlives the timeout fails, also after the reconnect") {
  auto server = start_server();
  auto settings = server.settings();
  settings.timeout_ms = 200;
  auto admin = SB_REQUIRE_OK(redis_connection::connect(settings));
  auto conn = SB_REQUIRE_OK(redis_connection::connect(settings));

  // A paused server reads commands but does not answer them.
  SB_REQUIRE_OK(admin.command({"CLIENT", "PAUSE", "3000", "ALL"}));
  for (int call = 0; call < 2; ++call) {
    // The second call reconnects first: hiredis drops the socket timeout on every new context,
    // so without setting it again this call would hang until the pause ends.
    auto started = std::chrono::steady_clock::now();
    CHECK(code_of(conn.command({"GET", "k"})) == sb::errc::store_unavailable);
    CHECK(std::chrono::steady_clock::now() - started < 1500ms);
  }

  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool answered = false;
  while (!answered && std::chrono::steady_clock::now() < deadline) {
    answered = conn.command({"PING"}).ok();
  }
  CHECK(answered);
}
