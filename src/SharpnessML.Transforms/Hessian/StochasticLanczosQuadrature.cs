using SharpnessML.Transforms.Evaluation;
using TorchSharp;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Settings of <see cref="StochasticLanczosQuadrature"/>.</summary>
public class SpectralDensityOptions : HessianOptions
{
    /// <summary>
    /// Random Rademacher start vectors n_v. Default 10; PyHessian's <c>density()</c> uses one
    /// (<c>n_v = 1</c>), but the quadrature of a single vector has the variance of a one-sample
    /// trace estimate, so spectral sums (trace, Rényi sharpness) need several.
    /// </summary>
    public int StartVectors { get; set; } = 10;

    /// <summary>Lanczos steps per start vector (capped at the dimension). Default 100 (PyHessian's <c>iter = 100</c>).</summary>
    public int Iterations { get; set; } = 100;

    /// <summary>Grid points of the smoothed density. Default 10000 (PyHessian's <c>num_bins</c>).</summary>
    public int GridPoints { get; set; } = 10000;

    /// <summary>
    /// Kernel variance before scaling: σ² = SmoothingVariance · max(1, λ_max − λ_min). Default
    /// 1e-5 (PyHessian's <c>sigma_squared</c>, scaled by the spectrum's width the same way).
    /// </summary>
    public double SmoothingVariance { get; set; } = 1e-5;

    /// <summary>Margin added on both sides of [min node, max node] for the grid. Default 0.01 (PyHessian's <c>overhead</c>).</summary>
    public double GridMargin { get; set; } = 0.01;

    /// <summary>
    /// Stop drawing start vectors once the relative standard error of the quadrature's trace estimate (over the start
    /// vectors so far, <see cref="SpectralDensityResult.RelativeStandardError"/>) is at most this, checked from
    /// <see cref="MinStartVectors"/> on; <see cref="StartVectors"/> is then the maximum. 0 (the default) always uses
    /// <see cref="StartVectors"/>.
    /// </summary>
    public double Tolerance { get; set; }

    /// <summary>Start vectors taken before the standard error is trusted for early stopping. Default 3.</summary>
    public int MinStartVectors { get; set; } = 3;

    /// <summary>The shared settings, and <see cref="MeasureSettings.Tolerance"/> and <see cref="MeasureSettings.StartVectors"/>.</summary>
    protected internal override void Apply(MeasureSettings settings)
    {
        base.Apply(settings);
        if (settings.Tolerance is { } tolerance) Tolerance = tolerance;
        if (settings.StartVectors is { } vectors) StartVectors = vectors;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be ≥ 0.");
        if (MinStartVectors < 2) throw new ArgumentOutOfRangeException(nameof(MinStartVectors), MinStartVectors, "MinStartVectors must be at least 2.");
        if (StartVectors < 1) throw new ArgumentOutOfRangeException(nameof(StartVectors), StartVectors, "StartVectors must be at least 1.");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be at least 1.");
        if (GridPoints < 2) throw new ArgumentOutOfRangeException(nameof(GridPoints), GridPoints, "GridPoints must be at least 2.");
        if (!(SmoothingVariance > 0)) throw new ArgumentOutOfRangeException(nameof(SmoothingVariance), SmoothingVariance, "SmoothingVariance must be positive.");
        if (!(GridMargin >= 0)) throw new ArgumentOutOfRangeException(nameof(GridMargin), GridMargin, "GridMargin must be ≥ 0.");
    }
}

/// <summary>
/// The Hessian eigenvalue density by stochastic Lanczos quadrature (Ubaru, Chen and Saad 2017;
/// applied to networks by Ghorbani, Krishnan and Xiao 2019 and PyHessian). For each normalised
/// Rademacher start vector v, m Lanczos steps give T_m; its eigenvalues θ_j and squared first
/// eigenvector components τ_j are the nodes and weights of the Gauss quadrature of v's spectral
/// measure Σ_i (vᵀu_i)² δ(λ − λ_i), whose expectation is the eigenvalue density (1/n)Σ_i δ(λ − λ_i).
/// The density is the average over start vectors of Σ_j τ_j N(λ; θ_j, σ²).
/// </summary>
public static class StochasticLanczosQuadrature
{
    /// <summary>Runs SLQ on <paramref name="op"/>.</summary>
    public static SpectralDensityResult Estimate(ILinearOperator op, SpectralDensityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new SpectralDensityOptions();
        options.Validate();
        using var generator = new torch.Generator((ulong)options.Seed);
        long steps = Math.Min(options.Iterations, op.Dimension);
        var nodes = new List<double[]>();
        var weights = new List<double[]>();
        var traces = new RunningMoments();
        long products = 0;
        for (int l = 0; l < options.StartVectors; l++)
        {
            using var scope = torch.NewDisposeScope();
            // Stops early only if the start vector's Krylov space is invariant: the quadrature is then exact.
            using var process = new LanczosProcess(op, FlatVectors.Rademacher(op, generator), generator, restartOnBreakdown: false);
            while (process.Steps < steps && process.Step()) { }
            products += process.Steps;
            var (theta, _, tau) = process.RitzValues();
            nodes.Add(theta);
            weights.Add(tau);
            traces.Add(SpectralDensityResult.TraceSample(theta, tau, op.Dimension));
            if (l + 1 >= options.MinStartVectors && Hutchinson.Reached(options.Tolerance, options.MinStartVectors, traces.Count, traces.StandardError, traces.Mean)) break;
        }
        return Result(op.Dimension, nodes.ToArray(), weights.ToArray(), products, options);
    }

    private static SpectralDensityResult Result(long dimension, double[][] nodes, double[][] weights, long products, SpectralDensityOptions options)
    {

        double low = nodes.Min(n => n.Min()), high = nodes.Max(n => n.Max());
        double variance = options.SmoothingVariance * Math.Max(1.0, high - low);
        double margin = options.GridMargin + 3 * Math.Sqrt(variance);
        var (grid, density) = Smooth(nodes, weights, low - margin, high + margin, options.GridPoints, variance);
        return new SpectralDensityResult(grid, density, nodes, weights, dimension, variance, products);
    }

    /// <summary>Average over runs of Σ_j τ_j N(x; θ_j, σ²) on an even grid, normalised to integrate to 1 (trapezoid rule).</summary>
    private static (double[] Grid, double[] Density) Smooth(double[][] nodes, double[][] weights, double low, double high, int points, double variance)
    {
        var grid = new double[points];
        var density = new double[points];
        double step = (high - low) / (points - 1);
        double norm = 1.0 / Math.Sqrt(2 * Math.PI * variance);
        double cutoff = 8 * Math.Sqrt(variance); // beyond 8σ a node adds < 1e-14 of its peak
        for (int g = 0; g < points; g++) grid[g] = low + g * step;
        for (int l = 0; l < nodes.Length; l++)
            for (int j = 0; j < nodes[l].Length; j++)
            {
                double theta = nodes[l][j], tau = weights[l][j] / nodes.Length;
                int from = Math.Max(0, (int)Math.Floor((theta - cutoff - low) / step));
                int to = Math.Min(points - 1, (int)Math.Ceiling((theta + cutoff - low) / step));
                for (int g = from; g <= to; g++)
                {
                    double d = grid[g] - theta;
                    density[g] += tau * norm * Math.Exp(-d * d / (2 * variance));
                }
            }
        double integral = 0;
        for (int g = 0; g + 1 < points; g++) integral += 0.5 * (density[g] + density[g + 1]) * step;
        if (integral > 0)
            for (int g = 0; g < points; g++) density[g] /= integral;
        return (grid, density);
    }
}
