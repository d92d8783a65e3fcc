// Checks shared by the acquisition tests (not part of the library).
#pragma once

#include <doctest/doctest.h>

#include "prospect/acquisition/acquisition.hpp"

namespace prospect::test {

/// evaluate_with_gradient() agrees with evaluate() and its gradient with central finite
/// differences (step 1e-6) of evaluate() in every coordinate of `row`.
inline void check_gradient(const prospect::Acquisition& acq, const prospect::Vector& row) {
  prospect::Vector g(row.size());
  const double v = acq.evaluate_with_gradient(row, g);
  prospect::Vector v1(1);
  acq.evaluate(row.transpose(), v1);
  CHECK(v == doctest::Approx(v1[0]).epsilon(1e-12));
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < row.size(); ++i) {
    prospect::Matrix rp = row.transpose(), rm = row.transpose();
    rp(0, i) += h;
    rm(0, i) -= h;
    prospect::Vector fp(1), fm(1);
    acq.evaluate(rp, fp);
    acq.evaluate(rm, fm);
    const double fd = (fp[0] - fm[0]) / (2 * h);
    CAPTURE(i);
    CHECK(g[i] == doctest::Approx(fd).epsilon(1e-5).scale(1e-3));
  }
}

}  // namespace prospect::test
