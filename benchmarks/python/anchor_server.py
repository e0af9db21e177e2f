"""The Python side of `sharpnessml bench --vs-python` (and the `pytorch` bench group).

A long-lived process: it reads one JSON command per line on stdin and answers one JSON line on
stdout, so the C# bench can alternate rounds (ours, Python, ours, Python, ...) with both sides
timed in their own process after a warm-up. Every timed command reports "seconds" measured here,
from the command's start to its result (model set-up such as PyHessian's first gradient included).

The algorithms are written for this bench from their published descriptions, not copied:
  * PyHessian (Yao, Gholami, Keutzer & Mahoney 2020), pyhessian/hessian.py and utils.py as read at
    github.com/amirgholami/PyHessian commit 2a28ccd4eccd57825e72771bf48d4d1f2c0dec45: the gradient
    graph built once on one batch; the top-n eigenvalues by power iteration with deflation
    (Gaussian start, normalisation by ||v|| + 1e-6, stop when |λ_k − λ_{k−1}| / (|λ_{k−1}| + 1e-6) < tol,
    at most maxIter products per eigenvalue); the trace by Hutchinson with Rademacher probes, stopping
    when the running mean changes by less than tol relative (maxIter 100, tol 1e-3).
  * Worst-case sharpness by Auto-PGD as in Andriushchenko et al. (2023), sharpness.py's
    eval_APGD_sharpness and weight_ascent_step_momentum as read at
    github.com/tml-epfl/sharpness-vs-generalization commit 4a953d39b8046b120e58a8aeaf36f1dc6c2d7ed6:
    adaptive L∞ set |δ| ≤ ρ|w|, start at δ = 0 (eval_sharpness.py's default: --sharpness_rand_init off; at that
    commit the random-start path would not run, `init_fn = partial(...),` being a tuple) or, as an option here, a
    uniform random point, step 2ρ·sign(g)·|w|, clamp, then
    δ ← 0.75·z + 0.25·δ_prev (their δ_prev is the iterate before the current one), step halving at the
    checkpoints ⌈p_j·N⌉ (p = 0, 0.22, then + max(Δ − 0.03, 0.06)) when fewer than 75% of the steps since
    the last checkpoint raised the worst loss or nothing changed, reloading the worst point's weights.

Only the standard library and torch are used. Data and weights come from raw little-endian files
written by the C# side (float32, or int64 labels), in the order of the module's parameters and then
its floating-point buffers, so both sides compute on the same numbers.
"""
import copy
import ctypes
import json
import math
import sys
import time

import torch

MODELS = {}


def read_tensor(path, shape, dtype):
    with open(path, "rb") as f:
        buffer = bytearray(f.read())
    return torch.frombuffer(buffer, dtype=dtype).reshape(shape).clone()


class Mlp(torch.nn.Module):
    def __init__(self, sizes, activation):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activation = {"elu": torch.nn.functional.elu, "relu": torch.nn.functional.relu, "tanh": torch.tanh}[activation]

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = self.activation(x)
        return x


class LeNet5(torch.nn.Module):
    """The layers of SharpnessML.Trainers.Networks.LeNet5Network, declared in the same order."""

    def __init__(self, c1, c2, h1, h2, classes, image, padding, dropout):
        super().__init__()
        self.image = image
        self.conv1 = torch.nn.Conv2d(1, c1, 5, padding=padding)
        self.norm1 = torch.nn.BatchNorm2d(c1)
        self.conv2 = torch.nn.Conv2d(c1, c2, 5)
        self.norm2 = torch.nn.BatchNorm2d(c2)
        side = ((image + 2 * padding - 4) // 2 - 4) // 2
        self.fc1 = torch.nn.Linear(c2 * side * side, h1)
        self.fc2 = torch.nn.Linear(h1, h2)
        self.fc3 = torch.nn.Linear(h2, classes)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x):
        f = torch.nn.functional
        x = x.reshape(-1, 1, self.image, self.image)
        x = f.max_pool2d(f.relu(self.norm1(self.conv1(x))), 2)
        x = f.max_pool2d(f.relu(self.norm2(self.conv2(x))), 2)
        x = x.flatten(1)
        x = self.dropout(f.relu(self.fc1(x)))
        x = self.dropout(f.relu(self.fc2(x)))
        return self.fc3(x)


class Model:
    def __init__(self, c):
        if c["arch"] == "mlp":
            self.net = Mlp(c["sizes"], c["activation"])
        elif c["arch"] == "lenet5":
            self.net = LeNet5(*c["lenet"])
        else:
            raise ValueError("unknown architecture " + c["arch"])
        tensors = list(self.net.parameters()) + [b for b in self.net.buffers() if b.dtype.is_floating_point]
        shapes = [list(t.shape) for t in tensors]
        if shapes != c["shapes"]:
            raise ValueError(f"shapes differ: Python {shapes}, C# {c['shapes']}")
        flat = read_tensor(c["weights"], [sum(t.numel() for t in tensors)], torch.float32)
        offset = 0
        with torch.no_grad():
            for t in tensors:
                t.copy_(flat[offset:offset + t.numel()].reshape(t.shape))
                offset += t.numel()
        self.net.eval()
        self.params = [p for p in self.net.parameters() if p.requires_grad]
        self.x = read_tensor(c["x"], [c["n"], c["d"]], torch.float32)
        self.regression = c["task"] == "regression"
        self.y = read_tensor(c["y"], [c["n"]], torch.float32 if self.regression else torch.int64)

    def loss(self, x, y):
        out = self.net(x)
        if self.regression:
            return torch.nn.functional.mse_loss(out.reshape(-1), y.reshape(-1))
        return torch.nn.functional.cross_entropy(out, y)

    def data(self, rows):
        if rows is None:
            return self.x, self.y
        index = torch.tensor(rows, dtype=torch.int64)
        return self.x.index_select(0, index), self.y.index_select(0, index)


# ---- PyHessian-equivalent ------------------------------------------------------------------------

def dot(xs, ys):
    return sum(torch.sum(x * y) for x, y in zip(xs, ys))


def normalised(v):
    s = dot(v, v).item() ** 0.5
    return [t / (s + 1e-6) for t in v]


def orthonormalised(w, basis):
    for v in basis:
        c = dot(w, v)
        w = [wi - c * vi for wi, vi in zip(w, v)]
    return normalised(w)


class Hessian:
    """One batch's Hessian through products with a gradient graph built once (PyHessian's single-batch path)."""

    def __init__(self, model, rows):
        self.model = model
        x, y = model.data(rows)
        loss = model.loss(x, y)
        self.grads = torch.autograd.grad(loss, model.params, create_graph=True)
        self.products = 0

    def multiply(self, v):
        self.products += 1
        return torch.autograd.grad(self.grads, self.model.params, grad_outputs=v, retain_graph=True)

    def eigenvalues(self, max_iter=100, tol=1e-3, top_n=1):
        values, vectors = [], []
        while len(values) < top_n:
            eigenvalue = None
            v = normalised([torch.randn(p.size()) for p in self.model.params])
            for _ in range(max_iter):
                v = orthonormalised(v, vectors)
                hv = self.multiply(v)
                current = dot(hv, v).item()
                v = normalised(hv)
                if eigenvalue is not None and abs(eigenvalue - current) / (abs(eigenvalue) + 1e-6) < tol:
                    break
                eigenvalue = current
            values.append(eigenvalue)
            vectors.append(v)
        return values

    def trace(self, max_iter=100, tol=1e-3):
        samples, mean = [], 0.0
        for _ in range(max_iter):
            v = [torch.randint_like(p, high=2) * 2 - 1 for p in self.model.params]
            samples.append(dot(self.multiply(v), v).item())
            current = sum(samples) / len(samples)
            if tol > 0 and abs(current - mean) / (abs(mean) + 1e-6) < tol:
                break
            mean = current
        return sum(samples) / len(samples), len(samples)

    def dense(self):
        """The whole matrix, one product per basis vector (tiny networks only; the test's reference)."""
        n = sum(p.numel() for p in self.model.params)
        rows = []
        for j in range(n):
            e = torch.zeros(n)
            e[j] = 1
            pieces, offset = [], 0
            for p in self.model.params:
                pieces.append(e[offset:offset + p.numel()].reshape(p.shape))
                offset += p.numel()
            rows.append(torch.cat([t.reshape(-1) for t in self.multiply(pieces)]))
        h = torch.stack(rows).double()
        return 0.5 * (h + h.T)


# ---- tml-epfl-equivalent worst-case sharpness ----------------------------------------------------

def checkpoints(n):
    p, w = [0, 0.22], [0, math.ceil(n * 0.22)]
    while w[-1] < n and w[-1] != w[-2]:
        p.append(p[-1] + max(p[-1] - p[-2] - 0.03, 0.06))
        w.append(math.ceil(p[-1] * n))
    return set(w[1:])


def loss_at(model, x, y):
    with torch.no_grad():
        return model.loss(x, y).item()


def gradient_at(model, x, y):
    return torch.autograd.grad(model.loss(x, y), model.params)


def assign(model, values):
    with torch.no_grad():
        for p, v in zip(model.params, values):
            p.copy_(v)


def worst_case(model, batches, rho, steps, algorithm, random_start, step_size):
    """Mean over batches of max L_B(w + δ) − L_B(w) over |δ| ≤ ρ|w| (adaptive L∞)."""
    w0 = [p.detach().clone() for p in model.params]
    c = [w.abs() for w in w0]
    marks = checkpoints(steps)
    total = 0.0
    try:
        for rows in batches:
            x, y = model.data(rows)
            assign(model, w0)
            init = loss_at(model, x, y)
            if random_start:
                delta = [(2 * torch.rand_like(w) - 1) * rho * ci for w, ci in zip(w0, c)]
            else:
                delta = [torch.zeros_like(w) for w in w0]
            assign(model, [w + d for w, d in zip(w0, delta)])
            worst = init
            if algorithm == "pga":
                # Plain projected sign ascent with a fixed step (the same iteration as SharpnessML's Pga).
                for _ in range(steps):
                    loss = model.loss(x, y)
                    g = torch.autograd.grad(loss, model.params)
                    worst = max(worst, loss.item())
                    delta = [torch.max(torch.min(d + step_size * rho * gi.sign() * ci, rho * ci), -rho * ci)
                             for d, gi, ci in zip(delta, g, c)]
                    assign(model, [w + d for w, d in zip(w0, delta)])
                worst = max(worst, loss_at(model, x, y))
            else:
                previous = [d.clone() for d in delta]
                worst_point = [p.detach().clone() for p in model.params]
                eta = prev_eta = 2 * rho
                prev_worst, prev_mark, updates = init, 0, 0
                for i in range(steps):
                    backup = [d.clone() for d in delta]
                    g = gradient_at(model, x, y)
                    z = [torch.max(torch.min(d + eta * gi.sign() * ci, rho * ci), -rho * ci) for d, gi, ci in zip(delta, g, c)]
                    delta = [0.75 * zi + 0.25 * pi for zi, pi in zip(z, previous)]
                    assign(model, [w + d for w, d in zip(w0, delta)])
                    previous = backup
                    current = loss_at(model, x, y)
                    if current > worst:
                        worst = current
                        worst_point = [p.detach().clone() for p in model.params]
                        updates += 1
                    if i in marks:
                        few = updates < 0.75 * (i - prev_mark)
                        stalled = prev_eta == eta and prev_worst == worst
                        prev_eta, prev_worst, prev_mark, updates = eta, worst, i, 0
                        if few or stalled:
                            eta *= 0.5
                            assign(model, worst_point)
            total += worst - init
    finally:
        assign(model, w0)
    return total / len(batches)


def sgd_steps(model, steps, batch, lr):
    net = copy.deepcopy(model.net)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    x, y = model.x[:batch], model.y[:batch]
    for _ in range(steps):
        opt.zero_grad()
        out = net(x)
        loss = torch.nn.functional.mse_loss(out.reshape(-1), y) if model.regression else torch.nn.functional.cross_entropy(out, y)
        loss.backward()
        opt.step()


# ---- the server loop -----------------------------------------------------------------------------

def blas():
    """Which BLAS this process loaded, from its memory map."""
    names = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path.lower() or "mkl" in path.lower():
                names.add(path)
    if any("openblas" in n for n in names):
        return "OpenBLAS", sorted(names)
    if any("mkl" in n for n in names):
        return "MKL", sorted(names)
    if any("libblas" in n for n in names):
        return "reference BLAS", sorted(names)
    return "none found", sorted(names)


def set_threads(n):
    torch.set_num_threads(n)
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            ctypes.CDLL(name).openblas_set_num_threads(n)
            break
        except (OSError, AttributeError):
            pass
    return torch.get_num_threads()


def handle(c):
    op = c["cmd"]
    if op == "info":
        name, paths = blas()
        return {"torch": torch.__version__, "blas": name, "blas_paths": paths, "threads": torch.get_num_threads()}
    if op == "threads":
        return {"threads": set_threads(c["n"])}
    if op == "load":
        MODELS[c["name"]] = Model(c)
        return {"parameters": sum(p.numel() for p in MODELS[c["name"]].params)}
    model = MODELS[c["model"]]
    torch.manual_seed(c.get("seed", 0))
    start = time.perf_counter()
    if op == "eigenvalues":
        h = Hessian(model, c.get("rows"))
        values = h.eigenvalues(c.get("max_iter", 100), c.get("tol", 1e-3), c.get("top_n", 1))
        result = {"values": values, "products": h.products}
    elif op == "trace":
        h = Hessian(model, c.get("rows"))
        value, samples = h.trace(c.get("max_iter", 100), c.get("tol", 1e-3))
        result = {"value": value, "samples": samples, "products": h.products}
    elif op == "dense":
        h = Hessian(model, c.get("rows")).dense()
        values = torch.linalg.eigvalsh(h)
        result = {"trace": h.trace().item(), "max": values[-1].item(), "min": values[0].item()}
    elif op == "worst":
        value = worst_case(model, c["batches"], c["rho"], c.get("steps", 20), c.get("algorithm", "apgd"),
                           c.get("random_start", True), c.get("step_size", 0.1))
        result = {"value": value}
    elif op == "sgd":
        sgd_steps(model, c["steps"], c.get("batch", 64), c.get("lr", 0.01))
        result = {}
    elif op == "loss":
        x, y = model.data(c.get("rows"))
        result = {"value": loss_at(model, x, y)}
    else:
        raise ValueError("unknown command " + op)
    result["seconds"] = time.perf_counter() - start
    return result


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(json.loads(line))
        except Exception as e:  # the C# side reports it and stops the comparison
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
