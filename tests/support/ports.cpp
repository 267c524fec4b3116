#include "tests/support/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

namespace sb::test {

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A socket that closes itself.
struct socket_fd {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socket_fd() = default;
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  ~socket_fd() {
    if (fd >= 0) {
      close(fd);
    }
  }
};

}  // namespace

result<int> free_tcp_port() {
  socket_fd s;
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (s.fd < 0 || bind(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(s.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return error{errc::internal, std::string{"cannot bind 127.0.0.1:0: "} + std::strerror(errno)};
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

result<void> wait_for_tcp(int port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds{1};
  for (;;) {
    socket_fd s;
    sockaddr_in addr = loopback(port);
    if (s.fd >= 0 && connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      return {};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return error{errc::timeout,
                   "nothing accepts connections on 127.0.0.1:" + std::to_string(port) + " after " +
                       std::to_string(timeout.count()) + " ms"};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{20});
  }
}

}  // namespace sb::test
