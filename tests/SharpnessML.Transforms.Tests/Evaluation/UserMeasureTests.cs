using Microsoft.ML;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;

namespace SharpnessML.Transforms.Tests.Evaluation;

/// <summary>A user's own measure: ‖W₁‖²_F, the squared norm of the first parameter tensor (the first layer's weights).</summary>
internal sealed class FirstLayerNormMeasure : ISharpnessMeasure
{
    public string Name => "my-measure";

    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        using var _ = torch.no_grad();
        var first = landscape.Parameters[0];
        double value = first.detach().to(torch.float64).square().sum().item<double>();
        return new MeasureResult(Name, value, null, new FirstLayerNormMetrics(value, first.numel()));
    }
}

/// <summary>The user's metrics: the squared norm and how many weights it sums.</summary>
internal sealed class FirstLayerNormMetrics(double squaredNorm, long weights) : IMeasureMetrics
{
    public double SquaredNorm { get; } = squaredNorm;

    public long Weights { get; } = weights;

    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[] { new("weights", Weights) };
}

public sealed class UserMeasureTests
{
    /// <summary>‖W₁‖²_F of the rescaled copy: α² Σ W_kl² (the first layer's weights are α·W, in float32).</summary>
    private static double Expected(double alpha)
    {
        double[] w = { 0.5, -0.3, 0.8, 0.1, -0.4, 0.6, 0.2, -0.7, 0.3, 0.9, -0.5, 0.4 };
        return w.Sum(v => Math.Pow((float)(alpha * v), 2));
    }

    [Fact]
    public void AUserMeasureIsTakenByNameThroughMeasureAndSelectModel()
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        ml.Sharpness().Measures.Register(new FirstLayerNormMeasure());
        Assert.Contains("my-measure", ml.Sharpness().Measures.Names);
        Assert.Contains("adaptive-worst-linf", ml.Sharpness().Measures.Names); // the built-ins stay

        var result = ml.Sharpness().Measure(RescaledMlp.Model(ml, raw, 2), raw, "my-measure");
        Assert.Equal("my-measure", result.Measure);
        Assert.Equal(Expected(2), result.Value, 1e-12);
        Assert.Null(result.StandardError);
        Assert.Equal(12, result.MetricsAs<FirstLayerNormMetrics>().Weights);
        Assert.Equal(result.Value, result.MetricsAs<FirstLayerNormMetrics>().SquaredNorm);

        var alphas = new[] { 2.0, 0.5, 1.0 };
        var selection = ml.Sharpness().SelectModel(alphas.Select(a => ModelCandidate.FromTransformer($"alpha={a}", RescaledMlp.Model(ml, raw, a))), raw, "my-measure");
        Assert.Equal(new[] { "alpha=0.5", "alpha=1", "alpha=2" }, selection.Ranking.Select(r => r.Name));
        Assert.Equal("alpha=0.5", selection.Selected.Name);
        foreach (var row in selection.Ranking)
        {
            Assert.Equal(Expected(alphas[row.Index]), row.Value, 1e-12);
            Assert.IsType<FirstLayerNormMetrics>(row.Result.Metrics);
        }
    }

    [Fact]
    public void ADuplicateNameIsRefusedAndTheSharedRegistriesCannotBeChanged()
    {
        var ml = new MLContext(seed: 0);
        ml.Sharpness().Measures.Register(new FirstLayerNormMeasure());
        var again = Assert.Throws<ArgumentException>(() => ml.Sharpness().Measures.Register(new FirstLayerNormMeasure()));
        Assert.Contains("'my-measure' is already registered", again.Message);
        var builtIn = Assert.Throws<ArgumentException>(() => ml.Sharpness().Measures.Register(new RenamedMeasure("hessian-trace")));
        Assert.Contains("'hessian-trace' is already registered", builtIn.Message);
        Assert.IsType<HessianTraceMeasure>(ml.Sharpness().Measures.Get("hessian-trace")); // the built-in stays

        var shared = Assert.Throws<InvalidOperationException>(() => MeasureRegistry.BuiltIn.Register(new FirstLayerNormMeasure()));
        Assert.Contains("read-only", shared.Message);
        Assert.DoesNotContain("my-measure", MeasureRegistry.BuiltIn.Names);
        Assert.DoesNotContain("my-measure", new MLContext().Sharpness().Measures.Names); // another context has its own registry
        Assert.DoesNotContain("my-measure", new MeasureRegistry().Names);
        Assert.False(MeasureRegistry.BuiltIn.TryGet("my-measure", out _));
        var unknown = Assert.Throws<ArgumentException>(() => MeasureRegistry.BuiltIn.Get("my-measure"));
        Assert.Contains("Known measures: adaptive-avg-l2", unknown.Message);
    }

    [Fact]
    public void EveryBuiltInNameIsKeptAndEachFamilyNamesItsMetrics()
    {
        string[] expected =
        {
            "adaptive-avg-l2", "adaptive-avg-linf", "adaptive-worst-l2", "adaptive-worst-linf", "alpha", "alpha-weighted",
            "empirical-fisher-trace", "fisher-rao", "fisher-trace", "geodesic", "ggn-top-eigenvalues", "ggn-trace",
            "hessian-density", "hessian-diag-sqrt-trace", "hessian-diag-sum-squares", "hessian-top-eigenvalues", "hessian-trace",
            "hessian-trace-hutchpp", "kfac-top-eigenvalues", "kfac-trace", "landscape-1d-sharpness", "log-norm",
            "log-prod-of-fro", "log-spectral-norm", "pac-bayes", "pac-bayes-plain", "renyi", "stable-rank", "standard-avg-l2",
            "standard-avg-linf",
            "standard-worst-l2", "standard-worst-linf", "weight-l1-norm", "weight-l2-norm",
        };
        Assert.Equal(expected, MeasureRegistry.BuiltIn.Names);
        Assert.Equal(expected, MeasureRegistry.BuiltInMeasures().Select(m => m.Name).Order(StringComparer.Ordinal));

        var worst = Assert.IsType<WorstCaseSharpnessMeasure>(MeasureRegistry.BuiltIn.Get("standard-worst-l2"));
        var options = worst.OptionsFor(new MeasureSettings(Rho: 0.5, Seed: 3, BatchSize: 8, Batches: 2, Steps: 4));
        Assert.Equal((false, PerturbationNorm.L2, 0.5, 3, 8, 2, 4),
            (options.Adaptive, options.Norm, options.Rho, options.Seed, options.BatchSize, options.Batches, options.Steps));
        Assert.Equal(new WorstCaseSharpnessOptions().Restarts, options.Restarts);

        using var scope = torch.NewDisposeScope();
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var landscape = ml.Sharpness().CreateLandscape(RescaledMlp.Model(ml, raw, 1), raw, out _);
        var density = MeasureRegistry.BuiltIn.Measure("hessian-density", landscape, new MeasureSettings());
        var metrics = density.MetricsAs<HessianDensityMetrics>();
        Assert.Equal(metrics.Trace, density.Value);
        Assert.Equal(metrics.Grid.Count, metrics.Density.Count);
        Assert.InRange(metrics.Grid.Count, 1, HessianDensityMetrics.MaxWindows);
        Assert.Equal(new[] { "grid", "density", "start_vectors", "smoothing_variance", "hvps", "relative_stderr", "hvp_graph" }, metrics.Details().Select(d => d.Key));
        Assert.StartsWith("reused (1 part", (string)metrics.Details()[^1].Value);
        var wrong = Assert.Throws<InvalidOperationException>(() => density.MetricsAs<SharpnessMetrics>());
        Assert.Contains("HessianDensityMetrics, not SharpnessMetrics", wrong.Message);
    }

    [Fact]
    public void OneBatchHasNoStandardErrorRatherThanNaN()
    {
        using var scope = torch.NewDisposeScope();
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var landscape = ml.Sharpness().CreateLandscape(RescaledMlp.Model(ml, raw, 1), raw, out _);
        var one = MeasureRegistry.BuiltIn.Measure("adaptive-worst-linf", landscape, new MeasureSettings(BatchSize: 8, Batches: 1, Steps: 2));
        Assert.Null(one.StandardError);
        Assert.Null(one.MetricsAs<SharpnessMetrics>().StandardError);
        Assert.Equal(new[] { "rho", "algorithm", "steps", "restarts", "batch_size", "batches", "seconds" }, one.Metrics.Details().Select(d => d.Key));
        var two = MeasureRegistry.BuiltIn.Measure("adaptive-worst-linf", landscape, new MeasureSettings(BatchSize: 8, Batches: 2, Steps: 2));
        Assert.Equal(two.MetricsAs<SharpnessMetrics>().StandardError, two.StandardError);
        Assert.True(two.StandardError >= 0);
        Assert.Throws<ArgumentException>(() => new MeasureResult("x", 1, double.NaN, one.Metrics));
    }

    private sealed class RenamedMeasure(string name) : ISharpnessMeasure
    {
        public string Name => name;

        public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings) => throw new NotSupportedException();
    }
}
