using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// PAC-Bayes flatness by name (<see cref="PacBayesFlatness"/>): <c>pac-bayes</c> (magnitude-aware noise) and
/// <c>pac-bayes-plain</c>, with the paper's defaults and the settings' seed (ρ, batches and steps do not apply).
/// The value is 1/σ²; the metrics are <see cref="PacBayesMetrics"/>.
/// </summary>
public sealed class PacBayesMeasure : ISharpnessMeasure
{
    /// <summary>The measure with magnitude-aware noise (<c>pac-bayes</c>) or plain noise (<c>pac-bayes-plain</c>).</summary>
    public PacBayesMeasure(bool magnitudeAware) => MagnitudeAware = magnitudeAware;

    /// <summary>Whether the noise is magnitude-aware.</summary>
    public bool MagnitudeAware { get; }

    /// <inheritdoc />
    public string Name => new PacBayesFlatnessOptions { MagnitudeAware = MagnitudeAware }.MeasureName;

    /// <summary>The options <paramref name="settings"/> stand for: the defaults of <see cref="PacBayesFlatnessOptions"/> with the settings' seed.</summary>
    public PacBayesFlatnessOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PacBayesFlatnessOptions { MagnitudeAware = MagnitudeAware, Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        var metrics = PacBayesFlatness.Estimate(landscape, OptionsFor(settings));
        return new MeasureResult(metrics.Measure, metrics.Flatness, null, metrics);
    }
}
