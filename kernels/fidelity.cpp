// kernels/fidelity.cpp — BoTorch's multi-fidelity kernels: linear truncated, downsampling,
// exponential decay and their product with a design kernel (ALGORITHMS.md §3.2).
//
// Each kernel decodes theta once per call into an evaluator with the per-pair math, and
// the loops of kernels/pairwise.hpp do the rest (deterministic whatever the threads).
#include "prospect/kernels/fidelity.hpp"

#include <array>
#include <cmath>
#include <type_traits>

#include "kernels/fidelity_math.hpp"
#include "kernels/pairwise.hpp"
#include "prospect/errors.hpp"

namespace prospect::kernels {

namespace {

using detail::Clamped;
using detail::DesignFactor;
using Eigen::Index;

// Bounds on the unit cube / standardized outputs (BoTorch only requires positivity; the
// finite bounds keep L-BFGS-B well posed and are inactive in practice).
constexpr double kMinLengthscale = 0.025;
constexpr double kMaxLengthscale = 1e3;
constexpr double kMinOutputscale = 1e-2;
constexpr double kMaxOutputscale = 1e2;
constexpr double kMinPositive = 1e-4;  // offsets, powers
constexpr double kMaxPower = 50.0;
constexpr double kMaxOffset = 1e2;
constexpr double kMinDecayScale = 1e-3;  // beta of the exponential decay
constexpr double kMaxDecayScale = 1e3;
/// FidelityProduct keeps per-pair factor values on the stack.
constexpr Index kMaxFidelityColumns = 16;

PriorHint gamma_hint(double concentration, double rate) {
  return PriorHint{PriorHint::Family::gamma, concentration, rate};
}

/// log of the mode of Gamma(a, b) (a > 1), clamped into [lo, hi] in log space.
double gamma_log_mode(double a, double b, double lo, double hi) {
  return std::clamp(std::log((a - 1.0) / b), std::log(lo), std::log(hi));
}

HyperparameterSpec positive_spec(std::string name, HyperparameterKind kind, double lo, double hi,
                                 PriorHint hint) {
  return HyperparameterSpec{std::move(name),
                            kind,
                            std::log(lo),
                            std::log(hi),
                            gamma_log_mode(hint.a, hint.b, lo, hi),
                            hint};
}

// ---------------------------------------------------------------------------------------
// Linear truncated

/// B(f, f') of the linear truncated kernel and its derivatives.
struct Bias {
  double B = 0.0;
  double dlogp = 0.0;                  // dB / dlog p
  std::array<double, 2> ds{0.0, 0.0};  // dB / df_i (first argument)
};

struct LinearTruncatedEval {
  Index dx = 0;
  Index m = 1;
  DesignFactor k0, k1;
  double power = 1.0;
  double s = 1.0;

  [[nodiscard]] Index size() const { return 2 * dx + 2; }

  [[nodiscard]] Bias bias(const double* a, const double* b) const {
    Bias out;
    const Clamped a1(a[dx]);
    const Clamped b1(b[dx]);
    const double c1 = (1.0 - a1.v) * (1.0 - b1.v);
    const double base1 = 1.0 + a1.v * b1.v;
    const double P1 = std::pow(base1, power);
    out.B = c1 * P1;
    out.dlogp = power * c1 * P1 * std::log(base1);
    out.ds[0] = a1.dv * (-(1.0 - b1.v) * P1 + c1 * power * P1 / base1 * b1.v);
    if (m == 2) {
      const Clamped a2(a[dx + 1]);
      const Clamped b2(b[dx + 1]);
      const double c2 = (1.0 - a2.v) * (1.0 - b2.v);
      const double base2 = 1.0 + a2.v * b2.v;
      const double P2 = std::pow(base2, power);
      const double base3 = 1.0 + a1.v * b1.v + a2.v * b2.v;
      const double P3 = std::pow(base3, power);
      const double T3 = c1 * c2 * P3;
      out.B += c2 * P2 + T3;
      out.dlogp += power * (c2 * P2 * std::log(base2) + T3 * std::log(base3));
      out.ds[0] += a1.dv * (-(1.0 - b1.v) * c2 * P3 + T3 * power / base3 * b1.v);
      out.ds[1] = a2.dv * (-(1.0 - b2.v) * P2 + c2 * power * P2 / base2 * b2.v -
                           (1.0 - b2.v) * c1 * P3 + T3 * power / base3 * b2.v);
    }
    return out;
  }

  [[nodiscard]] double value(const double* a, const double* b) const {
    return s * (k0.value(a, b) + bias(a, b).B * k1.value(a, b));
  }

  void add_theta_gradient(const double* a, const double* b, double w, double* acc) const {
    double g0, f0, g1, f1;
    k0.value_and_factor(a, b, g0, f0);
    k1.value_and_factor(a, b, g1, f1);
    const Bias B = bias(a, b);
    const double ws = w * s;
    k0.add_lengthscale_gradient(a, b, f0, ws, acc);
    k1.add_lengthscale_gradient(a, b, f1, ws * B.B, acc + dx);
    acc[2 * dx] += ws * g1 * B.dlogp;
    acc[2 * dx + 1] += ws * (g0 + B.B * g1);
  }

  void first_gradient(const double* a, const double* b, double* g) const {
    double g0, f0, g1, f1;
    k0.value_and_factor(a, b, g0, f0);
    k1.value_and_factor(a, b, g1, f1);
    const Bias B = bias(a, b);
    for (Index j = 0; j < dx + m; ++j) g[j] = 0.0;
    k0.add_input_gradient(a, b, f0, s, g);
    k1.add_input_gradient(a, b, f1, s * B.B, g);
    for (Index i = 0; i < m; ++i) g[dx + i] = s * g1 * B.ds[static_cast<std::size_t>(i)];
  }
};

std::string lt_layout(Index dx) {
  return std::to_string(dx) + " unbiased + " + std::to_string(dx) +
         " biased log lengthscales, log power, log outputscale";
}

// ---------------------------------------------------------------------------------------
// Single fidelity factors on the last column

template <class Math>
struct LastColumnEval {
  Index col = 0;  // the last column
  Index d = 1;
  Math math;
  static constexpr Index kParams = std::is_same_v<Math, detail::DownsamplingMath> ? 2 : 3;

  [[nodiscard]] Index size() const { return kParams; }
  [[nodiscard]] double value(const double* a, const double* b) const {
    return math.value(a[col], b[col]);
  }
  void add_theta_gradient(const double* a, const double* b, double w, double* acc) const {
    std::array<double, 3> t{};
    math.theta_gradient(a[col], b[col], t.data());
    for (Index k = 0; k < kParams; ++k) acc[k] += w * t[static_cast<std::size_t>(k)];
  }
  void first_gradient(const double* a, const double* b, double* g) const {
    for (Index j = 0; j < d; ++j) g[j] = 0.0;
    g[col] = math.first_gradient(a[col], b[col]);
  }
};

template <class Math>
LastColumnEval<Math> last_column_eval(Index d, VectorCRef theta, const std::string& where) {
  detail::check_dimension(d, 1, where, "the fidelity is the last column");
  LastColumnEval<Math> e;
  detail::check_theta(theta, e.kParams, where,
                      e.kParams == 2 ? "log offset c, log power delta"
                                     : "log offset w, log power alpha, log lengthscale beta");
  e.col = d - 1;
  e.d = d;
  e.math = Math(theta.data());
  return e;
}

std::vector<HyperparameterSpec> downsampling_specs(const std::string& prefix) {
  return {positive_spec(prefix + "offset", HyperparameterKind::other, kMinPositive, kMaxOffset,
                        gamma_hint(3.0, 6.0)),
          positive_spec(prefix + "power", HyperparameterKind::other, kMinPositive, kMaxPower,
                        gamma_hint(3.0, 6.0))};
}

std::vector<HyperparameterSpec> decay_specs(const std::string& prefix) {
  return {positive_spec(prefix + "offset", HyperparameterKind::other, kMinPositive, kMaxOffset,
                        gamma_hint(3.0, 6.0)),
          positive_spec(prefix + "power", HyperparameterKind::other, kMinPositive, kMaxPower,
                        gamma_hint(3.0, 6.0)),
          positive_spec(prefix + "lengthscale", HyperparameterKind::other, kMinDecayScale,
                        kMaxDecayScale, gamma_hint(3.0, 6.0))};
}

// ---------------------------------------------------------------------------------------
// Product

struct Factor {
  FidelityKind kind = FidelityKind::downsampling;
  Index col = 0;     // input column
  Index offset = 0;  // first hyperparameter in theta
  detail::DownsamplingMath ds;
  detail::ExponentialDecayMath ed;

  [[nodiscard]] Index params() const { return kind == FidelityKind::downsampling ? 2 : 3; }
  [[nodiscard]] double value(const double* a, const double* b) const {
    return kind == FidelityKind::downsampling ? ds.value(a[col], b[col]) : ed.value(a[col], b[col]);
  }
  void theta_gradient(const double* a, const double* b, double* out) const {
    if (kind == FidelityKind::downsampling) {
      ds.theta_gradient(a[col], b[col], out);
    } else {
      ed.theta_gradient(a[col], b[col], out);
    }
  }
  [[nodiscard]] double first_gradient(const double* a, const double* b) const {
    return kind == FidelityKind::downsampling ? ds.first_gradient(a[col], b[col])
                                              : ed.first_gradient(a[col], b[col]);
  }
};

struct ProductEval {
  Index dx = 0;
  Index p = 0;
  DesignFactor design;
  std::vector<Factor> factors;
  bool has_s = true;
  double s = 1.0;

  [[nodiscard]] Index size() const { return p; }

  /// Factor values into v, their product returned.
  double factor_values(const double* a, const double* b, double* v) const {
    double prod = 1.0;
    for (std::size_t f = 0; f < factors.size(); ++f) {
      v[f] = factors[f].value(a, b);
      prod *= v[f];
    }
    return prod;
  }
  /// prod_{f' != f} v[f'] (no division: a factor may underflow to 0).
  [[nodiscard]] double others(const double* v, std::size_t f) const {
    double prod = 1.0;
    for (std::size_t k = 0; k < factors.size(); ++k)
      if (k != f) prod *= v[k];
    return prod;
  }

  [[nodiscard]] double value(const double* a, const double* b) const {
    std::array<double, kMaxFidelityColumns> v{};
    return s * design.value(a, b) * factor_values(a, b, v.data());
  }

  void add_theta_gradient(const double* a, const double* b, double w, double* acc) const {
    std::array<double, kMaxFidelityColumns> v{};
    double g;
    double f;
    design.value_and_factor(a, b, g, f);
    const double prod = factor_values(a, b, v.data());
    design.add_lengthscale_gradient(a, b, f, w * s * prod, acc);
    std::array<double, 3> t{};
    for (std::size_t k = 0; k < factors.size(); ++k) {
      const Factor& fac = factors[k];
      fac.theta_gradient(a, b, t.data());
      const double scale = w * s * g * others(v.data(), k);
      for (Index q = 0; q < fac.params(); ++q)
        acc[fac.offset + q] += scale * t[static_cast<std::size_t>(q)];
    }
    if (has_s) acc[p - 1] += w * s * g * prod;
  }

  void first_gradient(const double* a, const double* b, double* out) const {
    std::array<double, kMaxFidelityColumns> v{};
    double g;
    double f;
    design.value_and_factor(a, b, g, f);
    const double prod = factor_values(a, b, v.data());
    for (Index j = 0; j < dx; ++j) out[j] = 0.0;
    design.add_input_gradient(a, b, f, s * prod, out);
    for (std::size_t k = 0; k < factors.size(); ++k)
      out[factors[k].col] = s * g * others(v.data(), k) * factors[k].first_gradient(a, b);
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------

const char* to_string(FidelityKind kind) {
  switch (kind) {
    case FidelityKind::downsampling:
      return "downsampling";
    case FidelityKind::exponential_decay:
      return "exponential_decay";
  }
  return "unknown";
}

// --- LinearTruncatedFidelity ------------------------------------------------------------

namespace {
LinearTruncatedEval lt_eval(Index m, Profile profile, Index d, VectorCRef theta,
                            const std::string& where) {
  detail::check_dimension(
      d, m + 1, where, std::to_string(m) + " fidelity column(s) plus at least one design column");
  const Index dx = d - m;
  detail::check_theta(theta, 2 * dx + 2, where, lt_layout(dx));
  LinearTruncatedEval e;
  e.dx = dx;
  e.m = m;
  e.k0 = DesignFactor(profile, dx, theta.data());
  e.k1 = DesignFactor(profile, dx, theta.data() + dx);
  e.power = std::exp(theta(2 * dx));
  e.s = std::exp(theta(2 * dx + 1));
  return e;
}
}  // namespace

LinearTruncatedFidelity::LinearTruncatedFidelity(Eigen::Index fidelity_columns, Profile profile)
    : m_(fidelity_columns), profile_(profile) {
  if (m_ != 1 && m_ != 2) {
    throw InvalidArgument("LinearTruncatedFidelity: fidelity_columns = " + std::to_string(m_) +
                          "; expected 1 or 2 (use FidelityProduct for more)");
  }
}

std::unique_ptr<Kernel> LinearTruncatedFidelity::clone() const {
  return std::make_unique<LinearTruncatedFidelity>(*this);
}

std::string LinearTruncatedFidelity::name() const {
  return std::string("linear_truncated(") + to_string(profile_) + ")";
}

std::vector<HyperparameterSpec> LinearTruncatedFidelity::hyperparameters(Eigen::Index d) const {
  detail::check_dimension(
      d, m_ + 1, "LinearTruncatedFidelity::hyperparameters",
      std::to_string(m_) + " fidelity column(s) plus at least one design column");
  const Index dx = d - m_;
  std::vector<HyperparameterSpec> specs;
  for (Index j = 0; j < dx; ++j) {
    specs.push_back(positive_spec("unbiased.lengthscale[" + std::to_string(j) + "]",
                                  HyperparameterKind::lengthscale, kMinLengthscale, kMaxLengthscale,
                                  gamma_hint(3.0, 6.0)));
  }
  for (Index j = 0; j < dx; ++j) {
    specs.push_back(positive_spec("biased.lengthscale[" + std::to_string(j) + "]",
                                  HyperparameterKind::lengthscale, kMinLengthscale, kMaxLengthscale,
                                  gamma_hint(6.0, 2.0)));
  }
  specs.push_back(positive_spec("power", HyperparameterKind::other, kMinPositive, kMaxPower,
                                gamma_hint(3.0, 3.0)));
  specs.push_back(positive_spec("outputscale", HyperparameterKind::outputscale, kMinOutputscale,
                                kMaxOutputscale, gamma_hint(2.0, 0.15)));
  return specs;
}

void LinearTruncatedFidelity::matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta,
                                     Eigen::Ref<Matrix> K) const {
  const std::string where = "LinearTruncatedFidelity::matrix";
  detail::check_same_columns(X1, X2, where);
  const auto e = lt_eval(m_, profile_, X1.cols(), theta, where);
  detail::check_matrix_shape(K.rows(), K.cols(), X1.rows(), X2.rows(), where, "K");
  detail::pairwise_matrix(e, X1, X2, K);
}

void LinearTruncatedFidelity::diagonal(MatrixCRef X, VectorCRef theta,
                                       Eigen::Ref<Vector> diag) const {
  const std::string where = "LinearTruncatedFidelity::diagonal";
  const auto e = lt_eval(m_, profile_, X.cols(), theta, where);
  detail::check_vector_size(diag.size(), X.rows(), where, "diag");
  detail::pairwise_diagonal(e, X, diag);
}

void LinearTruncatedFidelity::contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta,
                                                               MatrixCRef W,
                                                               Eigen::Ref<Vector> grad) const {
  const std::string where = "LinearTruncatedFidelity::contract_hyperparameter_gradient";
  const auto e = lt_eval(m_, profile_, X.cols(), theta, where);
  detail::check_matrix_shape(W.rows(), W.cols(), X.rows(), X.rows(), where, "W");
  detail::check_vector_size(grad.size(), theta.size(), where, "grad");
  detail::pairwise_contract(e, X, W, grad);
}

void LinearTruncatedFidelity::input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                                             Eigen::Ref<Matrix> J) const {
  const std::string where = "LinearTruncatedFidelity::input_gradient";
  const auto e = lt_eval(m_, profile_, X.cols(), theta, where);
  detail::check_vector_size(x.size(), X.cols(), where, "x");
  detail::check_matrix_shape(J.rows(), J.cols(), X.rows(), X.cols(), where, "J");
  detail::pairwise_input_gradient(e, x, X, J);
}

void LinearTruncatedFidelity::diagonal_gradient(VectorCRef x, VectorCRef theta,
                                                Eigen::Ref<Vector> g) const {
  const std::string where = "LinearTruncatedFidelity::diagonal_gradient";
  const auto e = lt_eval(m_, profile_, x.size(), theta, where);
  detail::check_vector_size(g.size(), x.size(), where, "g");
  detail::pairwise_diagonal_gradient(e, x, g);
}

// --- DownsamplingFidelity / ExponentialDecayFidelity -----------------------------------

// The two single-factor kernels have identical entry points around different per-pair
// math; one macro keeps their argument checks from drifting apart.
#define PROSPECT_LAST_COLUMN_KERNEL(Class, Math, label, specs_fn)                                  \
  std::unique_ptr<Kernel> Class::clone() const {                                                   \
    return std::make_unique<Class>(*this);                                                         \
  }                                                                                                \
  std::string Class::name() const {                                                                \
    return label;                                                                                  \
  }                                                                                                \
  std::vector<HyperparameterSpec> Class::hyperparameters(Eigen::Index d) const {                   \
    detail::check_dimension(d, 1, #Class "::hyperparameters", "the fidelity is the last column");  \
    return specs_fn("");                                                                           \
  }                                                                                                \
  void Class::matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const { \
    const std::string where = #Class "::matrix";                                                   \
    detail::check_same_columns(X1, X2, where);                                                     \
    const auto e = last_column_eval<Math>(X1.cols(), theta, where);                                \
    detail::check_matrix_shape(K.rows(), K.cols(), X1.rows(), X2.rows(), where, "K");              \
    detail::pairwise_matrix(e, X1, X2, K);                                                         \
  }                                                                                                \
  void Class::diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const {            \
    const std::string where = #Class "::diagonal";                                                 \
    const auto e = last_column_eval<Math>(X.cols(), theta, where);                                 \
    detail::check_vector_size(diag.size(), X.rows(), where, "diag");                               \
    detail::pairwise_diagonal(e, X, diag);                                                         \
  }                                                                                                \
  void Class::contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,       \
                                               Eigen::Ref<Vector> grad) const {                    \
    const std::string where = #Class "::contract_hyperparameter_gradient";                         \
    const auto e = last_column_eval<Math>(X.cols(), theta, where);                                 \
    detail::check_matrix_shape(W.rows(), W.cols(), X.rows(), X.rows(), where, "W");                \
    detail::check_vector_size(grad.size(), theta.size(), where, "grad");                           \
    detail::pairwise_contract(e, X, W, grad);                                                      \
  }                                                                                                \
  void Class::input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta, Eigen::Ref<Matrix> J)   \
      const {                                                                                      \
    const std::string where = #Class "::input_gradient";                                           \
    const auto e = last_column_eval<Math>(X.cols(), theta, where);                                 \
    detail::check_vector_size(x.size(), X.cols(), where, "x");                                     \
    detail::check_matrix_shape(J.rows(), J.cols(), X.rows(), X.cols(), where, "J");                \
    detail::pairwise_input_gradient(e, x, X, J);                                                   \
  }                                                                                                \
  void Class::diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const {      \
    const std::string where = #Class "::diagonal_gradient";                                        \
    const auto e = last_column_eval<Math>(x.size(), theta, where);                                 \
    detail::check_vector_size(g.size(), x.size(), where, "g");                                     \
    detail::pairwise_diagonal_gradient(e, x, g);                                                   \
  }

PROSPECT_LAST_COLUMN_KERNEL(DownsamplingFidelity, detail::DownsamplingMath, "downsampling",
                            downsampling_specs)
PROSPECT_LAST_COLUMN_KERNEL(ExponentialDecayFidelity, detail::ExponentialDecayMath,
                            "exponential_decay", decay_specs)
#undef PROSPECT_LAST_COLUMN_KERNEL

// --- FidelityProduct --------------------------------------------------------------------

namespace {
Index product_size(const std::vector<FidelityKind>& kinds, Index dx, bool outputscale) {
  Index p = dx + (outputscale ? 1 : 0);
  for (FidelityKind k : kinds) p += k == FidelityKind::downsampling ? 2 : 3;
  return p;
}

ProductEval product_eval(const std::vector<FidelityKind>& kinds, Profile profile, bool outputscale,
                         Index d, VectorCRef theta, const std::string& where) {
  const auto m = static_cast<Index>(kinds.size());
  detail::check_dimension(
      d, m + 1, where, std::to_string(m) + " fidelity column(s) plus at least one design column");
  const Index dx = d - m;
  const Index p = product_size(kinds, dx, outputscale);
  detail::check_theta(theta, p, where,
                      std::to_string(dx) +
                          " log lengthscales, the log parameters of each fidelity factor" +
                          (outputscale ? ", log outputscale" : ""));
  ProductEval e;
  e.dx = dx;
  e.p = p;
  e.design = DesignFactor(profile, dx, theta.data());
  Index offset = dx;
  for (Index f = 0; f < m; ++f) {
    Factor fac;
    fac.kind = kinds[static_cast<std::size_t>(f)];
    fac.col = dx + f;
    fac.offset = offset;
    if (fac.kind == FidelityKind::downsampling) {
      fac.ds = detail::DownsamplingMath(theta.data() + offset);
    } else {
      fac.ed = detail::ExponentialDecayMath(theta.data() + offset);
    }
    offset += fac.params();
    e.factors.push_back(fac);
  }
  e.has_s = outputscale;
  e.s = outputscale ? std::exp(theta(p - 1)) : 1.0;
  return e;
}
}  // namespace

FidelityProduct::FidelityProduct(std::vector<FidelityKind> kinds, Profile design_profile,
                                 bool outputscale)
    : kinds_(std::move(kinds)), profile_(design_profile), outputscale_(outputscale) {
  if (kinds_.empty() || static_cast<Index>(kinds_.size()) > kMaxFidelityColumns) {
    throw InvalidArgument("FidelityProduct: kinds has " + std::to_string(kinds_.size()) +
                          " entries; expected one per fidelity column, between 1 and " +
                          std::to_string(kMaxFidelityColumns));
  }
}

std::unique_ptr<Kernel> FidelityProduct::clone() const {
  return std::make_unique<FidelityProduct>(*this);
}

std::string FidelityProduct::name() const {
  std::string out = std::string("fidelity_product(") + to_string(profile_) + ";";
  for (std::size_t f = 0; f < kinds_.size(); ++f) {
    out += (f == 0 ? " " : ", ");
    out += to_string(kinds_[f]);
  }
  return out + ")";
}

std::vector<HyperparameterSpec> FidelityProduct::hyperparameters(Eigen::Index d) const {
  const auto m = static_cast<Index>(kinds_.size());
  detail::check_dimension(
      d, m + 1, "FidelityProduct::hyperparameters",
      std::to_string(m) + " fidelity column(s) plus at least one design column");
  const Index dx = d - m;
  const double lo = std::log(kMinLengthscale);
  const double hi = std::log(kMaxLengthscale);
  // Mode of BoTorch's dim-scaled LogNormal lengthscale prior (as Stationary).
  const double def = std::clamp(std::log(0.2048 * std::sqrt(static_cast<double>(d))), lo, hi);
  std::vector<HyperparameterSpec> specs;
  for (Index j = 0; j < dx; ++j)
    specs.push_back(
        {"lengthscale[" + std::to_string(j) + "]", HyperparameterKind::lengthscale, lo, hi, def});
  for (Index f = 0; f < m; ++f) {
    const std::string prefix = "fidelity[" + std::to_string(f) + "].";
    auto more = kinds_[static_cast<std::size_t>(f)] == FidelityKind::downsampling
                    ? downsampling_specs(prefix)
                    : decay_specs(prefix);
    specs.insert(specs.end(), more.begin(), more.end());
  }
  if (outputscale_) {
    specs.push_back(positive_spec("outputscale", HyperparameterKind::outputscale, kMinOutputscale,
                                  kMaxOutputscale, gamma_hint(2.0, 0.15)));
  }
  return specs;
}

void FidelityProduct::matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta,
                             Eigen::Ref<Matrix> K) const {
  const std::string where = "FidelityProduct::matrix";
  detail::check_same_columns(X1, X2, where);
  const auto e = product_eval(kinds_, profile_, outputscale_, X1.cols(), theta, where);
  detail::check_matrix_shape(K.rows(), K.cols(), X1.rows(), X2.rows(), where, "K");
  detail::pairwise_matrix(e, X1, X2, K);
}

void FidelityProduct::diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const {
  const std::string where = "FidelityProduct::diagonal";
  const auto e = product_eval(kinds_, profile_, outputscale_, X.cols(), theta, where);
  detail::check_vector_size(diag.size(), X.rows(), where, "diag");
  detail::pairwise_diagonal(e, X, diag);
}

void FidelityProduct::contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                                       Eigen::Ref<Vector> grad) const {
  const std::string where = "FidelityProduct::contract_hyperparameter_gradient";
  const auto e = product_eval(kinds_, profile_, outputscale_, X.cols(), theta, where);
  detail::check_matrix_shape(W.rows(), W.cols(), X.rows(), X.rows(), where, "W");
  detail::check_vector_size(grad.size(), theta.size(), where, "grad");
  detail::pairwise_contract(e, X, W, grad);
}

void FidelityProduct::input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                                     Eigen::Ref<Matrix> J) const {
  const std::string where = "FidelityProduct::input_gradient";
  const auto e = product_eval(kinds_, profile_, outputscale_, X.cols(), theta, where);
  detail::check_vector_size(x.size(), X.cols(), where, "x");
  detail::check_matrix_shape(J.rows(), J.cols(), X.rows(), X.cols(), where, "J");
  detail::pairwise_input_gradient(e, x, X, J);
}

void FidelityProduct::diagonal_gradient(VectorCRef x, VectorCRef theta,
                                        Eigen::Ref<Vector> g) const {
  const std::string where = "FidelityProduct::diagonal_gradient";
  const auto e = product_eval(kinds_, profile_, outputscale_, x.size(), theta, where);
  detail::check_vector_size(g.size(), x.size(), where, "g");
  detail::pairwise_diagonal_gradient(e, x, g);
}

}  // namespace prospect::kernels
