using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// The symmetric Lanczos recurrence with full reorthogonalisation, shared by <see cref="Lanczos"/>
/// (top eigenvalues) and <see cref="StochasticLanczosQuadrature"/> (spectral density). After m
/// steps it holds an orthonormal basis Q_m of the Krylov space and the tridiagonal
/// T_m = Q_mᵀ A Q_m (diagonal α, off-diagonal β), plus the residual norm β_m that bounds how far
/// each Ritz pair is from an eigenpair. Memory: m vectors of <c>Dimension</c> doubles.
/// </summary>
internal sealed class LanczosProcess : IDisposable
{
    private readonly ILinearOperator op;
    private readonly Generator generator;
    private readonly bool restartOnBreakdown;
    private readonly List<Tensor> basis = new();
    private readonly List<double> alpha = new();
    private readonly List<double> beta = new();
    private Tensor? residual;
    private double scale;

    /// <param name="op">The operator.</param>
    /// <param name="start">Start vector (not necessarily normalised); copied.</param>
    /// <param name="generator">Random source for restarts after breakdown.</param>
    /// <param name="restartOnBreakdown">When the Krylov space becomes invariant, continue with a random vector orthogonal to it (coupling β = 0) instead of stopping.</param>
    public LanczosProcess(ILinearOperator op, Tensor start, Generator generator, bool restartOnBreakdown)
    {
        this.op = op;
        this.generator = generator;
        this.restartOnBreakdown = restartOnBreakdown;
        var norm = FlatVectors.Norm(start);
        if (!(norm > 0) || !double.IsFinite(norm)) throw new ArgumentException("The Lanczos start vector must be non-zero and finite.", nameof(start));
        residual = (start / norm).DetachFromDisposeScope();
    }

    /// <summary>Steps taken (= products with the operator = size of T).</summary>
    public int Steps => alpha.Count;

    /// <summary>True when the process cannot continue (invariant subspace without restart, or the whole space spanned).</summary>
    public bool Exhausted { get; private set; }

    /// <summary>
    /// True when the last step's residual vanished (β_m ≈ 0): the Krylov space is invariant and its
    /// Ritz values are exact eigenvalues, but eigenvalues outside it are unseen.
    /// </summary>
    public bool AtBreakdown => beta.Count > 0 && beta[^1] <= BreakdownThreshold * scale;

    /// <summary>Index of the first vector of the current block (0, or the step of the last restart after a breakdown).</summary>
    public int BlockStart { get; private set; }

    private const double BreakdownThreshold = 1e-10;

    /// <summary>β_m = ‖r_m‖, the norm of the residual after the last step.</summary>
    public double LastResidualNorm => beta.Count > 0 ? beta[^1] : double.NaN;

    /// <summary>One Lanczos step: one product with the operator. Returns false (and takes no step) when exhausted.</summary>
    public bool Step()
    {
        if (Exhausted || Steps >= op.Dimension)
        {
            Exhausted = true;
            return false;
        }
        using var scope = torch.NewDisposeScope();
        Tensor q;
        if (Steps == 0)
        {
            q = residual!;
        }
        else if (!AtBreakdown)
        {
            q = residual! / beta[^1];
        }
        else
        {
            // The Krylov space is invariant: its Ritz values are exact eigenvalues.
            if (!restartOnBreakdown) { Exhausted = true; return false; }
            var fresh = FlatVectors.RandomOrthonormal(op, basis, generator);
            if (fresh is null) { Exhausted = true; return false; }
            beta[^1] = 0.0;
            BlockStart = Steps;
            q = fresh;
        }
        var w = op.Multiply(q);
        var a = FlatVectors.Dot(q, w);
        w.sub_(q * a);
        if (Steps > 0 && beta[^1] != 0.0) w.sub_(basis[^1] * beta[^1]);
        basis.Add(q.DetachFromDisposeScope());
        FlatVectors.Orthogonalise(w, basis);
        var b = FlatVectors.Norm(w);
        alpha.Add(a);
        beta.Add(b);
        scale = Math.Max(scale, Math.Max(Math.Abs(a), b));
        if (!ReferenceEquals(residual, q)) residual?.Dispose();
        residual = w.DetachFromDisposeScope();
        return true;
    }

    /// <summary>
    /// Eigen-decomposition of T_m: Ritz values θ in decreasing order, the last components
    /// s_{m,i} of their eigenvectors (residual of pair i = β_m·|s_{m,i}|) and the squared first
    /// components τ_i (Gauss quadrature weights of the start vector's spectral measure).
    /// </summary>
    /// <param name="size">Leading block of T to use; all of it when null.</param>
    public (double[] Values, double[] LastComponents, double[] Weights) RitzValues(int? size = null)
    {
        int m = size ?? Steps;
        if (m == 0) return (Array.Empty<double>(), Array.Empty<double>(), Array.Empty<double>());
        if (m == 1) return (new[] { alpha[0] }, new[] { 1.0 }, new[] { 1.0 }); // MathNet's symmetric EVD fails on 1×1
        if (!alpha.Take(m).All(double.IsFinite) || !beta.Take(m - 1).All(double.IsFinite))
        {
            // A NaN or infinite operator (the Hessian of a network with non-finite weights): MathNet's EVD fails on it.
            var nan = Enumerable.Repeat(double.NaN, m).ToArray();
            return (nan, nan.ToArray(), nan.ToArray());
        }
        var t = Matrix<double>.Build.Dense(m, m);
        for (int i = 0; i < m; i++)
        {
            t[i, i] = alpha[i];
            if (i + 1 < m) t[i, i + 1] = t[i + 1, i] = beta[i];
        }
        var evd = t.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, m).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        var values = order.Select(i => evd.EigenValues[i].Real).ToArray();
        var last = order.Select(i => evd.EigenVectors[m - 1, i]).ToArray();
        var weights = order.Select(i => evd.EigenVectors[0, i] * evd.EigenVectors[0, i]).ToArray();
        return (values, last, weights);
    }

    /// <summary>
    /// The Ritz vectors Q_m y_i of the <paramref name="count"/> largest Ritz values (y_i the eigenvectors of T_m), unit
    /// float64 vectors in the order of <see cref="RitzValues"/>; they approximate the operator's top eigenvectors.
    /// </summary>
    public Tensor[] RitzVectors(int count)
    {
        int m = Steps;
        if (count < 1 || count > m) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be between 1 and the steps taken ({m}).");
        if (m == 1) return new[] { basis[0].clone() };
        var t = Matrix<double>.Build.Dense(m, m);
        for (int i = 0; i < m; i++)
        {
            t[i, i] = alpha[i];
            if (i + 1 < m) t[i, i + 1] = t[i + 1, i] = beta[i];
        }
        var evd = t.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, m).OrderByDescending(i => evd.EigenValues[i].Real).Take(count).ToArray();
        var stacked = torch.stack(basis, 1); // [dimension, m]
        return order.Select(i =>
        {
            var y = torch.tensor(Enumerable.Range(0, m).Select(j => evd.EigenVectors[j, i]).ToArray(), dtype: float64).to(stacked.device);
            var v = stacked.mv(y);
            return v / v.norm();
        }).ToArray();
    }

    /// <summary>Frees the basis and residual.</summary>
    public void Dispose()
    {
        foreach (var q in basis) q.Dispose();
        basis.Clear();
        residual?.Dispose();
        residual = null;
    }
}
