#include "tools/sbctl/node_client.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <httplib.h>

#include "tools/sbctl/commands.hpp"
#include "tools/sbctl/nats_transport.hpp"

namespace sb::sbctl {

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string{v} : std::string{fallback};
}

// Returns the code point starting at s[i] and its length in bytes.
std::pair<uint32_t, size_t> code_point(const std::string& s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
  for (size_t k = 1; k < len && i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  }
  return {cp, len};
}

// Wide (two-column) characters: CJK, Hangul, full-width forms, emoji; "…" and the like are one.
size_t columns_of(uint32_t cp) {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
                    (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

// Display width of UTF-8 text: wide characters count two.
size_t display_width(const std::string& s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    const auto [cp, len] = code_point(s, i);
    w += columns_of(cp);
    i += len;
  }
  return w;
}

// Cuts `s` to at most `width` display columns, ending in "…" when cut.
std::string fit(const std::string& s, size_t width) {
  if (display_width(s) <= width) {
    return s;
  }
  std::string out;
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    const auto [cp, len] = code_point(s, i);
    const size_t cw = columns_of(cp);
    if (w + cw + 1 > width) {
      break;
    }
    out.append(s, i, len);
    w += cw;
    i += len;
  }
  return out + "…";
}

}  // namespace

void add_node_options(CLI::App& cmd, node_options& opts) {
  opts.token = env_or("SB_ADMIN_TOKEN", "");
  cmd.add_option("--node", opts.url,
                 "The node: its admin URL (default: $SB_NODE or http://127.0.0.1:8080); with "
                 "--nats, a member id such as node-2");
  cmd.add_option("--nats", opts.nats,
                 "Talk to the cluster over NATS, e.g. nats://user:pass@host:4222 (default: "
                 "$SB_NATS unless --node is given)");
  cmd.add_option("--token", opts.token, "The nodes' admin.token (default: $SB_ADMIN_TOKEN)");
  cmd.add_flag("--json", opts.json, "Print the JSON answer instead of a table");
}

std::string nats_url_of(const node_options& opts) {
  if (!opts.nats.empty()) {
    return opts.nats;
  }
  // `--node node-2` (a member id, not a URL) means the cluster of $SB_NATS.
  const bool names_member = opts.url.find("://") == std::string::npos;
  return names_member ? env_or("SB_NATS", "") : std::string{};
}

std::string node_url_of(const node_options& opts) {
  return opts.url.empty() ? env_or("SB_NODE", "http://127.0.0.1:8080") : opts.url;
}

std::string member_of(const node_options& opts) {
  return opts.member.empty() ? opts.url : opts.member;
}

bool is_member_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
             std::string::npos;
}

namespace {

// Turns a node's HTTP status and body into sbctl's exit code and message (same for both
// transports).
node_answer answer_of(int status, const std::string& text) {
  node_answer out;
  out.body = nlohmann::json::parse(text, nullptr, false);
  if (status >= 200 && status < 300) {
    if (out.body.is_discarded()) {
      out.exit_code = exit_failure;
      out.message = "node answered something that is not JSON";
    }
    return out;
  }
  std::string why = text;
  if (out.body.is_object() && out.body.contains("error") && out.body["error"].is_object()) {
    why = out.body["error"].value("message", why);
  }
  out.message = "node answered " + std::to_string(status) + ": " + why;
  out.exit_code = status == 404                    ? exit_not_found
                  : status == 401 || status == 403 ? exit_usage
                  : status < 500                   ? exit_usage
                                                   : exit_failure;
  return out;
}

node_answer call_over_nats(const node_options& opts, const std::string& url,
                           const std::string& method, const std::string& path,
                           const nlohmann::json* body,
                           const std::vector<std::pair<std::string, std::string>>& headers) {
  node_answer out;
  const auto member = member_of(opts);
  if (!member.empty() && !is_member_id(member)) {
    out.exit_code = exit_usage;
    out.message =
        "with --nats, --node names a member (a node id such as node-2), not '" + member + "'";
    return out;
  }
  gateway::admin_request req;
  req.method = method;
  req.path = path;
  req.token = opts.token;
  if (method == "POST") {
    req.body = body != nullptr ? body->dump() : std::string{"{}"};
  }
  for (const auto& [k, v] : headers) {
    req.headers[k] = v;
  }
  // The node gives a request 30 s on its gateway (as HTTP here); a little more for the way back.
  auto reply = nats_call(url, member, req, std::chrono::seconds(35));
  if (!reply) {
    out.exit_code = reply.err().code == errc::invalid_argument ? exit_usage : exit_unreachable;
    out.message = reply.err().message;
    return out;
  }
  return answer_of(reply->status, reply->body);
}

}  // namespace

node_answer call_node(const node_options& opts, const std::string& method, const std::string& path,
                      const nlohmann::json* body,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  if (auto nats = nats_url_of(opts); !nats.empty()) {
    return call_over_nats(opts, nats, method, path, body, headers);
  }
  node_answer out;
  const auto url = node_url_of(opts);
  if (url.find("://") == std::string::npos && is_member_id(url)) {
    out.exit_code = exit_usage;
    out.message = "--node " + url +
                  " names a member: give the cluster's NATS URL too (--nats URL or $SB_NATS), "
                  "or the node's admin URL (http://HOST:PORT)";
    return out;
  }
  httplib::Client http{url};
  if (!http.is_valid()) {
    out.exit_code = exit_usage;
    out.message = "not a node URL: " + url;
    return out;
  }
  http.set_connection_timeout(std::chrono::seconds(3));
  http.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers h;
  if (!opts.token.empty()) {
    h.emplace("Authorization", "Bearer " + opts.token);
  }
  for (const auto& [k, v] : headers) {
    h.emplace(k, v);
  }
  auto res = method == "POST"
                 ? http.Post(path, h, body != nullptr ? body->dump() : std::string{"{}"},
                             "application/json")
                 : http.Get(path, h);
  if (!res) {
    out.exit_code = exit_unreachable;
    out.message = "node " + url + " unreachable: " + httplib::to_string(res.error());
    return out;
  }
  return answer_of(res->status, res->body);
}

int follow_events(const node_options& opts, const std::string& pattern, double seconds,
                  const std::function<bool(const std::string& line)>& on_line,
                  std::string& message) {
  const auto nats = nats_url_of(opts);
  if (nats.empty()) {
    return stream_node(opts, "/v1/events/stream?type=" + path_segment(pattern), seconds, on_line,
                       message);
  }
  if (pattern.empty() || pattern.size() > 200 ||
      pattern.find_first_of(" \t\r\n") != std::string::npos) {
    message = "type must be a topic pattern such as order.* or >";
    return exit_usage;
  }
  // The events subject is open to anyone on the NATS account; the token check keeps sbctl's
  // contract the same as over HTTP.
  auto check = call_node(opts, "GET", "/v1/node");
  if (check.exit_code != 0) {
    message = check.message;
    return check.exit_code;
  }
  if (auto r = nats_follow(nats, pattern, seconds, on_line); !r) {
    message = r.err().message;
    return r.err().code == errc::invalid_argument ? exit_usage : exit_unreachable;
  }
  return exit_ok;
}

int stream_node(const node_options& opts, const std::string& path, double seconds,
                const std::function<bool(const std::string& line)>& on_line, std::string& message) {
  const auto url = node_url_of(opts);
  httplib::Client http{url};
  if (!http.is_valid()) {
    message = "not a node URL: " + url;
    return exit_usage;
  }
  http.set_connection_timeout(std::chrono::seconds(3));
  http.set_read_timeout(std::chrono::seconds(10));  // the node writes at least every second
  httplib::Headers h;
  if (!opts.token.empty()) {
    h.emplace("Authorization", "Bearer " + opts.token);
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  std::string pending;
  bool stopped = false;
  int status = 0;
  std::string error_body;
  auto res = http.Get(
      path, h,
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t len) {
        if (status != 200) {
          error_body.append(data, len);
          return true;
        }
        pending.append(data, len);
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
          auto line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          if (!line.empty() && !on_line(line)) {
            stopped = true;
            return false;
          }
        }
        if (seconds > 0 && std::chrono::steady_clock::now() >= deadline) {
          stopped = true;
          return false;
        }
        return true;
      });
  if (stopped) {
    return exit_ok;
  }
  if (status != 0 && status != 200) {
    auto body = nlohmann::json::parse(error_body, nullptr, false);
    std::string why = error_body;
    if (body.is_object() && body.contains("error") && body["error"].is_object()) {
      why = body["error"].value("message", why);
    }
    message = "node answered " + std::to_string(status) + ": " + why;
    return status == 404 ? exit_not_found : status < 500 ? exit_usage : exit_failure;
  }
  if (!res) {
    message = "node " + url + " unreachable: " + httplib::to_string(res.error());
    return exit_unreachable;
  }
  return exit_ok;  // the node closed the stream (it is draining)
}

int report_failure(const node_answer& answer, const char* command) {
  if (answer.exit_code != 0) {
    std::cerr << "sbctl " << command << ": " << answer.message << "\n";
  }
  return answer.exit_code;
}

int print_answer(const node_options& opts, const node_answer& answer, const char* command,
                 const std::function<void(const nlohmann::json&)>& show) {
  if (answer.exit_code != 0) {
    return report_failure(answer, command);
  }
  if (opts.json) {
    std::cout << answer.body.dump(2) << "\n";
  } else {
    show(answer.body);
  }
  return exit_ok;
}

std::string path_segment(const std::string& text) {
  std::string out;
  for (char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += ch;
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
  return out;
}

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) {
    return "-";
  }
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d < 1e15 && d > -1e15) {
      return std::to_string(static_cast<int64_t>(d));
    }
    std::ostringstream s;
    s.precision(4);
    s << value.get<double>();
    return s.str();
  }
  return value.dump();
}

std::string duration_cell(const nlohmann::json& seconds) {
  if (!seconds.is_number() || seconds.get<double>() < 0) {
    return "-";
  }
  const auto s = static_cast<int64_t>(seconds.get<double>());
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return buf;
}

std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows, size_t width) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    widths[c] = display_width(header[c]);
    for (const auto& r : rows) {
      if (c < r.size()) {
        widths[c] = std::max(widths[c], display_width(r[c]));
      }
    }
  }
  // Shrink the widest columns until the line fits (two spaces between columns).
  auto total = [&] {
    size_t t = 0;
    for (auto w : widths) {
      t += w + 2;
    }
    return t - 2;
  };
  while (total() > width) {
    auto widest = std::max_element(widths.begin(), widths.end());
    if (*widest <= 4) {
      break;
    }
    --*widest;
  }
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t c = 0; c < widths.size(); ++c) {
      auto text = fit(c < cells.size() ? cells[c] : "", widths[c]);
      l += text;
      if (c + 1 < widths.size()) {
        l += std::string(widths[c] - display_width(text) + 2, ' ');
      }
    }
    while (!l.empty() && l.back() == ' ') {
      l.pop_back();
    }
    out << l << "\n";
  };
  line(header);
  for (const auto& r : rows) {
    line(r);
  }
  return out.str();
}

}  // namespace sb::sbctl
