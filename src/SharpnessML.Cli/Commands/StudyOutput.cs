using System.CommandLine;
using SharpnessML.Cli.Reports;
using SharpnessML.Cli.Studies;
using SharpnessML.Studies;
using Spectre.Console;

namespace SharpnessML.Cli.Commands;

/// <summary>The options every study-running command shares (report folder, store, workers, model files), and running with them.</summary>
internal sealed class StudyOutput
{
    public Option<string?> Out { get; } = new("--out") { Description = "Report folder, written when complete; an existing folder is replaced only if it is empty or a SharpnessML report. Default: reports/<study name>." };

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

    /// <summary>
    /// Runs <paramref name="definition"/> with the parsed options, writes the report and prints the headline. Everything
    /// that can be checked is checked before any training: the definition, the report folder (ours to replace and
    /// writable, see <see cref="AtomicDirectory"/>), the store options.
    /// </summary>
    public int Run(ParseResult parse, StudyDefinition definition)
    {
        definition.Validate();
        int workers = parse.GetValue(Workers) ?? (parse.GetValue(NoStore) ? 1 : Environment.ProcessorCount);
        if (workers < 1) throw new ArgumentException($"--workers {workers}: give at least 1.");
        if (parse.GetValue(NoStore) && workers > 1) throw new ArgumentException("--no-store cannot be combined with --workers > 1: the workers share the store.");

        using var report = AtomicDirectory.Prepare(parse.GetValue(Out) ?? Path.Combine("reports", definition.Name), definition.Name);
        var outDir = report.Destination;
        string? storePath = null;
        if (!parse.GetValue(NoStore)) storePath = parse.GetValue(Store) is { } store ? AtomicDirectory.Normalize(store) : outDir + ".db";
        if (storePath != null && storePath.StartsWith(outDir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"--store '{storePath}' is inside the report folder '{outDir}', which is replaced when the report is written; put the store beside it.");
        if (parse.GetValue(Fresh) && storePath != null) SqliteStudyStore.Delete(storePath);

        // Model files go into the report (<out>/models), written with it: a failed run leaves none behind.
        string? modelDir = parse.GetValue(SaveModels) ? Directory.CreateDirectory(Path.Combine(report.Temporary, AtomicDirectory.ModelsFolderName)).FullName : null;
        var result = StudyConsole.Run(definition, storePath, workers, modelDir);
        StudyReport.Write(report.Temporary, result);
        report.Commit();

        var headline = result.Headline;
        var paper = definition.Measures[0].Name == "adaptive-worst-linf" && SeedPaperStudies.PaperTau.TryGetValue(definition.Dataset, out var tau) ? $"; seed paper: {tau:F3}" : "";
        AnsiConsole.MarkupLine($"[bold]Kendall τ = {headline.Kendall.Coefficient:F3}[/] (p = {StudyReport.FormatP(headline.Kendall.PValue)}) between " +
                               $"{Markup.Escape(definition.Measures[0].Label)} and test loss over {headline.Models} models{paper}; " +
                               $"{result.ElapsedSeconds:F1} s. Report: {Markup.Escape(outDir)}");
        return 0;
    }
}
