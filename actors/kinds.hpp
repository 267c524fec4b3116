#pragma once

#include "runtime/config/node_config.hpp"
#include "runtime/keyed_behavior.hpp"

namespace sb {

/// Registers every actor kind Switchboard ships (conversation, ...) with its settings from `cfg`.
void register_builtin_kinds(kind_registry& kinds, const node_config& cfg);

}  // namespace sb
