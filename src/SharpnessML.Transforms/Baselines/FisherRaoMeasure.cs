using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// The Fisher-Rao norm by name, <c>fisher-rao</c> (<see cref="FisherRaoNorm"/>), with its defaults and the
/// settings' seed. The metrics are <see cref="FisherRaoMetrics"/>.
/// </summary>
public sealed class FisherRaoMeasure : ISharpnessMeasure
{
    /// <inheritdoc />
    public string Name => "fisher-rao";

    /// <summary>The options <paramref name="settings"/> stand for: the defaults of <see cref="FisherRaoNormOptions"/> with the settings' seed.</summary>
    public FisherRaoNormOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new FisherRaoNormOptions { Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        var metrics = FisherRaoNorm.Compute(landscape, OptionsFor(settings));
        return new MeasureResult(Name, metrics.Value, metrics.StandardError, metrics);
    }
}
