// bench_conformal — coverage and width of conformal intervals around surrogates (issue #6).
//
// For each benchmark function (single-fidelity suite, bench/functions/test_functions.hpp)
// and repetition r: n training points and --test held-out points uniform in the domain,
// observed with Gaussian noise of sd = --noise times the function's standard deviation over
// the domain (estimated on 4096 Sobol points). Each method gives intervals at each level
// for new OBSERVATIONS at the held-out points; the program reports their empirical coverage,
// mean width and interval score, averaged over repetitions (coverage +- its standard error
// across repetitions), and the fit time.
//
// A method is "<surrogate>:<how>[:<score>]":
//   surrogate: a name of the factory below (gp: GaussianProcess with Matern-5/2, cqr:
//              ConformalQuantileRegression, default options each); add a model there to
//              compare it.
//   how:       raw (the model's own central interval from Surrogate::quantiles(), for the GP
//              its Gaussian observation interval), split, cv_plus, jackknife_plus.
//   score:     absolute, normalized, quantile (default: quantile for a native quantile model,
//              capabilities().quantiles, else normalized).
//
//   bench_conformal --functions branin,hartmann6,styblinski_tang4 --methods
//   gp:raw,gp:split,gp:cv_plus
//                   --reps 50 --n 60 --test 500 --out bench/results/conformal
//
// Writes <out>/conformal.csv (one row per function, method, repetition and level),
// <out>/summary.json and prints the table.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "functions/test_functions.hpp"
#include "prospect/prospect.hpp"
#include "prospect/surrogates/conformal.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using prospect::Matrix;
using prospect::Vector;

std::vector<std::string> split_list(const std::string& text, char sep = ',') {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, sep);) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The surrogates this benchmark knows, by name. Add a model here (e.g. "cqr":
// prospect::ConformalQuantileRegression) to put it in the comparison.
const std::map<std::string, std::function<std::unique_ptr<prospect::Surrogate>()>>& factory() {
  static const std::map<std::string, std::function<std::unique_ptr<prospect::Surrogate>()>> f{
      {"gp",
       [] { return std::make_unique<prospect::GaussianProcess>(prospect::kernels::Matern52{}); }},
      {"cqr", [] { return std::make_unique<prospect::ConformalQuantileRegression>(); }},
  };
  return f;
}

std::unique_ptr<prospect::Surrogate> make_surrogate(const std::string& name) {
  const auto it = factory().find(name);
  if (it == factory().end()) {
    std::string known;
    for (const auto& [key, _] : factory()) known += (known.empty() ? "" : ", ") + key;
    throw prospect::InvalidArgument("--methods: unknown surrogate \"" + name +
                                    "\", expected one of " + known);
  }
  return it->second();
}

struct Method {
  std::string text, surrogate, how;
  prospect::ConformityScore score = prospect::ConformityScore::normalized;
};

Method parse_method(const std::string& text) {
  const auto parts = split_list(text, ':');
  if (parts.size() < 2 || parts.size() > 3) {
    throw prospect::InvalidArgument("--methods: got \"" + text +
                                    "\", expected <surrogate>:<raw|split|cv_plus|"
                                    "jackknife_plus>[:<score>]");
  }
  Method m{text, parts[0], parts[1]};
  const auto model = make_surrogate(m.surrogate);  // throws for an unknown name
  if (m.how != "raw") (void)prospect::conformal_method_from_string(m.how);
  m.score = parts.size() == 3                 ? prospect::conformity_score_from_string(parts[2])
            : model->capabilities().quantiles ? prospect::ConformityScore::quantile
                                              : prospect::ConformityScore::normalized;
  return m;
}

struct Sample {
  Matrix X;  // unit cube
  Vector y;  // noisy observations
};

Sample draw(const prospect::bench::TestFunction& f, Eigen::Index n, double noise_sd,
            prospect::Rng& rng) {
  Sample s{Matrix(n, f.dimension), Vector(n)};
  std::vector<double> x(static_cast<std::size_t>(f.dimension));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (int j = 0; j < f.dimension; ++j) {
      const auto u = static_cast<std::size_t>(j);
      s.X(i, j) = rng.uniform();
      x[u] = f.lower[u] + s.X(i, j) * (f.upper[u] - f.lower[u]);
    }
    s.y(i) = f.f(x) + noise_sd * rng.normal();
  }
  return s;
}

double function_sd(const prospect::bench::TestFunction& f) {
  const Matrix X = prospect::sobol(4096, f.dimension, 12345);
  std::vector<double> x(static_cast<std::size_t>(f.dimension));
  double sum = 0.0, sum2 = 0.0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (int j = 0; j < f.dimension; ++j) {
      const auto u = static_cast<std::size_t>(j);
      x[u] = f.lower[u] + X(i, j) * (f.upper[u] - f.lower[u]);
    }
    const double v = f.f(x);
    sum += v;
    sum2 += v * v;
  }
  const double n = static_cast<double>(X.rows());
  return std::sqrt(std::max(sum2 / n - (sum / n) * (sum / n), 0.0));
}

struct Row {
  std::string function, method;
  int rep = 0;
  double level = 0.0, coverage = 0.0, width = 0.0, interval_score = 0.0, fit_seconds = 0.0;
};

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / static_cast<double>(v.size());
}
double se(const std::vector<double>& v) {
  if (v.size() < 2) return NAN;
  const double m = mean(v);
  double ss = 0.0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}
double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Conformal intervals around surrogates: coverage and width on held-out points"};
  std::string functions_text = "branin,hartmann6,styblinski_tang4";
  std::string methods_text = "gp:raw,gp:split,gp:cv_plus";
  std::string levels_text = "0.8,0.9";
  std::string out = "bench/results/conformal";
  int reps = 50, n = 60, n_test = 500, folds = 10, threads = 0;
  double noise = 0.1, calibration_fraction = 0.25;
  std::uint64_t seed = 0;
  app.add_option("--functions", functions_text, "comma-separated benchmark functions");
  app.add_option("--methods", methods_text,
                 "comma-separated <surrogate>:<raw|split|cv_plus|jackknife_plus>[:<score>]");
  app.add_option("--levels", levels_text, "comma-separated interval probabilities");
  app.add_option("--reps", reps, "repetitions (fresh data each)")->check(CLI::PositiveNumber);
  app.add_option("--n", n, "training points")->check(CLI::PositiveNumber);
  app.add_option("--test", n_test, "held-out points per repetition")->check(CLI::PositiveNumber);
  app.add_option("--noise", noise, "noise sd as a fraction of the function's sd")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--folds", folds, "CV+ folds");
  app.add_option("--calibration-fraction", calibration_fraction, "split: held-out fraction");
  app.add_option("--threads", threads, "OpenMP threads for fold fits (0: default)");
  app.add_option("--seed", seed, "base seed");
  app.add_option("--out", out, "output directory (conformal.csv, summary.json)");
  CLI11_PARSE(app, argc, argv);

  try {
    std::vector<double> levels;
    for (const auto& l : split_list(levels_text)) levels.push_back(std::stod(l));
    std::vector<Method> methods;
    for (const auto& t : split_list(methods_text)) methods.push_back(parse_method(t));
    std::vector<Row> rows;

    for (const auto& fname : split_list(functions_text)) {
      const auto& f = prospect::bench::function(fname);
      const double noise_sd = noise * function_sd(f);
      for (int r = 0; r < reps; ++r) {
        prospect::Rng rng(prospect::derive_seed(seed, static_cast<std::uint64_t>(r)));
        const Sample train = draw(f, n, noise_sd, rng);
        const Sample test = draw(f, n_test, noise_sd, rng);
        prospect::Dataset data;
        data.X = train.X;
        data.y = train.y;
        const auto fit_seed = prospect::derive_seed(seed + 1, static_cast<std::uint64_t>(r));
        for (const auto& m : methods) {
          std::vector<std::pair<Vector, Vector>> ends;
          const auto start = Clock::now();
          if (m.how == "raw") {
            auto model = make_surrogate(m.surrogate);
            model->fit(data, fit_seed);
            const double secs = std::chrono::duration<double>(Clock::now() - start).count();
            for (double level : levels) {
              Vector q(2);
              q << 0.5 * (1 - level), 0.5 * (1 + level);
              const Matrix Q = model->quantiles(test.X, q);
              ends.emplace_back(Q.col(0), Q.col(1).cwiseMax(Q.col(0)));
            }
            for (std::size_t k = 0; k < levels.size(); ++k) {
              rows.push_back({fname, m.text, r, levels[k], 0, 0, 0, secs});
            }
          } else {
            prospect::ConformalOptions o;
            o.method = prospect::conformal_method_from_string(m.how);
            o.score = m.score;
            o.folds = folds;
            o.calibration_fraction = calibration_fraction;
            o.threads = threads;
            prospect::ConformalIntervals ci(*make_surrogate(m.surrogate), o);
            ci.fit(data, fit_seed);
            const double secs = std::chrono::duration<double>(Clock::now() - start).count();
            for (double level : levels) {
              const auto iv = ci.interval(test.X, level);
              ends.emplace_back(iv.lower, iv.upper);
              rows.push_back({fname, m.text, r, level, 0, 0, 0, secs});
            }
          }
          for (std::size_t k = 0; k < levels.size(); ++k) {
            Row& row = rows[rows.size() - levels.size() + k];
            const auto& [lo, hi] = ends[k];
            row.coverage = prospect::metrics::central_coverage(test.y, lo, hi);
            row.width = prospect::metrics::mean_width(lo, hi);
            row.interval_score = prospect::metrics::interval_score(1 - levels[k], test.y, lo, hi);
          }
        }
      }
    }

    std::filesystem::create_directories(out);
    {
      std::ofstream csv(out + "/conformal.csv");
      csv << "function,method,rep,level,coverage,width,interval_score,fit_seconds\n";
      for (const auto& r : rows) {
        csv << r.function << ',' << r.method << ',' << r.rep << ',' << r.level << ',' << r.coverage
            << ',' << r.width << ',' << r.interval_score << ',' << r.fit_seconds << '\n';
      }
    }

    // Table: one line per function and method; per level coverage +- se, mean width, IS.
    nlohmann::json summary = nlohmann::json::array();
    std::printf(
        "conformal intervals: n = %d training points, %d test points, %d repetitions, "
        "noise sd = %.3g x sd(f)\n",
        n, n_test, reps, noise);
    std::printf("%-17s %-22s", "function", "method");
    for (double level : levels) {
      const int pct = static_cast<int>(std::lround(100 * level));
      std::printf(" | %5s %5s %8s %8s", ("cov" + std::to_string(pct)).c_str(), "se",
                  ("width" + std::to_string(pct)).c_str(), ("IS" + std::to_string(pct)).c_str());
    }
    std::printf(" | %s\n", "fit s");
    for (const auto& fname : split_list(functions_text)) {
      for (const auto& m : methods) {
        nlohmann::json entry{{"function", fname}, {"method", m.text}, {"n", n},
                             {"test", n_test},    {"reps", reps},     {"noise", noise}};
        std::printf("%-17s %-22s", fname.c_str(), m.text.c_str());
        std::vector<double> fit;
        for (double level : levels) {
          std::vector<double> cov, width, is;
          for (const auto& r : rows) {
            if (r.function != fname || r.method != m.text || r.level != level) continue;
            cov.push_back(r.coverage);
            width.push_back(r.width);
            is.push_back(r.interval_score);
            if (level == levels.front()) fit.push_back(r.fit_seconds);
          }
          std::printf(" | %.3f %.3f %8.3g %8.3g", mean(cov), se(cov), mean(width), mean(is));
          entry["levels"].push_back({{"level", level},
                                     {"coverage", mean(cov)},
                                     {"coverage_se", se(cov)},
                                     {"mean_width", mean(width)},
                                     {"interval_score", mean(is)}});
        }
        entry["median_fit_seconds"] = median(fit);
        std::printf(" | %.3f\n", median(fit));
        summary.push_back(entry);
      }
    }
    std::ofstream(out + "/summary.json") << summary.dump(2) << '\n';
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_conformal: %s\n", e.what());
    return 1;
  }
  return 0;
}
