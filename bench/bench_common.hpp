// bench/bench_common.hpp — small helpers every benchmark program shares.
#pragma once

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "prospect/surrogates/cqr/quantile_boosting.hpp"

namespace prospect::bench {

/// The non-empty items of a comma-separated list ("gp,cqr" -> {"gp", "cqr"}).
inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

/// The q-quantile (q in [0, 1]) of the non-NaN values, numpy's default linear rule
/// (prospect::linear_quantile); NaN when there are none. O(n log n).
inline double quantile(std::vector<double> v, double q) {
  std::erase_if(v, [](double x) { return std::isnan(x); });
  if (v.empty()) return NAN;
  return prospect::linear_quantile(v, q);
}

}  // namespace prospect::bench
