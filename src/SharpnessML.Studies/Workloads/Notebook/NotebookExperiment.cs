using System.Diagnostics;
using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>What a notebook-protocol run does: the data set, pool size, seeds, and how much data.</summary>
internal sealed class NotebookSettings
{
    public StudyDataset Dataset { get; init; }

    /// <summary>The data file or folder; null: the bundled copy (Abalone, Cora) or Debian's (FashionMNIST).</summary>
    public string? DataPath { get; init; }

    /// <summary>Models per pool (the notebooks: 50).</summary>
    public int Models { get; init; } = 50;

    /// <summary>Seed of pool 0's first model; pool p's model i has seed <c>BaseSeed + PoolSeedStride·p + i</c>.</summary>
    public int BaseSeed { get; init; }

    /// <summary>Independent pools (different seeds).</summary>
    public int Pools { get; init; } = 1;

    /// <summary>Torch threads.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>FashionMNIST: train (and measure) on the first N training images only; null: all 60,000.</summary>
    public int? TrainExamples { get; init; }

    /// <summary>Most training epochs; null: the notebook's.</summary>
    public int? MaxEpochs { get; init; }

    public void Validate()
    {
        if (Models < 3) throw new ArgumentOutOfRangeException(nameof(Models), Models, "--models must be at least 3 to correlate.");
        if (Pools < 1) throw new ArgumentOutOfRangeException(nameof(Pools), Pools, "--pools must be at least 1.");
        if (Models > NotebookExperiment.PoolSeedStride) throw new ArgumentOutOfRangeException(nameof(Models), Models, $"--models must be at most {NotebookExperiment.PoolSeedStride}.");
        if (TrainExamples is < 1) throw new ArgumentOutOfRangeException(nameof(TrainExamples), TrainExamples, "--train-examples must be at least 1.");
        if (MaxEpochs is < 1) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, "--epochs must be at least 1.");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "--threads must be at least 1.");
    }
}

/// <summary>One pool of a notebook-protocol run and its Kendall τ between sharpness and test loss.</summary>
/// <param name="Pool">The pool's number.</param>
/// <param name="BaseSeed">Its first model's seed.</param>
/// <param name="Members">Its models, by index.</param>
/// <param name="Kendall">τ-b between sharpness and test loss.</param>
/// <param name="Interval">τ's 95% percentile bootstrap interval.</param>
/// <param name="Seconds">The sum of its models' own times (training and measuring, however many processes ran them).</param>
internal sealed record NotebookPool(int Pool, int BaseSeed, IReadOnlyList<NotebookMember> Members, CorrelationResult Kendall, BootstrapInterval Interval, double Seconds);

/// <summary>One ablation row (or the notebook protocol itself): its pools.</summary>
internal sealed record NotebookRow(NotebookVariant Variant, IReadOnlyList<NotebookPool> Pools)
{
    public double MeanTau => Pools.Average(p => p.Kendall.Coefficient);

    /// <summary>Sample standard deviation of τ over pools (NaN for one pool).</summary>
    public double TauSpread => Pools.Count < 2 ? double.NaN : Math.Sqrt(Pools.Sum(p => Math.Pow(p.Kendall.Coefficient - MeanTau, 2)) / (Pools.Count - 1));
}

/// <summary>
/// Runs the seed paper's experiments as its notebooks ran them (<see cref="AbaloneNotebook"/>, <see cref="CoraNotebook"/>,
/// <see cref="FashionMnistNotebook"/>): pools of models that differ only by their seed, each model trained and measured
/// from its seed alone (so any model's numbers are reproducible by itself, and the first N of a pool are the same
/// whatever the pool's size), and the ablation that switches the notebook's choices one at a time to the library's.
/// </summary>
internal static class NotebookExperiment
{
    /// <summary>Seeds between pools: pool p starts at <c>BaseSeed + 1000 p</c>.</summary>
    public const int PoolSeedStride = 1000;

    /// <summary>The workload of <paramref name="settings"/>' data set.</summary>
    public static INotebookWorkload CreateWorkload(NotebookSettings settings)
    {
        SharpnessML.Trainers.TorchRuntime.EnsureInitialized();
        return Create(settings);
    }

    private static INotebookWorkload Create(NotebookSettings settings) => settings.Dataset switch
    {
        StudyDataset.Abalone => new AbaloneNotebook(settings.DataPath, settings.Threads),
        StudyDataset.Cora => new CoraNotebook(settings.DataPath, settings.Threads, settings.MaxEpochs),
        StudyDataset.FashionMnist => new FashionMnistNotebook(settings.DataPath, settings.Threads, settings.TrainExamples, settings.MaxEpochs),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Dataset, "Unknown dataset."),
    };

    /// <summary>Model <paramref name="index"/> of a pool starting at <paramref name="poolBase"/>: seed <c>poolBase + index</c>; with the library's grid also its grid point.</summary>
    public static MemberConfiguration Configuration(StudyDataset dataset, NotebookVariant variant, int poolBase, int index)
    {
        if (!variant.LibraryGrid) return new MemberConfiguration(index, poolBase + index, new Dictionary<string, string>());
        var grid = SeedPaperStudies.For(dataset);
        grid.BaseSeed = poolBase;
        return grid.Member(index);
    }

    /// <summary>The SHA-256 of the run's data files (the bundled copy's for Abalone without --data): what a store pins.</summary>
    public static string DataFingerprint(NotebookSettings settings)
    {
        var study = SeedPaperStudies.For(settings.Dataset);
        study.DataPath = settings.DataPath;
        var data = StudyWorkloads.Fingerprint(study);
        // Cora's notebook models also depend on Planetoid's split, a bundled file.
        return settings.Dataset == StudyDataset.Cora ? data + "+" + SharpnessML.Datasets.BundledData.Sha256(SharpnessML.Datasets.CoraDataset.PublicSplitFile) : data;
    }

    /// <summary>One model of a run: its row, its pool and its index in the pool.</summary>
    public sealed record Slot(NotebookVariant Variant, int Pool, int PoolBase, int Index);

    /// <summary>Every model of a run, in report order (rows, then pools, then models).</summary>
    public static IReadOnlyList<Slot> Slots(NotebookSettings settings, IReadOnlyList<NotebookVariant> variants) =>
        (from v in variants
         from p in Enumerable.Range(0, settings.Pools)
         from i in Enumerable.Range(0, settings.Models)
         select new Slot(v, p, settings.BaseSeed + PoolSeedStride * p, i)).ToList();

    private static NotebookMember Train(Lazy<INotebookWorkload> workload, NotebookSettings settings, Slot slot, NotebookStore? store, Action<string>? progress)
    {
        var member = workload.Value.Run(slot.Index, Configuration(settings.Dataset, slot.Variant, slot.PoolBase, slot.Index), slot.Variant);
        GC.Collect(); // tensors TorchSharp creates without a dispose scope (e.g. each parameters() call's wrappers) hold native memory until finalized
        GC.WaitForPendingFinalizers();
        store?.Save(slot.Variant, slot.PoolBase, member);
        progress?.Invoke(Describe(slot, settings.Models, member));
        return member;
    }

    /// <summary>The progress line of one finished model.</summary>
    public static string Describe(Slot slot, int models, NotebookMember member) =>
        $"{slot.Variant.Name}, pool {slot.Pool}: model {slot.Index + 1}/{models} (seed {member.Seed}): test loss {member.TestLoss:G4}, sharpness {member.Sharpness:G4}, {member.Seconds:F1} s";

    /// <summary>
    /// Trains and measures the models of shard <paramref name="shard"/> of <paramref name="shardCount"/> that
    /// <paramref name="store"/> does not hold yet (the missing models in report order, every <paramref name="shardCount"/>-th
    /// from position <paramref name="shard"/>), saving each as it completes: what one worker process does.
    /// </summary>
    public static void RunShard(NotebookSettings settings, IReadOnlyList<NotebookVariant> variants, NotebookStore store, int shard, int shardCount, Action<string>? progress = null)
    {
        settings.Validate();
        if (shardCount < 1 || shard < 0 || shard >= shardCount) throw new ArgumentOutOfRangeException(nameof(shard), shard, $"shard {shard} is not one of the {shardCount} shards.");
        var missing = Slots(settings, variants).Where(s => !store.Members(s.Variant, s.PoolBase).ContainsKey(s.Index)).ToList();
        using var workload = new LazyWorkload(settings);
        for (int position = shard; position < missing.Count; position += shardCount) Train(workload.Value, settings, missing[position], store, progress);
    }

    /// <summary>The pool's Kendall τ-b (sharpness vs test loss) with its p-value and 95% percentile bootstrap interval (seed 0).</summary>
    public static NotebookPool Summarize(int pool, int poolBase, IReadOnlyList<NotebookMember> members)
    {
        double seconds = members.Sum(m => m.Seconds);
        var sharpness = members.Select(m => m.Sharpness).ToArray();
        var test = members.Select(m => m.TestLoss).ToArray();
        return new NotebookPool(pool, poolBase, members, KendallTau.Compute(sharpness, test), BootstrapInterval.ForKendallTau(sharpness, test, seed: 0), seconds);
    }

    /// <summary>
    /// Runs every pool of every variant, the notebook's own first. With a <paramref name="store"/>, models already in it
    /// are loaded instead of trained and each model trained now is saved as it completes; the data are loaded only if a
    /// model has to be trained.
    /// </summary>
    public static IReadOnlyList<NotebookRow> Run(NotebookSettings settings, IReadOnlyList<NotebookVariant> variants, Action<string>? progress = null, NotebookStore? store = null)
    {
        settings.Validate();
        using var workload = new LazyWorkload(settings);
        var rows = new List<NotebookRow>();
        foreach (var variant in variants)
        {
            var pools = new List<NotebookPool>();
            for (int p = 0; p < settings.Pools; p++)
            {
                int poolBase = settings.BaseSeed + PoolSeedStride * p;
                var stored = store?.Members(variant, poolBase) ?? new Dictionary<int, NotebookMember>();
                var members = Enumerable.Range(0, settings.Models)
                    .Select(i => stored.TryGetValue(i, out var m) ? m : Train(workload.Value, settings, new Slot(variant, p, poolBase, i), store, progress)).ToList();
                pools.Add(Summarize(p, poolBase, members));
            }

            rows.Add(new NotebookRow(variant, pools));
        }

        return rows;
    }

    /// <summary>The data set's workload, created (its data loaded) on first use.</summary>
    private sealed class LazyWorkload(NotebookSettings settings) : IDisposable
    {
        public Lazy<INotebookWorkload> Value { get; } = new(() => CreateWorkload(settings));

        public void Dispose()
        {
            if (Value.IsValueCreated) Value.Value.Dispose();
        }
    }

    /// <summary>The notebook protocol alone.</summary>
    public static NotebookVariant Protocol { get; } = new();

    /// <summary>The ablation of <paramref name="dataset"/>: the notebook protocol, then one switch to the library's choice per row.</summary>
    public static IReadOnlyList<NotebookVariant> Ablation(StudyDataset dataset)
    {
        var rows = new List<NotebookVariant>
        {
            Protocol,
            new() { Name = "library-grid", LibraryGrid = true, Change = "pool: the library's 50-point grid (5 learning rates × 5 batch sizes or weight decays × 2 seeds) instead of 50 seeds of one configuration" },
        };
        switch (dataset)
        {
            case StudyDataset.Abalone:
                rows.Add(new() { Name = "lr-0.014", LearningRate = 0.014, Change = "learning rate 0.014 (the paper's Table I) instead of the notebook's 0.102, for training and ascent" });
                rows.Add(new() { Name = "mini-batch-loss", MiniBatchLoss = true, Change = "each SGD step's loss on its shuffled mini-batch of 64 instead of the whole training set" });
                rows.Add(new() { Name = "linear-output", LinearOutput = true, Change = "a linear output layer instead of ELU after it" });
                rows.Add(new() { Name = "clamp-abs", ClampWithAbs = true, Change = "clamp to w0 ± ε|w0| instead of w0 ± ε·w0 (which pins every negative weight to w0(1 + ε))" });
                break;
            case StudyDataset.FashionMnist:
                rows.Add(new() { Name = "library-optimizer", LibraryOptimizer = true, Change = "SGD lr 0.01 with momentum 0.9 and no weight decay (the library's) instead of plain SGD lr 0.05, weight decay 5e-3" });
                rows.Add(new() { Name = "train-mode-every-epoch", TrainModeEveryEpoch = true, Change = "every training epoch in train mode; the notebook trains epochs 2+ in evaluation mode (it calls model.eval() after epoch 1 and never model.train())" });
                rows.Add(new() { Name = "box-around-w0", BoxAroundW0 = true, Change = "the clamp's box around w0; the notebook's clone_w = param.detach() aliases the weights, so its box is centred on w1, after one unconstrained ascent step" });
                rows.Add(new() { Name = "eval-mode-ascent", EvalModeAscent = true, Change = "the ascent in evaluation mode (dropout off, BatchNorm statistics frozen) instead of train mode with drifting BatchNorm statistics" });
                break;
            case StudyDataset.Cora:
                rows.Add(new() { Name = "library-optimizer", LibraryOptimizer = true, Change = "Adam lr 0.005, weight decay 5e-4 (the library's) instead of plain SGD lr 0.236" });
                rows.Add(new() { Name = "eval-mode-ascent", EvalModeAscent = true, Change = "the ascent steps in evaluation mode (dropout off) instead of train mode" });
                rows.Add(new() { Name = "eval-mode-loss", EvalModeLoss = true, Change = "the losses before and after each ascent step in evaluation mode on the 140 training nodes instead of train-mode sums over 3 random masks" });
                break;
        }

        rows.Add(new() { Name = "random-batches", Ascent = NotebookAscent.RandomBatches, Change = "the notebook's ascent on 16 random batches of 64, each measured on its batch (m-sharpness), instead of the whole training set" });
        rows.Add(new() { Name = "auto-pgd-whole-set", Ascent = NotebookAscent.LibraryWholeSet, Change = "the library's Auto-PGD (20 steps, evaluation mode, c = |w|) on the whole training set instead of the notebook's PGA epochs" });
        rows.Add(new() { Name = "library-measure", Ascent = NotebookAscent.LibraryMeasure, Change = "the library's measure (Auto-PGD, 20 steps, 16 random batches of 64, evaluation mode, c = |w|) instead of the notebook's ascent" });
        return rows;
    }
}
