using System.Text.Json.Serialization;
using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Studies;

/// <summary>
/// How well one measure predicts one generalization target over a study's members: the target, and the
/// <see cref="CorrelationMetrics"/> that <c>ml.Sharpness().EvaluateCorrelation</c> returns for a pool of models (the
/// same class, computed by the same code), whose statistics the properties below give.
/// </summary>
/// <param name="Measure">The measure's name.</param>
/// <param name="Target">The generalization target.</param>
/// <param name="Metrics">Every statistic of the measure against the target.</param>
public sealed record MeasureCorrelation(string Measure, GeneralizationTarget Target, [property: JsonIgnore] CorrelationMetrics Metrics)
{
    /// <summary>Members with finite values of both (the others, e.g. diverged runs, are left out).</summary>
    public int Models => Metrics.Models;

    /// <summary>Kendall τ-b with its p-value.</summary>
    public CorrelationResult Kendall => Metrics.Kendall;

    /// <summary>Percentile-bootstrap 95% interval of τ-b.</summary>
    public BootstrapInterval KendallInterval => Metrics.KendallInterval;

    /// <summary>Spearman ρ with its p-value.</summary>
    public CorrelationResult Spearman => Metrics.Spearman;

    /// <summary>Pearson r with its p-value.</summary>
    public CorrelationResult Pearson => Metrics.Pearson;

    /// <summary>Jiang et al.'s granulated Kendall Ψ and ψᵢ per hyperparameter axis; null without a grid.</summary>
    public GranulatedKendallResult? Granulated => Metrics.Granulated;

    /// <summary>Jiang et al.'s K(μ) over conditioning sets of up to two axes; null without a grid.</summary>
    public ConditionalMutualInformationResult? ConditionalMutualInformation => Metrics.ConditionalMutualInformation;
}
