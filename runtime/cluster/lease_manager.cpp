#include "runtime/cluster/lease_manager.hpp"

#include <algorithm>
#include <set>

#include "runtime/cluster/partitioning.hpp"
#include "runtime/logging.hpp"

namespace sb::cluster {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string lease_key(uint32_t partition) {
  return "p." + std::to_string(partition);
}

lease_manager::lease_manager(nats::kv_bucket& leases, nats::kv_bucket& members,
                             lease_settings settings, lease_callbacks callbacks)
    : leases_(leases),
      members_(members),
      settings_(std::move(settings)),
      callbacks_(std::move(callbacks)) {
  settings_.renew_interval = std::min(settings_.renew_interval, settings_.lease_time / 3);
}

lease_manager::~lease_manager() {
  leave();
}

void lease_manager::start() {
  thread_ = std::thread([this] { run(); });
}

void lease_manager::run() {
  for (;;) {
    round();
    std::unique_lock<std::mutex> lock{wake_mutex_};
    if (wake_.wait_for(lock, settings_.renew_interval, [this] { return stopping_; })) {
      return;
    }
  }
}

void lease_manager::round() {
  std::lock_guard<std::mutex> guard{round_mutex_};
  if (left_) {
    return;
  }
  auto log = get_logger("cluster");
  std::string info;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    info = settings_.member_info;
  }
  if (auto r = members_.put(settings_.node_id, info); !r) {
    log->warn("cannot renew membership: {}", r.err().to_string());
  }
  auto keys = members_.keys();
  std::map<std::string, std::string> infos;
  if (keys) {
    for (const auto& k : *keys) {
      if (auto e = members_.get(k); e && e->has_value()) {
        infos[k] = (*e)->value;
      }
    }
  }
  if (keys) {
    std::lock_guard<std::mutex> lock{mutex_};
    members_seen_ = *keys;
    infos_ = std::move(infos);
    if (std::find(members_seen_.begin(), members_seen_.end(), settings_.node_id) ==
        members_seen_.end()) {
      members_seen_.push_back(settings_.node_id);
      std::sort(members_seen_.begin(), members_seen_.end());
    }
  } else {
    log->warn("cannot read the members: {}", keys.err().to_string());
  }
  std::vector<std::string> members_now = this->members();
  std::vector<uint32_t> desired;
  if (!members_now.empty()) {
    desired = partitions_of(settings_.node_id, members_now, settings_.partitions);
  }
  renew_or_release(desired);
  // The first round only announces this node: nodes started together see each other before any
  // of them takes partitions, which avoids a wave of hand-overs right after start.
  if (rounds_++ > 0 && keys) {
    take(desired);
  }
}

void lease_manager::renew_or_release(const std::vector<uint32_t>& desired) {
  std::set<uint32_t> want(desired.begin(), desired.end());
  std::vector<held_lease> mine = held();
  auto now = wall_ms();
  for (const auto& h : mine) {
    if (want.count(h.partition) == 0) {
      release(h.partition, h.revision);
      continue;
    }
    auto r = leases_.update(lease_key(h.partition), settings_.node_id, h.revision);
    if (r && r->has_value()) {
      std::lock_guard<std::mutex> lock{mutex_};
      auto& entry = held_[h.partition];
      entry.revision = **r;
      entry.renewed_at_ms = now;
      continue;
    }
    if (r) {  // Revision mismatch: someone else holds it now, or it expired.
      get_logger("cluster")->warn("lease of partition {} was lost (renewal refused)", h.partition);
      lose(h.partition);
      continue;
    }
    // NATS unreachable: keep serving until the lease would have expired anyway.
    if (now - h.renewed_at_ms >= settings_.lease_time.count()) {
      get_logger("cluster")->warn("lease of partition {} overdue ({}); giving it up", h.partition,
                                  r.err().to_string());
      lose(h.partition);
    }
  }
}

void lease_manager::take(const std::vector<uint32_t>& desired) {
  for (auto p : desired) {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      if (held_.count(p) > 0) {
        continue;
      }
    }
    auto r = leases_.create(lease_key(p), settings_.node_id);
    if (!r) {
      get_logger("cluster")->warn("cannot take partition {}: {}", p, r.err().to_string());
      return;  // NATS trouble: try again next round.
    }
    if (!r->has_value()) {
      continue;  // Still held by its previous owner, which hands it over in its next round.
    }
    auto revision = **r;
    auto token = static_cast<int64_t>(revision);
    auto now = wall_ms();
    {
      std::lock_guard<std::mutex> lock{mutex_};
      held_[p] = held_lease{p, token, revision, now, now};
    }
    if (callbacks_.gained && !callbacks_.gained(p, token)) {
      get_logger("cluster")->warn("partition {} refused by this node; giving it back", p);
      {
        std::lock_guard<std::mutex> lock{mutex_};
        held_.erase(p);
      }
      (void)leases_.erase(lease_key(p));
      continue;
    }
    ++taken_;
  }
}

void lease_manager::release(uint32_t p, uint64_t revision) {
  if (callbacks_.releasing) {
    callbacks_.releasing(p);
  }
  {
    std::lock_guard<std::mutex> lock{mutex_};
    held_.erase(p);
  }
  // Delete only a lease that is still ours: prove it with a compare-and-set first.
  auto proof = leases_.update(lease_key(p), settings_.node_id, revision);
  if (proof && proof->has_value()) {
    (void)leases_.erase(lease_key(p));
  }
  ++released_;
}

void lease_manager::lose(uint32_t p) {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    held_.erase(p);
  }
  if (callbacks_.lost) {
    callbacks_.lost(p);
  }
  ++lost_;
}

void lease_manager::leave() {
  {
    std::lock_guard<std::mutex> lock{wake_mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard<std::mutex> guard{round_mutex_};
  if (left_) {
    return;
  }
  left_ = true;
  (void)members_.erase(settings_.node_id);
  for (const auto& h : held()) {
    release(h.partition, h.revision);
  }
}

std::vector<held_lease> lease_manager::held() const {
  std::lock_guard<std::mutex> lock{mutex_};
  std::vector<held_lease> out;
  out.reserve(held_.size());
  for (const auto& [p, h] : held_) {
    out.push_back(h);
  }
  return out;
}

std::map<std::string, std::string> lease_manager::member_infos() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return infos_;
}

void lease_manager::set_member_info(std::string info) {
  std::lock_guard<std::mutex> lock{mutex_};
  settings_.member_info = std::move(info);
}

std::vector<std::string> lease_manager::members() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return members_seen_;
}

}  // namespace sb::cluster
