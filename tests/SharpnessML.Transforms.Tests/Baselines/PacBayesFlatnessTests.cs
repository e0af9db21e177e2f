using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Baselines;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Baselines;

/// <summary>One trained classifier shared by the PAC-Bayes tests (every measure restores it bit for bit).</summary>
public sealed class TrainedClassifierFixture : IDisposable
{
    public TrainedClassifierFixture()
    {
        Data = BaselineTestModels.Blobs(400, seed: 3);
        Net = BaselineTestModels.TrainedClassifier(Data, new[] { 2, 16, 3 }, seed: 5);
    }

    public SupervisedTensors Data { get; }

    public MlpNetwork Net { get; }

    public LossLandscape Landscape => LossLandscape.ForSupervised(Net, Data, LossFunction.CrossEntropy);

    public void Dispose()
    {
        Net.Dispose();
        Data.Dispose();
    }
}

public class PacBayesFlatnessTests(TrainedClassifierFixture fixture) : IClassFixture<TrainedClassifierFixture>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheSigmaFoundMeetsTheAccuracyCriterionAndTwiceItDoesNot(bool magnitudeAware)
    {
        using var scope = torch.NewDisposeScope();
        var options = new PacBayesFlatnessOptions { MagnitudeAware = magnitudeAware, Seed = 1 };
        var m = PacBayesFlatness.Estimate(fixture.Landscape, options);
        double accuracy = BaselineTestModels.Accuracy(fixture.Net, fixture.Data);
        Assert.Equal(PacBayesCriterion.AccuracyDrop, m.Criterion);
        Assert.Equal(accuracy, m.BaseValue, 1e-12);
        Assert.True(accuracy > 0.85, $"training accuracy {accuracy}");
        Assert.Equal(1 / (m.Sigma * m.Sigma), m.Flatness);
        Assert.True(m.Converged, m.ToString());

        // Independent noise (own generator, 4× the draws): the drop at σ is d within Monte Carlo error,
        // the drop at 2σ is clearly above d.
        var at = BaselineTestModels.PerturbedMean(fixture.Net, fixture.Data, LossFunction.CrossEntropy, true, m.Sigma, magnitudeAware, options.Epsilon, 40, seed: 1234);
        var atTwice = BaselineTestModels.PerturbedMean(fixture.Net, fixture.Data, LossFunction.CrossEntropy, true, 2 * m.Sigma, magnitudeAware, options.Epsilon, 40, seed: 1234);
        double slack = 3 * Math.Sqrt(5) * at.StandardError; // the search used 10 draws: its error ≈ 2× ours
        Assert.InRange(accuracy - at.Mean, 0.1 - options.DeviationTolerance - slack, 0.1 + options.DeviationTolerance + slack);
        Assert.True(accuracy - atTwice.Mean > 0.1 + options.DeviationTolerance + 3 * Math.Sqrt(5) * atTwice.StandardError,
            $"drop at 2σ = {accuracy - atTwice.Mean}");
    }

    [Fact]
    public void MagnitudeAwareFlatnessIsInvariantToReluRescalingWhilePlainIsNot()
    {
        // Layer 0 (weight and bias) × 4, layer 1 weight ÷ 4: the same function. Powers of two keep it exact.
        using var scope = torch.NewDisposeScope();
        var rescaled = (MlpNetwork)new MlpSpec(new[] { 2, 16, 3 }, Activation.Relu).Build();
        using (torch.no_grad())
        {
            var source = fixture.Net.Layers;
            var target = rescaled.Layers;
            target[0].weight!.copy_(source[0].weight! * 4);
            target[0].bias!.copy_(source[0].bias! * 4);
            target[1].weight!.copy_(source[1].weight! / 4);
            target[1].bias!.copy_(source[1].bias!);
        }
        var rescaledLandscape = LossLandscape.ForSupervised(rescaled, fixture.Data, LossFunction.CrossEntropy);
        Assert.Equal(BaselineTestModels.Accuracy(fixture.Net, fixture.Data), BaselineTestModels.Accuracy(rescaled, fixture.Data));

        // ε = 0: exactly the same perturbed functions, so exactly the same search.
        var exact = new PacBayesFlatnessOptions { Epsilon = 0, Seed = 2 };
        var a = PacBayesFlatness.Estimate(fixture.Landscape, exact);
        var b = PacBayesFlatness.Estimate(rescaledLandscape, exact);
        Assert.Equal(a.Steps, b.Steps);

        // The paper's ε = 1e-3 breaks the symmetry only slightly.
        var paper = new PacBayesFlatnessOptions { Seed = 2 };
        double ratio = PacBayesFlatness.Estimate(rescaledLandscape, paper).Sigma / PacBayesFlatness.Estimate(fixture.Landscape, paper).Sigma;
        Assert.InRange(ratio, 0.95, 1.05);

        var plain = new PacBayesFlatnessOptions { MagnitudeAware = false, Seed = 2 };
        double plainRatio = PacBayesFlatness.Estimate(rescaledLandscape, plain).Sigma / PacBayesFlatness.Estimate(fixture.Landscape, plain).Sigma;
        Assert.True(plainRatio < 0.7 || plainRatio > 1.4, $"plain σ ratio {plainRatio}");
    }

    [Fact]
    public void TheSearchIsDeterministicForASeed()
    {
        using var scope = torch.NewDisposeScope();
        var a = PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions { Seed = 7 });
        var b = PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions { Seed = 7 });
        var c = PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions { Seed = 8 });
        Assert.Equal(a.Steps, b.Steps);
        Assert.NotEqual(a.Steps[0].Deviation, c.Steps[0].Deviation);
    }

    [Fact]
    public void BisectionHalvesTheBracketAndStopsAtTheStepBudgetOrWithinTolerance()
    {
        using var scope = torch.NewDisposeScope();
        var budget = PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions
        {
            MaxSteps = 5, DeviationTolerance = 1e-9, SigmaMin = 0.25, SigmaMax = 1.75,
        });
        Assert.False(budget.Converged);
        Assert.Equal(5, budget.Steps.Count);
        Assert.Equal(1.0, budget.Steps[0].Sigma);
        for (int k = 1; k < budget.Steps.Count; k++)
        {
            double half = 1.5 / Math.Pow(2, k + 1);
            double expected = budget.Steps[k - 1].Deviation <= budget.Target ? budget.Steps[k - 1].Sigma + half : budget.Steps[k - 1].Sigma - half;
            Assert.Equal(expected, budget.Steps[k].Sigma, 1e-15);
        }
        Assert.Equal(1.5 / 32, budget.Upper - budget.Lower, 1e-15);
        Assert.True(budget.Sigma == budget.Lower || budget.Sigma == budget.Upper);

        var tolerant = PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions { DeviationTolerance = 0.02 });
        Assert.True(tolerant.Converged);
        Assert.True(Math.Abs(tolerant.DeviationAtSigma - 0.1) <= 0.02);
        Assert.All(tolerant.Steps.SkipLast(1), s => Assert.True(Math.Abs(s.Deviation - 0.1) > 0.02));
    }

    [Fact]
    public void AnAccuracyFunctionStandsInForTheSupervisedProblem()
    {
        using var scope = torch.NewDisposeScope();
        var supervised = fixture.Landscape;
        var plain = new LossLandscape(fixture.Net, supervised.Parameters, i => supervised.Loss(i), supervised.ExampleCount);
        var options = new PacBayesFlatnessOptions { Seed = 4 };
        var expected = PacBayesFlatness.Estimate(supervised, options);
        var viaFunction = PacBayesFlatness.Estimate(plain, options, supervised.Supervised!.Accuracy);
        Assert.Equal(expected.Steps, viaFunction.Steps);
        // Without either, the landscape only has a loss.
        Assert.Equal(PacBayesCriterion.RelativeLossIncrease, PacBayesFlatness.Estimate(plain, new PacBayesFlatnessOptions { MaxSteps = 2 }).Criterion);
        Assert.Throws<ArgumentException>(() => PacBayesFlatness.Estimate(plain, new PacBayesFlatnessOptions { Criterion = PacBayesCriterion.AccuracyDrop }));
    }

    [Fact]
    public void ASubsetOfExamplesIsUsedWhenAsked()
    {
        using var scope = torch.NewDisposeScope();
        var m = PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions { MaxExamples = 100, MaxSteps = 3 });
        Assert.Equal(100, m.Examples);
        Assert.Equal(400, PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions { MaxSteps = 1 }).Examples);
    }

    [Fact]
    public void RegressionUsesTheRelativeLossIncrease()
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(200, 3, seed: 6);
        var net = TestModels.TrainedMlp(data, new[] { 3, 16, 1 }, seed: 2, steps: 100);
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError);
        var options = new PacBayesFlatnessOptions { Seed = 3 };
        var m = PacBayesFlatness.Estimate(landscape, options);
        Assert.Equal(PacBayesCriterion.RelativeLossIncrease, m.Criterion);
        double loss;
        using (torch.no_grad()) loss = landscape.Loss().item<float>();
        Assert.Equal(loss, m.BaseValue, 1e-6);

        var at = BaselineTestModels.PerturbedMean(net, data, LossFunction.MeanSquaredError, false, m.Sigma, true, options.Epsilon, 40, seed: 77);
        var atTwice = BaselineTestModels.PerturbedMean(net, data, LossFunction.MeanSquaredError, false, 2 * m.Sigma, true, options.Epsilon, 40, seed: 77);
        double slack = 3 * Math.Sqrt(5) * at.StandardError / loss;
        Assert.InRange((at.Mean - loss) / loss, 0.1 - options.DeviationTolerance - slack, 0.1 + options.DeviationTolerance + slack);
        Assert.True((atTwice.Mean - loss) / loss > 0.2, $"relative increase at 2σ = {(atTwice.Mean - loss) / loss}");
        Assert.Throws<ArgumentException>(() => PacBayesFlatness.Estimate(landscape, new PacBayesFlatnessOptions { Criterion = PacBayesCriterion.AccuracyDrop }));
    }

    [Fact]
    public void TheModelIsLeftBitForBitUnchanged()
    {
        using var scope = torch.NewDisposeScope();
        fixture.Net.train();
        try
        {
            var before = BaselineTestModels.State(fixture.Net);
            PacBayesFlatness.Estimate(fixture.Landscape, new PacBayesFlatnessOptions { MaxSteps = 3, Samples = 2, ChunkSize = 64 });
            BaselineTestModels.AssertUnchanged(fixture.Net, before);
            Assert.True(fixture.Net.training);
        }
        finally
        {
            fixture.Net.eval();
        }
    }

    [Theory]
    [InlineData(nameof(PacBayesFlatnessOptions.Criterion))]
    [InlineData(nameof(PacBayesFlatnessOptions.Epsilon))]
    [InlineData(nameof(PacBayesFlatnessOptions.Deviation))]
    [InlineData(nameof(PacBayesFlatnessOptions.RelativeLossIncrease))]
    [InlineData(nameof(PacBayesFlatnessOptions.DeviationTolerance))]
    [InlineData(nameof(PacBayesFlatnessOptions.SigmaMin))]
    [InlineData(nameof(PacBayesFlatnessOptions.SigmaMax))]
    [InlineData(nameof(PacBayesFlatnessOptions.MaxSteps))]
    [InlineData(nameof(PacBayesFlatnessOptions.Samples))]
    [InlineData(nameof(PacBayesFlatnessOptions.MaxExamples))]
    [InlineData(nameof(PacBayesFlatnessOptions.ChunkSize))]
    public void BadOptionsNameTheOption(string option)
    {
        var options = new PacBayesFlatnessOptions();
        switch (option)
        {
            case nameof(options.Criterion): options.Criterion = (PacBayesCriterion)42; break;
            case nameof(options.Epsilon): options.Epsilon = -1e-3; break;
            case nameof(options.Deviation): options.Deviation = 1; break;
            case nameof(options.RelativeLossIncrease): options.RelativeLossIncrease = double.NaN; break;
            case nameof(options.DeviationTolerance): options.DeviationTolerance = 0; break;
            case nameof(options.SigmaMin): options.SigmaMin = -0.5; break;
            case nameof(options.SigmaMax): options.SigmaMax = 0; break;
            case nameof(options.MaxSteps): options.MaxSteps = 0; break;
            case nameof(options.Samples): options.Samples = 0; break;
            case nameof(options.MaxExamples): options.MaxExamples = 0; break;
            case nameof(options.ChunkSize): options.ChunkSize = 0; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PacBayesFlatness.Estimate(fixture.Landscape, options));
        Assert.Equal(option, e.ParamName);
    }
}
