#pragma once

#include "runtime/clock.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/keyed_behavior.hpp"

namespace sb {

/// Loads what the built-in kinds share (the bot's models, scripts and catalog, from the files the
/// config names) and registers every actor kind Switchboard ships: conversation, user, agent_pool,
/// catalog. Fails with the first file that cannot be loaded (file:line:column where it applies).
result<void> register_builtin_kinds(kind_registry& kinds, const node_config& cfg, const clock& clk);

}  // namespace sb
