// Loading catalogs: the shipped one, and bad files whose errors must say where and what.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <string>

#include "actors/catalog/catalog.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

const std::string shipped = std::string{SB_SOURCE_DIR} + "/config/catalog.yaml";

struct fixture {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-catalog-test"));

  // Writes `text` to catalog.yaml and returns the error loading it must give.
  error load_error(const std::string& text) {
    auto path = dir.file("catalog.yaml");
    std::ofstream{path} << text;
    auto r = load_catalog(path);
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  // Returns "<file>:<line>:<column>: " for the catalog file.
  std::string at(int line, int column) const {
    return dir.file("catalog.yaml") + ":" + std::to_string(line) + ":" + std::to_string(column) +
           ": ";
  }
};

// One valid product, indented as an item of `products:`.
const std::string good = "products:\n  - sku: A-1\n    name: 耳机\n    price: 99\n    stock: 3\n";

}  // namespace

TEST_CASE("the shipped catalog loads with thirty products in sensible shape") {
  auto cat = SB_REQUIRE_OK(load_catalog(shipped));
  CHECK(cat.products.size() == 30);
  std::set<std::string> skus, brands;
  double low = 1e9, high = 0;
  int out_of_stock = 0, reserved = 0;
  for (const auto& p : cat.products) {
    skus.insert(p.sku);
    brands.insert(p.brand);
    low = std::min(low, p.price);
    high = std::max(high, p.price);
    out_of_stock += p.stock == 0 ? 1 : 0;
    reserved += p.tiers.empty() ? 0 : 1;
    CHECK_MESSAGE(!p.keywords.empty(), p.sku);
    CHECK_MESSAGE(!p.pitch.empty(), p.sku);
    CHECK(p.currency == "CNY");
  }
  CHECK(skus.size() == cat.products.size());
  CHECK(brands.size() == 3);
  CHECK(low == 49);
  CHECK(high == 2999);
  CHECK(out_of_stock >= 3);
  CHECK(reserved == 2);
}

TEST_CASE("a product is found by its SKU and an unknown SKU finds nothing") {
  auto cat = SB_REQUIRE_OK(load_catalog(shipped));
  const auto* p = cat.find("AL-ANC-PRO2-GOLD");
  REQUIRE(p != nullptr);
  CHECK(p->name == "声联 AirQuiet Pro 2 会员典藏版 降噪耳机");
  CHECK(p->tiers == std::vector<std::string>{"gold", "platinum"});
  CHECK(p->price == 1599);
  CHECK(cat.find("NO-SUCH-SKU") == nullptr);
  CHECK(cat.find("") == nullptr);
}

TEST_CASE_FIXTURE(fixture, "a minimal product gets the defaults of the optional fields") {
  auto path = dir.file("catalog.yaml");
  std::ofstream{path} << good;
  auto cat = SB_REQUIRE_OK(load_catalog(path));
  REQUIRE(cat.products.size() == 1);
  const auto& p = cat.products[0];
  CHECK(p.sku == "A-1");
  CHECK(p.currency == "CNY");
  CHECK(p.tags.empty());
  CHECK(p.tiers.empty());
  CHECK(p.updated_at_ms == 0);
}

TEST_CASE_FIXTURE(fixture, "an unknown key in a product is an error at its line and column") {
  auto e = load_error(good + "    colour: red\n");
  CHECK(e.code == errc::config_unknown_key);
  CHECK(e.message.rfind(at(6, 5) + "products[0].colour: unknown key", 0) == 0);
}

TEST_CASE_FIXTURE(fixture, "an unknown top-level key is an error") {
  auto e = load_error(good + "discounts: []\n");
  CHECK(e.code == errc::config_unknown_key);
  CHECK(e.message.rfind(at(6, 1) + "discounts: unknown key", 0) == 0);
}

TEST_CASE_FIXTURE(fixture, "a duplicate SKU is an error naming the first one") {
  auto e = load_error(good + "  - sku: A-1\n    name: 音箱\n    price: 1\n    stock: 1\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK(e.message == at(6, 10) + "products[1].sku: duplicate SKU \"A-1\"; first at line 2");
}

TEST_CASE_FIXTURE(fixture, "a negative price or stock is refused") {
  auto e = load_error("products:\n  - sku: A-1\n    name: x\n    price: -1\n    stock: 3\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK(e.message == at(4, 12) + "products[0].price: must be >= 0");

  e = load_error("products:\n  - sku: A-1\n    name: x\n    price: 1\n    stock: -2\n");
  CHECK(e.message == at(5, 12) + "products[0].stock: must be >= 0");
}

TEST_CASE_FIXTURE(fixture, "values of the wrong kind are refused") {
  auto e = load_error("products:\n  - sku: A-1\n    name: x\n    price: cheap\n    stock: 3\n");
  CHECK(e.message == at(4, 12) + "products[0].price: expected a number");

  e = load_error("products:\n  - sku: A-1\n    name: x\n    price: .inf\n    stock: 3\n");
  CHECK(e.message == at(4, 12) + "products[0].price: expected a number");

  e = load_error("products:\n  - sku: A-1\n    name: x\n    price: 1\n    stock: 2.5\n");
  CHECK(e.message == at(5, 12) + "products[0].stock: expected a whole number");

  e = load_error(good + "    tags: 降噪\n");
  CHECK(e.message == at(6, 11) + "products[0].tags: expected a list of text");

  e = load_error(good + "    pitch: [a, b]\n");
  CHECK(e.message == at(6, 12) + "products[0].pitch: expected text");

  e = load_error(good + "    currency: rmb\n");
  CHECK(e.message.rfind(at(6, 15) + "products[0].currency: expected three capital letters", 0) ==
        0);

  e = load_error(good + "    tiers: [gold, diamond]\n");
  CHECK(e.message.rfind(at(6, 19) + "products[0].tiers: unknown tier \"diamond\"", 0) == 0);

  e = load_error("products:\n  - sku: A 1\n    name: x\n    price: 1\n    stock: 1\n");
  CHECK(e.message == at(2, 10) + "products[0].sku: must not contain spaces or control characters");
}

TEST_CASE_FIXTURE(fixture, "required fields must be there") {
  auto e = load_error("products:\n  - name: x\n    price: 1\n    stock: 1\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK(e.message == at(2, 5) + "products[0].sku: required");

  e = load_error("products:\n  - sku: A-1\n    name: x\n    price: 1\n");
  CHECK(e.message == at(2, 5) + "products[0].stock: required");

  e = load_error("products:\n  - sku: A-1\n    name:\n    price: 1\n    stock: 1\n");
  CHECK(e.message == at(3, 5) + "products[0].name: expected text");
}

TEST_CASE_FIXTURE(fixture, "a key given twice in one product is an error") {
  auto e = load_error(good + "    price: 5\n");
  CHECK(e.code == errc::config_syntax);
  CHECK(e.message == at(6, 5) + "products[0].price: set twice");
}

TEST_CASE_FIXTURE(fixture, "broken YAML and a missing file are reported as such") {
  auto e = load_error("products:\n  - sku: [A-1\n");
  CHECK(e.code == errc::config_syntax);
  CHECK(e.message.rfind(dir.file("catalog.yaml") + ":", 0) == 0);

  e = load_error("- just\n- a list\n");
  CHECK(e.code == errc::config_bad_value);

  e = load_error("products: nothing\n");
  CHECK(e.message == at(1, 11) + "products: expected a list of products");

  auto missing = load_catalog(dir.file("absent.yaml"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.err().code == errc::config_io);
}
