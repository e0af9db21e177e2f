namespace SharpnessML.Transforms.Tests.Statistics;

/// <summary>Numeric comparison against SciPy reference values.</summary>
internal static class StatAssert
{
    public const double RelativeTolerance = 1e-9;
    public const double AbsoluteTolerance = 1e-12;

    /// <summary>
    /// |actual − expected| ≤ 1e-9·|expected|, or ≤ 1e-12 when expected is exactly 0. The tolerance is relative for
    /// every non-zero value, so tiny p-values (1e-47) are checked to 9 significant digits, not merely "≈ 0".
    /// </summary>
    public static void Close(double expected, double actual, string what)
    {
        var tolerance = expected == 0.0 ? AbsoluteTolerance : RelativeTolerance * Math.Abs(expected);
        Assert.True(
            Math.Abs(actual - expected) <= tolerance,
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(actual - expected):R} > {tolerance:R}).");
    }
}
