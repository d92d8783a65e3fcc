// Checks shared by the network-surrogate tests (not part of the library).
#pragma once

#include <doctest/doctest.h>

#include "prospect/surrogates/surrogate.hpp"

namespace prospect::test {

/// predict() agrees with the model's functions at the rows of Xq (mean; variance with
/// divisor S - 1 when `unbiased`, S otherwise), the joint posterior's diagonal with the
/// variance, and predict_with_gradient() at the 1-D point x with predict() and with central
/// finite differences of it.
inline void check_mixture_predictive(const Surrogate& model, const Matrix& Xq, bool unbiased,
                                     double x0) {
  const Matrix F = model.function_values(Xq);
  REQUIRE(F.rows() == model.function_count());
  const Predictive pq = model.predict(Xq);
  const double divisor = static_cast<double>(F.rows()) - (unbiased ? 1.0 : 0.0);
  for (Eigen::Index j = 0; j < Xq.rows(); ++j) {
    CAPTURE(j);
    CHECK(pq.mean(j) == doctest::Approx(F.col(j).mean()).epsilon(1e-12));
    const double var = (F.col(j).array() - F.col(j).mean()).square().sum() / divisor;
    CHECK(pq.variance(j) == doctest::Approx(var).epsilon(1e-10));
  }
  CHECK(model.joint_posterior(Xq).covariance.diagonal().isApprox(pq.variance, 1e-10));

  Vector x(1);
  x << x0;
  const PointPrediction pp = model.predict_with_gradient(x);
  const double h = 1e-6;
  Vector xp = x, xm = x;
  xp(0) += h;
  xm(0) -= h;
  const Predictive a = model.predict(xp.transpose()), b = model.predict(xm.transpose());
  const Predictive c = model.predict(x.transpose());
  CHECK(pp.mean == doctest::Approx(c.mean(0)).epsilon(1e-12));
  CHECK(pp.variance == doctest::Approx(c.variance(0)).epsilon(1e-10));
  CHECK(pp.mean_gradient(0) ==
        doctest::Approx((a.mean(0) - b.mean(0)) / (2 * h)).epsilon(1e-5).scale(1e-4));
  CHECK(pp.variance_gradient(0) ==
        doctest::Approx((a.variance(0) - b.variance(0)) / (2 * h)).epsilon(1e-5).scale(1e-4));
}

/// A model fitted with seed 42 on `data` (`model`) is reproduced bit for bit by a new model
/// with the same options and seed, by restore() from its state() and by clone(); seed 43
/// gives another model.
template <class Model, class Options>
void check_seed_determinism(const Model& model, const Options& options, const Dataset& data,
                            const Matrix& Xq) {
  const Matrix F = model.function_values(Xq);
  Model again(options);
  again.fit(data, 42);
  CHECK(again.function_values(Xq) == F);
  Model other(options);
  other.fit(data, 43);
  CHECK(other.function_values(Xq) != F);
  Model restored(options);
  restored.restore(data, model.state());
  CHECK(restored.function_values(Xq) == F);
  CHECK(model.clone()->function_values(Xq) == F);
}

}  // namespace prospect::test
