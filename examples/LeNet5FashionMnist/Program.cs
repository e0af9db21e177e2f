using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using SharpnessML.Datasets;

// Trains LeNet-5 on FashionMNIST and reports test accuracy and wall time.
// Usage: dotnet run -c Release --project examples/LeNet5FashionMnist -- [options]
//   --data DIR        folder with the IDX files (default: Debian's /usr/share/datasets/fashion-mnist)
//   --arch NAME       reference (12/32/256/128, default) or classic (6/16/120/84)
//   --epochs N        most epochs (default 10)
//   --defaults        train with the trainer's defaults (Adam 1e-3, up to 200 epochs, early stopping on a held-out
//                     10% of the training images, best epoch restored) instead of the seed paper's preset
//   --stop X          stopping rule's relative change; negative disables it (default 0.05)
//   --optimizer NAME  sgd (default, momentum 0.9) or adam
//   --lr X            learning rate (default: the options' default)
//   --train N         use only the first N training images
//   --test N          use only the first N test images
//   --seed N          seed (default 0)
//   --threads N       torch intra-op threads (default: torch's choice)
//   --save PATH       save the model file there
var arguments = ParseArguments(args);
string? dataDir = arguments.GetValueOrDefault("data");
TorchRuntime.SetThreads(arguments.TryGetValue("threads", out var threads) ? int.Parse(threads, CultureInfo.InvariantCulture) : null);

var mlContext = new MLContext(seed: 0);
var clock = Stopwatch.StartNew();
var train = FashionMnistDataset.Load(mlContext, FashionMnistSplit.Train, dataDir, OptionalInt(arguments, "train"));
var test = FashionMnistDataset.Load(mlContext, FashionMnistSplit.Test, dataDir, OptionalInt(arguments, "test"));
Console.WriteLine($"Loaded {train.GetRowCount()} training and {test.GetRowCount()} test images in {clock.Elapsed.TotalSeconds:F2} s.");

// The seed paper's training (SGD momentum 0.9 at 0.01, batch 64, the 5% stopping rule, no validation set), or with
// --defaults the trainer's own defaults.
bool defaults = arguments.ContainsKey("defaults");
var options = defaults ? new LeNet5Options() : LeNet5Options.SeedPaperFashionMnist();
options.Architecture = arguments.GetValueOrDefault("arch", "reference") switch
{
    "reference" => LeNet5Spec.Reference,
    "classic" => LeNet5Spec.Classic,
    var other => throw new ArgumentException($"--arch must be reference or classic, not '{other}'."),
};
options.MaxEpochs = OptionalInt(arguments, "epochs") ?? options.MaxEpochs;
options.Seed = OptionalInt(arguments, "seed") ?? 0;
if (arguments.TryGetValue("stop", out var stop)) options.StoppingRelativeChange = double.Parse(stop, CultureInfo.InvariantCulture);
if (arguments.GetValueOrDefault("optimizer") == "adam")
    options.Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 1e-3 };
if (arguments.TryGetValue("lr", out var lr)) options.Optimizer.LearningRate = double.Parse(lr, CultureInfo.InvariantCulture);

Console.WriteLine($"Architecture {options.Architecture}, optimizer {options.Optimizer.Kind} lr {options.Optimizer.LearningRate} momentum {options.Optimizer.Momentum}, " +
                  $"batch {options.BatchSize}, at most {options.MaxEpochs} epochs, stopping change {options.StoppingRelativeChange}, validation fraction {options.ValidationFraction}, patience {options.EarlyStoppingPatience}, seed {options.Seed}, {TorchSharp.torch.get_num_threads()} threads.");
var trainer = mlContext.MulticlassClassification.Trainers.LeNet5(options);
clock.Restart();
using var model = trainer.Fit(train, (epoch, loss) =>
    Console.WriteLine($"  epoch {epoch + 1,2}: mean training loss {loss:F4} ({clock.Elapsed.TotalSeconds:F1} s)"));
var summary = model.Training!;
Console.WriteLine($"Trained {summary.Epochs} epochs, {summary.Steps} steps in {summary.Elapsed.TotalSeconds:F1} s " +
                  $"({summary.Elapsed.TotalMilliseconds / summary.Steps:F2} ms per step).");

clock.Restart();
var testMetrics = NetworkEvaluation.Evaluate(model, test);
var trainMetrics = NetworkEvaluation.Evaluate(model, train);
Console.WriteLine($"Test accuracy {testMetrics.Accuracy:P2} (loss {testMetrics.MeanLoss:F4}) on {testMetrics.Count} images; " +
                  $"training accuracy {trainMetrics.Accuracy:P2} (loss {trainMetrics.MeanLoss:F4}); evaluated in {clock.Elapsed.TotalSeconds:F1} s.");

if (arguments.TryGetValue("save", out var path))
{
    SharpnessModelFile.Save(mlContext, model, test.Schema, path);
    Console.WriteLine($"Saved the model to {path}.");
}
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (args[i] == "--defaults")
        {
            result["defaults"] = "true";
            continue;
        }
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            throw new ArgumentException($"Expected '--name value' pairs; got '{args[i]}'.");
        result[args[i][2..]] = args[++i];
    }
    return result;
}

static int? OptionalInt(Dictionary<string, string> arguments, string name) =>
    arguments.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;
