// prospect/surrogates/bnn/network_mixture.hpp — the predictive shared by the sample-based
// neural-network surrogates (ALGORITHMS.md §5.2): a posterior that is an equally weighted
// set of S networks f_1..f_S of one architecture (HMC samples, deep-ensemble members).
//
//   mean(x)            = (1/S) sum_s f_s(x)
//   latent variance(x) = (1/D) sum_s (f_s(x) - mean(x))^2,  D = S - 1 (HMC samples: the
//                        unbiased estimate, as torch's .var) or S (an ensemble: the exact
//                        variance of the mixture of its members)
//   noise variance(x)  = a constant (HMC) or the members' average variance head (ensemble)
//
// Acquisitions use the LATENT variance, as with a GP; calibration metrics should use the
// observation predictive (latent + noise). The joint posterior is the moment-matched one
// (the members' sample covariance), so Gaussian batch acquisitions work; Monte Carlo
// acquisitions and Thompson sampling prefer function_values(), which keeps the members'
// non-Gaussian spread and the joint of a batch within each member.
//
// Networks see x in the unit cube and predict standardized y; predictions are mapped back
// to the units of y (maximization sign): y = offset + scale * output_0.
//
// Complexity: every prediction at m points costs S network passes, O(S m P) for P
// network parameters; gradients cost the same again. Members run in parallel with
// OpenMP and results do not depend on the thread count. No conditioning (fantasies): the
// knowledge gradient needs a GP.
#pragma once

#include <memory>
#include <vector>

#include "prospect/surrogates/bnn/mlp.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect {

/// A fitted set of networks and its mixture predictive. Derived classes (HMCNetwork,
/// DeepEnsemble) implement fit() and call set_posterior().
class NetworkMixture : public Surrogate {
 public:
  /// input_gradients, joint_posterior, joint_gradients and function_samples; no
  /// conditioning, no incremental updates.
  [[nodiscard]] SurrogateCapabilities capabilities() const override;
  /// At least 2 observations (y is standardized with its spread).
  [[nodiscard]] bool can_fit(const Dataset& data) const override { return data.X.rows() >= 2; }
  [[nodiscard]] bool fitted() const override { return !members_.empty(); }
  [[nodiscard]] Eigen::Index dimension() const override { return dimension_; }

  /// Mixture mean, latent variance and noise variance at the rows of X (m x d).
  /// Throws InvalidState before fit(), InvalidArgument for a wrong column count.
  [[nodiscard]] Predictive predict(MatrixCRef X) const override;
  /// Mean and latent variance at x with their input gradients (backpropagation
  /// through every member).
  [[nodiscard]] PointPrediction predict_with_gradient(VectorCRef x) const override;
  /// The members' sample covariance at the rows of X (m x m, rank <= S - 1).
  [[nodiscard]] Matrix posterior_covariance(MatrixCRef X) const override;
  /// Moment-matched mean and covariance (the whole matrix whatever `coupled`).
  [[nodiscard]] JointPosterior joint_posterior(MatrixCRef X,
                                               Eigen::Index coupled = -1) const override;
  [[nodiscard]] Matrix joint_posterior_gradient(MatrixCRef X, VectorCRef mean_bar,
                                                MatrixCRef covariance_bar,
                                                Eigen::Index coupled = -1,
                                                Eigen::Index wanted = -1) const override;
  /// n_samples rows, each the values at X of a member drawn uniformly (with replacement).
  [[nodiscard]] Matrix sample(MatrixCRef X, Eigen::Index n_samples, Rng& rng) const override;
  [[nodiscard]] Eigen::Index function_count() const override {
    return static_cast<Eigen::Index>(members_.size());
  }
  [[nodiscard]] Matrix function_values(MatrixCRef X) const override;
  /// Network s alone: one forward pass, O(m P).
  [[nodiscard]] Vector function_value(MatrixCRef X, Eigen::Index s) const override;
  [[nodiscard]] Matrix function_values_gradient(MatrixCRef X, MatrixCRef values_bar) const override;
  /// Average observation-noise variance over the training inputs (units of y^2).
  [[nodiscard]] double noise_variance() const override { return noise_average_; }

  /// The seed of the last fit (two 32-bit halves), so that restore() refits exactly.
  [[nodiscard]] Vector state() const override;
  /// fit(data, seed held by state); throws InvalidArgument for a state of the wrong size.
  void restore(const Dataset& data, VectorCRef state) override;

  /// The networks' architecture (valid after fit()).
  [[nodiscard]] const bnn::MLP* network() const { return mlp_.get(); }
  /// The members' parameter vectors (standardized units).
  [[nodiscard]] const std::vector<Vector>& members() const { return members_; }

 protected:
  /// What a fit produced. Output 0 of every member is f in standardized units; with
  /// variance_head, output 1 is s with noise variance softplus(s) + 1e-6 (standardized).
  struct Posterior {
    std::shared_ptr<const bnn::MLP> mlp;
    std::vector<Vector> members;
    double y_offset = 0.0;  ///< units of y
    double y_scale = 1.0;   ///< units of y per standardized unit, > 0
    bool variance_head = false;
    /// Without variance_head: the noise variance in standardized units.
    double noise_variance = 0.0;
    /// Divide the latent variance by S - 1 (true) or by S.
    bool unbiased = true;
    Eigen::Index dimension = 0;
    std::uint64_t seed = 0;
  };
  /// Installs a fitted posterior and computes the average noise over X_train.
  void set_posterior(Posterior posterior, MatrixCRef X_train);
  /// Checks a Dataset as every fit() must (sizes, finiteness, unit cube, n >= 2);
  /// throws InvalidArgument naming the field.
  static void check_data(const Dataset& data, const std::string& who);

 private:
  void require_fitted(const char* caller, Eigen::Index columns) const;
  // Standardized outputs of every member at X: values (S x m) and, with a variance head,
  // head noise variances (S x m).
  void evaluate_members(MatrixCRef X, Matrix& values, Matrix* noise) const;

  std::shared_ptr<const bnn::MLP> mlp_;
  std::vector<Vector> members_;
  double y_offset_ = 0.0, y_scale_ = 1.0;
  bool variance_head_ = false;
  double noise_standardized_ = 0.0;  // standardized
  bool unbiased_ = true;
  Eigen::Index dimension_ = 0;
  double noise_average_ = 0.0;  // units of y^2
  std::uint64_t seed_ = 0;
};

}  // namespace prospect
