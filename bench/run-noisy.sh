#!/usr/bin/env bash
# The noisy-objective, batch and ask-speed benchmark of issue #3, prospect and BoTorch in
# one go, one table at the end (bench/compare.py --noisy) in $out/summary.md.
#
#   bench/run-noisy.sh            # full: 20 seeds, 60 evaluations (10 initial), q = 4
#   bench/run-noisy.sh --quick    # plumbing check: 2 seeds, 12 evaluations (8 initial)
#
# Problems: noisy Branin (noise sd 1.0) and noisy Hartmann-6 (sd 0.1). Regret is the TRUE
# value of the recommended point (the observed point with the best posterior mean) minus
# the optimum, scored after BUDGET / Q evaluations (the sequential runs at as many
# evaluations as the batch runs have rounds) and after BUDGET.
#   prospect   bench_regret, each acquisition of PROSPECT_ACQS sequentially, and each of
#              PROSPECT_BATCH_ACQS with --batch Q (ask(Q), rounds of Q from the start)
#   BoTorch    peers.py botorch_qlognei, botorch_qkg (64 fantasies), botorch_qlognei_q<Q>
#   speed      ask_speed.py (BoTorch fit + optimize_acqf on 50 noisy Hartmann-6 points:
#              qKG with 64 fantasies, qLogNEI q = 4 joint (BoTorch's default) and
#              sequential) and bench_ask on the same data (prospect's ask() with
#              PROSPECT_KG, ask(4) with PROSPECT_BATCH_ACQS' first, in the library's
#              default batch selection, sequential, timed once per BoTorch step)
# An acquisition name this build of prospect does not know is skipped with a warning.
# Every library runs on ONE thread (torch: OMP_NUM_THREADS=1 and torch.set_num_threads(1),
# as bench/run-peers.sh; prospect: --threads 1), so the speed ratios compare like with like.
# peers.py resumes: runs already complete in $out/peers/peers.csv are not rerun; delete
# the directory for a fresh start.
#
# Environment (defaults in brackets):
#   NOISY_OUT            output directory [bench/results/noisy, --quick: bench/results/noisy-quick]
#   SEEDS BUDGET N_INITIAL Q     [20 60 10 4; --quick: 2 12 8 4]
#   PROSPECT_ACQS        sequential prospect acquisitions ["qlognei kg logei"]
#   PROSPECT_BATCH_ACQS  batch prospect acquisitions ["qlognei"]
#   PROSPECT_KG          acquisition timed against BoTorch's qKG ["kg"]
#   PEER_METHODS         ["botorch_qlognei,botorch_qkg,botorch_qlognei_q$Q"]
#   PEER_KG_SEEDS        seeds of botorch_qkg alone [SEEDS] (it takes most of the time)
#   SPEED_REPS           repetitions of each timed step [3; --quick: 1]
#   SKIP_PEERS=1 / SKIP_SPEED=1 / SKIP_PROSPECT=1   leave a part out (its old results stay)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

quick=0
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;/^set -e/d'; exit 0 ;;
    *) echo "run-noisy.sh: unknown argument '$arg' (expected --quick)" >&2; exit 2 ;;
  esac
done
if [ $quick = 1 ]; then
  : "${SEEDS:=2}" "${BUDGET:=12}" "${N_INITIAL:=8}" "${SPEED_REPS:=1}"
  out=${NOISY_OUT:-bench/results/noisy-quick}
else
  out=${NOISY_OUT:-bench/results/noisy}
fi
SEEDS=${SEEDS:-20} BUDGET=${BUDGET:-60} N_INITIAL=${N_INITIAL:-10} Q=${Q:-4}
SPEED_REPS=${SPEED_REPS:-3}
PROSPECT_ACQS=${PROSPECT_ACQS:-qlognei kg logei}
PROSPECT_BATCH_ACQS=${PROSPECT_BATCH_ACQS:-qlognei}
PROSPECT_KG=${PROSPECT_KG:-kg}
PEER_METHODS=${PEER_METHODS:-botorch_qlognei,botorch_qkg,botorch_qlognei_q$Q}
functions=branin,hartmann6
noise=branin=1.0,hartmann6=0.1
rounds=$((BUDGET / Q))
report_at=$rounds,$BUDGET
venv=$root/.venv-bench
mkdir -p "$out/prospect" "$out/peers" "$out/speed"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
log() { echo "[run-noisy $(date +%H:%M:%S)] $*" >&2; }
log "out=$out seeds=$SEEDS budget=$BUDGET n_initial=$N_INITIAL q=$Q report at $report_at"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import botorch" 2>/dev/null; then
  log "no BoTorch in $venv: creating it (as bench/run-peers.sh does)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install botorch scikit-optimize optuna scikit-learn scipy numpy greenlet
fi
"$venv/bin/python" bench/peers/functions.py

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target bench_regret bench_ask >/dev/null

# bench_regret: exit code 3 means the acquisition is not in this build.
prospect_run() {
  local rc=0
  ./build/bench/bench_regret --functions $functions --noise-std $noise --seeds "$SEEDS" \
    --budget "$BUDGET" --n-initial "$N_INITIAL" --report-at "$report_at" --threads 1 \
    --no-random --out "$out/prospect" "$@" || rc=$?
  if [ $rc = 3 ]; then
    log "WARNING: skipped prospect $* (acquisition not in this build)"
  elif [ $rc != 0 ]; then
    log "bench_regret $* failed (exit $rc)"
    exit $rc
  fi
}

if [ "${SKIP_SPEED:-}" != 1 ]; then
  log "speed: BoTorch steps ($SPEED_REPS reps each)"
  "$venv/bin/python" bench/peers/ask_speed.py --out "$out/speed" --reps "$SPEED_REPS" --threads 1
  batch_first=${PROSPECT_BATCH_ACQS%% *}
  log "speed: prospect ask() with $PROSPECT_KG, ask($Q) with $batch_first"
  ./build/bench/bench_ask --data "$out/speed/ask_data.csv" --reps "$((SPEED_REPS < 3 ? 3 : SPEED_REPS))" \
    --threads 1 --acquisitions "kg_q1=$PROSPECT_KG:1,qlognei_q4=$batch_first:4,qlognei_q4_seq=$batch_first:4" \
    --out "$out/speed" >/dev/null
fi

if [ "${SKIP_PROSPECT:-}" != 1 ]; then
  for acq in $PROSPECT_ACQS; do
    log "prospect $acq (sequential)"
    prospect_run --acquisition "$acq"
  done
  for acq in $PROSPECT_BATCH_ACQS; do
    log "prospect $acq (q = $Q)"
    prospect_run --acquisition "$acq" --batch "$Q"
  done
fi

# BoTorch's qKG is by far the slowest part (tens of seconds per ask in 6-D): its seeds
# can be cut separately with PEER_KG_SEEDS; the table says how many runs each row has.
peer_kg=$(tr ',' '\n' <<<"$PEER_METHODS" | grep -E '^botorch_qkg' | paste -sd, - || true)
peer_rest=$(tr ',' '\n' <<<"$PEER_METHODS" | grep -vE '^botorch_qkg' | paste -sd, - || true)
peers_run() {  # methods seeds
  [ -n "$1" ] || return 0
  log "BoTorch: $1, $2 seeds"
  "$venv/bin/python" bench/peers/peers.py --out "$out/peers" --threads 1 --methods "$1" \
    --functions $functions --seeds "$2" --budget "$BUDGET" --n-initial "$N_INITIAL" \
    --noise-std $noise --report-at "$report_at" >/dev/null
}
if [ "${SKIP_PEERS:-}" != 1 ]; then
  peers_run "$peer_rest" "$SEEDS"
  peers_run "$peer_kg" "${PEER_KG_SEEDS:-$SEEDS}"
fi

python3 bench/compare.py --noisy "$out" --report-at "$report_at" --batch "$Q" | tee "$out/summary.md"
log "done: $out/summary.md"
