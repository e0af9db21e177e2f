using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Visualization;
using TorchSharp;
using TorchSharp.Modules;
using static SharpnessML.TestKit.HessianTestModels;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Visualization;

public class LossSurfaceTests
{
    /// <summary>A module holding one [3, 4] weight matrix W (three filters of four entries), for closed-form losses.</summary>
    private sealed class MatrixModule : nn.Module
    {
        public MatrixModule(int seed) : base(nameof(MatrixModule))
        {
            using var g = new torch.Generator((ulong)seed);
            W = new Parameter(torch.randn(new long[] { 3, 4 }, dtype: float64, generator: g));
            register_parameter("w", W);
        }

        public Parameter W { get; }
    }

    private static readonly Matrix<double> A = WithSpectrum(new[] { 6.0, 3.0, 2.0, 1.5, 1.0, 0.8, 0.5, 0.3, 0.2, 0.1, -0.2, -0.5 }, seed: 4);
    private static readonly double[] B = Enumerable.Range(0, 12).Select(i => Math.Sin(i + 1.0)).ToArray();

    /// <summary>L(W) = ½ vec(W)ᵀ A vec(W) + bᵀ vec(W).</summary>
    private static (LossLandscape Landscape, MatrixModule Module) Quadratic()
    {
        var module = new MatrixModule(seed: 2);
        var a = torch.tensor(A.ToArray(), dtype: float64);
        var b = torch.tensor(B, dtype: float64);
        Tensor Loss(Tensor? _)
        {
            var w = module.W.reshape(-1);
            return 0.5 * w.dot(a.mv(w)) + b.dot(w);
        }
        return (new LossLandscape(module, new[] { module.W }, Loss, 1), module);
    }

    private static double ClosedForm(double[] w) =>
        0.5 * Vector<double>.Build.DenseOfArray(w).DotProduct(A * Vector<double>.Build.DenseOfArray(w)) + B.Zip(w, (x, y) => x * y).Sum();

    private static double[] Values(Tensor t) => t.detach().reshape(-1).to(float64).data<double>().ToArray();

    [Fact]
    public void FilterNormalisationGivesEachFilterTheNormOfItsWeights()
    {
        using var scope = torch.NewDisposeScope();
        var (landscape, module) = TinyCnn();
        var weights = landscape.Parameters.Select(p => p.detach().clone()).ToArray();
        using var g = new torch.Generator(7);
        var direction = ParameterVectors.Gaussian(weights, g);
        var kept = ParameterVectors.Gaussian(weights, g);
        FilterNormalization.Apply(direction, weights, DirectionNormalization.Filter, ignoreOneDimensional: true);
        FilterNormalization.Apply(kept, weights, DirectionNormalization.Filter, ignoreOneDimensional: false);
        var names = module.named_parameters().Select(p => p.name).ToList();
        int filters = 0;
        for (int k = 0; k < weights.Length; k++)
        {
            if (weights[k].dim() <= 1)
            {
                Assert.Equal(0.0, direction[k].abs().max().item<double>()); // --xignore biasbn
                Assert.Equal(Values(weights[k]), Values(kept[k]));          // kept: the weights themselves
                continue;
            }
            for (long i = 0; i < weights[k].shape[0]; i++)
            {
                double w = weights[k][i].norm().item<double>(), d = direction[k][i].norm().item<double>();
                Assert.True(Math.Abs(d - w) <= 1e-9 * w, $"{names[k]} filter {i}: direction norm {d}, weight norm {w}");
                filters++;
            }
        }
        Assert.Equal(2 + 3, filters); // conv: 2 output channels; fc: 3 output units
    }

    [Fact]
    public void SurfaceDirectionsAreFilterNormalisedAndTheModelIsRestored()
    {
        using var scope = torch.NewDisposeScope();
        var (landscape, module) = TinyCnn();
        var before = module.named_parameters().Select(p => Values(p.parameter)).Concat(module.named_buffers().Select(b => Values(b.buffer))).ToList();
        var surface = LossSurfaces.Compute(landscape, new LossSurfaceOptions { TwoDimensional = true, Steps = 3, ExampleCount = null });
        // Every filter of δ has its weights' filter norm and the rest is zero, so ‖δ‖² = Σ ‖θ_l‖² over tensors of ≥ 2 dimensions.
        double expected = Math.Sqrt(landscape.Parameters.Where(p => p.dim() >= 2).Sum(p => Math.Pow(p.norm().item<double>(), 2)));
        Assert.Equal(2, surface.DirectionNorms.Count);
        foreach (var norm in surface.DirectionNorms) Assert.True(Math.Abs(norm - expected) < 1e-8 * expected, $"‖δ‖ = {norm}, expected {expected}");
        // The centre is the model itself, in evaluation mode.
        module.eval();
        double centre = landscape.Loss().item<double>();
        module.train();
        Assert.Equal(centre, surface.LossAt(1, 1), 12);
        Assert.False(surface.HasAccuracy); // a plain loss closure has no classifier attached
        var after = module.named_parameters().Select(p => Values(p.parameter)).Concat(module.named_buffers().Select(b => Values(b.buffer))).ToList();
        Assert.Equal(before, after);
        Assert.True(module.training);
    }

    [Fact]
    public void QuadraticSurfaceEqualsItsClosedForm()
    {
        using var scope = torch.NewDisposeScope();
        var (landscape, module) = Quadratic();
        var options = new LossSurfaceOptions { TwoDimensional = true, Steps = 5, RangeMin = -2, RangeMax = 1, Seed = 3 };
        var surface = LossSurfaces.Compute(landscape, options);

        // The directions the surface drew: two seeded Gaussians, filter-normalised against W.
        var w0 = Values(module.W);
        using var g = new torch.Generator(3);
        var centre = new Tensor[] { module.W.detach().clone() };
        var dx = ParameterVectors.Gaussian(centre, g);
        var dy = ParameterVectors.Gaussian(centre, g);
        FilterNormalization.Apply(dx, centre, DirectionNormalization.Filter, true);
        FilterNormalization.Apply(dy, centre, DirectionNormalization.Filter, true);
        var (x, y) = (Values(dx[0]), Values(dy[0]));
        Assert.Equal(new[] { -2, -1.25, -0.5, 0.25, 1.0 }, surface.X);
        for (int j = 0; j < 5; j++)
        for (int i = 0; i < 5; i++)
        {
            var w = w0.Select((v, k) => v + surface.X[i] * x[k] + surface.Y![j] * y[k]).ToArray();
            double exact = ClosedForm(w);
            Assert.True(Math.Abs(surface.LossAt(i, j) - exact) <= 1e-12 * Math.Max(1, Math.Abs(exact)), $"({surface.X[i]}, {surface.Y![j]}): {surface.LossAt(i, j)} vs {exact}");
        }
        Assert.Equal(w0, Values(module.W));
    }

    [Fact]
    public void HessianDirectionsCurveByTheirEigenvalues()
    {
        using var scope = torch.NewDisposeScope();
        var (landscape, _) = Quadratic();
        var options = new LossSurfaceOptions
        {
            TwoDimensional = true, Steps = 3, RangeMin = -0.5, RangeMax = 0.5, Directions = SurfaceDirections.HessianEigenvectors,
            Normalization = DirectionNormalization.None,
        };
        var surface = LossSurfaces.Compute(landscape, options);
        Assert.Equal("hessian", surface.Kind);
        var lambda = surface.DirectionEigenvalues!;
        Assert.True(Relative(lambda[0], 6.0) < 1e-3 && Relative(lambda[1], 3.0) < 1e-3, $"eigenvalues {lambda[0]}, {lambda[1]}");
        foreach (var norm in surface.DirectionNorms) Assert.Equal(1.0, norm, 12);
        // Along unit v: L(x v) + L(−x v) − 2 L(0) = λ x²; across: the mixed difference is 4xy v₁ᵀAv₂ = 0.
        double h = 0.5, l0 = surface.LossAt(1, 1);
        Assert.Equal(lambda[0] * h * h, surface.LossAt(2, 1) + surface.LossAt(0, 1) - 2 * l0, 10);
        Assert.Equal(lambda[1] * h * h, surface.LossAt(1, 2) + surface.LossAt(1, 0) - 2 * l0, 10);
        Assert.Equal(0.0, surface.LossAt(2, 2) - surface.LossAt(2, 0) - surface.LossAt(0, 2) + surface.LossAt(0, 0), 10);
    }

    [Fact]
    public void InterpolationEndsAreTheTwoModelsLosses()
    {
        using var scope = torch.NewDisposeScope();
        var (a, moduleA) = TinyCnn(seed: 3);
        var (b, moduleB) = TinyCnn(seed: 5);
        var surface = LossSurfaces.Interpolate(a, b, new LossSurfaceOptions { Steps = 5, RangeMin = -0.5, RangeMax = 1.5, ExampleCount = null });
        Assert.Equal(new[] { -0.5, 0.0, 0.5, 1.0, 1.5 }, surface.X);

        double LossOn(nn.Module source)
        {
            // a's loss closure on a's data, with source's parameters and running statistics.
            var saved = moduleA.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            using (torch.no_grad())
                foreach (var (name, t) in source.state_dict()) moduleA.state_dict()[name].copy_(t);
            moduleA.eval();
            double value = a.Loss().item<double>();
            moduleA.train();
            using (torch.no_grad())
                foreach (var (name, t) in saved) moduleA.state_dict()[name].copy_(t);
            return value;
        }
        double la = LossOn(moduleA), lb = LossOn(moduleB);
        Assert.NotEqual(la, lb, 3);
        Assert.Equal(la, surface.LossAt(1), 12);
        Assert.Equal(lb, surface.LossAt(3), 12);
    }

    [Fact]
    public void OneDimensionalSharpnessIsTheMeanIncreaseAlongFilterNormalisedDirections()
    {
        using var scope = torch.NewDisposeScope();
        var (landscape, module) = Quadratic();
        var result = MeasureRegistry.BuiltIn.Measure(FilterNormalizedSharpnessMeasure.MeasureName, landscape, new MeasureSettings(Rho: 0.3, Seed: 4, Batches: 6));
        var metrics = result.MetricsAs<FilterNormalizedSharpnessMetrics>();

        var w0 = Values(module.W);
        using var g = new torch.Generator(4);
        var centre = new Tensor[] { module.W.detach().clone() };
        var increases = Enumerable.Range(0, 6).Select(_ =>
        {
            var d = ParameterVectors.Gaussian(centre, g);
            FilterNormalization.Apply(d, centre, DirectionNormalization.Filter, true);
            var v = Values(d[0]);
            return ClosedForm(w0.Select((x, k) => x + 0.3 * v[k]).ToArray()) - ClosedForm(w0);
        }).ToArray();
        Assert.Equal(6, metrics.Increases.Count);
        for (int k = 0; k < 6; k++) Assert.Equal(increases[k], metrics.Increases[k], 10);
        Assert.Equal(increases.Average(), result.Value, 10);
        double sd = Math.Sqrt(increases.Sum(v => Math.Pow(v - increases.Average(), 2)) / 5);
        Assert.Equal(sd / Math.Sqrt(6), result.StandardError!.Value, 10);
        Assert.Equal(w0, Values(module.W));
    }

    [Fact]
    public void ClassifierSurfacesReportAccuracy()
    {
        using var scope = torch.NewDisposeScope();
        var (landscape, _) = TinyMlp();
        var surface = LossSurfaces.Compute(landscape, new LossSurfaceOptions { Steps = 3, ExampleCount = 25 });
        Assert.Equal(25, surface.ExampleCount);
        Assert.True(surface.HasAccuracy);
        var subset = landscape.Subset(25, 0);
        Assert.Equal(subset.Loss().item<double>(), surface.LossAt(1), 12);
        Assert.Equal(subset.Supervised!.Accuracy().item<double>(), surface.AccuracyAt(1)!.Value, 12);
    }
}
