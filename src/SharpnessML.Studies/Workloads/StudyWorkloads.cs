namespace SharpnessML.Studies.Workloads;

/// <summary>The built-in workloads by data set: how to create each, and how to identify its data without loading it.</summary>
internal static class StudyWorkloads
{
    /// <summary>One data set's workload.</summary>
    private sealed record Kind(Func<StudyDefinition, IStudyWorkload> Create, Func<StudyDefinition, string> Fingerprint);

    private static readonly IReadOnlyDictionary<StudyDataset, Kind> Kinds = new Dictionary<StudyDataset, Kind>
    {
        [StudyDataset.Abalone] = new(study => new PipelineWorkload(AbaloneWorkload.Create(study)), AbaloneWorkload.Fingerprint),
        [StudyDataset.FashionMnist] = new(study => new PipelineWorkload(FashionMnistWorkload.Create(study)), FashionMnistWorkload.Fingerprint),
        [StudyDataset.Cora] = new(study => new CoraWorkload(study), CoraWorkload.Fingerprint),
        [StudyDataset.Csv] = new(study => new PipelineWorkload(UserDataPipeline.Create(study)), UserDataPipeline.Fingerprint),
        [StudyDataset.Idx] = new(study => new PipelineWorkload(UserDataPipeline.Create(study)), UserDataPipeline.Fingerprint),
    };

    /// <summary>The workload that trains and measures <paramref name="study"/>'s members.</summary>
    public static IStudyWorkload Create(StudyDefinition study) => KindOf(study).Create(study);

    /// <summary>The SHA-256 of the study's data files (without loading them).</summary>
    public static string Fingerprint(StudyDefinition study) => KindOf(study).Fingerprint(study);

    private static Kind KindOf(StudyDefinition study) =>
        Kinds.TryGetValue(study.Dataset, out var kind) ? kind : throw new ArgumentOutOfRangeException(nameof(study), study.Dataset, "Unknown dataset.");
}
