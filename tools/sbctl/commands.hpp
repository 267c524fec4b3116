#pragma once

// The subcommands of sbctl, each group registered by a function in its own file (train_churn.cpp,
// ...), so that a new group is one new file plus one line in main.cpp.

#include <CLI/CLI.hpp>

namespace sb::sbctl {

/// Exit codes shared by every subcommand (CLI11 reports usage errors itself, with exit_usage).
constexpr int exit_ok = 0;       ///< The command did what it was asked.
constexpr int exit_failure = 1;  ///< A run-time failure, e.g. an output file could not be written.
constexpr int exit_usage = 2;    ///< A bad command line (unknown option, value out of range).
constexpr int exit_data = 3;     ///< An input file was refused (bad CSV, bad YAML).

/// Registers `train-churn` and `gen-churn-data` on `app`. Their callbacks run inside
/// `app.parse()` on the calling thread and store their exit code in `exit_code`, which must
/// outlive the parse.
void add_churn_commands(CLI::App& app, int& exit_code);

/// Registers the commands that look inside a node over its admin API (inspect, transcript,
/// campaigns, experiments, handoffs, send, events, topics) and check-config; same contract as
/// above. They exit 4 when no node answers and 5 when it has no such thing (node_client.hpp).
void add_node_commands(CLI::App& app, int& exit_code);

/// Registers nodes, partitions, actors and drain (the cluster and each node's part in it).
void add_cluster_commands(CLI::App& app, int& exit_code);

}  // namespace sb::sbctl
