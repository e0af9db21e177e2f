using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Hessian;
using static SharpnessML.TestKit.HessianTestModels;

namespace SharpnessML.Transforms.Tests.Hessian;

public class DiagonalTests
{
    [Fact]
    public void DiagonalMatrixGivesExactValuesAndHandCheckedSharpness()
    {
        // z ⊙ Dz = d exactly. √-trace clamps the negative entry: √4 + √0.25 + √9 = 5.5, one negative.
        var d = new[] { 4.0, -1.0, 0.25, 9.0, 0.0 };
        var op = new DenseOperator(Matrix<double>.Build.DenseOfDiagonalArray(d));
        var result = HessianDiagonal.Estimate(op, new DiagonalOptions { Samples = 5 });
        for (int i = 0; i < d.Length; i++)
        {
            Assert.Equal(d[i], result.Diagonal[i], 12);
            Assert.Equal(0, result.StandardErrors[i], 12);
        }
        Assert.Equal(5.5, result.SqrtTrace, 12);
        Assert.Equal(1, result.NegativeCount);
        Assert.Equal(16 + 1 + 0.0625 + 81, result.SumOfSquares, 12);
        Assert.Equal(5, result.HessianVectorProducts);
    }

    [Fact]
    public void MlpDiagonalIsWithinThreeStandardErrorsAndItsSharpnessMatchesTheDenseValues()
    {
        var (landscape, _) = TinyMlp();
        var dense = HessianMeasures.DenseHessian(landscape);
        var exact = dense.Diagonal().ToArray();
        var result = HessianMeasures.Diagonal(landscape, new DiagonalOptions { Samples = 400 });

        Assert.Equal(exact.Length, result.Diagonal.Length);
        int misses = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            // The one-sample variance of entry i is Σ_{j≠i} H_ij²; the reported SE must estimate it.
            double offDiagonal = Math.Sqrt(dense.Row(i).Select((h, j) => j == i ? 0 : h * h).Sum() / 400);
            Assert.InRange(result.StandardErrors[i], 0.7 * offDiagonal - 1e-12, 1.3 * offDiagonal + 1e-12);
            if (Math.Abs(result.Diagonal[i] - exact[i]) > 3 * result.StandardErrors[i] + 1e-12) misses++;
        }
        Assert.True(misses <= 2, $"{misses} of {exact.Length} entries outside 3 standard errors");

        double exactSqrtTrace = exact.Sum(x => Math.Sqrt(Math.Max(x, 0)));
        double exactSquares = exact.Sum(x => x * x);
        Assert.True(Relative(result.SqrtTrace, exactSqrtTrace) < 0.05, $"√-trace {result.SqrtTrace} vs {exactSqrtTrace}");
        Assert.True(Relative(result.SumOfSquares, exactSquares) < 0.05, $"Σ H_ii² {result.SumOfSquares} vs {exactSquares}");
        // Entries within noise of zero may land on either side; the rest must be counted right.
        int ambiguous = exact.Where((x, i) => Math.Abs(x) <= 3 * result.StandardErrors[i]).Count();
        Assert.InRange(result.NegativeCount, exact.Count(x => x < 0) - ambiguous, exact.Count(x => x < 0) + ambiguous);
        Assert.True(exact.Count(x => x < 0) > 0, "the test point should have some negative curvature on the diagonal");
    }
}
