#include "prospect/optimizer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <sstream>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/storage.hpp"
#include "prospect/surrogates/multi_fidelity/cokriging.hpp"
#include "src/blas_threads.hpp"
#include "src/cost_models.hpp"
#include "src/json_io.hpp"
#include "src/study_json.hpp"

namespace prospect {

namespace {

using Clock = std::chrono::steady_clock;

// Seed streams: one per purpose, so that adding a use of randomness in one place
// never shifts another's numbers.
constexpr std::uint64_t kDesignStream = 0;
constexpr std::uint64_t kFitStream = 1;
constexpr std::uint64_t kInnerStream = 2;
constexpr std::uint64_t kFallbackStream = 3;
constexpr std::uint64_t kCostStream = 4;
// Models below this many observations run their asks with single-threaded BLAS.
constexpr Eigen::Index kSmallModel = 500;

// The study's model. Throws InvalidArgument for a choice the space cannot take.
// `chooses_fidelity`: the acquisition searches the fidelity columns; a study that only
// evaluates at the target sees a constant fidelity column, where a fidelity kernel adds
// nothing but its priors, so it gets the single-fidelity GP.
// The radial profile of a GP with the built-in stationary kernel ("se", "matern52", ...),
// as a study file names it; empty for any other model.
std::string profile_name(const Surrogate& model) {
  const auto* gp = dynamic_cast<const GaussianProcess*>(&model);
  const auto* kernel =
      gp != nullptr ? dynamic_cast<const kernels::Stationary*>(&gp->kernel()) : nullptr;
  return kernel != nullptr ? kernels::to_string(kernel->profile()) : std::string();
}

std::unique_ptr<Surrogate> make_surrogate(const SurrogateChoice& choice, const Space& space,
                                          Noise noise, int threads, const DeviceOptions& device,
                                          bool chooses_fidelity) {
  const auto gp_options = [&](GaussianProcessOptions o) {
    o.noise = noise == Noise::none ? NoiseModel::none : NoiseModel::learned;
    if (o.threads == 0) o.threads = threads;
    if (o.device.device == Device::automatic) o.device = device;
    return o;
  };
  if (const auto* gp = std::get_if<surrogates::GP>(&choice)) {
    const GaussianProcessOptions o = gp_options(gp->gp);
    if (gp->custom_kernel) return std::make_unique<GaussianProcess>(*gp->custom_kernel, o);
    if (space.has_fidelity() && chooses_fidelity) {
      return std::make_unique<FidelityGP>(space.fidelity_dimension(), gp->fidelity_kernel, o);
    }
    return std::make_unique<GaussianProcess>(kernels::Stationary(gp->kernel, gp->kernel_options),
                                             o);
  }
  if (const auto* nngp = std::get_if<surrogates::NNGP>(&choice)) {
    return std::make_unique<GaussianProcess>(kernels::NeuralNetworkKernel(nngp->kernel),
                                             gp_options(nngp->gp));
  }
  if (const auto* hmc = std::get_if<surrogates::HMC>(&choice)) {
    return std::make_unique<HMCNetwork>(hmc->options);
  }
  if (const auto* ens = std::get_if<surrogates::DeepEnsemble>(&choice)) {
    return std::make_unique<DeepEnsemble>(ens->options);
  }
  if (const auto* cqr = std::get_if<surrogates::CQR>(&choice)) {
    CQROptions o = cqr->options;
    if (o.threads == 0) o.threads = threads;
    return std::make_unique<ConformalQuantileRegression>(o);
  }
  if (std::holds_alternative<surrogates::RandomSearch>(choice)) {
    // Random search asks no model; this GP is fitted only when a caller wants the
    // posterior (recommend()), so that every study has a model to show.
    return std::make_unique<GaussianProcess>(kernels::Stationary(kernels::Profile::matern52, {}),
                                             gp_options({}));
  }
  const bool cokriging = std::holds_alternative<surrogates::CoKriging>(choice);
  if (cokriging || std::holds_alternative<surrogates::NARGP>(choice)) {
    const Parameter* level = nullptr;
    for (const auto& p : space.parameters()) {
      if (p.fidelity) level = &p;
    }
    if (space.fidelity_dimension() != 1 || level->type != ParameterType::integer) {
      throw InvalidArgument(
          std::string("surrogate: ") + (cokriging ? "co-kriging" : "NARGP") +
          " models the levels of one discrete fidelity parameter, but the space has " +
          std::to_string(space.fidelity_dimension()) + " fidelity parameters (the last one " +
          (level ? std::string(to_string(level->type)) : std::string("absent")) +
          "); use Space::add_fidelity_levels or surrogates::GP{} (a fidelity kernel)");
    }
    const auto levels = static_cast<Eigen::Index>(level->upper - level->lower) + 1;
    if (cokriging) {
      const auto& ck = std::get<surrogates::CoKriging>(choice);
      return std::make_unique<LinearCoKriging>(levels, ck.base, gp_options(ck.gp));
    }
    NonlinearAR1Options o = std::get<surrogates::NARGP>(choice).options;
    o.levels = static_cast<int>(levels);
    o.top_noise = noise == Noise::none ? NoiseModel::none : NoiseModel::learned;
    return std::make_unique<NonlinearAR1>(o);
  }
  return std::get<std::shared_ptr<const Surrogate>>(choice)->clone();
}

// `at_target`: the fidelity columns held at their targets (every acquisition but a
// fidelity-aware one is evaluated at the target fidelity).
DiscreteStructure discrete_structure(const Space& space, bool at_target) {
  DiscreteStructure s;
  const Vector target = space.target_fidelity();
  const Eigen::Index first_fidelity = space.dimension() - space.fidelity_dimension();
  for (const auto& p : space.parameters()) {
    if (p.fidelity && at_target) {
      s.fixed.emplace_back(p.column, target[p.column - first_fidelity]);
    } else if (p.fidelity && p.type == ParameterType::integer) {
      s.integers.push_back({p.column, static_cast<long>(p.upper - p.lower) + 1, true});
    } else if (p.type == ParameterType::integer && p.scale == Scale::linear) {
      s.integers.push_back({p.column, static_cast<long>(p.upper - p.lower) + 1});
    } else if (p.type == ParameterType::categorical) {
      s.categoricals.push_back({p.column, p.width});
    }
    // Log-scaled integers have unequal cells in the unit cube; they are optimized
    // relaxed and snapped by Space::snap, which rounds in log space.
  }
  return s;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string format_value(double v) {
  return detail::format_number(v);
}

}  // namespace

struct Optimizer::State {
  Space space;
  Options options;
  int n_initial = 0;
  std::vector<Trial> trials;        // trial id == index
  std::vector<std::uint64_t> told;  // ids of complete trials, in the order told
  std::deque<Params> queue;         // enqueued by the user, asked first
  std::size_t design_index = 0;     // initial-design points issued
  std::uint64_t model_asks = 0;     // model-based points issued (seed stream position)
  std::unique_ptr<Surrogate> surrogate;
  std::unique_ptr<Acquisition> acquisition;
  DiscreteStructure structure;
  // What an evaluation costs; a learned model is refitted when `cost_count` (the number
  // of trials with a measured cost it was built from) changes.
  mutable std::shared_ptr<const acquisition::CostModel> cost_model;
  mutable std::size_t cost_count = 0;
  // The surrogate holds the data of `model_ids` (a prefix of `told` when valid).
  std::vector<std::uint64_t> model_ids;
  std::size_t refit_at = 0;  // model size at the last full fit
  bool model_current = false;
  double last_ask_seconds = 0.0;
  // Learning curves: every report in arrival order, and the ASHA rule when the study has
  // one (replayed from `reports` on load).
  std::vector<std::tuple<std::uint64_t, long, double>> reports;
  std::optional<AsyncSuccessiveHalving> asha;
  bool random_search = false;
  Vector loaded_state;  // the surrogate state a loaded ASHA study holds until its next fit
  // Kernel rivals (surrogates::GP::rival_kernels): GPs of the other radial profiles, fitted
  // at every full fit; the one with the highest MAP objective becomes `surrogate`.
  std::vector<std::unique_ptr<Surrogate>> rivals;

  State(Space sp, Options op) : space(std::move(sp)), options(std::move(op)) {
    if (space.empty()) {
      throw InvalidArgument(
          "space: got an empty space, expected at least one parameter (add_real, add_integer or "
          "add_categorical)");
    }
    auto problems = options.validate();
    if (!problems.empty()) throw InvalidOptions("invalid options: " + join(problems, "; "));
    try {
      acquisition = acquisition::make_acquisition(options.acquisition);
      surrogate = make_surrogate(options.surrogate, space, options.noise, options.threads,
                                 options.device, acquisition->fidelity_aware());
      const auto* gp = std::get_if<surrogates::GP>(&options.surrogate);
      const bool fidelity_kernel = space.has_fidelity() && acquisition->fidelity_aware();
      if (gp != nullptr && !gp->custom_kernel && !fidelity_kernel) {
        for (const kernels::Profile profile : gp->rival_kernels) {
          surrogates::GP rival = *gp;
          rival.kernel = profile;
          rival.rival_kernels.clear();
          rivals.push_back(
              make_surrogate(rival, space, options.noise, options.threads, options.device, false));
        }
      }
    } catch (const InvalidArgument& e) {
      throw InvalidOptions(std::string("invalid options: ") + e.what());
    }
    const auto caps = surrogate->capabilities();
    const auto needs = acquisition->needs();
    if (needs.input_gradients && !caps.input_gradients) {
      problems.push_back("acquisition \"" + acquisition->name() + "\" needs input gradients that " +
                         "surrogate \"" + surrogate->name() + "\" cannot give; " +
                         (caps.quantiles
                              ? std::string("with a quantile model use "
                                            "acquisition::QuantileThompson{} (the CQR searcher) "
                                            "or acquisition::Quantile{}")
                              : std::string("use acquisition::LogEI{} or a GP surrogate")));
    }
    if (needs.joint_posterior && !caps.joint_posterior) {
      problems.push_back("acquisition \"" + acquisition->name() +
                         "\" needs a joint posterior that surrogate \"" + surrogate->name() +
                         "\" cannot give; use an analytic acquisition (LogEI, UCB) or a GP");
    }
    if (needs.conditioning && !caps.conditioning) {
      problems.push_back(
          "acquisition \"" + acquisition->name() + "\" needs fantasies that surrogate \"" +
          surrogate->name() + "\" cannot give; " +
          (caps.function_samples
               ? "with this surrogate use acquisition::qLogNEI{} (Monte Carlo over its "
                 "networks), acquisition::LogEI{} or acquisition::Thompson{}, or keep the "
                 "knowledge gradient with a GP (surrogates::GP{} or surrogates::NNGP{})"
               : "use acquisition::LogEI{} or a GP"));
    }
    if (needs.function_samples && !caps.function_samples) {
      problems.push_back("acquisition \"" + acquisition->name() +
                         "\" needs a finite set of posterior functions that surrogate \"" +
                         surrogate->name() +
                         "\" cannot give; use a sample-based surrogate (surrogates::HMC{} or "
                         "surrogates::DeepEnsemble{}), or acquisition::qLogNEI{} with this one");
    }
    if (acquisition->fidelity_aware() && !space.has_fidelity()) {
      problems.push_back("acquisition \"" + acquisition->name() +
                         "\" chooses the fidelity, but the space has no fidelity parameter; add "
                         "one with Space::add_fidelity or use acquisition::KG{}");
    }
    try {
      cost_model = detail::make_cost_model(options.cost, space, {}, 0);
    } catch (const InvalidArgument& e) {
      problems.push_back(std::string("cost: ") + e.what());
    }
    if (!problems.empty()) {
      throw InvalidOptions("invalid options: " + join(problems, "; "));
    }
    if (const auto* a = std::get_if<schedulers::ASHA>(&options.scheduler)) {
      asha.emplace(*a, options.direction);
    }
    random_search = std::holds_alternative<surrogates::RandomSearch>(options.surrogate);
    const auto d = static_cast<int>(space.size());
    n_initial = options.n_initial > 0 ? options.n_initial : std::max(2 * (d + 1), 5);
    structure = discrete_structure(space, !acquisition->fidelity_aware());
  }

  State(const State& o)
      : space(o.space),
        options(o.options),
        n_initial(o.n_initial),
        trials(o.trials),
        told(o.told),
        queue(o.queue),
        design_index(o.design_index),
        model_asks(o.model_asks),
        surrogate(o.surrogate->clone()),
        acquisition(o.acquisition->clone()),
        structure(o.structure),
        cost_model(o.cost_model),
        cost_count(o.cost_count),
        model_ids(o.model_ids),
        refit_at(o.refit_at),
        model_current(o.model_current),
        last_ask_seconds(o.last_ask_seconds),
        reports(o.reports),
        asha(o.asha),
        random_search(o.random_search),
        loaded_state(o.loaded_state) {}

  double internal(double value) const {
    return options.direction == Direction::minimize ? -value : value;
  }

  // The cost model, a learned one refitted when new measured costs have come in.
  const acquisition::CostModel& costs() const {
    if (std::holds_alternative<acquisition::LearnedCost>(options.cost)) {
      const auto n = static_cast<std::size_t>(std::count_if(
          trials.begin(), trials.end(), [](const Trial& t) { return t.cost.has_value(); }));
      if (n != cost_count) {
        cost_model = detail::make_cost_model(
            options.cost, space, trials, derive_seed(derive_seed(options.seed, kCostStream), n));
        cost_count = n;
      }
    }
    return *cost_model;
  }

  // What a finished trial cost: the measured cost, else the cost model's.
  double trial_cost(const Trial& t) const {
    if (t.cost) return *t.cost;
    return costs().cost(space.encode(t.params));
  }

  // The fidelity of the i-th initial point: the target for a study that neither chooses
  // fidelities nor models levels; otherwise cycling through the target, half and three
  // quarters of the way to it (continuous, BoTorch's MF-KG tutorial) or through the
  // levels from the target down (discrete), so that the model sees how the fidelities
  // relate from the start (co-kriging and NARGP need every level).
  void initial_fidelity(Eigen::Ref<Vector> u, std::size_t i) const {
    const Vector target = space.target_fidelity();
    const Eigen::Index first = space.dimension() - target.size();
    const bool level_model = std::holds_alternative<surrogates::CoKriging>(options.surrogate) ||
                             std::holds_alternative<surrogates::NARGP>(options.surrogate);
    if (!acquisition->fidelity_aware() && !level_model) {
      u.tail(target.size()) = target;
      return;
    }
    static constexpr double kFractions[] = {1.0, 0.5, 0.75};
    for (const auto& p : space.parameters()) {
      if (!p.fidelity) continue;
      const Eigen::Index k = p.column - first;
      if (p.type == ParameterType::integer) {
        const auto levels = static_cast<std::size_t>(p.upper - p.lower) + 1;
        const auto top = static_cast<std::size_t>(std::lround(target[k] * double(levels - 1)));
        const std::size_t level = (top + levels - i % levels) % levels;
        u[p.column] = static_cast<double>(level) / static_cast<double>(levels - 1);
      } else {
        u[p.column] = target[k] * kFractions[i % 3];
      }
    }
  }

  // Rows of X with the fidelity columns at their targets.
  Matrix at_target(Matrix X) const {
    const Vector target = space.target_fidelity();
    const Eigen::Index m = target.size();
    for (Eigen::Index k = 0; k < m; ++k) X.col(X.cols() - m + k).setConstant(target[k]);
    return X;
  }

  Trial& find(std::uint64_t id) {
    if (id >= trials.size()) {
      throw UnknownTrial("trial id: got " + std::to_string(id) + ", expected one of the " +
                         std::to_string(trials.size()) + " ids this study has issued (0.." +
                         std::to_string(trials.empty() ? 0 : trials.size() - 1) + ")");
    }
    return trials[id];
  }

  Trial& find_pending(std::uint64_t id, const char* action) {
    Trial& t = find(id);
    if (t.status != TrialStatus::pending) {
      std::string was = to_string(t.status);
      if (t.value) was += " with value " + format_value(*t.value);
      throw InvalidState(std::string(action) + " trial " + std::to_string(id) +
                         ": it is no longer pending (it was " + was + "); each trial is told once");
    }
    return t;
  }

  // The trials the model learns from. Without a scheduler: the complete ones, in the
  // order told. With ASHA (Salinas et al.'s multi-fidelity aggregation): every trial with
  // a result, in id order, running ones included once they have reported.
  std::vector<std::uint64_t> data_ids() const {
    if (!asha) return told;
    std::vector<std::uint64_t> ids;
    for (const auto& t : trials) {
      if (has_result(t)) ids.push_back(t.id);
    }
    return ids;
  }
  bool has_result(const Trial& t) const {
    if (t.status == TrialStatus::complete) return true;
    return asha && t.status != TrialStatus::failed && !t.intermediate.empty();
  }

  // Its told value, else (a running trial under ASHA) its last report: the value at the
  // highest resource it reached.
  static double result_of(const Trial& t) {
    return t.value ? *t.value : t.intermediate.back().second;
  }

  Dataset dataset(const std::vector<std::uint64_t>& ids) const {
    Dataset data;
    data.X.resize(static_cast<Eigen::Index>(ids.size()), space.dimension());
    data.y.resize(static_cast<Eigen::Index>(ids.size()));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const Trial& t = trials[ids[i]];
      data.X.row(static_cast<Eigen::Index>(i)) = space.encode(t.params).transpose();
      data.y(static_cast<Eigen::Index>(i)) = internal(result_of(t));
    }
    return data;
  }

  // Brings the surrogate up to date with every complete trial: a full refit every
  // `refit_every` new observations, an incremental update in between.
  // `data` is dataset(told), built once by the caller.
  void update_model(const Dataset& data) {
    if (model_current) return;
    if (asha) {
      // Running trials' values change with each report, so the model is rebuilt on all the
      // data at every ask: with learning every `refit_every` results (reports and tells),
      // with the hyperparameters held in between.
      const std::size_t results = told.size() + reports.size();
      // A loaded study's model is not fitted yet, but its saved state is what to hold.
      const Vector held = surrogate->fitted() ? surrogate->state() : loaded_state;
      if (held.size() > 0 && results - refit_at < static_cast<std::size_t>(options.refit_every)) {
        surrogate->restore(data, held);
      } else {
        surrogate->fit(data, fit_seed());
        refit_at = results;
      }
      model_ids = data_ids();
      model_current = true;
      return;
    }
    const bool prefix = model_ids.size() <= told.size() &&
                        std::equal(model_ids.begin(), model_ids.end(), told.begin());
    const bool incremental = surrogate->fitted() && prefix &&
                             surrogate->capabilities().incremental &&
                             told.size() - refit_at < static_cast<std::size_t>(options.refit_every);
    if (incremental && told.size() > model_ids.size()) {
      std::vector<std::uint64_t> fresh(told.begin() + static_cast<long>(model_ids.size()),
                                       told.end());
      const Dataset add = dataset(fresh);
      surrogate->add_observations(add.X, add.y);
    } else if (!incremental) {
      surrogate->fit(data, fit_seed());
      select_kernel(data);
      refit_at = told.size();
    }
    model_ids = told;
    model_current = true;
  }

  // Fits the kernel rivals on `data` (from their own previous fits) and makes the model
  // with the highest MAP objective J the study's; a tie keeps the current one.
  void select_kernel(const Dataset& data) {
    if (rivals.empty()) return;
    const auto objective = [](const Surrogate& model) {
      const auto* gp = dynamic_cast<const GaussianProcess*>(&model);
      return gp != nullptr ? gp->summary().objective : -std::numeric_limits<double>::infinity();
    };
    std::size_t best = rivals.size();
    double best_objective = objective(*surrogate);
    for (std::size_t k = 0; k < rivals.size(); ++k) {
      rivals[k]->fit(data, fit_seed());
      const double value = objective(*rivals[k]);
      if (value > best_objective) {
        best = k;
        best_objective = value;
      }
    }
    if (best < rivals.size()) {
      std::swap(surrogate, rivals[best]);
    }
  }

  // The seed of a model fit: a function of how many results the study has.
  std::uint64_t fit_seed() const {
    const std::size_t results = told.size() + (asha ? reports.size() : 0);
    return derive_seed(derive_seed(options.seed, kFitStream), results);
  }

  // The incumbent for improvement-based acquisitions (maximization sign): the best
  // observation when the objective is noiseless, the best posterior mean at the
  // observed points otherwise (a single lucky noisy value must not set the bar).
  // With fidelities: the best posterior mean at the target fidelity over the observed
  // designs (a cheap low-fidelity value is no evidence about the target).
  double incumbent(const Surrogate& model, const Dataset& data) const {
    if (space.has_fidelity()) return model.predict(at_target(data.X)).mean.maxCoeff();
    if (options.noise == Noise::none) return data.y.maxCoeff();
    return model.predict(data.X).mean.maxCoeff();
  }

  double lie(const Surrogate& model, const Vector& x, const Dataset& data) const {
    switch (options.pending) {
      case PendingStrategy::kriging_believer: {
        Matrix X(1, x.size());
        X.row(0) = x.transpose();
        return model.predict(X).mean(0);
      }
      case PendingStrategy::constant_liar_min:
        return data.y.minCoeff();
      case PendingStrategy::constant_liar_mean:
        return data.y.mean();
      case PendingStrategy::constant_liar_max:
        return data.y.maxCoeff();
    }
    return data.y.mean();
  }

  // The k observed points with the largest values (maximization sign), as rows.
  static Matrix best_points(const Dataset& data, Eigen::Index k) {
    std::vector<Eigen::Index> order(static_cast<std::size_t>(data.y.size()));
    std::iota(order.begin(), order.end(), 0);
    k = std::min<Eigen::Index>(k, data.y.size());
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](Eigen::Index a, Eigen::Index b) { return data.y(a) > data.y(b); });
    Matrix rows(k, data.X.cols());
    for (Eigen::Index i = 0; i < k; ++i)
      rows.row(i) = data.X.row(order[static_cast<std::size_t>(i)]);
    return rows;
  }

  // Within 1e-6 of the unit cube in every coordinate: the same design for any
  // simulation, and no information the model does not already have.
  bool is_taken(const Vector& x, const std::vector<Vector>& taken) const {
    for (const auto& t : taken) {
      if ((t - x).cwiseAbs().maxCoeff() < 1e-6) return true;
    }
    return false;
  }

  Trial issue(const Params& params) {
    Trial t;
    t.id = trials.size();
    t.params = params;
    t.status = TrialStatus::pending;
    trials.push_back(t);
    return t;
  }

  std::vector<Trial> ask(int q) {
    if (q < 1) {
      throw InvalidArgument("q: got " + std::to_string(q) + ", expected at least 1 point to ask");
    }
    const auto start = Clock::now();
    std::vector<Trial> out;
    // Work on a copy of the counters so that a failure leaves the study unchanged.
    std::size_t design = design_index;
    std::uint64_t asks = model_asks;
    std::deque<Params> pending_queue = queue;
    std::vector<Params> chosen;

    while (static_cast<int>(chosen.size()) < q && !pending_queue.empty()) {
      chosen.push_back(pending_queue.front());
      pending_queue.pop_front();
    }
    const auto d = space.dimension();
    const std::vector<std::uint64_t> ids = data_ids();
    // The design also continues while the model cannot be fitted yet (every initial point
    // failed, a network surrogate has a single result, a level model misses a level).
    const Dataset data = dataset(ids);
    const bool model_ready = !ids.empty() && surrogate->can_fit(data);
    while (static_cast<int>(chosen.size()) < q &&
           (design < static_cast<std::size_t>(n_initial) || !model_ready || random_search)) {
      const Matrix points =
          sobol(static_cast<Eigen::Index>(std::max<std::size_t>(design + 1, n_initial)), d,
                derive_seed(options.seed, kDesignStream));
      Vector u = points.row(static_cast<Eigen::Index>(design)).transpose();
      if (space.has_fidelity()) initial_fidelity(u, design);
      chosen.push_back(space.decode(u));
      ++design;
    }

    if (static_cast<int>(chosen.size()) < q) {
      // Below a few hundred observations every matrix is small: BLAS threads only add
      // wake-up costs (and a thread-count-dependent rounding).
      std::optional<detail::SingleThreadedBlas> blas;
      if (data.y.size() < kSmallModel) blas.emplace();
      update_model(data);
      // Everything asked and not told (and chosen in this call) is pending: a joint
      // acquisition scores it with the batch, a single-point one believes it.
      std::vector<Vector> taken;
      // No point already asked is proposed again: told ones are known, a failed one
      // would likely fail again, an abandoned one is the user's to enqueue.
      for (const auto& t : trials) {
        if (t.status != TrialStatus::pending) taken.push_back(space.encode(t.params));
      }
      std::vector<Vector> pending_x;
      for (const auto& t : trials) {
        // A running trial that has reported under ASHA is data already.
        if (t.status == TrialStatus::pending && !has_result(t)) {
          pending_x.push_back(space.encode(t.params));
        }
      }
      for (const auto& p : chosen) pending_x.push_back(space.encode(p));
      taken.insert(taken.end(), pending_x.begin(), pending_x.end());
      double best = incumbent(*surrogate, data);
      const Matrix anchors = best_points(data, 5);
      AcquisitionOptimizerOptions inner = options.inner;
      // Small models make each analytic acquisition evaluation cheap: parallel starts
      // then cost more in OpenMP wake-ups than they save. Joint (Monte Carlo, KG)
      // evaluations cost a hundred analytic ones and always gain from the threads.
      if (inner.threads == 0) {
        const bool expensive = data.y.size() >= 128 || acquisition->joint_batch();
        inner.threads = options.threads > 0 ? options.threads : (expensive ? 0 : 1);
      }
      const acquisition::KG* kg = std::get_if<acquisition::KG>(&options.acquisition);
      if (const auto* mf = std::get_if<acquisition::MFKG>(&options.acquisition)) kg = &mf->kg;
      if (kg != nullptr) {
        if (kg->restarts > 0) inner.restarts = std::min(kg->restarts, inner.raw_samples);
        if (kg->max_evaluations > 0) inner.max_evaluations = kg->max_evaluations;
      }
      const Vector target = space.target_fidelity();
      std::shared_ptr<const acquisition::CostModel> cost;
      if (acquisition->fidelity_aware()) {
        costs();  // refits a learned cost model when new costs came in
        cost = cost_model;
      }
      auto context_for = [&](const Surrogate* model, const std::vector<Vector>& pending) {
        AcquisitionContext context;
        context.model = model;
        context.data = &data;
        context.incumbent = best;
        context.iteration = data.y.size();
        context.seed = derive_seed(derive_seed(options.seed, kInnerStream), asks);
        context.target_fidelity = target;
        context.cost = cost;
        if (!pending.empty()) {
          context.X_pending.resize(static_cast<Eigen::Index>(pending.size()), d);
          for (std::size_t i = 0; i < pending.size(); ++i)
            context.X_pending.row(static_cast<Eigen::Index>(i)) = pending[i].transpose();
        }
        return context;
      };
      if (acquisition->joint_batch()) {
        // The q points are chosen together; pending points enter the acquisition as
        // fixed points of the batch, so nothing needs to be believed.
        const auto q_left = static_cast<Eigen::Index>(q - static_cast<int>(chosen.size()));
        const bool sequential = options.batch_selection == BatchSelection::sequential;
        // Joint: one search over all q points. Sequential: q searches of one point, each
        // chosen point pending for the next.
        const Eigen::Index rounds = sequential ? q_left : 1;
        for (Eigen::Index round = 0; round < rounds; ++round) {
          const Eigen::Index size = sequential ? 1 : q_left;
          std::unique_ptr<Acquisition> acq = acquisition->clone();
          acq->set_batch_size(size);
          const AcquisitionContext context = context_for(surrogate.get(), pending_x);
          acq->prepare(context);
          const AcquisitionOptimum opt =
              optimize_acquisition(*acq, d, structure, context.seed, inner, anchors);
          for (Eigen::Index k = 0; k < size; ++k) {
            Vector x = space.snap(opt.x.segment(k * d, d));
            if (is_taken(x, taken)) x = fallback(*surrogate, context, taken, pending_x, asks);
            chosen.push_back(space.decode(x));
            taken.push_back(x);
            pending_x.push_back(x);
          }
          ++asks;
        }
      }
      std::unique_ptr<Surrogate> believed;
      const Surrogate* model = surrogate.get();
      const bool can_condition = surrogate->capabilities().conditioning;
      auto believe = [&](const Vector& x) {
        if (!can_condition) return;
        const double value = lie(*model, x, data);
        Matrix X(1, x.size());
        X.row(0) = x.transpose();
        Vector y(1);
        y(0) = value;
        believed = model->condition_on(X, y);
        model = believed.get();
        best = std::max(best, value);
      };
      if (static_cast<int>(chosen.size()) < q) {
        for (const auto& x : pending_x) believe(x);
      }
      while (static_cast<int>(chosen.size()) < q) {
        std::unique_ptr<Acquisition> acq = acquisition->clone();
        const AcquisitionContext context = context_for(model, pending_x);
        acq->prepare(context);
        const AcquisitionOptimum opt =
            optimize_acquisition(*acq, d, structure, context.seed, inner, anchors);
        Vector x = space.snap(opt.x);
        if (is_taken(x, taken)) x = fallback(*acq, taken, asks);
        ++asks;
        chosen.push_back(space.decode(x));
        taken.push_back(x);
        pending_x.push_back(x);
        if (static_cast<int>(chosen.size()) < q) believe(x);
      }
    }

    // Commit: nothing above changed the study's observable state except the model cache.
    queue = std::move(pending_queue);
    design_index = design;
    model_asks = asks;
    for (const auto& p : chosen) out.push_back(issue(p));
    last_ask_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
  }

  // The joint-batch version of fallback(): a single-point copy of the acquisition, with
  // every pending and chosen point as X_pending, scores the candidates (its auxiliary
  // coordinates completed first).
  Vector fallback(const Surrogate& model, AcquisitionContext context,
                  const std::vector<Vector>& taken, const std::vector<Vector>& pending,
                  std::uint64_t asks) const {
    const auto d = space.dimension();
    std::unique_ptr<Acquisition> single = acquisition->clone();
    single->set_batch_size(1);
    context.model = &model;
    context.X_pending.resize(static_cast<Eigen::Index>(pending.size()), d);
    for (std::size_t i = 0; i < pending.size(); ++i)
      context.X_pending.row(static_cast<Eigen::Index>(i)) = pending[i].transpose();
    single->prepare(context);
    return fallback(*single, taken, asks);
  }

  // A point not yet evaluated or pending when the acquisition's maximizer is one
  // (a small discrete space, or a model certain of its optimum): the best of a
  // fresh Sobol set by acquisition value.
  Vector fallback(const Acquisition& acq, const std::vector<Vector>& taken,
                  std::uint64_t asks) const {
    const auto d = space.dimension();
    const Matrix raw = sobol(256, d, derive_seed(derive_seed(options.seed, kFallbackStream), asks));
    Matrix candidates(raw.rows(), d);
    Eigen::Index m = 0;
    const Matrix fresh = acq.fidelity_aware() ? raw : at_target(raw);
    for (Eigen::Index i = 0; i < raw.rows(); ++i) {
      Vector x = space.snap(fresh.row(i).transpose());
      if (!is_taken(x, taken)) candidates.row(m++) = x.transpose();
    }
    if (m == 0) return space.snap(fresh.row(0).transpose());  // the space is exhausted
    const Eigen::Index auxiliary = acq.auxiliary_size();
    Matrix rows = Matrix::Zero(m, d + auxiliary);
    rows.leftCols(d) = candidates.topRows(m);
    if (auxiliary > 0) {
      for (Eigen::Index i = 0; i < m; ++i) {
        Vector row = rows.row(i).transpose();
        acq.complete_auxiliary(row);
        rows.row(i) = row.transpose();
      }
    }
    Vector values(m);
    acq.evaluate(rows, values);
    Eigen::Index best = 0;
    for (Eigen::Index i = 1; i < m; ++i) {
      if (values(i) > values(best)) best = i;
    }
    return candidates.row(best).transpose();
  }

  // The surrogate fitted on every completed trial: the study's own when it is current,
  // else a copy fitted here (held by `fresh`), so that reading never changes what the
  // next ask() returns.
  const Surrogate* current_model(const Dataset& data, std::unique_ptr<Surrogate>& fresh) const {
    if (model_current && surrogate->fitted()) return surrogate.get();
    fresh = surrogate->clone();
    fresh->fit(data, fit_seed());
    return fresh.get();
  }

  Recommendation recommend() const {
    if (told.empty()) {
      throw InvalidState("recommend(): no trial has completed yet; tell() at least one value");
    }
    const Dataset data = dataset(data_ids());
    if (!surrogate->can_fit(data)) {
      throw InvalidState("recommend(): the surrogate " + surrogate->name() +
                         " cannot be fitted to the " + std::to_string(data.X.rows()) +
                         " results so far (too few, or a fidelity level without one); tell() "
                         "more values first, or use best()");
    }
    std::unique_ptr<Surrogate> fresh;
    const Surrogate* model = current_model(data, fresh);
    const acquisition::MeanMaximum top = acquisition::maximize_posterior_mean(
        *model, data.X, derive_seed(options.seed, kInnerStream), 10, 512, space.target_fidelity());
    Matrix X(1, top.x.size());
    X.row(0) = space.snap(top.x).transpose();
    const Predictive p = model->predict(X);
    return {space.decode(X.row(0).transpose()), internal(p.mean[0]),
            std::sqrt(std::max(p.variance[0], 0.0))};
  }

  Trial best() const {
    if (told.empty()) {
      throw InvalidState("best(): no trial has completed yet; tell() at least one value first");
    }
    // Under ASHA a trial stopped early was told a value at a lower resource: only the
    // trials that ran to max_resource (or reported nothing) are candidates, when there are any.
    std::vector<std::uint64_t> pool;
    if (asha) {
      for (const auto id : told) {
        const auto& curve = trials[id].intermediate;
        if (curve.empty() || curve.back().first >= asha->options().max_resource) pool.push_back(id);
      }
    }
    if (pool.empty()) pool = told;
    // Noiseless single-fidelity studies and random search rank observed values; so does any
    // study while its surrogate cannot be fitted to the results, among the runs at the
    // target fidelity when there are any.
    const bool by_value = (options.noise == Noise::none && !space.has_fidelity()) || random_search;
    const Dataset data = by_value ? Dataset{} : dataset(data_ids());
    if (by_value || !surrogate->can_fit(data)) {
      std::vector<std::uint64_t> at_target_pool;
      for (const auto id : pool) {
        if (space.is_at_target(trials[id].params)) at_target_pool.push_back(id);
      }
      if (!at_target_pool.empty()) pool = at_target_pool;
      std::uint64_t best_id = pool.front();
      for (const auto id : pool) {
        if (internal(*trials[id].value) > internal(*trials[best_id].value)) best_id = id;
      }
      Trial t = trials[best_id];
      if (!space.is_at_target(t.params)) {
        t.message =
            "no result at the target fidelity yet: the best observed value, at a lower "
            "fidelity";
      }
      return t;
    }
    // Noisy, or several fidelities: the completed trial the model believes best (at the
    // target fidelity). A stale model is refitted on a copy so that best() never changes
    // what the next ask() returns.
    std::unique_ptr<Surrogate> fresh;
    const Surrogate* model = current_model(data, fresh);
    const Vector mean = model->predict(at_target(dataset(pool).X)).mean;
    Eigen::Index i_best = 0;
    for (Eigen::Index i = 1; i < mean.size(); ++i) {
      const Trial& t = trials[pool[static_cast<std::size_t>(i)]];
      // Among equal beliefs (one design at several fidelities) the target run wins.
      if (mean(i) > mean(i_best) ||
          (mean(i) == mean(i_best) && space.is_at_target(t.params) &&
           !space.is_at_target(trials[pool[static_cast<std::size_t>(i_best)]].params))) {
        i_best = i;
      }
    }
    Trial t = trials[pool[static_cast<std::size_t>(i_best)]];
    if (!space.is_at_target(t.params)) {
      t.params = space.at_target(t.params);
      t.value = internal(mean(i_best));
      t.cost.reset();
      t.message =
          "run at a lower fidelity; params at the target fidelity, value the model's "
          "posterior mean there";
    }
    return t;
  }
};

Optimizer::Optimizer(Space space, Options options)
    : s_(std::make_unique<State>(std::move(space), std::move(options))) {}
Optimizer::Optimizer(const Optimizer& other) : s_(std::make_unique<State>(*other.s_)) {}
Optimizer& Optimizer::operator=(const Optimizer& other) {
  if (this != &other) s_ = std::make_unique<State>(*other.s_);
  return *this;
}
Optimizer::Optimizer(Optimizer&&) noexcept = default;
Optimizer& Optimizer::operator=(Optimizer&&) noexcept = default;
Optimizer::~Optimizer() = default;

Trial Optimizer::ask() {
  return s_->ask(1).front();
}
std::vector<Trial> Optimizer::ask(int q) {
  return s_->ask(q);
}

void Optimizer::tell(std::uint64_t id, double value) {
  Trial& t = s_->find_pending(id, "tell:");
  if (!std::isfinite(value)) {
    if (s_->options.non_finite == NonFinitePolicy::record_failed) {
      t.status = TrialStatus::failed;
      t.message = "non-finite objective value " + format_value(value);
      return;
    }
    throw InvalidArgument("value: got " + format_value(value) + " for trial " + std::to_string(id) +
                          ", expected a finite number; use tell_failed(id, reason) for a failed "
                          "evaluation or Options::non_finite = NonFinitePolicy::record_failed");
  }
  s_->told.reserve(s_->told.size() + 1);  // the only allocation; done before any change
  t.value = value;
  t.status = TrialStatus::complete;
  s_->told.push_back(id);
  s_->model_current = false;
}

void Optimizer::tell(std::uint64_t id, double value, double cost) {
  s_->find_pending(id, "tell:");
  if (!(std::isfinite(cost) && cost > 0.0)) {
    throw InvalidArgument("cost: got " + format_value(cost) + " for trial " + std::to_string(id) +
                          ", expected a positive finite cost (or tell(id, value) to use the "
                          "study's cost model)");
  }
  tell(id, value);
  s_->trials[id].cost = cost;  // the trial is complete or failed now, never pending
}

double Optimizer::cumulative_cost() const {
  double total = 0.0;
  for (const auto& t : s_->trials) {
    if (t.status == TrialStatus::complete || t.status == TrialStatus::failed) {
      total += s_->trial_cost(t);
    }
  }
  return total;
}

double Optimizer::cost(const Params& params) const {
  return s_->costs().cost(s_->space.encode(params));
}

void Optimizer::report(std::uint64_t id, long step, double value) {
  State& s = *s_;
  Trial& t = s.find_pending(id, "report:");
  if (!std::isfinite(value)) {
    throw InvalidArgument("report value: got " + format_value(value) + " for trial " +
                          std::to_string(id) +
                          ", expected a finite number; use tell_failed(id, reason) for a "
                          "diverged run");
  }
  const long previous = t.intermediate.empty() ? 0 : t.intermediate.back().first;
  if (step <= previous) {
    throw InvalidArgument("report step: got " + std::to_string(step) + " for trial " +
                          std::to_string(id) + ", expected " +
                          (t.intermediate.empty() ? std::string("a step >= 1")
                                                  : "a step above its previous report (" +
                                                        std::to_string(previous) + ")"));
  }
  // Every allocation before the first change, so that a throw leaves the study as it was.
  s.reports.reserve(s.reports.size() + 1);
  t.intermediate.reserve(t.intermediate.size() + 1);
  if (s.asha) s.asha->report(id, step, value);  // validates max_resource; may stop the trial
  s.reports.emplace_back(id, step, value);
  t.intermediate.emplace_back(step, value);
  if (s.asha) s.model_current = false;
}

bool Optimizer::should_stop(std::uint64_t id) const {
  s_->find(id);
  return s_->asha && s_->asha->stopped(id);
}

void Optimizer::tell_failed(std::uint64_t id, const std::string& reason) {
  Trial& t = s_->find_pending(id, "tell_failed:");
  t.status = TrialStatus::failed;
  t.message = reason;
}

void Optimizer::mark_abandoned(std::uint64_t id) {
  Trial& t = s_->find_pending(id, "mark_abandoned:");
  t.status = TrialStatus::abandoned;
}

void Optimizer::enqueue(const Params& params) {
  s_->space.validate(params);
  s_->queue.push_back(params);
}

Trial Optimizer::best() const {
  return s_->best();
}
Optimizer::Recommendation Optimizer::recommend() const {
  return s_->recommend();
}
const std::vector<Trial>& Optimizer::trials() const {
  return s_->trials;
}
const Trial& Optimizer::trial(std::uint64_t id) const {
  return s_->find(id);
}
std::size_t Optimizer::n_complete() const {
  return s_->told.size();
}
std::size_t Optimizer::n_pending() const {
  return static_cast<std::size_t>(
      std::count_if(s_->trials.begin(), s_->trials.end(),
                    [](const Trial& t) { return t.status == TrialStatus::pending; }));
}
const Space& Optimizer::space() const {
  return s_->space;
}
const Options& Optimizer::options() const {
  return s_->options;
}
const Surrogate* Optimizer::model() const {
  return s_->surrogate->fitted() ? s_->surrogate.get() : nullptr;
}
double Optimizer::last_ask_seconds() const {
  return s_->last_ask_seconds;
}

void Optimizer::save(const std::string& path) const {
  using nlohmann::json;
  const State& s = *s_;
  json j;
  j["format"] = "prospect-study";
  j["version"] = format_version;
  j["space"] = detail::space_to_json(s.space);
  j["options"] = detail::options_to_json(s.options);
  json trials = json::array();
  for (const auto& t : s.trials) trials.push_back(detail::trial_to_json(t));
  j["trials"] = trials;
  j["told"] = s.told;
  json queue = json::array();
  for (const auto& p : s.queue) queue.push_back(detail::params_to_json(p));
  j["queue"] = queue;
  j["design_index"] = s.design_index;
  j["model_asks"] = s.model_asks;
  const Vector state = s.surrogate->state();
  j["surrogate_state"] = std::vector<double>(state.data(), state.data() + state.size());
  if (!s.rivals.empty()) {
    // Which profile the study's model has, and the rivals' fits (their next fits start
    // there), so that a loaded study asks what the saved one would have.
    j["surrogate_kernel"] = profile_name(*s.surrogate);
    json rivals = json::array();
    for (std::size_t k = 0; k < s.rivals.size(); ++k) {
      const Vector rival = s.rivals[k]->state();
      rivals.push_back({{"kernel", profile_name(*s.rivals[k])},
                        {"state", std::vector<double>(rival.data(), rival.data() + rival.size())}});
    }
    j["rival_states"] = rivals;
  }
  // Which observations the surrogate holds (a prefix of `told`): fitted on the first
  // model_fit_size, the rest added incrementally. load() rebuilds exactly that model.
  if (s.asha) {
    // Refitted in full at each ask: the model is rebuilt on load when it was current.
    j["model_current"] = s.surrogate->fitted() && s.model_current;
    j["model_refit_at"] = s.refit_at;
  } else if (s.surrogate->fitted()) {
    j["model_size"] = s.model_ids.size();
    j["model_fit_size"] = s.refit_at;
  }
  json reports = json::array();
  for (const auto& [id, step, value] : s.reports) reports.push_back({id, step, value});
  j["reports"] = reports;
  write_file_atomically(path, j.dump(1));
}

Optimizer Optimizer::load(const std::string& path) {
  return load(path, Options{});
}

Optimizer Optimizer::load(const std::string& path, const Options& user_options) {
  using nlohmann::json;
  std::string text;
  try {
    text = read_file(path);
  } catch (const IoError& e) {
    throw StudyFileError(std::string("study file: ") + e.what());
  }
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw StudyFileError("study file '" + path +
                         "': not valid JSON (truncated or corrupt?): " + e.what());
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != "prospect-study") {
    throw StudyFileError("study file '" + path +
                         "': not a prospect study (expected \"format\": \"prospect-study\")");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() > format_version || j["version"].get<int>() < 1) {
    throw StudyFileError("study file '" + path + "': format version " +
                         (j.contains("version") ? j["version"].dump() : std::string("(missing)")) +
                         ", expected 1.." + std::to_string(format_version) +
                         " (written by a newer prospect?)");
  }
  try {
    Space space = detail::space_from_json(j.at("space"), "/space");
    Options options = detail::options_from_json(j.at("options"), user_options);
    Optimizer opt(space, options);
    State& s = *opt.s_;
    const auto& trials = detail::as_array(detail::member(j, "trials", ""), "/trials");
    for (std::size_t i = 0; i < trials.size(); ++i) {
      s.trials.push_back(detail::trial_from_json(trials[i], s.space, detail::child("/trials", i)));
    }
    for (std::size_t i = 0; i < s.trials.size(); ++i) {
      if (s.trials[i].id != i)
        throw StudyFileError("trials[" + std::to_string(i) + "].id: expected " + std::to_string(i));
    }
    s.told = j.at("told").get<std::vector<std::uint64_t>>();
    for (const auto id : s.told) {
      if (id >= s.trials.size() || s.trials[id].status != TrialStatus::complete ||
          !s.trials[id].value) {
        throw StudyFileError("told: id " + std::to_string(id) + " is not a complete trial");
      }
    }
    const auto& queue = detail::as_array(detail::member(j, "queue", ""), "/queue");
    for (std::size_t i = 0; i < queue.size(); ++i) {
      s.queue.push_back(detail::params_from_json(queue[i], s.space, detail::child("/queue", i)));
    }
    s.design_index = j.at("design_index").get<std::size_t>();
    s.model_asks = j.at("model_asks").get<std::uint64_t>();
    const auto state = j.at("surrogate_state").get<std::vector<double>>();
    const Eigen::Map<const Vector> state_vector(state.data(),
                                                static_cast<Eigen::Index>(state.size()));
    if (!s.rivals.empty() && j.contains("surrogate_kernel")) {
      const auto find_rival = [&](const std::string& name) {
        const auto it = std::find_if(s.rivals.begin(), s.rivals.end(), [&](const auto& rival) {
          return profile_name(*rival) == name;
        });
        return static_cast<std::size_t>(it - s.rivals.begin());
      };
      const auto chosen = j.at("surrogate_kernel").get<std::string>();
      if (chosen != profile_name(*s.surrogate)) {
        const std::size_t k = find_rival(chosen);
        if (k == s.rivals.size()) {
          throw StudyFileError("surrogate_kernel: got \"" + chosen +
                               "\", expected the kernel or one of the rival_kernels");
        }
        std::swap(s.surrogate, s.rivals[k]);
      }
      for (const auto& entry : detail::as_array(j.at("rival_states"), "/rival_states")) {
        const std::size_t k = find_rival(entry.at("kernel").get<std::string>());
        const auto rival = entry.at("state").get<std::vector<double>>();
        if (k < s.rivals.size() && !rival.empty()) {
          s.rivals[k]->set_state(
              Eigen::Map<const Vector>(rival.data(), static_cast<Eigen::Index>(rival.size())));
        }
      }
    }
    if (!state.empty()) s.surrogate->set_state(state_vector);
    if (j.contains("reports")) {
      for (const auto& r : detail::as_array(j.at("reports"), "/reports")) {
        const auto id = r.at(0).get<std::uint64_t>();
        if (id >= s.trials.size()) {
          throw StudyFileError("reports: trial id " + std::to_string(id) + " does not exist");
        }
        s.reports.emplace_back(id, r.at(1).get<long>(), r.at(2).get<double>());
      }
      if (s.asha) s.asha->replay(s.reports);
    }
    if (s.asha) {
      s.refit_at = j.value("model_refit_at", std::size_t{0});
      s.loaded_state = state_vector;
    }
    if (s.asha && !state.empty() && j.value("model_current", false)) {
      s.surrogate->restore(s.dataset(s.data_ids()), state_vector);
      s.model_ids = s.data_ids();
      s.model_current = true;
    } else if (!state.empty() && j.contains("model_size")) {
      const auto size = j.at("model_size").get<std::size_t>();
      const auto fit_size = j.at("model_fit_size").get<std::size_t>();
      if (fit_size < 1 || fit_size > size || size > s.told.size()) {
        throw StudyFileError("model_size " + std::to_string(size) + " / model_fit_size " +
                             std::to_string(fit_size) + ": expected 1 <= model_fit_size <= " +
                             "model_size <= told (" + std::to_string(s.told.size()) + ")");
      }
      // The same model the saved study had, so the next ask is the one it would give.
      const std::vector<std::uint64_t> fitted(s.told.begin(),
                                              s.told.begin() + static_cast<long>(fit_size));
      s.surrogate->restore(s.dataset(fitted), state_vector);
      if (size > fit_size) {
        const std::vector<std::uint64_t> added(s.told.begin() + static_cast<long>(fit_size),
                                               s.told.begin() + static_cast<long>(size));
        const Dataset add = s.dataset(added);
        s.surrogate->add_observations(add.X, add.y);
      }
      s.model_ids.assign(s.told.begin(), s.told.begin() + static_cast<long>(size));
      s.refit_at = fit_size;
      s.model_current = size == s.told.size();
    }
    return opt;
  } catch (const StudyFileError& e) {
    throw StudyFileError("study file '" + path + "': " + e.what());
  } catch (const json::exception& e) {
    throw StudyFileError("study file '" + path + "': missing or malformed field: " + e.what());
  } catch (const Error& e) {
    throw StudyFileError("study file '" + path + "': " + e.what());
  }
}

const char* to_string(Termination termination) {
  switch (termination) {
    case Termination::budget_exhausted:
      return "budget exhausted";
    case Termination::cost_budget_exhausted:
      return "cost budget exhausted";
    case Termination::callback_stopped:
      return "stopped by callback";
  }
  return "unknown";
}

std::string Result::brief_report() const {
  std::ostringstream os;
  os << to_string(termination) << ": best " << (best.value ? format_value(*best.value) : "(none)")
     << " at " << best.params.to_string() << " after " << trials.size() << " evaluations";
  if (cost > 0.0) os << " costing " << format_value(cost);
  os << " (";
  char times[96];
  std::snprintf(times, sizeof times, "%.2f s, %.2f s in ask)", seconds, ask_seconds);
  os << times;
  return os.str();
}

std::string Result::full_report() const {
  std::ostringstream os;
  os << brief_report() << "\n";
  for (const auto& t : trials) {
    os << "  trial " << t.id << " [" << to_string(t.status) << "] "
       << (t.value ? format_value(*t.value) : std::string("-")) << "  " << t.params.to_string();
    if (!t.message.empty()) os << "  (" << t.message << ")";
    os << "\n";
  }
  return os.str();
}

bool Reporter::report(long step, double value) {
  optimizer_->report(id_, step, value);
  return !optimizer_->should_stop(id_);
}

Result minimize(const std::function<double(const Params&)>& objective, const Space& space,
                int budget, const Options& options, const IterationCallback& callback) {
  if (!objective && budget >= 1) {
    throw InvalidArgument("objective: got an empty function, expected a callable");
  }
  return minimize([&](const Params& params, Reporter&) { return objective(params); }, space, budget,
                  options, callback);
}

Result minimize(const std::function<double(const Params&, Reporter&)>& objective,
                const Space& space, int budget, const Options& options,
                const IterationCallback& callback) {
  if (budget < 1) {
    throw InvalidArgument("budget: got " + std::to_string(budget) +
                          ", expected at least 1 evaluation");
  }
  if (!objective) throw InvalidArgument("objective: got an empty function, expected a callable");
  const auto start = Clock::now();
  Optimizer opt(space, options);
  Result result;
  for (int i = 0; i < budget; ++i) {
    Trial t = opt.ask();
    result.ask_seconds += opt.last_ask_seconds();
    try {
      Reporter reporter(opt, t.id);
      opt.tell(t.id, objective(t.params, reporter));
    } catch (const std::exception& e) {
      // The objective's own failure (or a NaN refused by tell) must not end the study.
      if (opt.trial(t.id).status == TrialStatus::pending) opt.tell_failed(t.id, e.what());
    }
    const Trial& done = opt.trial(t.id);
    std::optional<Trial> best;
    if (opt.n_complete() > 0) best = opt.best();
    const bool costed = options.cost_budget > 0.0 || space.has_fidelity();
    const double spent = costed ? opt.cumulative_cost() : 0.0;
    if (options.progress) {
      std::ostringstream cost_text;
      if (costed) cost_text << " cost=" << format_value(spent);
      if (options.cost_budget > 0.0) cost_text << "/" << format_value(options.cost_budget);
      std::fprintf(stderr, "[prospect] %d/%d %s value=%s best=%s%s ask=%.1f ms\n", i + 1, budget,
                   to_string(done.status), done.value ? format_value(*done.value).c_str() : "-",
                   best && best->value ? format_value(*best->value).c_str() : "-",
                   cost_text.str().c_str(), 1e3 * opt.last_ask_seconds());
    }
    if (callback) {
      Iteration it;
      it.evaluation = static_cast<std::size_t>(i + 1);
      it.budget = static_cast<std::size_t>(budget);
      it.trial = &done;
      it.best = best ? &*best : nullptr;
      it.ask_seconds = opt.last_ask_seconds();
      it.optimizer = &opt;
      it.cost = spent;
      if (!callback(it)) {
        result.termination = Termination::callback_stopped;
        break;
      }
    }
    if (options.cost_budget > 0.0 && spent >= options.cost_budget) {
      result.termination = Termination::cost_budget_exhausted;
      break;
    }
  }
  if (space.has_fidelity() || options.cost_budget > 0.0) result.cost = opt.cumulative_cost();
  result.trials = opt.trials();
  if (opt.n_complete() > 0) result.best = opt.best();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace prospect
