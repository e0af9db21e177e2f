using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Transforms.Tests.Statistics;

public class BootstrapIntervalTests
{
    /// <summary>y = x + noise, with x and the noise uniform; deterministic for a seed.</summary>
    private static (double[] X, double[] Y) Correlated(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = random.NextDouble();
            y[i] = x[i] + random.NextDouble();
        }

        return (x, y);
    }

    [Fact]
    public void SameSeedGivesTheSameIntervalAndAnotherSeedAnother()
    {
        var c = ReferenceData.Cases["Study50"];
        var first = BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 42);
        var second = BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 42);
        var other = BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 43);

        Assert.Equal(first, second);
        Assert.NotEqual((first.Lower, first.Upper), (other.Lower, other.Upper));
        Assert.Equal(BootstrapInterval.DefaultResamples, first.Resamples);
        Assert.Equal(1000, first.ValidResamples);
        Assert.Equal(0.95, first.Confidence);
    }

    [Theory]
    [InlineData("Study50")]
    [InlineData("StudyTies50")]
    [InlineData("Small")]
    public void IntervalContainsThePointEstimate(string name)
    {
        var c = ReferenceData.Cases[name];
        var interval = BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 1);
        StatAssert.Close(c.Kendall.Coefficient, interval.Estimate, $"{name} estimate");
        Assert.True(interval.Lower < interval.Estimate && interval.Estimate < interval.Upper,
            $"{name}: [{interval.Lower}, {interval.Upper}] should contain {interval.Estimate}");
        Assert.InRange(interval.Lower, -1.0, 1.0);
        Assert.InRange(interval.Upper, -1.0, 1.0);
    }

    [Fact]
    public void IntervalNarrowsWithMoreData()
    {
        // The width shrinks roughly like 1/√n: ten times the data should give about a third of the width.
        var (x30, y30) = Correlated(30, seed: 5);
        var (x300, y300) = Correlated(300, seed: 5);
        var small = BootstrapInterval.ForKendallTau(x30, y30, seed: 9);
        var large = BootstrapInterval.ForKendallTau(x300, y300, seed: 9);
        var smallWidth = small.Upper - small.Lower;
        var largeWidth = large.Upper - large.Lower;
        Assert.True(largeWidth < 0.6 * smallWidth, $"width n=300 {largeWidth} vs n=30 {smallWidth}");
    }

    [Fact]
    public void HigherConfidenceGivesAWiderInterval()
    {
        var c = ReferenceData.Cases["Study50"];
        var narrow = BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 3, confidence: 0.5);
        var wide = BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 3, confidence: 0.99);
        Assert.True(wide.Lower < narrow.Lower && narrow.Upper < wide.Upper);
    }

    [Fact]
    public void BoundsAreLinearlyInterpolatedPercentilesOfTheResampledStatistics()
    {
        var c = ReferenceData.Cases["Study50"];
        var resampled = new List<double>();
        double Statistic(IReadOnlyList<double> x, IReadOnlyList<double> y)
        {
            var value = KendallTau.Compute(x, y).Coefficient;
            if (!ReferenceEquals(x, c.X))
            {
                resampled.Add(value);
            }

            return value;
        }

        var interval = BootstrapInterval.Percentile(c.X, c.Y, Statistic, seed: 11, resamples: 200, confidence: 0.9);

        Assert.Equal(200, resampled.Count);
        var sorted = resampled.Order().ToArray();
        // NumPy's default percentile: position h = (N − 1)·q, linear between the neighbouring order statistics.
        double Percentile(double q)
        {
            var h = (sorted.Length - 1) * q;
            var lo = (int)Math.Floor(h);
            return sorted[lo] + ((h - lo) * (sorted[Math.Min(lo + 1, sorted.Length - 1)] - sorted[lo]));
        }

        Assert.Equal(Percentile(0.05), interval.Lower, 12);
        Assert.Equal(Percentile(0.95), interval.Upper, 12);
        Assert.Equal(KendallTau.Compute(c.X, c.Y).Coefficient, interval.Estimate);
    }

    [Fact]
    public void PerfectlyConcordantDataGiveTheDegenerateIntervalAtOne()
    {
        // Every resample of (i, i) pairs is perfectly concordant (duplicates are tied in both x and y, which τ-b
        // ignores), unless all draws are the same pair, which leaves τ undefined and drops the resample.
        var x = Enumerable.Range(1, 20).Select(i => (double)i).ToArray();
        var interval = BootstrapInterval.ForKendallTau(x, x.Select(v => 2 * v).ToArray(), seed: 2);
        // τ-b = (C − D)/√(P − Tx)/√(P − Ty) can round to 1 − 1e-16 with ties, as in SciPy.
        Assert.Equal(1.0, interval.Estimate, 12);
        Assert.Equal(1.0, interval.Lower, 12);
        Assert.Equal(1.0, interval.Upper, 12);
        Assert.True(interval.ValidResamples > 990, $"{interval.ValidResamples} valid resamples");
    }

    [Fact]
    public void ConstantInputGivesNaNIntervalWithNoValidResamples()
    {
        var interval = BootstrapInterval.ForKendallTau([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0], seed: 0, resamples: 50);
        Assert.True(double.IsNaN(interval.Estimate));
        Assert.True(double.IsNaN(interval.Lower));
        Assert.True(double.IsNaN(interval.Upper));
        Assert.Equal((50, 0), (interval.Resamples, interval.ValidResamples));
    }

    [Fact]
    public void InvalidSettingsThrowNamingTheProblem()
    {
        var c = ReferenceData.Cases["Small"];
        var ex = Assert.Throws<ArgumentException>(() => BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 0, resamples: 0));
        Assert.Contains("number of resamples must be at least 1", ex.Message);
        foreach (var confidence in new[] { 0.0, 1.0, -0.5, 95.0, double.NaN })
        {
            ex = Assert.Throws<ArgumentException>(() => BootstrapInterval.ForKendallTau(c.X, c.Y, seed: 0, confidence: confidence));
            Assert.Contains("confidence level must lie strictly between 0 and 1", ex.Message);
        }

        Assert.Throws<ArgumentNullException>(() => BootstrapInterval.Percentile(c.X, c.Y, null!, seed: 0));
    }
}
