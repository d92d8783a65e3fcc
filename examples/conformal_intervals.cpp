// Distribution-free prediction intervals around any surrogate: a GP and a conformalized
// quantile regression (CQR) fitted on heteroscedastic data (the noise grows tenfold across the
// domain), their own 90% intervals, and conformal intervals around them (split conformal and
// CV+). Coverage is checked on 4000 fresh observations, overall and on each half of the domain:
// conformal intervals reach the level overall whatever the model (the guarantee is marginal),
// and a model whose spread follows the noise (CQR) also gets closer to it on each half.
#include <cmath>
#include <cstdio>
#include <string>

#include "prospect/prospect.hpp"

namespace {

double truth(double x) {
  return std::sin(6.0 * x) + 0.5 * x;
}
double noise_sd(double x) {
  return 0.05 + 0.45 * x;
}

prospect::Dataset sample(Eigen::Index n, prospect::Rng& rng) {
  prospect::Dataset d;
  d.X.resize(n, 1);
  d.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    d.X(i, 0) = rng.uniform();  // inputs already in the unit cube
    d.y(i) = truth(d.X(i, 0)) + noise_sd(d.X(i, 0)) * rng.normal();
  }
  return d;
}

// Coverage overall, on x < 0.5 and on x >= 0.5, and the mean width.
void report(const std::string& name, const prospect::Dataset& test, const Eigen::VectorXd& lower,
            const Eigen::VectorXd& upper) {
  int in[2] = {0, 0}, count[2] = {0, 0};
  for (Eigen::Index i = 0; i < test.y.size(); ++i) {
    const int half = test.X(i, 0) < 0.5 ? 0 : 1;
    ++count[half];
    in[half] += test.y(i) >= lower(i) && test.y(i) <= upper(i);
  }
  std::printf("%-22s %8.3f %8.3f %8.3f %8.3f\n", name.c_str(),
              double(in[0] + in[1]) / double(count[0] + count[1]), double(in[0]) / count[0],
              double(in[1]) / count[1], (upper - lower).mean());
}

}  // namespace

int main() {
  prospect::Rng rng(11);
  const prospect::Dataset train = sample(300, rng), test = sample(4000, rng);
  const double level = 0.9;
  Eigen::VectorXd levels(2);
  levels << (1.0 - level) / 2.0, (1.0 + level) / 2.0;

  prospect::GaussianProcess gp(prospect::kernels::Matern52{});
  prospect::ConformalQuantileRegression cqr;  // five levels, conformalized on 10 % of the data
  std::printf("90%% intervals, 300 training points        coverage            mean\n");
  std::printf("%-22s %8s %8s %8s %8s\n", "method", "all", "x<0.5", "x>=0.5", "width");
  for (const prospect::Surrogate* model : {static_cast<const prospect::Surrogate*>(&gp),
                                           static_cast<const prospect::Surrogate*>(&cqr)}) {
    std::unique_ptr<prospect::Surrogate> own = model->clone();
    own->fit(train, 1);
    const Eigen::MatrixXd Q = own->quantiles(test.X, levels);  // the model's own interval
    report(own->name() + " own", test, Q.col(0), Q.col(1));
    for (const auto method :
         {prospect::ConformalMethod::split, prospect::ConformalMethod::cv_plus}) {
      prospect::ConformalOptions options;
      options.method = method;  // scores: normalized for the GP, CQR's own for CQR
      options.score = model->capabilities().quantiles ? prospect::ConformityScore::quantile
                                                      : prospect::ConformityScore::normalized;
      prospect::ConformalIntervals intervals(*model, options);
      intervals.fit(train, 1);
      const prospect::ConformalInterval ci = intervals.interval(test.X, level);
      report(own->name() + " " + prospect::to_string(method), test, ci.lower, ci.upper);
    }
  }
  std::printf(
      "\nOne draw of the training data: split conformal covers at least 90%% in expectation over\n"
      "draws, CV+ at least 80%% (typically near 90%%). The GP's constant noise leaves its halves\n"
      "uneven; CQR's spread follows the noise.\n");
  return 0;
}
