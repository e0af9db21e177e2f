using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// PAC-Bayes flatness by name (<see cref="PacBayesFlatness"/>): <c>pac-bayes</c> (magnitude-aware noise) and
/// <c>pac-bayes-plain</c>, with the paper's defaults and the settings' seed (ρ, m, batches and steps do not apply).
/// The value is 1/σ²; the metrics are <see cref="PacBayesMetrics"/>.
/// </summary>
/// <param name="magnitudeAware">Magnitude-aware noise (<c>pac-bayes</c>) or plain noise (<c>pac-bayes-plain</c>).</param>
public sealed class PacBayesMeasure(bool magnitudeAware) : SharpnessMeasure<PacBayesFlatnessOptions, PacBayesMetrics>
{
    /// <summary>Whether the noise is magnitude-aware.</summary>
    public bool MagnitudeAware { get; } = magnitudeAware;

    /// <inheritdoc />
    public override string Name => new PacBayesFlatnessOptions { MagnitudeAware = MagnitudeAware }.MeasureName;

    /// <summary>The defaults of <see cref="PacBayesFlatnessOptions"/> with the settings' seed.</summary>
    public override PacBayesFlatnessOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PacBayesFlatnessOptions { MagnitudeAware = MagnitudeAware, Seed = settings.Seed };
    }

    /// <inheritdoc />
    public override PacBayesMetrics Compute(LossLandscape landscape, PacBayesFlatnessOptions options) => PacBayesFlatness.Estimate(landscape, options);

    /// <summary>1/σ², without a standard error (the search is deterministic given the seed).</summary>
    protected override (double Value, double? StandardError) Summarize(PacBayesMetrics metrics) => (metrics.Flatness, null);
}
