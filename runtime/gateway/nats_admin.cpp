#include "runtime/gateway/nats_admin.hpp"

#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "runtime/cluster/cluster_member.hpp"
#include "runtime/internal/nats_client.hpp"
#include "runtime/logging.hpp"
#include "schemas/subjects.hpp"

namespace sb::gateway {

struct nats_admin::impl {
  std::string node_id;
  nats::settings settings;
  std::string host;
  int port = 0;
  nats_admin_options options;

  std::mutex mu;  // Guards everything below but the threads.
  std::condition_variable cv;
  std::deque<nats::message> queue;
  bool stopping = false;
  std::shared_ptr<nats::client> conn;
  std::vector<std::unique_ptr<nats::subscription>> subs;

  std::thread connector;
  std::vector<std::thread> workers;

  // Connects and subscribes; on failure returns the error and leaves nothing behind.
  result<void> connect() {
    auto made = nats::client::connect(settings);
    if (!made) {
      return made.err();
    }
    std::shared_ptr<nats::client> c = std::move(*made);
    {
      // Set before subscribing, so that the first request can be answered.
      std::lock_guard<std::mutex> lock{mu};
      if (stopping) {
        return error{errc::shutting_down, "stopped while connecting"};
      }
      conn = c;
    }
    std::vector<std::unique_ptr<nats::subscription>> made_subs;
    auto on_message = [this](nats::message m) { enqueue(std::move(m)); };
    auto subscribe = [&](const std::string& subject, const std::string& group) -> result<void> {
      auto sub = c->subscribe(subject, on_message, group);
      if (!sub) {
        return sub.err();
      }
      made_subs.push_back(std::move(*sub));
      return {};
    };
    // A node named "any" answers only through the queue group.
    auto r = node_id == "any"
                 ? result<void>{}
                 : subscribe(std::string{schemas::subjects::admin_prefix} + node_id, {});
    if (r) {
      r = subscribe(schemas::subjects::admin_any, schemas::subjects::admin_queue);
    }
    if (r) {
      r = c->flush(std::chrono::seconds(2));
    }
    std::lock_guard<std::mutex> lock{mu};
    if (!r) {
      conn.reset();  // Answers in flight hold their own reference.
      return r;
    }
    subs = std::move(made_subs);
    return {};
  }

  // Retries until connected or stopped (the node must start without NATS too).
  void keep_connecting() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock{mu};
        if (cv.wait_for(lock, options.retry_wait, [this] { return stopping; })) {
          return;
        }
      }
      if (auto r = connect(); r) {
        get_logger("gateway")->info("admin requests over NATS: answering on {}{} now",
                                    schemas::subjects::admin_prefix, node_id);
        return;
      }
    }
  }

  // On a NATS delivery thread: hand over at once, never wait for the gateway here.
  void enqueue(nats::message m) {
    std::unique_lock<std::mutex> lock{mu};
    if (stopping || queue.size() >= options.queue_limit) {
      lock.unlock();
      answer(m, admin_error_reply(503, "overloaded",
                                  "too many admin requests at once; try again shortly"));
      return;
    }
    queue.push_back(std::move(m));
    cv.notify_one();
  }

  void work() {
    for (;;) {
      nats::message m;
      {
        std::unique_lock<std::mutex> lock{mu};
        cv.wait(lock, [this] { return stopping || !queue.empty(); });
        if (stopping) {
          return;
        }
        m = std::move(queue.front());
        queue.pop_front();
      }
      admin_reply r;
      try {
        auto req = parse_admin_request(m.data());
        r = req ? within_reply_limit(perform(*req))
                : admin_error_reply(400, "invalid_request", req.err().message);
      } catch (const std::exception& e) {
        r = admin_error_reply(500, "internal", e.what());
      } catch (...) {
        r = admin_error_reply(500, "internal", "unexpected error");
      }
      answer(m, r);
    }
  }

  admin_reply perform(const admin_request& req) const {
    httplib::Client http{host, port};
    http.set_connection_timeout(std::chrono::seconds(3));
    http.set_read_timeout(
        std::chrono::duration_cast<std::chrono::seconds>(options.request_timeout));
    httplib::Headers h;
    if (!req.token.empty()) {
      h.emplace("Authorization", "Bearer " + req.token);
    }
    for (const auto& [k, v] : req.headers) {
      h.emplace(k, v);
    }
    auto res = req.method == "POST"
                   ? http.Post(req.path, h, req.body.empty() ? std::string{"{}"} : req.body,
                               "application/json")
                   : http.Get(req.path, h);
    if (!res) {
      return admin_error_reply(
          502, "bad_gateway",
          "node " + node_id + " could not ask its own gateway: " + httplib::to_string(res.error()));
    }
    return {res->status, res->body};
  }

  void answer(const nats::message& m, const admin_reply& r) {
    if (m.reply().empty()) {
      return;
    }
    std::shared_ptr<nats::client> c;
    {
      std::lock_guard<std::mutex> lock{mu};
      c = conn;
    }
    if (c != nullptr) {
      if (auto sent = c->publish(m.reply(), encode_admin_reply(r)); !sent) {
        get_logger("gateway")->warn("admin reply not sent: {}", sent.err().to_string());
      }
    }
  }
};

nats_admin::nats_admin(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

std::unique_ptr<nats_admin> nats_admin::start(const node_config& cfg,
                                              const std::string& listen_host, int port,
                                              nats_admin_options options) {
  auto p = std::make_unique<impl>();
  p->node_id = cfg.node_id;
  p->settings = cluster::nats_settings_of(cfg, "admin");
  p->host = loopback_of(listen_host);
  p->port = port;
  p->options = options;
  auto* raw = p.get();
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    p->workers.emplace_back([raw] { raw->work(); });
  }
  if (auto r = p->connect(); !r) {
    get_logger("gateway")->warn(
        "admin requests over NATS: cannot connect ({}); serving HTTP only, retrying every {} ms",
        r.err().to_string(), options.retry_wait.count());
    p->connector = std::thread([raw] { raw->keep_connecting(); });
  }
  return std::unique_ptr<nats_admin>{new nats_admin(std::move(p))};
}

nats_admin::~nats_admin() {
  stop();
}

void nats_admin::stop() {
  auto& p = *impl_;
  {
    std::lock_guard<std::mutex> lock{p.mu};
    if (p.stopping) {
      return;
    }
    p.stopping = true;
  }
  p.cv.notify_all();
  if (p.connector.joinable()) {
    p.connector.join();  // No subscription appears after this.
  }
  std::vector<std::unique_ptr<nats::subscription>> subs;
  {
    std::lock_guard<std::mutex> lock{p.mu};
    subs = std::move(p.subs);
  }
  subs.clear();  // Unsubscribes and waits for callbacks in progress.
  for (auto& w : p.workers) {
    w.join();
  }
  std::deque<nats::message> left;
  {
    std::lock_guard<std::mutex> lock{p.mu};
    left.swap(p.queue);
  }
  for (const auto& m : left) {
    p.answer(m, admin_error_reply(503, "shutting_down", "node " + p.node_id + " is stopping"));
  }
  std::lock_guard<std::mutex> lock{p.mu};
  p.conn.reset();
}

std::string nats_admin::loopback_of(const std::string& listen_host) {
  if (listen_host.empty() || listen_host == "0.0.0.0") {
    return "127.0.0.1";
  }
  if (listen_host == "::" || listen_host == "[::]") {
    return "::1";
  }
  if (listen_host.size() > 2 && listen_host.front() == '[' && listen_host.back() == ']') {
    return listen_host.substr(1, listen_host.size() - 2);
  }
  return listen_host;
}

}  // namespace sb::gateway
