#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace sb {

/// Error codes of every Switchboard subsystem, one per line, grouped by the subsystem that returns
/// them. They cross module borders inside `sb::error`; infrastructure errors (natsStatus, Redis
/// replies, msgpack exceptions) are converted to these at exactly one boundary in
/// runtime/internal/.
enum class errc {
  // -- generic
  // ---------------------------------------------------------------------------------------
  ok = 0,            ///< No error (never stored in an `error`).
  invalid_argument,  ///< The caller passed a value the function cannot use.
  not_found,         ///< The thing asked for does not exist.
  timeout,           ///< The operation did not complete in time.
  shutting_down,     ///< The node is draining and takes no new work.
  internal,          ///< A bug or an unexpected exception; the message says more.
  // -- config
  // ----------------------------------------------------------------------------------------
  config_syntax,       ///< A config file is not valid YAML.
  config_unknown_key,  ///< A config key that no option declares.
  config_bad_value,    ///< A config value of the wrong type or out of range.
  config_io,           ///< A config file could not be read.
  // -- codec (schemas on the wire and in the store)
  // --------------------------------------------------
  decode_malformed,     ///< Bytes that are not a well-formed message (bad msgpack, wrong shape).
  decode_truncated,     ///< Bytes that end before the message does.
  decode_incompatible,  ///< A message written by a newer version that this reader cannot read.
  decode_wrong_type,    ///< A well-formed message of another type than the one expected.
  // -- store
  // -----------------------------------------------------------------------------------------
  store_unavailable,  ///< The store cannot be reached (connection refused, I/O error).
  store_protocol,     ///< The store answered something unexpected (error reply, wrong reply type).
  // -- actors and bus
  // --------------------------------------------------------------------------------
  unknown_kind,     ///< An address names an actor kind that no module registered.
  actor_failed,     ///< The addressed actor failed while handling the message.
  unexpected_type,  ///< An actor received a message type it does not handle.
  // -- cluster
  // ---------------------------------------------------------------------------------------
  bus_unavailable,  ///< The message bus (NATS) cannot be reached or refused the operation.
  fenced,           ///< A write was refused: this node no longer holds the partition's lease.
};

/// Returns the stable snake_case name of an error code (used in logs, JSON errors and metrics).
std::string_view to_string(errc code) noexcept;

/// An error value: a code plus a human-readable message saying what and where.
/// Cheap to copy; safe to pass between threads.
struct error {
  errc code = errc::internal;
  std::string message;

  error() = default;
  error(errc c, std::string msg) : code(c), message(std::move(msg)) {}

  /// Returns "code: message".
  [[nodiscard]] std::string to_string() const;
};

/// Either a value of type T or an `error`. Must be checked: functions return it `[[nodiscard]]`.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  result(error err) : data_(std::move(err)) {}  // NOLINT(google-explicit-constructor)
  result(errc code, std::string msg) : data_(error{code, std::move(msg)}) {}

  [[nodiscard]] bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// Returns the value; only valid when ok().
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Returns the error; only valid when !ok().
  [[nodiscard]] const error& err() const { return std::get<1>(data_); }

 private:
  std::variant<T, error> data_;
};

/// A result without a value: success or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error err) : err_(std::move(err)) {}  // NOLINT(google-explicit-constructor)
  result(errc code, std::string msg) : err_(error{code, std::move(msg)}) {}

  [[nodiscard]] bool ok() const noexcept { return !err_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const error& err() const { return *err_; }

 private:
  std::optional<error> err_;
};

}  // namespace sb
