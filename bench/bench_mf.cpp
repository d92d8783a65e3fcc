// bench_mf — the multi-fidelity benchmark of issue #4, prospect's side: simple regret at
// the target fidelity against cumulative cost (the protocol of bench/peers/mf_peers.py),
// and the time of one MFKG ask on fixed data (bench/peers/mf_ask_speed.py's file).
//
//   bench_mf --functions aug_hartmann6,currin --methods mfkg,ei_target --seeds 10 --out F
//   bench_mf --ask-data bench/results/mf/mf_ask_data.csv --reps 5
//
// Methods
//   mfkg       acquisition::MFKG{} (64 fantasies, cost-aware) on the default multi-fidelity
//              surrogate (FidelityGP with the linear truncated kernel) or --surrogate
//              cokriging / nargp-free choices; the cost model is the function's (affine
//              5 + s, or 1 / 10 per level as AffineCost{1, {9}}).
//   ei_target  LogEI with every evaluation at the target fidelity (the single-fidelity
//              baseline): the optimizer holds the fidelity at its target.
// Budgets and initial designs as mf_peers.py: aug_hartmann6 n0 14 (ei_target 13), budget
// 200; currin 6 (3), 100; borehole 18 (10), 200; aug_branin 6 (6), 80; forrester 4 (2), 60.
// prospect's initial design is its own (Sobol over design and fidelity for mfkg, at the
// target for ei_target). Regret = f(best().params at the target) - optimum, recorded after
// the initial design and after every evaluation; best() is the evaluated design with the
// best posterior mean at the target fidelity, as in mf_peers.py. With --trace-mean also
// the regret of recommend(), the posterior-mean maximizer at the target over the whole
// space (BoTorch's tutorial recommendation), as "trace_mean".
// Output: one JSON line per (function, method, seed), the format mf_peers.py writes.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "functions/csv.hpp"
#include "functions/mf_functions.hpp"
#include "prospect/prospect.hpp"

namespace {

using prospect::bench::split_list;

using Clock = std::chrono::steady_clock;
namespace pb = prospect::bench;
namespace pa = prospect::acquisition;

struct Budget {
  int n_initial = 0;         // mfkg
  int n_initial_target = 0;  // ei_target
  double cost = 0.0;
};

const std::map<std::string, Budget>& budgets() {
  static const std::map<std::string, Budget> b = {{"aug_hartmann6", {14, 13, 200.0}},
                                                  {"currin", {6, 3, 100.0}},
                                                  {"borehole", {18, 10, 200.0}},
                                                  {"aug_branin", {6, 6, 80.0}},
                                                  {"forrester", {4, 2, 60.0}}};
  return b;
}

// "x<j>" (appended, not operator+: GCC 12's -Wrestrict misfires on "x" + string).
std::string design_name(int j) {
  std::string name = "x";
  name += std::to_string(j);
  return name;
}

// The function's space: design x0.. on its box, then the fidelity "s" (continuous in
// [0, 1]) or "level" (0..L-1).
prospect::Space make_space(const pb::MultiFidelityFunction& f) {
  prospect::Space space;
  for (int j = 0; j < f.dimension; ++j) {
    space.add_real(design_name(j), f.lower[static_cast<std::size_t>(j)],
                   f.upper[static_cast<std::size_t>(j)]);
  }
  if (f.kind == pb::FidelityKind::continuous) {
    space.add_fidelity("s", 0.0, 1.0, 1.0);
  } else {
    space.add_fidelity_levels("level", 0, f.levels - 1, f.levels - 1);
  }
  return space;
}

std::vector<double> design_of(const pb::MultiFidelityFunction& f, const prospect::Params& p) {
  std::vector<double> x;
  for (int j = 0; j < f.dimension; ++j) x.push_back(p.real(design_name(j)));
  return x;
}

double fidelity_of(const pb::MultiFidelityFunction& f, const prospect::Params& p) {
  return f.kind == pb::FidelityKind::continuous ? p.real("s")
                                                : static_cast<double>(p.integer("level"));
}

// The function's cost as an AffineCost in the user's units of the fidelity parameter.
pa::AffineCost cost_of(const pb::MultiFidelityFunction& f) {
  if (f.kind == pb::FidelityKind::continuous) return {f.cost_fixed, {f.cost_slope}};
  // Two or more levels: affine through the lowest and highest level's costs.
  const double low = f.level_costs.front(), high = f.level_costs.back();
  return {low, {(high - low) / static_cast<double>(f.levels - 1)}};
}

struct RunOptions {
  std::string surrogate = "gp";
  std::string noise = "none";
  bool trace_mean = false;
  int fantasies = 64;
  double nugget = 0.0;  // 0: the GP's default noiseless nugget
};

nlohmann::json run(const pb::MultiFidelityFunction& f, const std::string& method, int seed,
                   const RunOptions& ro) {
  const Budget b = budgets().at(f.name);
  const prospect::Space space = make_space(f);
  prospect::Options options;
  options.seed = static_cast<std::uint64_t>(seed);
  options.noise = prospect::noise_from_string(ro.noise);
  options.cost = cost_of(f);
  options.threads = 1;
  if (method == "mfkg") {
    pa::MFKG mfkg;
    mfkg.kg.fantasies = ro.fantasies;
    options.acquisition = mfkg;
    options.n_initial = b.n_initial;
  } else if (method == "ei_target") {
    options.acquisition = pa::LogEI{};
    options.n_initial = b.n_initial_target;
  } else {
    throw std::invalid_argument("--methods: unknown method '" + method +
                                "', expected mfkg or ei_target");
  }
  if (ro.surrogate == "cokriging") {
    prospect::surrogates::CoKriging cokriging;
    if (ro.nugget > 0.0) cokriging.gp.noiseless_nugget = ro.nugget;
    options.surrogate = cokriging;
  } else if (ro.surrogate == "gp") {
    prospect::surrogates::GP gp;
    if (ro.nugget > 0.0) gp.gp.noiseless_nugget = ro.nugget;
    options.surrogate = gp;
  } else {
    throw std::invalid_argument("--surrogate: got '" + ro.surrogate +
                                "', expected gp or cokriging");
  }
  prospect::Optimizer opt(space, options);
  nlohmann::json trace = nlohmann::json::array();
  nlohmann::json trace_mean = nlohmann::json::array();
  nlohmann::json asks = nlohmann::json::array();
  nlohmann::json fidelities = nlohmann::json::array();
  const auto regret = [&] {
    const prospect::Trial best = opt.best();
    return f.f(design_of(f, best.params), f.target()) - f.optimum;
  };
  const auto start = Clock::now();
  int evaluations = 0;
  while (opt.cumulative_cost() < b.cost) {
    const prospect::Trial t = opt.ask();
    const double s = fidelity_of(f, t.params);
    opt.tell(t.id, f.f(design_of(f, t.params), s));
    fidelities.push_back(s);
    ++evaluations;
    const bool model_based = evaluations > options.n_initial;
    if (model_based) asks.push_back(opt.last_ask_seconds());
    if (evaluations >= options.n_initial) {
      trace.push_back({opt.cumulative_cost(), regret()});
      if (ro.trace_mean) {
        const prospect::Optimizer::Recommendation r = opt.recommend();
        trace_mean.push_back(
            {opt.cumulative_cost(), f.f(design_of(f, r.params), f.target()) - f.optimum});
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::fprintf(stderr, "bench_mf: seed %2d %-14s %-9s cost %7.2f regret %.4g evals %d run %.0f s\n",
               seed, f.name.c_str(), method.c_str(), opt.cumulative_cost(),
               trace.empty() ? NAN : trace.back()[1].get<double>(), evaluations, seconds);
  return {{"library", "prospect"}, {"method", method},
          {"function", f.name},    {"seed", seed},
          {"budget", b.cost},      {"n_initial", options.n_initial},
          {"optimum", f.optimum},  {"trace", trace},
          {"ask_seconds", asks},   {"fidelities", fidelities},
          {"seconds", seconds},    {"trace_mean", trace_mean}};
}

// One MFKG ask (fit + acquisition) on the fixed augmented Hartmann-6 data of
// mf_ask_speed.py (header x0..x5,s,y; y to minimize), `reps` times from a fresh study.
int ask_speed(const std::string& path, int reps, int threads, const std::string& out) {
  const std::vector<std::vector<double>> rows = pb::read_numeric_csv(path).rows;
  const auto d = static_cast<int>(rows.front().size()) - 2;
  prospect::Space space;
  for (int j = 0; j < d; ++j) space.add_real(design_name(j), 0.0, 1.0);
  space.add_fidelity("s", 0.0, 1.0, 1.0);
  std::vector<double> seconds;
  nlohmann::json candidates = nlohmann::json::array();
  for (int rep = 0; rep < reps; ++rep) {
    prospect::Options options;
    options.seed = static_cast<std::uint64_t>(rep);
    options.noise = prospect::Noise::none;
    options.acquisition = pa::MFKG{};
    options.cost = pa::AffineCost{5.0, {1.0}};
    options.n_initial = 1;
    options.threads = threads;
    prospect::Optimizer opt(space, options);
    opt.mark_abandoned(opt.ask().id);  // the one Sobol point of the initial design
    for (const auto& row : rows) {
      prospect::Params p = space.params();
      for (int j = 0; j < d; ++j) p.set(design_name(j), row[static_cast<std::size_t>(j)]);
      p.set("s", row[static_cast<std::size_t>(d)]);
      opt.enqueue(p);
      const prospect::Trial t = opt.ask();
      opt.tell(t.id, row[static_cast<std::size_t>(d + 1)]);
    }
    const prospect::Trial t = opt.ask();
    seconds.push_back(opt.last_ask_seconds());
    candidates.push_back(t.params.values());
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  const nlohmann::json result = {
      {"function", "aug_hartmann6"}, {"n", rows.size()},         {"dim", d + 1},
      {"threads", threads},          {"seconds_median", median}, {"seconds", seconds},
      {"candidates", candidates}};
  std::cout << result.dump() << "\n";
  if (!out.empty()) std::ofstream(out) << result.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prospect multi-fidelity benchmark: regret at the target against cost"};
  std::string functions = "aug_hartmann6,currin,borehole,aug_branin";
  std::string methods = "mfkg,ei_target";
  int seeds = 10;
  int first_seed = 0;
  std::string out;
  std::string ask_data;
  int reps = 5;
  int threads = 1;
  RunOptions ro;
  app.add_option("--functions", functions, "comma-separated multi-fidelity functions");
  app.add_option("--methods", methods, "mfkg, ei_target");
  app.add_option("--seeds", seeds, "number of seeds (first-seed .. first-seed + seeds - 1)");
  app.add_option("--first-seed", first_seed, "first seed");
  app.add_option("--out", out, "append JSON lines here (stdout when empty)");
  app.add_option("--surrogate", ro.surrogate, "gp (fidelity kernel) or cokriging");
  app.add_option("--fantasies", ro.fantasies, "MFKG fantasies");
  app.add_flag("--trace-mean", ro.trace_mean,
               "also record the regret of Optimizer::recommend() (the posterior-mean "
               "maximizer at the target) as trace_mean");
  app.add_option("--noise", ro.noise, "none (the functions are deterministic) or learned");
  app.add_option("--nugget", ro.nugget,
                 "with --noise none: the GP's fixed nugget (standardized variance; default "
                 "the GP's, 1e-9)");
  app.add_option("--ask-data", ask_data, "time MFKG asks on this CSV instead of regret runs");
  app.add_option("--reps", reps, "timed asks with --ask-data");
  app.add_option("--threads", threads, "threads with --ask-data");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!ask_data.empty()) return ask_speed(ask_data, reps, threads, out);
    std::ofstream file;
    if (!out.empty()) file.open(out, std::ios::app);
    for (const auto& name : split_list(functions)) {
      const pb::MultiFidelityFunction& f = pb::mf_function(name);
      for (const auto& method : split_list(methods)) {
        for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
          const std::string line = run(f, method, seed, ro).dump();
          if (out.empty()) {
            std::cout << line << std::endl;
          } else {
            file << line << std::endl;
          }
        }
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_mf: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
