#include "actors/churn/dataset.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <ostream>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>

namespace sb::churn {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

void split(std::string_view line, std::vector<std::string_view>& cells) {
  cells.clear();
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    cells.push_back(
        trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) {
      return;
    }
    start = comma + 1;
  }
}

bool parse(std::string_view cell, double& v) {
  const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  return ec == std::errc{} && ptr == cell.data() + cell.size() && std::isfinite(v);
}

std::string number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string{buf, end} : std::string{"0"};
}

// Reads the header into `d.names`, returning the index of the label column.
result<size_t> read_header(std::string_view line, const std::string& where, dataset& d) {
  std::vector<std::string_view> cells;
  split(line, cells);
  std::set<std::string_view> seen;
  size_t label = cells.size();
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) {
      return error{errc::invalid_argument,
                   where + ": column " + std::to_string(i + 1) + " has no name"};
    }
    if (!seen.insert(cells[i]).second) {
      return error{errc::invalid_argument,
                   where + ": column \"" + std::string{cells[i]} + "\" is given twice"};
    }
    if (cells[i] == label_column) {
      label = i;
    } else {
      d.names.emplace_back(cells[i]);
    }
  }
  if (label == cells.size()) {
    return error{errc::invalid_argument, where + ": no \"" + std::string{label_column} +
                                             "\" column (the 0/1 label) in the header"};
  }
  if (d.names.empty()) {
    return error{errc::invalid_argument,
                 where + ": no feature column besides \"" + std::string{label_column} + "\""};
  }
  return label;
}

}  // namespace

result<dataset> read_csv(std::istream& in, const std::string& source) {
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::string_view all{text};

  dataset d;
  size_t label = 0;
  bool header = true;
  std::vector<std::string_view> cells;
  size_t line_no = 0;
  for (size_t start = 0; start < all.size();) {
    const size_t end = std::min(all.find('\n', start), all.size());
    const std::string_view line = all.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (trim(line).empty()) {
      continue;
    }
    const std::string where = source + ":" + std::to_string(line_no);
    if (header) {
      auto l = read_header(line, where, d);
      if (!l) {
        return l.err();
      }
      label = *l;
      header = false;
      continue;
    }
    split(line, cells);
    if (cells.size() != d.names.size() + 1) {
      return error{errc::invalid_argument, where + ": expected " +
                                               std::to_string(d.names.size() + 1) +
                                               " cells, found " + std::to_string(cells.size())};
    }
    const auto name = [&](size_t c) {
      return c == label ? std::string{label_column} : d.names[c < label ? c : c - 1];
    };
    for (size_t i = 0; i < cells.size(); ++i) {
      double v = 0;
      if (!parse(cells[i], v)) {
        return error{errc::invalid_argument, where + ": column \"" + name(i) + "\": \"" +
                                                 std::string{cells[i]} + "\" is not a number"};
      }
      if (i != label) {
        d.x.push_back(v);
      } else if (v == 0 || v == 1) {
        d.y.push_back(v == 1 ? 1 : 0);
      } else {
        return error{errc::invalid_argument, where + ": column \"" + name(i) +
                                                 "\": the label must be 0 or 1, not " +
                                                 std::string{cells[i]}};
      }
    }
  }
  if (header) {
    return error{errc::invalid_argument, source + ": empty: expected a header line"};
  }
  if (d.rows() == 0) {
    return error{errc::invalid_argument, source + ": no data rows after the header"};
  }
  return d;
}

result<dataset> read_csv_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    const int err = errno;
    return error{errc::config_io, path + ": cannot open: " + std::generic_category().message(err)};
  }
  return read_csv(in, path);
}

void write_csv(std::ostream& out, const dataset& d) {
  std::string line;
  for (const auto& n : d.names) {
    line += n + ",";
  }
  out << line << label_column << "\n";
  for (size_t r = 0; r < d.rows(); ++r) {
    line.clear();
    for (size_t f = 0; f < d.names.size(); ++f) {
      line += number(d.at(r, f));
      line += ',';
    }
    out << line << d.y[r] << "\n";
  }
}

}  // namespace sb::churn
