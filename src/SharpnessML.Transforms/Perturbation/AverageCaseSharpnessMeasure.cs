using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// Average-case sharpness by name (<see cref="AverageCaseSharpness"/>): <c>adaptive-avg-linf</c>,
/// <c>adaptive-avg-l2</c>, <c>standard-avg-linf</c> and <c>standard-avg-l2</c>. The value is the mean over batches;
/// the metrics are <see cref="SharpnessMetrics"/>.
/// </summary>
/// <param name="adaptive">Noise scaled by c = |w| when true, c = 1 when false.</param>
/// <param name="norm">Gaussian (L2) or uniform-box (L∞) noise.</param>
public sealed class AverageCaseSharpnessMeasure(bool adaptive, PerturbationNorm norm) : SharpnessMeasure<AverageCaseSharpnessOptions, SharpnessMetrics>
{
    /// <summary>Whether the noise is scaled by |w|.</summary>
    public bool Adaptive { get; } = adaptive;

    /// <summary>Gaussian (L2) or uniform-box (L∞) noise.</summary>
    public PerturbationNorm Norm { get; } = norm;

    /// <inheritdoc />
    public override string Name => new AverageCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm }.MeasureName;

    /// <summary>ρ, m and batches where given, the seed, and <see cref="AverageCaseSharpnessOptions"/>' defaults otherwise (steps do not apply).</summary>
    public override AverageCaseSharpnessOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new AverageCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm, Seed = settings.Seed };
        settings.ApplyTo(rho => options.Rho = rho, m => options.BatchSize = m, batches => options.Batches = batches);
        return options;
    }

    /// <inheritdoc />
    public override SharpnessMetrics Compute(LossLandscape landscape, AverageCaseSharpnessOptions options) => AverageCaseSharpness.Estimate(landscape, options);

    /// <inheritdoc />
    protected override (double Value, double? StandardError) Summarize(SharpnessMetrics metrics) => (metrics.Sharpness, metrics.StandardError);
}
