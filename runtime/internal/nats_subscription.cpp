// Errors, callback closures, received messages and subscriptions of the NATS client; the client
// itself is in nats_client.cpp, JetStream in nats_jetstream.cpp, key-value in nats_kv.cpp.
#include "runtime/internal/nats_client.hpp"

#include <climits>
#include <cstring>
#include <exception>

#include "runtime/internal/nats_client_impl.hpp"
#include "runtime/logging.hpp"

namespace sb::nats {

namespace detail {

error to_error(natsStatus s, std::string_view what, int jerr) {
  errc code = errc::bus_unavailable;
  switch (s) {
    case NATS_TIMEOUT:
      code = errc::timeout;
      break;
    case NATS_NOT_FOUND:
    case NATS_NO_RESPONDERS:
      code = errc::not_found;
      break;
    case NATS_INVALID_ARG:
      code = errc::invalid_argument;
      break;
    default:
      break;
  }
  const char* text = natsStatus_GetText(s);
  std::string msg{what};
  msg += ": ";
  msg += text;
  // The last error of this thread often says more ("consumer is already bound", the server's
  // "Authorization Violation"); it is stale unless its status is this one.
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  if (last_status == s && last != nullptr && *last != '\0' && std::strcmp(last, text) != 0) {
    msg += " (";
    msg += last;
    msg += ")";
  }
  if (jerr != 0) {
    msg += " [JetStream error ";
    msg += std::to_string(jerr);
    msg += "]";
  }
  return error{code, std::move(msg)};
}

namespace {

// Closures handed to NATS.c are ids, not pointers: the library may run a queued callback after
// the client was destroyed, and an id that is no longer registered is harmless.
struct registry {
  std::mutex mu;
  uintptr_t next = 1;
  std::unordered_map<uintptr_t, std::shared_ptr<conn_state>> states;
};

registry& the_registry() {
  static auto* r = new registry;  // Never destroyed: library threads may outlive static dtors.
  return *r;
}

// True on a thread while it runs a message handler (for the subscription destructor).
thread_local bool in_delivery = false;

void on_complete(void* closure) {
  // The library calls no callback of this subscription after this one.
  auto* holder = static_cast<std::shared_ptr<sub_state>*>(closure);
  std::shared_ptr<sub_state> state = std::move(*holder);
  delete holder;
  {
    std::lock_guard<std::mutex> lock{state->guard->mu};
    state->guard->open = false;
  }
  std::lock_guard<std::mutex> lock{state->mu};
  state->complete = true;
  state->completed.notify_all();
}

}  // namespace

void* register_state(std::shared_ptr<conn_state> state) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> lock{r.mu};
  const uintptr_t id = r.next++;
  r.states.emplace(id, std::move(state));
  return reinterpret_cast<void*>(id);
}

std::shared_ptr<conn_state> find_state(void* closure) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> lock{r.mu};
  auto it = r.states.find(reinterpret_cast<uintptr_t>(closure));
  return it == r.states.end() ? nullptr : it->second;
}

void unregister_state(void* closure) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> lock{r.mu};
  r.states.erase(reinterpret_cast<uintptr_t>(closure));
}

message message_access::make(natsMsg* msg, std::shared_ptr<ack_guard> guard) {
  message m{msg};
  m.guard_ = std::move(guard);
  return m;
}

void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  if (msg == nullptr) {
    return;  // A subscription timeout notification; we set no timeouts.
  }
  auto* state = static_cast<sub_state*>(closure);
  message m = message_access::make(msg, state->guard);
  in_delivery = true;
  try {
    state->handler(std::move(m));
  } catch (const std::exception& e) {
    get_logger("nats")->error("a message handler threw: {}", e.what());
  } catch (...) {
    get_logger("nats")->error("a message handler threw a non-standard exception");
  }
  in_delivery = false;
}

result<std::unique_ptr<subscription>> adopt_subscription(natsSubscription* sub,
                                                         std::shared_ptr<sub_state> state) {
  auto* holder = new std::shared_ptr<sub_state>(state);
  natsStatus s = natsSubscription_SetOnCompleteCB(sub, on_complete, holder);
  if (s != NATS_OK) {
    delete holder;
    error err = to_error(s, "cannot watch the subscription's completion");
    natsSubscription_Destroy(sub);
    return err;
  }
  return std::make_unique<subscription>(sub, std::move(state));
}

}  // namespace detail

// -- message
// ---------------------------------------------------------------------------------------

namespace {

natsMsg* as_msg(void* p) {
  return static_cast<natsMsg*>(p);
}

}  // namespace

message::message(void* native) noexcept : native_(native) {}

message::message(message&& other) noexcept
    : native_(std::exchange(other.native_, nullptr)),
      acked_(other.acked_),
      guard_(std::move(other.guard_)) {}

message& message::operator=(message&& other) noexcept {
  if (this != &other) {
    natsMsg_Destroy(as_msg(native_));
    native_ = std::exchange(other.native_, nullptr);
    acked_ = other.acked_;
    guard_ = std::move(other.guard_);
  }
  return *this;
}

message::~message() {
  natsMsg_Destroy(as_msg(native_));
}

std::string_view message::subject() const {
  const char* s = native_ ? natsMsg_GetSubject(as_msg(native_)) : nullptr;
  return s ? std::string_view{s} : std::string_view{};
}

std::string_view message::data() const {
  if (!native_) {
    return {};
  }
  const char* d = natsMsg_GetData(as_msg(native_));
  const int n = natsMsg_GetDataLength(as_msg(native_));
  return d ? std::string_view{d, static_cast<size_t>(n)} : std::string_view{};
}

std::string_view message::reply() const {
  const char* r = native_ ? natsMsg_GetReply(as_msg(native_)) : nullptr;
  return r ? std::string_view{r} : std::string_view{};
}

std::optional<std::string> message::header(const char* name) const {
  const char* value = nullptr;
  if (native_ && natsMsgHeader_Get(as_msg(native_), name, &value) == NATS_OK && value) {
    return std::string{value};
  }
  return std::nullopt;
}

namespace {

// Returns {stream sequence, delivery count} from a JetStream reply subject, {0, 0} otherwise.
std::pair<uint64_t, uint64_t> metadata_of(natsMsg* msg) {
  jsMsgMetaData* meta = nullptr;
  if (msg == nullptr || natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
    return {0, 0};
  }
  std::pair<uint64_t, uint64_t> out{meta->Sequence.Stream, meta->NumDelivered};
  jsMsgMetaData_Destroy(meta);
  return out;
}

}  // namespace

uint64_t message::stream_sequence() const {
  return metadata_of(as_msg(native_)).first;
}

uint64_t message::delivery_count() const {
  return metadata_of(as_msg(native_)).second;
}

namespace {

// Runs one acknowledgement under the subscription's guard. `final` marks ack/nak/term.
template <class Call>
result<void> acknowledge(void* native, const std::shared_ptr<detail::ack_guard>& guard, bool& acked,
                         bool final, const char* what, Call call) {
  if (native == nullptr) {
    return error{errc::invalid_argument, std::string{what} + ": empty message"};
  }
  if (acked) {
    return {};
  }
  if (!guard || !guard->jetstream) {
    return error{errc::invalid_argument, std::string{what} + ": not a JetStream message"};
  }
  std::lock_guard<std::mutex> lock{guard->mu};
  if (!guard->open) {
    return error{errc::bus_unavailable, std::string{what} +
                                            ": the subscription is closed; the server will "
                                            "redeliver the message after its ack wait"};
  }
  const natsStatus s = call(as_msg(native));
  if (s != NATS_OK) {
    return detail::to_error(s, what);
  }
  acked = final;
  return {};
}

}  // namespace

result<void> message::ack() {
  return acknowledge(native_, guard_, acked_, true, "ack",
                     [](natsMsg* m) { return natsMsg_Ack(m, nullptr); });
}

result<void> message::nak(std::chrono::milliseconds delay) {
  return acknowledge(native_, guard_, acked_, true, "nak", [delay](natsMsg* m) {
    return delay.count() > 0 ? natsMsg_NakWithDelay(m, delay.count(), nullptr)
                             : natsMsg_Nak(m, nullptr);
  });
}

result<void> message::in_progress() {
  return acknowledge(native_, guard_, acked_, false, "in_progress",
                     [](natsMsg* m) { return natsMsg_InProgress(m, nullptr); });
}

result<void> message::term() {
  return acknowledge(native_, guard_, acked_, true, "term",
                     [](natsMsg* m) { return natsMsg_Term(m, nullptr); });
}

// -- subscription
// ----------------------------------------------------------------------------------

subscription::subscription(void* native, std::shared_ptr<void> keep_alive) noexcept
    : native_(native), keep_alive_(std::move(keep_alive)) {}

subscription::~subscription() {
  if (native_ == nullptr) {
    return;
  }
  auto* sub = static_cast<natsSubscription*>(native_);
  auto* state = static_cast<detail::sub_state*>(keep_alive_.get());
  // Every consumer we bind was created by js_subscribe itself, not by js_Subscribe, so
  // unsubscribing leaves it on the server (NATS.c deletes only consumers js_Subscribe created).
  if (!closed_.load()) {
    static_cast<void>(natsSubscription_Unsubscribe(sub));
    if (state->guard->jetstream) {
      // Once the server saw the UNSUB the durable is unbound, so a successor can bind at once.
      static_cast<void>(natsConnection_FlushTimeout(state->conn, 1000));
    }
  }
  natsSubscription_Destroy(sub);
  if (detail::in_delivery) {
    return;  // The pool thread we run on may be the one that must deliver the completion.
  }
  std::unique_lock<std::mutex> lock{state->mu};
  while (!state->completed.wait_for(lock, std::chrono::seconds(5),
                                    [state] { return state->complete; })) {
    get_logger("nats")->warn("a subscription waits for a message handler that runs for long");
  }
}

result<void> subscription::drain(std::chrono::milliseconds timeout) {
  if (closed_.exchange(true)) {
    return {};
  }
  auto* sub = static_cast<natsSubscription*>(native_);
  natsStatus s = natsSubscription_DrainTimeout(sub, timeout.count());
  if (s == NATS_OK) {
    s = natsSubscription_WaitForDrainCompletion(sub, timeout.count());
  }
  if (s == NATS_OK) {
    s = natsSubscription_DrainCompletionStatus(sub);
  }
  if (s != NATS_OK) {
    return detail::to_error(s, "draining a subscription");
  }
  return {};
}

int64_t subscription::dropped() const {
  int64_t n = 0;
  if (natsSubscription_GetDropped(static_cast<natsSubscription*>(native_), &n) != NATS_OK) {
    return 0;
  }
  return n;
}

}  // namespace sb::nats
