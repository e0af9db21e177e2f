using System.CommandLine;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Commands;

/// <summary><c>sharpnessml reproduce abalone|fashion-mnist|cora</c>: the seed paper's experiments, end to end.</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Which experiment: abalone, fashion-mnist or cora." };
        dataset.AcceptOnlyFromAmong(StudyDatasetNames.SeedPaper.ToArray());
        var models = new Option<int?>("--models") { Description = "Number of models (the first N of the 50-point grid). Default 50." };
        var rho = new Option<double?>("--rho") { Description = "Radius ρ of the paper's measure. Default: the paper's (abalone 0.025, fashion-mnist 1e-4, cora 0.02)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the first model (model i: seed + i).", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads per worker (1 is fastest for these models; see bench).", DefaultValueFactory = _ => 1 };
        var data = new Option<string?>("--data") { Description = "Data location: abalone.data, the FashionMNIST IDX folder or the Cora folder (default: shipped / Debian copy)." };
        var epochs = new Option<int?>("--epochs") { Description = "Most training epochs per model (default: abalone 10, fashion-mnist 3, cora 200 with early stopping)." };
        var trainExamples = new Option<int?>("--train-examples") { Description = "Train on the first N training examples only (fashion-mnist)." };
        var sharpnessBatches = new Option<int?>("--sharpness-batches") { Description = "Random batches of m = 64 averaged by the paper's measure (default 16)." };
        var sharpnessSteps = new Option<int?>("--sharpness-steps") { Description = "Auto-PGD steps of the paper's measure (default 20)." };
        var measures = new Option<string[]>("--measure")
        {
            Description = "Also take this measure of every model (repeatable; any name `sharpnessml score` accepts), e.g. hessian-trace.",
            AllowMultipleArgumentsPerToken = false,
        };
        var protocol = new Option<string>("--protocol")
        {
            Description = "library (default): the library's pools and measure; notebook: the seed paper's notebooks' experiment (50 seeds of one configuration, their training and ascent).",
            DefaultValueFactory = _ => "library",
        };
        protocol.AcceptOnlyFromAmong("library", "notebook");
        var pools = new Option<int>("--pools") { Description = "Notebook protocol: independent pools (pool p: seeds seed + 1000 p + i); reports each pool's τ, their mean and spread.", DefaultValueFactory = _ => 1 };
        var ablation = new Option<bool>("--ablation") { Description = "Notebook protocol, then each of its choices switched to the library's, one row at a time." };
        var rows = new Option<string[]>("--rows") { Description = "With --ablation: run only these rows (by name, e.g. notebook, clamp-abs; repeatable), e.g. to spread the rows over processes.", AllowMultipleArgumentsPerToken = true };
        // Internal: a notebook-protocol worker process (started by the run itself with --workers).
        var notebookShard = new Option<int>("--notebook-shard") { Hidden = true };
        var notebookShards = new Option<int?>("--notebook-shards") { Hidden = true };
        var parentPipe = new Option<bool>("--parent-pipe") { Hidden = true, Description = "Standard input is a pipe from the parent: stop when it closes." };
        var output = new StudyOutput();
        var command = new Command("reproduce", "Reproduce a seed-paper experiment: train 50 models, measure sharpness and test loss, correlate, report.")
        {
            dataset, models, rho, seed, threads, data, epochs, trainExamples, sharpnessBatches, sharpnessSteps, measures, protocol, pools, ablation, rows,
            notebookShard, notebookShards, parentPipe,
        };
        foreach (var option in output.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (parse.GetValue(protocol) == "notebook" || parse.GetValue(ablation))
            {
                foreach (var (option, name) in new (Option, string)[] { (rho, "--rho"), (sharpnessBatches, "--sharpness-batches"), (sharpnessSteps, "--sharpness-steps"), (measures, "--measure") })
                {
                    if (parse.GetResult(option) is { Implicit: false }) throw new ArgumentException($"{name} applies to --protocol library only; the notebook protocol uses the notebook's ascent.");
                }

                if (parse.GetResult(output.SaveModels) is { Implicit: false }) throw new ArgumentException("--save-models applies to --protocol library only; the notebook protocol keeps its models' numbers, not their weights.");
                var settings = new SharpnessML.Studies.Workloads.Notebook.NotebookSettings
                {
                    Dataset = StudyDatasetNames.Parse(parse.GetValue(dataset)!),
                    DataPath = parse.GetValue(data),
                    Models = parse.GetValue(models) ?? 50,
                    BaseSeed = parse.GetValue(seed),
                    Pools = parse.GetValue(pools),
                    Threads = parse.GetValue(threads),
                    TrainExamples = parse.GetValue(trainExamples),
                    MaxEpochs = parse.GetValue(epochs),
                };
                if (parse.GetValue(notebookShards) is { } shardCount)
                {
                    if (parse.GetValue(output.Store) is not { } shardStore) throw new ArgumentException("--notebook-shards needs --store.");
                    if (parse.GetValue(parentPipe)) Studies.ParentWatch.StopWhenParentDies(() => { });
                    return NotebookReproduction.RunShard(settings, parse.GetValue(ablation), parse.GetValue(rows), shardStore, parse.GetValue(notebookShard), shardCount);
                }

                var execution = new NotebookExecution(
                    parse.GetValue(output.NoStore) ? null : parse.GetValue(output.Store) ?? NotebookReproduction.StoreBesideReport,
                    parse.GetValue(output.Fresh),
                    parse.GetValue(output.Workers) ?? (parse.GetValue(output.NoStore) ? 1 : Environment.ProcessorCount));
                if (parse.GetValue(output.NoStore) && (parse.GetResult(output.Store) is { Implicit: false } || parse.GetValue(output.Fresh)))
                    throw new ArgumentException("--no-store cannot be combined with --store or --fresh.");
                return NotebookReproduction.Run(settings, parse.GetValue(ablation), parse.GetValue(rows), parse.GetValue(output.Out), execution,
                    "sharpnessml " + string.Join(" ", parse.Tokens.Select(t => t.Value)));
            }

            if (parse.GetResult(pools) is { Implicit: false }) throw new ArgumentException("--pools applies to --protocol notebook only.");
            if (parse.GetResult(rows) is { Implicit: false }) throw new ArgumentException("--rows applies to --ablation only.");
            if (parse.GetResult(notebookShards) is { Implicit: false }) throw new ArgumentException("--notebook-shards applies to --protocol notebook only.");
            var definition = SeedPaperStudies.For(StudyDatasetNames.Parse(parse.GetValue(dataset)!));
            definition.Models = parse.GetValue(models);
            definition.BaseSeed = parse.GetValue(seed);
            definition.Threads = parse.GetValue(threads);
            definition.DataPath = parse.GetValue(data);
            if (parse.GetValue(epochs) is { } e) definition.MaxEpochs = e;
            definition.TrainExamples = parse.GetValue(trainExamples);
            var paper = definition.Measures[0];
            if (parse.GetValue(rho) is { } r) paper.Rho = r;
            if (parse.GetValue(sharpnessBatches) is { } b) paper.Batches = b;
            if (parse.GetValue(sharpnessSteps) is { } s) paper.Steps = s;
            foreach (var name in parse.GetValue(measures) ?? Array.Empty<string>())
            {
                if (definition.Measures.All(m => m.Name != name)) definition.Measures.Add(new StudyMeasureSpec { Name = name });
            }

            return output.Run(parse, definition);
        });
        return command;
    }
}
