using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Baselines;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using TorchSharp;

namespace SharpnessML.Transforms.Tests.Baselines;

public class BaselineRegistryTests
{
    private static readonly string[] Names = { "pac-bayes", "pac-bayes-plain", "fisher-rao", "weight-l2-norm", "weight-l1-norm", "log-prod-of-fro" };

    [Fact]
    public void EveryBaselineRunsByNameOnAClassifierAndLeavesTheModelAlone()
    {
        using var scope = torch.NewDisposeScope();
        var data = BaselineTestModels.Blobs(60, seed: 8);
        var net = (MlpNetwork)SharpnessML.Trainers.TorchRuntime.Seeded(3, () => new MlpSpec(new[] { 2, 8, 3 }, Activation.Relu).Build());
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy);
        var before = BaselineTestModels.State(net);
        foreach (var name in Names)
        {
            Assert.Contains(name, MeasureRegistry.BuiltIn.Names);
            var result = MeasureRegistry.BuiltIn.Measure(name, landscape, new MeasureSettings(Seed: 1));
            Assert.Equal(name, result.Measure);
            Assert.True(double.IsFinite(result.Value), $"{name} = {result.Value}");
        }
        BaselineTestModels.AssertUnchanged(net, before);

        var pac = MeasureRegistry.BuiltIn.Measure("pac-bayes", landscape, new MeasureSettings(Seed: 1));
        var pacMetrics = pac.MetricsAs<PacBayesMetrics>();
        double sigma = pacMetrics.Sigma;
        Assert.Equal(1 / (sigma * sigma), pac.Value);
        Assert.Equal(PacBayesCriterion.AccuracyDrop, pacMetrics.Criterion);
        Assert.Equal(1e-3, pacMetrics.Epsilon);
        Assert.Contains(new KeyValuePair<string, object>("criterion", "accuracy-drop"), pacMetrics.Details());
        Assert.Contains(new KeyValuePair<string, object>("epsilon", 1e-3), pacMetrics.Details());
        Assert.Equal(pac.Value, MeasureRegistry.BuiltIn.Measure("pac-bayes", landscape, new MeasureSettings(Seed: 1)).Value);

        var norms = WeightNorms.Compute(landscape, new WeightNormOptions());
        Assert.Equal(norms.L2, MeasureRegistry.BuiltIn.Measure("weight-l2-norm", landscape, new MeasureSettings()).Value);
        Assert.Equal(norms.L1, MeasureRegistry.BuiltIn.Measure("weight-l1-norm", landscape, new MeasureSettings()).Value);
        Assert.Equal(FisherRaoNorm.Compute(landscape, new FisherRaoNormOptions()).Value,
            MeasureRegistry.BuiltIn.Measure("fisher-rao", landscape, new MeasureSettings()).Value);
    }

    [Fact]
    public void PacBayesOnARegressionUsesTheLossCriterion()
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(50, 3, seed: 1);
        var net = (MlpNetwork)SharpnessML.Trainers.TorchRuntime.Seeded(3, () => new MlpSpec(new[] { 3, 8, 1 }, Activation.Relu).Build());
        var result = MeasureRegistry.BuiltIn.Measure("pac-bayes-plain", LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError), new MeasureSettings());
        Assert.Equal(PacBayesCriterion.RelativeLossIncrease, result.MetricsAs<PacBayesMetrics>().Criterion);
        Assert.Contains(new KeyValuePair<string, object>("criterion", "relative-loss-increase"), result.Metrics.Details());
        Assert.DoesNotContain(result.Metrics.Details(), d => d.Key == "epsilon");
        Assert.True(result.Value > 0);
    }
}
