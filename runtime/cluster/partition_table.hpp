#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "schemas/address.hpp"

namespace sb::cluster {

/// Which partitions this node holds right now, with the fencing token of each (the revision at
/// which it took the partition's lease). Written by the node's lease manager, read by every
/// actor (a state write carries the token), the bus (in-process shortcut or NATS) and the timer
/// service (which due sets to poll).
///
/// A partition is in one of three states: not held (token 0), held and accepting work, or held
/// and closing (a graceful hand-over: no new actors start, the live ones may still save).
///
/// Lifetime: owned by the node's cluster member; outlives the actors. Thread-safety: every method
/// may be called from any thread; each partition's state changes atomically.
class partition_table {
 public:
  /// A table of `count` partitions (at least 1), none held.
  explicit partition_table(uint32_t count);

  [[nodiscard]] uint32_t count() const noexcept { return count_; }
  /// The partition of `addr` (runtime/cluster/partitioning.hpp).
  [[nodiscard]] uint32_t partition_of(const schemas::address& addr) const noexcept;

  /// The fencing token while this node holds `p` (accepting or closing), 0 if it does not.
  [[nodiscard]] int64_t token(uint32_t p) const noexcept;
  /// True while `p` is held and takes new work.
  [[nodiscard]] bool accepting(uint32_t p) const noexcept;

  /// Marks `p` held with `token` (> 0) and accepting.
  void hold(uint32_t p, int64_t token) noexcept;
  /// Keeps `p` held (its token stays valid for saves) but takes no new work.
  void close(uint32_t p) noexcept;
  /// Marks `p` not held: saves with its token are refused locally from now on.
  void drop(uint32_t p) noexcept;

  /// The partitions held and accepting, ascending.
  [[nodiscard]] std::vector<uint32_t> accepting_partitions() const;
  /// The number of partitions held (accepting or closing).
  [[nodiscard]] uint32_t held_count() const noexcept;

 private:
  uint32_t count_;
  std::unique_ptr<std::atomic<int64_t>[]> tokens_;
  std::unique_ptr<std::atomic<bool>[]> accepting_;
};

/// The store key of partition `p`'s fence ("fence:17"): it holds the newest owner's token.
std::string fence_key(uint32_t p);

}  // namespace sb::cluster
