using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Baselines;

/// <summary>Which norm a <see cref="WeightNormMeasure"/> reports.</summary>
public enum WeightNorm
{
    /// <summary><c>weight-l2-norm</c>: ‖w‖₂.</summary>
    L2,

    /// <summary><c>weight-l1-norm</c>: ‖w‖₁.</summary>
    L1,

    /// <summary><c>log-prod-of-fro</c>: log Π_l ‖W_l‖²_F.</summary>
    LogProductOfFrobenius,
}

/// <summary>
/// A weight norm by name (<see cref="WeightNorms"/>): <c>weight-l2-norm</c>, <c>weight-l1-norm</c> or
/// <c>log-prod-of-fro</c>. No setting applies; it needs no data (<see cref="IDataFreeMeasure"/>). The metrics are <see cref="WeightNormMetrics"/> (all three norms).
/// </summary>
public sealed class WeightNormMeasure : SharpnessMeasure<WeightNormOptions, WeightNormMetrics>, IDataFreeMeasure
{
    /// <summary>The measure that reports <paramref name="norm"/>.</summary>
    public WeightNormMeasure(WeightNorm norm)
    {
        if (!Enum.IsDefined(norm)) throw new ArgumentOutOfRangeException(nameof(norm), norm, "Unknown norm.");
        Norm = norm;
    }

    /// <summary>The norm reported as the value.</summary>
    public WeightNorm Norm { get; }

    /// <inheritdoc />
    public override string Name => Norm switch
    {
        WeightNorm.L2 => "weight-l2-norm",
        WeightNorm.L1 => "weight-l1-norm",
        _ => "log-prod-of-fro",
    };

    /// <summary>The defaults of <see cref="WeightNormOptions"/> (every measured parameter); no setting applies.</summary>
    public override WeightNormOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null) => new();

    /// <inheritdoc />
    public override WeightNormMetrics Compute(LossLandscape landscape, WeightNormOptions options) => WeightNorms.Compute(landscape, options);

    /// <summary>The chosen norm; exact, so without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(WeightNormMetrics metrics) => (Norm switch
    {
        WeightNorm.L2 => metrics.L2,
        WeightNorm.L1 => metrics.L1,
        _ => metrics.LogProductOfFrobenius,
    }, null);
}
