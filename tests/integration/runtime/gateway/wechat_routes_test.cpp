// The WeChat Official Account channel of runtime/gateway/wechat_routes.cpp, end to end over HTTP
// against an in-process node: the URL handshake, plaintext pushes answered with a passive reply,
// WeChat's retries, safe mode (an encrypted push answered with an encrypted, signed reply), events,
// and the refusals (bad or stale signatures, malformed XML). Signatures are computed here with
// OpenSSL, not with the code under test; safe-mode ciphertexts use wechat_crypto, whose unit tests
// check it against WeChat's published samples.
#include <doctest/doctest.h>

#include <httplib.h>
#include <openssl/sha.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/gateway/channels/wechat_crypto.hpp"
#include "tests/support/gateway_harness.hpp"

namespace {

using namespace sb::test;
using sb::channels::wechat_crypto;

constexpr const char* account = "gh_3f5a2b1c9d8e";
constexpr const char* headphones_question = "我想买一款降噪耳机";

/// Returns WeChat's signature of `parts`: hex SHA-1 of their sorted concatenation.
std::string sorted_sha1(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (const auto& p : parts) {
    joined += p;
  }
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The query WeChat puts on a push: timestamp, nonce, their signature and the sender's openid.
std::string push_query(const std::string& openid, int64_t ts = unix_now_s(),
                       const std::string& nonce = "1320562132",
                       const std::string& token = wechat_token) {
  const auto t = std::to_string(ts);
  return "signature=" + sorted_sha1({token, t, nonce}) + "&timestamp=" + t + "&nonce=" + nonce +
         "&openid=" + url_encode(openid);
}

std::string text_xml(const std::string& openid, const std::string& content,
                     const std::string& msg_id) {
  return "<xml><ToUserName><![CDATA[" + std::string{account} +
         "]]></ToUserName><FromUserName><![CDATA[" + openid + "]]></FromUserName><CreateTime>" +
         std::to_string(unix_now_s()) +
         "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" + content +
         "]]></Content><MsgId>" + msg_id + "</MsgId></xml>";
}

std::string event_xml(const std::string& openid, const std::string& event) {
  return "<xml><ToUserName><![CDATA[" + std::string{account} +
         "]]></ToUserName><FromUserName><![CDATA[" + openid + "]]></FromUserName><CreateTime>" +
         std::to_string(unix_now_s()) +
         "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[" + event +
         "]]></Event></xml>";
}

/// The elements of a reply's <xml> root, by name (requires one well-formed <xml> element).
struct xml_fields {
  std::string to, from, create_time, msg_type, content;
  std::string encrypt, msg_signature, timestamp, nonce;
};

xml_fields read_xml(const std::string& text) {
  pugi::xml_document doc;
  REQUIRE_MESSAGE(doc.load_string(text.c_str()), "not XML: " << text);
  auto root = doc.child("xml");
  REQUIRE_MESSAGE(root, "no <xml> root: " << text);
  return {root.child_value("ToUserName"),   root.child_value("FromUserName"),
          root.child_value("CreateTime"),   root.child_value("MsgType"),
          root.child_value("Content"),      root.child_value("Encrypt"),
          root.child_value("MsgSignature"), root.child_value("TimeStamp"),
          root.child_value("Nonce")};
}

/// Requires a 200 XML passive reply and returns its fields.
xml_fields passive_reply(const httplib::Result& res) {
  const auto& r = answered(res);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.get_header_value("Content-Type").rfind("application/xml", 0) == 0);
  return read_xml(r.body);
}

/// Returns the reply's text as one string (what the passive reply must carry): every line, and
/// every product's name and price.
std::vector<std::string> expected_pieces(const json& replies) {
  std::vector<std::string> out;
  for (const auto& r : replies) {
    out.push_back(r["text"].get<std::string>());
    for (const auto& p : r["products"]) {
      out.push_back(p["name"].get<std::string>());
    }
  }
  return out;
}

/// A push client for one node: plaintext or safe mode.
struct wechat_client {
  gateway_node& f;

  httplib::Result push(const std::string& query, const std::string& body) {
    return f.http->Post("/v1/wechat?" + query, body, "text/xml");
  }
  httplib::Result say(const std::string& openid, const std::string& text,
                      const std::string& msg_id) {
    return push(push_query(openid), text_xml(openid, text, msg_id));
  }

  /// Pushes `inner` in safe mode, encrypted for `app_id`, with a correct msg_signature unless
  /// `msg_signature` is given.
  httplib::Result push_safe(const std::string& openid, const std::string& inner,
                            const std::string& app_id = wechat_app_id,
                            const std::string& msg_signature = "") {
    auto crypto = SB_REQUIRE_OK(wechat_crypto::create(wechat_aes_key, app_id));
    const auto encrypted = crypto.encrypt(inner);
    REQUIRE_FALSE(encrypted.empty());
    const auto ts = std::to_string(unix_now_s());
    const std::string nonce = "884731917";
    const auto sig =
        msg_signature.empty() ? sorted_sha1({wechat_token, ts, nonce, encrypted}) : msg_signature;
    const auto query = "signature=" + sorted_sha1({wechat_token, ts, nonce}) + "&timestamp=" + ts +
                       "&nonce=" + nonce + "&openid=" + url_encode(openid) +
                       "&encrypt_type=aes&msg_signature=" + sig;
    const auto body = "<xml><ToUserName><![CDATA[" + std::string{account} +
                      "]]></ToUserName><Encrypt><![CDATA[" + encrypted + "]]></Encrypt></xml>";
    return push(query, body);
  }
};

}  // namespace

// -- the URL handshake
// -------------------------------------------------------------------------------

TEST_CASE("the WeChat handshake echoes echostr when the signature is right, and is 403 otherwise") {
  gateway_node f;
  const std::string ts = "1732540800";  // the handshake is a one-off: its age is not checked
  const std::string nonce = "52617";
  const std::string echostr = "6843985211458352785";
  const auto good = sorted_sha1({wechat_token, ts, nonce});
  auto res = f.http->Get("/v1/wechat?signature=" + good + "&timestamp=" + ts + "&nonce=" + nonce +
                         "&echostr=" + echostr);
  REQUIRE(answered(res).status == 200);
  CHECK(res->body == echostr);

  for (const auto& query : {
           "signature=" + sorted_sha1({"another-token", ts, nonce}) + "&timestamp=" + ts +
               "&nonce=" + nonce + "&echostr=" + echostr,
           "signature=" + good + "&timestamp=" + ts + "&nonce=1" + nonce + "&echostr=" + echostr,
           "timestamp=" + ts + "&nonce=" + nonce + "&echostr=" + echostr,
           "signature=&timestamp=" + ts + "&nonce=" + nonce + "&echostr=" + echostr,
           std::string{"echostr=x"},
       }) {
    CAPTURE(query);
    auto refused = f.http->Get("/v1/wechat?" + query);
    CHECK(error_code(refused, 403) == "bad_signature");
    CHECK(refused->body.find(echostr) == std::string::npos);
  }
}

TEST_CASE("the WeChat channel is 403 while channels.wechat.token is empty") {
  auto cfg = channel_node_config();
  cfg.channels_wechat_token = "";
  gateway_node f{cfg};
  const std::string ts = std::to_string(unix_now_s());
  CHECK(error_code(f.http->Get("/v1/wechat?signature=" + sorted_sha1({"", ts, "1"}) +
                               "&timestamp=" + ts + "&nonce=1&echostr=x"),
                   403) == "disabled");
  wechat_client wc{f};
  CHECK(
      error_code(wc.push(push_query("oAbc", unix_now_s(), "1", ""), text_xml("oAbc", "你好", "1")),
                 403) == "disabled");
  CHECK(error_code(
            f.http->Get("/v1/actors/conversation/wechat:oAbc", gateway_node::bearer(admin_token)),
            404) == "not_found");
}

// -- plaintext pushes
// --------------------------------------------------------------------------------

TEST_CASE(
    "a plaintext text message gets a passive reply with the bot's answer, To and From "
    "swapped") {
  gateway_node f;
  wechat_client wc{f};
  const std::string openid = "oWx-buyer_01";
  const auto before = unix_now_s();
  auto reply = passive_reply(wc.say(openid, headphones_question, "24123456789012345"));
  CHECK(reply.to == openid);
  CHECK(reply.from == account);
  CHECK(reply.msg_type == "text");
  const auto created = std::stoll(reply.create_time);
  CHECK(created >= before);
  CHECK(created <= unix_now_s());
  // The same answer the web channel gives a new shopper, products with their prices.
  auto web = ok_json(f.web_say("v-compare", headphones_question, "c-1"));
  REQUIRE_FALSE(web["replies"].empty());
  REQUIRE_FALSE(web["replies"][0]["products"].empty());
  for (const auto& piece : expected_pieces(web["replies"])) {
    CHECK_MESSAGE(reply.content.find(piece) != std::string::npos,
                  "'" << piece << "' is not in: " << reply.content);
  }
  CHECK(reply.content.find("¥") != std::string::npos);

  auto state = f.inspect("conversation", "wechat:" + openid)["state"];
  CHECK(state["conversation_id"] == "wechat:" + openid + "#1");
  CHECK(state["message_count"] == 1);
  CHECK_FALSE(state["recommended_skus"].empty());
}

TEST_CASE("WeChat's retries of the same MsgId get the same Content and are applied once") {
  gateway_node f;
  wechat_client wc{f};
  const std::string openid = "oRetry42";
  auto first = passive_reply(wc.say(openid, headphones_question, "777001"));
  REQUIRE_FALSE(first.content.empty());
  // WeChat retries with the same body; the query may carry a fresh timestamp and nonce.
  const auto body = text_xml(openid, headphones_question, "777001");
  auto second = passive_reply(wc.push(push_query(openid, unix_now_s(), "99"), body));
  auto third = passive_reply(wc.push(push_query(openid), body));
  CHECK(second.content == first.content);
  CHECK(third.content == first.content);
  CHECK(second.to == openid);
  CHECK(f.inspect("conversation", "wechat:" + openid)["state"]["message_count"] == 1);
  // Another MsgId is another message.
  auto other = passive_reply(wc.say(openid, "你好", "777002"));
  CHECK(other.content != first.content);
  CHECK(f.inspect("conversation", "wechat:" + openid)["state"]["message_count"] == 2);
}

TEST_CASE("a WeChat push with a stale timestamp or a bad signature is 403, malformed XML is 400") {
  gateway_node f;
  wechat_client wc{f};
  const std::string openid = "oRefused";
  const auto body = text_xml(openid, "你好", "555001");
  SUBCASE("a timestamp older than channels.max_skew, correctly signed") {
    CHECK(error_code(wc.push(push_query(openid, unix_now_s() - 300 - 10), body), 403) ==
          "stale_timestamp");
    CHECK(error_code(wc.push(push_query(openid, unix_now_s() + 300 + 10), body), 403) ==
          "stale_timestamp");
    CHECK(error_code(wc.push("signature=x&nonce=1&openid=" + openid, body), 403) ==
          "stale_timestamp");
  }
  SUBCASE("a signature with another token, over another nonce, or none") {
    CHECK(error_code(wc.push(push_query(openid, unix_now_s(), "1", "another-token"), body), 403) ==
          "bad_signature");
    const auto ts = std::to_string(unix_now_s());
    CHECK(error_code(wc.push("signature=" + sorted_sha1({wechat_token, ts, "1"}) +
                                 "&timestamp=" + ts + "&nonce=2",
                             body),
                     403) == "bad_signature");
    CHECK(error_code(wc.push("timestamp=" + ts + "&nonce=1", body), 403) == "bad_signature");
  }
  SUBCASE("malformed XML, correctly signed") {
    for (const std::string& bad : {
             std::string{"<xml><ToUserName>x</ToUserName>"},
             std::string{"not xml at all"},
             std::string{""},
             std::string{"<xml><ToUserName><![CDATA[gh]]></ToUserName></xml>"},
             // A text message without its MsgId.
             "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[" + openid +
                 "]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></"
                 "MsgType><Content><![CDATA[hi]]></Content></xml>",
             "<!DOCTYPE xml [<!ENTITY e \"x\">]>" + body,
         }) {
      CAPTURE(bad);
      CHECK(error_code(wc.push(push_query(openid), bad), 400) == "invalid_xml");
    }
  }
  // None reached a conversation.
  CHECK(error_code(f.http->Get("/v1/actors/conversation/wechat:" + openid,
                               gateway_node::bearer(admin_token)),
                   404) == "not_found");
}

TEST_CASE("a subscribe event and a message the bot does not read are answered \"success\"") {
  gateway_node f;
  wechat_client wc{f};
  const std::string openid = "oNewFan";
  for (const auto& body :
       {event_xml(openid, "subscribe"), event_xml(openid, "unsubscribe"),
        "<xml><ToUserName><![CDATA[" + std::string{account} +
            "]]></ToUserName><FromUserName><![CDATA[" + openid + "]]></FromUserName><CreateTime>" +
            std::to_string(unix_now_s()) +
            "</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x/y.jpg]]>"
            "</PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>900001</MsgId></xml>"}) {
    CAPTURE(body);
    auto res = wc.push(push_query(openid), body);
    REQUIRE(answered(res).status == 200);
    CHECK(res->body == "success");
  }
}

// -- safe mode
// ---------------------------------------------------------------------------------------

TEST_CASE(
    "a safe-mode push gets an encrypted reply whose msg_signature verifies and whose "
    "plaintext is the passive reply") {
  gateway_node f;
  wechat_client wc{f};
  const std::string openid = "oSafe-Mode_7";
  auto res = wc.push_safe(openid, text_xml(openid, headphones_question, "880001"));
  REQUIRE_MESSAGE(answered(res).status == 200, res->body);
  CHECK(res->get_header_value("Content-Type").rfind("application/xml", 0) == 0);
  auto envelope = read_xml(res->body);
  REQUIRE_FALSE(envelope.encrypt.empty());
  CHECK(envelope.content.empty());  // nothing in clear
  CHECK(res->body.find("降噪") == std::string::npos);
  CHECK(res->body.find(openid) == std::string::npos);
  CHECK(envelope.msg_signature ==
        sorted_sha1({wechat_token, envelope.timestamp, envelope.nonce, envelope.encrypt}));

  auto crypto = SB_REQUIRE_OK(wechat_crypto::create(wechat_aes_key, wechat_app_id));
  auto plain = SB_REQUIRE_OK(crypto.decrypt(envelope.encrypt));
  auto reply = read_xml(plain);
  CHECK(reply.to == openid);
  CHECK(reply.from == account);
  CHECK(reply.msg_type == "text");
  auto web = ok_json(f.web_say("v-compare", headphones_question, "c-1"));
  for (const auto& piece : expected_pieces(web["replies"])) {
    CHECK_MESSAGE(reply.content.find(piece) != std::string::npos,
                  "'" << piece << "' is not in: " << reply.content);
  }
  CHECK(f.inspect("conversation", "wechat:" + openid)["state"]["message_count"] == 1);

  // A subscribe event in safe mode is answered "success" as well.
  auto sub = wc.push_safe(openid, event_xml(openid, "subscribe"));
  REQUIRE(answered(sub).status == 200);
  CHECK(sub->body == "success");
}

TEST_CASE("a safe-mode push with a wrong msg_signature or for another app id is 403") {
  gateway_node f;
  wechat_client wc{f};
  const std::string openid = "oSafeRefused";
  const auto inner = text_xml(openid, "你好", "880002");
  CHECK(error_code(wc.push_safe(openid, inner, wechat_app_id, std::string(40, '0')), 403) ==
        "bad_signature");
  // Signed right, but encrypted for another account.
  CHECK(error_code(wc.push_safe(openid, inner, "wx0000000000000000"), 403) == "bad_ciphertext");
  // An envelope without <Encrypt> is not XML this channel reads.
  const auto ts = std::to_string(unix_now_s());
  CHECK(error_code(wc.push("timestamp=" + ts + "&nonce=1&encrypt_type=aes&msg_signature=" +
                               sorted_sha1({wechat_token, ts, "1", ""}),
                           "<xml><ToUserName><![CDATA[gh]]></ToUserName></xml>"),
                   400) == "invalid_xml");
  CHECK(error_code(f.http->Get("/v1/actors/conversation/wechat:" + openid,
                               gateway_node::bearer(admin_token)),
                   404) == "not_found");
}

TEST_CASE("a safe-mode push is 400 while channels.wechat.encoding_aes_key is empty") {
  auto cfg = channel_node_config();
  cfg.channels_wechat_encoding_aes_key = "";
  gateway_node f{cfg};
  wechat_client wc{f};
  CHECK(error_code(wc.push_safe("oNoKey", text_xml("oNoKey", "你好", "1")), 400) ==
        "safe_mode_off");
  // Plaintext mode still works.
  CHECK_FALSE(passive_reply(wc.say("oNoKey", "你好", "2")).content.empty());
}
