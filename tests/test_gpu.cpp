// GPU tests: the device path against the CPU path, on a machine with a CUDA device.
// Without one (or in a build without the CUDA part) the executable prints why and exits
// 77, which ctest reports as skipped. scripts/gpu-check.sh runs it on a GPU machine.
//
// Tolerances (docs/gpu.md): kernel matrices 1e-14 absolute; log-likelihood 1e-9
// relative; its gradient 1e-6 relative to its norm (K^{-1} from a different
// factorization order, amplified by cond(K)); predictions 1e-9 of the data's scale;
// batched solves 1e-10 relative; fitted optimum 1e-5; KG values 1e-7.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/cuda/gpu.hpp"
#include "prospect/acquisition/knowledge_gradient.hpp"
#include "prospect/device.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/batched_cholesky.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "test_support.hpp"

using Eigen::Index;
using prospect::Dataset;
using prospect::Device;
using prospect::GaussianProcess;
using prospect::GaussianProcessOptions;
using prospect::kernels::Matrix;
using prospect::kernels::Profile;
using prospect::kernels::Stationary;
using prospect::kernels::StationaryOptions;
using prospect::kernels::Vector;

namespace {

using prospect::test::kProfiles;

/// True when the "device" is tests/fake_cuda's CPU emulation (test_gpu_emulated): the
/// sizes shrink so that the sanitizer build runs it in seconds; the paths are the same.
bool emulated = false;
Index size(Index on_device, Index on_emulation) {
  return emulated ? on_emulation : on_device;
}

Dataset make_data(Index n, Index d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset data;
  data.X = prospect::test::uniform(n, d, rng);
  data.y.resize(n);
  for (Index i = 0; i < n; ++i) {
    double v = 0.0;
    for (Index j = 0; j < d; ++j) v += std::sin(5.0 * data.X(i, j) + static_cast<double>(j));
    data.y(i) = v + 0.1 * normal(rng);
  }
  return data;
}

GaussianProcessOptions on(Device device) {
  GaussianProcessOptions o;
  o.device = device;
  return o;
}

/// A fitted CPU model and the same model (same parameters) whose calls go to the GPU.
struct Pair {
  GaussianProcess cpu;
  GaussianProcess gpu;
  Pair(const Stationary& kernel, const Dataset& data)
      : cpu(kernel, on(Device::cpu)), gpu(kernel, on(Device::cuda)) {
    cpu.fit(data, 0);
    gpu.fit_fixed(data, cpu.parameters());
  }
};

}  // namespace

TEST_CASE("device kernel matrices equal the CPU kernels") {
  std::mt19937_64 rng(1);
  const Matrix X1 = prospect::test::uniform(300, 6, rng);
  const Matrix X2 = prospect::test::uniform(123, 6, rng);
  for (const Profile p : kProfiles) {
    CAPTURE(prospect::kernels::to_string(p));
    const Stationary kernel(p, StationaryOptions{.ard = true, .outputscale = true});
    Vector theta(7);
    theta << -1.0, -0.5, 0.0, 0.5, -2.0, -1.5, 0.3;
    const auto scales = kernel.scales(theta, 6);
    const Matrix K_gpu = prospect::gpu::stationary_matrix(0, p, X1, X2, scales.inverse_lengthscales,
                                                          scales.outputscale);
    const Matrix K_cpu = kernel(X1, X2, theta);
    CHECK((K_gpu - K_cpu).cwiseAbs().maxCoeff() <= 1e-14);
  }
}

TEST_CASE("GP log-likelihood and gradient on the device match the CPU path") {
  const Dataset data = make_data(size(700, 120), 6, 2);
  for (const Profile p : kProfiles) {
    CAPTURE(prospect::kernels::to_string(p));
    const Stationary kernel(p, StationaryOptions{.ard = true, .outputscale = true});
    Pair models(kernel, data);
    const Vector params = models.cpu.parameters();
    for (const double shift : {0.0, 0.3}) {
      const Vector at = params.array() + shift;
      Vector g_cpu;
      Vector g_gpu;
      const double f_cpu = models.cpu.objective(at, &g_cpu);
      const double f_gpu = models.gpu.objective(at, &g_gpu);
      CHECK(f_gpu == doctest::Approx(f_cpu).epsilon(1e-9));
      CHECK((g_gpu - g_cpu).norm() <= 1e-6 * (1.0 + g_cpu.norm()));
    }
  }
}

TEST_CASE("the 64-bit inverse path (trtri + syrk) gives the same gradient as potri") {
  const Dataset data = make_data(size(300, 100), 4, 3);
  const Stationary kernel(Profile::matern52);
  GaussianProcess cpu(kernel, on(Device::cpu));
  cpu.fit(data, 0);
  const Vector params = cpu.parameters();
  // Rebuild the objective's inputs exactly as the GP does (standardized y, c, noise).
  const double mean = data.y.mean();
  const double sd = std::sqrt((data.y.array() - mean).square().sum() / (data.y.size() - 1));
  const Vector residual = (data.y.array() - mean) / sd - params(params.size() - 1);
  const Vector noise = Vector::Constant(data.y.size(), std::exp(params(params.size() - 2)));
  const auto scales = kernel.scales(params.head(4), 4);
  prospect::gpu::StationaryObjectiveInput in;
  in.profile = Profile::matern52;
  in.X = &data.X;
  in.inverse_lengthscales = scales.inverse_lengthscales;
  in.noise = &noise;
  in.residual = &residual;
  const auto potri = prospect::gpu::stationary_objective(0, in);
  in.potri_max = 0;
  const auto trtri = prospect::gpu::stationary_objective(0, in);
  CHECK(trtri.log_determinant == doctest::Approx(potri.log_determinant).epsilon(1e-12));
  CHECK((trtri.totals - potri.totals).norm() <= 1e-9 * (1.0 + potri.totals.norm()));
  CHECK(trtri.trace_W == doctest::Approx(potri.trace_W).epsilon(1e-9));
}

TEST_CASE("jitter escalation on the device matches RobustCholesky") {
  // Points 0 and 1 coincide, and their diagonal is lowered by 5e-8: the 2 x 2 block has
  // an eigenvalue of -5e-8, far beyond rounding, so K fails as it is and with 1e-8 and
  // succeeds with 1e-7 on both paths. A shift of -1e-3 fails at every jitter.
  std::mt19937_64 rng(4);
  Matrix X = prospect::test::uniform(150, 3, rng);
  X.row(1) = X.row(0);
  const Stationary kernel(Profile::matern32);
  const Vector theta = Vector::Constant(3, std::log(0.3));
  const auto scales = kernel.scales(theta, 3);
  const Vector residual = prospect::test::uniform(150, 1, rng).col(0);
  for (const double shift : {-5e-8, -1e-3}) {
    CAPTURE(shift);
    Vector noise = Vector::Constant(150, 1e-4);
    noise.head(2).array() -= 1e-4 - shift;
    Matrix K = kernel(X, X, theta);
    K.diagonal() += noise;
    prospect::gpu::StationaryObjectiveInput in;
    in.profile = Profile::matern32;
    in.X = &X;
    in.inverse_lengthscales = scales.inverse_lengthscales;
    in.noise = &noise;
    in.residual = &residual;
    if (shift < -1e-4) {
      CHECK_THROWS_AS((void)prospect::kernels::RobustCholesky(K), prospect::NumericalError);
      CHECK_THROWS_AS((void)prospect::gpu::stationary_objective(0, in), prospect::NumericalError);
      continue;
    }
    const prospect::kernels::RobustCholesky chol(K);
    const auto out = prospect::gpu::stationary_objective(0, in);
    CHECK(chol.jitter() == doctest::Approx(1e-7));
    CHECK(out.jitter == doctest::Approx(chol.jitter()));
    CHECK(out.log_determinant == doctest::Approx(chol.log_determinant()).epsilon(1e-8));
    const Vector alpha = chol.solve(residual);
    CHECK((out.alpha - alpha).norm() <= 1e-6 * alpha.norm());
  }
}

TEST_CASE("a GP fitted on the device reaches the CPU fit's optimum") {
  const Dataset data = make_data(2500, 6, 5);
  GaussianProcess cpu(Stationary(Profile::matern52), on(Device::cpu));
  GaussianProcess gpu(Stationary(Profile::matern52), on(Device::cuda));
  cpu.fit(data, 0);
  gpu.fit(data, 0);
  MESSAGE("CPU fit: " << cpu.summary().brief_report());
  MESSAGE("GPU fit: " << gpu.summary().brief_report());
  CHECK(gpu.summary().objective == doctest::Approx(cpu.summary().objective).epsilon(1e-5));
}

TEST_CASE("predictions for many candidates on the device match the CPU path") {
  const Dataset data = make_data(size(400, 100), 5, 6);
  std::mt19937_64 rng(7);
  const Matrix candidates = prospect::test::uniform(size(20000, 3000), 5, rng);
  for (const Profile p : kProfiles) {
    CAPTURE(prospect::kernels::to_string(p));
    Pair models(Stationary(p), data);
    const auto a = models.cpu.predict(candidates);
    const auto b = models.gpu.predict(candidates);
    const double scale = data.y.cwiseAbs().maxCoeff();
    CHECK((a.mean - b.mean).cwiseAbs().maxCoeff() <= 1e-9 * scale);
    CHECK((a.variance - b.variance).cwiseAbs().maxCoeff() <= 1e-9 * scale * scale);
  }
}

TEST_CASE("batched Cholesky solves on the device match the CPU path") {
  std::mt19937_64 rng(8);
  const Index n = size(100, 40);
  const Index k = 4;
  const Index batch = 96;
  Matrix A(n, n * batch);
  const Matrix B = prospect::test::uniform(n, k * batch, rng);
  for (Index b = 0; b < batch; ++b) {
    const Matrix G = prospect::test::uniform(n, n, rng);
    A.middleCols(b * n, n) = G * G.transpose() / n + Matrix::Identity(n, n);
  }
  A.middleCols(10 * n, n)(5, 5) = -3.0;  // one indefinite system
  const auto cpu = prospect::kernels::cholesky_solve_batched(A, B, batch, Device::cpu);
  const auto gpu = prospect::kernels::cholesky_solve_batched(A, B, batch, Device::cuda);
  CHECK(gpu.on_gpu);
  CHECK(gpu.failed() == 1);
  CHECK(gpu.info[10] != 0);
  for (Index b = 0; b < batch; ++b) {
    if (b == 10) continue;
    const Matrix x_cpu = cpu.X.middleCols(b * k, k);
    const Matrix x_gpu = gpu.X.middleCols(b * k, k);
    CHECK((x_gpu - x_cpu).norm() <= 1e-10 * x_cpu.norm());
    CHECK(gpu.log_determinant(b) == doctest::Approx(cpu.log_determinant(b)).epsilon(1e-12));
  }
}

TEST_CASE("knowledge-gradient values with a device-backed GP match the CPU path") {
  const Dataset data = make_data(60, 3, 9);
  GaussianProcessOptions o = on(Device::cpu);
  GaussianProcess cpu(Stationary(Profile::matern52), o);
  cpu.fit(data, 0);
  o.device = Device::cuda;
  o.device.min_prediction_pairs = 1;
  GaussianProcess gpu(Stationary(Profile::matern52), o);
  gpu.fit_fixed(data, cpu.parameters());
  namespace pa = prospect::acquisition;
  std::mt19937_64 rng(10);
  const int F = 16;
  const Matrix rows = prospect::test::uniform(5, 3 * (1 + F), rng);
  Vector values[2];
  int i = 0;
  for (const GaussianProcess* gp : {&cpu, &gpu}) {
    pa::KnowledgeGradient kg(pa::KG{F, 4, 256});
    prospect::AcquisitionContext context;
    context.model = gp;
    context.data = &data;
    context.seed = 3;
    kg.prepare(context);
    values[i].resize(rows.rows());
    kg.evaluate(rows, values[i]);
    ++i;
  }
  CHECK((values[0] - values[1]).cwiseAbs().maxCoeff() <= 1e-7);
}

int main(int argc, char** argv) {
  const prospect::DeviceInfo info = prospect::cuda_device_info();
  if (!info.available) {
    std::printf("GPU tests skipped: %s\n", info.brief_report().c_str());
    return 77;
  }
  emulated = info.compute_capability == 0;
  std::printf("GPU tests on %s%s\n", info.brief_report().c_str(),
              emulated ? " (reduced sizes)" : "");
  doctest::Context context(argc, argv);
  return context.run();
}
