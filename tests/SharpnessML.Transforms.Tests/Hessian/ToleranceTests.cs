using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using static SharpnessML.TestKit.HessianTestModels;

namespace SharpnessML.Transforms.Tests.Hessian;

/// <summary>
/// Time-to-accuracy: the stochastic estimators stop at a relative standard error, report what they reached, and with
/// the tolerance off give the numbers they gave before tolerances existed (pinned from commit 4ab8d63).
/// </summary>
public class ToleranceTests
{
    private static (SharpnessML.Transforms.Landscape.LossLandscape Landscape, MathNet.Numerics.LinearAlgebra.Matrix<double> Dense) Network()
    {
        var (landscape, _) = Mlp(new[] { 6, 10, 4 }, 50, seed: 7); // 114 parameters
        return (landscape, HessianMeasures.DenseHessian(landscape));
    }

    [Fact]
    public void TraceEstimatorsStopAtTheToleranceAndTheirStandardErrorMatchesTheTrueError()
    {
        var (landscape, dense) = Network();
        double exact = dense.Trace();
        const double tolerance = 0.05;
        int within = 0, runs = 0;
        double squaredRatio = 0;
        var log = new List<string>();
        for (int seed = 0; seed < 10; seed++)
        {
            var hutchinson = HessianMeasures.Trace(landscape, new HutchinsonOptions { MaxSamples = 2000, Tolerance = tolerance, Seed = seed });
            // Hutch++'s sketch takes 2⌊m/3⌋ products first (here 100 of at most 150, a sketch of 50 of the 114 directions).
            var plusPlus = HessianMeasures.TraceHutchPlusPlus(landscape, new HutchPlusPlusOptions { Budget = 150, Tolerance = tolerance, Seed = seed });
            foreach (var (result, name, budget) in new[] { (hutchinson, "Hutchinson", 2000), (plusPlus, "Hutch++", 150) })
            {
                Assert.True(result.HessianVectorProducts < budget, $"{name} seed {seed}: no early stop ({result.HessianVectorProducts} products)");
                Assert.True(result.RelativeStandardError <= tolerance, $"{name} seed {seed}: relative SE {result.RelativeStandardError}");
                Assert.Equal(result.StandardError!.Value / Math.Abs(result.Value), result.RelativeStandardError!.Value, 15);
                Assert.Contains(result.Details(), d => d.Key == "relative_stderr");
                double error = Math.Abs(result.Value - exact);
                log.Add($"{name} {seed}: {result.HessianVectorProducts} {result.Value:G4} ± {result.StandardError:G3} err {error:G3}");
                if (error <= 2 * result.StandardError) within++;
                squaredRatio += error * error / (result.StandardError!.Value * result.StandardError.Value);
                runs++;
            }
        }
        // A calibrated standard error: ~95% of the errors within 2 SE, and a mean squared error / SE² near 1 (not 0.01, not 100).
        Assert.True(within >= 0.8 * runs, $"{within} of {runs} estimates within 2 SE of the exact trace {exact}: " + string.Join("; ", log));
        Assert.InRange(squaredRatio / runs, 0.2, 3.0);
    }

    [Fact]
    public void DiagonalStopsAtTheToleranceAndItsRelativeErrorMatchesTheTrueOne()
    {
        var (landscape, dense) = Network();
        var exact = dense.Diagonal();
        const double tolerance = 0.3;
        double ratio = 0;
        for (int seed = 0; seed < 5; seed++)
        {
            var result = HessianMeasures.Diagonal(landscape, new DiagonalOptions { Samples = 5000, Tolerance = tolerance, Seed = seed });
            Assert.True(result.Samples < 5000 && result.Samples >= 10, $"seed {seed}: {result.Samples} samples");
            Assert.Equal(result.Samples, result.HessianVectorProducts);
            Assert.True(result.RelativeStandardError <= tolerance);
            // ‖Ĥ − H‖² has expectation Σ SE_i²: with 114 entries the ratio of the true to the reported relative error is near 1.
            double trueRelative = (MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(result.Diagonal) - exact).L2Norm()
                                  / MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(result.Diagonal).L2Norm();
            ratio += trueRelative / result.RelativeStandardError!.Value / 5;
        }
        Assert.InRange(ratio, 0.6, 1.5);
    }

    [Fact]
    public void SlqStopsDrawingStartVectorsAtTheTolerance()
    {
        var (landscape, dense) = Network();
        double exact = dense.Trace();
        const double tolerance = 0.05;
        int within = 0;
        for (int seed = 0; seed < 6; seed++)
        {
            var result = HessianMeasures.SpectralDensity(landscape, new SpectralDensityOptions
            {
                StartVectors = 500, Iterations = 15, GridPoints = 200, Tolerance = tolerance, Seed = seed,
            });
            Assert.InRange(result.Nodes.Length, 3, 499);
            Assert.Equal(15L * result.Nodes.Length, result.HessianVectorProducts);
            Assert.True(result.RelativeStandardError <= tolerance);
            if (Math.Abs(result.Trace - exact) <= 2 * result.TraceStandardError) within++;
        }
        Assert.True(within >= 4, $"{within} of 6 SLQ traces within 2 SE of {exact}");
    }

    [Fact]
    public void WithTheToleranceOffTheNumbersAreThoseOfBeforeTolerances()
    {
        // Printed by the same calls on commit 4ab8d63 (before tolerances, per-chunk graphs and the memory budget).
        var (landscape, _) = Mlp(new[] { 6, 10, 4 }, 50, seed: 7);
        var h = HessianMeasures.Trace(landscape, new HutchinsonOptions { MaxSamples = 40, Tolerance = 0, Seed = 5 });
        var p = HessianMeasures.TraceHutchPlusPlus(landscape, new HutchPlusPlusOptions { Budget = 40, Seed = 5 });
        var d = HessianMeasures.Diagonal(landscape, new DiagonalOptions { Samples = 30, Seed = 5 });
        var s = HessianMeasures.SpectralDensity(landscape, new SpectralDensityOptions { StartVectors = 6, Iterations = 20, Seed = 5 });
        var c = HessianMeasures.Trace(landscape, new HutchinsonOptions { MaxSamples = 40, Tolerance = 0, Seed = 5, ChunkSize = 16 });
        Assert.Equal(2.0356853509126123, h.Value);
        Assert.Equal(0.3562216158375105, h.StandardError);
        Assert.Equal(3.110571696632859, p.Value);
        Assert.Equal(0.38547227399272166, p.StandardError);
        Assert.Equal(14.281680846119094, d.SqrtTrace);
        Assert.Equal(0.2327335640050881, d.SumOfSquares);
        Assert.Equal(0.11125233378968331, d.Diagonal[3]);
        Assert.Equal(0.052298039605511125, d.StandardErrors[3]);
        Assert.Equal(2.9586785682141894, s.Trace);
        Assert.Equal(1.1033415459955593, s.Density[s.Density.Length / 2]);
        Assert.Equal(0.44520635102889206, s.Nodes[5][0]);
        // Four chunks of 16: the graphs are now kept (within the budget) instead of recomputed: the same bits.
        Assert.Equal(2.0356853509126127, c.Value);
        Assert.Equal(0.3562216158375105, c.StandardError);
        Assert.True(c.ProductPlan!.ReusesGradientGraph);
    }

    [Fact]
    public void SharedSettingsReachTheOptionsAndBadOnesAreRefused()
    {
        var settings = new MeasureSettings(Seed: 4, Tolerance: 0.02, Eigenvalues: 3, StartVectors: 7, ChunkSize: 256, MemoryBudgetBytes: 1 << 20);
        var trace = new HessianTraceMeasure().OptionsFor(settings);
        Assert.Equal((4, 0.02, 256, 1L << 20), (trace.Seed, trace.Tolerance, trace.ChunkSize, trace.MemoryBudgetBytes));
        Assert.Equal(0.02, new HessianTraceHutchPlusPlusMeasure().OptionsFor(settings).Tolerance);
        Assert.Equal(0.02, new HessianDiagonalMeasure(DiagonalSharpness.SqrtTrace).OptionsFor(settings).Tolerance);
        var density = new HessianDensityMeasure().OptionsFor(settings);
        Assert.Equal((0.02, 7), (density.Tolerance, density.StartVectors));
        Assert.Equal(7, new RenyiSharpnessMeasure().OptionsFor(settings).StartVectors);
        Assert.Equal(3, new HessianTopEigenvaluesMeasure().OptionsFor(settings).Count);
        // Not given: each option's own default.
        var defaults = new HessianTraceMeasure().OptionsFor(new MeasureSettings());
        Assert.Equal((1e-3, HessianOperator.DefaultChunkSize, HessianOptions.DefaultMemoryBudgetBytes), (defaults.Tolerance, defaults.ChunkSize, defaults.MemoryBudgetBytes));
        Assert.Equal(0, new HessianTraceHutchPlusPlusMeasure().OptionsFor(new MeasureSettings()).Tolerance);
        Assert.Equal(5, new HessianTopEigenvaluesMeasure().OptionsFor(new MeasureSettings()).Count);

        foreach (var bad in new[]
                 {
                     new MeasureSettings(Tolerance: -0.1), new MeasureSettings(Tolerance: 1), new MeasureSettings(Tolerance: double.NaN),
                     new MeasureSettings(Eigenvalues: 0), new MeasureSettings(StartVectors: 0), new MeasureSettings(ChunkSize: 0),
                     new MeasureSettings(MemoryBudgetBytes: -1),
                 })
            Assert.Throws<ArgumentOutOfRangeException>(bad.Validate);
    }
}
