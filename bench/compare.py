#!/usr/bin/env python3
"""Side-by-side table of prospect and its peers on the same functions, seeds and budget.

Reads prospect's CSVs (bench/results/prospect/*.csv, from bench_regret) and the peers'
CSVs (bench/results/peers*/peers.csv, from bench/peers/peers.py) and prints, per
function, the median and quartiles of simple regret at the final evaluation, how many
seeds reached regret < 0.01, and the median time of one model-based ask, with the
ratio of BoTorch's ask time to prospect's. Standard library only.

    python3 bench/compare.py --evaluation 50 > table.md
"""
import argparse
import csv
import glob
import math
import os
import statistics
import sys
from collections import defaultdict


def quantile(values, q):
    v = sorted(values)
    if not v:
        return math.nan
    pos = q * (len(v) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (pos - lo) * (v[hi] - v[lo])


def load(paths, evaluation):
    final = defaultdict(dict)  # (function, method) -> seed -> regret at `evaluation`
    asks = defaultdict(list)   # (function, method) -> ask seconds
    for path in paths:
        with open(path, newline="") as fh:
            for row in csv.DictReader(fh):
                key = (row["function"], row["method"])
                ev = int(row["evaluation"])
                if ev == evaluation:
                    final[key][int(row["seed"])] = float(row["regret"])
                t = row.get("ask_seconds", "")
                if t not in ("", "nan", "NaN") and not math.isnan(float(t)):
                    asks[key].append(float(t))
    return final, asks


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--evaluation", type=int, default=50)
    ap.add_argument("--prospect", default="bench/results/prospect")
    ap.add_argument("--peers", default="bench/results/peers*")
    args = ap.parse_args(argv)
    paths = sorted(glob.glob(os.path.join(args.prospect, "*.csv")))
    paths += sorted(glob.glob(os.path.join(args.peers, "peers.csv")))
    if not paths:
        sys.exit("compare: no result CSVs found; run bench/run.sh and bench/run-peers.sh first")
    final, asks = load(paths, args.evaluation)
    functions = sorted({f for f, _ in final})
    print(f"Simple regret after {args.evaluation} evaluations (median [q25, q75] over seeds), "
          "seeds with regret < 0.01, median ask time.\n")
    print("| function | method | seeds | median regret | q25 | q75 | < 0.01 | median ask (ms) | BoTorch ask / this |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in functions:
        methods = sorted(m for g, m in final if g == f)
        bt = asks.get((f, "botorch"), [])
        bt_ask = statistics.median(bt) if bt else math.nan
        for m in methods:
            r = list(final[(f, m)].values())
            a = asks.get((f, m), [])
            med_ask = statistics.median(a) if a else math.nan
            ratio = bt_ask / med_ask if a and not math.isnan(bt_ask) and med_ask > 0 else math.nan
            escaped = sum(x < 0.01 for x in r)
            print(f"| {f} | {m} | {len(r)} | {quantile(r, .5):.3g} | {quantile(r, .25):.3g} | "
                  f"{quantile(r, .75):.3g} | {escaped}/{len(r)} | "
                  f"{'-' if math.isnan(med_ask) else f'{1e3 * med_ask:.1f}'} | "
                  f"{'-' if math.isnan(ratio) else f'{ratio:.0f}x'} |")


if __name__ == "__main__":
    main()
