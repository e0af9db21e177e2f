using System.Globalization;
using System.Diagnostics;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using SharpnessML.Studies;
using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Datasets;

namespace SharpnessML.Cli.Bench;

/// <summary>
/// The benchmarks behind <c>sharpnessml bench</c>. Every row compares two things measured in this
/// run on this machine, so the ratios hold whatever the machine's speed.
/// </summary>
internal sealed class BenchmarkSuite(Action<string> log, bool quick)
{
    private readonly List<BenchmarkRow> rows = new();

    /// <summary>The groups, in the order they run; <c>--only</c> takes these names.</summary>
    public static readonly string[] Groups = { "trainer", "pytorch", "sharpness", "gat", "diagonal", "hessian", "studies", "memory", PythonGroup };

    /// <summary>
    /// The Python anchors (<c>--vs-python</c>): not part of a plain <c>bench</c> run, only when named with
    /// <c>--only</c> or <c>--vs-python</c>.
    /// </summary>
    public const string PythonGroup = "python";

    public IReadOnlyList<BenchmarkRow> Run(ISet<string>? only = null)
    {
        bool Include(string group) => group == PythonGroup ? only?.Contains(group) == true : only is null || only.Count == 0 || only.Contains(group);
        using var abalone = AbaloneTensors();
        using var fashion = Include("trainer") || Include("sharpness") || Include("hessian") || Include(PythonGroup) ? FashionMnistTensors() : null;
        if (Include("trainer"))
        {
            TrainerOverhead("Abalone FCNN", () => Fcnn(1), abalone, LossFunction.MeanSquaredError, quick ? 3 : 5, quick ? 5 : 15);
            if (fashion != null) TrainerOverhead($"LeNet-5 on {fashion.Count} FashionMNIST images", () => LeNet(1), fashion, LossFunction.CrossEntropy, 1, quick ? 3 : 9);
        }
        if (Include("pytorch")) PyTorchStep(abalone);
        if (Include("sharpness"))
        {
            SharpnessCost("Abalone FCNN", () => Fcnn(3), abalone, LossFunction.MeanSquaredError);
            if (fashion != null) SharpnessCost("LeNet-5", () => LeNet(3), fashion, LossFunction.CrossEntropy);
            AscentStepCost("Abalone FCNN", () => Fcnn(3), abalone, LossFunction.MeanSquaredError, profile: true);
            if (fashion != null) AscentStepCost("LeNet-5", () => LeNet(3), fashion, LossFunction.CrossEntropy, profile: false);
        }
        if (Include("gat"))
        {
            using var graph = CoraDataset.Load();
            var split = CoraDataset.StandardSplit(graph, 0);
            GatTrainerOverhead(graph, split);
            GatSharpnessCost(graph, split);
        }
        if (Include("diagonal")) foreach (var row in DiagonalNetworkRows.Rows(quick)) Add(row);
        if (Include("hessian"))
        {
            HessianCost("Abalone FCNN", () => Fcnn(5), abalone, LossFunction.MeanSquaredError);
            if (fashion != null) HessianCost("LeNet-5", () => LeNet(5), fashion, LossFunction.CrossEntropy);
        }
        if (Include("studies")) Studies();
        if (Include("memory")) Memory(abalone);
        if (Include(PythonGroup))
        {
            // The Python rows' LeNet-5 sees 1,024 images whatever the suite's size.
            using var images = fashion is null ? null
                : new SupervisedTensors(fashion.Features.narrow(0, 0, Math.Min(1024, fashion.Count)).clone(), fashion.Labels.narrow(0, 0, Math.Min(1024, fashion.Count)).clone());
            new PythonAnchorRows(log, quick, Add).Run(abalone, images);
        }
        return rows;
    }

    private void Add(BenchmarkRow row)
    {
        rows.Add(row);
        log($"{row.Group} / {row.Name}: {row.Measured}; ratio {row.Ratio:F3} {row.Target}");
    }

    private static SupervisedTensors AbaloneTensors()
    {
        var ml = new MLContext(seed: 0);
        var split = AbaloneDataset.Split(ml, AbaloneDataset.Load(ml));
        var train = AbaloneDataset.FeaturePipeline(ml).Fit(split.TrainSet).Transform(split.TrainSet);
        return SupervisedTensors.FromDataView(train, AbaloneDataset.FeaturesColumn, AbaloneDataset.LabelColumn, NetworkTask.Regression);
    }

    private SupervisedTensors? FashionMnistTensors()
    {
        if (!FashionMnistDataset.IsAvailable())
        {
            log("FashionMNIST rows skipped: Debian's dataset-fashion-mnist is not installed.");
            return null;
        }
        var ml = new MLContext(seed: 0);
        var data = FashionMnistDataset.Load(ml, FashionMnistSplit.Train, maxExamples: quick ? 1024 : 4096);
        return SupervisedTensors.FromDataView(data, ColumnNames.Features, ColumnNames.Label, NetworkTask.MulticlassClassification);
    }

    private static nn.Module<Tensor, Tensor> LeNet(int seed) => TorchRuntime.Seeded(seed, () => LeNet5Spec.Reference.Build());

    private static nn.Module<Tensor, Tensor> Fcnn(int seed) =>
        TorchRuntime.Seeded(seed, () => new MlpSpec(new[] { 10, 64, 64, 1 }, Activation.Elu).Build());

    /// <summary>
    /// Epochs of the library's training loop versus a bare TorchSharp loop over the same tensors,
    /// interleaved round by round; the ratio is the median of the per-round ratios.
    /// </summary>
    private void TrainerOverhead(string name, Func<nn.Module<Tensor, Tensor>> create, SupervisedTensors data, LossFunction loss, int epochs, int rounds)
    {
        const int batch = 64;
        var options = new TorchTrainerOptions { BatchSize = batch, MaxEpochs = epochs, StoppingRelativeChange = -1, ValidationFraction = 0, EarlyStoppingPatience = 0, Optimizer = OptimizerOptions.SeedPaperSgd() };
        var samples = Timing.Interleaved(new Action[]
        {
            () =>
            {
                using var net = create();
                using var opt = OptimizerFactory.Create(net.parameters(), options.Optimizer, net);
                TrainingLoop.Train(net, data, loss, opt, options);
            },
            () =>
            {
                using var net = create();
                using var opt = optim.SGD(net.parameters(), 0.01);
                using var g = new torch.Generator(0);
                net.train();
                for (int e = 0; e < epochs; e++)
                {
                    using var epochScope = torch.NewDisposeScope();
                    var order = torch.randperm(data.Count, generator: g);
                    for (int start = 0; start < data.Count; start += batch)
                    {
                        using var step = torch.NewDisposeScope();
                        var index = order.narrow(0, start, Math.Min(batch, data.Count - start));
                        opt.zero_grad();
                        loss.Compute(net.call(data.Features.index_select(0, index)), data.Labels.index_select(0, index)).backward();
                        opt.step();
                    }
                }
            },
        }, rounds);
        var (ours, bare) = (samples[0], samples[1]);
        double ratio = bare.RatioTo(ours);
        var (low, high) = bare.RatioQuartiles(ours);
        Add(new BenchmarkRow("trainer overhead", $"{name}, batch 64",
            $"{epochs} epoch(s), {rounds} interleaved rounds: ours {ours.Median * 1000:F0} ms, bare TorchSharp {bare.Median * 1000:F0} ms; per-round ratio IQR {low:F2}–{high:F2}",
            ratio, "bare/ours ≥ 0.97", ratio >= 0.97));
    }

    /// <summary>
    /// The same FCNN training step in PyTorch (Debian's python3-torch), when installed, at this suite's thread
    /// count: rounds alternating with the Python anchor process (see <see cref="PythonAnchorRows.SgdStep"/>).
    /// </summary>
    private void PyTorchStep(SupervisedTensors data)
    {
        using var anchor = PythonAnchor.Start(out var reason);
        if (anchor is null)
        {
            log($"PyTorch comparison skipped: {reason} (apt-get install python3-torch).");
            return;
        }
        try
        {
            new PythonAnchorRows(log, quick, Add).SgdStep(anchor, data, torch.get_num_threads(), quick ? 200 : 1000, quick ? 3 : 5);
        }
        catch (PythonAnchorException e)
        {
            log($"PyTorch comparison stopped: {e.Message}");
        }
    }

    /// <summary>Adaptive worst-case and average-case sharpness versus one training epoch of the same model.</summary>
    private void SharpnessCost(string name, Func<nn.Module<Tensor, Tensor>> create, SupervisedTensors data, LossFunction loss)
    {
        using var net = create();
        var options = new TorchTrainerOptions { MaxEpochs = 1, StoppingRelativeChange = -1, ValidationFraction = 0, EarlyStoppingPatience = 0, Optimizer = OptimizerOptions.SeedPaperSgd() };
        double epoch = Timing.Median(() =>
        {
            using var opt = OptimizerFactory.Create(net.parameters(), options.Optimizer, net);
            TrainingLoop.Train(net, data, loss, opt, options);
        }, 3);
        var landscape = LossLandscape.ForSupervised(net, data, loss);
        double worst = Timing.Median(() => WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions()), 3);
        double average = Timing.Median(() => AverageCaseSharpness.Estimate(landscape, new AverageCaseSharpnessOptions()), 3);
        Add(new BenchmarkRow("sharpness cost", $"{name}: adaptive worst-case L∞ (Auto-PGD, defaults)", $"{worst * 1000:F0} ms vs one epoch on {data.Count} examples {epoch * 1000:F0} ms", worst / epoch, "measure/epoch", null));
        Add(new BenchmarkRow("sharpness cost", $"{name}: adaptive average-case L2 (defaults)", $"{average * 1000:F0} ms vs one epoch on {data.Count} examples {epoch * 1000:F0} ms", average / epoch, "measure/epoch", null));
    }

    /// <summary>
    /// Milliseconds per Auto-PGD step of adaptive worst-case L∞ sharpness (defaults: 20 steps per batch of 64; the
    /// whole estimate divided by its steps, so the base losses, restarts from the best point and the final
    /// evaluation are included) against one forward pass and gradient on a batch of 64, on one thread,
    /// interleaved. The ascent works on one flat vector, so the ratio step/(forward + gradient) is what the
    /// per-tensor bookkeeping costs; for the FCNN the step's phases are timed too.
    /// </summary>
    private void AscentStepCost(string name, Func<nn.Module<Tensor, Tensor>> create, SupervisedTensors data, LossFunction loss, bool profile)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var net = create();
            using var scope = torch.NewDisposeScope();
            var landscape = LossLandscape.ForSupervised(net, data, loss);
            var options = new WorstCaseSharpnessOptions { Batches = quick ? 4 : 16 };
            int steps = options.Batches * options.Steps;
            var parameters = landscape.Parameters.Cast<Tensor>().ToArray();
            using var generator = new torch.Generator(0);
            var batchLoss = landscape.BatchLoss(landscape.SampleBatch(options.BatchSize, generator));
            net.eval();
            var samples = Timing.Interleaved(new Action[]
            {
                () => WorstCaseSharpness.Estimate(landscape, options),
                () =>
                {
                    for (int i = 0; i < steps; i++)
                    {
                        using var step = torch.NewDisposeScope();
                        var l = batchLoss();
                        _ = l.item<float>();
                        _ = torch.autograd.grad(new[] { l }, parameters);
                    }
                },
            }, quick ? 3 : 7);
            double ratio = samples[0].RatioTo(samples[1]);
            var (low, high) = samples[0].RatioQuartiles(samples[1]);
            string phases = profile ? "; " + StepPhases(landscape, batchLoss) : "";
            Add(new BenchmarkRow("sharpness cost", $"{name}: Auto-PGD step (adaptive worst-case L∞), 1 thread",
                $"{samples[0].Median * 1000 / steps:F3} ms per ascent step vs forward + gradient (batch {options.BatchSize}) {samples[1].Median * 1000 / steps:F3} ms; ratio IQR {low:F2}–{high:F2}{phases}",
                ratio, "step/(forward+gradient)", null));
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>The phases of one Auto-PGD step with momentum on the flat vector, each timed over many repetitions (ms per step).</summary>
    private string StepPhases(LossLandscape landscape, Func<Tensor> batchLoss)
    {
        const int reps = 200;
        using var scope = torch.NewDisposeScope();
        using var flat = new FlatParameters(landscape.Parameters);
        var weights = flat.Values.clone();
        using var set = new PerturbationSet(weights, landscape.Parameters.Select(p => p.shape).ToArray(), 0.025, PerturbationNorm.LInfinity, adaptive: true);
        using var generator = new torch.Generator(1);
        var (x, previous, delta) = (set.RandomPoint(generator), set.RandomPoint(generator), set.RandomPoint(generator));
        var gradient = torch.randn_like(weights);
        Action Repeat(Action body) => () =>
        {
            for (int i = 0; i < reps; i++)
            {
                using var s = torch.NewDisposeScope();
                body();
            }
        };
        var names = new[] { "shift w + δ into the parameters", "forward", "forward + gradient into the flat buffer", "step + projection", "momentum + projection" };
        var samples = Timing.Interleaved(new[]
        {
            Repeat(() => flat.AssignShifted(weights, delta)),
            Repeat(() => { using (torch.no_grad()) _ = batchLoss().item<float>(); }),
            Repeat(() => { var l = batchLoss(); _ = l.item<float>(); flat.ComputeGradient(l); }),
            Repeat(() => set.Project(set.AscentStep(gradient, 0.05).add_(x))),
            Repeat(() =>
            {
                var z = set.Project(set.AscentStep(gradient, 0.05).add_(x));
                set.Project(z.sub(x).mul_(0.75).add_(x).add_(x.sub(previous).mul_(0.25)));
            }),
        }, quick ? 3 : 7);
        flat.Assign(weights);
        var ms = samples.Select(t => t.Median * 1000 / reps).ToArray();
        // Phase 3 includes a forward without no_grad, phase 5 includes phase 4: report their differences.
        return $"phases (ms): {names[0]} {ms[0]:F3}, {names[1]} {ms[1]:F3}, gradient +{ms[2] - ms[1]:F3}, {names[3]} {ms[3]:F3}, {names[4]} +{ms[4] - ms[3]:F3}";
    }

    /// <summary>
    /// Epochs of <see cref="Trainers.Graphs.GatTrainingLoop"/> (early stopping off) versus a bare TorchSharp
    /// loop over the same <see cref="Trainers.Graphs.GatNetwork"/>: one full-graph Adam step on the
    /// training nodes, then the validation loss and accuracy in evaluation mode, per epoch.
    /// </summary>
    private void GatTrainerOverhead(Trainers.Graphs.GraphData graph, Trainers.Graphs.NodeSplit split)
    {
        int epochs = quick ? 5 : 10;
        var options = new Trainers.Graphs.GatOptions { MaxEpochs = epochs, Seed = 0, EarlyStopping = Trainers.Graphs.GatEarlyStopping.None };
        var samples = Timing.Interleaved(new Action[]
        {
            () =>
            {
                using var model = Trainers.Graphs.GatTrainingLoop.Train(graph, split, options);
            },
            () =>
            {
                using var net = TorchRuntime.Seeded(options.Seed, options.CreateSpec(graph.FeatureCount, graph.ClassCount).Build);
                using var opt = optim.Adam(net.parameters(), options.Optimizer.LearningRate, weight_decay: options.Optimizer.WeightDecay);
                using var generator = new torch.Generator((ulong)options.Seed);
                using var train = Trainers.Graphs.NodeSplit.ToTensor(split.Train);
                using var validation = Trainers.Graphs.NodeSplit.ToTensor(split.Validation);
                net.DropoutGenerator = generator;
                for (int e = 0; e < epochs; e++)
                {
                    using var step = torch.NewDisposeScope();
                    net.train();
                    opt.zero_grad();
                    var loss = nn.functional.cross_entropy(net.call(graph.Features, graph.EdgeIndex).index_select(0, train), graph.Labels.index_select(0, train));
                    loss.backward();
                    opt.step();
                    if (!double.IsFinite(loss.item<float>())) throw new InvalidOperationException("Bare GAT loop diverged.");
                    net.eval();
                    using var noGrad = torch.no_grad();
                    var logits = net.call(graph.Features, graph.EdgeIndex).index_select(0, validation);
                    var labels = graph.Labels.index_select(0, validation);
                    _ = nn.functional.cross_entropy(logits, labels).item<float>();
                    _ = logits.argmax(1).eq(labels).to(float32).mean().item<float>();
                }
                net.DropoutGenerator = null;
            },
        }, quick ? 3 : 7);
        double ratio = samples[1].RatioTo(samples[0]);
        Add(new BenchmarkRow("trainer overhead", "GAT on Cora (8 heads), full-graph Adam step + validation",
            $"{epochs} epochs: ours {samples[0].Median * 1000:F0} ms, bare TorchSharp {samples[1].Median * 1000:F0} ms", ratio, "bare/ours ≥ 0.97", ratio >= 0.97));
    }

    /// <summary>
    /// GAT on Cora (8 heads): adaptive worst-case and average-case sharpness (batches of m training
    /// nodes, full-graph forward) versus one training epoch (one full-graph Adam step).
    /// </summary>
    private void GatSharpnessCost(Trainers.Graphs.GraphData graph, Trainers.Graphs.NodeSplit split)
    {
        int epochs = quick ? 5 : 20;
        var clock = Stopwatch.StartNew();
        var model = Trainers.Graphs.GatTrainingLoop.Train(graph, split, new Trainers.Graphs.GatOptions { MaxEpochs = epochs, Seed = 0 });
        double epoch = clock.Elapsed.TotalSeconds / epochs;
        var landscape = Transforms.Landscape.GraphLossLandscape.ForGat(model);
        // The seed paper's GAT setting: ρ = 0.02, m = 64 training nodes.
        double worst = Timing.Median(() => WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions { Rho = 0.02 }), 1);
        double average = Timing.Median(() => AverageCaseSharpness.Estimate(landscape, new AverageCaseSharpnessOptions { Rho = 0.02 }), 1);
        Add(new BenchmarkRow("sharpness cost", "GAT on Cora: adaptive worst-case L∞ (Auto-PGD, ρ 0.02)", $"{worst * 1000:F0} ms vs one epoch {epoch * 1000:F0} ms", worst / epoch, "measure/epoch", null));
        Add(new BenchmarkRow("sharpness cost", "GAT on Cora: adaptive average-case L2 (ρ 0.02)", $"{average * 1000:F0} ms vs one epoch {epoch * 1000:F0} ms", average / epoch, "measure/epoch", null));
    }

    /// <summary>
    /// One Hessian-vector product versus one gradient on a batch of 256, with the profile of an HVP
    /// computed from scratch (forward, ∂L/∂θ with create_graph, ⟨g, v⟩, second backward) and three
    /// ways of computing it, all interleaved in the same rounds; then HVPs to λ_max at 1e-3, Lanczos
    /// versus power iteration, on the operator the measures use (reused gradient graph).
    /// </summary>
    private void HessianCost(string name, Func<nn.Module<Tensor, Tensor>> create, SupervisedTensors data, LossFunction loss)
    {
        using var net = create();
        net.eval();
        var landscape = LossLandscape.ForSupervised(net, data, loss);
        using var scope = torch.NewDisposeScope();
        var batch = torch.arange(0, Math.Min(256, data.Count), dtype: int64);
        var fresh = new Transforms.Hessian.HessianOperator(landscape, batch);
        using var reused = new Transforms.Hessian.HessianOperator(landscape, batch, reuseGradientGraph: true);
        var direction = landscape.Parameters.Select(p => torch.randn_like(p)).ToArray();
        var inputs = landscape.Parameters.Cast<Tensor>().ToArray();

        // The HVP as the operator computed it before (forward, grad with create_graph, per-parameter dot, grad), phase by phase.
        Tensor Forward()
        {
            using var grad = torch.enable_grad();
            return landscape.Loss(batch);
        }
        IList<Tensor> FirstGradient()
        {
            using var grad = torch.enable_grad();
            return torch.autograd.grad(new[] { Forward() }, inputs, retain_graph: true, create_graph: true, allow_unused: true);
        }
        Tensor Dot()
        {
            var g = FirstGradient();
            Tensor? inner = null;
            for (int i = 0; i < g.Count; i++)
            {
                var term = (g[i] * direction[i]).sum();
                inner = inner is null ? term : inner + term;
            }
            return inner!;
        }
        void Before()
        {
            using var grad = torch.enable_grad();
            torch.autograd.grad(new[] { Dot() }, inputs, allow_unused: true);
        }

        // Small models: several calls per timed sample, so each sample lasts ~20 ms.
        double gradientSeconds = Timing.Median(() => { using var s = torch.NewDisposeScope(); fresh.Gradient(); }, 5);
        int calls = Math.Clamp((int)(0.02 / Math.Max(gradientSeconds, 1e-6)), 1, 50);
        Action Repeat(Action action) => () =>
        {
            for (int i = 0; i < calls; i++)
            {
                using var s = torch.NewDisposeScope();
                action();
            }
        };
        int rounds = quick ? 5 : calls > 1 ? 15 : 9;
        var t = Timing.Interleaved(new[]
        {
            Repeat(() => fresh.Gradient()),
            Repeat(() => Forward()),
            Repeat(() => FirstGradient()),
            Repeat(() => Dot()),
            Repeat(Before),
            Repeat(() => fresh.Multiply(direction)),
            Repeat(() => reused.Multiply(direction)),
        }, rounds);
        double Ms(int i) => t[i].Median / calls * 1000;
        var gradient = t[0];
        Add(new BenchmarkRow("Hessian", $"{name}: HVP profile, batch 256 (before)",
            $"forward {Ms(1):F2} ms, ∂L/∂θ with create_graph +{Ms(2) - Ms(1):F2} ms, per-parameter ⟨g, v⟩ +{Ms(3) - Ms(2):F2} ms, second backward +{Ms(4) - Ms(3):F2} ms = {Ms(4):F2} ms; gradient (forward + backward) {Ms(0):F2} ms",
            t[4].RatioTo(gradient), "HVP/gradient, before", null));
        Add(new BenchmarkRow("Hessian", $"{name}: HVP / gradient, fresh graph, v as grad_outputs", $"HVP {Ms(5):F2} ms, gradient {Ms(0):F2} ms", t[5].RatioTo(gradient), "≤ 2.5", t[5].RatioTo(gradient) <= 2.5));
        var (low, high) = t[6].RatioQuartiles(gradient);
        Add(new BenchmarkRow("Hessian", $"{name}: HVP / gradient, reused gradient graph (measures)",
            $"HVP {Ms(6):F2} ms, gradient {Ms(0):F2} ms; {rounds} rounds × {calls} call(s), ratio IQR {low:F2}–{high:F2}; before {Ms(4):F2} ms → {Ms(6):F2} ms",
            t[6].RatioTo(gradient), "≤ 2.5", t[6].RatioTo(gradient) <= 2.5));

        // Fewer threads: the same comparison on one torch thread.
        int threads = torch.get_num_threads();
        if (threads > 1)
        {
            torch.set_num_threads(1);
            try
            {
                var one = Timing.Interleaved(new[] { Repeat(() => fresh.Gradient()), Repeat(Before), Repeat(() => reused.Multiply(direction)) }, quick ? 3 : 9);
                Add(new BenchmarkRow("Hessian", $"{name}: HVP / gradient on 1 thread (suite: {threads})",
                    $"gradient {one[0].Median / calls * 1000:F2} ms, HVP before {one[1].Median / calls * 1000:F2} ms (ratio {one[1].RatioTo(one[0]):F2}), reused graph {one[2].Median / calls * 1000:F2} ms",
                    one[2].RatioTo(one[0]), "≤ 2.5", one[2].RatioTo(one[0]) <= 2.5));
            }
            finally
            {
                torch.set_num_threads(threads);
            }
        }

        var lanczos = Transforms.Hessian.Lanczos.TopEigenvalues(reused, new Transforms.Hessian.LanczosOptions { Count = 1, Tolerance = 1e-3 });
        var power = Transforms.Hessian.PowerIteration.TopEigenvalues(reused, new Transforms.Hessian.PowerIterationOptions { Count = 1, Tolerance = 1e-3 });
        Add(new BenchmarkRow("Hessian", $"{name}: HVPs to λ_max at 1e-3", $"Lanczos {lanczos.HessianVectorProducts} (λ {lanczos.TopEigenvalue:G5}), power iteration {power.HessianVectorProducts} (λ {power.TopEigenvalue:G5})",
            (double)power.HessianVectorProducts / lanczos.HessianVectorProducts, "power/Lanczos HVPs", null));
    }

    /// <summary>
    /// The 50-model Abalone study (with its sharpness measure) in three modes, each in a fresh process: one process on
    /// all cores' torch threads, one process on one thread, and one worker process per core on one thread each
    /// (members sharded over processes through the study store). Wall time includes process start-up and data loading.
    /// </summary>
    private void Studies()
    {
        int models = quick ? 10 : 50;
        int cores = Environment.ProcessorCount;
        var modes = new List<(string Name, int Workers, int Threads)> { ($"1 process × {cores} torch threads", 1, cores), ("1 process × 1 thread", 1, 1) };
        if (cores > 1) modes.Add(($"{cores} worker processes × 1 thread", cores, 1));
        var times = new List<(string Name, double Seconds, double PeakMiB)>();
        var folder = Directory.CreateTempSubdirectory("sharpnessml-bench-study-").FullName;
        try
        {
            foreach (var (name, workers, threads) in modes)
            {
                var result = StudyProcessTiming.Run(new[]
                {
                    "reproduce", "abalone", "--models", models.ToString(CultureInfo.InvariantCulture), "--out", Path.Combine(folder, "report"),
                    "--store", Path.Combine(folder, $"{workers}-{threads}.db"), "--fresh",
                    "--workers", workers.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture),
                });
                times.Add((name, result.Seconds, result.PeakMiB));
                log($"study {name}: {result.Seconds:F1} s, peak RSS {result.PeakMiB:F0} MiB ({result.LastLine})");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var fastest = times.MinBy(t => t.Seconds);
        foreach (var (name, seconds, peak) in times)
            Add(new BenchmarkRow("Abalone study", $"{models} models, {name}", $"{seconds:F1} s, peak RSS {peak:F0} MiB (sum over processes)",
                fastest.Seconds / seconds, models == 50 ? "fastest/this; target < 60 s" : "fastest/this", models == 50 ? seconds < 60 : null));
    }

    /// <summary>
    /// Resident memory after about 100 and after about 10,000 steps of the library's training loop
    /// (native memory must stay flat), and the peak resident memory of the Abalone study run alone
    /// in a child process (VmHWM; this process's own peak mixes every group).
    /// </summary>
    private void Memory(SupervisedTensors data)
    {
        int targetSteps = quick ? 2_000 : 10_000;
        const int batch = 64;
        int stepsPerEpoch = (data.Count + batch - 1) / batch;
        int epochs = (targetSteps + stepsPerEpoch - 1) / stepsPerEpoch;
        int earlyEpoch = (100 + stepsPerEpoch - 1) / stepsPerEpoch;
        using var net = Fcnn(4);
        var options = new TorchTrainerOptions { BatchSize = batch, MaxEpochs = epochs, StoppingRelativeChange = -1, ValidationFraction = 0, EarlyStoppingPatience = 0, Optimizer = OptimizerOptions.SeedPaperSgd() };
        using var opt = OptimizerFactory.Create(net.parameters(), options.Optimizer, net);
        (double Rss, double Managed) Read()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return (Timing.ProcStatusMiB("VmRSS"), GC.GetTotalMemory(true) / (1024.0 * 1024.0));
        }
        (double Rss, double Managed) early = default;
        TrainingLoop.Train(net, data, LossFunction.MeanSquaredError, opt, options, (epoch, _) =>
        {
            if (epoch + 1 == earlyEpoch) early = Read();
        });
        var late = Read();
        double ratio = late.Rss / early.Rss;
        Add(new BenchmarkRow("memory", $"RSS after {earlyEpoch * stepsPerEpoch} vs {epochs * stepsPerEpoch} steps (TrainingLoop, FCNN)",
            $"{early.Rss:F0} MiB → {late.Rss:F0} MiB (managed heap {early.Managed:F1} → {late.Managed:F1} MiB; the rest is native)", ratio, "≤ 1.05 (flat)", ratio <= 1.05));

        int models = quick ? 10 : 50;
        var child = RunChildStudy(models);
        if (child is null)
        {
            log("memory: the child-process study did not run (the bench could not start itself).");
            return;
        }
        var (seconds, before, peak) = child.Value;
        Add(new BenchmarkRow("memory", $"Abalone study, {models} models, 1 thread, alone in a child process",
            $"peak RSS (VmHWM) {peak:F0} MiB, of which {before:F0} MiB before the study (runtime + libtorch loaded); {seconds:F1} s",
            peak / before, "peak/before-study", null));
    }

    /// <summary>Runs <c>sharpnessml bench --child-study N</c> and reads its one line: seconds, VmHWM before and after the study.</summary>
    private static (double Seconds, double Before, double Peak)? RunChildStudy(int models)
    {
        var exe = Environment.ProcessPath;
        if (exe is null) return null;
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") start.ArgumentList.Add(typeof(BenchmarkSuite).Assembly.Location);
        foreach (var a in new[] { "bench", ChildStudyOption, models.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        using var process = Process.Start(start);
        if (process is null) return null;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        var last = lines.LastOrDefault()?.Split(' ');
        if (process.ExitCode != 0 || last is null || last.Length != 4 || last[0] != "child-study") return null;
        double P(string v) => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture);
        return (P(last[1]), P(last[2]), P(last[3]));
    }

    /// <summary>The hidden option that makes <c>sharpnessml bench</c> run one study and report its memory.</summary>
    public const string ChildStudyOption = "--child-study";

    /// <summary>The child side of <see cref="RunChildStudy"/>: the Abalone study with 1 thread, then one line for the parent.</summary>
    public static string ChildStudy(int models)
    {
        torch.zeros(1).Dispose(); // load libtorch first, so "before" includes it
        double before = Timing.ProcStatusMiB("VmHWM");
        var clock = Stopwatch.StartNew();
        var study = SeedPaperStudies.Abalone();
        study.Models = models;
        new StudyRunner(study).Run();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"child-study {clock.Elapsed.TotalSeconds:F2} {before:F1} {Timing.ProcStatusMiB("VmHWM"):F1}");
    }
}
