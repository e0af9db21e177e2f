using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Top eigenvalues of a Hessian (or any symmetric operator); the metrics of <c>hessian-top-eigenvalues</c>.</summary>
/// <remarks>
/// Lanczos: after m steps with tridiagonal T_m = S Θ Sᵀ, each Ritz value θ_i lies within β_m |s_{m,i}| of an
/// eigenvalue; <see cref="AchievedTolerance"/> is max_i β_m |s_{m,i}| / |θ_i| over the returned values. Power
/// iteration: the largest relative change of the Rayleigh quotient vᵀHv in the last step (PyHessian's criterion).
/// </remarks>
public sealed class EigenvalueResult : IMeasureMetrics
{
    internal EigenvalueResult(double[] eigenvalues, int iterations, long hessianVectorProducts, double achievedTolerance, bool converged)
    {
        Eigenvalues = eigenvalues;
        Iterations = iterations;
        HessianVectorProducts = hessianVectorProducts;
        AchievedTolerance = achievedTolerance;
        Converged = converged;
    }

    /// <summary>Eigenvalue estimates, largest first.</summary>
    public double[] Eigenvalues { get; }

    /// <summary>Iterations run: Lanczos steps, or power-iteration steps summed over all eigenvalues.</summary>
    public int Iterations { get; }

    /// <summary>Products with the operator used.</summary>
    public long HessianVectorProducts { get; }

    /// <summary>
    /// Lanczos: the largest relative residual bound over the returned Ritz values (each lies within that relative
    /// distance of a true eigenvalue). Power iteration: the largest relative change of the Rayleigh quotient in the last step.
    /// </summary>
    public double AchievedTolerance { get; }

    /// <summary>Whether the tolerance was met (or the whole space was spanned) before the iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>The largest eigenvalue estimate.</summary>
    public double TopEigenvalue => Eigenvalues[0];

    /// <summary>How the products were taken (see <see cref="HessianProductPlan"/>); null when the operator was not a network's Hessian.</summary>
    public HessianProductPlan? ProductPlan { get; internal set; }

    /// <summary><c>eigenvalues</c>, <c>iterations</c>, <c>hvps</c>, <c>achieved_tolerance</c> and <c>converged</c>, then <c>hvp_graph</c> when known.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details()
    {
        var details = new List<KeyValuePair<string, object>>
        {
            new("eigenvalues", Eigenvalues.ToArray()), new("iterations", Iterations), new("hvps", HessianVectorProducts),
            new("achieved_tolerance", AchievedTolerance), new("converged", Converged),
        };
        HessianProductPlan.AddTo(details, ProductPlan);
        return details;
    }
}

/// <summary>How a <see cref="TraceResult"/> was computed.</summary>
public enum TraceMethod
{
    /// <summary>Exactly: Σ_i e_iᵀHe_i, one product per parameter.</summary>
    Exact,

    /// <summary>Hutchinson's estimator with Rademacher vectors.</summary>
    Hutchinson,

    /// <summary>Hutch++ (a sketched top subspace, Hutchinson on the rest).</summary>
    HutchPlusPlus,
}

/// <summary>A trace of the Hessian; the metrics of <c>hessian-trace</c> and <c>hessian-trace-hutchpp</c>.</summary>
/// <remarks>
/// Hutchinson: tr(H) ≈ (1/s) Σ_k z_kᵀHz_k over s Rademacher vectors z_k, with standard error the sample standard
/// deviation of the quadratic forms over √s. Hutch++: tr(QᵀHQ) for a sketch Q of the top subspace plus Hutchinson on
/// (I − QQᵀ)H(I − QQᵀ), with the standard error of that stochastic part (conditional on the sketch).
/// </remarks>
public sealed class TraceResult : IMeasureMetrics
{
    internal TraceResult(double value, double? standardError, int samples, long hessianVectorProducts, TraceMethod method)
    {
        Value = value;
        StandardError = standardError;
        Samples = samples;
        HessianVectorProducts = hessianVectorProducts;
        Method = method;
    }

    /// <summary>The estimate of tr(H).</summary>
    public double Value { get; }

    /// <summary>
    /// Standard error of <see cref="Value"/>: sample standard deviation of the random quadratic forms over √samples
    /// (for Hutch++, of its stochastic residual part). Null with fewer than two samples and for
    /// <see cref="TraceMethod.Exact"/>; 0 when Hutch++'s sketch spans the whole space.
    /// </summary>
    public double? StandardError { get; }

    /// <summary>Random vectors in the stochastic part (0 when exact).</summary>
    public int Samples { get; }

    /// <summary>Products with the operator used.</summary>
    public long HessianVectorProducts { get; }

    /// <summary>How the trace was computed.</summary>
    public TraceMethod Method { get; }

    /// <summary>
    /// The achieved relative standard error <see cref="StandardError"/> / |<see cref="Value"/>|, what a tolerance is
    /// compared with; null when there is no standard error or the estimate is 0.
    /// </summary>
    public double? RelativeStandardError => StandardError is { } se && Value != 0 ? se / Math.Abs(Value) : null;

    /// <summary>How the products were taken (see <see cref="HessianProductPlan"/>); null when the operator was not a network's Hessian.</summary>
    public HessianProductPlan? ProductPlan { get; internal set; }

    /// <summary>
    /// Exact: <c>method</c> (<c>exact (dense Hessian)</c>) and <c>hvps</c>; Hutchinson: <c>method</c>
    /// (<c>Hutchinson (Rademacher)</c>), <c>samples</c>, <c>hvps</c> and <c>relative_stderr</c>; Hutch++: <c>samples</c>,
    /// <c>hvps</c> and <c>relative_stderr</c> (when there is one); then the product plan's <c>hvp_graph</c> when known.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details()
    {
        var details = new List<KeyValuePair<string, object>>();
        if (Method == TraceMethod.Exact) details.Add(new("method", "exact (dense Hessian)"));
        if (Method == TraceMethod.Hutchinson) details.Add(new("method", "Hutchinson (Rademacher)"));
        if (Method != TraceMethod.Exact) details.Add(new("samples", Samples));
        details.Add(new("hvps", HessianVectorProducts));
        if (RelativeStandardError is { } relative) details.Add(new("relative_stderr", relative));
        HessianProductPlan.AddTo(details, ProductPlan);
        return details;
    }
}

/// <summary>
/// The Hessian diagonal estimated as the mean of z ⊙ Hz over Rademacher vectors z (Bekas, Kokiopoulou
/// and Saad 2007), and the sharpness quantities built on it.
/// </summary>
/// <remarks>
/// Ĥ_ii = (1/s) Σ_k z_{k,i} (Hz_k)_i over s Rademacher vectors; SE_i is the sample standard deviation of the
/// s terms over √s. <see cref="SqrtTrace"/> = Σ_i √max(Ĥ_ii, 0); <see cref="SumOfSquares"/> = Σ_i (Ĥ_ii² − SE_i²).
/// </remarks>
public sealed class DiagonalResult
{
    internal DiagonalResult(double[] diagonal, double[] standardErrors, double sqrtTrace, int negativeCount, double sumOfSquares, int samples, long hessianVectorProducts,
        double? relativeStandardError = null)
    {
        RelativeStandardError = relativeStandardError;
        Diagonal = diagonal;
        StandardErrors = standardErrors;
        SqrtTrace = sqrtTrace;
        NegativeCount = negativeCount;
        SumOfSquares = sumOfSquares;
        Samples = samples;
        HessianVectorProducts = hessianVectorProducts;
    }

    /// <summary>Estimated H_ii, parameters in order, flattened.</summary>
    public double[] Diagonal { get; }

    /// <summary>Per-entry standard errors (sample standard deviation over √samples); 0 where the estimate is exact.</summary>
    public double[] StandardErrors { get; }

    /// <summary>
    /// tr(diag(H)^{1/2}) = Σ_i √max(Ĥ_ii, 0), the sharpness Adam reduces (Li, Wen &amp; Lyu 2025, "Adam
    /// Reduces a Unique Form of Sharpness"). Negative estimates (noise, or genuinely negative curvature
    /// away from a minimum) are clamped at 0; <see cref="NegativeCount"/> says how many.
    /// </summary>
    public double SqrtTrace { get; }

    /// <summary>Number of negative diagonal estimates clamped in <see cref="SqrtTrace"/>.</summary>
    public int NegativeCount { get; }

    /// <summary>
    /// Σ_i H_ii², bias-corrected: Σ_i (Ĥ_ii² − SE_i²), because E[Ĥ_ii²] = H_ii² + Var(Ĥ_ii) and SE_i² is
    /// an unbiased estimate of that variance.
    /// </summary>
    public double SumOfSquares { get; }

    /// <summary>Rademacher vectors used.</summary>
    public int Samples { get; }

    /// <summary>Products with the operator used.</summary>
    public long HessianVectorProducts { get; }

    /// <summary>
    /// The achieved relative standard error of the whole diagonal, ‖SE‖₂ / ‖Ĥ_diag‖₂ = √(Σ SE_i²) / √(Σ Ĥ_ii²), what
    /// <see cref="DiagonalOptions.Tolerance"/> is compared with; null when the estimate is all zeros.
    /// </summary>
    public double? RelativeStandardError { get; }

    /// <summary>How the products were taken (see <see cref="HessianProductPlan"/>); null when the operator was not a network's Hessian.</summary>
    public HessianProductPlan? ProductPlan { get; internal set; }
}

/// <summary>
/// A Hessian eigenvalue density from stochastic Lanczos quadrature: the raw quadrature (nodes and
/// weights per start vector) and its Gaussian-smoothed density on a grid, ready to plot.
/// </summary>
/// <remarks>
/// With l start vectors, Ritz values θ_{l,j} and weights τ_{l,j}: φ(t) = (1/l) Σ_l Σ_j τ_{l,j} N(t; θ_{l,j}, σ²),
/// normalised on the grid; tr f(H) ≈ n · (1/l) Σ_l Σ_j τ_{l,j} f(θ_{l,j}) (Ubaru, Chen and Saad 2017).
/// </remarks>
public sealed class SpectralDensityResult
{
    internal SpectralDensityResult(double[] grid, double[] density, double[][] nodes, double[][] weights, long dimension, double smoothingVariance, long hessianVectorProducts)
    {
        TraceStandardError = TraceStandardErrorOf(nodes, weights, dimension);
        Grid = grid;
        Density = density;
        Nodes = nodes;
        Weights = weights;
        Dimension = dimension;
        SmoothingVariance = smoothingVariance;
        HessianVectorProducts = hessianVectorProducts;
    }

    /// <summary>Eigenvalue grid, increasing.</summary>
    public double[] Grid { get; }

    /// <summary>Smoothed density at each grid point; integrates to 1 over the grid (trapezoid rule).</summary>
    public double[] Density { get; }

    /// <summary>Per start vector, the Ritz values θ_j (quadrature nodes), largest first.</summary>
    public double[][] Nodes { get; }

    /// <summary>Per start vector, the weights τ_j (squared first components of T's eigenvectors), summing to 1.</summary>
    public double[][] Weights { get; }

    /// <summary>Dimension n of the operator (number of parameters).</summary>
    public long Dimension { get; }

    /// <summary>Variance σ² of the Gaussian kernel used for <see cref="Density"/>.</summary>
    public double SmoothingVariance { get; }

    /// <summary>Products with the operator used.</summary>
    public long HessianVectorProducts { get; }

    /// <summary>
    /// Estimate of the spectral sum tr f(H) = Σ_i f(λ_i) as n · mean over start vectors of
    /// Σ_j τ_j f(θ_j) (Ubaru, Chen and Saad 2017).
    /// </summary>
    public double SpectralSum(Func<double, double> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        double total = 0;
        for (int l = 0; l < Nodes.Length; l++)
            for (int j = 0; j < Nodes[l].Length; j++) total += Weights[l][j] * f(Nodes[l][j]);
        return Dimension * total / Nodes.Length;
    }

    /// <summary>Estimate of tr(H) from the quadrature.</summary>
    public double Trace => SpectralSum(x => x);

    /// <summary>
    /// Standard error of <see cref="Trace"/> over the start vectors: each vector's n·Σ_j τ_j θ_j is an independent
    /// Hutchinson-like sample of tr(H) (vᵀHv·n/‖v‖² for a Rademacher v), so the error is their sample standard deviation
    /// over √l; null with one start vector.
    /// </summary>
    public double? TraceStandardError { get; }

    /// <summary>
    /// The achieved relative standard error <see cref="TraceStandardError"/> / |<see cref="Trace"/>|, what
    /// <see cref="SpectralDensityOptions.Tolerance"/> is compared with; null with one start vector or a zero trace.
    /// </summary>
    public double? RelativeStandardError => TraceStandardError is { } se && Trace != 0 ? se / Math.Abs(Trace) : null;

    /// <summary>How the products were taken (see <see cref="HessianProductPlan"/>); null when the operator was not a network's Hessian.</summary>
    public HessianProductPlan? ProductPlan { get; internal set; }

    /// <summary>n·Σ_j τ_j θ_j of one start vector's quadrature: its sample of tr(H).</summary>
    internal static double TraceSample(double[] nodes, double[] weights, long dimension)
    {
        double sum = 0;
        for (int j = 0; j < nodes.Length; j++) sum += weights[j] * nodes[j];
        return dimension * sum;
    }

    private static double? TraceStandardErrorOf(double[][] nodes, double[][] weights, long dimension)
    {
        var stats = new RunningMoments();
        for (int l = 0; l < nodes.Length; l++) stats.Add(TraceSample(nodes[l], weights[l], dimension));
        return stats.StandardError;
    }
}

/// <summary>Rényi sharpness: the negative Rényi entropy of the normalised positive Hessian spectrum; the metrics of <c>renyi</c>.</summary>
/// <remarks>−H_α(p) = −(1/(1 − α)) log Σ_i p_i^α with p_i = λ_i⁺ / Σ_j λ_j⁺.</remarks>
public sealed class RenyiSharpnessResult : IMeasureMetrics
{
    internal RenyiSharpnessResult(double value, double alpha, bool exact, long hessianVectorProducts)
    {
        Value = value;
        Alpha = alpha;
        Exact = exact;
        HessianVectorProducts = hessianVectorProducts;
    }

    /// <summary>−H_α(p), with p_i = λ_i⁺ / Σ_j λ_j⁺; larger means the curvature is concentrated in fewer directions.</summary>
    public double Value { get; }

    /// <summary>The order α.</summary>
    public double Alpha { get; }

    /// <summary>True when computed from the full dense spectrum; false when from stochastic Lanczos quadrature.</summary>
    public bool Exact { get; }

    /// <summary>Products with the operator used.</summary>
    public long HessianVectorProducts { get; }

    /// <summary><c>alpha</c>, <c>exact</c> and <c>hvps</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("alpha", Alpha), new("exact", Exact), new("hvps", HessianVectorProducts),
    };
}

/// <summary>The Hessian block of one parameter tensor (the others held fixed).</summary>
/// <remarks>
/// For a tensor θ_l with the other parameters fixed, the block is H_ll = ∂²L/∂θ_l²; its trace is Σ_i e_iᵀH_ll e_i
/// (exact) or Hutchinson's (1/s) Σ_k z_kᵀH_ll z_k, and its top eigenvalue comes from Lanczos on H_ll.
/// </remarks>
public sealed class LayerHessianResult
{
    internal LayerHessianResult(string name, long parameterCount, double topEigenvalue, double trace, double? traceStandardError, bool converged, long hessianVectorProducts)
    {
        Name = name;
        ParameterCount = parameterCount;
        TopEigenvalue = topEigenvalue;
        Trace = trace;
        TraceStandardError = traceStandardError;
        Converged = converged;
        HessianVectorProducts = hessianVectorProducts;
    }

    /// <summary>The parameter's name in the module (e.g. <c>layers.0.weight</c>), or <c>parameter{i}</c> when it has none.</summary>
    public string Name { get; }

    /// <summary>Entries in the tensor.</summary>
    public long ParameterCount { get; }

    /// <summary>Largest eigenvalue of the block (Lanczos).</summary>
    public double TopEigenvalue { get; }

    /// <summary>Trace of the block: exact for tensors with no more entries than the sample budget, Hutchinson otherwise.</summary>
    public double Trace { get; }

    /// <summary>Standard error of <see cref="Trace"/>: null when exact or from a single sample.</summary>
    public double? TraceStandardError { get; }

    /// <summary>Whether the eigenvalue met its tolerance.</summary>
    public bool Converged { get; }

    /// <summary>Products used for this tensor.</summary>
    public long HessianVectorProducts { get; }
}
