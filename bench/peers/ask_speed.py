#!/usr/bin/env python3
"""Time of one BoTorch Bayesian-optimization step on noisy Hartmann-6 with 50 observations.

Writes the data both sides use and BoTorch's times; bench_ask (C++) reads the same data
and times prospect's ask() / ask(q); bench/compare.py --noisy prints the ratios.

Data: n = 50 points in [0,1]^6 from SobolEngine(6, scramble=True, seed=--seed), values
Hartmann-6 + noise sd 0.1 (numpy default_rng(seed)). Written to DIR/ask_data.csv
(header x0..x5,y; the function is to be MINIMIZED).

One step, as a BoTorch user's loop does it (times include everything between getting
the data and having the candidate):
  SingleTaskGP(X, -y) (defaults: learned noise, Standardize) + fit_gpytorch_mll, then
  kg_q1       qKnowledgeGradient(num_fantasies=64), optimize_acqf(q=1, num_restarts=10,
              raw_samples=512)
  qlognei_q4  qLogNoisyExpectedImprovement(X_baseline=X), optimize_acqf(q=4,
              num_restarts=10, raw_samples=512)
  qlognei_q4_seq  the same with sequential=True (one point at a time, the chosen ones
              pending: what prospect's default BatchSelection::sequential does)
Each step is repeated --reps times from a fresh model (torch.manual_seed(rep)); the
median is reported. torch runs on --threads threads (default 1, as bench/run-peers.sh
does for peers.py, with OMP_NUM_THREADS=1 set before torch is imported); prospect is
timed with the same thread count by bench/run-noisy.sh.

Output: DIR/ask_data.csv and DIR/ask_speed_peers.json
  {"kg_q1": {"seconds_median": s, "seconds": [...]}, "qlognei_q4": {...}, "torch": ...}
"""

import argparse
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
from functions import FUNCTIONS  # noqa: E402

STEPS = ["kg_q1", "qlognei_q4", "qlognei_q4_seq"]


def make_data(n, seed, noise):
    import torch

    fn = FUNCTIONS["hartmann6"]
    X = torch.quasirandom.SobolEngine(6, scramble=True, seed=seed).draw(n).to(torch.double)
    rng = np.random.default_rng(seed)
    y = np.array([fn["f"](x.numpy()) for x in X]) + noise * rng.standard_normal(n)
    return X, y


def one_step(X, y, step, rep):
    import torch
    from botorch.acquisition import qKnowledgeGradient, qLogNoisyExpectedImprovement
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.optim import optimize_acqf
    from gpytorch.mlls import ExactMarginalLogLikelihood

    torch.manual_seed(rep)
    bounds = torch.stack([torch.zeros(6, dtype=torch.double), torch.ones(6, dtype=torch.double)])
    Y = -torch.tensor(y, dtype=torch.double).unsqueeze(-1)  # BoTorch maximizes
    t0 = time.perf_counter()
    gp = SingleTaskGP(X, Y)
    fit_gpytorch_mll(ExactMarginalLogLikelihood(gp.likelihood, gp))
    if step == "kg_q1":
        acq, q = qKnowledgeGradient(gp, num_fantasies=64), 1
    elif step in ("qlognei_q4", "qlognei_q4_seq"):
        acq, q = qLogNoisyExpectedImprovement(gp, X_baseline=X), 4
    else:
        raise ValueError(step)
    candidates, _ = optimize_acqf(acq, bounds=bounds, q=q, num_restarts=10, raw_samples=512,
                                  sequential=step == "qlognei_q4_seq")
    elapsed = time.perf_counter() - t0
    assert candidates.shape == (q, 6)
    return elapsed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="bench/results/noisy/speed")
    ap.add_argument("--n", type=int, default=50, help="observations (default 50)")
    ap.add_argument("--noise", type=float, default=0.1, help="noise sd (default 0.1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3, help="repetitions per step (median)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--steps", default=",".join(STEPS), help=f"subset of {','.join(STEPS)}")
    args = ap.parse_args(argv)
    steps = [s for s in args.steps.split(",") if s]
    for s in steps:
        if s not in STEPS:
            ap.error(f"--steps: unknown step {s!r}, expected some of {STEPS}")
    if args.reps < 1 or args.n < 2:
        ap.error("--reps must be >= 1 and --n >= 2")

    import botorch
    import torch

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    os.makedirs(args.out, exist_ok=True)
    X, y = make_data(args.n, args.seed, args.noise)
    with open(os.path.join(args.out, "ask_data.csv"), "w") as fh:
        fh.write(",".join(f"x{j}" for j in range(6)) + ",y\n")
        for x, v in zip(X.numpy(), y):
            fh.write(",".join(repr(float(c)) for c in x) + f",{float(v)!r}\n")

    report = {"n": args.n, "dim": 6, "noise": args.noise, "threads": args.threads,
              "torch": torch.__version__, "botorch": botorch.__version__}
    for step in steps:
        times = [one_step(X, y, step, rep) for rep in range(args.reps)]
        report[step] = {"seconds_median": float(np.median(times)), "seconds": times}
        print(f"ask_speed: BoTorch {step:11s} median {np.median(times):.3f} s over {args.reps} "
              f"({', '.join(f'{t:.2f}' for t in times)})", file=sys.stderr, flush=True)
    with open(os.path.join(args.out, "ask_speed_peers.json"), "w") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")


if __name__ == "__main__":
    main()
