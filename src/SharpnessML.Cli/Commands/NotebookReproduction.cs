using System.Diagnostics;
using System.Globalization;
using SharpnessML.Cli.Reports;
using SharpnessML.Studies;
using SharpnessML.Studies.Workloads.Notebook;
using Spectre.Console;

namespace SharpnessML.Cli.Commands;

/// <summary>How a notebook-protocol run keeps its models and spreads them over processes.</summary>
/// <param name="StorePath">The SQLite store (members saved as they complete, loaded on a rerun), or null for none.</param>
/// <param name="Fresh">Delete the store first.</param>
/// <param name="Workers">Worker processes (each runs every n-th missing model; they share the store).</param>
internal sealed record NotebookExecution(string? StorePath, bool Fresh, int Workers);

/// <summary><c>reproduce DATASET --protocol notebook [--pools K] [--ablation]</c>: the seed paper's experiment as its notebooks ran it.</summary>
internal static class NotebookReproduction
{
    public static int Run(NotebookSettings settings, bool ablation, string[]? rows, string? outDir, NotebookExecution execution, string command)
    {
        settings.Validate();
        var variants = Variants(settings, ablation, rows);
        if (settings.Dataset == StudyDataset.Abalone && settings.MaxEpochs != null)
            throw new ArgumentException("--epochs is not available for the abalone notebook protocol: its loop is the notebook's (one pass, then up to 11 more while the summed loss falls by 5%).");
        if (settings.Dataset != StudyDataset.FashionMnist && settings.TrainExamples != null)
            throw new ArgumentException("--train-examples applies to fashion-mnist only.");
        if (execution.Workers < 1) throw new ArgumentException($"--workers {execution.Workers}: give at least 1.");
        if (execution.StorePath is null && execution.Workers > 1) throw new ArgumentException("--no-store cannot be combined with --workers > 1: the workers share the store.");
        string name = $"{StudyDatasetNames.NameOf(settings.Dataset)}-{(ablation ? "ablation" : "notebook")}";
        outDir ??= Path.Combine("reports", name);
        // The report folder is checked (new, empty or ours) before anything is trained.
        using var report = AtomicDirectory.Prepare(outDir, name);
        outDir = report.Destination;
        string? storePath = execution.StorePath is null ? null : AtomicDirectory.Normalize(execution.StorePath == StoreBesideReport ? outDir + ".db" : execution.StorePath);
        if (storePath != null && storePath.StartsWith(outDir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"--store '{storePath}' is inside the report folder '{outDir}', which is replaced when the report is written; put the store beside it.");
        if (execution.Fresh && storePath != null) SqliteStudyStore.Delete(storePath);

        var clock = Stopwatch.StartNew();
        using var store = storePath is null ? null : new NotebookStore(storePath, settings);
        int total = NotebookExperiment.Slots(settings, variants).Count;
        if (store != null)
        {
            int stored = StoredCount(store, settings, variants);
            if (stored > 0) Console.Error.WriteLine($"{stored} of {total} model(s) loaded from {store.Path} (delete it, or pass --fresh, to train them again).");
            int workers = Math.Min(execution.Workers, total - stored);
            if (workers > 1) RunWorkers(settings, ablation, variants, store, workers);
        }

        // In this process: what no worker stored (everything, without workers), then the report from the store.
        var results = NotebookExperiment.Run(settings, variants, line => Console.Error.WriteLine(line), store);
        NotebookReport.Write(report.Temporary, settings, results, clock.Elapsed.TotalSeconds, command);
        report.Commit();
        var paper = SeedPaperStudies.PaperTau[settings.Dataset];
        foreach (var row in results)
        {
            var spread = row.Pools.Count > 1 ? $", mean {row.MeanTau:F3} ± {row.TauSpread:F3} over {row.Pools.Count} pools" : "";
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(row.Variant.Name)}[/]: Kendall τ = {string.Join(", ", row.Pools.Select(p => p.Kendall.Coefficient.ToString("F3", CultureInfo.InvariantCulture)))}{spread}");
        }

        AnsiConsole.MarkupLine($"seed paper: {paper:F3}; {clock.Elapsed.TotalSeconds:F1} s. Report: {Markup.Escape(Path.GetFullPath(outDir))}");
        return 0;
    }

    /// <summary>The <c>--store</c> value that means "the default": <c>&lt;out&gt;.db</c> beside the report folder.</summary>
    public const string StoreBesideReport = "";

    /// <summary>A worker process: trains its shard of the missing models into the store, then exits (no report).</summary>
    public static int RunShard(NotebookSettings settings, bool ablation, string[]? rows, string storePath, int shard, int shardCount)
    {
        var variants = Variants(settings, ablation, rows);
        using var store = new NotebookStore(storePath, settings);
        NotebookExperiment.RunShard(settings, variants, store, shard, shardCount, line => Console.Error.WriteLine(line));
        return 0;
    }

    private static IReadOnlyList<NotebookVariant> Variants(NotebookSettings settings, bool ablation, string[]? rows)
    {
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
        return variants;
    }

    private static int StoredCount(NotebookStore store, NotebookSettings settings, IReadOnlyList<NotebookVariant> variants) =>
        NotebookExperiment.Slots(settings, variants).Count(s => store.Members(s.Variant, s.PoolBase).ContainsKey(s.Index));

    /// <summary>
    /// Starts <paramref name="workers"/> copies of this command as worker processes on the store (each dies with this
    /// process), prints each model as a worker stores it, and waits for them. A worker that fails is reported; the models
    /// it left are trained by this process afterwards.
    /// </summary>
    private static void RunWorkers(NotebookSettings settings, bool ablation, IReadOnlyList<NotebookVariant> variants, NotebookStore store, int workers)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var shards = Enumerable.Range(0, workers).Select(k => (k, WorkerArguments(settings, ablation, variants, store.Path, k, workers))).ToList();
        Console.Error.WriteLine($"{workers} worker processes, {settings.Threads} torch thread(s) each, sharing {store.Path}.");
        var slots = NotebookExperiment.Slots(settings, variants);
        var reported = new HashSet<NotebookExperiment.Slot>(slots.Where(s => store.Members(s.Variant, s.PoolBase).ContainsKey(s.Index)));
        using var processes = new WorkerProcesses(host, shards);
        while (true)
        {
            bool exited = processes.AllExited;
            foreach (var group in slots.Where(s => !reported.Contains(s)).GroupBy(s => (s.Variant, s.PoolBase)))
            {
                var stored = store.Members(group.Key.Variant, group.Key.PoolBase);
                foreach (var slot in group.Where(s => stored.ContainsKey(s.Index)))
                {
                    reported.Add(slot);
                    Console.Error.WriteLine(NotebookExperiment.Describe(slot, settings.Models, stored[slot.Index]));
                }
            }

            if (exited) break;
            Thread.Sleep(1000);
        }

        foreach (var failure in processes.Failures()) Console.Error.WriteLine($"sharpnessml: warning: {failure}; this process trains what it left.");
    }

    private static List<string> WorkerArguments(NotebookSettings settings, bool ablation, IReadOnlyList<NotebookVariant> variants, string storePath, int shard, int shards)
    {
        string I(int x) => x.ToString(CultureInfo.InvariantCulture);
        var a = new List<string>
        {
            typeof(Program).Assembly.Location, "reproduce", StudyDatasetNames.NameOf(settings.Dataset), "--protocol", "notebook",
            "--models", I(settings.Models), "--pools", I(settings.Pools), "--seed", I(settings.BaseSeed), "--threads", I(settings.Threads),
        };
        if (settings.DataPath != null) a.AddRange(new[] { "--data", Path.GetFullPath(settings.DataPath) });
        if (settings.MaxEpochs is { } e) a.AddRange(new[] { "--epochs", I(e) });
        if (settings.TrainExamples is { } n) a.AddRange(new[] { "--train-examples", I(n) });
        if (ablation)
        {
            a.Add("--ablation");
            a.Add("--rows");
            a.AddRange(variants.Select(v => v.Name));
        }

        a.AddRange(new[] { "--store", storePath, "--notebook-shard", I(shard), "--notebook-shards", I(shards), "--parent-pipe" });
        return a;
    }
}
