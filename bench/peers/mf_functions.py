"""The multi-fidelity benchmark functions of bench/functions/mf_functions.cpp, in numpy.

All are to be MINIMIZED at the target fidelity (ALGORITHMS.md section 3.6). Each entry
of MF_FUNCTIONS has:
  name, dim (design dimension), lower, upper (design box, lists),
  fidelity    "continuous" (s in [0, 1], target 1.0) or "discrete" (levels 0..L-1,
              target L-1; the level is passed to f as a float),
  levels      number of levels (discrete only; 0 for continuous),
  target      the target fidelity (1.0, or L-1 as a float),
  cost        callable on the fidelity: 5 + s (augmented Hartmann-6 and Branin, the
              BoTorch tutorial's AffineFidelityCostModel(fixed_cost=5)); per level
              [1, 10] for the two-level functions (a coarse model 10x cheaper),
  costs       the per-level costs (discrete) or None,
  optimum     the minimum of f(., target), minimizers (design points, list),
  f           callable f(x, s) on a 1-D array of length dim and the fidelity.

Optima (all computed for this spec, see the C++ file for the derivations):
  aug_hartmann6  Hartmann-6 at s = 1: -3.3223680114155147
  aug_branin     Branin at s = 1: 0.39788735772973816
  currin         objective -f_H (Currin is usually maximized): -4319/313 =
                 -13.798722044728434 at x1 = 13/60 exactly (the root of N'D - ND' of
                 the rational factor), for every x2 in [0, ~0.0135] where the bracket
                 1 - exp(-1/(2 x2)) rounds to 1; listed minimizer (13/60, 0)
  borehole       f_H is monotone in every variable: min at the corner
                 (0.05, 50000, 63070, 990, 63.1, 820, 1680, 9855) = 7.819676328755232
  forrester      -6.0207400557670825 at x = 0.757248757841856 (root of
                 2 sin u + u cos u, u = 12 x - 4)

`python mf_functions.py` checks these implementations against mf_reference_values.json,
which tests/test_mf_functions.cpp writes from / checks against the C++ implementation.
"""

import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from functions import FUNCTIONS, _A6, _ALPHA, _P6  # noqa: E402

PI = math.pi


def aug_hartmann6(x, s):
    x = np.asarray(x, dtype=float)
    inner = np.sum(_A6 * (x[None, :] - _P6) ** 2, axis=1)
    alpha = _ALPHA.copy()
    alpha[0] -= 0.1 * (1.0 - s)
    return float(-np.sum(alpha * np.exp(-inner)))


def aug_branin(x, s):
    b, c, r, t = 5.1 / (4 * PI**2), 5 / PI, 6.0, 1 / (8 * PI)
    u = x[1] - (b - 0.1 * (1.0 - s)) * x[0] ** 2 + c * x[0] - r
    return float(u * u + 10 * (1 - t) * math.cos(x[0]) + 10)


def currin_high(x1, x2):
    bracket = 1.0 - math.exp(-1.0 / (2.0 * x2)) if x2 > 0 else 1.0
    return bracket * (2300 * x1**3 + 1900 * x1**2 + 2092 * x1 + 60) / (
        100 * x1**3 + 500 * x1**2 + 4 * x1 + 20)


def currin(x, level):
    """-f_H at level 1, -f_L at level 0 (minimization form)."""
    x1, x2 = float(x[0]), float(x[1])
    if level >= 1:
        return -currin_high(x1, x2)
    low = 0.25 * (currin_high(x1 + 0.05, x2 + 0.05) + currin_high(x1 + 0.05, max(0.0, x2 - 0.05))
                  + currin_high(x1 - 0.05, x2 + 0.05)
                  + currin_high(x1 - 0.05, max(0.0, x2 - 0.05)))
    return -low


def borehole(x, level):
    rw, r, tu, hu, tl, hl, length, kw = (float(v) for v in x)
    lg = math.log(r / rw)
    middle = 2 * length * tu / (lg * rw * rw * kw) + tu / tl
    if level >= 1:
        return 2 * PI * tu * (hu - hl) / (lg * (1.0 + middle))
    return 5 * tu * (hu - hl) / (lg * (1.5 + middle))


def forrester(x, level):
    x = float(x[0])
    high = (6 * x - 2) ** 2 * math.sin(12 * x - 4)
    if level >= 1:
        return high
    return 0.5 * high + 10 * (x - 0.5) + 5


BOREHOLE_LOWER = [0.05, 100, 63070, 990, 63.1, 700, 1120, 9855]
BOREHOLE_UPPER = [0.15, 50000, 115600, 1110, 116, 820, 1680, 12045]
LEVEL_COSTS = [1.0, 10.0]


def _continuous(name, lower, upper, optimum, minimizers, f):
    return dict(name=name, dim=len(lower), lower=list(map(float, lower)),
                upper=list(map(float, upper)), fidelity="continuous", levels=0, target=1.0,
                cost=lambda s: 5.0 + float(s), costs=None, optimum=optimum,
                minimizers=[list(map(float, m)) for m in minimizers], f=f)


def _discrete(name, lower, upper, optimum, minimizers, f, costs=LEVEL_COSTS):
    return dict(name=name, dim=len(lower), lower=list(map(float, lower)),
                upper=list(map(float, upper)), fidelity="discrete", levels=len(costs),
                target=float(len(costs) - 1), cost=lambda s: costs[int(round(s))],
                costs=list(costs), optimum=optimum,
                minimizers=[list(map(float, m)) for m in minimizers], f=f)


MF_FUNCTIONS = {
    e["name"]: e
    for e in [
        _continuous("aug_hartmann6", [0] * 6, [1] * 6, FUNCTIONS["hartmann6"]["optimum"],
                    FUNCTIONS["hartmann6"]["minimizers"], aug_hartmann6),
        _continuous("aug_branin", [-5, 0], [10, 15], FUNCTIONS["branin"]["optimum"],
                    FUNCTIONS["branin"]["minimizers"], aug_branin),
        _discrete("currin", [0, 0], [1, 1], -4319.0 / 313.0, [[13.0 / 60.0, 0.0]], currin),
        _discrete("borehole", BOREHOLE_LOWER, BOREHOLE_UPPER, 7.819676328755232,
                  [[0.05, 50000, 63070, 990, 63.1, 820, 1680, 9855]], borehole),
        _discrete("forrester", [0], [1], -6.0207400557670825, [[0.757248757841856]], forrester),
    ]
}


def check(reference_path=None, rtol=1e-12):
    """Checks MF_FUNCTIONS against the C++ reference values (every point at every
    listed fidelity) and the optima at the minimizers; returns failure messages."""
    if reference_path is None:
        reference_path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "mf_reference_values.json")
    with open(reference_path) as fh:
        reference = json.load(fh)
    failures = []
    if set(reference) != set(MF_FUNCTIONS):
        failures.append(f"names differ: C++ {sorted(reference)} vs Python {sorted(MF_FUNCTIONS)}")
    for name, e in MF_FUNCTIONS.items():
        if name not in reference:
            continue
        ref = reference[name]
        if ref["optimum"] != e["optimum"]:
            failures.append(f"{name}: optimum {e['optimum']!r} vs C++ {ref['optimum']!r}")
        if ref["target"] != e["target"] or ref["levels"] != e["levels"]:
            failures.append(f"{name}: fidelity description differs from C++")
        if not np.allclose(np.array(ref["minimizers"]), np.array(e["minimizers"]), rtol=0,
                           atol=1e-12):
            failures.append(f"{name}: minimizers differ from C++")
        tol = 1e-9 * max(1.0, abs(e["optimum"]))
        for m in e["minimizers"]:
            v = e["f"](np.array(m), e["target"])
            if abs(v - e["optimum"]) > tol:
                failures.append(f"{name}: f(minimizer {m}) = {v!r}, optimum {e['optimum']!r}")
        for s, cost in zip(ref["fidelities"], ref["costs"]):
            if abs(e["cost"](s) - cost) > 1e-15 * cost:
                failures.append(f"{name}: cost({s}) = {e['cost'](s)!r}, C++ gives {cost!r}")
        for x, row in zip(ref["points"], ref["values"]):
            for s, expected in zip(ref["fidelities"], row):
                v = e["f"](np.array(x, dtype=float), s)
                if abs(v - expected) > rtol * max(1.0, abs(expected)):
                    failures.append(f"{name}: f({x}, {s}) = {v!r}, C++ gives {expected!r}")
    return failures


if __name__ == "__main__":
    problems = check()
    for p in problems:
        print(p, file=sys.stderr)
    print("mf_functions.py: " + ("OK, agrees with the C++ reference values" if not problems
                                 else f"{len(problems)} FAILURES"))
    sys.exit(1 if problems else 0)
