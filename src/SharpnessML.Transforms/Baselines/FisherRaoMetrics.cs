using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Baselines;

/// <summary>The Fisher-Rao norm of a network on its training examples (<see cref="FisherRaoNorm"/>); the metrics of <c>fisher-rao</c>.</summary>
/// <remarks>
/// <see cref="Value"/> = (d + 1)² · (1/m) Σ_i ⟨w, ∇_w ℓ_i⟩² over m examples. On a random subset of m of the n
/// examples, <see cref="StandardError"/> = (d + 1)² · √(s² / (m − 1)) with s² the (biased) variance of the
/// squared inner products; with every example the value is exact and the standard error null.
/// </remarks>
public sealed class FisherRaoMetrics : IMeasureMetrics
{
    internal FisherRaoMetrics(double value, double meanSquaredInnerProduct, int depth, double? standardError, int examples,
        FisherRaoLossSource perExampleLosses, TimeSpan elapsed)
    {
        Value = value;
        MeanSquaredInnerProduct = meanSquaredInnerProduct;
        Depth = depth;
        StandardError = standardError;
        Examples = examples;
        PerExampleLosses = perExampleLosses;
        Elapsed = elapsed;
    }

    /// <summary>(d + 1)² · mean_i ⟨w, ∇_w ℓ_i⟩².</summary>
    public double Value { get; }

    /// <summary>mean_i ⟨w, ∇_w ℓ_i⟩², without the depth factor.</summary>
    public double MeanSquaredInnerProduct { get; }

    /// <summary>The depth d used.</summary>
    public int Depth { get; }

    /// <summary>Standard error of <see cref="Value"/> over the example subset; null when every example was used (the value is then exact).</summary>
    public double? StandardError { get; }

    /// <summary>Number of examples averaged over.</summary>
    public int Examples { get; }

    /// <summary>Where the per-example losses came from.</summary>
    public FisherRaoLossSource PerExampleLosses { get; }

    /// <summary>Wall time.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>
    /// <c>depth</c>, <c>mean_squared_inner_product</c>, <c>examples</c>, <c>per_example_losses</c> (<c>supervised</c>,
    /// <c>one-by-one</c> or <c>given</c>) and <c>seconds</c>.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("depth", Depth), new("mean_squared_inner_product", MeanSquaredInnerProduct), new("examples", Examples),
        new("per_example_losses", PerExampleLosses switch
        {
            FisherRaoLossSource.Supervised => "supervised",
            FisherRaoLossSource.OneByOne => "one-by-one",
            _ => "given",
        }),
        new("seconds", Elapsed.TotalSeconds),
    };
}

/// <summary>Where <see cref="FisherRaoNorm"/> took the per-example losses from.</summary>
public enum FisherRaoLossSource
{
    /// <summary>The landscape's <see cref="Landscape.SupervisedProblem"/> (one pass per chunk).</summary>
    Supervised,

    /// <summary>The landscape's mean loss on each single example (one forward pass each).</summary>
    OneByOne,

    /// <summary>A function the caller gave.</summary>
    Given,
}
