using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Studies;

/// <summary>How well one measure predicts one generalization target over a study's members.</summary>
/// <param name="Measure">The measure's name.</param>
/// <param name="Target">The generalization target.</param>
/// <param name="Models">Members with finite values of both (the others, e.g. diverged runs, are left out).</param>
/// <param name="Kendall">Kendall τ-b with its p-value.</param>
/// <param name="KendallInterval">Percentile-bootstrap 95% interval of τ-b.</param>
/// <param name="Spearman">Spearman ρ with its p-value.</param>
/// <param name="Pearson">Pearson r with its p-value.</param>
/// <param name="Granulated">Jiang et al.'s granulated Kendall Ψ and ψᵢ per hyperparameter axis; null without a grid.</param>
/// <param name="ConditionalMutualInformation">Jiang et al.'s K(μ) over conditioning sets of up to two axes; null without a grid.</param>
public sealed record MeasureCorrelation(
    string Measure, GeneralizationTarget Target, int Models,
    CorrelationResult Kendall, BootstrapInterval KendallInterval, CorrelationResult Spearman, CorrelationResult Pearson,
    GranulatedKendallResult? Granulated, ConditionalMutualInformationResult? ConditionalMutualInformation);
