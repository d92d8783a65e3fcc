// Tests of the analytic acquisitions (EI, LogEI, UCB, PI, log PI) and their special
// functions. Reference numbers come from long-double standard-library functions,
// quadrature, asymptotic series and the table of ALGORITHMS.md §2.2.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "acquisition/special_functions.hpp"
#include "prospect/acquisition/analytic.hpp"
#include "prospect/acquisition/choice.hpp"
#include "prospect/errors.hpp"

namespace acq = prospect::acquisition;
namespace sp = prospect::special;
using prospect::Direction;

namespace {

constexpr long double kPiL = 3.141592653589793238462643383279502884L;

bool close_rel(double actual, double expected, double rel, double abs = 0.0) {
  return std::abs(actual - expected) <= rel * std::abs(expected) + abs;
}

// Naive h(u) = phi(u) + u Phi(u) in long double (accurate where it does not cancel).
long double naive_h(long double u) {
  const long double phi = std::exp(-0.5L * u * u) / std::sqrt(2.0L * kPiL);
  const long double cdf = 0.5L * std::erfc(-u / std::sqrt(2.0L));
  return phi + u * cdf;
}

// Composite Simpson rule of f on [a, b] with n (even) intervals.
double simpson(const std::function<double(double)>& f, double a, double b, int n) {
  const double h = (b - a) / n;
  double sum = f(a) + f(b);
  for (int i = 1; i < n; ++i) sum += (i % 2 == 1 ? 4.0 : 2.0) * f(a + i * h);
  return sum * h / 3.0;
}

double normal_density(double f, double mean, double sd) {
  const double z = (f - mean) / sd;
  return std::exp(-0.5 * z * z) / (sd * std::sqrt(2.0 * M_PI));
}

// EI and PI by quadrature of the improvement against the normal density.
double quadrature_ei(double mean, double sd, double incumbent, Direction direction) {
  if (direction == Direction::maximize) {
    const double lo = incumbent, hi = std::max(incumbent, mean) + 14.0 * sd;
    return simpson([&](double f) { return (f - incumbent) * normal_density(f, mean, sd); }, lo, hi,
                   40000);
  }
  const double lo = std::min(incumbent, mean) - 14.0 * sd, hi = incumbent;
  return simpson([&](double f) { return (incumbent - f) * normal_density(f, mean, sd); }, lo, hi,
                 40000);
}

double quadrature_pi(double mean, double sd, double incumbent, Direction direction) {
  if (direction == Direction::maximize) {
    return simpson([&](double f) { return normal_density(f, mean, sd); }, incumbent,
                   std::max(incumbent, mean) + 14.0 * sd, 40000);
  }
  return simpson([&](double f) { return normal_density(f, mean, sd); },
                 std::min(incumbent, mean) - 14.0 * sd, incumbent, 40000);
}

using Scalar = std::function<acq::AnalyticValue(double mean, double sd)>;

// Central finite differences of value w.r.t. mean and sd against the analytic partials.
// Steps scale with sd and |u| so that rounding (~1e-13 relative in the worst case, EI
// near u = -12) stays far below the tolerance.
void check_partials(const Scalar& f, double mean, double sd, double u) {
  const acq::AnalyticValue a = f(mean, sd);
  // h_mean moves u by 1e-6 max(1, |u|), h_sd by 1e-6 |u|.
  const double h_mean = 1e-6 * sd * std::max(1.0, std::abs(u));
  const double h_sd = 1e-6 * sd;
  const double fd_mean = (f(mean + h_mean, sd).value - f(mean - h_mean, sd).value) / (2.0 * h_mean);
  const double fd_sd = (f(mean, sd + h_sd).value - f(mean, sd - h_sd).value) / (2.0 * h_sd);
  CHECK(std::isfinite(a.value));
  CHECK(close_rel(a.d_mean, fd_mean, 1e-6, 1e-12 * std::abs(a.value) / h_mean));
  CHECK(close_rel(a.d_sd, fd_sd, 1e-6, 1e-12 * std::abs(a.value) / h_sd));
}

// A 2-D surrogate with analytic mean and variance and their gradients.
class FakeSurrogate final : public prospect::Surrogate {
 public:
  explicit FakeSurrogate(bool gradients = true, bool is_fitted = true)
      : gradients_(gradients), fitted_(is_fitted) {}

  static double mean_at(double x0, double x1) {
    return std::sin(3.0 * x0) + x1 * x1 - 0.5 * x0 * x1;
  }
  // Vanishes (below the 1e-12 clamp) near (0.3, 0.6) to exercise the clamp.
  static double variance_at(double x0, double x1) {
    const double r2 = (x0 - 0.3) * (x0 - 0.3) + (x1 - 0.6) * (x1 - 0.6);
    return 0.4 * r2 * r2 + 0.3 * r2;
  }

  std::unique_ptr<prospect::Surrogate> clone() const override {
    return std::make_unique<FakeSurrogate>(*this);
  }
  std::string name() const override { return "fake"; }
  prospect::SurrogateCapabilities capabilities() const override {
    prospect::SurrogateCapabilities c;
    c.input_gradients = gradients_;
    return c;
  }
  void fit(const prospect::Dataset&, std::uint64_t) override { fitted_ = true; }
  bool fitted() const override { return fitted_; }
  Eigen::Index dimension() const override { return 2; }
  prospect::Predictive predict(prospect::MatrixCRef X) const override {
    ++predict_calls;
    prospect::Predictive p;
    p.mean.resize(X.rows());
    p.variance.resize(X.rows());
    p.noise_variance = prospect::Vector::Zero(X.rows());
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      p.mean[i] = mean_at(X(i, 0), X(i, 1));
      p.variance[i] = variance_at(X(i, 0), X(i, 1));
    }
    return p;
  }
  prospect::PointPrediction predict_with_gradient(prospect::VectorCRef x) const override {
    if (!gradients_) return Surrogate::predict_with_gradient(x);
    prospect::PointPrediction p;
    const double x0 = x[0], x1 = x[1];
    p.mean = mean_at(x0, x1);
    p.variance = variance_at(x0, x1);
    p.mean_gradient.resize(2);
    p.mean_gradient << 3.0 * std::cos(3.0 * x0) - 0.5 * x1, 2.0 * x1 - 0.5 * x0;
    const double r2 = (x0 - 0.3) * (x0 - 0.3) + (x1 - 0.6) * (x1 - 0.6);
    const double dv_dr2 = 0.8 * r2 + 0.3;
    p.variance_gradient.resize(2);
    p.variance_gradient << dv_dr2 * 2.0 * (x0 - 0.3), dv_dr2 * 2.0 * (x1 - 0.6);
    return p;
  }
  double noise_variance() const override { return 0.0; }

  mutable int predict_calls = 0;

 private:
  bool gradients_;
  bool fitted_;
};

// A user's own acquisition for the AcquisitionChoice round trip.
class UserAcquisition final : public prospect::Acquisition {
 public:
  std::unique_ptr<prospect::Acquisition> clone() const override {
    return std::make_unique<UserAcquisition>(*this);
  }
  std::string name() const override { return "my_acquisition"; }
  prospect::AcquisitionNeeds needs() const override { return {}; }
  void prepare(const prospect::AcquisitionContext&) override {}
  void evaluate(prospect::MatrixCRef X, Eigen::Ref<prospect::Vector> values) const override {
    values = X.rowwise().sum();
  }
};

const std::vector<acq::AnalyticOptions>& all_kinds(Direction direction) {
  static const std::vector<acq::AnalyticOptions> max_kinds = {
      acq::LogEI{}, acq::EI{}, acq::UCB{.beta = 2.5}, acq::PI{}, acq::LogPI{}};
  static const std::vector<acq::AnalyticOptions> min_kinds = {
      acq::LogEI{.direction = Direction::minimize}, acq::EI{.direction = Direction::minimize},
      acq::UCB{.beta = 2.5, .direction = Direction::minimize},
      acq::PI{.direction = Direction::minimize}, acq::LogPI{.direction = Direction::minimize}};
  return direction == Direction::maximize ? max_kinds : min_kinds;
}

// The scalar function matching one option, with the given incumbent.
acq::AnalyticValue scalar_of(const acq::AnalyticOptions& options, double mean, double sd,
                             double incumbent) {
  switch (options.index()) {
    case 0:
      return acq::log_expected_improvement(mean, sd, incumbent, std::get<0>(options).direction);
    case 1:
      return acq::expected_improvement(mean, sd, incumbent, std::get<1>(options).direction);
    case 2:
      return acq::upper_confidence_bound(mean, sd, std::get<2>(options).beta,
                                         std::get<2>(options).direction);
    case 3:
      return acq::probability_of_improvement(mean, sd, incumbent, std::get<3>(options).direction);
    default:
      return acq::log_probability_of_improvement(mean, sd, incumbent,
                                                 std::get<4>(options).direction);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Special functions

TEST_CASE("log_h matches the ALGORITHMS.md reference table") {
  struct Row {
    double u, log_h;
  };
  const Row table[] = {{2, 0.697383545788228},     {1, 0.080026218849307},
                       {0, -0.918938533204673},    {-1, -2.48512102571264},
                       {-2, -4.76878352391711},    {-5, -16.744301162661},
                       {-10, -55.5531220361224},   {-40, -808.29856835662},
                       {-1000, -500014.734452091}, {-1e7, -5.00000000000332e13}};
  for (const Row& row : table) {
    CAPTURE(row.u);
    // The table has 15 significant digits; u = -1e7 lies in the asymptotic branch,
    // which the table states to the same digits.
    CHECK(close_rel(sp::log_h(row.u), row.log_h, 1e-10));
  }
}

TEST_CASE("log_h agrees with log of the naive h on [-5, 5]") {
  for (int i = 0; i <= 200; ++i) {
    const double u = -5.0 + 0.05 * i;
    CAPTURE(u);
    const double expected = static_cast<double>(std::log(naive_h(u)));
    CHECK(close_rel(sp::log_h(u), expected, 1e-13, 1e-14));
  }
}

TEST_CASE("log_h follows the asymptotic series far in the left tail") {
  // h(u) ~ phi(u) u^-2 (1 - 3/u^2 + 15/u^4 - 105/u^6) for u << 0.
  for (double u : {-100.0, -1e3, -1e5, -9e5, -2e6, -1e9}) {
    CAPTURE(u);
    const double v = 1.0 / (u * u);
    const double series = -0.5 * u * u - sp::kLogSqrt2Pi + std::log(v) +
                          std::log1p(-3.0 * v + 15.0 * v * v - 105.0 * v * v * v);
    CHECK(close_rel(sp::log_h(u), series, 1e-14));
  }
}

TEST_CASE("erfcx against exp(x^2) erfc(x) and its asymptotic expansion") {
  for (int i = 0; i <= 400; ++i) {
    const double x = -3.0 + 0.1325 * i;  // up to 50; long double holds exp(2500)
    CAPTURE(x);
    const long double xl = x;
    const long double expected = std::exp(xl * xl) * std::erfc(xl);
    CHECK(close_rel(sp::erfcx(x), static_cast<double>(expected), 2e-15));
  }
  for (double x : {100.0, 1e3, 1e4, 1e8, 1e100, 1e200}) {
    CAPTURE(x);
    const double v = 1.0 / (2.0 * x * x);
    const double expected = 1.0 / (x * std::sqrt(M_PI)) *
                            (1.0 - v + 3.0 * v * v - 15.0 * v * v * v + 105.0 * v * v * v * v);
    CHECK(close_rel(sp::erfcx(x), expected, 1e-15));
  }
  CHECK(sp::erfcx(std::numeric_limits<double>::infinity()) == 0.0);
}

TEST_CASE("log_ndtr against log Phi") {
  for (int i = 0; i <= 340; ++i) {
    const double u = -140.0 + 0.5 * i;  // to 30
    CAPTURE(u);
    const long double ul = u;
    // Reference in long double; for u > 0 through the upper tail to keep digits.
    const long double expected = ul > 0 ? std::log1p(-0.5L * std::erfc(ul / std::sqrt(2.0L)))
                                        : std::log(0.5L * std::erfc(-ul / std::sqrt(2.0L)));
    // erfc at u/sqrt 2 carries the rounding of the division, amplified ~u^2 in the
    // upper tail where log Phi(u) ~ -Phi(-u).
    CHECK(close_rel(sp::log_ndtr(u), static_cast<double>(expected),
                    std::max(1e-13, 5e-16 * (1.0 + u * u)), 1e-300));
  }
  // Far tail: log Phi(u) = -u^2/2 - log(-u) - c1 + log(1 - 1/u^2 + 3/u^4).
  for (double u : {-1e3, -1e5, -1e8}) {
    CAPTURE(u);
    const double v = 1.0 / (u * u);
    const double expected =
        -0.5 * u * u - std::log(-u) - sp::kLogSqrt2Pi + std::log1p(-v + 3.0 * v * v);
    CHECK(close_rel(sp::log_ndtr(u), expected, 1e-14));
  }
}

TEST_CASE("log1mexp is accurate on both branches") {
  for (double w : {-1e-20, -1e-8, -0.1, -0.69, -0.7, -1.0, -10.0, -50.0}) {
    CAPTURE(w);
    // Long double loses log(1 - q) for tiny q = e^w; there the series -q - q^2/2 - ...
    const long double q = std::exp(static_cast<long double>(w));
    const long double expected = w < -10.0 ? -(q + q * q / 2 + q * q * q / 3)
                                           : std::log(-std::expm1(static_cast<long double>(w)));
    CHECK(close_rel(sp::log1mexp(w), static_cast<double>(expected), 1e-14));
  }
}

TEST_CASE("gradient ratios of log h and log Phi") {
  // rho1 = d log h / du, rho2 = phi / h, phi/Phi = d log Phi / du: against central
  // differences of log_h and log_ndtr, and against naive ratios where those are valid.
  for (double u : {-1e6 - 10.0, -5e5, -1e3, -40.0, -10.0, -3.0, -1.0, -0.999, 0.0, 1.5, 6.0}) {
    CAPTURE(u);
    const sp::Ratios r = sp::log_h_ratios(u);
    const double h = 1e-6 * std::max(1.0, std::abs(u));
    const double fd_h = (sp::log_h(u + h) - sp::log_h(u - h)) / (2.0 * h);
    const double fd_ndtr = (sp::log_ndtr(u + h) - sp::log_ndtr(u - h)) / (2.0 * h);
    const double noise = 1e-15 * (0.5 * u * u + 1.0) / h;
    CHECK(close_rel(r.rho1, fd_h, 1e-6, noise));
    CHECK(close_rel(sp::inverse_mills_ratio(u), fd_ndtr, 1e-6, noise));
    // h' = Phi and u Phi + phi = h give rho2 = 1 - u rho1.
    CHECK(close_rel(r.rho2, 1.0 - u * r.rho1, 1e-9, 1e-12));
  }
  for (double u : {-4.0, -1.0, 0.0, 2.0}) {
    const long double ul = u;
    const long double phi = std::exp(-0.5L * ul * ul) / std::sqrt(2.0L * kPiL);
    const long double cdf = 0.5L * std::erfc(-ul / std::sqrt(2.0L));
    CHECK(close_rel(sp::log_h_ratios(u).rho1, static_cast<double>(cdf / naive_h(ul)), 1e-12));
    CHECK(close_rel(sp::log_h_ratios(u).rho2, static_cast<double>(phi / naive_h(ul)), 1e-12));
    CHECK(close_rel(sp::inverse_mills_ratio(u), static_cast<double>(phi / cdf), 1e-13));
  }
}

// ---------------------------------------------------------------------------------------
// Scalar acquisitions

TEST_CASE("EI and PI match quadrature in both directions") {
  struct Case {
    double mean, sd, incumbent;
  };
  const Case cases[] = {{0.0, 1.0, 0.0},  {1.3, 0.4, 0.2},  {-0.5, 2.0, 1.0},  {2.0, 0.3, 3.5},
                        {10.0, 5.0, 9.0}, {0.1, 0.05, 0.3}, {-3.0, 0.7, -2.0}, {0.0, 1.0, 5.0}};
  for (const Case& c : cases) {
    for (Direction dir : {Direction::maximize, Direction::minimize}) {
      CAPTURE(c.mean);
      CAPTURE(c.incumbent);
      CAPTURE(static_cast<int>(dir));
      const double ei = quadrature_ei(c.mean, c.sd, c.incumbent, dir);
      const double pi = quadrature_pi(c.mean, c.sd, c.incumbent, dir);
      CHECK(close_rel(acq::expected_improvement(c.mean, c.sd, c.incumbent, dir).value, ei, 1e-9));
      CHECK(close_rel(acq::probability_of_improvement(c.mean, c.sd, c.incumbent, dir).value, pi,
                      1e-9));
      CHECK(close_rel(acq::log_expected_improvement(c.mean, c.sd, c.incumbent, dir).value,
                      std::log(ei), 1e-9, 1e-9));
      CHECK(close_rel(acq::log_probability_of_improvement(c.mean, c.sd, c.incumbent, dir).value,
                      std::log(pi), 1e-9, 1e-9));
    }
  }
}

TEST_CASE("UCB value and partials") {
  const acq::AnalyticValue up = acq::upper_confidence_bound(1.5, 0.3, 4.0);
  CHECK(up.value == doctest::Approx(1.5 + 2.0 * 0.3).epsilon(1e-15));
  CHECK(up.d_mean == 1.0);
  CHECK(up.d_sd == doctest::Approx(2.0).epsilon(1e-15));
  const acq::AnalyticValue low = acq::upper_confidence_bound(1.5, 0.3, 4.0, Direction::minimize);
  CHECK(low.value == doctest::Approx(-(1.5 - 2.0 * 0.3)).epsilon(1e-15));
  CHECK(low.d_mean == -1.0);
  CHECK(acq::upper_confidence_bound(1.5, 0.3, 0.0).value == 1.5);
}

TEST_CASE("minimize is maximize of the negated model") {
  for (double mean : {-2.0, -0.3, 0.0, 0.8, 4.0}) {
    for (double incumbent : {-1.0, 0.5, 3.0}) {
      const double sd = 0.6;
      CAPTURE(mean);
      CAPTURE(incumbent);
      const auto same = [](const acq::AnalyticValue& mn, const acq::AnalyticValue& mx) {
        CHECK(close_rel(mn.value, mx.value, 1e-15, 1e-300));
        CHECK(close_rel(mn.d_mean, -mx.d_mean, 1e-15, 1e-300));
        CHECK(close_rel(mn.d_sd, mx.d_sd, 1e-15, 1e-300));
      };
      same(acq::expected_improvement(mean, sd, incumbent, Direction::minimize),
           acq::expected_improvement(-mean, sd, -incumbent));
      same(acq::log_expected_improvement(mean, sd, incumbent, Direction::minimize),
           acq::log_expected_improvement(-mean, sd, -incumbent));
      same(acq::probability_of_improvement(mean, sd, incumbent, Direction::minimize),
           acq::probability_of_improvement(-mean, sd, -incumbent));
      same(acq::log_probability_of_improvement(mean, sd, incumbent, Direction::minimize),
           acq::log_probability_of_improvement(-mean, sd, -incumbent));
      same(acq::upper_confidence_bound(mean, sd, 3.0, Direction::minimize),
           acq::upper_confidence_bound(-mean, sd, 3.0));
    }
  }
}

TEST_CASE("LogEI stays finite and informative where EI underflows") {
  const double sd = 0.25, incumbent = 1.0;
  const struct {
    double u, log_h;
  } rows[] = {{-40.0, -808.29856835662}, {-1000.0, -500014.734452091}};
  for (const auto& row : rows) {
    CAPTURE(row.u);
    const double mean = incumbent + row.u * sd;
    CHECK(acq::expected_improvement(mean, sd, incumbent).value == 0.0);
    const acq::AnalyticValue a = acq::log_expected_improvement(mean, sd, incumbent);
    CHECK(std::isfinite(a.value));
    CHECK(close_rel(a.value, row.log_h + std::log(sd), 1e-10));
    CHECK(a.d_mean > 0.0);
    CHECK(a.d_sd > 0.0);
    const double h = 1e-5 * sd * std::abs(row.u);
    const double fd = (acq::log_expected_improvement(mean + h, sd, incumbent).value -
                       acq::log_expected_improvement(mean - h, sd, incumbent).value) /
                      (2.0 * h);
    CHECK(close_rel(a.d_mean, fd, 1e-7));
    // Asymptotically d log EI / d mean = |u| / sd (1 + O(1/u^2)).
    // Asymptotically rho1 = |u| + 2/|u| + O(|u|^-3).
    CHECK(close_rel(a.d_mean, (std::abs(row.u) + 2.0 / std::abs(row.u)) / sd,
                    10.0 / std::pow(row.u, 4)));
  }
}

TEST_CASE("partial derivatives of every scalar acquisition vs finite differences") {
  const double sd = 0.7, incumbent = 0.3;
  const std::vector<double> u_ei = {-12.0, -8.0, -5.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0};
  const std::vector<double> u_pi = {-12.0, -5.0, -2.0, -1.0, 0.0, 0.7, 2.0, 4.0};
  const std::vector<double> u_log = {-2e6, -9e5, -1e4, -300.0, -40.0, -12.0, -5.0,
                                     -1.0, -0.2, 0.0,  1.0,    3.0,   8.0};
  for (Direction dir : {Direction::maximize, Direction::minimize}) {
    const double s = dir == Direction::maximize ? 1.0 : -1.0;
    CAPTURE(static_cast<int>(dir));
    const auto mean_of = [&](double u) { return incumbent + s * u * sd; };
    for (double u : u_ei) {
      CAPTURE(u);
      check_partials(
          [&](double m, double sdev) { return acq::expected_improvement(m, sdev, incumbent, dir); },
          mean_of(u), sd, u);
    }
    for (double u : u_pi) {
      CAPTURE(u);
      check_partials(
          [&](double m, double sdev) {
            return acq::probability_of_improvement(m, sdev, incumbent, dir);
          },
          mean_of(u), sd, u);
    }
    for (double u : u_log) {
      CAPTURE(u);
      check_partials(
          [&](double m, double sdev) {
            return acq::log_expected_improvement(m, sdev, incumbent, dir);
          },
          mean_of(u), sd, u);
      check_partials(
          [&](double m, double sdev) {
            return acq::log_probability_of_improvement(m, sdev, incumbent, dir);
          },
          mean_of(u), sd, u);
      check_partials(
          [&](double m, double sdev) { return acq::upper_confidence_bound(m, sdev, 2.7, dir); },
          mean_of(u), sd, u);
    }
  }
}

TEST_CASE("standard deviation is clamped at 1e-6 with zero derivative") {
  for (double sd : {0.0, 1e-9, 1e-6}) {
    CAPTURE(sd);
    const acq::AnalyticValue a = acq::log_expected_improvement(0.5, sd, 0.5);
    const acq::AnalyticValue b = acq::log_expected_improvement(0.5, acq::kMinStddev, 0.5);
    CHECK(a.value == b.value);
    CHECK(a.d_mean == b.d_mean);
    CHECK(a.d_sd == 0.0);
    CHECK(acq::expected_improvement(0.5, sd, 0.5).value ==
          doctest::Approx(1e-6 / std::sqrt(2.0 * M_PI)).epsilon(1e-14));
    CHECK(acq::upper_confidence_bound(0.0, sd, 4.0).d_sd == 0.0);
  }
  CHECK(acq::expected_improvement(0.5, 2e-6, 0.5).d_sd > 0.0);
}

TEST_CASE("scalar acquisitions refuse bad input") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS((void)acq::expected_improvement(nan, 1.0, 0.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)acq::log_expected_improvement(0.0, nan, 0.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)acq::probability_of_improvement(0.0, -1.0, 0.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)acq::log_probability_of_improvement(0.0, 1.0, inf),
                  prospect::InvalidArgument);
  CHECK_THROWS_AS((void)acq::upper_confidence_bound(0.0, 1.0, -1.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)acq::upper_confidence_bound(0.0, inf, 1.0), prospect::InvalidArgument);
}

// ---------------------------------------------------------------------------------------
// Acquisition classes through a surrogate

TEST_CASE("AnalyticAcquisition evaluate equals the scalar functions, batched") {
  FakeSurrogate model;
  prospect::Matrix X(6, 2);
  X << 0.1, 0.2, 0.3, 0.6, 0.9, 0.1, 0.5, 0.5, 0.0, 1.0, 0.75, 0.33;
  prospect::AcquisitionContext context;
  context.model = &model;
  context.incumbent = 0.7;
  for (Direction dir : {Direction::maximize, Direction::minimize}) {
    for (const acq::AnalyticOptions& options : all_kinds(dir)) {
      acq::AnalyticAcquisition a(options);
      CAPTURE(a.name());
      a.prepare(context);
      prospect::Vector values(X.rows());
      const int calls = model.predict_calls;
      a.evaluate(X, values);
      CHECK(model.predict_calls == calls + 1);
      for (Eigen::Index i = 0; i < X.rows(); ++i) {
        const double mean = FakeSurrogate::mean_at(X(i, 0), X(i, 1));
        const double sd = std::sqrt(FakeSurrogate::variance_at(X(i, 0), X(i, 1)));
        CHECK(values[i] == scalar_of(options, mean, sd, context.incumbent).value);
      }
    }
  }
}

TEST_CASE("AnalyticAcquisition gradients vs finite differences of evaluate") {
  FakeSurrogate model;
  prospect::AcquisitionContext context;
  context.model = &model;
  context.incumbent = 0.9;
  const double points[][2] = {{0.1, 0.2},   {0.8, 0.4}, {0.45, 0.9},
                              {0.3, 0.603}, {0.3, 0.6}, {0.62, 0.05}};
  for (Direction dir : {Direction::maximize, Direction::minimize}) {
    for (const acq::AnalyticOptions& options : all_kinds(dir)) {
      acq::AnalyticAcquisition a(options);
      CAPTURE(a.name());
      a.prepare(context);
      REQUIRE(a.has_gradient());
      for (const auto& p : points) {
        prospect::Vector x(2);
        x << p[0], p[1];
        CAPTURE(x.transpose());
        prospect::Vector grad(2);
        const double value = a.evaluate_with_gradient(x, grad);
        prospect::Vector single(1);
        a.evaluate(x.transpose(), single);
        CHECK(value == single[0]);
        for (int j = 0; j < 2; ++j) {
          const double h = 1e-6;
          prospect::Matrix X(2, 2);
          X.row(0) = x.transpose();
          X.row(1) = x.transpose();
          X(0, j) += h;
          X(1, j) -= h;
          prospect::Vector v(2);
          a.evaluate(X, v);
          const double fd = (v[0] - v[1]) / (2.0 * h);
          CHECK(close_rel(grad[j], fd, 1e-6, 1e-8 * (1.0 + std::abs(value))));
        }
      }
    }
  }
}

TEST_CASE("AnalyticAcquisition without model gradients still evaluates") {
  FakeSurrogate model(/*gradients=*/false);
  acq::AnalyticAcquisition a(acq::LogEI{});
  CHECK(a.needs().input_gradients == false);
  CHECK_FALSE(a.has_gradient());
  prospect::AcquisitionContext context;
  context.model = &model;
  context.incumbent = 0.0;
  a.prepare(context);
  CHECK_FALSE(a.has_gradient());
  prospect::Vector x(2), grad(2), value(1);
  x << 0.2, 0.4;
  a.evaluate(x.transpose(), value);
  CHECK(std::isfinite(value[0]));
  CHECK_THROWS_AS((void)a.evaluate_with_gradient(x, grad), prospect::InvalidState);
}

TEST_CASE("AnalyticAcquisition prepare and evaluate refuse bad state and input") {
  acq::AnalyticAcquisition a(acq::EI{});
  prospect::Vector values(1);
  prospect::Matrix X = prospect::Matrix::Constant(1, 2, 0.5);
  CHECK_THROWS_AS(a.evaluate(X, values), prospect::InvalidState);

  prospect::AcquisitionContext context;
  CHECK_THROWS_AS(a.prepare(context), prospect::InvalidArgument);
  FakeSurrogate unfitted(true, /*is_fitted=*/false);
  context.model = &unfitted;
  CHECK_THROWS_AS(a.prepare(context), prospect::InvalidArgument);
  CHECK_THROWS_AS(a.evaluate(X, values), prospect::InvalidState);  // unchanged by the throws

  FakeSurrogate model;
  context.model = &model;
  context.incumbent = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(a.prepare(context), prospect::InvalidArgument);
  context.incumbent = 0.0;
  a.prepare(context);
  prospect::Matrix wrong = prospect::Matrix::Constant(1, 3, 0.5);
  CHECK_THROWS_AS(a.evaluate(wrong, values), prospect::InvalidArgument);
  prospect::Vector too_many(2);
  CHECK_THROWS_AS(a.evaluate(X, too_many), prospect::InvalidArgument);
  prospect::Vector x3(3), g3(3);
  x3.setConstant(0.5);
  CHECK_THROWS_AS((void)a.evaluate_with_gradient(x3, g3), prospect::InvalidArgument);

  CHECK_THROWS_AS(acq::AnalyticAcquisition(acq::UCB{.beta = -1.0}), prospect::InvalidArgument);
  CHECK_THROWS_AS(acq::AnalyticAcquisition(acq::UCB{.delta = 1.5}), prospect::InvalidArgument);
}

TEST_CASE("UCB schedule follows GP-UCB") {
  FakeSurrogate model;
  acq::AnalyticAcquisition a(acq::UCB{.schedule = true, .delta = 0.05});
  prospect::AcquisitionContext context;
  context.model = &model;
  for (Eigen::Index t : {0, 1, 10, 200}) {
    context.iteration = t;
    a.prepare(context);
    const double tt = static_cast<double>(std::max<Eigen::Index>(t, 1));
    const double expected = 2.0 * std::log(2.0 * tt * tt * M_PI * M_PI / (6.0 * 0.05));
    CHECK(a.beta() == doctest::Approx(expected).epsilon(1e-14));
    prospect::Vector x(2), grad(2);
    x << 0.2, 0.7;
    const double value = a.evaluate_with_gradient(x, grad);
    const double sd = std::sqrt(FakeSurrogate::variance_at(0.2, 0.7));
    CHECK(value == doctest::Approx(FakeSurrogate::mean_at(0.2, 0.7) + std::sqrt(expected) * sd)
                       .epsilon(1e-14));
  }
  CHECK(acq::AnalyticAcquisition(acq::UCB{}).beta() == 4.0);
}

TEST_CASE("make_acquisition, to_string and acquisition_from_string round trip") {
  CHECK(std::holds_alternative<acq::LogEI>(acq::AcquisitionChoice{}));
  for (const std::string& name : acq::acquisition_names()) {
    CAPTURE(name);
    const acq::AcquisitionChoice choice = acq::acquisition_from_string(name);
    CHECK(acq::to_string(choice) == name);
    const std::unique_ptr<prospect::Acquisition> made = acq::make_acquisition(choice);
    REQUIRE(made);
    CHECK(made->name() == name);
    CHECK(made->clone()->name() == name);
    CHECK(made->batch_size() == 1);
    // Batch (qei, qlogei, qucb, qlognei) and knowledge-gradient acquisitions score q points
    // jointly; the quantile ones are single-point.
    const bool monte_carlo = name[0] == 'q' && name.rfind("quantile", 0) != 0;
    CHECK(made->joint_batch() == (monte_carlo || name == "kg" || name == "mfkg"));
  }
  CHECK(acq::to_string(acq::acquisition_from_string("LogEI")) == "logei");

  const auto user = std::make_shared<const UserAcquisition>();
  const acq::AcquisitionChoice choice = user;
  CHECK(acq::to_string(choice) == "my_acquisition");
  const std::unique_ptr<prospect::Acquisition> made = acq::make_acquisition(choice);
  REQUIRE(made);
  CHECK(made.get() != user.get());
  CHECK(made->name() == "my_acquisition");

  const std::unique_ptr<prospect::Acquisition> made_ucb =
      acq::make_acquisition(acq::UCB{.beta = 9.0});
  const auto* ucb = dynamic_cast<const acq::AnalyticAcquisition*>(made_ucb.get());
  REQUIRE(ucb != nullptr);
  CHECK(std::get<acq::UCB>(ucb->options()).beta == 9.0);

  try {
    (void)acq::acquisition_from_string("expected_improvement");
    FAIL("no exception");
  } catch (const prospect::InvalidArgument& e) {
    const std::string message = e.what();
    CHECK(message.find("expected_improvement") != std::string::npos);
    CHECK(message.find("logei") != std::string::npos);
    CHECK(message.find("logpi") != std::string::npos);
  }
  const acq::AcquisitionChoice null_choice = std::shared_ptr<const prospect::Acquisition>();
  CHECK_THROWS_AS((void)acq::make_acquisition(null_choice), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)acq::to_string(null_choice), prospect::InvalidArgument);
}
