// The open-loop load: a pacer hands a ready person to the HTTP workers every 1/rate seconds; a
// person is ready again once its reply (and the business events after it) came back.
#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/bench/requests.hpp"
#include "tools/sbbench/sbbench.hpp"

namespace sb::sbbench {

namespace {

using steady = std::chrono::steady_clock;
using bench::channel_kind;

struct person_slot {
  bench::shopper_generator gen;
  bench::shopper_script script;
  size_t step = 0;
};

struct job {
  size_t slot = 0;
  steady::time_point handed_out;
};

// What one worker counted; merged into the report at the end.
struct tally {
  bench::latency_recorder latency;
  int64_t sent = 0;
  int64_t answered = 0;
  int64_t silent = 0;
  int64_t pending = 0;
  std::map<std::string, int64_t> errors;
  std::map<std::string, int64_t> sent_by_channel;
  int64_t events_sent = 0;
  int64_t events_ok = 0;
  steady::time_point last_done{};
};

int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class load_run {
 public:
  explicit load_run(const load_options& o) : o_(o) {
    slots_.reserve(static_cast<size_t>(o.people));
    for (size_t i = 0; i < static_cast<size_t>(o.people); ++i) {
      bench::generator_options g;
      g.seed = bench::slot_seed(o.seed, i);
      g.mix = o.mix;
      g.id_prefix = o.run_tag + std::to_string(i) + "-";
      person_slot s{bench::shopper_generator{g}, {}, 0};
      s.script = s.gen.next();
      slots_.push_back(std::move(s));
      ready_.push_back(i);
    }
  }

  bench::bench_report run() {
    const int n_workers = o_.threads > 0 ? o_.threads : std::min(o_.people, 64);
    std::vector<tally> tallies(static_cast<size_t>(n_workers));
    std::vector<std::thread> workers;
    const auto start = steady::now();
    for (auto& t : tallies) {
      workers.emplace_back([this, &t] { work(t); });
    }
    pace(start);
    {
      std::lock_guard<std::mutex> lk{mu_};
      closing_ = true;
    }
    jobs_cv_.notify_all();
    for (auto& w : workers) {
      w.join();
    }
    return summarize(tallies, start);
  }

 private:
  // Hands out one ready person per tick until the duration is over.
  void pace(steady::time_point start) {
    const auto end = start + std::chrono::duration_cast<steady::duration>(
                                 std::chrono::duration<double>{o_.duration_s});
    const auto interval = std::chrono::duration<double>{1.0 / o_.rate};
    for (int64_t i = 0;; ++i) {
      auto due = start + std::chrono::duration_cast<steady::duration>(interval * i);
      if (due >= end) {
        return;
      }
      std::this_thread::sleep_until(due);
      std::unique_lock<std::mutex> lk{mu_};
      // Every person waiting for a reply: the tick waits for the first one free.
      if (!ready_cv_.wait_until(lk, end, [this] { return !ready_.empty(); })) {
        return;
      }
      jobs_.push_back({ready_.front(), steady::now()});
      ready_.pop_front();
      lk.unlock();
      jobs_cv_.notify_one();
    }
  }

  void work(tally& t) {
    httplib::Client client{o_.node};
    // Real chat clients keep their connection; --no-keep-alive opens one per request instead.
    client.set_keep_alive(o_.keep_alive);
    // Headers and body go out in two writes: without TCP_NODELAY, Nagle waits for the server's
    // delayed ACK and adds ~40 ms to every request.
    client.set_tcp_nodelay(true);
    auto secs = [](std::chrono::milliseconds d) {
      return std::chrono::duration_cast<std::chrono::seconds>(d).count();
    };
    auto usecs = [](std::chrono::milliseconds d) { return d.count() % 1000 * 1000; };
    client.set_connection_timeout(secs(o_.timeout), usecs(o_.timeout));
    client.set_read_timeout(secs(o_.timeout), usecs(o_.timeout));
    client.set_write_timeout(secs(o_.timeout), usecs(o_.timeout));
    for (;;) {
      std::unique_lock<std::mutex> lk{mu_};
      jobs_cv_.wait(lk, [this] { return !jobs_.empty() || closing_; });
      if (jobs_.empty()) {
        return;
      }
      auto j = jobs_.front();
      jobs_.pop_front();
      lk.unlock();
      play(client, slots_[j.slot], j.handed_out, t);
      lk.lock();
      ready_.push_back(j.slot);
      lk.unlock();
      ready_cv_.notify_one();
    }
  }

  // Sends `r`; returns the status, or 0 after counting a timeout or transport error.
  int send(httplib::Client& client, const bench::http_request& r, std::string& body, tally& t) {
    httplib::Headers headers;
    for (const auto& [k, v] : r.headers) {
      headers.emplace(k, v);
    }
    const auto began = steady::now();
    auto res = client.Post(r.path, headers, r.body, r.content_type);
    if (!res) {
      auto err = res.error();
      bool timed_out = err == httplib::Error::ConnectionTimeout ||
                       (err == httplib::Error::Read && steady::now() - began >= o_.timeout);
      ++t.errors[timed_out ? "timeout" : "transport"];
      return 0;
    }
    body = std::move(res->body);
    return res->status;
  }

  // Sends the person's next message, then the business events that follow it.
  void play(httplib::Client& client, person_slot& s, steady::time_point handed_out, tally& t) {
    const auto& script = s.script;
    const auto& step = script.steps[s.step];
    const auto msg_ref = script.person_id + "-" + std::to_string(s.step);
    bench::http_request req;
    switch (script.channel) {
      case channel_kind::web:
        req = bench::web_message(script.person_id, step.text, msg_ref);
        break;
      case channel_kind::app:
        req = bench::app_message(o_.app_secret, unix_now_s(), script.person_id, step.text, msg_ref);
        break;
      case channel_kind::wechat:
        req = bench::wechat_text(o_.wechat_token, unix_now_s(),
                                 std::to_string(s.gen.next_u64() % 1000000000U), script.person_id,
                                 "gh_sbbench", step.text, std::to_string(s.gen.next_u64() >> 1U));
        break;
    }
    ++t.sent;
    ++t.sent_by_channel[std::string{bench::to_string(script.channel)}];
    std::string body;
    const int status = send(client, req, body, t);
    const auto done = steady::now();
    if (status != 0) {
      switch (bench::classify_answer(script.channel, status, body)) {
        case bench::answer_kind::answered:
          ++t.answered;
          break;
        case bench::answer_kind::silent:
          ++t.silent;
          break;
        case bench::answer_kind::pending:
          ++t.pending;
          break;
        case bench::answer_kind::http_error:
          ++t.errors[bench::status_error_kind(status)];
          break;
      }
      if (status == 200) {
        t.latency.record(
            std::chrono::duration_cast<std::chrono::microseconds>(done - handed_out).count());
      }
    }
    t.last_done = std::max(t.last_done, done);
    const auto user = std::string{bench::to_string(script.channel)} + ":" + script.person_id;
    for (++s.step;
         s.step < script.steps.size() && script.steps[s.step].kind == bench::step_kind::event;
         ++s.step) {
      if (o_.events_token.empty()) {
        continue;  // no token: the shop's side is not simulated
      }
      auto ev = bench::business_event(o_.events_token, script.steps[s.step],
                                      script.person_id + "-ev" + std::to_string(s.step), user);
      ++t.events_sent;
      std::string ev_body;
      const int ev_status = send(client, ev, ev_body, t);
      if (ev_status == 200) {
        ++t.events_ok;
      } else if (ev_status != 0) {
        ++t.errors["event_" + bench::status_error_kind(ev_status)];
      }
    }
    if (s.step >= script.steps.size()) {
      s.script = s.gen.next();
      s.step = 0;
    }
  }

  bench::bench_report summarize(std::vector<tally>& tallies, steady::time_point start) const {
    bench::bench_report r;
    steady::time_point last = start;
    for (auto& t : tallies) {
      r.sent += t.sent;
      r.answered += t.answered;
      r.silent += t.silent;
      r.pending += t.pending;
      r.events_sent += t.events_sent;
      r.events_ok += t.events_ok;
      for (const auto& [k, v] : t.errors) {
        r.errors[k] += v;
      }
      for (const auto& [k, v] : t.sent_by_channel) {
        r.sent_by_channel[k] += v;
      }
      last = std::max(last, t.last_done);
    }
    bench::latency_recorder all;
    for (auto& t : tallies) {
      all.merge(t.latency);
    }
    r.latency = all.summary();
    r.elapsed_s = std::chrono::duration<double>(last - start).count();
    r.sustained_per_s =
        r.elapsed_s > 0 ? static_cast<double>(r.answered + r.silent) / r.elapsed_s : 0.0;
    return r;
  }

  const load_options& o_;
  std::vector<person_slot> slots_;
  std::mutex mu_;
  std::condition_variable ready_cv_;
  std::condition_variable jobs_cv_;
  std::deque<size_t> ready_;
  std::deque<job> jobs_;
  bool closing_ = false;
};

}  // namespace

bench::bench_report run_load(const load_options& options) {
  load_run run{options};
  auto r = run.run();
  r.people = options.people;
  r.target_rate = options.rate;
  r.duration_s = options.duration_s;
  r.seed = options.seed;
  r.node = options.node;
  return r;
}

}  // namespace sb::sbbench
