// The ask/tell optimizer end to end: convergence, determinism, pending-aware batches,
// resume from a saved study, failures, enqueued points, directions, minimize().
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <set>

#include "prospect/prospect.hpp"
#include "test_support.hpp"

namespace {

using prospect::test::branin;
using prospect::test::branin_space;

prospect::Options fast_options(std::uint64_t seed = 3) {
  prospect::Options o;
  o.seed = seed;
  o.n_initial = 6;
  o.inner.raw_samples = 128;
  o.inner.restarts = 4;
  return o;
}

std::vector<std::vector<double>> run_steps(prospect::Optimizer& opt, int steps) {
  std::vector<std::vector<double>> asked;
  for (int i = 0; i < steps; ++i) {
    const prospect::Trial t = opt.ask();
    asked.push_back(t.params.values());
    opt.tell(t.id, branin(t.params));
  }
  return asked;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("prospect_test_" + name)).string();
}

}  // namespace

TEST_CASE("a noiseless 1-D quadratic converges within 15 evaluations") {
  prospect::Space space;
  space.add_real("x", -3.0, 2.0);
  prospect::Options o = fast_options();
  o.noise = prospect::Noise::none;
  prospect::Optimizer opt(space, o);
  for (int i = 0; i < 15; ++i) {
    const auto t = opt.ask();
    const double x = t.params.real("x");
    opt.tell(t.id, (x - 0.7) * (x - 0.7));
  }
  CHECK(*opt.best().value < 1e-4);
  CHECK(opt.n_complete() == 15);
  CHECK(opt.model() != nullptr);
}

TEST_CASE("maximize finds the maximum") {
  prospect::Space space;
  space.add_real("x", 0.0, 1.0);
  prospect::Options o = fast_options();
  o.direction = prospect::Direction::maximize;
  o.noise = prospect::Noise::none;
  prospect::Optimizer opt(space, o);
  for (int i = 0; i < 14; ++i) {
    const auto t = opt.ask();
    const double x = t.params.real("x");
    opt.tell(t.id, 1.0 - (x - 0.3) * (x - 0.3));
  }
  CHECK(std::abs(opt.best().params.real("x") - 0.3) < 0.02);
  CHECK(*opt.best().value > 0.999);
}

TEST_CASE("the same seed and tells give the same asks, whatever the thread count") {
  prospect::Optimizer a(branin_space(), fast_options(11));
  prospect::Optimizer b(branin_space(), fast_options(11));
  prospect::Options one = fast_options(11);
  one.threads = 1;
  prospect::Optimizer c(branin_space(), one);
  const auto ra = run_steps(a, 10);
  const auto rb = run_steps(b, 10);
  omp_set_num_threads(1);
  const auto rc = run_steps(c, 10);
  omp_set_num_threads(2);
  CHECK(ra == rb);
  CHECK(ra == rc);
  prospect::Optimizer d(branin_space(), fast_options(12));
  CHECK(run_steps(d, 10) != ra);
}

TEST_CASE("a saved and loaded study gives the same next ask as the original") {
  const std::string path = temp_path("resume.json");
  prospect::Optimizer opt(branin_space(), fast_options(5));
  run_steps(opt, 9);
  const auto pending = opt.ask();  // a pending trial travels through the file too
  opt.save(path);
  prospect::Optimizer again = prospect::Optimizer::load(path);
  REQUIRE(again.trials().size() == opt.trials().size());
  CHECK(again.n_pending() == 1);
  for (std::size_t i = 0; i < opt.trials().size(); ++i) {
    CHECK(again.trials()[i].params == opt.trials()[i].params);
    CHECK(again.trials()[i].status == opt.trials()[i].status);
  }
  opt.tell(pending.id, branin(pending.params));
  again.tell(pending.id, branin(pending.params));
  const auto next_original = opt.ask();
  const auto next_loaded = again.ask();
  CHECK(next_original.id == next_loaded.id);
  CHECK(next_original.params.values() == next_loaded.params.values());
  std::filesystem::remove(path);
}

TEST_CASE("ask(q) returns q distinct points and pending trials are not proposed again") {
  prospect::Optimizer opt(branin_space(), fast_options(8));
  run_steps(opt, 8);
  const auto batch = opt.ask(4);
  REQUIRE(batch.size() == 4);
  std::set<std::vector<double>> distinct;
  for (const auto& t : batch) distinct.insert(t.params.values());
  CHECK(distinct.size() == 4);
  CHECK(opt.n_pending() == 4);
  // Two single asks without a tell in between: the second avoids the first.
  const auto first = opt.ask();
  const auto second = opt.ask();
  CHECK(first.params.values() != second.params.values());
  double min_distance = 1e300;
  for (const auto& t : batch) {
    const auto u = opt.space().encode(t.params), v = opt.space().encode(second.params);
    min_distance = std::min(min_distance, (u - v).norm());
  }
  CHECK(min_distance > 1e-6);
}

TEST_CASE("failed, abandoned and enqueued trials") {
  prospect::Optimizer opt(branin_space(), fast_options());
  const auto a = opt.ask();
  const auto b = opt.ask();
  opt.tell_failed(a.id, "solver diverged");
  opt.mark_abandoned(b.id);
  CHECK(opt.trial(a.id).status == prospect::TrialStatus::failed);
  CHECK(opt.trial(a.id).message == "solver diverged");
  CHECK(opt.trial(b.id).status == prospect::TrialStatus::abandoned);
  CHECK(opt.n_pending() == 0);
  CHECK(opt.n_complete() == 0);

  prospect::Params mine = opt.space().params();
  mine.set("x1", 3.0).set("x2", 2.0);
  opt.enqueue(mine);
  const auto c = opt.ask();
  CHECK(c.params == mine);
  opt.tell(c.id, branin(c.params));
  CHECK(opt.best().id == c.id);
}

TEST_CASE("noisy objective: best() recommends by posterior mean, not the luckiest value") {
  prospect::Space space;
  space.add_real("x", 0.0, 1.0);
  prospect::Options o = fast_options();
  o.n_initial = 10;
  prospect::Optimizer opt(space, o);
  prospect::Rng rng(1);
  for (int i = 0; i < 10; ++i) {
    const auto t = opt.ask();
    const double x = t.params.real("x");
    opt.tell(t.id, (x - 0.5) * (x - 0.5) + 0.02 * rng.normal());
  }
  // Three noisy repeats at x = 0.9: one very lucky (-1), two unlucky (+1).
  prospect::Params far = opt.space().params();
  far.set("x", 0.9);
  std::uint64_t lucky = 0;
  for (double y : {-1.0, 1.0, 1.0}) {
    opt.enqueue(far);
    const auto t = opt.ask();
    if (y < 0) lucky = t.id;
    opt.tell(t.id, y);
  }
  CHECK(opt.best().id != lucky);
  CHECK(std::abs(opt.best().params.real("x") - 0.5) < 0.25);

  // Declared noiseless, the same data recommends the best observed value.
  prospect::Options exact = o;
  exact.noise = prospect::Noise::none;
  prospect::Optimizer same(space, exact);
  for (const auto& t : opt.trials()) {
    same.enqueue(t.params);
    same.tell(same.ask().id, *t.value);
  }
  CHECK(same.best().id == lucky);
}

TEST_CASE("integer and categorical parameters: the best category and level are found") {
  prospect::Space space;
  space.add_real("x", 0.0, 1.0);
  space.add_integer("n", 1, 6);
  space.add_categorical("kind", {"a", "b", "c"});
  prospect::Options o = fast_options(2);
  o.noise = prospect::Noise::none;
  prospect::Optimizer opt(space, o);
  auto f = [](const prospect::Params& p) {
    const double shift = p.category("kind") == "b" ? 0.0 : 1.0;
    return std::pow(p.real("x") - 0.4, 2) + 0.1 * std::abs(p.integer("n") - 4) + shift;
  };
  for (int i = 0; i < 30; ++i) {
    const auto t = opt.ask();
    CHECK(t.params.integer("n") >= 1);
    CHECK(t.params.integer("n") <= 6);
    opt.tell(t.id, f(t.params));
  }
  const auto best = opt.best();
  CHECK(best.params.category("kind") == "b");
  CHECK(best.params.integer("n") == 4);
  CHECK(*best.value < 0.01);
}

TEST_CASE("minimize: callback, early stop, failures recorded, report") {
  int calls = 0;
  auto objective = [&](const prospect::Params& p) {
    ++calls;
    if (calls == 2) throw std::runtime_error("mesh failure");
    return branin(p);
  };
  int seen = 0;
  auto callback = [&](const prospect::Iteration& it) {
    ++seen;
    CHECK(it.trial != nullptr);
    CHECK(it.evaluation == static_cast<std::size_t>(seen));
    return it.evaluation < 9;
  };
  const auto result = prospect::minimize(objective, branin_space(), 20, fast_options(), callback);
  CHECK(result.termination == prospect::Termination::callback_stopped);
  CHECK(result.trials.size() == 9);
  CHECK(result.trials[1].status == prospect::TrialStatus::failed);
  CHECK(result.trials[1].message == "mesh failure");
  CHECK(result.brief_report().find("stopped by callback") != std::string::npos);
  CHECK(result.full_report().find("mesh failure") != std::string::npos);
  CHECK_THROWS_AS(prospect::minimize(objective, branin_space(), 0), prospect::InvalidArgument);
}

TEST_CASE("NonFinitePolicy::record_failed records NaN as a failure") {
  prospect::Options o = fast_options();
  o.non_finite = prospect::NonFinitePolicy::record_failed;
  prospect::Optimizer opt(branin_space(), o);
  const auto t = opt.ask();
  opt.tell(t.id, std::nan(""));
  CHECK(opt.trial(t.id).status == prospect::TrialStatus::failed);
}

TEST_CASE("options name the acquisition and surrogate, and the optimizer uses them") {
  prospect::Options o = fast_options();
  o.acquisition = prospect::acquisition::UCB{.beta = 9.0};
  o.surrogate = prospect::surrogates::GP{.kernel = prospect::kernels::Profile::squared_exponential};
  prospect::Optimizer opt(branin_space(), o);
  run_steps(opt, 8);
  REQUIRE(opt.model() != nullptr);
  CHECK(opt.model()->name().find("se") != std::string::npos);
  CHECK(prospect::to_string(o.surrogate) == "gp(se)");
}

TEST_CASE(
    "joint batch acquisitions: ask(q) distinct, deterministic, resumable with their options") {
  prospect::acquisition::qLogNEI nei;
  nei.samples = 128;
  prospect::acquisition::KG kg;
  kg.fantasies = 16;
  const std::vector<prospect::AcquisitionChoice> choices = {prospect::acquisition::LogEI{}, nei,
                                                            prospect::acquisition::qEI{}, kg};
  for (const auto selection :
       {prospect::BatchSelection::joint, prospect::BatchSelection::sequential})
    for (const auto& choice : choices) {
      CAPTURE(prospect::acquisition::to_string(choice));
      CAPTURE(prospect::to_string(selection));
      prospect::Options options = fast_options(21);
      options.acquisition = choice;
      options.batch_selection = selection;
      prospect::Optimizer a(branin_space(), options);
      prospect::Optimizer b(branin_space(), options);
      run_steps(a, 8);
      run_steps(b, 8);
      const auto batch = a.ask(3);
      REQUIRE(batch.size() == 3);
      std::set<std::vector<double>> distinct;
      for (const auto& t : batch) distinct.insert(t.params.values());
      CHECK(distinct.size() == 3);
      const auto again = b.ask(3);
      for (std::size_t i = 0; i < 3; ++i) CHECK(again[i].params == batch[i].params);
      // With the three pending, the next single ask avoids them.
      const auto next = a.ask();
      for (const auto& t : batch) {
        const auto u = a.space().encode(t.params), v = a.space().encode(next.params);
        CHECK((u - v).cwiseAbs().maxCoeff() > 1e-6);
      }
      // The options (sample counts, fantasies) travel through the study file.
      const std::string path = temp_path("joint.json");
      b.save(path);
      prospect::Optimizer loaded = prospect::Optimizer::load(path);
      CHECK(prospect::acquisition::to_string(loaded.options().acquisition) ==
            prospect::acquisition::to_string(choice));
      CHECK(loaded.options().batch_selection == selection);
      CHECK(loaded.ask().params == b.ask().params);
      std::filesystem::remove(path);
    }
}

namespace {

// A noisy smooth 1-D objective on which the SE kernel's MAP objective beats Matern-5/2's.
double smooth_noisy(double x, int i) {
  return std::sin(4.0 * x) + 0.3 * x + 0.05 * std::sin(97.0 * i);
}

prospect::Options rival_options(prospect::kernels::Profile kernel,
                                std::vector<prospect::kernels::Profile> rivals) {
  prospect::Options o = fast_options(11);
  o.noise = prospect::Noise::learned;
  prospect::surrogates::GP gp;
  gp.kernel = kernel;
  gp.rival_kernels = std::move(rivals);
  o.surrogate = gp;
  return o;
}

std::vector<double> tell_and_ask(prospect::Optimizer& opt, int steps) {
  for (int i = 0; i < steps; ++i) {
    const prospect::Trial t = opt.ask();
    opt.tell(t.id, smooth_noisy(t.params.values()[0], i));
  }
  return opt.ask().params.values();
}

double map_objective(const prospect::Optimizer& opt) {
  const auto* gp = dynamic_cast<const prospect::GaussianProcess*>(opt.model());
  REQUIRE(gp != nullptr);
  return gp->summary().objective;
}

}  // namespace

// A study with a rival kernel fits both profiles and uses the better by MAP objective:
// its ask equals that of the study with the winning kernel alone (same seeds, same fits).
TEST_CASE("rival kernels: the study uses the profile with the higher MAP objective") {
  using prospect::kernels::Profile;
  prospect::Space space;
  space.add_real("x", 0.0, 2.0);
  prospect::Optimizer matern(space, rival_options(Profile::matern52, {}));
  prospect::Optimizer se(space, rival_options(Profile::squared_exponential, {}));
  prospect::Optimizer both(space, rival_options(Profile::matern52, {Profile::squared_exponential}));
  const auto ask_matern = tell_and_ask(matern, 12);
  const auto ask_se = tell_and_ask(se, 12);
  const auto ask_both = tell_and_ask(both, 12);
  const double j_matern = map_objective(matern);
  const double j_se = map_objective(se);
  REQUIRE(j_se != j_matern);
  CHECK(map_objective(both) == std::max(j_se, j_matern));
  CHECK(ask_both == (j_se > j_matern ? ask_se : ask_matern));
  const std::string chosen = both.model()->name();
  CHECK(chosen == (j_se > j_matern ? se.model()->name() : matern.model()->name()));
}

TEST_CASE("rival kernels: a saved and loaded study asks what the original would") {
  using prospect::kernels::Profile;
  const std::string path = temp_path("rivals.json");
  prospect::Space space;
  space.add_real("x", 0.0, 2.0);
  prospect::Optimizer opt(
      space, rival_options(Profile::matern52, {Profile::squared_exponential, Profile::matern32}));
  (void)tell_and_ask(opt, 10);
  opt.save(path);
  prospect::Optimizer again = prospect::Optimizer::load(path);
  CHECK(again.model()->name() == opt.model()->name());
  const auto next_original = tell_and_ask(opt, 3);
  const auto next_loaded = tell_and_ask(again, 3);
  CHECK(next_original == next_loaded);
  std::filesystem::remove(path);
}

TEST_CASE("rival kernels: invalid lists are named") {
  using prospect::kernels::Profile;
  prospect::Space space;
  space.add_real("x", 0.0, 1.0);
  const auto message = [&](const prospect::Options& o) {
    try {
      prospect::Optimizer opt(space, o);
    } catch (const prospect::InvalidOptions& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string same = message(rival_options(Profile::matern52, {Profile::matern52}));
  CHECK(same.find("surrogate.rival_kernels[0]") != std::string::npos);
  CHECK(same.find("matern52") != std::string::npos);
  const std::string twice = message(rival_options(
      Profile::matern52, {Profile::squared_exponential, Profile::squared_exponential}));
  CHECK(twice.find("surrogate.rival_kernels[1]") != std::string::npos);
  prospect::Options custom = rival_options(Profile::matern52, {Profile::squared_exponential});
  auto& gp = std::get<prospect::surrogates::GP>(custom.surrogate);
  gp.custom_kernel = std::make_shared<prospect::kernels::Stationary>(Profile::matern32);
  CHECK(message(custom).find("custom_kernel") != std::string::npos);
  CHECK(prospect::Options{}.validate().empty());
}
