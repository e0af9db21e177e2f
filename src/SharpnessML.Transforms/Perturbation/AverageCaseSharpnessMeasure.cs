using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// Average-case sharpness by name (<see cref="AverageCaseSharpness"/>): <c>adaptive-avg-linf</c>,
/// <c>adaptive-avg-l2</c>, <c>standard-avg-linf</c> and <c>standard-avg-l2</c>. Its metrics are
/// <see cref="SharpnessMetrics"/>.
/// </summary>
public sealed class AverageCaseSharpnessMeasure : ISharpnessMeasure
{
    /// <summary>The measure with c = |w| (<paramref name="adaptive"/>) or c = 1, with the noise of <paramref name="norm"/>.</summary>
    public AverageCaseSharpnessMeasure(bool adaptive, PerturbationNorm norm)
    {
        Adaptive = adaptive;
        Norm = norm;
    }

    /// <summary>Whether the noise is scaled by |w|.</summary>
    public bool Adaptive { get; }

    /// <summary>Gaussian (L2) or uniform-box (L∞) noise.</summary>
    public PerturbationNorm Norm { get; }

    /// <inheritdoc />
    public string Name => new AverageCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm }.MeasureName;

    /// <summary>
    /// The options <paramref name="settings"/> stand for: ρ, m and batches where given, the seed, and
    /// <see cref="AverageCaseSharpnessOptions"/>' defaults otherwise (steps do not apply).
    /// </summary>
    public AverageCaseSharpnessOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new AverageCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm, Seed = settings.Seed };
        if (settings.Rho is { } rho) options.Rho = rho;
        if (settings.BatchSize is { } m) options.BatchSize = m;
        if (settings.Batches is { } batches) options.Batches = batches;
        return options;
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings) =>
        SharpnessMeasureResult.From(AverageCaseSharpness.Estimate(landscape, OptionsFor(settings)));
}
