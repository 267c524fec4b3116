#include "runtime/cluster/partitioning.hpp"

#include "runtime/hash.hpp"

namespace sb::cluster {

namespace {

// The rendezvous weight of a member whose name hashes to `member_hash` for `partition`. The
// partition is mixed on its own first (and offset by one, so partition 0 is not the identity of
// the xor) so that neighbouring partitions rank members independently.
uint64_t weight(uint64_t member_hash, uint32_t partition) noexcept {
  return fmix64(member_hash ^ fmix64(uint64_t{partition} + 1));
}

// Returns the index in `members` of the owner of `partition`, given every member's name hash;
// members must not be empty.
size_t owner_index(uint32_t partition, const std::vector<std::string>& members,
                   const std::vector<uint64_t>& hashes) {
  size_t best = 0;
  uint64_t best_weight = weight(hashes[0], partition);
  for (size_t i = 1; i < members.size(); ++i) {
    const uint64_t w = weight(hashes[i], partition);
    if (w > best_weight || (w == best_weight && members[i] < members[best])) {
      best = i;
      best_weight = w;
    }
  }
  return best;
}

std::vector<uint64_t> hashes_of(const std::vector<std::string>& members) {
  std::vector<uint64_t> out;
  out.reserve(members.size());
  for (const auto& m : members) {
    out.push_back(fnv1a64(m));
  }
  return out;
}

}  // namespace

uint32_t partition_of(const schemas::address& addr, uint32_t count) noexcept {
  if (count == 0) {
    return 0;
  }
  // Hashes "kind/key" piecewise: the same value as hashing the joined string, without allocating.
  const uint64_t h = fnv1a64(addr.key, fnv1a64("/", fnv1a64(addr.kind)));
  return static_cast<uint32_t>(fmix64(h) % count);
}

std::string owner_of(uint32_t partition, const std::vector<std::string>& members) {
  if (members.empty()) {
    return std::string{};
  }
  return members[owner_index(partition, members, hashes_of(members))];
}

std::vector<uint32_t> partitions_of(const std::string& member,
                                    const std::vector<std::string>& members, uint32_t count) {
  std::vector<uint32_t> out;
  if (members.empty()) {
    return out;
  }
  const auto hashes = hashes_of(members);
  for (uint32_t p = 0; p < count; ++p) {
    if (members[owner_index(p, members, hashes)] == member) {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace sb::cluster
