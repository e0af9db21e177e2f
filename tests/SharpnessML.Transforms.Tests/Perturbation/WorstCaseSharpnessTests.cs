using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Perturbation;

public class WorstCaseSharpnessTests
{
    [Fact]
    public void StandardL2SharpnessOfAQuadraticAtItsMinimumIsHalfRhoSquaredLambdaMax()
    {
        // L(w) = ½ wᵀAw at w = 0: max_{‖δ‖₂ ≤ ρ} ½ δᵀAδ = ½ ρ² λ_max(A).
        using var scope = torch.NewDisposeScope();
        var eigenvalues = new[] { 5.0, 3.0, 2.0, 1.0, 0.5, 0.25, -1.0, -2.0 };
        var a = TestModels.SymmetricWithSpectrum(eigenvalues, seed: 3, dtype: float32);
        var (landscape, _) = TestModels.Quadratic(a, torch.zeros(eigenvalues.Length));
        const double rho = 0.1;
        var metrics = WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions
        {
            Rho = rho, Norm = PerturbationNorm.L2, Adaptive = false, Steps = 100, Restarts = 3, Batches = 1, BatchSize = 1,
        });
        double expected = 0.5 * rho * rho * eigenvalues.Max();
        Assert.InRange(metrics.Sharpness, 0.99 * expected, 1.01 * expected);
    }

    [Fact]
    public void StandardLInfSharpnessOfADiagonalQuadraticIsTheCornerValue()
    {
        // For A = diag(a) with a ≥ 0 the worst point of the box |δ_i| ≤ ρ is a corner: ½ ρ² Σ a_i.
        using var scope = torch.NewDisposeScope();
        var diagonal = new[] { 4f, 1f, 0.5f, 2f };
        var a = torch.diag(torch.tensor(diagonal));
        var (landscape, _) = TestModels.Quadratic(a, torch.zeros(4));
        var metrics = WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions
        {
            Rho = 0.2, Norm = PerturbationNorm.LInfinity, Adaptive = false, Steps = 30, Batches = 1, BatchSize = 1,
        });
        Assert.Equal(0.5 * 0.04 * diagonal.Sum(), metrics.Sharpness, 5);
    }

    [Fact]
    public void AdaptiveSharpnessIsInvariantToReluRescalingButStandardSharpnessIsNot()
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(256, 5, seed: 1);
        var original = TestModels.TrainedMlp(data, new[] { 5, 16, 16, 1 }, seed: 7);
        var rescaled = TestModels.TrainedMlp(data, new[] { 5, 16, 16, 1 }, seed: 7);
        const double alpha = 4.0;
        using (torch.no_grad())
        {
            rescaled.Layers[0].weight!.mul_(alpha);
            rescaled.Layers[0].bias!.mul_(alpha);
            rescaled.Layers[1].weight!.mul_(1 / alpha);
        }
        using (torch.no_grad())
        {
            var before = original.call(data.Features);
            var after = rescaled.call(data.Features);
            Assert.True(torch.allclose(before, after, rtol: 1e-4, atol: 1e-5), "Rescaling must not change the function.");
        }

        double Measure(MlpNetwork net, bool adaptive, PerturbationNorm norm) => WorstCaseSharpness.Estimate(
            LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError),
            new WorstCaseSharpnessOptions { Rho = adaptive ? 0.05 : 0.01, Adaptive = adaptive, Norm = norm, Batches = 4, Seed = 11 }).Sharpness;

        foreach (var norm in new[] { PerturbationNorm.LInfinity, PerturbationNorm.L2 })
        {
            double a0 = Measure(original, true, norm), a1 = Measure(rescaled, true, norm);
            Assert.True(a0 > 0);
            Assert.InRange(a1 / a0, 0.99, 1.01);
        }
        double s0 = Measure(original, false, PerturbationNorm.LInfinity), s1 = Measure(rescaled, false, PerturbationNorm.LInfinity);
        Assert.True(Math.Abs(s1 / s0 - 1) > 0.2, $"standard sharpness should change under rescaling: {s0} vs {s1}");
    }

    [Theory]
    [InlineData(PerturbationNorm.LInfinity, true)]
    [InlineData(PerturbationNorm.L2, true)]
    [InlineData(PerturbationNorm.LInfinity, false)]
    [InlineData(PerturbationNorm.L2, true, EllipsoidGeometry.Euclidean)]
    public void TheWorstCaseFoundIsNeverBelowTheLossAtRandomPointsOfTheSameSet(PerturbationNorm norm, bool adaptive, EllipsoidGeometry geometry = EllipsoidGeometry.Scaled)
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(128, 5, seed: 2);
        var net = TestModels.TrainedMlp(data, new[] { 5, 16, 1 }, seed: 3);
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError);
        var options = new WorstCaseSharpnessOptions { Rho = 0.05, Norm = norm, Adaptive = adaptive, L2Geometry = geometry, Batches = 1, BatchSize = data.Count };
        var metrics = WorstCaseSharpness.Estimate(landscape, options);
        double worst = metrics.BaseLosses[0] + metrics.PerBatch[0];

        var parameters = landscape.Parameters;
        var weights = ParameterVectors.Clone(parameters);
        using var set = new PerturbationSet(weights, options.Rho, norm, adaptive, geometry);
        using var g = new torch.Generator(99);
        double highestRandom = double.NegativeInfinity;
        for (int i = 0; i < 200; i++)
        {
            using var inner = torch.NewDisposeScope();
            var delta = set.RandomPoint(g);
            Assert.True(set.ScaledNorm(delta) <= options.Rho * (1 + 1e-5));
            ParameterVectors.Assign(parameters, PerturbationSet.Shift(weights, set.Split(delta)));
            using (torch.no_grad()) highestRandom = Math.Max(highestRandom, landscape.Loss().item<float>());
        }
        ParameterVectors.Assign(parameters, weights);
        Assert.True(worst >= highestRandom, $"worst case {worst} is below a random point's loss {highestRandom}");
    }

    [Fact]
    public void MeasuringRestoresEveryParameterAndBufferBitForBitAndTheTrainingMode()
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(64, 3, seed: 4);
        var net = TestModels.TrainedMlp(data, new[] { 3, 8, 1 }, seed: 5, steps: 5);
        net.train();
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        WorstCaseSharpness.Estimate(LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError), new WorstCaseSharpnessOptions { Batches = 2 });
        Assert.True(net.training);
        foreach (var (name, value) in net.state_dict())
            Assert.True(TensorAssert.SameValues(before[name], value), $"{name} changed");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void NonPositiveRhoIsRefusedNamingTheOption(double rho)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WorstCaseSharpnessOptions { Rho = rho }.Validate());
        Assert.Equal("Rho", e.ParamName);
    }
}
