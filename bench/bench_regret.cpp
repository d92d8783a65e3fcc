// bench_regret — optimization quality and ask() time of prospect on the test functions.
//
// For each function and seed: n_initial Sobol points then model-based asks up to the
// budget (default 10 + 40). Simple regret after each evaluation: on a deterministic
// function the best evaluated value (as the peers report it); with noise the TRUE value
// of the recommended point (Optimizer::best(), by posterior mean; --recommend model: the
// posterior mean's maximizer over the space, Optimizer::recommend()). A random-search
// baseline runs on the same seeds. Writes one CSV row per (method, function, seed, evaluation) and
// prints a table of the final regret (median and quartiles over seeds) and the median ask() time.
//
// Noise: --noise-std 0.1 (every function) or --noise-std branin=1.0,hartmann6=0.1 (per
// function; unlisted functions are noiseless).
// Batch: --batch Q evaluates in rounds of Q points, ask(Q) then tell all Q; the initial
// design is asked in the same rounds (ask(Q) hands out its remaining Sobol points first and
// fills the round with model-based points), so round r ends at evaluation r * Q and the
// budget counts evaluations. Method name "prospect-<acquisition>-q<Q>".
// --report-at 15,60: with noise, the recommendation costs a GP fit, so it is computed only
// at these evaluation counts (and the last); the other rows carry regret nan. Without
// --report-at every evaluation is reported. Noiseless runs report every evaluation anyway.
//
//   bench_regret --functions branin,hartmann6 --seeds 20 --out bench/results/prospect
//   bench_regret --functions branin,hartmann6 --noise-std branin=1.0,hartmann6=0.1
//     --budget 60 --batch 4 --acquisition qlognei --report-at 15,60 --out bench/results/noisy
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "functions/test_functions.hpp"
#include "prospect/prospect.hpp"

namespace {

using prospect::bench::quantile;

struct Run {
  std::string method, function;
  int seed = 0;
  std::vector<double> regret;  // after each evaluation (nan where not measured)
  // Per evaluation: wall time of the ask() that produced it (for a batch, the whole
  // ask(Q)); nan for the points of the initial design.
  std::vector<double> ask_seconds;
};

// "0.1" (every function) or "branin=1.0,hartmann6=0.1" (unlisted: 0).
std::map<std::string, double> parse_noise(const std::string& text, double& scalar) {
  std::map<std::string, double> per_function;
  scalar = 0.0;
  if (text.find('=') == std::string::npos) {
    std::size_t used = 0;
    try {
      scalar = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || !std::isfinite(scalar) || scalar < 0) {
      throw prospect::InvalidArgument("--noise-std: got '" + text +
                                      "', expected a number >= 0 or name=sd,name=sd,...");
    }
    return per_function;
  }
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    const auto eq = item.find('=');
    double sd = NAN;
    std::size_t used = 0;
    if (eq != std::string::npos) {
      try {
        sd = std::stod(item.substr(eq + 1), &used);
      } catch (const std::exception&) {
        used = 0;
      }
    }
    if (eq == std::string::npos || eq == 0 || used != item.size() - eq - 1 || !std::isfinite(sd) ||
        sd < 0) {
      throw prospect::InvalidArgument("--noise-std: item '" + item +
                                      "' is not name=sd with a number sd >= 0");
    }
    (void)prospect::bench::function(item.substr(0, eq));  // throws for an unknown name
    per_function[item.substr(0, eq)] = sd;
  }
  return per_function;
}

// Quantile of the non-nan entries (nan when there are none).
prospect::Space make_space(const prospect::bench::TestFunction& f) {
  prospect::Space space;
  for (int j = 0; j < f.dimension; ++j) {
    space.add_real("x" + std::to_string(j), f.lower[static_cast<std::size_t>(j)],
                   f.upper[static_cast<std::size_t>(j)]);
  }
  return space;
}

Run run_prospect(const prospect::bench::TestFunction& f, int seed, int budget, int n_initial,
                 double noise_std, bool noiseless, const std::string& acquisition, int threads,
                 const std::string& kernel, const prospect::Options& base, int batch,
                 const std::vector<int>& report_at, bool model_recommendation) {
  prospect::Options options = base;
  options.seed = static_cast<std::uint64_t>(seed);
  options.n_initial = n_initial;
  options.noise = noiseless ? prospect::Noise::none : prospect::Noise::learned;
  options.acquisition = prospect::acquisition::acquisition_from_string(acquisition);
  if (auto* ucb = std::get_if<prospect::acquisition::UCB>(&options.acquisition)) {
    if (const auto* b = std::get_if<prospect::acquisition::UCB>(&base.acquisition)) *ucb = *b;
  }
  if (auto* kg = std::get_if<prospect::acquisition::KG>(&options.acquisition)) {
    if (const auto* b = std::get_if<prospect::acquisition::KG>(&base.acquisition)) *kg = *b;
  }
  options.threads = threads;
  auto gp = std::get<prospect::surrogates::GP>(base.surrogate);  // kernel_options, priors
  gp.kernel = prospect::kernels::profile_from_string(kernel);
  options.surrogate = gp;
  prospect::Optimizer opt(make_space(f), options);
  prospect::Rng noise_rng(prospect::derive_seed(static_cast<std::uint64_t>(seed), 777));
  Run run{"prospect-" + acquisition + (batch > 1 ? "-q" + std::to_string(batch) : "") +
              (noiseless ? "-noiseless" : "") + (model_recommendation ? "-rec-model" : "") +
              (gp.rival_kernels.empty() ? "" : "-rivals"),
          f.name,
          seed,
          {},
          {}};
  double best_seen = INFINITY;
  int design_left = n_initial;
  while (static_cast<int>(run.regret.size()) < budget) {
    const int q = std::min(batch, budget - static_cast<int>(run.regret.size()));
    const std::vector<prospect::Trial> trials =
        batch > 1 ? opt.ask(q) : std::vector<prospect::Trial>{opt.ask()};
    // The Sobol points of the initial design come first in a round; ask time only
    // counts when the round had a model-based point.
    const int from_design = std::min(design_left, q);
    design_left -= from_design;
    const double ask_time = from_design < q ? opt.last_ask_seconds() : NAN;
    for (const auto& t : trials) {
      const std::vector<double> x = t.params.values();
      opt.tell(t.id, prospect::bench::noisy(f, x, noise_std, noise_rng));
      const int evaluation = static_cast<int>(run.regret.size()) + 1;
      run.ask_seconds.push_back(ask_time);
      // Deterministic functions: the best evaluated point, as the peers report it.
      // Noisy ones: the TRUE value of the recommended point (by posterior mean).
      if (noise_std == 0.0) {
        best_seen = std::min(best_seen, f.f(x));
        run.regret.push_back(best_seen - f.optimum);
      } else if (report_at.empty() || evaluation == budget ||
                 std::find(report_at.begin(), report_at.end(), evaluation) != report_at.end()) {
        const prospect::Params recommended =
            model_recommendation ? opt.recommend().params : opt.best().params;
        run.regret.push_back(f.f(recommended.values()) - f.optimum);
      } else {
        run.regret.push_back(NAN);
      }
    }
  }
  return run;
}

Run run_random(const prospect::bench::TestFunction& f, int seed, int budget) {
  prospect::Rng rng(prospect::derive_seed(static_cast<std::uint64_t>(seed), 4242));
  Run run{"random", f.name, seed, {}, {}};
  double best = INFINITY;
  std::vector<double> x(static_cast<std::size_t>(f.dimension));
  for (int i = 0; i < budget; ++i) {
    for (int j = 0; j < f.dimension; ++j) {
      const auto k = static_cast<std::size_t>(j);
      x[k] = f.lower[k] + rng.uniform() * (f.upper[k] - f.lower[k]);
    }
    best = std::min(best, f.f(x));
    run.regret.push_back(best - f.optimum);
    run.ask_seconds.push_back(NAN);
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prospect regret benchmark: simple regret and ask() time on the test functions"};
  std::string functions = "branin,hartmann6,six_hump_camel,goldstein_price,hartmann3";
  int seeds = 20, first_seed = 0, budget = 50, n_initial = 10, threads = 0, batch = 1;
  std::string noise_text = "0";
  std::vector<int> report_at;
  bool noiseless = false, no_random = false;
  std::string recommend = "best";
  std::string acquisition = "logei", out = "bench/results/prospect", kernel = "matern52";
  app.add_option("--functions", functions, "comma-separated names, or 'all'");
  app.add_option("--seeds", seeds, "number of seeds")->check(CLI::PositiveNumber);
  app.add_option("--first-seed", first_seed, "first seed");
  app.add_option("--budget", budget, "evaluations per run")->check(CLI::PositiveNumber);
  app.add_option("--n-initial", n_initial, "initial Sobol points")->check(CLI::PositiveNumber);
  app.add_option("--noise-std", noise_text,
                 "Gaussian observation noise sd (absolute): one number for every function, "
                 "or name=sd,name=sd (unlisted functions noiseless)");
  app.add_option("--batch", batch, "points per round: ask(Q) then tell all Q")
      ->check(CLI::PositiveNumber);
  app.add_option("--report-at", report_at,
                 "evaluation counts at which a noisy run's recommendation is scored "
                 "(comma-separated; the last evaluation always is); default: every one")
      ->delimiter(',');
  app.add_flag("--noiseless", noiseless, "declare the objective noiseless (Noise::none)");
  app.add_option("--recommend", recommend,
                 "with noise, the point scored: best (the evaluated point of best posterior "
                 "mean, Optimizer::best) or model (the posterior mean's maximizer over the "
                 "space, Optimizer::recommend); method name suffix -rec-model")
      ->check(CLI::IsMember({"best", "model"}));
  app.add_option("--acquisition", acquisition,
                 "any name acquisition_from_string knows (logei, ei, ucb, pi, logpi, ...)");
  app.add_option("--kernel", kernel, "se, matern12, matern32, matern52");
  std::vector<std::string> rival_kernels;
  app.add_option("--rival-kernels", rival_kernels,
                 "profiles fitted beside --kernel at every fit, the best by MAP objective used "
                 "(surrogates::GP::rival_kernels; comma-separated); method name suffix -rivals")
      ->delimiter(',');
  app.add_flag("--no-random", no_random, "skip the random-search baseline");
  app.add_option("--threads", threads, "OpenMP threads (0: default)");
  app.add_option("--out", out, "output directory");
  prospect::Options base;
  std::string priors = "botorch";
  app.add_option("--raw-samples", base.inner.raw_samples, "inner optimizer raw samples");
  app.add_option("--restarts", base.inner.restarts, "inner optimizer L-BFGS starts");
  app.add_option("--anchor-samples", base.inner.anchor_samples,
                 "inner raw samples around the best points");
  app.add_option("--max-lengthscale",
                 std::get<prospect::surrogates::GP>(base.surrogate).kernel_options.max_lengthscale,
                 "upper bound of the GP lengthscales (unit cube)");
  app.add_option("--priors", priors, "GP prior preset: botorch, botorch_legacy, none");
  std::string batch_selection = prospect::to_string(prospect::Options{}.batch_selection);
  app.add_option(
      "--batch-selection", batch_selection,
      "joint or sequential: how ask(Q) picks Q points with a joint acquisition (default: "
      "the library's, sequential)");
  app.add_option("--gp-restarts", std::get<prospect::surrogates::GP>(base.surrogate).gp.restarts,
                 "GP fit L-BFGS starts");
  app.add_option("--nugget", std::get<prospect::surrogates::GP>(base.surrogate).gp.noiseless_nugget,
                 "with --noiseless: the fixed nugget (standardized variance)");
  prospect::acquisition::UCB ucb;
  prospect::acquisition::KG kg_options;
  app.add_option("--beta", ucb.beta, "UCB variance multiplier");
  app.add_flag("--beta-schedule", ucb.schedule, "GP-UCB beta schedule");
  app.add_option("--kg-fantasies", kg_options.fantasies, "one-shot KG fantasies");
  app.add_option("--kg-restarts", kg_options.restarts,
                 "one-shot KG inner L-BFGS starts (0: --restarts)");
  app.add_option("--kg-evaluations", kg_options.max_evaluations,
                 "one-shot KG evaluations per start (0: the inner default)");
  CLI11_PARSE(app, argc, argv);
  base.batch_selection = prospect::batch_selection_from_string(batch_selection);
  try {
    for (const auto& name : rival_kernels) {
      std::get<prospect::surrogates::GP>(base.surrogate)
          .rival_kernels.push_back(prospect::kernels::profile_from_string(name));
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_regret: --rival-kernels: " << e.what() << "\n";
    return 2;
  }
  double noise_scalar = 0.0;
  std::map<std::string, double> noise_per_function;
  try {
    noise_per_function = parse_noise(noise_text, noise_scalar);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  const auto noise_of = [&](const std::string& name) {
    if (noise_per_function.empty()) return noise_scalar;
    const auto it = noise_per_function.find(name);
    return it == noise_per_function.end() ? 0.0 : it->second;
  };
  // Exit code 3 for an acquisition this build does not know, so that a driver can
  // skip it (bench/run-noisy.sh names acquisitions that other branches bring).
  try {
    (void)prospect::acquisition::acquisition_from_string(acquisition);
  } catch (const prospect::InvalidArgument& e) {
    std::cerr << "bench_regret: --acquisition: " << e.what() << "\n";
    return 3;
  }
  // The UCB and KG flags travel in base.acquisition to the runs.
  if (acquisition == "kg") {
    base.acquisition = kg_options;
  } else {
    base.acquisition = ucb;
  }
  std::get<prospect::surrogates::GP>(base.surrogate).gp.priors =
      prospect::prior_preset_from_string(priors);

  std::vector<std::string> names;
  if (functions == "all") {
    for (const auto& f : prospect::bench::all_functions()) names.push_back(f.name);
  } else {
    std::stringstream ss(functions);
    for (std::string n; std::getline(ss, n, ',');) names.push_back(n);
  }
  // Every name is checked before the first run, not when its turn comes hours later.
  for (const auto& name : names) {
    try {
      (void)prospect::bench::function(name);
    } catch (const std::exception& e) {
      std::cerr << "bench_regret: --functions: " << e.what() << "\n";
      return 2;
    }
  }
  std::filesystem::create_directories(out);
  const std::string tag =
      "prospect-" + acquisition + (batch > 1 ? "-q" + std::to_string(batch) : "") +
      (noiseless ? "-noiseless" : "") + (recommend == "model" ? "-rec-model" : "");
  const std::string csv_path = out + "/" + tag + ".csv";
  std::ofstream csv(csv_path);
  csv << "method,function,seed,evaluation,regret,ask_seconds\n";

  std::map<std::pair<std::string, std::string>, std::vector<Run>> runs;
  for (const auto& name : names) {
    const auto& f = prospect::bench::function(name);
    for (int s = first_seed; s < first_seed + seeds; ++s) {
      std::vector<Run> these;
      these.push_back(run_prospect(f, s, budget, n_initial, noise_of(name), noiseless, acquisition,
                                   threads, kernel, base, batch, report_at, recommend == "model"));
      if (!no_random) these.push_back(run_random(f, s, budget));
      for (auto& r : these) {
        for (std::size_t i = 0; i < r.regret.size(); ++i) {
          csv << r.method << ',' << r.function << ',' << r.seed << ',' << i + 1 << ','
              << r.regret[i] << ',' << r.ask_seconds[i] << '\n';
        }
        csv.flush();
        const double ask_med = quantile(r.ask_seconds, 0.5);
        std::fprintf(stderr, "[bench] %-24s %-16s seed %2d  regret %.3e  ask %.1f ms\n",
                     r.method.c_str(), r.function.c_str(), r.seed, r.regret.back(),
                     std::isnan(ask_med) ? 0.0 : 1e3 * ask_med);
        runs[{r.function, r.method}].push_back(std::move(r));
      }
    }
  }

  // Columns: the final regret with its quartiles, then the median at each earlier
  // --report-at count.
  std::vector<int> earlier;
  for (const int e : report_at) {
    if (e >= 1 && e < budget && std::find(earlier.begin(), earlier.end(), e) == earlier.end())
      earlier.push_back(e);
  }
  std::sort(earlier.begin(), earlier.end());
  std::ostringstream table;
  table << "| function | method | seeds | median regret | q25 | q75 |";
  for (const int e : earlier) table << " median @" << e << " |";
  table << " median ask (ms) |\n|---|---|---|---|---|---|";
  for (std::size_t i = 0; i < earlier.size(); ++i) table << "---|";
  table << "---|\n";
  for (const auto& [key, rs] : runs) {
    std::vector<double> final_regret, asks;
    for (const auto& r : rs) {
      final_regret.push_back(r.regret.back());
      asks.insert(asks.end(), r.ask_seconds.begin(), r.ask_seconds.end());
    }
    char line[256];
    std::snprintf(line, sizeof line, "| %s | %s | %zu | %.3g | %.3g | %.3g |", key.first.c_str(),
                  key.second.c_str(), rs.size(), quantile(final_regret, 0.5),
                  quantile(final_regret, 0.25), quantile(final_regret, 0.75));
    table << line;
    for (const int e : earlier) {
      std::vector<double> at;
      for (const auto& r : rs) at.push_back(r.regret[static_cast<std::size_t>(e - 1)]);
      std::snprintf(line, sizeof line, " %.3g |", quantile(at, 0.5));
      table << line;
    }
    const double ask_med = quantile(asks, 0.5);
    if (std::isnan(ask_med)) {
      table << " - |\n";
    } else {
      std::snprintf(line, sizeof line, " %.1f |\n", 1e3 * ask_med);
      table << line;
    }
  }
  std::cout << table.str();
  std::ofstream(out + "/" + tag + ".md") << table.str();
  std::cerr << "[bench] wrote " << csv_path << " and " << out << "/" << tag << ".md\n";
  return 0;
}
