#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/internal/nats_client.hpp"

namespace sb::cluster {

/// How a node takes part in partition ownership.
struct lease_settings {
  std::string node_id;
  uint32_t partitions = 256;
  /// A lease not renewed for this long expires (the KV bucket's TTL), and its partition is taken
  /// over by another node. A node that could not renew for this long treats its leases as lost.
  std::chrono::milliseconds lease_time{10'000};
  /// How often leases are renewed and the membership is re-read (at most lease_time / 3).
  std::chrono::milliseconds renew_interval{1000};
  /// What this node tells the others about itself (a JSON object: gateway URL, version, start).
  std::string member_info = "{}";
};

/// What the node does when ownership changes. All are called on the lease manager's thread (or,
/// for leave(), on the caller's), one at a time.
struct lease_callbacks {
  /// The node now holds `partition` with fencing token `token`; start serving it. Returning false
  /// gives the lease back at once (e.g. the fence in the store holds a newer token).
  std::function<bool(uint32_t partition, int64_t token)> gained;
  /// Hand `partition` over gracefully: stop taking its intake, finish what is in flight,
  /// passivate its actors with their state saved. Blocks until done; the lease is deleted after.
  std::function<void(uint32_t partition)> releasing;
  /// The lease on `partition` was lost (renewal refused or overdue): stop serving it at once,
  /// write nothing more for it.
  std::function<void(uint32_t partition)> lost;
};

/// One partition lease this node holds.
struct held_lease {
  uint32_t partition = 0;
  int64_t token = 0;          ///< The revision at which the lease was taken (the fencing token).
  uint64_t revision = 0;      ///< The lease entry's latest revision (changes with each renewal).
  int64_t taken_at_ms = 0;    ///< Wall clock.
  int64_t renewed_at_ms = 0;  ///< Wall clock.
};

/// Keeps this node's share of the partitions, using two JetStream key-value buckets:
/// `members` (key: node id, value: member_info; the bucket's TTL drops a silent node) and
/// `leases` (key: "p.<partition>", value: node id, TTL = lease_time). Each round it renews the
/// member entry, reads the live members, computes this node's share by rendezvous hashing
/// (partitioning.hpp), hands over partitions that now belong elsewhere, renews the rest with a
/// compare-and-set on the entry's revision, and takes free partitions of its share with create.
/// A joining node thus gets its share as the others hand it over; a dead node's leases expire
/// and are taken by the survivors.
///
/// Lifetime: the buckets must outlive the manager. start() runs rounds on a thread of its own;
/// leave() (or the destructor) stops it. Thread-safety: public methods may be called from any
/// thread; the callbacks never run concurrently.
class lease_manager {
 public:
  lease_manager(nats::kv_bucket& leases, nats::kv_bucket& members, lease_settings settings,
                lease_callbacks callbacks);
  ~lease_manager();
  lease_manager(const lease_manager&) = delete;
  lease_manager& operator=(const lease_manager&) = delete;

  /// Registers this node and starts the rounds (the first takes nothing, so that nodes started
  /// together see each other before they divide the partitions).
  void start();

  /// Leaves the cluster gracefully: removes the member entry, hands over every partition
  /// (calling `releasing` for each) and deletes the leases. Idempotent; blocks until done.
  void leave();

  /// Runs one round now on the calling thread (tests; not while start() runs).
  void round();

  /// The leases held now, by partition.
  [[nodiscard]] std::vector<held_lease> held() const;
  /// The live members seen in the last round, sorted.
  [[nodiscard]] std::vector<std::string> members() const;
  /// What each live member said about itself (its member_info), by node id, as of the last round.
  [[nodiscard]] std::map<std::string, std::string> member_infos() const;
  /// Replaces what this node tells the others (written in the next round).
  void set_member_info(std::string info);
  /// How many partitions changed hands here since start (taken, released, lost).
  [[nodiscard]] int64_t taken_count() const noexcept { return taken_; }
  [[nodiscard]] int64_t released_count() const noexcept { return released_; }
  [[nodiscard]] int64_t lost_count() const noexcept { return lost_; }

 private:
  void run();
  void renew_or_release(const std::vector<uint32_t>& desired);
  void take(const std::vector<uint32_t>& desired);
  void release(uint32_t p, uint64_t revision);
  void lose(uint32_t p);

  nats::kv_bucket& leases_;
  nats::kv_bucket& members_;
  lease_settings settings_;
  lease_callbacks callbacks_;

  mutable std::mutex mutex_;  // Guards held_, members_seen_, infos_, settings_.member_info.
  std::map<uint32_t, held_lease> held_;
  std::vector<std::string> members_seen_;
  std::map<std::string, std::string> infos_;

  std::mutex round_mutex_;  // One round (or leave) at a time.
  std::condition_variable wake_;
  std::mutex wake_mutex_;
  bool stopping_ = false;
  bool left_ = false;
  int64_t rounds_ = 0;
  std::thread thread_;
  std::atomic<int64_t> taken_{0};
  std::atomic<int64_t> released_{0};
  std::atomic<int64_t> lost_{0};
};

/// The key of a partition's lease in the leases bucket ("p.17").
std::string lease_key(uint32_t partition);

}  // namespace sb::cluster
