using SharpnessML.Trainers.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// The two-layer graph attention network of Veličković et al. (2018) for transductive node
/// classification: dropout → multi-head GAT layer (heads concatenated) → ELU → dropout → GAT
/// output layer (heads averaged) → class logits. <see cref="call(Tensor, Tensor)"/> takes the node features [N, F]
/// and the edge index [2, E] of any graph and returns logits [N, C] for every node; that is how it trains
/// (<see cref="GatTrainingLoop"/>).
/// </summary>
/// <remarks>
/// A network bound to the graph it was trained on (<see cref="Bind"/>, or built from a <see cref="GatGraphSpec"/>)
/// also holds that graph's edge index and training nodes as buffers (<c>edge_index</c>, <c>training_nodes</c>, saved
/// and loaded with the weights), and is then an ordinary <c>nn.Module&lt;Tensor, Tensor&gt;</c> over the features of
/// every node (<see cref="IWholeGraphNetwork"/>): what the ML.NET model (<see cref="GatTrainer"/>) holds.
/// </remarks>
public sealed class GatNetwork : nn.Module<Tensor, Tensor>, IWholeGraphNetwork
{
    private const string EdgeIndexBuffer = "edge_index";
    private const string TrainingNodesBuffer = "training_nodes";
    private readonly GatLayer hidden;
    private readonly GatLayer output;
    private torch.Generator? dropoutGenerator;

    /// <summary>Creates the layers described by <paramref name="spec"/>, initialised from the current torch generator; bound to no graph.</summary>
    public GatNetwork(GatSpec spec) : this(spec, graph: null) { }

    /// <summary>
    /// Creates the layers of <paramref name="spec"/> (initialised from the current torch generator) bound to an
    /// all-zero graph of its sizes, to be filled by loading saved weights.
    /// </summary>
    public GatNetwork(GatGraphSpec spec) : this(spec?.Architecture!, spec) { }

    private GatNetwork(GatSpec spec, GatGraphSpec? graph) : base(nameof(GatNetwork))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        graph?.Validate();
        Spec = spec;
        GraphSpec = graph;
        hidden = new GatLayer(spec.InputSize, spec.HiddenUnitsPerHead, spec.Heads, concat: true, spec.NegativeSlope, spec.AttentionDropout);
        output = new GatLayer(hidden.OutputWidth, spec.OutputSize, spec.OutputHeads, concat: false, spec.NegativeSlope, spec.AttentionDropout);
        RegisterComponents();
        if (graph is null) return;
        register_buffer(EdgeIndexBuffer, torch.zeros(2, graph.EdgeCount, dtype: int64));
        register_buffer(TrainingNodesBuffer, torch.zeros(graph.TrainingNodeCount, dtype: int64));
    }

    /// <summary>
    /// A copy of this network's weights bound to the graph <paramref name="edgeIndex"/> of <paramref name="nodeCount"/>
    /// nodes, with <paramref name="trainingNodes"/> as its loss landscape's examples, in evaluation mode. The tensors
    /// are copied; the caller keeps its own.
    /// </summary>
    public GatNetwork Bind(int nodeCount, Tensor edgeIndex, IReadOnlyList<long> trainingNodes)
    {
        ArgumentNullException.ThrowIfNull(trainingNodes);
        EdgeIndex.Check(edgeIndex, nameof(edgeIndex));
        var spec = new GatGraphSpec(Spec, nodeCount, edgeIndex.shape[1], trainingNodes.Count);
        var network = TorchRuntime.Seeded(0, () => new GatNetwork(spec));
        try
        {
            using var _ = torch.no_grad();
            var target = network.state_dict();
            foreach (var (name, source) in state_dict())
                if (name is not (EdgeIndexBuffer or TrainingNodesBuffer)) target[name].copy_(source);
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

    /// <summary>The architecture.</summary>
    public GatSpec Spec { get; }

    /// <summary>The architecture and the sizes of the graph the network is bound to; null when it is bound to none.</summary>
    public GatGraphSpec? GraphSpec { get; }

    /// <summary>The hidden multi-head layer.</summary>
    public GatLayer Hidden => hidden;

    /// <summary>The output layer.</summary>
    public GatLayer Output => output;

    /// <summary>
    /// Generator of every dropout mask (features and attention) in training mode; the process-wide
    /// generator when null. Trainers set it so a seed fixes the whole run.
    /// </summary>
    public torch.Generator? DropoutGenerator
    {
        get => dropoutGenerator;
        set
        {
            dropoutGenerator = value;
            hidden.DropoutGenerator = value;
            output.DropoutGenerator = value;
        }
    }

    /// <summary>N, the nodes of the bound graph.</summary>
    public int NodeCount => Bound.NodeCount;

    /// <summary>The bound graph's edge index [2, E] int64 (sources in row 0, targets in row 1).</summary>
    public Tensor EdgeIndexTensor => Buffer(EdgeIndexBuffer);

    /// <summary>The training nodes [k] int64 of the bound graph, the examples of the model's loss landscape.</summary>
    public Tensor TrainingNodes => Buffer(TrainingNodesBuffer);

    /// <summary>Class logits [N, C] of every node from features [N, F] and the edge index [2, E] of any graph.</summary>
    public Tensor call(Tensor features, Tensor edgeIndex)
    {
        var x = GeneratorDropout.Apply(features, Spec.Dropout, training, dropoutGenerator);
        x = hidden.call(x, edgeIndex).elu(TorchScalars.One, TorchScalars.One, TorchScalars.One);
        x = GeneratorDropout.Apply(x, Spec.Dropout, training, dropoutGenerator);
        return output.call(x, edgeIndex);
    }

    /// <summary>Logits [N, C] of every node of the bound graph from the features of every node [N, F].</summary>
    public override Tensor forward(Tensor features)
    {
        var graph = Bound;
        if (features.dim() != 2 || features.shape[0] != graph.NodeCount || features.shape[1] != Spec.InputSize)
            throw new ArgumentException(
                $"A GAT bound to a graph of {graph.NodeCount} nodes takes the features of every node, [{graph.NodeCount}, {Spec.InputSize}]; got [{string.Join(", ", features.shape)}].",
                nameof(features));
        return call(features, EdgeIndexTensor);
    }

    private GatGraphSpec Bound => GraphSpec
        ?? throw new InvalidOperationException("This GAT is bound to no graph: pass the edge index (call(features, edgeIndex)), or Bind it to a graph.");

    private Tensor Buffer(string name)
    {
        _ = Bound;
        return get_buffer(name)!;
    }
}
