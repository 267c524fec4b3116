// sbctl commands about the cluster and each node's part in it: nodes (every member's state),
// partitions (owner and intake lag of every partition), actors (the live actors of every member,
// or of one) and drain (hand a node's partitions over before maintenance). Over NATS the
// cluster-wide ones ask each member directly; over HTTP they start from --node.
#include <chrono>
#include <iostream>
#include <map>
#include <memory>

#include "runtime/actor_ranking.hpp"
#include "tools/sbctl/commands.hpp"
#include "tools/sbctl/members.hpp"
#include "tools/sbctl/node_client.hpp"

namespace sb::sbctl {

namespace {

using json = nlohmann::json;

// -- nodes ------------------------------------------------------------------------------------

// Adds a row for every other member to `body` (GET /v1/node of the node asked first): over NATS
// asked on sb.admin.<id>, over HTTP through the gateway it announced. A member that does not
// answer gets a row saying so.
void add_other_members(const node_options& opts, json& body) {
  auto& rows = body["nodes"];
  if (!rows.is_array() || rows.empty()) {
    return;
  }
  const auto self = rows[0].value("node_id", std::string{});
  auto add = [&rows](const std::string& id, const node_answer& answer, const std::string& via) {
    if (answer.exit_code == 0 && answer.body.contains("nodes") && answer.body["nodes"].is_array()) {
      for (const auto& n : answer.body["nodes"]) {
        rows.push_back(n);
      }
    } else {
      rows.push_back({{"node_id", id}, {"state", "no answer " + via + ": " + answer.message}});
    }
  };
  if (!nats_url_of(opts).empty()) {
    std::vector<std::string> others;
    for (const auto& m : members_in(body)) {
      if (m != self) {
        others.push_back(m);
      }
    }
    for (const auto& a : ask_members(opts, others, "GET", "/v1/node")) {
      add(a.member, a.answer, "over NATS");
    }
  } else {
    for (const auto& [id, url] : gateways_in(body)) {
      if (id != self) {
        node_options other = opts;
        other.url = url;
        add(id, call_node(other, "GET", "/v1/node"), "at " + url);
      }
    }
  }
  std::sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    return a.value("node_id", std::string{}) < b.value("node_id", std::string{});
  });
}

void show_nodes(const json& body) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : body.value("nodes", json::array())) {
    std::string kinds;
    const auto by_kind = n.value("live_by_kind", json::object());  // items() needs it alive
    for (const auto& [kind, count] : by_kind.items()) {
      kinds += (kinds.empty() ? "" : " ") + kind + "=" + cell(count);
    }
    const auto cluster = n.value("cluster", json{});
    const auto backlog = n.value("mailbox_backlog", json{});
    rows.push_back({cell(n.value("node_id", json{})), cell(n.value("state", json{})),
                    cluster.is_object() ? cell(cluster.value("partitions_held", json{})) : "-",
                    cell(n.value("live_actors", json{})), kinds.empty() ? "-" : kinds,
                    backlog.is_null()
                        ? "-"
                        : cell(backlog) + " (max " + cell(n.value("mailbox_max", json{})) + ")",
                    duration_cell(n.value("uptime_s", json{})), cell(n.value("version", json{}))});
  }
  std::cout << table(
      {"node", "state", "partitions", "live", "by kind", "mailbox", "uptime", "version"}, rows);
}

// -- partitions -------------------------------------------------------------------------------

// Over NATS, asks every member for its leases and adds them to `body` as "lease_ages": partition
// -> how long its owner has held it (ms). Members that do not answer leave their partitions out.
void add_lease_ages(const node_options& opts, json& body) {
  auto list = members_to_ask(opts);
  if (list.failure.exit_code != 0) {
    return;
  }
  json ages = json::object();
  for (const auto& a : ask_members(opts, list.members, "GET", "/v1/partitions")) {
    if (a.answer.exit_code != 0) {
      continue;
    }
    for (const auto& l : a.answer.body.value("leases", json::array())) {
      ages[std::to_string(l.value("partition", int64_t{-1}))] = l.value("held_for_ms", int64_t{0});
    }
  }
  body["lease_ages"] = ages;
}

void show_partitions(const json& body, bool all) {
  std::cout << "members: ";
  for (const auto& m : body.value("members", json::array())) {
    std::cout << cell(m) << " ";
  }
  std::cout << "\npartitions: " << cell(body.value("partitions", json{})) << "\n";
  std::map<std::string, int> per_owner;
  int64_t lag = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : body.value("owners", json::array())) {
    const auto owner = p.value("owner", std::string{});
    ++per_owner[owner.empty() ? "(none)" : owner];
    lag += p.value("lag", int64_t{0});
    if (all || owner.empty() || p.value("lag", int64_t{0}) > 0) {
      const auto key = std::to_string(p.value("partition", int64_t{-1}));
      const auto ages = body.value("lease_ages", json::object());
      rows.push_back({cell(p.value("partition", json{})), owner.empty() ? "(none)" : owner,
                      ages.contains(key) ? duration_cell(ages[key].get<double>() / 1000.0) : "-",
                      cell(p.value("lag", json{}))});
    }
  }
  std::vector<std::vector<std::string>> summary;
  for (const auto& [owner, n] : per_owner) {
    summary.push_back({owner, std::to_string(n)});
  }
  std::cout << table({"owner", "partitions"}, summary);
  std::cout << "intake lag (undelivered messages): " << lag << "\n";
  if (!rows.empty()) {
    std::cout << table({"partition", "owner", "lease age", "lag"}, rows);
  }
  std::vector<std::vector<std::string>> mine;
  for (const auto& l : body.value("leases", json::array())) {
    mine.push_back({cell(l.value("partition", json{})), cell(l.value("token", json{})),
                    cell(l.value("held_for_ms", json{})) + " ms",
                    cell(l.value("renewed_ms_ago", json{})) + " ms"});
  }
  if (all && !mine.empty()) {
    std::cout << "leases of " << cell(body.value("node_id", json{})) << ":\n"
              << table({"partition", "token", "held for", "renewed"}, mine);
  }
}

// -- actors -----------------------------------------------------------------------------------

struct actors_args {
  std::string kind;
  std::string top = "recent";
  int64_t limit = 20;
};

// Returns the members' answers to GET /v1/actors merged (runtime/actor_ranking.hpp), with
// "unanswered": {node id: why}; or the failure when no node answered.
node_answer gather_actors(const node_options& opts, const actors_args& a) {
  const auto path = "/v1/actors?kind=" + path_segment(a.kind) +
                    "&limit=" + std::to_string(a.limit) + "&top=" + a.top;
  std::vector<member_answer> answers;
  if (!nats_url_of(opts).empty()) {
    auto list = members_to_ask(opts);
    if (list.failure.exit_code != 0) {
      return list.failure;
    }
    answers = ask_members(opts, list.members, "GET", path);
  } else {
    answers.push_back({node_url_of(opts), call_node(opts, "GET", path)});
  }
  std::vector<json> bodies;
  json unanswered = json::object();
  for (const auto& m : answers) {
    if (m.answer.exit_code == 0) {
      bodies.push_back(m.answer.body);
    } else {
      unanswered[m.member] = m.answer.message;
    }
  }
  if (bodies.empty()) {
    return answers.front().answer;  // every member failed: the first one's exit code tells why
  }
  node_answer out;
  out.body = merge_actor_lists(bodies, actor_order_of(a.top).value_or(actor_order::recent),
                               static_cast<size_t>(a.limit));
  out.body["unanswered"] = std::move(unanswered);
  return out;
}

void show_actors(const json& body) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : body.value("actors", json::array())) {
    const auto last = a.value("last_active_ms", json{});
    rows.push_back(
        {cell(a.value("node_id", json{})), cell(a.value("kind", json{})),
         cell(a.value("key", json{})), duration_cell(a.value("age_s", json{})),
         cell(a.value("messages_handled", json{})), cell(a.value("mailbox_depth", json{})),
         last.is_number()
             ? duration_cell(static_cast<double>(now_ms - last.get<int64_t>()) / 1000.0) + " ago"
             : "-"});
  }
  std::cout << cell(body.value("total", json{})) << " live on "
            << body.value("nodes", json::array()).size() << " node(s), top " << rows.size()
            << " by " << cell(body.value("top", json{})) << "\n"
            << table({"node", "kind", "key", "age", "messages", "mailbox", "last active"}, rows);
  const auto unanswered = body.value("unanswered", json::object());  // items() needs it alive
  for (const auto& [id, why] : unanswered.items()) {
    std::cerr << "sbctl actors: " << id << " did not answer: " << cell(why) << "\n";
  }
}

// -- drain ------------------------------------------------------------------------------------

// Points `opts` at the node to drain; returns false (after saying why) when none is named.
bool target_drain(node_options& opts, const std::string& node) {
  const bool is_url = node.find("://") != std::string::npos;
  if (is_url) {
    if (!opts.nats.empty()) {
      std::cerr << "sbctl drain: with --nats, name the member to drain by its id (node-2)\n";
      return false;
    }
    opts.url = node;  // over HTTP, as if given with --node
    return true;
  }
  if (nats_url_of(opts).empty()) {
    if (!node.empty()) {
      std::cerr << "sbctl drain: without --nats, NODE is the node's admin URL\n";
      return false;
    }
    return true;  // --node, $SB_NODE or the default URL
  }
  opts.member = node.empty() ? member_of(opts) : node;
  if (opts.member.empty()) {
    std::cerr << "sbctl drain: name the member to drain: sbctl drain NODE --nats URL\n";
    return false;
  }
  return true;
}

}  // namespace

void add_cluster_commands(CLI::App& app, int& exit_code) {
  // nodes
  auto nodes_opts = std::make_shared<node_options>();
  auto* nodes = app.add_subcommand(
      "nodes", "Every member: state, partitions, live actors by kind, mailbox backlog, uptime");
  add_node_options(*nodes, *nodes_opts);
  nodes->callback([&exit_code, nodes_opts] {
    auto answer = call_node(*nodes_opts, "GET", "/v1/node");
    if (answer.exit_code == 0) {
      add_other_members(*nodes_opts, answer.body);
    }
    exit_code = print_answer(*nodes_opts, answer, "nodes", show_nodes);
  });

  // partitions [--all]
  auto parts_opts = std::make_shared<node_options>();
  auto all = std::make_shared<bool>(false);
  auto* parts = app.add_subcommand(
      "partitions",
      "Every partition's owner, lease age (over --nats) and intake lag (the cluster as one node "
      "sees it)");
  parts->add_flag("--all", *all, "List every partition, and the node's leases with their age");
  add_node_options(*parts, *parts_opts);
  parts->callback([&exit_code, parts_opts, all] {
    auto answer = call_node(*parts_opts, "GET", "/v1/partitions?all=1");
    if (answer.exit_code == 0 && !nats_url_of(*parts_opts).empty()) {
      add_lease_ages(*parts_opts, answer.body);  // each owner knows its own leases' age
    }
    exit_code = print_answer(*parts_opts, answer, "partitions",
                             [all](const json& body) { show_partitions(body, *all); });
  });

  // actors [--kind K] [--top T] [--limit N]
  auto actors_opts = std::make_shared<node_options>();
  auto aa = std::make_shared<actors_args>();
  auto* actors = app.add_subcommand(
      "actors", "Live actors of every member (--nats) or of one node, ranked by --top");
  actors->add_option("--kind", aa->kind, "Only this kind (conversation, user, campaign, ...)");
  actors->add_option("--top", aa->top, "Rank by recent (default), mailbox, age or messages")
      ->check(CLI::IsMember({"recent", "mailbox", "age", "messages"}));
  actors->add_option("--limit", aa->limit, "At most this many (default 20)")
      ->check(CLI::Range(int64_t{1}, int64_t{9999999}));
  add_node_options(*actors, *actors_opts);
  actors->callback([&exit_code, actors_opts, aa] {
    exit_code = print_answer(*actors_opts, gather_actors(*actors_opts, *aa), "actors", show_actors);
  });

  // drain [NODE]
  auto drain_opts = std::make_shared<node_options>();
  auto drain_node = std::make_shared<std::string>();
  auto* drain = app.add_subcommand(
      "drain", "Hand a node's partitions to the other nodes and stop its work (maintenance)");
  drain->add_option("NODE", *drain_node,
                    "With --nats the member id (required); else the node's URL (or --node)");
  add_node_options(*drain, *drain_opts);
  drain->callback([&exit_code, drain_opts, drain_node] {
    if (!target_drain(*drain_opts, *drain_node)) {
      exit_code = exit_usage;
      return;
    }
    auto answer = call_node(*drain_opts, "POST", "/v1/node/drain");
    exit_code = print_answer(*drain_opts, answer, "drain", [](const json& body) {
      std::cout << cell(body.value("node_id", json{})) << ": draining, "
                << cell(body.value("partitions", json{}))
                << " partitions being handed over; stop the process when /readyz says 503\n";
    });
  });
}

}  // namespace sb::sbctl
