using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Checkpoints;

/// <summary>
/// Loads a PyTorch <c>state_dict</c> (<c>.pt</c>) or <c>.safetensors</c> file into one of our architectures
/// (<see cref="CheckpointArchitecture"/>).
/// </summary>
/// <remarks>
/// <para>Naming convention. PyTorch names a tensor by its module's attribute path (<c>fc1.weight</c>,
/// <c>features.0.weight</c>, <c>module.conv1.bias</c> after DataParallel), which differs between notebooks. So tensors
/// are matched by layer, not by name: the tensors are grouped by module (the name up to its last dot), each group is a
/// convolution (a 4-D <c>weight</c>), a batch norm (<c>running_mean</c>/<c>running_var</c>) or a linear layer (a 2-D
/// <c>weight</c>), and the k-th layer of each kind in the checkpoint goes to our k-th of that kind — in the file's order
/// for a <c>.pt</c> state_dict (PyTorch's registration order, i.e. the order of the <c>__init__</c>), in natural name
/// order (<c>fc2</c> before <c>fc10</c>) for safetensors, whose header is not ordered. Within a layer the member names
/// (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>) must be PyTorch's and
/// every shape must be ours; <c>num_batches_tracked</c> may be absent. Any common naming — <c>conv1/bn1/fc1…</c>,
/// <c>conv1/norm1/…</c> (ours), <c>nn.Sequential</c> indices, a <c>module.</c> prefix — therefore loads, provided the
/// layers are declared in the order they run.</para>
/// <para>Anything that does not fit — a missing layer or tensor, an unexpected one, a shape that differs — is refused
/// with one line naming every such tensor with both shapes.</para>
/// </remarks>
public static class PyTorchCheckpoint
{
    /// <summary>Reads <paramref name="path"/> and loads it into a new network of <paramref name="architecture"/>, in evaluation mode.</summary>
    /// <returns>The network and, for each of its tensors, the checkpoint tensor it came from.</returns>
    /// <exception cref="InvalidDataException">The file is unreadable or does not fit (one line naming every tensor that does not).</exception>
    public static (nn.Module<Tensor, Tensor> Network, IReadOnlyList<(string Checkpoint, string Network)> Mapping) Load(string path, CheckpointArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        using var stateDict = StateDict.Read(path);
        var network = TorchRuntime.Seeded(0, architecture.Build);
        try
        {
            var mapping = LoadInto(network, stateDict, architecture.Name);
            network.eval();
            return (network, mapping);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private enum Kind { Convolution, BatchNorm, Linear, Unknown }

    private sealed record Layer(string Prefix, Kind Kind, List<(string Member, string Name, Tensor Tensor)> Tensors);

    /// <summary>Copies <paramref name="stateDict"/>'s tensors into <paramref name="network"/>'s (see the remarks); nothing is copied unless all fit.</summary>
    internal static IReadOnlyList<(string Checkpoint, string Network)> LoadInto(nn.Module network, StateDict stateDict, string architecture)
    {
        var ours = Layers(network.state_dict().Select(kv => (kv.Key, kv.Value)));
        var theirs = Layers(stateDict.Entries);
        if (stateDict.Format == "safetensors") theirs = theirs.OrderBy(l => NaturalKey(l.Prefix), StringComparer.Ordinal).ToList();
        var problems = new List<string>();
        var pairs = new List<(Tensor From, Tensor To, string FromName, string ToName)>();
        foreach (var layer in theirs.Where(l => l.Kind == Kind.Unknown))
            problems.AddRange(layer.Tensors.Select(t => $"unexpected tensor '{t.Name}' {Shape(t.Tensor)} (not part of a linear, convolution or batch-norm layer)"));
        foreach (var kind in new[] { Kind.Convolution, Kind.BatchNorm, Kind.Linear })
        {
            var o = ours.Where(l => l.Kind == kind).ToList();
            var t = theirs.Where(l => l.Kind == kind).ToList();
            for (int i = 0; i < Math.Max(o.Count, t.Count); i++)
            {
                if (i >= t.Count)
                {
                    problems.Add($"missing {Describe(kind)} layer {i + 1} of {o.Count} for {architecture}'s {o[i].Prefix} ({string.Join(", ", o[i].Tensors.Select(x => $"{x.Name} {Shape(x.Tensor)}"))})");
                    continue;
                }
                if (i >= o.Count)
                {
                    problems.Add($"unexpected {Describe(kind)} layer '{t[i].Prefix}' ({string.Join(", ", t[i].Tensors.Select(x => $"{x.Name} {Shape(x.Tensor)}"))}); {architecture} has {o.Count}");
                    continue;
                }
                foreach (var mine in o[i].Tensors)
                {
                    var match = t[i].Tensors.FirstOrDefault(x => x.Member == mine.Member);
                    if (match.Name is null)
                    {
                        if (mine.Member != "num_batches_tracked")
                            problems.Add($"missing tensor '{Join(t[i].Prefix, mine.Member)}' {Shape(mine.Tensor)} for {architecture}'s {mine.Name}");
                        continue;
                    }
                    if (!match.Tensor.shape.SequenceEqual(mine.Tensor.shape))
                        problems.Add($"tensor '{match.Name}' is {Shape(match.Tensor)}, but {architecture}'s {mine.Name} is {Shape(mine.Tensor)}");
                    else
                        pairs.Add((match.Tensor, mine.Tensor, match.Name, mine.Name));
                }
                foreach (var extra in t[i].Tensors.Where(x => o[i].Tensors.All(m => m.Member != x.Member) && x.Member != "num_batches_tracked"))
                    problems.Add($"unexpected tensor '{extra.Name}' {Shape(extra.Tensor)} in the layer {architecture} reads as its {o[i].Prefix}");
            }
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"Checkpoint '{stateDict.Path}' does not fit --architecture {architecture}: {string.Join("; ", problems)}.");
        // The dtype conversions are temporaries: freed here, not by the GC (the state dict owns its tensors and frees them).
        using (torch.NewDisposeScope())
        using (torch.no_grad())
            foreach (var (from, to, _, _) in pairs)
                to.copy_(from.to(to.dtype));
        return pairs.Select(p => (p.FromName, p.ToName)).ToList();
    }

    private static List<Layer> Layers(IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var layers = new List<Layer>();
        foreach (var (name, tensor) in tensors)
        {
            int dot = name.LastIndexOf('.');
            var prefix = dot < 0 ? "" : name[..dot];
            var member = dot < 0 ? name : name[(dot + 1)..];
            var layer = layers.FirstOrDefault(l => l.Prefix == prefix);
            if (layer is null) layers.Add(layer = new Layer(prefix, Kind.Unknown, new()));
            layer.Tensors.Add((member, name, tensor));
        }
        return layers.Select(l => l with { Kind = KindOf(l) }).ToList();
    }

    private static Kind KindOf(Layer layer)
    {
        var members = layer.Tensors.ToDictionary(t => t.Member, t => t.Tensor);
        if (members.ContainsKey("running_mean") || members.ContainsKey("running_var")) return Kind.BatchNorm;
        if (!members.TryGetValue("weight", out var weight)) return Kind.Unknown;
        return weight.dim() switch { 4 => Kind.Convolution, 2 => Kind.Linear, _ => Kind.Unknown };
    }

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Convolution => "convolution",
        Kind.BatchNorm => "batch-norm",
        _ => "linear",
    };

    private static string Join(string prefix, string member) => prefix.Length == 0 ? member : prefix + "." + member;

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>A sort key that orders the numbers inside a name by value (<c>fc2</c> before <c>fc10</c>).</summary>
    private static string NaturalKey(string name) => Regex.Replace(name, @"\d+", m => m.Value.PadLeft(12, '0'));
}
