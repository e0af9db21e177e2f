using SharpnessML.Studies.DiagonalNetwork;

namespace SharpnessML.Cli.Bench;

/// <summary>
/// The benchmark rows of the diagonal-network experiment (<see cref="DiagonalNetworkExperiment"/>, in Studies): the
/// result per optimiser and draw, the ℓ1 reference, and the paper's claim over the draws.
/// </summary>
internal static class DiagonalNetworkRows
{
    /// <summary>
    /// One row per optimiser and seed, the ℓ1 reference per seed, then the claim over the seeds, for n 12
    /// (ℓ1 minimisation misses β* on most draws) and n 16 (it finds β* on about half, where the two
    /// optimisers' targets coincide). The claim is met when on every seed Adam's tr(diag(H)^½) is lower and
    /// its β no denser, and SGD+LN's tr(H) is at its minimum over the interpolators and no higher than
    /// Adam's; the strict counts are reported next to them.
    /// </summary>
    public static IEnumerable<BenchmarkRow> Rows(bool quick) =>
        quick ? Rows(new DiagonalNetworkExperiment.Setting(Steps: 300_000), seeds: 2)
              : Rows(new DiagonalNetworkExperiment.Setting(), seeds: 12).Concat(Rows(new DiagonalNetworkExperiment.Setting(Examples: 16), seeds: 12));

    /// <summary>The rows of one setting over <paramref name="seeds"/> data draws.</summary>
    public static IEnumerable<BenchmarkRow> Rows(DiagonalNetworkExperiment.Setting setting, int seeds)
    {
        var outcomes = DiagonalNetworkExperiment.Run(setting, seeds);
        for (int seed = 0; seed < seeds; seed++)
        {
            var (adam, sgd, l1) = outcomes[seed];
            foreach (var (name, o) in new[] { ("Adam + label noise", adam), ("SGD + label noise", sgd) })
                yield return new BenchmarkRow("diagonal network", $"{name}, seed {seed}",
                    $"tr(diag H^½) {o.SqrtDiagTrace:F2}, tr H {o.Trace:F3}, ‖β‖₁ {o.L1:F3}, |β_j| > 0.01: {o.Large}, train MSE {o.TrainMse:E1}, test MSE {o.TestMse:F4}",
                    o.SqrtDiagTrace / adam.SqrtDiagTrace, "tr(diag H^½) relative to Adam's", null);
            yield return new BenchmarkRow("diagonal network", $"ℓ1-minimal interpolator (SGD+LN's long-run target), seed {seed}",
                $"‖β‖₁ {l1.L1:F3} (β*: {l1.SignalL1:F3}), so min tr H over the interpolators {4 * l1.L1:F3}; |β_j| > 0.01: {l1.Large}, test MSE {l1.TestMse:F4}; "
                + $"feature columns equal up to sign: {l1.RepeatedColumns} pair(s)",
                4 * l1.L1 / adam.Trace, "min tr H / Adam's tr H", null);
        }
        var c = DiagonalNetworkExperiment.Claim(outcomes);
        var tolerance = DiagonalNetworkExperiment.TraceTolerance;
        yield return new BenchmarkRow("diagonal network", $"paper's claim over {seeds} seed(s): {setting}",
            $"Adam lower tr(diag H^½): {c.LowerSqrtDiagTrace}/{seeds} (mean {c.MeanSqrtDiagTrace.Adam:F2} vs {c.MeanSqrtDiagTrace.Sgd:F2}); "
            + $"Adam sparser: {c.Sparser}/{seeds}, as sparse or sparser: {c.NotDenser}/{seeds} (mean |β_j| > 0.01: {c.MeanLarge.Adam:F1} vs {c.MeanLarge.Sgd:F1}); "
            + $"SGD+LN tr H at its minimum over the interpolators (4·min ‖β‖₁, within {tolerance:P1}): {c.SgdAtMinimum}/{seeds}, Adam's: {c.AdamAtMinimum}/{seeds}; "
            + $"SGD+LN tr H lower: {c.LowerTrace}/{seeds}, lower or equal: {c.NotHigherTrace}/{seeds} (mean {c.MeanTrace.Sgd:F3} vs {c.MeanTrace.Adam:F3}); "
            + $"Adam lower test MSE: {c.BetterTest}/{seeds} (median {c.MedianTestMse.Adam:F3} vs {c.MedianTestMse.Sgd:F3}, "
            + $"mean {c.MeanTestMse.Adam:F3} vs {c.MeanTestMse.Sgd:F3})",
            c.MeanTraceRatio, "mean tr H of SGD+LN / Adam (≤ 1 claimed)", c.Met);
    }
}
