#include "tests/support/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace sb::test {

result<temp_dir> temp_dir::create(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = (base != nullptr && *base != '\0') ? base : "/tmp";
  pattern.append("/").append(prefix).append("-XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    return error{errc::internal, "mkdtemp(" + pattern + ") failed: " + std::strerror(errno)};
  }
  return temp_dir{std::string{buffer.data()}};
}

temp_dir::temp_dir(temp_dir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

temp_dir& temp_dir::operator=(temp_dir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

temp_dir::~temp_dir() {
  remove();
}

std::string temp_dir::file(std::string_view name) const {
  std::string out = path_;
  out.append("/").append(name);
  return out;
}

void temp_dir::remove() noexcept {
  if (!path_.empty()) {
    // error_code overload: a destructor must not throw, and a leftover directory is harmless.
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    path_.clear();
  }
}

}  // namespace sb::test
