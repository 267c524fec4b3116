#include "actors/marketing/marketing_rules.hpp"

#include <algorithm>

namespace sb {

const campaigns::campaign_spec* marketing_snapshot::campaign(const std::string& id) const {
  auto it = std::find_if(campaigns.begin(), campaigns.end(),
                         [&](const campaigns::campaign_spec& c) { return c.id == id; });
  return it == campaigns.end() ? nullptr : &*it;
}

const experiments::experiment_spec* marketing_snapshot::experiment(const std::string& id) const {
  return experiments::find(experiments, id);
}

namespace {

void add_problem(std::string& all, errc& code, const error& e) {
  if (!all.empty()) {
    all += "\n";
  } else {
    code = e.code;
  }
  all += e.message;
}

// Checks what no single file can: a campaign message drawn from an experiment needs that
// experiment to exist and to be about coupon messages; a value budget needs coupons whose face
// value is known.
void cross_check(const marketing_snapshot& s, std::string& problems, errc& code) {
  for (const auto& c : s.campaigns) {
    for (const auto& a : c.actions) {
      if (a.type != campaigns::action::kind::message || a.message.experiment.empty()) {
        continue;
      }
      const auto* e = s.experiment(a.message.experiment);
      if (e == nullptr) {
        add_problem(
            problems, code,
            error{errc::config_bad_value, c.file + ": do.message.experiment: no experiment '" +
                                              a.message.experiment + "' in the experiments file"});
      } else if (e->surface != "coupon_message") {
        add_problem(problems, code,
                    error{errc::config_bad_value, c.file + ": do.message.experiment: experiment '" +
                                                      e->id + "' is for surface " + e->surface +
                                                      ", not coupon_message"});
      }
    }
    const auto* coupon = c.coupon();
    if (c.budget_value > 0 && coupon != nullptr && coupon->percent > 0 &&
        coupon->max_discount <= 0) {
      add_problem(problems, code,
                  error{errc::config_bad_value,
                        c.file + ": limits.budget.value: a percent coupon needs max_discount to "
                                 "count against a value budget"});
    }
  }
}

}  // namespace

result<marketing_snapshot> read_marketing(const node_config& cfg) {
  marketing_snapshot s;
  std::string problems;
  errc code = errc::ok;
  if (auto c = campaigns::load_campaign_dir(cfg.campaigns_dir); c) {
    s.campaigns = std::move(*c);
  } else {
    add_problem(problems, code, c.err());
  }
  if (auto e = experiments::load_experiments(cfg.experiments_file); e) {
    s.experiments = std::move(*e);
  } else {
    add_problem(problems, code, e.err());
  }
  if (auto m = churn::load_model(cfg.churn_model_file); m) {
    if (auto online = churn::check_online_features(*m, cfg.churn_model_file); !online) {
      add_problem(problems, code, online.err());
    }
    s.churn_model = std::move(*m);
  } else {
    add_problem(problems, code, m.err());
  }
  if (problems.empty()) {
    cross_check(s, problems, code);
  }
  if (!problems.empty()) {
    return error{code, problems};
  }
  s.attribution_window_ms = cfg.attribution_window.count();
  s.generation = 1;
  return s;
}

marketing_rules::marketing_rules(node_config cfg, marketing_snapshot first)
    : cfg_(std::move(cfg)),
      current_(std::make_shared<const marketing_snapshot>(std::move(first))) {}

result<std::shared_ptr<marketing_rules>> marketing_rules::load(const node_config& cfg) {
  auto first = read_marketing(cfg);
  if (!first) {
    return first.err();
  }
  return std::shared_ptr<marketing_rules>{new marketing_rules(cfg, std::move(*first))};
}

std::shared_ptr<const marketing_snapshot> marketing_rules::current() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return current_;
}

result<void> marketing_rules::reload() {
  auto next = read_marketing(cfg_);
  if (!next) {
    return next.err();
  }
  std::lock_guard<std::mutex> guard{mutex_};
  next->generation = current_->generation + 1;
  current_ = std::make_shared<const marketing_snapshot>(std::move(*next));
  return {};
}

}  // namespace sb
