#!/usr/bin/env bash
# prospect's own benchmarks (long; not part of the tests): regret on the test functions
# (20 seeds, 10 initial + 40 model-based), the noiseless Branin run, and the speed
# benchmark. Results go to bench/results/prospect/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target bench_regret bench_speed
out=bench/results/prospect
./build/bench/bench_regret --functions "${FUNCTIONS:-branin,hartmann6,six_hump_camel,goldstein_price,hartmann3,styblinski_tang4,rosenbrock4,levy5,ackley5,michalewicz5}" \
  --seeds "${SEEDS:-20}" --out "$out"
./build/bench/bench_regret --functions branin --seeds "${SEEDS:-20}" --noiseless --no-random --out "$out"
./build/bench/bench_speed --out "$out"
echo "bench: results in $out/"
