// Early stopping: the ASHA rule on scripted reports in any arrival order, and the
// Optimizer's report()/should_stop() with the multi-fidelity aggregation of the searcher.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "prospect/prospect.hpp"
#include "test_support.hpp"

namespace {

using prospect::AsyncSuccessiveHalving;
using prospect::Direction;

prospect::schedulers::ASHA asha(double eta, long grace, long max_resource) {
  prospect::schedulers::ASHA a;
  a.reduction_factor = eta;
  a.grace_period = grace;
  a.max_resource = max_resource;
  return a;
}

// The rule written independently of the implementation: sort the values recorded at the
// rung (the new one included) from best to worst, and continue iff the new value's first
// position is below ceil(n / eta).
bool oracle_continues(std::vector<double> rung, double value, double eta, bool minimize) {
  rung.push_back(value);
  std::sort(rung.begin(), rung.end());
  if (!minimize) std::reverse(rung.begin(), rung.end());
  const auto first = std::find(rung.begin(), rung.end(), value) - rung.begin();
  return static_cast<double>(first) < std::ceil(static_cast<double>(rung.size()) / eta);
}

}  // namespace

TEST_CASE("ASHA rungs are grace_period * eta^k below max_resource") {
  CHECK(AsyncSuccessiveHalving(asha(3, 1, 81)).rungs() == std::vector<long>{1, 3, 9, 27});
  CHECK(AsyncSuccessiveHalving(asha(2, 2, 20)).rungs() == std::vector<long>{2, 4, 8, 16});
  CHECK(AsyncSuccessiveHalving(asha(3, 1, 9)).rungs() == std::vector<long>{1, 3});
}

TEST_CASE("ASHA on a scripted sequence: the decisions worked out by hand") {
  // Rungs {1, 3}; six trials report at step 1 (minimize). Worked out from the rule: keep
  // ceil(n / 3) of the n values so far.
  //   order 0..5 with values 5 3 4 1 6 2: n=1 keep 1 -> 5 goes on; n=2 keep 1, 3 is best
  //   -> on; n=3 keep 1, 4 is 2nd -> stop; n=4 keep 2, 1 best -> on; n=5 keep 2, 6 last ->
  //   stop; n=6 keep 2, 2 is 2nd -> on.
  const std::vector<double> values = {5, 3, 4, 1, 6, 2};
  {
    AsyncSuccessiveHalving rule(asha(3, 1, 9));
    std::vector<bool> go;
    for (std::uint64_t id = 0; id < 6; ++id) go.push_back(rule.report(id, 1, values[id]));
    CHECK(go == std::vector<bool>{true, true, false, true, false, true});
    CHECK(rule.entries(0).size() == 6);
    CHECK(rule.entries(1).empty());
  }
  {
    // Reverse arrival: 2 on; 6 (n=2, keep 1) stop; 1 on; 4 (n=4, keep 2, 3rd) stop;
    // 3 (n=5, keep 2, 3rd) stop; 5 (n=6, keep 2, 4th) stop.
    AsyncSuccessiveHalving rule(asha(3, 1, 9));
    std::map<std::uint64_t, bool> go;
    for (int id = 5; id >= 0; --id) go[id] = rule.report(id, 1, values[id]);
    CHECK(go == std::map<std::uint64_t, bool>{
                    {0, false}, {1, false}, {2, false}, {3, true}, {4, false}, {5, true}});
  }
  {
    // Maximizing the same values turns the order around.
    AsyncSuccessiveHalving rule(asha(3, 1, 9), Direction::maximize);
    std::vector<bool> go;
    for (std::uint64_t id = 0; id < 6; ++id) go.push_back(rule.report(id, 1, values[id]));
    CHECK(go == std::vector<bool>{true, false, false, false, true, false});
  }
}

TEST_CASE("ASHA decides as the rule says in any arrival order") {
  // 40 trials with learning curves to step 27 (rungs 1, 3, 9); the reports of different
  // trials interleave in a random order (each trial's own in step order). Every decision
  // must be the oracle's, computed from the values recorded at that rung before it.
  const double eta = 3.0;
  double passed_first = 0.0;  // trials recorded at rung 1 (passed rung 0), summed over runs
  int runs = 0;
  for (const bool minimize : {true, false}) {
    for (std::uint64_t order_seed = 0; order_seed < 25; ++order_seed) {
      std::mt19937_64 rng(order_seed);
      std::normal_distribution<double> normal;
      const int n = 40;
      std::vector<double> quality(n);
      for (auto& q : quality) q = normal(rng);
      const std::vector<long> steps = {1, 2, 3, 5, 9, 14, 27};
      auto curve = [&](int i, long step) {  // values at a step, ties impossible a.s.
        return quality[static_cast<std::size_t>(i)] + 1.0 / static_cast<double>(step) +
               0.3 * std::sin(static_cast<double>(i * 7 + step));
      };
      std::vector<int> events;  // trial i appears once per step
      for (int i = 0; i < n; ++i)
        for (std::size_t k = 0; k < steps.size(); ++k) events.push_back(i);
      std::shuffle(events.begin(), events.end(), rng);
      AsyncSuccessiveHalving rule(asha(eta, 1, 27),
                                  minimize ? Direction::minimize : Direction::maximize);
      std::vector<std::size_t> next(n, 0);
      std::vector<bool> stopped(n, false);
      std::vector<std::vector<double>> rungs(3);  // oracle's records at 1, 3, 9
      const std::vector<long> rung_steps = {1, 3, 9};
      int disagreements = 0, decisions = 0;
      for (const int i : events) {
        const long step = steps[next[static_cast<std::size_t>(i)]++];
        const long previous = next[static_cast<std::size_t>(i)] >= 2
                                  ? steps[next[static_cast<std::size_t>(i)] - 2]
                                  : 0;
        const double v = curve(i, step);
        bool expect = !stopped[static_cast<std::size_t>(i)];
        if (expect) {
          for (std::size_t k = 0; k < 3; ++k) {
            if (rung_steps[k] > previous && rung_steps[k] <= step) {
              expect = expect && oracle_continues(rungs[k], v, eta, minimize);
              rungs[k].push_back(v);
              ++decisions;
            }
          }
        }
        if (!expect) stopped[static_cast<std::size_t>(i)] = true;
        if (rule.report(static_cast<std::uint64_t>(i), step, v) != expect) ++disagreements;
        if (rule.stopped(static_cast<std::uint64_t>(i)) != stopped[static_cast<std::size_t>(i)])
          ++disagreements;
      }
      CHECK(disagreements == 0);
      CHECK(decisions > n);  // every trial judged at rung 1, the survivors again later
      // The record at each rung matches the oracle's, value for value, in arrival order.
      for (std::size_t k = 0; k < 3; ++k) {
        std::vector<double> recorded;
        for (const auto& e : rule.entries(k)) recorded.push_back(e.value);
        CHECK(recorded == rungs[k]);
      }
      CHECK(rule.entries(0).size() == static_cast<std::size_t>(n));
      passed_first += static_cast<double>(rule.entries(1).size());
      ++runs;
    }
  }
  // Rung 0 sees the trials in a uniformly random order and their relative ranks are
  // independent, so the i-th arrival passes with probability ceil(i / eta) / i exactly.
  double mean = 0.0, variance = 0.0;
  for (int i = 1; i <= 40; ++i) {
    const double p = std::ceil(i / eta) / i;
    mean += p;
    variance += p * (1.0 - p);
  }
  const double se = std::sqrt(variance / runs);
  CHECK(std::abs(passed_first / runs - mean) < 4.0 * se);
}

TEST_CASE("ASHA: the best value at a rung always continues, a stopped trial stays stopped") {
  AsyncSuccessiveHalving rule(asha(3, 1, 9));
  for (std::uint64_t id = 0; id < 10; ++id) rule.report(id, 1, 10.0 + static_cast<double>(id));
  CHECK(rule.report(10, 1, 0.0));  // the best so far, whatever came before
  CHECK_FALSE(rule.report(11, 1, 100.0));
  CHECK(rule.stopped(11));
  CHECK_FALSE(rule.report(11, 3, -100.0));  // stopped: later reports change nothing
  CHECK(rule.entries(1).empty());
  // A report that jumps over rungs is judged at each one it passes.
  AsyncSuccessiveHalving jump(asha(3, 1, 27));
  CHECK(jump.report(0, 10, 1.0));
  CHECK(jump.entries(0).size() == 1);
  CHECK(jump.entries(1).size() == 1);
  CHECK(jump.entries(2).size() == 1);
}

TEST_CASE("ASHA refuses bad options and bad reports, unchanged") {
  CHECK(asha(1.0, 1, 9).validate().size() == 1);
  CHECK(asha(3, 0, 9).validate().size() == 1);
  CHECK(asha(3, 9, 9).validate().size() == 1);
  CHECK_THROWS_AS(AsyncSuccessiveHalving(asha(0.5, 0, 0)), prospect::InvalidOptions);
  AsyncSuccessiveHalving rule(asha(3, 1, 9));
  rule.report(0, 3, 1.0);
  CHECK_THROWS_WITH_AS(rule.report(0, 3, 2.0), doctest::Contains("above its previous report (3)"),
                       prospect::InvalidArgument);
  CHECK_THROWS_WITH_AS(rule.report(1, 10, 2.0), doctest::Contains("max_resource = 9"),
                       prospect::InvalidArgument);
  CHECK_THROWS_AS(rule.report(1, 0, 2.0), prospect::InvalidArgument);
  CHECK_THROWS_AS(rule.report(1, 1, std::nan("")), prospect::InvalidArgument);
  CHECK(rule.entries(0).size() == 1);
  CHECK(rule.report(1, 1, 0.5));  // trial 1 untouched by its refused reports
  CHECK_THROWS_AS((void)rule.entries(2), prospect::InvalidArgument);
}

namespace {

// A learning curve on Branin's space: the final value is Branin's; early steps add a
// decaying offset that depends on the design, so that the ranking changes as training goes.
double curve_value(const prospect::Params& p, long step) {
  const double final_value = prospect::test::branin(p);
  return final_value +
         30.0 * std::exp(-0.3 * static_cast<double>(step)) * (1.0 + std::sin(p.real("x1")) * 0.5);
}

// Trains trial t along curve_value() up to max_resource, reporting each step, until the
// study stops it; returns the last value.
double train(prospect::Optimizer& opt, const prospect::Trial& t, long max_resource) {
  double last = 0.0;
  for (long step = 1; step <= max_resource; ++step) {
    last = curve_value(t.params, step);
    opt.report(t.id, step, last);
    if (opt.should_stop(t.id)) break;
  }
  return last;
}

// A surrogate that records the data it is fitted on, to see what the searcher learns from.
class Recorder final : public prospect::Surrogate {
 public:
  explicit Recorder(std::shared_ptr<prospect::Dataset> last) : last_(std::move(last)) {}
  std::unique_ptr<Surrogate> clone() const override { return std::make_unique<Recorder>(*this); }
  std::string name() const override { return "recorder"; }
  prospect::SurrogateCapabilities capabilities() const override { return {}; }
  void fit(const prospect::Dataset& data, std::uint64_t) override {
    *last_ = data;
    d_ = data.X.cols();
  }
  bool fitted() const override { return d_ > 0; }
  Eigen::Index dimension() const override { return d_; }
  prospect::Predictive predict(prospect::MatrixCRef X) const override {
    prospect::Predictive p;
    p.mean = X.col(0);
    p.variance = Eigen::VectorXd::Ones(X.rows());
    p.noise_variance = Eigen::VectorXd::Zero(X.rows());
    return p;
  }
  double noise_variance() const override { return 0.0; }

 private:
  std::shared_ptr<prospect::Dataset> last_;
  Eigen::Index d_ = 0;
};

}  // namespace

TEST_CASE("Optimizer::report and should_stop under ASHA") {
  prospect::Options options;
  options.seed = 3;
  options.surrogate = prospect::surrogates::RandomSearch{};
  options.scheduler = asha(3, 1, 27);
  prospect::Optimizer opt(prospect::test::branin_space(), options);
  int stopped = 0, full = 0;
  for (int i = 0; i < 30; ++i) {
    const prospect::Trial t = opt.ask();
    const double last = train(opt, t, 27);
    if (opt.should_stop(t.id)) {
      ++stopped;
    } else {
      ++full;
    }
    opt.tell(t.id, last);
    const prospect::Trial& told = opt.trial(t.id);
    CHECK(told.value == told.intermediate.back().second);
  }
  CHECK(stopped >= 15);  // most trials are stopped at some rung
  CHECK(full >= 1);
  // The recommendation ran to max_resource.
  const prospect::Trial best = opt.best();
  CHECK(best.intermediate.back().first == 27);
  for (const auto& t : opt.trials()) {
    if (!t.intermediate.empty() && t.intermediate.back().first == 27) {
      CHECK(*best.value <= *t.value);
    }
  }
}

TEST_CASE("Optimizer::report refuses bad reports and leaves the study unchanged") {
  prospect::Options options;
  options.scheduler = asha(3, 1, 9);
  prospect::Optimizer opt(prospect::test::branin_space(), options);
  const prospect::Trial t = opt.ask();
  opt.report(t.id, 2, 1.0);
  const prospect::Optimizer before = opt;
  CHECK_THROWS_AS(opt.report(t.id, 2, 1.0), prospect::InvalidArgument);
  CHECK_THROWS_WITH_AS(opt.report(t.id, 10, 1.0), doctest::Contains("max_resource"),
                       prospect::InvalidArgument);
  CHECK_THROWS_AS(opt.report(t.id, 3, std::nan("")), prospect::InvalidArgument);
  CHECK_THROWS_AS(opt.report(99, 3, 1.0), prospect::UnknownTrial);
  CHECK_THROWS_AS((void)opt.should_stop(99), prospect::UnknownTrial);
  CHECK(opt.trial(t.id).intermediate == before.trial(t.id).intermediate);
  opt.tell(t.id, 1.0);
  CHECK_THROWS_AS(opt.report(t.id, 5, 1.0), prospect::InvalidState);
  // Without a scheduler, reports are recorded and never stop a trial.
  prospect::Optimizer plain(prospect::test::branin_space());
  const prospect::Trial p = plain.ask();
  for (long step = 1; step <= 100; ++step) plain.report(p.id, step, -static_cast<double>(step));
  CHECK_FALSE(plain.should_stop(p.id));
  CHECK(plain.trial(p.id).intermediate.size() == 100);
}

TEST_CASE("Under ASHA the searcher learns from running trials' last reports") {
  auto last = std::make_shared<prospect::Dataset>();
  prospect::Options options;
  options.seed = 5;
  options.n_initial = 3;
  options.surrogate = std::shared_ptr<const prospect::Surrogate>(std::make_shared<Recorder>(last));
  options.acquisition = prospect::acquisition::Quantile{};
  options.scheduler = asha(3, 1, 9);
  prospect::Optimizer opt(prospect::test::branin_space(), options);
  const auto a = opt.ask(), b = opt.ask(), c = opt.ask();
  opt.report(a.id, 1, 10.0);
  opt.report(a.id, 3, 7.0);  // running, last value 7
  opt.tell(b.id, 4.0);       // complete without reports
  // c has not reported: pending, not data.
  (void)opt.ask();
  REQUIRE(last->y.size() == 2);
  // Minimized objective: the model sees negated values, in id order.
  CHECK(last->y(0) == doctest::Approx(-7.0));
  CHECK(last->y(1) == doctest::Approx(-4.0));
  opt.report(c.id, 1, 2.0);
  (void)opt.ask();
  REQUIRE(last->y.size() == 3);
  CHECK(last->y(2) == doctest::Approx(-2.0));
  // Without a scheduler only complete trials are data.
  options.scheduler = prospect::schedulers::None{};
  prospect::Optimizer plain(prospect::test::branin_space(), options);
  const auto p = plain.ask(), q = plain.ask(), r = plain.ask();
  plain.report(p.id, 1, 10.0);
  plain.tell(q.id, 4.0);
  (void)r;
  (void)plain.ask();
  CHECK(last->y.size() == 1);
}

TEST_CASE("An ASHA study saved mid-run resumes with the same decisions and asks") {
  prospect::Options options;
  options.seed = 11;
  options.n_initial = 4;
  options.scheduler = asha(3, 1, 9);
  prospect::Optimizer opt(prospect::test::branin_space(), options);
  for (int i = 0; i < 8; ++i) {
    const prospect::Trial t = opt.ask();
    const double last = train(opt, t, 9);
    if (i % 3 != 2) opt.tell(t.id, last);
  }
  const auto path = std::filesystem::temp_directory_path() / "prospect_asha_study.json";
  opt.save(path.string());
  prospect::Optimizer again = prospect::Optimizer::load(path.string());
  std::filesystem::remove(path);
  for (const auto& t : opt.trials()) CHECK(again.should_stop(t.id) == opt.should_stop(t.id));
  const prospect::Trial next = opt.ask();
  const prospect::Trial next_again = again.ask();
  CHECK(next.params == next_again.params);
  // Further reports are judged against the same rung records.
  for (long step = 1; step <= 9; ++step) {
    const double v = curve_value(next.params, step);
    opt.report(next.id, step, v);
    again.report(next_again.id, step, v);
    CHECK(opt.should_stop(next.id) == again.should_stop(next_again.id));
  }
}

TEST_CASE("minimize() with a learning-curve objective stops trials early under ASHA") {
  prospect::Options options;
  options.seed = 2;
  options.scheduler = asha(3, 1, 27);
  options.surrogate = prospect::surrogates::RandomSearch{};
  long resource = 0;
  const prospect::Result result = prospect::minimize(
      [&](const prospect::Params& p, prospect::Reporter& reporter) {
        double v = 0.0;
        for (long step = 1; step <= 27; ++step) {
          v = curve_value(p, step);
          ++resource;
          if (!reporter.report(step, v)) break;
        }
        return v;
      },
      prospect::test::branin_space(), 40, options);
  CHECK(result.trials.size() == 40);
  // Far less than 40 full runs: most trials stop at rung 1 or 3.
  CHECK(resource < 40 * 27 / 3);
  CHECK(result.best.intermediate.back().first == 27);
  // The first form still works with a scheduler (nothing reported, nothing stopped).
  const prospect::Result plain =
      prospect::minimize([](const prospect::Params& p) { return prospect::test::branin(p); },
                         prospect::test::branin_space(), 6, options);
  CHECK(plain.trials.size() == 6);
}

TEST_CASE("CQR + ASHA from Options: deterministic, resumable, and refusing what it cannot serve") {
  prospect::Options options;
  options.seed = 8;
  options.n_initial = 5;
  options.surrogate = prospect::surrogates::CQR{};
  options.acquisition = prospect::acquisition::QuantileThompson{};
  options.scheduler = asha(3, 1, 9);
  auto drive = [](prospect::Optimizer& opt, int trials) {
    for (int i = 0; i < trials; ++i) {
      const prospect::Trial t = opt.ask();
      opt.tell(t.id, train(opt, t, 9));
    }
  };
  prospect::Optimizer a(prospect::test::branin_space(), options);
  prospect::Optimizer b(prospect::test::branin_space(), options);
  drive(a, 40);
  drive(b, 40);
  REQUIRE(a.trials().size() == b.trials().size());
  for (std::size_t i = 0; i < a.trials().size(); ++i) CHECK(a.trials()[i] == b.trials()[i]);
  REQUIRE(a.model() != nullptr);
  CHECK(a.model()->name() == "cqr");
  // 40 results > 32: the model conformalized its quantiles.
  CHECK(dynamic_cast<const prospect::ConformalQuantileRegression&>(*a.model()).conformalized());
  const auto path = std::filesystem::temp_directory_path() / "prospect_cqr_asha_study.json";
  a.save(path.string());
  prospect::Optimizer again = prospect::Optimizer::load(path.string());
  std::filesystem::remove(path);
  CHECK(std::holds_alternative<prospect::surrogates::CQR>(again.options().surrogate));
  CHECK(a.ask().params == again.ask().params);
  // Acquisitions that need gradients are refused with a message naming what works.
  options.acquisition = prospect::acquisition::Thompson{};
  CHECK_THROWS_WITH_AS(prospect::Optimizer(prospect::test::branin_space(), options),
                       doctest::Contains("QuantileThompson"), prospect::InvalidOptions);
  options.acquisition = prospect::acquisition::qLogNEI{};
  CHECK_THROWS_AS(prospect::Optimizer(prospect::test::branin_space(), options),
                  prospect::InvalidOptions);
}

TEST_CASE("Under ASHA refit_every holds the hyperparameters between refits, across save/load") {
  prospect::Options options;
  options.seed = 4;
  options.n_initial = 4;
  options.scheduler = asha(3, 1, 9);
  auto states = [&](int refit_every) {
    options.refit_every = refit_every;
    prospect::Optimizer opt(prospect::test::branin_space(), options);
    std::vector<Eigen::VectorXd> out;
    for (int i = 0; i < 9; ++i) {
      const prospect::Trial t = opt.ask();
      if (opt.model() != nullptr) out.push_back(opt.model()->state());
      opt.tell(t.id, train(opt, t, 9));
    }
    return out;
  };
  const auto held = states(1000), learned = states(1);
  REQUIRE(held.size() == 5);
  for (std::size_t i = 1; i < held.size(); ++i) CHECK(held[i] == held[0]);
  int changed = 0;
  for (std::size_t i = 1; i < learned.size(); ++i) changed += learned[i] != learned[i - 1];
  CHECK(changed >= 3);
  // Saved between refits, the study resumes with the same held model.
  options.refit_every = 6;
  prospect::Optimizer opt(prospect::test::branin_space(), options);
  for (int i = 0; i < 7; ++i) {
    const prospect::Trial t = opt.ask();
    opt.tell(t.id, train(opt, t, 9));
  }
  const auto path = std::filesystem::temp_directory_path() / "prospect_asha_refit_study.json";
  opt.save(path.string());
  prospect::Optimizer again = prospect::Optimizer::load(path.string());
  std::filesystem::remove(path);
  for (int i = 0; i < 4; ++i) {
    const prospect::Trial a = opt.ask(), b = again.ask();
    CHECK(a.params == b.params);
    CHECK(opt.model()->state() == again.model()->state());
    const double v = train(opt, a, 9);
    CHECK(train(again, b, 9) == v);
    opt.tell(a.id, v);
    again.tell(b.id, v);
  }
}
