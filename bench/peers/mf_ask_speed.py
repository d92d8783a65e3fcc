#!/usr/bin/env python3
"""Time of one BoTorch multi-fidelity KG ask on fixed data (issue #4 ask speed).

Data: a CSV with header x0..x{d-1},s,y: design in [0,1]^d, continuous fidelity s in
[0, 1] (target 1), y the value to MINIMIZE (BoTorch is given -y). --make-data writes
the standard file: augmented Hartmann-6, 30 points, seed 0 (--seed): the first 14 of
SobolEngine(6, scramble=True, seed) at fidelities cycling 0.5, 0.75, 1.0 (mf_peers.py's
initial design), then the next 16 Sobol points at fidelities drawn uniformly in [0, 1]
by numpy default_rng(seed) (as a KG run's later asks would spread them). Default path:
bench/results/mf/mf_ask_data.csv.

One ask, everything between having the data and having the candidate:
  SingleTaskMultiFidelityGP(X, -y, data_fidelities=[d], outcome_transform=Standardize(m=1))
  + fit_gpytorch_mll; current_value = max of PosteriorMean with s fixed at 1
  (FixedFeatureAcquisitionFunction, optimize_acqf with --cv-restarts / --cv-raw-samples);
  qMultiFidelityKnowledgeGradient(num_fantasies, current_value, InverseCostWeightedUtility(
  AffineFidelityCostModel({d: 1}, fixed_cost=5)), project_to_target_fidelity);
  optimize_acqf(q=1, --restarts, --raw-samples, options batch_limit 10, --maxiter).
Defaults are the BoTorch tutorial's: 64 fantasies (the tutorial: 128; 64 is prospect's
default), 10 restarts, 512 raw samples, maxiter 200, current value 10 restarts and 1024
raw samples. Each rep starts from a fresh model with torch.manual_seed(rep); the median
over --reps is reported. torch on --threads threads (default 1, OMP_NUM_THREADS=1 set
before torch is imported).

Output (stdout, and --out FILE when given): one JSON object
  {"function", "n", "dim", "threads", "torch", "botorch", "settings": {...},
   "seconds_median", "seconds": [...], "fit_seconds": [...], "candidates": [[x..., s], ...]}
"""

import argparse
import csv
import json
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

DEFAULT_DATA = "bench/results/mf/mf_ask_data.csv"


def make_data(path, seed, n=30, n_initial=14):
    import torch

    fn = MF_FUNCTIONS["aug_hartmann6"]
    d = fn["dim"]
    Z = torch.quasirandom.SobolEngine(d, scramble=True, seed=seed).draw(n).to(torch.double).numpy()
    rng = np.random.default_rng(seed)
    s = [[0.5, 0.75, 1.0][i % 3] for i in range(n_initial)]
    s += list(rng.uniform(0.0, 1.0, n - n_initial))
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(",".join(f"x{j}" for j in range(d)) + ",s,y\n")
        for z, si in zip(Z, s):
            y = fn["f"](z, float(si))  # the box is [0,1]^6: z is x
            fh.write(",".join(repr(float(c)) for c in z) + f",{float(si)!r},{y!r}\n")
    print(f"mf_ask_speed: wrote {n} points to {path}", file=sys.stderr)


def read_data(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    if len(header) < 3 or header[-2:] != ["s", "y"]:
        raise SystemExit(f"{path}: header {header}, expected x0,...,s,y")
    data = np.array([[float(v) for v in r] for r in rows[1:] if r], dtype=float)
    return data[:, :-1], data[:, -1]


def one_ask(XS, y, args, rep):
    import torch
    from botorch.acquisition import FixedFeatureAcquisitionFunction, PosteriorMean
    from botorch.acquisition.cost_aware import InverseCostWeightedUtility
    from botorch.acquisition.knowledge_gradient import qMultiFidelityKnowledgeGradient
    from botorch.acquisition.utils import project_to_target_fidelity
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskMultiFidelityGP
    from botorch.models.cost import AffineFidelityCostModel
    from botorch.models.transforms.outcome import Standardize
    from botorch.optim import optimize_acqf
    from gpytorch.mlls import ExactMarginalLogLikelihood

    torch.manual_seed(rep)
    X = torch.tensor(XS, dtype=torch.double)
    Y = -torch.tensor(y, dtype=torch.double).unsqueeze(-1)  # BoTorch maximizes
    d = X.shape[-1] - 1
    unit = torch.stack([torch.zeros(d + 1, dtype=torch.double),
                        torch.ones(d + 1, dtype=torch.double)])
    options = {"batch_limit": 10, "maxiter": args.maxiter}
    t0 = time.perf_counter()
    model = SingleTaskMultiFidelityGP(X, Y, data_fidelities=[d], outcome_transform=Standardize(m=1))
    fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
    fit_seconds = time.perf_counter() - t0
    cv = FixedFeatureAcquisitionFunction(PosteriorMean(model), d=d + 1, columns=[d], values=[1.0])
    _, current_value = optimize_acqf(cv, bounds=unit[:, :d], q=1, num_restarts=args.cv_restarts,
                                     raw_samples=args.cv_raw_samples, options=options)
    acq = qMultiFidelityKnowledgeGradient(
        model=model, num_fantasies=args.fantasies, current_value=current_value.detach(),
        cost_aware_utility=InverseCostWeightedUtility(
            cost_model=AffineFidelityCostModel(fidelity_weights={d: 1.0},
                                               fixed_cost=args.fixed_cost)),
        project=lambda Z: project_to_target_fidelity(X=Z, target_fidelities={d: 1.0}, d=d + 1))
    cand, _ = optimize_acqf(acq, bounds=unit, q=1, num_restarts=args.restarts,
                            raw_samples=args.raw_samples, options=options)
    elapsed = time.perf_counter() - t0
    return elapsed, fit_seconds, [float(v) for v in cand.detach()[0]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("--data", default=DEFAULT_DATA, help=f"CSV x...,s,y (default {DEFAULT_DATA})")
    ap.add_argument("--make-data", action="store_true",
                    help="write the standard data file to --data and exit")
    ap.add_argument("--seed", type=int, default=0, help="seed of --make-data (default 0)")
    ap.add_argument("--reps", type=int, default=3, help="timed asks (median; default 3)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--fantasies", type=int, default=64)
    ap.add_argument("--restarts", type=int, default=10)
    ap.add_argument("--raw-samples", type=int, default=512)
    ap.add_argument("--maxiter", type=int, default=200)
    ap.add_argument("--cv-restarts", type=int, default=10)
    ap.add_argument("--cv-raw-samples", type=int, default=1024)
    ap.add_argument("--fixed-cost", type=float, default=5.0, help="cost 5 + s by default")
    ap.add_argument("--out", default="", help="also write the JSON here")
    args = ap.parse_args(argv)
    if args.make_data:
        make_data(args.data, args.seed)
        return
    if args.reps < 1:
        ap.error(f"--reps: got {args.reps}, expected >= 1")
    if not os.path.exists(args.data):
        ap.error(f"--data: {args.data} does not exist (write it with --make-data)")

    import botorch
    import torch

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    XS, y = read_data(args.data)
    times, fits, cands = [], [], []
    for rep in range(args.reps):
        t, f, c = one_ask(XS, y, args, rep)
        times.append(t), fits.append(f), cands.append(c)
        print(f"mf_ask_speed: rep {rep}: {t:.2f} s (fit {f:.2f} s), candidate s = {c[-1]:.3f}",
              file=sys.stderr, flush=True)
    report = {"function": "aug_hartmann6" if XS.shape[1] == 7 else "?", "n": len(y),
              "dim": XS.shape[1] - 1, "threads": args.threads, "torch": torch.__version__,
              "botorch": botorch.__version__,
              "settings": {k: getattr(args, k) for k in
                           ["fantasies", "restarts", "raw_samples", "maxiter", "cv_restarts",
                            "cv_raw_samples", "fixed_cost"]},
              "seconds_median": float(np.median(times)), "seconds": times, "fit_seconds": fits,
              "candidates": cands}
    text = json.dumps(report)
    print(text)
    if args.out:
        if os.path.dirname(args.out):
            os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
