using System.Globalization;
using System.Text.Json;

namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>
/// The notebook protocol's members in a SQLite study store (<see cref="SqliteStudyStore"/>, the file the library
/// protocol's <c>--store</c> names): each (row, pool) is one study, <c>DATASET-notebook/ROW/seeds-BASE</c>, pinned to
/// everything its members' numbers depend on (the data's fingerprint, the row, the pool's first seed, the training
/// images and epochs, the torch threads); each model is saved as it completes, so a killed run resumes where it stopped
/// and worker processes can share the run. The sharpness is the member's one measurement, <c>notebook-sharpness</c>.
/// </summary>
internal sealed class NotebookStore : IDisposable
{
    /// <summary>The measurement name under which a member's sharpness is stored.</summary>
    public const string SharpnessMeasure = "notebook-sharpness";

    private const string ConfigurationKey = "configuration";
    private readonly SqliteStudyStore store;
    private readonly NotebookSettings settings;
    private readonly string dataFingerprint;
    private readonly HashSet<string> opened = new(StringComparer.Ordinal);

    /// <summary>Opens (or creates) the store at <paramref name="path"/> for a run with <paramref name="settings"/>.</summary>
    public NotebookStore(string path, NotebookSettings settings)
    {
        this.settings = settings;
        dataFingerprint = NotebookExperiment.DataFingerprint(settings);
        store = new SqliteStudyStore(path);
    }

    /// <summary>The store file.</summary>
    public string Path => store.Path;

    /// <summary>The study id of one row's pool.</summary>
    public string StudyId(NotebookVariant variant, int poolBase) =>
        FormattableString.Invariant($"{StudyDatasetNames.NameOf(settings.Dataset)}-notebook/{variant.Name}/seeds-{poolBase}");

    /// <summary>The stored members of one row's pool, by index.</summary>
    public IReadOnlyDictionary<int, NotebookMember> Members(NotebookVariant variant, int poolBase)
    {
        var id = Open(variant, poolBase);
        return store.LoadMembers(id).ToDictionary(m => m.Index, ToNotebookMember);
    }

    /// <summary>Saves one completed member (atomically; an index already stored is left as it is).</summary>
    public void Save(NotebookVariant variant, int poolBase, NotebookMember member)
    {
        var id = Open(variant, poolBase);
        store.Save(id, new StudyMember(member.Index, member.Seed, new Dictionary<string, string> { [ConfigurationKey] = member.Configuration }, member.Epochs,
            member.TrainLoss, member.TestLoss, double.NaN, member.TestError,
            new[] { new StudyMeasurement(SharpnessMeasure, member.Sharpness, null, member.Seconds, "{}") }, member.Seconds));
    }

    private string Open(NotebookVariant variant, int poolBase)
    {
        var id = StudyId(variant, poolBase);
        if (opened.Add(id)) store.Open(id, ConfigurationJson(variant, poolBase));
        return id;
    }

    /// <summary>Everything one pool's members depend on, as canonical JSON (the store compares its hash).</summary>
    private string ConfigurationJson(NotebookVariant variant, int poolBase) => JsonSerializer.Serialize(new Dictionary<string, string?>
    {
        ["protocol"] = "notebook",
        ["dataset"] = StudyDatasetNames.NameOf(settings.Dataset),
        ["data"] = dataFingerprint,
        ["row"] = variant.Name,
        ["poolBaseSeed"] = poolBase.ToString(CultureInfo.InvariantCulture),
        ["trainExamples"] = settings.TrainExamples?.ToString(CultureInfo.InvariantCulture),
        ["maxEpochs"] = settings.MaxEpochs?.ToString(CultureInfo.InvariantCulture),
        ["threads"] = settings.Threads.ToString(CultureInfo.InvariantCulture),
    });

    private static NotebookMember ToNotebookMember(StudyMember m)
    {
        var sharpness = m.Measurements.FirstOrDefault(x => x.Measure == SharpnessMeasure)
                        ?? throw new IOException($"Notebook store: member {m.Index} has no '{SharpnessMeasure}' measurement; {SqliteStudyStore.StartOverHint}.");
        return new NotebookMember(m.Index, m.Seed, m.Hyperparameters.TryGetValue(ConfigurationKey, out var c) ? c : "", m.Epochs,
            m.TrainLoss, m.TestLoss, m.TestError, sharpness.Value, m.TrainSeconds);
    }

    /// <inheritdoc />
    public void Dispose() => store.Dispose();
}
