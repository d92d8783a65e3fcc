// bench_bnn — neural-network surrogates against GPs (issue #5).
//
// Regret mode (default): for each function, method and seed, n_initial Sobol points then
// LogEI asks up to the budget; one CSV row per evaluation (simple regret = best value so
// far minus the optimum, the wall time of the ask that produced it), and a table of the final
// regret (median and quartiles over seeds) and the median ask time.
// Methods: gp (Matern-5/2 GP), nngp (GP with the infinite-width network kernel), hmc (HMC
// BNN) and ensemble (deep ensemble), each with its DEFAULT options; the acquisition (LogEI
// on the model's marginal predictive) and the inner optimizer are the same for all.
//
// Fit mode (--fit-time): fits each method's model at --fit-n uniformly random observations
// of each function (--reps times, new data each time) and prints the median fit() time,
// the time per BO iteration that the model costs, next to the 5 s limit of the issue.
//
//   bench_bnn --functions cliff3,levy4_in_20 --methods gp,nngp,hmc,ensemble --seeds 10
//   bench_bnn --fit-time --functions cliff3,levy4_in_20 --fit-n 100 --reps 3
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "functions/nonstationary_functions.hpp"
#include "prospect/prospect.hpp"

namespace {

using prospect::bench::quantile;
using prospect::bench::split_list;

using Clock = std::chrono::steady_clock;

// A method is a model, optionally followed by ":<acquisition>" (LogEI by default), e.g.
// "hmc:qlognei" or "ensemble:ts". Models: gp, nngp, hmc, hmc_ln (HMC with the noise sampled
// instead of fixed), nngp_ard (the network kernel with one relevance per input), ensemble;
// each with its default options otherwise; and sobol (no model: the whole budget from the
// scrambled Sobol design).
struct Method {
  std::string model, acquisition = "logei";
};

Method parse_method(const std::string& text) {
  Method m;
  const auto colon = text.find(':');
  m.model = text.substr(0, colon);
  if (colon != std::string::npos) m.acquisition = text.substr(colon + 1);
  (void)prospect::acquisition::acquisition_from_string(m.acquisition);  // throws if unknown
  return m;
}

// --hmc-set: overrides of the HMC options ("chains=4,path_length=0.05"), for studies of the
// sampler's settings; empty for the defaults.
prospect::HMCNetworkOptions hmc_options(const std::string& overrides) {
  prospect::HMCNetworkOptions h;
  for (const auto& item : split_list(overrides)) {
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const double v = eq == std::string::npos ? NAN : std::stod(item.substr(eq + 1));
    if (key == "chains")
      h.chains = static_cast<int>(v);
    else if (key == "burn_in")
      h.burn_in = static_cast<int>(v);
    else if (key == "samples")
      h.samples = static_cast<int>(v);
    else if (key == "thin")
      h.thin = static_cast<int>(v);
    else if (key == "path_length")
      h.path_length = v;
    else if (key == "prior_variance")
      h.prior_variance = v;
    else if (key == "noise_variance")
      h.noise_variance = v;
    else if (key == "pretrain_steps")
      h.pretrain_steps = static_cast<int>(v);
    else if (key == "width")
      h.hidden = {static_cast<Eigen::Index>(v), static_cast<Eigen::Index>(v)};
    else
      throw prospect::InvalidArgument("--hmc-set: unknown key \"" + key + "\"");
  }
  return h;
}
std::string g_hmc_overrides;

prospect::SurrogateChoice surrogate_for(const std::string& method) {
  const std::string model = parse_method(method).model;
  if (model == "gp" || model == "sobol") return prospect::surrogates::GP{};
  if (model == "nngp") return prospect::surrogates::NNGP{};
  if (model == "nngp_ard") {
    prospect::surrogates::NNGP nngp;
    nngp.kernel.ard = true;
    return nngp;
  }
  if (model == "hmc") return prospect::surrogates::HMC{hmc_options(g_hmc_overrides)};
  if (model == "hmc_ln") {
    prospect::surrogates::HMC hmc{hmc_options(g_hmc_overrides)};
    hmc.options.learn_noise = true;
    return hmc;
  }
  if (model == "ensemble") return prospect::surrogates::DeepEnsemble{};
  throw prospect::InvalidArgument(
      "--methods: got \"" + method +
      "\", expected gp, nngp, nngp_ard, hmc, hmc_ln, ensemble or sobol, optionally "
      "followed by :<acquisition>");
}

prospect::Space make_space(const prospect::bench::TestFunction& f) {
  prospect::Space space;
  for (int j = 0; j < f.dimension; ++j) {
    std::string name = "x";
    name.append(std::to_string(j));
    space.add_real(name, f.lower[static_cast<std::size_t>(j)],
                   f.upper[static_cast<std::size_t>(j)]);
  }
  return space;
}

std::vector<double> point(const prospect::Params& p, int d) {
  std::vector<double> x(static_cast<std::size_t>(d));
  for (int j = 0; j < d; ++j) {
    std::string name = "x";
    name.append(std::to_string(j));
    x[static_cast<std::size_t>(j)] = p.real(name);
  }
  return x;
}

struct Run {
  std::vector<double> regret, ask_seconds;
};

Run run_once(const prospect::bench::TestFunction& f, const std::string& method, int seed,
             int budget, int n_initial, const prospect::AcquisitionOptimizerOptions& inner) {
  prospect::Options o;
  o.seed = static_cast<std::uint64_t>(seed);
  // "sobol": the whole budget from the initial design (the baseline every model must beat).
  o.n_initial = parse_method(method).model == "sobol" ? budget : n_initial;
  o.surrogate = surrogate_for(method);
  o.acquisition = prospect::acquisition::acquisition_from_string(parse_method(method).acquisition);
  o.inner = inner;
  o.threads = 1;
  prospect::Optimizer opt(make_space(f), o);
  Run run;
  double best = INFINITY;
  for (int i = 0; i < budget; ++i) {
    const auto start = Clock::now();
    const prospect::Trial t = opt.ask();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double y = f.f(point(t.params, f.dimension));
    opt.tell(t.id, y);
    best = std::min(best, y);
    run.regret.push_back(best - f.optimum);
    run.ask_seconds.push_back(i < n_initial ? NAN : seconds);
  }
  return run;
}

void fit_times(const std::vector<std::string>& functions, const std::vector<std::string>& methods,
               int n, int reps) {
  std::printf("fit() time at n = %d observations (median of %d, seconds; limit for hmc: 5 s)\n", n,
              reps);
  std::printf("%-14s %-10s %10s %10s\n", "function", "method", "median", "max");
  for (const auto& name : functions) {
    const auto& f = prospect::bench::nonstationary_function(name);
    for (const auto& method : methods) {
      if (parse_method(method).model == "sobol") continue;  // fits nothing
      std::vector<double> times;
      for (int r = 0; r < reps; ++r) {
        const prospect::Matrix X =
            prospect::sobol(n, f.dimension, static_cast<std::uint64_t>(r + 1));
        prospect::Dataset data;
        data.X = X;
        data.y.resize(n);
        for (int i = 0; i < n; ++i) {
          std::vector<double> x(static_cast<std::size_t>(f.dimension));
          for (int j = 0; j < f.dimension; ++j) {
            const auto u = static_cast<std::size_t>(j);
            x[u] = f.lower[u] + X(i, j) * (f.upper[u] - f.lower[u]);
          }
          data.y(i) = -f.f(x);
        }
        std::unique_ptr<prospect::Surrogate> model;
        if (method == "gp" || method == "nngp" || method == "nngp_ard") {
          prospect::GaussianProcessOptions gpo;
          gpo.threads = 0;
          if (method == "gp") {
            model = std::make_unique<prospect::GaussianProcess>(
                prospect::kernels::Stationary(prospect::kernels::Profile::matern52), gpo);
          } else {
            prospect::kernels::NNGPOptions k;
            k.ard = method == "nngp_ard";
            model = std::make_unique<prospect::GaussianProcess>(
                prospect::kernels::NeuralNetworkKernel(k), gpo);
          }
        } else if (method == "hmc" || method == "hmc_ln") {
          prospect::HMCNetworkOptions h;
          h.learn_noise = method == "hmc_ln";
          model = std::make_unique<prospect::HMCNetwork>(h);
        } else if (method == "ensemble") {
          model = std::make_unique<prospect::DeepEnsemble>();
        } else {
          throw prospect::InvalidArgument("--fit-time: no fit to time for method \"" + method +
                                          "\"");
        }
        const auto start = Clock::now();
        model->fit(data, static_cast<std::uint64_t>(r));
        times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
      }
      std::printf("%-14s %-10s %10.3f %10.3f\n", name.c_str(), method.c_str(), quantile(times, 0.5),
                  *std::max_element(times.begin(), times.end()));
      std::fflush(stdout);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"BNN surrogates against GPs: regret and fit time"};
  std::string functions_text = "cliff3,levy4_in_20", methods_text = "gp,nngp,hmc,ensemble";
  std::string out = "bench/results/bnn";
  int seeds = 10, first_seed = 0, budget = 0, n_initial = 0, fit_n = 100, reps = 3;
  bool fit_mode = false;
  prospect::AcquisitionOptimizerOptions inner;
  inner.raw_samples = 256;
  inner.restarts = 4;
  app.add_option("--functions", functions_text,
                 "comma-separated: cliff3, gramacy_lee2, levy4_in_20");
  app.add_option("--methods", methods_text, "comma-separated: gp, nngp, hmc, ensemble");
  app.add_option("--seeds", seeds, "number of seeds")->check(CLI::PositiveNumber);
  app.add_option("--first-seed", first_seed, "first seed");
  app.add_option("--budget", budget, "evaluations per run (0: 40 below 10 dimensions, else 60)");
  app.add_option("--n-initial", n_initial,
                 "initial Sobol points (0: 10 below 10 dimensions, else 20)");
  app.add_option("--raw-samples", inner.raw_samples, "inner optimizer raw samples");
  app.add_option("--restarts", inner.restarts, "inner optimizer L-BFGS starts");
  app.add_option("--out", out, "output directory (regret.csv, one file per function x method)");
  app.add_option("--hmc-set", g_hmc_overrides,
                 "HMC option overrides: chains, burn_in, samples, thin, path_length, "
                 "prior_variance, noise_variance, pretrain_steps, width (key=value,...)");
  app.add_flag("--fit-time", fit_mode, "time fit() at --fit-n observations instead");
  app.add_option("--fit-n", fit_n, "observations for --fit-time")->check(CLI::PositiveNumber);
  app.add_option("--reps", reps, "repetitions for --fit-time")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  const auto functions = split_list(functions_text);
  const auto methods = split_list(methods_text);
  try {
    for (const auto& m : methods) (void)surrogate_for(m);
    for (const auto& f : functions) (void)prospect::bench::nonstationary_function(f);
    if (fit_mode) {
      fit_times(functions, methods, fit_n, reps);
      return 0;
    }
    std::filesystem::create_directories(out);
    std::printf("%-14s %-10s %12s %12s %12s %10s\n", "function", "method", "median", "q25", "q75",
                "ask_s");
    for (const auto& name : functions) {
      const auto& f = prospect::bench::nonstationary_function(name);
      const int b = budget > 0 ? budget : (f.dimension < 10 ? 40 : 60);
      const int n0 = n_initial > 0 ? n_initial : (f.dimension < 10 ? 10 : 20);
      for (const auto& method : methods) {
        std::string file = method;
        std::replace(file.begin(), file.end(), ':', '+');
        const std::string path = out + "/" + name + "_" + file + ".csv";
        std::ofstream csv(path);
        csv << "method,function,seed,evaluation,regret,ask_seconds\n";
        std::vector<double> finals, asks;
        for (int s = first_seed; s < first_seed + seeds; ++s) {
          const auto start = Clock::now();
          const Run run = run_once(f, method, s, b, n0, inner);
          for (std::size_t i = 0; i < run.regret.size(); ++i) {
            csv << method << ',' << name << ',' << s << ',' << i + 1 << ',' << run.regret[i] << ','
                << run.ask_seconds[i] << '\n';
            if (!std::isnan(run.ask_seconds[i])) asks.push_back(run.ask_seconds[i]);
          }
          csv.flush();
          finals.push_back(run.regret.back());
          std::fprintf(stderr, "[bench_bnn] %s %s seed %d: regret %.4g (%.1f s)\n", name.c_str(),
                       method.c_str(), s, run.regret.back(),
                       std::chrono::duration<double>(Clock::now() - start).count());
        }
        std::printf("%-14s %-10s %12.4g %12.4g %12.4g %10.3f\n", name.c_str(), method.c_str(),
                    quantile(finals, 0.5), quantile(finals, 0.25), quantile(finals, 0.75),
                    quantile(asks, 0.5));
        std::fflush(stdout);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_bnn: %s\n", e.what());
    return 1;
  }
  return 0;
}
