using System.Diagnostics;
using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>
/// The seed paper's FashionMNIST experiment as <c>LeNet5_model.ipynb</c> runs it. Images normalised with (0.2860,
/// 0.3530); LeNet-5 of the reference widths (<see cref="LeNet5Network"/>: its <c>dropout(relu(x))</c> is the notebook's
/// <c>relu(dropout(x))</c>, since relu(m·x/(1 − p)) = m·relu(x)/(1 − p) for a 0/1 mask m); plain SGD lr 0.05, weight
/// decay 5e-3, batches of 64 shuffled each epoch, at most 10 epochs, stopping from epoch 2 when the mean batch loss
/// changes by less than 5%. The notebook evaluates the test set after every epoch with <c>model.eval()</c> and never
/// calls <c>model.train()</c> again, so only epoch 1 trains in train mode. Sharpness: SGD lr 0.05 on −CE in train mode
/// (dropout on, BatchNorm on batch statistics and its running statistics updated), 5 epochs over the shuffled training
/// loader, each step followed by the clamp to c ± 10⁻⁴|c| — with c the aliased <c>param.detach()</c>, i.e. the weights
/// after the first step; after each epoch the evaluation-mode mean batch loss over the training loader, and the best
/// epoch's whole state (its drifted BatchNorm statistics included) kept. Sharpness = that loss − the original's; test
/// loss = the evaluation-mode mean batch loss over the 10,000 test images in batches of 64.
/// </summary>
internal sealed class FashionMnistNotebook : INotebookWorkload
{
    public const double NotebookLearningRate = 0.05, WeightDecay = 5e-3, Rho = 1e-4, StoppingCriterion = 0.05;
    public const int BatchSize = 64, MaxEpochs = 10, AscentEpochs = 5;

    private readonly SupervisedTensors train, test;
    private readonly int threads, maxEpochs;

    public FashionMnistNotebook(string? dataPath, int threads = 1, int? trainExamples = null, int? maxEpochs = null)
    {
        TorchRuntime.EnsureInitialized();
        this.threads = threads;
        this.maxEpochs = maxEpochs ?? MaxEpochs;
        var ml = new MLContext(seed: 0);
        var directory = dataPath ?? FashionMnistDataset.DebianDirectory;
        var trainFiles = FashionMnistDataset.FindFiles(FashionMnistSplit.Train, directory);
        var testFiles = FashionMnistDataset.FindFiles(FashionMnistSplit.Test, directory);
        train = SupervisedTensors.FromDataView(FashionMnistDataset.LoadFiles(ml, trainFiles.Images, trainFiles.Labels, trainExamples),
            ColumnNames.Features, ColumnNames.Label, NetworkTask.MulticlassClassification);
        test = SupervisedTensors.FromDataView(FashionMnistDataset.LoadFiles(ml, testFiles.Images, testFiles.Labels),
            ColumnNames.Features, ColumnNames.Label, NetworkTask.MulticlassClassification);
    }

    /// <summary>A workload on tensors already in memory (tests).</summary>
    internal FashionMnistNotebook(SupervisedTensors train, SupervisedTensors test, int? maxEpochs = null)
    {
        TorchRuntime.EnsureInitialized();
        (this.train, this.test, threads, this.maxEpochs) = (train, test, 1, maxEpochs ?? MaxEpochs);
    }

    public NotebookMember Run(int index, MemberConfiguration configuration, NotebookVariant variant)
    {
        torch.set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        int seed = configuration.Seed;
        torch.manual_seed(seed);
        using var network = new LeNet5Network(LeNet5Spec.Reference);
        using var shuffle = new torch.Generator((ulong)seed);
        double lr = variant.LearningRate ?? (variant.LibraryGrid ? configuration.Double(HyperparameterAxes.LearningRate, NotebookLearningRate) : NotebookLearningRate);
        int batchSize = variant.LibraryGrid ? configuration.Int(HyperparameterAxes.BatchSize, BatchSize) : BatchSize;
        string describe;
        optim.Optimizer optimizer;
        if (variant.LibraryOptimizer)
        {
            optimizer = torch.optim.SGD(network.parameters(), 0.01, momentum: 0.9);
            describe = "sgd lr=0.01, momentum=0.9";
        }
        else
        {
            optimizer = torch.optim.SGD(network.parameters(), lr, weight_decay: WeightDecay);
            describe = FormattableString.Invariant($"sgd lr={lr}, wd=5e-3, batch={batchSize}");
        }

        int epochs;
        using (optimizer) epochs = Train(network, optimizer, batchSize, variant.TrainModeEveryEpoch, shuffle);
        network.eval();
        var trainLosses = ExampleLosses(network, train).Losses; // also the ascent's loss at w0: the same state
        double trainLoss = MeanBatchLoss(trainLosses, shuffle);
        var (testLoss, testError) = TestLoss(network);
        double sharpness = variant.Ascent switch
        {
            NotebookAscent.Notebook => NotebookSharpness(network, train, shuffle, variant.EvalModeAscent, variant.BoxAroundW0, AscentEpochs, variant.LearningRate ?? NotebookLearningRate, trainLosses),
            NotebookAscent.RandomBatches => RandomBatchSharpness(network, seed, variant),
            _ => LibrarySharpness(network, variant.Ascent, seed),
        };
        return new NotebookMember(index, seed, describe, epochs, trainLoss, testLoss, testError, sharpness, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The notebook's training loop; returns the number of epochs.</summary>
    private int Train(LeNet5Network network, optim.Optimizer optimizer, int batchSize, bool trainModeEveryEpoch, torch.Generator shuffle)
    {
        network.train();
        double previous = double.PositiveInfinity;
        int n = train.Count;
        for (int epoch = 0; epoch < maxEpochs; epoch++)
        {
            if (trainModeEveryEpoch) network.train(); // the notebook: model.eval() after epoch 1, never model.train() again
            double running = 0;
            int batches = 0;
            using (var permutation = torch.randperm(n, generator: shuffle))
            {
                for (int start = 0; start < n; start += batchSize, batches++)
                {
                    using var scope = torch.NewDisposeScope();
                    var rows = permutation.narrow(0, start, Math.Min(batchSize, n - start));
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(network.call(train.Features.index_select(0, rows)), train.Labels.index_select(0, rows));
                    loss.backward();
                    optimizer.step();
                    running += loss.item<float>();
                }
            }

            network.eval(); // the notebook's test evaluation after every epoch (its accuracy only printed)
            double trainLoss = running / batches;
            if (epoch > 0 && Math.Abs(previous - trainLoss) / previous < StoppingCriterion) return epoch + 1;
            previous = trainLoss;
        }

        return maxEpochs;
    }

    /// <summary>
    /// Evaluation-mode per-example cross-entropy of all of <paramref name="data"/>, in chunks of 1,000 (batching does not
    /// change it in evaluation mode), and how many examples the network classifies right. A function of the network's
    /// state alone, so a state's losses are computed once and reused (the ascent's w0 and kept state).
    /// </summary>
    private static (float[] Losses, long Correct) ExampleLosses(nn.Module<Tensor, Tensor> network, SupervisedTensors data)
    {
        using var _ = torch.no_grad();
        network.eval();
        var losses = new float[data.Count];
        long correct = 0;
        for (int start = 0; start < data.Count; start += 1000)
        {
            using var scope = torch.NewDisposeScope();
            int size = Math.Min(1000, data.Count - start);
            var logits = network.call(data.Features.narrow(0, start, size));
            var labels = data.Labels.narrow(0, start, size);
            nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None).data<float>().CopyTo(losses, start);
            correct += logits.argmax(1).eq(labels).sum().item<long>();
        }

        return (losses, correct);
    }

    /// <summary>
    /// The notebook's <c>evaluate</c>: evaluation mode, the mean over batches of 64 of each batch's mean loss, the
    /// batches in the loader's order (a fresh shuffle of the training set; the test set in order).
    /// </summary>
    public static double MeanBatchLoss(nn.Module<Tensor, Tensor> network, SupervisedTensors data, torch.Generator? shuffle) =>
        MeanBatchLoss(ExampleLosses(network, data).Losses, shuffle);

    /// <summary><see cref="MeanBatchLoss(nn.Module{Tensor, Tensor}, SupervisedTensors, torch.Generator?)"/> of per-example losses already computed (it draws the same shuffle).</summary>
    private static double MeanBatchLoss(float[] losses, torch.Generator? shuffle)
    {
        long[] order;
        if (shuffle is null) order = Enumerable.Range(0, losses.Length).Select(i => (long)i).ToArray();
        else
        {
            using var permutation = torch.randperm(losses.Length, generator: shuffle);
            order = permutation.data<long>().ToArray();
        }

        double total = 0;
        int batches = 0;
        for (int start = 0; start < order.Length; start += BatchSize, batches++)
        {
            int size = Math.Min(BatchSize, order.Length - start);
            float sum = 0;
            for (int i = start; i < start + size; i++) sum += losses[order[i]];
            total += sum / size;
        }

        return total / batches;
    }

    private (double Loss, double Error) TestLoss(LeNet5Network network)
    {
        var (losses, correct) = ExampleLosses(network, test);
        return (MeanBatchLoss(losses, null), 1 - (double)correct / test.Count);
    }

    /// <summary>Every parameter and buffer of <paramref name="network"/> (its <c>state_dict</c>), copied.</summary>
    public static Dictionary<string, Tensor> StateDict(nn.Module network) =>
        network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    public static void LoadStateDict(nn.Module network, IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = torch.no_grad();
        foreach (var (name, value) in network.state_dict()) value.copy_(state[name]);
    }

    /// <summary>
    /// The notebook's PGA over <paramref name="data"/>: <paramref name="epochs"/> epochs of SGD steps on −CE over the
    /// shuffled batches of 64, in train mode unless <paramref name="evalMode"/>, each followed by the clamp (box centred
    /// on the weights after the first step, or on w0 with <paramref name="boxAroundW0"/>); after each epoch the
    /// evaluation-mode mean batch loss; the best epoch's state kept. Returns its loss minus the original's; the
    /// network's whole state (parameters and BatchNorm statistics) is the original's again afterwards.
    /// </summary>
    public static double NotebookSharpness(LeNet5Network network, SupervisedTensors data, torch.Generator shuffle, bool evalMode, bool boxAroundW0,
        int epochs, double learningRate, float[]? originalLosses = null)
    {
        var (sharpness, kept) = Ascend(network, data, shuffle, evalMode, boxAroundW0, epochs, learningRate, originalLosses);
        foreach (var t in kept.Values) t.Dispose();
        return sharpness;
    }

    /// <summary>
    /// <see cref="NotebookSharpness"/> and the kept state (the <c>PGD_weights</c> file: parameters and BatchNorm
    /// buffers); the caller disposes it. The kept state's loss is evaluated again, as the notebook evaluates the file.
    /// </summary>
    /// <remarks><paramref name="originalLosses"/>: the evaluation-mode per-example losses of the network's current state
    /// on <paramref name="data"/>, if already computed (the same numbers; one pass over the data fewer).</remarks>
    public static (double Sharpness, Dictionary<string, Tensor> Kept) Ascend(LeNet5Network network, SupervisedTensors data, torch.Generator shuffle,
        bool evalMode, bool boxAroundW0, int epochs, double learningRate, float[]? originalLosses = null)
    {
        var original = StateDict(network);
        Dictionary<string, Tensor>? kept = null;
        float[]? keptLosses = null;
        var parameters = network.parameters().ToList();
        Tensor[]? center = boxAroundW0 ? NotebookClamp.Snapshot(parameters) : null;
        try
        {
            using var optimizer = torch.optim.SGD(parameters, learningRate);
            double best = double.NegativeInfinity;
            int n = data.Count;
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                if (evalMode) network.eval(); else network.train();
                using (var permutation = torch.randperm(n, generator: shuffle))
                {
                    for (int start = 0; start < n; start += BatchSize)
                    {
                        using (var scope = torch.NewDisposeScope())
                        {
                            var rows = permutation.narrow(0, start, Math.Min(BatchSize, n - start));
                            optimizer.zero_grad();
                            (-nn.functional.cross_entropy(network.call(data.Features.index_select(0, rows)), data.Labels.index_select(0, rows))).backward();
                            optimizer.step();
                        }

                        center ??= NotebookClamp.Snapshot(parameters); // the aliased clone_w: the weights after this first step
                        NotebookClamp.Project(parameters, center, Rho, withAbs: true);
                    }
                }

                var losses = ExampleLosses(network, data).Losses;
                double loss = MeanBatchLoss(losses, shuffle);
                if (loss > best)
                {
                    best = loss;
                    keptLosses = losses;
                    if (kept != null) foreach (var t in kept.Values) t.Dispose();
                    kept = StateDict(network);
                }
            }

            // The notebook evaluates both saved states again (with fresh shuffles); their per-example losses are the ones
            // already computed for the same states, so only the shuffled batch means are drawn again.
            double originalLoss = MeanBatchLoss(originalLosses ?? EvaluateState(network, original, data), shuffle);
            double keptLoss = MeanBatchLoss(keptLosses!, shuffle);
            var result = (keptLoss - originalLoss, kept!);
            kept = null;
            return result;
        }
        finally
        {
            LoadStateDict(network, original);
            foreach (var t in original.Values) t.Dispose();
            if (kept != null) foreach (var t in kept.Values) t.Dispose();
            foreach (var t in center ?? Array.Empty<Tensor>()) t.Dispose();
        }
    }

    private static float[] EvaluateState(LeNet5Network network, IReadOnlyDictionary<string, Tensor> state, SupervisedTensors data)
    {
        LoadStateDict(network, state);
        return ExampleLosses(network, data).Losses;
    }

    /// <summary>m-sharpness with the notebook's ascent: on each of 16 random batches of 64, its 5 epochs of one step each (train mode, the aliased box), measured on the batch; the mean.</summary>
    private double RandomBatchSharpness(LeNet5Network network, int seed, NotebookVariant variant)
    {
        using var generator = new torch.Generator((ulong)seed);
        double total = 0;
        const int batches = 16;
        for (int b = 0; b < batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            var rows = torch.randperm(train.Count, generator: generator).narrow(0, 0, BatchSize);
            using var batch = new SupervisedTensors(train.Features.index_select(0, rows), train.Labels.index_select(0, rows));
            total += NotebookSharpness(network, batch, generator, variant.EvalModeAscent, variant.BoxAroundW0, AscentEpochs, variant.LearningRate ?? NotebookLearningRate);
        }

        return total / batches;
    }

    private double LibrarySharpness(LeNet5Network network, NotebookAscent ascent, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var spec = SeedPaperStudies.PaperMeasure(StudyDataset.FashionMnist);
        if (ascent == NotebookAscent.LibraryWholeSet) spec = new StudyMeasureSpec { Name = spec.Name, Rho = spec.Rho, BatchSize = train.Count, Batches = 1, Steps = spec.Steps };
        var landscape = LossLandscape.ForSupervised(network, train, LossFunction.CrossEntropy);
        return MeasureRegistry.BuiltIn.Measure(spec.Name, landscape, spec.SettingsFor(seed)).Value;
    }

    public void Dispose()
    {
        train.Dispose();
        test.Dispose();
    }
}
