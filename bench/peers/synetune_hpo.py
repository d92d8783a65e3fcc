#!/usr/bin/env python3
"""Syne Tune's CQR searchers on bench_hpo's two problems, same protocol and scoring (issue #6).

Peer of bench/bench_hpo.cpp: run both in the same session to compare prospect's searchers with
Syne Tune's (Salinas et al., "Optimizing hyperparameters with conformal quantile regression",
ICML 2023).

Environment (the venv is git-ignored, .venv*/):
    python3 -m venv bench/.venv-synetune
    bench/.venv-synetune/bin/pip install syne-tune scikit-learn huggingface_hub
(tested with syne-tune 0.16.0, scikit-learn 1.9.1, numpy 2.4.6. syne-tune 0.16.0 imports
huggingface_hub on CQR's import path, through syne_tune.blackbox_repository, without declaring
it; it is only used to download blackboxes, so this script stubs it out when it is missing.)
    bench/.venv-synetune/bin/python bench/peers/synetune_hpo.py --seeds 20

Problems (as in bench_hpo.cpp; Hartmann-6 is minimized, optimum -3.3223680114155147):
  hartmann6_t3  H6(x) + 0.1 t3 (Student-t, 3 degrees of freedom); one step per trial; budget
                100 evaluations. Methods: st_cqr = syne_tune.optimizer.baselines.CQR,
                st_rand = syne_tune.optimizer.baselines.RandomSearch.
  lc_hartmann6  y(x, r) = H6(x) + 0.2 (1 + x6 - x1) g(r) + 0.1 t3, r = 1..27,
                g(r) = (sqrt(27 / r) - 1) / (sqrt(27) - 1); budget 540 steps in all.
                Methods: st_cqr = baselines.ASHACQR, st_rand = baselines.ASHA (random
                searcher), both max_t 27, grace_period 1, reduction_factor 3, one bracket,
                time_attr "step".

Protocol (one sequential worker, as bench_hpo): suggest() a configuration, on_trial_add(), train
it step by step, passing every step's value to on_trial_result(); a STOP decision ends the
trial, until the steps summed over all trials reach the budget (the last trial may be cut by
the budget, and then counts as stopped, as in bench_hpo). The regret of a run is H6 (noise-free)
of the configuration with the best observed final value among the trials that ran to the
maximum resource, minus the optimum.

Where Syne Tune forced a difference from prospect's protocol:
  * How a trial ends. Syne Tune's ASHA answers STOP at max_t too, and its Tuner then calls
    on_trial_remove(), not on_trial_complete() (tuner.py: a trial stopped by the scheduler is
    never "completed"; calling on_trial_complete after on_trial_remove fails, the trial's
    bracket is gone). This loop does the same: STOP -> on_trial_remove(); a trial that ends
    without STOP (single fidelity, or cut by the budget) -> on_trial_complete() with its last
    result, as the Tuner does. ASHA's searcher got every step through on_trial_result() and
    models the last value of each trial (LastValueMultiFidelitySearcher wrapping CQR: despite
    the docstring, one CQR model on each trial's latest value, not one per rung).
  * Seeding. random_seed=seed drives the schedulers' own RandomStates (random configurations,
    CQR's candidate set), but CQR also draws from numpy's GLOBAL generator (Thompson sampling
    of the quantile in QuantileRegressionSurrogateModel._get_sampler, sklearn's
    train_test_split and GradientBoostingRegressor with random_state=None, ASHA's bracket
    choice), so np.random.seed(seed) is called before each run to make it reproducible.
  * Noise. Per trial from numpy.random.default_rng([seed, trial id]) (standard_t(3)); the same
    distribution as bench_hpo's std::student_t over mt19937_64, not the same draws, so
    prospect and Syne Tune runs with the same seed see different noise.
  * ask_s/run is the time in suggest() + on_trial_add() summed over a run (Syne Tune refits
    its model inside suggest()); on_trial_result() bookkeeping is not counted.

Run time: Syne Tune's CQR refits 5 sklearn gradient-boosted quantile regressors (100 stages
each) in every suggest(): about 2.3 s per ask, 230 s per hartmann6_t3 seed and 100 s per
lc_hartmann6 seed on a loaded 2-core machine, so --seeds 20 takes about 1 h 50 min (random
search: seconds). Seeds run outermost, so an interrupted run has all (problem, method) pairs
for its complete seeds; --summarize prints the table from the CSVs of such a run.

Output: the table bench_hpo prints (trials/stopped/ask_s are medians over seeds) on stdout, a
progress line per seed on stderr, and <out>/synetune_<problem>.csv with bench_hpo's CSV columns
(one row per trial: the regret so far, NaN before a trial has run to the maximum resource).
"""
import argparse
import datetime
import logging
import math
import os
import sys
import time
import warnings

import numpy as np

# Silence Syne Tune's and sklearn's chatter before importing them.
logging.disable(logging.WARNING)
warnings.filterwarnings("ignore")

import sklearn  # noqa: E402

# Syne Tune's CQR fits 5 sklearn GradientBoostingRegressors (100 stages each) per suggest;
# sklearn's per-call input and parameter checks are a large part of that. Skipping them changes
# no result, only Syne Tune's ask time (in its favour).
sklearn.set_config(assume_finite=True, skip_parameter_validation=True)

try:
    import huggingface_hub  # noqa: F401
except ImportError:  # only needed to download blackboxes, which this script does not
    import types

    _stub = types.ModuleType("huggingface_hub")
    _stub.snapshot_download = None
    sys.modules["huggingface_hub"] = _stub

from syne_tune.backend.trial_status import Trial  # noqa: E402
from syne_tune.config_space import uniform  # noqa: E402
from syne_tune.optimizer.baselines import ASHA, ASHACQR, CQR, RandomSearch  # noqa: E402
from syne_tune.optimizer.scheduler import SchedulerDecision  # noqa: E402

# Hartmann-6 as the other peers use it (bench/peers/functions.py, checked against the C++).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from functions import hartmann6  # noqa: E402

H6_OPTIMUM = -3.3223680114155147  # prospect::bench::function("hartmann6").optimum
H6_MINIMIZER = [0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054]

METRIC = "y"
TIME_ATTR = "step"
NOISE_SCALE = 0.1


class Problem:
    def __init__(self, name, max_resource, budget):
        self.name = name
        self.max_resource = max_resource
        self.budget = budget
        self.optimum = H6_OPTIMUM

    def value(self, x, h6, r, rng):
        """Observed value after step r (1-based) of configuration x whose H6 is h6."""
        bias = 0.0
        if self.max_resource > 1:
            m = float(self.max_resource)
            g = (math.sqrt(m / r) - 1.0) / (math.sqrt(m) - 1.0)
            bias = 0.2 * (1.0 + x[5] - x[0]) * g
        return h6 + bias + NOISE_SCALE * float(rng.standard_t(3.0))


PROBLEMS = {
    "hartmann6_t3": Problem("hartmann6_t3", 1, 100),
    "lc_hartmann6": Problem("lc_hartmann6", 27, 27 * 20),
}
METHODS = ("st_rand", "st_cqr")
CONFIG_SPACE = {f"x{j + 1}": uniform(0.0, 1.0) for j in range(6)}


def make_scheduler(problem, method, seed):
    if problem.max_resource == 1:
        if method == "st_rand":
            return RandomSearch(CONFIG_SPACE, metrics=[METRIC], do_minimize=True, random_seed=seed)
        return CQR(CONFIG_SPACE, metric=METRIC, do_minimize=True, random_seed=seed)
    cls = ASHA if method == "st_rand" else ASHACQR
    return cls(
        CONFIG_SPACE,
        metric=METRIC,
        time_attr=TIME_ATTR,
        max_t=problem.max_resource,
        do_minimize=True,
        random_seed=seed,
        grace_period=1,
        reduction_factor=3,
        brackets=1,
    )


def run(problem, method, seed, csv):
    """One run; returns (regret, trials, stopped, seconds, ask_seconds)."""
    start = time.perf_counter()
    np.random.seed(seed)  # Syne Tune's CQR also draws from the global generator
    scheduler = make_scheduler(problem, method, seed)
    resource = 0
    trials = stopped = 0
    ask_total = 0.0
    best_observed = math.inf
    best_truth = math.nan
    trial_id = 0
    while resource < problem.budget:
        t0 = time.perf_counter()
        suggestion = scheduler.suggest()
        if suggestion is None or not suggestion.spawn_new_trial_id:
            raise RuntimeError(f"{method}: unexpected suggestion {suggestion}")
        trial = Trial(
            trial_id=trial_id, config=suggestion.config, creation_time=datetime.datetime.now()
        )
        scheduler.on_trial_add(trial)
        ask = time.perf_counter() - t0
        ask_total += ask

        x = [float(suggestion.config[f"x{j + 1}"]) for j in range(6)]
        h6 = hartmann6(x)
        rng = np.random.default_rng([seed, trial_id])
        steps = 0
        value = math.nan
        decision = SchedulerDecision.CONTINUE
        result = None
        while steps < problem.max_resource and resource < problem.budget:
            steps += 1
            resource += 1
            value = problem.value(x, h6, steps, rng)
            result = {METRIC: value, TIME_ATTR: steps}
            decision = scheduler.on_trial_result(trial, result)
            if decision == SchedulerDecision.STOP:
                break
        if decision == SchedulerDecision.STOP:
            scheduler.on_trial_remove(trial)  # as syne_tune.Tuner does after STOP
        else:
            scheduler.on_trial_complete(trial, result)
        trials += 1
        if steps < problem.max_resource:
            stopped += 1
        if steps == problem.max_resource and value < best_observed:
            best_observed = value
            best_truth = h6
        regret = best_truth - problem.optimum
        csv.write(
            f"{problem.name},{method},{seed},{trial_id},{resource},{steps},"
            f"{regret:.6g},{ask:.6g}\n"
        )
        trial_id += 1
    return best_truth - problem.optimum, trials, stopped, time.perf_counter() - start, ask_total


def quantile(values, q):
    v = [x for x in values if not math.isnan(x)]
    return float(np.quantile(v, q)) if v else math.nan


def print_table(results):
    """results: (problem, method) -> [(regret, trials, stopped, ask_seconds) per seed]."""
    print(
        f"{'problem':<14} {'method':<7} {'seeds':>5} {'regret_q25':>10} {'regret_med':>10} "
        f"{'regret_q75':>10} {'trials':>7} {'stopped':>7} {'ask_s/run':>9}"
    )
    for (name, method), rows in results.items():
        if not rows:
            continue
        regrets, trials, stopped, asks = ([row[i] for row in rows] for i in range(4))
        print(
            f"{name:<14} {method:<7} {len(rows):>5d} {quantile(regrets, 0.25):>10.4g} "
            f"{quantile(regrets, 0.5):>10.4g} {quantile(regrets, 0.75):>10.4g} "
            f"{quantile(trials, 0.5):>7.0f} {quantile(stopped, 0.5):>7.0f} "
            f"{quantile(asks, 0.5):>9.2f}",
            flush=True,
        )


def summarize(out, problems, methods):
    """The table from the CSVs of a finished or interrupted run (complete seeds only)."""
    results = {(p, m): [] for p in problems for m in methods}
    for name in problems:
        problem = PROBLEMS[name]
        runs = {}  # (method, seed) -> [regret, trials, stopped, ask, resource]
        with open(os.path.join(out, f"synetune_{name}.csv")) as f:
            next(f)
            for line in f:
                _, method, seed, _, resource, steps, regret, ask = line.strip().split(",")
                r = runs.setdefault((method, int(seed)), [math.nan, 0, 0, 0.0, 0])
                r[0] = float(regret)
                r[1] += 1
                r[2] += int(steps) < problem.max_resource
                r[3] += float(ask)
                r[4] = int(resource)
        for (method, seed), r in sorted(runs.items(), key=lambda kv: kv[0][1]):
            if (name, method) in results and r[4] >= problem.budget:
                results[(name, method)].append(tuple(r[:4]))
    print_table(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", default="hartmann6_t3,lc_hartmann6")
    parser.add_argument("--methods", default=",".join(METHODS), help="st_rand, st_cqr")
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..seeds-1")
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="continue an interrupted run: start at this seed and append to the CSVs",
    )
    parser.add_argument("--out", default="bench/results/hpo", help="output directory")
    parser.add_argument(
        "--summarize",
        action="store_true",
        help="run nothing: print the table from the CSVs in --out (complete seeds only)",
    )
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error(f"--seeds: got {args.seeds}, expected a positive number")
    problems = [p for p in args.problems.split(",") if p]
    methods = [m for m in args.methods.split(",") if m]
    for p in problems:
        if p not in PROBLEMS:
            parser.error(f'--problems: unknown problem "{p}", expected {" or ".join(PROBLEMS)}')
    for m in methods:
        if m not in METHODS:
            parser.error(f'--methods: unknown method "{m}", expected {" or ".join(METHODS)}')

    if args.summarize:
        summarize(args.out, problems, methods)
        return

    check = hartmann6(H6_MINIMIZER)
    if abs(check - H6_OPTIMUM) > 1e-6:
        sys.exit(f"synetune_hpo: H6 at the minimizer is {check}, expected {H6_OPTIMUM}")

    os.makedirs(args.out, exist_ok=True)
    csvs = {}
    for name in problems:
        path = os.path.join(args.out, f"synetune_{name}.csv")
        resume = args.first_seed > 0 and os.path.exists(path)
        if resume:  # drop what an interrupted seed >= first_seed left behind
            with open(path) as f:
                lines = f.readlines()
            keep = lines[:1] + [l for l in lines[1:] if int(l.split(",")[2]) < args.first_seed]
            with open(path, "w") as f:
                f.writelines(keep)
        csvs[name] = open(path, "a" if resume else "w")
        if not resume:
            csvs[name].write("problem,method,seed,trial,resource,steps,regret,ask_seconds\n")
    # Seeds outermost, so that an interrupted run still has as many seeds of every
    # (problem, method); the table comes at the end.
    results = {(p, m): [] for p in problems for m in methods}
    for s in range(args.first_seed, args.seeds):
        for name in problems:
            for method in methods:
                r, n, k, secs, ask = run(PROBLEMS[name], method, s, csvs[name])
                csvs[name].flush()
                results[(name, method)].append((r, n, k, ask))
                print(
                    f"[synetune_hpo] {name} {method} seed {s}: regret {r:.4g}, "
                    f"{n} trials ({k} stopped), {secs:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    for f in csvs.values():
        f.close()
    print_table(results)


if __name__ == "__main__":
    main()
