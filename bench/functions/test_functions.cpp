#include "test_functions.hpp"

#include <cmath>
#include <numbers>
#include <random>
#include <sstream>

#include "prospect/errors.hpp"

namespace prospect::bench {
namespace {

using Point = std::vector<double>;
constexpr double pi = std::numbers::pi;

double branin(const Point& x) {
  const double b = 5.1 / (4.0 * pi * pi), c = 5.0 / pi, r = 6.0, s = 10.0, t = 1.0 / (8.0 * pi);
  const double u = x[1] - b * x[0] * x[0] + c * x[0] - r;
  return u * u + s * (1.0 - t) * std::cos(x[0]) + s;
}

double six_hump_camel(const Point& x) {
  const double x1 = x[0], x2 = x[1];
  return (4.0 - 2.1 * x1 * x1 + x1 * x1 * x1 * x1 / 3.0) * x1 * x1 + x1 * x2 +
         (-4.0 + 4.0 * x2 * x2) * x2 * x2;
}

double goldstein_price(const Point& x) {
  const double x1 = x[0], x2 = x[1];
  const double a = x1 + x2 + 1.0;
  const double first =
      1.0 + a * a * (19.0 - 14.0 * x1 + 3.0 * x1 * x1 - 14.0 * x2 + 6.0 * x1 * x2 + 3.0 * x2 * x2);
  const double b = 2.0 * x1 - 3.0 * x2;
  const double second =
      30.0 +
      b * b * (18.0 - 32.0 * x1 + 12.0 * x1 * x1 + 48.0 * x2 - 36.0 * x1 * x2 + 27.0 * x2 * x2);
  return first * second;
}

constexpr double hartmann_alpha[4] = {1.0, 1.2, 3.0, 3.2};

double hartmann3(const Point& x) {
  static constexpr double A[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
  static constexpr double P[4][3] = {
      {3689, 1170, 2673}, {4699, 4387, 7470}, {1091, 8732, 5547}, {381, 5743, 8828}};
  double sum = 0.0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0.0;
    for (int j = 0; j < 3; ++j) {
      const double diff = x[j] - 1e-4 * P[i][j];
      inner += A[i][j] * diff * diff;
    }
    sum += hartmann_alpha[i] * std::exp(-inner);
  }
  return -sum;
}

}  // namespace

double hartmann6_weighted(const std::vector<double>& x, const std::array<double, 4>& alpha) {
  static constexpr double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                     {0.05, 10, 17, 0.1, 8, 14},
                                     {3, 3.5, 1.7, 10, 17, 8},
                                     {17, 8, 0.05, 10, 0.1, 14}};
  static constexpr double P[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                     {2329, 4135, 8307, 3736, 1004, 9991},
                                     {2348, 1451, 3522, 2883, 3047, 6650},
                                     {4047, 8828, 8732, 5743, 1091, 381}};
  double sum = 0.0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0.0;
    for (int j = 0; j < 6; ++j) {
      const double diff = x[j] - 1e-4 * P[i][j];
      inner += A[i][j] * diff * diff;
    }
    sum += alpha[static_cast<std::size_t>(i)] * std::exp(-inner);
  }
  return -sum;
}

namespace {

double hartmann6(const Point& x) {
  return hartmann6_weighted(
      x, {hartmann_alpha[0], hartmann_alpha[1], hartmann_alpha[2], hartmann_alpha[3]});
}

double ackley(const Point& x) {
  const double a = 20.0, b = 0.2, c = 2.0 * pi;
  const double d = static_cast<double>(x.size());
  double squares = 0.0, cosines = 0.0;
  for (double xi : x) {
    squares += xi * xi;
    cosines += std::cos(c * xi);
  }
  return -a * std::exp(-b * std::sqrt(squares / d)) - std::exp(cosines / d) + a + std::numbers::e;
}

double levy(const Point& x) {
  const std::size_t d = x.size();
  auto w = [&](std::size_t i) { return 1.0 + (x[i] - 1.0) / 4.0; };
  auto sq = [](double v) { return v * v; };
  double sum = sq(std::sin(pi * w(0)));
  for (std::size_t i = 0; i + 1 < d; ++i)
    // sin^2(pi w_i + 1), not sin^2(pi (w_i + 1)): BoTorch and SFU agree on this form.
    sum += sq(w(i) - 1.0) * (1.0 + 10.0 * sq(std::sin(pi * w(i) + 1.0)));
  const double wd = w(d - 1);
  return sum + sq(wd - 1.0) * (1.0 + sq(std::sin(2.0 * pi * wd)));
}

double rosenbrock(const Point& x) {
  double sum = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double u = x[i + 1] - x[i] * x[i], v = x[i] - 1.0;
    sum += 100.0 * u * u + v * v;
  }
  return sum;
}

double styblinski_tang(const Point& x) {
  double sum = 0.0;
  for (double xi : x) sum += xi * xi * xi * xi - 16.0 * xi * xi + 5.0 * xi;
  return 0.5 * sum;
}

double michalewicz(const Point& x) {
  double sum = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double idx = static_cast<double>(i + 1);  // the index is 1-based
    sum += std::sin(x[i]) * std::pow(std::sin(idx * x[i] * x[i] / pi), 20.0);
  }
  return -sum;
}

std::vector<TestFunction> build() {
  std::vector<TestFunction> all;
  // Exact minimizers (pi, 2.275) etc.; the optimum is exactly s t = 10 / (8 pi).
  all.push_back(make_test_function("branin", {-5.0, 0.0}, {10.0, 15.0}, 0.39788735772973816,
                                   {{-pi, 12.275}, {pi, 2.275}, {3.0 * pi, 2.475}}, branin));
  // Minimizers refined numerically (Nelder-Mead to 1e-13); BoTorch's optimum to
  // its 10 digits is -1.0316284535.
  all.push_back(make_test_function(
      "six_hump_camel", {-3.0, -2.0}, {3.0, 2.0}, -1.0316284534898774,
      {{0.089842008935272, -0.71265640301906}, {-0.089842008935272, 0.71265640301906}},
      six_hump_camel));
  all.push_back(make_test_function("goldstein_price", {-2.0, -2.0}, {2.0, 2.0}, 3.0, {{0.0, -1.0}},
                                   goldstein_price));
  // Hartmann minimizers refined by a local optimizer from BoTorch's published
  // 6-digit points; the optima (BoTorch: -3.86278, -3.32237) are the refined values.
  all.push_back(
      make_test_function("hartmann3", {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, -3.862779787332663,
                         {{0.11458888122541, 0.55564889547394, 0.85254698421727}}, hartmann3));
  all.push_back(make_test_function("hartmann6", std::vector<double>(6, 0.0),
                                   std::vector<double>(6, 1.0), -3.3223680114155147,
                                   {{0.20168950909366, 0.15001069354111, 0.4768739729251,
                                     0.27533242752208, 0.31165161723957, 0.65730053455367}},
                                   hartmann6));
  all.push_back(make_test_function("ackley5", std::vector<double>(5, -32.768),
                                   std::vector<double>(5, 32.768), 0.0, {Point(5, 0.0)}, ackley));
  all.push_back(make_test_function("levy5", std::vector<double>(5, -10.0),
                                   std::vector<double>(5, 10.0), 0.0, {Point(5, 1.0)}, levy));
  all.push_back(make_test_function("rosenbrock4", std::vector<double>(4, -5.0),
                                   std::vector<double>(4, 10.0), 0.0, {Point(4, 1.0)}, rosenbrock));
  all.push_back(make_test_function("styblinski_tang4", std::vector<double>(4, -5.0),
                                   std::vector<double>(4, 5.0), -39.16616570377142 * 4.0,
                                   {Point(4, -2.903534018185960)}, styblinski_tang));
  // Separable: each coordinate minimized on its own (golden section to ~1e-9; the
  // second is pi/2 exactly). Sum of the 1-D minima -4.687658179088148 (BoTorch's
  // published value -4.687658).
  all.push_back(make_test_function(
      "michalewicz5", std::vector<double>(5, 0.0), std::vector<double>(5, pi), -4.687658179088148,
      {{2.2029055222627054, pi / 2.0, 1.2849915708849968, 1.9230584688159351, 1.7204697726395524}},
      michalewicz));
  return all;
}

}  // namespace

TestFunction make_test_function(std::string name, std::vector<double> lower,
                                std::vector<double> upper, double optimum,
                                std::vector<Point> minimizers,
                                std::function<double(const Point&)> f) {
  TestFunction t;
  t.name = std::move(name);
  t.dimension = static_cast<int>(lower.size());
  t.lower = std::move(lower);
  t.upper = std::move(upper);
  t.optimum = optimum;
  t.minimizers = std::move(minimizers);
  t.f = std::move(f);
  return t;
}

double TestFunction::evaluate(const std::vector<double>& x) const {
  if (static_cast<int>(x.size()) != dimension)
    throw InvalidArgument("x: got " + std::to_string(x.size()) + " coordinates for " + name +
                          ", expected " + std::to_string(dimension));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      throw InvalidArgument("x[" + std::to_string(i) + "]: got a non-finite value for " + name +
                            ", expected a finite number");
  return f(x);
}

const std::vector<TestFunction>& all_functions() {
  static const std::vector<TestFunction> functions = build();
  return functions;
}

const TestFunction& function(const std::string& name) {
  for (const auto& t : all_functions())
    if (t.name == name) return t;
  std::ostringstream known;
  for (const auto& t : all_functions()) known << (known.tellp() > 0 ? ", " : "") << t.name;
  throw InvalidArgument("function name: got \"" + name + "\", expected one of " + known.str());
}

double noisy(const TestFunction& function, const std::vector<double>& x, double noise_std,
             Rng& rng) {
  if (!std::isfinite(noise_std) || noise_std < 0.0) {
    std::ostringstream value;
    value << noise_std;
    throw InvalidArgument("noise_std: got " + value.str() + ", expected a finite value >= 0");
  }
  const double value = function.evaluate(x);
  if (noise_std == 0.0) return value;
  std::normal_distribution<double> normal(0.0, 1.0);
  return value + noise_std * normal(rng.engine());
}

}  // namespace prospect::bench
