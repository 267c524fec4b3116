#pragma once

#include <chrono>

#include "runtime/result.hpp"

namespace sb::test {

/// Returns a TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it for a socket
/// bound to port 0, which is then closed. Another process may still take it before the caller
/// binds it, so servers that fail to start should be retried on a new port.
result<int> free_tcp_port();

/// Waits until a TCP connection to 127.0.0.1:`port` succeeds; errc::timeout after `timeout`.
result<void> wait_for_tcp(int port, std::chrono::milliseconds timeout);

}  // namespace sb::test
