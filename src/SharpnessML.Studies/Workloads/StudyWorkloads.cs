using SharpnessML.Datasets;

namespace SharpnessML.Studies.Workloads;

/// <summary>Creates the workload of a study's data set, and identifies its data.</summary>
internal static class StudyWorkloads
{
    public static IStudyWorkload Create(StudyDefinition study) => study.Dataset switch
    {
        StudyDataset.Abalone => new AbaloneWorkload(study),
        StudyDataset.FashionMnist => new FashionMnistWorkload(study),
        StudyDataset.Cora => new CoraWorkload(study),
        _ => throw new ArgumentOutOfRangeException(nameof(study), study.Dataset, "Unknown dataset."),
    };

    /// <summary>The SHA-256 of the study's data files (without loading them).</summary>
    public static string Fingerprint(StudyDefinition study)
    {
        switch (study.Dataset)
        {
            case StudyDataset.Abalone:
                return study.DataPath is { } abalone ? DataFingerprint.Of(abalone) : AbaloneDataset.BundledSha256;
            case StudyDataset.FashionMnist:
                var directory = study.DataPath ?? FashionMnistDataset.DebianDirectory;
                var train = FashionMnistDataset.FindFiles(FashionMnistSplit.Train, directory);
                var test = FashionMnistDataset.FindFiles(FashionMnistSplit.Test, directory);
                return DataFingerprint.Of(train.Images, train.Labels, test.Images, test.Labels);
            case StudyDataset.Cora:
                if (study.DataPath is not { } cora) return CoraDataset.BundledSha256;
                if (!Directory.Exists(cora)) throw new DirectoryNotFoundException($"Cora folder {cora} does not exist.");
                return DataFingerprint.Of(Directory.GetFiles(cora, "cora.*").Order(StringComparer.Ordinal).ToArray());
            default:
                throw new ArgumentOutOfRangeException(nameof(study), study.Dataset, "Unknown dataset.");
        }
    }
}
