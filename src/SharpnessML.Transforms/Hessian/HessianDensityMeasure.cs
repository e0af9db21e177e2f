using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-density</c>: the Hessian's spectral density by stochastic Lanczos quadrature
/// (<see cref="HessianMeasures.SpectralDensity"/>); the value is the quadrature's trace estimate. The metrics are
/// <see cref="HessianDensityMetrics"/> (the density reduced to at most 400 windows, readable in JSON and plottable
/// with <c>sharpnessml score --density-plot</c>).
/// </summary>
public sealed class HessianDensityMeasure : ISharpnessMeasure
{
    /// <inheritdoc />
    public string Name => "hessian-density";

    /// <summary>The options <paramref name="settings"/> stand for: <see cref="SpectralDensityOptions"/>' defaults with the settings' seed.</summary>
    public SpectralDensityOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SpectralDensityOptions { Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        var metrics = new HessianDensityMetrics(HessianMeasures.SpectralDensity(landscape, OptionsFor(settings)));
        return new MeasureResult(Name, metrics.Trace, null, metrics);
    }
}
