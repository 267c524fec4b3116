// The product cache against a manual clock: hits, expiry, put, invalidate and a failing source.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <stdexcept>
#include <thread>
#include <vector>

#include "actors/catalog/catalog_cache.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

constexpr int64_t ttl = 60'000;
constexpr int64_t max_stale = 30'000;

product make(const std::string& sku, double price, int64_t updated_at_ms = 0) {
  product p;
  p.sku = sku;
  p.name = sku;
  p.price = price;
  p.stock = 5;
  p.updated_at_ms = updated_at_ms;
  return p;
}

/// A fake source: a map of products, a call counter, and a switch that makes it fail.
struct source {
  std::map<std::string, product> products;
  int calls = 0;
  bool failing = false;

  catalog_cache::loader loader() {
    return [this](const std::string& sku) -> result<std::optional<product>> {
      ++calls;
      if (failing) {
        return error{errc::store_unavailable, "redis down"};
      }
      auto it = products.find(sku);
      if (it == products.end()) {
        return std::optional<product>{};
      }
      return std::optional<product>{it->second};
    };
  }
};

double price_of(const result<std::optional<product>>& r) {
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  return (*r)->price;
}

struct fixture {
  manual_clock clk;
  source src;
  catalog_cache cache{clk, ttl, src.loader(), max_stale};

  fixture() { src.products["A"] = make("A", 100); }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a fresh entry is served without asking the source again") {
  CHECK(price_of(cache.get("A")) == 100);
  CHECK(src.calls == 1);
  clk.advance(ttl - 1);
  CHECK(price_of(cache.get("A")) == 100);
  CHECK(src.calls == 1);
  auto s = cache.stats();
  CHECK(s.misses == 1);
  CHECK(s.hits == 1);
  CHECK(s.refreshes == 0);
}

TEST_CASE_FIXTURE(fixture, "an entry older than the TTL is loaded again") {
  CHECK(price_of(cache.get("A")) == 100);
  src.products["A"].price = 90;
  clk.advance(ttl);
  CHECK(price_of(cache.get("A")) == 90);
  CHECK(src.calls == 2);
  CHECK(cache.stats().refreshes == 1);
  CHECK(price_of(cache.get("A")) == 90);
  CHECK(src.calls == 2);
}

TEST_CASE_FIXTURE(fixture, "a product the source does not have is cached as absent") {
  auto r = SB_REQUIRE_OK(cache.get("NOPE"));
  CHECK_FALSE(r.has_value());
  CHECK_FALSE(SB_REQUIRE_OK(cache.get("NOPE")).has_value());
  CHECK(src.calls == 1);
  CHECK(cache.snapshot().products.empty());
}

TEST_CASE_FIXTURE(fixture, "put replaces the entry at once") {
  CHECK(price_of(cache.get("A")) == 100);
  cache.put(make("A", 79));
  CHECK(price_of(cache.get("A")) == 79);
  cache.put(make("B", 5));
  CHECK(price_of(cache.get("B")) == 5);
  CHECK(src.calls == 1);
}

TEST_CASE_FIXTURE(fixture, "an update older than the cached product is ignored") {
  cache.put(make("A", 79, 2'000));
  cache.put(make("A", 99, 1'000));
  CHECK(price_of(cache.get("A")) == 79);
  cache.put(make("A", 69, 3'000));
  CHECK(price_of(cache.get("A")) == 69);
}

TEST_CASE_FIXTURE(fixture, "invalidate makes the next get load again") {
  CHECK(price_of(cache.get("A")) == 100);
  src.products["A"].price = 120;
  cache.invalidate("A");
  CHECK(cache.snapshot().products.empty());
  CHECK(price_of(cache.get("A")) == 120);
  CHECK(src.calls == 2);
  cache.invalidate("never-seen");  // harmless
}

TEST_CASE_FIXTURE(fixture, "a loader error on a miss is returned") {
  src.failing = true;
  auto r = cache.get("A");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::store_unavailable);
  CHECK(cache.stats().load_errors == 1);
  src.failing = false;
  CHECK(price_of(cache.get("A")) == 100);  // errors are not cached
}

TEST_CASE_FIXTURE(fixture, "a stale entry stands in for a failing source only up to a bound") {
  CHECK(price_of(cache.get("A")) == 100);
  src.failing = true;
  clk.advance(ttl + max_stale);
  CHECK(price_of(cache.get("A")) == 100);  // served stale, and the source was asked
  CHECK(src.calls == 2);
  CHECK(cache.stats().stale_served == 1);
  CHECK(cache.snapshot().products.size() == 1);

  clk.advance(1);
  auto r = cache.get("A");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::store_unavailable);
  CHECK(cache.snapshot().products.empty());
  r = cache.get("A");  // dropped: no stale value comes back later either
  REQUIRE_FALSE(r.ok());

  src.failing = false;
  CHECK(price_of(cache.get("A")) == 100);
  auto s = cache.stats();
  CHECK(s.load_errors == 3);
  CHECK(s.stale_served == 1);
}

TEST_CASE_FIXTURE(fixture, "the snapshot holds every cached product sorted by SKU") {
  src.products["C"] = make("C", 3);
  CHECK(cache.get("C").ok());
  CHECK(cache.get("A").ok());
  cache.put(make("B", 2));
  auto snap = cache.snapshot();
  REQUIRE(snap.products.size() == 3);
  CHECK(snap.products[0].sku == "A");
  CHECK(snap.products[1].sku == "B");
  CHECK(snap.products[2].sku == "C");
  CHECK(snap.find("B")->price == 2);

  clk.advance(ttl + max_stale + 1);
  CHECK(cache.snapshot().products.empty());  // past the bound nothing is served
}

TEST_CASE("a put during a slow load wins over the loaded value") {
  manual_clock clk;
  catalog_cache* self = nullptr;
  catalog_cache cache{clk, ttl, [&](const std::string& sku) -> result<std::optional<product>> {
                        self->put(make(sku, 42));  // the event arrives while the source answers
                        return std::optional<product>{make(sku, 1)};
                      }};
  self = &cache;
  CHECK(price_of(cache.get("A")) == 42);
  CHECK(price_of(cache.get("A")) == 42);
}

TEST_CASE("a loader that throws gives an internal error") {
  manual_clock clk;
  catalog_cache cache{clk, catalog_cache::default_ttl_ms,
                      [](const std::string&) -> result<std::optional<product>> {
                        throw std::runtime_error("boom");
                      }};
  auto r = cache.get("A");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::internal);
}

TEST_CASE("the cache can be used from many threads at once") {
  manual_clock clk;
  std::atomic<int> calls{0};
  std::atomic<int> failures{0};
  catalog_cache cache{clk, 1'000, [&](const std::string& sku) -> result<std::optional<product>> {
                        ++calls;
                        return std::optional<product>{make(sku, 10)};
                      }};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string sku = "S" + std::to_string(i % 13);
        failures += cache.get(sku).ok() ? 0 : 1;
        if (i % 50 == t) {
          cache.put(make(sku, 11));
        }
        if (i % 97 == t) {
          cache.invalidate(sku);
        }
        if (t == 0 && i % 100 == 0) {
          clk.advance(400);
        }
        (void)cache.snapshot();
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(failures.load() == 0);
  auto s = cache.stats();
  CHECK(s.hits + s.misses + s.refreshes == 8 * 500);
  CHECK(calls.load() == static_cast<int>(s.misses + s.refreshes));
}
