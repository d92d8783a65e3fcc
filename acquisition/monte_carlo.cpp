#include "prospect/acquisition/monte_carlo.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>
#include <vector>

#include "acquisition/smoothed_improvement.hpp"
#include "prospect/acquisition/qmc.hpp"
#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"

namespace prospect::acquisition {

namespace {

// Indexed like MonteCarloOptions.
enum class Kind { ei = 0, log_ei = 1, ucb = 2, log_nei = 3 };
constexpr const char* kNames[] = {"qei", "qlogei", "qucb", "qlognei"};
constexpr const char* kTypeNames[] = {"qEI", "qLogEI", "qUCB", "qLogNEI"};
// Columns of the Sobol direction-number table (normal_base_samples' limit).
constexpr Eigen::Index kSobolMaxDim = 3667;
// Seed stream of the pruning draws (the base samples use the seed itself).
constexpr std::uint64_t kPruneStream = 1;

std::string number(double value) {
  return detail::format_number(value);
}

void check_count(Kind kind, const char* field, int value) {
  if (value < 1) {
    throw InvalidArgument(std::string(kTypeNames[static_cast<int>(kind)]) + "." + field + " is " +
                          std::to_string(value) + ", expected an integer >= 1");
  }
}

void check_temperature(Kind kind, const char* field, double value) {
  if (!(value > 0.0) || std::isinf(value)) {
    throw InvalidArgument(std::string(kTypeNames[static_cast<int>(kind)]) + "." + field + " is " +
                          number(value) + ", expected a finite temperature > 0");
  }
}

// n x dim standard normals: scrambled Sobol where the table reaches, pseudo-random
// beyond (a fixed block that wide only arises with thousands of pending points).
Matrix base_normals(Eigen::Index n, Eigen::Index dim, std::uint64_t seed) {
  if (dim == 0) return Matrix(n, 0);
  if (dim <= kSobolMaxDim) return normal_base_samples(n, dim, seed);
  Rng rng(seed);
  Matrix Z(n, dim);
  for (Eigen::Index j = 0; j < dim; ++j)
    for (Eigen::Index i = 0; i < n; ++i) Z(i, j) = rng.normal();
  return Z;
}

// Posterior covariances of coincident or near-duplicate points are singular: escalate
// the jitter from 1e-8 up to 1e-4 of the mean variance (as GaussianProcess::sample
// does), absolute so that a Schur complement that is ~0 still gets a sensible jitter.
kernels::CholeskyOptions jitter_options(const Matrix& covariance) {
  const double mean_variance = covariance.size() == 0 ? 0.0 : covariance.diagonal().mean();
  const double scale = std::max(mean_variance, std::numeric_limits<double>::min() * 1e10);
  kernels::CholeskyOptions options;
  options.base_jitter = 1e-8 * scale;
  options.max_tries = 5;
  options.relative = false;
  return options;
}

void check_posterior(const JointPosterior& jp, Eigen::Index m, const std::string& who,
                     const Surrogate& model) {
  if (jp.mean.size() != m || jp.covariance.rows() != m || jp.covariance.cols() != m) {
    throw InvalidState(who + ": surrogate \"" + model.name() + "\" returned a joint posterior of " +
                       std::to_string(jp.mean.size()) + " means and a " +
                       std::to_string(jp.covariance.rows()) + " x " +
                       std::to_string(jp.covariance.cols()) + " covariance for " +
                       std::to_string(m) + " rows");
  }
  if (!jp.mean.allFinite() || !jp.covariance.allFinite()) {
    throw NumericalError(who + ": surrogate \"" + model.name() +
                         "\" returned a non-finite joint posterior mean or covariance");
  }
}

// The rows i of X with keep[i] set, in their original order.
Matrix select_rows(const Matrix& X, const std::vector<char>& keep) {
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    if (keep[static_cast<std::size_t>(i)]) rows.push_back(i);
  Matrix out(static_cast<Eigen::Index>(rows.size()), X.cols());
  for (std::size_t k = 0; k < rows.size(); ++k)
    out.row(static_cast<Eigen::Index>(k)) = X.row(rows[k]);
  return out;
}

// Rows of X that are the argmax of f in at least one of `draws` joint posterior samples
// (BoTorch's prune_inferior_points with max_frac = 1), in their original order.
Matrix prune_baseline(const Surrogate& model, const Matrix& X, int draws, std::uint64_t seed) {
  const Eigen::Index n = X.rows();
  if (n == 1) return X;
  std::vector<char> keep(static_cast<std::size_t>(n), 0);
  if (model.capabilities().function_samples) {
    // The posterior is the model's functions themselves: keep each one's argmax.
    const Matrix F = model.function_values(X);
    for (Eigen::Index i = 0; i < F.rows(); ++i) {
      Eigen::Index best = 0;
      F.row(i).maxCoeff(&best);
      keep[static_cast<std::size_t>(best)] = 1;
    }
    return select_rows(X, keep);
  }
  const JointPosterior jp = model.joint_posterior(X);
  check_posterior(jp, n, "qlognei prepare()", model);
  const kernels::RobustCholesky chol(jp.covariance, jitter_options(jp.covariance));
  const Matrix Lt = chol.matrixL().transpose();
  // The draws in blocks keep the sample matrix at O(block n) for large n.
  const Eigen::Index block = 256;
  const Matrix Z = base_normals(draws, n, derive_seed(seed, kPruneStream));
  for (Eigen::Index start = 0; start < draws; start += block) {
    const Eigen::Index rows = std::min<Eigen::Index>(block, draws - start);
    Matrix F = Z.middleRows(start, rows) * Lt;
    F.rowwise() += jp.mean.transpose();
    for (Eigen::Index i = 0; i < rows; ++i) {
      Eigen::Index best = 0;
      F.row(i).maxCoeff(&best);
      keep[static_cast<std::size_t>(best)] = 1;
    }
  }
  return select_rows(X, keep);
}

}  // namespace

MonteCarloAcquisition::MonteCarloAcquisition(MonteCarloOptions options)
    : options_(std::move(options)) {
  const auto kind = static_cast<Kind>(options_.index());
  std::visit(
      [kind](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        check_count(kind, "samples", o.samples);
        if constexpr (std::is_same_v<T, qLogEI> || std::is_same_v<T, qLogNEI>) {
          check_temperature(kind, "tau_relu", o.tau_relu);
          check_temperature(kind, "tau_max", o.tau_max);
        }
        if constexpr (std::is_same_v<T, qLogNEI>)
          check_count(kind, "prune_samples", o.prune_samples);
        if constexpr (std::is_same_v<T, qUCB>) {
          if (!(o.beta >= 0.0) || std::isinf(o.beta)) {
            throw InvalidArgument("qUCB.beta is " + number(o.beta) +
                                  ", expected a finite variance multiplier >= 0");
          }
        }
      },
      options_);
}

std::unique_ptr<Acquisition> MonteCarloAcquisition::clone() const {
  return std::make_unique<MonteCarloAcquisition>(*this);
}

std::string MonteCarloAcquisition::name() const {
  return kNames[options_.index()];
}

Eigen::Index MonteCarloAcquisition::samples() const {
  return std::visit([](const auto& o) { return static_cast<Eigen::Index>(o.samples); }, options_);
}

std::pair<double, double> MonteCarloAcquisition::temperatures() const {
  if (const auto* o = std::get_if<qLogEI>(&options_)) return {o->tau_relu, o->tau_max};
  if (const auto* o = std::get_if<qLogNEI>(&options_)) return {o->tau_relu, o->tau_max};
  return {0.0, 0.0};
}

void MonteCarloAcquisition::set_batch_size(Eigen::Index q) {
  if (q < 1) {
    throw InvalidArgument(name() + " set_batch_size(): q is " + std::to_string(q) +
                          ", expected a batch size >= 1");
  }
  if (q == q_) return;
  // The base samples have one column per free point: a new q needs a new prepare().
  q_ = q;
  model_ = nullptr;
  X_fixed_.resize(0, 0);
  n_baseline_ = 0;
  chol_fixed_ = kernels::RobustCholesky();
  Z_fixed_.resize(0, 0);
  Z_free_.resize(0, 0);
  xi_pending_.resize(0, 0);
  best_.resize(0);
  pending_terms_.reset();
}

void MonteCarloAcquisition::prepare(const AcquisitionContext& context) {
  const std::string who = name() + " prepare()";
  const Surrogate* model = context.model;
  if (model == nullptr) {
    throw InvalidArgument(who + ": context.model is null, expected a fitted surrogate");
  }
  if (!model->fitted()) {
    throw InvalidArgument(who + ": context.model (\"" + model->name() +
                          "\") is not fitted, expected a fitted surrogate");
  }
  const bool functions = model->capabilities().function_samples;
  if (!model->capabilities().joint_posterior && !functions) {
    throw InvalidArgument(who + ": context.model (\"" + model->name() +
                          "\") gives neither a joint posterior nor posterior functions, one of "
                          "which Monte Carlo acquisitions need");
  }
  const Eigen::Index d = model->dimension();
  const Matrix& P = context.X_pending;
  if (P.rows() > 0 && P.cols() != d) {
    throw InvalidArgument(who + ": context.X_pending has " + std::to_string(P.cols()) +
                          " columns, expected the model dimension " + std::to_string(d));
  }
  if (!P.allFinite()) {
    throw InvalidArgument(who + ": context.X_pending has non-finite entries");
  }
  const auto kind = static_cast<Kind>(options_.index());
  if ((kind == Kind::ei || kind == Kind::log_ei) && !std::isfinite(context.incumbent)) {
    throw InvalidArgument(who + ": context.incumbent is " + number(context.incumbent) +
                          ", expected a finite best value");
  }
  Matrix baseline(0, d);
  if (kind == Kind::log_nei) {
    const Dataset* data = context.data;
    if (data == nullptr || data->X.rows() == 0) {
      throw InvalidArgument(who + ": context.data is " +
                            std::string(data == nullptr ? "null" : "empty") +
                            ", expected the observations the model was fitted on (the baseline)");
    }
    if (data->X.cols() != d || !data->X.allFinite()) {
      throw InvalidArgument(who + ": context.data->X has " + std::to_string(data->X.cols()) +
                            " columns" + (data->X.allFinite() ? "" : " and non-finite entries") +
                            ", expected finite rows of the model dimension " + std::to_string(d));
    }
    baseline =
        prune_baseline(*model, data->X, std::get<qLogNEI>(options_).prune_samples, context.seed);
  }
  const Eigen::Index b = baseline.rows();
  const Eigen::Index p = P.rows();
  const Eigen::Index f = b + p;
  const Eigen::Index N = functions ? model->function_count() : samples();

  Matrix X_fixed(f, d);
  X_fixed.topRows(b) = baseline;
  if (p > 0) X_fixed.bottomRows(p) = P;
  const Matrix Z = functions ? Matrix(N, 0) : base_normals(N, f + q_, context.seed);
  kernels::RobustCholesky chol;
  Matrix xi_fixed(N, f);
  if (functions) {
    if (f > 0) xi_fixed = model->function_values(X_fixed);
    if (xi_fixed.rows() != N || !xi_fixed.allFinite()) {
      throw NumericalError(who + ": surrogate \"" + model->name() +
                           "\" gave non-finite or mis-sized function values");
    }
  } else if (f > 0) {
    const JointPosterior jp = model->joint_posterior(X_fixed);
    check_posterior(jp, f, who, *model);
    chol.compute(jp.covariance, jitter_options(jp.covariance));
    xi_fixed.noalias() = Z.leftCols(f) * chol.matrixL().transpose();
    xi_fixed.rowwise() += jp.mean.transpose();
  }
  Vector best(N);
  if (kind == Kind::log_nei) {
    best = xi_fixed.leftCols(b).rowwise().maxCoeff();
  } else {
    best.setConstant(context.incumbent);
  }
  std::shared_ptr<smoothed::KnownColumns> pending_terms;
  if ((kind == Kind::log_ei || kind == Kind::log_nei) && p > 0) {
    pending_terms = std::make_shared<smoothed::KnownColumns>();
    pending_terms->compute(xi_fixed.rightCols(p), best, temperatures().first);
    if (pending_terms->columns() == 0) pending_terms.reset();
  }

  model_ = model;
  incumbent_ = context.incumbent;
  X_fixed_ = std::move(X_fixed);
  n_baseline_ = b;
  chol_fixed_ = std::move(chol);
  functions_ = functions;
  Z_fixed_ = functions ? Matrix() : Matrix(Z.leftCols(f));
  Z_free_ = functions ? Matrix(N, 0) : Matrix(Z.rightCols(q_));
  xi_pending_ = xi_fixed.rightCols(p);
  best_ = std::move(best);
  pending_terms_ = std::move(pending_terms);
}

void MonteCarloAcquisition::require_prepared(const char* caller) const {
  if (model_ == nullptr) {
    throw InvalidState(name() + " " + caller +
                       "(): the acquisition is not prepared; call prepare() with a fitted model "
                       "first (after set_batch_size())");
  }
}

bool MonteCarloAcquisition::has_gradient() const {
  return model_ != nullptr && (functions_ ? model_->capabilities().input_gradients
                                          : model_->capabilities().joint_gradients);
}

// The sample average of the per-sample utility over Y (N x r: pending columns, then the
// free points) and, when Y_bar is given, its adjoint d value / d Y.
double MonteCarloAcquisition::reduce(const Matrix& Y, Matrix* Y_bar) const {
  const Eigen::Index N = Y.rows();
  const Eigen::Index r = Y.cols();
  const double inv_n = 1.0 / static_cast<double>(N);
  const auto kind = static_cast<Kind>(options_.index());
  if (Y_bar != nullptr) Y_bar->setZero(N, r);

  if (kind == Kind::ei) {
    double sum = 0.0;
    for (Eigen::Index i = 0; i < N; ++i) {
      Eigen::Index k = 0;
      const double improvement = Y.row(i).maxCoeff(&k) - best_[i];
      if (improvement > 0.0) {
        sum += improvement;
        if (Y_bar != nullptr) (*Y_bar)(i, k) = inv_n;
      }
    }
    return sum * inv_n;
  }

  if (kind == Kind::ucb) {
    const double beta_prime = std::sqrt(std::get<qUCB>(options_).beta * std::numbers::pi / 2.0);
    const Vector m = Y.colwise().mean().transpose();
    // Through m_k every sample's value depends on every sample: count per column the
    // weight (1 - beta' s_i) of the samples whose max it is.
    Vector column_weight = Vector::Zero(r);
    double sum = 0.0;
    for (Eigen::Index i = 0; i < N; ++i) {
      Eigen::Index k = 0;
      double g = -std::numeric_limits<double>::infinity();
      for (Eigen::Index j = 0; j < r; ++j) {
        const double v = m[j] + beta_prime * std::abs(Y(i, j) - m[j]);
        if (v > g) {
          g = v;
          k = j;
        }
      }
      sum += g;
      if (Y_bar != nullptr) {
        const double diff = Y(i, k) - m[k];
        const double s = diff > 0.0 ? 1.0 : (diff < 0.0 ? -1.0 : 0.0);
        (*Y_bar)(i, k) += beta_prime * s * inv_n;
        column_weight[k] += (1.0 - beta_prime * s) * inv_n;
      }
    }
    if (Y_bar != nullptr) {
      for (Eigen::Index j = 0; j < r; ++j) Y_bar->col(j).array() += column_weight[j] * inv_n;
    }
    return sum * inv_n;
  }

  // qLogEI / qLogNEI: logmeanexp_i fatmax_j log fatplus(Y_ij - best_i).
  const auto [tau_relu, tau_max] = temperatures();
  const double log_tau = std::log(tau_relu);
  Vector a(N);
  if (!smoothed::log_terms_packed(Y, best_, tau_relu, log_tau, tau_max, a, Y_bar,
                                  pending_terms_.get())) {
    smoothed::log_terms_rows(Y, best_, tau_relu, log_tau, tau_max, a, Y_bar);
  }
  return smoothed::log_mean_exp(a, Y_bar);
}

// Sample-based surrogates: the samples are the model's S functions (all of them, so the
// average is the exact expectation under the model's posterior), each evaluated at the
// whole batch, which keeps the joint of the q points within one function.
double MonteCarloAcquisition::run_on_functions(const Matrix& Xq, Vector* grad,
                                               const std::string& who) const {
  const Eigen::Index p = xi_pending_.cols();
  const Eigen::Index q = q_;
  const Eigen::Index d = Xq.cols();
  const Matrix F = model_->function_values(Xq);
  if (F.rows() != xi_pending_.rows() || F.cols() != q || !F.allFinite()) {
    throw NumericalError(who + ": surrogate \"" + model_->name() +
                         "\" gave non-finite or mis-sized function values");
  }
  Matrix Y(F.rows(), p + q);
  if (p > 0) Y.leftCols(p) = xi_pending_;
  Y.rightCols(q) = F;
  Matrix Y_bar;
  const double value = reduce(Y, grad != nullptr ? &Y_bar : nullptr);
  if (std::isnan(value)) throw NumericalError(who + ": the Monte Carlo estimate is NaN");
  if (grad == nullptr) return value;
  const Matrix G = model_->function_values_gradient(Xq, Y_bar.rightCols(q));
  grad->resize(q * d);
  for (Eigen::Index j = 0; j < q; ++j) grad->segment(j * d, d) = G.row(j).transpose();
  return value;
}

double MonteCarloAcquisition::run(const Matrix& Xq, Vector* grad) const {
  const Eigen::Index f = X_fixed_.rows();
  const Eigen::Index p = xi_pending_.cols();
  const Eigen::Index q = q_;
  const Eigen::Index d = Xq.cols();
  const Eigen::Index N = Z_free_.rows();
  const std::string who = name() + (grad != nullptr ? " evaluate_with_gradient()" : " evaluate()");
  if (functions_) return run_on_functions(Xq, grad, who);

  // The free rows first, coupled: the fixed block's covariance is known (chol_fixed_),
  // so the model computes only the free rows' covariances and their gradients.
  Matrix R(q + f, d);
  R.topRows(q) = Xq;
  R.bottomRows(f) = X_fixed_;
  const JointPosterior jp = model_->joint_posterior(R, q);
  check_posterior(jp, f + q, who, *model_);

  // Cached root: [L_FF 0; L_xF L_xx] with L_FF from prepare().
  Matrix LxF(q, f);
  if (f > 0) {
    Matrix B = jp.covariance.bottomLeftCorner(f, q);
    chol_fixed_.solve_lower_in_place(B);  // L_FF^{-1} Sigma_Fx = L_xF^T
    LxF = B.transpose();
  }
  Matrix S = jp.covariance.topLeftCorner(q, q);
  if (f > 0) S.noalias() -= LxF * LxF.transpose();
  const Matrix Sxx = jp.covariance.topLeftCorner(q, q);
  kernels::RobustCholesky chol_x;
  try {
    chol_x.compute(S, jitter_options(Sxx));
  } catch (const NumericalError&) {
    // S is the covariance of the candidates given the fixed points, >= 0 in exact
    // arithmetic; it comes out clearly negative only when the fixed block is nearly
    // singular and the candidates sit on it (smooth kernels, close points). Such
    // candidates teach nothing new: the lowest value, no gradient, and the inner
    // optimizer moves elsewhere instead of the whole ask failing. (The gradient must
    // still have its q*d entries: the caller copies them out.)
    if (grad != nullptr) grad->setZero(q * d);
    return -std::numeric_limits<double>::infinity();
  }
  const Matrix& Lxx = chol_x.matrixL();

  Matrix Y(N, p + q);
  if (p > 0) Y.leftCols(p) = xi_pending_;
  {
    Matrix xi = Z_free_ * Lxx.transpose();
    if (f > 0) xi.noalias() += Z_fixed_ * LxF.transpose();
    xi.rowwise() += jp.mean.head(q).transpose();
    Y.rightCols(q) = xi;
  }

  Matrix Y_bar;
  const double value = reduce(Y, grad != nullptr ? &Y_bar : nullptr);
  if (std::isnan(value)) {
    throw NumericalError(who + ": the Monte Carlo estimate is NaN");
  }
  if (grad == nullptr) return value;

  // Reverse mode (ALGORITHMS.md §2.4) through xi = mu_x + L_xF z_F + L_xx z_x.
  const Matrix Xi_bar = Y_bar.rightCols(q);  // N x q
  Vector mean_bar = Vector::Zero(f + q);
  mean_bar.head(q) = Xi_bar.colwise().sum().transpose();
  const Matrix Lxx_bar = Xi_bar.transpose() * Z_free_;
  const Matrix S_bar = cholesky_adjoint(Lxx, Lxx_bar);
  Matrix C_bar = Matrix::Zero(f + q, f + q);
  C_bar.topLeftCorner(q, q) = S_bar;
  if (f > 0) {
    // S = Sigma_xx - L_xF L_xF^T adds -2 S_bar L_xF to L_xF's adjoint; then
    // L_xF = Sigma_xF L_FF^{-T} gives Sigma_xF_bar = L_xF_bar L_FF^{-1}.
    Matrix LxF_bar = Xi_bar.transpose() * Z_fixed_;
    LxF_bar.noalias() -= 2.0 * S_bar * LxF;
    Matrix T = LxF_bar.transpose();       // f x q
    chol_fixed_.solve_upper_in_place(T);  // L_FF^{-T} L_xF_bar^T
    C_bar.topRightCorner(q, f) = T.transpose();
  }
  const Matrix G = model_->joint_posterior_gradient(R, mean_bar, C_bar, q, q);
  if (G.rows() != f + q || G.cols() != d || !G.allFinite()) {
    throw NumericalError(who + ": surrogate \"" + model_->name() +
                         "\" returned a joint-posterior gradient of " + std::to_string(G.rows()) +
                         " x " + std::to_string(G.cols()) + " (expected " + std::to_string(f + q) +
                         " x " + std::to_string(d) + ", finite)");
  }
  grad->resize(q * d);
  for (Eigen::Index j = 0; j < q; ++j) grad->segment(j * d, d) = G.row(j).transpose();
  return value;
}

void MonteCarloAcquisition::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  require_prepared("evaluate");
  const Eigen::Index d = model_->dimension();
  if (X.cols() != q_ * d) {
    throw InvalidArgument(name() + " evaluate(): X has " + std::to_string(X.cols()) +
                          " columns, expected q*d = " + std::to_string(q_) + "*" +
                          std::to_string(d) + " = " + std::to_string(q_ * d));
  }
  if (values.size() != X.rows()) {
    throw InvalidArgument(name() + " evaluate(): values has size " + std::to_string(values.size()) +
                          ", expected one per row of X (" + std::to_string(X.rows()) + ")");
  }
  if (!X.allFinite()) {
    throw InvalidArgument(name() + " evaluate(): X has non-finite entries");
  }
  if (q_ == 1 && !functions_ && X.rows() > 1) {
    evaluate_points(X, values);
    return;
  }
  Matrix Xq(q_, d);
  for (Eigen::Index row = 0; row < X.rows(); ++row) {
    for (Eigen::Index j = 0; j < q_; ++j) Xq.row(j) = X.row(row).segment(j * d, d);
    values[row] = run(Xq, nullptr);
  }
}

// One free point per row: run()'s root [L_FF 0; l_c^T sqrt(s_c)] needs, per candidate c,
// l_c = L_FF^{-1} Sigma_Fc and s_c = sigma_c^2 - |l_c|^2, all of which one joint posterior
// of the fixed rows and a block of candidates gives; the candidates' samples are then
// one product, xi = mu^T + Z_F [l_c ...] + z_x [sqrt(s_c) ...]. A candidate with s_c <= 0
// (on top of a fixed point) goes through run(), which escalates the jitter.
void MonteCarloAcquisition::evaluate_points(MatrixCRef X, Eigen::Ref<Vector> values) const {
  constexpr Eigen::Index kBlock = 64;
  const Eigen::Index f = X_fixed_.rows();
  const Eigen::Index p = xi_pending_.cols();
  const Eigen::Index d = X.cols();
  const Eigen::Index N = Z_free_.rows();
  const std::string who = name() + " evaluate()";
  Matrix Y(N, p + 1);
  if (p > 0) Y.leftCols(p) = xi_pending_;
  const auto kind = static_cast<Kind>(options_.index());
  const bool log_kind = kind == Kind::log_ei || kind == Kind::log_nei;
  const auto [tau_relu, tau_max] = temperatures();
  for (Eigen::Index start = 0; start < X.rows(); start += kBlock) {
    const Eigen::Index m = std::min(kBlock, X.rows() - start);
    // The block first, coupled, as in run(): the fixed block's covariance is not recomputed.
    Matrix R(m + f, d);
    R.topRows(m) = X.middleRows(start, m);
    R.bottomRows(f) = X_fixed_;
    const JointPosterior jp = model_->joint_posterior(R, m);
    check_posterior(jp, f + m, who, *model_);
    Matrix LFx = jp.covariance.bottomLeftCorner(f, m);  // columns l_c after the solve
    Matrix xi(N, m);
    if (f > 0) {
      chol_fixed_.solve_lower_in_place(LFx);
      xi.noalias() = Z_fixed_ * LFx;
    } else {
      xi.setZero();
    }
    std::vector<char> through_run(static_cast<std::size_t>(m), 0);
    for (Eigen::Index c = 0; c < m; ++c) {
      const double s = jp.covariance(c, c) - (f > 0 ? LFx.col(c).squaredNorm() : 0.0);
      if (!(s > 0.0) || !std::isfinite(s)) {
        through_run[static_cast<std::size_t>(c)] = 1;
        xi.col(c).setZero();  // a placeholder; its value comes from run()
        continue;
      }
      xi.col(c) += std::sqrt(s) * Z_free_.col(0);
      xi.col(c).array() += jp.mean[c];
    }
    auto block_values = values.segment(start, m);
    const bool packed =
        log_kind && smoothed::log_values_of_columns(xi, best_, tau_relu, std::log(tau_relu),
                                                    tau_max, pending_terms_.get(), block_values);
    for (Eigen::Index c = 0; c < m; ++c) {
      if (through_run[static_cast<std::size_t>(c)]) {
        block_values[c] = run(R.row(c), nullptr);
      } else if (!packed) {
        Y.col(p) = xi.col(c);
        block_values[c] = reduce(Y, nullptr);
      }
      if (std::isnan(block_values[c])) {
        throw NumericalError(who + ": the Monte Carlo estimate is NaN");
      }
    }
  }
}

double MonteCarloAcquisition::evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const {
  require_prepared("evaluate_with_gradient");
  if (!has_gradient()) return Acquisition::evaluate_with_gradient(x, grad);
  const Eigen::Index d = model_->dimension();
  if (x.size() != q_ * d || grad.size() != q_ * d) {
    throw InvalidArgument(name() + " evaluate_with_gradient(): x has size " +
                          std::to_string(x.size()) + " and grad size " +
                          std::to_string(grad.size()) + ", expected q*d = " + std::to_string(q_) +
                          "*" + std::to_string(d) + " = " + std::to_string(q_ * d));
  }
  if (!x.allFinite()) {
    throw InvalidArgument(name() + " evaluate_with_gradient(): x has non-finite entries");
  }
  Matrix Xq(q_, d);
  for (Eigen::Index j = 0; j < q_; ++j) Xq.row(j) = x.segment(j * d, d).transpose();
  Vector g;
  const double value = run(Xq, &g);
  grad = g;
  return value;
}

// ---------------------------------------------------------------------------------------

std::unique_ptr<Acquisition> make_monte_carlo(const MonteCarloOptions& options) {
  return std::make_unique<MonteCarloAcquisition>(options);
}

std::string monte_carlo_name(const MonteCarloOptions& options) {
  return kNames[options.index()];
}

MonteCarloOptions monte_carlo_from_string(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "qei") return qEI{};
  if (lower == "qlogei") return qLogEI{};
  if (lower == "qucb") return qUCB{};
  if (lower == "qlognei") return qLogNEI{};
  throw InvalidArgument("Monte Carlo acquisition name \"" + name +
                        "\" is unknown, expected one of: qei, qlogei, qucb, qlognei");
}

}  // namespace prospect::acquisition
