#!/usr/bin/env python3
"""GP fit speed and held-out quality of peers on Hartmann-6, and BoTorch's ask time.

* Training sets of n = 1000 and 2000 points (scrambled Sobol, seed 0) of hartmann6 on
  [0,1]^6 with Gaussian observation noise (std --noise, default 0.01); 1000 held-out
  points (uniform, seed 1) with the same noise.
* BoTorch: SingleTaskGP(X, Y) with its defaults (Standardize outcome, default priors)
  + fit_gpytorch_mll; wall time median of --repeats (3) fresh fits.
* scikit-learn: GaussianProcessRegressor(Matern(nu=2.5, length_scale=ones(6)) *
  ConstantKernel() + WhiteKernel(), n_restarts_optimizer=0, normalize_y=True — the
  counterpart of BoTorch's Standardize); wall time median of --repeats fits.
* Held-out mean log predictive density (MLPD) of the noisy held-out targets under each
  model's predictive distribution including the fitted noise: mean_i log N(y_i | mu_i,
  var_i + noise).
* One BoTorch "ask" at 50 observations in 6-D: fit_gpytorch_mll + LogExpectedImprovement +
  optimize_acqf(num_restarts=10, raw_samples=512), median of 5.

torch uses --threads (2) threads, as does the BLAS under scikit-learn (threadpoolctl).
Writes fit_speed.json into --out.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "2")
# Spinning OpenMP workers on a loaded machine made torch ~10x slower with 2 threads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from functions import FUNCTIONS  # noqa: E402

H6 = FUNCTIONS["hartmann6"]


def data(n, noise, seed, sobol):
    import torch

    if sobol:
        X = torch.quasirandom.SobolEngine(6, scramble=True, seed=seed).draw(n).double().numpy()
    else:
        X = np.random.default_rng(seed).uniform(size=(n, 6))
    f = np.array([H6["f"](x) for x in X])
    y = f + noise * np.random.default_rng(seed + 1000).standard_normal(n)
    return X, y


def save_csv(path, X, y):
    header = ",".join([f"x{j}" for j in range(X.shape[1])] + ["y"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="", fmt="%.17g")


def gauss_logpdf(y, mu, var):
    return -0.5 * (np.log(2 * math.pi * var) + (y - mu) ** 2 / var)


def botorch_fit(X, y):
    import torch
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from gpytorch.mlls import ExactMarginalLogLikelihood

    gp = SingleTaskGP(torch.tensor(X), torch.tensor(y).unsqueeze(-1))
    fit_gpytorch_mll(ExactMarginalLogLikelihood(gp.likelihood, gp))
    return gp


def botorch_mlpd(gp, Xt, yt):
    import torch

    gp.eval()
    with torch.no_grad():
        post = gp.posterior(torch.tensor(Xt), observation_noise=True)
        mu = post.mean.squeeze(-1).numpy()
        var = post.variance.squeeze(-1).numpy()
    return float(np.mean(gauss_logpdf(yt, mu, var)))


def sklearn_fit(X, y):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = Matern(nu=2.5, length_scale=np.ones(6)) * ConstantKernel() + WhiteKernel()
    gp = GaussianProcessRegressor(kernel=kernel, n_restarts_optimizer=0, normalize_y=True,
                                  random_state=0)
    return gp.fit(X, y)


def sklearn_mlpd(gp, Xt, yt):
    # predict()'s std already includes the WhiteKernel noise (it is part of k(x, x)).
    mu, std = gp.predict(Xt, return_std=True)
    return float(np.mean(gauss_logpdf(yt, mu, std**2)))


def timed(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def botorch_ask(X, y, repeats):
    import torch
    from botorch.acquisition import LogExpectedImprovement
    from botorch.optim import optimize_acqf

    bounds = torch.stack([torch.zeros(6), torch.ones(6)]).double()
    Y = -torch.tensor(y).unsqueeze(-1)  # BoTorch maximizes

    def ask():
        gp = botorch_fit(X, -y)
        acq = LogExpectedImprovement(gp, best_f=Y.max())
        candidate, _ = optimize_acqf(acq, bounds=bounds, q=1, num_restarts=10, raw_samples=512)
        return candidate

    torch.manual_seed(0)
    median, times, _ = timed(ask, repeats)
    return dict(n=len(y), dim=6, seconds_median=median, seconds=times, repeats=repeats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="bench/results/peers")
    parser.add_argument("--sizes", default="1000,2000")
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    import botorch
    import sklearn
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    os.makedirs(args.out, exist_ok=True)
    Xt, yt = data(1000, args.noise, seed=1, sobol=False)
    # The same data for prospect's bench_speed --data (columns x0..x5, y).
    save_csv(os.path.join(args.out, "fit_test.csv"), Xt, yt)
    result = dict(
        function="hartmann6", noise_std=args.noise, test_points=len(yt), threads=args.threads,
        versions=dict(python=platform.python_version(), torch=torch.__version__,
                      botorch=botorch.__version__, sklearn=sklearn.__version__,
                      numpy=np.__version__),
        fits={},
    )
    with threadpool_limits(limits=args.threads):
        for n in [int(s) for s in args.sizes.split(",")]:
            X, y = data(n, args.noise, seed=0, sobol=True)
            save_csv(os.path.join(args.out, f"fit_train_{n}.csv"), X, y)
            entry = {}
            median, times, gp = timed(lambda: botorch_fit(X, y), args.repeats)
            noise = float(gp.likelihood.noise.item()) * float(gp.outcome_transform.stdvs.item()) ** 2
            entry["botorch"] = dict(fit_seconds_median=median, fit_seconds=times,
                                    mlpd=botorch_mlpd(gp, Xt, yt), noise_variance=noise)
            print(f"fit_speed: n={n} botorch fit {median:.2f} s mlpd {entry['botorch']['mlpd']:.3f}",
                  file=sys.stderr, flush=True)
            median, times, gp = timed(lambda: sklearn_fit(X, y), args.repeats)
            entry["sklearn"] = dict(fit_seconds_median=median, fit_seconds=times,
                                    mlpd=sklearn_mlpd(gp, Xt, yt), kernel=str(gp.kernel_))
            print(f"fit_speed: n={n} sklearn fit {median:.2f} s mlpd {entry['sklearn']['mlpd']:.3f}",
                  file=sys.stderr, flush=True)
            result["fits"][str(n)] = entry
        X50, y50 = data(50, 0.0, seed=0, sobol=True)
        result["botorch_ask"] = botorch_ask(X50, y50, repeats=5)
        print(f"fit_speed: botorch ask at 50 points {result['botorch_ask']['seconds_median']:.2f} s",
              file=sys.stderr, flush=True)
    path = os.path.join(args.out, "fit_speed.json")
    with open(path, "w") as fh:
        json.dump(result, fh, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
