// The customer-service client against a local httplib server that plays WeChat's API (token
// endpoint and message/custom/send, with their errcodes), on a loopback port the kernel picks.
// Token expiry is driven by a manual clock, never by sleeping.
#include "runtime/gateway/channels/wechat_customer_service.hpp"

#include <doctest/doctest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/clock.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/require.hpp"

using namespace sb;
using namespace sb::channels;
using sb::test::code_of;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* app_id = "wx-test-app";
constexpr const char* app_secret = "s3cret-of-the-app";

/// A fake of api.weixin.qq.com: issues tokens "tok-1", "tok-2", ... (only the latest is valid,
/// as with WeChat) and records the messages it accepts. Paths may carry the prefix "/proxy".
class fake_wechat {
  // Runs `f` under the lock.
  template <class F>
  auto locked(F&& f) -> decltype(f()) {
    std::lock_guard<std::mutex> guard{mutex_};
    return f();
  }

 public:
  fake_wechat() {
    server_.Get(R"((/proxy)?/cgi-bin/token)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> guard{mutex_};
                  if (answer_broken(res))
                    return;
                  if (req.get_param_value("grant_type") != "client_credential" ||
                      req.get_param_value("appid") != app_id) {
                    return reply(res, {{"errcode", 40013}, {"errmsg", "invalid appid"}});
                  }
                  if (req.get_param_value("secret") != app_secret) {
                    return reply(res, {{"errcode", 40125}, {"errmsg", "invalid appsecret"}});
                  }
                  current_token_ = "tok-" + std::to_string(++token_fetches_);
                  reply(res, {{"access_token", current_token_}, {"expires_in", expires_in_}});
                });
    server_.Post(R"((/proxy)?/cgi-bin/message/custom/send)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard<std::mutex> guard{mutex_};
                   if (answer_broken(res))
                     return;
                   const auto token = req.get_param_value("access_token");
                   tokens_used_.push_back(token);
                   if (!scripted_errcodes_.empty()) {
                     const int code = scripted_errcodes_.front();
                     scripted_errcodes_.pop_front();
                     return reply(res, {{"errcode", code}, {"errmsg", "scripted"}});
                   }
                   if (token.empty() || token != current_token_) {
                     return reply(res, {{"errcode", 42001}, {"errmsg", "access_token expired"}});
                   }
                   sent_.push_back(json::parse(req.body));
                   reply(res, {{"errcode", 0}, {"errmsg", "ok"}});
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread{[this] { server_.listen_after_bind(); }};
    CHECK(sb::test::wait_for_tcp(port_, 5s).ok());
  }

  ~fake_wechat() {
    server_.stop();
    thread_.join();
  }

  fake_wechat(const fake_wechat&) = delete;
  fake_wechat& operator=(const fake_wechat&) = delete;

  [[nodiscard]] std::string base_url(const std::string& prefix = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + prefix;
  }

  // -- scripting and inspection (all under the lock) ---------------------------------------------

  void set_expires_in(int64_t s) {
    locked([&] { expires_in_ = s; });
  }
  /// Makes the next sends answer these errcodes, whatever their token.
  void script_errcodes(std::deque<int> codes) {
    locked([&] { scripted_errcodes_ = std::move(codes); });
  }
  /// Invalidates the current token, as a fetch by another server would.
  void revoke_token() {
    locked([&] { current_token_ = "revoked"; });
  }
  /// "500": answer HTTP 500; "garbage": answer 200 with a body that is not JSON; "": behave.
  void set_broken(std::string mode) {
    locked([&] { broken_ = std::move(mode); });
  }

  int token_fetches() {
    return locked([&] { return token_fetches_; });
  }
  std::vector<json> sent() {
    return locked([&] { return sent_; });
  }
  std::vector<std::string> tokens_used() {
    return locked([&] { return tokens_used_; });
  }

 private:
  static void reply(httplib::Response& res, const json& body) {
    res.set_content(body.dump(), "application/json");
  }

  bool answer_broken(httplib::Response& res) {
    if (broken_ == "500") {
      res.status = 500;
      res.set_content("oops", "text/plain");
      return true;
    }
    if (broken_ == "garbage") {
      res.set_content("<html>not json</html>", "text/html");
      return true;
    }
    return false;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  int token_fetches_ = 0;
  std::string current_token_;
  int64_t expires_in_ = 7200;
  std::deque<int> scripted_errcodes_;
  std::string broken_;
  std::vector<json> sent_;
  std::vector<std::string> tokens_used_;
};

wechat_cs_config config_for(const std::string& base_url, const std::string& secret = app_secret) {
  wechat_cs_config cfg;
  cfg.base_url = base_url;
  cfg.app_id = app_id;
  cfg.app_secret = secret;
  cfg.timeout = 2s;
  cfg.refresh_margin = 300s;
  return cfg;
}

}  // namespace

TEST_CASE("the client fetches a token and sends a text message as WeChat's JSON") {
  fake_wechat wechat;
  manual_clock clk;
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url()), clk));
  const std::string text = "你好, \"quoted\" ]]> & more";
  SB_REQUIRE_OK(client.send_text("o-user-1", text));
  CHECK(wechat.token_fetches() == 1);
  REQUIRE(wechat.sent().size() == 1);
  CHECK(wechat.sent()[0] ==
        json{{"touser", "o-user-1"}, {"msgtype", "text"}, {"text", {{"content", text}}}});
  CHECK(wechat.tokens_used() == std::vector<std::string>{"tok-1"});
}

TEST_CASE("the client keeps its token until refresh_margin before expiry, then fetches another") {
  fake_wechat wechat;
  manual_clock clk;
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url()), clk));
  SB_REQUIRE_OK(client.send_text("o1", "one"));
  clk.advance(int64_t{7200 - 300 - 1} * 1000);
  SB_REQUIRE_OK(client.send_text("o1", "two"));
  CHECK(wechat.token_fetches() == 1);
  clk.advance(2000);
  SB_REQUIRE_OK(client.send_text("o1", "three"));
  CHECK(wechat.token_fetches() == 2);
  CHECK(wechat.tokens_used() == std::vector<std::string>{"tok-1", "tok-1", "tok-2"});
  CHECK(wechat.sent().size() == 3);
}

TEST_CASE("a short-lived token is used for half its lifetime") {
  fake_wechat wechat;
  wechat.set_expires_in(100);
  manual_clock clk;
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url()), clk));
  CHECK(SB_REQUIRE_OK(client.access_token()) == "tok-1");
  clk.advance(49'000);
  CHECK(SB_REQUIRE_OK(client.access_token()) == "tok-1");
  clk.advance(2'000);
  CHECK(SB_REQUIRE_OK(client.access_token()) == "tok-2");
  client.invalidate_token();
  CHECK(SB_REQUIRE_OK(client.access_token()) == "tok-3");
}

TEST_CASE("a token WeChat says expired (42001) is replaced and the send retried once") {
  fake_wechat wechat;
  manual_clock clk;
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url()), clk));
  SB_REQUIRE_OK(client.send_text("o1", "first"));
  wechat.revoke_token();  // e.g. another process fetched a token for the same account
  SB_REQUIRE_OK(client.send_text("o1", "second"));
  CHECK(wechat.token_fetches() == 2);
  CHECK(wechat.tokens_used() == std::vector<std::string>{"tok-1", "tok-1", "tok-2"});
  REQUIRE(wechat.sent().size() == 2);
  CHECK(wechat.sent()[1]["text"]["content"] == "second");
}

TEST_CASE("a token that stays invalid (40001) fails the send after one retry") {
  fake_wechat wechat;
  manual_clock clk;
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url()), clk));
  wechat.script_errcodes({40001, 40001, 40001});
  auto sent = client.send_text("o1", "hi");
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.err().code == errc::invalid_argument);
  CHECK(sent.err().message.find("wechat errcode 40001") != std::string::npos);
  CHECK(wechat.token_fetches() == 2);
  CHECK(wechat.tokens_used().size() == 2);
}

TEST_CASE("any other errcode of a send fails at once, without a new token") {
  fake_wechat wechat;
  manual_clock clk;
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url()), clk));
  wechat.script_errcodes({45015});
  auto sent = client.send_text("o1", "too late");
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.err().message == "wechat errcode 45015: scripted");
  CHECK(wechat.token_fetches() == 1);
  CHECK(wechat.tokens_used().size() == 1);
  SB_REQUIRE_OK(client.send_text("o1", "next one goes"));
  CHECK(wechat.token_fetches() == 1);
}

TEST_CASE("an errcode of the token endpoint is an error that names it but never the secret") {
  fake_wechat wechat;
  manual_clock clk;
  auto client = SB_REQUIRE_OK(
      wechat_cs_client::create(config_for(wechat.base_url(), "wrong-secret-value"), clk));
  auto sent = client.send_text("o1", "hi");
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.err().code == errc::invalid_argument);
  CHECK(sent.err().message.find("40125") != std::string::npos);
  CHECK(sent.err().message.find("wrong-secret-value") == std::string::npos);
  CHECK(wechat.tokens_used().empty());
}

TEST_CASE("an unreachable, failing or garbled API is an error value") {
  manual_clock clk;
  {
    const int port = SB_REQUIRE_OK(sb::test::free_tcp_port());
    auto client = SB_REQUIRE_OK(
        wechat_cs_client::create(config_for("http://127.0.0.1:" + std::to_string(port)), clk));
    CHECK(code_of(client.send_text("o1", "hi")) == errc::timeout);
  }
  fake_wechat wechat;
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url()), clk));
  wechat.set_broken("500");
  auto failed = client.send_text("o1", "hi");
  CHECK(code_of(failed) == errc::timeout);
  wechat.set_broken("garbage");
  CHECK(code_of(client.send_text("o1", "hi")) == errc::decode_malformed);
  wechat.set_broken("");
  SB_REQUIRE_OK(client.send_text("o1", "hi"));
}

TEST_CASE("the base URL may carry a path prefix") {
  fake_wechat wechat;
  manual_clock clk;
  auto client =
      SB_REQUIRE_OK(wechat_cs_client::create(config_for(wechat.base_url("/proxy/")), clk));
  SB_REQUIRE_OK(client.send_text("o1", "via a proxy"));
  CHECK(wechat.sent().size() == 1);
}

TEST_CASE("create refuses bad base URLs and empty credentials") {
  manual_clock clk;
  for (const char* url : {"", "api.weixin.qq.com", "ftp://x", "http://", "http://:80",
                          "http://host:0", "http://host:65536", "http://host:8x", "http://a b",
                          "http://user@host", "http://host/p?q=1"}) {
    CAPTURE(url);
    CHECK(code_of(wechat_cs_client::create(config_for(url), clk)) == errc::invalid_argument);
  }
  CHECK(code_of(wechat_cs_client::create(config_for("https://api.weixin.qq.com"), clk)) ==
        errc::ok);
  CHECK(code_of(wechat_cs_client::create(config_for("http://127.0.0.1:8080/x"), clk)) == errc::ok);
  auto cfg = config_for("https://api.weixin.qq.com");
  cfg.app_secret.clear();
  CHECK(code_of(wechat_cs_client::create(cfg, clk)) == errc::invalid_argument);
  auto client = SB_REQUIRE_OK(wechat_cs_client::create(config_for("http://127.0.0.1:1"), clk));
  CHECK(code_of(client.send_text("", "no openid")) == errc::invalid_argument);
}
