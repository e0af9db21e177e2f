using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// <c>ggn-trace</c>, <c>fisher-trace</c> (the Monte-Carlo Fisher, one label per example drawn from the model) or
/// <c>empirical-fisher-trace</c>: the trace of a curvature matrix on the landscape's whole data
/// (<see cref="CurvatureMeasures.Trace"/>), exact for models with at most 100 parameters. Takes only the settings'
/// seed. The metrics are <see cref="CurvatureTraceMetrics"/>.
/// </summary>
public sealed class CurvatureTraceMeasure : HessianSharpnessMeasure<HutchinsonOptions, CurvatureTraceMetrics>
{
    /// <summary>The trace measure of <paramref name="kind"/>.</summary>
    public CurvatureTraceMeasure(CurvatureKind kind)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown curvature.");
        Kind = kind;
    }

    /// <summary>Which matrix.</summary>
    public CurvatureKind Kind { get; }

    /// <inheritdoc />
    public override string Name => Kind switch
    {
        CurvatureKind.GeneralizedGaussNewton => "ggn-trace",
        CurvatureKind.EmpiricalFisher => "empirical-fisher-trace",
        _ => "fisher-trace",
    };

    /// <inheritdoc />
    public override CurvatureTraceMetrics Compute(LossLandscape landscape, HutchinsonOptions options) => CurvatureMeasures.Trace(landscape, Kind, options);

    /// <summary>The trace and Hutchinson's standard error (null when exact).</summary>
    protected override (double Value, double? StandardError) Summarize(CurvatureTraceMetrics metrics) => (metrics.Value, metrics.StandardError);
}

/// <summary>
/// <c>ggn-top-eigenvalues</c>: the <see cref="HessianTopEigenvaluesMeasure.TopCount"/> largest eigenvalues of the
/// generalised Gauss-Newton matrix by Lanczos (<see cref="CurvatureMeasures.TopEigenvalues"/>); the value is λ_max.
/// The metrics are <see cref="CurvatureEigenvalueMetrics"/>.
/// </summary>
public sealed class GgnTopEigenvaluesMeasure : HessianSharpnessMeasure<LanczosOptions, CurvatureEigenvalueMetrics>
{
    /// <inheritdoc />
    public override string Name => "ggn-top-eigenvalues";

    /// <summary><see cref="LanczosOptions"/>' defaults for the top eigenvalues (no more than the landscape has parameters), with the settings' seed.</summary>
    public override LanczosOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        var options = base.OptionsFor(settings, landscape);
        options.Count = (int)Math.Min(settings.Eigenvalues ?? HessianTopEigenvaluesMeasure.TopCount, landscape?.ParameterCount ?? long.MaxValue);
        return options;
    }

    /// <inheritdoc />
    public override CurvatureEigenvalueMetrics Compute(LossLandscape landscape, LanczosOptions options) =>
        CurvatureMeasures.TopEigenvalues(landscape, CurvatureKind.GeneralizedGaussNewton, options);

    /// <summary>λ_max without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(CurvatureEigenvalueMetrics metrics) => (metrics.TopEigenvalue, null);
}

/// <summary>The GGN, Fisher and K-FAC measures of a <see cref="MeasureRegistry"/>.</summary>
internal static class CurvatureSharpnessMeasures
{
    /// <summary>A new instance of every curvature measure.</summary>
    public static IEnumerable<ISharpnessMeasure> All()
    {
        yield return new GgnTopEigenvaluesMeasure();
        yield return new CurvatureTraceMeasure(CurvatureKind.GeneralizedGaussNewton);
        yield return new CurvatureTraceMeasure(CurvatureKind.MonteCarloFisher);
        yield return new CurvatureTraceMeasure(CurvatureKind.EmpiricalFisher);
        yield return new KfacMeasure(KfacQuantity.Trace);
        yield return new KfacMeasure(KfacQuantity.TopEigenvalue);
    }
}
