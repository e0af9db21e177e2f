using System.CommandLine;
using SharpnessML.Cli.Reports;
using SharpnessML.Cli.Scoring;
using SharpnessML.Studies;
using SharpnessML.Transforms.Evaluation;
using Spectre.Console;

namespace SharpnessML.Cli.Commands;

/// <summary>
/// <c>sharpnessml correlate</c>: a pool of models the user trained elsewhere — listed in a CSV file with their test loss
/// (and any hyperparameter columns) — measured on one data set, and every measure's correlation with generalization,
/// written as the same report a study writes. The same computation as the evaluation stages
/// <c>ml.Sharpness().MeasureSharpness</c> and <c>EvaluateCorrelation</c>.
/// </summary>
internal static class CorrelateCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--models")
        {
            Description = "CSV file, one row per model: its path (column ModelPath; relative to the file), its test loss (column TestLoss), " +
                          "optionally TestError, and any hyperparameter columns.",
            Required = true,
        };
        var data = new DataOptions();
        var measures = new Option<string[]>("--measure")
        {
            Description = "A measure to take of every model (repeatable; default adaptive-worst-linf). Known: " + string.Join(", ", MeasureRegistry.BuiltIn.Names),
        };
        var modelColumn = new Option<string>("--model-column") { Description = "The models file's path column.", DefaultValueFactory = _ => "ModelPath" };
        var generalization = new Option<string>("--generalization") { Description = "The models file's generalization column (e.g. test loss).", DefaultValueFactory = _ => "TestLoss" };
        var loss = new Option<string?>("--loss") { Description = "mse or cross-entropy (required for TorchScript models)." };
        loss.AcceptOnlyFromAmong("mse", "cross-entropy");
        var rho = new Option<double?>("--rho") { Description = "Perturbation radius (each measure's default otherwise)." };
        var seed = new Option<int>("--seed") { Description = "Seed, the same for every model.", DefaultValueFactory = _ => 0 };
        var bootstrapSeed = new Option<int>("--bootstrap-seed") { Description = "Seed of the bootstrap intervals of τ.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Report folder (replaced when complete).", DefaultValueFactory = _ => Path.Combine("reports", "correlate") };
        var command = new Command("correlate", "Measure a pool of saved models (a CSV listing them with their test loss) and correlate every measure with generalization.")
        {
            models,
        };
        foreach (var option in data.All) command.Options.Add(option);
        foreach (var option in new Option[] { measures, modelColumn, generalization, loss, rho, seed, bootstrapSeed, output }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var names = parse.GetValue(measures) is { Length: > 0 } given ? given : new[] { "adaptive-worst-linf" };
            foreach (var name in names) MeasureRegistry.BuiltIn.Validate(name);
            if (names.Distinct(StringComparer.Ordinal).Count() != names.Length) throw new ArgumentException("--measure: a measure is given twice.");
            var settings = new MeasureSettings(parse.GetValue(rho), parse.GetValue(seed));
            settings.Validate();
            var pool = ModelPoolFile.Read(parse.GetValue(models)!, parse.GetValue(modelColumn)!, parse.GetValue(generalization)!);
            var scoring = data.Read(parse);
            var lossFunction = DataOptions.ParseLoss(parse.GetValue(loss));
            // The report folder is checked (new, empty or ours) before anything is measured.
            using var report = AtomicDirectory.Prepare(parse.GetValue(output)!, Path.GetFileNameWithoutExtension(pool.FilePath));
            var outDir = report.Destination;
            var clock = System.Diagnostics.Stopwatch.StartNew();

            var values = new StudyMeasurement[pool.Rows.Count, names.Length];
            var trainLoss = new double[pool.Rows.Count];
            var paths = pool.Rows.Select(r => r.Path).ToList();
            AnsiConsole.Status().Start("measuring", status =>
            {
                for (int m = 0; m < names.Length; m++)
                {
                    status.Status($"{names[m]} of {paths.Count} models");
                    var measureClock = System.Diagnostics.Stopwatch.StartNew();
                    var ranking = SavedModelScorer.Select(paths, scoring, lossFunction, names[m], settings).Ranking;
                    double seconds = measureClock.Elapsed.TotalSeconds / paths.Count;
                    foreach (var r in ranking)
                    {
                        values[r.Index, m] = new StudyMeasurement(names[m], r.Value, r.StandardError, seconds,
                            System.Text.Json.JsonSerializer.Serialize(ScoreCommand.Details(r.Result)));
                        trainLoss[r.Index] = r.Loss;
                    }
                }
            });

            var members = pool.Rows.Select((row, i) => new StudyMember(i, settings.Seed, row.Hyperparameters, 0, trainLoss[i], row.Generalization,
                double.NaN, row.TestError, Enumerable.Range(0, names.Length).Select(m => values[i, m]).ToList(), 0)).ToList();
            var definition = new StudyDefinition
            {
                Name = Path.GetFileNameWithoutExtension(pool.FilePath),
                Dataset = StudyDataset.Csv, // not a seed-paper experiment: no paper τ beside it
                Grid = pool.Hyperparameters.Select(h => new StudyAxis(h, pool.Rows.Select(r => r.Hyperparameters[h]).Distinct(StringComparer.Ordinal).ToArray())).ToList(),
                Measures = names.Select(n => new StudyMeasureSpec { Name = n, Rho = settings.Rho, Seed = 0 }).ToList(),
                BootstrapSeed = parse.GetValue(bootstrapSeed),
            };
            var result = StudyResult.Create(definition, members, clock.Elapsed.TotalSeconds, 1, members.Count);
            StudyReport.Write(report.Temporary, result, $"listed in {Path.GetFileName(pool.FilePath)}, measured on {scoring.Description}");
            report.Commit();
            var headline = result.Headline;
            AnsiConsole.MarkupLine($"[bold]Kendall τ = {headline.Kendall.Coefficient:F3}[/] (p = {StudyReport.FormatP(headline.Kendall.PValue)}) between " +
                                   $"{Markup.Escape(names[0])} and {Markup.Escape(parse.GetValue(generalization)!)} over {headline.Models} models. " +
                                   $"Report: {Markup.Escape(Path.GetFullPath(outDir))}");
            return 0;
        });
        return command;
    }
}
