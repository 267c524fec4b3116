#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/address.hpp"

namespace sb::cluster {

/// Placement of actors on a cluster, as pure functions (no NATS, no CAF, no clock): an address
/// belongs to one of `count` partitions (a fixed number, 256 by default, that never changes while
/// the cluster runs), and a partition belongs to one node of the current membership by rendezvous
/// (highest random weight) hashing. Every node computes the same answers from the same inputs,
/// across processes and versions: the hashes are FNV-1a 64 and fmix64 (runtime/hash.hpp), pinned
/// by unit tests. Leases on partitions (NATS KV) decide who really owns a partition; these
/// functions say who should.
///
/// Thread-safety: every function is pure and may be called from any thread.

/// Returns the partition of `addr`: fmix64(FNV-1a 64 of "kind/key") % count, or 0 if `count` is 0.
uint32_t partition_of(const schemas::address& addr, uint32_t count) noexcept;

/// Returns the member that should own `partition`: the one with the highest weight
/// fmix64(fnv1a64(member) ^ fmix64(partition + 1)), ties going to the smallest name; "" if
/// `members` is empty. When a member leaves, only its partitions move; when one joins, partitions
/// move only to it. Duplicates in `members` do not matter, nor does their order.
std::string owner_of(uint32_t partition, const std::vector<std::string>& members);

/// Returns the partitions in [0, count) that `owner_of` gives to `member`, in ascending order
/// (empty if `member` is not one of `members`).
std::vector<uint32_t> partitions_of(const std::string& member,
                                    const std::vector<std::string>& members, uint32_t count);

}  // namespace sb::cluster
