#!/usr/bin/env bash
# The multi-fidelity benchmark of issue #4: simple regret at the target fidelity against
# the cumulative evaluation cost, BoTorch's qMultiFidelityKnowledgeGradient and a
# LogEI-at-the-target baseline against prospect's, one SVG and one table at the end.
#
#   bench/run-mf.sh
#
# Functions and cost budgets (bench/peers/mf_peers.py has the details): aug_hartmann6
# (cost 5 + s, n0 = 14, budget 200), currin (levels cost 1 / 10, n0 = 6, budget 100),
# borehole (1 / 10, n0 = 18, budget 200), aug_branin (5 + s, n0 = 6, budget 80).
# Methods: mfkg (cost-aware multi-fidelity KG, 64 fantasies) and ei_target (LogEI on the
# target-fidelity data only). Regret is that of the evaluated design with the best
# posterior mean at the target fidelity, recorded after every evaluation.
#   BoTorch    bench/peers/mf_peers.py -> $out/botorch.jsonl (resumes: runs already in
#              the file are not rerun). SLOW: ei_target is minutes for all seeds, but
#              an mfkg seed of the four functions takes ~0.5-1 h on a loaded 2-core
#              machine even with mf_peers.py's reduced optimizer settings.
#   prospect   build/bench/bench_mf, when it exists -> $out/prospect.jsonl (rewritten)
#   speed      bench/peers/mf_ask_speed.py: one BoTorch qMFKG ask with the tutorial's
#              settings on $out/mf_ask_data.csv (augmented Hartmann-6, 30 points), and
#              bench_mf --ask-data: prospect's MFKG ask on the same data; prints the ratio
#   plot       bench/plot_mf.py $out/*.jsonl -> docs/mf_regret.svg, table $out/summary.md
# Every library runs on ONE thread (OMP_NUM_THREADS=1, torch.set_num_threads(1)).
#
# Environment (defaults in brackets):
#   MF_OUT         output directory [bench/results/mf] (git-ignored)
#   SEEDS          seeds 0..SEEDS-1 [10]
#   MF_FUNCTIONS   [aug_hartmann6,currin,borehole,aug_branin]
#   MF_METHODS     [ei_target,mfkg] (BoTorch runs them in this order, all seeds each)
#   SPEED_REPS     timed BoTorch asks [3]
#   PEER_ARGS      extra mf_peers.py arguments (e.g. "--restarts 10 --raw-samples 512
#                  --maxiter 200 --cv-restarts 10 --cv-raw-samples 1024": the tutorial's)
#   SKIP_PEERS=1 / SKIP_SPEED=1 / SKIP_PROSPECT=1   leave a part out (old results stay)
#   SVG            [docs/mf_regret.svg]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for arg in "$@"; do
  case $arg in
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;/^set -e/d'; exit 0 ;;
    *) echo "run-mf.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
out=${MF_OUT:-bench/results/mf}
SEEDS=${SEEDS:-10}
MF_FUNCTIONS=${MF_FUNCTIONS:-aug_hartmann6,currin,borehole,aug_branin}
MF_METHODS=${MF_METHODS:-ei_target,mfkg}
SPEED_REPS=${SPEED_REPS:-3}
SVG=${SVG:-docs/mf_regret.svg}
venv=${VENV:-$root/.venv-bench}
[ -x "$venv/bin/python" ] || venv=/work/wt/bench/.venv-bench
mkdir -p "$out"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
log() { echo "[run-mf $(date +%H:%M:%S)] $*" >&2; }
log "out=$out seeds=$SEEDS functions=$MF_FUNCTIONS methods=$MF_METHODS"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import botorch, matplotlib" 2>/dev/null; then
  log "no BoTorch + matplotlib in $venv: creating it"
  python3 -m venv "$venv"
  "$venv/bin/pip" install botorch matplotlib scipy numpy
fi
"$venv/bin/python" bench/peers/mf_functions.py

if [ "${SKIP_PROSPECT:-}" != 1 ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target bench_mf >/dev/null 2>&1 || true
  if [ -x build/bench/bench_mf ]; then
    log "prospect: bench_mf, $SEEDS seeds"
    ./build/bench/bench_mf --functions "$MF_FUNCTIONS" --methods mfkg,ei_target --seeds "$SEEDS" \
      --out "$out/prospect.jsonl"
  else
    log "WARNING: build/bench/bench_mf not built: prospect skipped"
  fi
fi

if [ "${SKIP_SPEED:-}" != 1 ]; then
  [ -f "$out/mf_ask_data.csv" ] || "$venv/bin/python" bench/peers/mf_ask_speed.py --make-data \
    --data "$out/mf_ask_data.csv"
  log "speed: BoTorch qMFKG ask, $SPEED_REPS reps"
  "$venv/bin/python" bench/peers/mf_ask_speed.py --data "$out/mf_ask_data.csv" --reps "$SPEED_REPS" \
    --out "$out/mf_ask_speed_botorch.json" >/dev/null
  if [ -x build/bench/bench_mf ]; then
    log "speed: prospect MFKG ask, 5 reps"
    ./build/bench/bench_mf --ask-data "$out/mf_ask_data.csv" --reps 5 \
      --out "$out/mf_ask_speed_prospect.json" >/dev/null
    python3 -c "import json; b=json.load(open('$out/mf_ask_speed_botorch.json'))['seconds_median']; \
p=json.load(open('$out/mf_ask_speed_prospect.json'))['seconds_median']; \
print(f'MFKG ask: prospect {p:.3f} s, BoTorch {b:.1f} s, ratio {b/p:.0f}x')"
  fi
fi

if [ "${SKIP_PEERS:-}" != 1 ]; then
  log "BoTorch: $MF_METHODS, $SEEDS seeds (log: $out/botorch.log)"
  # shellcheck disable=SC2086
  "$venv/bin/python" bench/peers/mf_peers.py --functions "$MF_FUNCTIONS" --methods "$MF_METHODS" \
    --seeds "$SEEDS" --out "$out/botorch.jsonl" ${PEER_ARGS:-} 2>>"$out/botorch.log"
fi

shopt -s nullglob
results=("$out"/*.jsonl)
if [ ${#results[@]} = 0 ]; then
  log "no results in $out"
  exit 1
fi
"$venv/bin/python" bench/plot_mf.py "${results[@]}" --out "$SVG" --table "$out/summary.md"
log "done: $SVG, $out/summary.md"
