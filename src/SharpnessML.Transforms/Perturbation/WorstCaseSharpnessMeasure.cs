using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// Worst-case m-sharpness by name (<see cref="WorstCaseSharpness"/>): <c>adaptive-worst-linf</c>,
/// <c>adaptive-worst-l2</c>, <c>standard-worst-linf</c> and <c>standard-worst-l2</c>. The value is the mean over
/// batches; the metrics are <see cref="SharpnessMetrics"/>.
/// </summary>
/// <param name="adaptive">c = |w| when true, c = 1 when false.</param>
/// <param name="norm">The norm p.</param>
public sealed class WorstCaseSharpnessMeasure(bool adaptive, PerturbationNorm norm) : SharpnessMeasure<WorstCaseSharpnessOptions, SharpnessMetrics>
{
    /// <summary>Whether the set is scaled by |w|.</summary>
    public bool Adaptive { get; } = adaptive;

    /// <summary>The norm p.</summary>
    public PerturbationNorm Norm { get; } = norm;

    /// <inheritdoc />
    public override string Name => new WorstCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm }.MeasureName;

    /// <summary>ρ, m, batches and steps where given, the seed, and <see cref="WorstCaseSharpnessOptions"/>' defaults otherwise.</summary>
    public override WorstCaseSharpnessOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new WorstCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm, Seed = settings.Seed };
        settings.ApplyTo(rho => options.Rho = rho, m => options.BatchSize = m, batches => options.Batches = batches, steps => options.Steps = steps);
        return options;
    }

    /// <inheritdoc />
    public override SharpnessMetrics Compute(LossLandscape landscape, WorstCaseSharpnessOptions options) => WorstCaseSharpness.Estimate(landscape, options);

    /// <inheritdoc />
    protected override (double Value, double? StandardError) Summarize(SharpnessMetrics metrics) => (metrics.Sharpness, metrics.StandardError);
}
