// Parallel workers: four threads evaluate a noisy objective, each asking for its next
// point as soon as it is free (asynchronous batch BO). The optimizer is one object
// guarded by a mutex; ask() sees every point still running as pending, so the workers
// never receive the same point, and qLogNEI scores each new point jointly with them.
//
//   example_parallel_workers [evaluations=40]
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <numbers>
#include <random>
#include <thread>
#include <vector>

#include "prospect/prospect.hpp"

namespace {

// Branin with N(0, 1) observation noise: the minimum of the noise-free function is 0.397887.
double noisy_branin(double x1, double x2, std::mt19937_64& rng) {
  const double pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  const double f = std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
  return f + std::normal_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

int main(int argc, char** argv) {
  const int evaluations = argc > 1 ? std::atoi(argv[1]) : 40;
  prospect::Space space;
  space.add_real("x1", -5.0, 10.0);
  space.add_real("x2", 0.0, 15.0);

  prospect::Options options;
  options.seed = 7;
  options.acquisition = prospect::acquisition::qLogNEI{};  // noisy and pending-aware
  prospect::Optimizer opt(space, options);

  std::mutex mutex;  // the optimizer is not thread-safe: one ask/tell at a time
  int started = 0;
  auto worker = [&](int id) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(id));
    for (;;) {
      prospect::Trial trial;
      {
        const std::lock_guard<std::mutex> lock(mutex);
        if (started >= evaluations) return;
        ++started;
        trial = opt.ask();
      }
      // The "simulation": evaluation times differ, so results come back out of order.
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + 10 * (trial.id % 3)));
      const double y = noisy_branin(trial.params.real("x1"), trial.params.real("x2"), rng);
      const std::lock_guard<std::mutex> lock(mutex);
      opt.tell(trial.id, y);
      std::cout << "worker " << id << " trial " << trial.id << ": " << trial.params.to_string()
                << " -> " << y << "\n";
    }
  };
  std::vector<std::thread> pool;
  for (int w = 0; w < 4; ++w) pool.emplace_back(worker, w);
  for (auto& t : pool) t.join();

  // Noisy objective: best() recommends the trial with the best posterior mean.
  const prospect::Trial best = opt.best();
  std::cout << "recommended: " << best.params.to_string() << " (observed " << *best.value
            << "; the noise-free minimum is 0.397887)\n";
  return 0;
}
