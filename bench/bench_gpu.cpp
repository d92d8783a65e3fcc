// bench/bench_gpu.cpp — the GPU path against the CPU path and against cuSOLVER alone
// (issue #7's figures). Prints one markdown table and writes it as JSON.
//
//   LML+grad n    GaussianProcess::objective with its gradient (Matern 5/2 ARD, d = 6),
//                 the device path (gpu::stationary_objective, what objective() calls)
//                 against cuSOLVER's Cholesky alone at the same n: achieved rate ratio
//                 = (n^3 / t_objective) / ((n^3 / 3) / t_potrf), counting n^3/3 flops for
//                 the factor and 2n^3/3 for the inverse from it (LAPACK's dpotri), and,
//                 up to --cpu-max, the CPU path's time over the GPU path's.
//   batched       cholesky_solve_batched of 1,024 systems of 100 points with 16
//                 right-hand sides: CPU path (OpenMP over systems) over the GPU's
//                 factor + solves (device time), and end to end (transfers included).
//   predict       GaussianProcess::predict of 1,000,000 candidates at n = 1,000:
//                 wall seconds against the 0.5 s limit (and the CPU path's time).
//
// Medians of --repeats timed runs after one warm-up. Without a device the GPU columns
// read "no device" and only the CPU path is timed (useful as a smoke test: --quick).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "kernels/cuda/gpu.hpp"
#include "prospect/device.hpp"
#include "prospect/kernels/batched_cholesky.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/surrogates/gaussian_process.hpp"

namespace {

using Eigen::Index;
using prospect::Dataset;
using prospect::Device;
using prospect::GaussianProcess;
using prospect::GaussianProcessOptions;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
namespace pk = prospect::kernels;

constexpr Index kDim = 6;

double seconds_of(const std::function<void()>& fn, int repeats) {
  fn();  // warm-up: first-use costs (handles, allocations) are not the steady state
  std::vector<double> s;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return prospect::bench::quantile(s, 0.5);
}

Dataset make_data(Index n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 0.1);
  Dataset data;
  data.X.resize(n, kDim);
  for (Index i = 0; i < data.X.size(); ++i) data.X.data()[i] = u(rng);
  data.y.resize(n);
  for (Index i = 0; i < n; ++i) {
    double v = 0.0;
    for (Index j = 0; j < kDim; ++j) v += std::sin(4.0 * data.X(i, j) + static_cast<double>(j));
    data.y(i) = v + normal(rng);
  }
  return data;
}

/// Parameters of a Matern 5/2 ARD GP in d = 6: lengthscales 0.4, noise 1e-2, c = 0.
Vector parameters() {
  Vector p(kDim + 2);
  p.head(kDim).setConstant(std::log(0.4));
  p(kDim) = std::log(1e-2);
  p(kDim + 1) = 0.0;
  return p;
}

struct Row {
  std::string name;
  double gpu = NAN;        // seconds
  double reference = NAN;  // seconds of what it is compared with
  std::string reference_name;
  double ratio = NAN;
  std::string target;
  bool met = false;
  std::string note;
};

std::string fmt(double v, const char* spec = "%.4g") {
  if (std::isnan(v)) return "—";
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

/// NaN as JSON null.
nlohmann::json number(double v) {
  return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"GPU path against the CPU path and cuSOLVER alone (issue #7)"};
  std::string sizes_text = "10000,20000,50000";
  Index cpu_max = 10000;
  Index batch = 1024;
  Index batch_n = 100;
  Index batch_rhs = 16;
  Index predict_m = 1000000;
  Index predict_n = 1000;
  int repeats = 3;
  bool quick = false;
  bool cpu_predict = true;
  std::string out_path = "bench/results/gpu.json";
  app.add_option("--sizes", sizes_text, "comma-separated n for the LML+grad rows");
  app.add_option("--cpu-max", cpu_max, "largest n timed on the CPU path too");
  app.add_option("--batch", batch, "systems in the batched row")->check(CLI::PositiveNumber);
  app.add_option("--batch-n", batch_n, "points per batched system")->check(CLI::PositiveNumber);
  app.add_option("--batch-rhs", batch_rhs, "right-hand sides per system")
      ->check(CLI::PositiveNumber);
  app.add_option("--predict-m", predict_m, "candidates scored")->check(CLI::PositiveNumber);
  app.add_option("--predict-n", predict_n, "observations of the predicting GP")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "timed runs per figure (median)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--quick", quick, "small sizes: a smoke test of the benchmark itself");
  app.add_flag("!--no-cpu-predict", cpu_predict, "skip the CPU path of the predict row");
  app.add_option("--out", out_path, "JSON output");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    sizes_text = "1500";
    cpu_max = 1500;
    batch = 128;
    batch_n = 50;
    predict_m = 50000;
    predict_n = 300;
    repeats = 1;
  }

  const prospect::DeviceInfo info = prospect::cuda_device_info();
  const bool gpu = info.available;
  std::printf("device: %s\n", info.brief_report().c_str());
  std::vector<Row> rows;
  const pk::Stationary kernel(pk::Profile::matern52);
  const Vector params = parameters();

  // --- exact GP log marginal likelihood + gradient -------------------------------
  for (const auto& item : prospect::bench::split_list(sizes_text)) {
    const Index n = std::stol(item);
    std::fprintf(stderr, "LML+grad n = %ld ...\n", static_cast<long>(n));
    const Dataset data = make_data(n, static_cast<std::uint64_t>(n));
    Row row;
    row.name = "LML+grad n=" + std::to_string(n);
    if (gpu) {
      // What GaussianProcess::objective sends to the device (the prior terms are O(d)).
      const double mean = data.y.mean();
      const double sd =
          std::sqrt((data.y.array() - mean).square().sum() / static_cast<double>(n - 1));
      const Vector residual = (data.y.array() - mean) / sd;
      const Vector noise = Vector::Constant(n, std::exp(params(kDim)));
      prospect::gpu::StationaryObjectiveInput in;
      in.profile = pk::Profile::matern52;
      in.X = &data.X;
      in.inverse_lengthscales = Vector::Constant(kDim, 1.0 / 0.4);
      in.noise = &noise;
      in.residual = &residual;
      prospect::gpu::Timings phases;
      row.gpu =
          seconds_of([&] { phases = prospect::gpu::stationary_objective(0, in).timings; }, repeats);
      // The other inverse path at the same n, so the run shows which one to prefer.
      prospect::gpu::StationaryObjectiveInput other = in;
      other.potri_max = n <= 46340 ? 0 : 46340;
      const double other_inverse =
          n <= 46340 ? prospect::gpu::stationary_objective(0, other).timings.inverse : NAN;
      const double potrf = prospect::gpu::time_cholesky(0, n, repeats);
      row.reference = potrf;
      row.reference_name = "cuSOLVER potrf alone";
      row.ratio = 3.0 * potrf / row.gpu;  // achieved rate / potrf's rate
      row.target = "rate >= 0.5 of potrf's";
      row.met = row.ratio >= 0.5;
      std::ostringstream note;
      note << "factor " << fmt(phases.factor) << " s, inverse " << fmt(phases.inverse)
           << " s (trtri+syrk " << fmt(other_inverse) << " s), contraction "
           << fmt(phases.contraction) << " s; potrf "
           << fmt(std::pow(static_cast<double>(n), 3) / 3.0 / potrf / 1e12, "%.1f") << " TFLOP/s";
      row.note = note.str();
    }
    if (n <= cpu_max) {
      GaussianProcessOptions o;
      o.device = Device::cpu;
      GaussianProcess cpu(kernel, o);
      cpu.fit_fixed(data, params);
      Vector grad;
      const double t_cpu = seconds_of([&] { (void)cpu.objective(params, &grad); }, repeats);
      Row vs;
      vs.name = "LML+grad n=" + std::to_string(n) + " vs CPU";
      vs.reference = t_cpu;
      vs.reference_name = "CPU path";
      if (gpu) {
        o.device = Device::cuda;
        GaussianProcess on_gpu(kernel, o);
        on_gpu.fit_fixed(data, params);
        Vector g_gpu;
        vs.gpu = seconds_of([&] { (void)on_gpu.objective(params, &g_gpu); }, repeats);
        vs.ratio = t_cpu / vs.gpu;
        vs.target = n == 10000 ? "CPU/GPU >= 20" : "";
        vs.met = n != 10000 || vs.ratio >= 20.0;
        vs.note = "gradient difference " + fmt((g_gpu - grad).norm() / (1.0 + grad.norm()), "%.1e");
      }
      rows.push_back(row);
      rows.push_back(vs);
    } else {
      rows.push_back(row);
    }
  }

  // --- batched factorizations and solves ----------------------------------------
  {
    std::fprintf(stderr, "batched %ld x %ld ...\n", static_cast<long>(batch),
                 static_cast<long>(batch_n));
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Matrix A(batch_n, batch_n * batch);
    Matrix B(batch_n, batch_rhs * batch);
    for (Index i = 0; i < B.size(); ++i) B.data()[i] = u(rng);
    Matrix Xb(batch_n, kDim);
    for (Index b = 0; b < batch; ++b) {
      for (Index i = 0; i < Xb.size(); ++i) Xb.data()[i] = u(rng);
      auto block = A.middleCols(b * batch_n, batch_n);
      kernel.matrix(Xb, Xb, kernel.default_theta(kDim), block);
      block.diagonal().array() += 1e-2;
    }
    Row row;
    row.name = "batched " + std::to_string(batch) + " x n=" + std::to_string(batch_n) + ", " +
               std::to_string(batch_rhs) + " rhs";
    row.reference =
        seconds_of([&] { (void)pk::cholesky_solve_batched(A, B, batch, Device::cpu); }, repeats);
    row.reference_name = "CPU path";
    if (gpu) {
      Matrix X;
      Vector logdet;
      std::vector<int> infos;
      prospect::gpu::Timings phases;
      const double wall = seconds_of(
          [&] { phases = prospect::gpu::cholesky_solve_batched(0, A, B, batch, X, logdet, infos); },
          repeats);
      row.gpu = phases.factor + phases.solve;
      row.ratio = row.reference / row.gpu;
      row.target = "CPU/GPU >= 20 (device time)";
      row.met = row.ratio >= 20.0;
      row.note = "end to end " + fmt(wall) + " s (ratio " + fmt(row.reference / wall, "%.1f") + ")";
    }
    rows.push_back(row);
  }

  // --- scoring many candidates ---------------------------------------------------
  {
    std::fprintf(stderr, "predict %ld candidates at n = %ld ...\n", static_cast<long>(predict_m),
                 static_cast<long>(predict_n));
    const Dataset data = make_data(predict_n, 11);
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Matrix candidates(predict_m, kDim);
    for (Index i = 0; i < candidates.size(); ++i) candidates.data()[i] = u(rng);
    Row row;
    row.name = "predict m=" + std::to_string(predict_m) + " at n=" + std::to_string(predict_n);
    GaussianProcessOptions o;
    o.device = Device::cpu;
    GaussianProcess cpu(kernel, o);
    cpu.fit_fixed(data, params);
    prospect::Predictive p_cpu;
    if (cpu_predict) {
      row.reference = seconds_of([&] { p_cpu = cpu.predict(candidates); }, std::min(repeats, 1));
      row.reference_name = "CPU path";
    }
    if (gpu) {
      o.device = Device::cuda;
      GaussianProcess on_gpu(kernel, o);
      on_gpu.fit_fixed(data, params);
      prospect::Predictive p_gpu;
      row.gpu = seconds_of([&] { p_gpu = on_gpu.predict(candidates); }, repeats);
      row.ratio = row.reference / row.gpu;
      row.target = "GPU < 0.5 s";
      row.met = row.gpu < 0.5;
      if (cpu_predict) {
        row.note = "max |mean diff| " +
                   fmt((p_gpu.mean - p_cpu.mean).cwiseAbs().maxCoeff(), "%.1e") +
                   ", max |var diff| " +
                   fmt((p_gpu.variance - p_cpu.variance).cwiseAbs().maxCoeff(), "%.1e");
      }
    }
    rows.push_back(row);
  }

  // --- the table -------------------------------------------------------------------
  std::printf("\n| case | GPU s | reference | reference s | ratio | target | met | notes |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  nlohmann::json out;
  out["device"] = info.brief_report();
  for (const Row& r : rows) {
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name.c_str(),
                gpu ? fmt(r.gpu).c_str() : "no device", r.reference_name.c_str(),
                fmt(r.reference).c_str(), fmt(r.ratio, "%.2f").c_str(), r.target.c_str(),
                r.target.empty() || !gpu ? "" : (r.met ? "yes" : "NO"), r.note.c_str());
    out["rows"].push_back({{"case", r.name},
                           {"gpu_seconds", number(r.gpu)},
                           {"reference", r.reference_name},
                           {"reference_seconds", number(r.reference)},
                           {"ratio", number(r.ratio)},
                           {"target", r.target},
                           {"met", r.met},
                           {"notes", r.note}});
  }
  std::ofstream file(out_path);
  if (file) {
    file << out.dump(2) << "\n";
    std::fprintf(stderr, "results: %s\n", out_path.c_str());
  } else {
    std::fprintf(stderr, "could not write %s\n", out_path.c_str());
  }
  return 0;
}
