using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Landscape;

/// <summary>
/// What every sharpness measure takes: a module, the parameters being measured, and a loss that
/// can be evaluated on any subset of the examples. Trained networks, TorchScript models from
/// PyTorch, graph models (where a "batch" is a subset of nodes but the forward pass sees the whole
/// graph) and closed-form test functions all produce one, so measures never care where the model
/// came from.
/// </summary>
public sealed class LossLandscape
{
    private readonly Func<Tensor?, Tensor> loss;
    private Func<Tensor, Func<Tensor>>? batchLoss;

    /// <summary>Creates a landscape.</summary>
    /// <param name="module">The module, for train/eval mode and buffers; parameters outside <paramref name="parameters"/> stay fixed.</param>
    /// <param name="parameters">The parameters being measured (a subset of the module's, or all of them).</param>
    /// <param name="loss">Mean loss over the examples at the given int64 indices, or over all examples when null; differentiable in the parameters.</param>
    /// <param name="exampleCount">Number of examples the indices range over.</param>
    public LossLandscape(nn.Module module, IReadOnlyList<Parameter> parameters, Func<Tensor?, Tensor> loss, int exampleCount)
    {
        Module = module ?? throw new ArgumentNullException(nameof(module));
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        if (parameters.Count == 0) throw new ArgumentException("A loss landscape needs at least one parameter to measure.", nameof(parameters));
        if (exampleCount < 1) throw new ArgumentOutOfRangeException(nameof(exampleCount), exampleCount, "A loss landscape needs at least one example.");
        this.loss = loss ?? throw new ArgumentNullException(nameof(loss));
        ExampleCount = exampleCount;
    }

    /// <summary>The module (for train/eval mode and buffers).</summary>
    public nn.Module Module { get; }

    /// <summary>The parameters being measured.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of examples.</summary>
    public int ExampleCount { get; }

    /// <summary>
    /// The network, data and loss behind the landscape when it was made by <see cref="ForSupervised"/>
    /// (null otherwise); measures that need per-example losses or accuracy read it.
    /// </summary>
    public SupervisedProblem? Supervised { get; init; }

    /// <summary>
    /// False for a landscape made by <see cref="WithoutData"/>, whose loss cannot be evaluated: only data-free
    /// measures (<see cref="Evaluation.IDataFreeMeasure"/>) can be taken of it. True otherwise.
    /// </summary>
    public bool HasData { get; private init; } = true;

    /// <summary>Total number of scalar parameters measured.</summary>
    public long ParameterCount => Parameters.Sum(p => p.numel());

    /// <summary>Mean loss over the examples at <paramref name="indices"/> (int64), or over all examples when null.</summary>
    public Tensor Loss(Tensor? indices = null) => loss(indices);

    /// <summary>
    /// The loss on the examples at <paramref name="indices"/> as a function to call repeatedly (each call the same
    /// value as <see cref="Loss"/>(indices) at the current parameters). Supervised landscapes select the batch's
    /// features and labels once, here, instead of at every call; the selection lives in the caller's dispose scope.
    /// </summary>
    public Func<Tensor> BatchLoss(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return batchLoss is { } select ? select(indices) : () => loss(indices);
    }

    /// <summary>A random batch of <paramref name="size"/> distinct example indices (all examples when size ≥ count).</summary>
    public Tensor SampleBatch(int size, torch.Generator generator)
    {
        var device = Parameters[0].device;
        var order = torch.randperm(ExampleCount, generator: generator);
        var take = Math.Min(size, ExampleCount);
        return order.narrow(0, 0, take).to(device);
    }

    /// <summary>
    /// Consecutive chunks of all example indices with each chunk's share of the examples, so a
    /// full-data quantity can be accumulated as Σ weight · quantity(chunk) without holding every
    /// activation at once.
    /// </summary>
    public IEnumerable<(Tensor Indices, double Weight)> Chunks(int chunkSize)
    {
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "Chunk size must be at least 1.");
        var device = Parameters[0].device;
        for (int start = 0; start < ExampleCount; start += chunkSize)
        {
            int size = Math.Min(chunkSize, ExampleCount - start);
            yield return (torch.arange(start, start + size, dtype: int64, device: device), (double)size / ExampleCount);
        }
    }

    /// <summary>
    /// The same loss over <paramref name="count"/> examples drawn at random (without replacement, seeded by
    /// <paramref name="seed"/>), e.g. to bound the cost of full-data Hessian measures on a large training set. Returns
    /// this landscape when <paramref name="count"/> ≥ <see cref="ExampleCount"/>. The index tensors live in the
    /// caller's dispose scope.
    /// </summary>
    public LossLandscape Subset(int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        if (count >= ExampleCount) return this;
        using var generator = new torch.Generator((ulong)seed);
        var chosen = torch.randperm(ExampleCount, generator: generator).narrow(0, 0, count).sort().Values.to(Parameters[0].device);
        if (Supervised is { } s)
        {
            var data = new SupervisedTensors(s.Data.Features.index_select(0, chosen), s.Data.Labels.index_select(0, chosen));
            var subset = ForSupervised(s.Module, data, s.Loss, Parameters, s.NormalizeLogits);
            return subset;
        }

        return new LossLandscape(Module, Parameters, indices => loss(indices is null ? chosen : chosen.index_select(0, indices)), count);
    }

    /// <summary>The same loss over a subset of the parameters, chosen by <paramref name="filter"/>.</summary>
    public LossLandscape WithParameters(ParameterFilter filter) =>
        new(Module, filter.Select(Module).Select(p => p.Parameter).ToList(), loss, ExampleCount) { Supervised = Supervised, HasData = HasData, batchLoss = batchLoss };

    /// <summary>
    /// A landscape of <paramref name="module"/>'s weights without data (<see cref="HasData"/> false), for the measures
    /// that read the weights only (<see cref="Evaluation.IDataFreeMeasure"/>: the weight norms and the spectral
    /// metrics). Its loss throws an <see cref="InvalidOperationException"/>; <see cref="ExampleCount"/> is 1.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="parameters">The parameters measured; all of the module's when null.</param>
    public static LossLandscape WithoutData(nn.Module module, IReadOnlyList<Parameter>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new LossLandscape(module, parameters ?? module.parameters().ToList(), _ => throw new InvalidOperationException(
            "This landscape has no data: only data-free measures (the weight norms and the spectral metrics) can be taken of it."), 1)
        {
            HasData = false,
        };
    }

    /// <summary>The landscape of a supervised network: loss(f(X[I]), Y[I]).</summary>
    /// <param name="module">The network, mapping [n, d] features to outputs.</param>
    /// <param name="data">Features and labels on the module's device.</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="parameters">Parameters to measure; all of the module's when null.</param>
    /// <param name="normalizeLogits">
    /// Divide each example's logits by their Euclidean norm before the loss (cross-entropy only), which
    /// makes sharpness blind to the logit scale (Andriushchenko et al., 2023, Sec. 4).
    /// </param>
    public static LossLandscape ForSupervised(nn.Module<Tensor, Tensor> module, SupervisedTensors data, LossFunction loss,
        IReadOnlyList<Parameter>? parameters = null, bool normalizeLogits = false)
    {
        if (normalizeLogits && loss != LossFunction.CrossEntropy)
            throw new ArgumentException("Logit normalisation applies to cross-entropy only.", nameof(normalizeLogits));
        var features = data.Features;
        var labels = data.Labels;
        Tensor Forward(Tensor x)
        {
            var output = module.call(x);
            return normalizeLogits ? output / output.norm(1, keepdim: true).clamp_min(1e-12) : output;
        }
        Tensor Evaluate(Tensor? indices)
        {
            if (indices is null) return loss.Compute(Forward(features), labels);
            return loss.Compute(Forward(features.index_select(0, indices)), labels.index_select(0, indices));
        }
        Func<Tensor> Batch(Tensor indices)
        {
            var (x, y) = (features.index_select(0, indices), labels.index_select(0, indices));
            return () => loss.Compute(Forward(x), y);
        }
        return new LossLandscape(module, parameters ?? module.parameters().ToList(), Evaluate, data.Count)
        {
            Supervised = new SupervisedProblem(module, data, loss, normalizeLogits),
            batchLoss = Batch,
        };
    }

    /// <summary>
    /// The landscape of a trained network transformer on <paramref name="data"/> (features and labels
    /// already extracted). For a network bound to a graph (<see cref="IWholeGraphNetwork"/>) the data
    /// holds every node, in node order, every forward pass takes all of them, and the examples are the network's
    /// training nodes (as in <see cref="GraphLossLandscape.ForNodes"/>).
    /// </summary>
    public static LossLandscape ForNetwork(TorchNetworkTransformer network, SupervisedTensors data)
    {
        if (data.FeatureCount != network.FeatureCount)
            throw new ArgumentException($"The data has {data.FeatureCount} features per example, but the network expects {network.FeatureCount}.", nameof(data));
        if (network.Network is not IWholeGraphNetwork graph) return ForSupervised(network.Network, data, network.Loss);
        if (data.Count != graph.NodeCount)
            throw new ArgumentException($"A graph network needs one row per node of its graph ({graph.NodeCount}); the data has {data.Count}.", nameof(data));
        var (module, features, labels, nodes, loss) = (network.Network, data.Features, data.Labels, graph.TrainingNodes, network.Loss);
        Tensor Evaluate(Tensor? indices)
        {
            var selected = indices is null ? nodes : nodes.index_select(0, indices);
            return loss.Compute(module.call(features).index_select(0, selected), labels.index_select(0, selected));
        }
        return new LossLandscape(module, module.parameters().ToList(), Evaluate, (int)nodes.shape[0]);
    }
}
