namespace SharpnessML.Studies;

/// <summary>The outcome of a study: every member and how each measure correlates with generalization.</summary>
/// <param name="Definition">The study.</param>
/// <param name="Members">Every member, in index order.</param>
/// <param name="Correlations">Every measure against every target (<see cref="StudyAnalysis"/>).</param>
/// <param name="ElapsedSeconds">Wall time of this run (members loaded from a store cost nothing).</param>
/// <param name="Workers">Processes that trained members in parallel.</param>
/// <param name="TrainedThisRun">Members trained in this run (the rest came from the store).</param>
public sealed record StudyResult(
    StudyDefinition Definition, IReadOnlyList<StudyMember> Members, IReadOnlyList<MeasureCorrelation> Correlations,
    double ElapsedSeconds, int Workers, int TrainedThisRun)
{
    /// <summary>The headline: the study's first measure against test loss.</summary>
    public MeasureCorrelation Headline =>
        Correlations.FirstOrDefault(c => c.Measure == Definition.Measures[0].Name && c.Target == GeneralizationTarget.TestLoss)
        ?? throw new InvalidOperationException($"Study {Definition.Name}: fewer than three members have a finite {Definition.Measures[0].Name} and test loss.");

    /// <summary>Analyses <paramref name="members"/> of <paramref name="definition"/>.</summary>
    public static StudyResult Create(StudyDefinition definition, IReadOnlyList<StudyMember> members, double elapsedSeconds, int workers, int trainedThisRun) =>
        new(definition, members, StudyAnalysis.Correlate(members, definition.Measures.Select(m => m.Name).ToList(), definition.BootstrapSeed),
            elapsedSeconds, workers, trainedThisRun);
}
