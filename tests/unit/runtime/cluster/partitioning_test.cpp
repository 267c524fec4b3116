// Partition hashing and rendezvous ownership: pinned values (every node and every version must
// agree), one owner per partition, balance, and minimal movement when members leave or join.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/cluster/partitioning.hpp"
#include "runtime/hash.hpp"

namespace {

using sb::cluster::owner_of;
using sb::cluster::partition_of;
using sb::cluster::partitions_of;
using sb::schemas::address;

constexpr uint32_t partitions = 256;

// Returns the owner of every partition, indexed by partition.
std::vector<std::string> owners(const std::vector<std::string>& members) {
  std::vector<std::string> out;
  for (uint32_t p = 0; p < partitions; ++p) {
    out.push_back(owner_of(p, members));
  }
  return out;
}

}  // namespace

TEST_CASE("the hashes are FNV-1a 64 and MurmurHash3's fmix64") {
  // Reference values of the published algorithms (independent Python implementation).
  CHECK(sb::fnv1a64("") == 14695981039346656037ULL);  // the offset basis
  CHECK(sb::fnv1a64("a") == 0xaf63dc4c8601ec8cULL);   // FNV's published test vector
  CHECK(sb::fnv1a64("conversation/web:alice") == 12591198082828164861ULL);
  CHECK(sb::fmix64(0) == 0);
  CHECK(sb::fmix64(12591198082828164861ULL) == 1815110394096991760ULL);
}

TEST_CASE("an address keeps its partition across processes and versions") {
  // fmix64(fnv1a64("kind/key")) % 256, from an independent Python implementation:
  //   conversation/web:alice -> 1815110394096991760 % 256 = 16
  //   user/u-42              -> 18132437865300576443 % 256 = 187
  //   campaign/spring-sale   -> 5411305905475617470 % 256 = 190
  CHECK(partition_of(address{"conversation", "web:alice"}, partitions) == 16);
  CHECK(partition_of(address{"user", "u-42"}, partitions) == 187);
  CHECK(partition_of(address{"campaign", "spring-sale"}, partitions) == 190);
  // The separator is part of the hash: moving a character across it changes the partition.
  CHECK(partition_of(address{"ab", "c"}, 1u << 31) != partition_of(address{"a", "bc"}, 1u << 31));
}

TEST_CASE("one partition or none puts every address in partition zero") {
  CHECK(partition_of(address{"user", "u-42"}, 1) == 0);
  CHECK(partition_of(address{"user", "u-42"}, 0) == 0);
}

TEST_CASE("a partition's owner is the member of highest rendezvous weight") {
  // weight = fmix64(fnv1a64(member) ^ fmix64(p + 1)), by the Python reference:
  //   p = 0: node-a 4407452300982299893, node-b 5706792041095517245, node-c 13976163012895826479
  //   p = 1: node-a 14811244086336727565, node-b 18029228718331611083, node-c 15888089260261405533
  const std::vector<std::string> members{"node-a", "node-b", "node-c"};
  CHECK(owner_of(0, members) == "node-c");
  CHECK(owner_of(1, members) == "node-b");
  // Order and duplicates of the membership list do not matter.
  CHECK(owner_of(0, {"node-c", "node-a", "node-b", "node-a"}) == "node-c");
  CHECK(owner_of(1, {"node-b", "node-c", "node-a"}) == "node-b");
}

TEST_CASE("no members means no owner and no partitions") {
  CHECK(owner_of(7, {}).empty());
  CHECK(partitions_of("node-a", {}, partitions).empty());
  CHECK(partitions_of("node-x", {"node-a", "node-b"}, partitions).empty());
}

TEST_CASE("every partition has exactly one owner and three members share them evenly") {
  const std::vector<std::string> members{"node-a", "node-b", "node-c"};
  const auto by_partition = owners(members);
  std::map<std::string, std::vector<uint32_t>> mine;
  for (const auto& m : members) {
    mine[m] = partitions_of(m, members, partitions);
    CHECK(std::is_sorted(mine[m].begin(), mine[m].end()));
    // 256 / 3 = 85.3 expected each; 60..110 is more than 3 standard deviations (sqrt(256 * 1/3 *
    // 2/3) = 7.5) either way.
    CHECK_MESSAGE(mine[m].size() >= 60, m << " owns " << mine[m].size());
    CHECK_MESSAGE(mine[m].size() <= 110, m << " owns " << mine[m].size());
  }
  for (uint32_t p = 0; p < partitions; ++p) {
    int claimed = 0;
    for (const auto& m : members) {
      const bool has = std::binary_search(mine[m].begin(), mine[m].end(), p);
      claimed += has ? 1 : 0;
      CHECK(has == (by_partition[p] == m));
    }
    CHECK_MESSAGE(claimed == 1, "partition " << p);
  }
}

TEST_CASE("when a member leaves only its own partitions move") {
  const auto before = owners({"node-a", "node-b", "node-c", "node-d"});
  const auto after = owners({"node-a", "node-b", "node-d"});
  int moved = 0;
  for (uint32_t p = 0; p < partitions; ++p) {
    if (before[p] == "node-c") {
      CHECK(after[p] != "node-c");
      ++moved;
    } else {
      CHECK_MESSAGE(after[p] == before[p], "partition " << p);
    }
  }
  CHECK(moved > 0);
}

TEST_CASE("when a member joins partitions move only to it") {
  const auto before = owners({"node-a", "node-b", "node-c"});
  const auto after = owners({"node-a", "node-b", "node-c", "node-new"});
  int moved = 0;
  for (uint32_t p = 0; p < partitions; ++p) {
    if (after[p] != before[p]) {
      CHECK_MESSAGE(after[p] == "node-new", "partition " << p << " went to " << after[p]);
      ++moved;
    }
  }
  // About a quarter (64) should move to the fourth member; at least some must.
  CHECK(moved > 30);
  CHECK(moved < 100);
}

namespace {

// Returns how many of `n` conversation addresses fall into each of the 256 partitions.
std::vector<int> spread(int n) {
  std::vector<int> per_partition(partitions, 0);
  for (int i = 0; i < n; ++i) {
    const uint32_t p =
        partition_of(address{"conversation", "web:user-" + std::to_string(i)}, partitions);
    ++per_partition.at(p);  // throws, failing the test, if p is out of range
  }
  return per_partition;
}

}  // namespace

TEST_CASE(
    "ten thousand keys fill every one of 256 partitions, each within half to twice the mean") {
  // 10,000 / 256 = 39.1 per partition, standard deviation sqrt(39.1) = 6.2 (Poisson). Even a
  // perfect hash has max/min near 2.5 here (the Python reference gives min 22, max 60), so the
  // bound is against the mean: [19.5, 78.1] is more than 3 deviations either way.
  const auto per_partition = spread(10'000);
  const auto [lo, hi] = std::minmax_element(per_partition.begin(), per_partition.end());
  CHECK(*lo > 0);
  CHECK_MESSAGE(*lo * 256 * 2 >= 10'000, "min " << *lo);
  CHECK_MESSAGE(*hi * 256 <= 2 * 10'000, "max " << *hi);
}

TEST_CASE("a hundred thousand keys spread over 256 partitions with max below twice min") {
  // 100,000 / 256 = 390.6 per partition, deviation 19.8: max/min stays near 1.4 (the Python
  // reference gives min 329, max 462).
  const auto per_partition = spread(100'000);
  const auto [lo, hi] = std::minmax_element(per_partition.begin(), per_partition.end());
  CHECK_MESSAGE(*hi < 2 * *lo, "max " << *hi << ", min " << *lo);
}
