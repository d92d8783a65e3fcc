// minimize on Branin: the shortest way to optimize a function with prospect.
#include <cmath>
#include <iostream>
#include <numbers>

#include "prospect/prospect.hpp"

int main() {
  prospect::Space space;
  space.add_real("x1", -5.0, 10.0);
  space.add_real("x2", 0.0, 15.0);

  auto branin = [](const prospect::Params& p) {
    const double x1 = p.real("x1"), x2 = p.real("x2");
    const double pi = std::numbers::pi;
    const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
    return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
  };

  prospect::Options options;
  options.seed = 1;
  options.noise = prospect::Noise::none;  // Branin is deterministic: interpolate it
  options.progress = true;                // one line per evaluation on stderr

  const prospect::Result result = prospect::minimize(branin, space, /*budget=*/40, options);
  std::cout << result.brief_report() << "\n"
            << "regret against the global minimum 0.397887: " << *result.best.value - 0.397887
            << "\n";
  return 0;
}
