#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace sb::churn {

/// The column of the training CSV that holds the label: 1 churned, 0 stayed.
inline constexpr const char* label_column = "churned";

/// Labelled rows for training the churn model: numeric features by column name plus a 0/1 label.
/// A plain value owned by its user (sbctl train-churn, tests); not shared between threads.
struct dataset {
  std::vector<std::string> names;  ///< feature columns, in the order of the CSV
  std::vector<double> x;           ///< row-major: row r, feature f at x[r * names.size() + f]
  std::vector<int> y;              ///< one label per row, 0 or 1

  /// Returns the number of rows.
  [[nodiscard]] size_t rows() const noexcept { return y.size(); }

  /// Returns feature `f` of row `r`.
  [[nodiscard]] double at(size_t r, size_t f) const { return x[r * names.size() + f]; }
};

/// Returns the rows of a CSV text: a header of column names, then one row of numbers per line.
/// Column `churned` is the label (0 or 1), every other column a feature. Empty lines are skipped;
/// cells are trimmed; quoting is not supported. Errors (invalid_argument) name `source`, the
/// 1-based line and the column: a missing or duplicate column, a wrong cell count, a cell that
/// is not a finite number, a label other than 0 or 1, no feature column, no row.
result<dataset> read_csv(std::istream& in, const std::string& source);

/// Returns read_csv() of the file at `path`; config_io if it cannot be opened.
result<dataset> read_csv_file(const std::string& path);

/// Writes `d` as CSV that read_csv() reads back: the feature columns, then `churned`. Numbers are
/// in shortest round-trip form.
void write_csv(std::ostream& out, const dataset& d);

}  // namespace sb::churn
