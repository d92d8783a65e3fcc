#!/usr/bin/env bash
# The grey-box tuning benchmark of issue #6: random search, GP and CQR searchers under ASHA on
# heavy-tailed Hartmann-6 (Student-t noise), on Hartmann-6 learning curves and on a real MLP
# tuning task, 20 seeds, and
# (when a virtual environment with Syne Tune exists) Syne Tune's CQR / ASHACQR on the same
# problems in the same run. Definitions: bench/bench_hpo.cpp; the peer: bench/peers/synetune_hpo.py.
#
#   bench/run-hpo.sh
#
# Writes $HPO_OUT/<problem>.csv (one row per trial: resource spent, regret so far) and prints
# the tables ($HPO_OUT/regret.txt, $HPO_OUT/synetune.txt).
#
# Environment (defaults in brackets):
#   HPO_OUT        output directory [bench/results/hpo] (git-ignored)
#   SEEDS          seeds 0..SEEDS-1 [20]
#   HPO_METHODS    [random,gp,cqr]
#   HPO_PROBLEMS   [hartmann6_t3,lc_hartmann6,mlp] (the peer runs the first two only)
#   SYNETUNE_PY    python of a venv with syne-tune and scikit-learn [bench/.venv-synetune/bin/python];
#                  made on first use with `python3 -m venv bench/.venv-synetune &&
#                  bench/.venv-synetune/bin/pip install syne-tune scikit-learn huggingface_hub` (needs PyPI);
#                  set SYNETUNE_PY=none to skip the peer.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${HPO_OUT:-bench/results/hpo}
seeds=${SEEDS:-20}
methods=${HPO_METHODS:-random,gp,cqr}
problems=${HPO_PROBLEMS:-hartmann6_t3,lc_hartmann6,mlp}
py=${SYNETUNE_PY:-bench/.venv-synetune/bin/python}
bin=build/bench/bench_hpo
if [[ ! -x $bin ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target bench_hpo
fi
mkdir -p "$out"
if [[ $py != none && ! -x $py && $py == bench/.venv-synetune/bin/python ]]; then
  python3 -m venv bench/.venv-synetune && bench/.venv-synetune/bin/pip install -q syne-tune scikit-learn huggingface_hub ||
    { echo "run-hpo: could not install Syne Tune; skipping the peer" >&2; py=none; }
fi
export OMP_NUM_THREADS=1
"$bin" --problems "$problems" --methods "$methods" --seeds "$seeds" --out "$out" >"$out/regret.txt" &
if [[ $py != none ]]; then
  peer_problems=$(tr ',' '\n' <<<"$problems" | grep -v '^mlp$' | paste -sd, -)
  "$py" bench/peers/synetune_hpo.py --problems "$peer_problems" --seeds "$seeds" --out "$out" \
    >"$out/synetune.txt"
fi
wait
cat "$out/regret.txt"
[[ -f $out/synetune.txt ]] && tail -n +2 "$out/synetune.txt"
