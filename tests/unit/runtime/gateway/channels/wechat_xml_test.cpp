// Message formats of WeChat's Official Account docs (接收普通消息, 接收事件推送, 被动回复用户消息,
// https://developers.weixin.qq.com/doc/subscription/guide/) and the safe-mode envelope of
// https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html.
#include "runtime/gateway/channels/wechat_xml.hpp"

#include <doctest/doctest.h>

#include <pugixml.hpp>

#include <random>
#include <string>

#include "tests/support/require.hpp"

using namespace sb;
using namespace sb::channels;
using sb::test::code_of;

namespace {

const std::string text_message =
    "<xml>\n"
    "  <ToUserName><![CDATA[toUser]]></ToUserName>\n"
    "  <FromUserName><![CDATA[fromUser]]></FromUserName>\n"
    "  <CreateTime>1348831860</CreateTime>\n"
    "  <MsgType><![CDATA[text]]></MsgType>\n"
    "  <Content><![CDATA[this is a test]]></Content>\n"
    "  <MsgId>1234567890123456</MsgId>\n"
    "  <MsgDataId>xxxx</MsgDataId>\n"
    "  <Idx>xxxx</Idx>\n"
    "</xml>";

std::string event_message(const std::string& event, const std::string& extra = "") {
  return "<xml><ToUserName><![CDATA[toUser]]></ToUserName>"
         "<FromUserName><![CDATA[FromUser]]></FromUserName><CreateTime>123456789</CreateTime>"
         "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[" +
         event + "]]></Event>" + extra + "</xml>";
}

// Returns the text of <name> under <xml> as a conforming XML parser sees it: all its text and
// CDATA nodes, joined.
std::string element_text(const std::string& xml, const char* name) {
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str(), pugi::parse_default));
  std::string out;
  for (auto node : doc.child("xml").child(name).children()) {
    out += node.value();
  }
  return out;
}

}  // namespace

TEST_CASE("parse_inbound reads the text message of WeChat's docs") {
  auto msg = SB_REQUIRE_OK(parse_inbound(text_message));
  CHECK(msg.to_user == "toUser");
  CHECK(msg.from_user == "fromUser");
  CHECK(msg.create_time == 1348831860);
  CHECK(msg.msg_type == "text");
  CHECK(msg.content == "this is a test");
  CHECK(msg.msg_id == "1234567890123456");
  CHECK(msg.event.empty());
}

TEST_CASE("parse_inbound reads subscribe, unsubscribe and CLICK events") {
  auto sub = SB_REQUIRE_OK(parse_inbound(event_message("subscribe")));
  CHECK(sub.msg_type == "event");
  CHECK(sub.event == "subscribe");
  CHECK(sub.event_key.empty());
  CHECK(sub.msg_id.empty());
  CHECK(sub.create_time == 123456789);
  auto qr = SB_REQUIRE_OK(parse_inbound(event_message(
      "subscribe",
      "<EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[T]]></Ticket>")));
  CHECK(qr.event_key == "qrscene_123123");
  CHECK(SB_REQUIRE_OK(parse_inbound(event_message("unsubscribe"))).event == "unsubscribe");
  auto click = SB_REQUIRE_OK(
      parse_inbound(event_message("CLICK", "<EventKey><![CDATA[V1001_GOOD]]></EventKey>")));
  CHECK(click.event == "CLICK");
  CHECK(click.event_key == "V1001_GOOD");
}

TEST_CASE("parse_inbound keeps other message types with their common fields") {
  auto img = SB_REQUIRE_OK(
      parse_inbound("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
                    "<CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>http://x/y</PicUrl>"
                    "<MediaId>m</MediaId><MsgId>7</MsgId></xml>"));
  CHECK(img.msg_type == "image");
  CHECK(img.msg_id == "7");
  CHECK(img.content.empty());
}

TEST_CASE(
    "parse_inbound joins split CDATA sections, decodes entities and keeps content whitespace") {
  auto msg = SB_REQUIRE_OK(parse_inbound(
      "<xml><ToUserName> gh_1 </ToUserName><FromUserName>o1</FromUserName>"
      "<CreateTime> 5 </CreateTime><MsgType>text</MsgType>"
      "<Content><![CDATA[ a]]]]><![CDATA[>b &amp; ]]>&lt;c&gt;\n</Content><MsgId>9</MsgId></xml>"));
  CHECK(msg.to_user == "gh_1");
  CHECK(msg.create_time == 5);
  CHECK(msg.content == " a]]>b &amp; <c>\n");
}

TEST_CASE("parse_inbound refuses malformed XML, a wrong root, DOCTYPEs and oversized bodies") {
  CHECK(code_of(parse_inbound("")) == errc::decode_malformed);
  CHECK(code_of(parse_inbound("<xml><ToUserName>a</ToUserName>")) == errc::decode_malformed);
  CHECK(code_of(parse_inbound("not xml at all")) == errc::decode_malformed);
  auto renamed = text_message;
  renamed.replace(renamed.find("<xml>"), 5, "<msg>");
  renamed.replace(renamed.rfind("</xml>"), 6, "</msg>");
  CHECK(code_of(parse_inbound(renamed)) == errc::decode_malformed);
  CHECK(code_of(parse_inbound(text_message + "<xml/>")) == errc::decode_malformed);
  CHECK(code_of(parse_inbound("<!DOCTYPE xml [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" +
                              text_message)) == errc::decode_malformed);
  CHECK(code_of(parse_inbound(std::string("<xml>\0</xml>", 12))) == errc::decode_malformed);
  auto big = text_message;
  big.insert(big.find("</xml>"), "<Pad>" + std::string(max_wechat_xml_bytes, 'p') + "</Pad>");
  CHECK(code_of(parse_inbound(big)) == errc::decode_malformed);
}

TEST_CASE(
    "parse_inbound refuses missing fields, duplicates, nested elements and a bad CreateTime") {
  auto without = [](const std::string& element) {
    auto xml = text_message;
    auto begin = xml.find("<" + element + ">");
    auto end = xml.find("</" + element + ">") + element.size() + 3;
    return xml.erase(begin, end - begin);
  };
  for (const char* field :
       {"ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId"}) {
    CAPTURE(field);
    CHECK(code_of(parse_inbound(without(field))) == errc::decode_malformed);
  }
  CHECK(code_of(parse_inbound(event_message(""))) == errc::decode_malformed);
  CHECK(code_of(parse_inbound(event_message("CLICK"))) == errc::decode_malformed);
  auto twice = text_message;
  twice.insert(twice.find("</xml>"), "<FromUserName>attacker</FromUserName>");
  CHECK(code_of(parse_inbound(twice)) == errc::decode_malformed);
  auto nested = text_message;
  nested.replace(nested.find("<![CDATA[this is a test]]>"), 26, "<b>bold</b>");
  CHECK(code_of(parse_inbound(nested)) == errc::decode_malformed);
  for (const char* time : {"", "abc", "-5", "12x", "1.5", "99999999999999999999"}) {
    auto xml = text_message;
    xml.replace(xml.find("1348831860"), 10, time);
    CAPTURE(time);
    CHECK(code_of(parse_inbound(xml)) == errc::decode_malformed);
  }
}

TEST_CASE("extract_encrypt returns the ciphertext of a safe-mode body") {
  CHECK(SB_REQUIRE_OK(extract_encrypt("<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
                                      "<Encrypt><![CDATA[abc+/=]]></Encrypt></xml>")) == "abc+/=");
  CHECK(code_of(extract_encrypt("<xml><ToUserName>gh_1</ToUserName></xml>")) ==
        errc::decode_malformed);
  CHECK(code_of(extract_encrypt("<xml><Encrypt></Encrypt></xml>")) == errc::decode_malformed);
  CHECK(code_of(extract_encrypt("<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>")) ==
        errc::decode_malformed);
  CHECK(code_of(extract_encrypt("<xml><Encrypt>a</Encrypt>")) == errc::decode_malformed);
}

TEST_CASE("build_text_reply writes the passive text reply of WeChat's docs") {
  CHECK(build_text_reply("toUser", "fromUser", 12345678, "你好") ==
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName>"
        "<FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>12345678</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>");
}

TEST_CASE("build_text_reply splits CDATA around ]]> and drops characters XML cannot carry") {
  const std::string content = "a]]>b]]]>c<d>&e]]>\x01\tf\r\n";
  auto xml = build_text_reply("o1", "gh_1", 1, content);
  CHECK(element_text(xml, "Content") == "a]]>b]]]>c<d>&e]]>\tf\n");
  auto back =
      SB_REQUIRE_OK(parse_inbound(xml.substr(0, xml.size() - 6) + "<MsgId>1</MsgId></xml>"));
  CHECK(back.content == "a]]>b]]]>c<d>&e]]>\tf\n");
  CHECK(back.to_user == "o1");
  CHECK(element_text(build_text_reply("o1", "gh_1", 1, "]]>"), "Content") == "]]>");
  CHECK(element_text(build_text_reply("o1", "gh_1", 1, "]]"), "Content") == "]]");
}

TEST_CASE("build_encrypted_reply writes the safe-mode envelope") {
  auto xml = build_encrypted_reply("ELGd+/==", "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
                                   "1713424427", "415670741");
  CHECK(xml ==
        "<xml><Encrypt><![CDATA[ELGd+/==]]></Encrypt>"
        "<MsgSignature><![CDATA[1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1]]></MsgSignature>"
        "<TimeStamp>1713424427</TimeStamp><Nonce><![CDATA[415670741]]></Nonce></xml>");
  CHECK(SB_REQUIRE_OK(extract_encrypt(xml)) == "ELGd+/==");
  CHECK(element_text(build_encrypted_reply("e", "s", "1<2&", "n"), "TimeStamp") == "1<2&");
}

TEST_CASE("the XML parsers survive 20000 random and mutated bodies with a value or an error") {
  std::mt19937_64 rng{0x0c0ffee};
  auto below = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  const std::string seeds[] = {
      text_message, event_message("CLICK", "<EventKey>k</EventKey>"),
      "<xml><ToUserName>a</ToUserName><Encrypt><![CDATA[x]]></Encrypt></xml>"};
  const std::string tokens[] = {"<",
                                ">",
                                "</",
                                "/>",
                                "<![CDATA[",
                                "]]>",
                                "&",
                                "&amp;",
                                "&#0;",
                                "&#x110000;",
                                "<!DOCTYPE x>",
                                "<?pi?>",
                                "<!--",
                                "-->",
                                "\"",
                                std::string(1, '\0')};
  for (int i = 0; i < 20000; ++i) {
    std::string xml = seeds[below(3)];
    for (std::size_t k = 0, n = 1 + below(4); k < n; ++k) {
      const auto at = below(xml.size() + 1);
      switch (below(4)) {
        case 0:
          xml.insert(at, tokens[below(std::size(tokens))]);
          break;
        case 1:
          xml.erase(at, below(8));
          break;
        case 2:
          if (at < xml.size())
            xml[at] = static_cast<char>(below(256));
          break;
        default:
          xml.insert(at, 1, static_cast<char>(below(256)));
      }
    }
    auto msg = parse_inbound(xml);
    CHECK((msg.ok() || msg.err().code == errc::decode_malformed));
    auto enc = extract_encrypt(xml);
    CHECK((enc.ok() || enc.err().code == errc::decode_malformed));
  }
}
