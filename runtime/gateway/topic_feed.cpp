#include "runtime/gateway/topic_feed.hpp"

#include "schemas/conversation.hpp"
#include "schemas/subjects.hpp"

namespace sb::gateway {

void topic_feed::start() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (started_) {
    return;
  }
  started_ = true;
  subscription_ = bus_.subscribe(schemas::topics::conversation_message,
                                 [this](const std::string&, const schemas::envelope& env) {
                                   auto ev = open_envelope<schemas::conversation_event>(env);
                                   if (!ev) {
                                     return;
                                   }
                                   std::lock_guard<std::mutex> lock{mutex_};
                                   tracker_.add(ev->at_ms, ev->intent, ev->skus, ev->keywords);
                                 });
}

void topic_feed::stop() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (!started_) {
    return;
  }
  started_ = false;
  bus_.unsubscribe(subscription_);
}

topic_tracker::hot topic_feed::top(int64_t since_ms, size_t limit) const {
  std::lock_guard<std::mutex> guard{mutex_};
  return tracker_.top(since_ms, limit);
}

}  // namespace sb::gateway
