#pragma once

#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "runtime/result.hpp"

namespace sb::test {

/// Returns the error code of `r`, or errc::ok if it holds a value; for `CHECK(code_of(x) == ...)`.
template <class T>
errc code_of(const result<T>& r) {
  return r.ok() ? errc::ok : r.err().code;
}

namespace detail {

template <class T>
T must(result<T>&& r, const char* expr, const char* file, int line) {
  if (!r.ok()) {
    ADD_FAIL_AT(file, line, (std::string{expr} + " failed with " + r.err().to_string()));
  }
  return std::move(r).value();
}

inline void must(result<void>&& r, const char* expr, const char* file, int line) {
  if (!r.ok()) {
    ADD_FAIL_AT(file, line, (std::string{expr} + " failed with " + r.err().to_string()));
  }
}

}  // namespace detail

}  // namespace sb::test

/// Evaluates an expression of type sb::result<T>, fails the test (REQUIRE level, reporting the
/// caller's line and the error) unless it is ok, and yields the value (nothing for result<void>).
/// Nested in a CHECK, the failure is reported and that CHECK fails, but the test goes on.
#define SB_REQUIRE_OK(...) ::sb::test::detail::must((__VA_ARGS__), #__VA_ARGS__, __FILE__, __LINE__)

namespace doctest {

/// Prints error codes by name in doctest's failure messages.
template <>
struct StringMaker<sb::errc> {
  static String convert(sb::errc code) { return String{std::string{sb::to_string(code)}.c_str()}; }
};

}  // namespace doctest
