#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// The bot's lines by situation (config/replies.yaml), with `{placeholder}` fields. Read-only after
/// loading; shared by every conversation of a node.
class reply_scripts {
 public:
  /// Loads the file; every known key must be present, unknown keys are errors (file:line:column).
  static result<reply_scripts> load(const std::string& path);

  /// Returns the line for `key` with each `{name}` replaced by `values[name]`.
  [[nodiscard]] std::string render(const std::string& key,
                                   const std::map<std::string, std::string>& values = {}) const;

  /// The keys every scripts file must define.
  static const std::vector<std::string>& keys();

 private:
  std::map<std::string, std::string> lines_;
};

}  // namespace sb
