#!/usr/bin/env python3
"""Regret against cumulative cost for the multi-fidelity benchmark (issue #4).

Reads JSON-lines result files (bench/peers/mf_peers.py for BoTorch, bench_mf for
prospect), one run per line:
  {"library", "method", "function", "seed", "trace": [[cost, regret], ...],
   "ask_seconds": [...]}  (optional: "budget", "fidelities", "n_initial")
and draws, per function, the median simple regret over seeds against the cumulative
cost, one line per (library, method), with the 25-75% band, log y, into an SVG; then
prints a markdown table of the median regret at 50% and 100% of the cost budget.

Each run's trace is a step function of cost: at cost c it is the regret of the last
entry with cost <= c (an evaluation counts once it is paid for), undefined before the
first entry (the initial design). The medians are taken on a common grid of 400 costs
from 0 to the budget, at the grid points where at least half the runs are defined.
The budget is the runs' "budget" field, else mf_peers.py's table, else the largest cost.
Regrets below 1e-10 are drawn at 1e-10 (log scale).

  python bench/plot_mf.py bench/results/mf/*.jsonl --out docs/mf_regret.svg
"""

import argparse
import json
import math
import os
import sys
from collections import defaultdict

import numpy as np

FLOOR = 1e-10
FUNCTION_ORDER = ["aug_hartmann6", "currin", "borehole", "aug_branin", "forrester"]


def default_budgets():
    try:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
        from mf_peers import BUDGETS

        return {k: v[1] for k, v in BUDGETS.items()}
    except Exception:  # the table is a convenience only
        return {}


def load(paths):
    runs = []
    for path in paths:
        with open(path) as fh:
            for k, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                    trace = np.array(r["trace"], dtype=float).reshape(-1, 2)
                    key = (str(r["library"]), str(r["method"]))
                    runs.append(dict(r, key=key, trace=trace))
                except (ValueError, KeyError) as e:
                    print(f"plot_mf: {path}:{k}: skipped ({e})", file=sys.stderr)
    # One run per (library, method, function, seed): a later line replaces an earlier one
    # (a rerun appended to the same file, or the same run in two files).
    unique = {}
    for r in runs:
        ident = (r["key"], r["function"], r.get("seed"))
        if ident in unique:
            print(f"plot_mf: duplicate run {ident}: the later one is used", file=sys.stderr)
        unique[ident] = r
    return list(unique.values())


def step_values(trace, grid):
    """Regret of the last trace entry with cost <= each grid cost (nan before the first)."""
    order = np.argsort(trace[:, 0], kind="stable")
    costs, regrets = trace[order, 0], trace[order, 1]
    idx = np.searchsorted(costs, grid, side="right") - 1
    out = np.where(idx >= 0, regrets[np.clip(idx, 0, None)], np.nan)
    return out


def summarize(runs, budget, grid):
    """(median, q25, q75) over runs on the grid, nan where fewer than half are defined."""
    values = np.array([step_values(r["trace"], grid) for r in runs])
    defined = np.sum(~np.isnan(values), axis=0)
    ok = defined * 2 >= len(runs)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q = np.nanpercentile(np.maximum(values, FLOOR), [25, 50, 75], axis=0)
    q[:, ~ok] = np.nan
    return q[1], q[0], q[2]


def value_at(runs, cost):
    v = np.array([step_values(r["trace"], np.array([cost]))[0] for r in runs])
    v = v[~np.isnan(v)]
    return (float(np.median(v)), len(v)) if len(v) * 2 >= len(runs) and len(v) else (math.nan, len(v))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("files", nargs="+", help="JSON-lines result files")
    ap.add_argument("--out", default="docs/mf_regret.svg", help="SVG to write")
    ap.add_argument("--table", default="", help="also write the markdown table here")
    args = ap.parse_args(argv)
    runs = load([p for p in args.files if os.path.exists(p)])
    if not runs:
        raise SystemExit("plot_mf: no runs in " + " ".join(args.files))

    by_function = defaultdict(lambda: defaultdict(list))
    for r in runs:
        by_function[r["function"]][r["key"]].append(r)
    functions = [f for f in FUNCTION_ORDER if f in by_function]
    functions += sorted(set(by_function) - set(functions))
    budgets = default_budgets()
    keys = sorted({r["key"] for r in runs})

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ncols = 2 if len(functions) > 1 else 1
    nrows = math.ceil(len(functions) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.0 * ncols, 4.0 * nrows), squeeze=False)
    colors = {k: plt.cm.tab10(i % 10) for i, k in enumerate(keys)}
    lines = ["Median simple regret at the target fidelity of the recommended point "
             "(the evaluated design with the best posterior mean at the target), at 50% and "
             "100% of the cost budget; runs = seeds; ask = median over runs of the median "
             "ask time (s); low = share of model-based evaluations below the target fidelity.",
             "",
             "| function | budget | library | method | runs | regret @50% | regret @100% "
             "| ask (s) | low |",
             "|---|---:|---|---|---:|---:|---:|---:|---:|"]
    for ax, fname in zip(axes.flat, functions):
        groups = by_function[fname]
        all_runs = [r for rs in groups.values() for r in rs]
        stated = [float(r["budget"]) for r in all_runs if "budget" in r]
        budget = (max(stated) if stated else budgets.get(fname)) or max(
            float(r["trace"][:, 0].max()) for r in all_runs)
        grid = np.linspace(0.0, budget, 400)
        for key in sorted(groups):
            rs = groups[key]
            med, lo, hi = summarize(rs, budget, grid)
            label = f"{key[0]} {key[1]} ({len(rs)})"
            ax.step(grid, med, where="post", color=colors[key], label=label)
            ax.fill_between(grid, lo, hi, step="post", color=colors[key], alpha=0.15)
            half, _ = value_at(rs, 0.5 * budget)
            full, _ = value_at(rs, budget)
            asks = [np.median(r["ask_seconds"]) for r in rs if r.get("ask_seconds")]
            ask = f"{np.median(asks):.3g}" if asks else "-"
            lows = []
            for r in rs:
                fid, n0 = r.get("fidelities"), r.get("n_initial")
                if fid is not None and n0 is not None and len(fid) > n0:
                    target = float(r.get("target", 1.0))  # both kinds of fidelity here
                    lows.append(np.mean([s < target for s in fid[n0:]]))
            low = f"{np.mean(lows):.0%}" if lows else "-"
            lines.append(f"| {fname} | {budget:g} | {key[0]} | {key[1]} | {len(rs)} | "
                         f"{half:.3g} | {full:.3g} | {ask} | {low} |")
        ax.set_yscale("log")
        ax.set_xlim(0.0, budget)
        ax.set_title(fname)
        ax.set_xlabel("cumulative cost")
        ax.set_ylabel("simple regret at target (median, 25-75%)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(functions):]:
        ax.set_visible(False)
    fig.tight_layout()
    if os.path.dirname(args.out):
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
    fig.savefig(args.out)  # the format follows the extension (.svg, .png, .pdf)
    print(f"plot_mf: wrote {args.out}", file=sys.stderr)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.table:
        with open(args.table, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
