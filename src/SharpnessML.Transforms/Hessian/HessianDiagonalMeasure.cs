using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-diag-sqrt-trace</c> (tr(diag(H)^½), what Adam reduces) or <c>hessian-diag-sum-squares</c> (Σ H_ii²),
/// from the Hessian diagonal (<see cref="HessianMeasures.Diagonal"/>). The metrics are <see cref="HessianDiagonalMetrics"/>.
/// </summary>
public sealed class HessianDiagonalMeasure : HessianSharpnessMeasure<DiagonalOptions, HessianDiagonalMetrics>
{
    /// <summary>The measure that reports <paramref name="quantity"/>.</summary>
    public HessianDiagonalMeasure(DiagonalSharpness quantity)
    {
        if (!Enum.IsDefined(quantity)) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Unknown diagonal sharpness.");
        Quantity = quantity;
    }

    /// <summary>Which sharpness of the diagonal is the value.</summary>
    public DiagonalSharpness Quantity { get; }

    /// <inheritdoc />
    public override string Name => Quantity == DiagonalSharpness.SqrtTrace ? "hessian-diag-sqrt-trace" : "hessian-diag-sum-squares";

    /// <inheritdoc />
    public override HessianDiagonalMetrics Compute(LossLandscape landscape, DiagonalOptions options) =>
        new(Quantity, HessianMeasures.Diagonal(landscape, options));

    /// <summary>The value without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(HessianDiagonalMetrics metrics) => (metrics.Value, null);
}
