using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// Measures of the GGN and Fisher matrices of a supervised landscape, one call per measure, as
/// <see cref="HessianMeasures"/> for the Hessian: each call captures the module's state (evaluation mode, restored
/// bit for bit afterwards), builds a <see cref="CurvatureOperator"/> on the data chosen by the options and runs one
/// of the Hessian folder's algorithms on it unchanged. The Monte-Carlo labels are seeded by the options' seed.
/// </summary>
public static class CurvatureMeasures
{
    /// <summary>The largest eigenvalues of the curvature matrix by Lanczos.</summary>
    public static CurvatureEigenvalueMetrics TopEigenvalues(LossLandscape landscape, CurvatureKind kind, LanczosOptions? options = null) =>
        Measure(landscape, kind, options ?? new LanczosOptions(), (op, o) => new CurvatureEigenvalueMetrics(kind, Lanczos.TopEigenvalues(op, o)));

    /// <summary>
    /// The trace of the curvature matrix: exactly, from the dense matrix, when the landscape has no more parameters
    /// than Hutchinson's sample budget (the same number of products), by Hutchinson's estimator with its standard
    /// error otherwise (as <c>hessian-trace</c>).
    /// </summary>
    public static CurvatureTraceMetrics Trace(LossLandscape landscape, CurvatureKind kind, HutchinsonOptions? options = null) =>
        Measure(landscape, kind, options ?? new HutchinsonOptions(), (op, o) =>
        {
            if (op.Dimension <= o.MaxSamples)
                return new CurvatureTraceMetrics(kind, DenseOperator.FromOperator(op).Matrix.Trace(), null, 0, op.ProductCount, TraceMethod.Exact);
            var trace = Hutchinson.Trace(op, o);
            return new CurvatureTraceMetrics(kind, trace.Value, trace.StandardError, trace.Samples, trace.HessianVectorProducts, trace.Method);
        });

    /// <summary>The curvature matrix as a dense matrix (one product per parameter), for small models and exact references.</summary>
    public static Matrix<double> Dense(LossLandscape landscape, CurvatureKind kind, HessianOptions? options = null) =>
        Measure(landscape, kind, options ?? new HessianOptions(), (op, _) => DenseOperator.FromOperator(op).Matrix);

    private static TResult Measure<TOptions, TResult>(LossLandscape landscape, CurvatureKind kind, TOptions options, Func<CurvatureOperator, TOptions, TResult> run)
        where TOptions : HessianOptions =>
        OperatorMeasurement.Run(landscape, options, batch => new CurvatureOperator(landscape, kind, batch, options.ChunkSize, seed: LabelSeed(options.Seed)), run);

    /// <summary>The seed of the Monte-Carlo labels for a measure seeded <paramref name="seed"/> (apart from its probe vectors' stream).</summary>
    internal static int LabelSeed(int seed) => unchecked(seed * 1_000_003 + 7);
}
