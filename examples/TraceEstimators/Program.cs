// Time to accuracy of the two trace estimators, Hutchinson and Hutch++ (issue 15): the relative error of each at a
// budget of m Hessian-vector products, over seeds, against the exact trace (dense Hessian) of the Abalone FCNN and a
// long Hutch++ run on LeNet-5 (a model file, on the first images of the FashionMNIST test set). Both estimators spend
// the same products, the cost that dominates (the QR of Hutch++'s sketch is negligible beside them), so products are time.
// Usage: dotnet run -c Release --project examples/TraceEstimators -- [--lenet reports/lenet.zip] [--images 256]
//          [--lenet-only 1] [--seeds 8] [--lenet-seeds 8] [--budgets 12,24,48,96,192] [--reference 1500] [--threads 1]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;

var arguments = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2) arguments[args[i].TrimStart('-')] = args[i + 1];
int seeds = int.Parse(arguments.GetValueOrDefault("seeds", "8"), CultureInfo.InvariantCulture);
var budgets = arguments.GetValueOrDefault("budgets", "12,24,48,96,192").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
TorchRuntime.SetThreads(int.Parse(arguments.GetValueOrDefault("threads", "1"), CultureInfo.InvariantCulture));
var ml = new MLContext(seed: 0);

var clock = Stopwatch.StartNew();

// --plan N: the product plan of one whole-data Hessian-vector product of the LeNet-5 file over the first N test images
// (how HessianOperator chose between kept graphs and per-chunk recomputation), with the process's peak RSS.
if (arguments.TryGetValue("plan", out var planImages) && arguments.TryGetValue("lenet", out var planModel))
{
    var model = ml.Sharpness().Model.Load(planModel, out _);
    var data = FashionMnistDataset.Load(ml, FashionMnistSplit.Test, null, int.Parse(planImages, CultureInfo.InvariantCulture));
    var landscape = ml.Sharpness().CreateLandscape(model, data, out _);
    using var op = new HessianOperator(landscape, reuseGradientGraph: true);
    for (int k = 0; k < 2; k++)
    {
        clock.Restart();
        using var scope = TorchSharp.torch.NewDisposeScope();
        op.Multiply(TorchSharp.torch.ones(op.Dimension, dtype: TorchSharp.torch.float64));
        Console.WriteLine($"product {k + 1}: {clock.Elapsed.TotalSeconds:F1} s, plan {op.Plan!.Description}, " +
                          $"VmHWM {File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM", StringComparison.Ordinal))}");
    }
    return 0;
}

// The seed paper's Abalone FCNN (10-64-64-1), trained the paper's way on the training split; measured on it.
if (!arguments.ContainsKey("lenet-only"))
{
    var split = AbaloneDataset.Split(ml, AbaloneDataset.Load(ml));
    var mlp = AbaloneDataset.FeaturePipeline(ml).Append(ml.Regression.Trainers.Mlp(MlpOptions.SeedPaperAbalone())).Fit(split.TrainSet);
    var abalone = ml.Sharpness().CreateLandscape(mlp, split.TrainSet, out _);
    clock.Restart();
    double exact = HessianMeasures.DenseHessian(abalone).Trace();
    Console.WriteLine($"Abalone FCNN: {abalone.ParameterCount} parameters, {abalone.ExampleCount} examples, exact trace {exact:G6} ({clock.Elapsed.TotalSeconds:F0} s)");
    Compare("Abalone FCNN", abalone, exact, null);
}

if (arguments.TryGetValue("lenet", out var path))
{
    int images = int.Parse(arguments.GetValueOrDefault("images", "256"), CultureInfo.InvariantCulture);
    int referenceBudget = int.Parse(arguments.GetValueOrDefault("reference", "1500"), CultureInfo.InvariantCulture);
    var model = ml.Sharpness().Model.Load(path, out _);
    var data = FashionMnistDataset.Load(ml, FashionMnistSplit.Test, null, images);
    var lenet = ml.Sharpness().CreateLandscape(model, data, out _);
    clock.Restart();
    var reference = HessianMeasures.TraceHutchPlusPlus(lenet, new HutchPlusPlusOptions { Budget = referenceBudget, Seed = 1000 });
    Console.WriteLine($"LeNet-5: {lenet.ParameterCount} parameters, {lenet.ExampleCount} images, reference trace {reference.Value:G6} ± {reference.StandardError:G3} " +
                      $"(Hutch++, {referenceBudget} products, seed 1000, {clock.Elapsed.TotalSeconds:F0} s)");
    seeds = int.Parse(arguments.GetValueOrDefault("lenet-seeds", seeds.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
    Compare("LeNet-5", lenet, reference.Value, reference.StandardError);
}
return 0;

void Compare(string name, LossLandscape landscape, double truth, double? truthError)
{
    var timer = Stopwatch.StartNew();
    Console.WriteLine($"{name}: median and 90th-percentile relative error over {seeds} seeds" + (truthError is { } e ? $" (reference ± {e / Math.Abs(truth):P2})" : ""));
    Console.WriteLine("  products | Hutchinson median  p90 | Hutch++ median  p90");
    foreach (var m in budgets)
    {
        var h = new List<double>();
        var p = new List<double>();
        for (int seed = 0; seed < seeds; seed++)
        {
            h.Add(Math.Abs(HessianMeasures.Trace(landscape, new HutchinsonOptions { MaxSamples = m, Tolerance = 0, Seed = seed }).Value - truth) / Math.Abs(truth));
            p.Add(Math.Abs(HessianMeasures.TraceHutchPlusPlus(landscape, new HutchPlusPlusOptions { Budget = m, Seed = seed }).Value - truth) / Math.Abs(truth));
        }
        Console.WriteLine($"  {m,8} | {Quantile(h, 0.5),17:P2} {Quantile(h, 0.9),6:P2} | {Quantile(p, 0.5),14:P2} {Quantile(p, 0.9),6:P2}   ({timer.Elapsed.TotalSeconds:F0} s)");
    }
}

static double Quantile(List<double> values, double q)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
}
