#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "actors/campaign/actions.hpp"
#include "runtime/result.hpp"

namespace sb::campaigns {

struct campaign_spec;

// Message templates: text with placeholders in braces, "送您一张{amount}元优惠券：{code}".
// `{{` and `}}` stand for literal braces.

/// The placeholders a template may use.
inline constexpr const char* placeholders[] = {"amount",     "percent",   "currency",
                                               "code",       "min_spend", "valid_for",
                                               "expires_at", "product",   "campaign"};

/// What render() needs beyond the campaign: the issued coupon's code, the product's name and
/// when the coupon was issued (epoch ms, for {expires_at}).
struct template_values {
  std::string code;
  std::string product;
  int64_t issued_at_ms = 0;
};

/// Returns whether `text` is a valid template for a campaign whose coupon is `coupon` (nullptr:
/// none): braces balanced, only known placeholders, coupon placeholders only with a coupon
/// ({amount} with an amount coupon, {percent} with a percent one). On failure config_bad_value
/// whose message is the reason, without location. Used by the loader and by experiment checks.
result<void> check_template(std::string_view text, const coupon_action* coupon);

/// Returns `text` with its placeholders replaced, in the campaign's locale and time zone: numbers
/// without trailing zeros ("10", "9.5"), {valid_for} as "72小时"/"72 hours", {expires_at} as
/// "2026-11-28 14:30" local. Placeholders it cannot fill (an unchecked template) stay verbatim.
std::string render(const campaign_spec& spec, std::string_view text, const template_values& values);

/// Returns a duration for people in `locale` (zh or en): "30分钟", "1小时30分钟", "72小时",
/// "7天" / "30 minutes", "1 hour 30 minutes", "72 hours", "7 days". Below four days it counts
/// hours, from four days on whole days first.
std::string spoken_duration(int64_t ms, std::string_view locale);

}  // namespace sb::campaigns
