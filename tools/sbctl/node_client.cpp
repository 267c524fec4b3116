#include "tools/sbctl/node_client.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <httplib.h>

#include "tools/sbctl/commands.hpp"

namespace sb::sbctl {

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string{v} : std::string{fallback};
}

// Display width of UTF-8 text: wide (CJK, full-width) characters count two.
size_t display_width(const std::string& s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
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
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const size_t cw = len >= 3 ? 2 : 1;
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
  opts.url = env_or("SB_NODE", "http://127.0.0.1:8080");
  opts.token = env_or("SB_ADMIN_TOKEN", "");
  cmd.add_option("--node", opts.url,
                 "The node's admin URL (default: $SB_NODE or " + opts.url + ")");
  cmd.add_option("--token", opts.token, "The node's admin.token (default: $SB_ADMIN_TOKEN)");
  cmd.add_flag("--json", opts.json, "Print the node's JSON answer instead of a table");
}

node_answer call_node(const node_options& opts, const std::string& method, const std::string& path,
                      const nlohmann::json* body,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  node_answer out;
  httplib::Client http{opts.url};
  if (!http.is_valid()) {
    out.exit_code = exit_usage;
    out.message = "not a node URL: " + opts.url;
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
    out.message = "node " + opts.url + " unreachable: " + httplib::to_string(res.error());
    return out;
  }
  out.body = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status >= 200 && res->status < 300) {
    if (out.body.is_discarded()) {
      out.exit_code = exit_failure;
      out.message = "node answered something that is not JSON";
    }
    return out;
  }
  std::string why = res->body;
  if (out.body.is_object() && out.body.contains("error") && out.body["error"].is_object()) {
    why = out.body["error"].value("message", why);
  }
  out.message = "node answered " + std::to_string(res->status) + ": " + why;
  out.exit_code = res->status == 404                         ? exit_not_found
                  : res->status == 401 || res->status == 403 ? exit_usage
                  : res->status < 500                        ? exit_usage
                                                             : exit_failure;
  return out;
}

int stream_node(const node_options& opts, const std::string& path, double seconds,
                const std::function<bool(const std::string& line)>& on_line, std::string& message) {
  httplib::Client http{opts.url};
  if (!http.is_valid()) {
    message = "not a node URL: " + opts.url;
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
    message = "node " + opts.url + " unreachable: " + httplib::to_string(res.error());
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
