using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>renyi</c>: the negative Rényi entropy of order 2 of the positive Hessian spectrum
/// (<see cref="HessianMeasures.RenyiSharpness"/>). The metrics are <see cref="RenyiSharpnessResult"/>.
/// </summary>
public sealed class RenyiSharpnessMeasure : HessianSharpnessMeasure<RenyiSharpnessOptions, RenyiSharpnessResult>
{
    /// <inheritdoc />
    public override string Name => "renyi";

    /// <inheritdoc />
    public override RenyiSharpnessResult Compute(LossLandscape landscape, RenyiSharpnessOptions options) => HessianMeasures.RenyiSharpness(landscape, options);

    /// <summary>The value without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(RenyiSharpnessResult metrics) => (metrics.Value, null);
}
