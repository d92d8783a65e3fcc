#!/usr/bin/env python3
"""Side-by-side table of prospect and its peers on the same functions, seeds and budget.

Reads prospect's CSVs (bench/results/prospect/*.csv, from bench_regret) and the peers'
CSVs (bench/results/peers*/peers.csv, from bench/peers/peers.py) and prints, per
function, the median and quartiles of simple regret at the final evaluation, how many
seeds reached regret < 0.01, and the median time of one model-based ask, with the
ratio of BoTorch's ask time to prospect's. Standard library only.

    python3 bench/compare.py --evaluation 50 > table.md

With --noisy DIR (bench/run-noisy.sh): the noisy-objective benchmark of issue #3 instead.
Reads DIR/prospect/*.csv (bench_regret) and DIR/peers/peers.csv (peers.py with the
botorch_qlognei / botorch_qkg / botorch_qlognei_q4 methods), where regret is the TRUE
value of the recommended point, and prints the median regret at each --report-at
evaluation count, the issue's targets with whether they are met, and the ask() speed
ratios from DIR/speed/ask_speed_{peers,prospect}.json (bench/peers/ask_speed.py and
bench_ask on the same data).

    python3 bench/compare.py --noisy bench/results/noisy --report-at 15,60 --batch 4
"""
import argparse
import csv
import glob
import json
import math
import re
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


def load_noisy(paths, evaluations):
    """(function, method) -> evaluation -> seed -> regret (nan rows skipped), and
    (function, method) -> ask seconds of the model-based rounds."""
    regret = defaultdict(lambda: defaultdict(dict))
    asks = defaultdict(list)
    for path in paths:
        with open(path, newline="") as fh:
            for row in csv.DictReader(fh):
                key = (row["function"], row["method"])
                ev = int(row["evaluation"])
                r = float(row["regret"])
                if ev in evaluations and not math.isnan(r):
                    regret[key][ev][int(row["seed"])] = r
                t = float(row.get("ask_seconds") or "nan")
                if not math.isnan(t):
                    asks[key].append(t)
    return regret, asks


def _fmt(x):
    return "-" if x is None or math.isnan(x) else f"{x:.3g}"


def noisy_report(directory, report_at, batch):
    paths = sorted(glob.glob(os.path.join(directory, "prospect", "*.csv")))
    paths += sorted(glob.glob(os.path.join(directory, "peers", "peers.csv")))
    if not paths:
        sys.exit(f"compare: no result CSVs under {directory}; run bench/run-noisy.sh first")
    final = max(report_at)
    regret, asks = load_noisy(paths, set(report_at))

    def med(f, m, ev):
        r = list(regret.get((f, m), {}).get(ev, {}).values())
        return quantile(r, 0.5) if r else math.nan

    out = [f"Noisy objectives: regret of the recommended point (its TRUE value minus the "
           f"optimum), median over seeds [q25, q75 at {final}], at {report_at} evaluations; "
           "batch methods (-q / _q suffix) evaluate in rounds of q, so evaluation r * q ends "
           "round r. Ask time: median over the model-based rounds (a batch's whole ask(q)).", ""]
    header = "| function | method | seeds | " + " | ".join(f"median @{e}" for e in report_at)
    out.append(header + f" | q25 @{final} | q75 @{final} | median ask (ms) |")
    out.append("|---|---|---|" + "---|" * (len(report_at) + 3))
    functions = sorted({f for f, _ in regret})
    for f in functions:
        for m in sorted(m for g, m in regret if g == f):
            at_final = list(regret[(f, m)].get(final, {}).values())
            a = asks.get((f, m), [])
            cells = " | ".join(_fmt(med(f, m, e)) for e in report_at)
            out.append(f"| {f} | {m} | {len(at_final)} | {cells} | "
                       f"{_fmt(quantile(at_final, .25))} | {_fmt(quantile(at_final, .75))} | "
                       f"{'-' if not a else f'{1e3 * statistics.median(a):.1f}'} |")

    # The targets of issue #3, for every prospect method present.
    out += ["", "Targets (issue #3):", ""]
    rounds = final // batch

    def verdict(ok):
        return "met" if ok else "NOT met"

    for f in functions:
        methods = [m for g, m in regret if g == f]
        bt = med(f, "botorch_qlognei", final)
        for m in sorted(methods):
            if not m.startswith("prospect-") or re.search(r"-q\d+", m):
                continue
            v = med(f, m, final)
            if not math.isnan(bt) and not math.isnan(v):
                out.append(f"- {f}: {m} median regret @{final} {v:.3g} <= BoTorch qLogNEI "
                           f"{bt:.3g}: {verdict(v <= bt)}")
            if f.startswith("hartmann6") and "kg" in m.split("-", 1)[1] and not math.isnan(v):
                for ref in ["botorch_qlognei", "prospect-qlognei"]:
                    r = med(f, ref, final)
                    if not math.isnan(r):
                        out.append(f"- {f}: KG ({m}) {v:.3g} at least as good as {ref} "
                                   f"{r:.3g}: {verdict(v <= r)}")
            bm = f"{m}-q{batch}"
            if bm in methods:
                b = med(f, bm, final)
                s_final, s_rounds = v, med(f, m, rounds)
                if not math.isnan(b) and not math.isnan(s_final):
                    out.append(f"- {f}: {bm} after {rounds} rounds {b:.3g} within 1.5x of {m} "
                               f"@{final} {s_final:.3g}: {verdict(b <= 1.5 * s_final)}")
                if not math.isnan(b) and not math.isnan(s_rounds):
                    out.append(f"- {f}: {bm} after {rounds} rounds {b:.3g} better than {m} "
                               f"@{rounds} {s_rounds:.3g}: {verdict(b < s_rounds)}")

    speed_dir = os.path.join(directory, "speed")
    try:
        with open(os.path.join(speed_dir, "ask_speed_peers.json")) as fh:
            peers = json.load(fh)
        with open(os.path.join(speed_dir, "ask_speed_prospect.json")) as fh:
            ours = json.load(fh)
    except FileNotFoundError:
        peers, ours = None, None
    if peers and ours:
        out += ["", f"Speed: one step at n = {peers.get('n')} noisy Hartmann-6 observations in "
                f"6-D, same data, median of repetitions (torch threads {peers.get('threads')}, "
                f"prospect threads {ours.get('threads') or 'default'}); BoTorch: SingleTaskGP + "
                "fit_gpytorch_mll + optimize_acqf (10 restarts, 512 raw samples); prospect: "
                "ask() with the same data told.", "",
                "| step | BoTorch (s) | prospect acquisition | prospect (s) | ratio BoTorch / prospect | target |",
                "|---|---|---|---|---|---|"]
        targets = {"kg_q1": (25.0, 0.3), "qlognei_q4": (20.0, None), "qlognei_q4_seq": (20.0, None)}
        for label in sorted(set(peers) & set(ours)):
            if not isinstance(peers[label], dict) or not isinstance(ours[label], dict):
                continue
            p = peers[label].get("seconds_median", math.nan)
            row = ours[label]
            name = f"{row.get('acquisition')} (q = {row.get('q')})"
            if "unavailable" in row:
                out.append(f"| {label} | {p:.3f} | {name} | unavailable | - | - |")
                continue
            o = row["seconds_median"]
            ratio = p / o if o > 0 else math.nan
            want, limit = targets.get(label, (None, None))
            goal = "-"
            matched = {"kg_q1": "kg", "qlognei_q4": "nei", "qlognei_q4_seq": "nei"}.get(label, "")
            if want is not None and matched not in str(row.get("acquisition")):
                goal = f"not judged: prospect did not run a {matched} acquisition"
            elif want is not None:
                ok = ratio >= want and (limit is None or o < limit)
                goal = (f">= {want:.0f}x" + (f", < {limit} s" if limit else "") +
                        f": {verdict(ok)}")
            out.append(f"| {label} | {p:.3f} | {name} | {o:.4f} | {ratio:.1f}x | {goal} |")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--evaluation", type=int, default=50)
    ap.add_argument("--prospect", default="bench/results/prospect")
    ap.add_argument("--peers", default="bench/results/peers*")
    ap.add_argument("--noisy", metavar="DIR", help="report the noisy benchmark in DIR instead")
    ap.add_argument("--report-at", default="15,60",
                    help="with --noisy: evaluation counts (the largest is the final one)")
    ap.add_argument("--batch", type=int, default=4, help="with --noisy: the batch size q")
    args = ap.parse_args(argv)
    if args.noisy:
        report_at = sorted({int(e) for e in args.report_at.split(",") if e})
        if not report_at or args.batch < 1:
            ap.error("--report-at needs at least one count and --batch >= 1")
        print(noisy_report(args.noisy, report_at, args.batch), end="")
        return
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
