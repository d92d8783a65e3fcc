// Randomized ask/tell sessions: random spaces, options and call sequences, with the
// invariants every session must keep. A scenario fails when the library throws something
// that is not a prospect::Error on a valid call, when a bad call is accepted or changes the
// study, or when an invariant breaks: asks inside the space, unique ids, best() among the
// complete trials (the best observed value when noiseless), a saved and reloaded study
// asking what the original asks.
//
// CI runs scenarios 0..39 (about 0.05-1 s each, several times that under the sanitizers).
// To hunt for bugs run more: PROSPECT_FUZZ_SCENARIOS=2000 PROSPECT_FUZZ_FIRST=40
// ./test_study_fuzz (in the sanitizer build for memory errors). A failure prints the
// scenario's seed and description; the same seed replays it.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/optimizer.hpp"
#include "prospect/random.hpp"

namespace prospect::fuzz {
namespace {

/// The outcome of one scenario.
struct ScenarioResult {
  bool ok = true;           ///< no invariant broken
  bool refused = false;     ///< the options were refused (InvalidOptions): nothing run
  std::string description;  ///< the space, options and steps, for the report
  std::string failure;      ///< what broke (empty when ok)
};

/// A failed invariant: carries its message out of the scenario.
struct Broken {
  std::string what;
};

void require(bool condition, const std::string& what) {
  if (!condition) throw Broken{what};
}

/// Everything about the study that a refused call must leave as it was.
struct Snapshot {
  std::size_t trials = 0, complete = 0, pending = 0;
  double cost = 0.0;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const Optimizer& opt) {
  return {opt.trials().size(), opt.n_complete(), opt.n_pending(), opt.cumulative_cost()};
}

class Scenario {
 public:
  /// `threads`: Options::threads of the study (the asks must not depend on it).
  Scenario(std::uint64_t seed, std::string scratch, int threads = 1)
      : rng_(derive_seed(seed, 0xF022)),
        seed_(seed),
        scratch_(std::move(scratch)),
        threads_(threads) {}

  /// Every point asked, in order (the user's values).
  [[nodiscard]] const std::vector<std::vector<double>>& asked() const { return asked_; }

  ScenarioResult run() {
    ScenarioResult result;
    try {
      build_space();
      build_options();
      result.description = describe_.str();
      std::optional<Optimizer> opt;
      try {
        opt.emplace(space_, options_);
      } catch (const InvalidOptions& e) {
        // Refusing a combination is fine (the message is checked to name something).
        require(std::string(e.what()).size() > 10, "InvalidOptions without a message");
        result.refused = true;
        return result;
      }
      steps(*opt);
      if (coin(0.25)) run_minimize();
    } catch (const Broken& b) {
      result.ok = false;
      result.failure = b.what;
    } catch (const Error& e) {
      result.ok = false;
      result.failure = "unexpected prospect error: " + std::string(e.what());
    } catch (const std::exception& e) {
      result.ok = false;
      result.failure =
          "unexpected std::exception (not a prospect::Error): " + std::string(e.what());
    }
    result.description = describe_.str();
    return result;
  }

 private:
  int pick(int n) { return static_cast<int>(rng_.uniform() * n) % n; }
  bool coin(double p) { return rng_.uniform() < p; }

  void build_space() {
    const int n = 1 + pick(4);
    describe_ << "space:";
    for (int i = 0; i < n; ++i) {
      std::string name = "p";
      name += std::to_string(i);
      switch (pick(5)) {
        case 0:
          space_.add_real(name, -2.0 - pick(3), 3.0 + pick(5));
          describe_ << " real";
          break;
        case 1:
          space_.add_real(name, 1e-4, 10.0, Scale::log);
          describe_ << " real-log";
          break;
        case 2:
          space_.add_integer(name, -3, pick(2) == 0 ? 4 : 40);
          describe_ << " int";
          break;
        case 3:
          space_.add_integer(name, 1, 1000, Scale::log);
          describe_ << " int-log";
          break;
        default: {
          std::vector<std::string> categories;
          const int n_categories = 2 + pick(3);
          for (int c = 0; c < n_categories; ++c) {
            std::string category = "c";
            category += std::to_string(c);
            categories.push_back(category);
          }
          space_.add_categorical(name, categories);
          describe_ << " cat" << categories.size();
        }
      }
    }
    if (coin(0.2)) {
      if (coin(0.5)) {
        space_.add_fidelity("s", 0.0, 1.0, 1.0);
        describe_ << " fidelity";
      } else {
        space_.add_fidelity_levels("level", 0, 1 + pick(2), 1);
        describe_ << " levels";
      }
      has_fidelity_ = true;
    }
  }

  void build_options() {
    options_.seed = seed_;
    options_.threads = threads_;
    options_.direction = coin(0.5) ? Direction::minimize : Direction::maximize;
    options_.noise = coin(0.3) ? Noise::none : Noise::learned;
    options_.n_initial = pick(3) == 0 ? 0 : 1 + pick(6);
    options_.inner.raw_samples = 32;
    options_.inner.restarts = 2;
    options_.inner.max_evaluations = 30;
    options_.pending = static_cast<PendingStrategy>(pick(4));
    options_.batch_selection = coin(0.5) ? BatchSelection::joint : BatchSelection::sequential;
    options_.refit_every = coin(0.7) ? 1 : 3;
    if (coin(0.3)) options_.non_finite = NonFinitePolicy::record_failed;
    if (coin(0.15)) {
      options_.cost = acquisition::LearnedCost{};
      describe_ << "; learned cost";
    }
    describe_ << "; " << to_string(options_.direction) << ", noise " << to_string(options_.noise)
              << ", n_initial " << options_.n_initial << ", refit_every " << options_.refit_every;

    switch (pick(12)) {
      case 0:
        options_.surrogate = surrogates::RandomSearch{};
        break;
      case 10:
        options_.surrogate = surrogates::CoKriging{};
        break;
      case 11:
        options_.surrogate = surrogates::NARGP{};
        break;
      case 1:
        options_.surrogate = surrogates::NNGP{};
        break;
      case 2: {
        surrogates::CQR cqr;
        cqr.options.boosting.n_estimators = 20;
        options_.surrogate = cqr;
        break;
      }
      case 3: {
        surrogates::HMC hmc;
        hmc.options.hidden = {8};
        hmc.options.burn_in = 20;
        hmc.options.samples = 20;
        hmc.options.thin = 2;
        hmc.options.pretrain_steps = 20;
        options_.surrogate = hmc;
        break;
      }
      case 4: {
        surrogates::DeepEnsemble ensemble;
        ensemble.options.members = 2;
        ensemble.options.hidden = {8};
        ensemble.options.epochs = 30;
        ensemble.options.warmup = 5;
        options_.surrogate = ensemble;
        break;
      }
      default: {
        surrogates::GP gp;
        gp.kernel = static_cast<kernels::Profile>(pick(4));
        if (coin(0.2))
          gp.rival_kernels = {gp.kernel == kernels::Profile::squared_exponential
                                  ? kernels::Profile::matern52
                                  : kernels::Profile::squared_exponential};
        options_.surrogate = gp;
      }
    }
    acquisition::KG kg;
    kg.fantasies = 4;
    kg.mean_restarts = 2;
    kg.mean_raw_samples = 32;
    kg.restarts = 1;
    kg.max_evaluations = 20;
    switch (pick(16)) {
      case 0:
        options_.acquisition = acquisition::EI{};
        break;
      case 1:
        options_.acquisition = acquisition::UCB{};
        break;
      case 2:
        options_.acquisition = acquisition::PI{};
        break;
      case 3:
        options_.acquisition = acquisition::LogPI{};
        break;
      case 4:
        options_.acquisition = acquisition::qEI{64};
        break;
      case 5:
        options_.acquisition = acquisition::qLogEI{64};
        break;
      case 6:
        options_.acquisition = acquisition::qUCB{4.0, 64};
        break;
      case 7: {
        acquisition::qLogNEI nei;
        nei.samples = 64;
        nei.prune_samples = 64;
        options_.acquisition = nei;
        break;
      }
      case 8:
        options_.acquisition = kg;
        break;
      case 9: {
        acquisition::FiniteKG finite;
        finite.noisy_ei = coin(0.5);
        finite.mean_restarts = 2;
        finite.mean_raw_samples = 32;
        options_.acquisition = finite;
        break;
      }
      case 10:
        options_.acquisition = acquisition::MFKG{kg, true};
        break;
      case 11:
        options_.acquisition = acquisition::AugmentedEI{};
        break;
      case 12:
        options_.acquisition = acquisition::Thompson{};
        break;
      case 13:
        options_.acquisition = acquisition::QuantileThompson{};
        break;
      case 14:
        options_.acquisition = acquisition::Quantile{};
        break;
      default:
        options_.acquisition = acquisition::LogEI{};
    }
    if (coin(0.15)) {
      schedulers::ASHA asha;
      asha.max_resource = 9;
      options_.scheduler = asha;
      describe_ << ", asha";
    }
    describe_ << "; " << to_string(options_.surrogate) << " + "
              << acquisition::to_string(options_.acquisition);
    objective_kind_ = pick(5);
    describe_ << "; objective " << objective_kind_;
  }

  /// The objective: smooth, constant, huge, tiny or rounded (many ties).
  double objective(const Params& p) {
    const std::vector<double> x = p.values();
    double f = 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      f += std::sin(1.3 * x[j] + static_cast<double>(j)) + 0.1 * x[j] * x[j];
    }
    switch (objective_kind_) {
      case 1:
        return 3.0;
      case 2:
        return 1e12 * f;
      case 3:
        return 1e-12 * f;
      case 4:
        return std::round(f);
      default:
        return f;
    }
  }

  /// A valid point of the space, drawn at random.
  Params random_params() {
    Params p = space_.params();
    for (const Parameter& parameter : space_.parameters()) {
      const double u = rng_.uniform();
      const double lo = parameter.lower, hi = parameter.upper;
      if (parameter.type == ParameterType::categorical) {
        p.set(parameter.name, parameter.categories[static_cast<std::size_t>(
                                  pick(static_cast<int>(parameter.categories.size())))]);
      } else if (parameter.type == ParameterType::integer) {
        p.set(parameter.name, static_cast<long>(lo) + pick(static_cast<int>(hi - lo) + 1));
      } else {
        p.set(parameter.name,
              parameter.scale == Scale::log ? lo * std::pow(hi / lo, u) : lo + u * (hi - lo));
      }
    }
    return p;
  }

  void check_trial(const Trial& t) {
    require(ids_.insert(t.id).second, "ask returned an id already used: " + std::to_string(t.id));
    try {
      space_.validate(t.params);
    } catch (const Error& e) {
      throw Broken{"ask returned a point outside the space: " + std::string(e.what())};
    }
    pending_.push_back(t.id);
    asked_.push_back(t.params.values());
  }

  void ask_some(Optimizer& opt, int q) {
    if (q == 1) {
      check_trial(opt.ask());
    } else {
      const std::vector<Trial> batch = opt.ask(q);
      require(static_cast<int>(batch.size()) == q, "ask(q) returned the wrong number of trials");
      for (const Trial& t : batch) check_trial(t);
    }
  }

  void tell_one(Optimizer& opt) {
    const std::size_t k = static_cast<std::size_t>(pick(static_cast<int>(pending_.size())));
    const std::uint64_t id = pending_[k];
    pending_.erase(pending_.begin() + static_cast<long>(k));
    const Trial& t = opt.trial(id);
    if (std::holds_alternative<schedulers::ASHA>(options_.scheduler) && coin(0.7)) {
      double last = 0.0;
      for (long step = 1; step <= 9; ++step) {
        last = objective(t.params) + 1.0 / static_cast<double>(step);
        opt.report(id, step, last);
        if (opt.should_stop(id)) break;
      }
      opt.tell(id, last);
      return;
    }
    const int what = pick(12);
    if (what == 10) {
      // A measured cost: a bad one is refused and changes nothing, a good one is kept.
      const Snapshot before = snapshot(opt);
      bool threw = false;
      try {
        opt.tell(id, objective(t.params), -1.0);
      } catch (const InvalidArgument&) {
        threw = true;
      }
      require(threw, "tell with cost -1 was accepted");
      require(snapshot(opt) == before, "a refused tell with a cost changed the study");
      opt.tell(id, objective(t.params), 0.5 + rng_.uniform());
    } else if (what == 11) {
      opt.mark_abandoned(id);
      require(opt.trial(id).status == TrialStatus::abandoned, "mark_abandoned did not abandon");
      return;
    } else if (what == 0) {
      opt.tell_failed(id, "fuzz: simulated crash");
    } else if (what == 1) {
      const Snapshot before = snapshot(opt);
      bool threw = false;
      try {
        opt.tell(id, std::numeric_limits<double>::quiet_NaN());
      } catch (const InvalidArgument&) {
        threw = true;
      }
      if (options_.non_finite == NonFinitePolicy::refuse) {
        require(threw, "tell(NaN) did not throw under NonFinitePolicy::refuse");
        require(snapshot(opt) == before, "a refused tell(NaN) changed the study");
        opt.tell(id, objective(t.params));
      } else {
        require(!threw, "tell(NaN) threw under NonFinitePolicy::record_failed");
        require(opt.trial(id).status == TrialStatus::failed, "tell(NaN) did not record a failure");
      }
    } else {
      opt.tell(id, objective(t.params));
    }
    // Telling it again must be refused and change nothing.
    const Snapshot before = snapshot(opt);
    bool threw = false;
    try {
      opt.tell(id, 1.0);
    } catch (const Error&) {
      threw = true;
    }
    require(threw, "a second tell of trial " + std::to_string(id) + " was accepted");
    require(snapshot(opt) == before, "a refused second tell changed the study");
  }

  void bad_calls(Optimizer& opt) {
    const Snapshot before = snapshot(opt);
    bool threw = false;
    try {
      opt.tell(987654321, 1.0);
    } catch (const Error&) {
      threw = true;
    }
    require(threw, "tell of an unknown id was accepted");
    threw = false;
    try {
      (void)opt.ask(0);
    } catch (const Error&) {
      threw = true;
    }
    require(threw, "ask(0) was accepted");
    require(snapshot(opt) == before, "a refused call changed the study");
    // A truncated study file is refused with StudyFileError.
    const std::string path = scratch_ + "/fuzz-cut-" + std::to_string(seed_) + ".json";
    opt.save(path);
    const auto size = std::filesystem::file_size(path);
    std::filesystem::resize_file(path, size / 2);
    threw = false;
    try {
      (void)Optimizer::load(path);
    } catch (const StudyFileError&) {
      threw = true;
    }
    std::filesystem::remove(path);
    require(threw, "a truncated study file was not refused with StudyFileError");
  }

  void check_best(const Optimizer& opt) {
    if (opt.n_complete() == 0) {
      bool threw = false;
      try {
        (void)opt.best();
      } catch (const Error&) {
        threw = true;
      }
      require(threw, "best() without a complete trial did not throw");
      return;
    }
    const Trial best = opt.best();
    require(best.status == TrialStatus::complete, "best() returned a trial that is not complete");
    if (options_.noise == Noise::none && !has_fidelity_ &&
        !std::holds_alternative<schedulers::ASHA>(options_.scheduler)) {
      double extreme = options_.direction == Direction::minimize ? INFINITY : -INFINITY;
      for (const Trial& t : opt.trials()) {
        if (t.status != TrialStatus::complete) continue;
        extreme = options_.direction == Direction::minimize ? std::min(extreme, *t.value)
                                                            : std::max(extreme, *t.value);
      }
      require(*best.value == extreme, "noiseless best() is not the best observed value");
    }
  }

  void save_and_compare(Optimizer& opt) {
    const std::string path = scratch_ + "/fuzz-" + std::to_string(seed_) + ".json";
    opt.save(path);
    Optimizer loaded = Optimizer::load(path, options_);
    std::filesystem::remove(path);
    require(loaded.trials().size() == opt.trials().size(), "a loaded study lost trials");
    if (!pending_.empty()) return;  // both would ask with the same pending set; keep it cheap
    const Trial a = opt.ask();
    const Trial b = loaded.ask();
    require(a.params.values() == b.params.values(),
            "the loaded study asks another point than the original");
    check_trial(a);
  }

  /// minimize() on the same space and options, with an objective that sometimes throws
  /// (a failed trial, the loop goes on) and sometimes a cost budget.
  void run_minimize() {
    Options options = options_;
    if (coin(0.5)) options.cost_budget = 2.0 + 4.0 * rng_.uniform();
    const int budget = 3 + pick(5);
    int calls = 0;
    describe_ << "; minimize " << budget << " cost_budget " << options.cost_budget;
    const Result result = minimize(
        [&](const Params& p) {
          if (++calls % 3 == 0) throw std::runtime_error("fuzz: the simulator crashed");
          return objective(p);
        },
        space_, budget, options);
    require(result.trials.size() <= static_cast<std::size_t>(budget),
            "minimize() ran more trials than its budget");
    require(static_cast<int>(result.trials.size()) == calls, "minimize() lost trials");
    std::size_t failed = 0, complete = 0;
    for (const Trial& t : result.trials) {
      failed += t.status == TrialStatus::failed ? 1 : 0;
      complete += t.status == TrialStatus::complete ? 1 : 0;
    }
    require(failed == static_cast<std::size_t>(calls / 3),
            "minimize() did not record each throwing evaluation as a failed trial");
    if (result.termination == Termination::cost_budget_exhausted) {
      require(options.cost_budget > 0.0 && result.cost >= options.cost_budget,
              "minimize() reported a cost budget it did not reach");
    } else {
      require(result.trials.size() == static_cast<std::size_t>(budget),
              "minimize() stopped before its budget without a reason");
    }
    if (complete > 0) {
      require(result.best.status == TrialStatus::complete,
              "minimize()'s best is not a complete trial");
    }
  }

  void steps(Optimizer& opt) {
    const int n_steps = 6 + pick(11);
    describe_ << "; steps";
    for (int step = 0; step < n_steps; ++step) {
      const int action = pick(10);
      if (pending_.empty() || action < 4) {
        const int q = coin(0.25) ? 2 + pick(2) : 1;
        describe_ << " ask" << q;
        ask_some(opt, q);
      } else if (action < 8) {
        describe_ << " tell";
        tell_one(opt);
      } else if (action == 8) {
        if (coin(0.5)) {
          describe_ << " bad";
          bad_calls(opt);
        } else {
          describe_ << " enqueue";
          const Params p = random_params();
          opt.enqueue(p);
          const Trial t = opt.ask();
          require(t.params.values() == p.values(), "ask() did not return the enqueued point");
          check_trial(t);
        }
      } else {
        describe_ << " save";
        save_and_compare(opt);
      }
      check_best(opt);
    }
    // Tell what is left, then a last ask and the recommendation on the full data.
    while (!pending_.empty()) tell_one(opt);
    describe_ << " ask1";
    ask_some(opt, 1);
    check_best(opt);
    if (opt.n_complete() > 0) {
      try {
        (void)opt.recommend();
      } catch (const InvalidState& e) {
        // Documented: the surrogate cannot be fitted to the results yet (too few).
        require(std::string(e.what()).find("cannot be fitted") != std::string::npos,
                "recommend() threw InvalidState: " + std::string(e.what()));
      }
    }
  }

  Rng rng_;
  std::uint64_t seed_;
  std::string scratch_;
  Space space_;
  Options options_;
  bool has_fidelity_ = false;
  int objective_kind_ = 0;
  int threads_ = 1;
  std::vector<std::vector<double>> asked_;
  std::set<std::uint64_t> ids_;
  std::vector<std::uint64_t> pending_;
  std::ostringstream describe_;
};

}  // namespace
}  // namespace prospect::fuzz

namespace {
long env_or(const char* name, long fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::strtol(value, nullptr, 10) : fallback;
}
}  // namespace

TEST_CASE("random ask/tell sessions keep the study's invariants") {
  const long first = env_or("PROSPECT_FUZZ_FIRST", 0);
  const long count = env_or("PROSPECT_FUZZ_SCENARIOS", 40);
  const std::string scratch = std::filesystem::temp_directory_path().string();
  int refused = 0, failed = 0;
  for (long seed = first; seed < first + count; ++seed) {
    prospect::fuzz::Scenario scenario(static_cast<std::uint64_t>(seed), scratch);
    const prospect::fuzz::ScenarioResult result = scenario.run();
    refused += result.refused ? 1 : 0;
    if (!result.ok) {
      ++failed;
      FAIL_CHECK("scenario " << seed << " (" << result.description << "): " << result.failure);
    } else if (!result.refused && seed % 4 == 0) {
      // The same seed on two threads asks the same points (Options::threads).
      prospect::fuzz::Scenario twin(static_cast<std::uint64_t>(seed), scratch, 2);
      const prospect::fuzz::ScenarioResult again = twin.run();
      if (!again.ok || twin.asked() != scenario.asked()) {
        ++failed;
        FAIL_CHECK("scenario " << seed << " (" << result.description
                               << "): two threads asked other points than one"
                               << (again.ok ? "" : ": " + again.failure));
      }
    }
  }
  MESSAGE(count << " scenarios, " << refused << " refused by Options checks, " << failed
                << " failed");
  // Most scenarios must run: a generator whose options are all refused tests nothing.
  CHECK(refused < count / 2);
}
