using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Studies;

/// <summary>
/// Correlates every measure of a study with every generalization target: Kendall τ-b (p-value, bootstrap interval),
/// Spearman, Pearson, and over the hyperparameter axes that vary, Jiang et al.'s (2019) granulated Kendall Ψ and
/// conditional mutual information K.
/// </summary>
public static class StudyAnalysis
{
    /// <summary>The correlations of every measure in <paramref name="measures"/> with every target that applies.</summary>
    /// <param name="members">The members (at least two with finite values for a row to be computed).</param>
    /// <param name="measures">Measure names, in report order.</param>
    /// <param name="bootstrapSeed">Seed of the bootstrap intervals.</param>
    public static IReadOnlyList<MeasureCorrelation> Correlate(IReadOnlyList<StudyMember> members, IReadOnlyList<string> measures, int bootstrapSeed)
    {
        var rows = new List<MeasureCorrelation>();
        bool classification = members.Any(m => double.IsFinite(m.TestError));
        var targets = classification
            ? new[] { GeneralizationTarget.TestLoss, GeneralizationTarget.GeneralizationGap, GeneralizationTarget.TestError }
            : new[] { GeneralizationTarget.TestLoss, GeneralizationTarget.GeneralizationGap };
        var varyingAxes = members.SelectMany(m => m.Hyperparameters.Keys).Distinct(StringComparer.Ordinal)
            .Where(axis => members.Select(m => m.Hyperparameters.GetValueOrDefault(axis)).Distinct().Count() > 1).ToList();
        foreach (var measure in measures)
        foreach (var target in targets)
        {
            var metrics = CorrelationMetrics.Compute(measure, target.ToString(),
                members.Select(m => m.Measurements.FirstOrDefault(x => x.Measure == measure)?.Value ?? double.NaN).ToArray(),
                members.Select(m => Value(m, target)).ToArray(),
                members.Select(m => (IReadOnlyDictionary<string, string>)m.Hyperparameters).ToArray(), bootstrapSeed, varyingAxes);
            if (metrics is null) continue;
            rows.Add(new MeasureCorrelation(measure, target, metrics));
        }

        return rows;
    }

    /// <summary>The value of <paramref name="target"/> for <paramref name="member"/>.</summary>
    public static double Value(StudyMember member, GeneralizationTarget target) => target switch
    {
        GeneralizationTarget.TestLoss => member.TestLoss,
        GeneralizationTarget.GeneralizationGap => member.GeneralizationGap,
        GeneralizationTarget.TestError => member.TestError,
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown target."),
    };
}
