// Trains the two-layer GAT of Veličković et al. (2018) on Cora for several seeds and prints the
// test accuracy and wall time of each model. Usage (from the repository root):
//   dotnet run -c Release --project examples/GatCora -- [--heads 8] [--seeds 5] [--split-seed 0]
//       [--vary-split] [--max-epochs 1000] [--threads N] [--sharpness] [--benchmark]
// --vary-split draws a new standard split for every seed (split seed = seed) instead of one fixed split.
// --sharpness also measures adaptive worst-case L∞ sharpness of each model on its training nodes.
// --benchmark times one training step of the edge-list attention against dense masked attention.
using System.Diagnostics;
using System.Globalization;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Graphs;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Datasets;

int heads = 8, seeds = 5, splitSeed = 0, maxEpochs = 1000;
int? threads = null;
bool varySplit = false, sharpness = false, benchmark = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--heads": heads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seeds": seeds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--split-seed": splitSeed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--max-epochs": maxEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--vary-split": varySplit = true; break;
        case "--sharpness": sharpness = true; break;
        case "--benchmark": benchmark = true; break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'."); return 2;
    }
}
TorchRuntime.SetThreads(threads);
Console.WriteLine($"torch threads: {torch.get_num_threads()}");

var clock = Stopwatch.StartNew();
using var graph = CoraDataset.Load();
Console.WriteLine($"Cora: {graph.NodeCount} nodes, {graph.FeatureCount} features, {graph.ClassCount} classes, {graph.EdgeCount} directed edges with self-loops (loaded in {clock.Elapsed.TotalSeconds:F2} s)");

if (benchmark)
{
    Benchmark.Run(graph, heads);
    return 0;
}

var accuracies = new List<double>();
var times = new List<double>();
var fixedSplit = CoraDataset.StandardSplit(graph, splitSeed);
for (int seed = 0; seed < seeds; seed++)
{
    var split = varySplit ? CoraDataset.StandardSplit(graph, seed) : fixedSplit;
    var options = new GatOptions { Heads = heads, Seed = seed, MaxEpochs = maxEpochs };
    var start = Stopwatch.StartNew();
    using var model = GatTrainingLoop.Train(graph, split, options);
    double seconds = start.Elapsed.TotalSeconds;
    var h = model.History;
    accuracies.Add(model.TestMetrics.Accuracy);
    times.Add(seconds);
    var line = $"seed {seed}: epochs {h.Epochs} (kept {h.BestEpoch + 1}), train acc {model.TrainMetrics.Accuracy:P1}, " +
               $"val loss {model.ValidationMetrics.Loss:F4} acc {model.ValidationMetrics.Accuracy:P1}, " +
               $"test loss {model.TestMetrics.Loss:F4} acc {model.TestMetrics.Accuracy:P1}, {seconds:F1} s ({1000 * seconds / h.Epochs:F1} ms/epoch)";
    if (sharpness)
    {
        var s = WorstCaseSharpness.Estimate(GraphLossLandscape.ForGat(model), new WorstCaseSharpnessOptions { Rho = 0.05, BatchSize = 140, Batches = 1 });
        line += $", adaptive worst-case L∞ sharpness (ρ = 0.05, all 140 training nodes) {s.Sharpness:G4}";
    }
    Console.WriteLine(line);
}
double mean = accuracies.Average();
double sd = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, accuracies.Count - 1));
Console.WriteLine($"test accuracy over {seeds} seeds: mean {mean:P2}, sd {sd:P2}; wall time per model mean {times.Average():F1} s; total {clock.Elapsed.TotalSeconds:F0} s");
return 0;
