#include "runtime/demo/scenario.hpp"

#include <cmath>
#include <map>
#include <set>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "runtime/config/node_config.hpp"

namespace sb {

namespace {

std::string where(const std::string& path, const YAML::Node& n) {
  auto m = n.Mark();
  return path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

error bad(const std::string& path, const YAML::Node& n, const std::string& what) {
  return error{errc::config_bad_value, where(path, n) + ": " + what};
}

// as<std::string>() throws on a key that is not a scalar ("[a]: b"); that must be an error value.
result<std::string> key_text(const std::string& path, const YAML::Node& key) {
  if (!key.IsScalar()) {
    return bad(path, key, "a key must be text");
  }
  return key.as<std::string>();
}

result<scenario_step> parse_say(const std::string& path, const YAML::Node& say) {
  if (!say.IsMap()) {
    return bad(path, say, "say: expected a map with channel, person, text");
  }
  scenario_step step;
  step.what = scenario_step::kind::say;
  for (const auto& kv : say) {
    auto key_or = key_text(path, kv.first);
    if (!key_or) {
      return key_or.err();
    }
    const auto& key = *key_or;
    if (!kv.second.IsScalar()) {
      return bad(path, kv.second, "say." + key + ": expected text");
    }
    auto value = kv.second.as<std::string>();
    if (key == "channel") {
      step.channel = value;
    } else if (key == "person") {
      step.person = value;
    } else if (key == "text") {
      step.text = value;
    } else if (key == "id") {
      step.client_msg_id = value;
    } else {
      return bad(path, kv.first, "say." + key + ": unknown key (channel, person, text, id)");
    }
  }
  if (step.channel.empty() || step.person.empty() || step.text.empty()) {
    return bad(path, say, "say: channel, person and text are required");
  }
  return step;
}

// A YAML scalar as JSON: numbers and booleans as such, everything else as text.
nlohmann::json scalar_json(const YAML::Node& n) {
  auto text = n.as<std::string>();
  if (n.Tag() == "!") {
    return text;  // quoted in the file: keep it text
  }
  if (text == "true" || text == "false") {
    return text == "true";
  }
  char* end = nullptr;
  auto i = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && end != nullptr && *end == '\0') {
    return i;
  }
  auto d = std::strtod(text.c_str(), &end);
  if (!text.empty() && end != nullptr && *end == '\0') {
    return d;
  }
  return text;
}

// Reads a map step's fields: scalars, or lists of scalars where `lists` allows; checks the keys.
result<std::map<std::string, YAML::Node>> fields_of(const std::string& path,
                                                    const std::string& step, const YAML::Node& body,
                                                    const std::set<std::string>& allowed,
                                                    const std::set<std::string>& required,
                                                    const std::set<std::string>& lists = {}) {
  if (!body.IsMap()) {
    return bad(path, body, step + ": expected a map");
  }
  std::map<std::string, YAML::Node> out;
  for (const auto& kv : body) {
    auto key = key_text(path, kv.first);
    if (!key) {
      return key.err();
    }
    if (allowed.count(*key) == 0) {
      std::string names;
      for (const auto& a : allowed) {
        names += (names.empty() ? "" : ", ") + a;
      }
      return bad(path, kv.first, step + "." + *key + ": unknown key (" + names + ")");
    }
    YAML::Node value = kv.second;
    bool is_list = lists.count(*key) > 0;
    if (is_list ? !value.IsSequence() : !value.IsScalar()) {
      return bad(path, value,
                 step + "." + *key + (is_list ? ": expected a list" : ": expected text"));
    }
    if (is_list) {
      // Items are read with as<std::string>() later, which throws on anything but a scalar.
      for (const auto& item : value) {
        if (!item.IsScalar()) {
          return bad(path, item, step + "." + *key + ": expected a list of text");
        }
      }
    }
    out[*key] = value;
  }
  for (const auto& r : required) {
    if (out.count(r) == 0) {
      return bad(path, body, step + ": " + r + " is required");
    }
  }
  return out;
}

std::string text_of(std::map<std::string, YAML::Node>& f, const char* key) {
  auto i = f.find(key);
  return i == f.end() ? std::string{} : i->second.as<std::string>();
}

result<scenario_step> parse_event(const std::string& path, const YAML::Node& body) {
  static const std::set<std::string> allowed{
      "type",  "id",       "user",  "order_id",   "amount",          "currency", "skus", "sku",
      "brand", "category", "price", "identities", "conversation_id", "score",    "tier"};
  auto f = fields_of(path, "event", body, allowed, {"type", "id"}, {"skus", "identities"});
  if (!f) {
    return f.err();
  }
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : *f) {
    auto name = key == "id" ? std::string{"event_id"} : key;
    if (value.IsSequence()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& item : value) {
        list.push_back(item.as<std::string>());
      }
      j[name] = list;
    } else if (key == "amount" || key == "price" || key == "score") {
      // Checked here so that a typo stops the scenario at load, not halfway through the demo.
      auto number = scalar_json(value);
      bool whole = key == "score";
      bool ok = whole ? number.is_number_integer()
                      : number.is_number() && std::isfinite(number.get<double>());
      if (!ok) {
        return bad(path, value,
                   "event." + key + (whole ? ": expected a whole number" : ": expected a number"));
      }
      j[name] = number;
    } else {
      j[name] = value.as<std::string>();
    }
  }
  scenario_step step;
  step.what = scenario_step::kind::event;
  step.event_json = j.dump();
  return step;
}

result<scenario_step> parse_desk(const std::string& path, const std::string& name,
                                 const YAML::Node& body) {
  scenario_step step;
  if (name == "agent") {
    auto f =
        fields_of(path, name, body, {"id", "skills", "max_chats", "presence"}, {"id"}, {"skills"});
    if (!f) {
      return f.err();
    }
    step.what = scenario_step::kind::agent;
    step.agent = text_of(*f, "id");
    if (auto s = f->find("skills"); s != f->end()) {
      for (const auto& item : s->second) {
        step.skills.push_back(item.as<std::string>());
      }
    }
    if (auto m = f->find("max_chats"); m != f->end()) {
      auto v = scalar_json(m->second);
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        return bad(path, m->second, "agent.max_chats: expected a whole number");
      }
      step.max_chats = v.get<int64_t>();
    }
    if (f->count("presence")) {
      step.presence = text_of(*f, "presence");
      // The agent desk's presences (agent_pool_logic); anything else it would refuse mid-demo.
      if (step.presence != "online" && step.presence != "away" && step.presence != "offline") {
        return bad(path, f->at("presence"), "agent.presence: expected online, away or offline");
      }
    }
    return step;
  }
  bool says = name == "agent_says";
  auto keys = says ? std::set<std::string>{"agent", "conversation", "text"}
                   : std::set<std::string>{"agent", "conversation"};
  auto f = fields_of(path, name, body, keys, keys);
  if (!f) {
    return f.err();
  }
  step.what = name == "accept" ? scenario_step::kind::accept
              : says           ? scenario_step::kind::agent_says
                               : scenario_step::kind::close;
  step.agent = text_of(*f, "agent");
  step.conversation = text_of(*f, "conversation");
  step.text = text_of(*f, "text");
  return step;
}

result<scenario_step> parse_step(const std::string& path, const YAML::Node& item) {
  if (!item.IsMap() || item.size() != 1) {
    return bad(path, item,
               "a step is a map with exactly one of: say, advance, note, event, agent, accept, "
               "agent_says, close, redeem");
  }
  auto kv = *item.begin();
  auto key_or = key_text(path, kv.first);
  if (!key_or) {
    return key_or.err();
  }
  const auto& key = *key_or;
  result<scenario_step> step = error{};
  if (key == "say") {
    step = parse_say(path, kv.second);
  } else if (key == "event") {
    step = parse_event(path, kv.second);
  } else if (key == "agent" || key == "accept" || key == "agent_says" || key == "close") {
    step = parse_desk(path, key, kv.second);
  } else if (key == "redeem") {
    auto keys = std::set<std::string>{"user", "order_id"};
    auto f = fields_of(path, key, kv.second, keys, keys);
    if (!f) {
      return f.err();
    }
    scenario_step s;
    s.what = scenario_step::kind::redeem;
    s.user = text_of(*f, "user");
    s.order_id = text_of(*f, "order_id");
    step = s;
  } else if (key == "advance" || key == "note") {
    if (!kv.second.IsScalar()) {
      return bad(path, kv.second, key + ": expected text");
    }
    scenario_step s;
    if (key == "note") {
      s.what = scenario_step::kind::note;
      s.note = kv.second.as<std::string>();
    } else {
      auto d = parse_duration(kv.second.as<std::string>());
      if (!d) {
        return bad(path, kv.second, "advance: " + d.err().message);
      }
      s.what = scenario_step::kind::advance;
      s.advance_ms = d->count();
    }
    step = s;
  } else {
    return bad(
        path, kv.first,
        key +
            ": unknown step (say, advance, note, event, agent, accept, agent_says, close, redeem)");
  }
  if (step) {
    step->line = kv.first.Mark().line + 1;
  }
  return step;
}

}  // namespace

result<scenario> load_scenario(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return error{errc::config_io, path + ": cannot read the scenario file"};
  } catch (const YAML::Exception& e) {
    return error{errc::config_syntax, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                          std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
  if (!root.IsMap()) {
    return error{errc::config_bad_value, path + ": expected a map with name and steps"};
  }
  scenario out;
  for (const auto& kv : root) {
    auto key_or = key_text(path, kv.first);
    if (!key_or) {
      return key_or.err();
    }
    const auto& key = *key_or;
    if (key == "name" && kv.second.IsScalar()) {
      out.name = kv.second.as<std::string>();
    } else if (key == "steps" && kv.second.IsSequence()) {
      for (const auto& item : kv.second) {
        auto step = parse_step(path, item);
        if (!step) {
          return step.err();
        }
        out.steps.push_back(std::move(*step));
      }
    } else if (key == "name" || key == "steps") {
      return bad(path, kv.second, key + ": wrong type");
    } else {
      return bad(path, kv.first, key + ": unknown key (name, steps)");
    }
  }
  if (out.steps.empty()) {
    return error{errc::config_bad_value, path + ": the scenario has no steps"};
  }
  return out;
}

}  // namespace sb
