#include "runtime/config/yaml_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

namespace sb::yaml {

namespace {

std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto name : names) {
    out += out.empty() ? "" : ", ";
    out += name;
  }
  return out;
}

std::string quoted(const YAML::Node& node) {
  return node.IsScalar() ? "\"" + node.Scalar() + "\"" : std::string{kind_of(node)};
}

}  // namespace

std::string_view kind_of(const YAML::Node& node) {
  if (node.IsMap()) {
    return "a map";
  }
  if (node.IsSequence()) {
    return "a list";
  }
  if (node.IsNull()) {
    return "nothing";
  }
  return "a string";
}

std::string yaml_reader::at(const YAML::Mark& mark) const {
  if (mark.is_null()) {
    return file_;
  }
  // yaml-cpp counts bytes; an editor counts characters, which differ in a line with Chinese.
  size_t column = static_cast<size_t>(mark.column);
  const auto pos = static_cast<size_t>(mark.pos);
  if (pos <= text_.size() && static_cast<size_t>(mark.column) <= pos) {
    column = 0;
    for (size_t i = pos - static_cast<size_t>(mark.column); i < pos; ++i) {
      column += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80 ? 1 : 0;
    }
  }
  return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(column + 1);
}

void yaml_reader::fail(errc code, const YAML::Mark& mark, std::string_view path,
                       std::string_view reason) {
  if (problems_.empty()) {
    first_code_ = code;
  }
  std::string line = at(mark) + ": ";
  if (!path.empty()) {
    line.append(path).append(": ");
  }
  line.append(reason);
  problems_.push_back({mark, std::move(line)});
}

error yaml_reader::to_error() const {
  auto sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const problem& a, const problem& b) {
    return std::make_pair(a.mark.line, a.mark.column) < std::make_pair(b.mark.line, b.mark.column);
  });
  std::string message;
  for (const auto& p : sorted) {
    message += message.empty() ? "" : "\n";
    message += p.line;
  }
  return error{first_code_, std::move(message)};
}

std::optional<YAML::Node> yaml_reader::parse() {
  std::ifstream in{file_, std::ios::binary};
  if (!in) {
    const int err = errno;
    fail(errc::config_io, YAML::Mark::null_mark(), "",
         "cannot open: " + std::generic_category().message(err));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    fail(errc::config_io, YAML::Mark::null_mark(), "", "cannot read");
    return std::nullopt;
  }
  text_ = text.str();
  try {
    auto documents = YAML::LoadAll(text_);
    if (documents.size() > 1) {
      fail(errc::config_syntax, documents[1].Mark(), "",
           "expected one YAML document, found " + std::to_string(documents.size()));
      return std::nullopt;
    }
    return documents.empty() ? YAML::Node{} : documents.front();
  } catch (const YAML::Exception& e) {
    fail(errc::config_syntax, e.mark, "", e.msg);
    return std::nullopt;
  }
}

YAML::Mark yaml_reader::mark_of(const yaml_entry& e) {
  return e.value.IsNull() ? e.key_node.Mark() : e.value.Mark();
}

std::vector<yaml_entry> yaml_reader::entries(const YAML::Node& node, const std::string& path,
                                             std::initializer_list<std::string_view> allowed,
                                             const YAML::Mark& where) {
  std::vector<yaml_entry> out;
  if (!node.IsMap()) {
    fail(errc::config_bad_value, node.IsNull() ? where : node.Mark(), path,
         "expected a map" + (allowed.size() == 0 ? std::string{} : " of " + join(allowed)) +
             ", found " + quoted(node));
    return out;
  }
  std::map<std::string, YAML::Mark> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: the iterator hands out a temporary pair, so references to it would dangle.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      fail(errc::config_bad_value, key.Mark(), path, "expected a key, found " + quoted(key));
      continue;
    }
    const std::string name = key.Scalar();
    const std::string key_path = path.empty() ? name : path + "." + name;
    if (allowed.size() > 0 &&
        std::find(allowed.begin(), allowed.end(), std::string_view{name}) == allowed.end()) {
      fail(errc::config_unknown_key, key.Mark(), key_path,
           "unknown key (expected one of " + join(allowed) + ")");
      continue;
    }
    // YAML forbids duplicate keys but yaml-cpp keeps both; the second would silently win.
    auto [first, inserted] = seen.emplace(name, key.Mark());
    if (!inserted) {
      fail(errc::config_syntax, key.Mark(), key_path,
           "given twice; first at line " + std::to_string(first->second.line + 1));
      continue;
    }
    out.push_back({name, key_path, key, value});
  }
  return out;
}

std::optional<std::string> yaml_reader::string_of(const yaml_entry& e) {
  if (!e.value.IsScalar() || e.value.Scalar().empty()) {
    fail(errc::config_bad_value, mark_of(e), e.path, "expected text, found " + quoted(e.value));
    return std::nullopt;
  }
  return e.value.Scalar();
}

std::optional<double> yaml_reader::number_of(const yaml_entry& e, double min, double max) {
  double v = 0;
  bool parsed = false;
  if (e.value.IsScalar()) {
    const auto& s = e.value.Scalar();
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    parsed = ec == std::errc{} && ptr == s.data() + s.size() && std::isfinite(v);
  }
  if (!parsed) {
    fail(errc::config_bad_value, mark_of(e), e.path, "expected a number, found " + quoted(e.value));
    return std::nullopt;
  }
  if (v < min || v > max) {
    std::ostringstream range;
    range << "must be between " << min << " and " << max << ", not " << e.value.Scalar();
    fail(errc::config_bad_value, mark_of(e), e.path, range.str());
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> yaml_reader::integer_of(const yaml_entry& e, int64_t min, int64_t max) {
  int64_t v = 0;
  bool parsed = false;
  if (e.value.IsScalar()) {
    const auto& s = e.value.Scalar();
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    parsed = ec == std::errc{} && ptr == s.data() + s.size();
  }
  if (!parsed) {
    fail(errc::config_bad_value, mark_of(e), e.path,
         "expected a whole number, found " + quoted(e.value));
    return std::nullopt;
  }
  if (v < min || v > max) {
    fail(errc::config_bad_value, mark_of(e), e.path,
         "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " +
             std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::vector<located_string> yaml_reader::strings_of(const YAML::Node& node, const std::string& path,
                                                    const YAML::Mark& where, bool lone_ok) {
  std::vector<located_string> out;
  if (lone_ok && node.IsScalar() && !node.Scalar().empty()) {
    out.push_back({node.Scalar(), path, node.Mark()});
    return out;
  }
  if (!node.IsSequence()) {
    fail(errc::config_bad_value, node.IsNull() ? where : node.Mark(), path,
         "expected a list of words, found " + quoted(node));
    return out;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const auto item_path = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar() || item.Scalar().empty()) {
      fail(errc::config_bad_value, item.IsNull() ? node.Mark() : item.Mark(), item_path,
           "expected a word or phrase, found " + quoted(item));
      continue;
    }
    out.push_back({item.Scalar(), item_path, item.Mark()});
  }
  return out;
}

}  // namespace sb::yaml
