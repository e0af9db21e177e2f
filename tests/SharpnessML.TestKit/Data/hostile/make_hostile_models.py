# Regenerates the hostile TorchScript fixtures with Debian's python3-torch (PyTorch 1.13):
#   cd tests/SharpnessML.TestKit/Data/hostile && /usr/bin/python3 make_hostile_models.py
# Each module takes [n, 4] float features, as ../torchscript/data.csv has, and is wrong in one way the
# CLI must refuse (issue 16) instead of aborting natively or broadcasting silently:
#   constant.pt  - output torch.zeros(n, 1): does not depend on its parameters (no grad_fn)
#   integer.pt   - output of the right shape but int64 (.long())
#   broadcast.pt - output [1, 1] for every batch, which would broadcast against [n] labels
#   nan.pt       - a well-formed network whose first layer's weight holds a NaN and bias an Inf
#   unused.pt    - a well-formed network with a second layer it never uses (a valid model: measured, not refused)
#   raises.pt    - a network that raises for batches of more than 3 examples (passes the CLI's 3-example probe and
#                  fails later inside libtorch: select must list it as failed and rank the others)
import torch


class Constant(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros(x.shape[0], 1)


class Integer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x).long()


class Broadcast(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x).mean(0, keepdim=True)


class Unused(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)
        self.head = torch.nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x)


class Raises(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] > 3:
            raise ValueError("this model takes at most 3 examples")
        return self.lin(x)


torch.manual_seed(0)
torch.jit.script(Unused()).save("unused.pt")
torch.jit.script(Raises()).save("raises.pt")
torch.jit.script(Constant()).save("constant.pt")
torch.jit.script(Integer()).save("integer.pt")
torch.jit.script(Broadcast()).save("broadcast.pt")
net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
with torch.no_grad():
    net[0].weight[0, 0] = float("nan")
    net[0].bias[1] = float("inf")
torch.jit.script(net).save("nan.pt")
print("wrote constant.pt integer.pt broadcast.pt nan.pt unused.pt raises.pt with torch", torch.__version__)
