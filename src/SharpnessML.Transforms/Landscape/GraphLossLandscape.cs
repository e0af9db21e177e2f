using SharpnessML.Trainers.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Landscape;

/// <summary>
/// Loss landscapes of transductive node classifiers. An example is a labelled node (usually a
/// training node): <see cref="LossLandscape.Loss"/> with indices i₁…i_m runs the forward pass over
/// the whole graph and returns the mean cross-entropy of the nodes nodes[i₁], …, nodes[i_m], so a
/// batch of m examples is a subset of the nodes while every node's features and every edge still
/// enter the computation.
/// </summary>
public static class GraphLossLandscape
{
    /// <summary>The landscape of a graph network over a set of labelled nodes.</summary>
    /// <param name="module">Maps node features [N, F] and an edge index [2, E] to logits [N, C].</param>
    /// <param name="features">Node features, on the module's device.</param>
    /// <param name="edgeIndex">Edge index [2, E] int64, on the module's device.</param>
    /// <param name="labels">Class index of every node, [N] int64.</param>
    /// <param name="nodes">The nodes that are the landscape's examples, [m] int64 (e.g. the training nodes).</param>
    /// <param name="parameters">Parameters to measure; all of the module's when null.</param>
    public static LossLandscape ForNodes(
        nn.Module<Tensor, Tensor, Tensor> module,
        Tensor features,
        Tensor edgeIndex,
        Tensor labels,
        Tensor nodes,
        IReadOnlyList<Parameter>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Over(module, module.call, features, edgeIndex, labels, nodes, parameters);
    }

    private static LossLandscape Over(nn.Module module, Func<Tensor, Tensor, Tensor> forward, Tensor features, Tensor edgeIndex,
        Tensor labels, Tensor nodes, IReadOnlyList<Parameter>? parameters)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(edgeIndex);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.dtype != int64 || nodes.dim() != 1)
            throw new ArgumentException($"nodes must be an int64 vector; got {nodes.dtype} [{string.Join(", ", nodes.shape)}].", nameof(nodes));
        if (labels.dim() != 1 || labels.shape[0] != features.shape[0])
            throw new ArgumentException($"labels must have one entry per node ({features.shape[0]}); got [{string.Join(", ", labels.shape)}].", nameof(labels));
        Tensor Evaluate(Tensor? indices)
        {
            var selected = indices is null ? nodes : nodes.index_select(0, indices);
            var logits = forward(features, edgeIndex);
            return nn.functional.cross_entropy(logits.index_select(0, selected), labels.index_select(0, selected));
        }
        return new LossLandscape(module, parameters ?? module.parameters().ToList(), Evaluate, (int)nodes.shape[0]);
    }

    /// <summary>
    /// The landscape of a trained GAT over its training nodes (examples = the split's training
    /// nodes, in the split's order).
    /// </summary>
    /// <param name="model">The trained model; the landscape uses its network, graph and split.</param>
    /// <param name="parameters">Parameters to measure; all of the network's when null.</param>
    public static LossLandscape ForGat(GatModel model, IReadOnlyList<Parameter>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Over(model.Network, model.Network.call, model.Graph.Features, model.Graph.EdgeIndex, model.Graph.Labels, model.TrainNodes, parameters);
    }
}
