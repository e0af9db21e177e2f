using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using SharpnessML.Cli.Reports;
using SharpnessML.Transforms.Visualization;
using TorchSharp;

namespace SharpnessML.Cli.Commands;

/// <summary>
/// <c>sharpnessml landscape</c>: the loss surface of a saved model (Li et al., 2018) along filter-normalised random
/// directions or the Hessian's top eigenvectors, 1D or 2D, or the line between two models (<c>--to</c>); writes
/// <c>landscape.png</c> and <c>landscape.csv</c> to <c>--out</c>, as a whole.
/// </summary>
internal static class LandscapeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A SharpnessML model file or a TorchScript .pt file.", Required = true };
        var to = new Option<string?>("--to") { Description = "A second model of the same architecture: plot the line from --model (α = 0) to it (α = 1) instead." };
        var data = new DataOptions();
        var loss = new Option<string?>("--loss") { Description = "mse or cross-entropy (required for TorchScript)." };
        loss.AcceptOnlyFromAmong("mse", "cross-entropy");
        var architecture = new Option<string?>("--architecture")
        {
            Description = "Read --model (and --to) as a PyTorch checkpoint (torch.save(model.state_dict()) .pt or .safetensors) of this architecture: " +
                          "fcnn:10-64-64-1:elu (activation after every layer, as the seed notebooks), mlp:SIZES:ACT (linear output), lenet5, lenet5-classic.",
        };
        var twoD = new Option<bool>("--2d") { Description = "A 2D surface (heat map and contours) instead of a 1D curve." };
        var steps = new Option<int>("--steps") { Description = "Grid points per axis.", DefaultValueFactory = _ => 51 };
        var range = new Option<double[]>("--range") { Description = "MIN MAX of each axis (default -1 1; -0.5 1.5 with --to).", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var directions = new Option<string>("--directions") { Description = "random (filter-normalised Gaussian) or hessian (top eigenvectors).", DefaultValueFactory = _ => "random" };
        directions.AcceptOnlyFromAmong("random", "hessian");
        var normalization = new Option<string>("--normalization") { Description = "filter (Li et al.) or none.", DefaultValueFactory = _ => "filter" };
        normalization.AcceptOnlyFromAmong("filter", "none");
        var includeBiasBn = new Option<bool>("--include-bias-bn") { Description = "Move biases and normalisation layers too (default: zero their directions, as --xignore biasbn)." };
        var bnStates = new Option<bool>("--bn-states") { Description = "Move the BatchNorm running statistics with the weights (the paper's --dir_type states); default: fixed." };
        var examples = new Option<int?>("--examples") { Description = "Examples every point is evaluated on, drawn with --seed (default 1024; 0 for all)." };
        var chunk = new Option<int>("--chunk-size") { Description = "Examples per forward pass.", DefaultValueFactory = _ => 1024 };
        var seed = new Option<int>("--seed") { Description = "Seed of the examples and directions.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Output folder (landscape.png, landscape.csv).", DefaultValueFactory = _ => Path.Combine("reports", "landscape") };

        var command = new Command("landscape", "Plot a saved model's loss landscape (filter-normalised directions, Li et al. 2018) to a PNG and a CSV grid.") { model, to };
        foreach (var option in data.All) command.Options.Add(option);
        foreach (var option in new Option[] { loss, architecture, twoD, steps, range, directions, normalization, includeBiasBn, bnStates, examples, chunk, seed, output })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var modelPath = parse.GetValue(model)!;
            var toPath = parse.GetValue(to);
            var options = new LossSurfaceOptions
            {
                TwoDimensional = parse.GetValue(twoD),
                Steps = parse.GetValue(steps),
                Directions = parse.GetValue(directions) == "hessian" ? SurfaceDirections.HessianEigenvectors : SurfaceDirections.Random,
                Normalization = parse.GetValue(normalization) == "none" ? DirectionNormalization.None : DirectionNormalization.Filter,
                IgnoreBiasAndNormalization = !parse.GetValue(includeBiasBn),
                BatchNormStatistics = parse.GetValue(bnStates) ? BatchNormStatistics.Perturbed : BatchNormStatistics.Fixed,
                Seed = parse.GetValue(seed),
                ChunkSize = parse.GetValue(chunk),
            };
            if (parse.GetValue(range) is { Length: 2 } r) (options.RangeMin, options.RangeMax) = (r[0], r[1]);
            else if (toPath != null) (options.RangeMin, options.RangeMax) = (-0.5, 1.5);
            if (parse.GetValue(examples) is int n)
            {
                if (n < 0) throw new ArgumentException($"--examples must be at least 0 (0 for all), got {n}.");
                options.ExampleCount = n == 0 ? null : n;
            }
            if (options.ChunkSize < 1) throw new ArgumentException($"--chunk-size must be at least 1, got {options.ChunkSize}.");
            if (options.Steps < 2) throw new ArgumentException($"--steps must be at least 2, got {options.Steps}.");
            if (!(options.RangeMin < options.RangeMax) || !double.IsFinite(options.RangeMin) || !double.IsFinite(options.RangeMax))
                throw new ArgumentException($"--range needs MIN < MAX, got {options.RangeMin} {options.RangeMax}.");
            if (toPath != null && options.TwoDimensional) throw new ArgumentException("--to plots the 1D line between two models; drop --2d.");
            if (toPath != null && parse.GetValue(directions) == "hessian") throw new ArgumentException("--to plots the line between two models; --directions does not apply.");
            options.Validate();
            foreach (var path in new[] { modelPath, toPath }.OfType<string>())
                if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);

            var lossFunction = DataOptions.ParseLoss(parse.GetValue(loss));
            var checkpoint = parse.GetValue(architecture) is { } a ? SharpnessML.Trainers.Checkpoints.CheckpointArchitecture.Parse(a) : null;
            var scoring = data.Read(parse);
            // The output folder is checked (new, empty or ours) before any loss is evaluated.
            using var outFolder = AtomicDirectory.Prepare(parse.GetValue(output)!, "landscape");
            var clock = Stopwatch.StartNew();
            using var scope = torch.NewDisposeScope();
            var ml = new MLContext(seed: options.Seed);
            var opened = scoring.Open(ml, modelPath, lossFunction, checkpoint);
            using var owned = opened.Owned;
            var second = toPath is null ? null : scoring.Open(ml, toPath, lossFunction, checkpoint);
            using var ownedSecond = second?.Owned;
            int points = options.TwoDimensional ? options.Steps * options.Steps : options.Steps;
            var what = toPath != null ? $"line {Path.GetFileName(modelPath)} → {Path.GetFileName(toPath)}"
                : $"{(options.TwoDimensional ? "2D" : "1D")} {parse.GetValue(directions)} surface of {Path.GetFileName(modelPath)}";
            int every = Math.Max(1, points / 20); // at most ~20 reports: one line each without a terminal
            var surface = Progress.Run(what, points, report =>
            {
                void Step(int done, int total)
                {
                    if (done % every == 0 || done == total) report(done, $"{done}/{total} points");
                }
                return second is null
                    ? LossSurfaces.Compute(opened.Landscape, options, Step)
                    : LossSurfaces.Interpolate(opened.Landscape, second.Landscape, options, Step);
            });
            var seconds = clock.Elapsed.TotalSeconds;

            var folder = outFolder.Destination;
            LandscapePlot.Save(Path.Combine(outFolder.Temporary, "landscape.png"), surface, $"{what} ({surface.ExampleCount} examples)");
            LandscapePlot.SaveCsv(Path.Combine(outFolder.Temporary, "landscape.csv"), surface);
            outFolder.Commit();
            var inv = CultureInfo.InvariantCulture;
            int centreX = Array.IndexOf(surface.X.ToArray(), 0.0), centreY = surface.Y is null ? 0 : Array.IndexOf(surface.Y.ToArray(), 0.0);
            var centre = centreX >= 0 && centreY >= 0 ? $"; loss at the centre {surface.LossAt(centreX, centreY).ToString("G6", inv)}" : "";
            var eigen = surface.DirectionEigenvalues is { } ev ? $"; direction eigenvalues {string.Join(", ", ev.Select(v => v.ToString("G5", inv)))}" : "";
            Console.WriteLine($"{surface.Evaluations} points on {surface.ExampleCount} examples in {seconds.ToString("F1", inv)} s{centre}{eigen}; " +
                              $"wrote {Path.Combine(folder, "landscape.png")} and {Path.Combine(folder, "landscape.csv")}");
            return 0;
        });
        return command;
    }
}
