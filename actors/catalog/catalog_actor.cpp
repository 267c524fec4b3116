#include "actors/catalog/catalog_actor.hpp"

#include <nlohmann/json.hpp>

#include "runtime/codec.hpp"
#include "schemas/user.hpp"

namespace sb {

result<void> catalog_actor::restore(const std::optional<std::string>& snapshot) {
  if (!snapshot) {
    return {};
  }
  auto j = nlohmann::json::parse(*snapshot, nullptr, false);
  if (!j.is_object()) {
    return error{errc::decode_malformed, "catalog state is not a JSON object"};
  }
  for (const auto& [sku, value] : j.items()) {
    if (!value.is_string()) {
      return error{errc::decode_malformed, "catalog state: " + sku + " is not a string"};
    }
    auto p = product_from_json(value.get<std::string>());
    if (!p) {
      return p.err();
    }
    bot_->product_updated(std::move(*p));
    updated_[sku] = value.get<std::string>();
  }
  return {};
}

std::string catalog_actor::snapshot() const {
  return nlohmann::json(updated_).dump();
}

result<void> catalog_actor::handle(const schemas::envelope& msg, actor_context& ctx) {
  auto ev = open_envelope<schemas::business_event>(msg);
  if (!ev) {
    return ev.err();
  }
  if (ev->type != "product.updated") {
    return error{errc::invalid_argument, "the catalog takes product.updated, not " + ev->type};
  }
  auto p = product_from_json(ev->product_json);
  if (!p) {
    return p.err();
  }
  if (p->updated_at_ms == 0) {
    p->updated_at_ms = ev->at_ms;
  }
  if (auto kept = updated_.find(p->sku); kept != updated_.end()) {
    // A late, older update must not replace the newer one we keep: the bot ignores it now, and a
    // restart would otherwise bring the old product back.
    auto newer = product_from_json(kept->second);
    if (newer && newer->updated_at_ms != 0 && p->updated_at_ms != 0 &&
        p->updated_at_ms < newer->updated_at_ms) {
      schemas::user_command stale;
      stale.action = "stale";
      ctx.reply(stale);
      return {};
    }
  }
  updated_[p->sku] = to_json(*p);
  bot_->product_updated(*p);
  ctx.publish("product.updated", *ev);
  schemas::user_command ok;
  ok.action = "applied";
  ctx.reply(ok);
  return {};
}

result<void> catalog_actor::on_timer(const schemas::timer_fired&, actor_context&) {
  return {};
}

std::string catalog_actor::status_json() const {
  auto stats = bot_->cache_stats();
  nlohmann::json j;
  j["updated_products"] = updated_.size();
  j["cache"] = {{"hits", stats.hits}, {"misses", stats.misses}, {"refreshes", stats.refreshes}};
  return j.dump();
}

}  // namespace sb
