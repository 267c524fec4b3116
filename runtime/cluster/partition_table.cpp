#include "runtime/cluster/partition_table.hpp"

#include <algorithm>

#include "runtime/cluster/partitioning.hpp"
#include "schemas/subjects.hpp"

namespace sb::cluster {

std::string fence_key(uint32_t p) {
  return schemas::subjects::fence_prefix + std::to_string(p);
}

partition_table::partition_table(uint32_t count)
    : count_(std::max<uint32_t>(count, 1)),
      tokens_(new std::atomic<int64_t>[count_]),
      accepting_(new std::atomic<bool>[count_]) {
  for (uint32_t p = 0; p < count_; ++p) {
    tokens_[p] = 0;
    accepting_[p] = false;
  }
}

uint32_t partition_table::partition_of(const schemas::address& addr) const noexcept {
  return cluster::partition_of(addr, count_);
}

int64_t partition_table::token(uint32_t p) const noexcept {
  return p < count_ ? tokens_[p].load() : 0;
}

bool partition_table::accepting(uint32_t p) const noexcept {
  return p < count_ && accepting_[p].load();
}

void partition_table::hold(uint32_t p, int64_t token) noexcept {
  if (p < count_ && token > 0) {
    tokens_[p] = token;
    accepting_[p] = true;
  }
}

void partition_table::close(uint32_t p) noexcept {
  if (p < count_) {
    accepting_[p] = false;
  }
}

void partition_table::drop(uint32_t p) noexcept {
  if (p < count_) {
    accepting_[p] = false;
    tokens_[p] = 0;
  }
}

std::vector<uint32_t> partition_table::accepting_partitions() const {
  std::vector<uint32_t> out;
  for (uint32_t p = 0; p < count_; ++p) {
    if (accepting_[p].load()) {
      out.push_back(p);
    }
  }
  return out;
}

uint32_t partition_table::held_count() const noexcept {
  uint32_t n = 0;
  for (uint32_t p = 0; p < count_; ++p) {
    n += tokens_[p].load() > 0 ? 1 : 0;
  }
  return n;
}

}  // namespace sb::cluster
