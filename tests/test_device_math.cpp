// CPU tests of what the GPU path shares with the CPU path: the host-and-device element
// functions (kernels/stationary_math.hpp) against the CPU kernels, the device
// contraction's tiling and weights replayed on the CPU, the device options and the
// CPU/GPU decision, and the CPU path of the batched Cholesky. They run on every machine;
// tests/test_gpu.cpp checks the device itself when one is present.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/cuda/gpu.hpp"
#include "kernels/stationary_math.hpp"
#include "prospect/device.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/batched_cholesky.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "test_support.hpp"

using Eigen::Index;
using prospect::kernels::Matrix;
using prospect::kernels::Profile;
using prospect::kernels::Stationary;
using prospect::kernels::StationaryOptions;
using prospect::kernels::Vector;
namespace km = prospect::kernels::detail;

namespace {

using prospect::test::kProfiles;

/// Points by column, scaled: what the device kernels read.
Matrix scaled_columns(const Matrix& X, const Vector& inv_l) {
  Matrix Z = X.transpose();
  for (Index i = 0; i < Z.cols(); ++i) Z.col(i).array() *= inv_l.array();
  return Z;
}

double entry_of(Profile p, const double* a, const double* b, int d, double s) {
  double v = 0.0;
  km::dispatch(p, [&]<Profile P>() { v = km::kernel_entry<P>(a, b, d, s); });
  return v;
}

void accumulate_of(Profile p, const double* a, const double* b, int d, double w, double* acc) {
  km::dispatch(p, [&]<Profile P>() { km::accumulate_pair<P>(a, b, d, w, acc); });
}

/// The device contraction (kernels/cuda/device_kernels.cu) replayed on the CPU: tiles of
/// 32 x 32 pairs over the lower triangle, W(row, col) = alpha_r alpha_c - Kinv(row, col)
/// read from the LOWER triangle of Kinv only, the diagonal feeding the output-scale total
/// and tr(W). Returns the d + 2 totals.
Vector device_contraction(Profile p, const Matrix& Z, const Vector& alpha, const Matrix& Kinv) {
  const Index n = Z.cols();
  const int d = static_cast<int>(Z.rows());
  const Index tile = 32;
  const Index tiles = (n + tile - 1) / tile;
  const double g0 = entry_of(p, Z.data(), Z.data(), d, 1.0);
  Vector totals = Vector::Zero(d + 2);
  for (Index ti = 0; ti < tiles; ++ti) {
    for (Index tj = 0; tj <= ti; ++tj) {
      for (Index e = 0; e < tile * tile; ++e) {
        const Index row = ti * tile + e % tile;
        const Index col = tj * tile + e / tile;
        if (row >= n || col >= n || row < col) continue;
        const double w_half = alpha(row) * alpha(col) - Kinv(row, col);
        if (row == col) {
          totals(d) += w_half * g0;
          totals(d + 1) += w_half;
        } else {
          accumulate_of(p, Z.data() + row * d, Z.data() + col * d, d, 2.0 * w_half, totals.data());
        }
      }
    }
  }
  return totals;
}

}  // namespace

TEST_CASE("the shared element functions reproduce the CPU kernel matrices") {
  std::mt19937_64 rng(1);
  const Index d = 5;
  const Matrix X1 = prospect::test::uniform(17, d, rng);
  const Matrix X2 = prospect::test::uniform(9, d, rng);
  for (const Profile p : kProfiles) {
    CAPTURE(prospect::kernels::to_string(p));
    const Stationary kernel(p, StationaryOptions{.ard = true, .outputscale = true});
    Vector theta(d + 1);
    theta << -1.2, -0.3, 0.4, -2.0, 0.1, 0.7;
    const auto scales = kernel.scales(theta, d);
    REQUIRE(scales.inverse_lengthscales.size() == d);
    CHECK(scales.outputscale == doctest::Approx(std::exp(0.7)));
    const Matrix K = kernel(X1, X2, theta);
    const Matrix Z1 = scaled_columns(X1, scales.inverse_lengthscales);
    const Matrix Z2 = scaled_columns(X2, scales.inverse_lengthscales);
    double worst = 0.0;
    for (Index i = 0; i < X1.rows(); ++i)
      for (Index j = 0; j < X2.rows(); ++j)
        worst = std::max(worst, std::abs(entry_of(p, Z1.data() + i * d, Z2.data() + j * d,
                                                  static_cast<int>(d), scales.outputscale) -
                                         K(i, j)));
    CHECK(worst <= 1e-15);
  }
}

TEST_CASE("the device contraction's tiling and weights give the CPU hyperparameter gradient") {
  std::mt19937_64 rng(2);
  // n = 75 spans three tiles, so diagonal, off-diagonal and ragged tiles all occur.
  const Index n = 75;
  const Index d = 3;
  const Matrix X = prospect::test::uniform(n, d, rng);
  const Vector alpha = prospect::test::uniform(n, 1, rng).col(0).array() - 0.5;
  for (const Profile p : kProfiles) {
    for (const bool ard : {true, false}) {
      CAPTURE(prospect::kernels::to_string(p));
      CAPTURE(ard);
      const Stationary kernel(p, StationaryOptions{.ard = ard, .outputscale = true});
      const Index n_theta = (ard ? d : 1) + 1;
      Vector theta = Vector::LinSpaced(n_theta, -1.0, 0.3);
      Matrix K = kernel(X, X, theta);
      K.diagonal().array() += 0.05;
      const prospect::kernels::RobustCholesky chol(K);
      const Matrix Kinv = chol.inverse();
      // The CPU contraction of the full (symmetric) W.
      const Matrix W = alpha * alpha.transpose() - Kinv;
      Vector expected = Vector::Zero(n_theta);
      kernel.contract_hyperparameter_gradient(X, theta, W, expected);
      // The device's: only Kinv's lower triangle, the upper one poisoned.
      Matrix lower_only = Kinv;
      lower_only.triangularView<Eigen::StrictlyUpper>().setConstant(1e300);
      const auto scales = kernel.scales(theta, d);
      const Vector totals =
          device_contraction(p, scaled_columns(X, scales.inverse_lengthscales), alpha, lower_only);
      Vector got = Vector::Zero(n_theta);
      kernel.add_contraction_gradient(scales, totals.head(d + 1), got);
      CHECK((got - expected).norm() <= 1e-10 * (1.0 + expected.norm()));
      CHECK(totals(d + 1) == doctest::Approx(W.trace()).epsilon(1e-12));
    }
  }
}

TEST_CASE("posterior_variance is the GP's latent variance, floored") {
  std::mt19937_64 rng(3);
  prospect::Dataset data;
  data.X = prospect::test::uniform(30, 2, rng);
  data.y = (3.0 * data.X.col(0)).array().sin() + data.X.col(1).array();
  prospect::GaussianProcess gp(prospect::kernels::Matern52{});
  gp.fit(data, 0);
  const Matrix Xs = prospect::test::uniform(8, 2, rng);
  const auto pred = gp.predict(Xs);
  // Rebuild the latent variance from the element function in standardized units.
  const Vector params = gp.parameters();
  const Stationary& kernel = dynamic_cast<const Stationary&>(gp.kernel());
  const Vector theta = params.head(2);
  Matrix K = kernel(data.X, data.X, theta);
  K.diagonal().array() += std::exp(params(2));
  const prospect::kernels::RobustCholesky chol(K);
  Matrix V = kernel(data.X, Xs, theta);
  chol.solve_lower_in_place(V);
  const double scale2 = pred.noise_variance(0) / std::exp(params(2));
  for (Index j = 0; j < Xs.rows(); ++j) {
    const double v = km::posterior_variance(1.0, V.col(j).squaredNorm(), 1e-12);
    CHECK(v * scale2 == doctest::Approx(pred.variance(j)).epsilon(1e-6));
  }
  CHECK(km::posterior_variance(1.0, 1.5, 1e-12) == 1e-12);
}

TEST_CASE("device names, options and the CPU/GPU decision") {
  using prospect::Device;
  for (const Device d : {Device::automatic, Device::cpu, Device::cuda})
    CHECK(prospect::device_from_string(prospect::to_string(d)) == d);
  CHECK_THROWS_AS((void)prospect::device_from_string("gpu"), prospect::InvalidArgument);

  prospect::DeviceOptions o;
  CHECK(o.validate().empty());
  o.min_observations = 0;
  o.min_batch = 0;
  o.device_id = -1;
  o.min_prediction_pairs = std::nan("");
  CHECK(o.validate().size() == 4);

  const prospect::DeviceInfo info = prospect::cuda_device_info();
  CHECK(info.built == prospect::gpu::built());
  CHECK(info.available == (info.reason.empty()));
  MESSAGE("CUDA device: " << info.brief_report());

  // cpu never, automatic only when large enough, supported and available.
  CHECK_FALSE(prospect::use_cuda(Device::cpu, true, true, "test"));
  CHECK_FALSE(prospect::use_cuda(Device::automatic, false, true, "test"));
  CHECK_FALSE(prospect::use_cuda(Device::automatic, true, false, "test"));
  CHECK(prospect::use_cuda(Device::automatic, true, true, "test") == info.available);
  CHECK_THROWS_AS((void)prospect::use_cuda(o, true, true, "test"), prospect::InvalidOptions);
  if (info.available) {
    CHECK(prospect::use_cuda(Device::cuda, false, true, "test"));
    CHECK_THROWS_AS((void)prospect::use_cuda(Device::cuda, true, false, "test"),
                    prospect::DeviceError);
  } else {
    try {
      (void)prospect::use_cuda(Device::cuda, true, true, "the operation");
      FAIL("expected DeviceError");
    } catch (const prospect::DeviceError& e) {
      const std::string message = e.what();
      CHECK(message.find("the operation") != std::string::npos);
      CHECK(message.find("device = cuda") != std::string::npos);
      CHECK(message.find("auto") != std::string::npos);
    }
  }
}

TEST_CASE("a GP asked to run on a missing GPU says so and keeps its state") {
  if (prospect::cuda_device_info().available) {
    MESSAGE("a CUDA device is present: tests/test_gpu.cpp covers this path");
    return;
  }
  std::mt19937_64 rng(4);
  prospect::Dataset data;
  data.X = prospect::test::uniform(12, 2, rng);
  data.y = data.X.col(0) + data.X.col(1);
  prospect::GaussianProcess gp(prospect::kernels::Matern52{});
  gp.fit(data, 0);
  const Vector before = gp.parameters();
  prospect::GaussianProcessOptions o;
  o.device = prospect::Device::cuda;
  prospect::GaussianProcess on_gpu(prospect::kernels::Matern52{}, o);
  CHECK_THROWS_AS(on_gpu.fit(data, 0), prospect::DeviceError);
  CHECK_FALSE(on_gpu.fitted());
  // automatic falls back to the CPU with the same result as cpu.
  o.device = prospect::Device::automatic;
  o.device.min_observations = 1;
  prospect::GaussianProcess automatic(prospect::kernels::Matern52{}, o);
  automatic.fit(data, 0);
  CHECK((automatic.parameters() - before).norm() == 0.0);
}

TEST_CASE("batched Cholesky solves on the CPU match one system at a time") {
  std::mt19937_64 rng(5);
  const Index n = 12;
  const Index k = 3;
  const Index batch = 7;
  Matrix A(n, n * batch);
  Matrix B = prospect::test::uniform(n, k * batch, rng);
  for (Index b = 0; b < batch; ++b) {
    const Matrix G = prospect::test::uniform(n, n, rng);
    A.middleCols(b * n, n) = G * G.transpose() + Matrix::Identity(n, n);
  }
  // System 4 is indefinite.
  A.middleCols(4 * n, n)(0, 0) = -1.0;
  const auto out = prospect::kernels::cholesky_solve_batched(A, B, batch, prospect::Device::cpu);
  CHECK_FALSE(out.on_gpu);
  CHECK(out.failed() == 1);
  CHECK(out.info[4] != 0);
  CHECK(std::isnan(out.log_determinant(4)));
  CHECK(out.X.middleCols(4 * k, k).array().isNaN().all());
  for (Index b = 0; b < batch; ++b) {
    if (b == 4) continue;
    CAPTURE(b);
    const prospect::kernels::RobustCholesky chol(A.middleCols(b * n, n));
    CHECK(out.info[static_cast<std::size_t>(b)] == 0);
    CHECK(chol.jitter() == 0.0);
    const Matrix expected = chol.solve(B.middleCols(b * k, k));
    CHECK((out.X.middleCols(b * k, k) - expected).norm() <= 1e-12 * expected.norm());
    CHECK(out.log_determinant(b) == doctest::Approx(chol.log_determinant()).epsilon(1e-12));
  }
  // automatic below min_batch stays on the CPU whatever the machine has.
  prospect::DeviceOptions automatic;
  automatic.min_batch = batch + 1;
  CHECK_FALSE(prospect::kernels::cholesky_solve_batched(A, B, batch, automatic).on_gpu);
}

TEST_CASE("batched Cholesky refuses malformed batches, naming the parameter") {
  const Matrix A = Matrix::Identity(3, 6);
  const Matrix B = Matrix::Ones(3, 4);
  auto message_of = [&](const Matrix& a, const Matrix& b, Index batch) {
    try {
      (void)prospect::kernels::cholesky_solve_batched(a, b, batch, prospect::Device::cpu);
    } catch (const prospect::InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message_of(A, B, 0).find("batch = 0") != std::string::npos);
  CHECK(message_of(A, B, 3).find("A is 3 x 6") != std::string::npos);
  CHECK(message_of(A, Matrix::Ones(3, 3), 2).find("B is 3 x 3") != std::string::npos);
  Matrix bad = Matrix::Identity(3, 6);
  bad(1, 1) = std::nan("");
  CHECK(message_of(bad, B, 2).find("non-finite") != std::string::npos);
}
