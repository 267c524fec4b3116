// Recommendation ranking on the shipped catalog and on small hand-made ones.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "actors/catalog/recommender.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

catalog shipped() {
  return SB_REQUIRE_OK(load_catalog(std::string{SB_SOURCE_DIR} + "/config/catalog.yaml"));
}

product make(std::string sku, std::string brand, double price, std::vector<std::string> keywords,
             int64_t stock = 10) {
  product p;
  p.sku = std::move(sku);
  p.name = p.sku;
  p.brand = std::move(brand);
  p.category = "headphones";
  p.keywords = std::move(keywords);
  p.price = price;
  p.stock = stock;
  return p;
}

shopper_context asking(std::vector<std::string> tokens) {
  shopper_context s;
  s.tokens = std::move(tokens);
  return s;
}

bool has_reason(const recommendation& r, const std::string& reason) {
  return std::find(r.reasons.begin(), r.reasons.end(), reason) != r.reasons.end();
}

std::vector<std::string> skus(const std::vector<recommendation>& recs) {
  std::vector<std::string> out;
  out.reserve(recs.size());
  for (const auto& r : recs) {
    out.push_back(r.item->sku);
  }
  return out;
}

}  // namespace

TEST_CASE("asking for 降噪 耳机 puts an in-stock noise-cancelling headphone first") {
  const auto cat = shipped();
  auto recs = recommend(cat, asking({"有", "降噪", "耳机", "吗"}));
  REQUIRE(!recs.empty());
  const auto& top = *recs.front().item;
  CHECK(top.category == "headphones");
  CHECK(top.stock > 0);
  CHECK(std::find(top.tags.begin(), top.tags.end(), "降噪") != top.tags.end());
  CHECK(has_reason(recs.front(), "keyword:降噪"));
  CHECK(has_reason(recs.front(), "keyword:耳机"));
  for (const auto& r : recs) {
    CHECK(r.item->stock > 0);
  }
  CHECK(recs.size() == 3);
  CHECK(recs[0].score >= recs[1].score);
  CHECK(recs[1].score >= recs[2].score);
}

TEST_CASE("an unsegmented phrase matches the keywords it equals or contains") {
  const auto cat = shipped();
  auto recs = recommend(cat, asking({"降噪耳机"}));
  REQUIRE(recs.size() == 2);  // the two in-stock, unreserved ones
  for (const auto& r : recs) {
    CHECK(r.item->category == "headphones");
    CHECK(r.item->stock > 0);
    CHECK(has_reason(r, "keyword:降噪耳机"));
  }
  // The segmenter left a whole question in one token: the keyword inside it still counts.
  auto whole = recommend(cat, asking({"有没有降噪耳机啊"}));
  CHECK(skus(whole) == skus(recs));
}

TEST_CASE("English tokens match whole words regardless of case") {
  const auto cat = shipped();
  auto recs = recommend(cat, asking({"Power", "BANK"}));
  REQUIRE(!recs.empty());
  for (const auto& r : recs) {
    CHECK(r.item->category == "power_banks");
  }
  // "po" is part of "power" but not a word of it.
  CHECK(recommend(cat, asking({"po"})).empty());
}

TEST_CASE("a price-sensitive shopper gets the cheaper ones first") {
  catalog cat;
  cat.products = {make("H-MID", "A", 599, {"耳机"}), make("H-TOP", "A", 1999, {"耳机"}),
                  make("H-LOW", "A", 149, {"耳机"})};
  auto plain = recommend(cat, asking({"耳机"}));
  CHECK(skus(plain) == std::vector<std::string>{"H-LOW", "H-MID", "H-TOP"});  // ties: by SKU

  auto shopper = asking({"耳机"});
  shopper.price_sensitive = true;
  auto recs = recommend(cat, shopper);
  CHECK(skus(recs) == std::vector<std::string>{"H-LOW", "H-MID", "H-TOP"});
  CHECK(has_reason(recs[0], "cheaper"));
  CHECK(recs[0].score > recs[1].score);
  CHECK(recs[1].score > recs[2].score);

  // On the shipped catalog: the price-sensitive top pick is cheaper than the plain one.
  const auto full = shipped();
  auto ask = asking({"降噪", "耳机"});
  auto top_plain = recommend(full, ask, 1);
  ask.price_sensitive = true;
  auto top_cheap = recommend(full, ask, 1);
  REQUIRE(top_plain.size() == 1);
  REQUIRE(top_cheap.size() == 1);
  CHECK(top_cheap[0].item->price < top_plain[0].item->price);
}

TEST_CASE("a price band favours products inside it") {
  catalog cat;
  cat.products = {make("H-1", "A", 1999, {"耳机"}), make("H-2", "A", 299, {"耳机"}),
                  make("H-3", "A", 5000, {"耳机"})};
  auto shopper = asking({"耳机"});
  shopper.price_band = std::make_pair(1500.0, 2500.0);
  auto recs = recommend(cat, shopper);
  REQUIRE(recs.size() == 3);
  CHECK(recs[0].item->sku == "H-1");
  CHECK(has_reason(recs[0], "in_price_band"));
  CHECK(has_reason(recs[1], "outside_price_band"));
}

TEST_CASE("a silver member never sees a gold-only item") {
  const auto cat = shipped();
  for (const char* tier : {"silver", "regular", ""}) {
    auto shopper = asking({"降噪", "耳机", "典藏版", "会员专享"});
    shopper.tier = tier;
    for (const auto& r : recommend(cat, shopper, 30)) {
      CHECK_MESSAGE(r.item->sku != "AL-ANC-PRO2-GOLD", tier);
      CHECK_MESSAGE(r.item->tiers.empty(), tier);
    }
  }
  auto gold = asking({"典藏版"});
  gold.tier = "gold";
  auto recs = recommend(cat, gold, 1);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].item->sku == "AL-ANC-PRO2-GOLD");
}

TEST_CASE("an out-of-stock product is never recommended") {
  const auto cat = shipped();
  // AL-ANC-LITE matches these words best but has no stock; asked by name and viewed, still not.
  auto shopper = asking({"AirQuiet", "Lite", "降噪", "耳机", "学生"});
  shopper.viewed_skus = {"AL-ANC-LITE", "AL-SPORT-BONE"};
  shopper.viewed_categories = {"speakers"};
  for (const auto& r : recommend(cat, shopper, 30)) {
    CHECK_MESSAGE(r.item->stock > 0, r.item->sku);
  }
  for (const auto& p : cat.products) {
    if (p.stock > 0) {
      continue;
    }
    for (const auto& r : recommend(cat, asking({p.sku, p.name}), 30)) {
      CHECK(r.item->sku != p.sku);
    }
  }
}

TEST_CASE("a viewed brand breaks a tie") {
  catalog cat;
  cat.products = {make("H-A", "Auralink", 299, {"耳机"}), make("H-B", "Nimbus", 299, {"耳机"})};
  CHECK(skus(recommend(cat, asking({"耳机"}))) == std::vector<std::string>{"H-A", "H-B"});

  auto shopper = asking({"耳机"});
  shopper.viewed_brands = {"nimbus"};
  auto recs = recommend(cat, shopper);
  CHECK(skus(recs) == std::vector<std::string>{"H-B", "H-A"});
  CHECK(has_reason(recs[0], "brand_affinity"));

  // A viewed SKU lends its brand too.
  shopper.viewed_brands.clear();
  shopper.viewed_skus = {"H-B"};
  CHECK(skus(recommend(cat, shopper)).front() == "H-B");
}

TEST_CASE("nothing is recommended when nothing matches and there is no history") {
  const auto cat = shipped();
  CHECK(recommend(cat, asking({"你好"})).empty());
  CHECK(recommend(cat, asking({})).empty());
  CHECK(recommend(cat, asking({"降噪"}), 0).empty());
}

TEST_CASE("with no matching words the history alone picks the products") {
  const auto cat = shipped();
  auto shopper = asking({"你好"});
  shopper.viewed_categories = {"tablets"};
  auto recs = recommend(cat, shopper);
  REQUIRE(recs.size() == 2);
  for (const auto& r : recs) {
    CHECK(r.item->category == "tablets");
    CHECK(has_reason(r, "category_affinity"));
  }
}

TEST_CASE("words of the message outrank the history") {
  const auto cat = shipped();
  auto shopper = asking({"充电宝"});
  shopper.viewed_brands = {"Auralink"};
  for (const auto& r : recommend(cat, shopper)) {
    CHECK(r.item->category == "power_banks");
  }
}

TEST_CASE("excluded SKUs are skipped") {
  const auto cat = shipped();
  auto shopper = asking({"降噪", "耳机"});
  auto first = recommend(cat, shopper, 1);
  REQUIRE(first.size() == 1);
  shopper.exclude_skus = {first[0].item->sku};
  for (const auto& r : recommend(cat, shopper, 30)) {
    CHECK(r.item->sku != first[0].item->sku);
  }
}

TEST_CASE("recommendations are deterministic whatever the catalog order") {
  auto cat = shipped();
  auto shopper = asking({"耳机", "运动", "防水"});
  shopper.viewed_brands = {"Nimbus"};
  shopper.price_band = std::make_pair(100.0, 500.0);
  const auto expected = skus(recommend(cat, shopper, 10));
  REQUIRE(expected.size() >= 3);
  for (int i = 0; i < 5; ++i) {
    CHECK(skus(recommend(cat, shopper, 10)) == expected);
  }
  std::reverse(cat.products.begin(), cat.products.end());
  CHECK(skus(recommend(cat, shopper, 10)) == expected);
  std::rotate(cat.products.begin(), cat.products.begin() + 7, cat.products.end());
  CHECK(skus(recommend(cat, shopper, 10)) == expected);
}
