using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>renyi</c>: the negative Rényi entropy of order 2 of the positive Hessian spectrum
/// (<see cref="HessianMeasures.RenyiSharpness"/>). The metrics are <see cref="RenyiSharpnessResult"/>.
/// </summary>
public sealed class RenyiSharpnessMeasure : ISharpnessMeasure
{
    /// <inheritdoc />
    public string Name => "renyi";

    /// <summary>The options <paramref name="settings"/> stand for: <see cref="RenyiSharpnessOptions"/>' defaults with the settings' seed.</summary>
    public RenyiSharpnessOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RenyiSharpnessOptions { Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        var metrics = HessianMeasures.RenyiSharpness(landscape, OptionsFor(settings));
        return new MeasureResult(Name, metrics.Value, null, metrics);
    }
}
