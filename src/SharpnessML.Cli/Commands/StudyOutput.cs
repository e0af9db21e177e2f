using System.CommandLine;
using SharpnessML.Cli.Reports;
using SharpnessML.Cli.Studies;
using SharpnessML.Studies;
using Spectre.Console;

namespace SharpnessML.Cli.Commands;

/// <summary>The options every study-running command shares (report folder, store, workers, model files), and running with them.</summary>
internal sealed class StudyOutput
{
    public Option<string?> Out { get; } = new("--out") { Description = "Report folder (replaced when complete). Default: reports/<study name>." };

    public Option<string?> Store { get; } = new("--store")
    {
        Description = "SQLite study store: members already in it are loaded instead of retrained, and each new member is saved as it " +
                      "completes, so a killed run resumes where it stopped. Default: <out>.db next to the report folder.",
    };

    public Option<bool> NoStore { get; } = new("--no-store") { Description = "Keep nothing between runs: train every member (one worker only)." };

    public Option<bool> Fresh { get; } = new("--fresh") { Description = "Delete the store first, so every member is trained again." };

    public Option<int?> Workers { get; } = new("--workers")
    {
        Description = "Processes training members at once, each with the study's torch threads, sharing the store. Default: one per core " +
                      "(the fastest mode in `sharpnessml bench`), or 1 with --no-store.",
    };

    public Option<bool> SaveModels { get; } = new("--save-models") { Description = "Also save every member trained now as a model file in <out>/models." };

    public IEnumerable<Option> All => new Option[] { Out, Store, NoStore, Fresh, Workers, SaveModels };

    /// <summary>Runs <paramref name="definition"/> with the parsed options, writes the report and prints the headline.</summary>
    public int Run(ParseResult parse, StudyDefinition definition)
    {
        definition.Validate();
        var outDir = parse.GetValue(Out) ?? Path.Combine("reports", definition.Name);
        int workers = parse.GetValue(Workers) ?? (parse.GetValue(NoStore) ? 1 : Environment.ProcessorCount);
        string? storePath = null;
        if (!parse.GetValue(NoStore)) storePath = parse.GetValue(Store) ?? Path.GetFullPath(outDir).TrimEnd(Path.DirectorySeparatorChar) + ".db";
        else if (workers > 1) throw new ArgumentException("--no-store cannot be combined with --workers > 1: the workers share the store.");
        if (parse.GetValue(Fresh) && storePath != null) SqliteStudyStore.Delete(storePath);

        StudyResult? result = null;
        AtomicDirectory.Write(outDir, folder =>
        {
            string? modelDir = parse.GetValue(SaveModels) ? Directory.CreateDirectory(Path.Combine(Path.GetFullPath(outDir) + ".models")).FullName : null;
            result = StudyConsole.Run(definition, storePath, workers, modelDir);
            StudyReport.Write(folder, result);
        });
        var headline = result!.Headline;
        var paper = SeedPaperStudies.PaperTau.TryGetValue(definition.Dataset, out var tau) ? $"; seed paper: {tau:F3}" : "";
        AnsiConsole.MarkupLine($"[bold]Kendall τ = {headline.Kendall.Coefficient:F3}[/] (p = {StudyReport.FormatP(headline.Kendall.PValue)}) between " +
                               $"{Markup.Escape(definition.Measures[0].Label)} and test loss over {headline.Models} models{paper}; " +
                               $"{result.ElapsedSeconds:F1} s. Report: {Markup.Escape(Path.GetFullPath(outDir))}");
        return 0;
    }
}
