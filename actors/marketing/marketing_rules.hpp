#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/campaign/campaign_spec.hpp"
#include "actors/churn/model.hpp"
#include "actors/experiment/experiment_spec.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/result.hpp"

namespace sb {

/// One consistent version of everything marketing reads from files: the campaigns of
/// `campaigns.dir`, the experiments of `experiments.file`, the churn model of `churn.model_file`,
/// and the attribution window. Immutable once made.
struct marketing_snapshot {
  std::vector<campaigns::campaign_spec> campaigns;
  std::vector<experiments::experiment_spec> experiments;
  churn::model churn_model;
  int64_t attribution_window_ms = 0;
  int64_t generation = 0;  ///< 1 for the first load, +1 for each reload that was applied.

  /// Returns the campaign `id`, or nullptr.
  [[nodiscard]] const campaigns::campaign_spec* campaign(const std::string& id) const;
  /// Returns the experiment `id`, or nullptr.
  [[nodiscard]] const experiments::experiment_spec* experiment(const std::string& id) const;
};

/// Reads and cross-checks the marketing files a config names (every problem of every file in one
/// error, each as file:line:column: key: reason). Used by the node and `switchboard check-config`.
result<marketing_snapshot> read_marketing(const node_config& cfg);

/// The marketing rules a node runs, reloadable: actors take the current snapshot at the start of
/// each message (a shared_ptr they may hold for as long as they need it), reload() swaps in a new
/// one only if every file is valid. Thread-safe.
class marketing_rules {
 public:
  /// Loads the files; an error stops the node's start.
  static result<std::shared_ptr<marketing_rules>> load(const node_config& cfg);

  /// Returns the current snapshot.
  [[nodiscard]] std::shared_ptr<const marketing_snapshot> current() const;

  /// Re-reads the files; on success they replace the current snapshot, on error nothing changes.
  result<void> reload();

 private:
  explicit marketing_rules(node_config cfg, marketing_snapshot first);

  node_config cfg_;
  mutable std::mutex mutex_;
  std::shared_ptr<const marketing_snapshot> current_;
};

}  // namespace sb
