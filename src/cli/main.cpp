// prospect — the command-line tool: ask/tell from any language, and the default study.
//
//   prospect run                               the built-in default study (Branin, 40 evaluations)
//   prospect init --study s.json --space space.json [--direction maximize] [--seed 7]
//   prospect ask  --study s.json [-q 4]        prints one JSON object per trial
//   prospect tell --study s.json --id 3 --value 0.41
//   prospect fail --study s.json --id 3 --reason "solver diverged"
//   prospect best --study s.json
//   prospect show --study s.json
//
// Every command that changes a study holds an exclusive lock on "<study>.lock" while it
// loads, changes and (atomically) saves the file, so several workers can share a study.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numbers>

#include "prospect/prospect.hpp"
#include "src/json_io.hpp"

namespace {

using nlohmann::json;

// Holds an exclusive advisory lock for the lifetime of the object.
class StudyLock {
 public:
  explicit StudyLock(const std::string& study) {
    const std::string path = study + ".lock";
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw prospect::IoError("lock file '" + path + "': cannot open or lock it");
    }
  }
  ~StudyLock() {
    if (fd_ >= 0) {
      ::flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }
  StudyLock(const StudyLock&) = delete;
  StudyLock& operator=(const StudyLock&) = delete;

 private:
  int fd_ = -1;
};

json trial_json(const prospect::Trial& t) {
  return prospect::detail::trial_to_json(t);
}

int run_default_study(int budget, std::uint64_t seed, const std::string& out) {
  prospect::Space space;
  space.add_real("x1", -5.0, 10.0);
  space.add_real("x2", 0.0, 15.0);
  const auto branin = [](const prospect::Params& p) {
    const double x1 = p.real("x1"), x2 = p.real("x2"), pi = std::numbers::pi;
    const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
    return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
  };
  prospect::Options options;
  options.seed = seed;
  options.noise = prospect::Noise::none;
  options.n_initial = 10;
  std::filesystem::create_directories(out);
  std::cerr << "prospect: default study: minimize Branin on [-5,10]x[0,15], " << budget
            << " evaluations (global minimum 0.397887)\n";
  const std::string study_path = out + "/default-study.json";
  prospect::Optimizer study(space, options);
  prospect::Result result;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < budget; ++i) {
    const prospect::Trial t = study.ask();
    result.ask_seconds += study.last_ask_seconds();
    const double y = branin(t.params);
    study.tell(t.id, y);
    study.save(study_path);  // atomic, after every result: a crash loses nothing
    std::cerr << "[prospect] " << i + 1 << "/" << budget << " value=" << y
              << " best=" << *study.best().value << " ask=" << 1e3 * study.last_ask_seconds()
              << " ms\n";
  }
  result.trials = study.trials();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.best = study.best();
  const std::string csv_path = out + "/default-study.csv";
  std::ofstream csv(csv_path);
  csv << "id,status,value,x1,x2\n";
  for (const auto& t : result.trials) {
    csv << t.id << ',' << prospect::to_string(t.status) << ',' << (t.value ? *t.value : NAN) << ','
        << t.params.real("x1") << ',' << t.params.real("x2") << '\n';
  }
  std::cout << result.brief_report() << "\n"
            << "regret: " << *result.best.value - 0.39788735772973816 << "\n"
            << "results: " << csv_path << " (every trial) and " << study_path
            << " (the study; try `prospect show --study " << study_path << "`)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "prospect: Bayesian optimization of expensive functions (ask/tell from any language)"};
  app.require_subcommand(1);
  std::string device = "auto";
  app.add_option("--device", device,
                 "where the GP's large linear algebra runs: auto (a GPU for large models when "
                 "one is present), cpu, or cuda (an error without a GPU)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));

  int budget = 40;
  std::uint64_t seed = 0;
  std::string out = "results";
  auto* run =
      app.add_subcommand("run", "run the built-in default study (Branin) and write results");
  run->add_option("--budget", budget, "evaluations")->check(CLI::PositiveNumber);
  run->add_option("--seed", seed, "random seed");
  run->add_option("--out", out, "output directory");

  std::string study, space_path, direction = "minimize", noise = "learned", acquisition = "logei";
  std::string surrogate = "gp", scheduler = "none";
  int n_initial = 0, q = 1;
  prospect::schedulers::ASHA asha;
  std::uint64_t id = 0;
  long step = 0;
  double value = 0.0;
  std::string reason;
  auto* init = app.add_subcommand("init", "create a study file from a space description (JSON)");
  init->add_option("--study", study, "study file to create")->required();
  init->add_option("--space", space_path, "space JSON: {\"parameters\": [...]}")
      ->required()
      ->check(CLI::ExistingFile);
  init->add_option("--direction", direction, "minimize or maximize");
  init->add_option("--noise", noise, "learned or none (a deterministic objective)");
  init->add_option("--acquisition", acquisition,
                   "logei (default), ei, ucb, pi, logpi, qei, qlogei, qucb, qlognei, kg, "
                   "finite_kg, nei, ts, quantile_ts or quantile");
  init->add_option("--surrogate", surrogate,
                   "gp (default), nngp, hmc, deep_ensemble, cqr (with quantile_ts unless "
                   "--acquisition) or random");
  init->add_option("--scheduler", scheduler,
                   "none (default) or asha: stop poor trials early from their reports");
  init->add_option("--max-resource", asha.max_resource, "ASHA: steps of a complete trial (81)");
  init->add_option("--grace-period", asha.grace_period, "ASHA: the first rung (1)");
  init->add_option("--reduction-factor", asha.reduction_factor, "ASHA: eta (3)");
  init->add_option("--seed", seed, "random seed");
  init->add_option("--n-initial", n_initial, "initial design size (0: automatic)");

  auto* ask = app.add_subcommand("ask", "ask for designs; prints one JSON object per trial");
  ask->add_option("--study", study, "study file")->required();
  ask->add_option("-q", q, "number of designs (parallel workers)")->check(CLI::PositiveNumber);

  auto* tell = app.add_subcommand("tell", "record the objective value of a trial");
  tell->add_option("--study", study, "study file")->required();
  tell->add_option("--id", id, "trial id")->required();
  tell->add_option("--value", value, "objective value")->required();

  auto* report = app.add_subcommand(
      "report", "record an intermediate value; prints {\"id\": .., \"should_stop\": ..}");
  report->add_option("--study", study, "study file")->required();
  report->add_option("--id", id, "trial id")->required();
  report->add_option("--step", step, "resource used so far (epochs ...), >= 1")->required();
  report->add_option("--value", value, "objective value after that many steps")->required();

  auto* fail = app.add_subcommand("fail", "record that a trial's evaluation failed");
  fail->add_option("--study", study, "study file")->required();
  fail->add_option("--id", id, "trial id")->required();
  fail->add_option("--reason", reason, "why it failed");

  auto* best = app.add_subcommand("best", "print the recommended trial as JSON");
  best->add_option("--study", study, "study file")->required();
  auto* show = app.add_subcommand("show", "print every trial of a study");
  show->add_option("--study", study, "study file")->required();

  CLI11_PARSE(app, argc, argv);

  try {
    if (run->parsed()) return run_default_study(budget, seed, out);
    if (init->parsed()) {
      const json j = json::parse(prospect::read_file(space_path));
      prospect::Options options;
      options.seed = seed;
      options.direction = prospect::direction_from_string(direction);
      options.noise = prospect::noise_from_string(noise);
      options.acquisition = prospect::acquisition::acquisition_from_string(acquisition);
      options.n_initial = n_initial;
      if (surrogate == "nngp") {
        options.surrogate = prospect::surrogates::NNGP{};
      } else if (surrogate == "hmc") {
        options.surrogate = prospect::surrogates::HMC{};
      } else if (surrogate == "deep_ensemble") {
        options.surrogate = prospect::surrogates::DeepEnsemble{};
      } else if (surrogate == "cqr") {
        options.surrogate = prospect::surrogates::CQR{};
        if (acquisition == "logei") options.acquisition = prospect::acquisition::QuantileThompson{};
      } else if (surrogate == "random") {
        options.surrogate = prospect::surrogates::RandomSearch{};
      } else if (surrogate != "gp") {
        throw prospect::InvalidArgument("--surrogate: got \"" + surrogate +
                                        "\", expected gp, nngp, hmc, deep_ensemble, cqr or random");
      }
      if (scheduler == "asha") {
        options.scheduler = asha;
      } else if (scheduler != "none") {
        throw prospect::InvalidArgument("--scheduler: got \"" + scheduler +
                                        "\", expected none or asha");
      }
      StudyLock lock(study);
      if (std::filesystem::exists(study)) {
        throw prospect::InvalidArgument("--study: '" + study +
                                        "' exists already; remove it or choose another name");
      }
      prospect::Optimizer(prospect::detail::space_from_json(j, ""), options).save(study);
      std::cout << "created " << study << "\n";
      return 0;
    }
    StudyLock lock(study);
    prospect::Options run_time;  // run-time settings: the study file holds the rest
    run_time.device = prospect::device_from_string(device);
    prospect::Optimizer opt = prospect::Optimizer::load(study, run_time);
    if (ask->parsed()) {
      const auto trials = opt.ask(q);
      opt.save(study);
      for (const auto& t : trials) std::cout << trial_json(t).dump() << "\n";
    } else if (tell->parsed()) {
      opt.tell(id, value);
      opt.save(study);
    } else if (report->parsed()) {
      opt.report(id, step, value);
      opt.save(study);
      std::cout << json{{"id", id}, {"should_stop", opt.should_stop(id)}}.dump() << "\n";
    } else if (fail->parsed()) {
      opt.tell_failed(id, reason);
      opt.save(study);
    } else if (best->parsed()) {
      std::cout << trial_json(opt.best()).dump() << "\n";
    } else if (show->parsed()) {
      for (const auto& t : opt.trials()) std::cout << trial_json(t).dump() << "\n";
    }
    return 0;
  } catch (const prospect::Error& e) {
    std::cerr << "prospect: " << e.what() << "\n";
    return 2;
  } catch (const json::exception& e) {
    std::cerr << "prospect: invalid JSON: " << e.what() << "\n";
    return 2;
  }
}
