#pragma once

// Compile-time classification of schema field types and small helpers shared by the codecs
// (msgpack_codec.cpp, json_codec.cpp). Private to runtime/: nothing outside includes it.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "schemas/bytes.hpp"

namespace sb::internal {

// -- type classification
// --------------------------------------------------------------------------------

template <class T>
inline constexpr bool dependent_false = false;

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

/// True for std::map with std::string keys, the only map type schemas may use.
template <class T>
struct is_string_map : std::false_type {};
template <class V, class C, class A>
struct is_string_map<std::map<std::string, V, C, A>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

/// A visitor type used only to detect whether `fields(f, x)` exists for a type.
struct field_probe {
  template <class V>
  void operator()(const char*, V&) {}
};

/// True for structs that list their members with a `fields(F&, T&)` function (found by ADL).
template <class T, class = void>
struct has_fields : std::false_type {};
template <class T>
struct has_fields<T,
                  std::void_t<decltype(fields(std::declval<field_probe&>(), std::declval<T&>()))>>
    : std::true_type {};

/// True for the integer types a field may have (bool is not one of them).
template <class T>
inline constexpr bool is_field_integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// -- field iteration
// ------------------------------------------------------------------------------------

/// Calls `f(name, member)` for every field of `x`, in declaration order, with const members.
template <class T, class F>
void for_each_field(const T& x, F&& f) {
  // fields() takes T& so that one list serves readers and writers; this caller only reads.
  auto adapter = [&f](const char* name, auto& member) { f(name, std::as_const(member)); };
  fields(adapter, const_cast<T&>(x));
}

/// Returns the number of fields `x` declares.
template <class T>
std::size_t field_count(const T& x) {
  std::size_t n = 0;
  for_each_field(x, [&n](const char*, const auto&) { ++n; });
  return n;
}

// -- integer ranges
// -------------------------------------------------------------------------------------

/// Returns true if `v` fits in the integer type I.
template <class I>
bool fits(uint64_t v) {
  return v <= static_cast<uint64_t>(std::numeric_limits<I>::max());
}

/// Returns true if the negative value `v` fits in the integer type I.
template <class I>
bool fits_negative(int64_t v) {
  if constexpr (std::is_unsigned_v<I>) {
    return false;
  } else {
    return v >= static_cast<int64_t>(std::numeric_limits<I>::min());
  }
}

/// Returns "[min, max]" of the integer type I, for error messages.
template <class I>
std::string range_text() {
  return "[" + std::to_string(+std::numeric_limits<I>::min()) + ", " +
         std::to_string(+std::numeric_limits<I>::max()) + "]";
}

// -- error paths
// ----------------------------------------------------------------------------------------

/// The path of the value being read, for error messages: "to.kind", "transcript[2].text",
/// `tags["vip"]`. Owned by one decode call.
class field_path {
 public:
  /// Returns the path, or "" at the top level.
  [[nodiscard]] const std::string& str() const noexcept { return text_; }

  /// Returns "path: what", or just "what" at the top level.
  [[nodiscard]] std::string describe(std::string_view what) const {
    if (text_.empty())
      return std::string{what};
    std::string out = text_;
    out += ": ";
    out += what;
    return out;
  }

  void push_field(std::string_view name) {
    marks_.push_back(text_.size());
    if (!text_.empty())
      text_ += '.';
    text_ += name;
  }

  void push_index(std::size_t i) {
    marks_.push_back(text_.size());
    text_ += '[';
    text_ += std::to_string(i);
    text_ += ']';
  }

  void push_key(std::string_view key) {
    // Keys come from the input: cap what ends up in an error message (and so in logs).
    constexpr std::size_t max_shown = 40;
    marks_.push_back(text_.size());
    text_ += "[\"";
    text_ += key.substr(0, max_shown);
    if (key.size() > max_shown)
      text_ += "...";
    text_ += "\"]";
  }

  void pop() {
    text_.resize(marks_.back());
    marks_.pop_back();
  }

 private:
  std::string text_;
  std::vector<std::size_t> marks_;
};

/// Pops one path segment when it leaves scope.
class path_scope {
 public:
  explicit path_scope(field_path& p) : path_(p) {}
  ~path_scope() { path_.pop(); }
  path_scope(const path_scope&) = delete;
  path_scope& operator=(const path_scope&) = delete;

 private:
  field_path& path_;
};

}  // namespace sb::internal
