using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// Hessian-based sharpness measures of a loss landscape: one call per measure. Each call captures
/// the module's state (<see cref="ModelStateSnapshot"/>: evaluation mode, every parameter, buffer
/// and the training flag restored bit for bit afterwards), builds a <see cref="HessianOperator"/>
/// on the data chosen by <see cref="HessianOptions"/> and runs one algorithm on it.
/// </summary>
public static class HessianMeasures
{
    /// <summary>The largest eigenvalues of the Hessian by Lanczos (λ_max is the classic sharpness).</summary>
    public static EigenvalueResult TopEigenvalues(LossLandscape landscape, LanczosOptions? options = null) =>
        Measure(landscape, options ?? new LanczosOptions(), (op, o) => Lanczos.TopEigenvalues(op, o));

    /// <summary>The eigenvalues of largest magnitude by power iteration with deflation (PyHessian's method; slower than <see cref="TopEigenvalues"/>).</summary>
    public static EigenvalueResult TopEigenvaluesByPowerIteration(LossLandscape landscape, PowerIterationOptions? options = null) =>
        Measure(landscape, options ?? new PowerIterationOptions(), (op, o) => PowerIteration.TopEigenvalues(op, o));

    /// <summary>tr(H) by Hutchinson's estimator, with its standard error.</summary>
    public static TraceResult Trace(LossLandscape landscape, HutchinsonOptions? options = null) =>
        Measure(landscape, options ?? new HutchinsonOptions(), (op, o) => Hutchinson.Trace(op, o));

    /// <summary>tr(H) by Hutch++ (lower error than Hutchinson at the same product budget when a few eigenvalues dominate).</summary>
    public static TraceResult TraceHutchPlusPlus(LossLandscape landscape, HutchPlusPlusOptions? options = null) =>
        Measure(landscape, options ?? new HutchPlusPlusOptions(), (op, o) => HutchPlusPlus.Trace(op, o));

    /// <summary>The Hessian diagonal, tr(diag(H)^{1/2}) and Σ H_ii² (see <see cref="DiagonalResult"/>).</summary>
    public static DiagonalResult Diagonal(LossLandscape landscape, DiagonalOptions? options = null) =>
        Measure(landscape, options ?? new DiagonalOptions(), (op, o) => HessianDiagonal.Estimate(op, o));

    /// <summary>The eigenvalue density by stochastic Lanczos quadrature (grid and density, plus raw nodes and weights).</summary>
    public static SpectralDensityResult SpectralDensity(LossLandscape landscape, SpectralDensityOptions? options = null) =>
        Measure(landscape, options ?? new SpectralDensityOptions(), (op, o) => StochasticLanczosQuadrature.Estimate(op, o));

    /// <summary>
    /// Rényi sharpness of order α: exact from the dense Hessian's spectrum when the model has at
    /// most <see cref="RenyiSharpnessOptions.DenseLimit"/> parameters, from SLQ otherwise.
    /// </summary>
    public static RenyiSharpnessResult RenyiSharpness(LossLandscape landscape, RenyiSharpnessOptions? options = null) =>
        Measure(landscape, options ?? new RenyiSharpnessOptions(), (op, o) =>
        {
            long limit = o.DenseLimit ?? (long)o.StartVectors * o.Iterations;
            if (op.Dimension <= limit)
            {
                var dense = DenseOperator.FromOperator(op);
                return new RenyiSharpnessResult(Renyi.Sharpness(dense.Eigenvalues(), o.Alpha), o.Alpha, true, op.ProductCount);
            }
            var density = StochasticLanczosQuadrature.Estimate(op, o);
            return new RenyiSharpnessResult(Renyi.Sharpness(density, o.Alpha), o.Alpha, false, op.ProductCount);
        });

    /// <summary>Top eigenvalue and trace of each parameter tensor's Hessian block, named as in the module.</summary>
    public static IReadOnlyList<LayerHessianResult> PerLayer(LossLandscape landscape, LayerwiseOptions? options = null) =>
        Measure(landscape, options ?? new LayerwiseOptions(), (op, o) => LayerwiseHessian.Measure(op, o, ParameterNames(landscape)));

    /// <summary>
    /// The full Hessian as a dense matrix (one product per parameter, n² doubles of memory), for
    /// small models and exact references.
    /// </summary>
    public static Matrix<double> DenseHessian(LossLandscape landscape, HessianOptions? options = null) =>
        Measure(landscape, options ?? new HessianOptions(), (op, _) => DenseOperator.FromOperator(op).Matrix);

    private static TResult Measure<TOptions, TResult>(LossLandscape landscape, TOptions options, Func<HessianOperator, TOptions, TResult> run)
        where TOptions : HessianOptions =>
        // The parameters stay fixed for the whole measure, so every product may reuse the gradient graphs (within the memory budget).
        OperatorMeasurement.Run(landscape, options,
            batch => new HessianOperator(landscape, batch, options.ChunkSize, reuseGradientGraph: true, memoryBudgetBytes: options.MemoryBudgetBytes),
            (op, o) => WithPlan(run(op, o), op.Plan));

    /// <summary>Records on the results that carry one how the operator took its products.</summary>
    private static TResult WithPlan<TResult>(TResult result, HessianProductPlan? plan)
    {
        switch (result)
        {
            case TraceResult trace: trace.ProductPlan = plan; break;
            case DiagonalResult diagonal: diagonal.ProductPlan = plan; break;
            case SpectralDensityResult density: density.ProductPlan = plan; break;
            case EigenvalueResult eigenvalues: eigenvalues.ProductPlan = plan; break;
        }
        return result;
    }

    /// <summary>The module's names of the landscape's parameters (<c>parameter{i}</c> for any not found).</summary>
    private static IReadOnlyList<string> ParameterNames(LossLandscape landscape)
    {
        var named = landscape.Module.named_parameters().ToList();
        return landscape.Parameters.Select((p, i) =>
        {
            foreach (var (name, q) in named)
                if (ReferenceEquals(p, q) || p.Handle == q.Handle) return name;
            return $"parameter{i}";
        }).ToList();
    }
}
