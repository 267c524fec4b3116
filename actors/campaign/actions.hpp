#pragma once

#include <cstdint>
#include <string>

namespace sb::campaigns {

/// A coupon a campaign issues: a fixed `amount` off or a `percent` off (exactly one is non-zero),
/// usable on orders of at least `min_spend`, for `valid_for_ms` after it is issued. Plain value;
/// copy freely between threads.
struct coupon_action {
  double amount = 0;             ///< Money off, > 0 for an amount coupon, else 0.
  double percent = 0;            ///< Percent off, in (0, 100) for a percent coupon, else 0.
  std::string currency = "CNY";  ///< ISO 4217 code of `amount`, `min_spend`, `max_discount`.
  double min_spend = 0;          ///< Orders below this total get no discount.
  double max_discount = 0;       ///< Cap of a percent coupon's discount; 0 = no cap.
  int64_t valid_for_ms = 0;      ///< How long the coupon can be used after it is issued (> 0).
};

/// A message sent to the person: `template_text` with placeholders ({amount}, {code}, ...), or
/// the text of a variant of `experiment` when that is set (then `template_text` may be empty).
struct message_action {
  std::string template_text;  ///< Checked at load time (message_template.hpp).
  std::string experiment;     ///< Id of an experiment whose variant gives the text; "" = none.
  std::string experiment_at;  ///< "file:line:column" of `experiment`, for whoever checks the id.
};

/// Hands the conversation to a human agent.
struct handoff_action {
  int64_t priority = 50;  ///< 0..100, higher is served first.
  std::string reason;     ///< Shown to the agent and in metrics, e.g. "churn_risk".
};

/// One item of a campaign's `do` list; `type` says which of the three members is meaningful.
struct action {
  enum class kind { coupon, message, handoff };
  kind type = kind::message;
  coupon_action coupon;
  message_action message;
  handoff_action handoff;
};

}  // namespace sb::campaigns
