using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Spectral;
using TorchSharp;
using Normal = MathNet.Numerics.Distributions.Normal;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Spectral;

public class PowerLawFitTests
{
    /// <summary>The sample of power_law_reference.py: a bulk of 100 values in [0.2, 0.8) and 200 jittered Pareto(2.5) quantiles.</summary>
    private static double[] ReferenceSample() =>
        Enumerable.Range(0, 100).Select(i => 0.2 + 0.6 * i / 100.0)
            .Concat(Enumerable.Range(0, 200).Select(i => Math.Pow(1.0 - (i + 0.5) / 200.0, -1.0 / 1.5) * (1.0 + 0.25 * Math.Sin(i + 1.0)))).ToArray();

    [Fact]
    public void KsSelectionOfXMinMatchesTheNumPyReference()
    {
        // Numbers printed by tests/SharpnessML.Transforms.Tests/Spectral/power_law_reference.py (plain NumPy).
        var fit = PowerLawFit.Fit(ReferenceSample());
        Assert.Equal(143, fit.TailCount);
        Assert.Equal(1.2755797615266218, fit.XMin, 1e-12);
        Assert.Equal(2.534424390017098, fit.Alpha, 1e-10);
        Assert.Equal(0.026597736521152382, fit.KsDistance, 1e-10);
        Assert.Equal((fit.Alpha - 1) / Math.Sqrt(143), fit.StandardError, 1e-12);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(4.5)]
    public void ParetoQuantilesRecoverAlpha(double alpha)
    {
        // 2,000 exact quantiles of p(x) ∝ x^(−α), x ≥ 1: the fit must find α within 0.1.
        var sample = Enumerable.Range(0, 2000).Select(i => Math.Pow(1.0 - (i + 0.5) / 2000, -1.0 / (alpha - 1))).ToArray();
        var fit = PowerLawFit.Fit(sample);
        Assert.True(Math.Abs(fit.Alpha - alpha) < 0.1, $"α = {fit.Alpha} for {alpha}");
    }

    [Fact]
    public void BadInputIsRefused()
    {
        Assert.Throws<ArgumentException>(() => PowerLawFit.Fit(new[] { 1.0 }));
        Assert.Throws<ArgumentException>(() => PowerLawFit.Fit(new[] { 1.0, -2.0, 3.0 }));
        Assert.Throws<ArgumentException>(() => PowerLawFit.Fit(new[] { 2.0, 2.0, 2.0 }));
    }
}

public class SpectralAnalysisTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static nn.Module<Tensor, Tensor> Network(params Matrix<double>[] weights)
    {
        var layers = weights.Select((w, i) => ($"fc{i}", (nn.Module<Tensor, Tensor>)nn.Linear(w.ColumnCount, w.RowCount, dtype: float64))).ToArray();
        var module = nn.Sequential(layers);
        using var noGrad = torch.no_grad();
        for (int i = 0; i < weights.Length; i++)
            ((TorchSharp.Modules.Linear)layers[i].Item2).weight!.copy_(torch.tensor(weights[i].ToArray(), dtype: float64));
        return module;
    }

    /// <summary>An M×N matrix (M ≥ N) U diag(√λ) Vᵀ with random orthonormal U, V, so WᵀW has eigenvalues λ.</summary>
    private static Matrix<double> WithEigenvalues(int rows, double[] eigenvalues, int seed)
    {
        int n = eigenvalues.Length;
        var random = new Random(seed);
        var u = Matrix<double>.Build.Random(rows, n, new Normal(0, 1, random)).QR().Q.SubMatrix(0, rows, 0, n);
        var v = Matrix<double>.Build.Random(n, n, new Normal(0, 1, random)).QR().Q;
        return u * Matrix<double>.Build.DenseOfDiagonalArray(eigenvalues.Select(Math.Sqrt).ToArray()) * v.Transpose();
    }

    [Fact]
    public void MarchenkoPasturMatricesHaveNoHeavyTail()
    {
        // W with i.i.d. N(0, 1/M) entries, M×N = 1200×300: the ESD of WᵀW is Marchenko–Pastur (Q = 4) with a hard edge and
        // no power-law tail. WeightWatcher reads 2 ≤ α ≤ 6 as heavy-tailed (well trained) and α > 6 as random-like. The
        // KS-selected fit of an MP spectrum fluctuates from matrix to matrix (NumPy, 20 seeds of this shape: 4.5 to 34,
        // median 10), so five matrices are fitted: every α must be above 4 and their median above 6, where a heavy
        // tail (the Pareto spectra below) gives α ≤ 3.5.
        var alphas = Enumerable.Range(1, 5).Select(seed =>
        {
            var w = Matrix<double>.Build.Random(1200, 300, new Normal(0, 1 / Math.Sqrt(1200), new Random(seed)));
            var layer = Assert.Single(SpectralAnalysis.Compute(Network(w.Transpose())).Layers);
            Assert.Equal(300, layer.Eigenvalues.Length);
            return layer.Alpha;
        }).Order().ToArray();
        var message = "α = " + string.Join(", ", alphas.Select(a => a.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)));
        output.WriteLine(message);
        Assert.True(alphas[0] > 4, message);
        Assert.True(alphas[2] > 6, message);
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(3.5)]
    public void AParetoSpectrumRecoversAlpha(double alpha)
    {
        // WᵀW's eigenvalues are 400 quantiles of a Pareto(α) law: α is recovered within 0.25 (Clauset's σ = (α−1)/√n is ≈ 0.1 here).
        var eigenvalues = Enumerable.Range(0, 400).Select(i => Math.Pow(1.0 - (i + 0.5) / 400, -1.0 / (alpha - 1))).ToArray();
        var metrics = SpectralAnalysis.Compute(Network(WithEigenvalues(600, eigenvalues, 2).Transpose()));
        var layer = metrics.Layers[0];
        Assert.True(Math.Abs(layer.Alpha - alpha) < 0.25, $"α = {layer.Alpha} for {alpha}");
        Assert.Equal(eigenvalues.Max(), layer.Eigenvalues[0], 1e-8 * eigenvalues.Max());
    }

    [Fact]
    public void NormMetricsAreThoseOfTheSingularValues()
    {
        var singular = new[] { 4.0, 3.0, 2.5, 2.0, 1.5, 1.2, 1.0, 0.8, 0.6, 0.5, 0.3, 0.1 };
        var eigenvalues = singular.Select(s => s * s).ToArray();
        var w = WithEigenvalues(15, eigenvalues, 3); // 15×12 → WᵀW is 12×12
        var metrics = SpectralAnalysis.Compute(Network(w.Transpose(), Matrix<double>.Build.Dense(1, 12, 0.1)));
        var layer = Assert.Single(metrics.Layers);
        Assert.Equal("fc0.weight", layer.Name);
        Assert.Equal(new[] { "fc1.weight" }, metrics.SkippedLayers); // 1 eigenvalue < 10
        Assert.Equal(Math.Log10(eigenvalues.Sum()), layer.LogNorm, 1e-12);
        Assert.Equal(Math.Log10(16), layer.LogSpectralNorm, 1e-12);
        Assert.Equal(eigenvalues.Sum() / 16, layer.StableRank, 1e-12);
        var fit = PowerLawFit.Fit(eigenvalues);
        Assert.Equal(fit.Alpha, layer.Alpha, 1e-12);
        Assert.Equal(fit.Alpha * Math.Log10(16), layer.AlphaWeighted, 1e-12);
        Assert.Equal(layer.AlphaWeighted, metrics.AlphaWeighted);
    }

    [Fact]
    public void AConvolutionIsItsSlicesPooledAndScaled()
    {
        var conv = nn.Conv2d(4, 6, 3, dtype: float64);
        var weight = conv.weight!.detach().data<double>().ToArray(); // [6, 4, 3, 3] row-major
        var expected = new List<double>();
        for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
        {
            var slice = Matrix<double>.Build.Dense(6, 4, (o, c) => weight[((o * 4 + c) * 3 + i) * 3 + j]);
            expected.AddRange(slice.Svd(false).S.Select(s => s * s * 9 / 2.0)); // WeightWatcher's conv2d_norm: × k_h·k_w/2
        }
        expected.Sort((a, b) => b.CompareTo(a));
        var actual = SpectralAnalysis.Eigenvalues(conv.weight!);
        Assert.Equal(36, actual.Length);
        for (int k = 0; k < 36; k++) Assert.Equal(expected[k], actual[k], 1e-12);
        var metrics = SpectralAnalysis.Compute(nn.Sequential(("conv", conv)));
        Assert.Equal(SpectralLayerKind.Convolution, metrics.Layers[0].Kind);
    }

    [Fact]
    public void MeasuresByNameNeedNoData()
    {
        var w = Matrix<double>.Build.Random(30, 20, new Normal(0, 1, new Random(4)));
        var module = Network(w, Matrix<double>.Build.Random(20, 30, new Normal(0, 1, new Random(5))));
        var landscape = LossLandscape.WithoutData(module);
        Assert.False(landscape.HasData);
        var metrics = SpectralAnalysis.Compute(module);
        var expected = new Dictionary<string, double>
        {
            ["alpha"] = metrics.Alpha, ["alpha-weighted"] = metrics.AlphaWeighted, ["log-spectral-norm"] = metrics.LogSpectralNorm,
            ["stable-rank"] = metrics.StableRank, ["log-norm"] = metrics.LogNorm,
        };
        foreach (var (name, value) in expected)
        {
            Assert.IsAssignableFrom<IDataFreeMeasure>(MeasureRegistry.BuiltIn.Get(name));
            var result = MeasureRegistry.BuiltIn.Measure(name, landscape, new MeasureSettings());
            Assert.Equal(value, result.Value);
            Assert.Null(result.StandardError);
        }
        Assert.Equal(2, metrics.Layers.Count);
        Assert.Equal((metrics.Layers[0].Alpha + metrics.Layers[1].Alpha) / 2, metrics.Alpha, 1e-12);
        Assert.IsAssignableFrom<IDataFreeMeasure>(MeasureRegistry.BuiltIn.Get("weight-l2-norm"));
        Assert.IsNotAssignableFrom<IDataFreeMeasure>(MeasureRegistry.BuiltIn.Get("hessian-trace"));
        var error = Assert.Throws<InvalidOperationException>(() => MeasureRegistry.BuiltIn.Measure("hessian-trace", landscape, new MeasureSettings()));
        Assert.Contains("no data", error.Message);
    }
}
