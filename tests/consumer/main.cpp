// Built against an installed prospect: a short ask/tell study must run and improve.
#include <cmath>
#include <iostream>
#include <prospect/prospect.hpp>

int main() {
  prospect::Space space;
  space.add_real("x", -2.0, 2.0);
  prospect::Options options;
  options.n_initial = 4;
  options.noise = prospect::Noise::none;
  prospect::Optimizer opt(space, options);
  for (int i = 0; i < 10; ++i) {
    const prospect::Trial t = opt.ask();
    const double x = t.params.real("x");
    opt.tell(t.id, (x - 0.5) * (x - 0.5));
  }
  const double best = *opt.best().value;
  std::cout << "consumer: best " << best << "\n";
  return best < 0.01 ? 0 : 1;
}
