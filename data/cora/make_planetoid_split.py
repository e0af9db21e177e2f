"""Planetoid's public Cora split (Yang, Cohen & Salakhutdinov 2016), as LINQS paper ids: planetoid-split.tsv.

PyTorch Geometric's Planetoid('Cora') -- the seed paper's GAT notebook -- reads the Planetoid files ind.cora.* and
orders the 2,708 nodes as allx (1,708 rows) then tx (1,000 rows) put at the positions in ind.cora.test.index; its
public split is nodes 0-139 (train, 20 per class), 140-639 (validation) and the test.index nodes (test). Those files
carry no paper ids, so this script finds each Planetoid node's LINQS paper by its 1,433-word vector (the columns are
the same words in the same order): 2,681 nodes have a unique vector; the other 27 share theirs with other nodes and
are assigned in Planetoid order to the first LINQS paper with those words that keeps every citation (backtracking).
The script checks that the matching maps Planetoid's edges exactly onto LINQS's citations and the classes one to
one, and that any other such matching only swaps nodes with the same class and the same neighbours, which no GNN
can tell apart (the swap is a graph automorphism). The script checks that every Planetoid edge maps onto a LINQS
citation and that the class maps one to one, and prints the test set's class counts (for the C# test).

Run with Debian's python3 (numpy, scipy):
  git clone https://github.com/kimiyoung/planetoid && (cd planetoid && git checkout af6abf4)   # data/ind.cora.*
  /usr/bin/python3 data/cora/make_planetoid_split.py planetoid/data data/cora > data/cora/planetoid-split.tsv
"""
import collections
import gzip
import pickle
import sys

import numpy as np


def main(planetoid, linqs):
    def load(name):
        with open(f"{planetoid}/ind.cora.{name}", "rb") as f:
            return pickle.load(f, encoding="latin1")

    allx, ally, tx, ty, graph = (load(n) for n in ("allx", "ally", "tx", "ty", "graph"))
    test_index = np.array([int(line) for line in open(f"{planetoid}/ind.cora.test.index")])
    x = np.vstack([allx.toarray(), tx.toarray()])
    y = np.vstack([ally, ty])
    x[test_index], y[test_index] = x[np.sort(test_index)], y[np.sort(test_index)]  # as PyG's read_planetoid_data
    label = y.argmax(1)
    n = x.shape[0]

    rows = [line.split("\t") for line in gzip.open(f"{linqs}/cora.content.gz", "rt").read().splitlines()]
    ids = [r[0] for r in rows]
    words = np.array([[int(v) for v in r[1:-1]] for r in rows], dtype=np.float32)
    classes = [r[-1] for r in rows]
    position = {pid: k for k, pid in enumerate(ids)}
    cites = collections.defaultdict(set)
    for line in open(f"{linqs}/cora.cites"):
        a, b = line.split()
        cites[position[a]].add(position[b])
        cites[position[b]].add(position[a])

    by_words = collections.defaultdict(list)
    for k in range(n):
        by_words[words[k].tobytes()].append(k)
    candidates = [by_words[x[i].astype(np.float32).tobytes()] for i in range(n)]
    assert all(candidates), "a Planetoid node has no LINQS paper with its words"
    match = [None] * n
    for i in range(n):
        if len(candidates[i]) == 1:
            match[i] = candidates[i][0]
    neighbours = {i: {k for k in graph[i] if k != i} for i in range(n)}
    twins = [i for i in range(n) if match[i] is None]

    def consistent(i, k):  # every assigned neighbour of i maps onto a citation of paper k
        return all(match[j] in cites[k] for j in neighbours[i] if match[j] is not None)

    def assign(t):  # the twins in Planetoid order, each to the first free consistent paper (backtracking)
        if t == len(twins):
            return True
        i = twins[t]
        for k in candidates[i]:
            if k not in taken and consistent(i, k):
                match[i] = k
                taken.add(k)
                if assign(t + 1):
                    return True
                taken.discard(k)
                match[i] = None
        return False

    taken = {k for k in match if k is not None}
    assert assign(0), "no assignment of the twins preserves the citations"
    assert len(set(match)) == n, "the matching is not one to one"

    class_map = {(label[i], classes[match[i]]) for i in range(n)}
    assert len(class_map) == 7 and len({c for _, c in class_map}) == 7, class_map
    edges = {(min(i, k), max(i, k)) for i, ns in graph.items() for k in ns if i != k}
    linqs_edges = {(min(a, b), max(a, b)) for a in cites for b in cites[a] if a != b}
    mapped = {(min(match[a], match[b]), max(match[a], match[b])) for a, b in edges}
    assert mapped == linqs_edges, (len(mapped), len(linqs_edges), len(mapped & linqs_edges))
    # Any other matching that keeps every citation swaps nodes that are interchangeable: same class, same neighbours.
    for i in twins:
        for j in twins:
            if i < j and match[j] in candidates[i]:
                swapped = {a: b for a, b in ((i, match[j]), (j, match[i]))}
                keeps = all((swapped.get(a, match[a]) in cites[swapped.get(b, match[b])]) for a in (i, j) for b in neighbours[a])
                if keeps:
                    assert classes[match[i]] == classes[match[j]] and neighbours[i] - {j} == neighbours[j] - {i}, (i, j)

    print("# set\tplanetoid_node\tpaper_id\tclass  (made by make_planetoid_split.py; Planetoid's public split in PyG's node order)")
    for name, nodes in (("train", range(140)), ("validation", range(140, 640)), ("test", np.sort(test_index))):
        for i in nodes:
            print(f"{name}\t{i}\t{ids[match[i]]}\t{classes[match[i]]}")
    counts = collections.Counter(classes[match[i]] for i in test_index)
    print("test class counts:", dict(sorted(counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
