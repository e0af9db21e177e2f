# Reference numbers for AbaloneNotebookTests: the seed paper's FCNN_model.ipynb, cell for cell, for seeds 0 and 1,
# with torch.manual_seed(seed) before each network is built (the notebook builds its 50 networks in one process
# without reseeding). Run with Debian's PyTorch: /usr/bin/python3 fcnn_notebook_reference.py ../../../data/abalone/abalone.data
import sys, csv, numpy as np, torch, torch.nn as nn

rows = list(csv.reader(open(sys.argv[1])))[1:]  # pd.read_csv without header=None: the first row is the header
X = np.array([[float(v) for v in r[1:8]] + [r[0] == 'M', r[0] == 'F', r[0] == 'I'] for r in rows], dtype=np.float64)
y = np.array([float(r[8]) for r in rows])
perm = np.random.RandomState(42).permutation(len(rows))  # sklearn's train_test_split(test_size=0.2, random_state=42)
n_test = int(np.ceil(0.2 * len(rows)))
test, train = perm[:n_test], perm[n_test:]
tx, ty = torch.tensor(X[train]).float(), torch.tensor(y[train]).float().reshape(-1, 1)
vx, vy = torch.tensor(X[test]).float(), torch.tensor(y[test]).float().reshape(-1, 1)
a1, b1, a2, b2 = tx.mean(axis=0), tx.std(axis=0), ty.mean(axis=0), ty.std(axis=0)
tx, vx, ty, vy = (tx - a1) / b1, (vx - a1) / b1, (ty - a2) / b2, (vy - a2) / b2

class NetFCNN(nn.Module):
    def __init__(self, sizes=(10, 64, 64, 1)):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1))
    def forward(self, x):
        for layer in self.layers: x = nn.functional.elu(layer(x))
        return x

lr, bs = 0.102, 64
for seed in (0, 1):
    torch.manual_seed(seed)
    net = NetFCNN()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    def one_pass():
        b = 0
        for i in range(0, tx.size(0), bs):
            opt.zero_grad(); loss = nn.MSELoss()(net(tx), ty); b += loss; loss.backward(); opt.step()
        return b
    b, a, passes = one_pass(), 100, 1
    for epoch in range(11):
        if ((a - b) / a).detach().numpy() >= 0.05:
            a = b; b = one_pass(); passes += 1
        else: break
    with torch.no_grad(): train_loss, test_loss = nn.MSELoss()(net(tx), ty).item(), nn.MSELoss()(net(vx), vy).item()
    w0 = [p.clone() for p in net.parameters()]
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    best, kept = 0, None
    for epoch in range(6):
        m = 0
        for i in range(0, tx.size(0), bs):
            opt.zero_grad(); (-nn.MSELoss()(net(tx), ty)).backward(); opt.step()
            with torch.no_grad():
                for k, p in enumerate(net.parameters()): p.data = torch.clamp(p.data, -w0[k] * 0.025 + w0[k], w0[k] * 0.025 + w0[k])
            m += nn.MSELoss()(net(tx), ty).detach().numpy()
        if m > best: best, kept = m, [p.clone() for p in net.parameters()]
    with torch.no_grad():
        for p, k in zip(net.parameters(), kept): p.copy_(k)
        sharp = nn.MSELoss()(net(tx), ty).item() - train_loss
    print(f"seed {seed}: passes {passes} train {train_loss!r} test {test_loss!r} sharpness {sharp!r}")
