// The client: connecting, core publish/subscribe/request and the connection's counters.
#include "runtime/internal/nats_client.hpp"

#include <algorithm>
#include <climits>

#include "runtime/internal/nats_client_impl.hpp"
#include "runtime/logging.hpp"

namespace sb::nats {

namespace {

using detail::to_error;

// -- connection callbacks (closure: a registry id, see nats_client_impl.hpp) --------------------

void notify(const std::shared_ptr<detail::conn_state>& state, bool connected) {
  std::function<void(bool)> observer;
  {
    std::lock_guard<std::mutex> lock{state->mu};
    observer = state->on_change;
  }
  if (observer) {
    try {
      observer(connected);
    } catch (...) {
      get_logger("nats")->error("a connection observer threw");
    }
  }
}

void on_disconnected(natsConnection*, void* closure) {
  if (auto state = detail::find_state(closure)) {
    state->disconnects.fetch_add(1);
    notify(state, false);
  }
}

void on_reconnected(natsConnection*, void* closure) {
  if (auto state = detail::find_state(closure)) {
    state->reconnects.fetch_add(1);
    notify(state, true);
  }
}

void on_async_error(natsConnection*, natsSubscription*, natsStatus s, void* closure) {
  if (auto state = detail::find_state(closure)) {
    state->async_errors.fetch_add(1);
    get_logger("nats")->warn("asynchronous NATS error: {}", natsStatus_GetText(s));
  }
}

// The delivery pool is process-wide and only grows; size it once for the largest request.
void size_delivery_pool(int threads) {
  static std::mutex mu;
  static int largest = 0;
  std::lock_guard<std::mutex> lock{mu};
  if (threads > largest && nats_SetMessageDeliveryPoolSize(threads) == NATS_OK) {
    largest = threads;
  }
}

result<void> validate(const settings& s) {
  if (s.servers.empty()) {
    return error{errc::invalid_argument, "nats settings: at least one server URL is needed"};
  }
  if (s.user.empty() != s.password.empty()) {
    return error{errc::invalid_argument, "nats settings: give both user and password, or neither"};
  }
  if (s.tls_cert_file.empty() != s.tls_key_file.empty()) {
    return error{errc::invalid_argument,
                 "nats settings: give both tls_cert_file and tls_key_file, or neither"};
  }
  if (s.connect_timeout.count() <= 0 || s.api_timeout.count() <= 0 ||
      s.reconnect_wait.count() < 0 || s.delivery_threads < 0 || s.max_pending_publishes <= 0) {
    return error{errc::invalid_argument,
                 "nats settings: timeouts and max_pending_publishes must be positive"};
  }
  return {};
}

// Fills `o` from `s`; returns the first failing step.
result<void> fill_options(natsOptions* o, const settings& s, void* closure) {
  std::vector<const char*> urls;
  for (const auto& url : s.servers) {
    urls.push_back(url.c_str());
  }
  struct step {
    const char* what;
    natsStatus status;
  };
  auto apply = [](std::initializer_list<step> steps) -> result<void> {
    for (const auto& st : steps) {
      if (st.status != NATS_OK) {
        return to_error(st.status, st.what);
      }
    }
    return {};
  };
  auto r = apply({
      {"setting the servers",
       natsOptions_SetServers(o, urls.data(), static_cast<int>(urls.size()))},
      {"setting the server order", natsOptions_SetNoRandomize(o, true)},
      {"setting reconnects", natsOptions_SetMaxReconnect(o, -1)},
      {"setting the reconnect wait", natsOptions_SetReconnectWait(o, s.reconnect_wait.count())},
      {"setting the connect timeout", natsOptions_SetTimeout(o, s.connect_timeout.count())},
      {"setting the disconnect callback",
       natsOptions_SetDisconnectedCB(o, on_disconnected, closure)},
      {"setting the reconnect callback", natsOptions_SetReconnectedCB(o, on_reconnected, closure)},
      {"setting the error handler", natsOptions_SetErrorHandler(o, on_async_error, closure)},
  });
  if (r && !s.name.empty()) {
    r = apply({{"setting the name", natsOptions_SetName(o, s.name.c_str())}});
  }
  if (r && !s.user.empty()) {
    r = apply({{"setting user and password",
                natsOptions_SetUserInfo(o, s.user.c_str(), s.password.c_str())}});
  }
  if (r && !s.token.empty()) {
    r = apply({{"setting the token", natsOptions_SetToken(o, s.token.c_str())}});
  }
  if (r && s.tls) {
    r = apply({{"requiring TLS", natsOptions_SetSecure(o, true)}});
  }
  if (r && !s.tls_ca_file.empty()) {
    r = apply(
        {{"loading tls_ca_file", natsOptions_LoadCATrustedCertificates(o, s.tls_ca_file.c_str())}});
  }
  if (r && !s.tls_cert_file.empty()) {
    r = apply(
        {{"loading tls_cert_file and tls_key_file",
          natsOptions_LoadCertificatesChain(o, s.tls_cert_file.c_str(), s.tls_key_file.c_str())}});
  }
  if (r && !s.tls_hostname.empty()) {
    r = apply(
        {{"setting tls_hostname", natsOptions_SetExpectedHostname(o, s.tls_hostname.c_str())}});
  }
  if (r && s.delivery_threads > 0) {
    r = apply({{"using the delivery pool", natsOptions_UseGlobalMessageDelivery(o, true)}});
  }
  return r;
}

}  // namespace

namespace detail {

result<natsMsg*> build_msg(std::string_view subject, std::string_view data, std::string_view reply,
                           const std::map<std::string, std::string>& headers) {
  if (data.size() > static_cast<size_t>(INT_MAX)) {
    return error{errc::invalid_argument, "nats: message larger than 2 GiB"};
  }
  const std::string subj{subject};
  const std::string rep{reply};
  natsMsg* m = nullptr;
  natsStatus s = natsMsg_Create(&m, subj.c_str(), rep.empty() ? nullptr : rep.c_str(), data.data(),
                                static_cast<int>(data.size()));
  for (auto it = headers.begin(); s == NATS_OK && it != headers.end(); ++it) {
    s = natsMsgHeader_Set(m, it->first.c_str(), it->second.c_str());
  }
  if (s != NATS_OK) {
    natsMsg_Destroy(m);
    return to_error(s, "building a message for '" + subj + "'");
  }
  return m;
}

}  // namespace detail

// -- lifetime
// --------------------------------------------------------------------------------------

client::impl::~impl() {
  if (js != nullptr) {
    // Let acks in flight arrive, then fail what is left: every `done` is called exactly once.
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = cfg.api_timeout.count();
    static_cast<void>(js_PublishAsyncComplete(js, &po));
  }
  detail::unregister_state(closure);
  std::unordered_map<natsMsg*, std::function<void(result<publish_ack>)>> left;
  {
    std::lock_guard<std::mutex> lock{state->mu};
    left.swap(state->pending);
  }
  for (auto& [msg, done] : left) {
    detail::call_done(
        done, error{errc::shutting_down, "the NATS client was destroyed before the publish's ack"});
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(conn);  // Closes it; never nats_Close(): other clients may live on.
}

client::client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

client::~client() = default;

result<std::unique_ptr<client>> client::connect(const settings& s) {
  if (auto ok = validate(s); !ok) {
    return ok.err();
  }
  auto p = std::make_unique<impl>();
  p->cfg = s;
  p->state = std::make_shared<detail::conn_state>();
  p->closure = detail::register_state(p->state);
  if (s.delivery_threads > 0) {
    size_delivery_pool(s.delivery_threads);
  }

  natsOptions* o = nullptr;
  natsStatus st = natsOptions_Create(&o);
  if (st != NATS_OK) {
    return to_error(st, "creating NATS options");
  }
  auto filled = fill_options(o, s, p->closure);
  if (!filled) {
    natsOptions_Destroy(o);
    return filled.err();
  }
  st = natsConnection_Connect(&p->conn, o);
  natsOptions_Destroy(o);  // The connection keeps its own copy.
  if (st != NATS_OK) {
    error err = to_error(st, "connecting to " + s.servers.front() +
                                 (s.servers.size() > 1 ? " (and the other servers)" : ""));
    err.code = errc::bus_unavailable;
    return err;
  }

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = s.api_timeout.count();
  jo.PublishAsync.MaxPending = s.max_pending_publishes;
  jo.PublishAsync.StallWait = s.api_timeout.count();
  jo.PublishAsync.AckHandler = detail::on_publish_ack;
  jo.PublishAsync.AckHandlerClosure = p->closure;
  st = natsConnection_JetStream(&p->js, p->conn, &jo);
  if (st != NATS_OK) {
    return to_error(st, "opening the JetStream context");
  }
  return std::unique_ptr<client>{new client{std::move(p)}};
}

// -- core NATS
// -------------------------------------------------------------------------------------

result<void> client::publish(std::string_view subject, std::string_view data,
                             std::string_view reply,
                             const std::map<std::string, std::string>& headers) {
  auto m = detail::build_msg(subject, data, reply, headers);
  if (!m) {
    return m.err();
  }
  const natsStatus s = natsConnection_PublishMsg(impl_->conn, *m);
  natsMsg_Destroy(*m);
  if (s != NATS_OK) {
    return to_error(s, "publishing on '" + std::string{subject} + "'");
  }
  return {};
}

result<std::unique_ptr<subscription>> client::subscribe(const std::string& subject,
                                                        message_handler handler,
                                                        const std::string& queue) {
  auto state = std::make_shared<detail::sub_state>();
  state->handler = std::move(handler);
  state->conn = impl_->conn;
  natsSubscription* sub = nullptr;
  const natsStatus s =
      queue.empty() ? natsConnection_Subscribe(&sub, impl_->conn, subject.c_str(),
                                               detail::on_message, state.get())
                    : natsConnection_QueueSubscribe(&sub, impl_->conn, subject.c_str(),
                                                    queue.c_str(), detail::on_message, state.get());
  if (s != NATS_OK) {
    return to_error(s, "subscribing to '" + subject + "'");
  }
  return detail::adopt_subscription(sub, std::move(state));
}

result<std::string> client::request(std::string_view subject, std::string_view data,
                                    std::chrono::milliseconds timeout) {
  if (data.size() > static_cast<size_t>(INT_MAX)) {
    return error{errc::invalid_argument, "nats: request larger than 2 GiB"};
  }
  const std::string subj{subject};
  natsMsg* reply = nullptr;
  const natsStatus s = natsConnection_Request(&reply, impl_->conn, subj.c_str(), data.data(),
                                              static_cast<int>(data.size()), timeout.count());
  if (s != NATS_OK) {
    return to_error(s, "request on '" + subj + "'");
  }
  std::string out{natsMsg_GetData(reply), static_cast<size_t>(natsMsg_GetDataLength(reply))};
  natsMsg_Destroy(reply);
  return out;
}

result<void> client::flush(std::chrono::milliseconds timeout) {
  const natsStatus s = natsConnection_FlushTimeout(impl_->conn, timeout.count());
  if (s != NATS_OK) {
    return to_error(s, "flushing the connection");
  }
  return {};
}

std::string client::new_inbox() const {
  natsInbox* inbox = nullptr;
  if (natsInbox_Create(&inbox) != NATS_OK) {
    return {};  // Only on out-of-memory.
  }
  std::string out{inbox};
  natsInbox_Destroy(inbox);
  return out;
}

connection_stats client::stats() const {
  connection_stats out;
  out.connected = natsConnection_Status(impl_->conn) == NATS_CONN_STATUS_CONNECTED;
  out.reconnects = impl_->state->reconnects.load();
  out.disconnects = impl_->state->disconnects.load();
  out.async_errors = impl_->state->async_errors.load();
  out.pending_bytes = std::max(0, natsConnection_Buffered(impl_->conn));
  natsStatistics* st = nullptr;
  if (natsStatistics_Create(&st) == NATS_OK &&
      natsConnection_GetStats(impl_->conn, st) == NATS_OK) {
    uint64_t in_msgs = 0, in_bytes = 0, out_msgs = 0, out_bytes = 0, reconnects = 0;
    natsStatistics_GetCounts(st, &in_msgs, &in_bytes, &out_msgs, &out_bytes, &reconnects);
    out.in_msgs = static_cast<int64_t>(in_msgs);
    out.in_bytes = static_cast<int64_t>(in_bytes);
    out.out_msgs = static_cast<int64_t>(out_msgs);
    out.out_bytes = static_cast<int64_t>(out_bytes);
  }
  natsStatistics_Destroy(st);
  return out;
}

void client::on_connection_change(std::function<void(bool connected)> on_change) {
  std::lock_guard<std::mutex> lock{impl_->state->mu};
  impl_->state->on_change = std::move(on_change);
}

}  // namespace sb::nats
