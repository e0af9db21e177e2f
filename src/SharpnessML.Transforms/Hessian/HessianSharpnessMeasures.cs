using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// The Hessian measures of a <see cref="MeasureRegistry"/>. Each differentiates the loss on the landscape's
/// whole data and takes only the settings' seed (ρ, m, batches and steps do not apply).
/// </summary>
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
