namespace SharpnessML.Studies;

/// <summary>The data set and model family of a study (one per seed-paper experiment).</summary>
public enum StudyDataset
{
    /// <summary>Abalone regression (UCI), fully connected network (<c>abalone</c>).</summary>
    Abalone,

    /// <summary>FashionMNIST classification, LeNet-5 (<c>fashion-mnist</c>).</summary>
    FashionMnist,

    /// <summary>Cora node classification, graph attention network (<c>cora</c>).</summary>
    Cora,

    /// <summary>The user's CSV file(s) (<c>csv</c>): <see cref="StudyDefinition.Data"/> and <see cref="StudyDefinition.Model"/>.</summary>
    Csv,

    /// <summary>The user's IDX image files (<c>idx</c>): <see cref="StudyDefinition.Data"/> (images and labels) and <see cref="StudyDefinition.Model"/>.</summary>
    Idx,
}

/// <summary>Names of <see cref="StudyDataset"/> as written in study files and on the command line.</summary>
public static class StudyDatasetNames
{
    private static readonly (StudyDataset Dataset, string Name)[] All =
    {
        (StudyDataset.Abalone, "abalone"), (StudyDataset.FashionMnist, "fashion-mnist"), (StudyDataset.Cora, "cora"), (StudyDataset.Csv, "csv"), (StudyDataset.Idx, "idx"),
    };

    /// <summary>Every name, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(a => a.Name).ToArray();

    /// <summary>The seed paper's three experiments' names (what <c>reproduce</c> takes).</summary>
    public static IReadOnlyList<string> SeedPaper { get; } = new[] { "abalone", "fashion-mnist", "cora" };

    /// <summary>The name of <paramref name="dataset"/>.</summary>
    public static string NameOf(StudyDataset dataset) => All.Single(a => a.Dataset == dataset).Name;

    /// <summary>Parses a name; throws an <see cref="ArgumentException"/> listing the names when unknown.</summary>
    public static StudyDataset Parse(string name) =>
        All.FirstOrDefault(a => a.Name == name).Name is null
            ? throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", Names)}.")
            : All.First(a => a.Name == name).Dataset;
}
