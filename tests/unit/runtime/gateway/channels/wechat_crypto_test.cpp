// Vectors published by WeChat:
//  - the safe-mode worked example of "消息推送" (message push),
//    https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
//    (Token "AAAAA", EncodingAESKey 43 x 'A', AppId wxba5fad812f8e6fb9, a request to decrypt and a
//    reply encrypted with the random prefix "707722b803182950"); the Official Account page
//    https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html describes the
//    same scheme;
//  - Tencent's WXBizMsgCrypt sample code (Sample.py of the cryptoDemo.zip those pages link):
//    EncodingAESKey "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppId wx2c2769f8efd9abc2;
//  - Tencent's Java sample test (WXBizMsgCryptTest.java of the same download, as copied in public
//    repositories): AppId wxb11529c136998cb6, random prefix "aaaabbbbccccdddd".
// The fuzz test at the end is deterministic (fixed seed); run it under ASan and UBSan.
#include "runtime/gateway/channels/wechat_crypto.hpp"

#include <doctest/doctest.h>

#include <openssl/evp.h>

#include <cstdint>
#include <random>
#include <string>

#include "runtime/internal/base64.hpp"
#include "tests/support/require.hpp"

using namespace sb;
using namespace sb::channels;
using sb::test::code_of;

namespace {

const std::string zero_key(43, 'A');  // decodes to 32 zero bytes
constexpr const char* sample_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

constexpr const char* docs_encrypt =
    "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZ"
    "qzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2"
    "Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/"
    "P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBreb"
    "ufAlr7F9mFUPAJGj04=";

constexpr const char* sample_encrypt =
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQ"
    "HFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+"
    "h6tEDYs"
    "VticbSnyU8dKOIbgU6ux5VTjg3yt+"
    "WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0V"
    "xpAe+77TszTfRd5RJSVO/"
    "HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrc"
    "pCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";

wechat_crypto make(const std::string& key, const std::string& app_id) {
  return SB_REQUIRE_OK(wechat_crypto::create(key, app_id));
}

// Encrypts whole blocks with the all-zero key and IV of `zero_key`, without padding: ciphertexts
// whose plaintext the test chooses byte by byte.
std::string zero_key_ciphertext(const std::string& plain) {
  REQUIRE(plain.size() % 16 == 0);
  const unsigned char key[32] = {};
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  REQUIRE(ctx != nullptr);
  std::string out(plain.size(), '\0');
  int n = 0;
  int m = 0;
  bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key, key) == 1 &&
            EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
            EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                              reinterpret_cast<const unsigned char*>(plain.data()),
                              static_cast<int>(plain.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + n, &m) == 1;
  EVP_CIPHER_CTX_free(ctx);
  REQUIRE(ok);
  return internal::base64_encode(out);
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16 & 0xff),
          static_cast<char>(v >> 8 & 0xff), static_cast<char>(v & 0xff)};
}

// random16 + be32(len) + msg + app_id, padded with `pad` bytes of value `pad_value`.
std::string frame(const std::string& msg, const std::string& app_id, uint32_t declared_length,
                  std::size_t pad, char pad_value) {
  std::string plain = std::string(16, 'r') + be32(declared_length) + msg + app_id;
  plain.append(pad, pad_value);
  return plain;
}

// Returns the outcome of decrypting the ciphertext of a chosen plaintext.
errc open_plain(const wechat_crypto& crypto, const std::string& plain) {
  return code_of(crypto.decrypt(zero_key_ciphertext(plain)));
}

}  // namespace

TEST_CASE("decrypt opens the safe-mode example of WeChat's docs") {
  auto crypto = make(zero_key, "wxba5fad812f8e6fb9");
  CHECK(
      SB_REQUIRE_OK(crypto.decrypt(docs_encrypt)) ==
      R"({"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY",)"
      R"("CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"})");
}

TEST_CASE("encrypt with the docs' random prefix gives the docs' reply ciphertext") {
  auto crypto = make(zero_key, "wxba5fad812f8e6fb9");
  CHECK(crypto.encrypt(R"({"demo_resp":"good luck"})", "707722b803182950") ==
        "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==");
}

TEST_CASE("decrypt opens the message of Tencent's WXBizMsgCrypt sample, whose key has stray bits") {
  // The key ends in 'G': its last two bits are not zero, which a canonical base64 decoder refuses.
  auto crypto = make(sample_key, "wx2c2769f8efd9abc2");
  CHECK(SB_REQUIRE_OK(crypto.decrypt(sample_encrypt)) ==
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
        "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
        "<CreateTime>1409735668</CreateTime>\n"
        "<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[abcdteT]]></Content>\n"
        "<MsgId>6054768590064713728</MsgId>\n"
        "</xml>");
}

TEST_CASE("encrypt counts the length of a message in bytes of UTF-8, as Tencent's Java sample") {
  auto crypto = make(sample_key, "wxb11529c136998cb6");
  CHECK(crypto.encrypt("\xE6\x88\x91\xE6\x98\xAF\xE4\xB8\xAD\xE6\x96\x87"
                       "abcd123",  // 我是中文abcd123
                       "aaaabbbbccccdddd") ==
        "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==");
}

TEST_CASE("encrypt and decrypt round-trip messages of every length around the padding boundaries") {
  auto crypto = make(sample_key, "wx2c2769f8efd9abc2");
  for (std::size_t len = 0; len <= 100; ++len) {
    const std::string msg(len, static_cast<char>('a' + len % 26));
    auto sealed = crypto.encrypt(msg);
    REQUIRE_FALSE(sealed.empty());
    CHECK(SB_REQUIRE_OK(crypto.decrypt(sealed)) == msg);
  }
  const std::string big(60000, '\xE4');
  CHECK(SB_REQUIRE_OK(crypto.decrypt(crypto.encrypt(big))) == big);
}

TEST_CASE("encrypt draws a fresh random prefix unless given exactly 16 bytes") {
  auto crypto = make(zero_key, "wxba5fad812f8e6fb9");
  CHECK(crypto.encrypt("<xml/>") != crypto.encrypt("<xml/>"));
  CHECK(crypto.encrypt("<xml/>", "0123456789abcdef") ==
        crypto.encrypt("<xml/>", "0123456789abcdef"));
  CHECK(crypto.encrypt("<xml/>", "short") != crypto.encrypt("<xml/>", "short"));
}

TEST_CASE("create refuses keys that are not 43 base64 characters, and an empty app id") {
  CHECK(code_of(wechat_crypto::create(std::string(42, 'A'), "wx1")) == errc::invalid_argument);
  CHECK(code_of(wechat_crypto::create(std::string(44, 'A'), "wx1")) == errc::invalid_argument);
  CHECK(code_of(wechat_crypto::create(std::string(42, 'A') + "=", "wx1")) ==
        errc::invalid_argument);
  CHECK(code_of(wechat_crypto::create(std::string(42, 'A') + "-", "wx1")) ==
        errc::invalid_argument);
  CHECK(code_of(wechat_crypto::create(zero_key, "")) == errc::invalid_argument);
  CHECK(code_of(wechat_crypto::create(zero_key, "wx1")) == errc::ok);
  CHECK(make(zero_key, "wx1").app_id() == "wx1");
}

TEST_CASE("decrypt refuses a message addressed to another app id") {
  auto sealed = make(zero_key, "wx-other").encrypt("<xml/>");
  auto got = make(zero_key, "wxba5fad812f8e6fb9").decrypt(sealed);
  CHECK(code_of(got) == errc::invalid_argument);
  // A prefix or an extension of our app id is another app id too.
  CHECK(code_of(make(zero_key, "wx").decrypt(make(zero_key, "wx1").encrypt("m"))) ==
        errc::invalid_argument);
  CHECK(code_of(make(zero_key, "wx12").decrypt(make(zero_key, "wx1").encrypt("m"))) ==
        errc::invalid_argument);
}

TEST_CASE("decrypt refuses text that is not base64 of whole AES blocks") {
  auto crypto = make(zero_key, "wx1");
  CHECK(code_of(crypto.decrypt("")) == errc::decode_malformed);
  CHECK(code_of(crypto.decrypt("not base64!")) == errc::decode_malformed);
  CHECK(code_of(crypto.decrypt(internal::base64_encode(std::string(15, 'x')))) ==
        errc::decode_malformed);
  CHECK(code_of(crypto.decrypt(internal::base64_encode(std::string(33, 'x')))) ==
        errc::decode_malformed);
  CHECK(code_of(crypto.decrypt(std::string(wechat_crypto::max_ciphertext_chars + 4, 'A'))) ==
        errc::decode_malformed);
}

TEST_CASE("decrypt refuses PKCS#7 padding that is zero, too long or uneven") {
  auto crypto = make(zero_key, "wx1");
  const std::string msg = "hello";  // 16 + 4 + 5 + 3 = 28 bytes before padding
  CHECK(open_plain(crypto, frame(msg, "wx1", 5, 4, '\x04')) == errc::ok);
  CHECK(open_plain(crypto, frame(msg, "wx1", 5, 4, '\0')) == errc::decode_malformed);
  CHECK(open_plain(crypto, frame(msg, "wx1", 5, 36, '\x24')) == errc::decode_malformed);  // > 32
  auto uneven = frame(msg, "wx1", 5, 4, '\x04');
  uneven[uneven.size() - 3] = '\x05';
  CHECK(open_plain(crypto, uneven) == errc::decode_malformed);
  // Padding as long as the whole plaintext leaves no room for the header.
  CHECK(open_plain(crypto, std::string(32, '\x20')) == errc::decode_malformed);
  // Padding longer than the plaintext.
  CHECK(open_plain(crypto, std::string(16, '\x20')) == errc::decode_malformed);
}

TEST_CASE("decrypt refuses a length field that runs past the message, and a short header") {
  auto crypto = make(zero_key, "wx1");
  // 16 + 4 + 5 + 3 + 4 = 32 bytes; only the declared length changes. 8 takes the app id into the
  // message and leaves an empty one; 9 runs past the end.
  CHECK(open_plain(crypto, frame("hello", "wx1", 8, 4, '\x04')) == errc::invalid_argument);
  CHECK(open_plain(crypto, frame("hello", "wx1", 9, 4, '\x04')) == errc::decode_malformed);
  CHECK(open_plain(crypto, frame("hello", "wx1", 0xffffffff, 4, '\x04')) == errc::decode_malformed);
  // A shorter length moves bytes of the message into the app id.
  CHECK(open_plain(crypto, frame("hello", "wx1", 4, 4, '\x04')) == errc::invalid_argument);
  // 16 + 3 header bytes and padding of 13.
  CHECK(open_plain(crypto, std::string(19, 'r') + std::string(13, '\x0d')) ==
        errc::decode_malformed);
}

TEST_CASE("decrypt survives 20000 random and mutated ciphertexts with an error or a message") {
  auto crypto = make(zero_key, "wx1");
  std::mt19937_64 rng{0x5eed'c0de};
  auto below = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  auto random_bytes = [&](std::size_t n) {
    std::string out(n, '\0');
    for (auto& c : out)
      c = static_cast<char>(below(256));
    return out;
  };
  const std::string valid = *internal::base64_decode(crypto.encrypt("<xml><a>1</a></xml>"));
  int opened = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    switch (i % 5) {
      case 0:  // random bytes in whole AES blocks, so that they reach the padding check
        input = internal::base64_encode(random_bytes(16 * (1 + below(8))));
        break;
      case 1: {  // a valid ciphertext with bits flipped, truncated or extended
        std::string raw = valid;
        for (std::size_t k = 0, n = 1 + below(3); k < n; ++k) {
          const auto at = below(raw.size());
          raw[at] = static_cast<char>(static_cast<unsigned char>(raw[at]) ^ (1u << below(8)));
        }
        if (below(4) == 0)
          raw.resize(16 * below(raw.size() / 16 + 1));
        if (below(4) == 0)
          raw += random_bytes(16 * below(3));
        input = internal::base64_encode(raw);
        break;
      }
      case 2: {  // base64 text with characters changed, dropped or added
        input = internal::base64_encode(valid);
        for (std::size_t k = 0, n = 1 + below(3); k < n; ++k) {
          const auto at = below(input.size());
          const char ch = static_cast<char>(below(256));
          switch (below(3)) {
            case 0:
              input[at] = ch;
              break;
            case 1:
              input.erase(at, 1);
              break;
            default:
              input.insert(at, 1, ch);
          }
        }
        break;
      }
      case 3:  // any bytes at all
        input = random_bytes(below(200));
        break;
      default: {  // valid padding around random content: exercises the length and app id checks
        std::string plain = random_bytes(20 + below(60));
        if (below(2) == 0)
          plain.replace(16, 4, be32(static_cast<uint32_t>(below(80))));
        if (below(2) == 0)
          plain += "wx1";
        const std::size_t pad = 32 - plain.size() % 32;
        plain.append(pad, static_cast<char>(pad));
        input = zero_key_ciphertext(plain);
      }
    }
    auto got = crypto.decrypt(input);
    if (got) {
      ++opened;
      CHECK(got->size() <= input.size());
    } else {
      const auto code = got.err().code;
      CHECK((code == errc::decode_malformed || code == errc::invalid_argument));
    }
  }
  // Some crafted frames are well-formed messages for "wx1"; random ones almost never are.
  CHECK(opened > 0);
}
