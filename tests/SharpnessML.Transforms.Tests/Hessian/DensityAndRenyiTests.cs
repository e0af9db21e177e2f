using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Hessian;
using static SharpnessML.TestKit.HessianTestModels;

namespace SharpnessML.Transforms.Tests.Hessian;

public class DensityAndRenyiTests
{
    [Fact]
    public void DensityIsNormalisedAndPutsTheRightMassOnEachCluster()
    {
        // 180 eigenvalues in [−0.1, 0.1] and 20 in [5, 6]: a tenth of the mass sits above 1.
        var rng = new Random(2);
        var spectrum = Enumerable.Range(0, 180).Select(_ => rng.NextDouble() * 0.2 - 0.1)
            .Concat(Enumerable.Range(0, 20).Select(_ => 5 + rng.NextDouble())).ToArray();
        var op = new DenseOperator(WithSpectrum(spectrum, seed: 3));
        var options = new SpectralDensityOptions { StartVectors = 10, Iterations = 40, GridPoints = 4000 };
        var result = StochasticLanczosQuadrature.Estimate(op, options);

        Assert.Equal(400, result.HessianVectorProducts);
        Assert.Equal(4000, result.Grid.Length);
        Assert.Equal(result.Grid.Length, result.Density.Length);
        Assert.All(result.Weights, w => Assert.Equal(1.0, w.Sum(), 10));
        Assert.True(result.Grid[0] < spectrum.Min() && result.Grid[^1] > spectrum.Max());
        Assert.All(result.Density, d => Assert.True(d >= 0));
        double step = result.Grid[1] - result.Grid[0];
        double Integral(Func<double, bool> where) =>
            result.Grid.Select((x, g) => where(x) ? result.Density[g] * step : 0).Sum();
        Assert.Equal(1.0, Integral(_ => true), 2);
        Assert.InRange(Integral(x => x > 1), 0.07, 0.13);
        Assert.InRange(Integral(x => x > 0.5 && x < 4.5), 0, 1e-3);
        // Each start vector gives an unbiased trace estimate n·Σ τθ; their mean is the SLQ trace.
        var perVector = result.Nodes.Select((nodes, l) => 200 * nodes.Select((t, j) => t * result.Weights[l][j]).Sum()).ToArray();
        Assert.Equal(perVector.Average(), result.Trace, 10);
        double se = Math.Sqrt(perVector.Sum(t => (t - result.Trace) * (t - result.Trace)) / (perVector.Length - 1) / perVector.Length);
        Assert.True(Math.Abs(result.Trace - spectrum.Sum()) <= 3 * se, $"SLQ trace {result.Trace} ± {se} vs {spectrum.Sum()}");
        // The largest node converges to the largest eigenvalue.
        Assert.Equal(spectrum.Max(), result.Nodes[0][0], 6);
    }

    [Theory]
    [InlineData(2.0, 0.98082925301172623)] // −log Σp² = −log 0.375
    [InlineData(1.0, 1.0397207708399179)]  // Shannon: −(½ log ½ + 2·¼ log ¼)
    [InlineData(0.5, 1.0695999934791407)]  // 2 log(√½ + ½ + ½)
    [InlineData(0.0, 1.0986122886681098)]  // log 3 positive eigenvalues
    [InlineData(double.PositiveInfinity, 0.69314718055994531)] // −log max p = log 2
    public void RenyiSharpnessOfAHandCheckedSpectrum(double alpha, double entropy)
    {
        // Positive part {2, 1, 1} of {2, 1, 1, 0, −3}: p = (½, ¼, ¼).
        Assert.Equal(-entropy, Renyi.Sharpness(new[] { 2.0, 1.0, 1.0, 0.0, -3.0 }, alpha), 12);
        // Scale invariance: the normalised spectrum does not change.
        Assert.Equal(-entropy, Renyi.Sharpness(new[] { 20.0, 10.0, 10.0, 0.0, -30.0 }, alpha), 12);
    }

    [Fact]
    public void RenyiSharpnessIsZeroForOneDirectionAndMinusLogRForAFlatSpectrum()
    {
        Assert.Equal(0, Renyi.Sharpness(new[] { 3.0, 0, -1, 0 }, 2), 12);
        Assert.Equal(-Math.Log(4), Renyi.Sharpness(new[] { 2.0, 2, 2, 2, -5 }, 0.7), 12);
        Assert.True(double.IsNaN(Renyi.Sharpness(new[] { 0.0, -1 }, 2)));
    }

    [Fact]
    public void RenyiMeasureIsExactOnASmallNetwork()
    {
        var (landscape, _) = TinyMlp();
        var spectrum = Spectrum(HessianMeasures.DenseHessian(landscape));
        var positive = spectrum.Where(x => x > 0).ToArray();
        double expected = Math.Log(positive.Sum(x => x * x) / Math.Pow(positive.Sum(), 2)); // −H₂ = log Σ p²

        var result = HessianMeasures.RenyiSharpness(landscape, new RenyiSharpnessOptions { Alpha = 2 });
        Assert.True(result.Exact);
        Assert.Equal(51, result.HessianVectorProducts);
        Assert.Equal(expected, result.Value, 10);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.0)]
    public void RenyiMeasureFromSlqIsWithinFivePercent(double alpha)
    {
        var (landscape, _) = Mlp(new[] { 8, 16, 4 }, 60, seed: 4); // 212 parameters
        var exact = Renyi.Sharpness(Spectrum(HessianMeasures.DenseHessian(landscape)), alpha);
        var options = new RenyiSharpnessOptions { Alpha = alpha, DenseLimit = 0, StartVectors = 10, Iterations = 60, GridPoints = 100 };
        var result = HessianMeasures.RenyiSharpness(landscape, options);
        Assert.False(result.Exact);
        Assert.Equal(600, result.HessianVectorProducts);
        Assert.True(Relative(result.Value, exact) < 0.05, $"SLQ {result.Value}, exact {exact}");
    }
}
