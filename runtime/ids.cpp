#include "runtime/ids.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace sb {

std::string new_msg_id() {
  // One generator per thread, seeded from the OS: ids must not collide across nodes and restarts.
  thread_local std::mt19937_64 gen{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64{seq};
  }()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t v = gen();
    for (int i = 0; i < 16; ++i) {
      out[static_cast<size_t>(half * 16 + i)] = hex[(v >> (i * 4)) & 0xF];
    }
  }
  return out;
}

}  // namespace sb
