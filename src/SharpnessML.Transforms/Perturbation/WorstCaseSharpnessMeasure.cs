using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// Worst-case m-sharpness by name (<see cref="WorstCaseSharpness"/>): <c>adaptive-worst-linf</c>,
/// <c>adaptive-worst-l2</c>, <c>standard-worst-linf</c> and <c>standard-worst-l2</c>. Its metrics are
/// <see cref="SharpnessMetrics"/>.
/// </summary>
public sealed class WorstCaseSharpnessMeasure : ISharpnessMeasure
{
    /// <summary>The measure with c = |w| (<paramref name="adaptive"/>) or c = 1, in the norm <paramref name="norm"/>.</summary>
    public WorstCaseSharpnessMeasure(bool adaptive, PerturbationNorm norm)
    {
        Adaptive = adaptive;
        Norm = norm;
    }

    /// <summary>Whether the set is scaled by |w|.</summary>
    public bool Adaptive { get; }

    /// <summary>The norm p.</summary>
    public PerturbationNorm Norm { get; }

    /// <inheritdoc />
    public string Name => new WorstCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm }.MeasureName;

    /// <summary>
    /// The options <paramref name="settings"/> stand for: ρ, m, batches and steps where given, the seed, and
    /// <see cref="WorstCaseSharpnessOptions"/>' defaults otherwise.
    /// </summary>
    public WorstCaseSharpnessOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new WorstCaseSharpnessOptions { Adaptive = Adaptive, Norm = Norm, Seed = settings.Seed };
        if (settings.Rho is { } rho) options.Rho = rho;
        if (settings.BatchSize is { } m) options.BatchSize = m;
        if (settings.Batches is { } batches) options.Batches = batches;
        if (settings.Steps is { } steps) options.Steps = steps;
        return options;
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings) =>
        SharpnessMeasureResult.From(WorstCaseSharpness.Estimate(landscape, OptionsFor(settings)));
}
