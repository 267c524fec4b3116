#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/conversation/nlu/phrase_index.hpp"
#include "actors/conversation/nlu/segmenter.hpp"
#include "runtime/result.hpp"

namespace sb::nlu {

/// What a shopper wants from one message; the bot and the hand-off rules switch on it.
enum class intent_kind {
  unknown,          ///< No intent matched: the bot asks again or falls back.
  greeting,         ///< "你好", "hello".
  product_inquiry,  ///< Asking about or for a product: "我想买一款降噪耳机".
  price_question,   ///< Price, discounts, or an objection to the price: "太贵了".
  order_status,     ///< Where an order is: "我的订单到哪了".
  complaint,        ///< Dissatisfaction to handle with care: "质量太差了，我要投诉".
  ask_human,        ///< Asking for a human agent: "转人工", "real person please".
  thanks_bye,       ///< Thanks or goodbye: "谢谢，再见".
};

/// Returns the name of an intent as written in intents.yaml ("price_question").
std::string_view to_string(intent_kind kind) noexcept;

/// Returns the intent called `name`, or nothing.
std::optional<intent_kind> intent_from_string(std::string_view name) noexcept;

/// What understand() made of one message.
struct understanding {
  intent_kind intent = intent_kind::unknown;
  /// How sure the match is, 0..1 (0 for unknown): 0.5 + 0.4 × the share of the message's
  /// meaningful tokens (not `ignored_words`) that the intent's words cover + 0.1 × how much
  /// evidence there is beyond one keyword (capped at 1), less 0.15 when another intent of the same
  /// priority matched too.
  double confidence = 0.0;
  std::vector<std::string> tokens;   ///< the message's words, as segmenter::cut() returns them
  std::vector<std::string> matched;  ///< the winning intent's words found, as written in the file
};

/// The intents of config/intents.yaml, ready for matching: for each intent its keywords, the
/// words of which one is required, and its priority (see the file for the rules). Loaded once at
/// start-up, then read-only, so one instance is shared by every conversation on any thread.
class intent_model {
 public:
  /// Returns every keyword and required word as written (for as_domain_words()).
  [[nodiscard]] std::vector<std::string> words() const;

 private:
  friend result<intent_model> load_intents(const std::string& path);
  friend understanding understand(const intent_model& model,
                                  const std::vector<std::string>& tokens);

  // -- one intent of the file -------------------------------------------------
  struct rule {
    intent_kind kind;
    int priority = 0;
    bool has_requires = false;
  };
  // -- one word or phrase, the id of its entries in phrases_ ------------------
  struct phrase {
    size_t rule;
    std::string text;  // as written
    bool required;     // listed under `requires`
  };

  std::vector<rule> rules_;  // in file order, which breaks the last ties
  std::vector<phrase> phrases_;
  phrase_index index_;
  phrase_index ignored_;
};

/// Returns the intents of the YAML file at `path`; every problem is reported as
/// `file:line:column: key: reason` (config_io, config_syntax, config_unknown_key for an unknown key
/// or intent name, config_bad_value), one per line.
result<intent_model> load_intents(const std::string& path);

/// Returns the intent of a message already cut into `tokens`.
understanding understand(const intent_model& model, const std::vector<std::string>& tokens);

/// Returns the intent of `text`, cut with `seg`.
understanding understand(const intent_model& model, const segmenter& seg, std::string_view text);

}  // namespace sb::nlu
