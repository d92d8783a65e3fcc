// bench/functions/csv.hpp — the numeric CSV files the peers write for the speed benchmarks.
#pragma once

#include <string>
#include <vector>

namespace prospect::bench {

/// A header line and rows of numbers, every row as long as the first.
struct NumericCsv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

/// Reads `path`: one header line, then comma-separated numbers (empty lines skipped).
/// Throws prospect::IoError naming the file for a missing file, a cell that is not a
/// number, rows of different lengths or no rows. O(size of the file).
[[nodiscard]] NumericCsv read_numeric_csv(const std::string& path);

}  // namespace prospect::bench
