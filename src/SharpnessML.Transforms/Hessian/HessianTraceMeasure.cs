using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// <c>hessian-trace</c>: tr(H) by Hutchinson's estimator (<see cref="HessianMeasures.Trace"/>), or exactly through the
/// dense Hessian when the model has no more parameters than Hutchinson's sample budget (the same number of
/// Hessian-vector products). The metrics are <see cref="TraceResult"/>.
/// </summary>
public sealed class HessianTraceMeasure : ISharpnessMeasure
{
    /// <inheritdoc />
    public string Name => "hessian-trace";

    /// <summary>The options <paramref name="settings"/> stand for: <see cref="HutchinsonOptions"/>' defaults with the settings' seed.</summary>
    public HutchinsonOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new HutchinsonOptions { Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        var options = OptionsFor(settings);
        var metrics = landscape.ParameterCount <= options.MaxSamples
            ? new TraceResult(HessianMeasures.DenseHessian(landscape, options).Trace(), null, 0, landscape.ParameterCount, TraceMethod.Exact)
            : HessianMeasures.Trace(landscape, options);
        return new MeasureResult(Name, metrics.Value, metrics.StandardError, metrics);
    }
}

/// <summary>
/// <c>hessian-trace-hutchpp</c>: tr(H) by Hutch++ (<see cref="HessianMeasures.TraceHutchPlusPlus"/>). The metrics are
/// <see cref="TraceResult"/>.
/// </summary>
public sealed class HessianTraceHutchPlusPlusMeasure : ISharpnessMeasure
{
    /// <inheritdoc />
    public string Name => "hessian-trace-hutchpp";

    /// <summary>The options <paramref name="settings"/> stand for: <see cref="HutchPlusPlusOptions"/>' defaults with the settings' seed.</summary>
    public HutchPlusPlusOptions OptionsFor(MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new HutchPlusPlusOptions { Seed = settings.Seed };
    }

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        var metrics = HessianMeasures.TraceHutchPlusPlus(landscape, OptionsFor(settings));
        return new MeasureResult(Name, metrics.Value, metrics.StandardError, metrics);
    }
}
