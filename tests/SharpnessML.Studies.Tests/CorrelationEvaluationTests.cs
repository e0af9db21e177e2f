using Microsoft.ML;
using SharpnessML.Studies;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Studies.Tests;

/// <summary><c>ml.Sharpness().EvaluateCorrelation</c> over a pool of models given as rows gives what a study reports.</summary>
public sealed class CorrelationEvaluationTests
{
    /// <summary>One model of the pool, as a user would load it from a CSV.</summary>
    private sealed class ModelRow
    {
        public double TestLoss { get; set; }
        public double GeneralizationGap { get; set; }
        public double Sharpness { get; set; }
        public string BatchSize { get; set; } = "";
        public string LearningRate { get; set; } = "";
        public string Replicate { get; set; } = "";
    }

    [Fact]
    public void ThePoolsRowsGiveTheStudysCorrelationsExactly()
    {
        var definition = TestStudies.SmallAbalone();
        definition.Models = 10;
        var study = new StudyRunner(definition).Run();
        var result = StudyResult.Create(definition, study, 0, 1, study.Count);
        var measure = definition.Measures[0].Name;

        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(study.Select(m => new ModelRow
        {
            TestLoss = m.TestLoss, GeneralizationGap = m.GeneralizationGap, Sharpness = m.Measurements[0].Value,
            BatchSize = m.Hyperparameters[HyperparameterAxes.BatchSize], LearningRate = m.Hyperparameters[HyperparameterAxes.LearningRate],
            Replicate = m.Hyperparameters[HyperparameterAxes.Replicate],
        }));
        foreach (var (column, target) in new[] { ("TestLoss", GeneralizationTarget.TestLoss), ("GeneralizationGap", GeneralizationTarget.GeneralizationGap) })
        {
            var metrics = ml.Sharpness().EvaluateCorrelation(rows, column, new[] { "Sharpness" }, new[] { "BatchSize", "LearningRate", "Replicate" }, bootstrapSeed: definition.BootstrapSeed);
            var expected = result.Correlations.Single(c => c.Measure == measure && c.Target == target);
            var actual = Assert.Single(metrics);
            Assert.Equal(10, actual.Models);
            Assert.Equal(expected.Kendall, actual.Kendall);
            Assert.Equal(expected.KendallInterval, actual.KendallInterval);
            Assert.Equal(expected.Spearman, actual.Spearman);
            Assert.Equal(expected.Pearson, actual.Pearson);
            Assert.NotNull(actual.Granulated);
            Assert.Equal(expected.Granulated!.Psi, actual.Granulated!.Psi);
            // The study's axes are named batchSize and learningRate, the columns BatchSize and LearningRate: same order.
            Assert.Equal(expected.Granulated.Axes.Select(a => (a.Psi, a.GroupsUsed, a.GroupsSkipped)), actual.Granulated.Axes.Select(a => (a.Psi, a.GroupsUsed, a.GroupsSkipped)));
            Assert.Equal(expected.ConditionalMutualInformation!.K, actual.ConditionalMutualInformation!.K);
            // Replicate is constant over these members: only the two axes that vary are granulated.
            Assert.Equal(new[] { "BatchSize", "LearningRate" }, actual.Granulated.Axes.Select(a => a.Axis));
        }
    }

    [Fact]
    public void AMissingColumnIsNamed()
    {
        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new ModelRow { TestLoss = i, Sharpness = i * i }));
        var error = Assert.Throws<ArgumentException>(() => ml.Sharpness().EvaluateCorrelation(rows, "TestLoss", new[] { "Sharpnes" }));
        Assert.Contains("'Sharpnes'", error.Message);
        error = Assert.Throws<ArgumentException>(() => ml.Sharpness().EvaluateCorrelation(rows, "TestLoss", new[] { "BatchSize" }));
        Assert.Contains("must hold numbers", error.Message);
    }

    [Fact]
    public void FewerThanThreeUsableModelsAreRefused()
    {
        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(new[] { 1.0, double.NaN, 2.0, double.PositiveInfinity }.Select((v, i) => new ModelRow { TestLoss = i, Sharpness = v }));
        var error = Assert.Throws<ArgumentException>(() => ml.Sharpness().EvaluateCorrelation(rows, "TestLoss", new[] { "Sharpness" }));
        Assert.Contains("at least 3 models", error.Message);
    }

    [Fact]
    public void PerfectlyOrderedPoolsGiveTauOne()
    {
        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 6).Select(i => new ModelRow { TestLoss = i, Sharpness = Math.Exp(i) }));
        var metrics = Assert.Single(ml.Sharpness().EvaluateCorrelation(rows, "TestLoss", new[] { "Sharpness" }));
        Assert.Equal(1.0, metrics.Kendall.Coefficient, 12);
        Assert.Equal(1.0, metrics.Spearman.Coefficient, 12);
        Assert.Equal(2.0 / 720, metrics.Kendall.PValue, 12); // exact null: P(τ = ±1) = 2/6!
        Assert.Null(metrics.Granulated);
    }
}
