namespace SharpnessML.Transforms.Curvature;

/// <summary>Which curvature matrix of a supervised landscape a <see cref="CurvatureOperator"/> multiplies by.</summary>
public enum CurvatureKind
{
    /// <summary>
    /// The generalised Gauss-Newton matrix G = (1/n) Σ_i J_iᵀ H_i J_i (Schraudolph 2002; Martens 2020, Sec. 8), J_i the
    /// Jacobian of example i's outputs in the parameters and H_i the Hessian of its loss in those outputs: the
    /// Hessian without the terms that carry the outputs' own curvature. Positive semi-definite for MSE and cross-entropy.
    /// </summary>
    GeneralizedGaussNewton,

    /// <summary>The empirical Fisher F̂ = (1/n) Σ_i ∇ℓ_i ∇ℓ_iᵀ, ℓ_i the loss of example i at its true label (Kunstner et al. 2019 on its limits).</summary>
    EmpiricalFisher,

    /// <summary>
    /// The Monte-Carlo Fisher F̃ = (1/(nS)) Σ_i Σ_s ∇ℓ(f(x_i), ŷ_is) ∇ℓ(f(x_i), ŷ_is)ᵀ with labels ŷ_is drawn (seeded)
    /// from the model's predictive distribution — softmax(f) for cross-entropy, N(f, ½) for the squared error
    /// (whose negative log-likelihood is (f − y)² up to a constant) — so that E[F̃] is the true Fisher, which for
    /// these two losses equals the GGN (Martens 2020, Sec. 9.2).
    /// </summary>
    MonteCarloFisher,
}
