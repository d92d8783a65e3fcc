// prospect/acquisition/quantile.hpp — acquisitions built on predictive quantiles: the
// Thompson-style random-quantile draw of the CQR searcher (Salinas et al., "Optimizing
// Hyperparameters with Conformal Quantile Regression", ICML 2023) and a fixed quantile.
//
// QuantileThompson ("quantile_ts"): at each ask, a fresh set of `candidates` random
// points (randomly shifted Sobol points projected onto the space: integers on their
// levels, categories one-hot) is scored; each candidate's score is ONE of the model's
// predictive quantiles at the given levels, the level drawn uniformly and independently
// per candidate; the best score wins. The predictive distribution at a candidate is thus
// approximated by a uniform mixture of its quantiles and sampled once, as in Thompson
// sampling. No local search follows (Acquisition::candidate_set()): the scores are draws,
// not a smooth function. Syne Tune draws the levels from numpy's global generator; here
// the level of a candidate is a hash of the ask's seed and the candidate's coordinates,
// so an ask is reproducible and a candidate scored twice gets the same draw.
//
// Quantile ("quantile"): the model's quantile at one level, maximized by the acquisition
// optimizer. For a quantile model (capabilities().quantiles: CQR) it is the predicted
// quantile of y, piecewise constant (local searches stall where they start; the raw
// samples do the work). For any other surrogate it is mean + z(level) * sd of the
// posterior of f (latent, no noise), which is UCB with beta = z^2, with its gradient.
//
// Levels are of the MAXIMIZATION-sign objective (the optimizer negates a minimized one):
// a level above 0.5 is optimistic. Units: those of y.
// Cost: one Surrogate::quantiles() (or predict()) on the m rows per evaluate(), O(m L) on
// top; QuantileThompson scores `candidates` points once per ask.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "prospect/acquisition/acquisition.hpp"

namespace prospect::acquisition {

/// Options of the CQR searcher's random-quantile acquisition ("quantile_ts").
struct QuantileThompson {
  /// Fresh random candidates scored at each ask (Syne Tune: 2000).
  int candidates = 2000;
  /// The quantile levels drawn from, each in (0, 1) (CQR's defaults: k/6 rounded to two
  /// decimals). A quantile model predicts these directly; others use their normal
  /// predictive.
  std::vector<double> levels = {0.17, 0.33, 0.5, 0.67, 0.83};
};

/// Options of the fixed-quantile acquisition ("quantile").
struct Quantile {
  /// The level in (0, 1); above 0.5 is optimistic (maximization sign).
  double level = 0.83;
};

/// The random-quantile draw over a fresh candidate set (see the header comment).
class QuantileThompsonSampling final : public Acquisition {
 public:
  /// Throws InvalidArgument for candidates < 1, empty levels or a level outside (0, 1).
  explicit QuantileThompsonSampling(QuantileThompson options = {});

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "quantile_ts".
  [[nodiscard]] std::string name() const override { return "quantile_ts"; }
  /// Marginal predictions only.
  [[nodiscard]] AcquisitionNeeds needs() const override { return {}; }
  /// options().candidates: scored once, no local search.
  [[nodiscard]] Eigen::Index candidate_set() const override { return options_.candidates; }

  /// Binds to context.model (fitted) and keeps context.seed for the draws. Throws
  /// InvalidArgument for a missing or unfitted model; unchanged on throw.
  void prepare(const AcquisitionContext& context) override;
  /// For each row, the model's quantile at the level drawn for it. Throws InvalidState
  /// before prepare(), InvalidArgument for a wrong width or non-finite entries.
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;

  /// The level index drawn for candidate x (0-based into options().levels) after prepare().
  [[nodiscard]] Eigen::Index level_index(VectorCRef x) const;
  [[nodiscard]] const QuantileThompson& options() const { return options_; }

 private:
  QuantileThompson options_;
  Vector levels_;
  const Surrogate* model_ = nullptr;
  std::uint64_t seed_ = 0;
};

/// The model's quantile at a fixed level (see the header comment).
class QuantileAcquisition final : public Acquisition {
 public:
  /// Throws InvalidArgument for a level outside (0, 1).
  explicit QuantileAcquisition(Quantile options = {});

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "quantile".
  [[nodiscard]] std::string name() const override { return "quantile"; }
  /// Marginal predictions only (gradients used when the model has them).
  [[nodiscard]] AcquisitionNeeds needs() const override { return {}; }

  /// Binds to context.model (fitted). Throws InvalidArgument otherwise; unchanged on throw.
  void prepare(const AcquisitionContext& context) override;
  /// The quantile at the m rows of X. Throws as QuantileThompsonSampling::evaluate().
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;
  /// True for a prepared model with input gradients that is not a quantile model.
  [[nodiscard]] bool has_gradient() const override;
  /// mean + z sd and its input gradient (Gaussian-type models). Throws InvalidState when
  /// has_gradient() is false, else as evaluate().
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override;

  [[nodiscard]] const Quantile& options() const { return options_; }

 private:
  Quantile options_;
  double z_ = 0.0;
  const Surrogate* model_ = nullptr;
};

}  // namespace prospect::acquisition
