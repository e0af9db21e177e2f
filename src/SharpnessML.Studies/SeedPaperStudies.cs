using System.Globalization;

namespace SharpnessML.Studies;

/// <summary>
/// The seed paper's three experiments as study definitions: 50 models each, adaptive L∞ worst-case sharpness with
/// m = 64 and the paper's ρ (FCNN 0.025, LeNet-5 1e-4, GAT 0.02), correlated with test loss. The paper's τ were
/// −0.311, −0.180 and −0.185 (<see cref="PaperTau"/>).
/// </summary>
public static class SeedPaperStudies
{
    /// <summary>The seed paper's Kendall τ between adaptive L∞ worst-case sharpness and test loss, by data set.</summary>
    public static IReadOnlyDictionary<StudyDataset, double> PaperTau { get; } = new Dictionary<StudyDataset, double>
    {
        [StudyDataset.Abalone] = -0.311,
        [StudyDataset.FashionMnist] = -0.180,
        [StudyDataset.Cora] = -0.185,
    };

    /// <summary>The seed paper's radius ρ by data set.</summary>
    public static double PaperRho(StudyDataset dataset) => dataset switch
    {
        StudyDataset.Abalone => 0.025,
        StudyDataset.FashionMnist => 1e-4,
        StudyDataset.Cora => 0.02,
        _ => throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Unknown dataset."),
    };

    /// <summary>The experiment on <paramref name="dataset"/>.</summary>
    public static StudyDefinition For(StudyDataset dataset) => dataset switch
    {
        StudyDataset.Abalone => Abalone(),
        StudyDataset.FashionMnist => FashionMnist(),
        StudyDataset.Cora => Cora(),
        _ => throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Unknown dataset."),
    };

    /// <summary>
    /// 50 FCNNs 10-64-64-1 (ELU, plain SGD, at most 10 epochs with the 5% stopping rule): 5 learning rates × 5 batch
    /// sizes × 2 seeds, a range plain SGD trains the FCNN with, so the pool holds flat and sharp minima.
    /// </summary>
    public static StudyDefinition Abalone() => new()
    {
        Name = "abalone",
        Dataset = StudyDataset.Abalone,
        MaxEpochs = 10,
        Grid = new()
        {
            Axis(HyperparameterAxes.Replicate, 0, 1),
            Axis(HyperparameterAxes.BatchSize, 16, 32, 64, 128, 256),
            Axis(HyperparameterAxes.LearningRate, 0.005, 0.01, 0.02, 0.05, 0.1),
        },
        Measures = new() { PaperMeasure(StudyDataset.Abalone) },
    };

    /// <summary>
    /// 50 LeNet-5s (reference widths, SGD with momentum 0.9): 5 learning rates × 5 batch sizes × 2 seeds, at most 3
    /// epochs each (the 5% stopping rule may end training earlier) on all 60,000 training images, which keeps the run
    /// near 25 minutes on 2 cores; pass a larger epoch count for longer-trained pools.
    /// </summary>
    public static StudyDefinition FashionMnist() => new()
    {
        Name = "fashion-mnist",
        Dataset = StudyDataset.FashionMnist,
        MaxEpochs = 3,
        Grid = new()
        {
            Axis(HyperparameterAxes.Replicate, 0, 1),
            Axis(HyperparameterAxes.BatchSize, 32, 64, 128, 256, 512),
            Axis(HyperparameterAxes.LearningRate, 0.002, 0.005, 0.01, 0.02, 0.05),
        },
        Measures = new() { PaperMeasure(StudyDataset.FashionMnist) },
    };

    /// <summary>
    /// 50 GATs (one attention head, as the reference notebook ran; Adam, at most 200 full-graph epochs with the
    /// paper's validation early stopping): 5 learning rates × 5 weight decays up to the GAT paper's 5e-4 × 2 seeds, on
    /// one fixed standard split. (Weight decays of 2e-3 and more collapse a one-head GAT towards uniform outputs —
    /// flat and useless models that would inflate a negative τ.)
    /// </summary>
    public static StudyDefinition Cora() => new()
    {
        Name = "cora",
        Dataset = StudyDataset.Cora,
        MaxEpochs = 200,
        Grid = new()
        {
            Axis(HyperparameterAxes.Heads, 1),
            Axis(HyperparameterAxes.Replicate, 0, 1),
            Axis(HyperparameterAxes.WeightDecay, 0, 5e-5, 1e-4, 2.5e-4, 5e-4),
            Axis(HyperparameterAxes.LearningRate, 0.005, 0.01, 0.02, 0.05, 0.1),
        },
        Measures = new() { PaperMeasure(StudyDataset.Cora) },
    };

    /// <summary>The seed paper's measure: adaptive L∞ worst-case sharpness, its ρ, m = 64, 16 batches, 20 Auto-PGD steps.</summary>
    public static StudyMeasureSpec PaperMeasure(StudyDataset dataset) =>
        new() { Name = "adaptive-worst-linf", Rho = PaperRho(dataset), BatchSize = 64, Batches = 16, Steps = 20 };

    private static StudyAxis Axis(string name, params double[] values) =>
        new(name, values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray());
}
