using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-diag-sqrt-trace</c> (tr(diag(H)^½), what Adam reduces) or <c>hessian-diag-sum-squares</c> (Σ H_ii²),
/// from the Hessian diagonal (<see cref="HessianMeasures.Diagonal"/>). The metrics are <see cref="HessianDiagonalMetrics"/>.
/// </summary>
public sealed class HessianDiagonalMeasure : ISharpnessMeasure
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
    public string Name => Quantity == DiagonalSharpness.SqrtTrace ? "hessian-diag-sqrt-trace" : "hessian-diag-sum-squares";

    /// <summary>The options <paramref name="settings"/> stand for: <see cref="DiagonalOptions"/>' defaults with the settings' seed.</summary>
    public DiagonalOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new DiagonalOptions { Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        var metrics = new HessianDiagonalMetrics(Quantity, HessianMeasures.Diagonal(landscape, OptionsFor(settings)));
        return new MeasureResult(Name, metrics.Value, null, metrics);
    }
}
