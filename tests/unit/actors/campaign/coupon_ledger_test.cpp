#include "actors/campaign/coupon_ledger.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "runtime/clock.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb::coupons;

struct fixture {
  sb::manual_clock clock;
  std::unique_ptr<sb::store> st = sb::make_memory_store(clock);

  static sb::schemas::coupon_record coupon(const std::string& code, double amount = 10) {
    sb::schemas::coupon_record c;
    c.code = code;
    c.campaign = "consult";
    c.user = "web:v-1";
    c.amount = amount;
    c.issued_at_ms = 1000;
    c.expires_at_ms = 1000 + 72 * 3'600'000LL;
    return c;
  }

  static issue_request request(const std::string& user, const std::string& firing,
                               std::optional<sb::schemas::coupon_record> c) {
    issue_request r;
    r.campaign = "consult";
    r.user = user;
    r.firing = firing;
    r.per_person = 1;
    r.coupon = std::move(c);
    return r;
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a firing issues its coupon and lists it for the person") {
  auto out = SB_REQUIRE_OK(issue(*st, request("web:v-1", "1000", coupon("AAAA-BBBB-CCCC-DDDD"))));
  CHECK(out.status == issue_status::fired);
  auto list = SB_REQUIRE_OK(list_for_user(*st, "web:v-1"));
  REQUIRE(list.size() == 1);
  CHECK(list[0].code == "AAAA-BBBB-CCCC-DDDD");
  CHECK(SB_REQUIRE_OK(unused_count(*st, "web:v-1", "consult", 2000)) == 1);
}

TEST_CASE_FIXTURE(fixture, "a retried firing gets the first coupon back, not a second one") {
  SB_REQUIRE_OK(issue(*st, request("web:v-1", "1000", coupon("AAAA-BBBB-CCCC-DDDD"))));
  auto again = SB_REQUIRE_OK(issue(*st, request("web:v-1", "1000", coupon("EEEE-FFFF-GGGG-HHHH"))));
  CHECK(again.status == issue_status::repeated);
  REQUIRE(again.coupon.has_value());
  CHECK(again.coupon->code == "AAAA-BBBB-CCCC-DDDD");
  CHECK(SB_REQUIRE_OK(list_for_user(*st, "web:v-1")).size() == 1);
  CHECK(!SB_REQUIRE_OK(find(*st, "EEEE-FFFF-GGGG-HHHH")).has_value());
}

TEST_CASE_FIXTURE(fixture, "a second firing for the same person stops at the per-person limit") {
  SB_REQUIRE_OK(issue(*st, request("web:v-1", "1000", coupon("AAAA-BBBB-CCCC-DDDD"))));
  auto second =
      SB_REQUIRE_OK(issue(*st, request("web:v-1", "9000", coupon("EEEE-FFFF-GGGG-HHHH"))));
  CHECK(second.status == issue_status::per_person_limit);
  CHECK(SB_REQUIRE_OK(list_for_user(*st, "web:v-1")).size() == 1);
}

TEST_CASE_FIXTURE(fixture, "the budget's count and value both cap issuing") {
  auto by_count = request("web:a", "1", coupon("AAAA-AAAA-AAAA-AAAA"));
  by_count.budget_count = 1;
  CHECK(SB_REQUIRE_OK(issue(*st, by_count)).status == issue_status::fired);
  auto other = request("web:b", "1", coupon("BBBB-BBBB-BBBB-BBBB"));
  other.budget_count = 1;
  CHECK(SB_REQUIRE_OK(issue(*st, other)).status == issue_status::budget_exhausted);

  fixture f2;
  auto v1 = request("web:a", "1", coupon("AAAA-AAAA-AAAA-AAAA", 30));
  v1.budget_value = 50;
  CHECK(SB_REQUIRE_OK(issue(*f2.st, v1)).status == issue_status::fired);
  auto v2 = request("web:b", "1", coupon("BBBB-BBBB-BBBB-BBBB", 30));
  v2.budget_value = 50;
  CHECK(SB_REQUIRE_OK(issue(*f2.st, v2)).status == issue_status::budget_exhausted);
  auto v3 = request("web:c", "1", coupon("CCCC-CCCC-CCCC-CCCC", 20));
  v3.budget_value = 50;
  CHECK(SB_REQUIRE_OK(issue(*f2.st, v3)).status == issue_status::fired);
}

TEST_CASE_FIXTURE(fixture, "concurrent firings never pass the budget nor issue twice") {
  constexpr int people = 300;
  std::atomic<int> fired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < people; ++i) {
        const std::string code = std::to_string(t) + "-" + std::to_string(i) + "-AAAA-AAAA";
        auto r = request("web:p" + std::to_string(i), "1", coupon(code));
        r.budget_count = 200;
        auto out = issue(*st, r);
        if (out && out->status == issue_status::fired) {
          ++fired;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(fired.load() == 200);
  int listed = 0;
  for (int i = 0; i < people; ++i) {
    auto n = SB_REQUIRE_OK(list_for_user(*st, "web:p" + std::to_string(i))).size();
    CHECK(n <= 1);
    listed += static_cast<int>(n);
  }
  CHECK(listed == 200);
}

TEST_CASE_FIXTURE(fixture, "a coupon is redeemed once: same order again is the same answer") {
  SB_REQUIRE_OK(issue(*st, request("web:v-1", "1", coupon("AAAA-BBBB-CCCC-DDDD"))));
  auto first = SB_REQUIRE_OK(redeem(*st, "AAAA-BBBB-CCCC-DDDD", "O-1", 5000));
  CHECK(first.status == redeem_status::redeemed);
  CHECK(first.coupon->order_id == "O-1");
  CHECK(first.coupon->redeemed_at_ms == 5000);
  auto again = SB_REQUIRE_OK(redeem(*st, "AAAA-BBBB-CCCC-DDDD", "O-1", 9000));
  CHECK(again.status == redeem_status::same_order);
  CHECK(again.coupon->redeemed_at_ms == 5000);
  auto other = SB_REQUIRE_OK(redeem(*st, "AAAA-BBBB-CCCC-DDDD", "O-2", 9000));
  CHECK(other.status == redeem_status::other_order);
  CHECK(SB_REQUIRE_OK(unused_count(*st, "web:v-1", "consult", 9000)) == 0);
}

TEST_CASE_FIXTURE(fixture, "an expired or unknown coupon cannot be redeemed") {
  SB_REQUIRE_OK(issue(*st, request("web:v-1", "1", coupon("AAAA-BBBB-CCCC-DDDD"))));
  auto late = SB_REQUIRE_OK(redeem(*st, "AAAA-BBBB-CCCC-DDDD", "O-1", 1000 + 72 * 3'600'000LL));
  CHECK(late.status == redeem_status::expired);
  CHECK(state_at(*late.coupon, 1000 + 72 * 3'600'000LL) == "expired");
  CHECK(SB_REQUIRE_OK(redeem(*st, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "O-1", 0)).status ==
        redeem_status::not_found);
}

TEST_CASE_FIXTURE(fixture, "of concurrent redemptions by different orders exactly one wins") {
  SB_REQUIRE_OK(issue(*st, request("web:v-1", "1", coupon("AAAA-BBBB-CCCC-DDDD"))));
  std::atomic<int> won{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto r = redeem(*st, "AAAA-BBBB-CCCC-DDDD", "O-" + std::to_string(t), 2000);
      if (r && r->status == redeem_status::redeemed) {
        ++won;
      } else if (r && r->status == redeem_status::other_order) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(won.load() == 1);
  CHECK(refused.load() == 7);
}
