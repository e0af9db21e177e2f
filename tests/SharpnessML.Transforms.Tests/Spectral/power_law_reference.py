"""Reference numbers for PowerLawFitTests: a Clauset et al. (2009) power-law fit in plain NumPy.

Run with Debian's Python (numpy only; the `powerlaw` package is not used):
    /usr/bin/python3 tests/SharpnessML.Transforms.Tests/Spectral/power_law_reference.py
and paste the printed numbers into PowerLawFitTests.cs (ReferenceSample, ReferenceFit).

For every candidate x_min (each sorted value but the largest) alpha is the continuous MLE
1 + n / sum(ln(x / x_min)) over the n values x >= x_min, and the KS distance is
max_j |1 - (x_(j)/x_min)^(1-alpha) - j/n| over the tail's sorted values; the fit keeps the smallest distance.
"""
import numpy as np


def sample():
    # A bulk of 100 values in [0.2, 0.8) and a Pareto(alpha = 2.5) tail of 200 quantiles, jittered.
    bulk = [0.2 + 0.6 * i / 100.0 for i in range(100)]
    tail = [(1.0 - (i + 0.5) / 200.0) ** (-1.0 / 1.5) * (1.0 + 0.25 * np.sin(i + 1.0)) for i in range(200)]
    return np.array(bulk + tail, dtype=np.float64)


def fit(values):
    x = np.sort(values)
    best = None
    for k in range(len(x) - 1):
        tail = x[k:]
        n = len(tail)
        alpha = 1.0 + n / np.sum(np.log(tail / tail[0]))
        if not np.isfinite(alpha) or alpha <= 1:
            continue
        model = 1.0 - (tail / tail[0]) ** (1.0 - alpha)
        empirical = np.arange(n) / n
        d = np.max(np.abs(model - empirical))
        if best is None or d < best[2]:
            best = (alpha, tail[0], d, n)
    return best


if __name__ == "__main__":
    alpha, xmin, d, n = fit(sample())
    print(f"alpha = {alpha!r}\nxmin = {xmin!r}\nks = {d!r}\ntail = {n}")
