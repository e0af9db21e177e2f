using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Graphs;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using SharpnessML.Datasets;

namespace SharpnessML.Trainers.Tests.Graphs;

/// <summary>Cora as an ML.NET view (one row per node) and one short GAT fitted through the catalog.</summary>
public sealed class CoraGatEstimatorFixture : IDisposable
{
    public CoraGatEstimatorFixture()
    {
        Graph = CoraDataset.Load();
        Split = CoraDataset.StandardSplit(Graph, seed: 0);
        Data = Graph.ToDataView(Ml);
        Estimator = Ml.MulticlassClassification.Trainers.Gat(Graph.EdgeIndex, Options(seed: 1), Split);
        Model = Estimator.Fit(Data);
    }

    public static GatOptions Options(int seed) => new() { Heads = 1, MaxEpochs = 15, Seed = seed };

    public MLContext Ml { get; } = new(seed: 0);
    public GraphData Graph { get; }
    public NodeSplit Split { get; }
    public IDataView Data { get; }
    public GatTrainer Estimator { get; }
    public TorchNetworkTransformer Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        Graph.Dispose();
    }
}

public sealed class GatEstimatorTests : IClassFixture<CoraGatEstimatorFixture>, IDisposable
{
    private readonly CoraGatEstimatorFixture cora;
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-gat-").FullName;

    private readonly ITestOutputHelper output;

    public GatEstimatorTests(CoraGatEstimatorFixture cora, ITestOutputHelper output)
    {
        this.cora = cora;
        this.output = output;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static float[][] Scores(ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<float[]>(ColumnNames.Score).ToArray();

    [Fact]
    public void TheEstimatorScoresEveryNodeExactlyAsTheGatTrainerModel()
    {
        using var scope = torch.NewDisposeScope();
        using var reference = GatTrainingLoop.Train(cora.Graph, cora.Split, CoraGatEstimatorFixture.Options(seed: 1));
        var expected = reference.Logits().softmax(1).data<float>().ToArray();
        var scores = Scores(cora.Model, cora.Data);
        Assert.Equal(CoraDataset.NodeCount, scores.Length);
        // The same weights on the same graph; the two forward passes may round differently in the
        // last bit (matmul blocking depends on the features tensor's allocation), hence 1e-6.
        var actual = scores.SelectMany(s => s).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));

        // PredictedLabel is the key of the most probable class; accuracy on the test nodes is the trainer's.
        var predicted = cora.Model.Transform(cora.Data).GetColumn<uint>(ColumnNames.PredictedLabel).ToArray();
        var labels = cora.Graph.LabelArray();
        double accuracy = cora.Split.Test.Average(i => predicted[i] == labels[i] + 1 ? 1.0 : 0.0);
        Assert.Equal(reference.TestMetrics.Accuracy, accuracy, 12);
        Assert.Equal(cora.Estimator.LastFit!.Test.Accuracy, accuracy, 12);
        output.WriteLine($"test accuracy {accuracy:P1} after 15 epochs (1 head)");
        Assert.True(accuracy > 0.5, $"test accuracy {accuracy:P1} after 15 epochs");
        Assert.False(cora.Model.IsRowToRowMapper);
    }

    [Fact]
    public void AGatRoundTripsThroughTheModelFileWithItsGraph()
    {
        var path = Path.Combine(folder, "gat.zip");
        cora.Ml.Sharpness().Model.Save(cora.Model, cora.Data.Schema, path);
        var manifest = SharpnessModelFile.ReadManifest(path);
        var spec = Assert.IsType<GatGraphSpec>(manifest.Network);
        Assert.Equal(CoraDataset.NodeCount, spec.NodeCount);
        Assert.Equal(cora.Graph.EdgeCount, spec.EdgeCount);
        Assert.Equal(140, spec.TrainingNodeCount);
        Assert.Equal(new GatSpec(CoraDataset.FeatureCount, CoraDataset.ClassCount, Heads: 1), spec.Architecture);

        var loaded = cora.Ml.Sharpness().Model.Load(path, out _);
        var network = Assert.IsType<GatNetwork>(loaded.GetNetwork().Network);
        Assert.True(TensorAssert.SameValues(cora.Graph.EdgeIndex, network.EdgeIndexTensor));
        Assert.Equal(cora.Split.Train, network.TrainingNodes.data<long>().ToArray());
        // The weights round-trip exactly; the softmax over each node's neighbours is summed by a scatter whose order
        // libtorch does not fix, so scores may differ in the last bit between two forward passes.
        var expected = Scores(cora.Model, cora.Data);
        var actual = Scores(loaded, cora.Data);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int c = 0; c < expected[i].Length; c++) Assert.Equal(expected[i][c], actual[i][c], 1e-6);
        }
    }

    [Fact]
    public void AGatWritesItsOutputsUnderTheOptionsColumnNamesAndTheModelFileKeepsThem()
    {
        var options = new GatOptions { Heads = 1, MaxEpochs = 2, Seed = 1, ScoreColumnName = "Probabilities", PredictedLabelColumnName = "Class" };
        using var model = cora.Ml.MulticlassClassification.Trainers.Gat(cora.Graph.EdgeIndex, options, cora.Split).Fit(cora.Data);
        var scored = model.Transform(cora.Data);
        Assert.Null(scored.Schema.GetColumnOrNull(ColumnNames.Score));
        Assert.Null(scored.Schema.GetColumnOrNull(ColumnNames.PredictedLabel));
        Assert.IsType<KeyDataViewType>(scored.Schema["Class"].Type);
        Assert.Equal(CoraDataset.NodeCount, scored.GetColumn<uint>("Class").Count());
        var expected = scored.GetColumn<float[]>("Probabilities").ToArray();

        var path = Path.Combine(folder, "gat-columns.zip");
        cora.Ml.Sharpness().Model.Save(model, cora.Data.Schema, path);
        var loaded = cora.Ml.Sharpness().Model.Load(path, out _).Transform(cora.Data);
        Assert.Null(loaded.Schema.GetColumnOrNull(ColumnNames.Score));
        Assert.IsType<KeyDataViewType>(loaded.Schema["Class"].Type);
        // As in the round trip above: equal weights, scores equal up to the scatter's last-bit rounding.
        var actual = loaded.GetColumn<float[]>("Probabilities").ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            for (int c = 0; c < expected[i].Length; c++) Assert.Equal(expected[i][c], actual[i][c], 1e-6);
    }

    [Fact]
    public void TheLandscapeOfALoadedGatIsTheTrainingNodesCrossEntropy()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(folder, "gat-landscape.zip");
        cora.Ml.Sharpness().Model.Save(cora.Model, cora.Data.Schema, path);
        var loaded = cora.Ml.Sharpness().Model.Load(path, out _);
        var landscape = cora.Ml.Sharpness().CreateLandscape(loaded, cora.Data, out _);
        Assert.Equal(140, landscape.ExampleCount);

        using var reference = GatTrainingLoop.Train(cora.Graph, cora.Split, CoraGatEstimatorFixture.Options(seed: 1));
        var expected = GraphLossLandscape.ForGat(reference);
        Assert.Equal(expected.ParameterCount, landscape.ParameterCount);
        using (torch.no_grad())
        {
            Assert.Equal(reference.TrainMetrics.Loss, landscape.Loss().item<float>(), 5);
            var batch = torch.tensor(new long[] { 3, 50, 139 });
            Assert.Equal(expected.Loss(batch).item<float>(), landscape.Loss(batch).item<float>());
        }
        var measured = WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions { Rho = 0.01, Steps = 2, Batches = 1, BatchSize = 32, Seed = 1 });
        Assert.True(measured.Sharpness > 0 && double.IsFinite(measured.Sharpness), $"sharpness {measured.Sharpness}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameGatAndAnotherSeedAnother()
    {
        TorchNetworkTransformer Fit(int seed) =>
            cora.Ml.MulticlassClassification.Trainers.Gat(cora.Graph.EdgeIndex, new GatOptions { Heads = 2, MaxEpochs = 3, Seed = seed }, cora.Split).Fit(cora.Data);
        using var a = Fit(5);
        using var b = Fit(5);
        using var c = Fit(6);
        var (pa, pb, pc) = (a.Parameters, b.Parameters, c.Parameters);
        for (int i = 0; i < pa.Count; i++) Assert.True(TensorAssert.SameValues(pa[i], pb[i]), $"parameter {i} differs between equal seeds");
        Assert.Contains(pa.Select((p, i) => TensorAssert.SameValues(p, pc[i])), same => !same);
    }

    [Fact]
    public void DataWithAnotherNumberOfRowsIsRefused()
    {
        var fewer = cora.Ml.Data.TakeRows(cora.Data, 100);
        var e = Assert.Throws<ArgumentException>(() => cora.Model.Transform(fewer).GetColumn<uint>(ColumnNames.PredictedLabel).ToArray());
        Assert.Contains("2708", e.Message);
        Assert.Throws<NotSupportedException>(() => cora.Model.GetRowToRowMapper(cora.Data.Schema));
    }
}
