// examples/large_gp_on_gpu.cpp — a Gaussian process on thousands of points, its
// likelihood fitted and a large candidate set scored on a GPU when one is present.
//
//   ./example_large_gp_on_gpu [n] [device]     n observations (default 3000) in 6-D,
//                                              device auto (default), cpu or cuda
//
// With `auto` the GPU takes the likelihood from 2,000 observations and predictions from
// 1e7 candidate-observation pairs (DeviceOptions); with `cpu` everything stays on the
// CPU, with `cuda` everything the GPU supports goes there and a missing GPU is an error.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "prospect/prospect.hpp"

int main(int argc, char** argv) {
  const Eigen::Index n = argc > 1 ? std::stol(argv[1]) : 3000;
  const std::string device = argc > 2 ? argv[2] : "auto";
  try {
    std::printf("CUDA: %s\n", prospect::cuda_device_info().brief_report().c_str());

    // Noisy observations of a smooth 6-D function on the unit cube.
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::normal_distribution<double> noise(0.0, 0.05);
    prospect::Dataset data;
    data.X.resize(n, 6);
    data.y.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      double f = 0.0;
      for (int j = 0; j < 6; ++j) {
        data.X(i, j) = unit(rng);
        f += std::sin(3.0 * data.X(i, j) + j) / (1.0 + j);
      }
      data.y(i) = f + noise(rng);
    }

    prospect::GaussianProcessOptions options;
    options.device = prospect::device_from_string(device);
    prospect::GaussianProcess gp(prospect::kernels::Matern52{}, options);
    gp.fit(data, /*seed=*/0);
    std::printf("fit on %ld points (%s): %s\n", static_cast<long>(n), device.c_str(),
                gp.summary().brief_report().c_str());

    // Score 200,000 candidates: posterior mean and standard deviation.
    Eigen::MatrixXd candidates(200000, 6);
    for (Eigen::Index i = 0; i < candidates.size(); ++i) candidates.data()[i] = unit(rng);
    const auto t0 = std::chrono::steady_clock::now();
    const prospect::Predictive p = gp.predict(candidates);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    Eigen::Index best = 0;
    p.mean.maxCoeff(&best);
    std::printf("scored %ld candidates in %.3f s; best mean %.4f (sd %.4f)\n",
                static_cast<long>(candidates.rows()), seconds, p.mean(best),
                std::sqrt(p.variance(best)));
  } catch (const prospect::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
