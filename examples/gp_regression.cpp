// Gaussian-process regression with predictive intervals (uncertainty quantification
// without any optimization): fit noisy samples of a 1-D function, print the
// posterior mean and the 90% interval on a grid, and check the interval's coverage.
#include <cmath>
#include <cstdio>

#include "prospect/prospect.hpp"

int main() {
  const auto truth = [](double x) { return std::sin(6.0 * x) + 0.5 * x; };
  prospect::Rng rng(3);
  const Eigen::Index n = 30;
  Eigen::MatrixXd X(n, 1);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    X(i, 0) = rng.uniform();  // inputs already in the unit cube
    y(i) = truth(X(i, 0)) + 0.1 * rng.normal();
  }

  prospect::GaussianProcess gp(prospect::kernels::Matern52{});
  gp.fit(X, y);
  std::printf("%s\n", gp.summary().brief_report().c_str());
  const auto names = gp.parameter_names();
  const Eigen::VectorXd theta = gp.parameters();
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::printf("  %-16s %.4f\n", names[k].c_str(), theta(static_cast<Eigen::Index>(k)));
  }

  const Eigen::Index m = 11;
  Eigen::MatrixXd grid(m, 1);
  for (Eigen::Index i = 0; i < m; ++i) grid(i, 0) = static_cast<double>(i) / (m - 1);
  const prospect::Predictive p = gp.predict(grid);
  const auto [lower, upper] = p.interval(0.9, /*include_noise=*/false);
  std::printf("\n     x     truth      mean   90%% interval\n");
  int inside = 0;
  for (Eigen::Index i = 0; i < m; ++i) {
    const double t = truth(grid(i, 0));
    inside += (t >= lower(i) && t <= upper(i));
    std::printf("%6.2f  %8.4f  %8.4f  [%7.4f, %7.4f]\n", grid(i, 0), t, p.mean(i), lower(i),
                upper(i));
  }
  std::printf("\nthe true function lies inside the 90%% interval at %d of %ld grid points\n",
              inside, static_cast<long>(m));
  return 0;
}
