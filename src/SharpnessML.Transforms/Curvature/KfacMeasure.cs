using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Curvature;

/// <summary>Which number of <see cref="KfacMetrics"/> a <see cref="KfacMeasure"/> reports.</summary>
public enum KfacQuantity
{
    /// <summary><c>kfac-trace</c>: Σ_l tr(G_l)·tr(A_l).</summary>
    Trace,

    /// <summary><c>kfac-top-eigenvalues</c>: max_l λ_max(G_l)·λ_max(A_l).</summary>
    TopEigenvalue,
}

/// <summary>
/// <c>kfac-trace</c> or <c>kfac-top-eigenvalues</c>: K-FAC's approximation of the Fisher on the landscape's whole data
/// (<see cref="Kfac.Compute"/>, Monte-Carlo labels, one per example), its trace or largest eigenvalue. Takes only the
/// settings' seed. The metrics are <see cref="KfacMetrics"/>.
/// </summary>
public sealed class KfacMeasure : HessianSharpnessMeasure<KfacOptions, KfacMetrics>
{
    /// <summary>The measure that reports <paramref name="quantity"/>.</summary>
    public KfacMeasure(KfacQuantity quantity)
    {
        if (!Enum.IsDefined(quantity)) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Unknown K-FAC quantity.");
        Quantity = quantity;
    }

    /// <summary>The number reported as the value.</summary>
    public KfacQuantity Quantity { get; }

    /// <inheritdoc />
    public override string Name => Quantity == KfacQuantity.Trace ? "kfac-trace" : "kfac-top-eigenvalues";

    /// <inheritdoc />
    public override KfacMetrics Compute(LossLandscape landscape, KfacOptions options) => Kfac.Compute(landscape, options);

    /// <summary>The value without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(KfacMetrics metrics) =>
        (Quantity == KfacQuantity.Trace ? metrics.Trace : metrics.TopEigenvalue, null);
}
