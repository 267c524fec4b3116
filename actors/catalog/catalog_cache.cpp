#include "actors/catalog/catalog_cache.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <utility>

namespace sb {

catalog_cache::catalog_cache(const clock& clk, int64_t ttl_ms, loader load, int64_t max_stale_ms)
    : clock_(clk),
      ttl_ms_(std::max<int64_t>(0, ttl_ms)),
      max_stale_ms_(std::min(std::max<int64_t>(0, max_stale_ms),
                             std::numeric_limits<int64_t>::max() - std::max<int64_t>(0, ttl_ms))),
      load_(std::move(load)) {}

result<std::optional<product>> catalog_cache::get(const std::string& sku) {
  uint64_t seen_version = 0;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto it = entries_.find(sku);
    if (it != entries_.end() && it->second.valid) {
      if (clock_.now_ms() - it->second.loaded_at_ms < ttl_ms_) {
        ++stats_.hits;
        return it->second.value;
      }
      ++stats_.refreshes;
    } else {
      ++stats_.misses;
    }
    seen_version = it != entries_.end() ? it->second.version : 0;
  }
  // Without the lock: the source may be slow, and other SKUs should not wait for it.
  result<std::optional<product>> loaded = error{errc::internal, "catalog loader not called"};
  try {
    loaded = load_(sku);
  } catch (const std::exception& e) {
    loaded = error{errc::internal, std::string{"catalog loader threw: "} + e.what()};
  }
  std::lock_guard<std::mutex> guard{mutex_};
  const int64_t now = clock_.now_ms();
  auto it = entries_.find(sku);
  const bool written_meanwhile = it != entries_.end() && it->second.version != seen_version;
  if (!loaded) {
    ++stats_.load_errors;
    if (it == entries_.end() || !it->second.valid) {
      return loaded.err();
    }
    const int64_t age = now - it->second.loaded_at_ms;
    if (age < ttl_ms_) {
      return it->second.value;  // a put() arrived while the load failed
    }
    if (age <= ttl_ms_ + max_stale_ms_) {
      ++stats_.stale_served;
      return it->second.value;
    }
    // Too old to stand in for the source any longer: drop it (as a tombstone, see entry::valid).
    it->second.valid = false;
    it->second.value.reset();
    it->second.version = next_version_++;
    return loaded.err();
  }
  if (written_meanwhile) {
    // A put() or invalidate() came while loading; it is newer than what the source said when asked.
    if (it->second.valid) {
      return it->second.value;
    }
    return std::move(loaded).value();
  }
  store_locked(sku, *loaded);
  return std::move(loaded).value();
}

void catalog_cache::invalidate(const std::string& sku) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = entries_.find(sku);
  if (it == entries_.end()) {
    return;
  }
  it->second.valid = false;
  it->second.value.reset();
  it->second.version = next_version_++;
}

void catalog_cache::put(product p) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = entries_.find(p.sku);
  if (it != entries_.end() && it->second.valid && it->second.value) {
    const int64_t cached_at = it->second.value->updated_at_ms;
    // Events can arrive out of order; an older update must not undo a newer one.
    if (cached_at != 0 && p.updated_at_ms != 0 && p.updated_at_ms < cached_at) {
      return;
    }
  }
  const std::string sku = p.sku;
  store_locked(sku, std::move(p));
}

catalog catalog_cache::snapshot() const {
  std::lock_guard<std::mutex> guard{mutex_};
  const int64_t now = clock_.now_ms();
  catalog out;
  for (const auto& [sku, e] : entries_) {
    if (e.valid && e.value && now - e.loaded_at_ms <= ttl_ms_ + max_stale_ms_) {
      out.products.push_back(*e.value);
    }
  }
  return out;
}

catalog_cache_stats catalog_cache::stats() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return stats_;
}

void catalog_cache::store_locked(const std::string& sku, std::optional<product> value) {
  auto& e = entries_[sku];
  e.value = std::move(value);
  e.loaded_at_ms = clock_.now_ms();
  e.version = next_version_++;
  e.valid = true;
}

}  // namespace sb
