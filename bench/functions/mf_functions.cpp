#include "mf_functions.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "prospect/errors.hpp"
#include "test_functions.hpp"

namespace prospect::bench {
namespace {

using Point = std::vector<double>;
constexpr double pi = std::numbers::pi;

// BoTorch's AugmentedHartmann: Hartmann-6 with alpha_1 lowered by 0.1 (1 - s).
double aug_hartmann6(const Point& x, double s) {
  return hartmann6_weighted(x, {1.0 - 0.1 * (1.0 - s), 1.2, 3.0, 3.2});
}

// BoTorch's AugmentedBranin: the x1^2 coefficient b lowered by 0.1 (1 - s).
double aug_branin(const Point& x, double s) {
  const double b = 5.1 / (4.0 * pi * pi), c = 5.0 / pi, r = 6.0, t = 1.0 / (8.0 * pi);
  const double u = x[1] - (b - 0.1 * (1.0 - s)) * x[0] * x[0] + c * x[0] - r;
  return u * u + 10.0 * (1.0 - t) * std::cos(x[0]) + 10.0;
}

// The bracket 1 - exp(-1 / (2 x2)) is defined as its limit 1 at x2 = 0 (no 0-division).
double currin_high(double x1, double x2) {
  const double bracket = x2 > 0.0 ? 1.0 - std::exp(-1.0 / (2.0 * x2)) : 1.0;
  return bracket * (2300.0 * x1 * x1 * x1 + 1900.0 * x1 * x1 + 2092.0 * x1 + 60.0) /
         (100.0 * x1 * x1 * x1 + 500.0 * x1 * x1 + 4.0 * x1 + 20.0);
}

// Minimization form: -f_H at level 1, -f_L at level 0. The shifted x1 +- 0.05 may leave
// [0, 1]; it is evaluated anyway, as Emukit and the SFU library do.
double currin(const Point& x, double level) {
  const double x1 = x[0], x2 = x[1];
  if (level >= 1.0) return -currin_high(x1, x2);
  const double up = x2 + 0.05, down = std::max(0.0, x2 - 0.05);
  return -0.25 * (currin_high(x1 + 0.05, up) + currin_high(x1 + 0.05, down) +
                  currin_high(x1 - 0.05, up) + currin_high(x1 - 0.05, down));
}

// Variables in order r_w, r, T_u, H_u, T_l, H_l, L, K_w.
double borehole(const Point& x, double level) {
  const double rw = x[0], r = x[1], tu = x[2], hu = x[3], tl = x[4], hl = x[5], len = x[6],
               kw = x[7];
  const double lg = std::log(r / rw);
  const double middle = 2.0 * len * tu / (lg * rw * rw * kw) + tu / tl;
  if (level >= 1.0) return 2.0 * pi * tu * (hu - hl) / (lg * (1.0 + middle));
  return 5.0 * tu * (hu - hl) / (lg * (1.5 + middle));
}

double forrester(const Point& x, double level) {
  const double a = 6.0 * x[0] - 2.0;
  const double high = a * a * std::sin(12.0 * x[0] - 4.0);
  if (level >= 1.0) return high;
  return 0.5 * high + 10.0 * (x[0] - 0.5) + 5.0;
}

MultiFidelityFunction continuous(std::string name, Point lower, Point upper, double optimum,
                                 std::vector<Point> minimizers, double (*f)(const Point&, double)) {
  MultiFidelityFunction m;
  m.name = std::move(name);
  m.dimension = static_cast<int>(lower.size());
  m.lower = std::move(lower);
  m.upper = std::move(upper);
  m.kind = FidelityKind::continuous;
  m.cost_fixed = 5.0;  // the BoTorch tutorial's AffineFidelityCostModel(fixed_cost=5)
  m.cost_slope = 1.0;
  m.optimum = optimum;
  m.minimizers = std::move(minimizers);
  m.f = f;
  return m;
}

MultiFidelityFunction two_levels(std::string name, Point lower, Point upper, double optimum,
                                 std::vector<Point> minimizers, double (*f)(const Point&, double)) {
  MultiFidelityFunction m;
  m.name = std::move(name);
  m.dimension = static_cast<int>(lower.size());
  m.lower = std::move(lower);
  m.upper = std::move(upper);
  m.kind = FidelityKind::discrete;
  m.levels = 2;
  m.level_costs = {1.0, 10.0};
  m.optimum = optimum;
  m.minimizers = std::move(minimizers);
  m.f = f;
  return m;
}

std::vector<MultiFidelityFunction> build() {
  const TestFunction& hartmann6 = function("hartmann6");
  const TestFunction& branin = function("branin");
  std::vector<MultiFidelityFunction> out;
  // At s = 1 these are Hartmann-6 and Branin: same optimum and minimizers.
  out.push_back(continuous("aug_hartmann6", Point(6, 0.0), Point(6, 1.0), hartmann6.optimum,
                           hartmann6.minimizers, aug_hartmann6));
  out.push_back(continuous("aug_branin", {-5.0, 0.0}, {10.0, 15.0}, branin.optimum,
                           branin.minimizers, aug_branin));
  // max f_H: for x2 <= ~0.0135 the bracket rounds to 1 and f_H is the rational factor
  // N(x1) / D(x1), whose derivative numerator N'D - ND' has the root x1 = 13/60 exactly
  // (checked in rationals): max = N(13/60) / D(13/60) = 4319/313 = 13.798722044728434.
  // The minimizers form the segment {13/60} x [0, ~0.0135]; (13/60, 0) is listed.
  out.push_back(
      two_levels("currin", {0.0, 0.0}, {1.0, 1.0}, -4319.0 / 313.0, {{13.0 / 60.0, 0.0}}, currin));
  // f_H is monotone in every variable, so its minimum is at a corner; the smallest of
  // the 256 corners (enumerated) is 7.819676328755232 (ALGORITHMS.md: 7.8197).
  out.push_back(two_levels(
      "borehole", {0.05, 100.0, 63070.0, 990.0, 63.1, 700.0, 1120.0, 9855.0},
      {0.15, 50000.0, 115600.0, 1110.0, 116.0, 820.0, 1680.0, 12045.0}, 7.819676328755232,
      {{0.05, 50000.0, 63070.0, 990.0, 63.1, 820.0, 1680.0, 9855.0}}, borehole));
  // With u = 12 x - 4, f_H = u^2 sin(u) / 4 is stationary where 2 sin u + u cos u = 0;
  // the root in (4.5, 5.5) (Brent, to 1e-16) gives x = 0.757248757841856.
  out.push_back(
      two_levels("forrester", {0.0}, {1.0}, -6.0207400557670825, {{0.757248757841856}}, forrester));
  return out;
}

std::string describe(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

}  // namespace

double MultiFidelityFunction::target() const {
  return kind == FidelityKind::continuous ? 1.0 : static_cast<double>(levels - 1);
}

namespace {
void check_fidelity(const MultiFidelityFunction& m, double s) {
  if (m.kind == FidelityKind::continuous) {
    if (!(s >= 0.0 && s <= 1.0))
      throw InvalidArgument("fidelity s: got " + describe(s) + " for " + m.name +
                            ", expected a value in [0, 1]");
  } else if (!(s >= 0.0 && s <= m.levels - 1.0 && s == std::floor(s))) {
    throw InvalidArgument("fidelity level: got " + describe(s) + " for " + m.name +
                          ", expected an integer in [0, " + std::to_string(m.levels - 1) + "]");
  }
}
}  // namespace

double MultiFidelityFunction::cost(double s) const {
  check_fidelity(*this, s);
  if (kind == FidelityKind::continuous) return cost_fixed + cost_slope * s;
  return level_costs[static_cast<std::size_t>(s)];
}

double MultiFidelityFunction::evaluate(const std::vector<double>& x, double s) const {
  if (x.size() != static_cast<std::size_t>(dimension))
    throw InvalidArgument("x: got " + std::to_string(x.size()) + " coordinates for " + name +
                          ", expected " + std::to_string(dimension));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      throw InvalidArgument("x[" + std::to_string(i) + "]: got a non-finite value for " + name +
                            ", expected a finite number");
  check_fidelity(*this, s);
  return f(x, s);
}

const std::vector<MultiFidelityFunction>& all_mf_functions() {
  static const std::vector<MultiFidelityFunction> functions = build();
  return functions;
}

const MultiFidelityFunction& mf_function(const std::string& name) {
  for (const auto& m : all_mf_functions())
    if (m.name == name) return m;
  std::ostringstream known;
  for (const auto& m : all_mf_functions()) known << (known.tellp() > 0 ? ", " : "") << m.name;
  throw InvalidArgument("multi-fidelity function name: got \"" + name + "\", expected one of " +
                        known.str());
}

}  // namespace prospect::bench
