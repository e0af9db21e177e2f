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

    /// <summary>Trains and measures one pool with <paramref name="variant"/>.</summary>
    public static NotebookPool RunPool(INotebookWorkload workload, NotebookSettings settings, NotebookVariant variant, int pool, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        int poolBase = settings.BaseSeed + PoolSeedStride * pool;
        var members = new List<NotebookMember>(settings.Models);
        for (int i = 0; i < settings.Models; i++)
        {
            var member = workload.Run(i, Configuration(settings.Dataset, variant, poolBase, i), variant);
            members.Add(member);
            GC.Collect(); // tensors TorchSharp creates without a dispose scope (e.g. each parameters() call's wrappers) hold native memory until finalized
            GC.WaitForPendingFinalizers();
            progress?.Invoke($"{variant.Name}, pool {pool}: model {i + 1}/{settings.Models} (seed {member.Seed}): test loss {member.TestLoss:G4}, sharpness {member.Sharpness:G4}, {member.Seconds:F1} s");
        }

        return Summarize(pool, poolBase, members, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The pool's Kendall τ-b (sharpness vs test loss) with its p-value and 95% percentile bootstrap interval (seed 0).</summary>
    public static NotebookPool Summarize(int pool, int poolBase, IReadOnlyList<NotebookMember> members, double seconds)
    {
        var sharpness = members.Select(m => m.Sharpness).ToArray();
        var test = members.Select(m => m.TestLoss).ToArray();
        return new NotebookPool(pool, poolBase, members, KendallTau.Compute(sharpness, test), BootstrapInterval.ForKendallTau(sharpness, test, seed: 0), seconds);
    }

    /// <summary>Runs every pool of every variant, the notebook's own first.</summary>
    public static IReadOnlyList<NotebookRow> Run(NotebookSettings settings, IReadOnlyList<NotebookVariant> variants, Action<string>? progress = null)
    {
        settings.Validate();
        using var workload = CreateWorkload(settings);
        return variants.Select(v => new NotebookRow(v, Enumerable.Range(0, settings.Pools).Select(p => RunPool(workload, settings, v, p, progress)).ToList())).ToList();
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
