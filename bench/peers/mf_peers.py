#!/usr/bin/env python3
"""BoTorch's multi-fidelity knowledge gradient on the multi-fidelity test functions:
simple regret at the target fidelity against the cumulative evaluation cost (issue #4).

Functions (bench/peers/mf_functions.py, all minimized; BoTorch maximizes -f) and budgets:
  function        fidelity                   n0  cost budget  ei_target n0
  aug_hartmann6   continuous s, cost 5 + s   14  200          13
  currin          2 levels, cost 1 / 10       6  100           3
  borehole        2 levels, cost 1 / 10      18  200          10
  aug_branin      continuous s, cost 5 + s    6   80           6
  forrester       2 levels, cost 1 / 10       4   60           2   (not in the default list)

Methods
  mfkg       qMultiFidelityKnowledgeGradient as in BoTorch's multi-fidelity KG tutorial:
             SingleTaskMultiFidelityGP(X, Y, data_fidelities=[d], outcome_transform=
             Standardize(m=1)) (linear truncated fidelity kernel, the default) on inputs
             scaled to [0,1]^d plus the fidelity column (a discrete level l is the column
             value l / (L - 1)), fit_gpytorch_mll at every step;
             cost model AffineFidelityCostModel(fidelity_weights={d: w}, fixed_cost=c0)
             (continuous: c0 = 5, w = 1; two levels with costs c_low, c_high: c0 = c_low,
             w = c_high - c_low, exact at both levels), InverseCostWeightedUtility,
             project = project_to_target_fidelity (column d -> 1);
             current_value = max of PosteriorMean with the fidelity fixed at the target
             (FixedFeatureAcquisitionFunction + optimize_acqf); num_fantasies = 64, q = 1;
             optimize_acqf over x and s (continuous) or optimize_acqf_mixed with
             fixed_features_list = one entry per level (discrete); options batch_limit 10.
             Settings: the tutorial's are 10 restarts, 512 raw samples, maxiter 200 for
             the KG and 10 restarts, 1024 raw samples for the current value. One such ask
             took 45-60 s on augmented Branin with 10 points on the shared 2-core machine
             (discrete functions: twice that, one optimization per level), i.e. many hours
             per seed, so the defaults here are REDUCED: 4 restarts, 128 raw samples,
             maxiter 50 for the KG, 4 restarts and 256 raw samples for the current value
             (64 fantasies kept). Pass --restarts 10 --raw-samples 512 --maxiter 200
             --cv-restarts 10 --cv-raw-samples 1024 for the tutorial's settings.
             (bench/peers/mf_ask_speed.py times one ask with the tutorial's settings.)
             Initial design: n0 points of SobolEngine(d, scramble=True, seed=seed); the
             fidelity of point i is [0.5, 0.75, 1.0][i % 3] (continuous) or level i % L
             (discrete, with the last points moved to the top level when fewer than 2 are
             there).
  ei_target  single-fidelity baseline: SingleTaskGP(X, Y, outcome_transform=Standardize)
             on target-fidelity data only, LogExpectedImprovement(best_f=max Y),
             optimize_acqf(q=1, 10 restarts, 512 raw samples); every evaluation at the
             target fidelity. Its initial design costs about what mfkg's does: the first
             n0_target = max(2, round(cost of mfkg's initial design / target cost)) points
             of the same Sobol sequence (column "ei_target n0" above).

Both run "while cumulative cost < budget": the last evaluation may overshoot the budget.

Trace: one entry after the initial design, then one after every evaluation:
[cumulative cost, simple regret], regret = f(rec, target) - optimum, where rec is the
evaluated design (of any fidelity) whose posterior mean at the target fidelity is best,
the model fitted on all data so far (the same fit the next ask uses).
ask_seconds: per model-based evaluation, the wall time of the fit + acquisition
optimization (the recommendation is not included).

Output: one JSON line per (function, method, seed) appended to --out:
  {"library": "botorch", "method", "function", "seed", "budget", "n_initial",
   "optimum", "trace": [[cost, regret], ...], "ask_seconds": [...],
   "fidelities": [fidelity of every evaluation, initial ones included],
   "fallbacks": count of failed fits/acquisitions replaced by a fallback,
   "warnings": count of warnings raised by BoTorch/GPyTorch, "seconds": run time}
Runs already in --out are skipped (resumable). Loop order: methods (as listed), seeds,
functions (as listed), so that an interrupted run still has every function;
a progress line per run goes to stderr. Everything on one thread (torch.set_num_threads).

Speed (measured on the shared, loaded 2-core machine, one thread): ei_target runs take
2-45 s each (all 10 seeds of the four functions: ~16 min). One mfkg ask on augmented
Hartmann-6 with 30 points (mf_ask_speed.py) takes a median 57 s with the tutorial's
settings and 10 s with these defaults; an mfkg run of augmented Hartmann-6 took 219 s
(24 asks, median 9 s); the discrete functions need two KG optimizations per ask and
30-60 asks (mostly at the cheap level), so one seed of the four default functions takes
on the order of half an hour to an hour, and 10 seeds several hours.
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mf_functions import MF_FUNCTIONS  # noqa: E402

# function -> (n0, cost budget)
BUDGETS = {
    "aug_hartmann6": (14, 200.0),
    "currin": (6, 100.0),
    "borehole": (18, 200.0),
    "aug_branin": (6, 80.0),
    "forrester": (4, 60.0),
}
DEFAULT_FUNCTIONS = ["aug_hartmann6", "currin", "borehole", "aug_branin"]
METHODS = ["mfkg", "ei_target"]
# mfkg optimizer settings (CLI flags; see "Settings" in the docstring). The tutorial's are
# --restarts 10 --raw-samples 512 --maxiter 200 --cv-restarts 10 --cv-raw-samples 1024.
NUM_FANTASIES = 64
NUM_RESTARTS = 4
RAW_SAMPLES = 128
MAXITER = 50
CV_RESTARTS = 4
CV_RAW_SAMPLES = 256
# ei_target (cheap): as bench/peers/peers.py
EI_RESTARTS = 10
EI_RAW_SAMPLES = 512
CONTINUOUS_INITIAL_FIDELITIES = [0.5, 0.75, 1.0]


def initial_fidelities(fn, n0):
    """Fidelity column values (in [0, 1]) of the mfkg initial design."""
    if fn["fidelity"] == "continuous":
        return [CONTINUOUS_INITIAL_FIDELITIES[i % 3] for i in range(n0)]
    L = fn["levels"]
    levels = [i % L for i in range(n0)]
    i = n0 - 1
    while sum(lv == L - 1 for lv in levels) < min(2, n0) and i >= 0:
        levels[i] = L - 1
        i -= 1
    return [lv / (L - 1) for lv in levels]


def fidelity_value(fn, u):
    """Column value u in [0, 1] -> the fidelity passed to f (s, or the level)."""
    if fn["fidelity"] == "continuous":
        return float(u)
    return float(int(round(float(u) * (fn["levels"] - 1))))


def initial_cost(fn, n0):
    return sum(fn["cost"](fidelity_value(fn, u)) for u in initial_fidelities(fn, n0))


def target_initial_count(fn, n0):
    return max(2, int(round(initial_cost(fn, n0) / fn["cost"](fn["target"]))))


class Problem:
    def __init__(self, fn):
        import torch

        self.fn = fn
        self.d = fn["dim"]
        self.lower = np.array(fn["lower"], float)
        self.upper = np.array(fn["upper"], float)
        self.dtype = torch.double

    def value(self, z, u):
        """f at unit-cube design z and fidelity column value u."""
        x = self.lower + (self.upper - self.lower) * np.asarray(z, float)
        return float(self.fn["f"](x, fidelity_value(self.fn, u)))

    def cost(self, u):
        return float(self.fn["cost"](fidelity_value(self.fn, u)))

    def regret(self, z):
        return self.value(z, 1.0) - self.fn["optimum"]


def _fit(model, counters):
    from botorch.fit import fit_gpytorch_mll
    from gpytorch.mlls import ExactMarginalLogLikelihood

    try:
        fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
    except Exception as e:  # keep the default hyperparameters rather than stop the run
        counters["fallbacks"] += 1
        print(f"mf_peers: fit failed ({type(e).__name__}: {e}); default hyperparameters",
              file=sys.stderr, flush=True)
    return model


def _recommend(model, Z, target_column):
    """Index of the evaluated design with the best posterior mean at the target."""
    import torch

    X = Z if target_column is None else torch.cat(
        [Z, torch.ones(Z.shape[0], 1, dtype=Z.dtype)], dim=-1)
    with torch.no_grad():
        mean = model.posterior(X).mean.squeeze(-1)
    return int(torch.argmax(mean))


def run(fn, method, seed):
    import torch
    from botorch.acquisition import (
        FixedFeatureAcquisitionFunction, LogExpectedImprovement, PosteriorMean)
    from botorch.acquisition.cost_aware import InverseCostWeightedUtility
    from botorch.acquisition.knowledge_gradient import qMultiFidelityKnowledgeGradient
    from botorch.acquisition.utils import project_to_target_fidelity
    from botorch.models import SingleTaskGP, SingleTaskMultiFidelityGP
    from botorch.models.cost import AffineFidelityCostModel
    from botorch.models.transforms.outcome import Standardize
    from botorch.optim import optimize_acqf, optimize_acqf_mixed

    torch.manual_seed(seed)  # optimize_acqf's raw samples use the global generator
    p = Problem(fn)
    d = p.d
    n0, budget = BUDGETS[fn["name"]]
    counters = {"fallbacks": 0, "warnings": 0}
    sobol = torch.quasirandom.SobolEngine(d, scramble=True, seed=seed)
    design = sobol.draw(n0).to(torch.double)
    if method == "mfkg":
        fids = initial_fidelities(fn, n0)
    else:
        fids = [1.0] * target_initial_count(fn, n0)
        design = design[: len(fids)] if len(fids) <= n0 else torch.cat(
            [design, sobol.draw(len(fids) - n0).to(torch.double)])
    Z = design.clone()
    U = torch.tensor(fids, dtype=torch.double).unsqueeze(-1)
    values = [p.value(z.numpy(), u) for z, u in zip(Z, fids)]
    cost = sum(p.cost(u) for u in fids)
    fidelities = [fidelity_value(fn, u) for u in fids]

    unit = torch.stack([torch.zeros(d + 1, dtype=torch.double),
                        torch.ones(d + 1, dtype=torch.double)])
    target = {d: 1.0}
    if fn["fidelity"] == "continuous":
        cost_model = AffineFidelityCostModel(fidelity_weights={d: 1.0}, fixed_cost=5.0)
        levels = None
    else:
        costs = fn["costs"]
        if len(costs) != 2:
            raise ValueError("discrete cost model: affine through two levels only; give a cost per level")
        cost_model = AffineFidelityCostModel(fidelity_weights={d: costs[1] - costs[0]},
                                             fixed_cost=costs[0])
        levels = [lv / (fn["levels"] - 1) for lv in range(fn["levels"])]
    utility = InverseCostWeightedUtility(cost_model=cost_model)

    def fit_model():
        Y = -torch.tensor(values, dtype=torch.double).unsqueeze(-1)  # BoTorch maximizes
        if method == "mfkg":
            model = SingleTaskMultiFidelityGP(torch.cat([Z, U], dim=-1), Y, data_fidelities=[d],
                                              outcome_transform=Standardize(m=1))
        else:
            model = SingleTaskGP(Z, Y, outcome_transform=Standardize(m=1))
        return _fit(model, counters), Y

    def ask(model, Y):
        if method == "ei_target":
            acq = LogExpectedImprovement(model, best_f=Y.max())
            cand, _ = optimize_acqf(acq, bounds=unit[:, :d], q=1, num_restarts=EI_RESTARTS,
                                    raw_samples=EI_RAW_SAMPLES)
            return cand.detach()[0], 1.0
        options = {"batch_limit": 10, "maxiter": MAXITER}
        cv_acq = FixedFeatureAcquisitionFunction(PosteriorMean(model), d=d + 1, columns=[d],
                                                 values=[1.0])
        _, current_value = optimize_acqf(cv_acq, bounds=unit[:, :d], q=1,
                                         num_restarts=CV_RESTARTS, raw_samples=CV_RAW_SAMPLES,
                                         options=options)
        acq = qMultiFidelityKnowledgeGradient(
            model=model, num_fantasies=NUM_FANTASIES, current_value=current_value.detach(),
            cost_aware_utility=utility,
            project=lambda X: project_to_target_fidelity(X=X, target_fidelities=target, d=d + 1))
        if levels is None:
            cand, _ = optimize_acqf(acq, bounds=unit, q=1, num_restarts=NUM_RESTARTS,
                                    raw_samples=RAW_SAMPLES, options=options)
        else:
            cand, _ = optimize_acqf_mixed(acq, bounds=unit, q=1, num_restarts=NUM_RESTARTS,
                                          raw_samples=RAW_SAMPLES, options=options,
                                          fixed_features_list=[{d: u} for u in levels])
        cand = cand.detach()[0]
        u = float(cand[d].clamp(0.0, 1.0))
        if levels is not None:
            u = min(levels, key=lambda v: abs(v - u))
        return cand[:d].clamp(0.0, 1.0), u

    trace, asks = [], []
    t_run = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model, Y = fit_model()
        fit_seconds = time.perf_counter() - t0
        counters["warnings"] += len(caught)
        rec = _recommend(model, Z, d if method == "mfkg" else None)
        trace.append([cost, p.regret(Z[rec].numpy())])
        if cost >= budget:
            break
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                z, u = ask(model, Y)
                if not bool(torch.isfinite(z).all()):
                    raise RuntimeError("non-finite candidate")
            except Exception as e:  # a random design at the target keeps the run going
                counters["fallbacks"] += 1
                print(f"mf_peers: {method} ask failed ({type(e).__name__}: {e}); random "
                      "point at the target fidelity", file=sys.stderr, flush=True)
                z, u = torch.rand(d, dtype=torch.double), 1.0
        counters["warnings"] += len(caught)
        asks.append(fit_seconds + time.perf_counter() - t0)
        values.append(p.value(z.numpy(), u))
        cost += p.cost(u)
        fidelities.append(fidelity_value(fn, u))
        Z = torch.cat([Z, z.unsqueeze(0)])
        U = torch.cat([U, torch.tensor([[u]], dtype=torch.double)])
    return {"library": "botorch", "method": method, "function": fn["name"], "seed": seed,
            "budget": budget, "n_initial": len(fids), "optimum": fn["optimum"],
            "trace": trace, "ask_seconds": asks, "fidelities": fidelities,
            "fallbacks": counters["fallbacks"], "warnings": counters["warnings"],
            "seconds": time.perf_counter() - t_run,
            "settings": settings() if method == "mfkg" else
            {"restarts": EI_RESTARTS, "raw_samples": EI_RAW_SAMPLES}}


def settings():
    return {"fantasies": NUM_FANTASIES, "restarts": NUM_RESTARTS, "raw_samples": RAW_SAMPLES,
            "maxiter": MAXITER, "cv_restarts": CV_RESTARTS, "cv_raw_samples": CV_RAW_SAMPLES}


def load_done(path):
    done = set()
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                try:
                    r = json.loads(line)
                    done.add((r["function"], r["method"], int(r["seed"])))
                except (ValueError, KeyError):
                    continue  # a line cut by an interrupted run
    return done


def main(argv=None):
    global NUM_FANTASIES, NUM_RESTARTS, RAW_SAMPLES, MAXITER, CV_RESTARTS, CV_RAW_SAMPLES
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("--functions", default=",".join(DEFAULT_FUNCTIONS),
                    help=f"comma-separated subset of {','.join(BUDGETS)}")
    ap.add_argument("--methods", default="ei_target,mfkg",
                    help=f"comma-separated subset of {','.join(METHODS)}")
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0..S-1 (default 10)")
    ap.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    ap.add_argument("--out", default="bench/results/mf/botorch.jsonl", help="JSON-lines file")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--fantasies", type=int, default=NUM_FANTASIES, help="mfkg fantasies")
    ap.add_argument("--restarts", type=int, default=NUM_RESTARTS, help="mfkg restarts")
    ap.add_argument("--raw-samples", type=int, default=RAW_SAMPLES, help="mfkg raw samples")
    ap.add_argument("--maxiter", type=int, default=MAXITER, help="mfkg L-BFGS-B iterations")
    ap.add_argument("--cv-restarts", type=int, default=CV_RESTARTS,
                    help="restarts of the current-value (posterior mean) maximization")
    ap.add_argument("--cv-raw-samples", type=int, default=CV_RAW_SAMPLES,
                    help="raw samples of the current-value maximization")
    args = ap.parse_args(argv)
    NUM_FANTASIES, NUM_RESTARTS, RAW_SAMPLES = args.fantasies, args.restarts, args.raw_samples
    MAXITER, CV_RESTARTS, CV_RAW_SAMPLES = args.maxiter, args.cv_restarts, args.cv_raw_samples
    functions = [f for f in args.functions.split(",") if f]
    methods = [m for m in args.methods.split(",") if m]
    for f in functions:
        if f not in BUDGETS:
            ap.error(f"--functions: unknown function {f!r}, expected some of {list(BUDGETS)}")
    for m in methods:
        if m not in METHODS:
            ap.error(f"--methods: unknown method {m!r}, expected some of {METHODS}")
    if args.seeds < 1:
        ap.error(f"--seeds: got {args.seeds}, expected >= 1")

    import torch

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    if os.path.dirname(args.out):
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
    done = load_done(args.out)
    with open(args.out, "a") as fh:
        for method in methods:
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                for fname in functions:
                    if (fname, method, seed) in done:
                        continue
                    r = run(MF_FUNCTIONS[fname], method, seed)
                    fh.write(json.dumps(r) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                    asks = r["ask_seconds"]
                    low = sum(1 for s in r["fidelities"][r["n_initial"]:]
                              if s < MF_FUNCTIONS[fname]["target"])
                    print(f"mf_peers: seed {seed:2d} {fname:14s} {method:9s} "
                          f"cost {r['trace'][-1][0]:7.2f} regret {r['trace'][-1][1]:.4g} "
                          f"asks {len(asks)} ({low} below target) median ask "
                          f"{np.median(asks) if asks else math.nan:.2f} s run "
                          f"{r['seconds']:.0f} s fallbacks {r['fallbacks']}",
                          file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
