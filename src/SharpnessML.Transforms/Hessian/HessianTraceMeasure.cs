using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-trace</c>: tr(H) by Hutchinson's estimator (<see cref="HessianMeasures.Trace"/>), with its standard
/// error, or exactly through the dense Hessian when the model has no more parameters than Hutchinson's sample
/// budget (the same number of Hessian-vector products). The metrics are <see cref="TraceResult"/>.
/// </summary>
public sealed class HessianTraceMeasure : HessianSharpnessMeasure<HutchinsonOptions, TraceResult>
{
    /// <inheritdoc />
    public override string Name => "hessian-trace";

    /// <inheritdoc />
    public override TraceResult Compute(LossLandscape landscape, HutchinsonOptions options)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(options);
        return landscape.ParameterCount <= options.MaxSamples
            ? new TraceResult(HessianMeasures.DenseHessian(landscape, options).Trace(), null, 0, landscape.ParameterCount, TraceMethod.Exact)
            : HessianMeasures.Trace(landscape, options);
    }

    /// <summary>The trace and its standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(TraceResult metrics) => (metrics.Value, metrics.StandardError);
}

/// <summary>
/// <c>hessian-trace-hutchpp</c>: tr(H) by Hutch++ (<see cref="HessianMeasures.TraceHutchPlusPlus"/>), with its
/// standard error. The metrics are <see cref="TraceResult"/>.
/// </summary>
public sealed class HessianTraceHutchPlusPlusMeasure : HessianSharpnessMeasure<HutchPlusPlusOptions, TraceResult>
{
    /// <inheritdoc />
    public override string Name => "hessian-trace-hutchpp";

    /// <inheritdoc />
    public override TraceResult Compute(LossLandscape landscape, HutchPlusPlusOptions options) => HessianMeasures.TraceHutchPlusPlus(landscape, options);

    /// <summary>The trace and its standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(TraceResult metrics) => (metrics.Value, metrics.StandardError);
}
