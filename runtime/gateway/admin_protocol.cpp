// The admin messages over NATS: parsing and checking what sbctl sends, encoding what nodes answer.
#include "runtime/gateway/admin_protocol.hpp"

#include <optional>

#include <nlohmann/json.hpp>

namespace sb::gateway {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A path reaches the request line of the loopback request: nothing may break out of it.
std::optional<std::string> path_problem(const std::string& path) {
  if (path.size() > 8192) {
    return "path is longer than 8192 characters";
  }
  if (!starts_with(path, "/v1/")) {
    return "path must start with /v1/, got '" + path + "'";
  }
  for (char c : path) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f) {
      return std::string{"path must not hold spaces or control characters"};
    }
  }
  const auto route = path.substr(0, path.find('?'));
  if (route.find("/..") != std::string::npos) {
    return std::string{"path must not hold '..'"};
  }
  if (route == "/v1/events/stream") {
    return std::string{"events are not streamed over request/reply: subscribe to sb.events.>"};
  }
  return std::nullopt;
}

bool is_extra_header(const std::string& name) {
  if (name.size() < 6 || name.size() > 64 ||
      (name.compare(0, 5, "X-SB-") != 0 && name.compare(0, 5, "x-sb-") != 0)) {
    return false;
  }
  return name.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") ==
         std::string::npos;
}

result<admin_request> parse_request_object(const json& j) {
  auto bad = [](std::string why) {
    return error{errc::invalid_argument, "admin request: " + std::move(why)};
  };
  if (!j.is_object()) {
    return bad("not a JSON object");
  }
  admin_request r;
  if (!j.contains("method") || !j["method"].is_string()) {
    return bad("method must be GET or POST");
  }
  r.method = j["method"].get<std::string>();
  if (r.method != "GET" && r.method != "POST") {
    return bad("method must be GET or POST, got '" + r.method + "'");
  }
  if (!j.contains("path") || !j["path"].is_string()) {
    return bad("path must be a string such as /v1/node");
  }
  r.path = j["path"].get<std::string>();
  if (auto problem = path_problem(r.path)) {
    return bad(*problem);
  }
  for (auto [key, field] : {std::pair{"body", &r.body}, std::pair{"token", &r.token}}) {
    if (j.contains(key) && !j[key].is_null()) {
      if (!j[key].is_string()) {
        return bad(std::string{key} + " must be a string");
      }
      *field = j[key].get<std::string>();
    }
  }
  if (j.contains("headers") && !j["headers"].is_null()) {
    if (!j["headers"].is_object()) {
      return bad("headers must be an object of strings");
    }
    for (const auto& [name, value] : j["headers"].items()) {
      if (!is_extra_header(name)) {
        return bad("only X-SB-* headers may be sent, got '" + name + "'");
      }
      if (!value.is_string() ||
          value.get<std::string>().find_first_of("\r\n") != std::string::npos) {
        return bad("header " + name + " must be a one-line string");
      }
      r.headers[name] = value.get<std::string>();
    }
  }
  return r;
}

}  // namespace

std::string encode_admin_request(const admin_request& r) {
  json j{{"method", r.method}, {"path", r.path}};
  if (!r.body.empty()) {
    j["body"] = r.body;
  }
  if (!r.token.empty()) {
    j["token"] = r.token;
  }
  if (!r.headers.empty()) {
    j["headers"] = r.headers;
  }
  return dump(j);
}

result<admin_request> parse_admin_request(std::string_view data) {
  try {
    return parse_request_object(json::parse(data, nullptr, false));
  } catch (const std::exception& e) {  // nlohmann::json throws only on a bug of ours
    return error{errc::invalid_argument, std::string{"admin request: "} + e.what()};
  }
}

std::string encode_admin_reply(const admin_reply& r) {
  return dump(json{{"status", r.status}, {"body", r.body}});
}

result<admin_reply> parse_admin_reply(std::string_view data) {
  auto j = json::parse(data, nullptr, false);
  if (!j.is_object() || !j.contains("status") || !j["status"].is_number_integer() ||
      !j.contains("body") || !j["body"].is_string()) {
    return error{errc::decode_malformed,
                 "admin reply: not {\"status\": <int>, \"body\": <string>}"};
  }
  admin_reply r;
  r.status = j["status"].get<int>();
  r.body = j["body"].get<std::string>();
  return r;
}

admin_reply admin_error_reply(int status, std::string_view code, std::string_view message) {
  return {status, dump(json{{"error", {{"code", code}, {"message", message}}}})};
}

admin_reply within_reply_limit(admin_reply r) {
  if (r.body.size() > admin_max_reply_body ||
      encode_admin_reply(r).size() > admin_max_reply_bytes) {
    return admin_error_reply(413, "payload_too_large",
                             "the answer is " + std::to_string(r.body.size()) +
                                 " bytes, more than a NATS reply carries (900 KiB): ask for less "
                                 "(e.g. --limit) or over HTTP (--node URL)");
  }
  return r;
}

}  // namespace sb::gateway
