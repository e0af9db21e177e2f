using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// The result of a batch-averaged sharpness measurement (worst-case, average-case, geodesic), in the manner of
/// ML.NET's <c>RegressionMetrics</c>: the mean over batches, its standard error, the per-batch values and the
/// settings it was taken with. The metrics of every perturbation measure and of <c>geodesic</c> in a
/// <see cref="MeasureRegistry"/>.
/// </summary>
/// <remarks>
/// With per-batch values s_1, …, s_B: <see cref="Sharpness"/> = s̄ = (1/B) Σ_b s_b and
/// <see cref="StandardError"/> = √(Σ_b (s_b − s̄)² / ((B − 1) B)), null for B = 1.
/// </remarks>
public sealed class SharpnessMetrics : IMeasureMetrics
{
    /// <summary>Creates the metrics.</summary>
    /// <param name="measure">Name of the measure, e.g. <c>adaptive-worst-linf</c>.</param>
    /// <param name="rho">The radius ρ used.</param>
    /// <param name="perBatch">Each batch's value; at least one.</param>
    /// <param name="baseLosses">Each batch's unperturbed loss L_B(w).</param>
    /// <param name="elapsed">Wall time of the measurement.</param>
    public SharpnessMetrics(string measure, double rho, IReadOnlyList<double> perBatch, IReadOnlyList<double> baseLosses, TimeSpan elapsed)
        : this(measure, rho, perBatch, baseLosses, elapsed, new KeyValuePair<string, object>[] { new("rho", rho) })
    {
    }

    internal SharpnessMetrics(string measure, double rho, IReadOnlyList<double> perBatch, IReadOnlyList<double> baseLosses, TimeSpan elapsed,
        IReadOnlyList<KeyValuePair<string, object>> settings)
    {
        ArgumentNullException.ThrowIfNull(perBatch);
        ArgumentNullException.ThrowIfNull(baseLosses);
        if (perBatch.Count == 0) throw new ArgumentException("At least one batch is needed.", nameof(perBatch));
        Measure = measure;
        Rho = rho;
        PerBatch = perBatch;
        BaseLosses = baseLosses;
        Elapsed = elapsed;
        Settings = settings;
        Sharpness = perBatch.Average();
        StandardError = perBatch.Count < 2 ? null
            : Math.Sqrt(perBatch.Sum(v => (v - Sharpness) * (v - Sharpness)) / (perBatch.Count - 1) / perBatch.Count);
    }

    /// <summary>Name of the measure, e.g. <c>adaptive-worst-linf</c>.</summary>
    public string Measure { get; }

    /// <summary>The radius ρ used.</summary>
    public double Rho { get; }

    /// <summary>
    /// Mean over batches of the batch's value: max L_B(w+δ) − L_B(w) at the best iterate found (worst-case and
    /// geodesic), or the mean loss increase under random perturbations (average-case).
    /// </summary>
    public double Sharpness { get; }

    /// <summary>Standard error of <see cref="Sharpness"/> over batches; null for one batch.</summary>
    public double? StandardError { get; }

    /// <summary>Each batch's value.</summary>
    public IReadOnlyList<double> PerBatch { get; }

    /// <summary>Each batch's unperturbed loss L_B(w).</summary>
    public IReadOnlyList<double> BaseLosses { get; }

    /// <summary>Wall time of the measurement.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>
    /// The estimator's settings by name, as <see cref="Details"/> lists them: ρ, then e.g. the algorithm, steps,
    /// restarts, noise samples, batch size and number of batches, and for geodesic sharpness the declared symmetries.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Settings { get; }

    /// <summary><see cref="Settings"/>, then <c>seconds</c> (wall time).</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() =>
        Settings.Append(new KeyValuePair<string, object>("seconds", Elapsed.TotalSeconds)).ToList();

    /// <inheritdoc />
    public override string ToString() =>
        $"{Measure} (ρ={Rho}): {Sharpness:G6}{(StandardError is { } se ? $" ± {se:G3}" : "")} over {PerBatch.Count} batches";
}
