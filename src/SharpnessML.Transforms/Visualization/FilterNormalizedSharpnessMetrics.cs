using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// The metrics of <c>landscape-1d-sharpness</c> (<see cref="FilterNormalizedSharpness"/>): the mean over K random
/// filter-normalised directions d_k of L(θ* + α d_k) − L(θ*), with its standard error s/√K.
/// </summary>
public sealed class FilterNormalizedSharpnessMetrics : IMeasureMetrics
{
    internal FilterNormalizedSharpnessMetrics(double baseLoss, IReadOnlyList<double> increases, double step, int exampleCount)
    {
        BaseLoss = baseLoss;
        Increases = increases;
        Step = step;
        ExampleCount = exampleCount;
        Sharpness = increases.Average();
        StandardError = increases.Count > 1
            ? Math.Sqrt(increases.Sum(v => (v - Sharpness) * (v - Sharpness)) / (increases.Count - 1) / increases.Count)
            : null;
    }

    /// <summary>The mean increase of the loss, (1/K) Σ_k [L(θ* + α d_k) − L(θ*)].</summary>
    public double Sharpness { get; }

    /// <summary>s/√K over the directions; null for one direction.</summary>
    public double? StandardError { get; }

    /// <summary>L(θ*).</summary>
    public double BaseLoss { get; }

    /// <summary>L(θ* + α d_k) − L(θ*) for each direction, in the order drawn.</summary>
    public IReadOnlyList<double> Increases { get; }

    /// <summary>α.</summary>
    public double Step { get; }

    /// <summary>Examples the losses were taken on.</summary>
    public int ExampleCount { get; }

    /// <summary><c>base_loss</c>, <c>step</c>, <c>directions</c>, <c>examples</c> and <c>increases</c> (the value and standard error are the result's own).</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("base_loss", BaseLoss), new("step", Step), new("directions", Increases.Count), new("examples", ExampleCount),
        new("increases", Increases.ToArray()),
    };
}
