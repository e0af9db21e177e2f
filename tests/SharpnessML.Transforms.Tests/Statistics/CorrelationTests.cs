using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Transforms.Tests.Statistics;

public class CorrelationTests
{
    public static TheoryData<string> CaseNames => ReferenceData.Names();

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void KendallTauMatchesScipy(string name)
    {
        var c = ReferenceData.Cases[name];
        var result = KendallTau.Compute(c.X, c.Y);
        StatAssert.Close(c.Kendall.Coefficient, result.Coefficient, $"{name} tau");
        StatAssert.Close(c.Kendall.PValue, result.PValue, $"{name} p");
        Assert.Equal(c.KendallMethod, result.Method);
        Assert.Equal(c.X.Length, result.SampleSize);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void SpearmanRhoMatchesScipy(string name)
    {
        var c = ReferenceData.Cases[name];
        var result = SpearmanRho.Compute(c.X, c.Y);
        StatAssert.Close(c.Spearman.Coefficient, result.Coefficient, $"{name} rho");
        StatAssert.Close(c.Spearman.PValue, result.PValue, $"{name} p");
        Assert.Equal(CorrelationResult.StudentTMethod, result.Method);
        Assert.Equal(c.X.Length, result.SampleSize);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void PearsonRMatchesScipy(string name)
    {
        var c = ReferenceData.Cases[name];
        var result = PearsonR.Compute(c.X, c.Y);
        StatAssert.Close(c.Pearson.Coefficient, result.Coefficient, $"{name} r");
        StatAssert.Close(c.Pearson.PValue, result.PValue, $"{name} p");
        Assert.Equal(CorrelationResult.ExactMethod, result.Method);
        Assert.Equal(c.X.Length, result.SampleSize);
    }

    [Fact]
    public void KendallTauIsSymmetricInItsArguments()
    {
        var c = ReferenceData.Cases["StudyTies50"];
        var xy = KendallTau.Compute(c.X, c.Y);
        var yx = KendallTau.Compute(c.Y, c.X);
        Assert.Equal(xy.Coefficient, yx.Coefficient, 15);
        Assert.Equal(xy.PValue, yx.PValue, 15);
    }

    [Fact]
    public void KendallPairCountsAgreeWithBruteForceOnTiedData()
    {
        // The merge-sort counting is checked against the O(n²) definition on data with many ties,
        // at a size (n = 400) beyond the SciPy reference vectors.
        var random = new Random(7);
        var n = 400;
        var x = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = random.Next(25);
            y[i] = Math.Round((0.3 * x[i]) + (random.NextDouble() * 6.0));
        }

        long concordant = 0, discordant = 0, xTies = 0, yTies = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var s = Math.Sign(x[i] - x[j]) * Math.Sign(y[i] - y[j]);
                if (x[i] == x[j]) xTies++;
                if (y[i] == y[j]) yTies++;
                if (s > 0) concordant++;
                if (s < 0) discordant++;
            }
        }

        long total = (long)n * (n - 1) / 2;
        var expected = (concordant - discordant) / Math.Sqrt((double)(total - xTies) * (total - yTies));
        var result = KendallTau.Compute(x, y);
        Assert.Equal(expected, result.Coefficient, 12);
        Assert.Equal(CorrelationResult.NormalApproximationMethod, result.Method);
    }

    [Fact]
    public void ExactKendallDistributionMatchesEnumerationForFourItems()
    {
        // The 24 permutations of 4 items have 0..6 inversions with counts 1, 3, 5, 6, 5, 3, 1.
        // Two-sided p for c concordant pairs = 2·P(C ≤ min(c, 6 − c)), capped at 1.
        Assert.Equal(2.0 * 1 / 24, KendallTau.ExactPValue(4, 0), 15);
        Assert.Equal(2.0 * 4 / 24, KendallTau.ExactPValue(4, 1), 15);
        Assert.Equal(2.0 * 9 / 24, KendallTau.ExactPValue(4, 2), 15);
        Assert.Equal(1.0, KendallTau.ExactPValue(4, 3), 15);
        Assert.Equal(2.0 * 9 / 24, KendallTau.ExactPValue(4, 4), 15);
        Assert.Equal(2.0 * 1 / 24, KendallTau.ExactPValue(4, 6), 15);
    }

    [Fact]
    public void TwoPairsGiveKendallTauOfPlusOrMinusOneWithPValueOne()
    {
        // scipy.stats.kendalltau([1, 2], [5, 3]) -> (-1.0, 1.0) (SciPy 1.10.1).
        var result = KendallTau.Compute([1.0, 2.0], [5.0, 3.0]);
        Assert.Equal(-1.0, result.Coefficient);
        Assert.Equal(1.0, result.PValue);
        Assert.Equal(CorrelationResult.ExactMethod, result.Method);
    }

    public static TheoryData<string> StatisticNames => new() { "kendall", "spearman", "pearson" };

    private static CorrelationResult Run(string statistic, double[] x, double[] y) => statistic switch
    {
        "kendall" => KendallTau.Compute(x, y),
        "spearman" => SpearmanRho.Compute(x, y),
        "pearson" => PearsonR.Compute(x, y),
        _ => throw new ArgumentOutOfRangeException(nameof(statistic)),
    };

    [Theory]
    [MemberData(nameof(StatisticNames))]
    public void ConstantInputGivesNaNCoefficientAndPValueLikeScipy(string statistic)
    {
        // SciPy 1.10.1 returns (nan, nan) (with a ConstantInputWarning) when either input is constant.
        double[] varying = [1.0, 2.0, 3.0, 4.0];
        double[] constant = [2.5, 2.5, 2.5, 2.5];
        foreach (var (x, y) in new[] { (constant, varying), (varying, constant) })
        {
            var result = Run(statistic, x, y);
            Assert.True(double.IsNaN(result.Coefficient), $"{statistic} coefficient {result.Coefficient}");
            Assert.True(double.IsNaN(result.PValue), $"{statistic} p-value {result.PValue}");
            Assert.Equal(CorrelationResult.UndefinedMethod, result.Method);
            Assert.Equal(4, result.SampleSize);
        }
    }
}
