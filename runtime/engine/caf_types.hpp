#pragma once

// CAF-facing types of the engine: atoms and the message types actors exchange inside one node.
// Only runtime/engine/*.cpp include this (it pulls in caf/all.hpp through the precompiled header).

#include <caf/all.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>

#include "runtime/bus.hpp"
#include "runtime/result.hpp"
#include "schemas/envelope.hpp"

namespace sb::engine {

using deliver_atom = caf::atom_constant<caf::atom("deliver")>;      // one-way message to an address
using ask_atom = caf::atom_constant<caf::atom("ask")>;              // request to an address
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;  // save state and stop
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;          // passivate idle actors
using drain_atom = caf::atom_constant<caf::atom("drain")>;          // stop taking work
using status_atom = caf::atom_constant<caf::atom("status")>;        // status snapshot
using inspect_atom = caf::atom_constant<caf::atom("inspect")>;      // inspect one address
using poll_atom = caf::atom_constant<caf::atom("poll")>;            // fire due timers now
using release_atom = caf::atom_constant<caf::atom("release")>;      // passivate one partition
using list_atom = caf::atom_constant<caf::atom("list")>;            // list live actors

/// The answer of a keyed actor to an `ask`: the reply envelope (type empty if the behaviour did not
/// reply) or the error the behaviour returned.
struct ask_reply {
  schemas::envelope reply;
  std::optional<sb::error> failure;
};

/// The message counts of one live actor, shared by its registry shard (which counts what it
/// forwards) and the actor (which counts what it handles); both sides only add. Mailbox depth is
/// forwarded - handled, read without asking CAF for its mailbox's size.
struct actor_gauge {
  std::atomic<int64_t> forwarded{0};
  std::atomic<int64_t> handled{0};

  [[nodiscard]] int64_t depth() const noexcept {
    return std::max<int64_t>(
        0, forwarded.load(std::memory_order_relaxed) - handled.load(std::memory_order_relaxed));
  }
};

/// One live actor, as listed by a shard.
struct live_actor {
  schemas::address addr;
  int64_t activated_at_ms = 0;
  int64_t last_active_ms = 0;
  int64_t messages_handled = 0;
  int64_t mailbox_depth = 0;  ///< waiting in its mailbox or held back by the shard
};

/// A registry shard's counts, summed by the node.
struct shard_status {
  size_t live = 0;
  size_t passivating = 0;
  std::map<std::string, size_t> live_by_kind;
  int64_t mailbox_total = 0;  ///< messages waiting for the shard's actors
  int64_t mailbox_max = 0;    ///< the longest one actor's wait queue
};

}  // namespace sb::engine

// Local-only message types: never serialized by CAF (the wire format is our msgpack codec).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::schemas::envelope)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::schemas::address)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::engine::ask_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::engine::shard_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<sb::engine::live_actor>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::event_handler)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::reply_handler)
