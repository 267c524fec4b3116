// sbctl train-churn and gen-churn-data: fit the churn-risk model from a CSV, and make a synthetic
// CSV to fit it on.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/churn/dataset.hpp"
#include "actors/churn/model.hpp"
#include "actors/churn/synthetic_data.hpp"
#include "actors/churn/training.hpp"
#include "tools/sbctl/commands.hpp"

namespace sb::sbctl {

namespace {

struct train_args {
  std::string data;
  std::string out;
  bool json = false;
  churn::train_options options;
  std::vector<std::string> comments;
  std::string command_line;
};

struct gen_args {
  size_t rows = 100000;
  uint64_t seed = 7;
  std::string out;
};

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return out.str();
}

// Writes `text` to `path` whole; false after saying why on stderr.
bool write_file(const std::string& path, const std::string& text, const char* command) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
  out.close();
  if (!out) {
    std::cerr << "sbctl " << command << ": cannot write " << path << "\n";
    return false;
  }
  return true;
}

void print_text(const train_args& args, const churn::train_result& r) {
  const auto& m = r.fitted;
  std::cout << std::setprecision(4) << std::fixed;
  std::cout << "rows           " << m.trained->rows << "\n"
            << "train rows     " << r.train_rows << "\n"
            << "held-out rows  " << r.holdout_rows << "\n"
            << "held-out AUC   " << r.auc << "\n"
            << "threshold      " << m.threshold
            << " (maximises F1 on the train rows: " << r.train_f1 << ")\n"
            << "hysteresis     " << m.hysteresis << "\n"
            << "newton steps   " << r.iterations << (r.converged ? "" : " (not converged)") << "\n"
            << "intercept      " << std::showpos << m.intercept << std::noshowpos << "\n"
            << "weights (per standard deviation of the train rows):\n";
  for (const auto& [name, w] : m.weights) {
    std::cout << "  " << std::left << std::setw(28) << name << std::right << std::showpos << w
              << std::noshowpos << "\n";
  }
  std::cout << "wrote " << args.out << "\n";
}

void print_json(const train_args& args, const churn::train_result& r) {
  nlohmann::json weights = nlohmann::json::object();
  for (const auto& [name, w] : r.fitted.weights) {
    weights[name] = w;
  }
  const nlohmann::json report{{"rows", r.fitted.trained->rows},
                              {"train_rows", r.train_rows},
                              {"holdout_rows", r.holdout_rows},
                              {"auc", r.auc},
                              {"threshold", r.fitted.threshold},
                              {"intercept", r.fitted.intercept},
                              {"weights", weights},
                              {"out", args.out}};
  std::cout << report.dump() << "\n";
}

int run_train(const train_args& args) {
  auto data = churn::read_csv_file(args.data);
  if (!data) {
    std::cerr << "sbctl train-churn: " << data.err().message << "\n";
    return exit_data;
  }
  auto trained = churn::train(*data, args.options);
  if (!trained) {
    std::cerr << "sbctl train-churn: " << args.data << ": " << trained.err().message << "\n";
    return exit_data;
  }
  auto& m = trained->fitted;
  m.trained->at = utc_now();
  m.trained->data = args.data;
  std::vector<std::string> header{"Command: " + args.command_line};
  header.insert(header.end(), args.comments.begin(), args.comments.end());
  if (!write_file(args.out, churn::to_yaml(m, header), "train-churn")) {
    return exit_failure;
  }
  if (args.json) {
    print_json(args, *trained);
  } else {
    print_text(args, *trained);
  }
  return exit_ok;
}

int run_gen(const gen_args& args) {
  const auto d = churn::generate_synthetic(args.rows, args.seed);
  std::ostringstream text;
  churn::write_csv(text, d);
  return write_file(args.out, text.str(), "gen-churn-data") ? exit_ok : exit_failure;
}

// The command as typed, for the model file's header; rebuilt from the parsed options so that it
// shows the defaults that were used.
std::string describe(const train_args& a) {
  std::ostringstream out;
  out << "sbctl train-churn --data " << a.data << " --out " << a.out << " --l2 " << a.options.l2
      << " --holdout " << a.options.holdout << " --seed " << a.options.seed;
  return out.str();
}

}  // namespace

void add_churn_commands(CLI::App& app, int& exit_code) {
  auto train = std::make_shared<train_args>();
  auto* t = app.add_subcommand("train-churn", "Fit the churn-risk model on a CSV and write it");
  t->add_option("--data", train->data, "CSV with a header, a 0/1 `churned` column and features")
      ->required();
  t->add_option("--out", train->out, "Model file to write (YAML)")->required();
  t->add_flag("--json", train->json, "Print the report as one JSON object");
  t->add_option("--l2", train->options.l2, "L2 penalty on the weights")
      ->capture_default_str()
      ->check(CLI::Validator{[](std::string& v) {
                               char* end = nullptr;
                               const double l2 = std::strtod(v.c_str(), &end);
                               return end != v.c_str() && l2 >= 0 && std::isfinite(l2)
                                          ? std::string{}
                                          : std::string{"must be a number >= 0"};
                             },
                             "NONNEGATIVE"});
  t->add_option("--holdout", train->options.holdout, "Share of rows held out for the AUC")
      ->capture_default_str()
      ->check(CLI::Validator{[](std::string& v) {
                               const double share = std::strtod(v.c_str(), nullptr);
                               return share > 0 && share < 1
                                          ? std::string{}
                                          : std::string{"must be strictly between 0 and 1"};
                             },
                             "(0,1)"});
  t->add_option("--seed", train->options.seed, "Seed of the train/held-out split")
      ->capture_default_str();
  t->add_option("--comment", train->comments, "A line for the model file's header (repeatable)");
  t->callback([train, &exit_code] {
    train->command_line = describe(*train);
    exit_code = run_train(*train);
  });

  auto gen = std::make_shared<gen_args>();
  auto* g = app.add_subcommand("gen-churn-data", "Write a synthetic churn training CSV");
  g->add_option("--rows", gen->rows, "Rows to generate")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  g->add_option("--seed", gen->seed, "Random seed (same seed, same rows)")->capture_default_str();
  g->add_option("--out", gen->out, "CSV file to write")->required();
  g->callback([gen, &exit_code] { exit_code = run_gen(*gen); });
}

}  // namespace sb::sbctl
