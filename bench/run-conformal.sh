#!/usr/bin/env bash
# The conformal-interval benchmark of issue #6: coverage, mean width and interval score at
# 80 % and 90 % on 500 held-out noisy observations of branin, hartmann6 and
# styblinski_tang4, for the Matern-5/2 GP's and the CQR model's own intervals and split
# conformal and CV+ (10 folds) around each, over 50 repetitions of 80 training points (split
# conformal then calibrates on 20, whose exact coverage is 17/21 = 0.81 and 19/21 = 0.905). The program:
# bench/bench_conformal.cpp (its file comment describes the methods and outputs).
#
#   bench/run-conformal.sh
#
# Writes $CONFORMAL_OUT/conformal.csv (one row per function, method, repetition, level),
# $CONFORMAL_OUT/summary.json and $CONFORMAL_OUT/table.txt.
#
# Environment (defaults in brackets):
#   CONFORMAL_OUT      output directory [bench/results/conformal] (git-ignored)
#   REPS               repetitions [50]
#   CONFORMAL_METHODS  [gp:raw,gp:split,gp:cv_plus] (add e.g. gp:jackknife_plus, or a
#                      model added to the factory in bench_conformal.cpp)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${CONFORMAL_OUT:-bench/results/conformal}
reps=${REPS:-50}
methods=${CONFORMAL_METHODS:-gp:raw,gp:split,gp:cv_plus,cqr:raw,cqr:split,cqr:cv_plus}
bin=build/bench/bench_conformal
if [[ ! -x $bin ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target bench_conformal
fi
mkdir -p "$out"
"$bin" --functions branin,hartmann6,styblinski_tang4 --methods "$methods" --reps "$reps" \
  --n 80 --test 500 --noise 0.1 --out "$out" | tee "$out/table.txt"
