using System.Diagnostics;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using static System.FormattableString;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// The GAT's training loop (what <see cref="Training.TrainingLoop"/> is to the mini-batch trainers): trains a
/// <see cref="GatNetwork"/> for transductive node classification (Veličković et al., 2018). Every step runs the whole
/// graph forward and minimises the cross-entropy of the training nodes (or of m random ones), then measures the
/// validation nodes in evaluation mode for early stopping. Seeded: initialisation, dropout masks and node sampling
/// come from <see cref="Training.TorchEstimatorOptions.Seed"/>, so the same graph, split and options give the same
/// weights.
/// </summary>
/// <remarks>
/// This is the plain C# API on tensors, returning the network with its graph, split and metrics.
/// <see cref="GatTrainer"/> (<c>mlContext.MulticlassClassification.Trainers.Gat(...)</c>) is the ML.NET estimator
/// on top of it, whose input view has one row per node, and whose model scores all nodes together and saves its
/// graph in the library's model file.
/// </remarks>
public static class GatTrainingLoop
{
    /// <summary>Trains a network on <paramref name="graph"/> with the node split <paramref name="split"/>.</summary>
    /// <param name="graph">The graph; it is not disposed by the loop or the model.</param>
    /// <param name="split">Training nodes (loss), validation nodes (early stopping) and test nodes.</param>
    /// <param name="options">Architecture, optimizer, schedule, seed and device; null takes the paper's defaults (<see cref="GatOptions"/>).</param>
    /// <param name="onEpoch">Called after each epoch with its index, the step's training loss and the validation metrics.</param>
    /// <param name="channel">ML.NET channel that receives one message per epoch and one at the end; optional.</param>
    public static GatModel Train(GraphData graph, NodeSplit split, GatOptions? options = null,
        Action<int, double, NodeClassificationMetrics>? onEpoch = null, IChannel? channel = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(split);
        options ??= new GatOptions();
        options.Validate();
        long maxNode = split.Train.Concat(split.Validation).Concat(split.Test).Max();
        if (maxNode >= graph.NodeCount)
            throw new ArgumentException($"The split refers to node {maxNode}, but the graph has {graph.NodeCount} nodes.", nameof(split));

        var device = TorchRuntime.ParseDevice(options.Device, nameof(options.Device));
        var data = graph.To(device);
        bool ownsGraph = !ReferenceEquals(data, graph);
        var spec = options.CreateSpec(graph.FeatureCount, graph.ClassCount);
        var network = TorchRuntime.Seeded(options.Seed, spec.Build);
        try
        {
            network.to(device);
            var history = Loop(network, data, split, options, onEpoch, channel);
            return new GatModel(network, data, ownsGraph, split, history);
        }
        catch
        {
            network.Dispose();
            if (ownsGraph) data.Dispose();
            throw;
        }
    }

    private static GatTrainingHistory Loop(GatNetwork network, GraphData graph, NodeSplit split, GatOptions options,
        Action<int, double, NodeClassificationMetrics>? onEpoch, IChannel? channel)
    {
        var clock = Stopwatch.StartNew();
        var device = graph.Features.device;
        var trainLosses = new List<double>();
        var validationLosses = new List<double>();
        var validationAccuracies = new List<double>();
        var parameters = network.parameters().ToList();
        bool earlyStopping = options.EarlyStopping != GatEarlyStopping.None && split.Validation.Count > 0;
        double bestLoss = double.PositiveInfinity, bestAccuracy = double.NegativeInfinity;
        int bestEpoch = -1, sinceImprovement = 0;
        bool stoppedEarly = false;

        using var generator = new torch.Generator((ulong)options.Seed);
        using var trainNodes = NodeSplit.ToTensor(split.Train, device);
        using var validationNodes = NodeSplit.ToTensor(split.Validation, device);
        using var optimizer = OptimizerFactory.Create(network.parameters(), options.Optimizer, network);
        var regularizer = TrainingRegularizers.Find(optimizer);
        var kept = parameters.Select(p => p.detach().clone()).ToArray();
        network.DropoutGenerator = generator;
        try
        {
            for (int epoch = 0; epoch < options.MaxEpochs; epoch++)
            {
                using var scope = torch.NewDisposeScope();
                network.train();
                var nodes = options.TrainingNodesPerStep is int m && m < split.Train.Count
                    ? trainNodes.index_select(0, torch.randperm(split.Train.Count, generator: generator).narrow(0, 0, m).to(device))
                    : trainNodes;
                Tensor? first = null;
                regularizer?.BeginBatch(new TrainingBatch(nodes, (int)graph.Labels.shape[0], epoch, OutputsAreLogits: true, generator));
                optimizer.step(() =>
                {
                    optimizer.zero_grad();
                    var logits = network.call(graph.Features, graph.EdgeIndex).index_select(0, nodes);
                    var loss = nn.functional.cross_entropy(logits, graph.Labels.index_select(0, nodes));
                    first ??= loss.detach();
                    if (regularizer is not null) loss = regularizer.Regularize(logits, loss);
                    loss.backward();
                    return loss;
                });
                double trainLoss = first!.to(float64).item<double>();
                if (!double.IsFinite(trainLoss))
                    throw new InvalidOperationException($"GAT training diverged at epoch {epoch + 1}: the training loss is {trainLoss}. Lower the learning rate ({options.Optimizer.LearningRate}).");

                network.eval();
                NodeClassificationMetrics validation;
                using (torch.no_grad())
                    validation = NodeClassificationMetrics.Measure(network.call(graph.Features, graph.EdgeIndex), graph.Labels, validationNodes);
                trainLosses.Add(trainLoss);
                validationLosses.Add(validation.Loss);
                validationAccuracies.Add(validation.Accuracy);
                channel?.Info(MessageSensitivity.None,
                    Invariant($"Epoch {epoch + 1}/{options.MaxEpochs}: training loss {trainLoss:G6}, validation loss {validation.Loss:G6}, validation accuracy {validation.Accuracy:P1}"));
                onEpoch?.Invoke(epoch, trainLoss, validation);
                if (!earlyStopping)
                {
                    bestEpoch = epoch;
                    continue;
                }

                bool lossImproved = validation.Loss <= bestLoss;
                bool accuracyImproved = validation.Accuracy >= bestAccuracy;
                bool improved, keep;
                if (options.EarlyStopping == GatEarlyStopping.ValidationLoss)
                {
                    improved = validation.Loss < bestLoss;
                    keep = improved;
                }
                else
                {
                    improved = lossImproved || accuracyImproved;
                    keep = lossImproved && accuracyImproved;
                }
                if (keep)
                {
                    bestEpoch = epoch;
                    using var _ = torch.no_grad();
                    for (int i = 0; i < parameters.Count; i++) kept[i].copy_(parameters[i]);
                }
                if (improved)
                {
                    bestLoss = Math.Min(bestLoss, validation.Loss);
                    bestAccuracy = Math.Max(bestAccuracy, validation.Accuracy);
                    sinceImprovement = 0;
                }
                else if (++sinceImprovement >= options.Patience)
                {
                    stoppedEarly = epoch + 1 < options.MaxEpochs;
                    break;
                }
            }
            if (earlyStopping && bestEpoch >= 0)
            {
                using var _ = torch.no_grad();
                for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(kept[i]);
            }
        }
        finally
        {
            network.DropoutGenerator = null;
            network.eval();
            foreach (var k in kept) k.Dispose();
        }
        channel?.Info(MessageSensitivity.None, Invariant($"Stopped after {trainLosses.Count} epochs{(stoppedEarly ? " (early stopping)" : "")}; kept the weights of epoch {bestEpoch + 1}."));
        return new GatTrainingHistory(trainLosses, validationLosses, validationAccuracies, bestEpoch, stoppedEarly, clock.Elapsed);
    }
}
