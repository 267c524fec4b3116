#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "tests/support/ports.hpp"
#include "tests/support/require.hpp"

using namespace std::chrono_literals;

TEST_CASE("a free port can be listened on, and wait_for_tcp sees the listener") {
  const int port = SB_REQUIRE_OK(sb::test::free_tcp_port());
  REQUIRE(port > 0);
  REQUIRE(port < 65536);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK(listen(fd, 4) == 0);
  SB_REQUIRE_OK(sb::test::wait_for_tcp(port, 2s));
  close(fd);
}

TEST_CASE("wait_for_tcp gives up with a timeout when nothing listens") {
  const int port = SB_REQUIRE_OK(sb::test::free_tcp_port());
  const auto started = std::chrono::steady_clock::now();
  CHECK(sb::test::code_of(sb::test::wait_for_tcp(port, 100ms)) == sb::errc::timeout);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}
