#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schemas/marketing.hpp"
#include "schemas/user.hpp"

namespace sb::attribution {

/// Last-touch attribution over a person's recent touchpoints (recommendations shown, coupons
/// received), oldest first, as the user actor keeps them. Pure functions on plain data.

/// How many touchpoints a person keeps (the oldest are dropped).
inline constexpr size_t max_touchpoints = 50;

/// Adds a touchpoint in time order; an identical one (same kind, time, campaign and skus) already
/// there is not added twice.
void add_touchpoint(std::vector<schemas::touchpoint>& tps, schemas::touchpoint tp);

/// Returns the index of the recommendation a click on `sku` at `at_ms` belongs to: the latest
/// recommendation of that sku at or before the click, within `window_ms`, not yet clicked.
std::optional<size_t> click_target(const std::vector<schemas::touchpoint>& tps,
                                   const std::string& sku, int64_t at_ms, int64_t window_ms);

/// What an order is attributed to, and which touchpoints' experiment variants it converts.
struct order_outcome {
  schemas::order_attribution attribution;
  std::vector<size_t> conversions;  ///< Indices of touchpoints with an experiment, not converted.
};

/// Attributes `order` (an order.placed event of the person `user`) to the latest recommendation of
/// one of its skus, the latest coupon and the latest experiment variant of each experiment, each
/// within `window_ms` before the order.
order_outcome attribute(const std::vector<schemas::touchpoint>& tps,
                        const schemas::business_event& order, const std::string& user,
                        int64_t window_ms);

}  // namespace sb::attribution
