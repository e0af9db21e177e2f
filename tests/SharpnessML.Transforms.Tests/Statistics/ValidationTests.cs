using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Transforms.Tests.Statistics;

public class ValidationTests
{
    private static readonly Dictionary<string, (Func<IReadOnlyList<double>, IReadOnlyList<double>, object> Run, int MinimumLength)>
        Statistics = new()
        {
            ["kendall"] = ((x, y) => KendallTau.Compute(x, y), 2),
            ["spearman"] = ((x, y) => SpearmanRho.Compute(x, y), 3),
            ["pearson"] = ((x, y) => PearsonR.Compute(x, y), 3),
            ["bootstrap"] = ((x, y) => BootstrapInterval.ForKendallTau(x, y, seed: 1, resamples: 10), 2),
        };

    public static TheoryData<string> StatisticNames => new() { "kendall", "spearman", "pearson", "bootstrap" };

    [Theory]
    [MemberData(nameof(StatisticNames))]
    public void NullInputsThrowNamingTheArgument(string statistic)
    {
        var run = Statistics[statistic].Run;
        double[] ok = [1.0, 2.0, 3.0, 4.0];
        var ex = Assert.Throws<ArgumentNullException>(() => run(null!, ok));
        Assert.Equal("x", ex.ParamName);
        ex = Assert.Throws<ArgumentNullException>(() => run(ok, null!));
        Assert.Equal("y", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(StatisticNames))]
    public void LengthMismatchThrows(string statistic)
    {
        var ex = Assert.Throws<ArgumentException>(() => Statistics[statistic].Run([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0]));
        Assert.Contains("same length", ex.Message);
        Assert.Contains("x has 4 values and y has 3", ex.Message);
    }

    [Theory]
    [MemberData(nameof(StatisticNames))]
    public void TooFewObservationsThrow(string statistic)
    {
        var (run, minimum) = Statistics[statistic];
        var shortSample = Enumerable.Range(0, minimum - 1).Select(i => (double)i).ToArray();
        var ex = Assert.Throws<ArgumentException>(() => run(shortSample, shortSample));
        Assert.Contains($"at least {minimum} observations", ex.Message);

        // Exactly the minimum is accepted.
        var enough = Enumerable.Range(0, minimum).Select(i => (double)i).ToArray();
        Assert.NotNull(run(enough, enough.Reverse().ToArray()));
    }

    [Theory]
    [MemberData(nameof(StatisticNames))]
    public void NaNThrowsNamingSampleAndIndex(string statistic)
    {
        var run = Statistics[statistic].Run;
        var ex = Assert.Throws<ArgumentException>(() => run([1.0, double.NaN, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]));
        Assert.Contains("x contains NaN at index 1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => run([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, double.NaN]));
        Assert.Contains("y contains NaN at index 3", ex.Message);
    }

    [Theory]
    [MemberData(nameof(StatisticNames))]
    public void InfinityThrowsNamingSampleAndIndex(string statistic)
    {
        var run = Statistics[statistic].Run;
        var ex = Assert.Throws<ArgumentException>(() => run([1.0, 2.0, double.PositiveInfinity, 4.0], [1.0, 2.0, 3.0, 4.0]));
        Assert.Contains("x contains an infinite value", ex.Message);
        Assert.Contains("index 2", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => run([1.0, 2.0, 3.0, 4.0], [double.NegativeInfinity, 2.0, 3.0, 4.0]));
        Assert.Contains("y contains an infinite value", ex.Message);
        Assert.Contains("index 0", ex.Message);
    }
}
