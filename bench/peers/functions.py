"""The benchmark test functions of bench/functions/test_functions.cpp, in numpy.

All are to be MINIMIZED (BoTorch conventions, ALGORITHMS.md section 7). Each entry of
FUNCTIONS has: name, dim, lower, upper (lists), optimum (float), minimizers (list of
points) and f (callable on a 1-D array of length dim, returning a float).

`python functions.py` checks these implementations against reference_values.json,
which tests/test_bench_functions.cpp checks against the C++ implementation, and
checks the optimum at every minimizer.
"""

import json
import math
import os
import sys

import numpy as np

PI = math.pi


def branin(x):
    b, c, r, s, t = 5.1 / (4 * PI**2), 5 / PI, 6.0, 10.0, 1 / (8 * PI)
    return (x[1] - b * x[0] ** 2 + c * x[0] - r) ** 2 + s * (1 - t) * math.cos(x[0]) + s


def six_hump_camel(x):
    x1, x2 = x[0], x[1]
    return (4 - 2.1 * x1**2 + x1**4 / 3) * x1**2 + x1 * x2 + (-4 + 4 * x2**2) * x2**2


def goldstein_price(x):
    x1, x2 = x[0], x[1]
    first = 1 + (x1 + x2 + 1) ** 2 * (19 - 14 * x1 + 3 * x1**2 - 14 * x2 + 6 * x1 * x2 + 3 * x2**2)
    second = 30 + (2 * x1 - 3 * x2) ** 2 * (
        18 - 32 * x1 + 12 * x1**2 + 48 * x2 - 36 * x1 * x2 + 27 * x2**2
    )
    return first * second


_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_A3 = np.array([[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]], dtype=float)
_P3 = 1e-4 * np.array(
    [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]], dtype=float
)
_A6 = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ],
    dtype=float,
)
_P6 = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ],
    dtype=float,
)


def _hartmann(x, A, P):
    x = np.asarray(x, dtype=float)
    inner = np.sum(A * (x[None, :] - P) ** 2, axis=1)
    return float(-np.sum(_ALPHA * np.exp(-inner)))


def hartmann3(x):
    return _hartmann(x, _A3, _P3)


def hartmann6(x):
    return _hartmann(x, _A6, _P6)


def ackley(x):
    x = np.asarray(x, dtype=float)
    a, b, c = 20.0, 0.2, 2 * PI
    d = len(x)
    return float(
        -a * np.exp(-b * np.sqrt(np.sum(x**2) / d)) - np.exp(np.sum(np.cos(c * x)) / d) + a + math.e
    )


def levy(x):
    w = 1 + (np.asarray(x, dtype=float) - 1) / 4
    s = math.sin(PI * w[0]) ** 2
    s += float(np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(PI * w[:-1] + 1) ** 2)))
    s += (w[-1] - 1) ** 2 * (1 + math.sin(2 * PI * w[-1]) ** 2)
    return float(s)


def rosenbrock(x):
    x = np.asarray(x, dtype=float)
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1) ** 2))


def styblinski_tang(x):
    x = np.asarray(x, dtype=float)
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def michalewicz(x):
    x = np.asarray(x, dtype=float)
    i = np.arange(1, len(x) + 1)
    return float(-np.sum(np.sin(x) * np.sin(i * x**2 / PI) ** 20))


def _entry(name, lower, upper, optimum, minimizers, f):
    return dict(
        name=name, dim=len(lower), lower=list(lower), upper=list(upper), optimum=optimum,
        minimizers=[list(m) for m in minimizers], f=f,
    )


FUNCTIONS = {
    e["name"]: e
    for e in [
        _entry("branin", [-5, 0], [10, 15], 0.39788735772973816,
               [[-PI, 12.275], [PI, 2.275], [3 * PI, 2.475]], branin),
        _entry("six_hump_camel", [-3, -2], [3, 2], -1.0316284534898774,
               [[0.089842008935272, -0.71265640301906],
                [-0.089842008935272, 0.71265640301906]], six_hump_camel),
        _entry("goldstein_price", [-2, -2], [2, 2], 3.0, [[0, -1]], goldstein_price),
        _entry("hartmann3", [0] * 3, [1] * 3, -3.862779787332663,
               [[0.11458888122541, 0.55564889547394, 0.85254698421727]], hartmann3),
        _entry("hartmann6", [0] * 6, [1] * 6, -3.3223680114155147,
               [[0.20168950909366, 0.15001069354111, 0.4768739729251, 0.27533242752208,
                 0.31165161723957, 0.65730053455367]], hartmann6),
        _entry("ackley5", [-32.768] * 5, [32.768] * 5, 0.0, [[0.0] * 5], ackley),
        _entry("levy5", [-10] * 5, [10] * 5, 0.0, [[1.0] * 5], levy),
        _entry("rosenbrock4", [-5] * 4, [10] * 4, 0.0, [[1.0] * 4], rosenbrock),
        _entry("styblinski_tang4", [-5] * 4, [5] * 4, -39.16616570377142 * 4,
               [[-2.903534018185960] * 4], styblinski_tang),
        _entry("michalewicz5", [0] * 5, [PI] * 5, -4.687658179088148,
               [[2.2029055222627054, PI / 2, 1.2849915708849968, 1.9230584688159351,
                 1.7204697726395524]], michalewicz),
    ]
}


def check(reference_path=None, rtol=1e-12):
    """Checks FUNCTIONS against the C++ reference values and the optima at the
    minimizers; returns a list of failure messages (empty when all agree)."""
    if reference_path is None:
        reference_path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "reference_values.json")
    with open(reference_path) as fh:
        reference = json.load(fh)
    failures = []
    if set(reference) != set(FUNCTIONS):
        failures.append(f"names differ: C++ {sorted(reference)} vs Python {sorted(FUNCTIONS)}")
    for name, entry in FUNCTIONS.items():
        if name not in reference:
            continue
        ref = reference[name]
        tol = 1e-9 * max(1.0, abs(entry["optimum"]))
        if ref["optimum"] != entry["optimum"]:
            failures.append(f"{name}: optimum {entry['optimum']!r} vs C++ {ref['optimum']!r}")
        if not np.allclose(np.array(ref["minimizers"]), np.array(entry["minimizers"]), rtol=0,
                           atol=1e-15):
            failures.append(f"{name}: minimizers differ from C++")
        for m in entry["minimizers"]:
            v = entry["f"](np.array(m, dtype=float))
            if abs(v - entry["optimum"]) > tol:
                failures.append(f"{name}: f(minimizer {m}) = {v!r}, optimum {entry['optimum']!r}")
        for x, expected in zip(ref["points"], ref["values"]):
            v = entry["f"](np.array(x, dtype=float))
            if abs(v - expected) > rtol * max(1.0, abs(expected)):
                failures.append(f"{name}: f({x}) = {v!r}, C++ gives {expected!r}")
    return failures


if __name__ == "__main__":
    problems = check()
    for p in problems:
        print(p, file=sys.stderr)
    print("functions.py: " + ("OK, agrees with the C++ reference values" if not problems
                              else f"{len(problems)} FAILURES"))
    sys.exit(1 if problems else 0)
