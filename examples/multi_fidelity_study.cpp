// A multi-fidelity design study: a simulator that runs on a coarse mesh (cheap, biased)
// or a fine mesh (ten times the cost, the truth), driven by ask/tell with the
// cost-aware multi-fidelity knowledge gradient until a cost budget is spent. Each ask
// says which design to run AND on which mesh; best() recommends a design by the model's
// belief about the FINE mesh, never by a cheap coarse value.
//
//   example_multi_fidelity_study [cost budget, default 150]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "prospect/prospect.hpp"

namespace {

// A stand-in simulator: the peak stress of a bracket as a function of two shape
// parameters. The coarse mesh (level 0) smooths the stress concentration and shifts it;
// the fine mesh (level 1) is what the study must minimize.
double simulate(double fillet, double web, long mesh) {
  const double fine =
      std::pow(6 * fillet - 2, 2) * std::sin(12 * fillet - 4) + 4 * std::pow(web - 0.35, 2) + 6;
  if (mesh == 1) return fine;
  return 0.5 * fine + 10 * (fillet - 0.5) - 2 + std::pow(web - 0.5, 2);
}

}  // namespace

int main(int argc, char** argv) {
  const double budget = argc > 1 ? std::atof(argv[1]) : 150.0;

  prospect::Space space;
  space.add_real("fillet", 0.0, 1.0);
  space.add_real("web", 0.0, 1.0);
  space.add_fidelity_levels("mesh", 0, 1, /*target=*/1);

  prospect::Options options;
  options.seed = 1;
  options.noise = prospect::Noise::none;  // a deterministic simulator
  options.acquisition = prospect::acquisition::MFKG{};
  options.cost = prospect::acquisition::AffineCost{1.0, {9.0}};  // coarse 1, fine 10
  prospect::Optimizer opt(space, options);

  std::printf("%-5s %-6s %-30s %-10s %-8s %s\n", "trial", "mesh", "design", "stress", "spent",
              "recommended (fine mesh)");
  while (opt.cumulative_cost() < budget) {
    const prospect::Trial t = opt.ask();
    const long mesh = t.params.integer("mesh");
    const double stress = simulate(t.params.real("fillet"), t.params.real("web"), mesh);
    opt.tell(t.id, stress);
    const prospect::Trial best = opt.best();
    char design[64];
    std::snprintf(design, sizeof design, "fillet=%.3f web=%.3f", t.params.real("fillet"),
                  t.params.real("web"));
    std::printf("%-5llu %-6s %-30s %-10.4f %-8.1f fillet=%.3f web=%.3f (%.4f)\n",
                static_cast<unsigned long long>(t.id), mesh == 1 ? "fine" : "coarse", design,
                stress, opt.cumulative_cost(), best.params.real("fillet"), best.params.real("web"),
                *best.value);
  }
  const prospect::Trial best = opt.best();
  const double truth = simulate(best.params.real("fillet"), best.params.real("web"), 1);
  std::cout << "spent " << opt.cumulative_cost() << " of " << budget << " on " << opt.n_complete()
            << " runs; recommended " << best.params.to_string() << ", fine-mesh stress " << truth
            << "\n";
  // The model's own optimum on the fine mesh, evaluated or not (BoTorch's recommendation).
  const prospect::Optimizer::Recommendation model = opt.recommend();
  std::cout << "the model's optimum: " << model.params.to_string() << ", believed " << model.mean
            << " +- " << model.stddev << ", fine-mesh stress "
            << simulate(model.params.real("fillet"), model.params.real("web"), 1) << "\n";
}
