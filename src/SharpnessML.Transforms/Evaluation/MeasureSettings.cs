namespace SharpnessML.Transforms.Evaluation;

/// <summary>Settings shared by every measure when it is chosen by name.</summary>
/// <param name="Rho">Perturbation radius; each measure's paper default when null.</param>
/// <param name="Seed">Seed of batches, starts and probe vectors.</param>
/// <param name="BatchSize">
/// m of m-sharpness: examples per random batch of the perturbation and geodesic measures; their default (64, seed
/// paper) when null. Hessian measures always use the landscape's whole data.
/// </param>
/// <param name="Batches">Random batches averaged by the perturbation and geodesic measures; their default when null.</param>
/// <param name="Steps">Ascent steps of the worst-case and geodesic measures; their default when null.</param>
/// <param name="Tolerance">
/// Relative standard error at which the stochastic Hessian estimators stop (Hutchinson, Hutch++, the diagonal, SLQ and
/// Rényi through SLQ; their product budget is the maximum); 0 turns early stopping off; each estimator's default when
/// null (1e-3 for Hutchinson, off for the others).
/// </param>
/// <param name="Eigenvalues">Top eigenvalues of the <c>*-top-eigenvalues</c> measures; 5 (or the parameter count, if fewer) when null.</param>
/// <param name="StartVectors">Start vectors of stochastic Lanczos quadrature (<c>hessian-density</c>, <c>renyi</c>); 10 when null.</param>
/// <param name="ChunkSize">Examples per chunk of the Hessian measures' whole-set products; 1024 when null.</param>
/// <param name="MemoryBudgetBytes">
/// Bytes the Hessian measures may keep in retained gradient graphs (see <see cref="Hessian.HessianOptions.MemoryBudgetBytes"/>); 1 GiB when null.
/// </param>
public sealed record MeasureSettings(double? Rho = null, int Seed = 0, int? BatchSize = null, int? Batches = null, int? Steps = null,
    double? Tolerance = null, int? Eigenvalues = null, int? StartVectors = null, int? ChunkSize = null, long? MemoryBudgetBytes = null)
{
    /// <summary>
    /// Hands each setting that is given to its setter in a measure's options (ρ, m, batches, and steps when the
    /// measure has them); settings that are null keep the options' defaults.
    /// </summary>
    internal void ApplyTo(Action<double> rho, Action<int> batchSize, Action<int> batches, Action<int>? steps = null)
    {
        if (Rho is { } r) rho(r);
        if (BatchSize is { } m) batchSize(m);
        if (Batches is { } b) batches(b);
        if (Steps is { } s && steps != null) steps(s);
    }

    /// <summary>
    /// The largest radius ρ accepted: ρ is a distance in weight space (relative to |w| for the adaptive measures), and
    /// far beyond this the perturbed network has nothing to do with the trained one and its float32 loss overflows
    /// (ρ = 1e308 gave NaN).
    /// </summary>
    public const double MaxRho = 1000;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting that is given but invalid.</summary>
    public void Validate()
    {
        if (Rho is { } rho && !(rho > 0 && rho <= MaxRho))
            throw new ArgumentOutOfRangeException("rho", rho, $"Rho must be a positive number of at most {MaxRho}; got {rho.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}.");
        if (BatchSize is < 1) throw new ArgumentOutOfRangeException("batchSize", BatchSize, "BatchSize must be at least 1.");
        if (Batches is < 1) throw new ArgumentOutOfRangeException("batches", Batches, "Batches must be at least 1.");
        if (Steps is < 1) throw new ArgumentOutOfRangeException("steps", Steps, "Steps must be at least 1.");
        if (Tolerance is { } t && !(t >= 0 && t < 1))
            throw new ArgumentOutOfRangeException("tolerance", t, $"Tolerance must be a relative standard error in [0, 1) (0 = off); got {t.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}.");
        if (Eigenvalues is < 1) throw new ArgumentOutOfRangeException("eigenvalues", Eigenvalues, "Eigenvalues must be at least 1.");
        if (StartVectors is < 1) throw new ArgumentOutOfRangeException("startVectors", StartVectors, "StartVectors must be at least 1.");
        if (ChunkSize is < 1) throw new ArgumentOutOfRangeException("chunkSize", ChunkSize, "ChunkSize must be at least 1.");
        if (MemoryBudgetBytes is < 0) throw new ArgumentOutOfRangeException("memoryBudgetBytes", MemoryBudgetBytes, "MemoryBudgetBytes must be ≥ 0.");
    }
}
