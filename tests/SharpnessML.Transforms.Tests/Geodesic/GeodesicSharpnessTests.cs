using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Geodesic;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SharpnessML.TestKit.Geodesic;

namespace SharpnessML.Transforms.Tests.Geodesic;

public class GeodesicSharpnessTests
{
    private static GeodesicSharpnessOptions Small(int seed = 0) => new() { Rho = 0.1, Steps = 10, Batches = 2, BatchSize = 16, Seed = seed };

    [Fact]
    public void ParametersGradientsAndModeAreRestoredBitForBit()
    {
        using var scope = torch.NewDisposeScope();
        var (net, x, y) = GeodesicTestModels.TrainedAttention(n: 32, steps: 10);
        var landscape = GeodesicTestModels.Landscape(net, net.parameters().ToList(), x, y);
        var before = ParameterVectors.Clone(landscape.Parameters);
        var gradsBefore = landscape.Parameters.Select(p => p.grad?.detach().clone()).ToArray();
        net.train();
        var metrics = GeodesicSharpness.Estimate(landscape, new ISymmetryGeometry[]
        {
            AttentionGeometry.QueryKey(net.Query, net.Key, net.Heads), AttentionGeometry.ValueOutput(net.Value, net.Output, net.Heads),
        }, Small());
        Assert.True(metrics.Sharpness > 0);
        Assert.True(net.training);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.True(TensorAssert.SameValues(before[i], landscape.Parameters[i]), $"parameter {i} changed");
            var grad = landscape.Parameters[i].grad;
            Assert.Equal(gradsBefore[i] is null, grad is null);
            if (grad is not null) Assert.True(TensorAssert.SameValues(gradsBefore[i]!, grad), $"gradient {i} changed");
        }
    }

    [Fact]
    public void MoreRestartsAndTheGeodesicCorrectionBehaveAsDocumented()
    {
        using var scope = torch.NewDisposeScope();
        var (net, x, y) = GeodesicTestModels.TrainedDiagonal();
        var landscape = GeodesicTestModels.Landscape(net, new[] { net.U, net.V }, x, y);
        var geometry = new ISymmetryGeometry[] { new DiagonalNetworkGeometry(net.U, net.V) };
        var one = GeodesicSharpness.Estimate(landscape, geometry, Small(1));
        var options = Small(1);
        options.Restarts = 3;
        var three = GeodesicSharpness.Estimate(landscape, geometry, options);
        Assert.True(three.Sharpness >= one.Sharpness - 1e-12, $"{three.Sharpness} < {one.Sharpness}");
        var first = Small(1);
        first.SecondOrder = false;
        var firstOrder = GeodesicSharpness.Estimate(landscape, geometry, first);
        Assert.Equal("geodesic", one.Measure);
        Assert.Equal("geodesic-first-order", firstOrder.Measure);
        Assert.True(firstOrder.Sharpness > 0 && Math.Abs(firstOrder.Sharpness - one.Sharpness) > 1e-6);
    }

    [Fact]
    public void InvalidGeometryMapsAndOptionsAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var (net, x, y) = GeodesicTestModels.TrainedAttention(n: 16, steps: 1);
        var landscape = GeodesicTestModels.Landscape(net, new[] { net.Query, net.Key }, x, y);
        // A symmetry over a parameter the landscape does not measure.
        Assert.Throws<ArgumentException>(() => GeodesicSharpness.Estimate(landscape,
            new ISymmetryGeometry[] { AttentionGeometry.ValueOutput(net.Value, net.Output) }, Small()));
        // Two symmetries claiming the same parameter.
        Assert.Throws<ArgumentException>(() => GeodesicSharpness.Estimate(landscape,
            new ISymmetryGeometry[] { AttentionGeometry.QueryKey(net.Query, net.Key), AttentionGeometry.QueryKey(net.Key, net.Query) }, Small()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionGeometry(net.Query, net.Key, heads: 3));
        Assert.Throws<ArgumentException>(() => new DiagonalNetworkGeometry(new Parameter(torch.ones(3)), new Parameter(torch.ones(4))));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeodesicSharpness.Estimate(landscape, new GeodesicSharpnessOptions { Rho = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GeodesicSharpness.Estimate(landscape, new GeodesicSharpnessOptions { Steps = 0 }));
    }

    [Fact]
    public void TheRegistryRunsGeodesicSharpnessOnAnyLandscape()
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(64, 4, seed: 2);
        var net = TestModels.TrainedMlp(data, new[] { 4, 6, 1 }, seed: 5, steps: 50);
        var landscape = LossLandscape.ForSupervised(net, data, SharpnessML.Trainers.Training.LossFunction.MeanSquaredError);
        Assert.Contains("geodesic", MeasureRegistry.BuiltIn.Names);
        var result = MeasureRegistry.BuiltIn.Measure("geodesic", landscape, new MeasureSettings(Rho: 0.05, Seed: 1));
        var direct = GeodesicSharpness.Estimate(landscape, new GeodesicSharpnessOptions { Rho = 0.05, Seed = 1 });
        Assert.Equal("geodesic", result.Measure);
        Assert.Equal(direct.Sharpness, result.Value, 12);
        Assert.Equal(0.05, result.MetricsAs<SharpnessML.Transforms.Perturbation.SharpnessMetrics>().Rho);
        Assert.Equal(direct.StandardError, result.StandardError);
    }
}
