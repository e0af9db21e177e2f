# Regenerates fcnn.pt, data.csv and reference.json with Debian's python3-torch (PyTorch 1.13):
#   /usr/bin/python3 make_reference.py
# The reference Hessian is dense: torch.autograd.functional.hessian of the mean-squared error over
# all 40 rows with respect to all parameters (flattened in named_parameters order), in float64, then
# torch.linalg.eigvalsh. The C# test loads fcnn.pt with TorchSharp and must match within 1e-3 relative.
import json
import torch

torch.manual_seed(0)
X = torch.randn(40, 4)
y = X @ torch.tensor([1.0, -2.0, 0.5, 0.3]) + 0.1 * torch.randn(40)
net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
opt = torch.optim.SGD(net.parameters(), lr=0.05)
for _ in range(200):  # train a little so the Hessian is that of a fitted model
    opt.zero_grad()
    torch.nn.functional.mse_loss(net(X).reshape(-1), y).backward()
    opt.step()
torch.jit.script(net).save("fcnn.pt")
with open("data.csv", "w") as f:
    f.write("a,b,c,d,target\n")
    for i in range(40):
        f.write(",".join(repr(v) for v in X[i].tolist()) + "," + repr(y[i].item()) + "\n")

# Reference in float64 from the values written to the CSV (repr round-trips float32 exactly).
Xd, yd = X.double(), y.double()
names = [n for n, _ in net.named_parameters()]
shapes = [p.shape for _, p in net.named_parameters()]
flat = torch.cat([p.detach().double().reshape(-1) for _, p in net.named_parameters()])

def loss(theta):
    params, offset = {}, 0
    for n, s in zip(names, shapes):
        k = int(torch.tensor(s).prod())
        params[n] = theta[offset:offset + k].reshape(s)
        offset += k
    out = torch.func.functional_call(net.double(), params, (Xd,)) if hasattr(torch, "func") else \
        torch.nn.utils.stateless.functional_call(net.double(), params, (Xd,))
    return torch.nn.functional.mse_loss(out.reshape(-1), yd)

H = torch.autograd.functional.hessian(loss, flat)
eig = torch.linalg.eigvalsh(H).flip(0)
json.dump({
    "torch_version": torch.__version__,
    "parameters": int(flat.numel()),
    "loss": loss(flat).item(),
    "trace": H.trace().item(),
    "top_eigenvalues": eig[:5].tolist(),
    "diagonal_sqrt_trace": H.diagonal().clamp(min=0).sqrt().sum().item(),
}, open("reference.json", "w"), indent=2)
print(open("reference.json").read())
