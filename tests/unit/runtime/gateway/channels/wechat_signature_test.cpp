// Vectors published by WeChat:
//  - "消息推送" (message push),
//  https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html,
//    whose worked example (Token "AAAAA") is the same for Official Accounts
//    (https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html);
//  - Tencent's WXBizMsgCrypt sample code (Sample.py of the cryptoDemo.zip those pages link), with
//    token "spamtest".
#include "runtime/gateway/channels/wechat_signature.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sb::channels;

namespace {

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

}  // namespace

TEST_CASE("the url signature matches the handshake and plaintext examples of WeChat's docs") {
  CHECK(url_signature("AAAAA", "1714036504", "1514711492") ==
        "f464b24fc39322e44b38aa78f5edd27bd1441696");
  CHECK(verify_url_signature("AAAAA", "1714036504", "1514711492",
                             "f464b24fc39322e44b38aa78f5edd27bd1441696"));
  CHECK(verify_url_signature("AAAAA", "1714037059", "486452656",
                             "899cf89e464efb63f54ddac96b0a0a235f53aa78"));
}

TEST_CASE("the url signature sorts its parts before hashing, whatever their order") {
  // The docs sort ["1514711492", "1714036504", "AAAAA"]: the token goes last here.
  CHECK(url_signature("AAAAA", "1714036504", "1514711492") ==
        url_signature("1514711492", "AAAAA", "1714036504"));
}

TEST_CASE("a url signature fails for another token, timestamp, nonce or signature") {
  const char* sig = "f464b24fc39322e44b38aa78f5edd27bd1441696";
  CHECK_FALSE(verify_url_signature("AAAAB", "1714036504", "1514711492", sig));
  CHECK_FALSE(verify_url_signature("AAAAA", "1714036505", "1514711492", sig));
  CHECK_FALSE(verify_url_signature("AAAAA", "1714036504", "1514711493", sig));
  CHECK_FALSE(verify_url_signature("AAAAA", "1714036504", "1514711492",
                                   "f464b24fc39322e44b38aa78f5edd27bd1441697"));
  CHECK_FALSE(verify_url_signature("AAAAA", "1714036504", "1514711492", "f464b24f"));
}

TEST_CASE("an empty token or signature never verifies, and hex case does not matter") {
  CHECK_FALSE(verify_url_signature("AAAAA", "1714036504", "1514711492", ""));
  CHECK_FALSE(verify_url_signature("", "1714036504", "1514711492",
                                   url_signature("", "1714036504", "1514711492")));
  CHECK(verify_url_signature("AAAAA", "1714036504", "1514711492",
                             "F464B24FC39322E44B38AA78F5EDD27BD1441696"));
}

TEST_CASE("msg_signature matches the safe-mode request and reply of WeChat's docs") {
  CHECK(msg_signature("AAAAA", "1714112445", "415670741", docs_encrypt) ==
        "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3");
  CHECK(verify_msg_signature("AAAAA", "1714112445", "415670741", docs_encrypt,
                             "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3"));
  CHECK(
      msg_signature("AAAAA", "1713424427", "415670741",
                    "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve"
                    "1L32tmxSQ==") == "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1");
}

TEST_CASE("msg_signature matches Tencent's WXBizMsgCrypt sample") {
  CHECK(verify_msg_signature("spamtest", "1409735669", "1320562132", sample_encrypt,
                             "5d197aaffba7e9b25a30732f161a50dee96bd5fa"));
}

TEST_CASE("msg_signature covers the ciphertext") {
  std::string changed = docs_encrypt;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  CHECK_FALSE(verify_msg_signature("AAAAA", "1714112445", "415670741", changed,
                                   "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3"));
  // The signature of the URL (three parts) is not a msg_signature.
  CHECK_FALSE(verify_msg_signature("AAAAA", "1714112445", "415670741", docs_encrypt,
                                   url_signature("AAAAA", "1714112445", "415670741")));
}
