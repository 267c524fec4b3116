#pragma once

// Private to runtime/config/ (and its tests): the declaration table behind `node_config`.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/config/node_config.hpp"
#include "runtime/result.hpp"

namespace sb::detail {

/// The kind of value an option holds; it decides how the option's text is parsed and checked.
enum class option_type { string, integer, duration, enumeration };

/// One declared option: its dotted key, the `node_config` member it fills, its type and its rules.
/// Instances live in the static table of `option_table()` and never change after start-up, so
/// they may be read from any thread.
struct option_decl {
  using string_member = std::string node_config::*;
  using integer_member = int64_t node_config::*;
  using duration_member = std::chrono::milliseconds node_config::*;
  using member_ptr = std::variant<string_member, integer_member, duration_member>;
  /// An extra rule for a string option: returns true if `text` is acceptable.
  using check_fn = bool (*)(std::string_view text);

  std::string_view key;          ///< Dotted YAML path, e.g. "store.redis.port".
  std::string_view description;  ///< One sentence.
  option_type type = option_type::string;
  member_ptr member;                      ///< Matches `type`: a string member for enumerations.
  int64_t min = 0;                        ///< integer: lowest value; duration: shortest, in ms.
  int64_t max = 0;                        ///< integer: highest value.
  std::vector<std::string_view> choices;  ///< enumeration: the allowed values.
  check_fn check = nullptr;               ///< string: optional extra rule...
  std::string_view shape;                 ///< ...and what it accepts, e.g. "host:port".

  /// Parses `text` (a YAML null is passed as "") and stores it in `cfg`. Returns config_bad_value
  /// with a reason of the form "expected …, found …" when the text does not fit; `cfg` is then
  /// unchanged.
  [[nodiscard]] result<void> assign(node_config& cfg, std::string_view text) const;

  /// Returns this option's value in `cfg` as it would be written in YAML (quoted when needed).
  [[nodiscard]] std::string format(const node_config& cfg) const;

  /// Returns "string", "integer", "duration" or "enum(a|b)".
  [[nodiscard]] std::string type_name() const;

  /// Returns what a valid value looks like, e.g. "an integer from 1 to 65535".
  [[nodiscard]] std::string expected() const;

  /// Returns the environment variable that sets this option, e.g. SWITCHBOARD_STORE__REDIS__HOST.
  [[nodiscard]] std::string env_name() const;
};

/// Returns every declared option, in declaration order (the order of config/node.example.yaml).
const std::vector<option_decl>& option_table();

/// Returns the option with this dotted key, or nullptr when none is declared.
const option_decl* find_option(std::string_view key);

/// Returns true if `path` is a section: a proper dotted prefix of some key ("store",
/// "store.redis").
bool is_option_section(std::string_view path);

}  // namespace sb::detail
