// prospect/surrogates/bnn/adam.hpp — the Adam optimizer (Kingma & Ba 2015) on a flat
// parameter vector, used to train networks (deep-ensemble members, HMC's pretraining).
//
// m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2,
// theta <- theta - lr m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).
// One step is O(P) for P parameters; the state is 2 P doubles.
#pragma once

#include <string>
#include <vector>

#include "prospect/types.hpp"

namespace prospect::bnn {

/// Adam's settings (defaults of the paper and of PyTorch).
struct AdamOptions {
  /// Step size lr > 0, in units of the parameters per step.
  double learning_rate = 1e-3;
  /// Decay of the first-moment average, in [0, 1).
  double beta1 = 0.9;
  /// Decay of the second-moment average, in [0, 1).
  double beta2 = 0.999;
  /// Added to sqrt(v_hat) to keep the step finite, > 0.
  double epsilon = 1e-8;

  /// Every problem, one message each (empty when valid). Does not throw.
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// Adam's state for one parameter vector.
class Adam {
 public:
  /// For `parameters` >= 0 parameters; throws InvalidArgument listing every problem of
  /// the options.
  Adam(Eigen::Index parameters, AdamOptions options = {});

  /// One step down the gradient `grad` of the loss (size P): updates theta in place.
  /// Throws InvalidArgument on a size mismatch (theta unchanged).
  void step(Eigen::Ref<Vector> theta, VectorCRef grad);
  /// Steps taken so far.
  [[nodiscard]] long steps() const { return t_; }
  [[nodiscard]] const AdamOptions& options() const { return options_; }

 private:
  AdamOptions options_;
  Vector m_, v_;
  long t_ = 0;
  double beta1_power_ = 1.0, beta2_power_ = 1.0;
};

}  // namespace prospect::bnn
