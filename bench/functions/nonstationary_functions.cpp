#include "functions/nonstationary_functions.hpp"

#include <cmath>

#include "prospect/errors.hpp"

namespace prospect::bench {

namespace {

using Point = std::vector<double>;

double cliff3(const Point& x) {
  const double c[3] = {0.5, 0.3, 0.7};
  double s = 0.0;
  for (int i = 0; i < 3; ++i)
    s += (x[static_cast<std::size_t>(i)] - c[i]) * (x[static_cast<std::size_t>(i)] - c[i]);
  return 10.0 * s + (x[0] < 0.6 ? 2.0 : 0.0);
}

double gramacy_lee2(const Point& x) {
  return x[0] * std::exp(-x[0] * x[0] - x[1] * x[1]);
}

double levy4_in_20(const Point& x) {
  const Point active = {x[3], x[7], x[12], x[18]};
  const double pi = std::acos(-1.0);
  auto w = [&](std::size_t i) { return 1.0 + (active[i] - 1.0) / 4.0; };
  auto sq = [](double v) { return v * v; };
  double sum = sq(std::sin(pi * w(0)));
  for (std::size_t i = 0; i + 1 < active.size(); ++i) {
    sum += sq(w(i) - 1.0) * (1.0 + 10.0 * sq(std::sin(pi * w(i) + 1.0)));
  }
  const double wd = w(active.size() - 1);
  return sum + sq(wd - 1.0) * (1.0 + sq(std::sin(2.0 * pi * wd)));
}

}  // namespace

const std::vector<TestFunction>& nonstationary_functions() {
  static const std::vector<TestFunction> all = [] {
    std::vector<TestFunction> v;
    v.push_back(
        make_test_function("cliff3", Point(3, 0.0), Point(3, 1.0), 0.1, {{0.6, 0.3, 0.7}}, cliff3));
    const double r = 1.0 / std::sqrt(2.0);
    v.push_back(make_test_function("gramacy_lee2", Point(2, -2.0), Point(2, 6.0),
                                   -r * std::exp(-0.5), {{-r, 0.0}}, gramacy_lee2));
    Point minimizer(20, 0.0);
    for (std::size_t i : {3u, 7u, 12u, 18u}) minimizer[i] = 1.0;
    v.push_back(make_test_function("levy4_in_20", Point(20, -10.0), Point(20, 10.0), 0.0,
                                   {minimizer}, levy4_in_20));
    return v;
  }();
  return all;
}

const TestFunction& nonstationary_function(const std::string& name) {
  std::string known;
  for (const auto& f : nonstationary_functions()) {
    if (f.name == name) return f;
    known += (known.empty() ? "" : ", ") + f.name;
  }
  throw InvalidArgument("function: got \"" + name + "\", expected one of " + known);
}

}  // namespace prospect::bench
