#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "actors/catalog/catalog.hpp"
#include "runtime/clock.hpp"
#include "runtime/result.hpp"

namespace sb {

/// Counters of a catalog_cache, for metrics. Each only grows.
struct catalog_cache_stats {
  uint64_t hits = 0;          ///< get() answered from a fresh entry.
  uint64_t misses = 0;        ///< get() found no entry (or an invalidated one) and loaded.
  uint64_t refreshes = 0;     ///< get() found an expired entry and loaded again.
  uint64_t load_errors = 0;   ///< The loader returned an error.
  uint64_t stale_served = 0;  ///< A load failed and an expired entry within the bound was returned.
};

/// A cache of products by SKU in front of a slower source (the store, a catalog service), with a
/// TTL measured on an injected clock. Thread-safe: every method may be called from any thread;
/// the loader runs without the cache's lock held, so it may be slow and may run twice at once for
/// one SKU. Owned by whatever serves products (the catalog actor); the clock and the loader must
/// outlive it.
///
/// A load that says "no such product" (an empty optional) is cached like a product, so unknown
/// SKUs do not hit the source on every question. put() (a `product.updated` event) replaces an
/// entry at once and wins over a load that was running at the time; an update older than the
/// cached product (by `updated_at_ms`, when both are set) is ignored.
///
/// Errors: when a reload fails, the expired entry is still returned (serve-stale) as long as it is
/// no older than `ttl_ms + max_stale_ms`; past that the error is returned and the entry dropped,
/// so a broken source never makes the cache serve an old price forever. Each get() on an expired
/// entry tries the loader again.
class catalog_cache {
 public:
  /// Loads one product: the product, an empty optional if there is none, or an error.
  using loader = std::function<result<std::optional<product>>(const std::string& sku)>;

  static constexpr int64_t default_ttl_ms = int64_t{5} * 60 * 1000;
  static constexpr int64_t default_max_stale_ms = int64_t{5} * 60 * 1000;

  /// Creates an empty cache. `ttl_ms` and `max_stale_ms` below 0 are taken as 0.
  catalog_cache(const clock& clk, int64_t ttl_ms, loader load,
                int64_t max_stale_ms = default_max_stale_ms);

  /// Returns the product (or an empty optional if the source has none), loading it on a miss or
  /// when the entry is older than the TTL; the loader's error if loading failed and no entry
  /// within the stale bound is left.
  result<std::optional<product>> get(const std::string& sku);

  /// Forgets the entry, so that the next get() loads it.
  void invalidate(const std::string& sku);

  /// Stores the product at once, as fresh as if just loaded (unless it is older than the cached
  /// one).
  void put(product p);

  /// Returns every cached product no older than the stale bound, sorted by SKU.
  [[nodiscard]] catalog snapshot() const;

  /// Returns the counters.
  [[nodiscard]] catalog_cache_stats stats() const;

 private:
  struct entry {
    std::optional<product> value;  // empty: the source has no such product
    int64_t loaded_at_ms = 0;
    uint64_t version = 0;  // changes with every write, so a slow load cannot overwrite a newer put
    bool valid = false;    // false after invalidate(): kept as a tombstone for the version check
  };

  void store_locked(const std::string& sku, std::optional<product> value);

  const clock& clock_;
  const int64_t ttl_ms_;
  const int64_t max_stale_ms_;
  const loader load_;
  mutable std::mutex mutex_;
  std::map<std::string, entry> entries_;
  uint64_t next_version_ = 1;
  catalog_cache_stats stats_;
};

}  // namespace sb
