using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Datasets;

namespace SharpnessML.Trainers.Tests.LeNet5;

/// <summary>Two LeNet-5 models trained with the same seed on 5,000 FashionMNIST images for 2 epochs, shared by the tests.</summary>
public sealed class LeNet5TrainingFixture : IDisposable
{
    private readonly Lazy<(IDataView Train, IDataView Test, TorchNetworkTransformer First, TorchNetworkTransformer Second)> runs;

    public LeNet5TrainingFixture()
    {
        runs = new(() =>
        {
            var train = FashionMnistDataset.Load(MLContext, FashionMnistSplit.Train, maxExamples: 5_000);
            var test = FashionMnistDataset.Load(MLContext, FashionMnistSplit.Test, maxExamples: 1_000);
            return (train, test, Train(train), Train(train));
        });
    }

    public MLContext MLContext { get; } = new(seed: 0);

    public static LeNet5Options Options()
    {
        var options = LeNet5Options.SeedPaperFashionMnist();
        options.MaxEpochs = 2;
        options.StoppingRelativeChange = -1;
        options.Seed = 3;
        return options;
    }

    private TorchNetworkTransformer Train(IDataView data) => MLContext.MulticlassClassification.Trainers.LeNet5(Options()).Fit(data);

    public IDataView TrainData => runs.Value.Train;
    public IDataView TestData => runs.Value.Test;
    public TorchNetworkTransformer First => runs.Value.First;
    public TorchNetworkTransformer Second => runs.Value.Second;

    public void Dispose()
    {
        if (!runs.IsValueCreated) return;
        runs.Value.First.Dispose();
        runs.Value.Second.Dispose();
    }
}

public sealed class LeNet5TrainerTests : IClassFixture<LeNet5TrainingFixture>
{
    private readonly LeNet5TrainingFixture fixture;

    public LeNet5TrainerTests(LeNet5TrainingFixture fixture) => this.fixture = fixture;

    [FashionMnistFact]
    public void SameSeedGivesBitIdenticalParameters()
    {
        var first = fixture.First.Parameters;
        var second = fixture.Second.Parameters;
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
            Assert.Equal(first[i].data<float>().ToArray(), second[i].data<float>().ToArray());
        Assert.Equal(fixture.First.Training!.EpochLosses, fixture.Second.Training!.EpochLosses);
        Assert.Equal(2, fixture.First.Training.Epochs);
        Assert.Equal(2 * 79, fixture.First.Training.Steps); // ⌈5000 / 64⌉ = 79 steps an epoch
    }

    [FashionMnistFact]
    public void ReachesASensibleTestAccuracy()
    {
        var metrics = NetworkEvaluation.Evaluate(fixture.First, fixture.TestData);
        Assert.Equal(1_000, metrics.Count);
        Assert.True(metrics.Accuracy > 0.70, $"Test accuracy after 2 epochs on 5,000 images is {metrics.Accuracy:P1}.");
        Assert.True(double.IsFinite(metrics.MeanLoss) && metrics.MeanLoss > 0);
        Assert.IsType<LeNet5Spec>(fixture.First.Spec);
        Assert.Equal(LeNet5Spec.Reference, fixture.First.Spec);
    }

    [FashionMnistFact]
    public void ModelFileRoundTripGivesIdenticalPredictions()
    {
        var mlContext = fixture.MLContext;
        var sample = mlContext.Data.TakeRows(fixture.TestData, 200);
        var path = Path.Combine(Path.GetTempPath(), $"sharpnessml-lenet5-{Guid.NewGuid():N}.zip");
        try
        {
            SharpnessModelFile.Save(mlContext, fixture.First, sample.Schema, path);
            var loaded = SharpnessModelFile.Load(mlContext, path, out var schema);
            Assert.Equal(LeNet5Spec.Reference, SharpnessModelFile.Split(loaded).Network.Spec);
            var original = Scores(fixture.First.Transform(sample));
            var reloaded = Scores(loaded.Transform(sample));
            Assert.Equal(200, reloaded.Count);
            Assert.Equal(original.Select(r => r.Predicted), reloaded.Select(r => r.Predicted));
            Assert.Equal(original.SelectMany(r => r.Scores), reloaded.SelectMany(r => r.Scores));
            var engine = mlContext.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded, inputSchemaDefinition: ImageRow.Schema());
            var row = new ImageRow { Features = FashionMnistRows.ReadRows(sample)[0].Features };
            Assert.Equal(original[0].Scores, engine.Predict(row).Score);
            (SharpnessModelFile.Split(loaded).Network as IDisposable).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [FashionMnistFact]
    public void PredictedLabelIsTheArgmaxKeyAndMatchesMLNetsEvaluator()
    {
        var scored = fixture.First.Transform(fixture.TestData);
        var rows = Scores(scored);
        Assert.All(rows, r => Assert.Equal((uint)Array.IndexOf(r.Scores, r.Scores.Max()) + 1, r.Predicted));
        var metrics = fixture.MLContext.MulticlassClassification.Evaluate(scored);
        Assert.Equal(NetworkEvaluation.Evaluate(fixture.First, fixture.TestData).Accuracy, metrics.MicroAccuracy, 6);
    }

    [FashionMnistFact]
    public void NetworkEvaluationRestoresTrainingMode()
    {
        using var data = SupervisedTensors.FromDataView(fixture.TestData, "Features", "Label", NetworkTask.MulticlassClassification);
        var network = fixture.First.Network;
        var before = NetworkEvaluation.Evaluate(network, data, LossFunction.CrossEntropy, batchSize: 300);
        network.train();
        try
        {
            var during = NetworkEvaluation.Evaluate(network, data, LossFunction.CrossEntropy, batchSize: 1000);
            Assert.True(network.training);
            Assert.Equal(before.Accuracy, during.Accuracy);
            Assert.Equal(before.MeanLoss, during.MeanLoss, 5);
        }
        finally
        {
            network.eval();
        }
    }

    [Fact]
    public void CatalogBuildsTheTrainerWithItsDefaults()
    {
        var trainer = new MLContext().MulticlassClassification.Trainers.LeNet5(learningRate: 0.02, maxEpochs: 3, seed: 5);
        Assert.Equal(OptimizerKind.Adam, trainer.Options.Optimizer.Kind);
        Assert.Equal(0.02, trainer.Options.Optimizer.LearningRate);
        Assert.Equal(0, trainer.Options.Optimizer.Momentum);
        Assert.Equal(3, trainer.Options.MaxEpochs);
        Assert.Equal(5, trainer.Options.Seed);
        Assert.Equal(64, trainer.Options.BatchSize);
        Assert.Equal((0.1, 10, true, -1.0), (trainer.Options.ValidationFraction, trainer.Options.EarlyStoppingPatience, trainer.Options.RestoreBestWeights, trainer.Options.StoppingRelativeChange));
        Assert.Equal(LeNet5Spec.Reference, trainer.Options.Architecture);
        Assert.Equal(NetworkTask.MulticlassClassification, trainer.Task);
        var paper = LeNet5Options.SeedPaperFashionMnist();
        Assert.Equal((OptimizerKind.Sgd, 0.01, 0.9, 64, 10, 0.05, 0.0, 0), (paper.Optimizer.Kind, paper.Optimizer.LearningRate, paper.Optimizer.Momentum,
            paper.BatchSize, paper.MaxEpochs, paper.StoppingRelativeChange, paper.ValidationFraction, paper.EarlyStoppingPatience));
    }

    [Fact]
    public void NonSquareFeaturesAreRefused()
    {
        var mlContext = new MLContext();
        var rows = Enumerable.Range(0, 4).Select(i => new NarrowRow { Features = new float[10], Label = i % 2 });
        var schema = SchemaDefinition.Create(typeof(NarrowRow));
        schema[nameof(NarrowRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 10);
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);
        var e = Assert.Throws<ArgumentException>(() => mlContext.MulticlassClassification.Trainers.LeNet5().Fit(data));
        Assert.Contains("perfect square", e.Message);
    }

    private static List<(float[] Scores, uint Predicted)> Scores(IDataView scored)
    {
        var result = new List<(float[], uint)>();
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Score" or "PredictedLabel"));
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var predicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            score(ref buffer);
            predicted(ref key);
            result.Add((buffer.DenseValues().ToArray(), key));
        }
        return result;
    }

    public sealed class ImageRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public static SchemaDefinition Schema()
        {
            var schema = SchemaDefinition.Create(typeof(ImageRow));
            schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
            return schema;
        }
    }

    public sealed class NarrowRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }

    public sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
        public uint PredictedLabel { get; set; }
    }
}
