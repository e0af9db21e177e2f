"""Reference values for tests/SharpnessML.Transforms.Tests/Statistics (hard-coded in ReferenceData.cs / the tests).

Run with Debian's Python, which has SciPy 1.10.1 / NumPy 1.24.2:
    /usr/bin/python3 tests/SharpnessML.TestKit/Data/statistics_reference.py
Every vector is printed as a C# array literal followed by the SciPy results (repr, i.e. round-trip precision).
"""
import numpy as np
import scipy
from scipy import stats

assert scipy.__version__ == "1.10.1", scipy.__version__

rng = np.random.default_rng(20190101)

vectors = {}
# n = 10, no ties, positive association (exact Kendall path).
vectors["Small"] = (
    [1.2, 3.4, 2.2, 5.1, 4.4, 6.0, 7.3, 6.6, 9.1, 8.0],
    [0.5, 1.9, 1.1, 2.0, 3.3, 2.8, 4.1, 5.0, 4.7, 6.2],
)
# n = 8, no ties, negative association (exact Kendall path).
vectors["SmallNegative"] = (
    [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.5, 6.0],
    [2.7, 8.1, 2.8, 1.8, 2.4, 0.4, 5.9, 0.5],
)
# n = 12, ties in x and in y, some tied in both (normal-approximation Kendall path).
vectors["Ties"] = (
    [1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 7, 7],
    [2, 1, 3, 3, 3, 4, 4, 6, 5, 6, 8, 7],
)
# n = 50, no ties, moderate positive association (n > 33: normal approximation).
x50 = np.round(rng.normal(size=50), 4)
y50 = np.round(0.5 * x50 + rng.normal(size=50), 4)
assert len(set(x50)) == 50 and len(set(y50)) == 50
vectors["Study50"] = (x50.tolist(), y50.tolist())
# n = 50, ties (values on a coarse grid), negative association.
a50 = np.round(rng.uniform(0, 10, size=50))
b50 = np.round(-0.6 * a50 + rng.normal(scale=2.0, size=50))
vectors["StudyTies50"] = (a50.tolist(), b50.tolist())
# n = 33, no ties: the largest n where SciPy always uses the exact distribution.
x33 = np.round(rng.normal(size=33), 4)
y33 = np.round(0.3 * x33 + rng.normal(size=33), 4)
assert len(set(x33)) == 33 and len(set(y33)) == 33
vectors["Boundary33"] = (x33.tolist(), y33.tolist())
# n = 40, no ties, exactly one discordant pair: exact path although n > 33 (min(dis, tot - dis) <= 1).
vectors["OneSwap40"] = (list(range(1, 41)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                              22, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40])
# n = 5, no ties, C = D = 5 (tau = 0, the centre of the exact distribution).
vectors["Centre5"] = ([1, 2, 3, 4, 5], [3, 1, 5, 4, 2])
# n = 35, no ties, perfectly reversed: exact path with no concordant pair (p = 2/35!).
vectors["Reversed35"] = (list(range(1, 36)), list(range(35, 0, -1)))

def lit(v):
    return "new double[] { " + ", ".join(repr(float(e)) for e in v) + " }"

for name, (x, y) in vectors.items():
    print(f"// {name}")
    print(f"X = {lit(x)}")
    print(f"Y = {lit(y)}")
    k = stats.kendalltau(x, y)
    s = stats.spearmanr(x, y)
    p = stats.pearsonr(x, y)
    print(f"kendalltau: {k.statistic!r}, {k.pvalue!r}")
    print(f"spearmanr:  {s.statistic!r}, {s.pvalue!r}")
    print(f"pearsonr:   {p.statistic!r}, {p.pvalue!r}")
    print()
