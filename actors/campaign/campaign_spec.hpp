#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/campaign/actions.hpp"
#include "actors/campaign/conditions.hpp"
#include "runtime/result.hpp"

namespace sb::campaigns {

/// The event topics a campaign can be armed by (`on`) or cancelled by (`unless`).
inline constexpr const char* event_topics[] = {"conversation.started",
                                               "conversation.closed",
                                               "conversation.product_inquiry",
                                               "recommendation.shown",
                                               "recommendation.clicked",
                                               "handoff.requested",
                                               "churn.high_risk",
                                               "order.placed",
                                               "order.paid",
                                               "product.viewed",
                                               "csat.rated",
                                               "coupon.redeemed"};

/// One marketing campaign as written in config/campaigns/<id>.yaml (format and semantics in
/// config/campaigns/README.md): when it is armed, how long it waits, what cancels it, what must
/// hold when it fires, what it does and how often. Loaded at start-up by load_campaign_dir(), then
/// read-only: share it between threads. Holds no state; the campaign actor keeps the counts.
struct campaign_spec {
  std::string id;    ///< [a-z0-9-]+, unique across the folder.
  std::string name;  ///< For people: dashboards, {campaign}.
  std::string file;  ///< The path it was loaded from.
  bool enabled = true;
  std::string locale = "zh";                ///< zh | en: how {valid_for} is written.
  std::string time_zone = "Asia/Shanghai";  ///< Of `active` bounds and time.* facts.
  std::optional<int64_t> active_from_ms;    ///< Epoch ms of active.start; none = always was.
  std::optional<int64_t> active_until_ms;   ///< First epoch ms after active.end; none = never.
  std::vector<std::string> tiers;           ///< Audience filter; empty = every tier.
  std::vector<std::string> channels;        ///< Audience filter; empty = every channel.
  std::vector<std::string> tags;            ///< Audience filter (any of); empty = everyone.
  std::string on;                           ///< The topic that arms it.
  std::string unless;                       ///< A topic that cancels it during the wait; "".
  int64_t wait_ms = 0;                      ///< 0 = fire when armed.
  std::vector<condition> when;              ///< All must hold when it fires.
  std::vector<action> actions;              ///< At least one; at most one coupon and handoff.
  int64_t per_person = 1;                   ///< Max firings per person; 0 = unlimited.
  int64_t cooldown_ms = 0;                  ///< Min time between two firings for one person.
  int64_t budget_count = 0;                 ///< Max firings in all; 0 = unlimited.
  double budget_value = 0;                  ///< Max total face value of coupons; 0 = unlimited.

  /// Returns the campaign's coupon action, or nullptr if it issues none. Valid while *this is.
  [[nodiscard]] const coupon_action* coupon() const;
};

/// Returns the campaign in the YAML file at `path`, or one error with every problem of the file
/// as `file:line:column: key.path: reason`, one per line (config_io, config_syntax,
/// config_unknown_key, config_bad_value).
result<campaign_spec> load_campaign_file(const std::string& path);

/// Returns the campaigns of every *.yaml file of `dir`, sorted by file name (other files, such as
/// README.md, are ignored). Every problem of every file, and each id used twice, is reported in
/// one error, one per line; config_io if `dir` cannot be listed.
result<std::vector<campaign_spec>> load_campaign_dir(const std::string& dir);

}  // namespace sb::campaigns
