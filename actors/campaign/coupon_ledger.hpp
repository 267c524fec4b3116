#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "runtime/store.hpp"
#include "schemas/marketing.hpp"

namespace sb::coupons {

/// The coupon ledger: coupons live in the store, shared by every node, so that the redeem API,
/// the campaign actors and the operator CLI see one truth. Issuing is one atomic store claim (see
/// store::claim) that checks the per-person limit and the campaign's budget and writes the coupon
/// and the person's index together; redeeming is a compare-and-set from "issued" to "redeemed".
/// Plain functions over a store: thread-safe as the store is.

/// Store keys of the ledger.
std::string coupon_key(const std::string& code);
std::string user_index_key(const std::string& user);

/// What a campaign firing asks of the ledger.
struct issue_request {
  std::string campaign;
  std::string user;
  std::string firing;  ///< Identifies the firing (its arming time): a retry passes the same one.
  int64_t per_person = 0;                        ///< Firings allowed per person; 0: unlimited.
  int64_t budget_count = 0;                      ///< Coupons allowed in total; 0: unlimited.
  double budget_value = 0;                       ///< Total face value allowed; 0: unlimited.
  std::optional<schemas::coupon_record> coupon;  ///< nullopt: a firing without a coupon.
};

/// The outcome of one firing: `fired` (first time), `repeated` (a retry of a firing that already
/// happened: the same coupon), `per_person_limit`, `budget_exhausted`.
enum class issue_status { fired, repeated, per_person_limit, budget_exhausted };

struct issue_outcome {
  issue_status status = issue_status::fired;
  std::optional<schemas::coupon_record> coupon;  ///< The coupon of this firing, if it has one.
};

/// Returns the face value a coupon counts against a budget: its amount, or the cap of a percent
/// coupon (a percent coupon without a cap counts 0).
double face_value(const schemas::coupon_record& c);

/// Claims a firing (and issues its coupon) exactly once per (campaign, person, firing) within the
/// limits, in one atomic store step.
result<issue_outcome> issue(store& st, const issue_request& req);

/// Returns the coupon with `code`, or nullopt.
result<std::optional<schemas::coupon_record>> find(store& st, const std::string& code);

/// Returns the person's coupons, newest first.
result<std::vector<schemas::coupon_record>> list_for_user(store& st, const std::string& user);

/// Returns how many of the person's coupons from `campaign` are issued, unredeemed and unexpired.
result<int64_t> unused_count(store& st, const std::string& user, const std::string& campaign,
                             int64_t now_ms);

/// What a campaign's coupons amount to, from the ledger's counters (shared by every node).
struct campaign_totals {
  int64_t issued = 0;       ///< Coupons issued (the budget's count).
  double issued_value = 0;  ///< Their face value (the budget's value).
  int64_t redeemed = 0;     ///< Coupons redeemed.
};

/// Returns the totals of `campaign`.
result<campaign_totals> totals_of(store& st, const std::string& campaign);

/// Returns "issued", "redeemed" or "expired" for a coupon at `now_ms`.
std::string state_at(const schemas::coupon_record& c, int64_t now_ms);

/// The outcome of a redemption: `redeemed` (now), `same_order` (this order redeemed it before:
/// the same answer again), `other_order` (another order did), `expired`, `not_found`.
enum class redeem_status { redeemed, same_order, other_order, expired, not_found };

struct redeem_outcome {
  redeem_status status = redeem_status::not_found;
  std::optional<schemas::coupon_record> coupon;  ///< The coupon after the attempt.
};

/// Redeems the coupon `code` for `order_id` exactly once, under concurrent attempts from any node.
result<redeem_outcome> redeem(store& st, const std::string& code, const std::string& order_id,
                              int64_t now_ms);

}  // namespace sb::coupons
