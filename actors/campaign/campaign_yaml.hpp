#pragma once

#include <string>

#include "actors/campaign/campaign_spec.hpp"
#include "runtime/result.hpp"

namespace sb::campaigns::detail {

/// A campaign read from its file, with "file:line:column" of its id (for duplicate-id errors).
struct loaded_campaign {
  campaign_spec spec;
  std::string id_at;
};

/// Returns the campaign in the YAML file at `path` with every problem of the file in one error
/// (see load_campaign_file). The YAML reading behind load_campaign_file/load_campaign_dir.
result<loaded_campaign> load_campaign(const std::string& path);

}  // namespace sb::campaigns::detail
