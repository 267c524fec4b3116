#include "runtime/gateway/outbound_dispatcher.hpp"

#include "runtime/logging.hpp"
#include "runtime/metrics.hpp"

namespace sb::gateway {

outbound_dispatcher::outbound_dispatcher(bus& b, wechat_sender send_wechat)
    : bus_(b), send_wechat_(std::move(send_wechat)) {
  subscription_ =
      bus_.subscribe("conversation.outbound",
                     [this](const std::string&, const schemas::envelope& env) { on_event(env); });
  sender_ = std::thread([this] { send_loop(); });
}

outbound_dispatcher::~outbound_dispatcher() {
  stop();
}

void outbound_dispatcher::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (stopped_) {
      return;
    }
    stopped_ = true;
  }
  bus_.unsubscribe(subscription_);
  changed_.notify_all();
  if (sender_.joinable()) {
    sender_.join();
  }
}

void outbound_dispatcher::on_event(const schemas::envelope& env) {
  auto ev = open_envelope<schemas::outbound_event>(env);
  if (!ev) {
    get_logger("gateway")->warn("bad outbound event: {}", ev.err().to_string());
    return;
  }
  {
    std::lock_guard<std::mutex> guard{mutex_};
    ++versions_[ev->channel + ":" + ev->person];
    if (ev->channel == "wechat" && !ev->message.text.empty()) {
      wechat_queue_.emplace_back(ev->person, ev->message.text);
    }
  }
  changed_.notify_all();
}

int64_t outbound_dispatcher::version(const std::string& identity) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = versions_.find(identity);
  return i == versions_.end() ? 0 : i->second;
}

int64_t outbound_dispatcher::wait(const std::string& identity, int64_t seen,
                                  std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mutex_};
  changed_.wait_for(lock, timeout, [&] {
    auto i = versions_.find(identity);
    return stopped_ || (i != versions_.end() && i->second > seen);
  });
  auto i = versions_.find(identity);
  return i == versions_.end() ? 0 : i->second;
}

void outbound_dispatcher::send_loop() {
  auto& failures = metrics::registry::global().get_counter(
      "sb_wechat_send_failures_total", "Customer-service messages WeChat did not take");
  auto& sent = metrics::registry::global().get_counter("sb_wechat_sent_total",
                                                       "Customer-service messages sent to WeChat");
  for (;;) {
    std::pair<std::string, std::string> next;
    {
      std::unique_lock<std::mutex> lock{mutex_};
      changed_.wait(lock, [&] { return stopped_ || !wechat_queue_.empty(); });
      if (wechat_queue_.empty()) {
        return;  // stopped
      }
      next = std::move(wechat_queue_.front());
      wechat_queue_.pop_front();
    }
    if (!send_wechat_) {
      failures.inc();
      continue;
    }
    if (auto r = send_wechat_(next.first, next.second); !r) {
      failures.inc();
      get_logger("gateway")->warn("WeChat message not delivered: {}", r.err().to_string());
    } else {
      sent.inc();
    }
  }
}

}  // namespace sb::gateway
