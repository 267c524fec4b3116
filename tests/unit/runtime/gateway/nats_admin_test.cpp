// The admin protocol over NATS (runtime/gateway/nats_admin.cpp): what a request may ask, how
// replies are framed, the size limit of a NATS reply and where the responder sends requests.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/config/node_config.hpp"
#include "runtime/gateway/nats_admin.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/require.hpp"

namespace {

using sb::errc;
using sb::gateway::admin_reply;
using sb::gateway::admin_request;
using sb::gateway::parse_admin_request;
using sb::test::code_of;

std::string error_code_of(const admin_reply& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

}  // namespace

TEST_CASE("a request survives encoding and parsing with its body, token and X-SB headers") {
  admin_request sent;
  sent.method = "POST";
  sent.path = "/v1/app/messages?x=1";
  sent.body = R"({"text":"你好"})";
  sent.token = "t0ken";
  sent.headers = {{"X-SB-Signature", "abc"}, {"X-SB-Timestamp", "1700000000"}};
  auto got = SB_REQUIRE_OK(parse_admin_request(sb::gateway::encode_admin_request(sent)));
  CHECK(got.method == "POST");
  CHECK(got.path == sent.path);
  CHECK(got.body == sent.body);
  CHECK(got.token == "t0ken");
  CHECK(got.headers == sent.headers);
}

TEST_CASE("a request without body and token parses with both empty, unknown fields ignored") {
  auto got = SB_REQUIRE_OK(
      parse_admin_request(R"({"method":"GET","path":"/v1/node","from":"a newer sbctl"})"));
  CHECK(got.body.empty());
  CHECK(got.token.empty());
  CHECK(got.headers.empty());
}

TEST_CASE(
    "requests that are not JSON objects or use another method than GET and POST are refused") {
  for (const char* bad :
       {"", "not json", "[1,2]", R"({"path":"/v1/node"})",
        R"({"method":"DELETE","path":"/v1/node"})", R"({"method":"get","path":"/v1/node"})"}) {
    CAPTURE(bad);
    auto r = parse_admin_request(bad);
    CHECK(code_of(r) == errc::invalid_argument);
  }
  auto r = parse_admin_request(R"({"method":"PUT","path":"/v1/node"})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("GET or POST") != std::string::npos);
}

TEST_CASE("paths outside /v1/ or that could break out of the request line are refused") {
  for (const char* path :
       {"/metrics", "/v1", "v1/node", "/v1/no de", "/v1/node\r\nX: y", "/v1/../metrics", ""}) {
    CAPTURE(path);
    nlohmann::json j{{"method", "GET"}, {"path", path}};
    CHECK(code_of(parse_admin_request(j.dump())) == errc::invalid_argument);
  }
  CHECK(parse_admin_request(R"({"method":"GET","path":"/v1/actors?kind=user&top=age"})").ok());
}

TEST_CASE("the event stream is refused over request/reply, with or without a query") {
  for (const char* path : {"/v1/events/stream", "/v1/events/stream?type=order.*"}) {
    nlohmann::json j{{"method", "GET"}, {"path", path}};
    auto r = parse_admin_request(j.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().message.find("sb.events.>") != std::string::npos);
  }
}

TEST_CASE("fields of the wrong type and headers other than X-SB-* are refused") {
  CHECK_FALSE(parse_admin_request(R"({"method":"GET","path":"/v1/node","token":7})").ok());
  CHECK_FALSE(parse_admin_request(R"({"method":"POST","path":"/v1/x","body":{"a":1}})").ok());
  CHECK_FALSE(parse_admin_request(
                  R"({"method":"GET","path":"/v1/node","headers":{"Authorization":"Bearer x"}})")
                  .ok());
  CHECK_FALSE(
      parse_admin_request(R"({"method":"GET","path":"/v1/node","headers":{"X-SB-A":"1\r\nB: 2"}})")
          .ok());
  CHECK_FALSE(
      parse_admin_request(R"({"method":"GET","path":"/v1/node","headers":["X-SB-A"]})").ok());
}

TEST_CASE("a reply survives encoding and parsing; anything else is decode_malformed") {
  admin_reply sent{404, R"({"error":{"code":"not_found","message":"no such actor"}})"};
  auto got = SB_REQUIRE_OK(sb::gateway::parse_admin_reply(sb::gateway::encode_admin_reply(sent)));
  CHECK(got.status == 404);
  CHECK(got.body == sent.body);
  for (const char* bad : {"", "{}", R"({"status":"200","body":""})", R"({"status":200})"}) {
    CAPTURE(bad);
    CHECK(code_of(sb::gateway::parse_admin_reply(bad)) == errc::decode_malformed);
  }
}

TEST_CASE("an error reply carries the gateway's error body") {
  auto r = sb::gateway::admin_error_reply(400, "invalid_request", "path must start with /v1/");
  CHECK(r.status == 400);
  CHECK(error_code_of(r) == "invalid_request");
}

TEST_CASE("a body of 900 KiB passes; one byte more becomes 413 with an error body") {
  // 900 KiB = 921,600 bytes; letters need no escaping, so the reply is 921,600 + 24 bytes of
  // framing, under the 1 MiB - 4 KiB = 1,044,480 allowed.
  admin_reply at_limit{200, std::string(921'600, 'a')};
  auto kept = sb::gateway::within_reply_limit(at_limit);
  CHECK(kept.status == 200);
  CHECK(kept.body.size() == 921'600);
  auto over = sb::gateway::within_reply_limit(admin_reply{200, std::string(921'601, 'a')});
  CHECK(over.status == 413);
  CHECK(error_code_of(over) == "payload_too_large");
}

TEST_CASE("a body under 900 KiB whose escaping passes 1 MiB becomes 413 too") {
  // 600,000 quotes escape to 1,200,000 bytes (\" each) > 1,044,480.
  auto r = sb::gateway::within_reply_limit(admin_reply{200, std::string(600'000, '"')});
  CHECK(r.status == 413);
}

TEST_CASE("the responder asks its gateway on loopback when it listens on every address") {
  using sb::gateway::nats_admin;
  CHECK(nats_admin::loopback_of("0.0.0.0") == "127.0.0.1");
  CHECK(nats_admin::loopback_of("") == "127.0.0.1");
  CHECK(nats_admin::loopback_of("::") == "::1");
  CHECK(nats_admin::loopback_of("[::]") == "::1");
  CHECK(nats_admin::loopback_of("127.0.0.1") == "127.0.0.1");
  CHECK(nats_admin::loopback_of("[::1]") == "::1");
  CHECK(nats_admin::loopback_of("10.1.2.3") == "10.1.2.3");
}

TEST_CASE("a responder whose NATS cannot be reached starts anyway, retries, and stops at once") {
  sb::node_config cfg;
  cfg.node_id = "node-x";
  cfg.nats_servers = "nats://127.0.0.1:" + std::to_string(SB_REQUIRE_OK(sb::test::free_tcp_port()));
  sb::gateway::nats_admin_options o;
  o.retry_wait = std::chrono::milliseconds(20);
  const auto began = std::chrono::steady_clock::now();
  auto admin = sb::gateway::nats_admin::start(cfg, "127.0.0.1", 1, o);
  REQUIRE(admin != nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a few refused retries
  admin->stop();
  admin->stop();  // idempotent
  // Refused connections fail at once; nothing waits for the 2 s connect timeout.
  CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(2));
}
