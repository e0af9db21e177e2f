using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// A Hessian measure: it differentiates the loss on the landscape's whole data and takes the settings that apply to
/// its options (<see cref="HessianOptions.Apply"/>: seed, chunk size, memory budget, and the tolerance, start vectors
/// or eigenvalues where the options have them; ρ, m, batches and steps do not apply), with its options' other defaults.
/// </summary>
/// <typeparam name="TOptions">The algorithm's options.</typeparam>
/// <typeparam name="TMetrics">The measure's metrics.</typeparam>
public abstract class HessianSharpnessMeasure<TOptions, TMetrics> : SharpnessMeasure<TOptions, TMetrics>
    where TOptions : HessianOptions, new()
    where TMetrics : class, IMeasureMetrics
{
    /// <summary><typeparamref name="TOptions"/>' defaults with the settings that apply to them (<see cref="HessianOptions.Apply"/>).</summary>
    public override TOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new TOptions();
        options.Apply(settings);
        return options;
    }
}

/// <summary>The Hessian measures of a <see cref="MeasureRegistry"/>.</summary>
internal static class HessianSharpnessMeasures
{
    /// <summary>A new instance of every Hessian measure.</summary>
    public static IEnumerable<ISharpnessMeasure> All()
    {
        yield return new HessianTopEigenvaluesMeasure();
        yield return new HessianTraceMeasure();
        yield return new HessianTraceHutchPlusPlusMeasure();
        yield return new HessianDiagonalMeasure(DiagonalSharpness.SqrtTrace);
        yield return new HessianDiagonalMeasure(DiagonalSharpness.SumOfSquares);
        yield return new HessianDensityMeasure();
        yield return new RenyiSharpnessMeasure();
    }
}
