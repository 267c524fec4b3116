// Reading the training CSV: the label column, numbers, and errors that name line and column.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "actors/churn/dataset.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

result<churn::dataset> read(const std::string& text) {
  std::istringstream in{text};
  return churn::read_csv(in, "data.csv");
}

std::string read_error(const std::string& text) {
  auto r = read(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  return r.err().message;
}

}  // namespace

TEST_CASE("the churned column is the label wherever it stands and the rest are features") {
  const auto d =
      SB_REQUIRE_OK(read("tier, churned ,order_count\r\n"
                         "1,0,3.5\r\n"
                         "\n"
                         " 2 , 1, -4e-1\r\n"
                         "\n"));
  CHECK(d.names == std::vector<std::string>{"tier", "order_count"});
  REQUIRE(d.rows() == 2);
  CHECK(d.y == std::vector<int>{0, 1});
  CHECK(d.at(0, 0) == 1);
  CHECK(d.at(0, 1) == 3.5);
  CHECK(d.at(1, 0) == 2);
  CHECK(d.at(1, 1) == -0.4);
}

TEST_CASE("a CSV without a churned column is refused at its header") {
  CHECK(read_error("tier,order_count\n1,2\n") ==
        "data.csv:1: no \"churned\" column (the 0/1 label) in the header");
}

TEST_CASE("a cell that is not a number is reported with its line and column name") {
  CHECK(read_error("tier,churned\n1,0\nabc,1\n") ==
        "data.csv:3: column \"tier\": \"abc\" is not a number");
}

TEST_CASE("an empty or infinite cell is not a number either") {
  CHECK(read_error("tier,churned\n,0\n") == "data.csv:2: column \"tier\": \"\" is not a number");
  CHECK(read_error("tier,churned\ninf,0\n") ==
        "data.csv:2: column \"tier\": \"inf\" is not a number");
  CHECK(read_error("tier,churned\nnan,0\n") ==
        "data.csv:2: column \"tier\": \"nan\" is not a number");
}

TEST_CASE("a label other than 0 or 1 is refused with its line") {
  CHECK(read_error("tier,churned\n1,1\n2,0.5\n") ==
        "data.csv:3: column \"churned\": the label must be 0 or 1, not 0.5");
  CHECK(read_error("churned,tier\n2,1\n") ==
        "data.csv:2: column \"churned\": the label must be 0 or 1, not 2");
}

TEST_CASE("a row with too few or too many cells is refused") {
  CHECK(read_error("tier,churned\n1\n") == "data.csv:2: expected 2 cells, found 1");
  CHECK(read_error("tier,churned\n1,0,3\n") == "data.csv:2: expected 2 cells, found 3");
}

TEST_CASE("a header naming a column twice or none at all is refused") {
  CHECK(read_error("tier,tier,churned\n") == "data.csv:1: column \"tier\" is given twice");
  CHECK(read_error("tier,,churned\n") == "data.csv:1: column 2 has no name");
  CHECK(read_error("churned\n1\n") == "data.csv:1: no feature column besides \"churned\"");
}

TEST_CASE("a CSV without rows is refused") {
  CHECK(read_error("") == "data.csv: empty: expected a header line");
  CHECK(read_error("tier,churned\n\n") == "data.csv: no data rows after the header");
}

TEST_CASE("a written CSV reads back the same") {
  churn::dataset d;
  d.names = {"a", "b"};
  d.x = {0.1 + 0.2, -3, 1e-9, 365};
  d.y = {1, 0};
  std::ostringstream out;
  churn::write_csv(out, d);
  CHECK(out.str().rfind("a,b,churned\n", 0) == 0);
  const auto back = SB_REQUIRE_OK(read(out.str()));
  CHECK(back.names == d.names);
  CHECK(back.x == d.x);
  CHECK(back.y == d.y);
}

TEST_CASE("a CSV file that does not exist is a config_io error naming it") {
  auto dir = SB_REQUIRE_OK(test::temp_dir::create("sb-churn-csv-test"));
  auto r = churn::read_csv_file(dir.file("absent.csv"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
  CHECK(r.err().message.find("absent.csv: cannot open") != std::string::npos);
}
