#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb::yaml {

/// One key of a YAML map with its value, the key's dotted path (`intents.greeting.priority`) and
/// the mark to report problems at.
struct yaml_entry {
  std::string key;
  std::string path;
  YAML::Node key_node;
  YAML::Node value;
};

/// A word or phrase read from a list, with where it was written.
struct located_string {
  std::string text;
  std::string path;  ///< e.g. `intents.greeting.keywords[3]`
  YAML::Mark mark;
};

/// Reads a YAML data file (intents, lexicon, FAQ, campaigns, experiments, churn model) and collects
/// every problem as `file:line:column: key: reason` (1-based), so that one load reports them all.
/// Used by one loader at a time, on the loading thread; yaml-cpp never shows past the loaders.
class yaml_reader {
 public:
  explicit yaml_reader(std::string file) : file_(std::move(file)) {}

  /// Returns the file's single document, or nothing after noting why (config_io, config_syntax).
  std::optional<YAML::Node> parse();

  /// Notes a problem at `mark`; `path` may be empty for the document itself.
  void fail(errc code, const YAML::Mark& mark, std::string_view path, std::string_view reason);

  /// Returns the entries of the map `node` (at `path`, "" for the root), noting one problem for a
  /// node that is not a map, for each key not in `allowed` (unless `allowed` is empty) and for a
  /// key given twice. `where` is the mark to use when `node` is null.
  std::vector<yaml_entry> entries(const YAML::Node& node, const std::string& path,
                                  std::initializer_list<std::string_view> allowed,
                                  const YAML::Mark& where);

  /// Returns the mark of the value of `e`, or of its key when the value is empty (yaml-cpp marks
  /// an empty value at the next token, which would point at the wrong line).
  static YAML::Mark mark_of(const yaml_entry& e);

  /// Returns the value of `e` as a non-empty string, or nothing after noting the problem.
  std::optional<std::string> string_of(const yaml_entry& e);

  /// Returns the value of `e` as a number in [min, max], or nothing after noting the problem.
  std::optional<double> number_of(const yaml_entry& e, double min, double max);

  /// Returns the value of `e` as a whole number in [min, max], or nothing after noting it.
  std::optional<int64_t> integer_of(const yaml_entry& e, int64_t min, int64_t max);

  /// Returns the items of the list `node` (at `path`) as non-empty strings, noting each item that
  /// is not one; a lone string is taken as a list of one when `lone_ok`.
  std::vector<located_string> strings_of(const YAML::Node& node, const std::string& path,
                                         const YAML::Mark& where, bool lone_ok = false);

  /// Returns "file:line:column" (1-based, the column in characters) for a 0-based mark.
  [[nodiscard]] std::string at(const YAML::Mark& mark) const;

  /// Returns the file name given to the constructor.
  [[nodiscard]] const std::string& file() const noexcept { return file_; }

  /// Returns whether no problem was noted.
  [[nodiscard]] bool ok() const noexcept { return problems_.empty(); }

  /// Returns every problem in one error, one per line in the order of the file, with the code of
  /// the first noted.
  [[nodiscard]] error to_error() const;

 private:
  struct problem {
    YAML::Mark mark;
    std::string line;
  };

  std::string file_;
  std::string text_;  // the file's bytes, to turn yaml-cpp's byte columns into characters
  errc first_code_ = errc::ok;
  std::vector<problem> problems_;
};

/// Returns "a map", "a list", "a string" or "nothing" for a node, for error messages.
std::string_view kind_of(const YAML::Node& node);

}  // namespace sb::yaml
