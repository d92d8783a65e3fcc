// Tuning a real learning algorithm with early stopping: a small neural-network classifier
// (learning rate, weight decay, width, depth, activation, batch size) on the Wisconsin
// breast-cancer data, trained epoch by epoch. Each trial reports its validation loss after
// every epoch; asynchronous successive halving (ASHA) stops the poor ones at the rungs
// 1, 3, 9 and 27 epochs, so most of the budget goes to promising configurations and only
// the best run the full 81 epochs. The searcher that proposes configurations is chosen on
// the command line; every searcher runs under the same scheduler.
//
//   example_tune_mlp [random|gp|cqr] [--epochs 600] [--trials N] [--seed 0]
//                    [--data breast_cancer.csv] [--out tune_mlp_study.json]
//
//   random  quasi-random search + ASHA (the usual baseline)
//   gp      Gaussian-process BO + ASHA: the GP learns from every trial's latest value
//   cqr     conformal quantile regression + ASHA (Salinas et al. 2023)
//
// --epochs is the total training budget in epochs over all trials (the run stops when it
// is spent, cutting the last trial short); --trials caps the number of trials.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "mlp_task.hpp"
#include "prospect/prospect.hpp"

// The CQR surrogate arrives in a later version of the library; the example builds either way.
namespace {

struct Arguments {
  std::string searcher = "random";
  long epoch_budget = 600;
  long max_trials = 0;  // 0: no cap
  std::uint64_t seed = 0;
  std::string data = prospect_examples::breast_cancer_csv;
  std::string out = "tune_mlp_study.json";
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "example_tune_mlp: " << problem
            << "\nusage: example_tune_mlp [random|gp|cqr] [--epochs N] [--trials N] [--seed S]"
               " [--data CSV] [--out JSON]\n";
  std::exit(2);
}

Arguments parse(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    const auto integer = [&](const std::string& text, long least) {
      char* end = nullptr;
      const long v = std::strtol(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0' || v < least) {
        usage(arg + ": got \"" + text + "\", expected an integer >= " + std::to_string(least));
      }
      return v;
    };
    if (arg == "random" || arg == "gp" || arg == "cqr") {
      a.searcher = arg;
    } else if (arg == "--epochs") {
      a.epoch_budget = integer(value(), 1);
    } else if (arg == "--trials") {
      a.max_trials = integer(value(), 1);
    } else if (arg == "--seed") {
      a.seed = static_cast<std::uint64_t>(integer(value(), 0));
    } else if (arg == "--data") {
      a.data = value();
    } else if (arg == "--out") {
      a.out = value();
    } else {
      usage("unknown argument \"" + arg + "\"");
    }
  }
  return a;
}

std::string describe(const prospect::Params& p) {
  char text[160];
  std::snprintf(text, sizeof text, "lr=%.2e wd=%.1e width=%3ld layers=%ld %s batch=%3ld",
                p.real("learning_rate"), p.real("weight_decay"), p.integer("width"),
                p.integer("layers"), p.category("activation").c_str(), p.integer("batch_size"));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = parse(argc, argv);

  // The task: a fixed stratified 70/30 split, features standardized on the training part.
  const auto data = std::make_shared<const prospect_examples::Split>(
      prospect_examples::split_and_standardize(prospect_examples::load_dataset(args.data), 0.3,
                                               /*seed=*/0));
  std::cout << "data: " << data->source << " (" << data->X_train.rows() << " training, "
            << data->X_valid.rows() << " validation points, " << data->X_train.cols()
            << " features)\n";

  // --- The study: space, scheduler, searcher.
  const prospect::Space space = prospect_examples::mlp_space();
  prospect::Options options;
  options.seed = args.seed;
  prospect::schedulers::ASHA asha;
  asha.reduction_factor = 3;  // about a third of the trials reaching a rung go on
  asha.grace_period = 1;      // rungs at 1, 3, 9, 27 epochs
  asha.max_resource = 81;     // a full run
  options.scheduler = asha;
  if (args.searcher == "random") {
    options.surrogate = prospect::surrogates::RandomSearch{};
  } else if (args.searcher == "gp") {
    options.surrogate = prospect::surrogates::GP{};  // with LogEI: the defaults
  } else {
    options.surrogate = prospect::surrogates::CQR{};  // conformal quantile regression and
    options.acquisition = prospect::acquisition::QuantileThompson{};  // its random-quantile draw
  }
  prospect::Optimizer opt(space, options);
  std::cout << "searcher: " << args.searcher << " + ASHA (eta 3, rungs 1/3/9/27, full run "
            << asha.max_resource << " epochs), budget " << args.epoch_budget
            << " epochs in all\n\n";

  // --- The loop: ask a configuration, train it epoch by epoch reporting the validation
  // loss, stop when the scheduler says so, tell the last value.
  long epochs_spent = 0;
  std::map<long, int> stopped_at;  // epochs -> trials stopped there
  int full_runs = 0, cut_by_budget = 0, diverged = 0;
  std::optional<std::uint64_t> best_id, best_full_id;  // lowest loss: any trial, full runs
  std::map<std::uint64_t, double> error_of;            // validation error rate per trial
  while (epochs_spent < args.epoch_budget &&
         (args.max_trials == 0 || static_cast<long>(opt.trials().size()) < args.max_trials)) {
    const prospect::Trial trial = opt.ask();
    prospect_examples::MLPTraining training(
        data, prospect_examples::hyperparameters_from(trial.params),
        prospect::derive_seed(args.seed, trial.id));  // each trial its own initialization

    double loss = 0.0;
    std::string outcome = "full";
    for (long epoch = 1; epoch <= asha.max_resource; ++epoch) {
      loss = training.epoch();
      ++epochs_spent;
      if (!std::isfinite(loss)) {
        outcome = "diverged";
        break;
      }
      opt.report(trial.id, epoch, loss);
      if (opt.should_stop(trial.id)) {
        outcome = "stopped";
        break;
      }
      if (epochs_spent >= args.epoch_budget && epoch < asha.max_resource) {
        outcome = "out of budget";
        break;
      }
    }
    if (outcome == "diverged") {
      opt.tell_failed(trial.id, "training diverged at epoch " + std::to_string(training.epochs()));
      ++diverged;
    } else {
      opt.tell(trial.id, loss);  // its last validation loss, at the resource it reached
      error_of[trial.id] = training.validation_error();
      if (outcome == "stopped") ++stopped_at[training.epochs()];
      if (outcome == "full") {
        ++full_runs;
        if (!best_full_id || loss < *opt.trial(*best_full_id).value) best_full_id = trial.id;
      }
      if (outcome == "out of budget") ++cut_by_budget;
      if (!best_id || loss < *opt.trial(*best_id).value) best_id = trial.id;
    }
    std::printf("trial %3llu  %s  %2ld epochs %-13s val loss %8.4f  best %.4f\n",
                static_cast<unsigned long long>(trial.id), describe(trial.params).c_str(),
                training.epochs(), outcome.c_str(), loss,
                best_id ? *opt.trial(*best_id).value : std::nan(""));
  }

  // --- The summary.
  const auto n_trials = static_cast<long>(opt.trials().size());
  std::cout << "\n" << n_trials << " trials, " << epochs_spent << " epochs trained\n";
  if (best_id) {
    const prospect::Trial& best = opt.trial(*best_id);
    std::printf(
        "best validation loss %.4f (error rate %.1f%%) after %zu epochs: trial %llu\n  %s\n",
        *best.value, 100.0 * error_of[*best_id], best.intermediate.size(),
        static_cast<unsigned long long>(best.id), best.params.to_string().c_str());
  }
  // A trial that ended early can hold the lowest loss (the budget cut it short, or longer
  // runs overfit); the best complete run is the other candidate for the final model.
  if (best_full_id && best_full_id != best_id) {
    const prospect::Trial& full = opt.trial(*best_full_id);
    std::printf(
        "best full %ld-epoch run: validation loss %.4f (error rate %.1f%%), trial %llu\n  %s\n",
        asha.max_resource, *full.value, 100.0 * error_of[*best_full_id],
        static_cast<unsigned long long>(full.id), full.params.to_string().c_str());
  }
  std::cout << "stopped by ASHA:";
  for (const auto& [epochs, count] : stopped_at) {
    std::cout << "  " << count << " at " << epochs << (epochs == 1 ? " epoch" : " epochs");
  }
  std::cout << "\nran the full " << asha.max_resource << " epochs: " << full_runs;
  if (cut_by_budget > 0) std::cout << ", cut short by the budget: " << cut_by_budget;
  if (diverged > 0) std::cout << ", diverged: " << diverged;
  std::cout << "\nepochs: " << epochs_spent << " spent vs " << n_trials * asha.max_resource
            << " to run every trial to " << asha.max_resource << " epochs ("
            << std::lround(100.0 * static_cast<double>(epochs_spent) /
                           static_cast<double>(n_trials * asha.max_resource))
            << "%)\n";

  opt.save(args.out);  // every trial with its learning curve; Optimizer::load resumes it
  std::cout << "study saved to " << std::filesystem::absolute(args.out).string() << "\n";
  return 0;
}
