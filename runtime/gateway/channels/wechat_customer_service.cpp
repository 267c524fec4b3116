#include "runtime/gateway/channels/wechat_customer_service.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace sb::channels {

namespace {

// WeChat's "invalid credential", "invalid access_token" and "access_token expired": another
// fetch of the token (or another server's refresh) made ours stale.
bool is_stale_token(int64_t errcode) {
  return errcode == 40001 || errcode == 40014 || errcode == 42001;
}

std::string percent_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (std::isalnum(byte) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += ch;
    } else {
      out += '%';
      out += digits[byte >> 4];
      out += digits[byte & 0x0f];
    }
  }
  return out;
}

struct endpoint {
  std::string scheme_host_port;  // what httplib::Client takes
  std::string prefix;            // path prefix without a trailing '/'
};

std::optional<endpoint> parse_base_url(std::string_view url) {
  std::string_view scheme;
  for (std::string_view s : {"http://", "https://"}) {
    if (url.substr(0, s.size()) == s) {
      scheme = s;
    }
  }
  if (scheme.empty()) {
    return std::nullopt;
  }
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  while (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  auto colon = authority.rfind(':');
  auto host = authority.substr(0, colon);
  if (host.empty() || host.find_first_of(" @?#") != std::string_view::npos ||
      path.find_first_of(" ?#") != std::string_view::npos) {
    return std::nullopt;
  }
  if (colon != std::string_view::npos) {
    auto port = authority.substr(colon + 1);
    int value = 0;
    for (char ch : port) {
      if (ch < '0' || ch > '9' || value > 65535) {
        return std::nullopt;
      }
      value = value * 10 + (ch - '0');
    }
    if (port.empty() || value < 1 || value > 65535) {
      return std::nullopt;
    }
  }
  return endpoint{std::string{url.substr(0, scheme.size() + authority.size())}, std::string{path}};
}

// A JSON answer of the API: its errcode (0 if absent) and the whole object.
struct answer {
  int64_t errcode = 0;
  std::string errmsg;
  nlohmann::json body;
};

error rejected(const answer& a) {
  return {errc::invalid_argument, "wechat errcode " + std::to_string(a.errcode) + ": " + a.errmsg};
}

}  // namespace

struct wechat_cs_client::impl {
  wechat_cs_config cfg;
  const clock* clk = nullptr;
  endpoint api;
  std::mutex mutex;
  std::string token;          // empty: none cached
  int64_t refresh_at_ms = 0;  // when the cached token is due for replacement

  // Runs one request; transport failures and unreadable answers are errors, errcodes are not.
  template <class Call>
  result<answer> call(Call&& run) {
    try {
      httplib::Client client{api.scheme_host_port};
      client.set_connection_timeout(cfg.timeout);
      client.set_read_timeout(cfg.timeout);
      client.set_write_timeout(cfg.timeout);
      auto res = run(client);
      if (!res) {
        return error{errc::timeout, "WeChat API unreachable: " + httplib::to_string(res.error())};
      }
      if (res->status != 200) {
        return error{errc::timeout, "WeChat API answered HTTP " + std::to_string(res->status)};
      }
      answer a;
      a.body = nlohmann::json::parse(res->body, nullptr, false);
      if (a.body.is_discarded() || !a.body.is_object()) {
        return error{errc::decode_malformed,
                     "WeChat API answered something that is not a JSON object"};
      }
      if (auto it = a.body.find("errcode"); it != a.body.end()) {
        if (!it->is_number_integer()) {
          return error{errc::decode_malformed, "WeChat API answered a non-integer errcode"};
        }
        a.errcode = it->get<int64_t>();
      }
      if (auto it = a.body.find("errmsg"); it != a.body.end() && it->is_string()) {
        a.errmsg = it->get<std::string>();
      }
      return a;
    } catch (const std::exception& e) {
      return error{errc::internal, std::string{"WeChat API call failed: "} + e.what()};
    }
  }

  // Returns the cached token or fetches one; the caller holds `mutex`.
  result<std::string> token_locked() {
    const int64_t now = clk->now_ms();
    if (!token.empty() && now < refresh_at_ms) {
      return token;
    }
    const std::string path = api.prefix + "/cgi-bin/token?grant_type=client_credential&appid=" +
                             percent_encode(cfg.app_id) +
                             "&secret=" + percent_encode(cfg.app_secret);
    auto a = call([&](httplib::Client& c) { return c.Get(path); });
    if (!a) {
      return a.err();
    }
    if (a->errcode != 0) {
      return rejected(*a);
    }
    auto tok = a->body.find("access_token");
    auto expires = a->body.find("expires_in");
    if (tok == a->body.end() || !tok->is_string() || tok->get<std::string>().empty() ||
        expires == a->body.end() || !expires->is_number_integer() || expires->get<int64_t>() <= 0) {
      return error{errc::decode_malformed,
                   "WeChat token answer lacks access_token or a positive expires_in"};
    }
    // Replace it `refresh_margin` early, but use at least half of a short lifetime.
    const int64_t lifetime_ms = expires->get<int64_t>() * 1000;
    const int64_t margin_ms =
        std::min<int64_t>(std::chrono::milliseconds{cfg.refresh_margin}.count(), lifetime_ms / 2);
    token = tok->get<std::string>();
    refresh_at_ms = now + lifetime_ms - margin_ms;
    return token;
  }

  result<answer> post_text(const std::string& tok, const std::string& body) {
    const std::string path =
        api.prefix + "/cgi-bin/message/custom/send?access_token=" + percent_encode(tok);
    return call([&](httplib::Client& c) { return c.Post(path, body, "application/json"); });
  }
};

wechat_cs_client::wechat_cs_client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
wechat_cs_client::wechat_cs_client(wechat_cs_client&&) noexcept = default;
wechat_cs_client& wechat_cs_client::operator=(wechat_cs_client&&) noexcept = default;
wechat_cs_client::~wechat_cs_client() = default;

result<wechat_cs_client> wechat_cs_client::create(wechat_cs_config cfg, const clock& clk) {
  auto api = parse_base_url(cfg.base_url);
  if (!api) {
    return error{errc::invalid_argument,
                 "base URL '" + cfg.base_url + "' is not http(s)://host[:port][/path]"};
  }
  if (cfg.app_id.empty() || cfg.app_secret.empty()) {
    return error{errc::invalid_argument, "the app id and app secret must not be empty"};
  }
  auto p = std::make_unique<impl>();
  p->cfg = std::move(cfg);
  p->clk = &clk;
  p->api = std::move(*api);
  return wechat_cs_client{std::move(p)};
}

result<void> wechat_cs_client::send_text(std::string_view openid, std::string_view content) {
  if (openid.empty()) {
    return error{errc::invalid_argument, "the openid of a customer-service message is empty"};
  }
  nlohmann::json msg{{"touser", openid}, {"msgtype", "text"}, {"text", {{"content", content}}}};
  // UTF-8 goes as is, as in WeChat's examples; invalid bytes are replaced instead of throwing.
  const std::string body = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> guard{impl_->mutex};
  for (int attempt = 0;; ++attempt) {
    auto tok = impl_->token_locked();
    if (!tok) {
      return tok.err();
    }
    auto a = impl_->post_text(*tok, body);
    if (!a) {
      return a.err();
    }
    if (a->errcode == 0) {
      return {};
    }
    if (attempt > 0 || !is_stale_token(a->errcode)) {
      return rejected(*a);
    }
    impl_->token.clear();
  }
}

result<std::string> wechat_cs_client::access_token() {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  return impl_->token_locked();
}

void wechat_cs_client::invalidate_token() {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  impl_->token.clear();
}

}  // namespace sb::channels
