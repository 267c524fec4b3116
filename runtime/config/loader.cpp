#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <system_error>

#include "runtime/config/node_config.hpp"
#include "runtime/config/options.hpp"

extern char** environ;  // POSIX leaves declaring it to the program

namespace sb {

namespace {

using detail::find_option;
using detail::option_table;

constexpr std::string_view env_prefix = "SWITCHBOARD_";

// -- problems -------------------------------------------------------------------------------------

// Every problem is collected so that one start-up shows all of them, not one per attempt.
class problem_list {
 public:
  void add(errc code, std::string line) {
    if (lines_.empty()) {
      first_code_ = code;
    }
    lines_.push_back(std::move(line));
  }

  [[nodiscard]] bool empty() const { return lines_.empty(); }

  [[nodiscard]] error to_error() const {
    std::string message;
    for (const auto& line : lines_) {
      message += message.empty() ? "" : "\n";
      message += line;
    }
    return error{first_code_, std::move(message)};
  }

 private:
  errc first_code_ = errc::ok;
  std::vector<std::string> lines_;
};

// -- suggestions ----------------------------------------------------------------------------------

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("hots" -> "host").
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Returns " (did you mean X?)" for the closest candidate within two edits, or "".
std::string suggestion(std::string_view unknown, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    auto distance = edit_distance(unknown, candidate);
    if (distance < best_distance && distance < unknown.size()) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best == nullptr ? std::string{} : " (did you mean " + *best + "?)";
}

// Keys and sections, for suggesting a replacement for an unknown YAML key or --set key.
std::vector<std::string> known_paths() {
  std::vector<std::string> out;
  for (const auto& opt : option_table()) {
    for (size_t dot = opt.key.find('.'); dot != std::string_view::npos;
         dot = opt.key.find('.', dot + 1)) {
      out.emplace_back(opt.key.substr(0, dot));
    }
    out.emplace_back(opt.key);
  }
  return out;
}

// -- the file -------------------------------------------------------------------------------------

std::string_view kind_of(const YAML::Node& node) {
  if (node.IsMap()) {
    return "a map";
  }
  if (node.IsSequence()) {
    return "a sequence";
  }
  if (node.IsNull()) {
    return "nothing";
  }
  return "a scalar";
}

// Reads one YAML document into a node_config, noting every problem with its file:line:column.
class file_reader {
 public:
  file_reader(const std::string& file, node_config& cfg, problem_list& problems)
      : file_(file), cfg_(cfg), problems_(problems) {}

  void read(const YAML::Node& root) {
    if (root.IsNull()) {
      return;  // an empty file (or one with only comments) keeps the defaults
    }
    if (!root.IsMap()) {
      problems_.add(errc::config_bad_value, at(root.Mark()) + ": expected a map of sections " +
                                                "such as node: and store:, found " +
                                                std::string{kind_of(root)});
      return;
    }
    read_map(root, "");
  }

  // Returns "file:line:column" (1-based) for a yaml-cpp mark (0-based).
  std::string at(const YAML::Mark& mark) const {
    if (mark.is_null()) {
      return file_;
    }
    return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }

 private:
  void read_map(const YAML::Node& map, const std::string& prefix) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      // Copies: the iterator hands out a temporary pair, so references to it would dangle.
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) {
        problems_.add(errc::config_bad_value,
                      at(key.Mark()) + ": expected a key name, found " + std::string{kind_of(key)});
        continue;
      }
      const std::string path = prefix.empty() ? key.Scalar() : prefix + "." + key.Scalar();
      // yaml-cpp puts the mark of a null value at the next token, so point at the key instead.
      const std::string value_at = at(value.IsNull() ? key.Mark() : value.Mark());
      if (const auto* opt = find_option(path)) {
        if (!first_time(path, key.Mark())) {
          continue;
        }
        if (value.IsMap() || value.IsSequence()) {
          problems_.add(errc::config_bad_value, value_at + ": " + path + ": expected " +
                                                    opt->expected() + ", found " +
                                                    std::string{kind_of(value)});
        } else if (auto ok = opt->assign(cfg_, value.IsNull() ? "" : value.Scalar()); !ok) {
          problems_.add(errc::config_bad_value, value_at + ": " + path + ": " + ok.err().message);
        }
      } else if (detail::is_option_section(path)) {
        if (!first_time(path, key.Mark())) {
          continue;
        }
        if (value.IsMap()) {
          read_map(value, path);
        } else if (!value.IsNull()) {  // a section with every key commented out is fine
          auto what = value.IsScalar() ? "\"" + value.Scalar() + "\"" : std::string{kind_of(value)};
          problems_.add(errc::config_bad_value, value_at + ": " + path + ": expected a map of " +
                                                    path + ".* options, found " + what);
        }
      } else {
        static const auto candidates = known_paths();
        problems_.add(errc::config_unknown_key, at(key.Mark()) + ": " + path + ": unknown key" +
                                                    suggestion(path, candidates));
      }
    }
  }

  // YAML forbids duplicate keys but yaml-cpp keeps both; the second would silently win.
  bool first_time(const std::string& path, const YAML::Mark& mark) {
    auto [it, inserted] = seen_.emplace(path, mark);
    if (!inserted) {
      problems_.add(errc::config_syntax, at(mark) + ": " + path + ": set twice; first at line " +
                                             std::to_string(it->second.line + 1) + ", column " +
                                             std::to_string(it->second.column + 1));
    }
    return inserted;
  }

  const std::string& file_;
  node_config& cfg_;
  problem_list& problems_;
  std::map<std::string, YAML::Mark> seen_;
};

void apply_file(const std::string& file, node_config& cfg, problem_list& problems) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    problems.add(errc::config_io, file + ": cannot read: is a directory");
    return;
  }
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    const int err = errno;
    problems.add(errc::config_io, file + ": cannot open: " + std::generic_category().message(err));
    return;
  }
  std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  if (in.bad()) {
    problems.add(errc::config_io, file + ": cannot read");
    return;
  }
  file_reader reader{file, cfg, problems};
  try {
    auto documents = YAML::LoadAll(text);
    if (documents.empty()) {
      return;
    }
    if (documents.size() > 1) {
      problems.add(errc::config_syntax, reader.at(documents[1].Mark()) +
                                            ": expected one YAML document, found " +
                                            std::to_string(documents.size()));
    }
    reader.read(documents.front());
  } catch (const YAML::Exception& e) {
    problems.add(errc::config_syntax, reader.at(e.mark) + ": " + e.msg);
  }
}

// -- the environment ------------------------------------------------------------------------------

std::vector<std::string> process_environment() {
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    out.emplace_back(*entry);
  }
  return out;
}

void apply_environment(std::vector<std::string> entries, node_config& cfg, problem_list& problems) {
  std::sort(entries.begin(), entries.end());  // problems in a stable order, whatever environ's is
  std::vector<std::string> names;
  for (const auto& opt : option_table()) {
    names.push_back(opt.env_name());
  }
  for (const auto& entry : entries) {
    if (entry.compare(0, env_prefix.size(), env_prefix) != 0) {
      continue;
    }
    const auto eq = entry.find('=');
    const auto name = entry.substr(0, eq);
    const auto value = eq == std::string::npos ? std::string{} : entry.substr(eq + 1);
    const auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) {
      problems.add(errc::config_unknown_key,
                   "environment " + name + ": unknown variable" + suggestion(name, names));
      continue;
    }
    const auto& opt = option_table()[static_cast<size_t>(found - names.begin())];
    if (auto ok = opt.assign(cfg, value); !ok) {
      problems.add(errc::config_bad_value, "environment " + name + ": " + ok.err().message);
    }
  }
}

// -- --set KEY=VALUE ------------------------------------------------------------------------------

void apply_set(const std::string& arg, node_config& cfg, problem_list& problems) {
  const auto where = "--set " + arg + ": ";
  const auto eq = arg.find('=');
  if (eq == std::string::npos) {
    problems.add(errc::config_bad_value, where + "expected KEY=VALUE");
    return;
  }
  const auto key = arg.substr(0, eq);
  const auto* opt = find_option(key);
  if (opt == nullptr && detail::is_option_section(key)) {
    const auto first =
        std::find_if(option_table().begin(), option_table().end(),
                     [&](const auto& o) { return o.key.substr(0, key.size() + 1) == key + "."; });
    problems.add(errc::config_unknown_key,
                 where + key + " is a section, not a key; set one of its keys, e.g. " +
                     std::string{first->key});
    return;
  }
  if (opt == nullptr) {
    static const auto candidates = known_paths();
    problems.add(errc::config_unknown_key,
                 where + "unknown key " + key + suggestion(key, candidates));
    return;
  }
  // A YAML scalar, like in the file, so that quoting works: --set 'store.key_prefix="a: b"'.
  YAML::Node value;
  try {
    value = YAML::Load(arg.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    problems.add(errc::config_bad_value, where + "not a YAML scalar: " + e.msg);
    return;
  }
  if (value.IsMap() || value.IsSequence()) {
    problems.add(errc::config_bad_value, where + "expected " + opt->expected() + ", found " +
                                             std::string{kind_of(value)} + " (quote the value)");
    return;
  }
  if (auto ok = opt->assign(cfg, value.IsNull() ? "" : value.Scalar()); !ok) {
    problems.add(errc::config_bad_value, where + ok.err().message);
  }
}

}  // namespace

result<node_config> load_node_config(const config_sources& sources) {
  node_config cfg;
  problem_list problems;
  if (!sources.file.empty()) {
    apply_file(sources.file, cfg, problems);
  }
  if (sources.read_environment) {
    apply_environment(sources.environment ? *sources.environment : process_environment(), cfg,
                      problems);
  }
  for (const auto& arg : sources.sets) {
    apply_set(arg, cfg, problems);
  }
  if (!problems.empty()) {
    return problems.to_error();
  }
  return cfg;
}

}  // namespace sb
