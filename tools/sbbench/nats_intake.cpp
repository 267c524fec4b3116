// Straight onto NATS: shoppers' chat messages published into the cluster's JetStream intake
// (sb.in.<partition>, as a gateway would), each a request whose reply comes back on this run's
// own subject; and the raw JetStream async publish rate on the same server, as the ceiling the
// intake is compared with.
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "runtime/bus.hpp"
#include "runtime/cluster/partitioning.hpp"
#include "runtime/codec.hpp"
#include "runtime/internal/nats_client.hpp"
#include "schemas/conversation.hpp"
#include "schemas/subjects.hpp"
#include "tools/sbbench/sbbench.hpp"

namespace sb::sbbench {

namespace {

using steady = std::chrono::steady_clock;

int64_t micros_since(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t).count();
}

nats::settings settings_for(const std::string& url, const std::string& name) {
  nats::settings s;
  s.servers = {url};
  s.name = name;
  s.max_pending_publishes = 65536;
  return s;
}

const char* const questions[] = {
    "你好，降噪耳机多少钱？",   "这款耳机续航多久？",
    "有没有便宜一点的跑步耳机", "what is the battery life of the earbuds?",
    "我的订单什么时候发货",     "可以开发票吗"};

}  // namespace

bench::bench_report run_nats_intake(const nats_intake_options& o) {
  bench::bench_report r;
  r.node = o.url + " (JetStream intake, " + std::to_string(o.partitions) + " partitions)";
  r.people = o.people;
  r.target_rate = o.rate;
  r.duration_s = o.duration_s;
  r.mix = "web";
  r.seed = o.seed;
  auto pub = nats::client::connect(settings_for(o.url, "sbbench-publisher"));
  auto sub = pub ? nats::client::connect(settings_for(o.url, "sbbench-replies"))
                 : result<std::unique_ptr<nats::client>>{pub.err()};
  if (!pub || !sub) {
    r.errors["connect"] = 1;
    return r;
  }
  const std::string reply_subject = schemas::subjects::reply_prefix + o.run_tag + "sbbench";
  const auto capacity = static_cast<size_t>(o.rate * o.duration_s * 1.1) + 1024;
  std::vector<steady::time_point> sent_at(capacity);
  std::vector<std::atomic<bool>> done(capacity);
  std::mutex latency_mutex;
  bench::latency_recorder latency;
  std::atomic<int64_t> answered{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> publish_errors{0};
  std::atomic<int64_t> last_answer_us{0};
  const auto start = steady::now();
  auto replies = (*sub)->subscribe(reply_subject, [&](nats::message m) {
    auto env = decode<schemas::envelope>(std::string{m.data()});
    if (!env || env->correlation_id.empty()) {
      return;
    }
    size_t i = std::strtoull(env->correlation_id.c_str(), nullptr, 10);
    if (i >= capacity || done[i].exchange(true)) {
      return;
    }
    const auto us = micros_since(sent_at[i]);
    if (env->type == "sb.error") {
      ++failed;
    } else {
      ++answered;
      std::lock_guard<std::mutex> lock{latency_mutex};
      latency.record(us);
    }
    last_answer_us = micros_since(start);
  });
  if (!replies) {
    r.errors["subscribe"] = 1;
    return r;
  }
  (void)(*sub)->flush(std::chrono::seconds(5));

  // Open loop: message i leaves at start + i / rate, whatever the answers do.
  const auto total = static_cast<size_t>(o.rate * o.duration_s);
  size_t sent = 0;
  for (; sent < total && sent < capacity; ++sent) {
    const auto due = start + std::chrono::duration_cast<steady::duration>(
                                 std::chrono::duration<double>(static_cast<double>(sent) / o.rate));
    if (due > steady::now()) {
      std::this_thread::sleep_until(due);
    }
    const auto person =
        o.run_tag + std::to_string((sent * 7919 + o.seed) % static_cast<size_t>(o.people));
    schemas::chat_message msg;
    msg.channel = "web";
    msg.person = person;
    msg.text = questions[sent % (sizeof questions / sizeof questions[0])];
    msg.client_msg_id = o.run_tag + "m" + std::to_string(sent);
    auto env = make_envelope(schemas::address{"conversation", "web:" + person}, msg);
    env.reply_to = reply_subject;
    env.correlation_id = std::to_string(sent);
    const auto subject =
        schemas::subjects::intake_prefix +
        std::to_string(cluster::partition_of(env.to, static_cast<uint32_t>(o.partitions)));
    sent_at[sent] = steady::now();
    (*pub)->js_publish_async(subject, encode(env), "", {}, [&](result<nats::publish_ack> ack) {
      if (!ack) {
        ++publish_errors;
      }
    });
  }
  (void)(*pub)->js_publish_async_complete(std::chrono::seconds(30));
  const auto deadline = steady::now() + o.timeout;
  while (answered + failed < static_cast<int64_t>(sent) - publish_errors &&
         steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  replies->reset();
  r.sent = static_cast<int64_t>(sent);
  r.sent_by_channel["web"] = r.sent;
  r.answered = answered;
  if (failed > 0) {
    r.errors["actor_error"] = failed;
  }
  if (publish_errors > 0) {
    r.errors["publish"] = publish_errors;
  }
  const auto unanswered = r.sent - answered - failed - publish_errors;
  if (unanswered > 0) {
    r.errors["timeout"] = unanswered;
  }
  r.elapsed_s = static_cast<double>(last_answer_us.load()) / 1e6;
  r.sustained_per_s = r.elapsed_s > 0 ? static_cast<double>(answered) / r.elapsed_s : 0;
  std::lock_guard<std::mutex> lock{latency_mutex};
  r.latency = latency.summary();
  return r;
}

result<double> jetstream_baseline(const std::string& url, double duration_s, size_t payload_bytes,
                                  bool memory_storage) {
  auto c = nats::client::connect(settings_for(url, "sbbench-baseline"));
  if (!c) {
    return c.err();
  }
  nats::stream_config sc;
  sc.name = "SBBENCH_BASELINE";
  sc.subjects = {"sbbench.js.>"};
  sc.memory_storage = memory_storage;
  sc.max_age = std::chrono::minutes(10);
  if (auto made = (*c)->ensure_stream(sc); !made) {
    return made.err();
  }
  const std::string payload(payload_bytes, 'x');
  std::atomic<int64_t> acked{0};
  std::atomic<int64_t> failed{0};
  const auto start = steady::now();
  const auto end = start + std::chrono::duration_cast<steady::duration>(
                               std::chrono::duration<double>(duration_s));
  int64_t i = 0;
  while (steady::now() < end) {
    (*c)->js_publish_async("sbbench.js." + std::to_string(i++ % 256), payload, "", {},
                           [&](result<nats::publish_ack> ack) { ++(ack ? acked : failed); });
  }
  (void)(*c)->js_publish_async_complete(std::chrono::seconds(30));
  const double seconds = std::chrono::duration<double>(steady::now() - start).count();
  // The stream is only for this measurement.
  (void)(*c)->delete_stream(sc.name);
  if (failed > 0 && acked == 0) {
    return error{errc::bus_unavailable, "JetStream acknowledged none of the baseline publishes"};
  }
  return static_cast<double>(acked.load()) / seconds;
}

}  // namespace sb::sbbench
