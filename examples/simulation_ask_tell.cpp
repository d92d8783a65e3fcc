// Embedding the ask/tell loop in simulation code: the solver is a function that
// takes long and may fail; the study is saved after every result so that a crash
// loses nothing, and a restarted program resumes where it stopped.
//
//   example_simulation_ask_tell [study.json]
#include <cmath>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "prospect/prospect.hpp"

namespace {

// A stand-in for an expensive solver: the drag of a profile as a function of a
// thickness (real), a mesh refinement level (integer) and a turbulence model
// (categorical). It "diverges" in one corner of the space.
double run_solver(double thickness, long refinement, const std::string& model) {
  if (thickness > 0.28 && refinement == 1) throw std::runtime_error("solver diverged");
  const double model_bias = model == "k-omega" ? 0.0 : (model == "spalart" ? 0.02 : 0.05);
  return std::pow(thickness - 0.12, 2) * 40 + 0.01 * std::abs(refinement - 3) + model_bias +
         0.3 * std::sin(25 * thickness) * 0.05;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "simulation_study.json";

  prospect::Space space;
  space.add_real("thickness", 0.05, 0.30);
  space.add_integer("refinement", 1, 5);
  space.add_categorical("turbulence", {"k-epsilon", "k-omega", "spalart"});

  prospect::Options options;
  options.seed = 42;
  options.noise = prospect::Noise::none;

  // Resume when a study file exists (the program may have been killed).
  prospect::Optimizer opt = std::filesystem::exists(path) ? prospect::Optimizer::load(path)
                                                          : prospect::Optimizer(space, options);
  std::cout << "study " << path << ": " << opt.n_complete() << " results so far\n";

  while (opt.n_complete() < 25) {
    prospect::Trial trial = opt.ask();
    const auto& p = trial.params;
    try {
      const double drag =
          run_solver(p.real("thickness"), p.integer("refinement"), p.category("turbulence"));
      opt.tell(trial.id, drag);
      std::cout << "trial " << trial.id << ": " << p.to_string() << " -> drag " << drag << "\n";
    } catch (const std::runtime_error& e) {
      opt.tell_failed(trial.id, e.what());
      std::cout << "trial " << trial.id << ": " << p.to_string() << " -> failed (" << e.what()
                << ")\n";
    }
    opt.save(path);  // atomic: a crash here keeps the previous file
  }
  const prospect::Trial best = opt.best();
  std::cout << "best: " << best.params.to_string() << " drag " << *best.value << "\n";
  return 0;
}
