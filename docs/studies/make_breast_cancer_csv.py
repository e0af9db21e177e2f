"""Writes docs/studies/breast-cancer.csv: the Wisconsin Diagnostic Breast Cancer data (Street, Wolberg & Mangasarian
1993; UCI), 569 rows, from scikit-learn's copy in data/sklearn-small/breast_cancer.csv (first line: counts and class
names, then 30 features and the class index per row), with a header of scikit-learn's feature names and the class
as text ("malignant" for 0, "benign" for 1), so a study reads it as a user's own CSV with a text label.
Run: python3 docs/studies/make_breast_cancer_csv.py (any Python 3; no packages)."""
import csv, pathlib

root = pathlib.Path(__file__).resolve().parents[2]
names = [f"{stat} {part}" for stat in ("mean", "error", "worst") for part in (
    "radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave points", "symmetry",
    "fractal dimension")]
with open(root / "data/sklearn-small/breast_cancer.csv", newline="") as f:
    rows = list(csv.reader(f))
count, width, *classes = rows[0]
assert int(width) == len(names) and len(rows) - 1 == int(count)
with open(root / "docs/studies/breast-cancer.csv", "w", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(names + ["diagnosis"])
    for row in rows[1:]:
        out.writerow(row[:-1] + [classes[int(row[-1])]])
