#pragma once

#include "runtime/engine/caf_types.hpp"
#include "runtime/engine/services.hpp"

namespace sb::engine {

/// Spawns one shard of the node's keyed-actor registry. A shard owns the addresses that hash to it:
/// it activates an actor on the first message for its address, forwards messages to it, passivates
/// it after `idle_passivate` without messages, and while an actor is passivating (saving) it holds
/// that address's new messages back and hands them to a fresh instance once the old one is gone —
/// so one address never has two live instances on a node and a new instance always loads the
/// latest state.
///
/// Protocol: (deliver_atom, envelope); (ask_atom, envelope) -> ask_reply;
/// (sweep_atom, int64 now_ms) -> int64 passivated (answers once they are all gone);
/// (drain_atom) -> int64 passivated (passivates all, then refuses new work);
/// (status_atom) -> shard_status; (inspect_atom, address) -> std::string JSON (empty if not live);
/// (release_atom, uint32 partition) -> int64 passivated (a cluster node hands the partition over);
/// (list_atom, std::string kind) -> std::vector<live_actor> ("" lists every kind).
/// On a cluster node, messages for a partition the node does not serve are refused: a one-way
/// message goes back to the bus (the intake brings it to the owner), an ask fails with
/// errc::fenced.
caf::actor spawn_registry_shard(caf::actor_system& sys, services* svc);

}  // namespace sb::engine
