#!/usr/bin/env bash
# The conformal-interval benchmark of issue #6: coverage, mean width and interval score at
# 80 % and 90 % on 500 held-out noisy observations (noise sd 0.1 x sd(f)) of branin,
# hartmann6 and styblinski_tang4, for the Matern-5/2 GP's and the CQR model's own intervals
# and conformal intervals around each. The program: bench/bench_conformal.cpp (its file
# comment describes the methods and outputs).
#
#   bench/run-conformal.sh
#
# Two runs: (1) the target, split conformal at n = 200 training points over 100 repetitions
# (calibration on 50, exact coverage 41/51 = 0.804 and 46/51 = 0.902); (2) CV+ (10 folds)
# next to split at n = 80 over 50 repetitions (CV+ refits 10 models, so it runs smaller).
# Writes $CONFORMAL_OUT/{split_n200,cv_n80}/{conformal.csv,summary.json,table.txt}.
#
# Environment (defaults in brackets):
#   CONFORMAL_OUT  output directory [bench/results/conformal] (git-ignored)
#   REPS           repetitions of run (1) [100]; run (2) uses half
set -euo pipefail
cd "$(dirname "$0")/.."
out=${CONFORMAL_OUT:-bench/results/conformal}
reps=${REPS:-100}
bin=build/bench/bench_conformal
if [[ ! -x $bin ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target bench_conformal
fi
functions=branin,hartmann6,styblinski_tang4
mkdir -p "$out/split_n200" "$out/cv_n80"
"$bin" --functions $functions --methods gp:raw,gp:split,cqr:raw,cqr:split --reps "$reps" \
  --n 200 --test 500 --noise 0.1 --out "$out/split_n200" | tee "$out/split_n200/table.txt"
"$bin" --functions $functions --methods gp:split,gp:cv_plus,cqr:split,cqr:cv_plus \
  --reps $((reps / 2)) --n 80 --test 500 --noise 0.1 --out "$out/cv_n80" | tee "$out/cv_n80/table.txt"
