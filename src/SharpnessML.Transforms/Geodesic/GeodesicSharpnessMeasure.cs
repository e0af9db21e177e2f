using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;

namespace SharpnessML.Transforms.Geodesic;

/// <summary>
/// Geodesic sharpness by name, <c>geodesic</c> (<see cref="GeodesicSharpness"/>), on an arbitrary landscape: no
/// symmetry is declared by name, so every parameter uses the adaptive fallback geometry (paper, App. F); declare
/// attention or diagonal symmetries through <see cref="GeodesicSharpness.Estimate(LossLandscape, IReadOnlyList{ISymmetryGeometry}, GeodesicSharpnessOptions)"/>
/// to quotient them out. Its metrics are <see cref="SharpnessMetrics"/>.
/// </summary>
public sealed class GeodesicSharpnessMeasure : ISharpnessMeasure
{
    /// <inheritdoc />
    public string Name => "geodesic";

    /// <summary>
    /// The options <paramref name="settings"/> stand for: ρ, m, batches and steps where given, the seed, and
    /// <see cref="GeodesicSharpnessOptions"/>' defaults otherwise.
    /// </summary>
    public GeodesicSharpnessOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new GeodesicSharpnessOptions { Seed = settings.Seed };
        if (settings.Rho is { } rho) options.Rho = rho;
        if (settings.BatchSize is { } m) options.BatchSize = m;
        if (settings.Batches is { } batches) options.Batches = batches;
        if (settings.Steps is { } steps) options.Steps = steps;
        return options;
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings) =>
        SharpnessMeasureResult.From(GeodesicSharpness.Estimate(landscape, OptionsFor(settings)));
}
