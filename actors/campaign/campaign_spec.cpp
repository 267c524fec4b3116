#include "actors/campaign/campaign_spec.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>

#include "actors/campaign/active_window.hpp"
#include "actors/campaign/campaign_yaml.hpp"

namespace sb::campaigns {

const coupon_action* campaign_spec::coupon() const {
  for (const auto& a : actions) {
    if (a.type == action::kind::coupon) {
      return &a.coupon;
    }
  }
  return nullptr;
}

result<campaign_spec> load_campaign_file(const std::string& path) {
  auto loaded = detail::load_campaign(path);
  if (!loaded) {
    return loaded.err();
  }
  return std::move(loaded->spec);
}

result<std::vector<campaign_spec>> load_campaign_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml" && it->is_regular_file(ec)) {
      files.push_back(it->path().string());
    }
  }
  if (ec) {
    return error{errc::config_io, dir + ": cannot list: " + ec.message()};
  }
  std::sort(files.begin(), files.end());

  std::vector<campaign_spec> out;
  std::map<std::string, std::string> first_at;  // id -> where it was first given
  errc first_code = errc::ok;
  std::string problems;
  const auto note = [&](errc code, const std::string& message) {
    first_code = first_code == errc::ok ? code : first_code;
    problems += (problems.empty() ? "" : "\n") + message;
  };
  for (const auto& file : files) {
    auto loaded = detail::load_campaign(file);
    if (!loaded) {
      note(loaded.err().code, loaded.err().message);
      continue;
    }
    auto [it, fresh] = first_at.emplace(loaded->spec.id, loaded->id_at);
    if (!fresh) {
      note(errc::config_bad_value, loaded->id_at + ": id: \"" + loaded->spec.id +
                                       "\" is already the id of the campaign at " + it->second);
      continue;
    }
    out.push_back(std::move(loaded->spec));
  }
  if (first_code != errc::ok) {
    return error{first_code, std::move(problems)};
  }
  return out;
}

}  // namespace sb::campaigns
