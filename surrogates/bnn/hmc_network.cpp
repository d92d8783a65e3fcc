#include "prospect/surrogates/bnn/hmc_network.hpp"

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

std::vector<std::string> HMCNetworkOptions::validate() const {
  std::vector<std::string> problems;
  auto at_least = [&](const char* field, long value, long lower) {
    if (value < lower) {
      problems.push_back(std::string(field) + ": got " + std::to_string(value) +
                         ", expected >= " + std::to_string(lower));
    }
  };
  auto positive = [&](const char* field, double value) {
    if (!(std::isfinite(value) && value > 0.0)) {
      problems.push_back(std::string(field) + ": got " + format_number(value) +
                         ", expected a finite value > 0");
    }
  };
  for (std::size_t l = 0; l < hidden.size(); ++l) {
    if (hidden[l] < 1) {
      std::string p = "hidden[";
      p.append(std::to_string(l)).append("]: got ").append(std::to_string(hidden[l]));
      problems.push_back(p.append(", expected a width >= 1"));
    }
  }
  at_least("chains", chains, 1);
  at_least("burn_in", burn_in, 1);
  at_least("samples", samples, 1);
  at_least("thin", thin, 1);
  at_least("max_leapfrog", max_leapfrog, 1);
  at_least("pretrain_steps", pretrain_steps, 0);
  positive("initial_step", initial_step);
  positive("path_length", path_length);
  positive("prior_variance", prior_variance);
  positive("noise_variance", noise_variance);
  positive("pretrain_learning_rate", pretrain_learning_rate);
  if (!(step_jitter >= 0.0 && step_jitter < 1.0)) {
    problems.push_back("step_jitter: got " + format_number(step_jitter) +
                       ", expected a value in [0, 1)");
  }
  if (!(target_accept > 0.0 && target_accept < 1.0)) {
    problems.push_back("target_accept: got " + format_number(target_accept) +
                       ", expected a value in (0, 1)");
  }
  return problems;
}

std::string HMCSummary::one_line() const {
  char buffer[200];
  std::snprintf(buffer, sizeof buffer,
                "HMC: acceptance %.3g, step %.3g x %d, %ld gradients, noise %.3g, %.3g s",
                acceptance_rate, step_size, leapfrog_steps, gradient_evaluations, noise_variance,
                seconds);
  return buffer;
}

HMCNetwork::HMCNetwork(HMCNetworkOptions options) : options_(std::move(options)) {
  const auto problems = options_.validate();
  if (!problems.empty()) {
    std::string message = "HMCNetworkOptions:";
    for (const auto& p : problems) message.append(" ").append(p).append(";");
    throw InvalidArgument(message);
  }
}

std::unique_ptr<Surrogate> HMCNetwork::clone() const {
  return std::make_unique<HMCNetwork>(*this);
}

namespace {

// The potential U(q) = -log pi(q) (constants dropped) of the position q = [theta; u],
// u = log sigma_n^2 when the noise is learned, and its gradient.
class Potential {
 public:
  Potential(const bnn::MLP& mlp, const Matrix& X, const Vector& y, const HMCNetworkOptions& o)
      : mlp_(mlp), X_(X), y_(y), o_(o), log_noise_prior_mean_(std::log(o.noise_variance)) {}

  [[nodiscard]] Eigen::Index size() const {
    return mlp_.parameter_count() + (o_.learn_noise ? 1 : 0);
  }

  double operator()(const Vector& q, Vector& grad) {
    const Eigen::Index P = mlp_.parameter_count();
    const auto theta = q.head(P);
    const double noise = o_.learn_noise ? std::exp(q(P)) : o_.noise_variance;
    mlp_.forward(theta, X_, ws_);
    residual_ = ws_.pre.back().row(0).transpose() - y_;
    const double sse = residual_.squaredNorm();
    grad.resize(q.size());
    grad.head(P) = theta / o_.prior_variance;
    mlp_.backward(theta, residual_.transpose() / noise, ws_, grad.head(P));
    double U = 0.5 * sse / noise + 0.5 * theta.squaredNorm() / o_.prior_variance;
    if (o_.learn_noise) {
      const double n = static_cast<double>(y_.size());
      const double du = q(P) - log_noise_prior_mean_;
      U += 0.5 * n * q(P) + 0.5 * du * du;
      grad(P) = 0.5 * n - 0.5 * sse / noise + du;
    }
    ++evaluations_;
    return U;
  }
  [[nodiscard]] long evaluations() const { return evaluations_; }

 private:
  const bnn::MLP& mlp_;
  const Matrix& X_;
  const Vector& y_;
  const HMCNetworkOptions& o_;
  double log_noise_prior_mean_;
  bnn::MLPWorkspace ws_;
  Vector residual_;
  long evaluations_ = 0;
};

struct ChainResult {
  std::vector<Vector> kept;
  double accept_sum = 0.0;
  int accept_count = 0;
  double step = 0.0;
  int leapfrog = 0;
  long gradients = 0;
  double noise_sum = 0.0;
};

ChainResult run_chain(const bnn::MLP& mlp, const Matrix& X, const Vector& y,
                      const HMCNetworkOptions& o, std::uint64_t seed) {
  Rng rng(seed);
  Potential U(mlp, X, y, o);
  const Eigen::Index P = mlp.parameter_count();
  Vector q(U.size());
  q.head(P) = mlp.initial_parameters(rng);
  if (o.learn_noise) q(P) = std::log(o.noise_variance);
  Vector grad;
  if (o.pretrain_steps > 0) {
    bnn::Adam adam(q.size(), {.learning_rate = o.pretrain_learning_rate});
    const double inv_n = 1.0 / static_cast<double>(y.size());
    for (int step = 0; step < o.pretrain_steps; ++step) {
      (void)U(q, grad);
      adam.step(q, grad * inv_n);
    }
  }
  double potential = U(q, grad);
  if (!std::isfinite(potential)) {
    throw NumericalError("HMCNetwork::fit: the log posterior is not finite at the chain's start");
  }

  // Dual averaging (Hoffman & Gelman 2014, Algorithm 5) on log step.
  double step = o.initial_step, path = o.path_length;
  const double mu = std::log(10.0 * o.initial_step);
  constexpr double gamma = 0.05, t0 = 10.0, kappa = 0.75;
  double H_bar = 0.0, log_step_bar = 0.0;

  ChainResult out;
  Vector p(q.size()), q_new(q.size()), grad_new(q.size());
  const int total = o.burn_in + o.samples;
  for (int it = 0; it < total; ++it) {
    const double eps = step * (1.0 + o.step_jitter * (2.0 * rng.uniform() - 1.0));
    const int L =
        static_cast<int>(std::min<double>(o.max_leapfrog, std::max(1.0, std::ceil(path / eps))));
    for (Eigen::Index k = 0; k < p.size(); ++k) p(k) = rng.normal();
    const double H0 = potential + 0.5 * p.squaredNorm();
    q_new = q;
    grad_new = grad;
    double U_new = potential;
    p -= 0.5 * eps * grad_new;
    for (int l = 0; l < L; ++l) {
      q_new += eps * p;
      U_new = U(q_new, grad_new);
      if (!std::isfinite(U_new)) break;
      p -= (l + 1 < L ? eps : 0.5 * eps) * grad_new;
    }
    const double log_accept = H0 - (U_new + 0.5 * p.squaredNorm());
    const double accept = std::isfinite(log_accept) ? std::min(1.0, std::exp(log_accept)) : 0.0;
    if (rng.uniform() < accept) {
      q.swap(q_new);
      grad.swap(grad_new);
      potential = U_new;
    }
    if (it < o.burn_in) {
      const double m = it + 1.0;
      const double w = 1.0 / (m + t0);
      H_bar = (1.0 - w) * H_bar + w * (o.target_accept - accept);
      const double log_step = mu - std::sqrt(m) / gamma * H_bar;
      const double eta = std::pow(m, -kappa);
      log_step_bar = eta * log_step + (1.0 - eta) * log_step_bar;
      step = std::exp(log_step);
      while (path / step > o.max_leapfrog) path *= 0.5;
      if (it == o.burn_in - 1) {
        step = std::exp(log_step_bar);
        while (path / step > o.max_leapfrog) path *= 0.5;
      }
    } else {
      out.accept_sum += accept;
      ++out.accept_count;
      out.leapfrog = L;
      if ((it - o.burn_in) % o.thin == 0) {
        out.kept.push_back(q.head(P));
        out.noise_sum += o.learn_noise ? std::exp(q(P)) : o.noise_variance;
      }
    }
  }
  out.step = step;
  out.gradients = U.evaluations();
  return out;
}

}  // namespace

void HMCNetwork::fit(const Dataset& data, std::uint64_t seed) {
  check_data(data, "HMCNetwork::fit");
  const auto start = std::chrono::steady_clock::now();
  const detail::SingleThreadedBlas single_threaded_blas;
  const auto standard = detail::standardize(data.y);
  auto mlp =
      std::make_shared<const bnn::MLP>(bnn::MLPArchitecture{.inputs = data.X.cols(),
                                                            .hidden = options_.hidden,
                                                            .outputs = 1,
                                                            .activation = options_.activation});
  const Matrix X = data.X;
  const int chains = options_.chains;
  std::vector<ChainResult> results(static_cast<std::size_t>(chains));
  std::vector<std::string> errors(static_cast<std::size_t>(chains));
#pragma omp parallel for schedule(static, 1)
  for (int c = 0; c < chains; ++c) {
    try {
      results[static_cast<std::size_t>(c)] = run_chain(
          *mlp, X, standard.values, options_, derive_seed(seed, static_cast<std::uint64_t>(c)));
    } catch (const std::exception& e) {
      errors[static_cast<std::size_t>(c)] = e.what();
    }
  }
  for (const auto& e : errors) {
    if (!e.empty()) throw NumericalError(e);
  }
  Posterior post;
  post.mlp = mlp;
  HMCSummary summary;
  double noise_sum = 0.0;
  int accept_count = 0;
  for (auto& r : results) {
    for (auto& theta : r.kept) post.members.push_back(std::move(theta));
    summary.acceptance_rate += r.accept_sum;
    accept_count += r.accept_count;
    summary.step_size += r.step / chains;
    summary.leapfrog_steps = std::max(summary.leapfrog_steps, r.leapfrog);
    summary.gradient_evaluations += r.gradients;
    noise_sum += r.noise_sum;
  }
  summary.acceptance_rate /= std::max(1, accept_count);
  summary.noise_variance = noise_sum / static_cast<double>(post.members.size());
  post.y_offset = standard.offset;
  post.y_scale = standard.scale;
  post.variance_head = false;
  post.noise_variance = summary.noise_variance;
  post.unbiased = true;
  post.dimension = data.X.cols();
  post.seed = seed;
  set_posterior(std::move(post), data.X);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary_ = summary;
}

}  // namespace prospect
