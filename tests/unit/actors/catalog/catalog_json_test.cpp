// Products as JSON for the HTTP API: a round trip, and the input it refuses.
#include <doctest/doctest.h>

#include <string>

#include "actors/catalog/catalog.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

product sample() {
  product p;
  p.sku = "AL-ANC-PRO2";
  p.name = "声联 AirQuiet Pro 2 主动降噪耳机";
  p.brand = "Auralink";
  p.category = "headphones";
  p.tags = {"降噪", "无线"};
  p.keywords = {"降噪耳机", "noise cancelling"};
  p.price = 1299.5;
  p.stock = 240;
  p.pitch = "48dB 深度降噪";
  p.tiers = {"gold"};
  p.updated_at_ms = 1'717'200'000'000;
  return p;
}

error refused(const std::string& json) {
  auto r = product_from_json(json);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  return r.err();
}

}  // namespace

TEST_CASE("a product survives a trip through JSON") {
  const auto p = sample();
  auto back = SB_REQUIRE_OK(product_from_json(to_json(p)));
  CHECK(back.sku == p.sku);
  CHECK(back.name == p.name);
  CHECK(back.brand == p.brand);
  CHECK(back.category == p.category);
  CHECK(back.tags == p.tags);
  CHECK(back.keywords == p.keywords);
  CHECK(back.price == p.price);
  CHECK(back.stock == p.stock);
  CHECK(back.currency == "CNY");
  CHECK(back.pitch == p.pitch);
  CHECK(back.tiers == p.tiers);
  CHECK(back.updated_at_ms == p.updated_at_ms);
}

TEST_CASE("a product's JSON lists its fields in declaration order") {
  auto json = to_json(sample());
  CHECK(json.rfind(R"({"sku":"AL-ANC-PRO2","name":)", 0) == 0);
  CHECK(json.find(R"("updated_at_ms":1717200000000})") != std::string::npos);
}

TEST_CASE("text that is not valid UTF-8 is written with replacement characters") {
  auto p = sample();
  p.name = "bad \xff name";
  auto json = to_json(p);
  CHECK(json.find("bad \xEF\xBF\xBD name") != std::string::npos);
}

TEST_CASE("a minimal JSON product takes the defaults") {
  auto p = SB_REQUIRE_OK(product_from_json(R"({"sku":"X-1","name":"手机壳"})"));
  CHECK(p.price == 0);
  CHECK(p.stock == 0);
  CHECK(p.currency == "CNY");
}

TEST_CASE("JSON products with unknown keys, wrong types or bad values are refused") {
  CHECK(refused(R"({"sku":"X","name":"n","colour":"red"})").message == "colour: unknown key");
  CHECK(refused(R"({"name":"n"})").message == "sku: required");
  CHECK(refused(R"({"sku":"X"})").message == "name: required");
  CHECK(refused(R"({"sku":"X","name":""})").message == "name: must not be empty");
  CHECK(refused(R"({"sku":"X","name":"n","price":-1})").message == "price: must be >= 0");
  CHECK(refused(R"({"sku":"X","name":"n","price":true})").message == "price: expected a number");
  CHECK(refused(R"({"sku":"X","name":"n","price":"9"})").message == "price: expected a number");
  CHECK(refused(R"({"sku":"X","name":"n","stock":-5})").message == "stock: must be >= 0");
  CHECK(refused(R"({"sku":"X","name":"n","stock":1.5})").message ==
        "stock: expected a whole number");
  CHECK(refused(R"({"sku":"X","name":"n","stock":18446744073709551615})").message ==
        "stock: out of range");
  CHECK(refused(R"({"sku":"X","name":"n","tags":"降噪"})").message ==
        "tags: expected an array of strings");
  CHECK(refused(R"({"sku":"X","name":"n","tiers":["diamond"]})")
            .message.rfind("tiers: unknown tier", 0) == 0);
  CHECK(refused(R"({"sku":"X","name":"n","currency":"¥"})").message.rfind("currency: ", 0) == 0);
  CHECK(refused(R"({"sku":"a b","name":"n"})").message.rfind("sku: ", 0) == 0);
}

TEST_CASE("input that is not a JSON object is refused without throwing") {
  CHECK(refused("").message == "not valid JSON");
  CHECK(refused("{\"sku\":").message == "not valid JSON");
  CHECK(refused("[1,2]").message == "expected a JSON object");
  CHECK(refused("\"\xff\"").message == "not valid JSON");
  CHECK(refused(std::string(100'000, '[')).message == "nested deeper than 16");
}
