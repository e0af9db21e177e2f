using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using static SharpnessML.TestKit.HessianTestModels;

namespace SharpnessML.Transforms.Tests.Hessian;

public class EigenvalueTests
{
    // Five separated top eigenvalues over an indefinite bulk.
    private static readonly double[] QuadraticSpectrum =
        new[] { 10.0, 7.0, 5.0, 4.0, 3.5 }.Concat(Enumerable.Range(0, 25).Select(i => -2.0 + 4.0 * i / 24)).ToArray();

    public static TheoryData<string> Models => new() { "quadratic", "mlp", "cnn" };

    private static LossLandscape Model(string name) => name switch
    {
        "quadratic" => Quadratic(WithSpectrum(QuadraticSpectrum, seed: 21), seed: 1).Landscape,
        "mlp" => TinyMlp().Landscape,
        _ => TinyCnn().Landscape,
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void LanczosTopFiveMatchDenseEigenvalues(string model)
    {
        var landscape = Model(model);
        var exact = Spectrum(HessianMeasures.DenseHessian(landscape));
        var result = HessianMeasures.TopEigenvalues(landscape, new LanczosOptions { Count = 5 });

        Assert.True(result.Converged, $"not converged after {result.Iterations} steps (tolerance {result.AchievedTolerance:E2})");
        Assert.True(result.AchievedTolerance <= 1e-3);
        Assert.Equal(result.Iterations, result.HessianVectorProducts);
        Assert.True(result.Iterations < exact.Length, "Lanczos should converge before spanning the whole space.");
        Assert.Equal(5, result.Eigenvalues.Length);
        for (int i = 0; i < 5; i++)
            Assert.True(Relative(result.Eigenvalues[i], exact[i]) < 1e-3, $"λ{i + 1}: Lanczos {result.Eigenvalues[i]}, dense {exact[i]}");
    }

    [Fact]
    public void LanczosResidualBoundHoldsOnAKnownSpectrum()
    {
        // Clustered top of the spectrum: 10, 9.99, 9.9, then a bulk on [−1, 1].
        var rng = new Random(3);
        var eigenvalues = new[] { 10.0, 9.99, 9.9 }.Concat(Enumerable.Range(0, 197).Select(_ => rng.NextDouble() * 2 - 1)).ToArray();
        var op = new DenseOperator(WithSpectrum(eigenvalues, seed: 4));
        var result = Lanczos.TopEigenvalues(op, new LanczosOptions { Count = 3, Tolerance = 1e-6, MaxIterations = 200 });
        Assert.True(result.Converged);
        Assert.Equal(result.HessianVectorProducts, op.ProductCount);
        var expected = new[] { 10.0, 9.99, 9.9 };
        for (int i = 0; i < 3; i++)
            Assert.True(Relative(result.Eigenvalues[i], expected[i]) <= result.AchievedTolerance, $"λ{i + 1}: {result.Eigenvalues[i]} vs {expected[i]}, bound {result.AchievedTolerance:E2}");
    }

    [Fact]
    public void LanczosRunPastConvergenceHasNoGhostCopies()
    {
        // Without full reorthogonalisation, converged Ritz values reappear as spurious copies
        // ("ghosts", Paige 1971) when the iteration keeps going: 100 would show up twice.
        var rng = new Random(7);
        var eigenvalues = new[] { 100.0, 50.0, 30.0 }.Concat(Enumerable.Range(0, 397).Select(_ => rng.NextDouble())).ToArray();
        var op = new DenseOperator(WithSpectrum(eigenvalues, seed: 7));
        var result = Lanczos.TopEigenvalues(op, new LanczosOptions { Count = 4, MaxIterations = 150, Tolerance = 0 });
        Assert.Equal(150, result.Iterations);
        Assert.Equal(new[] { 100.0, 50.0, 30.0 }, result.Eigenvalues.Take(3).Select(x => Math.Round(x, 8)).ToArray());
        Assert.InRange(result.Eigenvalues[3], 0.99, 1.0);
    }

    [Fact]
    public void OneLanczosStepGivesTheRayleighQuotientAndOneDimensionalOperatorsWork()
    {
        var op = new DenseOperator(WithSpectrum(new[] { 3.0, 2.0, 1.0 }, seed: 1));
        var one = Lanczos.TopEigenvalues(op, new LanczosOptions { MaxIterations = 1, Tolerance = 0 });
        Assert.Equal(1, one.Iterations);
        Assert.InRange(one.TopEigenvalue, 1.0, 3.0);
        Assert.False(one.Converged);

        var scalar = new DenseOperator(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new[,] { { -2.5 } }));
        Assert.Equal(-2.5, Lanczos.TopEigenvalues(scalar).TopEigenvalue, 12);
        Assert.Equal(new[] { -2.5 }, scalar.Eigenvalues());
        Assert.Equal(-2.5, PowerIteration.TopEigenvalues(scalar).TopEigenvalue, 12);
        var density = StochasticLanczosQuadrature.Estimate(scalar, new SpectralDensityOptions { StartVectors = 2, GridPoints = 11 });
        Assert.Equal(-2.5, density.Trace, 12);
    }

    [Fact]
    public void LanczosStopsAtTheIterationLimitAndSaysSo()
    {
        var rng = new Random(8);
        var eigenvalues = Enumerable.Range(0, 300).Select(i => 1.0 + 1e-4 * rng.NextDouble()).ToArray();
        var op = new DenseOperator(WithSpectrum(eigenvalues, seed: 8));
        var result = Lanczos.TopEigenvalues(op, new LanczosOptions { Count = 2, MaxIterations = 5, Tolerance = 1e-12 });
        Assert.False(result.Converged);
        Assert.Equal(5, result.Iterations);
        Assert.True(result.AchievedTolerance > 1e-12);
    }

    [Fact]
    public void LanczosFindsRepeatedEigenvaluesByRestarting()
    {
        // Spectrum {5, 5, 5, 1, …}: one Krylov space sees a single 5; restarts after breakdown find the others.
        var eigenvalues = new[] { 5.0, 5.0, 5.0 }.Concat(Enumerable.Repeat(1.0, 17)).ToArray();
        var op = new DenseOperator(WithSpectrum(eigenvalues, seed: 5));
        var result = Lanczos.TopEigenvalues(op, new LanczosOptions { Count = 4, Tolerance = 1e-8 });
        Assert.True(result.Converged);
        Assert.Equal(new[] { 5.0, 5.0, 5.0, 1.0 }, result.Eigenvalues.Select(x => Math.Round(x, 8)).ToArray());
        Assert.True(result.Iterations < 20, $"took {result.Iterations} steps for a 20-dimensional space");
    }

    [Fact]
    public void LanczosStopsEarlyOnALowRankOperator()
    {
        // Rank 4 in dimension 60: the Krylov space is invariant after ≤ 5 steps; one probe of the null space confirms.
        var eigenvalues = new[] { 4.0, 3.0, 2.0, 1.0 }.Concat(Enumerable.Repeat(0.0, 56)).ToArray();
        var op = new DenseOperator(WithSpectrum(eigenvalues, seed: 2));
        var result = Lanczos.TopEigenvalues(op, new LanczosOptions { Count = 2 });
        Assert.True(result.Converged);
        Assert.Equal(new[] { 4.0, 3.0 }, result.Eigenvalues.Select(x => Math.Round(x, 8)).ToArray());
        Assert.True(result.Iterations <= 8, $"took {result.Iterations} steps");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void PowerIterationFindsTheTopEigenvalue(string model)
    {
        var landscape = Model(model);
        var exact = Spectrum(HessianMeasures.DenseHessian(landscape));
        Assert.True(exact[0] > -exact[^1], "the test needs the largest-magnitude eigenvalue to be the largest");
        var result = HessianMeasures.TopEigenvaluesByPowerIteration(landscape, new PowerIterationOptions { Tolerance = 1e-7, MaxIterations = 3000 });
        Assert.True(result.Converged, $"power iteration did not converge in {result.Iterations} steps");
        Assert.True(Relative(result.TopEigenvalue, exact[0]) < 1e-3, $"power {result.TopEigenvalue}, dense {exact[0]}");
    }

    [Fact]
    public void PowerIterationDeflationFindsTheNextEigenvalues()
    {
        var eigenvalues = new[] { 8.0, 4.0, -2.0 }.Concat(Enumerable.Range(0, 37).Select(i => 0.01 * i)).ToArray();
        var op = new DenseOperator(WithSpectrum(eigenvalues, seed: 6));
        var result = PowerIteration.TopEigenvalues(op, new PowerIterationOptions { Count = 3, Tolerance = 1e-10, MaxIterations = 1000 });
        Assert.True(result.Converged);
        Assert.Equal(new[] { 8.0, 4.0, -2.0 }, result.Eigenvalues.Select(x => Math.Round(x, 5)).ToArray());
        Assert.Equal(result.Iterations, op.ProductCount);
    }
}
