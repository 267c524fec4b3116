#pragma once

#include "actors/campaign/actions.hpp"

namespace sb::campaigns {

/// Returns the discount `coupon` gives on an order of `order_total`: nothing below min_spend;
/// otherwise the amount, or percent × total rounded to the cent and capped by max_discount (when
/// set); never more than the total itself. Pure.
double discount_for(const coupon_action& coupon, double order_total);

/// Returns what issuing `coupon` counts against limits.budget.value: its amount, or for a percent
/// coupon its max_discount (the most it can cost; the loader requires one when a value budget is
/// set).
double face_value(const coupon_action& coupon);

}  // namespace sb::campaigns
