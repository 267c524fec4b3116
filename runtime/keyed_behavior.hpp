#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/actor_context.hpp"
#include "runtime/result.hpp"
#include "schemas/address.hpp"
#include "schemas/envelope.hpp"
#include "schemas/timer.hpp"

namespace sb {

/// The logic of one keyed actor kind, free of any actor framework: the runtime's generic actor
/// shell owns one instance per live address, restores it from the store on activation, feeds it
/// messages and timer firings one at a time, and saves its snapshot after every message that
/// changed it and on passivation. Implementations are plain C++ and unit-testable with a hand-made
/// actor_context.
///
/// Lifetime: created on activation, destroyed on passivation. Thread: only ever called from the
/// owning actor, one call at a time. Exceptions must not escape (the shell catches them anyway and
/// reports errc::actor_failed, but that is a bug).
class keyed_behavior {
 public:
  virtual ~keyed_behavior() = default;

  /// Restores state from a snapshot taken by snapshot(); nullopt for an address never seen before.
  virtual result<void> restore(const std::optional<std::string>& snapshot) = 0;

  /// Returns the state to persist (an encoded schema message).
  [[nodiscard]] virtual std::string snapshot() const = 0;

  /// Handles one message. An error is logged and, for a request, returned to the requester.
  virtual result<void> handle(const schemas::envelope& msg, actor_context& ctx) = 0;

  /// Handles the firing of one of this actor's durable timers (never twice for one arming).
  virtual result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) = 0;

  /// Returns a JSON object describing the state for operators (`sbctl inspect`); personal data
  /// in it must already be masked.
  [[nodiscard]] virtual std::string status_json() const = 0;
};

/// Creates the behaviour of a kind for one address.
using behavior_factory =
    std::function<std::unique_ptr<keyed_behavior>(const schemas::address& addr)>;

/// The actor kinds a node runs, by name. Filled once at start-up, then only read (thread-safe
/// then).
class kind_registry {
 public:
  /// Registers `kind`; registering a kind twice replaces the factory.
  void add(std::string kind, behavior_factory factory) {
    kinds_[std::move(kind)] = std::move(factory);
  }

  /// Returns the factory of `kind`, or nullptr if no module registered it.
  [[nodiscard]] const behavior_factory* find(const std::string& kind) const {
    auto i = kinds_.find(kind);
    return i == kinds_.end() ? nullptr : &i->second;
  }

  /// Returns the registered kind names, sorted.
  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, factory] : kinds_) {
      out.push_back(name);
    }
    return out;
  }

 private:
  std::map<std::string, behavior_factory> kinds_;
};

}  // namespace sb
