using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using Spectre.Console;
using SharpnessML.Cli.Scoring;

namespace SharpnessML.Cli.Commands;

/// <summary>
/// <c>sharpnessml score</c>: measure one saved model (ours or TorchScript) on a CSV file or an IDX pair, or without
/// <c>--data</c> by data-free measures only (the weight norms and the spectral metrics).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A SharpnessML model file, a TorchScript .pt file, or a PyTorch checkpoint (with --architecture).", Required = true };
        var data = new DataOptions();
        data.Data.Required = false; // data-free measures (weight norms, spectral metrics) need none
        var loss = new Option<string?>("--loss") { Description = "mse or cross-entropy (required for TorchScript)." };
        loss.AcceptOnlyFromAmong("mse", "cross-entropy");
        var measures = new Option<string[]>("--measure") { Description = "Measure name; repeat for several. Known: " + string.Join(", ", MeasureRegistry.BuiltIn.Names), AllowMultipleArgumentsPerToken = false };
        var settingsOptions = new MeasureOptions();
        var format = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");

        var architecture = new Option<string?>("--architecture")
        {
            Description = "Read --model as a PyTorch checkpoint (torch.save(model.state_dict()) .pt or .safetensors) of this architecture: " +
                          "fcnn:10-64-64-1:elu (activation after every layer, as the seed notebooks), mlp:SIZES:ACT (linear output), lenet5, lenet5-classic.",
        };
        var densityPlot = new Option<string?>("--density-plot") { Description = "Also measure the Hessian spectral density (SLQ) and plot it to this PNG file." };
        var esdPlot = new Option<string?>("--esd-plot")
        {
            Description = "Also take the data-free spectral metrics and plot the largest layer's eigenvalue distribution and power-law fit to this PNG file.",
        };
        var command = new Command("score", "Measure a saved model's sharpness on a data file (data-free measures, e.g. alpha-weighted, need none).") { model };
        foreach (var option in data.All) command.Options.Add(option);
        foreach (var option in new Option[] { loss, architecture, measures }) command.Options.Add(option);
        foreach (var option in settingsOptions.All) command.Options.Add(option);
        foreach (var option in new Option[] { format, densityPlot, esdPlot }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var lossFunction = DataOptions.ParseLoss(parse.GetValue(loss));
            var names = (parse.GetValue(measures) ?? Array.Empty<string>()).ToList();
            var plotPath = parse.GetValue(densityPlot);
            if (plotPath != null) CheckWritableFile(plotPath, "--density-plot");
            if (plotPath != null && !names.Contains("hessian-density")) names.Add("hessian-density");
            var esdPath = parse.GetValue(esdPlot);
            if (esdPath != null) CheckWritableFile(esdPath, "--esd-plot");
            if (esdPath != null && !names.Any(n => MeasureRegistry.BuiltIn.Get(n) is SharpnessML.Transforms.Spectral.SpectralMeasure)) names.Add("alpha");
            foreach (var name in names) MeasureRegistry.BuiltIn.Validate(name);
            var settings = settingsOptions.Read(parse);
            var checkpoint = parse.GetValue(architecture) is { } a ? SharpnessML.Trainers.Checkpoints.CheckpointArchitecture.Parse(a) : null;
            var torch = settingsOptions.StartTorch(parse);
            var scoring = parse.GetValue(data.Data) is null ? null : data.Read(parse);
            torch.GetAwaiter().GetResult();
            var results = scoring is null
                ? SavedModelScorer.ScoreWithoutData(parse.GetValue(model)!, lossFunction, names, settings, checkpoint)
                : SavedModelScorer.Score(parse.GetValue(model)!, scoring, lossFunction, names, settings, checkpoint);
            if (plotPath != null)
            {
                var density = results.Single(r => r.Measure == "hessian-density").MetricsAs<HessianDensityMetrics>();
                var full = Path.GetFullPath(plotPath);
                var temp = $"{full}.tmp-{Guid.NewGuid():N}.png";
                try
                {
                    Reports.ScatterPlot.SaveDensity(temp, density.Grid, density.Density,
                        $"Hessian spectral density of {Path.GetFileName(parse.GetValue(model))} (SLQ)");
                    File.Move(temp, full, overwrite: true);
                }
                finally
                {
                    if (File.Exists(temp)) File.Delete(temp);
                }
            }
            if (esdPath != null)
            {
                var spectral = results.First(r => r.Metrics is SharpnessML.Transforms.Spectral.SpectralMetrics).MetricsAs<SharpnessML.Transforms.Spectral.SpectralMetrics>();
                var layer = spectral.Layers.OrderByDescending(l => l.Eigenvalues.Length).FirstOrDefault()
                            ?? throw new ArgumentException("--esd-plot: the model has no layer with a spectrum to plot.");
                var full = Path.GetFullPath(esdPath);
                var temp = $"{full}.tmp-{Guid.NewGuid():N}.png";
                try
                {
                    Reports.EsdPlot.Save(temp, layer, $"{layer.Name} of {Path.GetFileName(parse.GetValue(model))}: eigenvalues of W^T W");
                    File.Move(temp, full, overwrite: true);
                }
                finally
                {
                    if (File.Exists(temp)) File.Delete(temp);
                }
            }
            Write(results, parse.GetValue(format)!);
            return 0;
        });
        return command;
    }

    /// <summary>Refuses, before any work, an output file that is a folder or whose folder does not exist.</summary>
    internal static void CheckWritableFile(string path, string option)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Directory.Exists(full) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
            throw new IOException($"{option} '{path}' is a folder; give the file to write, e.g. {Path.Combine(path, "density.png")}.");
        var folder = Path.GetDirectoryName(full);
        if (folder != null && !Directory.Exists(folder)) throw new IOException($"{option} '{path}': the folder '{folder}' does not exist.");
    }

    private static void Write(IReadOnlyList<MeasureResult> results, string format)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new Dictionary<string, object?>
                {
                    ["measure"] = r.Measure, ["value"] = r.Value, ["stderr"] = r.StandardError, ["details"] = Details(r),
                }), new JsonSerializerOptions { WriteIndented = true }));
                break;
            case "csv":
                Console.WriteLine("measure,value,stderr");
                foreach (var r in results)
                    Console.WriteLine($"{r.Measure},{r.Value.ToString("R", inv)},{r.StandardError?.ToString("R", inv) ?? ""}");
                break;
            default:
                var table = new Table().AddColumns("measure", "value", "± stderr", "details");
                foreach (var r in results)
                    table.AddRow(Markup.Escape(r.Measure), r.Value.ToString("G6", inv), r.StandardError?.ToString("G3", inv) ?? "",
                        Markup.Escape(string.Join(", ", r.Metrics.Details().Select(d => $"{d.Key}={Format(d.Value)}"))));
                AnsiConsole.Write(table);
                break;
        }
    }

    /// <summary>The metrics' details as a JSON object, in their order.</summary>
    internal static Dictionary<string, object> Details(MeasureResult result) => result.Metrics.Details().ToDictionary(d => d.Key, d => d.Value);

    private static string Format(object value) => value switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        IEnumerable<double> list => "[" + string.Join(", ", list.Select(v => v.ToString("G4", CultureInfo.InvariantCulture))) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
