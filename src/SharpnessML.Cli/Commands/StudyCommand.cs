using System.CommandLine;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Commands;

/// <summary><c>sharpnessml study run|init|worker</c>: studies declared in a JSON or YAML file.</summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var command = new Command("study", "Run a study declared in a JSON or YAML file: a grid of training configurations and the measures to take.");
        command.Subcommands.Add(Run());
        command.Subcommands.Add(Init());
        command.Subcommands.Add(Worker());
        return command;
    }

    private static Command Run()
    {
        var file = new Argument<string>("file") { Description = "The study file (.json, .yaml or .yml); see docs/studies.md." };
        var models = new Option<int?>("--models") { Description = "Train only the first N grid points (default: the file's 'models', else the whole grid)." };
        var output = new StudyOutput();
        var command = new Command("run", "Train every member of a study, take its measures, correlate them with generalization and write the report.") { file, models };
        foreach (var option in output.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var definition = StudyDefinition.Load(parse.GetValue(file)!);
            if (parse.GetValue(models) is { } n) definition.Models = n;
            return output.Run(parse, definition);
        });
        return command;
    }

    private static Command Init()
    {
        var dataset = new Argument<string>("dataset") { Description = "Start from a seed-paper experiment (abalone, fashion-mnist, cora), or from your own CSV file (csv, with --data and --label)." };
        dataset.AcceptOnlyFromAmong(StudyDatasetNames.Names.ToArray());
        var output = new Option<string>("--out") { Description = "The study file to write (.json).", Required = true };
        var data = new Option<string?>("--data") { Description = "csv: the CSV file (a header row; every column but the label is a numeric feature)." };
        var label = new Option<string?>("--label") { Description = "csv: the label column." };
        var task = new Option<string?>("--task") { Description = "csv: regression or classification (default: inferred from the label column)." };
        task.AcceptOnlyFromAmong("regression", "classification");
        var command = new Command("init", "Write a study file to edit: a seed-paper experiment, or a 12-member study over your CSV file.") { dataset, output, data, label, task };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!;
            var kind = StudyDatasetNames.Parse(parse.GetValue(dataset)!);
            StudyDefinition definition;
            if (kind == StudyDataset.Csv)
            {
                var csv = parse.GetValue(data) ?? throw new ArgumentException("study init csv needs --data FILE (your CSV file).");
                var column = parse.GetValue(label) ?? throw new ArgumentException("study init csv needs --label COLUMN (the label's column).");
                definition = CsvStudyTemplate.For(csv, column, path, parse.GetValue(task) is { } t ? StudyData.ParseTask(t) : null);
            }
            else
            {
                if (parse.GetValue(data) != null || parse.GetValue(label) != null || parse.GetValue(task) != null)
                    throw new ArgumentException($"--data, --label and --task belong to 'study init csv'; {StudyDatasetNames.NameOf(kind)} has its own data.");
                definition = SeedPaperStudies.For(kind);
            }

            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            if (Directory.Exists(full)) throw new IOException($"--out '{path}' is a folder; give the study file to write, e.g. {Path.Combine(path, "study.json")}.");
            var temp = $"{full}.tmp-{Guid.NewGuid():N}";
            try
            {
                File.WriteAllText(temp, definition.ToJson());
                File.Move(temp, full, overwrite: true);
            }
            catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException)
            {
                throw new IOException($"--out '{path}': cannot write it: {e.Message}", e);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            Console.WriteLine($"Wrote {path}.");
            return 0;
        });
        return command;
    }

    private static Command Worker()
    {
        var file = new Argument<string>("file");
        var store = new Option<string>("--store") { Required = true };
        var shard = new Option<int>("--shard") { Required = true };
        var shards = new Option<int>("--shards") { Required = true };
        var modelsDir = new Option<string?>("--models-dir");
        var parentPipe = new Option<bool>("--parent-pipe") { Description = "Standard input is a pipe from the parent: stop when it closes." };
        var command = new Command("worker", "Internal: train one shard of a study into a shared store.") { file, store, shard, shards, modelsDir, parentPipe };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            int shardCount = parse.GetValue(shards), index = parse.GetValue(shard);
            if (shardCount < 1) throw new ArgumentException($"--shards {shardCount}: give at least 1.");
            if (index < 0 || index >= shardCount) throw new ArgumentException($"--shard {index} is not one of the {shardCount} shards 0..{shardCount - 1}.");
            var definition = StudyDefinition.Load(parse.GetValue(file)!);
            using var studyStore = new SqliteStudyStore(parse.GetValue(store)!);
            var runner = new StudyRunner(definition);
            if (parse.GetValue(parentPipe)) Cli.Studies.ParentWatch.StopWhenParentDies(runner.ReleaseClaims);
            runner.Run(studyStore, new StudyRunSettings
            {
                Shard = index, ShardCount = shardCount, ModelDirectory = parse.GetValue(modelsDir),
            });
            return 0;
        });
        return command;
    }
}
