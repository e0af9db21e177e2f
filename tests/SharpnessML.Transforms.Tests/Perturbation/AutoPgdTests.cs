using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace SharpnessML.Transforms.Tests.Perturbation;

public class AutoPgdTests(ITestOutputHelper output)
{
    [Fact]
    public void CheckpointsFollowCroceAndHein()
    {
        // p = 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99 (Croce & Hein 2020, Sec. 3.2).
        var expected = new[] { 22, 41, 57, 70, 80, 87, 93, 99 };
        var method = typeof(WorstCaseSharpness).GetNestedType("Ascent", System.Reflection.BindingFlags.NonPublic)!
            .GetMethod("Checkpoints", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var actual = ((HashSet<int>)method.Invoke(null, new object[] { 100 })!).OrderBy(c => c);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void AutoPgdFindsTheQuadraticMaximum()
    {
        using var scope = torch.NewDisposeScope();
        var eigenvalues = new[] { 5.0, 3.0, 2.0, 1.0, 0.5, -1.0 };
        var a = TestModels.SymmetricWithSpectrum(eigenvalues, seed: 8, dtype: float32);
        var (landscape, _) = TestModels.Quadratic(a, torch.zeros(eigenvalues.Length));
        var metrics = WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions
        {
            Rho = 0.1, Norm = PerturbationNorm.L2, Adaptive = false, Algorithm = AscentAlgorithm.AutoPgd, Steps = 100, Restarts = 2, Batches = 1, BatchSize = 1,
        });
        double expected = 0.5 * 0.01 * 5.0;
        Assert.InRange(metrics.Sharpness, 0.99 * expected, 1.0 + 1e-6 * expected);
    }

    [Theory]
    [InlineData(PerturbationNorm.LInfinity)]
    [InlineData(PerturbationNorm.L2)]
    public void AutoPgdIsAtLeastAsStrongAsPgaAtTheSameBudgetAndRestartsNeverHurt(PerturbationNorm norm)
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(256, 5, seed: 21);
        var net = TestModels.TrainedMlp(data, new[] { 5, 32, 32, 1 }, seed: 4);
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError);
        WorstCaseSharpnessOptions Options(AscentAlgorithm algorithm, int restarts) => new()
        {
            Rho = 0.1, Norm = norm, Algorithm = algorithm, Steps = 20, Restarts = restarts, Batches = 8, Seed = 5,
        };
        double pga = WorstCaseSharpness.Estimate(landscape, Options(AscentAlgorithm.Pga, 1)).Sharpness;
        double apgd = WorstCaseSharpness.Estimate(landscape, Options(AscentAlgorithm.AutoPgd, 1)).Sharpness;
        double apgd3 = WorstCaseSharpness.Estimate(landscape, Options(AscentAlgorithm.AutoPgd, 3)).Sharpness;
        output.WriteLine($"{norm}: PGA {pga:G6}, Auto-PGD {apgd:G6}, Auto-PGD ×3 restarts {apgd3:G6}");
        Assert.True(apgd >= pga * 0.999, $"Auto-PGD {apgd} < PGA {pga}");
        Assert.True(apgd3 >= apgd, $"restarts lowered the estimate: {apgd3} < {apgd}");
    }
}
