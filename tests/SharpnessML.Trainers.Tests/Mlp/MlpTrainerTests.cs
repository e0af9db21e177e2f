using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;
using TorchSharp;
using SharpnessML.Datasets;

namespace SharpnessML.Trainers.Tests.Mlp;

public class MlpTrainerTests
{
    internal static (ITransformer Model, IDataView Train, IDataView Test) TrainAbalone(int seed, int epochs = 3, Activation activation = Activation.Relu)
    {
        var ml = new MLContext(seed: 1);
        var split = AbaloneDataset.Split(ml, AbaloneDataset.Load(ml));
        // The seed paper's schedule (plain SGD, batch 64, the 5% rule, no validation set) with ReLU at learning rate 0.05.
        var options = MlpOptions.SeedPaperAbalone();
        options.Seed = seed;
        options.MaxEpochs = epochs;
        options.Activation = activation;
        options.Optimizer.LearningRate = 0.05;
        var pipeline = AbaloneDataset.FeaturePipeline(ml).Append(ml.Regression.Trainers.Mlp(options));
        return (pipeline.Fit(split.TrainSet), split.TrainSet, split.TestSet);
    }

    [Fact]
    public void AbaloneLoadsWithTheDocumentedCountsAndTheFeaturePipelineGivesTenStandardisedFeatures()
    {
        var ml = new MLContext(seed: 1);
        var data = AbaloneDataset.Load(ml);
        Assert.Equal(4177, data.GetColumn<float>("Rings").Count());
        Assert.Equal(9.934, data.GetColumn<float>("Rings").Average(), 3);
        var split = AbaloneDataset.Split(ml, data);
        var prepared = AbaloneDataset.FeaturePipeline(ml).Fit(split.TrainSet).Transform(split.TrainSet);
        var features = prepared.GetColumn<float[]>("Features").ToList();
        Assert.All(features, f => Assert.Equal(10, f.Length));
        for (int j = 0; j < 10; j++)
        {
            var column = features.Select(f => (double)f[j]).ToList();
            Assert.Equal(0, column.Average(), 3);
            Assert.Equal(1, Math.Sqrt(column.Select(v => v * v).Average()), 2);
        }
        var labels = prepared.GetColumn<float>("Label").ToList();
        Assert.Equal(0, labels.Average(), 3);
    }

    [Fact]
    public void TrainsAnAbaloneRegressorThatBeatsTheMeanAndAddsAScoreColumn()
    {
        var (model, _, test) = TrainAbalone(seed: 1);
        var predictions = model.Transform(test);
        var metrics = new MLContext().Regression.Evaluate(predictions);
        // Standardised label: predicting the mean gives MSE ≈ 1.
        Assert.InRange(metrics.MeanSquaredError, 0.2, 0.7);
        var network = model.GetNetwork();
        Assert.Equal(10, network.FeatureCount);
        Assert.Equal(10 * 64 + 64 + 64 * 64 + 64 + 64 + 1, network.Parameters.Sum(p => p.numel()));
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelAndAnotherSeedAnotherOne()
    {
        var a = TrainAbalone(seed: 5).Model.GetNetwork();
        var b = TrainAbalone(seed: 5).Model.GetNetwork();
        var c = TrainAbalone(seed: 6).Model.GetNetwork();
        for (int i = 0; i < a.Parameters.Count; i++)
            Assert.True(TensorAssert.SameValues(a.Parameters[i], b.Parameters[i]));
        Assert.False(TensorAssert.SameValues(a.Parameters[0], c.Parameters[0]));
    }

    [Fact]
    public void TheStoppingRuleEndsTrainingWhenTheLossImprovesByLessThanFivePercent()
    {
        var network = TrainAbalone(seed: 2, epochs: 10).Model.GetNetwork();
        var losses = network.Training!.EpochLosses;
        for (int i = 1; i + 1 < losses.Count; i++)
            Assert.True((losses[i - 1] - losses[i]) / losses[i - 1] >= 0.05, $"epoch {i + 1} should have stopped training");
        if (losses.Count < 10)
            Assert.True((losses[^2] - losses[^1]) / losses[^2] < 0.05);
    }

    [Fact]
    public void AMulticlassMlpPredictsKeysAndProbabilities()
    {
        var ml = new MLContext(seed: 1);
        // Points on the unit circle; the class is the third of the circle they lie in.
        var rows = Enumerable.Range(0, 600).Select(i => 2 * Math.PI * i / 600)
            .Select(t => new { X = new[] { (float)Math.Cos(t), (float)Math.Sin(t) }, Y = (uint)(3 * t / (2 * Math.PI)) }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new ClassRow { Features = r.X, Label = r.Y == 0 ? "a" : r.Y == 1 ? "b" : "c" }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: new[] { 16 }, learningRate: 0.2, maxEpochs: 10));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.LogLoss < 0.7 * Math.Log(3), $"log-loss {metrics.LogLoss} is hardly better than chance");
        Assert.True(metrics.MacroAccuracy > 0.8, $"accuracy {metrics.MacroAccuracy}");
        var scores = scored.GetColumn<float[]>("Score").First();
        Assert.Equal(3, scores.Length);
        Assert.Equal(1.0, scores.Sum(), 4);
    }

    private sealed class ClassRow
    {
        [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
        public string Label { get; set; } = "";
    }

    [Fact]
    public void AMissingColumnIsRefusedNamingIt()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new ClassRow { Features = new[] { 1f, 2f }, Label = "a" } });
        var e = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Mlp(labelColumnName: "Target").Fit(data));
        Assert.Contains("'Target'", e.Message);
    }

    [Fact]
    public void AWrongColumnTypeIsRefusedNamingIt()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new ClassRow { Features = new[] { 1f, 2f }, Label = "a" } });
        var e = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Mlp().Fit(data));
        Assert.Contains("Label column 'Label'", e.Message);
    }

    [Fact]
    public void NaNInTheDataIsRefusedNamingColumnAndRow()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new RegressionRow { Features = new[] { 1f, 2f }, Label = 1 },
            new RegressionRow { Features = new[] { float.NaN, 2f }, Label = 1 },
        });
        var e = Assert.Throws<InvalidDataException>(() => ml.Regression.Trainers.Mlp().Fit(data));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void InvalidOptionsAreRefusedNamingTheOption()
    {
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp(new MlpOptions { BatchSize = 0 }));
        Assert.Equal("BatchSize", e.ParamName);
        var lr = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp(learningRate: -1));
        Assert.Equal("LearningRate", lr.ParamName);
    }

    private sealed class RegressionRow
    {
        [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }
}
