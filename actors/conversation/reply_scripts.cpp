#include "actors/conversation/reply_scripts.hpp"

#include <algorithm>

#include <yaml-cpp/yaml.h>

namespace sb {

const std::vector<std::string>& reply_scripts::keys() {
  static const std::vector<std::string> k{
      "greeting",     "recommend", "no_match",   "price_objection", "price_question",
      "order_status", "complaint", "faq",        "handoff",         "waiting_for_agent",
      "offer_human",  "unknown",   "thanks_bye", "agent_joined",    "agent_left"};
  return k;
}

result<reply_scripts> reply_scripts::load(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return error{errc::config_io, path + ": cannot read the reply scripts"};
  } catch (const YAML::Exception& e) {
    return error{errc::config_syntax, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                          std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
  if (!root.IsMap()) {
    return error{errc::config_bad_value, path + ": expected a map of situation: line"};
  }
  reply_scripts out;
  const auto& known = keys();
  for (const auto& kv : root) {
    YAML::Node key = kv.first;
    YAML::Node value = kv.second;
    auto name = key.as<std::string>();
    auto where = path + ":" + std::to_string(key.Mark().line + 1) + ":" +
                 std::to_string(key.Mark().column + 1) + ": " + name;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return error{errc::config_unknown_key, where + ": unknown key"};
    }
    if (!value.IsScalar()) {
      return error{errc::config_bad_value, where + ": expected a line of text"};
    }
    out.lines_[name] = value.as<std::string>();
  }
  for (const auto& k : known) {
    if (out.lines_.count(k) == 0) {
      return error{errc::config_bad_value, path + ": missing key '" + k + "'"};
    }
  }
  return out;
}

std::string reply_scripts::render(const std::string& key,
                                  const std::map<std::string, std::string>& values) const {
  auto i = lines_.find(key);
  std::string text = i == lines_.end() ? std::string{} : i->second;
  for (const auto& [name, value] : values) {
    auto token = "{" + name + "}";
    for (auto pos = text.find(token); pos != std::string::npos;
         pos = text.find(token, pos + value.size())) {
      text.replace(pos, token.size(), value);
    }
  }
  return text;
}

}  // namespace sb
