#include "actors/user/attribution.hpp"

#include <algorithm>
#include <set>

namespace sb::attribution {

void add_touchpoint(std::vector<schemas::touchpoint>& tps, schemas::touchpoint tp) {
  auto same = [&](const schemas::touchpoint& t) {
    return t.kind == tp.kind && t.at_ms == tp.at_ms && t.campaign == tp.campaign &&
           t.skus == tp.skus && t.code == tp.code;
  };
  if (std::any_of(tps.begin(), tps.end(), same)) {
    return;
  }
  auto at = std::upper_bound(tps.begin(), tps.end(), tp.at_ms,
                             [](int64_t t, const schemas::touchpoint& x) { return t < x.at_ms; });
  tps.insert(at, std::move(tp));
  if (tps.size() > max_touchpoints) {
    tps.erase(tps.begin());
  }
}

std::optional<size_t> click_target(const std::vector<schemas::touchpoint>& tps,
                                   const std::string& sku, int64_t at_ms, int64_t window_ms) {
  for (size_t i = tps.size(); i-- > 0;) {
    const auto& t = tps[i];
    if (t.kind != "recommendation" || t.clicked || t.at_ms > at_ms || at_ms - t.at_ms > window_ms) {
      continue;
    }
    if (std::find(t.skus.begin(), t.skus.end(), sku) != t.skus.end()) {
      return i;
    }
  }
  return std::nullopt;
}

order_outcome attribute(const std::vector<schemas::touchpoint>& tps,
                        const schemas::business_event& order, const std::string& user,
                        int64_t window_ms) {
  order_outcome out;
  auto& a = out.attribution;
  a.order_id = order.order_id;
  a.user = user;
  a.amount = order.amount;
  a.currency = order.currency.empty() ? "CNY" : order.currency;
  a.at_ms = order.at_ms;
  std::set<std::string> ordered(order.skus.begin(), order.skus.end());
  if (!order.sku.empty()) {
    ordered.insert(order.sku);
  }
  std::set<std::string> experiments_seen;
  bool have_reco = false;
  bool have_coupon = false;
  for (size_t i = tps.size(); i-- > 0;) {
    const auto& t = tps[i];
    if (t.at_ms > order.at_ms || order.at_ms - t.at_ms > window_ms) {
      continue;
    }
    if (!have_reco && t.kind == "recommendation" &&
        std::any_of(t.skus.begin(), t.skus.end(),
                    [&](const std::string& s) { return ordered.count(s) > 0; })) {
      have_reco = true;
      for (const auto& s : t.skus) {
        if (ordered.count(s) > 0) {
          a.recommended_sku = s;
          break;
        }
      }
      if (a.channel.empty()) {
        a.channel = t.channel;
        a.conversation_id = t.conversation_id;
      }
    }
    if (!have_coupon && t.kind == "coupon") {
      have_coupon = true;
      a.coupon_code = t.code;
      a.campaign = t.campaign;
      if (a.channel.empty()) {
        a.channel = t.channel;
        a.conversation_id = t.conversation_id;
      }
    }
    if (!t.experiment.empty() && experiments_seen.insert(t.experiment).second) {
      if (a.experiment.empty()) {
        a.experiment = t.experiment;
        a.variant = t.variant;
      }
      if (!t.converted) {
        out.conversions.push_back(i);
      }
    }
  }
  return out;
}

}  // namespace sb::attribution
