using SharpnessML.Trainers.Graphs;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Datasets;

namespace SharpnessML.Trainers.Tests.Graphs;

/// <summary>One short GAT training on Cora (1 head, 30 epochs), shared by the tests that only read it.</summary>
public sealed class ShortGatOnCora : IDisposable
{
    public ShortGatOnCora()
    {
        Graph = CoraDataset.Load();
        Split = CoraDataset.StandardSplit(Graph, seed: 0);
        Model = GatTrainingLoop.Train(Graph, Split, Options());
    }

    public static GatOptions Options() => new() { Heads = 1, MaxEpochs = 30, Seed = 1 };

    public GraphData Graph { get; }
    public NodeSplit Split { get; }
    public GatModel Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        Graph.Dispose();
    }
}

public class GatTrainerTests : IClassFixture<ShortGatOnCora>
{
    private readonly ShortGatOnCora trained;

    public GatTrainerTests(ShortGatOnCora trained) => this.trained = trained;

    [Fact]
    public void AShortRunWithOneHeadClassifiesMostTestNodes()
    {
        var model = trained.Model;
        Assert.Same(trained.Graph, model.Graph); // already on the CPU: not copied
        Assert.Equal(30, model.History.Epochs);
        Assert.True(model.TestMetrics.Accuracy > 0.60, $"test accuracy {model.TestMetrics.Accuracy:P1}");
        Assert.Equal(1000, model.TestMetrics.Count);
        Assert.True(model.History.TrainLosses[^1] < model.History.TrainLosses[0]);
        Assert.False(model.Network.training);
        Assert.InRange(model.History.BestEpoch, 0, 29);
        // The kept weights are the best epoch's: its validation loss is the model's.
        Assert.Equal(model.History.ValidationLosses[model.History.BestEpoch], model.ValidationMetrics.Loss, 5);
    }

    [Fact]
    public void TrainingIsDeterministicForASeedIncludingNodeSampling()
    {
        GatModel Train(int seed) =>
            GatTrainingLoop.Train(trained.Graph, trained.Split, new GatOptions { Heads = 2, MaxEpochs = 6, Seed = seed, TrainingNodesPerStep = 50 });
        using var a = Train(3);
        using var b = Train(3);
        using var c = Train(4);
        Assert.Equal(a.History.TrainLosses, b.History.TrainLosses);
        var pa = a.Parameters;
        var pb = b.Parameters;
        var pc = c.Parameters;
        for (int i = 0; i < pa.Count; i++) Assert.True(TensorAssert.SameValues(pa[i], pb[i]), $"parameter {i} differs between equal seeds");
        Assert.Contains(pa.Select((p, i) => TensorAssert.SameValues(p, pc[i])), same => !same);
    }

    [Theory]
    [InlineData(SharpnessAwareKind.Saf)]
    [InlineData(SharpnessAwareKind.RenyiSam)]
    public void TheRegularisingOptimizersTrainTheGatDeterministically(SharpnessAwareKind method)
    {
        GatModel Train(SharpnessAwareKind kind)
        {
            var options = new GatOptions { Heads = 1, MaxEpochs = 5, Seed = 3, TrainingNodesPerStep = 50 };
            options.Optimizer.SharpnessAware = kind;
            options.Optimizer.SafEpochsBack = 1; // nodes not drawn one epoch earlier contribute nothing
            options.Optimizer.SafStartEpoch = 1;
            options.Optimizer.SafLambda = 1;
            return GatTrainingLoop.Train(trained.Graph, trained.Split, options);
        }
        using var a = Train(method);
        using var b = Train(method);
        using var plain = Train(SharpnessAwareKind.None);
        Assert.Equal(a.History.TrainLosses, b.History.TrainLosses);
        Assert.True(a.History.TrainLosses[^1] < a.History.TrainLosses[0], string.Join(", ", a.History.TrainLosses));
        Assert.Contains(a.Parameters.Select((p, i) => TensorAssert.SameValues(p, plain.Parameters[i])), same => !same);
    }

    [Fact]
    public void InvalidOptionsAndSplitsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GatTrainingLoop.Train(trained.Graph, trained.Split, new GatOptions { Heads = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GatTrainingLoop.Train(trained.Graph, trained.Split, new GatOptions { Dropout = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GatTrainingLoop.Train(trained.Graph, trained.Split, new GatOptions { Patience = 0 }));
        var outside = new NodeSplit(new long[] { 0, 5000 }, Array.Empty<long>(), Array.Empty<long>());
        Assert.Throws<ArgumentException>(() => GatTrainingLoop.Train(trained.Graph, outside, ShortGatOnCora.Options()));
    }

    [Fact]
    public void TheGraphLandscapeIsTheCrossEntropyOfTheChosenTrainingNodes()
    {
        using var scope = torch.NewDisposeScope();
        var model = trained.Model;
        var landscape = GraphLossLandscape.ForGat(model);
        Assert.Equal(140, landscape.ExampleCount);
        Assert.Equal(model.Parameters.Sum(p => p.numel()), landscape.ParameterCount);
        using (torch.no_grad())
        {
            Assert.Equal(model.TrainMetrics.Loss, landscape.Loss().item<float>(), 5);
            var indices = torch.tensor(new long[] { 0, 7, 139 });
            var nodes = model.TrainNodes.index_select(0, indices);
            var expected = nn.functional.cross_entropy(model.Logits().index_select(0, nodes), model.Graph.Labels.index_select(0, nodes));
            Assert.Equal(expected.item<float>(), landscape.Loss(indices).item<float>(), 6);
        }
    }

    [Fact]
    public void WorstCaseSharpnessRunsOnTheGraphLandscapeAndRestoresTheWeightsBitForBit()
    {
        using var scope = torch.NewDisposeScope();
        var model = trained.Model;
        var before = model.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var options = new WorstCaseSharpnessOptions { Rho = 0.05, Steps = 3, Batches = 2, BatchSize = 32, Seed = 2 };
        var metrics = WorstCaseSharpness.Estimate(GraphLossLandscape.ForGat(model), options);
        Assert.Equal(2, metrics.PerBatch.Count);
        Assert.All(metrics.PerBatch, gain => Assert.True(gain >= 0 && double.IsFinite(gain)));
        Assert.True(metrics.Sharpness > 0);
        Assert.False(model.Network.training);
        foreach (var (name, value) in model.Network.state_dict())
            Assert.True(TensorAssert.SameValues(before[name], value), $"{name} changed");
    }
}
