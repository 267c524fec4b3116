// Masking personal data in free text: each kind, valid and invalid, boundaries, mixed Chinese
// text, idempotence, broken UTF-8 and a megabyte of text.
#include <doctest/doctest.h>

#include <chrono>
#include <iterator>
#include <random>
#include <string>

#include "runtime/privacy/pii_mask.hpp"

namespace {

using namespace sb;

const char* const weights = "\x07\x09\x0a\x05\x08\x04\x02\x01\x06\x03\x07\x09\x0a\x05\x08\x04\x02";

// Returns the identity number made of 17 digits and their ISO 7064 MOD 11-2 check character.
std::string with_id_check(const std::string& d17) {
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    sum += (d17[i] - '0') * weights[i];
  }
  return d17 + "10X98765432"[sum % 11];
}

bool luhn(const std::string& d) {
  int sum = 0;
  bool twice = false;
  for (size_t i = d.size(); i-- > 0;) {
    int v = d[i] - '0';
    if (twice) {
      v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    }
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// Returns `body` followed by the Luhn check digit that makes it valid.
std::string with_luhn(const std::string& body) {
  for (char c = '0'; c <= '9'; ++c) {
    if (luhn(body + c)) {
      return body + c;
    }
  }
  return {};
}

// Returns `body` followed by a digit that makes it fail the Luhn check.
std::string without_luhn(const std::string& body) {
  auto good = with_luhn(body);
  return body + static_cast<char>(good.back() == '9' ? '0' : good.back() + 1);
}

// Returns `piece` repeated to about a megabyte.
std::string repeated(const std::string& piece) {
  std::string s;
  while (s.size() < (1 << 20)) {
    s += piece;
  }
  return s;
}

pii_findings findings_of(const std::string& text) {
  pii_findings f;
  (void)mask_pii(text, f);
  return f;
}

}  // namespace

// -- phones
// ------------------------------------------------------------------------------------------

TEST_CASE("a mobile number keeps its first three and last four digits") {
  CHECK(mask_pii("13812345678") == "138****5678");
  CHECK(mask_pii("我的手机号是13812345678") == "我的手机号是138****5678");
  CHECK(mask_pii("电话：19987654321，谢谢") == "电话：199****4321，谢谢");
  CHECK(findings_of("13812345678").phones == 1);
}

TEST_CASE("a mobile number written with spaces, dashes or a country prefix is masked") {
  CHECK(mask_pii("138-1234-5678") == "138****5678");
  CHECK(mask_pii("call 138 1234 5678 now") == "call 138****5678 now");
  CHECK(mask_pii("138 12345678") == "138****5678");
  CHECK(mask_pii("+86 138 1234 5678") == "+86 138****5678");
  CHECK(mask_pii("+86-13812345678") == "+86-138****5678");
  CHECK(mask_pii("+8613812345678") == "+86138****5678");
  CHECK(mask_pii("8613812345678") == "86138****5678");
  CHECK(mask_pii("008613812345678") == "0086138****5678");
}

TEST_CASE("full-width digits are read as digits") {
  CHECK(mask_pii("手机１３８１２３４５６７８") == "手机138****5678");
  CHECK(mask_pii("１３８－１２３４－５６７８") == "138****5678");
}

TEST_CASE("numbers that only look like mobile numbers stay") {
  CHECK(mask_pii("12812345678") == "12812345678");    // second digit 2
  CHECK(mask_pii("1381234567") == "1381234567");      // 10 digits
  CHECK(mask_pii("138123456789") == "138123456789");  // 12 digits
  CHECK(mask_pii("13812345678901234567X") == "13812345678901234567X");
  CHECK(mask_pii("00000000013812345678000") == "00000000013812345678000");  // inside a run
  CHECK(mask_pii("订单A1002已发货") == "订单A1002已发货");
  CHECK(mask_pii("SO13812345678") == "SO13812345678");  // part of a code
  CHECK(mask_pii("13812345678abc") == "13812345678abc");
  CHECK(mask_pii("010-12345678") == "010-12345678");    // a landline
  CHECK(mask_pii("1381-234-5678") == "1381-234-5678");  // not a way phones are written
  CHECK(mask_pii("138--1234--5678") == "138--1234--5678");
  CHECK(findings_of("A1002 12812345678").total() == 0);
}

TEST_CASE("a number next to other numbers is still found on its own") {
  CHECK(mask_pii("订单 1002 13812345678") == "订单 1002 138****5678");
  CHECK(mask_pii("2024-06-01 13812345678") == "2024-06-01 138****5678");
}

// -- identity numbers
// ---------------------------------------------------------------------------------

TEST_CASE("an identity number with a valid check character keeps its first and last") {
  const auto id = with_id_check("11010519491231002");
  CHECK(id == "11010519491231002X");
  CHECK(mask_pii("身份证" + id + "。") == "身份证1****************X。");
  CHECK(mask_pii("id: 11010519491231002x") == "id: 1****************X");

  const auto digit_id = with_id_check("32010619851122341");
  REQUIRE(digit_id.back() != 'X');
  CHECK(mask_pii(digit_id) == "3****************" + digit_id.substr(17));
  CHECK(mask_pii(digit_id.substr(0, 6) + " " + digit_id.substr(6, 8) + " " + digit_id.substr(14)) ==
        "3****************" + digit_id.substr(17));
  CHECK(findings_of(digit_id).ids == 1);
}

TEST_CASE("an 18-digit number with a wrong check character stays") {
  const auto id = with_id_check("32010619851122341");
  for (char c = '0'; c <= '9'; ++c) {
    auto wrong = id.substr(0, 17) + c;
    if (c == id.back() || luhn(wrong)) {
      continue;  // a Luhn-valid one would be a card
    }
    CHECK(mask_pii(wrong) == wrong);
    CHECK(mask_pii("身份证号" + wrong) == "身份证号" + wrong);
  }
  const auto bad_x = with_id_check("11010519491231003");  // its check is not X
  REQUIRE(bad_x.back() != 'X');
  CHECK(mask_pii("11010519491231003X") == "11010519491231003X");
}

// -- bank cards
// ---------------------------------------------------------------------------------------

TEST_CASE("a Luhn-valid card number keeps its first and last four") {
  const auto card16 = with_luhn("453201511283036");
  CHECK(mask_pii(card16) == "4532********" + card16.substr(12));
  CHECK(mask_pii("卡号" + card16 + "请核对") == "卡号4532********" + card16.substr(12) + "请核对");
  const auto card19 = with_luhn("621700012345678901");
  CHECK(mask_pii(card19) == "6217***********" + card19.substr(15));
  CHECK(findings_of(card19).cards == 1);
}

TEST_CASE("a card number in groups of four is masked whole") {
  const auto card = with_luhn("622202123456789012");  // 19 digits
  const auto spaced = card.substr(0, 4) + " " + card.substr(4, 4) + " " + card.substr(8, 4) + " " +
                      card.substr(12, 4) + " " + card.substr(16);
  CHECK(mask_pii(spaced) == "6222***********" + card.substr(15));
  const auto visa = with_luhn("400000000000000");
  CHECK(mask_pii("4000-0000-0000-000" + visa.substr(15)) == "4000********000" + visa.substr(15));
}

TEST_CASE("a UnionPay number starting with 62 is masked even when it fails Luhn") {
  const auto bad = without_luhn("621483012345678");
  REQUIRE_FALSE(luhn(bad));
  CHECK(mask_pii(bad) == "6214********" + bad.substr(12));
  CHECK(findings_of(bad).cards == 1);
}

TEST_CASE("card-length numbers that fail every rule stay") {
  const auto bad16 = without_luhn("453201511283036");
  CHECK(mask_pii(bad16) == bad16);
  const auto card = with_luhn("453201511283036");
  CHECK(mask_pii(card + "1234") == card + "1234");  // 20 digits: no card
  CHECK(mask_pii("62" + std::string(18, '1')) == "62" + std::string(18, '1'));
  CHECK(mask_pii("x" + card) == "x" + card);
  CHECK(mask_pii("6222 0212") == "6222 0212");
}

// -- e-mail
// -------------------------------------------------------------------------------------------

TEST_CASE("an e-mail address keeps the first character and the domain") {
  CHECK(mask_pii("alice@example.com") == "a***@example.com");
  CHECK(mask_pii("邮箱是john.smith+cs@mail.example.com.cn，谢谢") ==
        "邮箱是j***@mail.example.com.cn，谢谢");
  CHECK(mask_pii("write to bob@example.org.") == "write to b***@example.org.");
  CHECK(mask_pii("QQ邮箱13812345678@qq.com") == "QQ邮箱1***@qq.com");
  auto f = findings_of("QQ邮箱13812345678@qq.com");
  CHECK(f.emails == 1);
  CHECK(f.phones == 0);
}

TEST_CASE("things that are not e-mail addresses stay") {
  CHECK(mask_pii("@everyone") == "@everyone");
  CHECK(mask_pii("a@b") == "a@b");
  CHECK(mask_pii("a@localhost") == "a@localhost");
  CHECK(mask_pii("a@b.c") == "a@b.c");
  CHECK(mask_pii("a@b..com") == "a@b..com");
  CHECK(mask_pii("a@-b.com") == "a@-b.com");
  CHECK(mask_pii("price @ 99.com1") == "price @ 99.com1");
  CHECK(mask_pii("用户@客服") == "用户@客服");
}

// -- mixed text
// ---------------------------------------------------------------------------------------

TEST_CASE("several kinds in one message are all masked and counted") {
  const auto id = with_id_check("11010519491231002");
  const auto card = with_luhn("621700012345678901");
  const std::string text = "我叫张三，手机13812345678，备用 +86 139-8765-4321，身份证" + id +
                           "，银行卡" + card + "，邮箱zhangsan@example.com，订单A1002。";
  pii_findings f;
  auto masked = mask_pii(text, f);
  CHECK(masked ==
        "我叫张三，手机138****5678，备用 +86 139****4321，身份证1****************X，银行卡6217"
        "***********" +
            card.substr(15) + "，邮箱z***@example.com，订单A1002。");
  CHECK(f.phones == 2);
  CHECK(f.ids == 1);
  CHECK(f.cards == 1);
  CHECK(f.emails == 1);
  CHECK(f.total() == 5);
}

TEST_CASE("the findings are reset by each call") {
  pii_findings f;
  f.phones = 7;
  (void)mask_pii("nothing here", f);
  CHECK(f.total() == 0);
}

TEST_CASE("masking twice gives the same text as masking once") {
  const auto id = with_id_check("11010519491231002");
  const auto card = with_luhn("453201511283036");
  const std::string texts[] = {
      "13812345678 " + card + " " + id,
      "138****5678 1234 5678 9012 3456",
      "13812345678 1234 " + card.substr(0, 4) + " " + card.substr(4, 4),
      "a@b.com 13812345678@qq.com x.y@z.org",
      "+86 138 1234 5678, 8613812345678, 008613812345678",
      "订单 1002 13812345678 2024-06-01",
      "１３８１２３４５６７８ and ６２２２０２１２３４５６７８９０",
  };
  for (const auto& t : texts) {
    const auto once = mask_pii(t);
    CHECK_MESSAGE(mask_pii(once) == once, t);
    CHECK_MESSAGE(findings_of(once).total() == 0, once);
  }
}

TEST_CASE("text without personal data and empty text come back unchanged") {
  CHECK(mask_pii("") == "");
  CHECK(mask_pii("你好，降噪耳机有货吗？价格 1299 元，2 件。") ==
        "你好，降噪耳机有货吗？价格 1299 元，2 件。");
}

TEST_CASE("invalid UTF-8 is copied through without a crash") {
  const std::string broken = "\xff\xfe 13812345678 \xEF\xBC \xEF\xBC\x91\xE3\x80 \xC3";
  CHECK(mask_pii(broken) == "\xff\xfe 138****5678 \xEF\xBC \xEF\xBC\x91\xE3\x80 \xC3");
  std::string cut = "\xEF\xBC";  // a full-width digit cut off at the end
  CHECK(mask_pii(cut) == cut);
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  CHECK(mask_pii(all).size() == all.size());
}

TEST_CASE("a megabyte of text is masked quickly, pathological or not") {
  const auto id = with_id_check("11010519491231002");
  const auto chat =
      repeated("你好，我的手机号是13812345678，邮箱a.b@example.com，身份证" + id + "，订单A1002。");
  const std::string inputs[] = {
      chat,
      std::string(1 << 20, '7'),
      repeated("1 "),
      repeated("1234 "),
      std::string(1 << 20, '@'),
      repeated("a@"),
      std::string(1 << 20, 'a') + "@b.com",
      "x@" + std::string(1 << 20, 'a') + "@b",
      repeated("１"),
  };
  for (const auto& text : inputs) {
    const auto start = std::chrono::steady_clock::now();
    pii_findings f;
    auto out = mask_pii(text, f);
    const auto took = std::chrono::steady_clock::now() - start;
    // Generous for sanitizer builds on a busy machine; a regex-style blow-up would take minutes.
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 2000);
    CHECK(!out.empty());
  }
  pii_findings f;
  (void)mask_pii(chat, f);
  CHECK(f.phones > 5'000);
  CHECK(f.phones == f.emails);
  CHECK(f.phones == f.ids);
}

TEST_CASE("an address followed by a number is split where the domain ends") {
  CHECK(mask_pii("a@qq.com.13812345678") == "a***@qq.com.138****5678");
  CHECK(mask_pii("a@qq.com-13812345678") == "a***@qq.com-138****5678");
  CHECK(mask_pii("a@mail.qq.com。") == "a***@mail.qq.com。");
}

TEST_CASE("a number glued to an @ is left to the address rules") {
  CHECK(mask_pii("@13812345678 你好") == "@138****5678 你好");
  CHECK(mask_pii("１３８１２３４５６７８@qq.com") == "１３８１２３４５６７８@qq.com");
}

TEST_CASE("random mixtures of numbers, addresses and separators mask idempotently") {
  // Pieces that touch each other in every way; a fixed seed keeps the test repeatable.
  const std::string pieces[] = {"0",
                                "1",
                                "3",
                                "8",
                                "6",
                                "2",
                                "9",
                                " ",
                                "-",
                                "X",
                                "x",
                                "a",
                                "@",
                                ".",
                                "*",
                                "中",
                                "１",
                                "－",
                                "　",
                                "+86",
                                "com",
                                "%",
                                "_",
                                "\xff",
                                "\xEF\xBC",
                                "13812345678",
                                "11010519491231002X",
                                "@qq.com",
                                "6222 0212 3456 7890 128",
                                "4532015112830366",
                                "1234 ",
                                "5678"};
  std::mt19937 rng{20240601};
  for (int i = 0; i < 20'000; ++i) {
    std::string text;
    const auto parts = rng() % 16;
    for (unsigned p = 0; p < parts; ++p) {
      text += pieces[rng() % std::size(pieces)];
    }
    const auto once = mask_pii(text);
    REQUIRE_MESSAGE(mask_pii(once) == once, text);
  }
}
