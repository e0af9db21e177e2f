using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Settings of <see cref="LayerwiseHessian"/>.</summary>
public sealed class LayerwiseOptions : HessianOptions
{
    /// <summary>Maximum Lanczos steps per tensor for its top eigenvalue. Default 100 (PyHessian's <c>maxIter = 100</c>).</summary>
    public int MaxIterations { get; set; } = 100;

    /// <summary>Relative residual tolerance of the top eigenvalue. Default 1e-3 (PyHessian's <c>tol = 1e-3</c>).</summary>
    public double Tolerance { get; set; } = 1e-3;

    /// <summary>
    /// Hutchinson samples per tensor for its trace. Default 100 (PyHessian's <c>maxIter = 100</c>).
    /// Tensors with no more entries than this get their exact trace from one product per entry.
    /// </summary>
    public int TraceSamples { get; set; } = 100;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be ≥ 0.");
        if (TraceSamples < 2) throw new ArgumentOutOfRangeException(nameof(TraceSamples), TraceSamples, "TraceSamples must be at least 2.");
    }
}

/// <summary>
/// Per-parameter-tensor (per-layer) curvature: for each tensor θ_l, the top eigenvalue and the
/// trace of its diagonal Hessian block ∂²L/∂θ_l², the other parameters held fixed
/// (<see cref="HessianOperator.Restrict"/>).
/// </summary>
public static class LayerwiseHessian
{
    /// <summary>Measures every parameter tensor of <paramref name="op"/>; <paramref name="names"/> gives their names (same order), or null for <c>parameter{i}</c>.</summary>
    public static IReadOnlyList<LayerHessianResult> Measure(HessianOperator op, LayerwiseOptions? options = null, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new LayerwiseOptions();
        options.Validate();
        if (names is not null && names.Count != op.Parameters.Count)
            throw new ArgumentException($"Expected {op.Parameters.Count} names, got {names.Count}.", nameof(names));
        var results = new List<LayerHessianResult>();
        for (int i = 0; i < op.Parameters.Count; i++)
        {
            using var block = op.Restrict(i);
            var eigen = Lanczos.TopEigenvalues(block, new LanczosOptions
            {
                MaxIterations = options.MaxIterations,
                Tolerance = options.Tolerance,
                Seed = options.Seed,
            });
            var trace = block.Dimension <= options.TraceSamples
                ? ExactTrace(block)
                : Hutchinson.Trace(block, new HutchinsonOptions { MaxSamples = options.TraceSamples, Tolerance = 0, Seed = options.Seed });
            results.Add(new LayerHessianResult(names?[i] ?? $"parameter{i}", block.Dimension, eigen.TopEigenvalue, trace.Value, trace.StandardError, eigen.Converged, block.ProductCount));
        }
        return results;
    }

    /// <summary>Σ_i e_iᵀHe_i: one product per entry.</summary>
    private static TraceResult ExactTrace(ILinearOperator op)
    {
        double trace = 0;
        for (long i = 0; i < op.Dimension; i++)
        {
            using var scope = torch.NewDisposeScope();
            var basis = torch.zeros(op.Dimension, dtype: float64, device: op.Device);
            basis[i].fill_(1.0);
            trace += op.Multiply(basis)[i].item<double>();
        }
        return new TraceResult(trace, null, 0, op.Dimension, TraceMethod.Exact);
    }
}
