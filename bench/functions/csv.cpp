#include "functions/csv.hpp"

#include <fstream>
#include <sstream>

#include "prospect/errors.hpp"

namespace prospect::bench {

NumericCsv read_numeric_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("data file '" + path + "': cannot open it");
  NumericCsv csv;
  std::string line;
  std::getline(in, line);
  std::stringstream hs(line);
  for (std::string name; std::getline(hs, name, ',');) csv.header.push_back(name);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) {
      try {
        row.push_back(std::stod(cell));
      } catch (const std::exception&) {
        throw IoError("data file '" + path + "': '" + cell + "' is not a number");
      }
    }
    if (!csv.rows.empty() && row.size() != csv.rows.front().size()) {
      throw IoError("data file '" + path + "': rows of different lengths");
    }
    csv.rows.push_back(std::move(row));
  }
  if (csv.rows.empty()) throw IoError("data file '" + path + "': no rows");
  return csv;
}

}  // namespace prospect::bench
