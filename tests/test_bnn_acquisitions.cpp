// Sample-based surrogates inside acquisitions and the optimizer: Monte Carlo acquisitions
// on the networks themselves (value = exact average over the functions, gradients by
// finite differences), Thompson sampling, refusals that name a working alternative, and
// ask/tell with an HMC network (including save/load).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "acquisition_checks.hpp"
#include "prospect/acquisition/monte_carlo.hpp"
#include "prospect/acquisition/thompson.hpp"
#include "prospect/errors.hpp"
#include "prospect/optimizer.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/bnn/hmc_network.hpp"
#include "test_support.hpp"

using namespace prospect;

namespace {
HMCNetworkOptions small_hmc() {
  HMCNetworkOptions o;
  o.hidden = {12, 12};
  o.burn_in = 60;
  o.samples = 60;
  o.thin = 4;
  o.pretrain_steps = 200;
  return o;
}

HMCNetwork fitted_model(Dataset& data) {
  Rng rng(9);
  data.X.resize(20, 2);
  data.y.resize(20);
  for (Eigen::Index i = 0; i < 20; ++i) {
    data.X(i, 0) = rng.uniform();
    data.X(i, 1) = rng.uniform();
    data.y(i) = std::sin(5.0 * data.X(i, 0)) * std::cos(3.0 * data.X(i, 1));
  }
  HMCNetwork model(small_hmc());
  model.fit(data, 1);
  return model;
}
}  // namespace

TEST_CASE("Monte Carlo acquisitions average over the network functions exactly") {
  Dataset data;
  const HMCNetwork model = fitted_model(data);
  AcquisitionContext ctx;
  ctx.model = &model;
  ctx.data = &data;
  ctx.incumbent = data.y.maxCoeff();
  ctx.seed = 3;
  ctx.X_pending = Matrix(1, 2);
  ctx.X_pending << 0.3, 0.6;

  acquisition::MonteCarloAcquisition qei(acquisition::qEI{});
  qei.set_batch_size(2);
  qei.prepare(ctx);
  Vector row(4);
  row << 0.2, 0.7, 0.8, 0.1;
  Vector value(1);
  qei.evaluate(row.transpose(), value);
  // Independent computation: the mean over functions of the best improvement over the
  // pending point and the two free points.
  Matrix X(3, 2);
  X << 0.3, 0.6, 0.2, 0.7, 0.8, 0.1;
  const Matrix F = model.function_values(X);
  double expected = 0.0;
  for (Eigen::Index s = 0; s < F.rows(); ++s) {
    expected += std::max(0.0, F.row(s).maxCoeff() - ctx.incumbent);
  }
  expected /= static_cast<double>(F.rows());
  CHECK(value(0) == doctest::Approx(expected).epsilon(1e-12));

  // qLogNEI and qUCB: gradients against finite differences.
  for (const auto& options : {acquisition::MonteCarloOptions(acquisition::qLogNEI{}),
                              acquisition::MonteCarloOptions(acquisition::qUCB{})}) {
    acquisition::MonteCarloAcquisition acq(options);
    acq.set_batch_size(2);
    acq.prepare(ctx);
    CAPTURE(acq.name());
    REQUIRE(acq.has_gradient());
    test::check_gradient(acq, row);
  }
  // The qLogNEI baseline holds only observed points that are some function's argmax.
  acquisition::MonteCarloAcquisition nei(acquisition::qLogNEI{});
  nei.prepare(ctx);
  const Matrix Fo = model.function_values(data.X);
  CHECK(nei.baseline_size() >= 1);
  CHECK(nei.baseline_size() <= std::min<Eigen::Index>(data.X.rows(), Fo.rows()));
}

TEST_CASE("Thompson sampling is one network function, with its gradient") {
  Dataset data;
  const HMCNetwork model = fitted_model(data);
  AcquisitionContext ctx;
  ctx.model = &model;
  ctx.data = &data;
  acquisition::ThompsonSampling ts;
  Vector one(1);
  CHECK_THROWS_AS(ts.evaluate(Matrix::Zero(1, 2), one), InvalidState);
  ctx.seed = 11;
  ts.prepare(ctx);
  Matrix X(3, 2);
  X << 0.1, 0.2, 0.5, 0.5, 0.9, 0.4;
  Vector v(3);
  ts.evaluate(X, v);
  const Matrix F = model.function_values(X);
  CHECK(v == F.row(ts.function_index()).transpose());
  // One network alone gives the same numbers as all of them.
  CHECK(model.function_value(X, 3) == F.row(3).transpose());
  CHECK_THROWS_AS((void)model.function_value(X, model.function_count()), InvalidArgument);
  Vector x(2);
  x << 0.42, 0.77;
  test::check_gradient(ts, x);
  // Different seeds draw different functions (60% of 10 draws distinct at least).
  std::vector<Eigen::Index> seen;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    ctx.seed = seed;
    ts.prepare(ctx);
    if (std::find(seen.begin(), seen.end(), ts.function_index()) == seen.end()) {
      seen.push_back(ts.function_index());
    }
  }
  CHECK(seen.size() >= 6);
  // A GP has no finite set of functions.
  CHECK_THROWS_WITH_AS(
      [] {
        Options o;
        o.acquisition = acquisition::Thompson{};
        Optimizer opt(test::branin_space(), o);
      }(),
      doctest::Contains("surrogates::HMC"), InvalidOptions);
}

TEST_CASE("optimizer: networks refuse the knowledge gradient, naming what works") {
  Options o;
  o.surrogate = surrogates::HMC{small_hmc()};
  o.acquisition = acquisition::KG{};
  CHECK_THROWS_WITH_AS(Optimizer(test::branin_space(), o), doctest::Contains("qLogNEI"),
                       InvalidOptions);
  o.acquisition = acquisition::MFKG{};
  CHECK_THROWS_AS(Optimizer(test::branin_space(), o), InvalidOptions);
  HMCNetworkOptions bad = small_hmc();
  bad.thin = 0;
  o.surrogate = surrogates::HMC{bad};
  o.acquisition = acquisition::LogEI{};
  CHECK_THROWS_WITH_AS(Optimizer(test::branin_space(), o),
                       doctest::Contains("surrogate.options.thin"), InvalidOptions);
}

TEST_CASE("optimizer: ask/tell with an HMC network, Thompson batches, save and resume") {
  Options o;
  o.seed = 4;
  o.n_initial = 6;
  o.surrogate = surrogates::HMC{small_hmc()};
  o.acquisition = acquisition::Thompson{};
  Optimizer opt(test::branin_space(), o);
  for (int i = 0; i < 8; ++i) {
    const Trial t = opt.ask();
    opt.tell(t.id, test::branin(t.params));
  }
  REQUIRE(opt.model() != nullptr);
  CHECK(opt.model()->name() == "hmc_bnn");
  const auto batch = opt.ask(3);
  REQUIRE(batch.size() == 3);
  // Three functions, three distinct points.
  auto same = [](const Trial& a, const Trial& b) {
    return a.params.real("x1") == b.params.real("x1") && a.params.real("x2") == b.params.real("x2");
  };
  CHECK_FALSE(same(batch[0], batch[1]));
  CHECK_FALSE(same(batch[1], batch[2]));
  CHECK_FALSE(same(batch[0], batch[2]));
  for (const auto& t : batch) opt.tell(t.id, test::branin(t.params));

  const auto path = std::filesystem::temp_directory_path() / "prospect_hmc_study.json";
  opt.save(path.string());
  Optimizer resumed = Optimizer::load(path.string());
  CHECK(to_string(resumed.options().surrogate) == "hmc_bnn");
  const Trial a = opt.ask();
  const Trial b = resumed.ask();
  CHECK(a.params.real("x1") == b.params.real("x1"));
  CHECK(a.params.real("x2") == b.params.real("x2"));
  std::filesystem::remove(path);

  // The NNGP kernel GP (with ARD) runs the same loop with the default acquisition.
  Options g;
  g.seed = 2;
  surrogates::NNGP nngp;
  nngp.kernel.ard = true;
  g.surrogate = nngp;
  Optimizer gp(test::branin_space(), g);
  for (int i = 0; i < 8; ++i) {
    const Trial t = gp.ask();
    gp.tell(t.id, test::branin(t.params));
  }
  CHECK(gp.model()->name().find("nngp") != std::string::npos);
  CHECK(gp.best().value < 60.0);
  gp.save(path.string());
  const Optimizer gp_resumed = Optimizer::load(path.string());
  const auto* kept = std::get_if<surrogates::NNGP>(&gp_resumed.options().surrogate);
  REQUIRE(kept != nullptr);
  CHECK(kept->kernel.ard);
  std::filesystem::remove(path);
}

TEST_CASE("optimizer: a deep ensemble with qLogNEI batches; its options survive save/load") {
  Options o;
  o.seed = 8;
  o.n_initial = 6;
  DeepEnsembleOptions e;
  e.members = 3;
  e.hidden = {16, 16};
  e.epochs = 300;
  e.warmup = 50;
  o.surrogate = surrogates::DeepEnsemble{e};
  o.acquisition = acquisition::qLogNEI{};
  o.inner.restarts = 4;
  o.inner.raw_samples = 64;
  Optimizer opt(test::branin_space(), o);
  for (int i = 0; i < 6; ++i) {
    const Trial t = opt.ask();
    opt.tell(t.id, test::branin(t.params));
  }
  const auto batch = opt.ask(2);
  REQUIRE(batch.size() == 2);
  CHECK(opt.model()->name() == "deep_ensemble");
  CHECK(opt.model()->function_count() == 3);
  const auto path = std::filesystem::temp_directory_path() / "prospect_ensemble_study.json";
  opt.save(path.string());
  const Optimizer resumed = Optimizer::load(path.string());
  const auto* r = std::get_if<surrogates::DeepEnsemble>(&resumed.options().surrogate);
  REQUIRE(r != nullptr);
  CHECK(r->options.members == 3);
  CHECK(r->options.epochs == 300);
  CHECK(r->options.hidden == e.hidden);
  std::filesystem::remove(path);
}

TEST_CASE("optimizer: a network surrogate with one result continues the design") {
  // Networks need 2 observations (Surrogate::can_fit). With n_initial = 1 the
  // second ask used to fit the network on one point and throw from inside ask().
  Options o;
  o.seed = 3;
  o.n_initial = 1;
  DeepEnsembleOptions e;
  e.members = 2;
  e.hidden = {8};
  e.epochs = 30;
  e.warmup = 5;
  o.surrogate = surrogates::DeepEnsemble{e};
  o.inner.raw_samples = 16;
  o.inner.restarts = 1;
  Optimizer opt(test::branin_space(), o);
  const Trial first = opt.ask();
  opt.tell(first.id, test::branin(first.params));
  CHECK(opt.best().id == first.id);  // the best observed value: no model yet
  CHECK_THROWS_AS((void)opt.recommend(), InvalidState);
  const Trial second = opt.ask();  // the Sobol design's next point, not a model's
  CHECK(opt.model() == nullptr);
  opt.tell(second.id, test::branin(second.params));
  const Trial third = opt.ask();  // two results: the network is fitted
  CHECK(opt.model() != nullptr);
  CHECK(third.id == 2);
  (void)opt.recommend();
}

TEST_CASE("the NNGP kernel GP drives a multi-fidelity study with MFKG unchanged") {
  // Forrester-like pair of levels: the low level is a biased, cheaper copy.
  Space space;
  space.add_real("x", 0.0, 1.0);
  space.add_fidelity_levels("level", 0, 1, 1);
  auto f = [](const Params& p) {
    const double x = p.real("x");
    const double high = std::pow(6 * x - 2, 2) * std::sin(12 * x - 4);
    return p.integer("level") == 1 ? high : 0.5 * high + 10 * (x - 0.5) - 5;
  };
  Options o;
  o.seed = 3;
  o.n_initial = 6;
  o.surrogate = surrogates::NNGP{};
  acquisition::MFKG mfkg;
  mfkg.kg.fantasies = 8;
  mfkg.kg.restarts = 2;
  o.acquisition = mfkg;
  o.cost = acquisition::AffineCost{1.0, {9.0}};
  Optimizer opt(space, o);
  for (int i = 0; i < 8; ++i) {
    const Trial t = opt.ask();
    opt.tell(t.id, f(t.params));
  }
  REQUIRE(opt.model() != nullptr);
  CHECK(opt.model()->name().find("nngp") != std::string::npos);
  CHECK(opt.cumulative_cost() > 8.0);
  const auto r = opt.recommend();
  CHECK(r.params.integer("level") == 1);
  CHECK(std::isfinite(r.mean));
}
