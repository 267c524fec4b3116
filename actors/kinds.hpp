#pragma once

#include "runtime/clock.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/keyed_behavior.hpp"
#include "runtime/node.hpp"

namespace sb {

/// Loads what the built-in kinds share (the bot's models, scripts and catalog; the campaigns,
/// experiments and churn model, from the files the config names) and registers every actor kind
/// Switchboard ships: conversation, user, agent_pool, catalog, campaign, experiment. Fails with the
/// first file that cannot be loaded (file:line:column where it applies). The hooks subscribe each
/// campaign to its topics once the node runs, and reload the marketing files on node::reload().
result<node_hooks> register_builtin_kinds(const kind_setup& setup);

}  // namespace sb
