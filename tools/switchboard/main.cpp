// switchboard: the node binary. Thin: parses the command line and calls the core library.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "actors/check_config.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/demo/demo_runner.hpp"
#include "runtime/gateway/http_gateway.hpp"
#include "runtime/logging.hpp"
#include "runtime/node.hpp"

namespace {

// Exit codes (documented in README).
constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // the node failed at run time (e.g. store unreachable)
constexpr int exit_usage = 2;    // bad command line
constexpr int exit_config = 3;   // the configuration was refused

struct common_args {
  std::string config_file;
  std::vector<std::string> sets;
  std::string log_format;
};

void add_common(CLI::App& cmd, common_args& args) {
  cmd.add_option("--config", args.config_file, "YAML config file (default: embedded defaults)");
  cmd.add_option("--set", args.sets, "Override a key: --set store.kind=redis (repeatable)");
  cmd.add_option("--log-format", args.log_format, "text or json (same as --set log.format=...)");
}

sb::result<sb::node_config> load(const common_args& args) {
  sb::config_sources src;
  src.file = args.config_file;
  src.sets = args.sets;
  if (!args.log_format.empty()) {
    src.sets.push_back("log.format=" + args.log_format);
  }
  auto cfg = sb::load_node_config(src);
  if (!cfg) {
    return cfg;
  }
  sb::logging_options lo;
  lo.level = cfg->log_level;
  lo.format = cfg->log_format;
  lo.node_id = cfg->node_id;
  if (auto r = sb::setup_logging(lo); !r) {
    return r.err();
  }
  return cfg;
}

int run_node(const common_args& args) {
  // Block the signals before any thread starts, so only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto cfg = load(args);
  if (!cfg) {
    std::cerr << "switchboard: configuration refused:\n" << cfg.err().message << "\n";
    return exit_config;
  }
  auto log = sb::get_logger("main");
  auto n = sb::node::start(*cfg);
  if (!n) {
    log->error("cannot start the node: {}", n.err().to_string());
    return exit_failure;
  }
  auto gw = sb::http_gateway::start(**n);
  if (!gw) {
    log->error("cannot start the gateway: {}", gw.err().to_string());
    return exit_failure;
  }
  log->info(
      "node {} ready; SIGHUP reloads campaigns, experiments and the churn model; SIGINT or "
      "SIGTERM drains and stops it",
      cfg->node_id);
  int sig = 0;
  for (;;) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) {
      break;
    }
    if (auto r = (*n)->reload(); r) {
      log->info("SIGHUP: reloaded");
    } else {
      log->error("SIGHUP: reload refused, the running version stays:\n{}", r.err().message);
    }
  }
  log->info("received {}, draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  (*n)->drain();
  (*gw)->stop();
  gw->reset();  // The node must outlive its gateway (http_gateway.hpp).
  n->reset();
  log->info("stopped cleanly");
  return exit_ok;
}

int run_demo(common_args args, const std::string& scenario) {
  // The demo's story goes to stdout; keep the log quiet unless asked otherwise with --set.
  args.sets.insert(args.sets.begin(), "log.level=warn");
  auto cfg = load(args);
  if (!cfg) {
    std::cerr << "switchboard: configuration refused:\n" << cfg.err().message << "\n";
    return exit_config;
  }
  auto path = scenario.empty() ? cfg->demo_scenario : scenario;
  auto summary = sb::run_demo(*cfg, path, std::cout);
  if (!summary) {
    std::cerr << "switchboard demo: " << summary.err().to_string() << "\n";
    return summary.err().code == sb::errc::config_bad_value ||
                   summary.err().code == sb::errc::config_syntax ||
                   summary.err().code == sb::errc::config_io
               ? exit_config
               : exit_failure;
  }
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: omnichannel customer service that turns conversations into sales"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string{"switchboard "} + SB_VERSION);

  common_args node_args;
  auto* node_cmd = app.add_subcommand("node", "Run a node until SIGINT/SIGTERM");
  add_common(*node_cmd, node_args);

  common_args demo_args;
  std::string scenario;
  auto* demo_cmd = app.add_subcommand("demo", "Replay a scripted scenario on an embedded node");
  add_common(*demo_cmd, demo_args);
  demo_cmd->add_option("--scenario", scenario, "Scenario file (default: demo.scenario)");

  std::string check_dir;
  auto* check_cmd = app.add_subcommand(
      "check-config", "Check every file of a folder laid out like config/ (exit 3 on problems)");
  check_cmd->add_option("DIR", check_dir, "The folder, e.g. config")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }
  if (*node_cmd) {
    return run_node(node_args);
  }
  if (*check_cmd) {
    auto summary = sb::check_config_dir(check_dir);
    if (!summary) {
      std::cerr << summary.err().message << "\n";
      return exit_config;
    }
    std::cout << *summary << "\n";
    return exit_ok;
  }
  return run_demo(demo_args, scenario);
}
