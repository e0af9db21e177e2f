using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Settings of <see cref="Lanczos"/>.</summary>
public sealed class LanczosOptions : HessianOptions
{
    /// <summary>Number of largest eigenvalues wanted. Default 1 (PyHessian's <c>top_n = 1</c>).</summary>
    public int Count { get; set; } = 1;

    /// <summary>Maximum Lanczos steps (= Hessian-vector products). Default 100 (PyHessian's <c>maxIter = 100</c>).</summary>
    public int MaxIterations { get; set; } = 100;

    /// <summary>Relative residual tolerance for every returned Ritz value. Default 1e-3 (PyHessian's <c>tol = 1e-3</c>).</summary>
    public double Tolerance { get; set; } = 1e-3;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Count < 1) throw new ArgumentOutOfRangeException(nameof(Count), Count, "Count must be at least 1.");
        if (MaxIterations < Count) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, $"MaxIterations must be at least Count ({Count}).");
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be ≥ 0.");
    }
}

/// <summary>
/// Largest (algebraic) eigenvalues by the Lanczos method with full reorthogonalisation. After each
/// step the tridiagonal T_m is diagonalised (MathNet); Ritz value θ_i has residual
/// ‖Aŷ_i − θ_iŷ_i‖ = β_m|s_{m,i}|, so an eigenvalue lies within that distance of θ_i. The run stops
/// when every wanted Ritz value has β_m|s_{m,i}| ≤ tol·|θ_i|, when the Krylov space spans the
/// whole space, or after <see cref="LanczosOptions.MaxIterations"/> steps. The start vector is
/// Gaussian, seeded by <see cref="HessianOptions.Seed"/>. When the Krylov space becomes invariant
/// (exactly repeated eigenvalues, or a low-rank Hessian), the process restarts from a random vector
/// orthogonal to it and stops once such a probe of the complement leaves the top values unchanged,
/// so repeated eigenvalues are found with their multiplicity.
/// </summary>
public static class Lanczos
{
    /// <summary>The <see cref="LanczosOptions.Count"/> largest eigenvalues of <paramref name="op"/>.</summary>
    public static EigenvalueResult TopEigenvalues(ILinearOperator op, LanczosOptions? options = null) => Run(op, options, vectors: false).Result;

    /// <summary>
    /// The <see cref="LanczosOptions.Count"/> largest eigenvalues of <paramref name="op"/> and their Ritz vectors (unit
    /// float64 vectors of <see cref="ILinearOperator.Dimension"/> entries, in the caller's dispose scope), e.g. as the
    /// directions of a loss-surface plot.
    /// </summary>
    internal static (EigenvalueResult Result, Tensor[] Vectors) TopEigenpairs(ILinearOperator op, LanczosOptions? options = null)
    {
        var (result, vectors) = Run(op, options, vectors: true);
        return (result, vectors!);
    }

    private static (EigenvalueResult Result, Tensor[]? Vectors) Run(ILinearOperator op, LanczosOptions? options, bool vectors)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new LanczosOptions();
        options.Validate();
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator((ulong)options.Seed);
        int wanted = (int)Math.Min(options.Count, op.Dimension);
        long maxSteps = Math.Min(options.MaxIterations, op.Dimension);
        using var process = new LanczosProcess(op, FlatVectors.Gaussian(op, generator), generator, restartOnBreakdown: true);
        double[] top = Array.Empty<double>();
        double achieved = double.PositiveInfinity;
        bool converged = false;
        while (process.Steps < maxSteps && process.Step())
        {
            if (process.Steps < wanted) continue;
            var (values, last, _) = process.RitzValues();
            top = values.Take(wanted).ToArray();
            if (process.Steps >= op.Dimension)
            {
                achieved = 0; // the whole space is spanned: the Ritz values are the eigenvalues
                converged = true;
                break;
            }
            if (process.AtBreakdown)
            {
                // An invariant Krylov space: its Ritz values are exact, but a larger eigenvalue (or a
                // second copy of a repeated one) may lie outside it. Accept only once a block started
                // from a fresh random vector (a probe of the complement) leaves the top values unchanged.
                achieved = 0;
                if (process.BlockStart >= wanted && Same(process.RitzValues(process.BlockStart).Values, top))
                {
                    converged = true;
                    break;
                }
                continue;
            }
            double scale = values.Max(Math.Abs);
            achieved = 0;
            for (int i = 0; i < wanted; i++)
            {
                double bound = process.LastResidualNorm * Math.Abs(last[i]);
                double denominator = Math.Max(Math.Abs(values[i]), 1e-12 * scale);
                achieved = Math.Max(achieved, denominator > 0 ? bound / denominator : 0);
            }
            if (achieved <= options.Tolerance)
            {
                converged = true;
                break;
            }
        }
        if (process.Exhausted && process.Steps >= wanted)
        {
            // No vector orthogonal to the basis is left: the whole space is spanned.
            top = process.RitzValues().Values.Take(wanted).ToArray();
            achieved = 0;
            converged = true;
        }
        var result = new EigenvalueResult(top, process.Steps, process.Steps, achieved, converged);
        if (!vectors) return (result, null);
        var ritz = process.RitzVectors(top.Length);
        foreach (var v in ritz) v.MoveToOuterDisposeScope();
        return (result, ritz);
    }

    /// <summary>Whether the leading values of <paramref name="earlier"/> equal <paramref name="top"/> up to round-off.</summary>
    private static bool Same(double[] earlier, double[] top)
    {
        if (earlier.Length < top.Length) return false;
        double scale = top.Max(Math.Abs);
        for (int i = 0; i < top.Length; i++)
            if (Math.Abs(earlier[i] - top[i]) > 1e-10 * scale) return false;
        return true;
    }
}
