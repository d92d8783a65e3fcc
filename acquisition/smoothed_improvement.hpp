// acquisition/smoothed_improvement.hpp — private numerics of qLogEI and qLogNEI.
//
// The smooth per-sample utility of the log Monte Carlo acquisitions (ALGORITHMS.md
// §2.3(c), Ament et al. 2023): log fatplus of each candidate's improvement, a fat-tailed
// soft maximum over the q candidates, then logmeanexp over the N samples. Everything is
// in the units of y (the model's standardized maximization scale); tau_relu and tau_max
// are BoTorch's temperatures (1e-6 and 1e-2 by default).
//
// Complexity: O(N r) for N samples of r columns, one log per entry (the rare entries
// within 745 tau_relu of the kink: an exp and a log1p more), one log and one exp per
// sample.
#pragma once

#include <vector>

#include "prospect/types.hpp"

namespace prospect::acquisition::smoothed {

/// log fatplus(z; tau) and its derivative in z.
struct LogFatplus {
  double value;
  double derivative;
};

/// log fatplus(z; tau) = log(tau [softplus(z/tau) + 0.1 / (1 + (z/tau)^2)]): the Cauchy
/// term keeps value and gradient alive far below the ReLU's kink. log_tau = log(tau) is
/// passed in because the function runs N r times per evaluation. O(1).
[[nodiscard]] LogFatplus log_fatplus(double z, double tau, double log_tau);

/// fatmax(v; tau) = M + tau log sum_j p((M - v_j) / tau), p(t) = 2 / (2 + 2t + t^2), M =
/// max v, and dv = d fatmax / d v (it sums to 1; p'(0) = -1 makes it C^1 at ties). dv and
/// the scratch dp have v's size; -infinity when every v_j is. O(v.size()).
[[nodiscard]] double fatmax(const std::vector<double>& v, double tau, std::vector<double>& dv,
                            std::vector<double>& dp);

/// The per-sample terms a_i = fatmax_j log fatplus(Y_ij - best_i) of an N x r block of
/// samples Y, one sample at a time: exact for any input. a has N entries; with Y_bar (N x
/// r, resized by the caller), Y_bar(i, j) = d a_i / d Y_ij.
void log_terms_rows(const Matrix& Y, const Vector& best, double tau_relu, double log_tau,
                    double tau_max, Vector& a, Matrix* Y_bar);

/// The same terms as log_terms_rows() by whole-array operations, which Eigen evaluates a
/// packet of samples at a time: equal to it within a few ulps (the logs are Eigen's, not
/// the C library's). Returns false when a term is not finite (an overflow of (z /
/// tau_relu)^2, a non-finite sample), and the caller falls back on log_terms_rows().
[[nodiscard]] bool log_terms_packed(const Matrix& Y, const Vector& best, double tau_relu,
                                    double log_tau, double tau_max, Vector& a, Matrix* Y_bar);

/// logmeanexp_i a_i; with Y_bar holding d a_i / d Y_ij, multiplies its rows by the softmax
/// weights d logmeanexp / d a_i, so that Y_bar becomes d logmeanexp / d Y. -infinity (and
/// Y_bar zero) when every a_i is.
[[nodiscard]] double log_mean_exp(const Vector& a, Matrix* Y_bar);

}  // namespace prospect::acquisition::smoothed
