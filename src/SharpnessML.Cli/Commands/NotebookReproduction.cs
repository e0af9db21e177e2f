using System.Diagnostics;
using SharpnessML.Cli.Reports;
using SharpnessML.Studies;
using SharpnessML.Studies.Workloads.Notebook;
using Spectre.Console;

namespace SharpnessML.Cli.Commands;

/// <summary><c>reproduce DATASET --protocol notebook [--pools K] [--ablation]</c>: the seed paper's experiment as its notebooks ran it.</summary>
internal static class NotebookReproduction
{
    public static int Run(NotebookSettings settings, bool ablation, string[]? rows, string? outDir, string command)
    {
        settings.Validate();
        IReadOnlyList<NotebookVariant> variants = ablation ? NotebookExperiment.Ablation(settings.Dataset) : new[] { NotebookExperiment.Protocol };
        if (rows is { Length: > 0 })
        {
            if (!ablation) throw new ArgumentException("--rows applies to --ablation only.");
            var unknown = rows.Where(r => variants.All(v => v.Name != r)).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"--rows: unknown row '{unknown[0]}' for {StudyDatasetNames.NameOf(settings.Dataset)}; rows: {string.Join(", ", variants.Select(v => v.Name))}.");
            variants = variants.Where(v => rows.Contains(v.Name)).ToList();
        }
        if (variants.Any(v => v.LibraryGrid) && settings.Models > SeedPaperStudies.For(settings.Dataset).GridSize)
            throw new ArgumentException($"--models {settings.Models}: the library-grid row has {SeedPaperStudies.For(settings.Dataset).GridSize} grid points; use --models ≤ {SeedPaperStudies.For(settings.Dataset).GridSize} or --rows without library-grid.");
        if (settings.Dataset == StudyDataset.Abalone && settings.MaxEpochs != null)
            throw new ArgumentException("--epochs is not available for the abalone notebook protocol: its loop is the notebook's (one pass, then up to 11 more while the summed loss falls by 5%).");
        if (settings.Dataset != StudyDataset.FashionMnist && settings.TrainExamples != null)
            throw new ArgumentException("--train-examples applies to fashion-mnist only.");
        outDir ??= Path.Combine("reports", $"{StudyDatasetNames.NameOf(settings.Dataset)}-{(ablation ? "ablation" : "notebook")}");
        // The report folder is checked (new, empty or ours) before anything is trained.
        using var report = AtomicDirectory.Prepare(outDir, $"{StudyDatasetNames.NameOf(settings.Dataset)}-{(ablation ? "ablation" : "notebook")}");
        outDir = report.Destination;
        var clock = Stopwatch.StartNew();
        var results = NotebookExperiment.Run(settings, variants, line => Console.Error.WriteLine(line));
        NotebookReport.Write(report.Temporary, settings, results, clock.Elapsed.TotalSeconds, command);
        report.Commit();
        var paper = SeedPaperStudies.PaperTau[settings.Dataset];
        foreach (var row in results)
        {
            var spread = row.Pools.Count > 1 ? $", mean {row.MeanTau:F3} ± {row.TauSpread:F3} over {row.Pools.Count} pools" : "";
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(row.Variant.Name)}[/]: Kendall τ = {string.Join(", ", row.Pools.Select(p => p.Kendall.Coefficient.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}{spread}");
        }

        AnsiConsole.MarkupLine($"seed paper: {paper:F3}; {clock.Elapsed.TotalSeconds:F1} s. Report: {Markup.Escape(Path.GetFullPath(outDir))}");
        return 0;
    }
}
