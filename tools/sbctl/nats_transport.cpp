#include "tools/sbctl/nats_transport.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "runtime/codec.hpp"
#include "runtime/event_lines.hpp"
#include "runtime/internal/nats_client.hpp"
#include "schemas/subjects.hpp"

namespace sb::sbctl {

namespace {

nats::settings settings_of(const std::string& url) {
  nats::settings s;
  size_t start = 0;
  while (start <= url.size()) {
    auto comma = url.find(',', start);
    auto one = url.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!one.empty()) {
      s.tls = s.tls || one.rfind("tls://", 0) == 0;
      s.servers.push_back(one);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  s.name = "sbctl";
  s.delivery_threads = 0;  // sbctl's one subscription gets its own thread
  return s;
}

// One connection per URL for the process's life: `sbctl nodes` asks every member on it.
result<nats::client*> client_for(const std::string& url) {
  static std::map<std::string, std::unique_ptr<nats::client>> clients;
  if (auto it = clients.find(url); it != clients.end()) {
    return it->second.get();
  }
  auto s = settings_of(url);
  if (s.servers.empty()) {
    return error{errc::invalid_argument, "--nats needs a URL such as nats://127.0.0.1:4222"};
  }
  auto c = nats::client::connect(s);
  if (!c) {
    // The client's message names the server with its password.
    auto why = c.err().message;
    for (const auto& server : s.servers) {
      for (auto at = why.find(server); at != std::string::npos; at = why.find(server, at + 1)) {
        why.replace(at, server.size(), redacted(server));
      }
    }
    return error{
        c.err().code == errc::invalid_argument ? errc::invalid_argument : errc::bus_unavailable,
        "no Switchboard node answers on " + redacted(url) + ": is the cluster up? (" + why + ")"};
  }
  auto* raw = c->get();
  clients.emplace(url, std::move(*c));
  return raw;
}

}  // namespace

std::string redacted(const std::string& url) {
  std::string out;
  size_t start = 0;
  while (start < url.size()) {
    auto comma = url.find(',', start);
    auto one = url.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto scheme = one.find("://");
    const auto at = one.rfind('@');
    if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
      const auto colon = one.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) {
        one = one.substr(0, colon + 1) + "***" + one.substr(at);
      }
    }
    out += (out.empty() ? "" : ",") + one;
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

result<gateway::admin_reply> nats_call(const std::string& url, const std::string& member,
                                       const gateway::admin_request& req,
                                       std::chrono::milliseconds timeout) {
  auto c = client_for(url);
  if (!c) {
    return c.err();
  }
  const std::string subject = member.empty()
                                  ? std::string{schemas::subjects::admin_any}
                                  : std::string{schemas::subjects::admin_prefix} + member;
  auto data = (*c)->request(subject, gateway::encode_admin_request(req), timeout);
  if (!data) {
    const auto who = member.empty() ? std::string{"no Switchboard node"} : "node " + member;
    const auto verb = member.empty() ? " answers" : " does not answer";
    switch (data.err().code) {
      case errc::not_found:
        return error{errc::not_found,
                     who + verb + " on " + redacted(url) +
                         (member.empty() ? ": is the cluster up?"
                                         : ": is it a member? (sbctl nodes lists them)")};
      case errc::timeout:
        return error{errc::timeout, who + verb + " on " + redacted(url) + " within " +
                                        std::to_string(timeout.count() / 1000) + " s"};
      default:
        return error{errc::bus_unavailable, "asking " +
                                                (member.empty() ? std::string{"any node"} : who) +
                                                " on " + redacted(url) + ": " + data.err().message};
    }
  }
  auto reply = gateway::parse_admin_reply(*data);
  if (!reply) {
    return error{errc::decode_malformed,
                 "the node's reply on " + subject + " is not an admin reply"};
  }
  return reply;
}

result<void> nats_follow(const std::string& url, const std::string& pattern, double seconds,
                         const std::function<bool(const std::string& line)>& on_line) {
  auto c = client_for(url);
  if (!c) {
    return c.err();
  }
  struct shared {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::string> lines;
  };
  auto q = std::make_shared<shared>();
  const std::string prefix{schemas::subjects::events_prefix};
  auto sub = (*c)->subscribe(prefix + pattern, [q, prefix](nats::message m) {
    auto env = decode<schemas::envelope>(m.data());
    if (!env) {
      return;  // not an event of ours
    }
    auto line = event_line(std::string{m.subject().substr(prefix.size())}, *env);
    std::lock_guard<std::mutex> lock{q->mutex};
    q->lines.push_back(std::move(line));
    q->cv.notify_one();
  });
  if (!sub) {
    return error{sub.err().code, "cannot follow events '" + pattern + "' on " + redacted(url) +
                                     ": " + sub.err().message};
  }
  if (auto flushed = (*c)->flush(std::chrono::seconds(5)); !flushed) {
    return error{errc::bus_unavailable,
                 "cannot follow events on " + redacted(url) + ": " + flushed.err().message};
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  for (;;) {
    std::deque<std::string> lines;
    {
      std::unique_lock<std::mutex> lock{q->mutex};
      q->cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return !q->lines.empty(); });
      lines.swap(q->lines);
    }
    for (const auto& l : lines) {
      if (!on_line(l)) {
        return {};
      }
    }
    if (seconds > 0 && std::chrono::steady_clock::now() >= deadline) {
      return {};
    }
  }
}

}  // namespace sb::sbctl
