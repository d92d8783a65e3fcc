// prospect/acquisition/monte_carlo.hpp — Monte Carlo batch (q-point) acquisitions with
// reparameterization gradients: qEI, qLogEI, qUCB and qLogNEI (ALGORITHMS.md §2.3(c),
// §2.4; BoTorch's qExpectedImprovement, qLogExpectedImprovement,
// qUpperConfidenceBound, qLogNoisyExpectedImprovement).
//
// The q free points are scored jointly: with the joint posterior (mean mu, covariance
// Sigma) of f at the rows [fixed rows; free rows] and N fixed standard-normal base
// samples z_i (scrambled Sobol, drawn ONCE in prepare(): sample-average approximation),
// sample i is xi_i = mu + L z_i, L the Cholesky factor, and the acquisition is the
// average over i of a per-sample utility g(xi_i) (qLogEI/qLogNEI: the log of that
// average, smoothed). The fixed rows are, in this order, the pruned baseline (qLogNEI
// only: observed points that are the best in at least one posterior draw) and the
// pending points (context.X_pending, asked but not told). The factor of the fixed block
// and its samples are computed once in prepare() and reused ("cached root"): only the
// free rows' part L_xF = Sigma_xF L_FF^{-T}, L_xx = chol(Sigma_xx - L_xF L_xF^T) is
// recomputed per evaluation, so baseline and pending samples do not move with the
// candidates (lower variance, and a candidate equal to a pending point adds nothing).
// The q-reduction (max over points) runs over the pending and the free points.
//
// Sample-based surrogates (capabilities().function_samples: HMC networks, deep
// ensembles): the samples are not Gaussian draws but the model's S functions, all of
// them (N = S, `samples` is ignored), each evaluated at the fixed and free rows; the
// average is then the exact expectation under the model's posterior, and qLogNEI's
// baseline keeps the observed points that are some function's argmax. Gradients come
// from Surrogate::function_values_gradient().
//
// Everything MAXIMIZES (the optimizer negates a minimized objective). Values are in
// units of y (qEI, qUCB) or the log of units of y (qLogEI, qLogNEI).
//
// Cost per candidate row, n observations, d dimensions, f fixed rows, q free points,
// N samples: one Surrogate::joint_posterior() of f + q rows coupled to the q free ones
// (GP: O(n^2 (f+q) + n q (f+q))), O(q f^2 + q^2 f + q^3) for the factor, O(N q (f + q))
// for the samples and the utility; the gradient adds one
// Surrogate::joint_posterior_gradient() of f + q rows, wanted for the q free ones only,
// and the same order of work in reverse. q = 1 rows passed to evaluate() together share
// one joint posterior per 64 rows. prepare(): O(N (f+q)) base samples, one joint
// posterior and factor of the f fixed rows; qLogNEI pruning adds a joint posterior,
// factor and prune_samples draws at all n observations (O(n^3 + prune_samples n^2)).
//
// Threads: evaluate() and evaluate_with_gradient() are const and touch no mutable state;
// they may be called from several threads at once (the model's const methods must be
// thread-safe too, as GaussianProcess's are).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "prospect/acquisition/acquisition.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/types.hpp"

namespace prospect::acquisition {

namespace smoothed {
struct KnownColumns;
}  // namespace smoothed

/// Batch expected improvement: mean over samples of max_j (xi_ij - incumbent)^+ over
/// the pending and free points (units of y). Its gradient uses the subgradient of the
/// max and of the ReLU (indicator of the argmax / of a positive improvement).
struct qEI {
  /// Number N of quasi-Monte Carlo base samples, >= 1 (a power of two keeps the Sobol
  /// net property). Error of the estimate ~ 1/N for smooth integrands.
  int samples = 512;
};

/// Batch log expected improvement (Ament et al. 2023): log of the sample mean of a
/// smooth improvement, computed in log space: per sample and point
/// l_ij = log fatplus(xi_ij - incumbent; tau_relu), q-reduction fatmax_j(l_ij; tau_max),
/// then logmeanexp over samples. Smooth; finite where qEI underflows to 0.
struct qLogEI {
  /// Number N of quasi-Monte Carlo base samples, >= 1.
  int samples = 512;
  /// Temperature of the smoothed ReLU (units of y), finite and > 0. fatplus exceeds the
  /// ReLU by at most (log 2 + 0.1) tau_relu.
  double tau_relu = 1e-6;
  /// Temperature of the smoothed max over the q points (log units), finite and > 0.
  /// fatmax exceeds the max by at most tau_max log(q).
  double tau_max = 1e-2;
};

/// Batch upper confidence bound (BoTorch's qUCB): mean over samples of
/// max_j (m_j + sqrt(beta pi / 2) |xi_ij - m_j|), m_j the sample mean of point j. For
/// q = 1 it estimates mean + sqrt(beta) sd (units of y).
struct qUCB {
  /// Variance multiplier (BoTorch convention), finite and >= 0; 4 is two standard
  /// deviations.
  double beta = 4.0;
  /// Number N of quasi-Monte Carlo base samples, >= 1.
  int samples = 512;
};

/// Batch log noisy expected improvement (BoTorch's qLogNEI): as qLogEI, but the
/// incumbent of sample i is the sampled max of f over the baseline, the observed points
/// (context.data->X) pruned to those that are the argmax in at least one of
/// prune_samples joint posterior draws. Needs context.data; ignores context.incumbent.
struct qLogNEI {
  /// Number N of quasi-Monte Carlo base samples, >= 1.
  int samples = 512;
  /// Temperature of the smoothed ReLU (units of y), finite and > 0.
  double tau_relu = 1e-6;
  /// Temperature of the smoothed max over the q points (log units), finite and > 0.
  double tau_max = 1e-2;
  /// Number of joint posterior draws at the observed points used to prune the
  /// baseline, >= 1.
  int prune_samples = 2048;
};

/// Which Monte Carlo acquisition and its options.
using MonteCarloOptions = std::variant<qEI, qLogEI, qUCB, qLogNEI>;

/// A Monte Carlo acquisition that scores q points jointly (joint_batch() is true).
///
/// Rows passed to evaluate() hold the q points concatenated (q*d entries, point j in
/// entries [j d, (j+1) d)). Call set_batch_size() before prepare() (default q = 1).
class MonteCarloAcquisition final : public Acquisition {
 public:
  /// Throws InvalidArgument naming the field and its value for invalid options
  /// (samples or prune_samples < 1, a temperature not finite or <= 0, beta not finite
  /// or negative).
  explicit MonteCarloAcquisition(MonteCarloOptions options);

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "qei", "qlogei", "qucb" or "qlognei".
  [[nodiscard]] std::string name() const override;
  /// Input gradients and the joint posterior (the gradient also needs the model's
  /// capabilities().joint_gradients).
  [[nodiscard]] AcquisitionNeeds needs() const override {
    return {.input_gradients = true, .joint_posterior = true, .conditioning = false};
  }
  [[nodiscard]] Eigen::Index batch_size() const override { return q_; }
  [[nodiscard]] bool joint_batch() const override { return true; }
  /// Sets q >= 1 (InvalidArgument otherwise). A different q than before un-prepares the
  /// acquisition: prepare() must be called again before evaluate().
  void set_batch_size(Eigen::Index q) override;

  /// Binds to context.model (not owned; must outlive the use), which must be fitted and
  /// give the joint posterior. Stores context.X_pending (rows of the model dimension) as
  /// fixed points; qEI/qLogEI store context.incumbent (must be finite); qLogNEI prunes
  /// context.data->X (must be non-empty, model dimension) into its baseline. Draws the
  /// base samples: normal_base_samples(samples, fixed rows + q, context.seed) (the
  /// pruning draws use derive_seed(context.seed, 1)); a fixed block wider than the Sobol
  /// table (3667 columns) falls back to pseudo-random normals. Throws InvalidArgument
  /// for a bad context, NumericalError when the fixed block's covariance cannot be
  /// factored; unchanged on throw.
  void prepare(const AcquisitionContext& context) override;

  /// Values of the m rows of X (m x q*d) into values (size m); each row's value depends
  /// on that row alone. With q = 1 on a joint-posterior model the rows are scored 64 at a
  /// time: one joint posterior of (fixed + 64) rows and one product give all their
  /// samples (the same values as one row at a time, to rounding). Throws InvalidState
  /// before prepare(), InvalidArgument for mismatched sizes or non-finite X,
  /// NumericalError for a non-finite posterior or an unfactorable covariance.
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;

  /// True once prepared with a model whose capabilities() include joint_gradients.
  [[nodiscard]] bool has_gradient() const override;
  /// Value at one row x (size q*d) and its gradient with respect to the q free points
  /// into grad (size q*d), by reverse mode (ALGORITHMS.md §2.4). Throws InvalidState
  /// before prepare() or without joint gradients, otherwise as evaluate().
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override;

  /// The options this acquisition was built with.
  [[nodiscard]] const MonteCarloOptions& options() const { return options_; }
  /// The fixed rows after prepare(): the pruned baseline (qLogNEI) then the pending
  /// points; empty before.
  [[nodiscard]] const Matrix& fixed_points() const { return X_fixed_; }
  /// Number of baseline rows at the top of fixed_points() (0 except for qLogNEI).
  [[nodiscard]] Eigen::Index baseline_size() const { return n_baseline_; }

 private:
  [[nodiscard]] double run(const Matrix& Xq, Vector* grad) const;
  [[nodiscard]] double run_on_functions(const Matrix& Xq, Vector* grad,
                                        const std::string& who) const;
  void evaluate_points(MatrixCRef X, Eigen::Ref<Vector> values) const;
  [[nodiscard]] double reduce(const Matrix& Y, Matrix* Y_bar) const;
  void require_prepared(const char* caller) const;
  [[nodiscard]] Eigen::Index samples() const;
  // (tau_relu, tau_max) of qLogEI / qLogNEI; (0, 0) for the others.
  [[nodiscard]] std::pair<double, double> temperatures() const;

  MonteCarloOptions options_;
  Eigen::Index q_ = 1;
  const Surrogate* model_ = nullptr;
  double incumbent_ = 0.0;
  Matrix X_fixed_;                      // f x d: baseline rows then pending rows
  Eigen::Index n_baseline_ = 0;         // baseline rows at the top of X_fixed_
  bool functions_ = false;              // samples are the model's functions (no Z)
  kernels::RobustCholesky chol_fixed_;  // factor of the fixed block (when f > 0)
  Matrix Z_fixed_;                      // N x f base samples of the fixed rows
  Matrix Z_free_;                       // N x q base samples of the free rows
  Matrix xi_pending_;                   // N x p samples of f at the pending rows
  Vector best_;                         // N per-sample incumbents
  // qLogEI / qLogNEI: the pending columns' log fatplus terms, which every evaluation
  // would otherwise recompute (null when there are none or one is not finite).
  std::shared_ptr<const smoothed::KnownColumns> pending_terms_;
};

/// A fresh, unprepared MonteCarloAcquisition (as its constructor; throws the same).
[[nodiscard]] std::unique_ptr<Acquisition> make_monte_carlo(const MonteCarloOptions& options);

/// "qei", "qlogei", "qucb" or "qlognei".
[[nodiscard]] std::string monte_carlo_name(const MonteCarloOptions& options);

/// The options with defaults named by "qei", "qlogei", "qucb" or "qlognei"
/// (case-insensitive). Throws InvalidArgument for another name, listing the valid ones.
[[nodiscard]] MonteCarloOptions monte_carlo_from_string(const std::string& name);

}  // namespace prospect::acquisition
