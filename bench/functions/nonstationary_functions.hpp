// bench/functions/nonstationary_functions.hpp — the problems of the BNN benchmark (issue #5):
// objectives where a stationary GP's assumptions fail, and a high-dimensional one with a
// low-dimensional structure. Every function is to be MINIMIZED.
//
//   cliff3          a sphere cut by a discontinuity: on [0, 1]^3,
//                   f(x) = 10 |x - c|^2 + 2 * 1[x_1 < 0.6], c = (0.5, 0.3, 0.7);
//                   the minimum 0.1 sits ON the cliff, at (0.6, 0.3, 0.7): a smooth model
//                   blurs the step exactly where the optimum is (a failure region next to
//                   the best design, common in engineering studies).
//   gramacy_lee2    Gramacy & Lee (2008): f(x) = x_1 exp(-x_1^2 - x_2^2) on [-2, 6]^2,
//                   flat over most of the domain with all its variation near the origin;
//                   minimum -exp(-1/2)/sqrt(2) at (-1/sqrt(2), 0).
//   levy4_in_20     Levy-4 on 4 of 20 coordinates (3, 7, 12, 18) of [-10, 10]^20, the other 16
//                   ignored: a 20-D search with a 4-D effective subspace; minimum 0 where the
//                   active coordinates are 1.
#pragma once

#include "functions/test_functions.hpp"

namespace prospect::bench {

/// The three functions above, in that order. Built once, thread-safe.
[[nodiscard]] const std::vector<TestFunction>& nonstationary_functions();

/// The function of nonstationary_functions() called `name`; throws InvalidArgument listing
/// the known names otherwise.
[[nodiscard]] const TestFunction& nonstationary_function(const std::string& name);

}  // namespace prospect::bench
