using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Baselines;

/// <summary>The baselines of a <see cref="MeasureRegistry"/>: PAC-Bayes flatness, the Fisher-Rao norm and the weight norms.</summary>
internal static class BaselineMeasures
{
    /// <summary>A new instance of every baseline measure.</summary>
    public static IEnumerable<ISharpnessMeasure> All()
    {
        yield return new PacBayesMeasure(magnitudeAware: true);
        yield return new PacBayesMeasure(magnitudeAware: false);
        yield return new FisherRaoMeasure();
        foreach (var norm in Enum.GetValues<WeightNorm>()) yield return new WeightNormMeasure(norm);
    }
}
