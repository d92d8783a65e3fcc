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

/// log fatplus(Y_ij - best_i) and its derivative for columns whose samples do not change
/// between evaluations (the pending points'): computed once by log_fatplus() and passed to
/// log_terms_packed(), which then takes the first L.cols() columns of Y from here.
struct KnownColumns {
  Matrix L;
  Matrix DL;
  /// Fills L and DL for the N x k block Y_known; leaves both empty (nothing known) when a
  /// term is not finite, so that the exact fallback sees the whole block. O(N k).
  void compute(const Matrix& Y_known, const Vector& best, double tau_relu);
  [[nodiscard]] Eigen::Index columns() const { return L.cols(); }
};

/// The same terms as log_terms_rows() by whole-array operations, which Eigen evaluates a
/// packet of samples at a time: equal to it within a few ulps (the logs are Eigen's, not
/// the C library's). Returns false when a term is not finite (an overflow of (z /
/// tau_relu)^2, a non-finite sample), and the caller falls back on log_terms_rows().
/// With `known` (k columns, N rows), the first k columns of Y take its terms instead of
/// recomputing them: the logs then cost O(N (r - k)).
[[nodiscard]] bool log_terms_packed(const Matrix& Y, const Vector& best, double tau_relu,
                                    double log_tau, double tau_max, Vector& a, Matrix* Y_bar,
                                    const KnownColumns* known = nullptr);

/// The values of m single candidates at once: column c of Y_free (N x m) holds candidate
/// c's samples, scored with the `known` columns (the pending points; may be null) as
/// log_terms_packed() then log_mean_exp() would score the block [known, column c], to
/// rounding: values[c] = logmeanexp_i fatmax(known terms of row i, log fatplus(Y_ic -
/// best_i)). No gradient. Returns false when a term is not finite (the caller then scores
/// the columns one at a time). O(N m (k + 1)) for k known columns, one log per entry.
[[nodiscard]] bool log_values_of_columns(const Matrix& Y_free, const Vector& best, double tau_relu,
                                         double log_tau, double tau_max, const KnownColumns* known,
                                         Eigen::Ref<Vector> values);

/// logmeanexp_i a_i; with Y_bar holding d a_i / d Y_ij, multiplies its rows by the softmax
/// weights d logmeanexp / d a_i, so that Y_bar becomes d logmeanexp / d Y. -infinity (and
/// Y_bar zero) when every a_i is.
[[nodiscard]] double log_mean_exp(const Vector& a, Matrix* Y_bar);

}  // namespace prospect::acquisition::smoothed
