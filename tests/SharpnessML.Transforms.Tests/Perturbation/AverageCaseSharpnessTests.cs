using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Perturbation;

public class AverageCaseSharpnessTests
{
    [Theory]
    [InlineData(PerturbationNorm.L2, 1.0)]          // E[εᵀAε] = tr A for ε ~ N(0, I)
    [InlineData(PerturbationNorm.LInfinity, 1 / 3.0)] // E[ε_i²] = 1/3 for ε ~ U[−1, 1]
    public void AverageCaseSharpnessOfAQuadraticMatchesTheClosedForm(PerturbationNorm norm, double secondMoment)
    {
        // L(w) = ½ wᵀAw at w = 0 with δ = ρε: E[L(δ)] − L(0) = ½ ρ² E[εᵀAε] = ½ ρ² m₂ tr A.
        using var scope = torch.NewDisposeScope();
        var a = TestModels.SymmetricWithSpectrum(new[] { 4.0, 2.0, 1.0, 0.5, -0.5 }, seed: 5, dtype: float32);
        var (landscape, _) = TestModels.Quadratic(a, torch.zeros(5));
        var metrics = AverageCaseSharpness.Estimate(landscape, new AverageCaseSharpnessOptions
        {
            Rho = 0.2, Norm = norm, Adaptive = false, Samples = 50, Batches = 40, BatchSize = 1, Seed = 1,
        });
        double expected = 0.5 * 0.04 * secondMoment * 7.0;
        Assert.True(Math.Abs(metrics.Sharpness - expected) < 3 * metrics.StandardError,
            $"{metrics.Sharpness} ± {metrics.StandardError} vs {expected}");
        Assert.True(metrics.StandardError < 0.1 * expected);
    }

    [Fact]
    public void ZeroWeightsDoNotMoveUnderAdaptiveNoise()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.eye(3);
        var (landscape, _) = TestModels.Quadratic(a, torch.zeros(3));
        var metrics = AverageCaseSharpness.Estimate(landscape, new AverageCaseSharpnessOptions { Adaptive = true, Batches = 2, BatchSize = 1 });
        Assert.Equal(0.0, metrics.Sharpness);
    }
}
