#!/usr/bin/env bash
# The BNN benchmark of issue #5: simple regret of four surrogates with LogEI (GP Matern-5/2,
# GP with the infinite-width network kernel, HMC BNN, deep ensemble; default options each)
# on non-stationary and 20-D problems, 10 seeds, and the fit() time of each at 100
# observations. Definitions: bench/functions/nonstationary_functions.hpp; the program:
# bench/bench_bnn.cpp.
#
#   bench/run-bnn.sh
#
# Writes $BNN_OUT/<function>_<method>.csv (one row per evaluation) and prints the tables
# ($BNN_OUT/regret.txt, $BNN_OUT/fit_time.txt). Two functions run side by side (2 cores).
#
# Environment (defaults in brackets):
#   BNN_OUT        output directory [bench/results/bnn] (git-ignored)
#   SEEDS          seeds 0..SEEDS-1 [10]
#   BNN_METHODS    [gp,nngp,hmc,ensemble,sobol] (sobol: the whole budget from the design)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BNN_OUT:-bench/results/bnn}
seeds=${SEEDS:-10}
methods=${BNN_METHODS:-gp,nngp,hmc,ensemble,sobol}
bin=build/bench/bench_bnn
if [[ ! -x $bin ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target bench_bnn
fi
mkdir -p "$out"
export OMP_NUM_THREADS=1
"$bin" --functions cliff3,gramacy_lee2 --methods "$methods" --seeds "$seeds" --out "$out" \
  >"$out/regret_small.txt" &
"$bin" --functions levy4_in_20 --methods "$methods" --seeds "$seeds" --out "$out" \
  >"$out/regret_20d.txt"
wait
cat "$out/regret_small.txt" <(tail -n +2 "$out/regret_20d.txt") | tee "$out/regret.txt"
unset OMP_NUM_THREADS
"$bin" --fit-time --functions cliff3,levy4_in_20 --methods "${methods/,sobol/}" --fit-n 100 --reps 5 \
  | tee "$out/fit_time.txt"
