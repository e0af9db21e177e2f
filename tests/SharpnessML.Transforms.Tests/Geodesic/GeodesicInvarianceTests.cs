using SharpnessML.Transforms.Geodesic;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using SharpnessML.TestKit.Geodesic;

namespace SharpnessML.Transforms.Tests.Geodesic;

public class GeodesicInvarianceTests(ITestOutputHelper output)
{
    private static GeodesicSharpnessOptions Geodesic(int seed) => new() { Rho = 0.1, Steps = 20, Batches = 4, BatchSize = 16, Seed = seed };

    private static WorstCaseSharpnessOptions WorstOptions(bool adaptive, int seed) => new()
    {
        Rho = adaptive ? 0.1 : 0.05, Norm = PerturbationNorm.L2, Adaptive = adaptive, Steps = 20, Batches = 4, BatchSize = 16, Seed = seed,
    };

    [Fact]
    public void DiagonalNetworkGeodesicSharpnessIsInvariantToRescalingButStandardSharpnessIsNot()
    {
        using var scope = torch.NewDisposeScope();
        var (original, x, y) = GeodesicTestModels.TrainedDiagonal();
        var (rescaled, _, _) = GeodesicTestModels.TrainedDiagonal();
        using var g = new torch.Generator(5);
        var alpha = torch.exp(torch.rand(original.U.shape, generator: g) * 3 - 1.5);
        using (torch.no_grad())
        {
            rescaled.U.mul_(alpha);
            rescaled.V.div_(alpha);
            Assert.True(torch.allclose(original.call(x), rescaled.call(x), rtol: 1e-5, atol: 1e-6), "Rescaling must not change the function.");
        }

        double Geo(DiagonalLinearNetwork net) => GeodesicSharpness.Estimate(
            GeodesicTestModels.Landscape(net, new[] { net.U, net.V }, x, y),
            new ISymmetryGeometry[] { new DiagonalNetworkGeometry(net.U, net.V) }, Geodesic(3)).Sharpness;
        double Std(DiagonalLinearNetwork net) => WorstCaseSharpness.Estimate(
            GeodesicTestModels.Landscape(net, new[] { net.U, net.V }, x, y), WorstOptions(false, 3)).Sharpness;

        double g0 = Geo(original), g1 = Geo(rescaled), s0 = Std(original), s1 = Std(rescaled);
        output.WriteLine($"diagonal: geodesic {g0:G9} -> {g1:G9} (rel. change {Math.Abs(g1 / g0 - 1):E2}); standard {s0:G6} -> {s1:G6} (rel. change {Math.Abs(s1 / s0 - 1):P1})");
        Assert.True(g0 > 0);
        Assert.InRange(Math.Abs(g1 / g0 - 1), 0, 1e-4);
        Assert.True(Math.Abs(s1 / s0 - 1) > 0.2, $"standard sharpness should change under rescaling: {s0} vs {s1}");
    }

    [Fact]
    public void AttentionGeodesicSharpnessIsInvariantToGLTransformsButStandardAndAdaptiveSharpnessAreNot()
    {
        using var scope = torch.NewDisposeScope();
        const int head = 2, heads = 2;
        var (original, x, y) = GeodesicTestModels.TrainedAttention(head: head, heads: heads);
        var (moved, _, _) = GeodesicTestModels.TrainedAttention(head: head, heads: heads);
        var m = GeodesicTestModels.WellConditioned(head, heads, kappa: 3, seed: 7, float32);
        var k = GeodesicTestModels.WellConditioned(head, heads, kappa: 3, seed: 8, float32);
        using (torch.no_grad())
        {
            moved.Query.copy_(moved.Query.matmul(m));
            moved.Key.copy_(moved.Key.matmul(torch.linalg.inv(m).t()));
            moved.Value.copy_(moved.Value.matmul(k));
            moved.Output.copy_(torch.linalg.inv(k).matmul(moved.Output));
            Assert.True(torch.allclose(original.call(x), moved.call(x), rtol: 1e-4, atol: 1e-5), "The GL transform must not change the function.");
        }

        LossLandscape Landscape(SelfAttentionRegressor net) => GeodesicTestModels.Landscape(net, net.parameters().ToList(), x, y);
        double Geo(SelfAttentionRegressor net) => GeodesicSharpness.Estimate(Landscape(net), new ISymmetryGeometry[]
        {
            AttentionGeometry.QueryKey(net.Query, net.Key, heads), AttentionGeometry.ValueOutput(net.Value, net.Output, heads),
        }, Geodesic(4)).Sharpness;
        double Worst(SelfAttentionRegressor net, bool adaptive) => WorstCaseSharpness.Estimate(Landscape(net), WorstOptions(adaptive, 4)).Sharpness;

        double g0 = Geo(original), g1 = Geo(moved);
        double s0 = Worst(original, false), s1 = Worst(moved, false);
        double a0 = Worst(original, true), a1 = Worst(moved, true);
        output.WriteLine($"attention: geodesic {g0:G9} -> {g1:G9} (rel. change {Math.Abs(g1 / g0 - 1):E2}); " +
            $"standard {s0:G6} -> {s1:G6} ({Math.Abs(s1 / s0 - 1):P1}); adaptive {a0:G6} -> {a1:G6} ({Math.Abs(a1 / a0 - 1):P1})");
        Assert.True(g0 > 0);
        Assert.InRange(Math.Abs(g1 / g0 - 1), 0, 1e-3);
        Assert.True(Math.Abs(s1 / s0 - 1) > 0.2, $"standard sharpness should change under the GL transform: {s0} vs {s1}");
        // Adaptive sharpness only absorbs element-wise rescaling, not a general GL(h) transform (paper, Fig. 7).
        Assert.True(Math.Abs(a1 / a0 - 1) > 0.1, $"adaptive sharpness should change under the GL transform: {a0} vs {a1}");
    }

    [Fact]
    public void WithoutDeclaredSymmetriesGeodesicSharpnessIsAdaptiveWorstCaseL2Sharpness()
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(128, 5, seed: 1);
        var net = TestModels.TrainedMlp(data, new[] { 5, 8, 1 }, seed: 3, steps: 100);
        var landscape = LossLandscape.ForSupervised(net, data, SharpnessML.Trainers.Training.LossFunction.MeanSquaredError);
        double geodesic = GeodesicSharpness.Estimate(landscape, Geodesic(2)).Sharpness;
        double adaptive = WorstCaseSharpness.Estimate(landscape, WorstOptions(true, 2)).Sharpness;
        output.WriteLine($"MLP without symmetries: geodesic {geodesic:G9}, adaptive worst-case L2 {adaptive:G9}");
        Assert.True(adaptive > 0);
        Assert.InRange(Math.Abs(geodesic / adaptive - 1), 0, 1e-4);
    }
}
