#include "actors/campaign/discount.hpp"

#include <algorithm>
#include <cmath>

namespace sb::campaigns {

double discount_for(const coupon_action& coupon, double order_total) {
  if (!(order_total > 0) || order_total < coupon.min_spend) {
    return 0;
  }
  double off = coupon.amount;
  if (coupon.percent > 0) {
    // Money is counted in cents; half a cent rounds up, as on a till.
    off = std::round(order_total * coupon.percent) / 100.0;
    if (coupon.max_discount > 0) {
      off = std::min(off, coupon.max_discount);
    }
  }
  return std::min(off, order_total);
}

double face_value(const coupon_action& coupon) {
  return coupon.percent > 0 ? coupon.max_discount : coupon.amount;
}

}  // namespace sb::campaigns
