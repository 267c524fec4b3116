#pragma once

#include "runtime/engine/caf_types.hpp"
#include "runtime/engine/services.hpp"

namespace sb::engine {

/// Spawns the generic shell of one keyed actor: it loads the actor record of `addr` from the store
/// on its first message, runs the kind's keyed_behavior, persists after each message (state,
/// applied timer generations and recent message ids in one put) before any message it sent leaves,
/// and on `passivate` saves and quits. Spawned and monitored only by its registry shard, which
/// guarantees one live instance per address on the node.
///
/// Protocol: (deliver_atom, envelope) one-way; (ask_atom, envelope) -> ask_reply;
/// (passivate_atom, bool force) -> bool saved (quits when saved, or when forced);
/// (status_atom) -> std::string JSON.
///
/// `gauge` is the actor's entry in its shard's books: the actor adds each envelope it handles.
caf::actor spawn_keyed_actor(caf::local_actor* parent, schemas::address addr, services* svc,
                             std::shared_ptr<actor_gauge> gauge);

}  // namespace sb::engine
