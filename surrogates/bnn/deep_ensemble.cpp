#include "prospect/surrogates/bnn/deep_ensemble.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/bnn/adam.hpp"
#include "src/blas_threads.hpp"
#include "surrogates/bnn/outputs.hpp"

namespace prospect {

using detail::format_number;

std::vector<std::string> DeepEnsembleOptions::validate() const {
  std::vector<std::string> problems;
  if (members < 2) {
    problems.push_back("members: got " + std::to_string(members) + ", expected >= 2");
  }
  for (std::size_t l = 0; l < hidden.size(); ++l) {
    if (hidden[l] < 1) {
      std::string p = "hidden[";
      p.append(std::to_string(l)).append("]: got ").append(std::to_string(hidden[l]));
      problems.push_back(p.append(", expected a width >= 1"));
    }
  }
  if (epochs < 1) {
    problems.push_back("epochs: got " + std::to_string(epochs) + ", expected >= 1");
  }
  if (warmup < 0 || (epochs >= 1 && warmup >= epochs)) {
    problems.push_back("warmup: got " + std::to_string(warmup) + ", expected a value in [0, " +
                       "epochs = " + std::to_string(epochs) + ")");
  }
  if (!(std::isfinite(learning_rate) && learning_rate > 0.0)) {
    problems.push_back("learning_rate: got " + format_number(learning_rate) +
                       ", expected a finite value > 0");
  }
  if (!(std::isfinite(weight_decay) && weight_decay >= 0.0)) {
    problems.push_back("weight_decay: got " + format_number(weight_decay) +
                       ", expected a finite value >= 0");
  }
  if (!(subsample > 0.0 && subsample <= 1.0)) {
    problems.push_back("subsample: got " + format_number(subsample) +
                       ", expected a fraction in (0, 1]");
  }
  if (!(std::isfinite(noise_variance) && noise_variance > 0.0)) {
    problems.push_back("noise_variance: got " + format_number(noise_variance) +
                       ", expected a finite value > 0");
  }
  if (!(adversarial_epsilon >= 0.0 && adversarial_epsilon < 1.0)) {
    problems.push_back("adversarial_epsilon: got " + format_number(adversarial_epsilon) +
                       ", expected a value in [0, 1)");
  }
  return problems;
}

std::string DeepEnsembleSummary::one_line() const {
  double lo = NAN, hi = NAN;
  if (!member_loss.empty()) {
    lo = *std::min_element(member_loss.begin(), member_loss.end());
    hi = *std::max_element(member_loss.begin(), member_loss.end());
  }
  char buffer[200];
  std::snprintf(buffer, sizeof buffer,
                "deep ensemble: %zu members on %ld points, loss %.3g .. %.3g, %.3g s",
                member_loss.size(), static_cast<long>(points_per_member), lo, hi, seconds);
  return buffer;
}

DeepEnsemble::DeepEnsemble(DeepEnsembleOptions options) : options_(std::move(options)) {
  const auto problems = options_.validate();
  if (!problems.empty()) {
    std::string message = "DeepEnsembleOptions:";
    for (const auto& p : problems) message.append(" ").append(p).append(";");
    throw InvalidArgument(message);
  }
}

std::unique_ptr<Surrogate> DeepEnsemble::clone() const {
  return std::make_unique<DeepEnsemble>(*this);
}

namespace {

double sigmoid(double s) {
  return s >= 0.0 ? 1.0 / (1.0 + std::exp(-s)) : std::exp(s) / (1.0 + std::exp(s));
}

// The summed loss of the outputs `out` (outputs x n) against y, with its adjoint
// d loss / d out in `bar`: the Gaussian NLL (nll) or 0.5 (y - mu)^2.
double loss_and_adjoint(const Matrix& out, const Vector& y, bool nll, Matrix& bar) {
  const Eigen::Index n = y.size();
  bar.setZero(out.rows(), n);
  double total = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double r = out(0, i) - y(i);
    if (nll) {
      const double s = out(1, i);
      const double var = detail::head_variance(s);
      total += 0.5 * std::log(var) + 0.5 * r * r / var;
      bar(0, i) = r / var;
      bar(1, i) = 0.5 * (1.0 / var - r * r / (var * var)) * sigmoid(s);
    } else {
      total += 0.5 * r * r;
      bar(0, i) = r;
    }
  }
  return total;
}

struct MemberResult {
  Vector theta;
  double loss = 0.0;
  std::string error;
};

MemberResult train_member(const bnn::MLP& mlp, const Matrix& X_all, const Vector& y_all,
                          Eigen::Index points, const DeepEnsembleOptions& o, std::uint64_t seed,
                          int member) {
  Rng rng(seed);
  MemberResult out;
  out.theta = mlp.initial_parameters(rng);
  Matrix X;
  Vector y;
  const Eigen::Index n = X_all.rows();
  if (points == n) {
    X = X_all;
    y = y_all;
  } else {
    // Partial Fisher-Yates: the first `points` entries are a uniform subset.
    std::vector<Eigen::Index> index(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) index[static_cast<std::size_t>(i)] = i;
    for (Eigen::Index i = 0; i < points; ++i) {
      const auto j = i + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n - i)));
      std::swap(index[static_cast<std::size_t>(i)], index[static_cast<std::size_t>(j)]);
    }
    std::sort(index.begin(), index.begin() + points);
    X.resize(points, X_all.cols());
    y.resize(points);
    for (Eigen::Index i = 0; i < points; ++i) {
      X.row(i) = X_all.row(index[static_cast<std::size_t>(i)]);
      y(i) = y_all(index[static_cast<std::size_t>(i)]);
    }
  }

  const bool adversarial = o.adversarial_epsilon > 0.0;
  // The loss is an average over the clean points (and as many perturbed ones).
  const double weight = 1.0 / (static_cast<double>(points) * (adversarial ? 2.0 : 1.0));
  bnn::Adam adam(mlp.parameter_count(), {.learning_rate = o.learning_rate});
  bnn::MLPWorkspace ws;
  Matrix bar, X_adv;
  Vector grad(mlp.parameter_count());
  for (int step = 0; step < o.epochs; ++step) {
    const bool nll = o.variance_head && step >= o.warmup;
    grad = o.weight_decay * out.theta;
    mlp.forward(out.theta, X, ws);
    (void)loss_and_adjoint(ws.pre.back(), y, nll, bar);
    bar *= weight;
    mlp.backward(out.theta, bar, ws, grad);
    if (adversarial) {
      // The activations of the clean forward pass are still in ws.
      const Matrix G = mlp.input_gradient(out.theta, bar, ws);
      X_adv = X + o.adversarial_epsilon * G.array().sign().matrix();
      mlp.forward(out.theta, X_adv, ws);
      (void)loss_and_adjoint(ws.pre.back(), y, nll, bar);
      bar *= weight;
      mlp.backward(out.theta, bar, ws, grad);
    }
    adam.step(out.theta, grad);
  }
  if (!out.theta.allFinite()) {
    out.error = "DeepEnsemble::fit: member " + std::to_string(member) +
                " diverged (non-finite parameters); lower learning_rate (" +
                format_number(o.learning_rate) + ")";
    return out;
  }
  mlp.forward(out.theta, X, ws);
  out.loss = loss_and_adjoint(ws.pre.back(), y, o.variance_head, bar) / static_cast<double>(points);
  return out;
}

}  // namespace

void DeepEnsemble::fit(const Dataset& data, std::uint64_t seed) {
  check_data(data, "DeepEnsemble::fit");
  const auto start = std::chrono::steady_clock::now();
  const detail::SingleThreadedBlas single_threaded_blas;
  const auto standard = detail::standardize(data.y);
  auto mlp = std::make_shared<const bnn::MLP>(
      bnn::MLPArchitecture{.inputs = data.X.cols(),
                           .hidden = options_.hidden,
                           .outputs = options_.variance_head ? 2 : 1,
                           .activation = options_.activation});
  const Matrix X = data.X;
  const Eigen::Index n = X.rows();
  const Eigen::Index points = std::clamp<Eigen::Index>(
      static_cast<Eigen::Index>(std::llround(options_.subsample * static_cast<double>(n))), 1, n);
  const int M = options_.members;
  std::vector<MemberResult> results(static_cast<std::size_t>(M));
#pragma omp parallel for schedule(static, 1)
  for (int m = 0; m < M; ++m) {
    auto& r = results[static_cast<std::size_t>(m)];
    try {
      r = train_member(*mlp, X, standard.values, points, options_,
                       derive_seed(seed, static_cast<std::uint64_t>(m)), m);
    } catch (const std::exception& e) {
      r.error = e.what();
    }
  }
  for (const auto& r : results) {
    if (!r.error.empty()) throw NumericalError(r.error);
  }
  Posterior post;
  post.mlp = mlp;
  DeepEnsembleSummary summary;
  summary.points_per_member = points;
  for (auto& r : results) {
    post.members.push_back(std::move(r.theta));
    summary.member_loss.push_back(r.loss);
  }
  post.y_offset = standard.offset;
  post.y_scale = standard.scale;
  post.variance_head = options_.variance_head;
  post.noise_variance = options_.variance_head ? 0.0 : options_.noise_variance;
  post.unbiased = false;
  post.dimension = data.X.cols();
  post.seed = seed;
  set_posterior(std::move(post), data.X);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary_ = std::move(summary);
}

}  // namespace prospect
