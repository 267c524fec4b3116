#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "runtime/result.hpp"

namespace sb::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when the object dies.
/// Move-only; a moved-from temp_dir owns nothing.
class temp_dir {
 public:
  /// Creates a directory named `<prefix>-XXXXXX`; errc::internal if that fails.
  static result<temp_dir> create(std::string_view prefix = "sb-test");

  temp_dir(temp_dir&& other) noexcept;
  temp_dir& operator=(temp_dir&& other) noexcept;
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir();

  /// Returns the absolute path of the directory.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  /// Returns the path of `name` inside the directory (the file need not exist).
  [[nodiscard]] std::string file(std::string_view name) const;

 private:
  explicit temp_dir(std::string path) : path_(std::move(path)) {}
  void remove() noexcept;

  std::string path_;
};

}  // namespace sb::test
