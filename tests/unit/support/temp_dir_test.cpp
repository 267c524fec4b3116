#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;

TEST_CASE("a temp dir exists while it lives and is removed with its contents") {
  std::string path;
  {
    auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-unit"));
    path = dir.path();
    CHECK(fs::is_directory(path));
    CHECK(fs::path{path}.filename().string().rfind("sb-unit-", 0) == 0);
    fs::create_directories(dir.file("a/b"));
    std::ofstream{dir.file("a/b/c.txt")} << "x";
    CHECK(fs::exists(dir.file("a/b/c.txt")));
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("a moved temp dir is removed when its new owner dies") {
  auto first = SB_REQUIRE_OK(sb::test::temp_dir::create());
  const std::string path = first.path();
  {
    sb::test::temp_dir second = std::move(first);
    CHECK(second.path() == path);
  }
  CHECK_FALSE(fs::exists(path));
}
