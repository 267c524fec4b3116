// sbctl: the operator's command line. Thin: each subcommand group registers itself from its own
// file (commands.hpp) and calls the core library.
#include <iostream>

#include <CLI/CLI.hpp>

#include "tools/sbctl/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"sbctl: operator tools for Switchboard"};
  app.set_version_flag("--version", std::string{"sbctl "} + SB_VERSION);
  app.require_subcommand(0, 1);

  int exit_code = sb::sbctl::exit_ok;
  sb::sbctl::add_churn_commands(app, exit_code);
  sb::sbctl::add_node_commands(app, exit_code);
  sb::sbctl::add_cluster_commands(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? sb::sbctl::exit_ok : sb::sbctl::exit_usage;
  }
  if (app.get_subcommands().empty()) {
    std::cerr << app.help();
    return sb::sbctl::exit_usage;
  }
  return exit_code;
}
