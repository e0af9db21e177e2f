using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;

namespace SharpnessML.Transforms.Geodesic;

/// <summary>
/// Geodesic sharpness by name, <c>geodesic</c> (<see cref="GeodesicSharpness"/>), on an arbitrary landscape: no
/// symmetry is declared by name, so every parameter uses the adaptive fallback geometry (paper, App. F); declare
/// attention or diagonal symmetries through <see cref="GeodesicSharpness.Estimate(LossLandscape, IReadOnlyList{ISymmetryGeometry}, GeodesicSharpnessOptions)"/>
/// to quotient them out. The value is the mean over batches; the metrics are <see cref="SharpnessMetrics"/>.
/// </summary>
public sealed class GeodesicSharpnessMeasure : SharpnessMeasure<GeodesicSharpnessOptions, SharpnessMetrics>
{
    /// <inheritdoc />
    public override string Name => "geodesic";

    /// <summary>ρ, m, batches and steps where given, the seed, and <see cref="GeodesicSharpnessOptions"/>' defaults otherwise.</summary>
    public override GeodesicSharpnessOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new GeodesicSharpnessOptions { Seed = settings.Seed };
        settings.ApplyTo(rho => options.Rho = rho, m => options.BatchSize = m, batches => options.Batches = batches, steps => options.Steps = steps);
        return options;
    }

    /// <inheritdoc />
    public override SharpnessMetrics Compute(LossLandscape landscape, GeodesicSharpnessOptions options) => GeodesicSharpness.Estimate(landscape, options);

    /// <inheritdoc />
    protected override (double Value, double? StandardError) Summarize(SharpnessMetrics metrics) => (metrics.Sharpness, metrics.StandardError);
}
