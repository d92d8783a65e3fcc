// prospect/acquisition/knowledge_gradient.hpp — knowledge-gradient acquisitions with
// exact gradients (ALGORITHMS.md §2.6, §2.3(a)).
//
// KG_n(x) = E_n[max_x' mu_{n+1}(x') - max_x' mu_n(x') | next sample at x]: the expected
// gain in the best posterior mean that one more (noisy) observation would bring. Three
// pieces:
//
//  * discrete_knowledge_gradient(a, b): the exact E[max_i a_i + b_i Z] - max_i a_i for
//    Z ~ N(0, 1) by the upper envelope of the lines (Frazier, Powell & Dayanik 2009),
//    with its exact gradient (envelope theorem). O(M log M).
//  * FiniteKnowledgeGradient: that formula on a finite set A = observed points U the
//    current maximizer of mu_n U {x} (finite-set KG), or A = observed U {x} with the
//    baseline over the observed points only (Frazier's decision-theoretic noisy EI).
//    Single point, exact value and input gradient.
//  * KnowledgeGradient: BoTorch's one-shot qKG (Balandat et al. 2020). The fantasy
//    maximizers x'_1..x'_F are auxiliary coordinates optimized jointly with the q
//    candidates; value = mean_j mu^(j)_{n+q}(x'_j) - max_x mu_n(x) with fixed QMC base
//    samples, a deterministic smooth function with an exact reverse-mode gradient.
//
// Units: every value is in the units of y (a difference of posterior means); inputs are
// in the unit cube. Everything is for MAXIMIZATION.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "prospect/acquisition/acquisition.hpp"
#include "prospect/types.hpp"

namespace prospect::acquisition {

/// Value and exact gradient of the discrete knowledge gradient.
struct DiscreteKGResult {
  double value = 0.0;  ///< E[max_i a_i + b_i Z] - max_i a_i >= 0 (units of a)
  Vector grad_a;       ///< d value / d a (size M); non-zero only on envelope lines
  Vector grad_b;       ///< d value / d b (size M); non-zero only on envelope lines
};

/// E[max_i (a_i + b_i Z)] - max_i a_i, Z ~ N(0, 1), computed exactly from the upper
/// envelope of the M lines z -> a_i + b_i z (Frazier, Powell & Dayanik 2009, Algorithm 1)
/// as sum_k (b_{k+1} - b_k) f(-|c_k|), f(z) = z Phi(z) + phi(z) evaluated as exp(log h(z))
/// so that each (non-negative) term keeps full relative accuracy. Gradient (envelope
/// theorem, breakpoint motion cancels): d/da_k = Phi(c_{k+1}) - Phi(c_k) - [k wins at
/// Z = 0], d/db_k = phi(c_k) - phi(c_{k+1}) for envelope line k on (c_k, c_{k+1}); 0 for
/// lines never on the envelope. Among lines with equal slope only the largest intercept
/// (the first index on a tie) counts. Cost O(M log M) (a sort, then a linear stack pass).
/// Throws InvalidArgument for empty or mismatched a and b, or non-finite entries.
[[nodiscard]] DiscreteKGResult discrete_knowledge_gradient(VectorCRef a, VectorCRef b);

/// Options of the one-shot knowledge gradient (BoTorch qKnowledgeGradient semantics).
/// KG spends evaluations where they inform the posterior mean, not on the optimum
/// itself: take its answer from Optimizer::recommend() (the posterior mean's maximizer),
/// not best() (the best evaluated point). On noisy Hartmann-6 that is 0.142 against 0.221
/// median regret (docs/benchmarks.md, issue #3).
struct KG {
  /// Number of fantasies F (QMC base samples); the optimizer also searches F fantasy
  /// maximizers, F * d auxiliary coordinates. In [1, 4096].
  int fantasies = 64;
  /// Local searches when maximizing the posterior mean for current_value (>= 1).
  int mean_restarts = 10;
  /// Sobol raw samples scored before those local searches (>= 1).
  int mean_raw_samples = 512;
  /// L-BFGS starts of the optimizer's inner search for this acquisition, in place of
  /// Options::inner.restarts (0: use that). One evaluation costs about a hundred
  /// analytic ones and the search has (q + fantasies) d variables; on the issue-#3
  /// benchmark data 4 starts x 100 evaluations found the same maximizer as BoTorch's
  /// 10 x 200 at a quarter of the time. >= 0.
  int restarts = 4;
  /// Evaluations per inner L-BFGS start, in place of Options::inner.max_evaluations
  /// (0: use that). >= 0.
  int max_evaluations = 100;
};

/// Options of the cost-aware multi-fidelity knowledge gradient ("mfkg"; Wu & Frazier
/// 2017, BoTorch's qMultiFidelityKnowledgeGradient with project_to_target_fidelity and
/// InverseCostWeightedUtility): the one-shot KG whose fantasy maximizers are searched at
/// the target fidelity (the value of information is what it teaches about the target),
/// per fantasy gain Delta_j divided by the cost C(X) of the q evaluations (multiplied by
/// it when Delta_j < 0, so that cheap points are not rewarded for a loss). The candidates'
/// fidelity columns are searched with their designs.
struct MFKG {
  /// Fantasies, posterior-mean search and inner-search budget, as for KG.
  KG kg{};
  /// Divide the gain by the cost (true) or value information per evaluation (false).
  bool cost_aware = true;
};

/// Options of the exact finite-set knowledge gradient / Frazier's noisy EI.
struct FiniteKG {
  /// false: A = observed points U current maximizer of mu_n U {x}, baseline max over A
  /// of mu_n (finite-set KG, "finite_kg"). true: A = observed U {x}, baseline max over the
  /// observed points (Frazier's noisy EI, "nei"; the maximizer of mu_n is not searched).
  bool noisy_ei = false;
  /// Local searches when maximizing the posterior mean (KG only, >= 1).
  int mean_restarts = 10;
  /// Sobol raw samples scored before those local searches (>= 1).
  int mean_raw_samples = 512;
};

/// The maximum of a surrogate's posterior mean over [0, 1]^d.
struct MeanMaximum {
  Vector x;            ///< the best point found (size d)
  double value = 0.0;  ///< mu_n(x), units of y
};

/// Maximizes the posterior mean of a fitted model with optimize_acquisition (L-BFGS
/// with the model's input gradients, derivative-free without them), the rows of
/// `anchors` (may be empty) scored too; the result is never worse than the best anchor.
/// Deterministic in the seed. Throws InvalidArgument for a null or unfitted model or
/// anchors of the wrong width; whatever the model throws is rethrown. Cost:
/// raw_samples + restarts * 200 mean predictions, O(n d + n^2) each for a GP.
/// With a non-empty `target_fidelity` (size m) the last m columns are held at it (the
/// anchors too): the maximum of the posterior mean at the target fidelity.
[[nodiscard]] MeanMaximum maximize_posterior_mean(const Surrogate& model, MatrixCRef anchors,
                                                  std::uint64_t seed, int restarts = 10,
                                                  int raw_samples = 512,
                                                  VectorCRef target_fidelity = Vector());

/// Exact finite-set KG / Frazier noisy EI of one point (q = 1), with its exact input
/// gradient. Per evaluated point: one joint_posterior of the M = |A| + 1 rows [x; A]
/// coupled to x only (GP: O(n^2 M + n M)), the envelope O(M log M); the gradient adds
/// one joint_posterior_gradient (GP: O(n^2 M + M (n + 1) d)).
class FiniteKnowledgeGradient final : public Acquisition {
 public:
  /// Throws InvalidArgument for mean_restarts or mean_raw_samples < 1.
  explicit FiniteKnowledgeGradient(FiniteKG options = {});

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "finite_kg" or "nei".
  [[nodiscard]] std::string name() const override;
  /// Input gradients, the joint posterior and conditioning: the fantasy update it computes
  /// from the joint posterior is a GP's conditioning, which a model without
  /// capabilities().conditioning (a network mixture, whose moment-matched Gaussian would
  /// only approximate it) does not promise.
  [[nodiscard]] AcquisitionNeeds needs() const override { return {true, true, true}; }

  /// Binds to context.model (not owned) and context.data (its X becomes A; copied).
  /// KG: also maximizes mu_n (seed context.seed), adding the maximizer to A. Throws
  /// InvalidArgument for a null or unfitted model, a model without a joint posterior,
  /// null data or data with no rows or the wrong width, a negative or non-finite noise
  /// variance; unchanged on throw.
  void prepare(const AcquisitionContext& context) override;
  /// Values at the m rows of X (m x d). Throws InvalidState before prepare(),
  /// InvalidArgument for a wrong width or non-finite entries.
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;
  /// True once prepared with a model that has joint_gradients.
  [[nodiscard]] bool has_gradient() const override;
  /// Value at x (size d) and d value / dx into grad (size d). Throws InvalidState before
  /// prepare() or without joint gradients, InvalidArgument as evaluate().
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override;

  [[nodiscard]] const FiniteKG& options() const { return options_; }
  /// The fixed part of A (observed points, then the maximizer of mu_n for KG).
  [[nodiscard]] const Matrix& fixed_set() const { return A_; }

 private:
  double compute(VectorCRef x, Vector* grad) const;
  void require_prepared(const char* caller) const;

  FiniteKG options_;
  const Surrogate* model_ = nullptr;
  Matrix A_;                 // fixed points of A
  Eigen::Index n_base_ = 0;  // baseline rows of A_ (noisy EI: the observed points)
  double noise_ = 0.0;
};

/// BoTorch's one-shot q-knowledge gradient. A row is [x_1..x_q (q*d); x'_1..x'_F (F*d)].
/// Multi-fidelity (MFKG): each x'_j has only the d - m design coordinates and is
/// evaluated at the target fidelity [x'_j, target]; with a cost model the value is
/// (1/F) sum_j U(Delta_j), U(D) = D / C for D > 0 and D * C otherwise, C = sum_i c(x_i)
/// the cost of the q candidates, Delta_j the j-th fantasy's gain; the gradient includes
/// the cost's.
/// With P = [X_pending; X_q] (Q = p + q points, pending points fantasized together with
/// the candidates), C = Sigma_n(P, P) + noise I = L L^T and fixed base samples zeta_j
/// (F x Q, normal_base_samples(F, Q, seed)):
///   value = (1/F) sum_j [mu_n(x'_j) + Sigma_n(x'_j, P) L^{-T} zeta_j] - current_value,
/// current_value = max_x mu_n(x) found in prepare(). The gradient with respect to every
/// candidate and fantasy coordinate is exact (reverse mode through L with
/// cholesky_adjoint, then joint_posterior_gradient).
/// Cost per row: one joint_posterior of m = Q + F rows (GP: O(n^2 m + n m^2 + m^2 d)),
/// O(Q^3 + F Q^2) for the factor and solves; the gradient adds one
/// joint_posterior_gradient (GP: O(n^2 m + n m^2 + m (n + m) d)) and O(Q^3 + F Q^2). The
/// F x F covariance among fantasy points is computed but unused (the Surrogate interface
/// has no block-only call): the n m^2 terms dominate once F > n.
class KnowledgeGradient final : public Acquisition {
 public:
  /// Throws InvalidArgument for fantasies outside [1, 4096] or mean_restarts /
  /// mean_raw_samples < 1.
  explicit KnowledgeGradient(KG options = {});
  /// The multi-fidelity version; throws as the KG constructor.
  explicit KnowledgeGradient(MFKG options);

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "kg" or "mfkg".
  [[nodiscard]] std::string name() const override { return multi_fidelity_ ? "mfkg" : "kg"; }
  /// True for MFKG: it searches the candidates' fidelity columns.
  [[nodiscard]] bool fidelity_aware() const override { return multi_fidelity_; }
  /// Input gradients, the joint posterior and conditioning: the fantasy update it computes
  /// from the joint posterior is a GP's conditioning, which a model without
  /// capabilities().conditioning (a network mixture, whose moment-matched Gaussian would
  /// only approximate it) does not promise.
  [[nodiscard]] AcquisitionNeeds needs() const override { return {true, true, true}; }
  [[nodiscard]] Eigen::Index batch_size() const override { return q_; }
  [[nodiscard]] bool joint_batch() const override { return true; }
  /// Sets q (>= 1, InvalidArgument otherwise); call prepare() again afterwards.
  void set_batch_size(Eigen::Index q) override;
  /// fantasies * d after prepare() (fantasies * (d - m) for MFKG; 0 before).
  [[nodiscard]] Eigen::Index auxiliary_size() const override;
  /// For each fantasy j, sets x'_j to the point of largest fantasy mean mu^(j) among
  /// the observed points, the maximizer of mu_n, the 16 best of 512 Sobol points under
  /// mu_n (all found in prepare()) and the q candidates of the row. Cost: one
  /// joint_posterior of Q + (n + 17 + q) rows. Throws InvalidState before prepare(),
  /// InvalidArgument for a wrong size or non-finite candidates.
  void complete_auxiliary(Eigen::Ref<Vector> row) const override;

  /// Binds to context.model (not owned); copies context.X_pending; draws the base
  /// samples from context.seed; maximizes mu_n for current_value (anchored at
  /// context.data->X when data is given). Throws InvalidArgument for a null or unfitted
  /// model, a model without a joint posterior, pending points of the wrong width or
  /// non-finite, data of the wrong width, p + q > 3667, a negative or non-finite noise
  /// variance; unchanged on throw. MFKG: also InvalidArgument when context.target_fidelity
  /// is empty or not shorter than d; the cost model is context.cost (null: unit cost).
  void prepare(const AcquisitionContext& context) override;
  /// Values at the m rows of X (m x (q*d + F*d)). Throws InvalidState before
  /// prepare(), InvalidArgument for a wrong width or non-finite entries, NumericalError
  /// when Sigma(P, P) + noise I cannot be factored.
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;
  /// True once prepared with a model that has joint_gradients.
  [[nodiscard]] bool has_gradient() const override;
  /// Value at one row and its gradient (same size) into grad. Throws as evaluate(),
  /// and InvalidState without joint gradients.
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override;

  [[nodiscard]] const KG& options() const { return options_; }
  /// max_x mu_n(x) found in prepare() (units of y).
  [[nodiscard]] double current_value() const { return current_value_; }
  /// The maximizer of mu_n found in prepare().
  [[nodiscard]] const Vector& mean_maximizer() const { return x_star_; }
  /// The fixed base samples zeta (F x Q).
  [[nodiscard]] const Matrix& base_samples() const { return zeta_; }

 private:
  double compute(VectorCRef row, Vector* grad) const;
  void require_prepared(const char* caller) const;
  void check_row(VectorCRef row, const char* caller) const;

  KG options_;
  bool multi_fidelity_ = false;
  bool cost_aware_ = false;
  Eigen::Index q_ = 1;
  Eigen::Index d_ = 0;
  Eigen::Index design_d_ = 0;  // coordinates of one fantasy maximizer (d - m)
  Vector target_;              // encoded target fidelity (MFKG), empty otherwise
  std::shared_ptr<const CostModel> cost_;
  const Surrogate* model_ = nullptr;
  Matrix pending_;
  Matrix zeta_;
  Matrix candidates_;  // complete_auxiliary's fixed candidates
  Vector x_star_;
  double current_value_ = 0.0;
  double noise_ = 0.0;
};

/// Options of a knowledge-gradient acquisition.
using KnowledgeGradientChoice = std::variant<KG, FiniteKG, MFKG>;

/// A fresh, unprepared KnowledgeGradient (KG) or FiniteKnowledgeGradient (FiniteKG).
/// Throws InvalidArgument for invalid options.
[[nodiscard]] std::unique_ptr<Acquisition> make_knowledge_gradient(
    const KnowledgeGradientChoice& choice);

/// "kg", "finite_kg", "nei" (FiniteKG with noisy_ei) or "mfkg".
[[nodiscard]] std::string to_string(const KnowledgeGradientChoice& choice);

}  // namespace prospect::acquisition
