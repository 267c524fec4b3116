#include "actors/campaign/campaign_yaml.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "actors/campaign/active_window.hpp"
#include "actors/campaign/message_template.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/config/yaml_reader.hpp"

namespace sb::campaigns::detail {

namespace {

using yaml::yaml_entry;

constexpr double max_money = 1e12;
constexpr int64_t max_count = 1'000'000'000'000;

const std::vector<std::string_view> tiers = {"regular", "silver", "gold", "platinum"};
const std::vector<std::string_view> channels = {"web", "app", "wechat"};

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto w : words) {
    out += out.empty() ? "" : ", ";
    out += w;
  }
  return out;
}

// Reads one campaign file into `spec`, noting every problem in `r`. Checks that involve several
// keys (coupon placeholders, unless without wait, start after end) run in finish().
class campaign_reader {
 public:
  explicit campaign_reader(yaml::yaml_reader& r) : r_(r) {}

  void read(const YAML::Node& root);
  loaded_campaign take() { return {std::move(spec_), std::move(id_at_)}; }

 private:
  // -- values
  // --------------------------------------------------------------------------------------
  std::optional<int64_t> duration(const yaml_entry& e, bool zero_ok);
  std::optional<bool> flag(const yaml_entry& e);
  std::optional<std::string> one_of(const yaml_entry& e, const std::vector<std::string_view>& ok);
  std::vector<std::string> words(const yaml_entry& e, const std::vector<std::string_view>& ok);
  void missing(const YAML::Mark& mark, const std::string& path) {
    r_.fail(errc::config_bad_value, mark, path, "missing (required)");
  }

  // -- sections
  // ------------------------------------------------------------------------------------
  void read_id(const yaml_entry& e);
  void read_when(const yaml_entry& e);
  void read_do(const yaml_entry& e);
  void read_coupon(const yaml_entry& e, coupon_action& c);
  void read_message(const yaml_entry& e, message_action& m);
  void read_handoff(const yaml_entry& e, handoff_action& h);
  void read_limits(const yaml_entry& e);
  void read_active(const yaml_entry& e);
  void read_audience(const yaml_entry& e);
  void finish(const YAML::Node& root);

  struct pending_template {
    YAML::Mark mark;
    std::string path;
  };

  yaml::yaml_reader& r_;
  campaign_spec spec_;
  std::string id_at_;
  std::vector<std::string> seen_;            // top-level keys given
  std::vector<pending_template> templates_;  // parallel to message actions
  std::optional<yaml_entry> unless_, budget_value_;
  std::optional<yaml_entry> start_, end_, zone_;  // of `active`
  std::vector<yaml_entry> extra_actions_;         // a second coupon or handoff
};

// -- values
// ----------------------------------------------------------------------------------------

std::optional<int64_t> campaign_reader::duration(const yaml_entry& e, bool zero_ok) {
  auto text = r_.string_of(e);
  if (!text) {
    return std::nullopt;
  }
  if (zero_ok && *text == "0") {
    return 0;
  }
  auto d = parse_duration(*text);
  if (!d) {
    r_.fail(errc::config_bad_value, r_.mark_of(e), e.path,
            "\"" + *text + "\" is not a duration: " + d.err().message);
    return std::nullopt;
  }
  if (!zero_ok && d->count() <= 0) {
    r_.fail(errc::config_bad_value, r_.mark_of(e), e.path, "must be longer than 0");
    return std::nullopt;
  }
  return d->count();
}

std::optional<bool> campaign_reader::flag(const yaml_entry& e) {
  if (e.value.IsScalar() && (e.value.Scalar() == "true" || e.value.Scalar() == "false")) {
    return e.value.Scalar() == "true";
  }
  r_.fail(errc::config_bad_value, r_.mark_of(e), e.path,
          "expected true or false, found " + (e.value.IsScalar()
                                                  ? "\"" + e.value.Scalar() + "\""
                                                  : std::string{yaml::kind_of(e.value)}));
  return std::nullopt;
}

std::optional<std::string> campaign_reader::one_of(const yaml_entry& e,
                                                   const std::vector<std::string_view>& ok) {
  auto text = r_.string_of(e);
  if (text && std::find(ok.begin(), ok.end(), *text) == ok.end()) {
    r_.fail(errc::config_bad_value, r_.mark_of(e), e.path,
            "\"" + *text + "\" is not one of " + join(ok));
    return std::nullopt;
  }
  return text;
}

std::vector<std::string> campaign_reader::words(const yaml_entry& e,
                                                const std::vector<std::string_view>& ok) {
  std::vector<std::string> out;
  if (e.value.IsNull()) {
    return out;  // "tiers:" with nothing: no filter
  }
  for (const auto& w : r_.strings_of(e.value, e.path, e.key_node.Mark(), true)) {
    if (!ok.empty() && std::find(ok.begin(), ok.end(), w.text) == ok.end()) {
      r_.fail(errc::config_bad_value, w.mark, w.path,
              "\"" + w.text + "\" is not one of " + join(ok));
    } else {
      out.push_back(w.text);
    }
  }
  return out;
}

// -- sections
// --------------------------------------------------------------------------------------

void campaign_reader::read(const YAML::Node& root) {
  const auto topics =
      std::vector<std::string_view>(std::begin(event_topics), std::end(event_topics));
  for (const auto& e : r_.entries(root, "",
                                  {"id", "name", "enabled", "locale", "on", "wait", "unless",
                                   "when", "do", "limits", "active", "audience"},
                                  YAML::Mark{})) {
    seen_.push_back(e.key);
    if (e.key == "id") {
      read_id(e);
    } else if (e.key == "name") {
      spec_.name = r_.string_of(e).value_or("");
    } else if (e.key == "enabled") {
      spec_.enabled = flag(e).value_or(true);
    } else if (e.key == "locale") {
      spec_.locale = one_of(e, {"zh", "en"}).value_or("zh");
    } else if (e.key == "on") {
      spec_.on = one_of(e, topics).value_or("");
    } else if (e.key == "unless") {
      spec_.unless = one_of(e, topics).value_or("");
      unless_ = e;
    } else if (e.key == "wait") {
      spec_.wait_ms = duration(e, true).value_or(0);
    } else if (e.key == "when") {
      read_when(e);
    } else if (e.key == "do") {
      read_do(e);
    } else if (e.key == "limits") {
      read_limits(e);
    } else if (e.key == "active") {
      read_active(e);
    } else {
      read_audience(e);
    }
  }
  finish(root);
}

void campaign_reader::read_id(const yaml_entry& e) {
  id_at_ = r_.at(r_.mark_of(e));
  auto id = r_.string_of(e);
  if (!id) {
    return;
  }
  const bool ok = std::all_of(id->begin(), id->end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!ok) {
    r_.fail(errc::config_bad_value, r_.mark_of(e), e.path,
            "\"" + *id + "\" may only use a-z, 0-9 and -");
    return;
  }
  spec_.id = *id;
}

void campaign_reader::read_when(const yaml_entry& e) {
  if (e.value.IsNull()) {
    return;
  }
  if (!e.value.IsSequence()) {
    r_.fail(errc::config_bad_value, e.value.Mark(), e.path,
            "expected a list of conditions such as \"- product.stock > 0\", found " +
                std::string{yaml::kind_of(e.value)});
    return;
  }
  for (size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const auto path = e.path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      r_.fail(errc::config_bad_value, item.IsNull() ? e.value.Mark() : item.Mark(), path,
              "expected a condition such as \"product.stock > 0\", found " +
                  std::string{yaml::kind_of(item)});
      continue;
    }
    auto c = parse_condition(item.Scalar());
    if (!c) {
      r_.fail(c.err().code, item.Mark(), path, c.err().message);
      continue;
    }
    spec_.when.push_back(std::move(*c));
  }
}

void campaign_reader::read_do(const yaml_entry& e) {
  if (!e.value.IsSequence() || e.value.size() == 0) {
    r_.fail(errc::config_bad_value, r_.mark_of(e), e.path,
            "expected a list of at least one action (coupon, message, handoff)");
    return;
  }
  for (size_t i = 0; i < e.value.size(); ++i) {
    const auto path = e.path + "[" + std::to_string(i) + "]";
    const auto items =
        r_.entries(e.value[i], path, {"coupon", "message", "handoff"}, e.value.Mark());
    if (items.size() > 1) {
      r_.fail(errc::config_bad_value, items[1].key_node.Mark(), path,
              "one action per item: start another item with \"- " + items[1].key + ":\"");
    }
    if (items.empty()) {
      continue;
    }
    const auto& item = items.front();
    action a;
    if (item.key == "coupon") {
      a.type = action::kind::coupon;
      read_coupon(item, a.coupon);
    } else if (item.key == "message") {
      a.type = action::kind::message;
      read_message(item, a.message);
    } else {
      a.type = action::kind::handoff;
      read_handoff(item, a.handoff);
    }
    const bool twice = a.type != action::kind::message &&
                       std::any_of(spec_.actions.begin(), spec_.actions.end(),
                                   [&](const action& b) { return b.type == a.type; });
    if (twice) {
      extra_actions_.push_back(item);
      continue;
    }
    spec_.actions.push_back(std::move(a));
  }
}

void campaign_reader::read_coupon(const yaml_entry& e, coupon_action& c) {
  std::optional<yaml_entry> amount, percent, max_discount;
  bool valid_for = false;
  for (const auto& f :
       r_.entries(e.value, e.path,
                  {"amount", "percent", "currency", "min_spend", "valid_for", "max_discount"},
                  e.key_node.Mark())) {
    if (f.key == "amount" || f.key == "percent") {
      auto v = r_.number_of(f, 0, f.key == "amount" ? max_money : 100);
      if (v && (*v <= 0 || *v >= (f.key == "amount" ? max_money : 100))) {
        r_.fail(
            errc::config_bad_value, r_.mark_of(f), f.path,
            f.key == "amount" ? "must be more than 0" : "must be more than 0 and less than 100");
      } else if (v) {
        (f.key == "amount" ? c.amount : c.percent) = *v;
      }
      (f.key == "amount" ? amount : percent) = f;
    } else if (f.key == "currency") {
      auto cur = r_.string_of(f);
      if (cur && (cur->size() != 3 || !std::all_of(cur->begin(), cur->end(), [](char ch) {
                    return ch >= 'A' && ch <= 'Z';
                  }))) {
        r_.fail(errc::config_bad_value, r_.mark_of(f), f.path,
                "\"" + *cur + "\" is not a currency code (three capitals, such as CNY)");
      } else if (cur) {
        c.currency = *cur;
      }
    } else if (f.key == "min_spend") {
      c.min_spend = r_.number_of(f, 0, max_money).value_or(0);
    } else if (f.key == "max_discount") {
      c.max_discount = r_.number_of(f, 0, max_money).value_or(0);
      max_discount = f;
    } else {
      valid_for = true;
      c.valid_for_ms = duration(f, false).value_or(0);
    }
  }
  if (!e.value.IsMap()) {
    return;  // entries() said so
  }
  if (amount && percent) {
    r_.fail(errc::config_bad_value, percent->key_node.Mark(), percent->path,
            "give either amount or percent, not both");
  } else if (!amount && !percent) {
    r_.fail(errc::config_bad_value, e.key_node.Mark(), e.path, "needs amount or percent");
  }
  if (amount && max_discount) {
    r_.fail(errc::config_bad_value, max_discount->key_node.Mark(), max_discount->path,
            "applies to percent coupons only");
  }
  if (!valid_for) {
    missing(e.key_node.Mark(), e.path + ".valid_for");
  }
}

void campaign_reader::read_message(const yaml_entry& e, message_action& m) {
  pending_template pending{e.key_node.Mark(), ""};
  bool any = false;
  for (const auto& f : r_.entries(e.value, e.path, {"template", "experiment"}, e.key_node.Mark())) {
    any = true;
    if (f.key == "template") {
      m.template_text = r_.string_of(f).value_or("");
      pending = {r_.mark_of(f), f.path};
    } else {
      m.experiment = r_.string_of(f).value_or("");
      m.experiment_at = r_.at(r_.mark_of(f));
    }
  }
  if (e.value.IsMap() && !any) {
    r_.fail(errc::config_bad_value, e.key_node.Mark(), e.path, "needs a template or an experiment");
  }
  templates_.push_back(std::move(pending));
}

void campaign_reader::read_handoff(const yaml_entry& e, handoff_action& h) {
  bool reason = false;
  for (const auto& f : r_.entries(e.value, e.path, {"priority", "reason"}, e.key_node.Mark())) {
    if (f.key == "priority") {
      h.priority = r_.integer_of(f, 0, 100).value_or(h.priority);
    } else {
      reason = true;
      h.reason = r_.string_of(f).value_or("");
    }
  }
  if (e.value.IsMap() && !reason) {
    missing(e.key_node.Mark(), e.path + ".reason");
  }
}

void campaign_reader::read_limits(const yaml_entry& e) {
  for (const auto& f :
       r_.entries(e.value, e.path, {"per_person", "cooldown", "budget"}, e.key_node.Mark())) {
    if (f.key == "per_person") {
      spec_.per_person = r_.integer_of(f, 0, max_count).value_or(spec_.per_person);
    } else if (f.key == "cooldown") {
      spec_.cooldown_ms = duration(f, true).value_or(0);
    } else {
      for (const auto& b : r_.entries(f.value, f.path, {"count", "value"}, f.key_node.Mark())) {
        if (b.key == "count") {
          spec_.budget_count = r_.integer_of(b, 0, max_count).value_or(0);
        } else {
          spec_.budget_value = r_.number_of(b, 0, max_money).value_or(0);
          budget_value_ = b;
        }
      }
    }
  }
}

void campaign_reader::read_active(const yaml_entry& e) {
  for (const auto& f :
       r_.entries(e.value, e.path, {"start", "end", "time_zone"}, e.key_node.Mark())) {
    (f.key == "start" ? start_ : f.key == "end" ? end_ : zone_) = f;
  }
  if (zone_) {
    auto zone = r_.string_of(*zone_);
    if (zone && !is_time_zone(*zone)) {
      r_.fail(errc::config_bad_value, r_.mark_of(*zone_), zone_->path,
              "unknown time zone \"" + *zone + "\" (use a tz database name such as Asia/Shanghai)");
      return;
    }
    spec_.time_zone = zone.value_or(spec_.time_zone);
  }
  const auto bound = [&](const std::optional<yaml_entry>& b) -> std::optional<int64_t> {
    if (!b) {
      return std::nullopt;
    }
    auto text = r_.string_of(*b);
    auto t = text ? parse_local_time(*text) : std::nullopt;
    if (text && !t) {
      r_.fail(errc::config_bad_value, r_.mark_of(*b), b->path,
              "\"" + *text + "\" is not a local time such as \"2026-11-01T00:00\"");
    }
    auto ms = t ? to_epoch_ms(*t, spec_.time_zone) : result<int64_t>{errc::invalid_argument, ""};
    return ms ? std::optional<int64_t>{*ms} : std::nullopt;
  };
  spec_.active_from_ms = bound(start_);
  spec_.active_until_ms = bound(end_);
  if (spec_.active_until_ms) {
    *spec_.active_until_ms += 60'000;  // the end minute is part of the window
  }
  if (spec_.active_from_ms && spec_.active_until_ms &&
      *spec_.active_from_ms >= *spec_.active_until_ms - 60'000) {
    r_.fail(errc::config_bad_value, r_.mark_of(*end_), end_->path, "must be after active.start");
  }
}

void campaign_reader::read_audience(const yaml_entry& e) {
  for (const auto& f :
       r_.entries(e.value, e.path, {"tiers", "channels", "tags"}, e.key_node.Mark())) {
    if (f.key == "tiers") {
      spec_.tiers = words(f, tiers);
    } else if (f.key == "channels") {
      spec_.channels = words(f, channels);
    } else {
      spec_.tags = words(f, {});
    }
  }
}

// -- checks across keys
// ----------------------------------------------------------------------------

void campaign_reader::finish(const YAML::Node& root) {
  if (!root.IsMap()) {
    return;  // entries() said so
  }
  for (const char* key : {"id", "name", "on", "do"}) {
    if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
      missing(root.Mark(), key);
    }
  }
  for (const auto& extra : extra_actions_) {
    r_.fail(errc::config_bad_value, extra.key_node.Mark(), extra.path,
            "a campaign has at most one " + extra.key + " action");
  }
  if (unless_ && !spec_.unless.empty()) {
    if (spec_.unless == spec_.on) {
      r_.fail(errc::config_bad_value, r_.mark_of(*unless_), unless_->path,
              "cannot be the event in `on`");
    } else if (spec_.wait_ms == 0) {
      r_.fail(errc::config_bad_value, r_.mark_of(*unless_), unless_->path,
              "cancels only during a wait; set `wait` or remove `unless`");
    }
  }
  const auto* coupon = spec_.coupon();
  size_t message = 0;
  for (const auto& a : spec_.actions) {
    if (a.type != action::kind::message) {
      continue;
    }
    const auto& where = templates_[message++];
    if (!where.path.empty()) {
      if (auto ok = check_template(a.message.template_text, coupon); !ok) {
        r_.fail(ok.err().code, where.mark, where.path, ok.err().message);
      }
    }
  }
  if (budget_value_ && spec_.budget_value > 0) {
    if (coupon == nullptr) {
      r_.fail(errc::config_bad_value, r_.mark_of(*budget_value_), budget_value_->path,
              "counts coupon face value, but this campaign issues no coupon");
    } else if (coupon->percent > 0 && coupon->max_discount <= 0) {
      r_.fail(errc::config_bad_value, r_.mark_of(*budget_value_), budget_value_->path,
              "needs the percent coupon to have a max_discount (its face value)");
    }
  }
}

}  // namespace

result<loaded_campaign> load_campaign(const std::string& path) {
  yaml::yaml_reader r{path};
  auto root = r.parse();
  if (!root) {
    return r.to_error();
  }
  campaign_reader reader{r};
  try {
    reader.read(*root);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on some malformed nodes; a file must never take the node down.
    r.fail(errc::config_syntax, e.mark, "", e.msg);
  }
  if (!r.ok()) {
    return r.to_error();
  }
  auto out = reader.take();
  out.spec.file = path;
  return out;
}

}  // namespace sb::campaigns::detail
