// Asynchronous workers: a study with many pending trials, told in any order, some
// failing, some abandoned, must keep giving distinct and useful suggestions.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "prospect/prospect.hpp"
#include "test_support.hpp"

namespace {

using prospect::test::branin;
using prospect::test::branin_space;
using prospect::test::kBraninMin;

struct AsyncRun {
  double best = 1e300;     // best told value
  int completed = 0;       // told values
  int collisions = 0;      // suggestions within 1e-6 of a pending or evaluated point
  int enqueued_asked = 0;  // times the enqueued point came back on the next ask
};

// W workers; when one finishes (a worker drawn at random), its trial is told (or
// failed 10% / abandoned 5% of the time) and the worker asks for a new point.
AsyncRun run_async(const prospect::Options& options, int workers, int evaluations,
                   std::uint64_t seed) {
  prospect::Optimizer opt(branin_space(), options);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  AsyncRun run;
  std::vector<prospect::Trial> running;
  std::vector<Eigen::VectorXd> seen;  // every point asked so far (encoded)
  auto ask = [&] {
    const prospect::Trial t = opt.ask();
    const Eigen::VectorXd x = opt.space().encode(t.params);
    for (const auto& s : seen)
      if ((s - x).cwiseAbs().maxCoeff() < 1e-6) ++run.collisions;
    seen.push_back(x);
    running.push_back(t);
  };
  for (int w = 0; w < workers; ++w) ask();
  int finished = 0;
  while (run.completed < evaluations) {
    const auto k = static_cast<std::size_t>(rng() % running.size());
    const prospect::Trial t = running[k];
    running.erase(running.begin() + static_cast<long>(k));
    const double r = u(rng);
    if (r < 0.10) {
      opt.tell_failed(t.id, "worker crashed");
    } else if (r < 0.15) {
      opt.mark_abandoned(t.id);
    } else {
      const double y = branin(t.params);
      opt.tell(t.id, y);
      run.best = std::min(run.best, y);
      ++run.completed;
    }
    if (++finished == 17) {  // a user's own point, mid-run
      prospect::Params mine = opt.space().params();
      mine.set("x1", 9.0).set("x2", 2.0);
      opt.enqueue(mine);
      const prospect::Trial next = opt.ask();
      if (next.params == mine) ++run.enqueued_asked;
      seen.push_back(opt.space().encode(next.params));
      running.push_back(next);
    } else {
      ask();
    }
  }
  CHECK(static_cast<int>(opt.n_pending()) == static_cast<int>(running.size()));
  return run;
}

double random_search_best(int evaluations, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x1(-5.0, 10.0), x2(0.0, 15.0);
  prospect::Space space = branin_space();
  double best = 1e300;
  for (int i = 0; i < evaluations; ++i) {
    prospect::Params p = space.params();
    p.set("x1", x1(rng)).set("x2", x2(rng));
    best = std::min(best, branin(p));
  }
  return best;
}

}  // namespace

TEST_CASE("asynchronous workers: distinct suggestions, failures and abandons, useful progress") {
  // LogEI believes the pending points (Kriging believer); qLogNEI scores each new point
  // jointly with them.
  const std::vector<prospect::AcquisitionChoice> acquisitions = {prospect::acquisition::LogEI{},
                                                                 prospect::acquisition::qLogNEI{}};
  for (const auto& acquisition : acquisitions)
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
      prospect::Options options;
      options.acquisition = acquisition;
      options.seed = seed;
      options.n_initial = 6;
      options.inner.raw_samples = 128;
      options.inner.restarts = 4;
      const AsyncRun run = run_async(options, 6, 30, seed);
      CAPTURE(seed);
      CAPTURE(prospect::acquisition::to_string(acquisition));
      CHECK(run.collisions == 0);
      CHECK(run.enqueued_asked == 1);
      // 30 random evaluations of Branin leave a regret of ~1 (median); six workers
      // asking on partial information must still do far better.
      const double random_regret = random_search_best(30, seed) - kBraninMin;
      MESSAGE(prospect::acquisition::to_string(acquisition)
              << " seed " << seed << ": async regret " << run.best - kBraninMin << ", random "
              << random_regret);
      CHECK(run.best - kBraninMin < 0.5);
      CHECK(run.best - kBraninMin < random_regret);
    }
}
