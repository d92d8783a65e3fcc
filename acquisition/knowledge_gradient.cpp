#include "prospect/acquisition/knowledge_gradient.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "acquisition/special_functions.hpp"
#include "prospect/acquisition/qmc.hpp"
#include "prospect/acquisition_optimizer.hpp"
#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/random.hpp"

namespace prospect::acquisition {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxFantasies = 4096;
constexpr Eigen::Index kMaxJointPoints = 3667;  // normal_base_samples' dimension limit
constexpr Eigen::Index kTopMeanPoints = 16;     // complete_auxiliary's best Sobol points
constexpr Eigen::Index kTopMeanPool = 512;

std::string number(double v) {
  return detail::format_number(v);
}
std::string count(Eigen::Index v) {
  return std::to_string(v);
}

// The posterior mean as an acquisition, so that optimize_acquisition maximizes it.
class PosteriorMean final : public Acquisition {
 public:
  explicit PosteriorMean(const Surrogate& model) : model_(model) {}
  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override {
    return std::make_unique<PosteriorMean>(model_);
  }
  [[nodiscard]] std::string name() const override { return "posterior_mean"; }
  [[nodiscard]] AcquisitionNeeds needs() const override { return {}; }
  void prepare(const AcquisitionContext&) override {}
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override {
    values = model_.predict(X).mean;
  }
  [[nodiscard]] bool has_gradient() const override { return model_.capabilities().input_gradients; }
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override {
    const PointPrediction p = model_.predict_with_gradient(x);
    grad = p.mean_gradient;
    return p.mean;
  }

 private:
  const Surrogate& model_;
};

void check_model(const Surrogate* model, const char* who) {
  if (model == nullptr) {
    throw InvalidArgument(std::string(who) +
                          ": context.model is null, expected a fitted surrogate");
  }
  if (!model->fitted()) {
    throw InvalidArgument(std::string(who) + ": context.model (\"" + model->name() +
                          "\") is not fitted, expected a fitted surrogate");
  }
  if (!model->capabilities().joint_posterior) {
    throw InvalidArgument(std::string(who) + ": context.model (\"" + model->name() +
                          "\") has no joint posterior, which the knowledge gradient needs");
  }
}

double checked_noise(const Surrogate& model, const char* who) {
  const double noise = model.noise_variance();
  if (!std::isfinite(noise) || noise < 0.0) {
    throw InvalidArgument(std::string(who) + ": the model's noise_variance() is " + number(noise) +
                          ", expected a finite variance >= 0");
  }
  return noise;
}

void check_points(MatrixCRef X, Eigen::Index d, const std::string& what) {
  if (X.rows() > 0 && X.cols() != d) {
    throw InvalidArgument(what + ": got " + count(X.cols()) + " columns, expected the dimension " +
                          count(d));
  }
  if (!X.allFinite()) throw InvalidArgument(what + ": holds non-finite entries, expected finite");
}

void check_mean_options(int restarts, int raw_samples, const char* who) {
  if (restarts < 1) {
    throw InvalidArgument(std::string(who) + ".mean_restarts: got " + std::to_string(restarts) +
                          ", expected >= 1");
  }
  if (raw_samples < restarts) {
    throw InvalidArgument(std::string(who) + ".mean_raw_samples: got " +
                          std::to_string(raw_samples) + ", expected >= mean_restarts (" +
                          std::to_string(restarts) + ")");
  }
}

}  // namespace

// ---------------------------------------------------------------------------------
// Discrete KG

DiscreteKGResult discrete_knowledge_gradient(VectorCRef a, VectorCRef b) {
  const Eigen::Index M = a.size();
  if (M < 1) throw InvalidArgument("discrete_knowledge_gradient: a is empty, expected >= 1 entry");
  if (b.size() != M) {
    throw InvalidArgument("discrete_knowledge_gradient: b has " + count(b.size()) +
                          " entries, expected as many as a (" + count(M) + ")");
  }
  if (!a.allFinite() || !b.allFinite()) {
    throw InvalidArgument(
        "discrete_knowledge_gradient: a or b holds non-finite entries, expected finite");
  }
  // Slopes ascending; within one slope the largest intercept last, the first index
  // winning a complete tie, so that keeping the last of each group is well defined.
  std::vector<Eigen::Index> order(static_cast<std::size_t>(M));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) {
    if (b[i] != b[j]) return b[i] < b[j];
    if (a[i] != a[j]) return a[i] < a[j];
    return i > j;
  });
  std::vector<Eigen::Index> lines;  // the upper envelope, slopes increasing
  std::vector<double> c;            // c[k]: left end of the interval where lines[k] is max
  lines.reserve(order.size());
  c.reserve(order.size());
  for (std::size_t r = 0; r < order.size(); ++r) {
    const Eigen::Index i = order[r];
    if (r + 1 < order.size() && b[order[r + 1]] == b[i]) continue;  // dominated, same slope
    double z = -kInf;
    while (!lines.empty()) {
      const Eigen::Index j = lines.back();
      z = (a[j] - a[i]) / (b[i] - b[j]);
      if (z <= c.back()) {
        lines.pop_back();
        c.pop_back();
        z = -kInf;
      } else {
        break;
      }
    }
    lines.push_back(i);
    c.push_back(z);
  }

  DiscreteKGResult out;
  out.grad_a = Vector::Zero(M);
  out.grad_b = Vector::Zero(M);
  const std::size_t K = lines.size();
  // E[max] - max a = sum over breakpoints of (slope jump) f(-|c|): every term >= 0,
  // so there is no cancellation; f = h of §2.2 taken through log h for full accuracy.
  double value = 0.0;
  for (std::size_t k = 1; k < K; ++k) {
    if (!std::isfinite(c[k])) continue;  // f(-inf) = 0
    value += (b[lines[k]] - b[lines[k - 1]]) * std::exp(special::log_h(-std::abs(c[k])));
  }
  out.value = value;
  for (std::size_t k = 0; k < K; ++k) {
    const double lo = c[k];
    const double hi = k + 1 < K ? c[k + 1] : kInf;
    const Eigen::Index i = lines[k];
    out.grad_a[i] = special::normal_cdf(hi) - special::normal_cdf(lo);
    out.grad_b[i] = special::normal_pdf(lo) - special::normal_pdf(hi);
    // max_i a_i is the envelope at Z = 0.
    if (lo <= 0.0 && 0.0 < hi) out.grad_a[i] -= 1.0;
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Posterior-mean maximum

MeanMaximum maximize_posterior_mean(const Surrogate& model, MatrixCRef anchors, std::uint64_t seed,
                                    int restarts, int raw_samples, VectorCRef target_fidelity) {
  if (!model.fitted()) {
    throw InvalidArgument("maximize_posterior_mean: model (\"" + model.name() +
                          "\") is not fitted, expected a fitted surrogate");
  }
  check_mean_options(restarts, raw_samples, "maximize_posterior_mean");
  const Eigen::Index d = model.dimension();
  check_points(anchors, d, "maximize_posterior_mean: anchors");
  const Eigen::Index m = target_fidelity.size();
  if (m >= d || !target_fidelity.allFinite()) {
    throw InvalidArgument("maximize_posterior_mean: target_fidelity has " + count(m) +
                          " entries, expected finite values for fewer than d = " + count(d) +
                          " columns");
  }
  Matrix projected = anchors;
  DiscreteStructure structure;
  for (Eigen::Index k = 0; k < m; ++k) {
    structure.fixed.emplace_back(d - m + k, target_fidelity[k]);
    if (projected.rows() > 0) projected.col(d - m + k).setConstant(target_fidelity[k]);
  }
  PosteriorMean mean(model);
  AcquisitionOptimizerOptions options;
  options.raw_samples = raw_samples;
  options.restarts = restarts;
  const AcquisitionOptimum best =
      optimize_acquisition(mean, d, structure, seed, options, projected);
  MeanMaximum out{best.x, best.value};
  if (!std::isfinite(out.value)) out.value = -kInf;
  if (projected.rows() > 0) {
    const Vector mu = model.predict(projected).mean;
    Eigen::Index i = 0;
    const double top = mu.maxCoeff(&i);
    if (top > out.value) out = {projected.row(i).transpose(), top};
  }
  if (!std::isfinite(out.value)) {
    throw NumericalError(
        "maximize_posterior_mean: the model's posterior mean is not finite "
        "anywhere it was evaluated");
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Finite-set KG / Frazier noisy EI

FiniteKnowledgeGradient::FiniteKnowledgeGradient(FiniteKG options) : options_(options) {
  check_mean_options(options.mean_restarts, options.mean_raw_samples, "FiniteKG");
}

std::unique_ptr<Acquisition> FiniteKnowledgeGradient::clone() const {
  return std::make_unique<FiniteKnowledgeGradient>(*this);
}

std::string FiniteKnowledgeGradient::name() const {
  return options_.noisy_ei ? "nei" : "finite_kg";
}

void FiniteKnowledgeGradient::prepare(const AcquisitionContext& context) {
  const char* who = options_.noisy_ei ? "nei prepare" : "finite_kg prepare";
  check_model(context.model, who);
  const Eigen::Index d = context.model->dimension();
  if (context.data == nullptr || context.data->X.rows() < 1) {
    throw InvalidArgument(std::string(who) +
                          ": context.data is null or has no rows, expected the observed points");
  }
  check_points(context.data->X, d, std::string(who) + ": context.data->X");
  const double noise = checked_noise(*context.model, who);
  const Matrix& X = context.data->X;
  Matrix A;
  if (options_.noisy_ei) {
    A = X;
  } else {
    const MeanMaximum best = maximize_posterior_mean(
        *context.model, X, context.seed, options_.mean_restarts, options_.mean_raw_samples);
    A.resize(X.rows() + 1, d);
    A << X, best.x.transpose();
  }
  model_ = context.model;
  A_ = std::move(A);
  n_base_ = X.rows();
  noise_ = noise;
}

void FiniteKnowledgeGradient::require_prepared(const char* caller) const {
  if (model_ == nullptr) {
    throw InvalidState(name() + " " + caller + ": call prepare() first");
  }
}

bool FiniteKnowledgeGradient::has_gradient() const {
  return model_ != nullptr && model_->capabilities().joint_gradients;
}

double FiniteKnowledgeGradient::compute(VectorCRef x, Vector* grad) const {
  const Eigen::Index M0 = A_.rows();
  const Eigen::Index d = A_.cols();
  // x first and coupled = 1: only the covariances with x are computed, O(n^2 M) instead
  // of O(n M^2).
  Matrix R(M0 + 1, d);
  R << x.transpose(), A_;
  const JointPosterior jp = model_->joint_posterior(R, 1);
  const double s2 = jp.covariance(0, 0) + noise_;
  if (grad != nullptr) grad->setZero();
  // A sample with no variance (noiseless model at an observed point) teaches nothing.
  if (!(s2 > 0.0)) return 0.0;
  const double s = std::sqrt(s2);
  // Lines in the order [A; x] (the baseline is the head of A).
  Vector a(M0 + 1), b(M0 + 1);
  a << jp.mean.tail(M0), jp.mean[0];
  b << jp.covariance.col(0).tail(M0) / s, jp.covariance(0, 0) / s;
  DiscreteKGResult kg = discrete_knowledge_gradient(a, b);
  double value = kg.value;
  if (options_.noisy_ei) {
    // Baseline over the observed points only: add max_A a - max_base a (§2.3a).
    Eigen::Index all = 0, base = 0;
    const double top_all = a.maxCoeff(&all);
    const double top_base = a.head(n_base_).maxCoeff(&base);
    value += top_all - top_base;
    kg.grad_a[all] += 1.0;
    kg.grad_a[base] -= 1.0;
  }
  if (grad != nullptr) {
    // Only x's own entries of the joint posterior move with x; the adjoints of the fixed
    // rows' mean and covariance would only give gradient rows that are discarded.
    Vector mean_bar = Vector::Zero(M0 + 1);
    mean_bar[0] = kg.grad_a[M0];
    Matrix cov_bar = Matrix::Zero(M0 + 1, M0 + 1);
    // b_i = C(i, x) / s, s = sqrt(C(x, x) + noise): d b_i / d C(x, x) = -b_i / (2 s^2).
    cov_bar.col(0).tail(M0) = kg.grad_b.head(M0) / s;
    cov_bar(0, 0) = kg.grad_b[M0] / s - kg.grad_b.dot(b) / (2.0 * s2);
    const Matrix G = model_->joint_posterior_gradient(R, mean_bar, cov_bar, 1);
    *grad = G.row(0).transpose();
  }
  return value;
}

void FiniteKnowledgeGradient::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  require_prepared("evaluate");
  check_points(X, A_.cols(), name() + " evaluate: X");
  if (values.size() != X.rows()) {
    throw InvalidArgument(name() + " evaluate: values has " + count(values.size()) +
                          " entries, expected one per row of X (" + count(X.rows()) + ")");
  }
  for (Eigen::Index i = 0; i < X.rows(); ++i) values[i] = compute(X.row(i).transpose(), nullptr);
}

double FiniteKnowledgeGradient::evaluate_with_gradient(VectorCRef x,
                                                       Eigen::Ref<Vector> grad) const {
  require_prepared("evaluate_with_gradient");
  if (!has_gradient()) {
    throw InvalidState(name() + " evaluate_with_gradient: the model (\"" + model_->name() +
                       "\") has no joint_posterior_gradient");
  }
  const Eigen::Index d = A_.cols();
  if (x.size() != d || grad.size() != d) {
    throw InvalidArgument(name() + " evaluate_with_gradient: x has " + count(x.size()) +
                          " and grad " + count(grad.size()) + " entries, expected " + count(d));
  }
  if (!x.allFinite()) {
    throw InvalidArgument(name() + " evaluate_with_gradient: x holds non-finite entries");
  }
  Vector g(d);
  const double v = compute(x, &g);
  grad = g;
  return v;
}

// ---------------------------------------------------------------------------------
// One-shot KG

KnowledgeGradient::KnowledgeGradient(KG options) : options_(options) {
  if (options.fantasies < 1 || options.fantasies > kMaxFantasies) {
    throw InvalidArgument("KG.fantasies: got " + std::to_string(options.fantasies) +
                          ", expected in [1, " + std::to_string(kMaxFantasies) + "]");
  }
  check_mean_options(options.mean_restarts, options.mean_raw_samples, "KG");
  if (options.restarts < 0) {
    throw InvalidArgument("KG.restarts: got " + std::to_string(options.restarts) +
                          ", expected >= 0 (0: the optimizer's inner.restarts)");
  }
  if (options.max_evaluations < 0) {
    throw InvalidArgument("KG.max_evaluations: got " + std::to_string(options.max_evaluations) +
                          ", expected >= 0 (0: the optimizer's inner.max_evaluations)");
  }
}

KnowledgeGradient::KnowledgeGradient(MFKG options) : KnowledgeGradient(options.kg) {
  multi_fidelity_ = true;
  cost_aware_ = options.cost_aware;
}

std::unique_ptr<Acquisition> KnowledgeGradient::clone() const {
  return std::make_unique<KnowledgeGradient>(*this);
}

void KnowledgeGradient::set_batch_size(Eigen::Index q) {
  if (q < 1) throw InvalidArgument("kg set_batch_size: q is " + count(q) + ", expected >= 1");
  q_ = q;
  model_ = nullptr;  // base samples and sizes depend on q: prepare() again
}

Eigen::Index KnowledgeGradient::auxiliary_size() const {
  return model_ == nullptr ? 0 : Eigen::Index{options_.fantasies} * design_d_;
}

void KnowledgeGradient::prepare(const AcquisitionContext& context) {
  const std::string who_name = name() + " prepare";
  const char* who = who_name.c_str();
  check_model(context.model, who);
  const Surrogate& model = *context.model;
  const Eigen::Index d = model.dimension();
  check_points(context.X_pending, d, who_name + ": context.X_pending");
  Vector target;
  if (multi_fidelity_) {
    target = context.target_fidelity;
    if (target.size() < 1 || target.size() >= d || !target.allFinite()) {
      throw InvalidArgument(who_name + ": context.target_fidelity has " + count(target.size()) +
                            " entries, expected the targets of 1 to d - 1 = " + count(d - 1) +
                            " fidelity columns (a space with add_fidelity)");
    }
  }
  const Eigen::Index m = target.size();
  const Eigen::Index Q = context.X_pending.rows() + q_;
  if (Q > kMaxJointPoints) {
    throw InvalidArgument(who_name + ": " + count(context.X_pending.rows()) + " pending + q = " +
                          count(q_) + " points, expected at most " + count(kMaxJointPoints));
  }
  Matrix observed(0, d);
  if (context.data != nullptr && context.data->X.rows() > 0) {
    check_points(context.data->X, d, who_name + ": context.data->X");
    observed = context.data->X;
    // The value function lives at the target fidelity: so do its candidates.
    for (Eigen::Index k = 0; k < m; ++k) observed.col(d - m + k).setConstant(target[k]);
  }
  const double noise = checked_noise(model, who);
  Matrix zeta = normal_base_samples(options_.fantasies, Q, derive_seed(context.seed, 1));
  const MeanMaximum best =
      maximize_posterior_mean(model, observed, derive_seed(context.seed, 2), options_.mean_restarts,
                              options_.mean_raw_samples, target);
  // Fixed candidates of complete_auxiliary: observed points, the maximizer, and the best
  // points of a Sobol design under mu_n (other modes of the fantasy means).
  Matrix pool = sobol(kTopMeanPool, d, derive_seed(context.seed, 3));
  for (Eigen::Index k = 0; k < m; ++k) pool.col(d - m + k).setConstant(target[k]);
  const Vector pool_mean = model.predict(pool).mean;
  std::vector<Eigen::Index> idx(static_cast<std::size_t>(kTopMeanPool));
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  std::stable_sort(idx.begin(), idx.end(),
                   [&](Eigen::Index i, Eigen::Index j) { return pool_mean[i] > pool_mean[j]; });
  Matrix candidates(observed.rows() + 1 + kTopMeanPoints, d);
  candidates.topRows(observed.rows()) = observed;
  candidates.row(observed.rows()) = best.x.transpose();
  for (Eigen::Index k = 0; k < kTopMeanPoints; ++k) {
    candidates.row(observed.rows() + 1 + k) = pool.row(idx[static_cast<std::size_t>(k)]);
  }

  model_ = context.model;
  d_ = d;
  design_d_ = d - m;
  target_ = std::move(target);
  cost_ = multi_fidelity_ && cost_aware_ ? context.cost : nullptr;
  pending_ = context.X_pending.rows() > 0 ? Matrix(context.X_pending) : Matrix(0, d);
  zeta_ = std::move(zeta);
  candidates_ = std::move(candidates);
  x_star_ = best.x;
  current_value_ = best.value;
  noise_ = noise;
}

void KnowledgeGradient::require_prepared(const char* caller) const {
  if (model_ == nullptr) throw InvalidState(name() + " " + caller + ": call prepare() first");
}

bool KnowledgeGradient::has_gradient() const {
  return model_ != nullptr && model_->capabilities().joint_gradients;
}

void KnowledgeGradient::check_row(VectorCRef row, const char* caller) const {
  const Eigen::Index expected = q_ * d_ + options_.fantasies * design_d_;
  if (row.size() != expected) {
    throw InvalidArgument(name() + " " + caller + ": a row has " + count(row.size()) +
                          " entries, expected q*d + auxiliary_size() = " + count(expected));
  }
  if (!row.allFinite()) {
    throw InvalidArgument(name() + " " + caller + ": a row holds non-finite entries");
  }
}

namespace {

// L L^T = Sigma(P, P) + noise I for the first Q rows of a joint posterior.
kernels::RobustCholesky fantasy_factor(const Matrix& covariance, Eigen::Index Q, double noise) {
  Matrix C = covariance.topLeftCorner(Q, Q);
  C.diagonal().array() += noise;
  kernels::CholeskyOptions options;
  options.relative = true;  // units of y^2, not standardized
  return kernels::RobustCholesky(C, options);
}

}  // namespace

double KnowledgeGradient::compute(VectorCRef row, Vector* grad) const {
  const Eigen::Index p = pending_.rows();
  const Eigen::Index Q = p + q_;
  const Eigen::Index F = options_.fantasies;
  const Eigen::Index m = Q + F;
  const Eigen::Index d = d_;
  const Eigen::Index dd = design_d_;
  Matrix R(m, d);
  R.topRows(p) = pending_;
  for (Eigen::Index i = 0; i < q_; ++i) R.row(p + i) = row.segment(i * d, d).transpose();
  for (Eigen::Index j = 0; j < F; ++j) {
    R.row(Q + j).head(dd) = row.segment(q_ * d + j * dd, dd).transpose();
    R.row(Q + j).tail(d - dd) = target_.transpose();  // empty for plain KG
  }
  // Only the first Q rows' covariances are used: skip the block among the others.
  const JointPosterior jp = model_->joint_posterior(R, Q);
  kernels::RobustCholesky chol;
  try {
    chol = fantasy_factor(jp.covariance, Q, noise_);
  } catch (const NumericalError&) {
    // The candidates' covariance cannot be factored even with jitter (a model's rounding
    // beyond it): this row has no value, as in the Monte Carlo acquisitions, and the
    // search goes on elsewhere instead of failing the ask.
    if (grad != nullptr) grad->setZero(row.size());
    return -std::numeric_limits<double>::infinity();
  }
  // W = L^{-T} zeta^T: column j maps fantasy j's standardized noise to the update
  // Sigma(x', P) W_j of the posterior mean.
  Matrix W = zeta_.transpose();
  chol.solve_upper_in_place(W);
  const auto S = jp.covariance.block(Q, 0, F, Q);  // Sigma(x'_j, P)
  // Cost of the q candidates (pending points are paid for already).
  double C = 1.0;
  Matrix cost_grad;
  if (cost_) {
    C = 0.0;
    if (grad != nullptr) cost_grad.resize(q_, d);
    for (Eigen::Index i = 0; i < q_; ++i) {
      Vector g;
      C += cost_->cost(row.segment(i * d, d), grad != nullptr ? &g : nullptr);
      if (grad != nullptr) cost_grad.row(i) = g.transpose();
    }
  }
  // U(Delta) = Delta / C for a gain, Delta * C for a loss (InverseCostWeightedUtility).
  Vector dU(F);  // dU / dDelta per fantasy
  double dU_dC = 0.0;
  double total = 0.0;
  for (Eigen::Index j = 0; j < F; ++j) {
    const double gain = jp.mean[Q + j] + S.row(j).dot(W.col(j)) - current_value_;
    if (!cost_) {
      total += gain;
      dU[j] = 1.0;
    } else if (gain > 0.0) {
      total += gain / C;
      dU[j] = 1.0 / C;
      dU_dC -= gain / (C * C);
    } else {
      total += gain * C;
      dU[j] = C;
      dU_dC += gain;
    }
  }
  const double inv_f = 1.0 / static_cast<double>(F);
  const double value = total * inv_f;
  if (grad == nullptr) return value;

  const Vector weight = inv_f * dU;
  Vector mean_bar = Vector::Zero(m);
  mean_bar.tail(F) = weight;
  Matrix cov_bar = Matrix::Zero(m, m);
  cov_bar.block(Q, 0, F, Q) = weight.asDiagonal() * W.transpose();
  // Through W: with G = dvalue/dW = S^T diag(weight), dW = -L^{-T} dL^T W gives
  // L_bar = -W (L^{-1} G)^T (lower triangle read by cholesky_adjoint).
  Matrix H = S.transpose() * weight.asDiagonal();
  chol.solve_lower_in_place(H);
  const Matrix L_bar = -(W * H.transpose());
  cov_bar.topLeftCorner(Q, Q) += cholesky_adjoint(chol.matrixL(), L_bar);
  const Matrix G = model_->joint_posterior_gradient(R, mean_bar, cov_bar, Q);
  for (Eigen::Index i = 0; i < q_; ++i) {
    grad->segment(i * d, d) = G.row(p + i).transpose();
    if (cost_) grad->segment(i * d, d) += inv_f * dU_dC * cost_grad.row(i).transpose();
  }
  for (Eigen::Index j = 0; j < F; ++j)
    grad->segment(q_ * d + j * dd, dd) = G.row(Q + j).head(dd).transpose();
  return value;
}

void KnowledgeGradient::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  require_prepared("evaluate");
  if (values.size() != X.rows()) {
    throw InvalidArgument(name() + " evaluate: values has " + count(values.size()) +
                          " entries, expected one per row of X (" + count(X.rows()) + ")");
  }
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const Vector row = X.row(i).transpose();
    check_row(row, "evaluate");
    values[i] = compute(row, nullptr);
  }
}

double KnowledgeGradient::evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const {
  require_prepared("evaluate_with_gradient");
  if (!has_gradient()) {
    throw InvalidState(name() + " evaluate_with_gradient: the model (\"" + model_->name() +
                       "\") has no joint_posterior_gradient");
  }
  check_row(x, "evaluate_with_gradient");
  if (grad.size() != x.size()) {
    throw InvalidArgument(name() + " evaluate_with_gradient: grad has " + count(grad.size()) +
                          " entries, expected " + count(x.size()));
  }
  Vector g(x.size());
  const double v = compute(x, &g);
  grad = g;
  return v;
}

void KnowledgeGradient::complete_auxiliary(Eigen::Ref<Vector> row) const {
  require_prepared("complete_auxiliary");
  check_row(row, "complete_auxiliary");
  const Eigen::Index p = pending_.rows();
  const Eigen::Index Q = p + q_;
  const Eigen::Index F = options_.fantasies;
  const Eigen::Index d = d_;
  const Eigen::Index dd = design_d_;
  const Eigen::Index nc = candidates_.rows() + q_;
  Matrix R(Q + nc, d);
  R.topRows(p) = pending_;
  for (Eigen::Index i = 0; i < q_; ++i) {
    R.row(p + i) = row.segment(i * d, d).transpose();
    // The candidate's design as a fantasy maximizer, at the target fidelity.
    R.row(Q + candidates_.rows() + i).head(dd) = row.segment(i * d, dd).transpose();
    R.row(Q + candidates_.rows() + i).tail(d - dd) = target_.transpose();
  }
  R.block(Q, 0, candidates_.rows(), d) = candidates_;
  // Only the first Q rows' covariances are used: skip the block among the others.
  const JointPosterior jp = model_->joint_posterior(R, Q);
  kernels::RobustCholesky chol;
  try {
    chol = fantasy_factor(jp.covariance, Q, noise_);
  } catch (const NumericalError&) {
    return;  // no better start than the auxiliary coordinates the row came with
  }
  Matrix W = zeta_.transpose();
  chol.solve_upper_in_place(W);
  // Fantasy means of every candidate (rows) under every fantasy (columns).
  Matrix means = jp.covariance.block(Q, 0, nc, Q) * W;
  means.colwise() += jp.mean.tail(nc);
  for (Eigen::Index j = 0; j < F; ++j) {
    Eigen::Index best = 0;
    means.col(j).maxCoeff(&best);
    row.segment(q_ * d + j * dd, dd) = R.row(Q + best).head(dd).transpose();
  }
}

// ---------------------------------------------------------------------------------
// Factory

std::unique_ptr<Acquisition> make_knowledge_gradient(const KnowledgeGradientChoice& choice) {
  return std::visit(
      [](const auto& options) -> std::unique_ptr<Acquisition> {
        using T = std::decay_t<decltype(options)>;
        if constexpr (std::is_same_v<T, KG> || std::is_same_v<T, MFKG>) {
          return std::make_unique<KnowledgeGradient>(options);
        } else {
          return std::make_unique<FiniteKnowledgeGradient>(options);
        }
      },
      choice);
}

std::string to_string(const KnowledgeGradientChoice& choice) {
  if (std::holds_alternative<KG>(choice)) return "kg";
  if (std::holds_alternative<MFKG>(choice)) return "mfkg";
  return std::get<FiniteKG>(choice).noisy_ei ? "nei" : "finite_kg";
}

}  // namespace prospect::acquisition
