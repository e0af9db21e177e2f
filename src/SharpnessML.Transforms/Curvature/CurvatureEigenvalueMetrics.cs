using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;

namespace SharpnessML.Transforms.Curvature;

/// <summary>The top eigenvalues of a GGN or Fisher matrix by Lanczos (<see cref="CurvatureMeasures.TopEigenvalues"/>); the metrics of <c>ggn-top-eigenvalues</c>.</summary>
public sealed class CurvatureEigenvalueMetrics : IMeasureMetrics
{
    internal CurvatureEigenvalueMetrics(CurvatureKind kind, EigenvalueResult lanczos)
    {
        Kind = kind;
        Lanczos = lanczos;
    }

    /// <summary>Which matrix.</summary>
    public CurvatureKind Kind { get; }

    /// <summary>Lanczos' result: the eigenvalues, largest first, its steps, products and tolerance.</summary>
    public EigenvalueResult Lanczos { get; }

    /// <summary>The largest eigenvalue.</summary>
    public double TopEigenvalue => Lanczos.TopEigenvalue;

    /// <summary><c>matrix</c>, then Lanczos' <c>eigenvalues</c>, <c>iterations</c>, <c>hvps</c> (products), <c>achieved_tolerance</c> and <c>converged</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() =>
        new[] { new KeyValuePair<string, object>("matrix", CurvatureOperator.Describe(Kind)) }.Concat(Lanczos.Details()).ToList();
}
