#include "actors/churn/features.hpp"

namespace sb::churn {

const std::vector<std::string>& feature_names() {
  static const std::vector<std::string> names{"conversation_length",
                                              "conversation_duration_min",
                                              "question_rate",
                                              "unresolved_turns",
                                              "negative_share",
                                              "price_objections",
                                              "days_since_last_order",
                                              "order_count",
                                              "tier"};
  return names;
}

std::map<std::string, double> to_map(const features& f) {
  // Same order as feature_names(); features_test checks that the two agree.
  const double values[] = {f.conversation_length,
                           f.conversation_duration_min,
                           f.question_rate,
                           f.unresolved_turns,
                           f.negative_share,
                           f.price_objections,
                           f.days_since_last_order,
                           f.order_count,
                           f.tier};
  std::map<std::string, double> out;
  const auto& names = feature_names();
  for (size_t i = 0; i < names.size(); ++i) {
    out.emplace(names[i], values[i]);
  }
  return out;
}

}  // namespace sb::churn
