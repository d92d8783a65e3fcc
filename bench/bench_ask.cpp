// bench_ask — time of one prospect ask() / ask(q) on given data, against BoTorch's step.
//
// Reads the observations written by bench/peers/ask_speed.py (DIR/ask_data.csv: header,
// then x0..x5,y per row; points in [0,1]^6, y to be minimized), tells them to an
// Optimizer (noise learned, everything else default) and times the next ask with each
// acquisition of --acquisitions, given as label=name:q (label: the key BoTorch's time
// has in ask_speed_peers.json; name: anything acquisition_from_string knows). The time
// is Optimizer::last_ask_seconds(): the GP fit with hyperparameter learning plus the
// acquisition optimization, what BoTorch's fit_gpytorch_mll + optimize_acqf measure.
// Each repetition asks from a copy of the study holding the data and no fitted model,
// so every repetition does the whole work; the median is reported. An acquisition name
// this build does not know is reported as unavailable instead of failing.
//
// The data enter through enqueue(): one Sobol point of the initial design (n_initial = 1)
// is asked and abandoned first, so that the next ask after the data is model-based.
//
//   bench_ask --data bench/results/noisy/speed/ask_data.csv
//     --acquisitions kg_q1=kg:1,qlognei_q4=qlognei:4 --out bench/results/noisy/speed
// Writes DIR/ask_speed_prospect.json.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "functions/csv.hpp"
#include "prospect/prospect.hpp"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

struct Data {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
};

Data read_csv(const std::string& path) {
  Data d;
  for (std::vector<double> row : prospect::bench::read_numeric_csv(path).rows) {
    if (row.size() < 2) throw prospect::IoError("--data '" + path + "': a row with < 2 columns");
    d.y.push_back(row.back());
    row.pop_back();
    d.x.push_back(row);
  }
  if (d.x.empty()) throw prospect::IoError("--data '" + path + "': no rows");
  return d;
}

struct Spec {
  std::string label, name;
  int q = 1;
};

Spec parse_spec(const std::string& item) {
  const auto eq = item.find('=');
  const auto colon = item.rfind(':');
  if (eq == std::string::npos || colon == std::string::npos || colon < eq || eq == 0 ||
      colon == eq + 1) {
    throw prospect::InvalidArgument("--acquisitions: item '" + item +
                                    "' is not label=name:q (e.g. kg_q1=kg:1)");
  }
  Spec s{item.substr(0, eq), item.substr(eq + 1, colon - eq - 1), 0};
  try {
    s.q = std::stoi(item.substr(colon + 1));
  } catch (const std::exception&) {
    s.q = 0;
  }
  if (s.q < 1) {
    throw prospect::InvalidArgument("--acquisitions: item '" + item + "': q must be >= 1");
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prospect ask() time on the data of bench/peers/ask_speed.py"};
  std::string data_path = "bench/results/noisy/speed/ask_data.csv";
  std::string out = "bench/results/noisy/speed";
  std::vector<std::string> specs = {"kg_q1=kg:1", "qlognei_q4=qlognei:4"};
  int reps = 5, threads = 0;
  app.add_option("--data", data_path, "CSV from ask_speed.py");
  app.add_option("--acquisitions", specs, "label=name:q, comma-separated")->delimiter(',');
  app.add_option("--reps", reps, "repetitions (median)")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "OpenMP threads (0: default)");
  std::string batch_selection = prospect::to_string(prospect::Options{}.batch_selection);
  app.add_option(
      "--batch-selection", batch_selection,
      "joint or sequential: how ask(q) picks q points with a joint acquisition (default: "
      "the library's, sequential)");
  app.add_option("--out", out, "output directory");
  CLI11_PARSE(app, argc, argv);

  try {
    const Data data = read_csv(data_path);
    const std::size_t d = data.x.front().size();
    prospect::Space space;
    std::vector<std::string> names;
    for (std::size_t j = 0; j < d; ++j) {
      names.push_back("x" + std::to_string(j));
      space.add_real(names.back(), 0.0, 1.0);
    }
    nlohmann::json report;
    report["n"] = data.x.size();
    report["dim"] = d;
    report["threads"] = threads;
    report["data"] = data_path;
    for (const auto& item : specs) {
      const Spec spec = parse_spec(item);
      nlohmann::json row;
      row["acquisition"] = spec.name;
      row["q"] = spec.q;
      prospect::Options options;
      options.seed = 1;
      options.n_initial = 1;
      options.threads = threads;
      options.batch_selection = prospect::batch_selection_from_string(batch_selection);
      try {
        options.acquisition = prospect::acquisition::acquisition_from_string(spec.name);
      } catch (const prospect::InvalidArgument& e) {
        row["unavailable"] = e.what();
        report[spec.label] = row;
        std::fprintf(stderr, "[ask] %-11s %s: unavailable in this build (%s)\n", spec.label.c_str(),
                     spec.name.c_str(), e.what());
        continue;
      }
      prospect::Optimizer study(space, options);
      study.mark_abandoned(study.ask().id);  // the one Sobol point of the design
      for (std::size_t i = 0; i < data.x.size(); ++i) {
        prospect::Params p = space.params();
        for (std::size_t j = 0; j < d; ++j) p.set(names[j], data.x[i][j]);
        study.enqueue(p);
        const prospect::Trial t = study.ask();
        study.tell(t.id, data.y[i]);
      }
      std::vector<double> times;
      for (int r = 0; r < reps; ++r) {
        prospect::Optimizer copy(study);
        const auto trials =
            spec.q == 1 ? std::vector<prospect::Trial>{copy.ask()} : copy.ask(spec.q);
        if (static_cast<int>(trials.size()) != spec.q) {
          throw prospect::InvalidState("ask(" + std::to_string(spec.q) + ") returned " +
                                       std::to_string(trials.size()) + " trials");
        }
        times.push_back(copy.last_ask_seconds());
      }
      row["seconds_median"] = median(times);
      row["seconds"] = times;
      report[spec.label] = row;
      std::fprintf(stderr, "[ask] %-11s %s ask(%d): median %.4f s over %d\n", spec.label.c_str(),
                   spec.name.c_str(), spec.q, median(times), reps);
    }
    std::filesystem::create_directories(out);
    std::ofstream(out + "/ask_speed_prospect.json") << report.dump(2) << "\n";
    std::printf("%s\n", report.dump(2).c_str());
  } catch (const std::exception& e) {
    std::cerr << "bench_ask: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
