using System.Globalization;
using System.Text.Json.Nodes;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Cli.Bench;

/// <summary>
/// The rows of <c>sharpnessml bench --vs-python</c> (group <c>python</c>): the same quantity on the same weights
/// and data computed here and by the Python anchors (<see cref="PythonAnchor"/>: PyHessian-equivalent power
/// iteration and Hutchinson, tml-epfl-equivalent Auto-PGD), at 1 and 2 threads on both sides, rounds
/// alternating between the two processes after a warm-up round, each side timed in its own process. The
/// ratio is the median over rounds of Python's time over ours (&gt; 1: we are faster); both values are in the row.
/// </summary>
internal sealed class PythonAnchorRows(Action<string> log, bool quick, Action<BenchmarkRow> add)
{
    private const string Group = "Python anchors";

    /// <summary>The FCNN of <c>reproduce abalone</c> and the bench's other FCNN rows: 10-64-64-1, ELU.</summary>
    public static readonly MlpSpec FcnnSpec = new(new[] { 10, 64, 64, 1 }, Activation.Elu);

    private PythonAnchor? python;

    /// <summary>Runs every row; one line and nothing else when the Python side is not there.</summary>
    public void Run(SupervisedTensors abalone, SupervisedTensors? fashion)
    {
        using var anchor = PythonAnchor.Start(out var reason);
        if (anchor is null)
        {
            log($"Python anchors skipped: {reason} (apt-get install python3-torch).");
            return;
        }
        python = anchor;
        log($"Python anchors: torch {anchor.TorchVersion}, {anchor.Blas}.");
        int original = torch.get_num_threads();
        var threadCounts = new[] { 1, 2 }.Where(t => t <= Environment.ProcessorCount).ToArray();
        try
        {
            using var fcnn = Trained(TorchRuntime.Seeded(6, () => FcnnSpec.Build()), abalone, LossFunction.MeanSquaredError, quick ? 2 : 5, 64);
            anchor.Load("fcnn", PythonAnchor.Mlp(FcnnSpec), fcnn, abalone);
            var fcnnLandscape = LossLandscape.ForSupervised(fcnn, abalone, LossFunction.MeanSquaredError);
            using var all = torch.arange(abalone.Count, dtype: int64);
            var exact = DenseReference(fcnnLandscape, all);
            log($"FCNN dense Hessian ({fcnnLandscape.ParameterCount} parameters): λ_max {exact.Eigenvalues[0]:G6}, trace {exact.Trace:G6}");
            foreach (int t in threadCounts) Eigenvalues("FCNN", "fcnn", fcnnLandscape, all, 1, exact.Eigenvalues, "dense", t, quick ? 3 : 5);
            foreach (int t in threadCounts) Eigenvalues("FCNN", "fcnn", fcnnLandscape, all, 5, exact.Eigenvalues, "dense", t, quick ? 3 : 5);
            foreach (int t in threadCounts) Trace("FCNN", "fcnn", fcnnLandscape, all, exact.Trace, t, quick ? 3 : 5, pyHessianDefaults: false, probes: 100);
            foreach (int t in threadCounts) Trace("FCNN", "fcnn", fcnnLandscape, all, exact.Trace, t, quick ? 3 : 5, pyHessianDefaults: true, probes: 100);
            using var lenet = fashion is null ? null : Trained(TorchRuntime.Seeded(6, () => LeNet5Spec.Reference.Build()), fashion, LossFunction.CrossEntropy, 1, 64);
            var lenetLandscape = lenet is null ? null : LossLandscape.ForSupervised(lenet, fashion!, LossFunction.CrossEntropy);
            if (lenet is not null && lenetLandscape is not null)
            {
                anchor.Load("lenet", PythonAnchor.LeNet(LeNet5Spec.Reference), lenet, fashion!);
                using var images = torch.arange(fashion!.Count, dtype: int64);
                double reference = LongLanczos(lenetLandscape, images);
                log($"LeNet-5 on {fashion.Count} images: λ_max by Lanczos to 1e-6: {reference:G6}");
                foreach (int t in threadCounts) Eigenvalues("LeNet-5", "lenet", lenetLandscape, images, 1, new[] { reference }, "Lanczos to 1e-6", t, quick ? 1 : 3);
                foreach (int t in threadCounts) Trace("LeNet-5", "lenet", lenetLandscape, images, null, t, quick ? 1 : 3, pyHessianDefaults: false, probes: quick ? 10 : 20);
            }
            foreach (int t in threadCounts) WorstCase("FCNN", "fcnn", fcnnLandscape, 0.025, t, quick ? 3 : 5, 16);
            if (lenetLandscape is not null)
                foreach (double rho in new[] { 1e-4, 0.01 })
                    foreach (int t in threadCounts) WorstCase("LeNet-5", "lenet", lenetLandscape, rho, t, quick ? 1 : 3, quick ? 4 : 16);
            foreach (int t in threadCounts) SgdStep(anchor, abalone, t, quick ? 200 : 1000, quick ? 3 : 5);
        }
        catch (PythonAnchorException e)
        {
            log($"Python anchors stopped: {e.Message}");
        }
        finally
        {
            torch.set_num_threads(original);
            python = null;
        }
    }

    /// <summary>
    /// The FCNN SGD step (batch 64, learning rate 0.01) on both sides, on the same first 64 Abalone rows from the same
    /// initial weights, <paramref name="steps"/> steps per sample (the <c>pytorch</c> group's row; <c>--vs-python</c> at 1 and 2 threads).
    /// </summary>
    public void SgdStep(PythonAnchor anchor, SupervisedTensors data, int threads, int steps, int rounds)
    {
        int original = torch.get_num_threads();
        using var initial = TorchRuntime.Seeded(2, () => FcnnSpec.Build());
        anchor.Load("sgd", PythonAnchor.Mlp(FcnnSpec), initial, data);
        torch.set_num_threads(threads);
        anchor.SetThreads(threads);
        try
        {
            using var x = data.Features.narrow(0, 0, 64);
            using var y = data.Labels.narrow(0, 0, 64);
            var samples = Timing.InterleavedSelfTimed(new Func<double>[]
            {
                () => Seconds(() =>
                {
                    using var scope = torch.NewDisposeScope();
                    using var net = TorchRuntime.Seeded(2, () => FcnnSpec.Build());
                    using var opt = optim.SGD(net.parameters(), 0.01);
                    net.train();
                    for (int i = 0; i < steps; i++)
                    {
                        using var step = torch.NewDisposeScope();
                        opt.zero_grad();
                        nn.functional.mse_loss(net.call(x).reshape(-1), y).backward();
                        opt.step();
                    }
                }),
                () => Number(anchor.Send(new { cmd = "sgd", model = "sgd", steps, batch = 64, lr = 0.01 }), "seconds"),
            }, rounds);
            var (ours, py) = (samples[0], samples[1]);
            add(new BenchmarkRow(Group, $"FCNN SGD step, batch 64, {Threads(threads)}",
                $"PyTorch {anchor.TorchVersion} {py.Median / steps * 1e6:F0} µs, ours {ours.Median / steps * 1e6:F0} µs per step ({steps} steps × {rounds} rounds); Python BLAS: {anchor.BlasDescription}",
                py.RatioTo(ours), "Python/ours (> 1: we are faster)", null));
        }
        finally
        {
            torch.set_num_threads(original);
        }
    }

    private static nn.Module<Tensor, Tensor> Trained(nn.Module<Tensor, Tensor> net, SupervisedTensors data, LossFunction loss, int epochs, int batch)
    {
        var options = new TorchTrainerOptions { BatchSize = batch, MaxEpochs = epochs, StoppingRelativeChange = -1, ValidationFraction = 0, EarlyStoppingPatience = 0, Optimizer = OptimizerOptions.SeedPaperSgd() };
        using (var opt = OptimizerFactory.Create(net.parameters(), options.Optimizer, net)) TrainingLoop.Train(net, data, loss, opt, options);
        net.eval();
        return net;
    }

    /// <summary>The exact Hessian on <paramref name="batch"/>: eigenvalues (decreasing) and trace, from the dense matrix.</summary>
    internal static (double[] Eigenvalues, double Trace) DenseReference(LossLandscape landscape, Tensor batch)
    {
        using var scope = torch.NewDisposeScope();
        using var op = new HessianOperator(landscape, batch, reuseGradientGraph: true);
        int n = (int)op.Dimension;
        var h = torch.zeros(n, n, dtype: float64);
        ILinearOperator linear = op;
        for (int j = 0; j < n; j++)
        {
            using var column = torch.NewDisposeScope();
            var e = torch.zeros(n, dtype: float64);
            e[j].fill_(1.0);
            h[.., j].copy_(linear.Multiply(e));
        }
        h = 0.5 * (h + h.t());
        var values = torch.linalg.eigvalsh(h).flip(0).data<double>().ToArray();
        return (values, h.trace().item<double>());
    }

    private static double LongLanczos(LossLandscape landscape, Tensor batch)
    {
        using var scope = torch.NewDisposeScope();
        using var op = new HessianOperator(landscape, batch, reuseGradientGraph: true);
        return Lanczos.TopEigenvalues(op, new LanczosOptions { Count = 1, Tolerance = 1e-6, MaxIterations = 100, Seed = 99 }).TopEigenvalue;
    }

    private void Eigenvalues(string name, string model, LossLandscape landscape, Tensor batch, int count, double[] reference, string referenceName, int threads, int rounds)
    {
        var ourRuns = new List<EigenvalueResult>();
        var pyRuns = new List<(double[] Values, long Products)>();
        int ourSeed = 0, pySeed = 0;
        var samples = Alternate(threads, rounds,
            () => Seconds(() =>
            {
                using var scope = torch.NewDisposeScope();
                using var op = new HessianOperator(landscape, batch, reuseGradientGraph: true);
                ourRuns.Add(Lanczos.TopEigenvalues(op, new LanczosOptions { Count = count, Tolerance = 1e-3, Seed = ourSeed++ }));
            }),
            () =>
            {
                var reply = python!.Send(new { cmd = "eigenvalues", model, top_n = count, tol = 1e-3, max_iter = 100, seed = pySeed++ });
                pyRuns.Add((reply["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(), (long)reply["products"]!));
                return Number(reply, "seconds");
            });
        double Error(double[] values) => Enumerable.Range(0, count).Max(k => RelativeError(values[k], reference[k]));
        string what = count == 1 ? "λ_max" : $"top-{count} eigenvalues";
        string Values(double[] v) => count == 1 ? $"λ {v[0]:G6}" : "λ_1..λ_" + count + " " + string.Join(", ", v.Select(x => x.ToString("G4", CultureInfo.InvariantCulture)));
        var ours = ourRuns[^1];
        var py = pyRuns[^1];
        add(new BenchmarkRow(Group, $"{name} {what} (tol 1e-3, one batch of {batch.shape[0]}), {Threads(threads)}",
            $"PyHessian power iteration {samples[1].Median * 1000:F0} ms, {Median(pyRuns.Select(r => (double)r.Products)):F0} HVPs, {Values(py.Values)}, max rel. error {Median(pyRuns.Select(r => Error(r.Values))):E1}; " +
            $"ours Lanczos {samples[0].Median * 1000:F0} ms, {Median(ourRuns.Select(r => (double)r.HessianVectorProducts)):F0} HVPs, {Values(ours.Eigenvalues)}, max rel. error {Median(ourRuns.Select(r => Error(r.Eigenvalues))):E1} " +
            $"(errors: median over {ourRuns.Count} seeds, vs {referenceName} {Values(reference.Take(count).ToArray())}); Python BLAS: {python!.BlasDescription}",
            samples[1].RatioTo(samples[0]), "Python/ours (> 1: we are faster)", null));
    }

    private void Trace(string name, string model, LossLandscape landscape, Tensor batch, double? exact, int threads, int rounds, bool pyHessianDefaults, int probes)
    {
        var hutchinson = new List<TraceResult>();
        var hutchPlusPlus = new List<TraceResult>();
        var pyRuns = new List<(double Value, long Products)>();
        int seedA = 0, seedB = 0, seedC = 0;
        double pyTolerance = pyHessianDefaults ? 1e-3 : 0;
        var ourOptions = (int seed) => pyHessianDefaults
            ? new HutchinsonOptions { Seed = seed, MaxSamples = probes } // our defaults: 100 probes, stop at standard error ≤ 1e-3·|mean|
            : new HutchinsonOptions { Seed = seed, MaxSamples = probes, Tolerance = 0 };
        var actions = new List<Func<double>>
        {
            () => Seconds(() =>
            {
                using var scope = torch.NewDisposeScope();
                using var op = new HessianOperator(landscape, batch, reuseGradientGraph: true);
                hutchinson.Add(Hutchinson.Trace(op, ourOptions(seedA++)));
            }),
            () =>
            {
                var reply = python!.Send(new { cmd = "trace", model, max_iter = probes, tol = pyTolerance, seed = seedB++ });
                pyRuns.Add((Number(reply, "value"), (long)reply["products"]!));
                return Number(reply, "seconds");
            },
        };
        if (pyHessianDefaults)
            actions.Add(() => Seconds(() =>
            {
                using var scope = torch.NewDisposeScope();
                using var op = new HessianOperator(landscape, batch, reuseGradientGraph: true);
                hutchPlusPlus.Add(HutchPlusPlus.Trace(op, new HutchPlusPlusOptions { Seed = seedC++, Budget = probes }));
            }));
        var samples = Alternate(threads, rounds, actions.ToArray());
        string Error(IEnumerable<double> values) => exact is double e ? $", median |rel. error| {Median(values.Select(v => RelativeError(v, e))):E1}" : "";
        string reference = exact is double x ? $"exact trace (dense Hessian) {x:G6}" : "no exact reference";
        string setting = pyHessianDefaults ? "PyHessian's defaults (maxIter 100, tol 1e-3) vs ours" : $"{probes} HVPs on both sides";
        var py = pyRuns.Select(r => r.Value).ToList();
        string pySide = $"PyHessian Hutchinson {samples[1].Median * 1000:F0} ms, {Median(pyRuns.Select(r => (double)r.Products)):F0} HVPs, trace {Median(py):G5}{Error(py)}";
        string ourSide = $"ours Hutchinson {samples[0].Median * 1000:F0} ms, {Median(hutchinson.Select(r => (double)r.HessianVectorProducts)):F0} HVPs, trace {Median(hutchinson.Select(r => r.Value)):G5} " +
            $"(standard error {Median(hutchinson.Select(r => r.StandardError ?? double.NaN)):G3}){Error(hutchinson.Select(r => r.Value))}";
        string tail = $"medians over {hutchinson.Count} seeds; {reference}; Python BLAS: {python!.BlasDescription}";
        add(new BenchmarkRow(Group, $"{name} trace, {setting} Hutchinson, {Threads(threads)}", $"{pySide}; {ourSide}; {tail}",
            samples[1].RatioTo(samples[0]), "Python/ours (> 1: we are faster)", null));
        if (pyHessianDefaults)
            add(new BenchmarkRow(Group, $"{name} trace, PyHessian's defaults vs our Hutch++ ({probes} HVPs), {Threads(threads)}",
                $"{pySide}; ours Hutch++ {samples[2].Median * 1000:F0} ms, {Median(hutchPlusPlus.Select(r => (double)r.HessianVectorProducts)):F0} HVPs, trace {Median(hutchPlusPlus.Select(r => r.Value)):G5}{Error(hutchPlusPlus.Select(r => r.Value))}; {tail}",
                samples[1].RatioTo(samples[2]), "Python/ours (> 1: we are faster)", null));
    }

    private void WorstCase(string name, string model, LossLandscape landscape, double rho, int threads, int rounds, int batches)
    {
        const int batchSize = 64, steps = 20;
        var ours = new List<double>();
        var py = new List<double>();
        int seedA = 0, seedB = 0;
        var samples = Alternate(threads, rounds,
            () => Seconds(() => ours.Add(WorstCaseSharpness.Estimate(landscape,
                new WorstCaseSharpnessOptions { Rho = rho, Steps = steps, Batches = batches, BatchSize = batchSize, Seed = seedA++, RandomStart = false }).Sharpness)),
            () =>
            {
                var reply = python!.Send(new { cmd = "worst", model, batches = Batches(landscape, batchSize, batches, seedB++), rho, steps, algorithm = "apgd", random_start = false });
                py.Add(Number(reply, "value"));
                return Number(reply, "seconds");
            });
        add(new BenchmarkRow(Group, $"{name} adaptive worst-case L∞ ρ {rho.ToString(CultureInfo.InvariantCulture)}, {batches} batches × {batchSize}, Auto-PGD {steps} steps, {Threads(threads)}",
            $"tml-epfl Auto-PGD {samples[1].Median * 1000:F0} ms, sharpness {Median(py):G5}; ours {samples[0].Median * 1000:F0} ms, sharpness {Median(ours):G5} " +
            $"(medians over {ours.Count} seeds of the batches, the same batches on both sides, both from δ = 0 as tml-epfl's default rand_init False); Python BLAS: {python!.BlasDescription}",
            samples[1].RatioTo(samples[0]), "Python/ours (> 1: we are faster)", null));
    }

    /// <summary>
    /// The batches <see cref="WorstCaseSharpness"/> draws with <paramref name="seed"/> (successive
    /// <see cref="LossLandscape.SampleBatch"/> calls on one generator), as index lists for the Python side.
    /// </summary>
    internal static long[][] Batches(LossLandscape landscape, int batchSize, int batches, int seed)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator((ulong)seed);
        return Enumerable.Range(0, batches).Select(_ => landscape.SampleBatch(batchSize, generator).cpu().data<long>().ToArray()).ToArray();
    }

    /// <summary>Both sides at <paramref name="threads"/> threads: one warm-up round, then alternating rounds.</summary>
    private Samples[] Alternate(int threads, int rounds, params Func<double>[] actions)
    {
        torch.set_num_threads(threads);
        python!.SetThreads(threads);
        return Timing.InterleavedSelfTimed(actions, rounds);
    }

    private static double Seconds(Action action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Number(JsonObject reply, string key) => reply[key]!.GetValue<double>();

    private static double Median(IEnumerable<double> values) => Timing.Median(values);

    private static double RelativeError(double value, double reference) => Math.Abs(value - reference) / Math.Abs(reference);

    private static string Threads(int threads) => threads == 1 ? "1 thread" : $"{threads} threads";
}
