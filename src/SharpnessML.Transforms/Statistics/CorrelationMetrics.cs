namespace SharpnessML.Transforms.Statistics;

/// <summary>
/// How well one measure predicts one generalization quantity over a pool of models, as
/// <c>ml.Sharpness().EvaluateCorrelation(...)</c> returns it (one per measure) and studies report it.
/// </summary>
/// <remarks>
/// Over the n models with finite values of both: Kendall τ-b = (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂)) with its two-sided
/// p-value (exact without ties for small n, else the tie-corrected normal approximation, as SciPy's
/// <c>method='auto'</c>) and a percentile-bootstrap 95% interval; Spearman ρ and Pearson r with SciPy's p-values; and,
/// when hyperparameter axes are given and vary, Jiang et al.'s (2019) granulated Kendall Ψ = mean over axes of ψᵢ (τ within
/// groups that differ only in axis i, averaged) and the conditional mutual information criterion K(μ) = min over
/// conditioning sets S of at most two axes of Î(V_μ, V_g | U_S).
/// </remarks>
public sealed class CorrelationMetrics
{
    internal CorrelationMetrics(string measure, string generalization, int models, CorrelationResult kendall, BootstrapInterval kendallInterval,
        CorrelationResult spearman, CorrelationResult pearson, GranulatedKendallResult? granulated, ConditionalMutualInformationResult? conditionalMutualInformation)
    {
        Measure = measure;
        Generalization = generalization;
        Models = models;
        Kendall = kendall;
        KendallInterval = kendallInterval;
        Spearman = spearman;
        Pearson = pearson;
        Granulated = granulated;
        ConditionalMutualInformation = conditionalMutualInformation;
    }

    /// <summary>The measure (its column or name).</summary>
    public string Measure { get; }

    /// <summary>The generalization quantity (its column or name), e.g. test loss.</summary>
    public string Generalization { get; }

    /// <summary>Models with finite values of both (the others, e.g. diverged runs, are left out).</summary>
    public int Models { get; }

    /// <summary>Kendall τ-b with its p-value.</summary>
    public CorrelationResult Kendall { get; }

    /// <summary>Percentile-bootstrap 95% interval of τ-b.</summary>
    public BootstrapInterval KendallInterval { get; }

    /// <summary>Spearman ρ with its p-value.</summary>
    public CorrelationResult Spearman { get; }

    /// <summary>Pearson r with its p-value.</summary>
    public CorrelationResult Pearson { get; }

    /// <summary>Granulated Kendall Ψ and ψᵢ per hyperparameter axis; <c>null</c> when no given axis varies.</summary>
    public GranulatedKendallResult? Granulated { get; }

    /// <summary>K(μ) over conditioning sets of up to two axes; <c>null</c> when no given axis varies.</summary>
    public ConditionalMutualInformationResult? ConditionalMutualInformation { get; }

    /// <summary>
    /// Computes every statistic for paired values. Pairs where either value is not finite are left out; with fewer than
    /// three left, returns <c>null</c>.
    /// </summary>
    /// <param name="measure">The measure's name.</param>
    /// <param name="generalization">The generalization quantity's name.</param>
    /// <param name="measureValues">The measure of each model.</param>
    /// <param name="generalizationValues">The generalization quantity of each model.</param>
    /// <param name="hyperparameters">Each model's value on each hyperparameter axis (as text), or <c>null</c>; only axes that vary are used.</param>
    /// <param name="bootstrapSeed">Seed of the bootstrap interval.</param>
    /// <param name="axes">
    /// The axes of <paramref name="hyperparameters"/> to granulate over, as given; <c>null</c> (default): those that vary over
    /// the models kept.
    /// </param>
    public static CorrelationMetrics? Compute(string measure, string generalization, IReadOnlyList<double> measureValues,
        IReadOnlyList<double> generalizationValues, IReadOnlyList<IReadOnlyDictionary<string, string>>? hyperparameters, int bootstrapSeed,
        IReadOnlyList<string>? axes = null)
    {
        ArgumentNullException.ThrowIfNull(measureValues);
        ArgumentNullException.ThrowIfNull(generalizationValues);
        if (measureValues.Count != generalizationValues.Count || (hyperparameters != null && hyperparameters.Count != measureValues.Count))
            throw new ArgumentException($"Measure {measure}: {measureValues.Count} measure values, {generalizationValues.Count} {generalization} values" +
                                        (hyperparameters != null ? $" and {hyperparameters.Count} hyperparameter rows" : "") + "; they must pair up.");
        var kept = Enumerable.Range(0, measureValues.Count)
            .Where(i => double.IsFinite(measureValues[i]) && double.IsFinite(generalizationValues[i])).ToList();
        if (kept.Count < 3) return null;
        var x = kept.Select(i => measureValues[i]).ToArray();
        var y = kept.Select(i => generalizationValues[i]).ToArray();
        GranulatedKendallResult? granulated = null;
        ConditionalMutualInformationResult? cmi = null;
        if (hyperparameters != null)
        {
            var rows = kept.Select(i => hyperparameters[i]).ToList();
            var varying = axes?.ToList() ?? rows.SelectMany(r => r.Keys).Distinct(StringComparer.Ordinal)
                .Where(axis => rows.Select(r => r.GetValueOrDefault(axis)).Distinct().Count() > 1).ToList();
            if (varying.Count > 0)
            {
                var observations = kept.Select((i, k) => new GranulatedObservation(
                    varying.ToDictionary(a => a, a => hyperparameters[i].GetValueOrDefault(a) ?? "", StringComparer.Ordinal), x[k], y[k])).ToList();
                granulated = GranulatedKendall.Compute(observations);
                cmi = Statistics.ConditionalMutualInformation.Compute(observations);
            }
        }

        return new CorrelationMetrics(measure, generalization, kept.Count, KendallTau.Compute(x, y), BootstrapInterval.ForKendallTau(x, y, bootstrapSeed),
            SpearmanRho.Compute(x, y), PearsonR.Compute(x, y), granulated, cmi);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Measure} vs {Generalization} over {Models} models: Kendall τ {Kendall.Coefficient:F3} (p {Kendall.PValue:G3}, 95% [{KendallInterval.Lower:F3}, {KendallInterval.Upper:F3}]), " +
        $"Spearman {Spearman.Coefficient:F3}, Pearson {Pearson.Coefficient:F3}" + (Granulated is { } g ? $", Ψ {g.Psi:F3}" : "") +
        (ConditionalMutualInformation is { } c ? $", K {c.K:F3}" : "");
}
