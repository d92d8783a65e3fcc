// prospect/prospect.hpp — the umbrella header: everything a user needs.
#pragma once

#include "prospect/acquisition/acquisition.hpp"
#include "prospect/acquisition/analytic.hpp"
#include "prospect/acquisition_optimizer.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/kernels/kernel.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/optimizer.hpp"
#include "prospect/options.hpp"
#include "prospect/random.hpp"
#include "prospect/space.hpp"
#include "prospect/storage.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "prospect/surrogates/surrogate.hpp"
#include "prospect/trial.hpp"
#include "prospect/types.hpp"
