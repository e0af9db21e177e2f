"""Writes the PyTorch checkpoint fixtures of tests/SharpnessML.Trainers.Tests/Checkpoints (run with Debian's PyTorch 1.13:
/usr/bin/python3 make_checkpoints.py). Every file is a few KB; reference.json holds each model's eval-mode outputs on
fixed inputs, written with repr so the float32 values round-trip."""
import collections, gzip, io, json, math, struct

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class NotebookFcnn(nn.Module):
    """The seed notebooks' Abalone FCNN: 10-64-64-1, ELU after every layer, the output included."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, 1)

    def forward(self, x):
        return F.elu(self.fc3(F.elu(self.fc2(F.elu(self.fc1(x))))))


class NotebookLeNet(nn.Module):
    """The seed notebooks' LeNet-5: conv 1->12 5x5, BN, ReLU, pool; conv 12->32, BN, ReLU, pool; 512->256->128->10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 12, 5)
        self.bn1 = nn.BatchNorm2d(12)
        self.conv2 = nn.Conv2d(12, 32, 5)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc1 = nn.Linear(512, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        x = x.reshape(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = x.flatten(1)
        x = F.relu(self.dropout(self.fc1(x)))
        x = F.relu(self.dropout(self.fc2(x)))
        return self.fc3(x)


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def write_safetensors(path, tensors):
    """safetensors by hand (the package is not in Debian): u64 header length, JSON header, raw little-endian data.
    The header lists the tensors in reverse name order, so a reader must not rely on it."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors, reverse=True):
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": {torch.float32: "F32", torch.float16: "F16"}[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


reference = {}

# 1. The notebook FCNN, as the notebooks save it.
fcnn = NotebookFcnn().eval()
torch.save(fcnn.state_dict(), "fcnn.pt")
x = torch.tensor([[round(math.sin(0.7 * i + 0.3 * j), 3) for j in range(10)] for i in range(4)], dtype=torch.float32)
reference["fcnn"] = {"inputs": [[f"{v:.3f}" for v in r.tolist()] for r in x], "outputs": floats(fcnn(x))}

# 2. An nn.Sequential 10-16-8-1 with tanh and a linear output (our mlp:10-16-8-1:tanh), as safetensors: its names are
#    net.0, net.2, net.4, and net.10 (a 1x1 linear layer, 10 before 2 in plain string order, after 4 in natural order).
seq = nn.Sequential(nn.Linear(10, 16), nn.Tanh(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 1)).eval()
extra = nn.Linear(1, 1)
write_safetensors("mlp_sequential.safetensors", {
    "net.0.weight": seq[0].weight, "net.0.bias": seq[0].bias,
    "net.2.weight": seq[2].weight, "net.2.bias": seq[2].bias,
    "net.4.weight": seq[4].weight, "net.4.bias": seq[4].bias,
    "net.10.weight": extra.weight, "net.10.bias": extra.bias,
})
reference["mlp_sequential"] = {"outputs": floats(extra(torch.tanh(seq(x))))}  # mlp:10-16-8-1-1:tanh on the FCNN's inputs

# 3. A state_dict that does not fit fcnn:10-8-8-1:elu: fc2 is 8->4, fc3 has lost its bias and gained 'fc3.scale'.
small = nn.ModuleDict({"fc1": nn.Linear(10, 8), "fc2": nn.Linear(8, 4), "fc3": nn.Linear(8, 1)})
wrong = small.state_dict()
del wrong["fc3.bias"]
wrong["fc3.scale"] = torch.ones(3)
torch.save(wrong, "fcnn_wrong.pt")

# 4. LeNet-5 with sparse ternary weights (+-0.5 on 1 entry in 32, else 0), so the gzipped file stays small, and
#    non-trivial batch-norm statistics. Gzipped: the test unpacks it.
lenet = NotebookLeNet()
with torch.no_grad():
    for name, p in lenet.named_parameters():
        if name.endswith("weight") and p.dim() > 1:
            keep = torch.rand(p.shape) < 1 / 32
            p.copy_(torch.where(keep, torch.sign(torch.randn(p.shape)) * 0.5, torch.zeros(p.shape)))
        elif name.startswith("bn"):
            p.copy_(1 + 0.1 * torch.randn(p.shape) if name.endswith("weight") else 0.1 * torch.randn(p.shape))
        else:
            p.copy_(0.01 * torch.randn(p.shape))
    for bn in (lenet.bn1, lenet.bn2):
        bn.running_mean.copy_(0.05 * torch.randn(bn.running_mean.shape))
        bn.running_var.copy_(0.5 + torch.rand(bn.running_var.shape))
        bn.num_batches_tracked.fill_(7)
lenet.eval()
buffer = io.BytesIO()
torch.save(lenet.state_dict(), buffer)
with gzip.GzipFile("lenet5.pt.gz", "wb", mtime=0) as f:
    f.write(buffer.getvalue())
images = torch.tensor([[round(math.sin(0.05 * (k + 1) * (n + 1)) * 1.5, 3) for k in range(784)] for n in range(2)], dtype=torch.float32)
reference["lenet5"] = {"inputs": [[f"{v:.3f}" for v in r.tolist()] for r in images], "outputs": [floats(r) for r in lenet(images)]}

# 5. Tensors that are views into one storage (offsets and a transposed stride), and float16, to test the reader itself.
flat = torch.arange(24, dtype=torch.float32) / 8
views = collections.OrderedDict()
views["matrix"] = flat[4:16].view(3, 4)
views["transposed"] = flat[4:16].view(3, 4).t()
views["tail"] = flat[20:]
views["half"] = torch.tensor([0.5, -1.25, 3.0], dtype=torch.float16)
views["count"] = torch.tensor(42)
torch.save(views, "views.pt")
reference["views"] = {k: {"shape": list(v.shape), "values": floats(v.float())} for k, v in views.items()}

with open("reference.json", "w") as f:
    json.dump(reference, f)
    f.write("\n")
