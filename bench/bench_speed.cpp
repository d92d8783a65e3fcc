// bench_speed — how fast prospect's GP and ask() are, with the machine's own
// DGEMM rate measured in the same run as the yardstick.
//
//   1. GP fit with hyperparameter learning on n = 1000 and 2000 points of Hartmann-6
//      (Sobol inputs, noise sd 0.05): wall time (median of --reps), held-out mean log
//      predictive density on 1000 other points.
//   2. One log-marginal-likelihood-and-gradient evaluation: its floating-point work
//      (counted below), time, GFLOP/s and fraction of the DGEMM rate.
//   3. ask() at 50 observations in 6-D with the hyperparameters refit at every ask:
//      median over 11 consecutive asks (n = 50 .. 60).
// Writes a JSON summary to --out.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <vector>

#include "functions/csv.hpp"
#include "functions/test_functions.hpp"
#include "prospect/prospect.hpp"

extern "C" void dgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const double* alpha, const double* a, const int* lda,
                       const double* b, const int* ldb, const double* beta, double* c,
                       const int* ldc);

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

double dgemm_gflops(int n) {
  std::vector<double> a(static_cast<std::size_t>(n) * n, 1.0), b(a), c(a);
  const double one = 1.0, zero = 0.0;
  std::vector<double> times;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = Clock::now();
    dgemm_("N", "N", &n, &n, &n, &one, a.data(), &n, b.data(), &n, &zero, c.data(), &n);
    times.push_back(seconds_since(t0));
  }
  return 2.0 * n * double(n) * n / median(times) / 1e9;
}

// Floating-point operations of one J(theta) and gradient at n points in d dimensions
// (p = d + 2 parameters): kernel matrix (lower half, ~3d + 15 per pair), Cholesky
// n^3/3, two triangular solves 2 n^2, inverse from the factor 2 n^3/3, W n^2, and the
// gradient contraction (~4d + 20 per pair).
double lml_flops(double n, double d) {
  return n * n / 2 * (3 * d + 15) + n * n * n / 3 + 2 * n * n + 2 * n * n * n / 3 + n * n +
         n * n / 2 * (4 * d + 20);
}

struct Data {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};

Data hartmann_data(Eigen::Index n, std::uint64_t seed, double noise) {
  const auto& f = prospect::bench::function("hartmann6");
  const Eigen::MatrixXd X = prospect::sobol(n, 6, seed);
  prospect::Rng rng(seed + 1);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    std::vector<double> x(6);
    for (int j = 0; j < 6; ++j) x[static_cast<std::size_t>(j)] = X(i, j);
    y(i) = f.f(x) + noise * rng.normal();
  }
  return {X, y};
}

// Reads a CSV written by bench/peers/fit_speed.py (header, then x0..x5,y per row).
Data read_csv(const std::string& path) {
  const std::vector<std::vector<double>> rows = prospect::bench::read_numeric_csv(path).rows;
  if (rows.front().size() != 7) {
    throw prospect::IoError("data file '" + path + "': expected 7 columns (x0..x5, y)");
  }
  Data d{Eigen::MatrixXd(static_cast<Eigen::Index>(rows.size()), 6),
         Eigen::VectorXd(static_cast<Eigen::Index>(rows.size()))};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (int j = 0; j < 6; ++j)
      d.X(static_cast<Eigen::Index>(i), j) = rows[i][static_cast<std::size_t>(j)];
    d.y(static_cast<Eigen::Index>(i)) = rows[i][6];
  }
  return d;
}

double mean_log_predictive_density(const prospect::Predictive& p, const Eigen::VectorXd& y) {
  double total = 0.0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const double var = p.variance(i) + p.noise_variance(i);
    total +=
        -0.5 * std::log(2 * std::numbers::pi * var) - 0.5 * std::pow(y(i) - p.mean(i), 2) / var;
  }
  return total / static_cast<double>(y.size());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prospect speed benchmark: GP fit, likelihood FLOP rate, ask() time"};
  std::vector<int> sizes = {1000, 2000};
  int reps = 3;
  std::string out = "bench/results/prospect", data_dir;
  double noise = 0.01;
  app.add_option("--sizes", sizes, "GP fit sizes");
  app.add_option("--data", data_dir,
                 "directory with fit_train_<n>.csv and fit_test.csv from bench/peers/fit_speed.py "
                 "(the peers' exact data); default: generate Hartmann-6 data here");
  app.add_option("--noise", noise, "observation noise sd of generated data");
  prospect::GaussianProcessOptions gp_options;
  app.add_option("--ftol", gp_options.ftol_rel, "relative tolerance of the likelihood optimizer");
  std::string kernel = "matern52";
  app.add_option("--kernel", kernel, "se, matern12, matern32, matern52");
  app.add_option("--reps", reps, "repetitions (median)")->check(CLI::PositiveNumber);
  app.add_option("--out", out, "output directory");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);
  nlohmann::json report;

  const double gemm = dgemm_gflops(2000);
  report["dgemm_gflops_n2000"] = gemm;
  std::fprintf(stderr, "[speed] DGEMM n=2000: %.1f GFLOP/s (the attainable peak used below)\n",
               gemm);

  const Data test =
      data_dir.empty() ? hartmann_data(1000, 99, noise) : read_csv(data_dir + "/fit_test.csv");
  report["data"] = data_dir.empty() ? std::string("generated") : data_dir;
  for (const int n : sizes) {
    const Data train = data_dir.empty()
                           ? hartmann_data(n, 7, noise)
                           : read_csv(data_dir + "/fit_train_" + std::to_string(n) + ".csv");
    std::vector<double> fit_times;
    const prospect::kernels::Stationary k(prospect::kernels::profile_from_string(kernel));
    prospect::GaussianProcess gp(k, gp_options);
    for (int r = 0; r < reps; ++r) {
      prospect::GaussianProcess fresh(k, gp_options);
      const auto t0 = Clock::now();
      fresh.fit(prospect::Dataset{train.X, train.y, {}}, 0);
      fit_times.push_back(seconds_since(t0));
      gp = fresh;
    }
    const double mlpd = mean_log_predictive_density(gp.predict(test.X), test.y);
    // One likelihood-and-gradient evaluation at the fitted parameters.
    std::vector<double> eval_times;
    Eigen::VectorXd grad;
    const Eigen::VectorXd theta = gp.parameters();
    for (int r = 0; r < 5; ++r) {
      const auto t0 = Clock::now();
      (void)gp.objective(theta, &grad);
      eval_times.push_back(seconds_since(t0));
    }
    const double t_eval = median(eval_times);
    const double flops = lml_flops(n, 6);
    nlohmann::json row;
    row["n"] = n;
    row["fit_seconds_median"] = median(fit_times);
    row["fit_evaluations"] = gp.summary().evaluations;
    row["heldout_mean_log_predictive_density"] = mlpd;
    row["lml_eval_seconds"] = t_eval;
    row["lml_eval_gflop"] = flops / 1e9;
    row["lml_eval_gflops"] = flops / t_eval / 1e9;
    row["fraction_of_dgemm"] = flops / t_eval / 1e9 / gemm;
    report["gp_fit"].push_back(row);
    std::fprintf(
        stderr,
        "[speed] GP fit n=%d: %.2f s (median of %d, %d evaluations), held-out MLPD %.3f; one "
        "LML+grad %.1f ms = %.2f GFLOP at %.1f GFLOP/s (%.0f%% of DGEMM)\n",
        n, median(fit_times), reps, gp.summary().evaluations, mlpd, 1e3 * t_eval, flops / 1e9,
        flops / t_eval / 1e9, 100 * flops / t_eval / 1e9 / gemm);
  }

  // ask() at 50 observations in 6-D, refitting at every ask.
  {
    const auto& f = prospect::bench::function("hartmann6");
    prospect::Space space;
    for (int j = 0; j < 6; ++j) space.add_real("x" + std::to_string(j), 0.0, 1.0);
    prospect::Options options;
    options.seed = 1;
    options.n_initial = 50;
    prospect::Optimizer opt(space, options);
    for (int i = 0; i < 50; ++i) {
      const auto t = opt.ask();
      opt.tell(t.id, f.f(t.params.values()));
    }
    std::vector<double> asks;
    for (int i = 0; i < 11; ++i) {
      const auto t = opt.ask();
      asks.push_back(opt.last_ask_seconds());
      opt.tell(t.id, f.f(t.params.values()));
    }
    report["ask_at_50_6d_seconds_median"] = median(asks);
    std::fprintf(stderr, "[speed] ask() at 50..60 observations in 6-D: median %.1f ms (11 asks)\n",
                 1e3 * median(asks));
  }
  std::ofstream(out + "/speed.json") << report.dump(2) << "\n";
  std::printf("%s\n", report.dump(2).c_str());
  return 0;
}
