// sbctl commands that look inside a running node through its admin API: inspect, transcript,
// campaigns, experiments, handoffs, send, events, topics; and check-config, which runs the node's
// validation locally.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "actors/check_config.hpp"
#include "runtime/gateway/channels/app_signature.hpp"
#include "tools/sbctl/commands.hpp"
#include "tools/sbctl/node_client.hpp"

namespace sb::sbctl {

namespace {

using json = nlohmann::json;

void show_object(const json& body) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, value] : body.items()) {
    rows.push_back({key, cell(value)});
  }
  std::cout << table({"field", "value"}, rows);
}

void show_campaigns(const json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : list) {
    const auto& b = c.contains("budget") ? c["budget"] : json::object();
    rows.push_back({cell(c.value("campaign", json{})), c.value("enabled", false) ? "yes" : "no",
                    cell(c.value("armed", json{})), cell(c.value("cancelled", json{})),
                    cell(c.value("fired", json{})), cell(c.value("coupons_issued", json{})),
                    cell(c.value("coupons_redeemed", json{})), cell(b.value("count_left", json{})),
                    cell(b.value("value_left", json{}))});
  }
  std::cout << table({"campaign", "on", "armed", "cancelled", "fired", "issued", "redeemed",
                      "count left", "value left"},
                     rows);
}

std::string percent(const json& rate) {
  if (!rate.is_number()) {
    return "-";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * rate.get<double>());
  return buf;
}

std::string interval(const json& metric) {
  if (!metric.is_object() || !metric.contains("ci95") || metric["ci95"].size() != 2) {
    return "-";
  }
  return percent(metric["ci95"][0]) + "–" + percent(metric["ci95"][1]);
}

void show_experiment(const json& e) {
  std::cout << cell(e.value("id", json{})) << " (" << cell(e.value("surface", json{})) << ", "
            << cell(e.value("mode", json{})) << ", control " << cell(e.value("control", json{}))
            << ")\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : e.value("variants", json::array())) {
    const auto ctr = v.value("click_through", json::object());
    const auto cr = v.value("conversion", json::object());
    rows.push_back({cell(v.value("name", json{})), cell(v.value("impressions", json{})),
                    cell(v.value("clicks", json{})), cell(v.value("conversions", json{})),
                    percent(ctr.value("rate", json{})) + " " + interval(ctr),
                    percent(cr.value("rate", json{})) + " " + interval(cr),
                    percent(v.value("lift_conversion", json{})),
                    cell(v.value("p_value_conversion", json{}))});
  }
  std::cout << table(
      {"variant", "shown", "clicks", "orders", "CTR (95% CI)", "CR (95% CI)", "lift CR", "p (CR)"},
      rows);
  if (e.contains("winner") && !e["winner"].is_null()) {
    std::cout << "winner: " << cell(e["winner"]) << "\n";
  }
}

struct send_args {
  std::string channel;
  std::string person;
  std::string text;
  std::string app_secret;
};

int send(const node_options& opts, const send_args& a) {
  const std::string id =
      "sbctl-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  json body{{"text", a.text}, {"client_msg_id", id}};
  std::vector<std::pair<std::string, std::string>> headers;
  std::string path;
  if (a.channel == "web") {
    body["visitor_id"] = a.person;
    path = "/v1/web/messages";
  } else if (a.channel == "app") {
    if (a.app_secret.empty()) {
      std::cerr << "sbctl send: the app channel needs --app-secret (or $SB_APP_SECRET)\n";
      return exit_usage;
    }
    body["user_id"] = a.person;
    path = "/v1/app/messages";
    const auto ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    headers.emplace_back("X-SB-Timestamp", ts);
    headers.emplace_back("X-SB-Signature", channels::app_signature(a.app_secret, ts, body.dump()));
  } else {
    std::cerr << "sbctl send: channel must be web or app (WeChat messages come signed by "
                 "Tencent; inject them with POST /v1/wechat)\n";
    return exit_usage;
  }
  auto answer = call_node(opts, "POST", path, &body, headers);
  return print_answer(opts, answer, "send", [&](const json& r) {
    std::cout << cell(r.value("conversation_id", json{})) << " seq " << cell(r.value("seq", json{}))
              << " (" << cell(r.value("status", json{})) << ")\n";
    for (const auto& line : r.value("replies", json::array())) {
      std::cout << "  " << cell(line.value("from", json{})) << ": "
                << cell(line.value("text", json{})) << "\n";
      for (const auto& p : line.value("products", json::array())) {
        std::cout << "    * " << cell(p.value("sku", json{})) << " "
                  << cell(p.value("name", json{})) << "  " << cell(p.value("price", json{}))
                  << "\n";
      }
    }
    if (r.value("pending", false)) {
      std::cout << "  (the bot has not answered yet; the answer comes on the channel)\n";
    }
  });
}

}  // namespace

void add_node_commands(CLI::App& app, int& exit_code) {
  // inspect KIND KEY
  auto inspect_opts = std::make_shared<node_options>();
  auto inspect_addr = std::make_shared<std::pair<std::string, std::string>>();
  auto* inspect = app.add_subcommand("inspect", "Show an actor's state, live or as saved");
  inspect->add_option("KIND", inspect_addr->first, "conversation, user, campaign, ...")->required();
  inspect->add_option("KEY", inspect_addr->second, "e.g. web:v-1001")->required();
  add_node_options(*inspect, *inspect_opts);
  inspect->callback([&exit_code, inspect_opts, inspect_addr] {
    auto answer = call_node(*inspect_opts, "GET",
                            "/v1/actors/" + path_segment(inspect_addr->first) + "/" +
                                path_segment(inspect_addr->second));
    exit_code = print_answer(*inspect_opts, answer, "inspect", show_object);
  });

  // transcript CONVERSATION
  auto transcript_opts = std::make_shared<node_options>();
  auto conversation = std::make_shared<std::string>();
  auto* transcript = app.add_subcommand("transcript", "Print a conversation's (masked) transcript");
  transcript->add_option("CONVERSATION", *conversation, "conversation id, e.g. web:v-1001#1")
      ->required();
  add_node_options(*transcript, *transcript_opts);
  transcript->callback([&exit_code, transcript_opts, conversation] {
    auto answer = call_node(*transcript_opts, "GET",
                            "/v1/conversations/" + path_segment(*conversation) + "/messages");
    exit_code = print_answer(*transcript_opts, answer, "transcript", [](const json& body) {
      for (const auto& m : body.value("messages", json::array())) {
        std::cout << cell(m.value("seq", json{})) << "  " << cell(m.value("from", json{})) << ": "
                  << cell(m.value("text", json{})) << "\n";
      }
    });
  });

  // campaigns [ID]
  auto campaigns_opts = std::make_shared<node_options>();
  auto campaign_id = std::make_shared<std::string>();
  auto* campaigns = app.add_subcommand(
      "campaigns", "Armed, fired, cancelled, coupons issued and redeemed, budget left");
  campaigns->add_option("ID", *campaign_id, "one campaign (default: all)");
  add_node_options(*campaigns, *campaigns_opts);
  campaigns->callback([&exit_code, campaigns_opts, campaign_id] {
    if (campaign_id->empty()) {
      auto answer = call_node(*campaigns_opts, "GET", "/v1/campaigns");
      exit_code = print_answer(*campaigns_opts, answer, "campaigns", [](const json& body) {
        show_campaigns(body.value("campaigns", json::array()));
      });
      return;
    }
    auto answer = call_node(*campaigns_opts, "GET", "/v1/campaigns/" + path_segment(*campaign_id));
    exit_code = print_answer(*campaigns_opts, answer, "campaigns", show_object);
  });

  // experiments [ID]
  auto experiments_opts = std::make_shared<node_options>();
  auto experiment_id = std::make_shared<std::string>();
  auto* experiments = app.add_subcommand(
      "experiments", "Per variant: impressions, clicks, orders, rates with 95% intervals, lift, p");
  experiments->add_option("ID", *experiment_id, "one experiment (default: all)");
  add_node_options(*experiments, *experiments_opts);
  experiments->callback([&exit_code, experiments_opts, experiment_id] {
    if (experiment_id->empty()) {
      auto answer = call_node(*experiments_opts, "GET", "/v1/experiments");
      exit_code = print_answer(*experiments_opts, answer, "experiments", [](const json& body) {
        for (const auto& e : body.value("experiments", json::array())) {
          show_experiment(e);
          std::cout << "\n";
        }
      });
      return;
    }
    auto answer =
        call_node(*experiments_opts, "GET", "/v1/experiments/" + path_segment(*experiment_id));
    exit_code = print_answer(*experiments_opts, answer, "experiments", show_experiment);
  });

  // handoffs
  auto handoffs_opts = std::make_shared<node_options>();
  auto* handoffs = app.add_subcommand("handoffs", "The waiting queue and the agents' load");
  add_node_options(*handoffs, *handoffs_opts);
  handoffs->callback([&exit_code, handoffs_opts] {
    auto answer = call_node(*handoffs_opts, "GET", "/v1/handoffs");
    exit_code = print_answer(*handoffs_opts, answer, "handoffs", [](const json& body) {
      std::vector<std::vector<std::string>> waiting;
      for (const auto& w : body.value("waiting", json::array())) {
        waiting.push_back({cell(w.value("conversation_id", json{})), cell(w.value("skill", json{})),
                           cell(w.value("priority", json{})), cell(w.value("wait_ms", json{}))});
      }
      std::cout << table({"waiting", "skill", "priority", "wait ms"}, waiting) << "\n";
      std::vector<std::vector<std::string>> agents;
      for (const auto& a : body.value("agents", json::array())) {
        agents.push_back({cell(a.value("agent_id", json{})), cell(a.value("presence", json{})),
                          cell(a.value("load", json{})), cell(a.value("max_chats", json{}))});
      }
      std::cout << table({"agent", "presence", "chats", "max"}, agents);
    });
  });

  // send CHANNEL PERSON TEXT
  auto send_opts = std::make_shared<node_options>();
  auto send_a = std::make_shared<send_args>();
  const char* secret = std::getenv("SB_APP_SECRET");
  send_a->app_secret = secret != nullptr ? secret : "";
  auto* send_cmd = app.add_subcommand("send", "Send a message as that person would; print replies");
  send_cmd->add_option("CHANNEL", send_a->channel, "web or app")->required();
  send_cmd->add_option("PERSON", send_a->person, "visitor or user id (without the channel)")
      ->required();
  send_cmd->add_option("TEXT", send_a->text, "the message")->required();
  send_cmd->add_option("--app-secret", send_a->app_secret,
                       "channels.app.secret, to sign app messages (default: $SB_APP_SECRET)");
  add_node_options(*send_cmd, *send_opts);
  send_cmd->callback([&exit_code, send_opts, send_a] { exit_code = send(*send_opts, *send_a); });

  // events --follow [--type T]
  auto events_opts = std::make_shared<node_options>();
  struct events_args {
    bool follow = false;
    std::string type = ">";
    int64_t count = 0;
    double seconds = 0;
  };
  auto ev = std::make_shared<events_args>();
  auto* events = app.add_subcommand("events", "Tail the events as they are published");
  events->add_flag("--follow,-f", ev->follow, "Keep printing new events (required for now)")
      ->required();
  events->add_option("--type", ev->type, "Topic pattern: order.placed, coupon.*, > (default)");
  events->add_option("--count", ev->count, "Stop after this many events (0: never)")
      ->check(CLI::NonNegativeNumber);
  events->add_option("--seconds", ev->seconds, "Stop after this long (0: never)")
      ->check(CLI::NonNegativeNumber);
  add_node_options(*events, *events_opts);
  events->callback([&exit_code, events_opts, ev] {
    int64_t seen = 0;
    std::string message;
    const bool as_json = events_opts->json;
    exit_code = follow_events(
        *events_opts, ev->type, ev->seconds,
        [&](const std::string& line) {
          if (as_json) {
            std::cout << line << "\n";
          } else {
            auto e = json::parse(line, nullptr, false);
            const auto body = e.value("event", json::object());
            std::string who = body.value("user", body.value("conversation_id", std::string{}));
            std::cout << cell(e.value("sent_at_ms", json{})) << "  "
                      << cell(e.value("topic", json{})) << "  " << (who.empty() ? "-" : who)
                      << "\n";
          }
          std::cout.flush();
          return ev->count == 0 || ++seen < ev->count;
        },
        message);
    if (exit_code != 0) {
      std::cerr << "sbctl events: " << message << "\n";
    }
  });

  // topics --since 1h
  auto topics_opts = std::make_shared<node_options>();
  auto since = std::make_shared<std::string>("1h");
  auto limit = std::make_shared<int>(10);
  auto* topics = app.add_subcommand(
      "topics", "The hottest intents, products and words in recent conversations");
  topics->add_option("--since", *since, "How far back: 15m, 1h (default), 1d");
  topics->add_option("--limit", *limit, "How many of each (default 10)")->check(CLI::Range(1, 999));
  add_node_options(*topics, *topics_opts);
  topics->callback([&exit_code, topics_opts, since, limit] {
    auto answer =
        call_node(*topics_opts, "GET",
                  "/v1/topics?since=" + path_segment(*since) + "&limit=" + std::to_string(*limit));
    exit_code = print_answer(*topics_opts, answer, "topics", [](const json& body) {
      std::cout << cell(body.value("messages", json{})) << " messages\n";
      const auto intents = body.value("intents", json::array());
      const auto products = body.value("products", json::array());
      const auto words = body.value("words", json::array());
      std::vector<std::vector<std::string>> rows;
      const size_t n = std::max({intents.size(), products.size(), words.size()});
      auto at = [](const json& list, size_t i) {
        return i < list.size() ? cell(list[i]["name"]) + " " + cell(list[i]["count"])
                               : std::string{};
      };
      for (size_t i = 0; i < n; ++i) {
        rows.push_back({at(intents, i), at(products, i), at(words, i)});
      }
      std::cout << table({"intent", "product", "word"}, rows);
    });
  });

  // check-config DIR
  auto dir = std::make_shared<std::string>();
  auto* check = app.add_subcommand(
      "check-config",
      "Check a folder laid out like config/, as the node would (exit 3 on problems)");
  check->add_option("DIR", *dir, "e.g. config")->required();
  check->callback([&exit_code, dir] {
    auto summary = check_config_dir(*dir);
    if (!summary) {
      std::cerr << summary.err().message << "\n";
      exit_code = exit_data;
      return;
    }
    std::cout << *summary << "\n";
    exit_code = exit_ok;
  });
}

}  // namespace sb::sbctl
