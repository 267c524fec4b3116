#include "actors/campaign/coupon_ledger.hpp"

#include <cmath>
#include <exception>
#include <string>

#include "runtime/codec.hpp"

namespace sb::coupons {

namespace {

// Money in budgets is counted in cents (fen), so that counters stay integers.
int64_t cents(double value) {
  return static_cast<int64_t>(std::llround(value * 100));
}

}  // namespace

std::string coupon_key(const std::string& code) {
  return "coupon:" + code;
}

std::string user_index_key(const std::string& user) {
  return "coupons-of:" + user;
}

double face_value(const schemas::coupon_record& c) {
  return c.percent > 0 ? c.max_discount : c.amount;
}

result<issue_outcome> issue(store& st, const issue_request& req) {
  const std::string prefix = "campaign:" + req.campaign + ":";
  claim_request claim;
  claim.once_key = prefix + "firing:" + req.user + ":" + req.firing;
  claim.once_value = req.coupon ? req.coupon->code : std::string{"-"};
  claim.counters.push_back(
      {prefix + "fired:" + req.user, 1, req.per_person > 0 ? req.per_person : -1});
  if (req.coupon) {
    claim.counters.push_back(
        {prefix + "budget:count", 1, req.budget_count > 0 ? req.budget_count : -1});
    claim.counters.push_back({prefix + "budget:cents", cents(face_value(*req.coupon)),
                              req.budget_value > 0 ? cents(req.budget_value) : -1});
    claim.puts.emplace_back(coupon_key(req.coupon->code), encode(*req.coupon));
    claim.index_adds.emplace_back(user_index_key(req.user),
                                  scored_member{req.coupon->code, req.coupon->issued_at_ms});
  }
  auto claimed = st.claim(claim);
  if (!claimed) {
    return claimed.err();
  }
  issue_outcome out;
  switch (claimed->status) {
    case claim_status::claimed:
      out.status = issue_status::fired;
      out.coupon = req.coupon;
      return out;
    case claim_status::limit_reached:
      out.status =
          claimed->counter == 0 ? issue_status::per_person_limit : issue_status::budget_exhausted;
      return out;
    case claim_status::already_claimed:
      break;
  }
  out.status = issue_status::repeated;
  if (claimed->value != "-") {
    auto existing = find(st, claimed->value);
    if (!existing) {
      return existing.err();
    }
    out.coupon = std::move(*existing);
  }
  return out;
}

result<std::optional<schemas::coupon_record>> find(store& st, const std::string& code) {
  auto raw = st.get(coupon_key(code));
  if (!raw) {
    return raw.err();
  }
  if (!raw->has_value()) {
    return std::optional<schemas::coupon_record>{};
  }
  auto c = decode<schemas::coupon_record>(**raw);
  if (!c) {
    return c.err();
  }
  return std::optional<schemas::coupon_record>{std::move(*c)};
}

result<std::vector<schemas::coupon_record>> list_for_user(store& st, const std::string& user) {
  auto members = st.sorted_set_range_by_score(user_index_key(user), INT64_MIN, INT64_MAX, 10000);
  if (!members) {
    return members.err();
  }
  std::vector<schemas::coupon_record> out;
  for (auto it = members->rbegin(); it != members->rend(); ++it) {
    auto c = find(st, it->member);
    if (!c) {
      return c.err();
    }
    if (c->has_value()) {
      out.push_back(std::move(**c));
    }
  }
  return out;
}

result<int64_t> unused_count(store& st, const std::string& user, const std::string& campaign,
                             int64_t now_ms) {
  auto all = list_for_user(st, user);
  if (!all) {
    return all.err();
  }
  int64_t n = 0;
  for (const auto& c : *all) {
    if (c.campaign == campaign && state_at(c, now_ms) == "issued") {
      ++n;
    }
  }
  return n;
}

result<campaign_totals> totals_of(store& st, const std::string& campaign) {
  campaign_totals t;
  auto number = [&](const std::string& key) -> result<int64_t> {
    auto v = st.get("campaign:" + campaign + ":" + key);
    if (!v) {
      return v.err();
    }
    if (!v->has_value()) {
      return int64_t{0};
    }
    try {
      return static_cast<int64_t>(std::stoll(**v));
    } catch (const std::exception&) {
      return error{errc::store_protocol, "campaign " + campaign + ": " + key + " is not a number"};
    }
  };
  auto issued = number("budget:count");
  auto value = issued ? number("budget:cents") : issued;
  auto redeemed = value ? number("redeemed") : value;
  if (!redeemed) {
    return redeemed.err();
  }
  t.issued = *issued;
  t.issued_value = static_cast<double>(*value) / 100.0;
  t.redeemed = *redeemed;
  return t;
}

std::string state_at(const schemas::coupon_record& c, int64_t now_ms) {
  if (c.state == "redeemed") {
    return "redeemed";
  }
  return c.expires_at_ms > 0 && now_ms >= c.expires_at_ms ? "expired" : "issued";
}

result<redeem_outcome> redeem(store& st, const std::string& code, const std::string& order_id,
                              int64_t now_ms) {
  // Compare-and-set on the whole record: of concurrent redemptions exactly one swaps; the others
  // re-read and see who won.
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto raw = st.get(coupon_key(code));
    if (!raw) {
      return raw.err();
    }
    redeem_outcome out;
    if (!raw->has_value()) {
      return out;
    }
    auto c = decode<schemas::coupon_record>(**raw);
    if (!c) {
      return c.err();
    }
    if (c->state == "redeemed") {
      out.status = c->order_id == order_id ? redeem_status::same_order : redeem_status::other_order;
      out.coupon = std::move(*c);
      return out;
    }
    if (state_at(*c, now_ms) == "expired") {
      out.status = redeem_status::expired;
      out.coupon = std::move(*c);
      return out;
    }
    auto next = *c;
    next.state = "redeemed";
    next.order_id = order_id;
    next.redeemed_at_ms = now_ms;
    auto swapped = st.compare_and_set(coupon_key(code), **raw, encode(next));
    if (!swapped) {
      return swapped.err();
    }
    if (*swapped) {
      // Counted after the swap: a crash in between loses one count, never doubles one.
      if (auto n = st.increment("campaign:" + next.campaign + ":redeemed"); !n) {
        return n.err();
      }
      out.status = redeem_status::redeemed;
      out.coupon = std::move(next);
      return out;
    }
  }
  return error{errc::timeout, "coupon " + code + ": too many concurrent redemptions"};
}

}  // namespace sb::coupons
