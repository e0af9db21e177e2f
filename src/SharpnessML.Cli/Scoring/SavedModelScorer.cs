using System.IO.Compression;
using Microsoft.ML;
using SharpnessML.Trainers.Checkpoints;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using TorchSharp;

namespace SharpnessML.Cli.Scoring;

/// <summary>
/// Measures saved models on one data set — a CSV file or an IDX pair (<see cref="ScoringData"/>) —
/// whether a SharpnessML model file (its ML.NET preprocessing chain is applied to the data's columns)
/// or a TorchScript module saved by PyTorch (features are all CSV columns but the label, in file
/// order, or the flattened images): <c>Score</c> one model by several measures (<c>sharpnessml
/// score</c>), <c>Select</c> several models by one (<c>sharpnessml select</c>).
/// </summary>
internal static class SavedModelScorer
{
    /// <summary>Scores <paramref name="modelPath"/> on the CSV file <paramref name="dataPath"/>.</summary>
    /// <param name="modelPath">A SharpnessML model file or a TorchScript <c>.pt</c> file.</param>
    /// <param name="dataPath">A CSV file with a header row.</param>
    /// <param name="labelColumn">The label column's name.</param>
    /// <param name="loss">The loss; required for TorchScript models (a model file knows its own).</param>
    /// <param name="measures">Measure names (see <see cref="MeasureRegistry.Names"/>).</param>
    /// <param name="settings">ρ and seed.</param>
    public static IReadOnlyList<MeasureResult> Score(string modelPath, string dataPath, string labelColumn, LossFunction? loss,
        IReadOnlyList<string> measures, MeasureSettings settings)
    {
        Validate(measures, settings);
        return Score(modelPath, ScoringData.Csv(dataPath, labelColumn), loss, measures, settings);
    }

    /// <summary>
    /// Scores <paramref name="modelPath"/> on <paramref name="data"/> (a CSV file or an IDX pair): the loss
    /// on all of the data first (measure <c>loss</c>), then each measure in the order given.
    /// </summary>
    /// <param name="modelPath">A SharpnessML model file or a TorchScript <c>.pt</c> file.</param>
    /// <param name="data">The data (<see cref="ScoringData.Csv"/> or <see cref="ScoringData.Idx"/>).</param>
    /// <param name="loss">The loss; required for TorchScript models (a model file knows its own).</param>
    /// <param name="measures">Measure names (see <see cref="MeasureRegistry.Names"/>).</param>
    /// <param name="settings">ρ and seed.</param>
    /// <param name="architecture">When given, <paramref name="modelPath"/> is a PyTorch checkpoint loaded into it.</param>
    public static IReadOnlyList<MeasureResult> Score(string modelPath, ScoringData data, LossFunction? loss,
        IReadOnlyList<string> measures, MeasureSettings settings, CheckpointArchitecture? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        Validate(measures, settings);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);

        using var scope = torch.NewDisposeScope();
        var opened = data.Open(new MLContext(seed: settings.Seed), modelPath, loss, architecture);
        using var owned = opened.Owned;
        var results = new List<MeasureResult> { SavedModelFiles.FullLoss(opened.Landscape, opened.Loss) };
        foreach (var name in measures) results.Add(MeasureRegistry.BuiltIn.Measure(name, opened.Landscape, settings));
        return results;
    }

    /// <summary>Ranks saved models by <paramref name="measure"/> on the CSV file <paramref name="dataPath"/>
    /// (see <see cref="Select(IReadOnlyList{string}, ScoringData, LossFunction?, string, MeasureSettings, CheckpointArchitecture?)"/>).</summary>
    /// <param name="modelPaths">The files; each is named in the ranking by its file name (by its path when two names clash).</param>
    /// <param name="dataPath">A CSV file with a header row.</param>
    /// <param name="labelColumn">The label column's name.</param>
    /// <param name="loss">The loss; required for TorchScript models (a model file knows its own and must agree).</param>
    /// <param name="measure">A measure name (see <see cref="MeasureRegistry.Names"/>).</param>
    /// <param name="settings">ρ and seed, shared by every model.</param>
    public static ModelSelectionResult Select(IReadOnlyList<string> modelPaths, string dataPath, string labelColumn, LossFunction? loss,
        string measure, MeasureSettings settings)
    {
        MeasureRegistry.BuiltIn.Validate(measure);
        settings.Validate();
        return Select(modelPaths, ScoringData.Csv(dataPath, labelColumn), loss, measure, settings);
    }

    /// <summary>
    /// Ranks saved models — SharpnessML model files and TorchScript files, mixed freely — by
    /// <paramref name="measure"/> on <paramref name="data"/>, flattest (lowest value) first, as
    /// <c>sharpnessml select</c> does. Every model is measured with the same <paramref name="settings"/>
    /// (so the same seed: the same batches, starts and probe vectors) and released before the next is loaded.
    /// </summary>
    /// <param name="modelPaths">The files; each is named in the ranking by its file name (by its path when two names clash).</param>
    /// <param name="data">The data (<see cref="ScoringData.Csv"/> or <see cref="ScoringData.Idx"/>).</param>
    /// <param name="loss">The loss; required for TorchScript models (a model file knows its own and must agree).</param>
    /// <param name="measure">A measure name (see <see cref="MeasureRegistry.Names"/>).</param>
    /// <param name="settings">ρ and seed, shared by every model.</param>
    /// <param name="architecture">When given, every path is a PyTorch checkpoint loaded into it.</param>
    public static ModelSelectionResult Select(IReadOnlyList<string> modelPaths, ScoringData data, LossFunction? loss,
        string measure, MeasureSettings settings, CheckpointArchitecture? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(modelPaths);
        ArgumentNullException.ThrowIfNull(data);
        MeasureRegistry.BuiltIn.Validate(measure);
        settings.Validate();
        if (modelPaths.Count == 0) throw new ArgumentException("Model selection needs at least one model; none was given.");
        foreach (var path in modelPaths)
            if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        var ml = new MLContext(seed: settings.Seed);
        var names = modelPaths.Select(Path.GetFileName).ToList();
        bool unique = names.Distinct(StringComparer.Ordinal).Count() == names.Count;
        var candidates = modelPaths.Select((path, i) =>
            (unique ? names[i]! : path, (Func<OpenedLandscape>)(() => data.Open(ml, path, loss, architecture)))).ToList();
        return ModelSelection.Rank(candidates, MeasureRegistry.BuiltIn, measure, settings);
    }

    private static void Validate(IReadOnlyList<string> measures, MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(measures);
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var name in measures) MeasureRegistry.BuiltIn.Validate(name);
        settings.Validate();
    }
}
