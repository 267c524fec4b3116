#pragma once

#include <string>

#include "runtime/result.hpp"

namespace sb {

/// Checks every file of a folder laid out like `config/` (node.example.yaml or node.yaml when
/// present, intents.yaml, lexicon/sentiment.yaml, faq.yaml, replies.yaml, catalog.yaml,
/// campaigns/*.yaml, experiments.yaml, churn-model.yaml) the way a node loads them, without
/// starting one. Returns a one-paragraph summary of what was found, or an error listing the
/// problems as file:line:column: key: reason (for `switchboard check-config DIR`).
result<std::string> check_config_dir(const std::string& dir);

}  // namespace sb
