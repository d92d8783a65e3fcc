#include "src/study_json.hpp"

#include <string>

#include "prospect/errors.hpp"

namespace prospect::detail {

using nlohmann::json;

namespace {

// Writes (save) or reads (!save) one option field of an acquisition.
template <class T>
void field(json& a, const char* name, T& value, bool save) {
  if (save) {
    a[name] = value;
  } else {
    value = a.at(name).get<T>();
  }
}

// The fields of each built-in acquisition's options, in one place for save and load.
template <class T>
void acquisition_fields(T& o, json& a, bool save) {
  if constexpr (std::is_same_v<T, acquisition::UCB>) {
    field(a, "beta", o.beta, save);
    field(a, "schedule", o.schedule, save);
    field(a, "delta", o.delta, save);
  } else if constexpr (std::is_same_v<T, acquisition::qEI>) {
    field(a, "samples", o.samples, save);
  } else if constexpr (std::is_same_v<T, acquisition::qLogEI>) {
    field(a, "samples", o.samples, save);
    field(a, "tau_relu", o.tau_relu, save);
    field(a, "tau_max", o.tau_max, save);
  } else if constexpr (std::is_same_v<T, acquisition::qUCB>) {
    field(a, "beta", o.beta, save);
    field(a, "samples", o.samples, save);
  } else if constexpr (std::is_same_v<T, acquisition::qLogNEI>) {
    field(a, "samples", o.samples, save);
    field(a, "tau_relu", o.tau_relu, save);
    field(a, "tau_max", o.tau_max, save);
    field(a, "prune_samples", o.prune_samples, save);
  } else if constexpr (std::is_same_v<T, acquisition::KG>) {
    field(a, "fantasies", o.fantasies, save);
    field(a, "mean_restarts", o.mean_restarts, save);
    field(a, "mean_raw_samples", o.mean_raw_samples, save);
    field(a, "restarts", o.restarts, save);
    field(a, "max_evaluations", o.max_evaluations, save);
  } else if constexpr (std::is_same_v<T, acquisition::MFKG>) {
    acquisition_fields(o.kg, a, save);
    field(a, "cost_aware", o.cost_aware, save);
  } else if constexpr (std::is_same_v<T, acquisition::AugmentedEI>) {
    field(a, "c", o.c, save);
  } else if constexpr (std::is_same_v<T, acquisition::QuantileThompson>) {
    field(a, "candidates", o.candidates, save);
    field(a, "levels", o.levels, save);
  } else if constexpr (std::is_same_v<T, acquisition::Quantile>) {
    field(a, "level", o.level, save);
  } else if constexpr (std::is_same_v<T, acquisition::FiniteKG>) {
    field(a, "noisy_ei", o.noisy_ei, save);
    field(a, "mean_restarts", o.mean_restarts, save);
    field(a, "mean_raw_samples", o.mean_raw_samples, save);
  } else {
    (void)o;
    (void)a;
    (void)save;
  }
}

void gp_fields_to_json(const GaussianProcessOptions& gp, json& s) {
  s["priors"] = to_string(gp.priors);
  s["noiseless_nugget"] = gp.noiseless_nugget;
  s["restarts"] = gp.restarts;
  s["max_evaluations"] = gp.max_evaluations;
  s["ftol_rel"] = gp.ftol_rel;
  s["learn_mean"] = gp.learn_mean;
}

void gp_fields_from_json(const json& s, GaussianProcessOptions& gp) {
  gp.priors = prior_preset_from_string(s.at("priors").get<std::string>());
  gp.noiseless_nugget = s.at("noiseless_nugget").get<double>();
  gp.restarts = s.at("restarts").get<int>();
  gp.max_evaluations = s.at("max_evaluations").get<int>();
  gp.ftol_rel = s.at("ftol_rel").get<double>();
  gp.learn_mean = s.at("learn_mean").get<bool>();
}

json affine_to_json(const acquisition::AffineCost& a) {
  return json{{"fixed", a.fixed}, {"weights", a.weights}};
}

acquisition::AffineCost affine_from_json(const json& j) {
  acquisition::AffineCost a;
  a.fixed = j.at("fixed").get<double>();
  a.weights = j.at("weights").get<std::vector<double>>();
  return a;
}

json hmc_to_json(const HMCNetworkOptions& h) {
  return {{"type", "hmc_bnn"},
          {"hidden", h.hidden},
          {"activation", bnn::to_string(h.activation)},
          {"chains", h.chains},
          {"burn_in", h.burn_in},
          {"samples", h.samples},
          {"thin", h.thin},
          {"initial_step", h.initial_step},
          {"path_length", h.path_length},
          {"max_leapfrog", h.max_leapfrog},
          {"step_jitter", h.step_jitter},
          {"target_accept", h.target_accept},
          {"prior_variance", h.prior_variance},
          {"noise_variance", h.noise_variance},
          {"learn_noise", h.learn_noise},
          {"pretrain_steps", h.pretrain_steps},
          {"pretrain_learning_rate", h.pretrain_learning_rate}};
}

HMCNetworkOptions hmc_from_json(const json& s) {
  HMCNetworkOptions h;
  h.hidden = s.at("hidden").get<std::vector<Eigen::Index>>();
  h.activation = bnn::activation_from_string(s.at("activation").get<std::string>());
  h.chains = s.at("chains").get<int>();
  h.burn_in = s.at("burn_in").get<int>();
  h.samples = s.at("samples").get<int>();
  h.thin = s.at("thin").get<int>();
  h.initial_step = s.at("initial_step").get<double>();
  h.path_length = s.at("path_length").get<double>();
  h.max_leapfrog = s.at("max_leapfrog").get<int>();
  h.step_jitter = s.at("step_jitter").get<double>();
  h.target_accept = s.at("target_accept").get<double>();
  h.prior_variance = s.at("prior_variance").get<double>();
  h.noise_variance = s.at("noise_variance").get<double>();
  h.learn_noise = s.at("learn_noise").get<bool>();
  h.pretrain_steps = s.at("pretrain_steps").get<int>();
  h.pretrain_learning_rate = s.at("pretrain_learning_rate").get<double>();
  return h;
}

json ensemble_to_json(const DeepEnsembleOptions& e) {
  return {{"type", "deep_ensemble"},
          {"members", e.members},
          {"hidden", e.hidden},
          {"activation", bnn::to_string(e.activation)},
          {"epochs", e.epochs},
          {"warmup", e.warmup},
          {"learning_rate", e.learning_rate},
          {"weight_decay", e.weight_decay},
          {"subsample", e.subsample},
          {"variance_head", e.variance_head},
          {"noise_variance", e.noise_variance},
          {"adversarial_epsilon", e.adversarial_epsilon}};
}

DeepEnsembleOptions ensemble_from_json(const json& s) {
  DeepEnsembleOptions e;
  e.members = s.at("members").get<int>();
  e.hidden = s.at("hidden").get<std::vector<Eigen::Index>>();
  e.activation = bnn::activation_from_string(s.at("activation").get<std::string>());
  e.epochs = s.at("epochs").get<int>();
  e.warmup = s.at("warmup").get<int>();
  e.learning_rate = s.at("learning_rate").get<double>();
  e.weight_decay = s.at("weight_decay").get<double>();
  e.subsample = s.at("subsample").get<double>();
  e.variance_head = s.at("variance_head").get<bool>();
  e.noise_variance = s.at("noise_variance").get<double>();
  e.adversarial_epsilon = s.at("adversarial_epsilon").get<double>();
  return e;
}

}  // namespace

json options_to_json(const Options& o) {
  json j;
  j["seed"] = o.seed;
  j["direction"] = to_string(o.direction);
  j["n_initial"] = o.n_initial;
  j["noise"] = to_string(o.noise);
  if (const auto* gp = std::get_if<surrogates::GP>(&o.surrogate)) {
    json s;
    s["type"] = "gp";
    if (gp->custom_kernel) {
      s["custom_kernel"] = gp->custom_kernel->name();
    } else {
      s["kernel"] = kernels::to_string(gp->kernel);
      s["ard"] = gp->kernel_options.ard;
      s["outputscale"] = gp->kernel_options.outputscale;
      s["min_lengthscale"] = gp->kernel_options.min_lengthscale;
      s["max_lengthscale"] = gp->kernel_options.max_lengthscale;
      json rivals = json::array();
      for (const auto rival : gp->rival_kernels) rivals.push_back(kernels::to_string(rival));
      s["rival_kernels"] = rivals;
    }
    s["fidelity_kernel"] = to_string(gp->fidelity_kernel);
    gp_fields_to_json(gp->gp, s);
    j["surrogate"] = s;
  } else if (const auto* nargp = std::get_if<surrogates::NARGP>(&o.surrogate)) {
    const NonlinearAR1Options& n = nargp->options;
    j["surrogate"] = {{"type", "nargp"},
                      {"samples", n.samples},
                      {"max_paths", n.max_paths},
                      {"restarts", n.restarts},
                      {"max_evaluations", n.max_evaluations},
                      {"lower_noise", n.lower_noise},
                      {"top_nugget", n.top_nugget},
                      {"priors", to_string(n.priors)}};
  } else if (const auto* nngp = std::get_if<surrogates::NNGP>(&o.surrogate)) {
    json s;
    s["type"] = "nngp";
    s["depth"] = nngp->kernel.depth;
    s["weight_variance"] = nngp->kernel.weight_variance;
    s["bias_variance"] = nngp->kernel.bias_variance;
    s["ard"] = nngp->kernel.ard;
    gp_fields_to_json(nngp->gp, s);
    j["surrogate"] = s;
  } else if (const auto* hmc = std::get_if<surrogates::HMC>(&o.surrogate)) {
    j["surrogate"] = hmc_to_json(hmc->options);
  } else if (const auto* ens = std::get_if<surrogates::DeepEnsemble>(&o.surrogate)) {
    j["surrogate"] = ensemble_to_json(ens->options);
  } else if (std::holds_alternative<surrogates::RandomSearch>(o.surrogate)) {
    j["surrogate"] = {{"type", "random"}};
  } else if (const auto* cqr = std::get_if<surrogates::CQR>(&o.surrogate)) {
    const CQROptions& c = cqr->options;
    j["surrogate"] = {{"type", "cqr"},
                      {"levels", c.levels},
                      {"valid_fraction", c.valid_fraction},
                      {"min_samples_to_conformalize", c.min_samples_to_conformalize},
                      {"conformal_level", to_string(c.conformal_level)},
                      {"sort_quantiles", c.sort_quantiles},
                      {"max_fit_samples", c.max_fit_samples},
                      {"n_estimators", c.boosting.n_estimators},
                      {"learning_rate", c.boosting.learning_rate},
                      {"max_depth", c.boosting.max_depth},
                      {"min_samples_split", c.boosting.min_samples_split},
                      {"min_samples_leaf", c.boosting.min_samples_leaf},
                      {"subsample", c.boosting.subsample}};
  } else if (const auto* ck = std::get_if<surrogates::CoKriging>(&o.surrogate)) {
    json s;
    s["type"] = "cokriging";
    s["base"] = kernels::to_string(ck->base);
    gp_fields_to_json(ck->gp, s);
    j["surrogate"] = s;
  } else {
    j["surrogate"] = {{"type", "user"}, {"name", to_string(o.surrogate)}};
  }
  json a;
  if (std::holds_alternative<std::shared_ptr<const Acquisition>>(o.acquisition)) {
    a["type"] = "user";
  } else {
    a["type"] = acquisition::to_string(o.acquisition);
  }
  a["name"] = acquisition::to_string(o.acquisition);
  std::visit(
      [&](const auto& option) {
        auto copy = option;
        acquisition_fields(copy, a, true);
      },
      o.acquisition);
  j["acquisition"] = a;
  j["inner"] = {
      {"raw_samples", o.inner.raw_samples},         {"restarts", o.inner.restarts},
      {"max_evaluations", o.inner.max_evaluations}, {"ftol_rel", o.inner.ftol_rel},
      {"max_enumeration", o.inner.max_enumeration}, {"anchor_samples", o.inner.anchor_samples}};
  j["pending"] = to_string(o.pending);
  j["batch_selection"] = to_string(o.batch_selection);
  j["refit_every"] = o.refit_every;
  j["non_finite"] = to_string(o.non_finite);
  json cost;
  cost["type"] = acquisition::to_string(o.cost);
  if (const auto* affine = std::get_if<acquisition::AffineCost>(&o.cost)) {
    cost["affine"] = affine_to_json(*affine);
  } else if (const auto* learned = std::get_if<acquisition::LearnedCost>(&o.cost)) {
    cost["min_observations"] = learned->min_observations;
    cost["fallback"] = affine_to_json(learned->fallback);
  }
  j["cost"] = cost;
  j["cost_budget"] = o.cost_budget;
  if (const auto* asha = std::get_if<schedulers::ASHA>(&o.scheduler)) {
    j["scheduler"] = {{"type", "asha"},
                      {"reduction_factor", asha->reduction_factor},
                      {"grace_period", asha->grace_period},
                      {"max_resource", asha->max_resource}};
  } else {
    j["scheduler"] = {{"type", "none"}};
  }
  return j;
}

Options options_from_json(const json& j, const Options& user) {
  Options o;
  o.seed = j.at("seed").get<std::uint64_t>();
  o.direction = direction_from_string(j.at("direction").get<std::string>());
  o.n_initial = j.at("n_initial").get<int>();
  o.noise = noise_from_string(j.at("noise").get<std::string>());
  const json& s = j.at("surrogate");
  if (s.at("type") == "gp") {
    surrogates::GP gp;
    if (s.contains("custom_kernel")) {
      const auto* user_gp = std::get_if<surrogates::GP>(&user.surrogate);
      if (!user_gp || !user_gp->custom_kernel) {
        throw StudyFileError("options.surrogate: the study used the user kernel \"" +
                             s.at("custom_kernel").get<std::string>() +
                             "\"; pass it again in Options to Optimizer::load");
      }
      gp.custom_kernel = user_gp->custom_kernel;
    } else {
      gp.kernel = kernels::profile_from_string(s.at("kernel").get<std::string>());
      gp.kernel_options.ard = s.at("ard").get<bool>();
      gp.kernel_options.outputscale = s.at("outputscale").get<bool>();
      gp.kernel_options.min_lengthscale = s.at("min_lengthscale").get<double>();
      gp.kernel_options.max_lengthscale = s.at("max_lengthscale").get<double>();
      if (s.contains("rival_kernels")) {  // absent in studies saved before 2026-11-29
        for (const auto& name : s.at("rival_kernels")) {
          gp.rival_kernels.push_back(kernels::profile_from_string(name.get<std::string>()));
        }
      }
    }
    if (s.contains("fidelity_kernel")) {
      gp.fidelity_kernel = fidelity_kernel_from_string(s.at("fidelity_kernel").get<std::string>());
    }
    gp_fields_from_json(s, gp.gp);
    o.surrogate = gp;
  } else if (s.at("type") == "nargp") {
    surrogates::NARGP nargp;
    NonlinearAR1Options& n = nargp.options;
    n.samples = s.at("samples").get<int>();
    n.max_paths = s.at("max_paths").get<Eigen::Index>();
    n.restarts = s.at("restarts").get<int>();
    n.max_evaluations = s.at("max_evaluations").get<int>();
    n.lower_noise = s.at("lower_noise").get<double>();
    n.top_nugget = s.at("top_nugget").get<double>();
    n.priors = prior_preset_from_string(s.at("priors").get<std::string>());
    o.surrogate = nargp;
  } else if (s.at("type") == "nngp") {
    surrogates::NNGP nngp;
    nngp.kernel.depth = s.at("depth").get<int>();
    nngp.kernel.weight_variance = s.at("weight_variance").get<double>();
    nngp.kernel.bias_variance = s.at("bias_variance").get<double>();
    nngp.kernel.ard = s.value("ard", false);
    gp_fields_from_json(s, nngp.gp);
    o.surrogate = nngp;
  } else if (s.at("type") == "hmc_bnn") {
    o.surrogate = surrogates::HMC{hmc_from_json(s)};
  } else if (s.at("type") == "deep_ensemble") {
    o.surrogate = surrogates::DeepEnsemble{ensemble_from_json(s)};
  } else if (s.at("type") == "random") {
    o.surrogate = surrogates::RandomSearch{};
  } else if (s.at("type") == "cqr") {
    CQROptions c;
    c.levels = s.at("levels").get<std::vector<double>>();
    c.valid_fraction = s.at("valid_fraction").get<double>();
    c.min_samples_to_conformalize = s.at("min_samples_to_conformalize").get<int>();
    c.conformal_level = conformal_level_from_string(s.at("conformal_level").get<std::string>());
    c.sort_quantiles = s.at("sort_quantiles").get<bool>();
    c.max_fit_samples = s.at("max_fit_samples").get<int>();
    c.boosting.n_estimators = s.at("n_estimators").get<int>();
    c.boosting.learning_rate = s.at("learning_rate").get<double>();
    c.boosting.max_depth = s.at("max_depth").get<int>();
    c.boosting.min_samples_split = s.at("min_samples_split").get<int>();
    c.boosting.min_samples_leaf = s.at("min_samples_leaf").get<int>();
    c.boosting.subsample = s.at("subsample").get<double>();
    o.surrogate = surrogates::CQR{c};
  } else if (s.at("type") == "cokriging") {
    surrogates::CoKriging ck;
    ck.base = kernels::profile_from_string(s.at("base").get<std::string>());
    gp_fields_from_json(s, ck.gp);
    o.surrogate = ck;
  } else {
    const auto* mine = std::get_if<std::shared_ptr<const Surrogate>>(&user.surrogate);
    if (!mine || !*mine) {
      throw StudyFileError("options.surrogate: the study used the user surrogate \"" +
                           s.at("name").get<std::string>() +
                           "\"; pass it again in Options to Optimizer::load");
    }
    o.surrogate = user.surrogate;
  }
  const json& a = j.at("acquisition");
  if (a.at("type") == "user") {
    const auto* mine = std::get_if<std::shared_ptr<const Acquisition>>(&user.acquisition);
    if (!mine || !*mine) {
      throw StudyFileError("options.acquisition: the study used the user acquisition \"" +
                           a.at("name").get<std::string>() +
                           "\"; pass it again in Options to Optimizer::load");
    }
    o.acquisition = user.acquisition;
  } else {
    o.acquisition = acquisition::acquisition_from_string(a.at("type").get<std::string>());
    json fields = a;
    std::visit([&](auto& option) { acquisition_fields(option, fields, false); }, o.acquisition);
  }
  const json& in = j.at("inner");
  o.inner.raw_samples = in.at("raw_samples").get<int>();
  o.inner.restarts = in.at("restarts").get<int>();
  o.inner.max_evaluations = in.at("max_evaluations").get<int>();
  o.inner.ftol_rel = in.at("ftol_rel").get<double>();
  o.inner.max_enumeration = in.at("max_enumeration").get<int>();
  o.inner.anchor_samples = in.at("anchor_samples").get<int>();
  o.inner.threads = user.inner.threads;
  o.pending = pending_strategy_from_string(j.at("pending").get<std::string>());
  if (j.contains("batch_selection")) {
    o.batch_selection = batch_selection_from_string(j.at("batch_selection").get<std::string>());
  }
  o.refit_every = j.at("refit_every").get<int>();
  const auto nf = j.at("non_finite").get<std::string>();
  o.non_finite = nf == "record_failed" ? NonFinitePolicy::record_failed : NonFinitePolicy::refuse;
  if (j.contains("cost")) {
    const json& cost = j.at("cost");
    const auto type = cost.at("type").get<std::string>();
    if (type == "affine") {
      o.cost = affine_from_json(cost.at("affine"));
    } else if (type == "learned") {
      acquisition::LearnedCost learned;
      learned.min_observations = cost.at("min_observations").get<int>();
      learned.fallback = affine_from_json(cost.at("fallback"));
      o.cost = learned;
    } else if (const auto* mine = std::get_if<acquisition::UserCost>(&user.cost);
               mine && mine->cost) {
      o.cost = *mine;
    } else {
      throw StudyFileError(
          "options.cost: the study used the user's cost function; pass it again as "
          "Options::cost = acquisition::UserCost{...} to Optimizer::load");
    }
    o.cost_budget = j.at("cost_budget").get<double>();
  }
  if (j.contains("scheduler") && j.at("scheduler").at("type") == "asha") {
    const json& sc = j.at("scheduler");
    schedulers::ASHA asha;
    asha.reduction_factor = sc.at("reduction_factor").get<double>();
    asha.grace_period = sc.at("grace_period").get<long>();
    asha.max_resource = sc.at("max_resource").get<long>();
    o.scheduler = asha;
  }
  // Run-time settings are the caller's, not the file's.
  o.threads = user.threads;
  o.progress = user.progress;
  o.device = user.device;
  return o;
}

}  // namespace prospect::detail
