// NARGP: one GP per level, deterministic mean propagation for training, Monte Carlo
// propagation for prediction. Formulas: ALGORITHMS.md §3.4; conventions in the header.
#include "prospect/surrogates/multi_fidelity/nonlinear_ar1.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/nargp.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/random.hpp"

namespace prospect {

namespace {

constexpr double kLevelTolerance = 1e-9;
constexpr double kInputTolerance = 1e-9;
/// Floor of the standard deviation in the chain rule through sqrt (§3.4: sqrt(1e-10)).
constexpr double kMinStddev = 1e-5;
/// Rows of one batched level prediction (bounds the memory of a predict() call).
constexpr Eigen::Index kChunkRows = 1 << 14;

std::string num(double v) {
  return detail::format_number(v);
}

/// z = (x, u) rows: the design point and the mapped previous output.
Matrix augment(MatrixCRef X, VectorCRef u) {
  Matrix Z(X.rows(), X.cols() + 1);
  Z.leftCols(X.cols()) = X;
  Z.col(X.cols()) = u;
  return Z;
}

}  // namespace

std::vector<std::string> NonlinearAR1Options::validate() const {
  std::vector<std::string> problems;
  if (levels < 2) {
    problems.push_back("levels: got " + std::to_string(levels) + ", expected >= 2");
  }
  if (samples < 1) {
    problems.push_back("samples: got " + std::to_string(samples) + ", expected >= 1");
  }
  if (max_paths < samples) {
    problems.push_back("max_paths: got " + std::to_string(max_paths) + ", expected >= samples (" +
                       std::to_string(samples) + ")");
  }
  if (restarts < 1) {
    problems.push_back("restarts: got " + std::to_string(restarts) + ", expected >= 1");
  }
  if (max_evaluations < 1) {
    problems.push_back("max_evaluations: got " + std::to_string(max_evaluations) +
                       ", expected >= 1");
  }
  if (!(lower_noise > 0.0) || !std::isfinite(lower_noise)) {
    problems.push_back("lower_noise: got " + num(lower_noise) + ", expected a finite value > 0");
  }
  if (top_noise != NoiseModel::learned && top_noise != NoiseModel::none) {
    problems.push_back(std::string("top_noise: got ") + to_string(top_noise) +
                       ", expected learned or none");
  }
  if (!(top_nugget > 0.0) || !std::isfinite(top_nugget)) {
    problems.push_back("top_nugget: got " + num(top_nugget) + ", expected a finite value > 0");
  }
  return problems;
}

/// The data of a fit split by level (design columns only).
struct NonlinearAR1::Split {
  Eigen::Index d = 0;
  std::vector<Matrix> X;
  std::vector<Vector> y;
};

NonlinearAR1::NonlinearAR1(NonlinearAR1Options options) : options_(options) {
  const auto problems = options_.validate();
  if (!problems.empty()) {
    std::string message = "NonlinearAR1Options: ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
      if (i) message += "; ";
      message += problems[i];
    }
    throw InvalidOptions(message);
  }
  // Children per parent path into level l: S while the paths stay within max_paths.
  children_.assign(static_cast<std::size_t>(options_.levels), 1);
  Eigen::Index parents = 1;
  for (int l = 1; l < options_.levels; ++l) {
    Eigen::Index c = options_.samples;
    if (parents * c > options_.max_paths)
      c = std::max<Eigen::Index>(1, options_.max_paths / parents);
    children_[static_cast<std::size_t>(l)] = c;
    parents *= c;
  }
}

std::unique_ptr<Surrogate> NonlinearAR1::clone() const {
  return std::make_unique<NonlinearAR1>(*this);
}

std::string NonlinearAR1::name() const {
  return "nargp(L=" + std::to_string(options_.levels) + ")";
}

SurrogateCapabilities NonlinearAR1::capabilities() const {
  SurrogateCapabilities c;
  c.input_gradients = true;
  return c;
}

bool NonlinearAR1::fitted() const {
  return fitted_;
}

Eigen::Index NonlinearAR1::dimension() const {
  return fitted_ ? d_ + 1 : 0;
}

void NonlinearAR1::require_fitted(const char* what) const {
  if (!fitted_) {
    throw InvalidState(std::string("NonlinearAR1::") + what +
                       ": the model is not fitted; call fit() or restore() first");
  }
}

bool NonlinearAR1::can_fit(const Dataset& data) const {
  if (data.X.cols() < 2) return false;
  std::vector<bool> seen(static_cast<std::size_t>(options_.levels), false);
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const int l = level_or_none(data.X(i, data.X.cols() - 1));
    if (l >= 0) seen[static_cast<std::size_t>(l)] = true;
  }
  return std::all_of(seen.begin(), seen.end(), [](bool b) { return b; });
}

int NonlinearAR1::level_or_none(double s) const {
  const double top = static_cast<double>(options_.levels - 1);
  const double r = std::round(s * top);
  if (!std::isfinite(s) || r < 0.0 || r > top || std::abs(s - r / top) > kLevelTolerance) {
    return -1;
  }
  return static_cast<int>(r);
}

int NonlinearAR1::decode_level(double s, const std::string& what) const {
  const int level = level_or_none(s);
  if (level < 0) {
    throw InvalidArgument(what + ": got " + num(s) + ", expected a fidelity level l / " +
                          std::to_string(options_.levels - 1) + " for l in 0.." +
                          std::to_string(options_.levels - 1) +
                          " (L = " + std::to_string(options_.levels) + " levels)");
  }
  return level;
}

Eigen::Index NonlinearAR1::paths(int level) const {
  if (level < 0 || level >= options_.levels) {
    throw OutOfRange("level: got " + std::to_string(level) + ", expected 0.." +
                     std::to_string(options_.levels - 1));
  }
  Eigen::Index p = 1;
  for (int l = 1; l <= level; ++l) p *= children_[static_cast<std::size_t>(l)];
  return p;
}

const GaussianProcess& NonlinearAR1::level_model(int level) const {
  require_fitted("level_model");
  if (level < 0 || level >= options_.levels) {
    throw OutOfRange("level: got " + std::to_string(level) + ", expected 0.." +
                     std::to_string(options_.levels - 1));
  }
  return *models_[static_cast<std::size_t>(level)];
}

double NonlinearAR1::noise_variance() const {
  require_fitted("noise_variance");
  return models_.back()->noise_variance();
}

GaussianProcessOptions NonlinearAR1::level_options(int level) const {
  GaussianProcessOptions o;
  o.priors = options_.priors;
  o.restarts = options_.restarts;
  o.max_evaluations = options_.max_evaluations;
  o.require_unit_cube = level == 0;
  if (level < options_.levels - 1) {
    o.noise = NoiseModel::none;
    o.noiseless_nugget = options_.lower_noise;
  } else {
    o.noise = options_.top_noise;
    o.noiseless_nugget = options_.top_nugget;
  }
  return o;
}

Eigen::Index NonlinearAR1::level_size(int level, Eigen::Index d) const {
  const Eigen::Index kernel =
      level == 0 ? d
                 : static_cast<Eigen::Index>(kernels::NargpKernel().hyperparameters(d + 1).size());
  const bool learned_noise =
      level == options_.levels - 1 && options_.top_noise == NoiseModel::learned;
  return kernel + (learned_noise ? 1 : 0) + 1;  // + constant mean
}

NonlinearAR1::Split NonlinearAR1::split(const Dataset& data) const {
  const Eigen::Index n = data.X.rows();
  const Eigen::Index D = data.X.cols();
  if (n == 0 || D < 2) {
    throw InvalidArgument("data.X: got " + std::to_string(n) + " x " + std::to_string(D) +
                          ", expected at least one observation with d >= 1 design columns and "
                          "the level column");
  }
  if (data.y.size() != n) {
    throw InvalidArgument("data.y: got " + std::to_string(data.y.size()) +
                          " values, expected one per row of data.X (" + std::to_string(n) + ")");
  }
  if (data.noise_variance.size() != 0) {
    throw InvalidArgument("data.noise_variance: got " + std::to_string(data.noise_variance.size()) +
                          " known variances, expected none (NonlinearAR1 fixes the lower-level "
                          "noise and learns or fixes the top level's)");
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < D; ++j) {
      const double v = data.X(i, j);
      if (!std::isfinite(v) || v < -kInputTolerance || v > 1.0 + kInputTolerance) {
        throw InvalidArgument("data.X(" + std::to_string(i) + ", " + std::to_string(j) + "): got " +
                              num(v) + ", expected a value in the unit interval [0, 1]");
      }
    }
    if (!std::isfinite(data.y(i))) {
      throw InvalidArgument("data.y(" + std::to_string(i) + "): got " + num(data.y(i)) +
                            ", expected a finite value");
    }
  }
  Split sp;
  sp.d = D - 1;
  const auto L = static_cast<std::size_t>(options_.levels);
  std::vector<std::vector<Eigen::Index>> rows(L);
  for (Eigen::Index i = 0; i < n; ++i) {
    const int l = decode_level(data.X(i, D - 1), "data.X(" + std::to_string(i) + ", " +
                                                     std::to_string(D - 1) + ") (the level)");
    rows[static_cast<std::size_t>(l)].push_back(i);
  }
  sp.X.resize(L);
  sp.y.resize(L);
  for (std::size_t l = 0; l < L; ++l) {
    if (rows[l].empty()) {
      throw InvalidArgument("data: level " + std::to_string(l) +
                            " has no observations, expected at least one at every level 0.." +
                            std::to_string(L - 1));
    }
    const auto m = static_cast<Eigen::Index>(rows[l].size());
    sp.X[l].resize(m, sp.d);
    sp.y[l].resize(m);
    for (Eigen::Index k = 0; k < m; ++k) {
      const Eigen::Index i = rows[l][static_cast<std::size_t>(k)];
      sp.X[l].row(k) = data.X.row(i).head(sp.d).cwiseMax(0.0).cwiseMin(1.0);
      sp.y[l](k) = data.y(i);
    }
  }
  return sp;
}

Vector NonlinearAR1::propagated_mean(const std::vector<std::shared_ptr<GaussianProcess>>& models,
                                     const std::vector<double>& offset,
                                     const std::vector<double>& scale, int level,
                                     MatrixCRef X) const {
  Vector mu = models[0]->predict(X).mean;
  for (int l = 1; l <= level; ++l) {
    const auto p = static_cast<std::size_t>(l - 1);
    const Vector u = (mu.array() - offset[p]) / scale[p];
    mu = models[static_cast<std::size_t>(l)]->predict(augment(X, u)).mean;
  }
  return mu;
}

void NonlinearAR1::build(const Split& sp, std::uint64_t seed, const std::vector<Vector>* parameters,
                         const Vector* normals) {
  const int L = options_.levels;
  std::vector<std::shared_ptr<GaussianProcess>> models;
  const bool reuse = fitted_ && d_ == sp.d && parameters == nullptr;
  std::vector<Vector> warm;
  if (!reuse && parameters == nullptr && pending_state_.size() > 0) {
    // A set_state() before the fit: warm starts when its layout fits this dimension.
    Eigen::Index total = options_.samples;
    for (int l = 0; l < L; ++l) total += level_size(l, sp.d);
    if (pending_state_.size() == total) {
      Eigen::Index at = 0;
      for (int l = 0; l < L; ++l) {
        const Eigen::Index m = level_size(l, sp.d);
        warm.push_back(pending_state_.segment(at, m));
        at += m;
      }
    }
  }
  for (int l = 0; l < L; ++l) {
    if (reuse) {
      // A copy of the last fit: its parameters warm-start this one.
      models.push_back(std::make_shared<GaussianProcess>(*models_[static_cast<std::size_t>(l)]));
    } else if (l == 0) {
      models.push_back(
          std::make_shared<GaussianProcess>(kernels::SquaredExponential(), level_options(l)));
    } else {
      models.push_back(std::make_shared<GaussianProcess>(kernels::NargpKernel(), level_options(l)));
    }
    if (!warm.empty()) models.back()->set_state(warm[static_cast<std::size_t>(l)]);
  }

  std::vector<double> offset(static_cast<std::size_t>(L - 1)), scale(offset.size());
  for (int l = 0; l < L; ++l) {
    const auto li = static_cast<std::size_t>(l);
    Dataset level_data;
    level_data.y = sp.y[li];
    if (l == 0) {
      level_data.X = sp.X[li];
    } else {
      const Vector mu = propagated_mean(models, offset, scale, l - 1, sp.X[li]);
      level_data.X = augment(sp.X[li], (mu.array() - offset[li - 1]) / scale[li - 1]);
    }
    if (parameters) {
      models[li]->fit_fixed(level_data, (*parameters)[li]);
    } else {
      models[li]->fit(level_data, derive_seed(seed, static_cast<std::uint64_t>(l)));
    }
    if (l < L - 1) {
      const double lo = sp.y[li].minCoeff();
      const double range = sp.y[li].maxCoeff() - lo;
      offset[li] = lo;
      scale[li] = range > 0.0 ? range : 1.0;
    }
  }

  Vector eps;
  if (normals) {
    eps = *normals;
  } else {
    Rng rng(derive_seed(seed, static_cast<std::uint64_t>(L)));
    eps = rng.normal_vector(options_.samples);
  }

  models_.assign(models.begin(), models.end());
  offset_ = std::move(offset);
  scale_ = std::move(scale);
  normals_ = std::move(eps);
  d_ = sp.d;
  fitted_ = true;
  pending_state_.resize(0);
}

void NonlinearAR1::fit(const Dataset& data, std::uint64_t seed) {
  const Split sp = split(data);
  build(sp, seed, nullptr, nullptr);
  data_ = data;
}

void NonlinearAR1::restore(const Dataset& data, VectorCRef state) {
  const Split sp = split(data);
  const int L = options_.levels;
  Eigen::Index total = options_.samples;
  for (int l = 0; l < L; ++l) total += level_size(l, sp.d);
  if (state.size() != total) {
    throw InvalidArgument("state: got " + std::to_string(state.size()) + " values, expected " +
                          std::to_string(total) + " (the parameters of the " + std::to_string(L) +
                          " levels for d = " + std::to_string(sp.d) + ", then " +
                          std::to_string(options_.samples) + " normals)");
  }
  for (Eigen::Index i = 0; i < state.size(); ++i) {
    if (!std::isfinite(state(i))) {
      throw InvalidArgument("state(" + std::to_string(i) + "): got " + num(state(i)) +
                            ", expected a finite value");
    }
  }
  std::vector<Vector> parameters;
  Eigen::Index at = 0;
  for (int l = 0; l < L; ++l) {
    const Eigen::Index m = level_size(l, sp.d);
    parameters.emplace_back(state.segment(at, m));
    at += m;
  }
  const Vector normals = state.tail(options_.samples);
  build(sp, 0, &parameters, &normals);
  data_ = data;
}

Vector NonlinearAR1::state() const {
  if (!fitted_) return {};
  Eigen::Index total = normals_.size();
  for (const auto& m : models_) total += m->parameters().size();
  Vector out(total);
  Eigen::Index at = 0;
  for (const auto& m : models_) {
    const Vector p = m->parameters();
    out.segment(at, p.size()) = p;
    at += p.size();
  }
  out.tail(normals_.size()) = normals_;
  return out;
}

void NonlinearAR1::set_state(VectorCRef state) {
  if (fitted_) {
    const Dataset data = data_;
    restore(data, state);
    return;
  }
  for (Eigen::Index i = 0; i < state.size(); ++i) {
    if (!std::isfinite(state(i))) {
      throw InvalidArgument("state(" + std::to_string(i) + "): got " + num(state(i)) +
                            ", expected a finite value");
    }
  }
  pending_state_ = state;
}

Predictive NonlinearAR1::predict(MatrixCRef X) const {
  require_fitted("predict");
  const Eigen::Index D = d_ + 1;
  if (X.cols() != D) {
    throw InvalidArgument("X: got " + std::to_string(X.cols()) +
                          " columns, expected the fitted dimension " + std::to_string(D) +
                          " (design columns and the level)");
  }
  const Eigen::Index m = X.rows();
  std::vector<std::vector<Eigen::Index>> by_level(static_cast<std::size_t>(options_.levels));
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < d_; ++j) {
      if (!std::isfinite(X(i, j))) {
        throw InvalidArgument("X(" + std::to_string(i) + ", " + std::to_string(j) + "): got " +
                              num(X(i, j)) + ", expected a finite value");
      }
    }
    const int l = decode_level(
        X(i, d_), "X(" + std::to_string(i) + ", " + std::to_string(d_) + ") (the level)");
    by_level[static_cast<std::size_t>(l)].push_back(i);
  }

  Predictive out;
  out.mean.resize(m);
  out.variance.resize(m);
  out.noise_variance.resize(m);
  for (int t = 0; t < options_.levels; ++t) {
    const auto& rows = by_level[static_cast<std::size_t>(t)];
    if (rows.empty()) continue;
    const double noise = models_[static_cast<std::size_t>(t)]->noise_variance();
    const Eigen::Index P = paths(t);
    const Eigen::Index chunk = std::max<Eigen::Index>(1, kChunkRows / P);
    for (std::size_t start = 0; start < rows.size(); start += static_cast<std::size_t>(chunk)) {
      const auto q =
          static_cast<Eigen::Index>(std::min(rows.size() - start, static_cast<std::size_t>(chunk)));
      Matrix Xq(q, d_);
      for (Eigen::Index k = 0; k < q; ++k)
        Xq.row(k) = X.row(rows[start + static_cast<std::size_t>(k)]).head(d_);
      // Path values of the current level, laid out [point * paths + path].
      Predictive level = models_[0]->predict(Xq);
      Vector M = level.mean, V = level.variance;
      Eigen::Index parents = 1;
      for (int l = 1; l <= t; ++l) {
        const Eigen::Index c = children_[static_cast<std::size_t>(l)];
        const Eigen::Index np = parents * c;
        const double off = offset_[static_cast<std::size_t>(l - 1)];
        const double sc = scale_[static_cast<std::size_t>(l - 1)];
        Matrix Z(q * np, D);
        for (Eigen::Index k = 0; k < q; ++k) {
          for (Eigen::Index p = 0; p < parents; ++p) {
            const double mp = M(k * parents + p);
            const double sd = std::sqrt(std::max(V(k * parents + p), 0.0));
            for (Eigen::Index j = 0; j < c; ++j) {
              const Eigen::Index row = k * np + p * c + j;
              const double f = mp + sd * normals_((p * c + j) % normals_.size());
              Z.row(row).head(d_) = Xq.row(k);
              Z(row, d_) = (f - off) / sc;
            }
          }
        }
        level = models_[static_cast<std::size_t>(l)]->predict(Z);
        M = std::move(level.mean);
        V = std::move(level.variance);
        parents = np;
      }
      for (Eigen::Index k = 0; k < q; ++k) {
        const auto pm = M.segment(k * P, P);
        const double mean = pm.mean();
        const double spread = (pm.array() - mean).square().mean();
        const Eigen::Index i = rows[start + static_cast<std::size_t>(k)];
        out.mean(i) = mean;
        out.variance(i) = V.segment(k * P, P).mean() + spread;
        out.noise_variance(i) = noise;
      }
    }
  }
  return out;
}

PointPrediction NonlinearAR1::predict_with_gradient(VectorCRef x) const {
  require_fitted("predict_with_gradient");
  const Eigen::Index D = d_ + 1;
  if (x.size() != D) {
    throw InvalidArgument("x: got " + std::to_string(x.size()) +
                          " coordinates, expected the fitted dimension " + std::to_string(D) +
                          " (design columns and the level)");
  }
  for (Eigen::Index j = 0; j < d_; ++j) {
    if (!std::isfinite(x(j))) {
      throw InvalidArgument("x(" + std::to_string(j) + "): got " + num(x(j)) +
                            ", expected a finite value");
    }
  }
  const int t = decode_level(x(d_), "x(" + std::to_string(d_) + ") (the level)");
  const Vector xd = x.head(d_);

  // Per path: mean, variance and their gradients in x (rows of GM, GV).
  PointPrediction p0 = models_[0]->predict_with_gradient(xd);
  Vector M(1), V(1);
  M(0) = p0.mean;
  V(0) = p0.variance;
  Matrix GM = p0.mean_gradient.transpose(), GV = p0.variance_gradient.transpose();
  Eigen::Index parents = 1;
  Vector z(D);
  z.head(d_) = xd;
  for (int l = 1; l <= t; ++l) {
    const Eigen::Index c = children_[static_cast<std::size_t>(l)];
    const Eigen::Index np = parents * c;
    const double off = offset_[static_cast<std::size_t>(l - 1)];
    const double sc = scale_[static_cast<std::size_t>(l - 1)];
    const GaussianProcess& gp = *models_[static_cast<std::size_t>(l)];
    Vector M2(np), V2(np);
    Matrix GM2(np, d_), GV2(np, d_);
    for (Eigen::Index p = 0; p < parents; ++p) {
      const double sd = std::sqrt(std::max(V(p), 0.0));
      const double inv_2sd = 0.5 / std::max(sd, kMinStddev);
      for (Eigen::Index j = 0; j < c; ++j) {
        const double e = normals_((p * c + j) % normals_.size());
        const Eigen::Index row = p * c + j;
        z(d_) = (M(p) + sd * e - off) / sc;
        const Vector du = (GM.row(p) + (e * inv_2sd) * GV.row(p)).transpose() / sc;
        const PointPrediction q = gp.predict_with_gradient(z);
        M2(row) = q.mean;
        V2(row) = q.variance;
        GM2.row(row) = (q.mean_gradient.head(d_) + q.mean_gradient(d_) * du).transpose();
        GV2.row(row) = (q.variance_gradient.head(d_) + q.variance_gradient(d_) * du).transpose();
      }
    }
    M = std::move(M2);
    V = std::move(V2);
    GM = std::move(GM2);
    GV = std::move(GV2);
    parents = np;
  }

  const double P = static_cast<double>(M.size());
  PointPrediction out;
  out.mean = M.mean();
  const Vector centred = M.array() - out.mean;
  const Vector mean_grad = GM.colwise().mean().transpose();
  out.variance = V.mean() + centred.squaredNorm() / P;
  // d/dx of the population variance: (2/P) sum_s (m_s - mean) grad m_s (the sum of the
  // centred values is 0, so the mean-gradient term drops).
  const Vector var_grad = GV.colwise().mean().transpose() + (2.0 / P) * (GM.transpose() * centred);
  out.mean_gradient = Vector::Zero(D);
  out.variance_gradient = Vector::Zero(D);
  out.mean_gradient.head(d_) = mean_grad;
  out.variance_gradient.head(d_) = var_grad;
  return out;
}

}  // namespace prospect
