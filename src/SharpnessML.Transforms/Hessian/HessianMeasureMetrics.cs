using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Which sharpness a <see cref="HessianDiagonalMeasure"/> reports from the Hessian diagonal.</summary>
public enum DiagonalSharpness
{
    /// <summary><c>hessian-diag-sqrt-trace</c>: tr(diag(H)^½) = Σ_i √max(H_ii, 0).</summary>
    SqrtTrace,

    /// <summary><c>hessian-diag-sum-squares</c>: Σ_i H_ii², bias-corrected.</summary>
    SumOfSquares,
}

/// <summary>
/// A sharpness of the Hessian diagonal; the metrics of <c>hessian-diag-sqrt-trace</c> and
/// <c>hessian-diag-sum-squares</c>. The diagonal itself, its standard errors and both sharpnesses are in
/// <see cref="Estimate"/>.
/// </summary>
/// <remarks>
/// <see cref="DiagonalSharpness.SqrtTrace"/>: Σ_i √max(Ĥ_ii, 0); <see cref="DiagonalSharpness.SumOfSquares"/>:
/// Σ_i (Ĥ_ii² − SE_i²). Reported without a standard error.
/// </remarks>
public sealed class HessianDiagonalMetrics : IMeasureMetrics
{
    internal HessianDiagonalMetrics(DiagonalSharpness quantity, DiagonalResult estimate)
    {
        Quantity = quantity;
        Estimate = estimate;
    }

    /// <summary>Which sharpness is the measure's value.</summary>
    public DiagonalSharpness Quantity { get; }

    /// <summary>The value: <see cref="DiagonalResult.SqrtTrace"/> or <see cref="DiagonalResult.SumOfSquares"/>.</summary>
    public double Value => Quantity == DiagonalSharpness.SqrtTrace ? Estimate.SqrtTrace : Estimate.SumOfSquares;

    /// <summary>The estimated diagonal and both sharpnesses built on it.</summary>
    public DiagonalResult Estimate { get; }

    /// <summary>
    /// <c>negative_entries_clamped</c> (square-root trace only), <c>samples</c>, <c>hvps</c>, <c>relative_stderr</c>
    /// (of the whole diagonal, <see cref="DiagonalResult.RelativeStandardError"/>) and <c>hvp_graph</c> when known.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details()
    {
        var details = new List<KeyValuePair<string, object>>();
        if (Quantity == DiagonalSharpness.SqrtTrace) details.Add(new("negative_entries_clamped", Estimate.NegativeCount));
        details.Add(new("samples", Estimate.Samples));
        details.Add(new("hvps", Estimate.HessianVectorProducts));
        if (Estimate.RelativeStandardError is { } relative) details.Add(new("relative_stderr", relative));
        HessianProductPlan.AddTo(details, Estimate.ProductPlan);
        return details;
    }
}

/// <summary>
/// The Hessian's spectral density by stochastic Lanczos quadrature, reduced for display; the metrics of
/// <c>hessian-density</c>, whose value is the quadrature's trace estimate. The full-resolution density and the raw
/// quadrature are in <see cref="Quadrature"/>.
/// </summary>
/// <remarks>
/// The grid is cut into at most 400 windows of w = ⌈g / 400⌉ consecutive points (g grid points); each window is
/// shown by its centre, grid[⌊(start + end − 1) / 2⌋], and its largest density, so narrow peaks survive.
/// tr(H) ≈ n · (1/l) Σ_l Σ_j τ_{l,j} θ_{l,j} (see <see cref="SpectralDensityResult"/>).
/// </remarks>
public sealed class HessianDensityMetrics : IMeasureMetrics
{
    /// <summary>The most windows the reduced density has.</summary>
    public const int MaxWindows = 400;

    private readonly double[] grid;
    private readonly double[] density;

    internal HessianDensityMetrics(SpectralDensityResult quadrature)
    {
        Quadrature = quadrature;
        var full = quadrature.Grid;
        int window = Math.Max(1, (full.Length + MaxWindows - 1) / MaxWindows);
        var windows = Enumerable.Range(0, (full.Length + window - 1) / window)
            .Select(w => (Start: w * window, End: Math.Min(full.Length, (w + 1) * window))).ToList();
        grid = windows.Select(w => full[(w.Start + w.End - 1) / 2]).ToArray();
        density = windows.Select(w => quadrature.Density[w.Start..w.End].Max()).ToArray();
    }

    /// <summary>The window centres, increasing: at most <see cref="MaxWindows"/> eigenvalues.</summary>
    public IReadOnlyList<double> Grid => grid;

    /// <summary>Each window's largest smoothed density.</summary>
    public IReadOnlyList<double> Density => density;

    /// <summary>The estimate of tr(H) from the quadrature (the measure's value).</summary>
    public double Trace => Quadrature.Trace;

    /// <summary>Number of Lanczos start vectors.</summary>
    public int StartVectors => Quadrature.Nodes.Length;

    /// <summary>Variance σ² of the Gaussian smoothing kernel.</summary>
    public double SmoothingVariance => Quadrature.SmoothingVariance;

    /// <summary>Products with the Hessian used.</summary>
    public long HessianVectorProducts => Quadrature.HessianVectorProducts;

    /// <summary>The full quadrature: nodes, weights and the density on the whole grid.</summary>
    public SpectralDensityResult Quadrature { get; }

    /// <summary>
    /// <c>grid</c>, <c>density</c> (the reduced windows), <c>start_vectors</c>, <c>smoothing_variance</c>, <c>hvps</c>,
    /// <c>relative_stderr</c> (of the trace, with two or more start vectors) and <c>hvp_graph</c> when known.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details()
    {
        var details = new List<KeyValuePair<string, object>>
        {
            new("grid", grid.ToArray()), new("density", density.ToArray()), new("start_vectors", StartVectors),
            new("smoothing_variance", SmoothingVariance), new("hvps", HessianVectorProducts),
        };
        if (Quadrature.RelativeStandardError is { } relative) details.Add(new("relative_stderr", relative));
        HessianProductPlan.AddTo(details, Quadrature.ProductPlan);
        return details;
    }
}
