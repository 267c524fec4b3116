// `sbctl gen-churn-data` and `sbctl train-churn` as an operator runs them: a synthetic set, a
// model trained on it that the node can load, the JSON report, and the exit codes of bad input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/churn/model.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/process.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;

struct run_output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

run_output sbctl(const sb::test::temp_dir& dir, const std::vector<std::string>& args) {
  static int runs = 0;
  const auto n = std::to_string(++runs);
  sb::test::process_options options;
  options.log_path = dir.file("stdout-" + n + ".txt");
  options.stderr_path = dir.file("stderr-" + n + ".txt");
  auto p = SB_REQUIRE_OK(sb::test::process::spawn(sb::test::sbctl_binary(), args, options));
  auto code = SB_REQUIRE_OK(p.wait_for_exit(120s));
  return {code, sb::test::read_file(options.log_path), sb::test::read_file(options.stderr_path)};
}

}  // namespace

TEST_CASE("a model trained by sbctl on generated data loads in the node and reports its AUC") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sbctl-churn"));
  const auto csv = dir.file("churn.csv");
  const auto model = dir.file("model.yaml");
  auto gen = sbctl(dir, {"gen-churn-data", "--rows", "20000", "--seed", "11", "--out", csv});
  REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
  auto train = sbctl(dir, {"train-churn", "--data", csv, "--out", model, "--json"});
  REQUIRE_MESSAGE(train.exit_code == 0, train.err);
  auto report = nlohmann::json::parse(train.out, nullptr, false);
  REQUIRE_MESSAGE(report.is_object(), train.out);
  CHECK(report["rows"] == 20000);
  CHECK(report["train_rows"].get<int>() + report["holdout_rows"].get<int>() == 20000);
  CHECK(report["auc"].get<double>() > 0.7);
  CHECK(report["auc"].get<double>() < 1.0);
  CHECK(report["out"] == model);
  auto loaded = SB_REQUIRE_OK(sb::churn::load_model(model));
  CHECK(loaded.weights.size() == 9);
  CHECK(loaded.weights.at("negative_share") > 0);
  CHECK(loaded.weights.at("order_count") < 0);
  SB_REQUIRE_OK(sb::churn::check_online_features(loaded, model));

  auto text = sbctl(dir, {"train-churn", "--data", csv, "--out", dir.file("m2.yaml")});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("AUC") != std::string::npos);
}

TEST_CASE("sbctl train-churn refuses bad data with its line (exit 3) and bad usage (exit 2)") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sbctl-churn"));
  const auto csv = dir.file("bad.csv");
  sb::test::write_file(csv, "order_count,churned\n3,0\nmany,1\n");
  auto bad = sbctl(dir, {"train-churn", "--data", csv, "--out", dir.file("m.yaml")});
  CHECK(bad.exit_code == 3);
  CHECK(bad.err.find("bad.csv:3") != std::string::npos);
  auto missing = sbctl(dir, {"train-churn", "--data", dir.file("nope.csv"), "--out", "x.yaml"});
  CHECK(missing.exit_code == 3);
  CHECK(sbctl(dir, {"train-churn"}).exit_code == 2);
  CHECK(sbctl(dir, {}).exit_code == 2);
}
