using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Hessian;
using static SharpnessML.TestKit.HessianTestModels;

namespace SharpnessML.Transforms.Tests.Hessian;

public class TraceTests
{
    [Fact]
    public void HutchinsonIsExactWithZeroErrorOnADiagonalMatrix()
    {
        // zᵀDz = Σ d_i z_i² = tr D for every Rademacher z.
        var d = new[] { 3.0, -1.5, 0.25, 7.0, 0.0 };
        var op = new DenseOperator(Matrix<double>.Build.DenseOfDiagonalArray(d));
        var result = Hutchinson.Trace(op, new HutchinsonOptions { MaxSamples = 20, Tolerance = 0 });
        Assert.Equal(d.Sum(), result.Value, 12);
        Assert.Equal(0, result.StandardError!.Value, 12);
        Assert.Equal(20, result.HessianVectorProducts);
    }

    [Fact]
    public void HutchinsonAndHutchPlusPlusAreWithinThreeStandardErrorsOnTheMlp()
    {
        var (landscape, _) = Mlp(new[] { 6, 10, 4 }, 50, seed: 7); // 114 parameters
        var exact = HessianMeasures.DenseHessian(landscape).Trace();
        var hutchinson = HessianMeasures.Trace(landscape, new HutchinsonOptions { MaxSamples = 60, Tolerance = 0 });
        var plusPlus = HessianMeasures.TraceHutchPlusPlus(landscape, new HutchPlusPlusOptions { Budget = 60 });

        Assert.Equal(60, hutchinson.HessianVectorProducts);
        Assert.Equal(60, plusPlus.HessianVectorProducts);
        Assert.Equal(20, plusPlus.Samples);
        Assert.True(hutchinson.StandardError > 0 && plusPlus.StandardError > 0);
        Assert.True(Math.Abs(hutchinson.Value - exact) <= 3 * hutchinson.StandardError, $"Hutchinson {hutchinson.Value} ± {hutchinson.StandardError}, exact {exact}");
        Assert.True(Math.Abs(plusPlus.Value - exact) <= 3 * plusPlus.StandardError, $"Hutch++ {plusPlus.Value} ± {plusPlus.StandardError}, exact {exact}");
        // The standard errors must be informative, not just wide: well under the trace itself.
        Assert.True(hutchinson.StandardError < 0.2 * Math.Abs(exact));
    }

    [Fact]
    public void HutchinsonStopsEarlyAtItsTolerance()
    {
        var op = new DenseOperator(WithSpectrum(Enumerable.Range(1, 50).Select(i => 1.0 + 0.01 * i).ToArray(), seed: 1));
        var result = Hutchinson.Trace(op, new HutchinsonOptions { MaxSamples = 1000, Tolerance = 1e-2 });
        Assert.True(result.Samples < 1000);
        Assert.True(result.StandardError <= 1e-2 * Math.Abs(result.Value));
    }

    [Fact]
    public void HutchPlusPlusBeatsHutchinsonAtEqualBudgetOnADecayingSpectrum()
    {
        // λ_i = 1/i²: a few directions carry most of the trace, the case Hutch++ is built for.
        var spectrum = Enumerable.Range(1, 200).Select(i => 1.0 / (i * (double)i)).ToArray();
        var op = new DenseOperator(WithSpectrum(spectrum, seed: 12));
        double exact = spectrum.Sum();
        double hutchinsonError = 0, plusPlusError = 0;
        const int seeds = 10;
        for (int seed = 0; seed < seeds; seed++)
        {
            var h = Hutchinson.Trace(op, new HutchinsonOptions { MaxSamples = 30, Tolerance = 0, Seed = seed });
            var p = HutchPlusPlus.Trace(op, new HutchPlusPlusOptions { Budget = 30, Seed = seed });
            Assert.Equal(h.HessianVectorProducts, p.HessianVectorProducts);
            hutchinsonError += Math.Abs(h.Value - exact) / seeds;
            plusPlusError += Math.Abs(p.Value - exact) / seeds;
        }
        Assert.True(plusPlusError < 0.5 * hutchinsonError, $"mean |error|: Hutch++ {plusPlusError:E3}, Hutchinson {hutchinsonError:E3}");
    }

    [Fact]
    public void HutchPlusPlusIsExactWhenTheSketchSpansTheSpace()
    {
        var op = new DenseOperator(RandomSymmetric(8, seed: 4));
        var result = HutchPlusPlus.Trace(op, new HutchPlusPlusOptions { Budget = 30 });
        Assert.Equal(op.Matrix.Trace(), result.Value, 10);
        Assert.Equal(0, result.StandardError);
        Assert.Equal(16, result.HessianVectorProducts);
    }
}
