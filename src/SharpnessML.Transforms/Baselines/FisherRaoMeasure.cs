using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// The Fisher-Rao norm by name, <c>fisher-rao</c> (<see cref="FisherRaoNorm"/>), with its defaults and the
/// settings' seed. The metrics are <see cref="FisherRaoMetrics"/>.
/// </summary>
public sealed class FisherRaoMeasure : SharpnessMeasure<FisherRaoNormOptions, FisherRaoMetrics>
{
    /// <inheritdoc />
    public override string Name => "fisher-rao";

    /// <summary>The defaults of <see cref="FisherRaoNormOptions"/> with the settings' seed.</summary>
    public override FisherRaoNormOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new FisherRaoNormOptions { Seed = settings.Seed };
    }

    /// <inheritdoc />
    public override FisherRaoMetrics Compute(LossLandscape landscape, FisherRaoNormOptions options) => FisherRaoNorm.Compute(landscape, options);

    /// <summary>The norm and, on an example subset, its standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(FisherRaoMetrics metrics) => (metrics.Value, metrics.StandardError);
}
