using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// The trace of a GGN or Fisher matrix (<see cref="CurvatureMeasures.Trace"/>); the metrics of <c>ggn-trace</c>,
/// <c>fisher-trace</c> and <c>empirical-fisher-trace</c>.
/// </summary>
/// <remarks>
/// Exact: Σ_i e_iᵀCe_i from the dense matrix. Hutchinson: (1/s) Σ_k z_kᵀCz_k over s Rademacher vectors, with the
/// standard error of that mean. For the Monte-Carlo Fisher the value is that of the sampled matrix: the randomness of
/// the sampled labels is not in the standard error.
/// </remarks>
public sealed class CurvatureTraceMetrics : IMeasureMetrics
{
    internal CurvatureTraceMetrics(CurvatureKind kind, double value, double? standardError, int samples, long products, TraceMethod method)
    {
        Kind = kind;
        Value = value;
        StandardError = standardError;
        Samples = samples;
        Products = products;
        Method = method;
    }

    /// <summary>Which matrix.</summary>
    public CurvatureKind Kind { get; }

    /// <summary>The trace (estimate).</summary>
    public double Value { get; }

    /// <summary>Hutchinson's standard error; null when exact or with fewer than two samples.</summary>
    public double? StandardError { get; }

    /// <summary>Random vectors used (0 when exact).</summary>
    public int Samples { get; }

    /// <summary>Matrix-vector products used.</summary>
    public long Products { get; }

    /// <summary><see cref="TraceMethod.Exact"/> or <see cref="TraceMethod.Hutchinson"/>.</summary>
    public TraceMethod Method { get; }

    /// <summary><c>matrix</c>, <c>method</c> (<c>exact (dense)</c> or <c>Hutchinson (Rademacher)</c>), <c>samples</c> and <c>products</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("matrix", CurvatureOperator.Describe(Kind)), new("method", Method == TraceMethod.Exact ? "exact (dense)" : "Hutchinson (Rademacher)"),
        new("samples", Samples), new("products", Products),
    };
}
