using System.Diagnostics;
using SharpnessML.Cli.Reports;
using SharpnessML.Studies;
using SharpnessML.Studies.Workloads.Notebook;
using Spectre.Console;

namespace SharpnessML.Cli.Commands;

/// <summary><c>reproduce DATASET --protocol notebook [--pools K] [--ablation]</c>: the seed paper's experiment as its notebooks ran it.</summary>
internal static class NotebookReproduction
{
    public static int Run(NotebookSettings settings, bool ablation, string? outDir, string command)
    {
        settings.Validate();
        var variants = ablation ? NotebookExperiment.Ablation(settings.Dataset) : new[] { NotebookExperiment.Protocol };
        outDir ??= Path.Combine("reports", $"{StudyDatasetNames.NameOf(settings.Dataset)}-{(ablation ? "ablation" : "notebook")}");
        var clock = Stopwatch.StartNew();
        IReadOnlyList<NotebookRow>? rows = null;
        AtomicDirectory.Write(outDir, folder =>
        {
            rows = NotebookExperiment.Run(settings, variants, line => Console.Error.WriteLine(line));
            NotebookReport.Write(folder, settings, rows, clock.Elapsed.TotalSeconds, command);
        });
        var paper = SeedPaperStudies.PaperTau[settings.Dataset];
        foreach (var row in rows!)
        {
            var spread = row.Pools.Count > 1 ? $", mean {row.MeanTau:F3} ± {row.TauSpread:F3} over {row.Pools.Count} pools" : "";
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(row.Variant.Name)}[/]: Kendall τ = {string.Join(", ", row.Pools.Select(p => p.Kendall.Coefficient.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}{spread}");
        }

        AnsiConsole.MarkupLine($"seed paper: {paper:F3}; {clock.Elapsed.TotalSeconds:F1} s. Report: {Markup.Escape(Path.GetFullPath(outDir))}");
        return 0;
    }
}
