using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-top-eigenvalues</c>: the <see cref="TopCount"/> largest Hessian eigenvalues by Lanczos
/// (<see cref="HessianMeasures.TopEigenvalues"/>); the value is λ_max. The metrics are <see cref="EigenvalueResult"/>.
/// </summary>
public sealed class HessianTopEigenvaluesMeasure : HessianSharpnessMeasure<LanczosOptions, EigenvalueResult>
{
    /// <summary>The number of top eigenvalues reported (fewer when the model has fewer parameters).</summary>
    public const int TopCount = 5;

    /// <inheritdoc />
    public override string Name => "hessian-top-eigenvalues";

    /// <summary>
    /// <see cref="LanczosOptions"/>' defaults for the top <see cref="MeasureSettings.Eigenvalues"/> eigenvalues
    /// (<see cref="TopCount"/> when not given; no more than the landscape has parameters), with the settings that apply.
    /// </summary>
    public override LanczosOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        var options = base.OptionsFor(settings, landscape);
        options.Count = (int)Math.Min(settings.Eigenvalues ?? TopCount, landscape?.ParameterCount ?? long.MaxValue);
        return options;
    }

    /// <inheritdoc />
    public override EigenvalueResult Compute(LossLandscape landscape, LanczosOptions options) => HessianMeasures.TopEigenvalues(landscape, options);

    /// <summary>The value without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(EigenvalueResult metrics) => (metrics.TopEigenvalue, null);
}
