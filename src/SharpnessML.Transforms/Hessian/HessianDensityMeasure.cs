using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-density</c>: the Hessian's spectral density by stochastic Lanczos quadrature
/// (<see cref="HessianMeasures.SpectralDensity"/>); the value is the quadrature's trace estimate. The metrics are
/// <see cref="HessianDensityMetrics"/> (the density reduced to at most 400 windows, readable in JSON and plottable
/// with <c>sharpnessml score --density-plot</c>).
/// </summary>
public sealed class HessianDensityMeasure : HessianSharpnessMeasure<SpectralDensityOptions, HessianDensityMetrics>
{
    /// <inheritdoc />
    public override string Name => "hessian-density";

    /// <inheritdoc />
    public override HessianDensityMetrics Compute(LossLandscape landscape, SpectralDensityOptions options) =>
        new(HessianMeasures.SpectralDensity(landscape, options));

    /// <summary>The value without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(HessianDensityMetrics metrics) => (metrics.Trace, null);
}
