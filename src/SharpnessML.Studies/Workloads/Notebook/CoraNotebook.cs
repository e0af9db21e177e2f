using System.Diagnostics;
using SharpnessML.Datasets;
using SharpnessML.Trainers.Graphs;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>
/// The seed paper's Cora experiment as <c>GAT_model.ipynb</c> runs it: <see cref="NotebookGat"/> (one head) on the raw
/// 0/1 word features (the notebook passes <c>dataset.data.x</c>, which bypasses the dataset's <c>NormalizeFeatures()</c>), plain
/// SGD lr 0.236; an epoch is three full-graph forward passes in train mode, each with the cross-entropy of one mask of
/// the 140 training nodes (shuffled, padded to 192 with the last node, cut into 3 × 64: as boolean masks the third holds
/// 12 nodes), at least 11 and at most 20 epochs, stopping from the 11th when the summed epoch loss changes by less than 5%.
/// Sharpness: the train-mode 3-mask loss without updates at w0, then 5 trials from w0, each 5 SGD steps (lr 0.236) on
/// −CE over a mask of 64 training nodes drawn with replacement, clamped to w0 ± 0.02|w0|, the train-mode 3-mask loss
/// after each step, the largest kept; sharpness = mean over trials − the loss at w0. Test loss in evaluation mode on
/// the 1,000 test nodes.
/// </summary>
/// <remarks>
/// The split is Planetoid's public one, as the notebook's PyG dataset gives it (<see cref="CoraDataset.PublicSplit"/>:
/// the LINQS papers of Planetoid's nodes, the training nodes in Planetoid's node order, which the notebook's masks
/// shuffle).
/// </remarks>
internal sealed class CoraNotebook : INotebookWorkload
{
    public const double NotebookLearningRate = 0.236;
    public const double Rho = 0.02;
    public const int MaskSize = 64, MinEpochs = 10, MaxEpochs = 20, Trials = 5, AscentSteps = 5;
    public const double StoppingCriterion = 0.05;

    private readonly GraphData graph;
    private readonly long[] trainNodes;
    private readonly Tensor trainIndex, testIndex;
    private readonly int threads, maxEpochs;

    public CoraNotebook(string? dataPath, int threads = 1, int? maxEpochs = null)
    {
        SharpnessML.Trainers.TorchRuntime.EnsureInitialized();
        this.threads = threads;
        this.maxEpochs = maxEpochs ?? MaxEpochs;
        // dataset.data.x: the raw 0/1 word vectors (the transform applies only to dataset[i])
        graph = dataPath is { } directory ? CoraDataset.Load(directory, normalizeFeatures: false) : CoraDataset.Load(normalizeFeatures: false);
        var split = CoraDataset.PublicSplit(graph);
        trainNodes = split.Train.ToArray(); // np.array(range(num_nodes))[tr_mask]: Planetoid's node order
        trainIndex = torch.tensor(trainNodes);
        testIndex = torch.tensor(split.Test.ToArray());
    }

    /// <summary>The graph, with the raw 0/1 features: the notebook reads <c>dataset.data.x</c>, the stored tensor, which <c>NormalizeFeatures()</c> never touches (PyG applies a dataset's transform in <c>dataset[i]</c> only).</summary>
    public GraphData Graph => graph;

    /// <summary>The training nodes in node order.</summary>
    public IReadOnlyList<long> TrainNodes => trainNodes;

    /// <summary>
    /// The notebook's <c>batch_masks()</c>: the training nodes shuffled, padded to a multiple of 64 with the last
    /// shuffled node, cut into rows of 64, each row a boolean node mask — so repeated nodes count once, and the last mask
    /// of 140 nodes holds 12. Returned as the masks' sorted node indices.
    /// </summary>
    public static IReadOnlyList<long[]> BatchMasks(IReadOnlyList<long> trainNodes, NumpyRandomState random, int batchSize = MaskSize)
    {
        var nodes = trainNodes.ToArray();
        for (int i = nodes.Length - 1; i >= 1; i--)
        {
            int j = (int)random.Interval((uint)i);
            (nodes[i], nodes[j]) = (nodes[j], nodes[i]);
        }

        int target = (int)Math.Ceiling((double)nodes.Length / batchSize) * batchSize;
        var padded = nodes.Concat(Enumerable.Repeat(nodes[^1], target - nodes.Length)).ToArray();
        return Enumerable.Range(0, target / batchSize).Select(b => padded.Skip(b * batchSize).Take(batchSize).Distinct().Order().ToArray()).ToList();
    }

    /// <summary>The notebook's <c>get_mask(64)</c>: 64 training nodes drawn with replacement, as a boolean mask (distinct nodes, sorted).</summary>
    public static long[] RandomMask(IReadOnlyList<long> trainNodes, NumpyRandomState random, int size = MaskSize) =>
        Enumerable.Range(0, size).Select(_ => trainNodes[(int)random.Interval((uint)(trainNodes.Count - 1))]).Distinct().Order().ToArray();

    /// <summary>
    /// The notebook's <c>train()</c>: for each of the 3 masks, a train-mode full-graph forward pass and the mask's mean
    /// cross-entropy, with an optimizer step when <paramref name="optimizer"/> is set; returns the sum of the 3 losses.
    /// </summary>
    public static double Epoch(nn.Module<Tensor, Tensor, Tensor> network, GraphData graph, IReadOnlyList<long> trainNodes, NumpyRandomState random, optim.Optimizer? optimizer)
    {
        network.train();
        double sum = 0;
        foreach (var mask in BatchMasks(trainNodes, random))
        {
            using var scope = torch.NewDisposeScope();
            optimizer?.zero_grad();
            using var grad = optimizer is null ? torch.no_grad() : null;
            var loss = MaskLoss(network, graph, mask);
            sum += loss.item<float>();
            if (optimizer is null) continue;
            loss.backward();
            optimizer.step();
        }

        return sum;
    }

    private static Tensor MaskLoss(nn.Module<Tensor, Tensor, Tensor> network, GraphData graph, long[] mask)
    {
        var nodes = torch.tensor(mask);
        return nn.functional.cross_entropy(network.call(graph.Features, graph.EdgeIndex).index_select(0, nodes), graph.Labels.index_select(0, nodes));
    }

    public NotebookMember Run(int index, MemberConfiguration configuration, NotebookVariant variant)
    {
        torch.set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        int seed = configuration.Seed;
        torch.manual_seed(seed);
        var random = new NumpyRandomState((uint)seed);
        using var network = new NotebookGat(graph.FeatureCount, 8, graph.ClassCount);
        double lr = variant.LearningRate ?? (variant.LibraryGrid ? configuration.Double(HyperparameterAxes.LearningRate, NotebookLearningRate) : NotebookLearningRate);
        double weightDecay = variant.LibraryGrid ? configuration.Double(HyperparameterAxes.WeightDecay, 0) : 0;
        string describe;
        optim.Optimizer optimizer;
        if (variant.LibraryOptimizer)
        {
            optimizer = torch.optim.Adam(network.parameters(), 0.005, weight_decay: 5e-4);
            describe = "adam lr=0.005, wd=5e-4";
        }
        else
        {
            optimizer = torch.optim.SGD(network.parameters(), lr, weight_decay: weightDecay);
            describe = FormattableString.Invariant($"sgd lr={lr}") + (weightDecay > 0 ? FormattableString.Invariant($", wd={weightDecay}") : "");
        }

        int epochs = 0;
        using (optimizer)
        {
            double previous = double.PositiveInfinity;
            for (int epoch = 0; epoch < maxEpochs; epoch++)
            {
                double current = Epoch(network, graph, trainNodes, random, optimizer);
                epochs = epoch + 1;
                if (epoch >= MinEpochs && Math.Abs(current - previous) / previous < StoppingCriterion) break;
                previous = current;
            }
        }

        var (testLoss, testError) = Evaluate(network, testIndex);
        var (trainLoss, _) = Evaluate(network, trainIndex);
        double sharpness = variant.Ascent switch
        {
            NotebookAscent.Notebook => NotebookSharpness(network, random, variant, randomBatches: false),
            NotebookAscent.RandomBatches => NotebookSharpness(network, random, variant, randomBatches: true),
            _ => LibrarySharpness(network, variant.Ascent, seed),
        };
        return new NotebookMember(index, seed, describe, epochs, trainLoss, testLoss, testError, sharpness, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Evaluation-mode mean cross-entropy and error on <paramref name="nodes"/>.</summary>
    private (double Loss, double Error) Evaluate(NotebookGat network, Tensor nodes)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        network.eval();
        var logits = network.call(graph.Features, graph.EdgeIndex).index_select(0, nodes);
        var labels = graph.Labels.index_select(0, nodes);
        double loss = nn.functional.cross_entropy(logits, labels).item<float>();
        double error = 1 - logits.argmax(1).eq(labels).to(float64).mean().item<double>();
        return (loss, error);
    }

    /// <summary>
    /// The notebook's sharpness; with <paramref name="randomBatches"/>, each trial measured on its own mask instead
    /// (the largest mask loss over the steps minus the mask's loss at w0, both in train mode).
    /// </summary>
    private double NotebookSharpness(NotebookGat network, NumpyRandomState random, NotebookVariant variant, bool randomBatches)
    {
        var parameters = network.parameters().ToList();
        var w0 = NotebookClamp.Snapshot(parameters);
        try
        {
            double TrainingLoss() => variant.EvalModeLoss ? Evaluate(network, trainIndex).Loss : Epoch(network, graph, trainNodes, random, null);
            double fixedLoss = randomBatches ? 0 : TrainingLoss();
            double total = 0;
            for (int trial = 0; trial < Trials; trial++)
            {
                NotebookClamp.Restore(parameters, w0);
                using var optimizer = torch.optim.SGD(parameters, variant.LearningRate ?? NotebookLearningRate);
                var mask = RandomMask(trainNodes, random);
                double MaskValue()
                {
                    using var scope = torch.NewDisposeScope();
                    using var _ = torch.no_grad();
                    if (variant.EvalModeLoss) network.eval(); else network.train();
                    return MaskLoss(network, graph, mask).item<float>();
                }

                double baseline = randomBatches ? MaskValue() : 0;
                double best = 0;
                for (int step = 0; step < AscentSteps; step++)
                {
                    using (var scope = torch.NewDisposeScope())
                    {
                        if (variant.EvalModeAscent) network.eval(); else network.train();
                        optimizer.zero_grad();
                        (-MaskLoss(network, graph, mask)).backward();
                        optimizer.step();
                        NotebookClamp.Project(parameters, w0, Rho, withAbs: true);
                    }

                    best = Math.Max(randomBatches ? MaskValue() - baseline : TrainingLoss(), best);
                }

                total += best;
            }

            return total / Trials - fixedLoss;
        }
        finally
        {
            NotebookClamp.Restore(parameters, w0);
            foreach (var t in w0) t.Dispose();
        }
    }

    private double LibrarySharpness(NotebookGat network, NotebookAscent ascent, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var spec = SeedPaperStudies.PaperMeasure(StudyDataset.Cora);
        if (ascent == NotebookAscent.LibraryWholeSet) spec = new StudyMeasureSpec { Name = spec.Name, Rho = spec.Rho, BatchSize = trainNodes.Length, Batches = 1, Steps = spec.Steps };
        var landscape = GraphLossLandscape.ForNodes(network, graph.Features, graph.EdgeIndex, graph.Labels, trainIndex);
        return MeasureRegistry.BuiltIn.Measure(spec.Name, landscape, spec.SettingsFor(seed)).Value;
    }

    public void Dispose()
    {
        trainIndex.Dispose();
        testIndex.Dispose();
        graph.Dispose();
    }
}
