using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Reports;

/// <summary>
/// The report folder of a study: <c>summary.md</c> (headline, correlation table across measures, granulated Kendall
/// per axis, conditional mutual information), <c>results.csv</c> (one row per member), <c>correlations.csv</c>,
/// <c>result.json</c> (everything), a scatter plot per measure (<c>scatter-NAME.png</c>, test loss against the
/// measure, τ in the title) and, when <c>hessian-density</c> was measured, <c>density.png</c>.
/// </summary>
internal static class StudyReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes the report into <paramref name="folder"/> (which must exist and be empty).</summary>
    /// <param name="folder">Where the files go.</param>
    /// <param name="result">The study.</param>
    /// <param name="dataDescription">What the models are and were measured on, for the summary; default the definition's <c>DescribeData()</c>.</param>
    public static void Write(string folder, StudyResult result, string? dataDescription = null)
    {
        File.WriteAllText(Path.Combine(folder, "results.csv"), MembersCsv(result));
        File.WriteAllText(Path.Combine(folder, "correlations.csv"), CorrelationsCsv(result));
        File.WriteAllText(Path.Combine(folder, "result.json"), JsonSerializer.Serialize(new
        {
            study = JsonDocument.Parse(result.Definition.ToJson()).RootElement,
            result.ElapsedSeconds, result.Workers, result.TrainedThisRun,
            members = result.Members,
            correlations = result.Correlations,
        }, Json));
        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary(result, dataDescription));
        foreach (var measure in result.Definition.Measures) SaveScatter(folder, result, measure);
        SaveDensity(folder, result);
    }

    /// <summary>File name of the scatter plot of <paramref name="measure"/>.</summary>
    public static string ScatterFile(string measure) => $"scatter-{measure}.png";

    private static void SaveScatter(string folder, StudyResult result, StudyMeasureSpec measure)
    {
        var points = result.Members
            .Select(m => (X: m.Measurements.FirstOrDefault(x => x.Measure == measure.Name)?.Value ?? double.NaN, Y: m.TestLoss))
            .Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (points.Count == 0) return;
        var correlation = result.Correlations.FirstOrDefault(c => c.Measure == measure.Name && c.Target == GeneralizationTarget.TestLoss);
        var tau = correlation is null ? "τ n/a" : $"τ = {correlation.Kendall.Coefficient:F3} (p = {FormatP(correlation.Kendall.PValue)})";
        bool log = points.All(p => p.X > 0) && points.Max(p => p.X) / points.Min(p => p.X) > 100;
        ScatterPlot.Save(Path.Combine(folder, ScatterFile(measure.Name)),
            points.Select(p => log ? Math.Log10(p.X) : p.X).ToList(), points.Select(p => p.Y).ToList(),
            $"{result.Definition.Name}: {tau}, {points.Count} models",
            (log ? "log₁₀ " : "") + measure.Label, "test loss");
    }

    private static void SaveDensity(string folder, StudyResult result)
    {
        var withDensity = result.Members.Where(m => m.Measurements.Any(x => x.Measure == "hessian-density")).OrderBy(m => m.TestLoss).ToList();
        if (withDensity.Count == 0) return;
        var median = withDensity[withDensity.Count / 2];
        using var details = JsonDocument.Parse(median.Measurement("hessian-density").DetailsJson);
        var grid = details.RootElement.GetProperty("grid").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var density = details.RootElement.GetProperty("density").EnumerateArray().Select(e => e.GetDouble()).ToList();
        ScatterPlot.SaveDensity(Path.Combine(folder, "density.png"), grid, density,
            $"{result.Definition.Name}: Hessian spectral density of member {median.Index} (median test loss, SLQ)");
    }

    private static string MembersCsv(StudyResult result)
    {
        var axes = result.Definition.Grid.Select(a => a.Name).ToList();
        var measures = result.Definition.Measures.Select(m => m.Name).ToList();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", new[] { "index", "seed" }.Concat(axes)
            .Concat(new[] { "epochs", "train_loss", "test_loss", "generalization_gap", "train_error", "test_error", "train_seconds" })
            .Concat(measures.SelectMany(m => new[] { m, $"{m}_stderr", $"{m}_seconds" }))));
        foreach (var m in result.Members)
        {
            var cells = new List<string> { Cell(m.Index), Cell(m.Seed) };
            cells.AddRange(axes.Select(a => m.Hyperparameters.GetValueOrDefault(a) ?? ""));
            cells.AddRange(new[] { Cell(m.Epochs), Cell(m.TrainLoss), Cell(m.TestLoss), Cell(m.GeneralizationGap), Cell(m.TrainError), Cell(m.TestError), Cell(m.TrainSeconds) });
            foreach (var name in measures)
            {
                var x = m.Measurements.FirstOrDefault(v => v.Measure == name);
                cells.AddRange(x is null ? new[] { "", "", "" } : new[] { Cell(x.Value), x.StandardError is { } se ? Cell(se) : "", Cell(x.Seconds) });
            }

            csv.AppendLine(string.Join(",", cells));
        }

        return csv.ToString();
    }

    private static string CorrelationsCsv(StudyResult result)
    {
        var csv = new StringBuilder("measure,target,models,kendall_tau,kendall_p,kendall_ci_low,kendall_ci_high,spearman,spearman_p,pearson,pearson_p,granulated_psi,cmi_k\n");
        foreach (var c in result.Correlations)
        {
            csv.AppendLine(string.Join(",", c.Measure, TargetName(c.Target), Cell(c.Models), Cell(c.Kendall.Coefficient), Cell(c.Kendall.PValue),
                Cell(c.KendallInterval.Lower), Cell(c.KendallInterval.Upper), Cell(c.Spearman.Coefficient), Cell(c.Spearman.PValue),
                Cell(c.Pearson.Coefficient), Cell(c.Pearson.PValue), c.Granulated is { } g ? Cell(g.Psi) : "",
                c.ConditionalMutualInformation is { } k ? Cell(k.K) : ""));
        }

        return csv.ToString();
    }

    /// <summary>The markdown summary.</summary>
    public static string Summary(StudyResult r, string? dataDescription = null)
    {
        var d = r.Definition;
        var s = new StringBuilder();
        var headline = r.Correlations.FirstOrDefault(c => c.Measure == d.Measures[0].Name && c.Target == GeneralizationTarget.TestLoss);
        s.AppendLine($"# {d.Name}: which sharpness measure predicts generalization?").AppendLine();
        s.AppendLine($"{r.Members.Count} models ({dataDescription ?? d.DescribeData()}), grid: " +
                     string.Join(" × ", d.Grid.Select(a => $"{a.Name} {{{string.Join(", ", a.Values)}}}")) +
                     (d.MaxEpochs is { } e ? $"; at most {e} epochs" : "") + (d.TrainExamples is { } n ? $"; first {n} training examples" : "") + ".");
        s.AppendLine();
        s.AppendLine($"Wall time {r.ElapsedSeconds:F1} s for the {r.TrainedThisRun} member(s) trained in this run " +
                     $"({r.Workers} worker process(es) × {d.Threads} torch thread(s), {Environment.ProcessorCount} cores), {DateTime.UtcNow:yyyy-MM-dd}; " +
                     $"per member: training {Mean(r.Members.Select(m => m.TrainSeconds)):F2} s, measures {Mean(r.Members.Select(m => m.MeasureSeconds)):F2} s (mean).");
        s.AppendLine();
        if (headline != null)
        {
            s.AppendLine($"**Headline:** Kendall τ-b between {d.Measures[0].Label} and test loss = **{headline.Kendall.Coefficient:F3}** " +
                         $"(p = {FormatP(headline.Kendall.PValue)}, 95% bootstrap interval [{headline.KendallInterval.Lower:F3}, {headline.KendallInterval.Upper:F3}])" +
                         (d.Measures[0].Name == "adaptive-worst-linf" && SeedPaperStudies.PaperTau.TryGetValue(d.Dataset, out var paper) ? $"; seed paper: {paper:F3}." : "."));
            s.AppendLine();
        }

        foreach (var target in r.Correlations.Select(c => c.Target).Distinct())
        {
            s.AppendLine($"## Measures against {TargetText(target)}").AppendLine();
            s.AppendLine("| measure | n | Kendall τ-b | p | 95% CI of τ | Spearman ρ | Pearson r | granulated Ψ | CMI K |");
            s.AppendLine("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
            foreach (var c in r.Correlations.Where(c => c.Target == target))
            {
                s.AppendLine($"| {c.Measure} | {c.Models} | {c.Kendall.Coefficient:F3} | {FormatP(c.Kendall.PValue)} | [{c.KendallInterval.Lower:F3}, {c.KendallInterval.Upper:F3}] | " +
                             $"{c.Spearman.Coefficient:F3} | {c.Pearson.Coefficient:F3} | {Format(c.Granulated?.Psi)} | {Format(c.ConditionalMutualInformation?.K)} |");
            }

            s.AppendLine();
        }

        var withGrid = r.Correlations.Where(c => c.Granulated != null).ToList();
        if (withGrid.Count > 0)
        {
            var axes = withGrid[0].Granulated!.Axes.Select(a => a.Axis).ToList();
            s.AppendLine("## Granulated Kendall ψᵢ per hyperparameter axis (Jiang et al., 2019, Eq. 4)").AppendLine();
            s.AppendLine("ψᵢ: mean Kendall τ over groups of models that differ only in axis i.").AppendLine();
            s.AppendLine($"| measure | target | {string.Join(" | ", axes)} | Ψ |");
            s.AppendLine($"| --- | --- |{string.Concat(axes.Select(_ => " ---: |"))} ---: |");
            foreach (var c in withGrid)
                s.AppendLine($"| {c.Measure} | {TargetName(c.Target)} | {string.Join(" | ", axes.Select(a => Format(c.Granulated!.PsiOf(a))))} | {Format(c.Granulated!.Psi)} |");
            s.AppendLine();
            s.AppendLine("## Conditional mutual information (Jiang et al., 2019, Sec. 6)").AppendLine();
            s.AppendLine("Normalised Î(V_μ, V_g | U_S) for conditioning sets S of up to two axes; K = the minimum.").AppendLine();
            var sets = withGrid[0].ConditionalMutualInformation!.Terms.Select(t => t.Conditioning).ToList();
            s.AppendLine($"| measure | target | {string.Join(" | ", sets.Select(c => c.Count == 0 ? "∅" : string.Join("+", c)))} | K |");
            s.AppendLine($"| --- | --- |{string.Concat(sets.Select(_ => " ---: |"))} ---: |");
            foreach (var c in withGrid)
                s.AppendLine($"| {c.Measure} | {TargetName(c.Target)} | {string.Join(" | ", c.ConditionalMutualInformation!.Terms.Select(t => Format(t.Normalized)))} | {Format(c.ConditionalMutualInformation.K)} |");
            s.AppendLine();
        }

        s.AppendLine("## Ranges").AppendLine();
        s.AppendLine("| | min | median | max |").AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var measure in d.Measures)
            AppendRange(s, measure.Label, r.Members.Select(m => m.Measurements.FirstOrDefault(x => x.Measure == measure.Name)?.Value ?? double.NaN));
        AppendRange(s, "test loss", r.Members.Select(m => m.TestLoss));
        AppendRange(s, "train loss", r.Members.Select(m => m.TrainLoss));
        AppendRange(s, "test error", r.Members.Select(m => m.TestError));
        AppendRange(s, "epochs", r.Members.Select(m => (double)m.Epochs));
        s.AppendLine();
        s.AppendLine("Per-model values: `results.csv`; correlations: `correlations.csv`; plots: " +
                     string.Join(", ", d.Measures.Select(m => $"`{ScatterFile(m.Name)}`")) +
                     (d.Measures.Any(m => m.Name == "hessian-density") ? ", `density.png`" : "") + ".");
        return s.ToString();
    }

    private static void AppendRange(StringBuilder s, string name, IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).OrderBy(v => v).ToList();
        if (sorted.Count == 0) return;
        s.AppendLine($"| {name} | {sorted[0]:G4} | {sorted[sorted.Count / 2]:G4} | {sorted[^1]:G4} |");
    }

    private static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    private static string TargetName(GeneralizationTarget target) => target switch
    {
        GeneralizationTarget.TestLoss => "test_loss",
        GeneralizationTarget.GeneralizationGap => "generalization_gap",
        _ => "test_error",
    };

    private static string TargetText(GeneralizationTarget target) => target switch
    {
        GeneralizationTarget.TestLoss => "test loss",
        GeneralizationTarget.GeneralizationGap => "the generalization gap (test − train loss)",
        _ => "test error",
    };

    private static string Cell(double value) => value.ToString("R", Invariant);

    private static string Cell(int value) => value.ToString(Invariant);

    private static string Format(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("F3", Invariant) : "n/a";

    /// <summary>A p-value with sensible precision.</summary>
    public static string FormatP(double p) => double.IsNaN(p) ? "n/a" : p < 1e-4 ? p.ToString("E1", Invariant) : p.ToString("F4", Invariant);
}
