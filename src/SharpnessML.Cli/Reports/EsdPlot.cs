using SharpnessML.Transforms.Spectral;

namespace SharpnessML.Cli.Reports;

/// <summary>
/// The empirical spectral density of one layer and its power-law fit, as WeightWatcher shows it: the complementary
/// distribution P(λ' ≥ λ) of the eigenvalues of WᵀW on log-log axes, the fitted tail
/// P(λ' ≥ λ) = (n_tail / n)·(λ / x_min)^−(α−1) from x_min on (Clauset et al. 2009), and x_min itself.
/// </summary>
internal static class EsdPlot
{
    /// <summary>Writes the plot of <paramref name="layer"/> to <paramref name="path"/> (PNG).</summary>
    public static void Save(string path, LayerSpectrum layer, string title)
    {
        var values = layer.Eigenvalues.Where(v => v > 0).OrderBy(v => v).ToArray();
        int n = values.Length;
        var x = values.Select(Math.Log10).ToArray();
        var y = values.Select((_, i) => Math.Log10((double)(n - i) / n)).ToArray();
        var fit = layer.Fit;
        var plot = new ScottPlot.Plot();
        var points = plot.Add.ScatterPoints(x, y);
        points.MarkerSize = 5;
        points.LegendText = $"eigenvalues of W^T W ({n})";
        var tail = values.Where(v => v >= fit.XMin).ToArray();
        if (tail.Length >= 2)
        {
            double share = (double)tail.Length / n;
            var tx = new[] { Math.Log10(fit.XMin), Math.Log10(tail.Max()) };
            var ty = tx.Select(lx => Math.Log10(share) - (fit.Alpha - 1) * (lx - Math.Log10(fit.XMin))).ToArray();
            var line = plot.Add.ScatterLine(tx, ty);
            line.LineWidth = 2;
            line.LegendText = $"power law, α = {fit.Alpha:F2} ({fit.TailCount} in the tail, KS {fit.KsDistance:F3})";
        }

        var xmin = plot.Add.VerticalLine(Math.Log10(fit.XMin));
        xmin.LinePattern = ScottPlot.LinePattern.Dashed;
        xmin.LegendText = $"x_min = {fit.XMin:G3}";
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        plot.Title(title);
        plot.XLabel("log₁₀ λ");
        plot.YLabel("log₁₀ P(λ' ≥ λ)");
        plot.SavePng(path, 800, 600);
    }
}
