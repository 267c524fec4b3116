#pragma once

#include <map>
#include <string>
#include <vector>

namespace sb::churn {

/// What the churn model looks at, per conversation and person. The conversation actor fills it
/// after each message and passes to_map() of it to score(); the names of feature_names() are the
/// contract between the model file (config/churn-model.yaml) and this online scorer, and the
/// column names of the training CSV. A plain value: copy it freely.
struct features {
  double conversation_length = 0;        ///< messages from the person this session
  double conversation_duration_min = 0;  ///< minutes since the session started
  double question_rate = 0;              ///< questions / messages (0..1)
  double unresolved_turns = 0;           ///< consecutive turns the bot could not answer
  double negative_share = 0;             ///< negative-sentiment messages / messages (0..1)
  double price_objections = 0;           ///< messages objecting to a price this session
  double days_since_last_order = 0;      ///< 365 when never ordered (capped at 365)
  double order_count = 0;                ///< orders the person ever placed
  double tier = 0;                       ///< regular 0, silver 1, gold 2, platinum 3
};

/// The cap of features::days_since_last_order, also its value for a person who never ordered.
constexpr double never_ordered_days = 365;

/// Returns the names of the fields of `features`, in declaration order. Static storage: the
/// reference stays valid for the program's life and may be read from any thread.
const std::vector<std::string>& feature_names();

/// Returns every feature of `f` by its name in feature_names().
std::map<std::string, double> to_map(const features& f);

}  // namespace sb::churn
