using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>A <see cref="MeasureResult"/> from <see cref="SharpnessMetrics"/>: the mean over batches and its standard error.</summary>
internal static class SharpnessMeasureResult
{
    public static MeasureResult From(SharpnessMetrics metrics) => new(metrics.Measure, metrics.Sharpness, metrics.StandardError, metrics);
}
