#pragma once

// Client of WeChat's customer-service message API (客服消息), which sends an Official Account's
// messages that come later than the passive reply allows: agents' answers, offers. See
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
// and, for the access token, .../doc/offiaccount/Basic_Information/Get_access_token.html.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/clock.hpp"
#include "runtime/result.hpp"

namespace sb::channels {

/// Settings of a wechat_cs_client (from the channels.wechat.* config keys).
struct wechat_cs_config {
  /// Scheme, host, optional port and optional path prefix of the API; tests use a local server.
  std::string base_url = "https://api.weixin.qq.com";
  std::string app_id;      ///< The Official Account's AppID.
  std::string app_secret;  ///< Its AppSecret; only ever sent to the token endpoint.
  /// Connect, read and write timeout of each HTTP call.
  std::chrono::milliseconds timeout{5000};
  /// How long before its expiry a token is replaced (at most half its lifetime is used up first).
  std::chrono::seconds refresh_margin{300};
};

/// Sends customer-service text messages, fetching and caching the access token it needs
/// (GET {base}/cgi-bin/token?grant_type=client_credential&appid=..&secret=..) and replacing it
/// before it expires. When WeChat answers a send with errcode 40001, 40014 or 42001 (the token is
/// invalid or expired, e.g. because something else fetched a newer one), the client fetches a new
/// token and retries the send once.
///
/// Errors: a WeChat errcode is invalid_argument with "wechat errcode N: errmsg" as its message
/// (for example 45015, the user has not written in the last 48 hours); an unreachable or silent
/// server is timeout; an unreadable answer is decode_malformed. Messages never hold the secret or
/// a token.
///
/// Thread-safe; calls are serialized (the outbound dispatcher sends from one thread anyway).
/// The clock must outlive the client; it decides token expiry, so tests drive it.
class wechat_cs_client {
 public:
  /// Returns a client; invalid_argument if the base URL is not http(s)://host[:port][/path] or
  /// the app id or secret is empty. Makes no network call.
  static result<wechat_cs_client> create(wechat_cs_config cfg, const clock& clk);

  wechat_cs_client(wechat_cs_client&&) noexcept;
  wechat_cs_client& operator=(wechat_cs_client&&) noexcept;
  ~wechat_cs_client();

  /// Sends `content` as a text message to the user `openid`.
  result<void> send_text(std::string_view openid, std::string_view content);

  /// Returns the cached access token, fetching a new one if there is none or it is due.
  result<std::string> access_token();

  /// Forgets the cached token, so that the next call fetches one.
  void invalidate_token();

 private:
  struct impl;
  explicit wechat_cs_client(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sb::channels
