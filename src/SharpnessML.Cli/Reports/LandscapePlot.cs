using System.Globalization;
using SharpnessML.Transforms.Visualization;

namespace SharpnessML.Cli.Reports;

/// <summary>A loss surface as a PNG (a 1D curve, or a 2D heat map with contour lines) and as a CSV grid.</summary>
internal static class LandscapePlot
{
    /// <summary>
    /// Writes <paramref name="surface"/> to <paramref name="path"/>: a 1D curve of the loss (and of the accuracy, on the
    /// right axis, for a classifier), or a 2D heat map of log₁₀ loss with its contour lines and a colour bar.
    /// </summary>
    public static void Save(string path, LossSurface surface, string title)
    {
        var plot = new ScottPlot.Plot();
        var xs = surface.X.ToArray();
        if (!surface.IsTwoDimensional)
        {
            var loss = plot.Add.ScatterLine(xs, Enumerable.Range(0, xs.Length).Select(i => surface.LossAt(i)).ToArray());
            loss.LineWidth = 2;
            loss.LegendText = "loss";
            if (surface.HasAccuracy)
            {
                var accuracy = plot.Add.ScatterLine(xs, Enumerable.Range(0, xs.Length).Select(i => 100 * surface.AccuracyAt(i)!.Value).ToArray());
                accuracy.LineWidth = 2;
                accuracy.LinePattern = ScottPlot.LinePattern.Dashed;
                accuracy.LegendText = "accuracy (%)";
                accuracy.Axes.YAxis = plot.Axes.Right;
                plot.Axes.Right.Label.Text = "accuracy (%)";
                plot.ShowLegend();
            }
            plot.XLabel(surface.Kind == "interpolation" ? "α  (0: first model, 1: second)" : "α");
            plot.YLabel("loss");
        }
        else
        {
            var ys = surface.Y!.ToArray();
            int nx = xs.Length, ny = ys.Length;
            // Heat-map rows run from the top (largest y) down.
            var intensities = new double[ny, nx];
            var points = new ScottPlot.Coordinates3d[ny, nx];
            for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                double value = Math.Log10(Math.Max(surface.LossAt(i, j), 1e-12));
                intensities[ny - 1 - j, i] = value;
                points[j, i] = new ScottPlot.Coordinates3d(xs[i], ys[j], value);
            }
            var heatmap = plot.Add.Heatmap(intensities);
            double dx = (xs[^1] - xs[0]) / (nx - 1) / 2, dy = (ys[^1] - ys[0]) / (ny - 1) / 2;
            heatmap.Rectangle = new ScottPlot.CoordinateRect(xs[0] - dx, xs[^1] + dx, ys[0] - dy, ys[^1] + dy);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            var contours = plot.Add.ContourLines(points);
            contours.LineColor = ScottPlot.Colors.White.WithAlpha(0.8);
            contours.LineWidth = 1;
            var bar = plot.Add.ColorBar(heatmap);
            bar.Label = "log₁₀ loss";
            plot.Axes.SetLimits(xs[0] - dx, xs[^1] + dx, ys[0] - dy, ys[^1] + dy);
            plot.XLabel("x  (first direction)");
            plot.YLabel("y  (second direction)");
        }
        plot.Title(title);
        plot.SavePng(path, 900, 700);
    }

    /// <summary>Writes the grid as CSV: <c>x,loss[,accuracy]</c> or <c>x,y,loss[,accuracy]</c>, one row per point, values round-trip exactly.</summary>
    public static void SaveCsv(string path, LossSurface surface)
    {
        var inv = CultureInfo.InvariantCulture;
        using var writer = new StreamWriter(path);
        writer.WriteLine((surface.IsTwoDimensional ? "x,y,loss" : "x,loss") + (surface.HasAccuracy ? ",accuracy" : ""));
        int rows = surface.Y?.Count ?? 1;
        for (int j = 0; j < rows; j++)
        for (int i = 0; i < surface.X.Count; i++)
        {
            var cells = new List<string> { surface.X[i].ToString("R", inv) };
            if (surface.IsTwoDimensional) cells.Add(surface.Y![j].ToString("R", inv));
            cells.Add(surface.LossAt(i, j).ToString("R", inv));
            if (surface.HasAccuracy) cells.Add(surface.AccuracyAt(i, j)!.Value.ToString("R", inv));
            writer.WriteLine(string.Join(",", cells));
        }
    }
}
