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
        DataLandscapes.CheckModelPath(modelPath);

        using var scope = torch.NewDisposeScope();
        var opened = data.Open(new MLContext(seed: settings.Seed), modelPath, loss, architecture);
        using var owned = opened.Owned;
        try
        {
            var results = new List<MeasureResult> { SavedModelFiles.FullLoss(opened.Landscape, opened.Loss) };
            foreach (var name in measures) results.Add(MeasureRegistry.BuiltIn.Measure(name, opened.Landscape, settings));
            return results;
        }
        catch (System.Runtime.InteropServices.ExternalException e) when (e.Message.Contains("in the TorchScript interpreter", StringComparison.Ordinal))
        {
            // The model's own code raised (its two tracebacks end with what it raised).
            var raised = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
            throw new InvalidDataException($"TorchScript model '{modelPath}': its code failed: {raised}", e);
        }
    }

    /// <summary>
    /// Scores <paramref name="modelPath"/> (a model file or TorchScript) without data, by data-free measures only
    /// (<see cref="IDataFreeMeasure"/>: the weight norms and the spectral metrics), in the order given; there is no
    /// <c>loss</c> row.
    /// </summary>
    /// <exception cref="ArgumentException">A measure needs data (the message names it).</exception>
    public static IReadOnlyList<MeasureResult> ScoreWithoutData(string modelPath, LossFunction? loss, IReadOnlyList<string> measures, MeasureSettings settings,
        CheckpointArchitecture? architecture = null)
    {
        Validate(measures, settings);
        RequireDataFree(measures);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
        using var scope = torch.NewDisposeScope();
        var opened = architecture is null
            ? SavedModelLandscape.WithoutData(new MLContext(seed: settings.Seed), modelPath, loss)
            : SavedModelLandscape.CheckpointWithoutData(modelPath, architecture, loss);
        using var owned = opened.Owned;
        return measures.Select(name => MeasureRegistry.BuiltIn.Measure(name, opened.Landscape, settings)).ToList();
    }

    /// <summary>Throws one line naming the first of <paramref name="measures"/> that needs data (or saying none was given).</summary>
    public static void RequireDataFree(IReadOnlyList<string> measures)
    {
        var dataFree = MeasureRegistry.BuiltIn.Names.Where(n => MeasureRegistry.BuiltIn.Get(n) is IDataFreeMeasure);
        if (measures.Count == 0)
            throw new ArgumentException($"--data is required unless every --measure is data-free ({string.Join(", ", dataFree)}); no --measure was given.");
        foreach (var name in measures)
            if (MeasureRegistry.BuiltIn.Get(name) is not IDataFreeMeasure)
                throw new ArgumentException($"--data is required for measure '{name}'; only the data-free measures ({string.Join(", ", dataFree)}) run without it.");
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
    /// A candidate that fails (a bad file, outputs or weights) is listed in <see cref="ModelSelectionResult.Failures"/>
    /// and the others are still ranked; when every candidate fails, the first failure is thrown.
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
            DataLandscapes.CheckModelPath(path);
        // A usage error, not one candidate's failure: refused before any candidate is measured.
        if (loss is null && architecture is null && modelPaths.FirstOrDefault(p => !SavedModelFiles.IsSharpnessModelFile(p)) is { } script)
            throw new ArgumentException($"--loss (mse or cross-entropy) is required for the TorchScript model '{script}'.");
        var ml = new MLContext(seed: settings.Seed);
        var names = modelPaths.Select(Path.GetFileName).ToList();
        bool unique = names.Distinct(StringComparer.Ordinal).Count() == names.Count;
        var candidates = modelPaths.Select((path, i) =>
            (unique ? names[i]! : path, (Func<OpenedLandscape>)(() => data.Open(ml, path, loss, architecture)))).ToList();
        return ModelSelection.Rank(candidates, MeasureRegistry.BuiltIn, measure, settings, keepGoing: true);
    }

    private static void Validate(IReadOnlyList<string> measures, MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(measures);
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var name in measures) MeasureRegistry.BuiltIn.Validate(name);
        settings.Validate();
    }
}
