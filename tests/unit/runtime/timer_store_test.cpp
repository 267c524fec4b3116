// Durable timers over the memory store on a manual clock: arming, re-arming, due listing, the
// complete() protocol, and recovery from an arm interrupted between its store writes; each with
// one due set and with 16 per-partition due sets. Then what only partitions have: one due set per
// partition, due_in and pending_in.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/clock.hpp"
#include "runtime/cluster/partitioning.hpp"
#include "runtime/codec.hpp"
#include "runtime/store.hpp"
#include "runtime/timer_store.hpp"
#include "tests/support/require.hpp"

namespace {

using sb::cluster::partition_of;
using sb::schemas::address;
using sb::schemas::timer_record;

// Runs every test that uses `fixture` twice, as doctest subcases: with the single due set of a
// lone node and with 16 per-partition due sets. The behaviour must not differ.
uint32_t partition_count() {
  uint32_t n = 1;
  SUBCASE("with one due set") {
    n = 1;
  }
  SUBCASE("with 16 partitions") {
    n = 16;
  }
  return n;
}

struct fixture {
  sb::manual_clock clock{1'000'000};
  std::unique_ptr<sb::store> st = sb::make_memory_store(clock);
  const uint32_t partitions = partition_count();
  sb::timer_store timers{*st, partitions};

  const address alice{"conversation", "web:alice"};
  const address bob{"conversation", "web:bob"};

  // The store layout of timer_store.cpp, written here on purpose so that a test can fake what a
  // crash between arm()'s writes leaves behind: record "timer:<kind>/<key>\x1f<name>", due-set
  // "timers:due" (one partition) or "timers:due:<partition of the owner>" with members
  // "<generation>|<kind>/<key>\x1f<name>".
  static std::string id_of(const address& owner, const std::string& name) {
    return owner.kind + "/" + owner.key + '\x1f' + name;
  }
  static std::string due_member(int64_t generation, const address& owner, const std::string& name) {
    return std::to_string(generation) + "|" + id_of(owner, name);
  }
  std::string due_key(const address& owner) const {
    return partitions == 1 ? "timers:due"
                           : "timers:due:" + std::to_string(partition_of(owner, partitions));
  }

  // Returns the entries of every due set, lowest score first (ties by member).
  std::vector<sb::scored_member> due_set() {
    std::vector<sb::scored_member> out;
    for (uint32_t p = 0; p < partitions; ++p) {
      const std::string key = partitions == 1 ? "timers:due" : "timers:due:" + std::to_string(p);
      auto some = SB_REQUIRE_OK(st->sorted_set_range_by_score(key, INT64_MIN, INT64_MAX, 100));
      out.insert(out.end(), some.begin(), some.end());
    }
    std::sort(out.begin(), out.end(), [](const sb::scored_member& a, const sb::scored_member& b) {
      return std::tie(a.score, a.member) < std::tie(b.score, b.member);
    });
    return out;
  }

  std::vector<std::string> names_of(const std::vector<timer_record>& recs) {
    std::vector<std::string> out;
    for (const auto& r : recs) {
      out.push_back(r.owner.key + ":" + r.name);
    }
    return out;
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "arming returns a generation that grows with every arm, across owners") {
  auto g1 = SB_REQUIRE_OK(timers.arm(alice, "idle", 2'000'000, "p1"));
  auto g2 = SB_REQUIRE_OK(timers.arm(bob, "idle", 2'000'000, "p2"));
  auto g3 = SB_REQUIRE_OK(timers.arm(alice, "idle", 3'000'000, "p3"));
  CHECK(g1 > 0);
  CHECK(g2 > g1);
  CHECK(g3 > g2);
  auto rec = SB_REQUIRE_OK(timers.find(alice, "idle"));
  REQUIRE(rec.has_value());
  CHECK(rec->owner == alice);
  CHECK(rec->name == "idle");
  CHECK(rec->due_ms == 3'000'000);
  CHECK(rec->generation == g3);
  CHECK(rec->payload.data == "p3");
}

TEST_CASE_FIXTURE(fixture, "finding a timer that was never armed gives nothing") {
  auto rec = SB_REQUIRE_OK(timers.find(alice, "idle"));
  CHECK_FALSE(rec.has_value());
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 0);
  CHECK(SB_REQUIRE_OK(timers.due(INT64_MAX, 10)).empty());
}

TEST_CASE_FIXTURE(fixture, "due lists only the timers due by now, earliest first") {
  SB_REQUIRE_OK(timers.arm(alice, "late", 1'000'300, ""));
  SB_REQUIRE_OK(timers.arm(bob, "early", 1'000'100, ""));
  SB_REQUIRE_OK(timers.arm(alice, "middle", 1'000'200, ""));
  SB_REQUIRE_OK(timers.arm(bob, "future", 1'900'000, ""));

  CHECK(SB_REQUIRE_OK(timers.due(1'000'099, 10)).empty());
  CHECK(names_of(SB_REQUIRE_OK(timers.due(1'000'100, 10))) ==
        std::vector<std::string>{"web:bob:early"});
  CHECK(names_of(SB_REQUIRE_OK(timers.due(1'000'300, 10))) ==
        std::vector<std::string>{"web:bob:early", "web:alice:middle", "web:alice:late"});
  // due() only lists: the timers are still armed until completed.
  CHECK(SB_REQUIRE_OK(timers.due(1'000'300, 10)).size() == 3);
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 4);
}

TEST_CASE_FIXTURE(fixture, "due returns no more than the limit, taking the earliest") {
  for (int i = 9; i >= 0; --i) {
    SB_REQUIRE_OK(timers.arm(alice, "t" + std::to_string(i), 1'000'000 + i, ""));
  }
  auto three = SB_REQUIRE_OK(timers.due(2'000'000, 3));
  CHECK(names_of(three) ==
        std::vector<std::string>{"web:alice:t0", "web:alice:t1", "web:alice:t2"});
  CHECK(SB_REQUIRE_OK(timers.due(2'000'000, 0)).empty());
  CHECK(SB_REQUIRE_OK(timers.due(2'000'000, 100)).size() == 10);
}

TEST_CASE_FIXTURE(fixture, "a re-armed timer leaves no stale entry behind that could fire") {
  auto old_gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'100, "old"));
  auto new_gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'500, "new"));
  REQUIRE(new_gen != old_gen);

  // At the old due time nothing fires: the old generation's entry is gone.
  CHECK(SB_REQUIRE_OK(timers.due(1'000'100, 10)).empty());
  auto set = due_set();
  REQUIRE(set.size() == 1);
  CHECK(set[0].member == due_member(new_gen, alice, "idle"));
  CHECK(set[0].score == 1'000'500);

  auto due = SB_REQUIRE_OK(timers.due(INT64_MAX, 10));
  REQUIRE(due.size() == 1);
  CHECK(due[0].generation == new_gen);
  CHECK(due[0].due_ms == 1'000'500);
  CHECK(due[0].payload.data == "new");
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 1);
}

TEST_CASE_FIXTURE(fixture, "a re-arm to an earlier time fires at the earlier time only once") {
  SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'900, ""));
  auto gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'100, ""));
  auto due = SB_REQUIRE_OK(timers.due(1'000'900, 10));
  REQUIRE(due.size() == 1);
  CHECK(due[0].generation == gen);
  CHECK(SB_REQUIRE_OK(timers.complete(alice, "idle", gen)));
  CHECK(SB_REQUIRE_OK(timers.due(INT64_MAX, 10)).empty());
}

TEST_CASE_FIXTURE(fixture, "cancelling removes an armed timer and reports whether there was one") {
  SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'100, ""));
  SB_REQUIRE_OK(timers.arm(bob, "idle", 1'000'100, ""));
  CHECK(SB_REQUIRE_OK(timers.cancel(alice, "idle")));
  CHECK_FALSE(SB_REQUIRE_OK(timers.find(alice, "idle")).has_value());
  CHECK(SB_REQUIRE_OK(timers.pending(alice)).empty());
  CHECK(names_of(SB_REQUIRE_OK(timers.due(INT64_MAX, 10))) ==
        std::vector<std::string>{"web:bob:idle"});
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 1);

  CHECK_FALSE(SB_REQUIRE_OK(timers.cancel(alice, "idle")));
  CHECK_FALSE(SB_REQUIRE_OK(timers.cancel(alice, "never-armed")));
}

TEST_CASE_FIXTURE(fixture, "completing the current generation removes the timer") {
  auto gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'100, ""));
  CHECK(SB_REQUIRE_OK(timers.complete(alice, "idle", gen)));
  CHECK_FALSE(SB_REQUIRE_OK(timers.find(alice, "idle")).has_value());
  CHECK(SB_REQUIRE_OK(timers.due(INT64_MAX, 10)).empty());
  CHECK(SB_REQUIRE_OK(timers.pending(alice)).empty());
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 0);
  // A second complete (a redelivered firing) removes nothing.
  CHECK_FALSE(SB_REQUIRE_OK(timers.complete(alice, "idle", gen)));
}

TEST_CASE_FIXTURE(fixture, "completing an old generation keeps the re-armed timer") {
  auto old_gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'100, ""));
  auto new_gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'500, ""));
  CHECK_FALSE(SB_REQUIRE_OK(timers.complete(alice, "idle", old_gen)));
  auto rec = SB_REQUIRE_OK(timers.find(alice, "idle"));
  REQUIRE(rec.has_value());
  CHECK(rec->generation == new_gen);
  auto due = SB_REQUIRE_OK(timers.due(INT64_MAX, 10));
  REQUIRE(due.size() == 1);
  CHECK(due[0].generation == new_gen);
  CHECK(SB_REQUIRE_OK(timers.pending(alice)).size() == 1);
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 1);
}

TEST_CASE_FIXTURE(fixture, "pending lists only the given owner's timers, earliest first") {
  SB_REQUIRE_OK(timers.arm(alice, "b", 1'000'300, ""));
  SB_REQUIRE_OK(timers.arm(bob, "x", 1'000'100, ""));
  SB_REQUIRE_OK(timers.arm(alice, "a", 1'000'200, ""));
  SB_REQUIRE_OK(timers.arm(alice, "b", 1'000'050, ""));  // re-armed: moves to the front
  CHECK(names_of(SB_REQUIRE_OK(timers.pending(alice))) ==
        std::vector<std::string>{"web:alice:b", "web:alice:a"});
  CHECK(names_of(SB_REQUIRE_OK(timers.pending(bob))) == std::vector<std::string>{"web:bob:x"});
  CHECK(SB_REQUIRE_OK(timers.pending({"conversation", "web:carol"})).empty());
  // Same key, another kind: another owner.
  CHECK(SB_REQUIRE_OK(timers.pending({"campaign", "web:alice"})).empty());
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 3);
}

TEST_CASE_FIXTURE(fixture, "a due entry without a record is dropped by due and cleaned up") {
  // What arm() leaves when it dies after adding the due entry and before writing the record.
  SB_REQUIRE_OK(st->sorted_set_add(due_key(alice), due_member(77, alice, "idle"), 1'000'100));
  auto bob_gen = SB_REQUIRE_OK(timers.arm(bob, "idle", 1'000'200, ""));
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 2);  // counted until due() sees it

  CHECK(names_of(SB_REQUIRE_OK(timers.due(INT64_MAX, 10))) ==
        std::vector<std::string>{"web:bob:idle"});
  auto set = due_set();
  REQUIRE(set.size() == 1);
  CHECK(set[0].member == due_member(bob_gen, bob, "idle"));
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 1);
  CHECK_FALSE(SB_REQUIRE_OK(timers.find(alice, "idle")).has_value());
}

TEST_CASE_FIXTURE(fixture, "a due entry whose record has another generation is dropped by due") {
  auto old_gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'200, "old"));
  auto gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'500, "current"));
  // An interrupted re-arm: its due entry went in (earlier, and with a newer generation), its
  // record did not. And the entry of an older generation than the record's, back again.
  SB_REQUIRE_OK(
      st->sorted_set_add(due_key(alice), due_member(gen + 100, alice, "idle"), 1'000'100));
  SB_REQUIRE_OK(st->sorted_set_add(due_key(alice), due_member(old_gen, alice, "idle"), 1'000'200));
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 3);

  CHECK(SB_REQUIRE_OK(timers.due(1'000'400, 10)).empty());  // the strays are due, but never fire
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 1);
  auto due = SB_REQUIRE_OK(timers.due(INT64_MAX, 10));
  REQUIRE(due.size() == 1);
  CHECK(due[0].generation == gen);
  CHECK(due[0].payload.data == "current");
}

TEST_CASE_FIXTURE(fixture, "due entries that are not of the form generation|id are dropped") {
  for (const char* junk : {"junk", "|conversation/web:alice\x1fidle", "12a|x", "-1|x"}) {
    SB_REQUIRE_OK(st->sorted_set_add(due_key(alice), junk, 1'000'000));
  }
  auto gen = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'001, ""));
  auto due = SB_REQUIRE_OK(timers.due(INT64_MAX, 10));
  REQUIRE(due.size() == 1);
  CHECK(due[0].generation == gen);
  CHECK(due_set().size() == 1);
}

TEST_CASE_FIXTURE(fixture, "names and keys with spaces, bars, slashes and Chinese keep apart") {
  const address odd{"conversation", "wechat:o X|Y/Z 顾客"};
  const address prefix{"conversation", "wechat:o X"};  // its id is a prefix of odd's
  const std::string name = "优惠券 过期|coupon/1";
  auto g1 = SB_REQUIRE_OK(timers.arm(odd, name, 1'000'100, "载荷|/ "));
  auto g2 = SB_REQUIRE_OK(timers.arm(odd, "idle", 1'000'200, ""));
  // "kind/key" + name split differently: must not collide with odd's timers.
  auto g3 = SB_REQUIRE_OK(timers.arm(prefix, "|Y/Z 顾客", 1'000'300, ""));
  auto g4 = SB_REQUIRE_OK(timers.arm({"conversation", "wechat:o X|Y"}, "Z 顾客", 1'000'400, ""));

  auto rec = SB_REQUIRE_OK(timers.find(odd, name));
  REQUIRE(rec.has_value());
  CHECK(rec->owner == odd);
  CHECK(rec->name == name);
  CHECK(rec->generation == g1);
  CHECK(rec->payload.data == "载荷|/ ");

  auto due = SB_REQUIRE_OK(timers.due(INT64_MAX, 10));
  REQUIRE(due.size() == 4);
  CHECK(due[0].generation == g1);
  CHECK(due[0].name == name);
  CHECK(due[1].generation == g2);
  CHECK(due[2].generation == g3);
  CHECK(due[3].generation == g4);

  auto pending = SB_REQUIRE_OK(timers.pending(odd));
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].name == name);
  CHECK(pending[1].name == "idle");
  CHECK(SB_REQUIRE_OK(timers.pending(prefix)).size() == 1);

  // Re-arm and complete by the odd name: the old entry goes, the new one stays until completed.
  auto g5 = SB_REQUIRE_OK(timers.arm(odd, name, 1'000'500, ""));
  CHECK_FALSE(SB_REQUIRE_OK(timers.complete(odd, name, g1)));
  CHECK(SB_REQUIRE_OK(timers.complete(odd, name, g5)));
  CHECK_FALSE(SB_REQUIRE_OK(timers.find(odd, name)).has_value());
  CHECK(SB_REQUIRE_OK(timers.cancel(prefix, "|Y/Z 顾客")));
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 2);
  CHECK(SB_REQUIRE_OK(timers.pending(odd)).size() == 1);
}

// -- partitions
// ------------------------------------------------------------------------------------

namespace {

// 16 partitions, with owners whose partitions are known (fmix64(fnv1a64("kind/key")) % 16, by
// the Python reference of tests/unit/runtime/cluster/partitioning_test.cpp):
// web:alice -> 0, web:dave -> 2, web:carol -> 6.
struct partitioned {
  sb::manual_clock clock{1'000'000};
  std::unique_ptr<sb::store> st = sb::make_memory_store(clock);
  sb::timer_store timers{*st, 16};

  const address alice{"conversation", "web:alice"};
  const address dave{"conversation", "web:dave"};
  const address carol{"conversation", "web:carol"};

  // Returns the members of the raw due set `key`.
  std::vector<std::string> members_of(const std::string& key) {
    std::vector<std::string> out;
    for (const auto& m :
         SB_REQUIRE_OK(st->sorted_set_range_by_score(key, INT64_MIN, INT64_MAX, 100))) {
      out.push_back(m.member);
    }
    return out;
  }

  static std::vector<std::string> keys_of(const std::vector<timer_record>& recs) {
    std::vector<std::string> out;
    for (const auto& r : recs) {
      out.push_back(r.owner.key + ":" + r.name);
    }
    return out;
  }
};

}  // namespace

TEST_CASE_FIXTURE(partitioned, "the owners of the partition tests sit where the reference says") {
  CHECK(partition_of(alice, 16) == 0);
  CHECK(partition_of(dave, 16) == 2);
  CHECK(partition_of(carol, 16) == 6);
  CHECK(timers.partitions() == 16);
  CHECK(sb::timer_store{*st}.partitions() == 1);
  CHECK(sb::timer_store{*st, 0}.partitions() == 1);
}

TEST_CASE_FIXTURE(partitioned, "timers of owners in different partitions land in their own sets") {
  auto ga = SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'100, ""));
  auto gd = SB_REQUIRE_OK(timers.arm(dave, "idle", 1'000'200, ""));
  auto gc = SB_REQUIRE_OK(timers.arm(carol, "remind", 1'000'300, ""));
  SB_REQUIRE_OK(timers.arm(carol, "expire", 1'000'400, ""));
  CHECK(members_of("timers:due:0") ==
        std::vector<std::string>{std::to_string(ga) + "|conversation/web:alice\x1fidle"});
  CHECK(members_of("timers:due:2") ==
        std::vector<std::string>{std::to_string(gd) + "|conversation/web:dave\x1fidle"});
  CHECK(members_of("timers:due:6").size() == 2);
  CHECK(members_of("timers:due:6")[0] == std::to_string(gc) + "|conversation/web:carol\x1fremind");
  // Nothing goes to the single node's set.
  CHECK(SB_REQUIRE_OK(st->sorted_set_size("timers:due")) == 0);

  CHECK(SB_REQUIRE_OK(timers.pending_in(0)) == 1);
  CHECK(SB_REQUIRE_OK(timers.pending_in(2)) == 1);
  CHECK(SB_REQUIRE_OK(timers.pending_in(6)) == 2);
  CHECK(SB_REQUIRE_OK(timers.pending_in(1)) == 0);
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 4);  // 1 + 1 + 2
}

TEST_CASE_FIXTURE(partitioned, "due_in lists only its partition's due timers, earliest first") {
  SB_REQUIRE_OK(timers.arm(carol, "late", 1'000'300, ""));
  SB_REQUIRE_OK(timers.arm(alice, "idle", 1'000'100, ""));
  SB_REQUIRE_OK(timers.arm(carol, "early", 1'000'150, ""));
  SB_REQUIRE_OK(timers.arm(dave, "idle", 1'000'200, ""));
  SB_REQUIRE_OK(timers.arm(carol, "future", 1'900'000, ""));

  CHECK(keys_of(SB_REQUIRE_OK(timers.due_in(6, 1'000'300, 10))) ==
        std::vector<std::string>{"web:carol:early", "web:carol:late"});
  CHECK(keys_of(SB_REQUIRE_OK(timers.due_in(6, 1'000'300, 1))) ==
        std::vector<std::string>{"web:carol:early"});
  CHECK(SB_REQUIRE_OK(timers.due_in(6, 1'000'149, 10)).empty());
  CHECK(keys_of(SB_REQUIRE_OK(timers.due_in(0, 1'000'300, 10))) ==
        std::vector<std::string>{"web:alice:idle"});
  CHECK(SB_REQUIRE_OK(timers.due_in(1, INT64_MAX, 10)).empty());
  // due() merges every partition by due time and applies the limit to the merge.
  CHECK(keys_of(SB_REQUIRE_OK(timers.due(1'000'300, 10))) ==
        std::vector<std::string>{"web:alice:idle", "web:carol:early", "web:dave:idle",
                                 "web:carol:late"});
  CHECK(keys_of(SB_REQUIRE_OK(timers.due(1'000'300, 2))) ==
        std::vector<std::string>{"web:alice:idle", "web:carol:early"});
}

TEST_CASE_FIXTURE(partitioned, "a partition at or beyond the count is an invalid argument") {
  CHECK(sb::test::code_of(timers.due_in(16, INT64_MAX, 10)) == sb::errc::invalid_argument);
  CHECK(sb::test::code_of(timers.pending_in(16)) == sb::errc::invalid_argument);
  CHECK(SB_REQUIRE_OK(timers.pending_in(15)) == 0);
  sb::timer_store single{*st};
  CHECK(sb::test::code_of(single.due_in(1, INT64_MAX, 10)) == sb::errc::invalid_argument);
  CHECK(SB_REQUIRE_OK(single.due_in(0, INT64_MAX, 10)).empty());
}

TEST_CASE_FIXTURE(partitioned, "with one partition due_in(0) and pending_in(0) read timers:due") {
  sb::timer_store single{*st};
  auto gen = SB_REQUIRE_OK(single.arm(carol, "idle", 1'000'100, ""));
  CHECK(members_of("timers:due") ==
        std::vector<std::string>{std::to_string(gen) + "|conversation/web:carol\x1fidle"});
  CHECK(keys_of(SB_REQUIRE_OK(single.due_in(0, INT64_MAX, 10))) ==
        std::vector<std::string>{"web:carol:idle"});
  CHECK(SB_REQUIRE_OK(single.pending_in(0)) == 1);
  CHECK(SB_REQUIRE_OK(single.pending_count()) == 1);
}

TEST_CASE_FIXTURE(partitioned, "due_in drops stale entries of its own partition only") {
  auto old_gen = SB_REQUIRE_OK(timers.arm(carol, "idle", 1'000'100, ""));
  auto gen = SB_REQUIRE_OK(timers.arm(carol, "idle", 1'000'200, ""));
  SB_REQUIRE_OK(timers.arm(dave, "idle", 1'000'100, ""));
  // A stray entry of carol's older generation, back again, plus one in dave's partition.
  const std::string stray = std::to_string(old_gen) + "|conversation/web:carol\x1fidle";
  SB_REQUIRE_OK(st->sorted_set_add("timers:due:6", stray, 1'000'100));
  SB_REQUIRE_OK(st->sorted_set_add("timers:due:2", "junk", 1'000'000));
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 4);

  auto due = SB_REQUIRE_OK(timers.due_in(6, INT64_MAX, 10));
  REQUIRE(due.size() == 1);
  CHECK(due[0].generation == gen);
  CHECK(SB_REQUIRE_OK(timers.pending_in(6)) == 1);
  CHECK(SB_REQUIRE_OK(timers.pending_in(2)) == 2);  // untouched until its partition is read
  CHECK(keys_of(SB_REQUIRE_OK(timers.due_in(2, INT64_MAX, 10))) ==
        std::vector<std::string>{"web:dave:idle"});
  CHECK(SB_REQUIRE_OK(timers.pending_in(2)) == 1);
}

TEST_CASE_FIXTURE(partitioned, "completing and cancelling remove the entry from the owner's set") {
  auto gen = SB_REQUIRE_OK(timers.arm(carol, "idle", 1'000'100, ""));
  SB_REQUIRE_OK(timers.arm(dave, "idle", 1'000'100, ""));
  CHECK(SB_REQUIRE_OK(timers.complete(carol, "idle", gen)));
  CHECK(SB_REQUIRE_OK(timers.pending_in(6)) == 0);
  CHECK(SB_REQUIRE_OK(timers.cancel(dave, "idle")));
  CHECK(SB_REQUIRE_OK(timers.pending_in(2)) == 0);
  CHECK(SB_REQUIRE_OK(timers.pending_count()) == 0);
}
