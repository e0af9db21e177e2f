using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using Spectre.Console;
using SharpnessML.Cli.Scoring;

namespace SharpnessML.Cli.Commands;

/// <summary>
/// <c>sharpnessml select</c>: rank saved models (ours or TorchScript) by one measure on a CSV file or
/// an IDX pair and name the flattest. A candidate that fails is listed as failed (a warning line on standard
/// error says why) and the others are still ranked.
/// </summary>
internal static class SelectCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "A SharpnessML model file or a TorchScript .pt file; repeat for each candidate." };
        var modelsDir = new Option<string?>("--models-dir") { Description = "A folder whose .zip and .pt files are all candidates (with any --model)." };
        var data = new DataOptions();
        var loss = new Option<string?>("--loss") { Description = "mse or cross-entropy (required for TorchScript)." };
        loss.AcceptOnlyFromAmong("mse", "cross-entropy");
        var measure = new Option<string>("--measure") { Description = "The measure to rank by (lowest = flattest). Known: " + string.Join(", ", MeasureRegistry.BuiltIn.Names), Required = true };
        var settingsOptions = new MeasureOptions();
        var format = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");

        var architecture = new Option<string?>("--architecture")
        {
            Description = "Read every candidate as a PyTorch checkpoint (torch.save(model.state_dict()) .pt or .safetensors) of this architecture: " +
                          "fcnn:10-64-64-1:elu (activation after every layer, as the seed notebooks), mlp:SIZES:ACT (linear output), lenet5, lenet5-classic.",
        };
        var command = new Command("select", "Rank saved models by a sharpness measure on a data file and select the flattest.")
        {
            models, modelsDir,
        };
        foreach (var option in data.All) command.Options.Add(option);
        foreach (var option in new Option[] { loss, architecture, measure }) command.Options.Add(option);
        foreach (var option in settingsOptions.All) command.Options.Add(option);
        command.Options.Add(format);
        command.SetAction(parse =>
        {
            var lossFunction = DataOptions.ParseLoss(parse.GetValue(loss));
            var paths = (parse.GetValue(models) ?? Array.Empty<string>()).ToList();
            var checkpoint = parse.GetValue(architecture) is { } a ? SharpnessML.Trainers.Checkpoints.CheckpointArchitecture.Parse(a) : null;
            if (parse.GetValue(modelsDir) is { } folder)
            {
                if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--models-dir '{folder}' does not exist.");
                var found = Directory.EnumerateFiles(folder)
                    .Where(f => f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)
                                || (checkpoint != null && f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new ArgumentException($"--models-dir '{folder}' holds no .zip or .pt file.");
                paths.AddRange(found);
            }
            if (paths.Count == 0) throw new ArgumentException("No candidate: give --model FILE (repeatable) or --models-dir DIR.");
            MeasureRegistry.BuiltIn.Validate(parse.GetValue(measure)!);
            var settings = settingsOptions.Read(parse);
            var torch = settingsOptions.StartTorch(parse);
            var scoring = data.Read(parse);
            torch.GetAwaiter().GetResult();
            var result = SavedModelScorer.Select(paths, scoring, lossFunction, parse.GetValue(measure)!, settings, checkpoint);
            Write(result, parse.GetValue(format)!);
            foreach (var failure in result.Failures)
                Console.Error.WriteLine($"sharpnessml: warning: candidate '{failure.Name}' failed and is not ranked: {CliErrors.OneLine(failure.Error)}");
            return 0;
        });
        return command;
    }

    private static void Write(ModelSelectionResult result, string format)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["measure"] = result.Measure,
                    ["selected"] = result.Selected.Name,
                    ["ranking"] = result.Ranking.Select(r => new Dictionary<string, object?>
                    {
                        ["rank"] = r.Rank, ["model"] = r.Name, ["value"] = r.Value, ["stderr"] = r.StandardError, ["loss"] = r.Loss,
                        ["details"] = ScoreCommand.Details(r.Result),
                    }),
                    ["failed"] = result.Failures.Select(f => new Dictionary<string, object?> { ["model"] = f.Name, ["error"] = f.Error }),
                }, new JsonSerializerOptions { WriteIndented = true }));
                break;
            case "csv":
                Console.WriteLine("rank,model,value,stderr,loss");
                foreach (var r in result.Ranking)
                    Console.WriteLine($"{r.Rank},{Csv(r.Name)},{r.Value.ToString("R", inv)},{r.StandardError?.ToString("R", inv) ?? ""},{r.Loss.ToString("R", inv)}");
                break;
            default:
                var table = new Table().AddColumns("rank", "model", Markup.Escape(result.Measure), "± stderr", "loss");
                foreach (var r in result.Ranking)
                    table.AddRow(r.Rank.ToString(inv), Markup.Escape(r.Name), r.Value.ToString("G6", inv), r.StandardError?.ToString("G3", inv) ?? "",
                        r.Loss.ToString("G6", inv));
                foreach (var f in result.Failures) table.AddRow("-", Markup.Escape(f.Name), "[red]failed[/]", "", "");
                AnsiConsole.Write(table);
                Console.WriteLine($"selected: {result.Selected.Name} ({result.Measure} = {result.Selected.Value.ToString("G6", inv)})");
                break;
        }
    }

    private static string Csv(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n' }) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
