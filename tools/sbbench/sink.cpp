// `sbbench --sink`: an HTTP server in this process that answers every request at once, as a node
// would answer it (a JSON reply with one line; an XML reply on the WeChat path), so that a run
// against it measures how fast sbbench itself can drive load.
#include <httplib.h>

#include <thread>

#include "tools/sbbench/sbbench.hpp"

namespace sb::sbbench {

struct sink::impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

result<std::unique_ptr<sink>> sink::start(int threads) {
  auto p = std::make_unique<impl>();
  // Kept-open client connections each hold a server thread: give it one per client worker.
  p->server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(std::max(1, threads)));
  };
  p->server.set_tcp_nodelay(true);  // as the gateway: no Nagle wait on the reply
  p->server.Post(R"(/.*)", [](const httplib::Request& req, httplib::Response& res) {
    if (req.path.find("wechat") != std::string::npos) {
      res.set_content("<xml><MsgType><![CDATA[text]]></MsgType></xml>", "application/xml");
      return;
    }
    res.set_content(R"({"replies":[{"text":"ok"}]})", "application/json");
  });
  p->server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  p->port = p->server.bind_to_any_port("127.0.0.1");
  if (p->port <= 0) {
    return error{errc::internal, "the sink cannot bind a port on 127.0.0.1"};
  }
  auto* server = &p->server;
  p->thread = std::thread{[server] { server->listen_after_bind(); }};
  while (!p->server.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return std::unique_ptr<sink>{new sink{std::move(p)}};
}

sink::sink(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

sink::~sink() {
  impl_->server.stop();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

std::string sink::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

}  // namespace sb::sbbench
