#!/usr/bin/env python3
"""Side-by-side benchmark of peer Bayesian-optimization libraries on prospect's test functions.

Every method gets the same budget: 10 initial points + 40 model-based points = 50
evaluations of the noiseless function (minimization), for seeds 0..S-1.

Methods
  botorch     SingleTaskGP with its defaults (Standardize outcome, default priors) on
              inputs normalized to [0,1]^d, LogExpectedImprovement(best_f=train_Y.max())
              on the negated objective, optimize_acqf(q=1, num_restarts=10,
              raw_samples=512), fit_gpytorch_mll at every step; 10 initial points from
              SobolEngine(d, scramble=True, seed=seed).
  skopt       skopt.Optimizer(dimensions, base_estimator="GP", acq_func="EI",
              n_initial_points=10, random_state=seed), ask/tell.
  optuna_gp   optuna.samplers.GPSampler(seed=seed, n_startup_trials=10), ask/tell.
  optuna_tpe  optuna.samplers.TPESampler(seed=seed, n_startup_trials=10), ask/tell.
  random      uniform in the box, numpy default_rng(seed).

Noisy-objective methods (issue #3; --noise-std, typically with --budget 60):
  botorch_qlognei     SingleTaskGP (defaults: learned homoskedastic noise, Standardize),
                      qLogNoisyExpectedImprovement(X_baseline=X) with its default
                      sampler, optimize_acqf(q=1, num_restarts=10, raw_samples=512).
  botorch_qkg         the same model, qKnowledgeGradient(num_fantasies=64) (one-shot KG;
                      optimize_acqf builds its fantasy starting points), 10 restarts, 512
                      raw samples.
  botorch_qlognei_q4  qLogNEI jointly over q = 4 points per round (any botorch_qlognei_qN
                      works). Rounds of q evaluations from the start: a round takes the
                      remaining initial Sobol points first and fills up with qLogNEI
                      points, the round's Sobol points passed as X_pending; round r ends at
                      evaluation r * q (60 evaluations = 15 rounds of 4). This is the rule
                      of prospect's ask(q) in bench_regret --batch.
  The model is refit (fit_gpytorch_mll) at every round. The noise is f(x) + sd * eps,
  eps ~ N(0, 1) from numpy default_rng([seed, 777]) (the C++ side draws from its own
  generator: same rule, other draws). The reported value is the TRUE f at the
  recommended point: the observed point with the best posterior mean (of a model
  refit on the data so far), as prospect's Optimizer::best(). It is computed at the
  --report-at evaluation counts and the last one only (a model fit each; without
  --report-at at every evaluation); the other rows carry nan.

Output (directory --out)
  peers.csv    method,function,seed,evaluation,best_value,regret,ask_seconds — one row per
               evaluation; best_value is the best true value so far, regret = best_value -
               optimum, ask_seconds the wall time the method spent producing that point:
               everything between the previous evaluation's return and the new point
               (BoTorch: fit + acquisition optimization; skopt: tell() refits the model
               and precomputes the next point, so tell + ask; Optuna: tell + ask).
               The objective evaluation itself is not included.
  summary.csv / summary.md   per method and function: runs, median and quartiles of
               the final regret (after 50 evaluations), median over runs of the median
               ask time at the model-based steps (evaluations 11..50).

Runs already complete in peers.csv are skipped (resumable); a run's rows are appended
and flushed only when the run finishes. Loop order: functions (in the order given,
most important first), then seeds, then methods. One progress line per finished run
goes to stderr.
"""

import argparse
import csv
import math
import os
import re
import sys
import time
import warnings

# One core unless the caller asks otherwise: the machine is shared.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from functions import FUNCTIONS  # noqa: E402

N_INITIAL = 10
BUDGET = 50
ALL_METHODS = ["botorch", "skopt", "optuna_gp", "optuna_tpe", "random"]
NOISY_METHODS = ["botorch_qlognei", "botorch_qkg", "botorch_qlognei_q4"]
NOISE = {}          # function name -> observation noise sd (absent: noiseless)
REPORT_AT = set()   # evaluation counts at which noisy runs score the recommendation
DEFAULT_FUNCTIONS = [
    "branin", "hartmann6", "six_hump_camel", "goldstein_price", "hartmann3",
    "styblinski_tang4", "rosenbrock4", "levy5", "ackley5", "michalewicz5",
]
FIELDS = ["method", "function", "seed", "evaluation", "best_value", "regret", "ask_seconds"]


def _evaluate(fn, x):
    return float(fn["f"](np.asarray(x, dtype=float)))


def run_random(fn, seed):
    rng = np.random.default_rng(seed)
    lower, upper = np.array(fn["lower"], float), np.array(fn["upper"], float)
    values, asks = [], []
    for _ in range(BUDGET):
        t0 = time.perf_counter()
        x = rng.uniform(lower, upper)
        asks.append(time.perf_counter() - t0)
        values.append(_evaluate(fn, x))
    return values, asks


def run_botorch(fn, seed):
    import torch
    from botorch.acquisition import LogExpectedImprovement
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.optim import optimize_acqf
    from gpytorch.mlls import ExactMarginalLogLikelihood

    torch.manual_seed(seed)  # optimize_acqf's raw samples use the global generator
    d = fn["dim"]
    lower = torch.tensor(fn["lower"], dtype=torch.double)
    upper = torch.tensor(fn["upper"], dtype=torch.double)
    unit_bounds = torch.stack([torch.zeros(d, dtype=torch.double), torch.ones(d, dtype=torch.double)])

    def f_unit(z):  # z in [0,1]^d
        return _evaluate(fn, (lower + (upper - lower) * z).numpy())

    values, asks = [], []
    t0 = time.perf_counter()
    sobol = torch.quasirandom.SobolEngine(d, scramble=True, seed=seed)
    X = sobol.draw(N_INITIAL).to(torch.double)
    init_ask = (time.perf_counter() - t0) / N_INITIAL
    for z in X:
        asks.append(init_ask)
        values.append(f_unit(z))
    Y = -torch.tensor(values, dtype=torch.double).unsqueeze(-1)  # BoTorch maximizes
    while len(values) < BUDGET:
        t0 = time.perf_counter()
        gp = SingleTaskGP(X, Y)
        fit_gpytorch_mll(ExactMarginalLogLikelihood(gp.likelihood, gp))
        acq = LogExpectedImprovement(gp, best_f=Y.max())
        candidate, _ = optimize_acqf(acq, bounds=unit_bounds, q=1, num_restarts=10, raw_samples=512)
        asks.append(time.perf_counter() - t0)
        z = candidate.detach().squeeze(0)
        value = f_unit(z)
        values.append(value)
        X = torch.cat([X, z.unsqueeze(0)])
        Y = torch.cat([Y, torch.tensor([[-value]], dtype=torch.double)])
    return values, asks


def run_skopt(fn, seed):
    from skopt import Optimizer

    dims = list(zip(map(float, fn["lower"]), map(float, fn["upper"])))
    opt = Optimizer(dims, base_estimator="GP", acq_func="EI", n_initial_points=N_INITIAL,
                    random_state=seed)
    values, asks = [], []
    pending_tell = None
    for _ in range(BUDGET):
        t0 = time.perf_counter()
        if pending_tell is not None:
            opt.tell(*pending_tell)
        x = opt.ask()
        asks.append(time.perf_counter() - t0)
        value = _evaluate(fn, x)
        values.append(value)
        pending_tell = (x, value)
    return values, asks


def run_optuna(fn, seed, kind):
    import optuna
    from optuna.distributions import FloatDistribution

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if kind == "gp":
        sampler = optuna.samplers.GPSampler(seed=seed, n_startup_trials=N_INITIAL)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=N_INITIAL)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    space = {f"x{j}": FloatDistribution(float(lo), float(hi))
             for j, (lo, hi) in enumerate(zip(fn["lower"], fn["upper"]))}
    values, asks = [], []
    pending_tell = None
    for _ in range(BUDGET):
        t0 = time.perf_counter()
        if pending_tell is not None:
            study.tell(*pending_tell)
        trial = study.ask(fixed_distributions=space)
        x = [trial.params[f"x{j}"] for j in range(fn["dim"])]
        asks.append(time.perf_counter() - t0)
        value = _evaluate(fn, x)
        values.append(value)
        pending_tell = (trial, value)
    return values, asks


def run_botorch_noisy(fn, seed, kind, q=1):
    """BoTorch on the noisy objective: returns (values, values_model, asks) where
    values[i] is the TRUE value of the recommended point after i + 1 evaluations (the
    evaluated point of best posterior mean; nan where not scored), values_model[i] that
    of the posterior mean's maximizer over the box (optimize_acqf on PosteriorMean, 10
    restarts, 512 raw samples: the knowledge gradient's own recommendation), and asks[i]
    the time of the round (fit + optimize_acqf) that produced evaluation i + 1 (nan for
    a round of initial points only)."""
    import torch
    from botorch.acquisition import (PosteriorMean, qKnowledgeGradient,
                                     qLogNoisyExpectedImprovement)
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.optim import optimize_acqf
    from gpytorch.mlls import ExactMarginalLogLikelihood

    torch.manual_seed(seed)  # optimize_acqf's raw samples use the global generator
    d = fn["dim"]
    sd = NOISE.get(fn["name"], 0.0)
    noise_rng = np.random.default_rng([seed, 777])
    lower = torch.tensor(fn["lower"], dtype=torch.double)
    upper = torch.tensor(fn["upper"], dtype=torch.double)
    unit_bounds = torch.stack([torch.zeros(d, dtype=torch.double), torch.ones(d, dtype=torch.double)])

    def f_unit(z):  # true value, z in [0,1]^d
        return _evaluate(fn, (lower + (upper - lower) * z).numpy())

    def fit(X, Y):
        gp = SingleTaskGP(X, Y)
        fit_gpytorch_mll(ExactMarginalLogLikelihood(gp.likelihood, gp))
        return gp

    def recommended_values(X, Y):
        gp = fit(X, Y)
        with torch.no_grad():
            mean = gp.posterior(X).mean.squeeze(-1)
        best_x, _ = optimize_acqf(PosteriorMean(gp), bounds=unit_bounds, q=1, num_restarts=10,
                                  raw_samples=512)
        return f_unit(X[int(torch.argmax(mean))]), f_unit(best_x.detach().squeeze(0))

    sobol = torch.quasirandom.SobolEngine(d, scramble=True, seed=seed)
    design = sobol.draw(N_INITIAL).to(torch.double)
    X = torch.empty(0, d, dtype=torch.double)
    Y = torch.empty(0, 1, dtype=torch.double)
    values, values_model, asks = [], [], []
    used = 0
    while len(values) < BUDGET:
        t0 = time.perf_counter()
        q_round = min(q, BUDGET - len(values))
        chosen = []
        while len(chosen) < q_round and (used < N_INITIAL or len(X) == 0):
            chosen.append(design[used] if used < N_INITIAL else sobol.draw(1).to(torch.double)[0])
            used += 1
        k = q_round - len(chosen)
        ask_time = math.nan
        if k > 0:
            gp = fit(X, Y)
            pending = torch.stack(chosen) if chosen else None
            if kind == "qlognei":
                acq = qLogNoisyExpectedImprovement(gp, X_baseline=X, X_pending=pending)
            elif kind == "qkg":
                acq = qKnowledgeGradient(gp, num_fantasies=64, X_pending=pending)
            else:
                raise ValueError(kind)
            candidates, _ = optimize_acqf(acq, bounds=unit_bounds, q=k, num_restarts=10,
                                          raw_samples=512)
            chosen += list(candidates.detach())
            ask_time = time.perf_counter() - t0
        for z in chosen:
            y = f_unit(z) + sd * float(noise_rng.standard_normal())
            X = torch.cat([X, z.unsqueeze(0)])
            Y = torch.cat([Y, torch.tensor([[-y]], dtype=torch.double)])  # BoTorch maximizes
            asks.append(ask_time)
            e = len(X)
            scored = not REPORT_AT or e in REPORT_AT or e == BUDGET
            in_sample, model = recommended_values(X, Y) if scored else (math.nan, math.nan)
            values.append(in_sample)
            values_model.append(model)
    return values, values_model, asks


def _noisy_runner(method):
    if method == "botorch_qlognei":
        return lambda fn, seed: run_botorch_noisy(fn, seed, "qlognei")
    if method == "botorch_qkg":
        return lambda fn, seed: run_botorch_noisy(fn, seed, "qkg")
    m = re.fullmatch(r"botorch_qlognei_q([1-9][0-9]*)", method)
    if m:
        return lambda fn, seed: run_botorch_noisy(fn, seed, "qlognei", int(m.group(1)))
    return None


def parse_noise(text):
    """'0.1' (every function: returns {None: 0.1}) or 'branin=1.0,hartmann6=0.1'."""
    try:
        if "=" not in text:
            sd = float(text)
            if not (sd >= 0 and math.isfinite(sd)):
                raise ValueError
            return {None: sd}
        out = {}
        for item in text.split(","):
            name, value = item.split("=")
            sd = float(value)
            if not (sd >= 0 and math.isfinite(sd)) or name not in FUNCTIONS:
                raise ValueError
            out[name] = sd
        return out
    except ValueError:
        raise SystemExit(f"--noise-std: got {text!r}, expected a number >= 0 or "
                         "name=sd,name=sd with known function names")


RUNNERS = {
    "botorch": run_botorch,
    "skopt": run_skopt,
    "optuna_gp": lambda fn, seed: run_optuna(fn, seed, "gp"),
    "optuna_tpe": lambda fn, seed: run_optuna(fn, seed, "tpe"),
    "random": run_random,
}


def load_complete_runs(path):
    """Reads peers.csv; rewrites it without incomplete runs or broken lines (a run
    interrupted while being written) and returns {(method, function, seed): rows}."""
    if not os.path.exists(path):
        return {}
    runs, broken = {}, False
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != FIELDS:
            raise SystemExit(f"{path}: unexpected header {header}, expected {FIELDS}")
        for row in reader:
            if len(row) != len(FIELDS):
                broken = True
                continue
            try:
                key = (row[0], row[1], int(row[2]))
                float(row[4]), float(row[5]), float(row[6])
            except ValueError:
                broken = True
                continue
            runs.setdefault(key, []).append(row)
    complete = {k: v for k, v in runs.items()
                if sorted(int(r[3]) for r in v) == list(range(1, BUDGET + 1))}
    if broken or len(complete) != len(runs):
        tmp = path + ".tmp"
        with open(tmp, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(FIELDS)
            for rows in complete.values():
                writer.writerows(rows)
        os.replace(tmp, path)
        print(f"peers: dropped {len(runs) - len(complete)} incomplete run(s) from {path}",
              file=sys.stderr)
    return complete


def summarize(csv_path, out_dir):
    """Writes summary.csv and summary.md from peers.csv and returns the markdown."""
    final, ask_medians = {}, {}
    with open(csv_path, newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row["method"], row["function"])
            run = (key, int(row["seed"]))
            evaluation = int(row["evaluation"])
            if evaluation == BUDGET:
                final.setdefault(key, []).append(float(row["regret"]))
            if evaluation > N_INITIAL and not math.isnan(float(row["ask_seconds"])):
                ask_medians.setdefault(run, []).append(float(row["ask_seconds"]))
    per_key_ask = {}
    for (key, _seed), asks in ask_medians.items():
        per_key_ask.setdefault(key, []).append(float(np.median(asks)))
    functions = [f for f in DEFAULT_FUNCTIONS if any(k[1] == f for k in final)]
    functions += sorted({k[1] for k in final} - set(functions))
    methods = [m for m in ALL_METHODS + NOISY_METHODS if any(k[0] == m for k in final)]
    methods += sorted({k[0] for k in final} - set(methods))
    rows = []
    for f in functions:
        for m in methods:
            if (m, f) not in final:
                continue
            r = np.array(final[(m, f)])
            q25, q50, q75 = np.percentile(r, [25, 50, 75])
            rows.append(dict(function=f, method=m, runs=len(r), regret_q25=q25,
                             regret_median=q50, regret_q75=q75,
                             ask_seconds_median=float(np.median(per_key_ask[(m, f)]))
                             if (m, f) in per_key_ask else math.nan))
    with open(os.path.join(out_dir, "summary.csv"), "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["function"])
        writer.writeheader()
        writer.writerows(rows)
    lines = [f"Final simple regret after {BUDGET} evaluations ({N_INITIAL} initial; noisy "
             "runs: true value of the recommended point), "
             "median [q25, q75] over seeds; median ask time at the model-based steps.", "",
             "| function | method | runs | median regret | q25 | q75 | ask (s) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['function']} | {r['method']} | {r['runs']} | {r['regret_median']:.3g} "
                     f"| {r['regret_q25']:.3g} | {r['regret_q75']:.3g} "
                     f"| {r['ask_seconds_median']:.3g} |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "summary.md"), "w") as fh:
        fh.write(text)
    return text


def main(argv=None):
    global BUDGET, N_INITIAL, REPORT_AT
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", default=",".join(ALL_METHODS),
                        help=f"comma-separated subset of {','.join(ALL_METHODS)}, or of "
                             f"{','.join(NOISY_METHODS)} (botorch_qlognei_qN for any N) "
                             "with --noise-std")
    parser.add_argument("--budget", type=int, default=BUDGET, help="evaluations per run")
    parser.add_argument("--n-initial", type=int, default=N_INITIAL, help="initial Sobol points")
    parser.add_argument("--noise-std", default="0",
                        help="observation noise sd: one number, or name=sd,name=sd "
                             "(unlisted functions noiseless)")
    parser.add_argument("--report-at", default="",
                        help="comma-separated evaluation counts at which noisy runs score "
                             "the recommendation (the last always is)")
    parser.add_argument("--functions", default=",".join(DEFAULT_FUNCTIONS),
                        help="comma-separated, in priority order (all seeds of the first "
                             "function run first)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..S-1 (default 20)")
    parser.add_argument("--out", default="bench/results/peers", help="output directory")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--summary-only", action="store_true",
                        help="only rewrite the summary from the existing CSV")
    args = parser.parse_args(argv)

    methods = [m for m in args.methods.split(",") if m]
    functions = [f for f in args.functions.split(",") if f]
    if args.budget < 1 or not 1 <= args.n_initial <= args.budget:
        parser.error(f"--budget {args.budget} / --n-initial {args.n_initial}: expected "
                     "1 <= n_initial <= budget")
    BUDGET, N_INITIAL = args.budget, args.n_initial
    try:
        REPORT_AT = {int(e) for e in args.report_at.split(",") if e}
    except ValueError:
        parser.error(f"--report-at: got {args.report_at!r}, expected integers")
    noise = parse_noise(args.noise_std)
    NOISE.update({f: noise.get(f, noise.get(None, 0.0)) for f in FUNCTIONS})
    for m in methods:
        if m not in RUNNERS and _noisy_runner(m) is None:
            parser.error(f"--methods: unknown method {m!r}, expected some of "
                         f"{ALL_METHODS + NOISY_METHODS}")
        if m in RUNNERS and m != "random" and any(NOISE[f] > 0 for f in functions):
            parser.error(f"--methods: {m} runs on the noiseless function only; with "
                         f"--noise-std use {NOISY_METHODS} or random")
    for f in functions:
        if f not in FUNCTIONS:
            parser.error(f"--functions: unknown function {f!r}, expected some of {list(FUNCTIONS)}")
    if args.seeds < 1:
        parser.error(f"--seeds: got {args.seeds}, expected >= 1")

    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, "peers.csv")
    if not args.summary_only:
        if any(m.startswith("botorch") for m in methods) or "optuna_gp" in methods:
            import torch
            torch.set_num_threads(args.threads)
        warnings.filterwarnings("ignore")  # convergence chatter of the fitters
        done = load_complete_runs(csv_path)
        new_file = not os.path.exists(csv_path)
        with open(csv_path, "a", newline="") as fh:
            writer = csv.writer(fh)
            if new_file:
                writer.writerow(FIELDS)
                fh.flush()
            for fname in functions:
                fn = FUNCTIONS[fname]
                for seed in range(args.seeds):
                    for method in methods:
                        if (method, fname, seed) in done:
                            continue
                        t0 = time.perf_counter()
                        runner = RUNNERS.get(method) or _noisy_runner(method)
                        result = runner(fn, seed)
                        elapsed = time.perf_counter() - t0
                        values, asks = result[0], result[-1]
                        assert len(values) == BUDGET and len(asks) == BUDGET
                        if method in RUNNERS:  # best value seen so far
                            best = np.minimum.accumulate(np.array(values))
                        else:  # already the recommended point's true value
                            best = np.array(values)
                        rows = [[method, fname, seed, i + 1, repr(float(best[i])),
                                 repr(float(best[i] - fn["optimum"])), f"{asks[i]:.6g}"]
                                for i in range(BUDGET)]
                        if len(result) == 3:  # noisy runs: also the model's recommendation
                            rows += [[method + "-rec-model", fname, seed, i + 1,
                                      repr(float(result[1][i])),
                                      repr(float(result[1][i] - fn["optimum"])),
                                      f"{asks[i]:.6g}"] for i in range(BUDGET)]
                        writer.writerows(rows)
                        fh.flush()
                        os.fsync(fh.fileno())
                        model_asks = [a for a in asks[N_INITIAL:] if not math.isnan(a)]
                        print(f"peers: {method:10s} {fname:16s} seed {seed:3d}  regret "
                              f"{best[-1] - fn['optimum']:.4g}  median ask "
                              f"{np.median(model_asks) if model_asks else math.nan:.3g} s  "
                              f"run {elapsed:.1f} s",
                              file=sys.stderr, flush=True)
    if os.path.exists(csv_path):
        print(summarize(csv_path, args.out))


if __name__ == "__main__":
    main()
