// prospect/acquisition/analytic.hpp — closed-form single-point acquisitions:
// expected improvement (EI), its numerically stable logarithm (LogEI, the default),
// the upper confidence bound (UCB), the probability of improvement (PI) and log PI.
//
// Each is a function a(mean, sd) of the marginal posterior at one point (ALGORITHMS.md
// §2.1, §2.2), so its input gradient is a_mean * d mean/dx + a_sd * d sd/dx. The scalar
// functions below give the value and both partial derivatives; AnalyticAcquisition
// applies them to a Surrogate in batch (one predict() for all rows).
//
// Sign convention: LARGER is better for every acquisition in both directions. With
// Direction::maximize, u = (mean - incumbent) / sd; with Direction::minimize (a model
// of an objective to be minimized, for standalone use) u = (incumbent - mean) / sd and
// UCB becomes sqrt(beta) sd - mean, the negated lower confidence bound. The optimizer
// always passes maximize (it negates a minimized objective itself).
//
// The standard deviation is clamped below at sqrt(1e-12) = 1e-6 (units of y); where it
// is clamped its partial derivative is 0.
//
// Cost: O(1) per point for the formulas (erfcx: at most 60 continued-fraction steps);
// evaluate() on m rows costs one Surrogate::predict() on m rows plus O(m);
// evaluate_with_gradient() costs one Surrogate::predict_with_gradient() plus O(d).
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "prospect/acquisition/acquisition.hpp"
#include "prospect/types.hpp"

namespace prospect::acquisition {

/// Smallest standard deviation the analytic acquisitions use: sqrt(1e-12).
inline constexpr double kMinStddev = 1e-6;

/// Value of a scalar acquisition and its partial derivatives.
struct AnalyticValue {
  double value = 0.0;   ///< the acquisition value
  double d_mean = 0.0;  ///< d value / d mean
  double d_sd = 0.0;    ///< d value / d sd (0 where sd was clamped at kMinStddev)
};

/// Expected improvement sd * h(u), h(u) = phi(u) + u Phi(u), over the incumbent
/// (units of y). Loses relative accuracy for u < ~-10 and is exactly 0 below u ~ -38;
/// prefer log_expected_improvement(). Throws InvalidArgument for a non-finite mean or
/// incumbent, or a NaN sd.
[[nodiscard]] AnalyticValue expected_improvement(double mean, double sd, double incumbent,
                                                 Direction direction = Direction::maximize);

/// log EI = log h(u) + log sd with the three-branch log h of Ament et al. (2023):
/// finite and with a useful gradient down to u ~ -1e154 (dimensionless value; sd in
/// units of y). Throws as expected_improvement().
[[nodiscard]] AnalyticValue log_expected_improvement(double mean, double sd, double incumbent,
                                                     Direction direction = Direction::maximize);

/// Probability of improvement Phi(u) (a probability). Throws as expected_improvement().
[[nodiscard]] AnalyticValue probability_of_improvement(double mean, double sd, double incumbent,
                                                       Direction direction = Direction::maximize);

/// log Phi(u), accurate in relative terms for every u (stable log_ndtr); its gradient
/// uses the inverse Mills ratio. Throws as expected_improvement().
[[nodiscard]] AnalyticValue log_probability_of_improvement(
    double mean, double sd, double incumbent, Direction direction = Direction::maximize);

/// Upper confidence bound sqrt(beta) sd + mean (maximize) or sqrt(beta) sd - mean
/// (minimize), units of y; beta is the variance multiplier (BoTorch convention).
/// Throws InvalidArgument for a non-finite mean, a NaN sd, or beta negative or not finite.
[[nodiscard]] AnalyticValue upper_confidence_bound(double mean, double sd, double beta,
                                                   Direction direction = Direction::maximize);

/// Options of expected improvement.
struct EI {
  /// Direction of the model the acquisition is bound to (the optimizer passes maximize).
  Direction direction = Direction::maximize;
};

/// Options of log expected improvement (the default acquisition).
struct LogEI {
  /// Direction of the model the acquisition is bound to (the optimizer passes maximize).
  Direction direction = Direction::maximize;
};

/// Options of the upper confidence bound.
struct UCB {
  /// Variance multiplier: UCB = mean + sqrt(beta) sd. Must be finite and >= 0. The
  /// default 4 is two standard deviations. Ignored when schedule is true.
  double beta = 4.0;
  /// Use the GP-UCB schedule beta_t = 2 log(d t^2 pi^2 / (6 delta)) of Srinivas et al.
  /// (2010), d the model's input dimension and t = max(1, context.iteration).
  bool schedule = false;
  /// Confidence parameter of the schedule, in (0, 1).
  double delta = 0.1;
  /// Direction of the model the acquisition is bound to (the optimizer passes maximize).
  Direction direction = Direction::maximize;
};

/// Options of the probability of improvement.
struct PI {
  /// Direction of the model the acquisition is bound to (the optimizer passes maximize).
  Direction direction = Direction::maximize;
};

/// Options of the log probability of improvement.
struct LogPI {
  /// Direction of the model the acquisition is bound to (the optimizer passes maximize).
  Direction direction = Direction::maximize;
};

/// The analytic options alone (acquisition/choice.hpp holds every choice).
using AnalyticOptions = std::variant<LogEI, EI, UCB, PI, LogPI>;

/// "logei", "ei", "ucb", "pi" or "logpi".
[[nodiscard]] std::string analytic_name(const AnalyticOptions& options);

/// One of the analytic acquisitions bound to a surrogate. Needs no input gradients:
/// without them the optimizer goes derivative-free.
class AnalyticAcquisition final : public Acquisition {
 public:
  /// Throws InvalidArgument for invalid options (UCB beta not finite or negative,
  /// delta outside (0, 1), a direction outside the enumeration).
  explicit AnalyticAcquisition(AnalyticOptions options);

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "logei", "ei", "ucb", "pi" or "logpi".
  [[nodiscard]] std::string name() const override;
  /// Nothing beyond marginal predictions.
  [[nodiscard]] AcquisitionNeeds needs() const override { return {}; }

  /// Stores the model pointer (not owned; must outlive the use), the incumbent and,
  /// for a scheduled UCB, beta_t for context.iteration. Throws InvalidArgument if
  /// context.model is null or not fitted, if the incumbent is not finite (EI, LogEI,
  /// PI, LogPI) or if context.iteration is negative; the object is unchanged on throw.
  void prepare(const AcquisitionContext& context) override;

  /// Values at the m rows of X (m x d, d the model's dimension) into values (size m),
  /// with one model->predict(X). Throws InvalidState before prepare(), InvalidArgument
  /// for mismatched sizes, NumericalError if the model predicts a non-finite mean or
  /// variance.
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;

  /// True once prepared with a model that gives input gradients.
  [[nodiscard]] bool has_gradient() const override;

  /// Value at x (size d) and its gradient a_mean grad mean + a_sd grad var / (2 sd)
  /// into grad (size d). Throws InvalidState before prepare() or without model input
  /// gradients, InvalidArgument for mismatched sizes, NumericalError for a non-finite
  /// prediction.
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override;

  /// The options this acquisition was built with.
  [[nodiscard]] const AnalyticOptions& options() const { return options_; }
  /// The variance multiplier in use (UCB: beta, or beta_t after prepare() with a
  /// schedule; 0 for the other kinds).
  [[nodiscard]] double beta() const { return beta_; }

 private:
  [[nodiscard]] AnalyticValue apply(double mean, double sd) const;
  void require_prepared(const char* caller) const;

  AnalyticOptions options_;
  const Surrogate* model_ = nullptr;
  double incumbent_ = 0.0;
  double beta_ = 0.0;
};

}  // namespace prospect::acquisition
