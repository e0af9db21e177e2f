using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// A <see cref="GatNetwork"/> bound to the graph it was trained on, as an ordinary
/// <c>nn.Module&lt;Tensor, Tensor&gt;</c>: the forward pass takes the features of every node
/// [N, F] (row i is node i) and returns the logits of every node [N, C]. The edge index and the
/// training nodes are buffers (<c>edge_index</c>, <c>training_nodes</c>), so they are saved and
/// loaded with the weights.
/// </summary>
public sealed class GatGraphNetwork : nn.Module<Tensor, Tensor>, Networks.IWholeGraphNetwork
{
    private const string EdgeIndexBuffer = "edge_index";
    private const string TrainingNodesBuffer = "training_nodes";
    private readonly GatNetwork gat;

    /// <summary>Builds the layers of <paramref name="spec"/> (initialised from the current torch generator) and an all-zero graph of its sizes.</summary>
    public GatGraphNetwork(GatGraphSpec spec) : base(nameof(GatGraphNetwork))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        gat = spec.Architecture.Build();
        register_module("gat", gat);
        register_buffer(EdgeIndexBuffer, torch.zeros(2, spec.EdgeCount, dtype: int64));
        register_buffer(TrainingNodesBuffer, torch.zeros(spec.TrainingNodeCount, dtype: int64));
    }

    /// <summary>
    /// Binds a copy of <paramref name="trained"/>'s weights to the graph <paramref name="edgeIndex"/>
    /// of <paramref name="nodeCount"/> nodes. The tensors are copied; the caller keeps its own.
    /// </summary>
    public static GatGraphNetwork Bind(GatNetwork trained, int nodeCount, Tensor edgeIndex, IReadOnlyList<long> trainingNodes)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(trainingNodes);
        EdgeIndex.Check(edgeIndex, nameof(edgeIndex));
        var spec = new GatGraphSpec(trained.Spec, nodeCount, edgeIndex.shape[1], trainingNodes.Count);
        var network = TorchRuntime.Seeded(0, () => new GatGraphNetwork(spec));
        try
        {
            using var _ = torch.no_grad();
            var source = trained.state_dict();
            foreach (var (name, target) in network.gat.state_dict()) target.copy_(source[name]);
            network.EdgeIndexTensor.copy_(edgeIndex);
            using var nodes = NodeSplit.ToTensor(trainingNodes);
            network.TrainingNodes.copy_(nodes);
            network.eval();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The graph-level spec (architecture and graph sizes).</summary>
    public GatGraphSpec Spec { get; }

    /// <summary>The two-layer GAT.</summary>
    public GatNetwork Gat => gat;

    /// <inheritdoc />
    public int NodeCount => Spec.NodeCount;

    /// <inheritdoc />
    nn.Module Networks.IWholeGraphNetwork.Layers => gat;

    /// <summary>The edge index [2, E] int64 (sources in row 0, targets in row 1).</summary>
    public Tensor EdgeIndexTensor => get_buffer(EdgeIndexBuffer)!;

    /// <summary>The training nodes [k] int64, the examples of the model's loss landscape.</summary>
    public Tensor TrainingNodes => get_buffer(TrainingNodesBuffer)!;

    /// <summary>Logits [N, C] of every node from the features of every node [N, F].</summary>
    public override Tensor forward(Tensor features)
    {
        if (features.dim() != 2 || features.shape[0] != Spec.NodeCount || features.shape[1] != Spec.InputSize)
            throw new ArgumentException(
                $"A GAT bound to a graph of {Spec.NodeCount} nodes takes the features of every node, [{Spec.NodeCount}, {Spec.InputSize}]; got [{string.Join(", ", features.shape)}].",
                nameof(features));
        return gat.call(features, EdgeIndexTensor);
    }
}
