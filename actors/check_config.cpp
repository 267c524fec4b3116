#include "actors/check_config.hpp"

#include <filesystem>

#include "actors/conversation/bot.hpp"
#include "actors/marketing/marketing_rules.hpp"
#include "runtime/clock.hpp"
#include "runtime/config/node_config.hpp"

namespace sb {

namespace {

void add(std::string& all, errc& code, const error& e) {
  if (all.empty()) {
    code = e.code;
  } else {
    all += "\n";
  }
  all += e.message;
}

}  // namespace

result<std::string> check_config_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return error{errc::config_io, dir + ": not a folder"};
  }
  auto in = [&](const char* name) { return (fs::path{dir} / name).string(); };
  std::string problems;
  errc code = errc::ok;

  node_config cfg;
  for (const char* name : {"node.yaml", "node.example.yaml"}) {
    if (fs::exists(in(name), ec)) {
      config_sources src;
      src.file = in(name);
      src.read_environment = false;
      if (auto loaded = load_node_config(src); loaded) {
        cfg = *loaded;
      } else {
        add(problems, code, loaded.err());
      }
      break;
    }
  }
  // The data files are the folder's own, whatever paths a node config in it names.
  cfg.nlu_intents = in("intents.yaml");
  cfg.nlu_lexicon = in("lexicon/sentiment.yaml");
  cfg.nlu_faq = in("faq.yaml");
  cfg.nlu_replies = in("replies.yaml");
  cfg.catalog_file = in("catalog.yaml");
  cfg.campaigns_dir = in("campaigns");
  cfg.experiments_file = in("experiments.yaml");
  cfg.churn_model_file = in("churn-model.yaml");

  system_clock clk;
  size_t products = 0;
  if (auto bot = bot_knowledge::load(cfg, clk); bot) {
    products = (*bot)->products().products.size();
  } else {
    add(problems, code, bot.err());
  }
  auto marketing = read_marketing(cfg);
  if (!marketing) {
    add(problems, code, marketing.err());
  }
  if (!problems.empty()) {
    return error{code, problems};
  }
  size_t enabled = 0;
  for (const auto& c : marketing->campaigns) {
    enabled += c.enabled ? 1 : 0;
  }
  return dir + ": ok: " + std::to_string(marketing->campaigns.size()) + " campaigns (" +
         std::to_string(enabled) + " enabled), " + std::to_string(marketing->experiments.size()) +
         " experiments, churn model with " + std::to_string(marketing->churn_model.weights.size()) +
         " features, " + std::to_string(products) + " products";
}

}  // namespace sb
