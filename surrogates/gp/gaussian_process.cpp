// Exact GP regression: MAP hyperparameters by multi-start L-BFGS (NLopt), posterior
// through RobustCholesky, incremental updates by appending to the factor.
// Formulas: ALGORITHMS.md §1.1, §1.3-1.8.
#include "prospect/surrogates/gaussian_process.hpp"

#include <nlopt.h>
#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <numbers>
#include <optional>
#include <sstream>
#include <utility>

#include "kernels/cuda/gpu.hpp"
#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/random.hpp"
#include "src/blas_threads.hpp"
#include "surrogates/data_checks.hpp"
#include "surrogates/gp/priors.hpp"

namespace prospect {

// ---------------------------------------------------------------------------------
// Enum names and options
// ---------------------------------------------------------------------------------

const char* to_string(PriorPreset preset) {
  switch (preset) {
    case PriorPreset::botorch:
      return "botorch";
    case PriorPreset::botorch_legacy:
      return "botorch_legacy";
    case PriorPreset::none:
      return "none";
  }
  return "unknown";
}

PriorPreset prior_preset_from_string(const std::string& name) {
  if (name == "botorch") return PriorPreset::botorch;
  if (name == "botorch_legacy" || name == "botorch-legacy") return PriorPreset::botorch_legacy;
  if (name == "none") return PriorPreset::none;
  throw InvalidArgument("prior preset: got \"" + name +
                        "\", expected \"botorch\", \"botorch_legacy\" or \"none\"");
}

const char* to_string(NoiseModel noise) {
  switch (noise) {
    case NoiseModel::learned:
      return "learned";
    case NoiseModel::fixed:
      return "fixed";
    case NoiseModel::none:
      return "none";
  }
  return "unknown";
}

NoiseModel noise_model_from_string(const std::string& name) {
  if (name == "learned") return NoiseModel::learned;
  if (name == "fixed") return NoiseModel::fixed;
  if (name == "none") return NoiseModel::none;
  throw InvalidArgument("noise model: got \"" + name +
                        "\", expected \"learned\", \"fixed\" or \"none\"");
}

const char* to_string(FitTermination termination) {
  switch (termination) {
    case FitTermination::converged:
      return "converged";
    case FitTermination::max_evaluations:
      return "max_evaluations";
    case FitTermination::all_starts_failed:
      return "all_starts_failed";
    case FitTermination::not_fitted:
      return "not_fitted";
  }
  return "unknown";
}

std::vector<std::string> GaussianProcessOptions::validate() const {
  std::vector<std::string> problems;
  auto num = [](double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  };
  if (restarts < 1) {
    problems.push_back("restarts: got " + std::to_string(restarts) + ", expected >= 1");
  }
  if (max_evaluations < 1) {
    problems.push_back("max_evaluations: got " + std::to_string(max_evaluations) +
                       ", expected >= 1");
  }
  if (!(noiseless_nugget > 0.0) || !std::isfinite(noiseless_nugget)) {
    problems.push_back("noiseless_nugget: got " + num(noiseless_nugget) +
                       ", expected a finite value > 0");
  }
  if (!(ftol_rel > 0.0) || !std::isfinite(ftol_rel)) {
    problems.push_back("ftol_rel: got " + num(ftol_rel) + ", expected a finite value > 0");
  }
  if (threads < 0) {
    problems.push_back("threads: got " + std::to_string(threads) +
                       ", expected >= 0 (0: OpenMP's default)");
  }
  if (!(cholesky.base_jitter > 0.0) || !std::isfinite(cholesky.base_jitter)) {
    problems.push_back("cholesky.base_jitter: got " + num(cholesky.base_jitter) +
                       ", expected a finite value > 0");
  }
  for (const auto& p : device.validate()) problems.push_back(p);
  if (cholesky.max_tries < 0) {
    problems.push_back("cholesky.max_tries: got " + std::to_string(cholesky.max_tries) +
                       ", expected >= 0");
  }
  return problems;
}

std::string FitSummary::brief_report() const {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s: J=%.6g (LML %.6g), %d starts (%d failed), %d evaluations, %.3g ms",
                to_string(termination), objective, log_marginal_likelihood, starts, failed_starts,
                evaluations, seconds * 1e3);
  return buf;
}

std::string FitSummary::full_report() const {
  std::ostringstream os;
  os.precision(10);
  os << "termination:             " << to_string(termination) << '\n'
     << "objective J:             " << objective << '\n'
     << "log marginal likelihood: " << log_marginal_likelihood << '\n'
     << "starts:                  " << starts << '\n'
     << "failed starts:           " << failed_starts << '\n'
     << "evaluations:             " << evaluations << '\n'
     << "seconds:                 " << seconds << '\n';
  return os.str();
}

// ---------------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------------

namespace {

constexpr double kLogNoiseLower = -9.210340371976184;  // log 1e-4
constexpr double kLogNoiseUpper = 2.302585092994046;   // log 10
constexpr double kMeanBound = 10.0;
constexpr double kMinVariance = 1e-12;
constexpr double kFailedValue = -1e100;

std::string num(double v) {
  return detail::format_number(v);
}

/// Where each block of the parameter vector lives, and its bounds and priors.
struct Layout {
  std::vector<kernels::HyperparameterSpec> specs;
  std::vector<gp_detail::Prior> kernel_priors;
  gp_detail::Prior noise_prior;
  Eigen::Index n_kernel = 0;
  Eigen::Index noise_index = -1;  // -1 when the noise is not learned
  Eigen::Index mean_index = -1;   // -1 when c is not learned
  Eigen::Index size = 0;
  Vector lower, upper;

  Layout() = default;
  Layout(const kernels::Kernel& kernel, const GaussianProcessOptions& options, Eigen::Index d)
      : specs(kernel.hyperparameters(d)), noise_prior(gp_detail::noise_prior(options.priors)) {
    n_kernel = static_cast<Eigen::Index>(specs.size());
    size = n_kernel;
    if (options.noise == NoiseModel::learned) noise_index = size++;
    if (options.learn_mean) mean_index = size++;
    lower.resize(size);
    upper.resize(size);
    for (Eigen::Index k = 0; k < n_kernel; ++k) {
      const auto& s = specs[static_cast<std::size_t>(k)];
      kernel_priors.push_back(gp_detail::kernel_prior(options.priors, s, d));
      lower(k) = s.log_lower;
      upper(k) = s.log_upper;
    }
    if (noise_index >= 0) {
      lower(noise_index) = kLogNoiseLower;
      upper(noise_index) = kLogNoiseUpper;
    }
    if (mean_index >= 0) {
      lower(mean_index) = -kMeanBound;
      upper(mean_index) = kMeanBound;
    }
  }

  [[nodiscard]] Vector clip(Vector p) const { return p.cwiseMax(lower).cwiseMin(upper); }

  /// Prior modes (c = 0), the first start of every fit and the fallback parameters.
  [[nodiscard]] Vector defaults(PriorPreset preset) const {
    Vector p(size);
    for (Eigen::Index k = 0; k < n_kernel; ++k) {
      p(k) = kernel_priors[static_cast<std::size_t>(k)].log_mode(
          specs[static_cast<std::size_t>(k)].log_default);
    }
    if (noise_index >= 0) p(noise_index) = gp_detail::noise_start_log(preset);
    if (mean_index >= 0) p(mean_index) = 0.0;
    return clip(std::move(p));
  }

  /// A draw from the priors clipped into the bounds (c = 0).
  [[nodiscard]] Vector draw(Rng& rng, PriorPreset preset) const {
    Vector p(size);
    for (Eigen::Index k = 0; k < n_kernel; ++k) {
      p(k) = kernel_priors[static_cast<std::size_t>(k)].sample_log(
          rng, specs[static_cast<std::size_t>(k)].log_default);
    }
    if (noise_index >= 0)
      p(noise_index) = noise_prior.sample_log(rng, gp_detail::noise_start_log(preset));
    if (mean_index >= 0) p(mean_index) = 0.0;
    return clip(std::move(p));
  }
};

/// The data and frozen output transform of a fitted model, and the posterior at fixed
/// parameters. Everything a prediction needs.
struct Posterior {
  Matrix X;      // n x d inputs in the unit cube
  Vector y;      // raw observations
  Vector y_std;  // (y - y_mean) / y_scale
  double y_mean = 0.0;
  double y_scale = 1.0;
  Vector noise_std;            // per-point noise variance added to diag K, standardized units
  double fantasy_noise = 0.0;  // noise of new points (standardized): learned, nugget, mean known
  Vector params;               // [theta, (log noise), (c)]
  Vector theta;
  double c = 0.0;
  kernels::RobustCholesky chol;
  Vector alpha;  // K^{-1} (y_std - c)
  double lml = 0.0;
};

/// Scratch buffers of one objective evaluation, reused across evaluations of a start.
struct Workspace {
  Matrix K, W;
  Vector r, alpha, grad_kernel, noise;
  kernels::RobustCholesky chol;
};

/// The kernel as a stationary one when the device path can take it, else null.
const kernels::Stationary* device_kernel(const kernels::Kernel& kernel, Eigen::Index d) {
  const auto* stationary = dynamic_cast<const kernels::Stationary*>(&kernel);
  return stationary && d <= gpu::max_dimension() ? stationary : nullptr;
}

/// Everything the objective needs besides the parameters.
struct Problem {
  const kernels::Kernel* kernel = nullptr;
  const Layout* layout = nullptr;
  const Matrix* X = nullptr;
  const Vector* y_std = nullptr;
  const Vector* fixed_noise = nullptr;  // per-point noise when the noise is not learned
  kernels::CholeskyOptions cholesky{};
  /// Non-null when the likelihood runs on the GPU (decided once per fit or call).
  const kernels::Stationary* on_device = nullptr;
  int device_id = 0;
};

/// Fills pb.on_device when `device` sends this problem's likelihood to the GPU.
void choose_device(Problem& pb, const DeviceOptions& device) {
  const kernels::Stationary* stationary = device_kernel(*pb.kernel, pb.X->cols());
  if (use_cuda(device, pb.X->rows() >= device.min_observations, stationary != nullptr,
               "GaussianProcess likelihood")) {
    pb.on_device = stationary;
    pb.device_id = device.device_id;
  }
}

double log_2pi() {
  return std::log(2.0 * std::numbers::pi);
}

void evaluate_on_cpu(const Problem& pb, const Eigen::Ref<const Vector>& theta, double noise,
                     bool gradient, Workspace& ws, double& lml, double& trace_W);

/// J = (LML + log prior)/n and, when grad is non-null, its gradient. Also returns the
/// LML through *lml_out when non-null. Throws NumericalError when K cannot be factored.
double evaluate(const Problem& pb, const double* x, double* grad, Workspace& ws,
                double* lml_out = nullptr) {
  const Layout& L = *pb.layout;
  const Matrix& X = *pb.X;
  const Eigen::Index n = X.rows();
  const Eigen::Map<const Vector> p(x, L.size);
  const auto theta = p.head(L.n_kernel);
  const double c = L.mean_index >= 0 ? p(L.mean_index) : 0.0;
  const double noise = L.noise_index >= 0 ? std::exp(p(L.noise_index)) : 0.0;
  double lml = 0.0;
  double trace_W = 0.0;
  ws.r = pb.y_std->array() - c;
  if (pb.on_device) {
    // The same quantities from the device: alpha, log det K, and the contraction of
    // W = alpha alpha^T - K^{-1} without W ever leaving the GPU.
    const kernels::StationaryScales scales = pb.on_device->scales(theta, X.cols());
    if (L.noise_index >= 0) {
      ws.noise.setConstant(n, noise);
    } else {
      ws.noise = *pb.fixed_noise;
    }
    gpu::StationaryObjectiveInput in;
    in.profile = pb.on_device->profile();
    in.X = &X;
    in.inverse_lengthscales = scales.inverse_lengthscales;
    in.outputscale = scales.outputscale;
    in.noise = &ws.noise;
    in.residual = &ws.r;
    in.cholesky = pb.cholesky;
    in.gradient = grad != nullptr;
    gpu::StationaryObjectiveOutput out = gpu::stationary_objective(pb.device_id, in);
    ws.alpha = std::move(out.alpha);
    lml = -0.5 * out.quadratic - 0.5 * out.log_determinant - 0.5 * n * log_2pi();
    if (grad) {
      ws.grad_kernel.setZero(L.n_kernel);
      pb.on_device->add_contraction_gradient(scales, out.totals, ws.grad_kernel);
      trace_W = out.trace_W;
    }
  } else {
    evaluate_on_cpu(pb, theta, noise, grad != nullptr, ws, lml, trace_W);
  }
  if (lml_out) *lml_out = lml;

  double log_prior = 0.0;
  for (Eigen::Index k = 0; k < L.n_kernel; ++k) {
    log_prior += L.kernel_priors[static_cast<std::size_t>(k)].log_density(p(k));
  }
  if (L.noise_index >= 0) log_prior += L.noise_prior.log_density(p(L.noise_index));
  const double inv_n = 1.0 / static_cast<double>(n);

  if (grad) {
    Eigen::Map<Vector> g(grad, L.size);
    for (Eigen::Index k = 0; k < L.n_kernel; ++k) {
      g(k) =
          0.5 * ws.grad_kernel(k) + L.kernel_priors[static_cast<std::size_t>(k)].dlog_density(p(k));
    }
    if (L.noise_index >= 0) {
      g(L.noise_index) = 0.5 * noise * trace_W + L.noise_prior.dlog_density(p(L.noise_index));
    }
    if (L.mean_index >= 0) g(L.mean_index) = ws.alpha.sum();
    g *= inv_n;
  }
  return (lml + log_prior) * inv_n;
}

/// The CPU path of evaluate(): K, its factor, alpha, the LML and (with gradient) the
/// kernel part of the gradient and tr(W), W = alpha alpha^T - K^{-1}. ws.r holds y - c.
void evaluate_on_cpu(const Problem& pb, const Eigen::Ref<const Vector>& theta, double noise,
                     bool gradient, Workspace& ws, double& lml, double& trace_W) {
  const Layout& L = *pb.layout;
  const Matrix& X = *pb.X;
  const Eigen::Index n = X.rows();
  ws.K.resize(n, n);
  pb.kernel->matrix(X, X, theta, ws.K);
  if (L.noise_index >= 0) {
    ws.K.diagonal().array() += noise;
  } else {
    ws.K.diagonal() += *pb.fixed_noise;
  }
  ws.chol.compute(ws.K, pb.cholesky);
  ws.alpha = ws.r;
  {
    Eigen::Map<Matrix> a(ws.alpha.data(), n, 1);
    ws.chol.solve_lower_in_place(a);
    ws.chol.solve_upper_in_place(a);
  }
  lml = -0.5 * ws.r.dot(ws.alpha) - 0.5 * ws.chol.log_determinant() - 0.5 * n * log_2pi();
  if (gradient) {
    ws.W = ws.chol.inverse();
    ws.W *= -1.0;
    ws.W.noalias() += ws.alpha * ws.alpha.transpose();
    ws.grad_kernel.setZero(L.n_kernel);
    pb.kernel->contract_hyperparameter_gradient(X, theta, ws.W, ws.grad_kernel);
    trace_W = ws.W.trace();
  }
}

using detail::check_finite_matrix;
using detail::check_finite_vector;
using detail::check_unit_cube;

}  // namespace

struct GaussianProcess::State {
  std::unique_ptr<kernels::Kernel> kernel;
  GaussianProcessOptions options;
  FitSummary summary;
  bool fitted = false;
  Layout layout;
  Posterior post;
  Vector warm;  // previous MAP or set_state(): warm start of the next fit

  State(const kernels::Kernel& k, GaussianProcessOptions o) : kernel(k.clone()), options(o) {}
  State(const State& o)
      : kernel(o.kernel->clone()),
        options(o.options),
        summary(o.summary),
        fitted(o.fitted),
        layout(o.layout),
        post(o.post),
        warm(o.warm) {}

  void require_fitted(const char* what) const {
    if (!fitted) {
      throw InvalidState(std::string("GaussianProcess::") + what +
                         ": the model is not fitted; call fit() or fit_fixed() first");
    }
  }

  void require_point_dimension(MatrixCRef X, const char* name) const {
    if (X.cols() != post.X.cols()) {
      throw InvalidArgument(std::string(name) + ": got " + std::to_string(X.cols()) +
                            " columns, expected the fitted dimension " +
                            std::to_string(post.X.cols()));
    }
  }

  /// Validates data; returns the standardized noise per point when it is known.
  void validate(const Dataset& data) const {
    const Eigen::Index n = data.X.rows();
    if (n == 0 || data.X.cols() == 0) {
      throw InvalidArgument("data.X: got " + std::to_string(n) + " x " +
                            std::to_string(data.X.cols()) +
                            ", expected at least one observation of dimension >= 1");
    }
    if (data.y.size() != n) {
      throw InvalidArgument("data.y: got " + std::to_string(data.y.size()) +
                            " values, expected one per row of data.X (" + std::to_string(n) + ")");
    }
    if (options.require_unit_cube) {
      check_unit_cube(data.X, "data.X");
    } else {
      check_finite_matrix(data.X, "data.X");
    }
    check_finite_vector(data.y, "data.y");
    if (options.noise == NoiseModel::fixed) {
      if (data.noise_variance.size() != n) {
        throw InvalidArgument("data.noise_variance: got " +
                              std::to_string(data.noise_variance.size()) +
                              " values, expected one known variance per observation (" +
                              std::to_string(n) + ") with NoiseModel::fixed");
      }
      check_finite_vector(data.noise_variance, "data.noise_variance");
      for (Eigen::Index i = 0; i < n; ++i) {
        if (data.noise_variance(i) < 0.0) {
          throw InvalidArgument("data.noise_variance(" + std::to_string(i) + "): got " +
                                num(data.noise_variance(i)) + ", expected a variance >= 0");
        }
      }
    }
  }

  /// Data, transform and noise of a new fit (no factorization yet).
  [[nodiscard]] Posterior prepare(const Dataset& data) const {
    Posterior p;
    const Eigen::Index n = data.X.rows();
    p.X = options.require_unit_cube ? Matrix(data.X.cwiseMax(0.0).cwiseMin(1.0)) : data.X;
    p.y = data.y;
    p.y_mean = data.y.mean();
    p.y_scale = 1.0;
    if (n > 1) {
      const double var = (data.y.array() - p.y_mean).square().sum() / static_cast<double>(n - 1);
      const double sd = std::sqrt(var);
      if (sd >= 1e-8) p.y_scale = sd;
    }
    p.y_std = (data.y.array() - p.y_mean) / p.y_scale;
    const double s2 = p.y_scale * p.y_scale;
    switch (options.noise) {
      case NoiseModel::fixed:
        p.noise_std = data.noise_variance / s2;
        p.fantasy_noise = p.noise_std.mean();
        break;
      case NoiseModel::none:
        p.noise_std = Vector::Constant(n, options.noiseless_nugget);
        p.fantasy_noise = options.noiseless_nugget;
        break;
      case NoiseModel::learned:
        p.noise_std = Vector::Zero(n);  // set from the parameters
        break;
    }
    return p;
  }

  /// Factors K at the parameters `params` and fills the posterior (strong guarantee
  /// on `p` is the caller's: it works on a fresh Posterior).
  void factor(Posterior& p, const Layout& L, VectorCRef params) const {
    const Eigen::Index n = p.X.rows();
    p.params = params;
    p.theta = params.head(L.n_kernel);
    p.c = L.mean_index >= 0 ? params(L.mean_index) : 0.0;
    if (L.noise_index >= 0) {
      p.fantasy_noise = std::exp(params(L.noise_index));
      p.noise_std = Vector::Constant(n, p.fantasy_noise);
    }
    Matrix K(n, n);
    kernel->matrix(p.X, p.X, p.theta, K);
    K.diagonal() += p.noise_std;
    p.chol.compute(K, options.cholesky);
    refresh_alpha(p);
  }

  /// alpha and the LML from the factor and y_std.
  static void refresh_alpha(Posterior& p) {
    const Vector r = p.y_std.array() - p.c;
    p.alpha = p.chol.solve(r);
    p.lml = -0.5 * r.dot(p.alpha) - 0.5 * p.chol.log_determinant() -
            0.5 * static_cast<double>(r.size()) * log_2pi();
  }

  /// Appends observations with frozen parameters and transform to `p`.
  void append(Posterior& p, MatrixCRef Xn, VectorCRef yn) const {
    const Eigen::Index n = p.X.rows();
    const Eigen::Index q = Xn.rows();
    Matrix Kc(n, q), Kn(q, q);
    kernel->matrix(p.X, Xn, p.theta, Kc);
    kernel->matrix(Xn, Xn, p.theta, Kn);
    Kn.diagonal().array() += p.fantasy_noise;
    p.chol.append(Kc, Kn);
    Matrix X(n + q, p.X.cols());
    if (options.require_unit_cube) {
      X << p.X, Xn.cwiseMax(0.0).cwiseMin(1.0);
    } else {
      X << p.X, Xn;
    }
    p.X = std::move(X);
    Vector y(n + q), ys(n + q), noise(n + q);
    y << p.y, yn;
    ys << p.y_std, (yn.array() - p.y_mean) / p.y_scale;
    noise << p.noise_std, Vector::Constant(q, p.fantasy_noise);
    p.y = std::move(y);
    p.y_std = std::move(ys);
    p.noise_std = std::move(noise);
    refresh_alpha(p);
  }

  void validate_new_points(MatrixCRef X, VectorCRef y, const char* what) const {
    require_fitted(what);
    require_point_dimension(X, "X");
    if (y.size() != X.rows()) {
      throw InvalidArgument("y: got " + std::to_string(y.size()) +
                            " values, expected one per row of X (" + std::to_string(X.rows()) +
                            ")");
    }
    if (options.require_unit_cube) {
      check_unit_cube(X, "X");
    } else {
      check_finite_matrix(X, "X");
    }
    check_finite_vector(y, "y");
  }

  /// Posterior covariance of f at the rows of Xs in standardized units (symmetrized).
  [[nodiscard]] Matrix standardized_covariance(MatrixCRef Xs) const {
    Matrix V = cross(Xs);
    post.chol.solve_lower_in_place(V);
    Matrix S(Xs.rows(), Xs.rows());
    kernel->matrix(Xs, Xs, post.theta, S);
    S.noalias() -= V.transpose() * V;
    return 0.5 * (S + S.transpose());
  }

  /// K(X, X*) (n x m) for predictions, standardized.
  [[nodiscard]] Matrix cross(MatrixCRef Xs) const {
    Matrix Kx(post.X.rows(), Xs.rows());
    kernel->matrix(post.X, Xs, post.theta, Kx);
    return Kx;
  }
};

// ---------------------------------------------------------------------------------
// GaussianProcess
// ---------------------------------------------------------------------------------

GaussianProcess::GaussianProcess(const kernels::Kernel& kernel, GaussianProcessOptions options) {
  const auto problems = options.validate();
  if (!problems.empty()) {
    std::string message = "GaussianProcessOptions: ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
      if (i) message += "; ";
      message += problems[i];
    }
    throw InvalidOptions(message);
  }
  s_ = std::make_unique<State>(kernel, options);
}

GaussianProcess::GaussianProcess(const GaussianProcess& other)
    : s_(other.s_ ? std::make_unique<State>(*other.s_) : nullptr) {}

GaussianProcess& GaussianProcess::operator=(const GaussianProcess& other) {
  if (this != &other) s_ = other.s_ ? std::make_unique<State>(*other.s_) : nullptr;
  return *this;
}

GaussianProcess::~GaussianProcess() = default;

std::unique_ptr<Surrogate> GaussianProcess::clone() const {
  return std::make_unique<GaussianProcess>(*this);
}

std::string GaussianProcess::name() const {
  return "gp(" + s_->kernel->name() + ")";
}

SurrogateCapabilities GaussianProcess::capabilities() const {
  return SurrogateCapabilities{true, true, true, true, true};
}

bool GaussianProcess::fitted() const {
  return s_->fitted;
}

Eigen::Index GaussianProcess::dimension() const {
  return s_->fitted ? s_->post.X.cols() : 0;
}

const FitSummary& GaussianProcess::summary() const {
  return s_->summary;
}
const kernels::Kernel& GaussianProcess::kernel() const {
  return *s_->kernel;
}
const GaussianProcessOptions& GaussianProcess::options() const {
  return s_->options;
}

Vector GaussianProcess::parameters() const {
  return s_->fitted ? s_->post.params : Vector();
}

std::vector<std::string> GaussianProcess::parameter_names() const {
  std::vector<std::string> names;
  if (!s_->fitted) return names;
  for (const auto& spec : s_->layout.specs) names.push_back(spec.name);
  if (s_->layout.noise_index >= 0) names.emplace_back("noise");
  if (s_->layout.mean_index >= 0) names.emplace_back("mean");
  return names;
}

double GaussianProcess::log_marginal_likelihood() const {
  s_->require_fitted("log_marginal_likelihood");
  return s_->post.lml;
}

double GaussianProcess::noise_variance() const {
  s_->require_fitted("noise_variance");
  return s_->post.fantasy_noise * s_->post.y_scale * s_->post.y_scale;
}

Vector GaussianProcess::state() const {
  return parameters();
}

void GaussianProcess::set_state(VectorCRef state) {
  check_finite_vector(state, "state");
  if (!s_->fitted) {
    // The dimension is unknown before a fit: the size is checked at the next fit,
    // where a state of another size is not used as a warm start.
    s_->warm = state;
    return;
  }
  if (state.size() != s_->layout.size) {
    throw InvalidArgument("state: got " + std::to_string(state.size()) + " values, expected " +
                          std::to_string(s_->layout.size) + " (the parameters() of this model)");
  }
  Posterior p = s_->post;
  s_->factor(p, s_->layout, s_->layout.clip(state));
  s_->post = std::move(p);
  s_->warm = s_->post.params;
}

double GaussianProcess::objective(VectorCRef parameters, Vector* grad) const {
  s_->require_fitted("objective");
  const Layout& L = s_->layout;
  if (parameters.size() != L.size) {
    throw InvalidArgument("parameters: got " + std::to_string(parameters.size()) +
                          " values, expected " + std::to_string(L.size));
  }
  Problem pb{s_->kernel.get(),    &L, &s_->post.X, &s_->post.y_std, &s_->post.noise_std,
             s_->options.cholesky};
  choose_device(pb, s_->options.device);
  Workspace ws;
  const Vector x = parameters;
  if (grad) {
    grad->resize(L.size);
    return evaluate(pb, x.data(), grad->data(), ws);
  }
  return evaluate(pb, x.data(), nullptr, ws);
}

void GaussianProcess::fit_fixed(const Dataset& data, VectorCRef parameters) {
  s_->validate(data);
  Layout L(*s_->kernel, s_->options, data.X.cols());
  if (parameters.size() != L.size) {
    throw InvalidArgument("parameters: got " + std::to_string(parameters.size()) +
                          " values, expected " + std::to_string(L.size) + " for dimension " +
                          std::to_string(data.X.cols()));
  }
  check_finite_vector(parameters, "parameters");
  Posterior p = s_->prepare(data);
  s_->factor(p, L, parameters);
  FitSummary summary;
  summary.termination = FitTermination::converged;
  summary.log_marginal_likelihood = p.lml;
  {
    Problem pb{s_->kernel.get(), &L, &p.X, &p.y_std, &p.noise_std, s_->options.cholesky};
    choose_device(pb, s_->options.device);
    Workspace ws;
    summary.objective = evaluate(pb, p.params.data(), nullptr, ws);
  }
  s_->layout = std::move(L);
  s_->post = std::move(p);
  s_->summary = summary;
  s_->warm = s_->post.params;
  s_->fitted = true;
}

namespace {

/// One L-BFGS start: its own buffers and the best point it saw.
struct StartRun {
  const Problem* problem = nullptr;
  nlopt_opt opt = nullptr;
  Workspace ws;
  Vector best_x;
  double best_f = -std::numeric_limits<double>::infinity();
  int evaluations = 0;
  bool failed = false;
  nlopt_result result = NLOPT_FAILURE;
  /// A device failure is not a bad start: fit() rethrows it.
  std::exception_ptr device_error;
};

double nlopt_objective(unsigned n, const double* x, double* grad, void* data) {
  auto* run = static_cast<StartRun*>(data);
  ++run->evaluations;
  try {
    const double f = evaluate(*run->problem, x, grad, run->ws);
    bool finite = std::isfinite(f);
    if (grad) {
      for (unsigned i = 0; i < n && finite; ++i) finite = std::isfinite(grad[i]);
    }
    if (!finite) throw NumericalError("non-finite objective");
    if (f > run->best_f) {
      run->best_f = f;
      run->best_x = Eigen::Map<const Vector>(x, n);
    }
    return f;
  } catch (...) {
    // Never hand NaN/inf to L-BFGS and never let an exception cross the C API.
    try {
      throw;
    } catch (const DeviceError&) {
      run->device_error = std::current_exception();
    } catch (...) {
    }
    run->failed = true;
    if (grad) std::fill(grad, grad + n, 0.0);
    nlopt_force_stop(run->opt);
    return kFailedValue;
  }
}

}  // namespace

void GaussianProcess::fit(const Dataset& data, std::uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  s_->validate(data);
  const GaussianProcessOptions& o = s_->options;
  // Large n: each likelihood costs O(n^3) in BLAS/LAPACK, so one start runs with
  // multi-threaded BLAS (as BoTorch fits from one start). Small n: several starts, in
  // parallel only from a size where the work outweighs OpenMP's wake-up and barrier
  // costs (on a shared machine idle-spinning threads cost more than they give).
  const bool large = data.X.rows() >= o.large_n;
  std::optional<detail::SingleThreadedBlas> single_threaded_blas;
  if (!large) single_threaded_blas.emplace();
  const Eigen::Index d = data.X.cols();
  Layout L(*s_->kernel, o, d);
  Posterior post = s_->prepare(data);

  // Starts: prior modes, the warm start, then prior draws with per-start seeds.
  std::vector<Vector> starts;
  const bool warm_ok =
      s_->warm.size() == L.size && s_->warm.allFinite() && (!s_->fitted || s_->post.X.cols() == d);
  if (large && warm_ok) {
    starts.push_back(L.clip(s_->warm));
  } else {
    starts.push_back(L.defaults(o.priors));
  }
  if (!large && warm_ok && static_cast<int>(starts.size()) < o.restarts) {
    starts.push_back(L.clip(s_->warm));
  }
  for (int k = static_cast<int>(starts.size()); !large && k < o.restarts; ++k) {
    Rng rng(derive_seed(seed, static_cast<std::uint64_t>(k)));
    starts.push_back(L.draw(rng, o.priors));
  }

  Problem pb{s_->kernel.get(), &L, &post.X, &post.y_std, &post.noise_std, o.cholesky};
  choose_device(pb, o.device);
  const int n_starts = static_cast<int>(starts.size());
  std::vector<StartRun> runs(static_cast<std::size_t>(n_starts));
  const int threads =
      large ? 1 : (o.threads > 0 ? o.threads : (data.X.rows() >= 128 ? omp_get_max_threads() : 1));

#pragma omp parallel for schedule(static, 1) num_threads(threads)
  for (int k = 0; k < n_starts; ++k) {
    StartRun& run = runs[static_cast<std::size_t>(k)];
    run.problem = &pb;
    run.opt = nlopt_create(NLOPT_LD_LBFGS, static_cast<unsigned>(L.size));
    if (!run.opt) {
      run.failed = true;
      continue;
    }
    nlopt_set_max_objective(run.opt, nlopt_objective, &run);
    nlopt_set_lower_bounds(run.opt, L.lower.data());
    nlopt_set_upper_bounds(run.opt, L.upper.data());
    nlopt_set_ftol_rel(run.opt, o.ftol_rel);
    nlopt_set_maxeval(run.opt, o.max_evaluations);
    nlopt_set_vector_storage(run.opt, 10);
    Vector x = starts[static_cast<std::size_t>(k)];
    double f = 0.0;
    run.result = nlopt_optimize(run.opt, x.data(), &f);
    nlopt_destroy(run.opt);
    run.opt = nullptr;
  }

  for (const StartRun& run : runs)
    if (run.device_error) std::rethrow_exception(run.device_error);

  // The best start by value, ties to the lower index: independent of the thread count.
  FitSummary summary;
  summary.starts = n_starts;
  int best = -1;
  for (int k = 0; k < n_starts; ++k) {
    const StartRun& run = runs[static_cast<std::size_t>(k)];
    summary.evaluations += run.evaluations;
    if (run.failed) ++summary.failed_starts;
    if (run.best_x.size() == L.size &&
        (best < 0 || run.best_f > runs[static_cast<std::size_t>(best)].best_f)) {
      best = k;
    }
  }

  Vector chosen;
  if (best >= 0) {
    const StartRun& run = runs[static_cast<std::size_t>(best)];
    chosen = run.best_x;
    summary.termination = run.result == NLOPT_MAXEVAL_REACHED ? FitTermination::max_evaluations
                                                              : FitTermination::converged;
  } else {
    // Every start failed: keep the previous parameters when they fit this layout.
    chosen = warm_ok ? L.clip(s_->warm) : L.defaults(o.priors);
    summary.termination = FitTermination::all_starts_failed;
  }
  s_->factor(post, L, chosen);  // throws NumericalError, model unchanged
  summary.log_marginal_likelihood = post.lml;
  {
    Workspace ws;
    summary.objective = evaluate(pb, post.params.data(), nullptr, ws);
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  s_->layout = std::move(L);
  s_->post = std::move(post);
  s_->summary = summary;
  s_->warm = s_->post.params;
  s_->fitted = true;
}

Predictive GaussianProcess::predict(MatrixCRef X) const {
  s_->require_fitted("predict");
  s_->require_point_dimension(X, "X");
  check_finite_matrix(X, "X");
  const Posterior& p = s_->post;
  const Eigen::Index m = X.rows();
  Predictive out;
  const double s = p.y_scale;
  const kernels::Stationary* stationary = device_kernel(*s_->kernel, X.cols());
  if (use_cuda(s_->options.device,
               static_cast<double>(m) * static_cast<double>(p.X.rows()) >=
                   s_->options.device.min_prediction_pairs,
               stationary != nullptr, "GaussianProcess::predict")) {
    const kernels::StationaryScales scales = stationary->scales(p.theta, X.cols());
    gpu::StationaryPredictionInput in;
    in.profile = stationary->profile();
    in.X = &p.X;
    in.inverse_lengthscales = scales.inverse_lengthscales;
    in.outputscale = scales.outputscale;
    in.L = &p.chol.matrixL();
    in.alpha = &p.alpha;
    in.min_variance = kMinVariance;
    out.mean.resize(m);
    out.variance.resize(m);
    (void)gpu::stationary_predict(s_->options.device.device_id, in, X, out.mean, out.variance);
    out.mean = ((out.mean.array() + p.c) * s) + p.y_mean;
    out.variance *= s * s;
    out.noise_variance = Vector::Constant(m, p.fantasy_noise * s * s);
    return out;
  }
  Matrix V = s_->cross(X);  // n x m
  out.mean = (V.transpose() * p.alpha).array() + p.c;
  Vector kss(m);
  s_->kernel->diagonal(X, p.theta, kss);
  p.chol.solve_lower_in_place(V);
  out.variance = (kss - V.colwise().squaredNorm().transpose()).cwiseMax(kMinVariance);
  out.mean = (out.mean * s).array() + p.y_mean;
  out.variance *= s * s;
  out.noise_variance = Vector::Constant(m, p.fantasy_noise * s * s);
  return out;
}

PointPrediction GaussianProcess::predict_with_gradient(VectorCRef x) const {
  s_->require_fitted("predict_with_gradient");
  const Posterior& p = s_->post;
  const Eigen::Index d = p.X.cols();
  if (x.size() != d) {
    throw InvalidArgument("x: got " + std::to_string(x.size()) +
                          " coordinates, expected the fitted dimension " + std::to_string(d));
  }
  check_finite_vector(x, "x");
  const Eigen::Index n = p.X.rows();
  const Matrix xr = x.transpose();
  Matrix v(n, 1);
  s_->kernel->matrix(p.X, xr, p.theta, v);
  Matrix J(n, d);
  s_->kernel->input_gradient(x, p.X, p.theta, J);
  Vector kxx(1);
  s_->kernel->diagonal(xr, p.theta, kxx);
  Vector dkxx(d);
  s_->kernel->diagonal_gradient(x, p.theta, dkxx);

  PointPrediction out;
  const double s = p.y_scale;
  out.mean = p.y_mean + s * (p.c + v.col(0).dot(p.alpha));
  out.mean_gradient = s * (J.transpose() * p.alpha);
  p.chol.solve_lower_in_place(v);
  const double var = kxx(0) - v.col(0).squaredNorm();
  if (var <= kMinVariance) {
    out.variance = kMinVariance * s * s;
    out.variance_gradient = Vector::Zero(d);
  } else {
    out.variance = var * s * s;
    p.chol.solve_upper_in_place(v);  // K^{-1} k_x
    out.variance_gradient = (s * s) * (dkxx - 2.0 * (J.transpose() * v.col(0)));
  }
  return out;
}

Matrix GaussianProcess::posterior_covariance(MatrixCRef X) const {
  s_->require_fitted("posterior_covariance");
  s_->require_point_dimension(X, "X");
  check_finite_matrix(X, "X");
  return s_->standardized_covariance(X) * (s_->post.y_scale * s_->post.y_scale);
}

JointPosterior GaussianProcess::joint_posterior(MatrixCRef X, Eigen::Index coupled) const {
  s_->require_fitted("joint_posterior");
  s_->require_point_dimension(X, "X");
  check_finite_matrix(X, "X");
  const Posterior& p = s_->post;
  const double s = p.y_scale;
  const Eigen::Index m = X.rows();
  const Eigen::Index c = (coupled < 0 || coupled > m) ? m : coupled;
  Matrix V = s_->cross(X);
  JointPosterior out;
  out.mean = ((V.transpose() * p.alpha).array() + p.c) * s + p.y_mean;
  p.chol.solve_lower_in_place(V);
  // Rows [0, c) against every row; the block among rows [c, m) stays 0 when c < m.
  Matrix top(c, m);
  s_->kernel->matrix(X.topRows(c), X, p.theta, top);
  top.noalias() -= V.leftCols(c).transpose() * V;
  out.covariance = Matrix::Zero(m, m);
  out.covariance.topRows(c) = top;
  out.covariance.bottomLeftCorner(m - c, c) = top.rightCols(m - c).transpose();
  out.covariance.topLeftCorner(c, c) = 0.5 * (top.leftCols(c) + top.leftCols(c).transpose()).eval();
  out.covariance *= s * s;
  return out;
}

Matrix GaussianProcess::joint_posterior_gradient(MatrixCRef X, VectorCRef mean_bar,
                                                 MatrixCRef covariance_bar, Eigen::Index coupled,
                                                 Eigen::Index wanted) const {
  s_->require_fitted("joint_posterior_gradient");
  s_->require_point_dimension(X, "X");
  check_finite_matrix(X, "X");
  const Eigen::Index m = X.rows();
  if (mean_bar.size() != m) {
    throw InvalidArgument("mean_bar: got " + std::to_string(mean_bar.size()) +
                          " entries, expected one per row of X (" + std::to_string(m) + ")");
  }
  if (covariance_bar.rows() != m || covariance_bar.cols() != m) {
    throw InvalidArgument("covariance_bar: got " + std::to_string(covariance_bar.rows()) + " x " +
                          std::to_string(covariance_bar.cols()) + ", expected " +
                          std::to_string(m) + " x " + std::to_string(m));
  }
  const Posterior& p = s_->post;
  const Eigen::Index n = p.X.rows();
  const Eigen::Index d = p.X.cols();
  const Eigen::Index c = (coupled < 0 || coupled > m) ? m : coupled;
  const double s = p.y_scale;
  // Sigma = s^2 (K(X,X) - K_*^T K^{-1} K_*) and mean = s K_*^T alpha + const, so with the
  // symmetrized adjoint S_bar the gradient in x_a collects, through k(x_a, .) and the
  // symmetric kernel, 2 sum_b S_bar(a,b) dk(x_a, x_b)/dx_a (the b = a term included,
  // d k(x,x)/dx = 2 d_1 k(x,x)) and the training-data terms through K_*. With c < m the
  // block of S_bar among rows [c, m) is zero, which the products below skip.
  Matrix S_bar = 0.5 * (covariance_bar + covariance_bar.transpose());
  S_bar.bottomRightCorner(m - c, m - c).setZero();
  Matrix A = s_->cross(X);  // n x m, becomes K^{-1} K_*
  p.chol.solve_lower_in_place(A);
  p.chol.solve_upper_in_place(A);
  const Eigen::Index rows = (wanted < 0 || wanted > m) ? m : wanted;
  const Eigen::Index coupled_rows = std::min(c, rows);
  Matrix T(n, rows);  // A S_bar, the wanted columns
  T.noalias() = A.leftCols(c) * S_bar.topLeftCorner(c, rows);
  if (c < m && coupled_rows > 0) {
    T.leftCols(coupled_rows).noalias() +=
        A.rightCols(m - c) * S_bar.block(c, 0, m - c, coupled_rows);
  }
  Matrix grad = Matrix::Zero(m, d);
  Matrix J(n, d), G(m, d);
  Vector w(n);
  for (Eigen::Index a = 0; a < rows; ++a) {
    const Vector xa = X.row(a).transpose();
    s_->kernel->input_gradient(xa, p.X, p.theta, J);
    // Rows beyond c couple only to the first c rows.
    const Eigen::Index partners = a < c ? m : c;
    auto Ga = G.topRows(partners);
    s_->kernel->input_gradient(xa, X.topRows(partners), p.theta, Ga);
    w = (s * mean_bar(a)) * p.alpha - (2.0 * s * s) * T.col(a);
    grad.row(a) =
        (J.transpose() * w + (2.0 * s * s) * (Ga.transpose() * S_bar.col(a).head(partners)))
            .transpose();
  }
  return grad;
}

Matrix GaussianProcess::sample(MatrixCRef X, Eigen::Index n_samples, Rng& rng) const {
  s_->require_fitted("sample");
  s_->require_point_dimension(X, "X");
  check_finite_matrix(X, "X");
  if (n_samples < 0) {
    throw InvalidArgument("n_samples: got " + std::to_string(n_samples) + ", expected >= 0");
  }
  const Posterior& p = s_->post;
  const Eigen::Index m = X.rows();
  // The posterior covariance of close points is nearly singular: escalate the jitter
  // further (up to 1e-3 of the standardized prior variance) than for the training matrix.
  kernels::CholeskyOptions co = s_->options.cholesky;
  co.max_tries = std::max(co.max_tries, 5);
  const kernels::RobustCholesky chol(s_->standardized_covariance(X), co);
  Matrix V = s_->cross(X);
  Vector mean = (V.transpose() * p.alpha).array() + p.c;
  Matrix Z(m, n_samples);
  for (Eigen::Index j = 0; j < n_samples; ++j) Z.col(j) = rng.normal_vector(m);
  Matrix out = (p.y_scale * (chol.matrixL() * Z)).transpose();
  out.rowwise() += (p.y_mean + p.y_scale * mean.array()).matrix().transpose();
  return out;
}

void GaussianProcess::add_observations(MatrixCRef X, VectorCRef y) {
  s_->validate_new_points(X, y, "add_observations");
  Posterior p = s_->post;
  s_->append(p, X, y);
  s_->post = std::move(p);
}

std::unique_ptr<Surrogate> GaussianProcess::condition_on(MatrixCRef X, VectorCRef y) const {
  s_->validate_new_points(X, y, "condition_on");
  auto copy = std::make_unique<GaussianProcess>(*this);
  s_->append(copy->s_->post, X, y);
  return copy;
}

}  // namespace prospect
