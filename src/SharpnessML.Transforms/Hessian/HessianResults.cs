namespace SharpnessML.Transforms.Hessian;

/// <summary>Top eigenvalues of a Hessian (or any symmetric operator).</summary>
/// <param name="Eigenvalues">Eigenvalue estimates, largest first.</param>
/// <param name="Iterations">Iterations run: Lanczos steps, or power-iteration steps summed over all eigenvalues.</param>
/// <param name="HessianVectorProducts">Products with the operator used.</param>
/// <param name="AchievedTolerance">
/// Lanczos: the largest relative residual bound max_i β_m|s_{m,i}|/|θ_i| over the returned Ritz
/// values (each lies within that relative distance of a true eigenvalue). Power iteration: the
/// largest relative change of the Rayleigh quotient in the last step (PyHessian's criterion).
/// </param>
/// <param name="Converged">Whether the tolerance was met (or the whole space was spanned) before the iteration limit.</param>
public sealed record EigenvalueResult(double[] Eigenvalues, int Iterations, long HessianVectorProducts, double AchievedTolerance, bool Converged)
{
    /// <summary>The largest eigenvalue estimate.</summary>
    public double TopEigenvalue => Eigenvalues[0];
}

/// <summary>A stochastic trace estimate.</summary>
/// <param name="Value">The estimate of tr(H).</param>
/// <param name="StandardError">
/// Standard error of <paramref name="Value"/>: sample standard deviation of the random quadratic
/// forms over √samples (for Hutch++, of its stochastic residual part, conditional on the sketch).
/// NaN with fewer than two samples; 0 when the estimate is exact.
/// </param>
/// <param name="Samples">Random vectors in the stochastic part.</param>
/// <param name="HessianVectorProducts">Products with the operator used.</param>
public sealed record TraceResult(double Value, double StandardError, int Samples, long HessianVectorProducts);

/// <summary>
/// The Hessian diagonal estimated as the mean of z ⊙ Hz over Rademacher vectors z (Bekas, Kokiopoulou
/// and Saad 2007), and the sharpness quantities built on it.
/// </summary>
/// <param name="Diagonal">Estimated H_ii, parameters in order, flattened.</param>
/// <param name="StandardErrors">Per-entry standard errors (sample standard deviation over √samples); 0 where the estimate is exact.</param>
/// <param name="SqrtTrace">
/// tr(diag(H)^{1/2}) = Σ_i √max(Ĥ_ii, 0), the sharpness Adam reduces (Li, Wen &amp; Lyu 2025, "Adam
/// Reduces a Unique Form of Sharpness"). Negative estimates (noise, or genuinely negative curvature
/// away from a minimum) are clamped at 0; <paramref name="NegativeCount"/> says how many.
/// </param>
/// <param name="NegativeCount">Number of negative diagonal estimates clamped in <paramref name="SqrtTrace"/>.</param>
/// <param name="SumOfSquares">
/// Σ_i H_ii², bias-corrected: Σ_i (Ĥ_ii² − SE_i²), because E[Ĥ_ii²] = H_ii² + Var(Ĥ_ii) and SE_i² is
/// an unbiased estimate of that variance.
/// </param>
/// <param name="Samples">Rademacher vectors used.</param>
/// <param name="HessianVectorProducts">Products with the operator used.</param>
public sealed record DiagonalResult(double[] Diagonal, double[] StandardErrors, double SqrtTrace, int NegativeCount, double SumOfSquares, int Samples, long HessianVectorProducts);

/// <summary>
/// A Hessian eigenvalue density from stochastic Lanczos quadrature: the raw quadrature (nodes and
/// weights per start vector) and its Gaussian-smoothed density on a grid, ready to plot.
/// </summary>
/// <param name="Grid">Eigenvalue grid, increasing.</param>
/// <param name="Density">Smoothed density at each grid point; integrates to 1 over the grid (trapezoid rule).</param>
/// <param name="Nodes">Per start vector, the Ritz values θ_j (quadrature nodes), largest first.</param>
/// <param name="Weights">Per start vector, the weights τ_j (squared first components of T's eigenvectors), summing to 1.</param>
/// <param name="Dimension">Dimension n of the operator (number of parameters).</param>
/// <param name="SmoothingVariance">Variance σ² of the Gaussian kernel used for <paramref name="Density"/>.</param>
/// <param name="HessianVectorProducts">Products with the operator used.</param>
public sealed record SpectralDensityResult(double[] Grid, double[] Density, double[][] Nodes, double[][] Weights, long Dimension, double SmoothingVariance, long HessianVectorProducts)
{
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
}

/// <summary>Rényi sharpness: the negative Rényi entropy of the normalised positive Hessian spectrum.</summary>
/// <param name="Value">−H_α(p), with p_i = λ_i⁺ / Σ_j λ_j⁺; larger means the curvature is concentrated in fewer directions.</param>
/// <param name="Alpha">The order α.</param>
/// <param name="Exact">True when computed from the full dense spectrum; false when from stochastic Lanczos quadrature.</param>
/// <param name="HessianVectorProducts">Products with the operator used.</param>
public sealed record RenyiSharpnessResult(double Value, double Alpha, bool Exact, long HessianVectorProducts);

/// <summary>The Hessian block of one parameter tensor (the others held fixed).</summary>
/// <param name="Name">The parameter's name in the module (e.g. <c>layers.0.weight</c>), or <c>parameter{i}</c> when it has none.</param>
/// <param name="ParameterCount">Entries in the tensor.</param>
/// <param name="TopEigenvalue">Largest eigenvalue of the block (Lanczos).</param>
/// <param name="Trace">Trace of the block: exact for tensors with no more entries than the sample budget, Hutchinson otherwise.</param>
/// <param name="TraceStandardError">Standard error of <paramref name="Trace"/> (0 when exact).</param>
/// <param name="Converged">Whether the eigenvalue met its tolerance.</param>
/// <param name="HessianVectorProducts">Products used for this tensor.</param>
public sealed record LayerHessianResult(string Name, long ParameterCount, double TopEigenvalue, double Trace, double TraceStandardError, bool Converged, long HessianVectorProducts);
