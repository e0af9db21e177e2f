using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-top-eigenvalues</c>: the <see cref="TopCount"/> largest Hessian eigenvalues by Lanczos
/// (<see cref="HessianMeasures.TopEigenvalues"/>); the value is λ_max. The metrics are <see cref="EigenvalueResult"/>.
/// </summary>
public sealed class HessianTopEigenvaluesMeasure : ISharpnessMeasure
{
    /// <summary>The number of top eigenvalues reported (fewer when the model has fewer parameters).</summary>
    public const int TopCount = 5;

    /// <inheritdoc />
    public string Name => "hessian-top-eigenvalues";

    /// <summary>The options for <paramref name="landscape"/> and <paramref name="settings"/>: <see cref="LanczosOptions"/>' defaults, the top <see cref="TopCount"/>, the settings' seed.</summary>
    public LanczosOptions OptionsFor(LossLandscape landscape, MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(settings);
        return new LanczosOptions { Count = (int)Math.Min(TopCount, landscape.ParameterCount), Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        var metrics = HessianMeasures.TopEigenvalues(landscape, OptionsFor(landscape, settings));
        return new MeasureResult(Name, metrics.TopEigenvalue, null, metrics);
    }
}
