namespace SharpnessML.Transforms.Visualization;

/// <summary>Which directions span a loss surface (<see cref="LossSurfaceOptions.Directions"/>).</summary>
public enum SurfaceDirections
{
    /// <summary>Seeded Gaussian directions, one per axis (Li et al., 2018, Sec. 4).</summary>
    Random,

    /// <summary>
    /// The Hessian's top eigenvectors at the model (the first along x, the second along y), by Lanczos on the surface's
    /// examples: the directions of greatest curvature.
    /// </summary>
    HessianEigenvectors,
}

/// <summary>How a surface's directions are scaled (<see cref="LossSurfaceOptions.Normalization"/>).</summary>
public enum DirectionNormalization
{
    /// <summary>
    /// Filter normalisation (Li et al., 2018, Sec. 4): each filter of the direction — a row of a linear layer's weight
    /// (one output unit), an output channel of a convolution's weight, generally a slice along the first axis of a
    /// tensor with two or more dimensions — is scaled to the norm of the same filter of the weights,
    /// d_{i,j} ← d_{i,j} ‖θ_{i,j}‖ / (‖d_{i,j}‖ + 10⁻¹⁰). Distances along such a direction are then relative to each
    /// filter's scale, so surfaces of differently scaled networks can be compared.
    /// </summary>
    Filter,

    /// <summary>The directions as drawn (random) or as found (unit Hessian eigenvectors), unscaled.</summary>
    None,
}

/// <summary>
/// What happens to the BatchNorm running statistics along a surface (<see cref="LossSurfaceOptions.BatchNormStatistics"/>),
/// after the <c>--dir_type</c> option of Li et al.'s code (<c>weights</c> or <c>states</c>).
/// </summary>
public enum BatchNormStatistics
{
    /// <summary>
    /// <c>weights</c> (their default): only parameters move; running means and variances stay at the model's values at
    /// every point.
    /// </summary>
    Fixed,

    /// <summary>
    /// <c>states</c>: the running means and variances are part of the direction, like every other one-dimensional
    /// tensor (zero when <see cref="LossSurfaceOptions.IgnoreBiasAndNormalization"/>, else the statistics themselves), so
    /// they move with the weights; an interpolation moves them from one model's to the other's.
    /// </summary>
    Perturbed,
}
