#!/usr/bin/env bash
# Runs the peer benchmark (bench/peers/peers.py) and the GP fit-speed comparison
# (bench/peers/fit_speed.py) in a virtual environment .venv-bench at the repository root,
# created and filled on first use (botorch brings torch). Arguments go to peers.py, e.g.
#   bench/run-peers.sh --seeds 20 --functions branin,hartmann6
# Environment: PEERS_OUT (output directory, default bench/results/peers),
# FIT_SPEED=0 to skip fit_speed.py, FIT_SPEED=1 to rerun it although fit_speed.json exists.
# peers.py runs on one thread; fit_speed.py on two. OMP_WAIT_POLICY=PASSIVE because
# spinning OpenMP threads on a loaded machine made torch ~10x slower with 2 threads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=$root/.venv-bench
out=${PEERS_OUT:-$root/bench/results/peers}
packages=(botorch scikit-optimize optuna scikit-learn scipy numpy greenlet)

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import botorch, skopt, optuna, sklearn, scipy, numpy, greenlet" 2>/dev/null; then
  "$venv/bin/pip" install --upgrade pip
  "$venv/bin/pip" install "${packages[@]}"
fi
mkdir -p "$out"
export OMP_WAIT_POLICY=PASSIVE MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

# The Python functions must agree with the C++ ones before anything is compared.
"$venv/bin/python" bench/peers/functions.py

if [ "${FIT_SPEED:-}" = 1 ] || { [ "${FIT_SPEED:-}" != 0 ] && [ ! -f "$out/fit_speed.json" ]; }; then
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MKL_NUM_THREADS=2 \
    "$venv/bin/python" bench/peers/fit_speed.py --out "$out" --threads 2
fi
OMP_NUM_THREADS=1 "$venv/bin/python" bench/peers/peers.py --out "$out" --threads 1 "$@"
