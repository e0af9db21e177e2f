using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Landscape;

public class FlatParametersTests
{
    [Fact]
    public void TheParametersAreViewsOfTheFlatVectorWhileItLivesAndTheirOwnTensorsAfterwards()
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(32, 3, seed: 1);
        var net = TestModels.TrainedMlp(data, new[] { 3, 5, 1 }, seed: 2, steps: 3);
        var parameters = net.parameters().ToList();
        var before = ParameterVectors.Clone(parameters);
        var flat = new FlatParameters(parameters);
        Assert.True(flat.Aliased);
        Assert.True(TensorAssert.SameValues(ParameterVectors.Flatten(before), flat.Values));
        var moved = flat.Values + 0.5;
        flat.Assign(moved);
        Assert.True(TensorAssert.SameValues(moved, ParameterVectors.Flatten(parameters.Cast<Tensor>().Select(p => p.detach()))));

        var loss = LossFunction.MeanSquaredError.Compute(net.call(data.Features), data.Labels);
        var expected = ParameterVectors.Flatten(torch.autograd.grad(new[] { loss }, parameters.Cast<Tensor>().ToArray(), retain_graph: true));
        Assert.True(TensorAssert.SameValues(expected, flat.ComputeGradient(loss)));

        flat.Dispose();
        for (int i = 0; i < parameters.Count; i++)
        {
            Assert.True(TensorAssert.SameValues(before[i], parameters[i]), $"parameter {i} changed");
            Assert.True(parameters[i].requires_grad && parameters[i].is_leaf);
        }
    }

    [Fact]
    public void AModelTrainsTheSameAfterBeingMeasured()
    {
        // The optimizer holds the parameters across the measurement, while they are views of the flat vector.
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(64, 4, seed: 3);
        var measured = TestModels.TrainedMlp(data, new[] { 4, 8, 1 }, seed: 4, steps: 2);
        var untouched = TestModels.TrainedMlp(data, new[] { 4, 8, 1 }, seed: 4, steps: 2);
        using var optMeasured = optim.SGD(measured.parameters(), 0.05);
        using var optUntouched = optim.SGD(untouched.parameters(), 0.05);
        WorstCaseSharpness.Estimate(LossLandscape.ForSupervised(measured, data, LossFunction.MeanSquaredError), new WorstCaseSharpnessOptions { Batches = 2 });
        TestModels.FullBatch(measured, optMeasured, data, LossFunction.MeanSquaredError, 3);
        TestModels.FullBatch(untouched, optUntouched, data, LossFunction.MeanSquaredError, 3);
        foreach (var ((name, a), (_, b)) in measured.named_parameters().Zip(untouched.named_parameters()))
            Assert.True(TensorAssert.SameValues(a, b), $"{name} trained differently after the measurement");
    }

    [Fact]
    public void ParametersOfMixedDtypesAreCopiedInAndLeftUnusedParametersGetAZeroGradient()
    {
        using var scope = torch.NewDisposeScope();
        var a = new Parameter(torch.tensor(new[] { 1f, 2f }));
        var b = new Parameter(torch.tensor(new[] { 3.0 }, dtype: float64));
        var unused = new Parameter(torch.tensor(new[] { 7f }));
        using var flat = new FlatParameters(new[] { a, b, unused });
        Assert.False(flat.Aliased);
        Assert.Equal(float64, flat.Values.dtype);
        flat.Assign(torch.tensor(new[] { 5.0, 6.0, 0.25, 8.0 }));
        Assert.Equal(new[] { 5f, 6f }, a.detach().data<float>().ToArray());
        Assert.Equal(0.25, b.detach().item<double>());
        var loss = (a * a).sum() + (b * 4).sum().to(float32);
        var g = flat.ComputeGradient(loss).data<double>().ToArray();
        Assert.Equal(new[] { 10.0, 12.0, 4.0, 0.0 }, g);
    }

    [Theory]
    [InlineData(PerturbationNorm.LInfinity, true, EllipsoidGeometry.Scaled)]
    [InlineData(PerturbationNorm.LInfinity, false, EllipsoidGeometry.Scaled)]
    [InlineData(PerturbationNorm.L2, true, EllipsoidGeometry.Scaled)]
    [InlineData(PerturbationNorm.L2, true, EllipsoidGeometry.Euclidean)]
    public void TheFlatSetGivesThePerTensorFormulasBitForBit(PerturbationNorm norm, bool adaptive, EllipsoidGeometry geometry)
    {
        // The per-tensor formulas the ascent used before it was flat: the same draws, products, sums and clamps.
        using var scope = torch.NewDisposeScope();
        using var g = new torch.Generator(11);
        var weights = new[] { torch.randn(new long[] { 20, 7 }, generator: g), torch.randn(new long[] { 7 }, generator: g), torch.randn(new long[] { 1, 7 }, generator: g) };
        weights[1][3] = torch.tensor(0f);
        const double rho = 0.3, length = 0.07;
        using var set = new PerturbationSet(weights, rho, norm, adaptive, geometry);
        var c = weights.Select(w => adaptive ? w.abs() : torch.ones_like(w)).ToArray();

        using var g1 = new torch.Generator(5);
        using var g2 = new torch.Generator(5);
        var point = set.RandomPoint(g1);
        Tensor[] expectedPoint;
        if (norm == PerturbationNorm.LInfinity)
            expectedPoint = ParameterVectors.UniformSymmetric(c, g2).Select((u, i) => u * c[i] * rho).ToArray();
        else
        {
            var direction = ParameterVectors.Normalize(ParameterVectors.Gaussian(c, g2));
            var radius = rho * Math.Pow(torch.rand(1, generator: g2).item<float>(), 1.0 / c.Sum(t => t.numel()));
            expectedPoint = direction.Select((u, i) => u * c[i] * radius).ToArray();
        }
        Assert.True(TensorAssert.SameValues(ParameterVectors.Flatten(expectedPoint), point), "random point");

        var gradient = weights.Select(w => torch.randn(w.shape, generator: g)).ToArray();
        Tensor[] expectedStep;
        if (norm == PerturbationNorm.LInfinity) expectedStep = gradient.Select((t, i) => t.sign() * c[i] * length).ToArray();
        else if (geometry == EllipsoidGeometry.Scaled)
        {
            var scaled = gradient.Select((t, i) => t * c[i]).ToArray();
            var n = ParameterVectors.Norm(scaled);
            expectedStep = scaled.Select((s, i) => s * c[i] * (length / n)).ToArray();
        }
        else
        {
            var rms = Math.Sqrt(ParameterVectors.Dot(c, c).to(float64).item<double>() / c.Sum(t => t.numel()));
            expectedStep = gradient.Select(t => t * (length * rms / ParameterVectors.Norm(gradient))).ToArray();
        }
        var step = set.AscentStep(ParameterVectors.Flatten(gradient), length);
        Assert.True(TensorAssert.SameValues(ParameterVectors.Flatten(expectedStep), step), "ascent step");

        var z = gradient.Select(t => t * 0.5).ToArray();
        double expectedNorm = 0;
        for (int i = 0; i < z.Length; i++)
        {
            var d = z[i].to(float64);
            var ci = c[i].to(float64);
            var ratio = torch.where(ci > 0, d / ci.clamp_min(double.Epsilon), torch.where(d == 0, torch.zeros_like(d), torch.full_like(d, double.PositiveInfinity)));
            if (norm == PerturbationNorm.LInfinity) expectedNorm = Math.Max(expectedNorm, ratio.abs().max().item<double>());
            else expectedNorm += ratio.pow(2).sum().item<double>();
        }
        if (norm == PerturbationNorm.L2) expectedNorm = Math.Sqrt(expectedNorm);
        Assert.Equal(expectedNorm, set.ScaledNorm(ParameterVectors.Flatten(z)));
        if (norm == PerturbationNorm.LInfinity)
        {
            var clamped = z.Select((t, i) => torch.clamp(t, -rho * c[i], rho * c[i])).ToArray();
            Assert.True(TensorAssert.SameValues(ParameterVectors.Flatten(clamped), set.Project(ParameterVectors.Flatten(z))), "projection");
        }
    }
}
