#include "runtime/cluster/nats_bus.hpp"

#include <algorithm>

#include "runtime/codec.hpp"
#include "runtime/logging.hpp"
#include "runtime/topic_match.hpp"
#include "schemas/subjects.hpp"

namespace sb::cluster {

namespace {

using schemas::subjects::events_prefix;
constexpr const char* error_reply_type = "sb.error";

bool valid_address(const schemas::address& a) {
  if (a.kind.empty() || a.key.empty() || a.key.size() > 256) {
    return false;
  }
  return std::all_of(a.key.begin(), a.key.end(),
                     [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
}

// Replies that carry an error travel as an envelope of type sb.error: "<code>\n<message>".
schemas::envelope error_envelope(const error& e) {
  schemas::envelope env;
  env.type = error_reply_type;
  env.payload.data = std::string{to_string(e.code)} + "\n" + e.message;
  return env;
}

error error_of(const schemas::envelope& env) {
  const auto& text = env.payload.data;
  auto nl = text.find('\n');
  auto name = text.substr(0, nl);
  auto message = nl == std::string::npos ? std::string{} : text.substr(nl + 1);
  for (int c = 0; c <= static_cast<int>(errc::fenced); ++c) {
    if (to_string(static_cast<errc>(c)) == name) {
      return error{static_cast<errc>(c), message};
    }
  }
  return error{errc::internal, text};
}

// Whether a failed application should be tried again (maybe by another owner) rather than
// answered: the partition moved, the node is stopping, or the store is briefly unreachable.
bool retryable(errc code) {
  return code == errc::fenced || code == errc::shutting_down || code == errc::store_unavailable ||
         code == errc::timeout;
}

}  // namespace

std::string nats_bus::intake_subject(uint32_t p) {
  return schemas::subjects::intake_prefix + std::to_string(p);
}

std::string nats_bus::intake_durable(uint32_t p) {
  return schemas::subjects::intake_durable_prefix + std::to_string(p);
}

nats_bus::nats_bus(nats::client& publisher, nats::client& subscriber, bus& local,
                   apply_in_order_fn apply_in_order, partition_table& table,
                   nats_bus_settings settings)
    : pub_(publisher),
      sub_(subscriber),
      local_(local),
      apply_in_order_(std::move(apply_in_order)),
      table_(table),
      settings_(std::move(settings)),
      reply_subject_(schemas::subjects::reply_prefix + settings_.node_id) {}

nats_bus::~nats_bus() {
  stop();
}

result<void> nats_bus::start() {
  nats::stream_config intake;
  intake.name = settings_.intake_stream;
  intake.subjects = {std::string{schemas::subjects::intake_prefix} + ">"};
  intake.memory_storage = settings_.memory_storage;
  intake.max_age = settings_.intake_max_age;
  intake.duplicate_window = settings_.duplicate_window;
  if (auto r = pub_.ensure_stream(intake); !r) {
    return r;
  }
  nats::stream_config events = intake;
  events.name = settings_.events_stream;
  events.subjects = {std::string{events_prefix} + ">"};
  events.max_age = settings_.events_max_age;
  if (auto r = pub_.ensure_stream(events); !r) {
    return r;
  }
  auto rep = sub_.subscribe(reply_subject_, [this](nats::message m) { on_reply(m); });
  if (!rep) {
    return rep.err();
  }
  replies_sub_ = std::move(*rep);
  if (auto r = sub_.flush(std::chrono::seconds(5)); !r) {
    return r;
  }
  reaper_ = std::thread([this] {
    std::unique_lock<std::mutex> lock{stop_mutex_};
    while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stopping_; })) {
      lock.unlock();
      expire_requests();
      lock.lock();
    }
  });
  return {};
}

void nats_bus::stop() {
  {
    std::lock_guard<std::mutex> lock{stop_mutex_};
    if (stopping_) {
      return;
    }
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (reaper_.joinable()) {
    reaper_.join();
  }
  std::vector<uint32_t> parts;
  {
    std::lock_guard<std::mutex> lock{intake_mutex_};
    for (const auto& [p, in] : intakes_) {
      parts.push_back(p);
    }
  }
  for (auto p : parts) {
    stop_partition(p, false, std::chrono::milliseconds(0));
  }
  {
    std::lock_guard<std::mutex> lock{subs_mutex_};
    handler_subs_.clear();
  }
  replies_sub_.reset();
  std::map<uint64_t, pending_request> left;
  {
    std::lock_guard<std::mutex> lock{requests_mutex_};
    left.swap(requests_);
  }
  for (auto& [id, req] : left) {
    req.on_reply(error{errc::shutting_down, "the node is stopping"});
  }
}

// -- sending ----------------------------------------------------------------------------------

void nats_bus::deliver(schemas::envelope env) {
  if (!valid_address(env.to)) {
    get_logger("bus")->warn("dropped {} for malformed address '{}'", env.type, to_string(env.to));
    return;
  }
  auto subject = intake_subject(table_.partition_of(env.to));
  auto msg_id = env.msg_id;
  pub_.js_publish_async(subject, encode(env), msg_id, {},
                        [this, type = env.type](result<nats::publish_ack> ack) {
                          if (ack) {
                            ++counters_.intake_published;
                            return;
                          }
                          ++counters_.intake_publish_errors;
                          get_logger("bus")->error("could not hand {} to the intake: {}", type,
                                                   ack.err().to_string());
                        });
}

void nats_bus::request(schemas::envelope env, std::chrono::milliseconds timeout,
                       reply_handler on_reply) {
  if (!valid_address(env.to)) {
    on_reply(error{errc::invalid_argument, "malformed address '" + to_string(env.to) + "'"});
    return;
  }
  auto id = next_request_++;
  env.reply_to = reply_subject_;
  env.correlation_id = std::to_string(id);
  {
    std::lock_guard<std::mutex> lock{requests_mutex_};
    requests_[id] =
        pending_request{std::chrono::steady_clock::now() + timeout, std::move(on_reply), false};
  }
  auto subject = intake_subject(table_.partition_of(env.to));
  // No JetStream message id: a retried request must be answered again (the actor knows it).
  pub_.js_publish_async(subject, encode(env), "", {}, [this, id](result<nats::publish_ack> ack) {
    if (ack) {
      ++counters_.intake_published;
      std::lock_guard<std::mutex> lock{requests_mutex_};
      if (auto i = requests_.find(id); i != requests_.end()) {
        i->second.published = true;
      }
      return;
    }
    ++counters_.intake_publish_errors;
    reply_handler h;
    {
      std::lock_guard<std::mutex> lock{requests_mutex_};
      auto i = requests_.find(id);
      if (i == requests_.end()) {
        return;
      }
      h = std::move(i->second.on_reply);
      requests_.erase(i);
    }
    h(error{errc::bus_unavailable, "the intake did not take the message: " + ack.err().message});
  });
}

void nats_bus::publish(std::string_view topic, schemas::envelope env) {
  fan_out(topic, env, false);
  call_local(topic, env);
  record_event(topic, env);
}

// Publishes the event on sb.events.<topic>: the events stream keeps it and every node's
// cluster-wide handlers of a matching pattern get it.
void nats_bus::record_event(std::string_view topic, const schemas::envelope& env) {
  pub_.js_publish_async(std::string{events_prefix} + std::string{topic}, encode(env), env.msg_id,
                        {}, [topic = std::string{topic}](result<nats::publish_ack> ack) {
                          if (!ack) {
                            get_logger("bus")->warn("event {} not recorded: {}", topic,
                                                    ack.err().to_string());
                          }
                        });
}

void nats_bus::deliver_from_actor(schemas::envelope env) {
  if (valid_address(env.to) && table_.accepting(table_.partition_of(env.to))) {
    ++counters_.local_shortcuts;
    local_.deliver(std::move(env));
    return;
  }
  deliver(std::move(env));
}

void nats_bus::publish_from_actor(std::string_view topic, schemas::envelope env) {
  fan_out(topic, env, true);
  call_local(topic, env);
  record_event(topic, env);
}

// Every node registers the same actor subscriptions (from config), so the publishing node can
// resolve them: each subscriber gets its own copy through intake, with an id derived from the
// event's, so a re-published event is applied once.
void nats_bus::fan_out(std::string_view topic, const schemas::envelope& env, bool from_actor) {
  std::vector<schemas::address> targets;
  {
    std::lock_guard<std::mutex> lock{subs_mutex_};
    for (const auto& s : actor_subs_) {
      if (topic_matches(s.pattern, topic) &&
          std::find(targets.begin(), targets.end(), s.subscriber) == targets.end()) {
        targets.push_back(s.subscriber);
      }
    }
  }
  for (auto& to : targets) {
    auto copy = env;
    copy.msg_id = env.msg_id + "@" + to.kind + "/" + to.key;
    copy.to = std::move(to);
    if (from_actor) {
      deliver_from_actor(std::move(copy));
    } else {
      deliver(std::move(copy));
    }
  }
}

uint64_t nats_bus::subscribe(std::string pattern, schemas::address subscriber) {
  std::lock_guard<std::mutex> lock{subs_mutex_};
  auto id = next_subscription_++;
  actor_subs_.push_back({id, std::move(pattern), std::move(subscriber)});
  return id;
}

uint64_t nats_bus::subscribe(std::string pattern, event_handler handler) {
  auto id = next_subscription_++;
  auto h = std::make_shared<event_handler>(std::move(handler));
  // Our topic patterns are NATS subject patterns: the server sends only what matches.
  auto feed = sub_.subscribe(std::string{events_prefix} + pattern,
                             [this, h](nats::message m) { on_event(m, h); });
  if (!feed) {
    get_logger("bus")->error("cannot subscribe to events '{}': {}", pattern,
                             feed.err().to_string());
    return id;
  }
  (void)sub_.flush(std::chrono::seconds(2));
  std::lock_guard<std::mutex> lock{subs_mutex_};
  handler_subs_.push_back({id, std::move(pattern), std::move(h), std::move(*feed)});
  return id;
}

uint64_t nats_bus::subscribe_local(std::string pattern, event_handler handler) {
  std::lock_guard<std::mutex> lock{subs_mutex_};
  auto id = next_subscription_++;
  local_handler_subs_.push_back(
      {id, std::move(pattern), std::make_shared<event_handler>(std::move(handler)), nullptr});
  return id;
}

void nats_bus::call_local(std::string_view topic, const schemas::envelope& env) {
  std::vector<std::shared_ptr<event_handler>> handlers;
  {
    std::lock_guard<std::mutex> lock{subs_mutex_};
    for (const auto& s : local_handler_subs_) {
      if (topic_matches(s.pattern, topic)) {
        handlers.push_back(s.handler);
      }
    }
  }
  const std::string t{topic};
  for (const auto& h : handlers) {
    try {
      (*h)(t, env);
    } catch (const std::exception& e) {
      get_logger("bus")->error("event handler for {} threw: {}", t, e.what());
    }
  }
}

void nats_bus::unsubscribe(uint64_t id) {
  std::vector<handler_subscription> gone;  // Their NATS subscriptions close outside the lock.
  std::lock_guard<std::mutex> lock{subs_mutex_};
  actor_subs_.erase(std::remove_if(actor_subs_.begin(), actor_subs_.end(),
                                   [id](const actor_subscription& s) { return s.id == id; }),
                    actor_subs_.end());
  for (auto* list : {&handler_subs_, &local_handler_subs_}) {
    auto split = std::stable_partition(list->begin(), list->end(),
                                       [id](const handler_subscription& s) { return s.id != id; });
    std::move(split, list->end(), std::back_inserter(gone));
    list->erase(split, list->end());
  }
}

// -- receiving --------------------------------------------------------------------------------

void nats_bus::on_event(const nats::message& msg, const std::shared_ptr<event_handler>& handler) {
  auto subject = msg.subject();
  std::string_view prefix{events_prefix};
  if (subject.substr(0, prefix.size()) != prefix) {
    return;
  }
  std::string topic{subject.substr(prefix.size())};
  auto env = decode<schemas::envelope>(std::string{msg.data()});
  if (!env) {
    get_logger("bus")->warn("undecodable event on {}: {}", subject, env.err().to_string());
    return;
  }
  try {
    (*handler)(topic, *env);
  } catch (const std::exception& e) {
    get_logger("bus")->error("event handler for {} threw: {}", topic, e.what());
  }
}

void nats_bus::on_reply(const nats::message& msg) {
  auto env = decode<schemas::envelope>(std::string{msg.data()});
  if (!env) {
    get_logger("bus")->warn("undecodable reply: {}", env.err().to_string());
    return;
  }
  uint64_t id = 0;
  for (char c : env->correlation_id) {
    if (c < '0' || c > '9') {
      return;
    }
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  reply_handler h;
  {
    std::lock_guard<std::mutex> lock{requests_mutex_};
    auto i = requests_.find(id);
    if (i == requests_.end()) {
      ++counters_.replies_late;
      return;
    }
    h = std::move(i->second.on_reply);
    requests_.erase(i);
  }
  if (env->type == error_reply_type) {
    h(error_of(*env));
  } else {
    env->correlation_id.clear();
    h(std::move(*env));
  }
}

void nats_bus::expire_requests() {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::pair<reply_handler, bool>> expired;
  {
    std::lock_guard<std::mutex> lock{requests_mutex_};
    for (auto i = requests_.begin(); i != requests_.end();) {
      if (i->second.deadline <= now) {
        expired.emplace_back(std::move(i->second.on_reply), i->second.published);
        i = requests_.erase(i);
      } else {
        ++i;
      }
    }
  }
  for (auto& [h, published] : expired) {
    // A timeout says "accepted, the answer comes later" only if the intake holds the message.
    if (published) {
      h(error{errc::timeout, "no reply in time"});
    } else {
      h(error{errc::bus_unavailable, "the intake did not acknowledge the message in time"});
    }
  }
}

void nats_bus::send_reply(const schemas::envelope& request, result<schemas::envelope> reply) {
  schemas::envelope out = reply ? std::move(*reply) : error_envelope(reply.err());
  out.correlation_id = request.correlation_id;
  if (auto r = pub_.publish(request.reply_to, encode(out)); !r) {
    get_logger("bus")->warn("reply to {} lost: {}", request.reply_to, r.err().to_string());
  }
}

result<void> nats_bus::start_partition(uint32_t p) {
  std::lock_guard<std::mutex> lock{intake_mutex_};
  if (intakes_.count(p) > 0) {
    return {};
  }
  partition_intake in;
  nats::consumer_config cc;
  cc.stream = settings_.intake_stream;
  cc.durable = intake_durable(p);
  cc.filter_subject = intake_subject(p);
  cc.ack_wait = settings_.ack_wait;
  cc.max_ack_pending = settings_.max_ack_pending;
  auto counter = in.in_flight;
  auto sub = sub_.js_subscribe(
      cc, [this, p, counter](nats::message m) { on_intake(p, counter, std::move(m)); });
  if (!sub) {
    return sub.err();
  }
  in.sub = std::move(*sub);
  intakes_.emplace(p, std::move(in));
  return {};
}

int64_t nats_bus::partition_lag(uint32_t p) {
  auto info = sub_.consumer_info(settings_.intake_stream, intake_durable(p));
  return info ? static_cast<int64_t>(info->num_pending) : 0;
}

int64_t nats_bus::intake_lag() {
  std::vector<uint32_t> parts;
  {
    std::lock_guard<std::mutex> lock{intake_mutex_};
    for (const auto& [p, in] : intakes_) {
      parts.push_back(p);
    }
  }
  int64_t lag = 0;
  for (auto p : parts) {
    lag += partition_lag(p);
  }
  return lag;
}

void nats_bus::stop_partition(uint32_t p, bool graceful, std::chrono::milliseconds timeout) {
  partition_intake in;
  {
    std::lock_guard<std::mutex> lock{intake_mutex_};
    auto i = intakes_.find(p);
    if (i == intakes_.end()) {
      return;
    }
    in = std::move(i->second);
    intakes_.erase(i);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (graceful) {
    (void)in.sub->drain(timeout);
  }
  in.sub.reset();
  if (graceful) {
    // Messages handed to actors before the drain are acked when applied: wait for them.
    std::unique_lock<std::mutex> lock{intake_mutex_};
    intake_idle_.wait_until(lock, deadline, [&] { return *in.in_flight == 0; });
  }
}

void nats_bus::on_intake(uint32_t p, const std::shared_ptr<std::atomic<int64_t>>& in_flight,
                         nats::message msg) {
  if (msg.delivery_count() > 1) {
    ++counters_.intake_redelivered;
  }
  auto env = decode<schemas::envelope>(std::string{msg.data()});
  if (!env || !valid_address(env->to) || table_.partition_of(env->to) != p) {
    ++counters_.intake_rejected;
    get_logger("bus")->warn("rejected an intake message on partition {}: {}", p,
                            env ? "wrong partition or address" : env.err().to_string());
    (void)msg.term();
    return;
  }
  ++*in_flight;
  ++in_flight_total_;
  auto held = std::make_shared<nats::message>(std::move(msg));
  auto request = std::make_shared<schemas::envelope>(*env);
  auto finish = [this, held, request, in_flight](result<schemas::envelope> r) {
    if (!r && retryable(r.err().code)) {
      ++counters_.intake_naked;
      auto delay = r.err().code == errc::fenced ? std::chrono::milliseconds(0)
                                                : std::chrono::milliseconds(500);
      (void)held->nak(delay);
    } else {
      if (!request->reply_to.empty()) {
        send_reply(*request, std::move(r));
      }
      ++counters_.intake_applied;
      (void)held->ack();
    }
    --in_flight_total_;
    if (--*in_flight == 0) {
      std::lock_guard<std::mutex> lock{intake_mutex_};
      intake_idle_.notify_all();
    }
  };
  auto applied = std::move(*env);
  applied.reply_to.clear();
  applied.correlation_id.clear();
  apply_in_order_(std::move(applied), settings_.apply_timeout, std::move(finish));
}

}  // namespace sb::cluster
