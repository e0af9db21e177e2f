using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Perturbation;

public class PerturbationSetTests
{
    [Fact]
    public void AdaptiveL2ProjectionIsTheExactEuclideanProjectionOntoTheEllipsoid()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new[] { 0.1, 2.0, -0.5, 1.0, 0.0, 3.0 });
        var set = new PerturbationSet(new[] { w }, 0.3, PerturbationNorm.L2, adaptive: true, EllipsoidGeometry.Euclidean);
        var z = torch.tensor(new[] { 0.4, -0.2, 0.3, 0.9, 0.7, -0.1 });
        var delta = set.Project(new[] { z })[0];
        var c = w.abs();

        // On the boundary, with the frozen entry (c = 0) kept at 0.
        Assert.Equal(0.3, set.ScaledNorm(new[] { delta }), 9);
        Assert.Equal(0.0, delta[4].item<double>());
        // KKT: z − δ = λ δ / c² with one λ ≥ 0 for every free entry.
        var mask = c > 0;
        var lambdas = ((z - delta) * c * c / delta)[mask];
        var l = lambdas.data<double>().ToArray();
        Assert.True(l.Min() >= 0);
        Assert.True(l.Max() - l.Min() < 1e-8 * Math.Max(1, l.Max()), $"λ differs across entries: {string.Join(", ", l)}");
        // …and it is not the rescaling z·ρ/‖z⊙c⁻¹‖.
        var rescaled = z * (0.3 / set.ScaledNorm(new[] { torch.where(mask, z, torch.zeros_like(z)) }));
        Assert.False(torch.allclose(torch.where(mask, rescaled, torch.zeros_like(z)), delta, rtol: 1e-3, atol: 1e-6));
    }

    [Fact]
    public void ScaledL2ProjectionIsTheBallProjectionInNormalisedCoordinates()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new[] { 0.5, -2.0, 0.0 });
        var set = new PerturbationSet(new[] { w }, 0.1, PerturbationNorm.L2, adaptive: true);
        var projected = set.Project(new[] { torch.tensor(new[] { 0.3, 0.4, 1.0 }) })[0].data<double>().ToArray();
        // η = δ/c = (0.6, 0.2) has norm √0.4; scaled to 0.1 and mapped back; the frozen entry is 0.
        double k = 0.1 / Math.Sqrt(0.4);
        Assert.Equal(0.3 * k, projected[0], 12);
        Assert.Equal(0.4 * k, projected[1], 12);
        Assert.Equal(0.0, projected[2]);
    }

    [Fact]
    public void ProjectionLeavesInteriorPointsAndClampsBoxes()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new[] { 1.0, -2.0, 4.0 });
        var l2 = new PerturbationSet(new[] { w }, 0.5, PerturbationNorm.L2, adaptive: true, EllipsoidGeometry.Euclidean);
        var inside = torch.tensor(new[] { 0.1, 0.1, 0.1 });
        Assert.True(TensorAssert.SameValues(inside, l2.Project(new[] { inside })[0]));
        var box = new PerturbationSet(new[] { w }, 0.5, PerturbationNorm.LInfinity, adaptive: true);
        var clamped = box.Project(new[] { torch.tensor(new[] { 1.0, -3.0, 1.0 }) })[0];
        Assert.Equal(new[] { 0.5, -1.0, 1.0 }, clamped.data<double>().ToArray());
    }

    [Fact]
    public void AscentStepsHaveTheRequestedLengthAndAscend()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new[] { 1.0, -2.0, 4.0, 0.5 });
        var g = torch.tensor(new[] { 0.3, -1.0, 0.2, 2.0 });
        var box = new PerturbationSet(new[] { w }, 1.0, PerturbationNorm.LInfinity, adaptive: true);
        var boxStep = box.AscentStep(new[] { g }, 0.25);
        Assert.Equal(0.25, box.ScaledNorm(boxStep), 9);
        Assert.Equal(new[] { 0.25, 0.5, 1.0, 0.125 }.Select((v, i) => v * Math.Sign(g[i].item<double>())), boxStep[0].data<double>().ToArray());

        var scaled = new PerturbationSet(new[] { w }, 1.0, PerturbationNorm.L2, adaptive: true);
        var scaledStep = scaled.AscentStep(new[] { g }, 0.25);
        Assert.Equal(0.25, scaled.ScaledNorm(scaledStep), 9);
        Assert.True(ParameterVectors.Dot(scaledStep, new[] { g }).item<double>() > 0);

        var ellipsoid = new PerturbationSet(new[] { w }, 1.0, PerturbationNorm.L2, adaptive: true, EllipsoidGeometry.Euclidean);
        var step = ellipsoid.AscentStep(new[] { g }, 0.25);
        double rms = Math.Sqrt((1 + 4 + 16 + 0.25) / 4.0);
        Assert.Equal(0.25 * rms, ParameterVectors.Norm(step), 9);
        Assert.True(ParameterVectors.Dot(step, new[] { g }).item<double>() > 0);
    }
}
