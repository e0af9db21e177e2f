using SharpnessML.Trainers.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// A graph attention network fitted to one graph, as a <see cref="NetworkSpec"/> of the library's
/// model file: the architecture plus the sizes of the graph it was trained on. A transductive GAT
/// predicts a node from its neighbours, so the graph (edge index) and the training nodes are part of
/// the model: <see cref="Build"/> creates a <see cref="GatNetwork"/> bound to a graph whose edge index and
/// training nodes are buffers, saved and loaded with the weights.
/// </summary>
/// <param name="Architecture">Layers, heads, dropout and slope.</param>
/// <param name="NodeCount">N, the number of nodes (rows) the network scores at once.</param>
/// <param name="EdgeCount">E, the number of directed edges of the edge index, self-loops included.</param>
/// <param name="TrainingNodeCount">Number of training nodes (the loss landscape's examples).</param>
public sealed record GatGraphSpec(GatSpec Architecture, int NodeCount, long EdgeCount, int TrainingNodeCount) : NetworkSpec
{
    /// <inheritdoc />
    public override int InputSize => Architecture.InputSize;

    /// <inheritdoc />
    public override int OutputSize => Architecture.OutputSize;

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Architecture, nameof(Architecture));
        Architecture.Validate();
        if (NodeCount < 1) throw new ArgumentOutOfRangeException(nameof(NodeCount), NodeCount, "NodeCount must be at least 1.");
        if (EdgeCount < 0) throw new ArgumentOutOfRangeException(nameof(EdgeCount), EdgeCount, "EdgeCount must be non-negative.");
        if (TrainingNodeCount < 1 || TrainingNodeCount > NodeCount)
            throw new ArgumentOutOfRangeException(nameof(TrainingNodeCount), TrainingNodeCount, $"TrainingNodeCount must be in [1, {NodeCount}].");
    }

    /// <summary>Builds the network with fresh weights and an all-zero graph, to be filled by loading saved weights.</summary>
    public override nn.Module<Tensor, Tensor> Build() => new GatNetwork(this);
}
