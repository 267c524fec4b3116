#include "runtime/engine/timer_service.hpp"

#include <unordered_set>

#include "runtime/codec.hpp"
#include "runtime/logging.hpp"

namespace sb::engine {

namespace {

struct timer_service_state {
  services* svc = nullptr;
  timer_service_settings settings;
  std::unordered_set<std::string> in_flight;  // "<generation>|kind/key|name"
  bool stopped = false;
  static inline const char* name = "timer_service";
};

using service_actor = caf::stateful_actor<timer_service_state>;

std::string flight_key(const schemas::timer_record& t) {
  return std::to_string(t.generation) + "|" + to_string(t.owner) + "|" + t.name;
}

// Asks the owners of every due timer to apply it; calls `done(count)` when all answered.
void fire_due(service_actor* self, std::function<void(int64_t)> done) {
  auto& st = self->state;
  auto now = st.svc->node_clock->now_ms();
  result<std::vector<schemas::timer_record>> due = std::vector<schemas::timer_record>{};
  if (st.settings.partitions_to_poll) {
    for (auto p : st.settings.partitions_to_poll()) {
      auto some = st.svc->timers->due_in(p, now, st.settings.batch);
      if (!some) {
        due = some.err();
        break;
      }
      due->insert(due->end(), some->begin(), some->end());
    }
  } else {
    due = st.svc->timers->due(now, st.settings.batch);
  }
  if (!due) {
    st.svc->counters->store_errors++;
    get_logger("timers")->warn("cannot read due timers: {}", due.err().to_string());
    done(0);
    return;
  }
  auto outstanding = std::make_shared<int64_t>(0);
  auto fired = std::make_shared<int64_t>(0);
  auto finish = std::make_shared<std::function<void(int64_t)>>(std::move(done));
  for (auto& t : *due) {
    auto key = flight_key(t);
    if (!st.in_flight.insert(key).second) {
      continue;
    }
    schemas::timer_fired msg;
    msg.name = t.name;
    msg.due_ms = t.due_ms;
    msg.fired_at_ms = now;
    msg.generation = t.generation;
    msg.payload = t.payload;
    auto env = make_envelope(t.owner, msg, now);
    env.msg_id = "timer:" + key;  // The same firing always has the same id.
    ++*outstanding;
    self->request(st.settings.shard_for(t.owner), std::chrono::seconds(30), ask_atom::value,
                  std::move(env))
        .then(
            [=](ask_reply& r) {
              self->state.in_flight.erase(key);
              if (r.failure) {
                get_logger("timers")->warn("timer {} of {} not applied: {}", t.name,
                                           to_string(t.owner), r.failure->to_string());
              } else if (r.reply.type != "sb.timer_stale") {
                ++*fired;
              }
              if (--*outstanding == 0) {
                (*finish)(*fired);
              }
            },
            [=](caf::error& e) {
              self->state.in_flight.erase(key);
              get_logger("timers")->warn("timer {} of {} not applied: {}", t.name,
                                         to_string(t.owner), caf::to_string(e));
              if (--*outstanding == 0) {
                (*finish)(*fired);
              }
            });
  }
  if (*outstanding == 0) {
    (*finish)(0);
  }
}

caf::behavior timer_service(service_actor* self, services* svc, timer_service_settings settings) {
  self->state.svc = svc;
  self->state.settings = std::move(settings);
  if (self->state.settings.self_ticking) {
    self->send(self, caf::tick_atom::value);
  }
  return {
      [=](caf::tick_atom) {
        if (self->state.stopped) {
          return;
        }
        fire_due(self, [](int64_t) {});
        self->delayed_send(self, self->state.settings.poll_interval, caf::tick_atom::value);
      },
      [=](poll_atom) -> caf::result<int64_t> {
        if (self->state.stopped) {
          return int64_t{0};
        }
        auto rp = self->make_response_promise<int64_t>();
        fire_due(self, [rp](int64_t n) mutable { rp.deliver(n); });
        return rp;
      },
      [=](drain_atom) -> bool {
        self->state.stopped = true;
        return true;
      },
  };
}

}  // namespace

caf::actor spawn_timer_service(caf::actor_system& sys, services* svc,
                               timer_service_settings settings) {
  return sys.spawn(timer_service, svc, std::move(settings));
}

}  // namespace sb::engine
