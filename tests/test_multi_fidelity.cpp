// Tests of the multi-fidelity workflow: fidelity parameters in the space, cost models,
// the cost-aware multi-fidelity KG (against brute-force fantasies and finite
// differences), and the ask/tell loop with fidelities, costs and cost budgets.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>

#include "acquisition_checks.hpp"
#include "prospect/acquisition/augmented_ei.hpp"
#include "prospect/acquisition/cost_model.hpp"
#include "prospect/acquisition/knowledge_gradient.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/optimizer.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "prospect/surrogates/multi_fidelity/fidelity_gp.hpp"
#include "test_support.hpp"

using prospect::Matrix;
using prospect::Vector;
namespace pa = prospect::acquisition;

namespace {

// Forrester et al. (2007): the expensive function and its cheap, biased companion
// (A = 0.5, B = 10, C = -5), whose minimum lies in another basin.
double forrester_high(double x) {
  return std::pow(6 * x - 2, 2) * std::sin(12 * x - 4);
}
double forrester_low(double x) {
  return 0.5 * forrester_high(x) + 10 * (x - 0.5) - 5;
}
constexpr double kForresterMin = -6.020740055766075;

prospect::Space forrester_space() {
  prospect::Space space;
  space.add_fidelity_levels("level", 0, 1, 1);  // declared first: still the last column
  space.add_real("x", 0.0, 1.0);
  return space;
}

// A noiseless Forrester study: level 0 costs 1, level 1 costs 10.
prospect::Options forrester_options(std::uint64_t seed, int n_initial,
                                    pa::AcquisitionChoice acquisition) {
  prospect::Options options;
  options.seed = seed;
  options.noise = prospect::Noise::none;
  options.n_initial = n_initial;
  options.acquisition = std::move(acquisition);
  options.cost = pa::AffineCost{1.0, {9.0}};
  return options;
}

double forrester(const prospect::Params& p) {
  const double x = p.real("x");
  return p.integer("level") == 1 ? forrester_high(x) : forrester_low(x);
}

// Data on (x1, x2, s) with a low-fidelity bias that vanishes at s = 1.
prospect::Dataset fidelity_data(Eigen::Index n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  prospect::Dataset data;
  data.X = prospect::test::uniform(n, 3, rng);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double x1 = data.X(i, 0), x2 = data.X(i, 1), s = data.X(i, 2);
    data.y(i) = std::sin(5 * x1) + std::cos(4 * x2) - 0.8 * (1 - s) * x1;
  }
  return data;
}

}  // namespace

TEST_CASE("space: fidelity columns come last, levels sit on a grid, targets encode") {
  prospect::Space space;
  space.add_fidelity("fraction", 0.1, 1.0, 1.0);
  space.add_real("x", -1.0, 1.0);
  space.add_fidelity_levels("mesh", 0, 3, 3);
  space.add_categorical("c", {"a", "b"});
  CHECK(space.dimension() == 5);
  CHECK(space.fidelity_dimension() == 2);
  CHECK(space.has_fidelity());
  CHECK(space.parameter("x").column == 0);
  CHECK(space.parameter("c").column == 1);
  CHECK(space.parameter("fraction").column == 3);
  CHECK(space.parameter("mesh").column == 4);
  const Vector target = space.target_fidelity();
  REQUIRE(target.size() == 2);
  CHECK(target[0] == doctest::Approx(1.0));
  CHECK(target[1] == doctest::Approx(1.0));

  prospect::Params p = space.params();
  p.set("fraction", 0.55).set("x", 0.5).set("mesh", 1L).set("c", "b");
  const Vector u = space.encode(p);
  CHECK(u[3] == doctest::Approx(0.5));
  CHECK(u[4] == doctest::Approx(1.0 / 3.0));  // levels at i / (L - 1)
  const prospect::Params back = space.decode(u);
  CHECK(back.real("fraction") == doctest::Approx(0.55).epsilon(1e-12));
  CHECK(back.integer("mesh") == 1);
  CHECK(back.category("c") == "b");
  Vector v = u;
  v[4] = 0.6;  // nearest level 2 (0.667), not the cell containing 0.6
  CHECK(space.decode(v).integer("mesh") == 2);
  CHECK_FALSE(space.is_at_target(p));
  const prospect::Params top = space.at_target(p);
  CHECK(space.is_at_target(top));
  CHECK(top.integer("mesh") == 3);
  CHECK(top.real("fraction") == 1.0);
  CHECK(top.real("x") == 0.5);

  prospect::Space plain = prospect::test::branin_space();
  CHECK_FALSE(plain.has_fidelity());
  CHECK(plain.target_fidelity().size() == 0);
}

TEST_CASE("space: bad fidelity definitions and values are refused, the space unchanged") {
  prospect::Space space;
  space.add_real("x", 0.0, 1.0);
  CHECK_THROWS_AS(space.add_fidelity("s", 0.0, 1.0, 1.5), prospect::InvalidArgument);
  CHECK_THROWS_AS(space.add_fidelity("s", 1.0, 0.0, 0.5), prospect::InvalidArgument);
  CHECK_THROWS_AS(space.add_fidelity_levels("m", 2, 2, 2), prospect::InvalidArgument);
  CHECK_THROWS_AS(space.add_fidelity_levels("m", 0, 3, 4), prospect::InvalidArgument);
  CHECK_THROWS_AS(space.add_fidelity("x", 0.0, 1.0, 1.0), prospect::InvalidArgument);
  CHECK(space.size() == 1);
  CHECK_FALSE(space.has_fidelity());
  try {
    (void)space.add_fidelity("s", 0.0, 1.0, 2.0);
  } catch (const prospect::InvalidArgument& e) {
    const std::string m = e.what();
    CHECK(m.find("\"s\"") != std::string::npos);
    CHECK(m.find("target 2") != std::string::npos);
  }
  space.add_fidelity("s", 0.0, 1.0, 1.0);
  prospect::Params p = space.params();
  CHECK_THROWS_AS(p.set("s", 1.2), prospect::OutOfRange);  // a fidelity outside its range
}

TEST_CASE("affine cost model: values and gradient in user units, positive everywhere") {
  // cost = 2 + 3 v_1 + 0.5 v_2 with v_1 on [0.1, 1] (linear) and v_2 on [1, 81] (log).
  pa::AffineCostModel model(3, 2.0, {{1, 0.1, 1.0, false, 3.0}, {2, 1.0, 81.0, true, 0.5}});
  Vector x(3);
  x << 0.7, 0.5, 0.5;
  Vector g;
  const double c = model.cost(x, &g);
  CHECK(c == doctest::Approx(2.0 + 3.0 * 0.55 + 0.5 * 9.0));
  for (Eigen::Index j = 0; j < 3; ++j) {
    Vector xp = x, xm = x;
    xp[j] += 1e-6;
    xm[j] -= 1e-6;
    CHECK(g[j] == doctest::Approx((model.cost(xp) - model.cost(xm)) / 2e-6).epsilon(1e-6));
  }
  CHECK(model.minimum() == doctest::Approx(2.0 + 0.3 + 0.5));
  CHECK_THROWS_AS(pa::AffineCostModel(1, 0.0, {{0, 0.0, 1.0, false, 1.0}}),
                  prospect::InvalidArgument);  // zero at the lowest fidelity
  CHECK_THROWS_AS(pa::AffineCostModel(1, 1.0, {{0, 0.0, 1.0, false, -2.0}}),
                  prospect::InvalidArgument);  // negative at the highest
  CHECK_THROWS_AS((void)model.cost(Vector::Zero(2)), prospect::InvalidArgument);
}

TEST_CASE("MFKG equals brute-force fantasies at the fantasies' maximizers; exact gradient") {
  const prospect::Dataset data = fidelity_data(18, 5);
  prospect::GaussianProcess gp(prospect::kernels::Matern52{});
  gp.fit(data, 1);
  const auto cost = std::make_shared<pa::AffineCostModel>(
      3, 1.0, std::vector<pa::AffineTerm>{{2, 0.0, 1.0, false, 4.0}});
  for (const bool cost_aware : {true, false}) {
    CAPTURE(cost_aware);
    const int F = 5;
    pa::KnowledgeGradient mfkg(pa::MFKG{pa::KG{F, 4, 128}, cost_aware});
    CHECK(mfkg.name() == "mfkg");
    CHECK(mfkg.fidelity_aware());
    prospect::AcquisitionContext context;
    context.model = &gp;
    context.data = &data;
    context.seed = 11;
    context.target_fidelity = Vector::Ones(1);
    context.cost = cost;
    mfkg.prepare(context);
    REQUIRE(mfkg.auxiliary_size() == F * 2);  // design coordinates only
    CHECK(mfkg.mean_maximizer()[2] == 1.0);   // current value at the target fidelity

    Vector x(3);
    x << 0.35, 0.6, 0.3;
    Matrix X = x.transpose();
    const prospect::Predictive p = gp.predict(X);
    const double sd = std::sqrt(p.variance[0] + gp.noise_variance());
    const Matrix& zeta = mfkg.base_samples();
    const double C = cost_aware ? cost->cost(x) : 1.0;
    Vector row(3 + F * 2);
    row.head(3) = x;
    double brute = 0.0;
    for (int j = 0; j < F; ++j) {
      Vector y(1);
      y[0] = p.mean[0] + sd * zeta(j, 0);
      const auto fantasy = gp.condition_on(X, y);
      const pa::MeanMaximum best =
          pa::maximize_posterior_mean(*fantasy, Matrix(0, 3), 100 + j, 4, 128, Vector::Ones(1));
      CHECK(best.x[2] == 1.0);
      row.segment(3 + 2 * j, 2) = best.x.head(2);
      const double gain = best.value - mfkg.current_value();
      brute += (gain > 0 ? gain / C : gain * C) / F;
    }
    Vector value(1);
    mfkg.evaluate(row.transpose(), value);
    CHECK(value[0] == doctest::Approx(brute).epsilon(1e-7).scale(1e-9));

    std::mt19937_64 rng(8);
    prospect::test::check_gradient(mfkg, prospect::test::uniform(3 + F * 2, 1, rng));
  }
}

TEST_CASE("augmented EI: EI at the target times correlation, noise and cost factors; gradient") {
  const prospect::Dataset data = fidelity_data(16, 7);
  prospect::FidelityGP gp(1);
  gp.fit(data, 2);
  const auto cost = std::make_shared<pa::AffineCostModel>(
      3, 2.0, std::vector<pa::AffineTerm>{{2, 0.0, 1.0, false, 6.0}});
  pa::AugmentedExpectedImprovement aei;
  CHECK(aei.fidelity_aware());
  prospect::AcquisitionContext context;
  context.model = &gp;
  context.data = &data;
  context.target_fidelity = Vector::Ones(1);
  context.cost = cost;
  aei.prepare(context);
  // The incumbent: mu_t - sigma_t largest over the observed designs at the target.
  Matrix T = data.X;
  T.col(2).setOnes();
  const prospect::Predictive pt = gp.predict(T);
  double best = -1e300, f_best = 0.0;
  for (Eigen::Index i = 0; i < T.rows(); ++i) {
    const double score = pt.mean[i] - std::sqrt(pt.variance[i]);
    if (score > best) best = score, f_best = pt.mean[i];
  }
  CHECK(aei.incumbent() == doctest::Approx(f_best).epsilon(1e-12));
  const double noise = gp.noise_variance();
  // A design whose low fidelities correlate with the target in the posterior (the
  // posterior correlation may be negative elsewhere, where AEI is clamped).
  const auto correlation = [&](const Vector& x, double s) {
    Matrix R(2, 3);
    R.row(0) << x[0], x[1], 1.0;
    R.row(1) << x[0], x[1], s;
    const Matrix S = gp.posterior_covariance(R);
    return S(0, 1) / std::sqrt(S(0, 0) * S(1, 1));
  };
  const Matrix designs = prospect::sobol(64, 2, 3);
  Vector x = designs.row(0).transpose();
  for (Eigen::Index i = 0; i < designs.rows(); ++i) {
    x = designs.row(i).transpose();
    if (correlation(x, 0.0) > 0.2 && correlation(x, 0.4) > 0.2) break;
  }
  for (const double s : {1.0, 0.4, 0.0}) {
    CAPTURE(s);
    Vector z(3);
    z << x[0], x[1], s;
    Matrix R(2, 3);
    R.row(0) << x[0], x[1], 1.0;
    R.row(1) = z.transpose();
    const Matrix S = gp.posterior_covariance(R);
    const double mu_t = gp.predict(R.topRows(1)).mean[0];
    const double sd_t = std::sqrt(S(0, 0));
    const double u = (mu_t - f_best) / sd_t;
    const double Phi = 0.5 * std::erfc(-u / std::sqrt(2.0));
    const double phi = std::exp(-0.5 * u * u) / std::sqrt(2.0 * std::numbers::pi);
    const double ei = sd_t * (u * Phi + phi);
    const double corr = S(0, 1) / std::sqrt(S(0, 0) * S(1, 1));
    REQUIRE(corr > 0.2);
    const double alpha2 = 1.0 - std::sqrt(noise) / std::sqrt(S(1, 1) + noise);
    const double alpha3 = (2.0 + 6.0) / (2.0 + 6.0 * s);
    Vector v(1);
    aei.evaluate(z.transpose(), v);
    CHECK(v[0] == doctest::Approx(std::log(ei * corr * alpha2 * alpha3)).epsilon(1e-9));
  }
  std::mt19937_64 rng(12);
  for (int k = 0; k < 3; ++k)
    prospect::test::check_gradient(aei, prospect::test::uniform(3, 1, rng));
}

TEST_CASE("MFKG needs a fidelity: refused on a plain space and without targets") {
  prospect::Options options;
  options.acquisition = pa::MFKG{};
  CHECK_THROWS_AS(prospect::Optimizer(prospect::test::branin_space(), options),
                  prospect::InvalidOptions);
  const prospect::Dataset data = fidelity_data(10, 2);
  prospect::GaussianProcess gp(prospect::kernels::Matern52{});
  gp.fit(data, 1);
  pa::KnowledgeGradient mfkg(pa::MFKG{});
  prospect::AcquisitionContext context;
  context.model = &gp;
  context.data = &data;
  CHECK_THROWS_AS(mfkg.prepare(context), prospect::InvalidArgument);
  CHECK(mfkg.auxiliary_size() == 0);  // unchanged: still unprepared
  // An affine cost with the wrong number of weights, or one that is not positive.
  prospect::Options bad;
  bad.cost = pa::AffineCost{1.0, {1.0, 2.0}};
  CHECK_THROWS_AS(prospect::Optimizer(forrester_space(), bad), prospect::InvalidOptions);
  bad.cost = pa::AffineCost{-1.0, {}};
  CHECK_THROWS_AS(prospect::Optimizer(forrester_space(), bad), prospect::InvalidOptions);
  bad.cost = pa::AffineCost{};
  bad.cost_budget = -5.0;
  CHECK_THROWS_AS(prospect::Optimizer(forrester_space(), bad), prospect::InvalidOptions);
}

TEST_CASE("single-fidelity acquisitions evaluate at the target fidelity only") {
  prospect::Optimizer opt(forrester_space(), forrester_options(3, 4, pa::LogEI{}));
  for (int i = 0; i < 8; ++i) {
    const prospect::Trial t = opt.ask();
    CHECK(t.params.integer("level") == 1);
    opt.tell(t.id, forrester(t.params));
  }
  CHECK(opt.cumulative_cost() == doctest::Approx(80.0));
  CHECK(opt.best().params.integer("level") == 1);
  // The model's optimum at the target: at least as good as the best evaluated design
  // (the noiseless model interpolates it), and close to the true minimum.
  const prospect::Optimizer::Recommendation r = opt.recommend();
  CHECK(r.params.integer("level") == 1);
  CHECK(r.mean <= *opt.best().value + 1e-6);
  CHECK(r.stddev >= 0.0);
  CAPTURE(r.params.real("x"));
  CHECK(forrester_high(r.params.real("x")) < kForresterMin + 1.0);
}

TEST_CASE("MFKG spends on the cheap level, a cost budget ends minimize, best() is at the target") {
  prospect::Options options = forrester_options(5, 6, pa::MFKG{pa::KG{16, 4, 128, 3, 60}, true});
  options.cost_budget = 80.0;
  int calls = 0;
  const prospect::Result result = prospect::minimize(forrester, forrester_space(), 60, options,
                                                     [&](const prospect::Iteration& it) {
                                                       ++calls;
                                                       CHECK(it.cost > 0.0);
                                                       return true;
                                                     });
  CHECK(result.termination == prospect::Termination::cost_budget_exhausted);
  CHECK(result.cost >= 80.0);
  CHECK(result.cost < 80.0 + 10.0 + 1e-9);  // stopped by the evaluation that crossed it
  int low = 0, high = 0;
  for (std::size_t i = 6; i < result.trials.size(); ++i) {
    (result.trials[i].params.integer("level") == 0 ? low : high) += 1;
  }
  CAPTURE(low);
  CAPTURE(high);
  CHECK(low >= 1);   // the cheap level is worth asking about
  CHECK(high >= 1);  // and the target is evaluated too
  CHECK(static_cast<int>(result.trials.size()) == calls);
  CHECK(result.best.params.integer("level") == 1);
  // The recommendation is in the target's basin (minimum at x = 0.757), not in the cheap
  // level's (x = 0.09), and far below the target's values there.
  CAPTURE(result.best.params.real("x"));
  CHECK(result.best.params.real("x") > 0.6);
  CHECK(result.best.params.real("x") < 0.9);
  CHECK(forrester_high(result.best.params.real("x")) < kForresterMin + 2.0);
}

TEST_CASE("tell with a cost: bad costs refused unchanged; a learned cost within 10%") {
  prospect::Space space;
  space.add_real("x", 0.0, 1.0);
  space.add_fidelity("s", 0.1, 1.0, 1.0);
  const auto true_cost = [](const prospect::Params& p) {
    const double s = p.real("s");
    return 2.0 + 8.0 * s * s + 0.5 * p.real("x");
  };
  prospect::Options options;
  options.cost = pa::LearnedCost{5, pa::AffineCost{}};
  prospect::Optimizer opt(space, options);
  const Matrix design = prospect::sobol(30, 2, 4);
  for (Eigen::Index i = 0; i < design.rows(); ++i)
    opt.enqueue(space.decode(design.row(i).transpose()));
  const prospect::Trial first = opt.ask();
  CHECK_THROWS_AS(opt.tell(first.id, 1.0, 0.0), prospect::InvalidArgument);
  CHECK_THROWS_AS(opt.tell(first.id, 1.0, std::nan("")), prospect::InvalidArgument);
  CHECK(opt.trial(first.id).status == prospect::TrialStatus::pending);
  CHECK_FALSE(opt.trial(first.id).cost.has_value());
  opt.tell(first.id, 1.0, true_cost(first.params));
  CHECK_THROWS_AS(opt.tell(first.id, 1.0, 2.0), prospect::InvalidState);
  double told_cost = true_cost(first.params);
  for (int i = 1; i < 30; ++i) {
    const prospect::Trial t = opt.ask();
    opt.tell(t.id, t.params.real("x"), true_cost(t.params));
    told_cost += true_cost(t.params);
  }
  CHECK(opt.cumulative_cost() == doctest::Approx(told_cost));
  const Matrix held_out = prospect::sobol(20, 2, 99);
  for (Eigen::Index i = 0; i < held_out.rows(); ++i) {
    const prospect::Params p = space.decode(held_out.row(i).transpose());
    CAPTURE(p.to_string());
    CHECK(opt.cost(p) == doctest::Approx(true_cost(p)).epsilon(0.10));
  }
}

TEST_CASE("a multi-fidelity study saves and resumes exactly") {
  const prospect::Options options =
      forrester_options(9, 5, pa::MFKG{pa::KG{8, 2, 64, 2, 40}, true});
  prospect::Optimizer opt(forrester_space(), options);
  for (int i = 0; i < 7; ++i) {
    const prospect::Trial t = opt.ask();
    opt.tell(t.id, forrester(t.params), i == 2 ? 3.5 : opt.cost(t.params));
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / "prospect_test_mf_study.json").string();
  opt.save(path);
  prospect::Optimizer again = prospect::Optimizer::load(path);
  std::remove(path.c_str());
  CHECK(again.space() == opt.space());
  CHECK(again.space().fidelity_dimension() == 1);
  CHECK(again.trials() == opt.trials());
  CHECK(again.trial(2).cost == 3.5);
  CHECK(again.cumulative_cost() == doctest::Approx(opt.cumulative_cost()));
  const prospect::Trial a = opt.ask();
  const prospect::Trial b = again.ask();
  CHECK(a.params == b.params);
}

TEST_CASE("two fidelity dimensions (epochs and data fraction): MFKG asks both, best() at target") {
  prospect::Space space;
  space.add_real("lr", 1e-4, 1e-1, prospect::Scale::log);
  space.add_fidelity("epochs", 1.0, 81.0, 81.0);
  space.add_fidelity("fraction", 0.1, 1.0, 1.0);
  space.add_real("dropout", 0.0, 0.5);
  REQUIRE(space.fidelity_dimension() == 2);
  const auto loss = [](const prospect::Params& p) {
    const double x = std::log10(p.real("lr")) + 2.5;
    const double budget = (p.real("epochs") / 81.0) * p.real("fraction");
    return x * x + std::pow(p.real("dropout") - 0.2, 2) + 0.5 * (1.0 - budget);
  };
  prospect::Options options;
  options.seed = 4;
  options.noise = prospect::Noise::none;
  options.n_initial = 6;
  options.acquisition = pa::MFKG{pa::KG{8, 2, 64, 2, 40}, true};
  options.cost = pa::AffineCost{1.0, {0.1, 4.0}};  // 1 + 0.1 epochs + 4 fraction
  prospect::Optimizer opt(space, options);
  bool below_target = false;
  for (int i = 0; i < 12; ++i) {
    const prospect::Trial t = opt.ask();
    CHECK(t.params.real("epochs") >= 1.0);
    CHECK(t.params.real("fraction") <= 1.0);
    if (i >= 6 && !space.is_at_target(t.params)) below_target = true;
    opt.tell(t.id, loss(t.params));
  }
  CHECK(below_target);
  CHECK(opt.model()->name() == "fidelity_gp(linear_truncated)");
  const prospect::Trial best = opt.best();
  CHECK(best.params.real("epochs") == 81.0);
  CHECK(best.params.real("fraction") == 1.0);
  double spent = 0.0;
  for (const auto& t : opt.trials()) {
    spent += 1.0 + 0.1 * t.params.real("epochs") + 4.0 * t.params.real("fraction");
  }
  CHECK(opt.cumulative_cost() == doctest::Approx(spent).epsilon(1e-12));
}

TEST_CASE("a user's cost function: costs, gradient by differences, needed again on load") {
  const auto user_cost = [](const prospect::Params& p) {
    return 2.0 + std::pow(static_cast<double>(p.integer("level")) + 1.0, 2) + p.real("x");
  };
  prospect::Options options = forrester_options(2, 4, pa::LogEI{});
  options.cost = pa::UserCost{user_cost};
  prospect::Optimizer opt(forrester_space(), options);
  double spent = 0.0;
  for (int i = 0; i < 5; ++i) {
    const prospect::Trial t = opt.ask();
    opt.tell(t.id, forrester(t.params));
    spent += user_cost(t.params);
  }
  CHECK(opt.cumulative_cost() == doctest::Approx(spent).epsilon(1e-12));

  const prospect::Space space = forrester_space();
  pa::FunctionCostModel model(2,
                              [&](prospect::VectorCRef u) { return user_cost(space.decode(u)); });
  Vector x(2);
  x << 0.3, 1.0;  // x = 0.3 (column 0), the target level (column 1)
  Vector g;
  CHECK(model.cost(x, &g) == doctest::Approx(2.0 + 4.0 + 0.3));
  CHECK(g[0] == doctest::Approx(1.0).epsilon(1e-6));
  pa::FunctionCostModel bad(1, [](prospect::VectorCRef) { return -1.0; });
  CHECK_THROWS_AS((void)bad.cost(Vector::Zero(1)), prospect::InvalidArgument);

  const std::string path =
      (std::filesystem::temp_directory_path() / "prospect_test_user_cost.json").string();
  opt.save(path);
  CHECK_THROWS_AS((void)prospect::Optimizer::load(path), prospect::StudyFileError);
  const prospect::Optimizer again = prospect::Optimizer::load(path, options);
  std::remove(path.c_str());
  CHECK(again.cumulative_cost() == doctest::Approx(spent).epsilon(1e-12));
}

TEST_CASE("co-kriging and NARGP studies: every level in the initial design, checked choices") {
  // Co-kriging with MFKG, resumed from a file.
  prospect::Options options = forrester_options(6, 4, pa::MFKG{pa::KG{8, 2, 64, 2, 40}, true});
  options.surrogate = prospect::surrogates::CoKriging{};
  prospect::Optimizer opt(forrester_space(), options);
  for (int i = 0; i < 6; ++i) {
    const prospect::Trial t = opt.ask();
    opt.tell(t.id, forrester(t.params));
  }
  CHECK(opt.model()->name() == "cokriging_ar1");
  const std::string path =
      (std::filesystem::temp_directory_path() / "prospect_test_cokriging.json").string();
  opt.save(path);
  prospect::Optimizer again = prospect::Optimizer::load(path);
  std::remove(path.c_str());
  CHECK(again.ask().params == opt.ask().params);

  // NARGP with LogEI at the target: the initial design visits both levels, then the
  // model-based asks stay at the target.
  prospect::Options nargp = forrester_options(7, 4, pa::LogEI{});
  nargp.surrogate = prospect::surrogates::NARGP{};
  prospect::Optimizer study(forrester_space(), nargp);
  int low = 0;
  for (int i = 0; i < 7; ++i) {
    const prospect::Trial t = study.ask();
    if (i >= 4) CHECK(t.params.integer("level") == 1);
    low += t.params.integer("level") == 0 ? 1 : 0;
    study.tell(t.id, forrester(t.params));
  }
  CHECK(low == 2);
  CHECK(study.model()->name().rfind("nargp", 0) == 0);

  // With a one-point design NARGP has only the target level after the first result: the
  // design continues (the second ask used to fit NARGP without level 0 and throw).
  prospect::Options one = forrester_options(7, 1, pa::LogEI{});
  one.surrogate = prospect::surrogates::NARGP{};
  prospect::Optimizer sparse(forrester_space(), one);
  const prospect::Trial top = sparse.ask();
  CHECK(top.params.integer("level") == 1);
  sparse.tell(top.id, forrester(top.params));
  CHECK(sparse.best().id == top.id);
  const prospect::Trial second = sparse.ask();
  CHECK(second.params.integer("level") == 0);  // the design's next point, at level 0
  CHECK(sparse.model() == nullptr);
  sparse.tell(second.id, forrester(second.params));
  (void)sparse.ask();
  CHECK(sparse.model() != nullptr);

  // Refused: level models on a continuous fidelity, NARGP under MFKG (no joint posterior).
  prospect::Space continuous;
  continuous.add_real("x", 0.0, 1.0);
  continuous.add_fidelity("s", 0.0, 1.0, 1.0);
  prospect::Options bad;
  bad.surrogate = prospect::surrogates::CoKriging{};
  CHECK_THROWS_AS(prospect::Optimizer(continuous, bad), prospect::InvalidOptions);
  bad.surrogate = prospect::surrogates::NARGP{};
  bad.acquisition = pa::MFKG{};
  CHECK_THROWS_AS(prospect::Optimizer(forrester_space(), bad), prospect::InvalidOptions);
}
