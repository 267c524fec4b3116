#include "runtime/demo/scenario.hpp"

#include <yaml-cpp/yaml.h>

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

result<scenario_step> parse_say(const std::string& path, const YAML::Node& say) {
  if (!say.IsMap()) {
    return bad(path, say, "say: expected a map with channel, person, text");
  }
  scenario_step step;
  step.what = scenario_step::kind::say;
  for (const auto& kv : say) {
    auto key = kv.first.as<std::string>();
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

result<scenario_step> parse_step(const std::string& path, const YAML::Node& item) {
  if (!item.IsMap() || item.size() != 1) {
    return bad(path, item, "a step is a map with exactly one of: say, advance, note");
  }
  auto kv = *item.begin();
  auto key = kv.first.as<std::string>();
  result<scenario_step> step = error{};
  if (key == "say") {
    step = parse_say(path, kv.second);
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
    return bad(path, kv.first, key + ": unknown step (say, advance, note)");
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
    auto key = kv.first.as<std::string>();
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
