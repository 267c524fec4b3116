// sbctl commands about a node's part in a cluster, through its admin API: partitions (owner and
// intake lag of every partition), actors (the live actors of a node) and drain (hand the node's
// partitions over before maintenance).
#include <iostream>
#include <map>
#include <memory>

#include "tools/sbctl/commands.hpp"
#include "tools/sbctl/node_client.hpp"

namespace sb::sbctl {

namespace {

using json = nlohmann::json;

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
      rows.push_back({cell(p.value("partition", json{})), owner.empty() ? "(none)" : owner,
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
    std::cout << table({"partition", "owner", "lag"}, rows);
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

}  // namespace

void add_cluster_commands(CLI::App& app, int& exit_code) {
  // partitions [--all]
  auto parts_opts = std::make_shared<node_options>();
  auto all = std::make_shared<bool>(false);
  auto* parts = app.add_subcommand(
      "partitions", "Every partition's owner and intake lag (the cluster as --node sees it)");
  parts->add_flag("--all", *all, "List every partition, and --node's leases with their age");
  add_node_options(*parts, *parts_opts);
  parts->callback([&exit_code, parts_opts, all] {
    auto answer = call_node(*parts_opts, "GET", "/v1/partitions?all=1");
    exit_code = print_answer(*parts_opts, answer, "partitions",
                             [all](const json& body) { show_partitions(body, *all); });
  });

  // actors --kind K [--limit N]
  auto actors_opts = std::make_shared<node_options>();
  struct actors_args {
    std::string kind;
    int64_t limit = 20;
  };
  auto aa = std::make_shared<actors_args>();
  auto* actors =
      app.add_subcommand("actors", "The live actors of --node, most recently active first");
  actors->add_option("--kind", aa->kind, "Only this kind (conversation, user, campaign, ...)");
  actors->add_option("--limit", aa->limit, "At most this many (default 20)")
      ->check(CLI::Range(int64_t{1}, int64_t{9999999}));
  add_node_options(*actors, *actors_opts);
  actors->callback([&exit_code, actors_opts, aa] {
    auto answer = call_node(
        *actors_opts, "GET",
        "/v1/actors?kind=" + path_segment(aa->kind) + "&limit=" + std::to_string(aa->limit));
    exit_code = print_answer(*actors_opts, answer, "actors", [](const json& body) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& a : body.value("actors", json::array())) {
        rows.push_back({cell(a.value("kind", json{})), cell(a.value("key", json{})),
                        cell(a.value("activated_at_ms", json{})),
                        cell(a.value("last_active_ms", json{}))});
      }
      std::cout << cell(body.value("node_id", json{})) << ": " << cell(body.value("total", json{}))
                << " live\n"
                << table({"kind", "key", "activated at (ms)", "last active (ms)"}, rows);
    });
  });

  // drain
  auto drain_opts = std::make_shared<node_options>();
  auto* drain = app.add_subcommand(
      "drain",
      "Hand --node's partitions to the other nodes and stop its work (before maintenance)");
  add_node_options(*drain, *drain_opts);
  drain->callback([&exit_code, drain_opts] {
    auto answer = call_node(*drain_opts, "POST", "/v1/node/drain");
    exit_code = print_answer(*drain_opts, answer, "drain", [](const json& body) {
      std::cout << cell(body.value("node_id", json{})) << ": draining, "
                << cell(body.value("partitions", json{}))
                << " partitions being handed over; stop the process when /readyz says 503\n";
    });
  });
}

}  // namespace sb::sbctl
