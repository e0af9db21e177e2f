using SharpnessML.Transforms.Hessian;

namespace SharpnessML.Transforms.Curvature;

/// <summary>Which gradients K-FAC's output factor G is built from.</summary>
public enum KfacFisherType
{
    /// <summary>Labels drawn from the model's predictive distribution (Martens and Grosse 2015, Sec. 5): K-FAC of the (Monte-Carlo) Fisher.</summary>
    MonteCarlo,

    /// <summary>The true labels: K-FAC of the empirical Fisher.</summary>
    Empirical,
}

/// <summary>Options of <see cref="Kfac"/>; the data (<see cref="HessianOptions.BatchSize"/>, chunks) and seed as for the Hessian measures.</summary>
public sealed class KfacOptions : HessianOptions
{
    /// <summary>Which gradients the output factor is built from. Default <see cref="KfacFisherType.MonteCarlo"/> (Martens and Grosse 2015; curvlinops' default <c>fisher_type="mc"</c>).</summary>
    public KfacFisherType FisherType { get; set; } = KfacFisherType.MonteCarlo;

    /// <summary>Labels drawn per example for <see cref="KfacFisherType.MonteCarlo"/>. Default 1 (curvlinops' <c>mc_samples=1</c>).</summary>
    public int MonteCarloSamples { get; set; } = 1;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(FisherType)) throw new ArgumentOutOfRangeException(nameof(FisherType), FisherType, "Unknown Fisher type.");
        if (MonteCarloSamples < 1) throw new ArgumentOutOfRangeException(nameof(MonteCarloSamples), MonteCarloSamples, "MonteCarloSamples must be at least 1.");
    }
}
