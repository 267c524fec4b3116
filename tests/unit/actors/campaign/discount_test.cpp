// What a coupon takes off an order: amounts, percents with their cap, and the minimum spend.
#include <doctest/doctest.h>

#include "actors/campaign/discount.hpp"

namespace {

using namespace sb::campaigns;

coupon_action amount(double a, double min_spend = 0) {
  coupon_action c;
  c.amount = a;
  c.min_spend = min_spend;
  return c;
}

coupon_action percent(double p, double max_discount = 0, double min_spend = 0) {
  coupon_action c;
  c.percent = p;
  c.max_discount = max_discount;
  c.min_spend = min_spend;
  return c;
}

}  // namespace

TEST_CASE("an amount coupon takes its amount off") {
  CHECK(discount_for(amount(10), 99) == 10);
  CHECK(discount_for(amount(10), 5) == 5);  // never more than the order
  CHECK(discount_for(amount(10), 0) == 0);
  CHECK(discount_for(amount(10), -3) == 0);
}

TEST_CASE("nothing comes off below the minimum spend") {
  CHECK(discount_for(amount(50, 300), 299.99) == 0);
  CHECK(discount_for(amount(50, 300), 300) == 50);  // the minimum itself qualifies
  CHECK(discount_for(percent(15, 0, 100), 99) == 0);
}

TEST_CASE("a percent coupon takes its share, rounded to the cent and capped") {
  // 15 % of 200 = 30.
  CHECK(discount_for(percent(15), 200) == doctest::Approx(30));
  // 15 % of 33.33 = 4.9995, rounded to the cent: 5.00.
  CHECK(discount_for(percent(15), 33.33) == doctest::Approx(5.00));
  // 15 % of 1000 = 150, capped by max_discount 100.
  CHECK(discount_for(percent(15, 100), 1000) == 100);
  // 15 % of 600 = 90, under the cap of 100.
  CHECK(discount_for(percent(15, 100), 600) == doctest::Approx(90));
}

TEST_CASE("the face value of a coupon is its amount or its cap") {
  CHECK(face_value(amount(10)) == 10);
  CHECK(face_value(percent(15, 100)) == 100);
  CHECK(face_value(percent(15)) == 0);
}
